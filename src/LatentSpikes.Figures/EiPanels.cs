using LatentSpikes.Geometry;
using LatentSpikes.Model;
using LatentSpikes.Plotting;
using LatentSpikes.Simulation;
using ScottPlot;

namespace LatentSpikes.Figures;

/// <summary>Drawing and measuring of rank-2 E-I networks in the (y_E, |y_I|) plane (Figs. 4, 5, 8, 12).</summary>
public static class EiPanels
{
    /// <summary>
    /// Draws both population boundaries at input x as |y_I| against y_E (every neuron's threshold line faded, the
    /// population boundary opaque) and marks the operating crossing.
    /// </summary>
    public static void Plane(Plot plot, EiBoundaries geometry, double x, double yEFrom, double yETo, string? suffix = null, double alpha = 1.0)
    {
        ArgumentNullException.ThrowIfNull(plot);
        ArgumentNullException.ThrowIfNull(geometry);
        double[] ye = FigureKit.Linspace(yEFrom, yETo, 400);
        foreach (var kind in new[] { PopulationKind.Excitatory, PopulationKind.Inhibitory })
        {
            var colour = RunFigure.ColorOf(kind);
            var pop = geometry.PopulationOf(kind);
            if (pop.Size > 1)
            {
                for (int n = 0; n < pop.Size; n++)
                {
                    int neuron = n;
                    FigureKit.Line(plot, ye, ye.Select(e => -geometry.ThresholdLine(kind, neuron, x, e)).ToArray(), colour.WithAlpha(0.2 * alpha), null, 0.8f);
                }
            }

            var envelope = geometry.Boundary(kind, x);
            FigureKit.Line(plot, ye, ye.Select(e => -envelope.Evaluate(e)).ToArray(), colour.WithAlpha(alpha), $"{pop.Name} boundary{suffix}", 2f);
        }

        if (geometry.Crossing(x) is { } c)
        {
            var m = plot.Add.Marker(c.YE, -c.YI, MarkerShape.FilledCircle, 9, Colors.Black.WithAlpha(alpha));
            m.LegendText = $"crossing{suffix}";
        }
    }

    /// <summary>Draws a run's trajectory in the (y_E, |y_I|) plane over [from, to].</summary>
    public static void Trajectory(Plot plot, SimulationResult result, EiBoundaries geometry, double from, double to, string legend = "spiking simulation")
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(geometry);
        double[] yE = result.Latent(geometry.ExcitatoryLatent);
        double[] yI = result.Latent(geometry.InhibitoryLatent);
        var idx = Enumerable.Range(0, yE.Length).Where(i => result.Times[i] >= from && result.Times[i] <= to).ToArray();
        FigureKit.Line(plot, idx.Select(i => yE[i]).ToArray(), idx.Select(i => -yI[i]).ToArray(), GeometryFigure.Trajectory, legend, 0.8f);
    }

    /// <summary>Draws y_E and |y_I| over time with the crossing values (dashed) at the recorded input.</summary>
    public static void Latents(Plot plot, SimulationResult result, EiBoundaries geometry)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(geometry);
        var (ce, ci) = CrossingTrace(result, geometry);
        var t = result.Times;
        FigureKit.Line(plot, t, ce, RunFigure.Excitatory.WithAlpha(0.9), "y_E* (crossing)", 1.5f, LinePattern.Dashed);
        FigureKit.Line(plot, t, ci.Select(v => -v).ToArray(), RunFigure.Inhibitory.WithAlpha(0.9), "|y_I*| (crossing)", 1.5f, LinePattern.Dashed);
        FigureKit.Line(plot, t, result.Latent(geometry.ExcitatoryLatent), RunFigure.Excitatory.WithAlpha(0.6), "y_E (simulation)", 1f);
        FigureKit.Line(plot, t, result.Latent(geometry.InhibitoryLatent).Select(v => -v).ToArray(), RunFigure.Inhibitory.WithAlpha(0.6), "|y_I| (simulation)", 1f);
        plot.XLabel("time (τ)");
        plot.YLabel("latents y_E, |y_I|");
    }

    /// <summary>The operating crossing (y_E*, y_I*) at every recorded input (NaN where there is none).</summary>
    public static (double[] YE, double[] YI) CrossingTrace(SimulationResult result, EiBoundaries geometry)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(geometry);
        double[] x = result.Input(0);
        var cache = new Dictionary<double, (double, double)>();
        var ye = new double[x.Length];
        var yi = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            if (!cache.TryGetValue(x[i], out var c))
            {
                var crossing = geometry.Crossing(x[i]);
                c = crossing is null ? (double.NaN, double.NaN) : (crossing.YE, crossing.YI);
                cache[x[i]] = c;
            }

            (ye[i], yi[i]) = c;
        }

        return (ye, yi);
    }

    /// <summary>Mean and RMS of y_E − y_E*(x) over the samples from <paramref name="from"/> on (samples without a crossing are skipped).</summary>
    public static (double MeanAbs, double Rms, double Mean) TrackingError(SimulationResult result, EiBoundaries geometry, double from)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (ce, _) = CrossingTrace(result, geometry);
        double[] yE = result.Latent(geometry.ExcitatoryLatent);
        double sumAbs = 0, sumSq = 0, sum = 0;
        int n = 0;
        for (int i = 0; i < yE.Length; i++)
        {
            if (result.Times[i] < from || double.IsNaN(ce[i]))
            {
                continue;
            }

            double d = yE[i] - ce[i];
            sumAbs += Math.Abs(d);
            sumSq += d * d;
            sum += d;
            n++;
        }

        return n == 0 ? (double.NaN, double.NaN, double.NaN) : (sumAbs / n, Math.Sqrt(sumSq / n), sum / n);
    }

    /// <summary>Time means of y_E and y_I over [from, to].</summary>
    public static (double YE, double YI) MeanLatents(SimulationResult result, EiBoundaries geometry, double from, double to)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(geometry);
        double[] yE = result.Latent(geometry.ExcitatoryLatent);
        double[] yI = result.Latent(geometry.InhibitoryLatent);
        var idx = Enumerable.Range(0, yE.Length).Where(i => result.Times[i] >= from && result.Times[i] <= to).ToArray();
        return (idx.Average(i => yE[i]), idx.Average(i => yI[i]));
    }
}
