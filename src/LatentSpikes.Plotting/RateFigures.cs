using System.Globalization;
using LatentSpikes.Analysis;
using LatentSpikes.Geometry;
using LatentSpikes.Model;
using LatentSpikes.Rate;
using ScottPlot;

namespace LatentSpikes.Plotting;

/// <summary>
/// Figures of the rate twin (seed 002, §4): the E-I nullclines with their fixed points (Fig. 11c-f), the twin against
/// the trial-averaged spiking network (Fig. 10d-f) and the soft boundary of a rank-1 population (Fig. 9e).
/// Colours follow <see cref="RunFigure"/>: inhibitory blue, excitatory red.
/// </summary>
public static class RateFigures
{
    /// <summary>Most points drawn per line; longer series are thinned evenly (the data files keep every sample).</summary>
    public const int MaxLinePoints = 4000;

    /// <summary>
    /// The nullclines of the E-I rate twin in the (ȳ_E, |ȳ_I|) plane, one pair per β (the first β darkest, as in
    /// Fig. 11e), the spiking network's hard boundaries dotted, and every fixed point: stable filled, unstable open,
    /// saddles as crosses.
    /// </summary>
    public static void SaveNullclines(IReadOnlyList<NullclineSet> sets, EiBoundaries geometry, string path, string? title = null, int width = 1000, int height = 800)
    {
        ArgumentNullException.ThrowIfNull(sets);
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(path);
        if (sets.Count == 0)
        {
            throw new ArgumentException("no nullclines to draw", nameof(sets));
        }

        using var plot = new Plot();
        double x = sets[0].X;
        plot.Title(title ?? $"E-I rate twin nullclines at x = {Fmt(x)}");
        double yMax = 0;
        for (int s = 0; s < sets.Count; s++)
        {
            var set = sets[s];
            double alpha = 1.0 - (0.6 * s / Math.Max(1, sets.Count - 1));
            string beta = set.BetaE == set.BetaI ? $"β = {Fmt(set.BetaE)}" : $"β_E = {Fmt(set.BetaE)}, β_I = {Fmt(set.BetaI)}";
            Line(plot, set.YE, set.InhibitoryNullcline.Select(v => -v).ToArray(), RunFigure.Inhibitory.WithAlpha(alpha), $"I nullcline, {beta}", 2f);
            Line(plot, set.YE, set.ExcitatoryNullcline.Select(v => -v).ToArray(), RunFigure.Excitatory.WithAlpha(alpha), $"E nullcline, {beta}", 2f);
            yMax = Math.Max(yMax, set.FixedPoints.Select(f => -f.YI).DefaultIfEmpty(0).Max());
            foreach (var f in set.FixedPoints)
            {
                var marker = plot.Add.Marker(f.YE, -f.YI);
                marker.Size = 11;
                marker.Shape = f.Kind switch
                {
                    FixedPointKind.Stable => MarkerShape.FilledCircle,
                    FixedPointKind.Saddle => MarkerShape.Cross,
                    _ => MarkerShape.OpenCircle,
                };
                marker.Color = Colors.Black.WithAlpha(alpha);
            }
        }

        // The spiking network's boundaries, dotted (Fig. 11e).
        double[] grid = sets[0].YE;
        var hardE = grid.Select(ye => -geometry.BoundaryAt(PopulationKind.Excitatory, x, ye)).ToArray();
        var hardI = grid.Select(ye => -geometry.BoundaryAt(PopulationKind.Inhibitory, x, ye)).ToArray();
        Dotted(plot, grid, hardI, RunFigure.Inhibitory, "I boundary (spiking)");
        Dotted(plot, grid, hardE, RunFigure.Excitatory, "E boundary (spiking)");
        var legend = plot.Add.Marker(double.NaN, double.NaN);
        legend.LegendText = "fixed points: ● stable, ○ unstable, × saddle";
        legend.Color = Colors.Black;
        plot.XLabel("ȳ_E");
        plot.YLabel("|ȳ_I|");
        double top = Math.Max(1, 2 * yMax);
        plot.Axes.SetLimits(grid[0], grid[^1], 0, top);
        plot.ShowLegend(Alignment.UpperLeft);
        PlotOutput.SavePng(plot, path, width, height);
    }

    /// <summary>
    /// The twin against the trial-averaged spiking network (Fig. 10d-f): each latent (spiking mean ± SEM and the
    /// twin), then the smoothed rates of a few neurons (the most active), spiking solid and twin dashed.
    /// </summary>
    public static void SaveAgreement(RateAgreement agreement, LowRankNetwork network, string path, int neuronsShown = 6, int width = 1100, int height = 900)
    {
        ArgumentNullException.ThrowIfNull(agreement);
        ArgumentNullException.ThrowIfNull(network);
        var mp = new Multiplot();
        mp.AddPlots(agreement.Neurons.Count > 0 ? 2 : 1);
        var latents = mp.GetPlot(0);
        latents.Title($"rate twin vs {agreement.Trials} spiking trials: readout NRMSE {Fmt(agreement.ReadoutError)}, rate correlation {Fmt(agreement.RateCorrelation)}");
        double[] t = agreement.Times;
        foreach (var l in agreement.Latents)
        {
            int k = network.LatentIndex(l.Name);
            var source = network.Populations[network.PopulationIndex(network.Latents[k].Source)];
            var colour = RunFigure.ColorOf(source.Kind);
            var lo = l.Spiking.Mean.Select((m, j) => m - (double.IsFinite(l.Spiking.Sem[j]) ? l.Spiking.Sem[j] : 0)).ToArray();
            var hi = l.Spiking.Mean.Select((m, j) => m + (double.IsFinite(l.Spiking.Sem[j]) ? l.Spiking.Sem[j] : 0)).ToArray();
            var (tx, tl) = Thin(t, lo);
            var (_, th) = Thin(t, hi);
            if (tx.Length > 0 && tx.Length == th.Length)
            {
                var fill = latents.Add.FillY(tx, tl, th);
                fill.FillColor = colour.WithAlpha(0.2);
                fill.LineWidth = 0;
            }

            Line(latents, t, l.Spiking.Mean, colour.WithAlpha(0.6), $"{l.Name}, spiking mean", 2f);
            Line(latents, t, l.Twin, Colors.Black, $"{l.Name}, rate twin", 1.2f);
        }

        latents.YLabel("latent");
        latents.ShowLegend(Alignment.UpperRight);
        if (agreement.Neurons.Count > 0)
        {
            var rates = mp.GetPlot(1);
            rates.Title($"smoothed rates (Gaussian σ = {Fmt(agreement.Smooth)} τ): spiking solid, twin dashed");
            var busiest = agreement.Neurons.OrderByDescending(n => n.SpikingMeanRate + n.TwinMeanRate).ThenBy(n => n.Population).ThenBy(n => n.Neuron).Take(neuronsShown).ToArray();
            var palette = new ScottPlot.Palettes.Category10();
            for (int j = 0; j < busiest.Length; j++)
            {
                var n = busiest[j];
                var colour = palette.GetColor(j);
                string label = $"{network.Populations[n.Population].Name}[{n.Neuron}]";
                Line(rates, t, agreement.SpikingRates[n.Population][n.Neuron], colour, label, 1.5f);
                var twin = Line(rates, t, agreement.TwinRates[n.Population][n.Neuron], colour, string.Empty, 1.5f);
                if (twin is not null)
                {
                    twin.LinePattern = LinePattern.Dashed;
                }
            }

            rates.YLabel("rate (spikes/τ)");
            rates.XLabel("time (τ)");
            rates.ShowLegend(Alignment.UpperRight);
        }

        PlotOutput.SavePng(mp, path, width, height);
    }

    /// <summary>
    /// The soft boundary of Fig. 9e: trial-averaged ȳ against dȳ/dt (binned means of the spiking trials) with the
    /// sigmoid-plus-leak prediction of eq. 4.9, the leak −ȳ dashed and the hard boundary dotted.
    /// </summary>
    public static void SaveSoftBoundary(SoftBoundary boundary, string path, string? title = null, int width = 1000, int height = 700)
    {
        ArgumentNullException.ThrowIfNull(boundary);
        using var plot = new Plot();
        plot.Title(title ?? $"soft boundary at x = {Fmt(boundary.X)}: {boundary.Trials} noisy trials vs eq. 4.9 (β = {Fmt(boundary.Beta)})");
        var ok = Enumerable.Range(0, boundary.BinCentres.Length).Where(b => boundary.Samples[b] > 0).ToArray();
        var sim = plot.Add.ScatterPoints(ok.Select(b => boundary.MeanLatent[b]).ToArray(), ok.Select(b => boundary.MeanDerivative[b]).ToArray());
        sim.Color = Colors.Gray;
        sim.MarkerSize = 6;
        sim.LegendText = "spiking trials (binned trial average)";
        Line(plot, boundary.Grid, boundary.Predicted, RunFigure.ColorOf(boundary.Kind), "sigmoid + leak, eq. 4.9", 2f);
        var leak = Line(plot, boundary.Grid, boundary.Grid.Select(y => -y).ToArray(), RunFigure.ColorOf(boundary.Kind).WithAlpha(0.5), "leak −ȳ", 1f);
        if (leak is not null)
        {
            leak.LinePattern = LinePattern.Dashed;
        }

        if (double.IsFinite(boundary.HardBoundary))
        {
            var v = plot.Add.VerticalLine(boundary.HardBoundary);
            v.LinePattern = LinePattern.Dotted;
            v.Color = Colors.Black;
            v.LegendText = "hard boundary (spiking, noise-free)";
        }

        var zero = plot.Add.HorizontalLine(0);
        zero.Color = Colors.Gray.WithAlpha(0.5);
        plot.XLabel($"ȳ ({boundary.Latent})");
        plot.YLabel("dȳ/dt");
        plot.ShowLegend(Alignment.UpperRight);
        PlotOutput.SavePng(plot, path, width, height);
    }

    private static void Dotted(Plot plot, double[] x, double[] y, Color colour, string label)
    {
        var line = Line(plot, x, y, colour.WithAlpha(0.7), label, 1.5f);
        if (line is not null)
        {
            line.LinePattern = LinePattern.Dotted;
        }
    }

    private static ScottPlot.Plottables.Scatter? Line(Plot plot, double[] x, double[] y, Color colour, string label, float width)
    {
        var (tx, ty) = Thin(x, y);
        if (tx.Length == 0)
        {
            return null;
        }

        var line = plot.Add.ScatterLine(tx, ty);
        line.Color = colour;
        line.LineWidth = width;
        line.LegendText = label;
        return line;
    }

    /// <summary>Every stride-th point, leaving out missing (non-finite) values, which ScottPlot cannot draw.</summary>
    private static (double[] X, double[] Y) Thin(double[] x, double[] y)
    {
        int stride = Math.Max(1, (x.Length + MaxLinePoints - 1) / MaxLinePoints);
        var idx = Enumerable.Range(0, (x.Length + stride - 1) / stride).Select(k => k * stride).Where(k => double.IsFinite(x[k]) && double.IsFinite(y[k])).ToArray();
        return (idx.Select(k => x[k]).ToArray(), idx.Select(k => y[k]).ToArray());
    }

    private static string Fmt(double v) => double.IsFinite(v) ? v.ToString("0.###", CultureInfo.InvariantCulture) : "n/a";
}
