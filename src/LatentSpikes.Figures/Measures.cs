using LatentSpikes.Geometry;
using LatentSpikes.Simulation;

namespace LatentSpikes.Figures;

/// <summary>Measurements shared by the rank-1 figures (Figs. 2, 6, 10, S1), computed from recorded runs.</summary>
public static class Measures
{
    /// <summary>The recorded input (dimension 0) at the recorded sample nearest to <paramref name="time"/>.</summary>
    public static double InputAt(SimulationResult result, double time)
    {
        ArgumentNullException.ThrowIfNull(result);
        var s = result.Experiment.Settings;
        int i = (int)Math.Clamp(Math.Round(time / (s.Dt * s.RecordEvery)), 0, result.Times.Count - 1);
        return result.InputsFlat[i * result.Experiment.Network.InputDimension];
    }

    /// <summary>
    /// Fraction of recorded samples from <paramref name="from"/> on whose latent lies in the precision band
    /// [boundary + D(x) − tol, boundary + tol] of a rank-1 population (eq. 2.18).
    /// </summary>
    public static double BandFraction(SimulationResult result, int population, double from, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(result);
        var pop = result.Experiment.Network.Populations[population];
        var geometry = new RankOneGeometry(pop);
        double[] y = result.Latent(pop.LatentName);
        double[] x = result.Input(0);
        int inside = 0, total = 0;
        for (int i = 0; i < y.Length; i++)
        {
            if (result.Times[i] < from)
            {
                continue;
            }

            double b = geometry.Boundary(x[i]).Y;
            double r = geometry.ResetEdge(x[i]);
            total++;
            if (y[i] <= b + tolerance && y[i] >= r - tolerance)
            {
                inside++;
            }
        }

        return total == 0 ? double.NaN : inside / (double)total;
    }

    /// <summary>Mean and RMS of latent − boundary over the samples from <paramref name="from"/> on.</summary>
    public static (double Mean, double Rms) BoundaryOffset(IReadOnlyList<double> times, IReadOnlyList<double> x, IReadOnlyList<double> y, RankOneGeometry geometry, double from)
    {
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(geometry);
        double sum = 0, sumSq = 0;
        int n = 0;
        for (int i = 0; i < y.Count; i++)
        {
            if (times[i] < from)
            {
                continue;
            }

            double d = y[i] - geometry.Boundary(x[i]).Y;
            sum += d;
            sumSq += d * d;
            n++;
        }

        return n == 0 ? (double.NaN, double.NaN) : (sum / n, Math.Sqrt(sumSq / n));
    }

    /// <summary>Fraction of a population's spikes (from <paramref name="from"/> on) fired by the neuron that forms the boundary at the spike's input value.</summary>
    public static double BoundaryNeuronShare(SimulationResult result, int population, double from)
    {
        ArgumentNullException.ThrowIfNull(result);
        var pop = result.Experiment.Network.Populations[population];
        var geometry = new RankOneGeometry(pop);
        int own = 0, total = 0;
        foreach (var s in result.Spikes)
        {
            if (s.Population != population || s.Time < from)
            {
                continue;
            }

            total++;
            if (geometry.Boundary(InputAt(result, s.Time)).Neuron == s.Neuron)
            {
                own++;
            }
        }

        return total == 0 ? double.NaN : own / (double)total;
    }

    /// <summary>
    /// Mean number of distinct neurons that fire while the input lies in each bin of width <paramref name="binWidth"/>
    /// (bins with at least one spike, spikes from <paramref name="from"/> on): how many neurons code one input value.
    /// </summary>
    public static double NeuronsPerInputBin(SimulationResult result, int population, double from, double binWidth)
    {
        ArgumentNullException.ThrowIfNull(result);
        var bins = new Dictionary<long, HashSet<int>>();
        foreach (var s in result.Spikes)
        {
            if (s.Population != population || s.Time < from)
            {
                continue;
            }

            long bin = (long)Math.Floor(InputAt(result, s.Time) / binWidth);
            if (!bins.TryGetValue(bin, out var set))
            {
                bins[bin] = set = [];
            }

            set.Add(s.Neuron);
        }

        return bins.Count == 0 ? double.NaN : bins.Values.Average(b => b.Count);
    }
}
