using System.Globalization;
using LatentSpikes.Srm0;
using ScottPlot;

namespace LatentSpikes.Plotting;

/// <summary>
/// The figure of a seed-000 convergence study, like the abstract's Fig. 1E-F: the first output membrane of the spiking
/// (SNN), generalised-rate (GR) and conventional-rate (CR) networks at the smallest and the largest N, and the MADs
/// between them against N on log-log axes with the fitted power law.
/// </summary>
public static class ConvergenceFigure
{
    /// <summary>Colour of the spiking network.</summary>
    public static readonly Color Spiking = Color.FromHex("#555555");

    /// <summary>Colour of the generalised rate network.</summary>
    public static readonly Color Generalised = RunFigure.Excitatory;

    /// <summary>Colour of the conventional rate network.</summary>
    public static readonly Color Conventional = RunFigure.Inhibitory;

    /// <summary>Saves the figure as PNG.</summary>
    /// <param name="points">The study's runs (at least two sizes).</param>
    /// <param name="title">Headline, e.g. the settings.</param>
    /// <param name="dtMs">Time step of the recorded traces (ms).</param>
    /// <param name="path">PNG file to write.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static void Save(IReadOnlyList<ConvergencePoint> points, string title, double dtMs, string path, int width = 1100, int height = 1150)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(path);
        if (points.Count == 0)
        {
            throw new ArgumentException("no runs to draw", nameof(points));
        }

        var mp = new Multiplot();
        mp.AddPlots(3);
        ulong seed = points.Min(p => p.Seed);
        var smallest = points.Where(p => p.Seed == seed).MinBy(p => p.Neurons)!;
        var largest = points.Where(p => p.Seed == seed).MaxBy(p => p.Neurons)!;
        Traces(mp.GetPlot(0), smallest, dtMs, $"{title}\noutput membrane y₁(t) at N = {smallest.Neurons}, K = {smallest.Latents} (seed {seed})");
        Traces(mp.GetPlot(1), largest, dtMs, $"output membrane y₁(t) at N = {largest.Neurons}, K = {largest.Latents} (seed {seed})");
        Scaling(mp.GetPlot(2), points);
        PlotOutput.SavePng(mp, path, width, height);
    }

    private static void Traces(Plot plot, ConvergencePoint point, double dtMs, string title)
    {
        plot.Title(title);
        string[] names = ["SNN (spiking)", "GR (generalised rate)", "CR (conventional rate)"];
        Color[] colours = [Spiking, Generalised, Conventional];
        float[] widths = [1f, 2f, 1.5f];
        for (int i = 0; i < point.FirstOutput.Count; i++)
        {
            double[] y = point.FirstOutput[i];
            double[] t = Enumerable.Range(0, y.Length).Select(s => s * dtMs).ToArray();
            var line = plot.Add.ScatterLine(t, y);
            line.Color = i == 0 ? colours[i].WithAlpha(0.7) : colours[i];
            line.LineWidth = widths[i];
            line.LegendText = names[i];
            if (i == 2)
            {
                line.LinePattern = LinePattern.Dashed;
            }
        }

        plot.XLabel("time after warm-up (ms)");
        plot.YLabel("y₁ (Δu)");
        plot.ShowLegend(Alignment.UpperRight);
    }

    private static void Scaling(Plot plot, IReadOnlyList<ConvergencePoint> points)
    {
        plot.Title("mean absolute difference between output membranes");
        var (series, names, colours) = (
            new Func<ConvergencePoint, double>[] { p => p.SpikingVsGeneralised, p => p.SpikingVsConventional, p => p.GeneralisedVsConventional },
            new[] { "MAD(SNN, GR)", "MAD(SNN, CR)", "MAD(GR, CR)" },
            new[] { Generalised, Conventional, Spiking });
        double[] logN = points.Select(p => Math.Log10(p.Neurons)).ToArray();
        for (int s = 0; s < series.Length; s++)
        {
            double[] logMad = points.Select(p => Math.Log10(Math.Max(series[s](p), 1e-12))).ToArray();
            var marks = plot.Add.ScatterPoints(logN, logMad);
            marks.Color = colours[s];
            marks.MarkerSize = 8;
            marks.LegendText = names[s];
        }

        if (points.Select(p => p.Neurons).Distinct().Count() >= 2)
        {
            var fit = ConvergenceFit.Of(points);
            double lo = logN.Min(), hi = logN.Max();
            double[] x = [lo, hi];
            double[] y = x.Select(v => (fit.SpikingVsGeneralisedIntercept / Math.Log(10)) + (fit.SpikingVsGeneralisedSlope * v)).ToArray();
            var line = plot.Add.ScatterLine(x, y);
            line.Color = Generalised;
            line.LineWidth = 2;
            line.LegendText = $"fit: MAD(SNN, GR) ∝ N^{fit.SpikingVsGeneralisedSlope:0.00}";
            var plateau = plot.Add.HorizontalLine(Math.Log10(fit.ConventionalPlateau), 1.5f, Spiking.WithAlpha(0.6), LinePattern.Dotted);
            plateau.LegendText = $"conventional plateau ⟨MAD(GR, CR)⟩ = {fit.ConventionalPlateau:0.000}";
        }

        // Log axes drawn as log10 values with ticks at the sizes run and at 1-2-5 steps of the MAD.
        var sizes = points.Select(p => p.Neurons).Distinct().Order().ToArray();
        plot.Axes.Bottom.SetTicks(sizes.Select(n => Math.Log10(n)).ToArray(), sizes.Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray());
        double[] all = points.SelectMany(p => new[] { p.SpikingVsGeneralised, p.SpikingVsConventional, p.GeneralisedVsConventional }).Where(v => v > 0).ToArray();
        var ticks = new List<double>();
        for (int e = (int)Math.Floor(Math.Log10(all.Min())) - 1; e <= (int)Math.Ceiling(Math.Log10(all.Max())); e++)
        {
            foreach (double m in new[] { 1.0, 2.0, 5.0 })
            {
                double v = m * Math.Pow(10, e);
                if (v >= all.Min() / 1.5 && v <= all.Max() * 1.5)
                {
                    ticks.Add(v);
                }
            }
        }

        plot.Axes.Left.SetTicks(ticks.Select(Math.Log10).ToArray(), ticks.Select(v => v.ToString("G3", CultureInfo.InvariantCulture)).ToArray());
        plot.XLabel("neurons per layer N (log scale)");
        plot.YLabel("MAD (Δu, log scale)");
        // Lower left stays empty: small N has large MADs and the falling line ends at the right.
        plot.ShowLegend(Alignment.LowerLeft);
    }
}
