using LatentSpikes.Analysis;
using LatentSpikes.Geometry;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Sweeps;

/// <summary>
/// The summary metrics a sweep records per run, each averaged over the run's trials and computed in the window
/// (start, stop] (spike-train convention of <see cref="SpikeTrains"/>), clipped to what each trial simulated:
/// <list type="bullet">
/// <item><c>rate_hz.P</c>: mean firing rate of population P (Hz).</item>
/// <item><c>cv.P</c>: mean ISI CV of P's neurons with at least 5 intervals (<see cref="Irregularity.IsiStatistics(IReadOnlyList{SimulationResult}, int, double?, double?, int)"/>).</item>
/// <item><c>fano.P</c>: mean spike-count Fano factor across trials over P's neurons that fired.</item>
/// <item><c>boundary_error.P</c>: for an inhibitory population that listens only to its own latent (so its boundary
/// is a function of the input, seed 002 eq. 2.16-2.17), the RMS of y(t) − y_boundary(x(t)) over recorded samples.
/// The latent tracks the boundary from below within the precision band, so a working network gives about |D|/2.</item>
/// <item><c>latent_mean.Y</c>: time average of every latent readout Y.</item>
/// </list>
/// A value that cannot be computed (too few intervals, a window the run never reached) is NaN.
/// </summary>
public static class SweepMetrics
{
    /// <summary>The metric columns of an experiment, in table order.</summary>
    public static IReadOnlyList<string> Columns(Experiment experiment, IReadOnlyList<string> metrics)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(metrics);
        var pops = experiment.Network.Populations;
        var columns = new List<string>();
        foreach (string m in metrics)
        {
            switch (m)
            {
                case "latent_mean":
                    columns.AddRange(experiment.Network.Latents.Select(l => $"{m}.{l.Name}"));
                    break;
                case "boundary_error":
                    columns.AddRange(pops.Where(HasTrackedBoundary).Select(p => $"{m}.{p.Name}"));
                    break;
                default:
                    columns.AddRange(pops.Select(p => $"{m}.{p.Name}"));
                    break;
            }
        }

        return columns;
    }

    /// <summary>Computes the metrics of one run's trials, keyed by the names of <see cref="Columns"/>.</summary>
    /// <param name="trials">The run's trials, all of one experiment.</param>
    /// <param name="metrics">Which metrics.</param>
    /// <param name="window">Window (τ); null for the whole run. Its stop is clipped to each trial's simulated time.</param>
    public static IReadOnlyDictionary<string, double> Compute(IReadOnlyList<SimulationResult> trials, IReadOnlyList<string> metrics, (double Start, double Stop)? window)
    {
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(metrics);
        if (trials.Count == 0)
        {
            throw new ArgumentException("a run has at least one trial", nameof(trials));
        }

        var exp = trials[0].Experiment;
        var pops = exp.Network.Populations;
        double start = window?.Start ?? 0.0;
        double stop = Math.Min(window?.Stop ?? exp.Settings.Duration, exp.Settings.Duration);
        double[] stops = trials.Select(t => Math.Min(stop, t.SimulatedDuration)).ToArray();
        double common = stops.Min();
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string m in metrics)
        {
            for (int p = 0; p < pops.Count; p++)
            {
                string column = $"{m}.{pops[p].Name}";
                switch (m)
                {
                    case "rate_hz":
                        values[column] = Enumerable.Range(0, trials.Count).Average(t => RateHz(trials[t], p, start, stops[t]));
                        break;
                    case "cv":
                        values[column] = common > start
                            ? Irregularity.IsiStatistics(SpikeTrains.OfPopulation(trials, p), start, common).MeanCv
                            : double.NaN;
                        break;
                    case "fano":
                        values[column] = common > start
                            ? Irregularity.SpikeCounts(SpikeTrains.OfPopulation(trials, p), start, common).MeanFano
                            : double.NaN;
                        break;
                    case "boundary_error" when HasTrackedBoundary(pops[p]):
                        values[column] = BoundaryRms(trials, pops[p], start, stops);
                        break;
                }
            }

            if (m == "latent_mean")
            {
                foreach (var latent in exp.Network.Latents)
                {
                    values[$"{m}.{latent.Name}"] = Enumerable.Range(0, trials.Count).Average(t => LatentMean(trials[t], latent.Name, start, stops[t]));
                }
            }
        }

        return values;
    }

    /// <summary>An inhibitory population alone on its latent: its boundary is a function of x that the latent tracks.</summary>
    private static bool HasTrackedBoundary(Population population) =>
        population.Kind == PopulationKind.Inhibitory && PopulationBoundary.IsRank1Alone(population);

    private static double RateHz(SimulationResult trial, int population, double start, double stop)
    {
        if (!(stop > start))
        {
            return double.NaN;
        }

        int n = trial.Experiment.Network.Populations[population].Size;
        long count = trial.Spikes.Count(s => s.Population == population && s.Time > start && s.Time <= stop);
        return count / (n * (stop - start)) * 1000.0 / trial.Experiment.Settings.TauMs;
    }

    private static double LatentMean(SimulationResult trial, string latent, double start, double stop)
    {
        double[] y = trial.Latent(latent);
        double sum = 0;
        int count = 0;
        for (int r = 0; r < y.Length; r++)
        {
            double t = trial.Times[r];
            if (t > start && t <= stop)
            {
                sum += y[r];
                count++;
            }
        }

        return count == 0 ? double.NaN : sum / count;
    }

    private static double BoundaryRms(IReadOnlyList<SimulationResult> trials, Population population, double start, double[] stops)
    {
        double sum = 0;
        long count = 0;
        int m = trials[0].Experiment.Network.InputDimension;
        var x = new double[m];
        for (int t = 0; t < trials.Count; t++)
        {
            var trial = trials[t];
            double[] y = trial.Latent(population.LatentName);
            for (int r = 0; r < y.Length; r++)
            {
                double time = trial.Times[r];
                if (!(time > start && time <= stops[t]))
                {
                    continue;
                }

                for (int d = 0; d < m; d++)
                {
                    x[d] = trial.InputsFlat[(r * m) + d];
                }

                double boundary = PopulationBoundary.Evaluate(population, x).Y;
                if (double.IsFinite(boundary))
                {
                    double e = y[r] - boundary;
                    sum += e * e;
                    count++;
                }
            }
        }

        return count == 0 ? double.NaN : Math.Sqrt(sum / count);
    }
}
