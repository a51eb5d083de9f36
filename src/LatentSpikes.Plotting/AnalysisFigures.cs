using System.Globalization;
using LatentSpikes.Analysis;
using LatentSpikes.IO;
using LatentSpikes.Model;
using ScottPlot;

namespace LatentSpikes.Plotting;

/// <summary>
/// Figures of the analyses (seed 002 §3): trial statistics, irregularity (and the Fig. S2 noise sweep), E-I balance
/// (Fig. 8d) and the decoder nullspace (Fig. 7f). Colours follow <see cref="RunFigure"/>: inhibitory blue, excitatory red.
/// </summary>
public static partial class AnalysisFigures
{
    /// <summary>Most points drawn per line; longer series are thinned evenly (the data files keep every sample).</summary>
    public const int MaxLinePoints = 4000;

    private static readonly Color Net = Colors.Gray;

    /// <summary>PSTH, smoothed rates (mean ± SEM over trials) and trial-averaged latents.</summary>
    public static void SavePsth(PsthAnalysis analysis, LowRankNetwork network, string path, int width = 1000, int height = 900)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(network);
        var mp = new Multiplot();
        mp.AddPlots(3);
        var psth = mp.GetPlot(0);
        var rates = mp.GetPlot(1);
        var latents = mp.GetPlot(2);
        int trials = analysis.Psths[0].PopulationRate.Trials;
        psth.Title($"PSTH, {Fmt(analysis.Psths[0].BinWidth)} τ bins, {trials} trial{(trials == 1 ? string.Empty : "s")} (mean ± SEM)");
        for (int p = 0; p < network.Populations.Count; p++)
        {
            var pop = network.Populations[p];
            var colour = RunFigure.ColorOf(pop.Kind);
            Band(psth, analysis.Psths[p].BinCentres, analysis.Psths[p].PopulationRate, colour, pop.Name);
            Band(rates, analysis.Rates[p].Times, analysis.Rates[p].PopulationRate, colour, $"{pop.Name}, Gaussian σ = {Fmt(analysis.Rates[p].Sigma)} τ");
        }

        var lat = analysis.Latents;
        for (int k = 0; k < lat.Names.Count; k++)
        {
            var source = network.Populations[network.PopulationIndex(network.Latents[k].Source)];
            Band(latents, lat.Times, lat.Latents[k], k < network.Populations.Count ? RunFigure.ColorOf(source.Kind) : RunFigure.ColorOf(source.Kind).WithAlpha(0.5), lat.Names[k]);
        }

        psth.YLabel("rate (spikes/τ/neuron)");
        rates.YLabel("smoothed rate");
        latents.YLabel("latent y (trial mean)");
        latents.XLabel("time (τ)");
        foreach (var plot in new[] { psth, rates, latents })
        {
            plot.ShowLegend(Alignment.UpperRight);
        }

        PlotOutput.SavePng(mp, path, width, height);
    }

    /// <summary>ISI CV against rate per neuron (Poisson: CV = 1), and spike-count CV against mean count when there are several trials.</summary>
    public static void SaveIrregularity(IrregularityAnalysis analysis, LowRankNetwork network, string path, int width = 1000, int height = 800)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(network);
        var mp = new Multiplot();
        mp.AddPlots(analysis.Counts is null ? 1 : 2);
        var isi = mp.GetPlot(0);
        isi.Title("Irregularity: ISI CV per neuron (Poisson train: CV = 1)");
        for (int p = 0; p < network.Populations.Count; p++)
        {
            var pop = network.Populations[p];
            var idx = Enumerable.Range(0, pop.Size).Where(i => double.IsFinite(analysis.Isi[p].Neurons[i].Cv)).ToArray();
            if (idx.Length > 0)
            {
                var m = isi.Add.Markers(idx.Select(i => analysis.Rates[p][i]).ToArray(), idx.Select(i => analysis.Isi[p].Neurons[i].Cv).ToArray(), MarkerShape.FilledCircle, 6, RunFigure.ColorOf(pop.Kind));
                m.LegendText = $"{pop.Name}: mean ISI CV {Fmt(analysis.Isi[p].MeanCv)}";
            }
        }

        isi.Add.HorizontalLine(1, 1f, Colors.Black.WithAlpha(0.5), LinePattern.Dashed);
        isi.XLabel("rate (spikes/τ)");
        isi.YLabel("ISI CV");
        isi.ShowLegend(Alignment.UpperRight);
        if (analysis.Counts is { } counts)
        {
            var cv = mp.GetPlot(1);
            cv.Title($"Spike-count CV across {counts[0].Trials} trials, window ({Fmt(counts[0].Start)}, {Fmt(counts[0].Stop)}] τ");
            for (int p = 0; p < network.Populations.Count; p++)
            {
                var pop = network.Populations[p];
                var idx = Enumerable.Range(0, pop.Size).Where(i => double.IsFinite(counts[p].Cv[i])).ToArray();
                if (idx.Length > 0)
                {
                    var m = cv.Add.Markers(idx.Select(i => counts[p].Mean[i]).ToArray(), idx.Select(i => counts[p].Cv[i]).ToArray(), MarkerShape.FilledCircle, 6, RunFigure.ColorOf(pop.Kind));
                    m.LegendText = $"{pop.Name}: mean count CV {Fmt(counts[p].MeanCv)}, mean Fano {Fmt(counts[p].MeanFano)}";
                }
            }

            cv.XLabel("mean spike count");
            cv.YLabel("count CV");
            cv.ShowLegend(Alignment.UpperRight);
        }

        PlotOutput.SavePng(mp, path, width, height);
    }

    /// <summary>The Fig. S2b comparison: spike-count CV of the focus neuron against the noise std, recurrent versus feedforward.</summary>
    public static void SaveNoiseSweep(NoiseSweep sweep, LowRankNetwork network, string title, string path, int width = 800, int height = 550)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(network);
        var plot = new Plot();
        double[] sigma = sweep.Points.Select(p => p.Sigma).ToArray();
        Line(plot, sigma, sweep.Points.Select(p => p.RecurrentCv).ToArray(), Colors.Black, "recurrent (the network)", 2);
        Line(plot, sigma, sweep.Points.Select(p => p.FeedforwardCv).ToArray(), Colors.Gray, "feedforward (recurrence off, self-reset kept)", 2);
        plot.Title($"{title}: spike-count CV of {network.Populations[sweep.Population].Name}[{sweep.Neuron}], {sweep.Trials} trials, ({Fmt(sweep.Start)}, {Fmt(sweep.Stop)}] τ");
        plot.XLabel("voltage noise std σ");
        plot.YLabel("spike-count CV");
        plot.ShowLegend(Alignment.UpperLeft);
        PlotOutput.SavePng(plot, path, width, height);
    }

    /// <summary>Fig. 8d: excitatory, inhibitory and net input of example neurons (top) and their voltages against the threshold (bottom).</summary>
    public static void SaveBalance(BalanceAnalysis analysis, LowRankNetwork network, string path, int width = 1000, int height = 800)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(network);
        var mp = new Multiplot();
        mp.AddPlots(2);
        var inputs = mp.GetPlot(0);
        var voltage = mp.GetPlot(1);
        var report = analysis.Report;
        inputs.Title($"Balance over ({Fmt(report.Start)}, {Fmt(report.Stop)}] τ: active mean E-I correlation {Fmt(report.ActiveMeanCorrelation)}, net/gross {Fmt(report.ActiveMeanNetToGross)}; {report.HyperpolarisedCount} hyperpolarised silent neuron(s)");
        var active = analysis.Examples.Where(e => !report.Neurons.Any(n => n.Population == e.Trace.Population && n.Neuron == e.Trace.Neuron && n.Silent)).ToArray();
        foreach (var (label, trace) in active.Take(1))
        {
            Line(inputs, trace.Times, trace.Excitatory, RunFigure.Excitatory, $"{label}: excitatory E(t)");
            Line(inputs, trace.Times, trace.Inhibitory, RunFigure.Inhibitory, $"{label}: inhibitory I(t)");
            Line(inputs, trace.Times, trace.Voltage, Net, $"{label}: net E + I");
        }

        foreach (var (label, trace) in analysis.Examples)
        {
            var pop = network.Populations[trace.Population];
            bool silent = report.Neurons.Any(n => n.Population == trace.Population && n.Neuron == trace.Neuron && n.Silent);
            Line(voltage, trace.Times, trace.Voltage, RunFigure.ColorOf(pop.Kind).WithAlpha(silent ? 0.5 : 1.0), $"{label}{(silent ? " (silent)" : string.Empty)}");
        }

        voltage.Add.HorizontalLine(1, 1f, Colors.Black.WithAlpha(0.6), LinePattern.Dashed);
        foreach (var plot in new[] { inputs, voltage })
        {
            // The traces cover the whole first trial; the statistics in the title cover the analysis window.
            foreach (double edge in new[] { report.Start, report.Stop })
            {
                plot.Add.VerticalLine(edge, 1f, Colors.Black.WithAlpha(0.4), LinePattern.Dotted);
            }
        }

        inputs.YLabel("input to V");
        voltage.YLabel("voltage V (threshold 1)");
        voltage.XLabel("time (τ)");
        inputs.ShowLegend(Alignment.UpperRight);
        voltage.ShowLegend(Alignment.UpperRight);
        PlotOutput.SavePng(mp, path, width, height);
    }

    /// <summary>Fig. 7f: per population, the readout projection and the top nullspace projection of the filtered rates (first trial, means removed).</summary>
    public static void SaveNullspace(IReadOnlyList<NullspaceReport> reports, LowRankNetwork network, string path, int width = 1000, int height = 0)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(network);
        var mp = new Multiplot();
        mp.AddPlots(Math.Max(1, reports.Count));
        for (int r = 0; r < reports.Count; r++)
        {
            var rep = reports[r];
            var pop = network.Populations[rep.Population];
            var plot = mp.GetPlot(r);
            plot.Title($"{pop.Name}: readout variance {Fmt(rep.ReadoutVariancePerDimension)} per dimension, top nullspace direction {Fmt(rep.TopNullspaceVariance)} (×{Fmt(rep.TopRatio)})");
            for (int d = 0; d < rep.ReadoutProjections.Length; d++)
            {
                Line(plot, rep.Times, Centre(rep.ReadoutProjections[d]), RunFigure.ColorOf(pop.Kind), rep.ReadoutProjections.Length == 1 ? "readout (decoder direction)" : $"readout direction {d + 1}");
            }

            Line(plot, rep.Times, Centre(rep.TopNullspaceProjection), Colors.Silver.WithAlpha(0.9), "top nullspace direction");
            plot.YLabel("projection of r(t) − mean");
            plot.ShowLegend(Alignment.UpperRight);
            if (r == reports.Count - 1)
            {
                plot.XLabel("time (τ)");
            }
        }

        PlotOutput.SavePng(mp, path, width, height > 0 ? height : 300 + (250 * Math.Max(1, reports.Count)));
    }

    private static void Band(Plot plot, double[] x, MeanSem series, Color colour, string label)
    {
        if (series.Trials > 1)
        {
            var (tx, lo) = Thin(x, series.Mean.Select((m, j) => m - series.Sem[j]).ToArray());
            var (_, hi) = Thin(x, series.Mean.Select((m, j) => m + series.Sem[j]).ToArray());
            if (tx.Length > 0 && tx.Length == hi.Length)
            {
                var fill = plot.Add.FillY(tx, lo, hi);
                fill.FillColor = colour.WithAlpha(0.2);
                fill.LineWidth = 0;
            }
        }

        Line(plot, x, series.Mean, colour, label, 1.5f);
    }

    private static void Line(Plot plot, double[] x, double[] y, Color colour, string label, float width = 1f)
    {
        var (tx, ty) = Thin(x, y);
        if (tx.Length == 0)
        {
            return;
        }

        var line = plot.Add.ScatterLine(tx, ty);
        line.Color = colour;
        line.LineWidth = width;
        line.LegendText = label;
    }

    /// <summary>Every stride-th point, leaving out missing (non-finite) values, which ScottPlot cannot draw.</summary>
    private static (double[] X, double[] Y) Thin(double[] x, double[] y)
    {
        int stride = Math.Max(1, (x.Length + MaxLinePoints - 1) / MaxLinePoints);
        var idx = Enumerable.Range(0, (x.Length + stride - 1) / stride).Select(k => k * stride).Where(k => double.IsFinite(x[k]) && double.IsFinite(y[k])).ToArray();
        return (idx.Select(k => x[k]).ToArray(), idx.Select(k => y[k]).ToArray());
    }

    private static double[] Centre(double[] v)
    {
        double mean = v.Length == 0 ? 0 : v.Average();
        return v.Select(x => x - mean).ToArray();
    }

    private static string Fmt(double v) => double.IsFinite(v) ? v.ToString("0.###", CultureInfo.InvariantCulture) : "n/a";
}
