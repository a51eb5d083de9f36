using LatentSpikes.Analysis;
using LatentSpikes.Model;
using ScottPlot;

namespace LatentSpikes.Plotting;

// The simulating Fig. 8 analyses: mistuning (Fig. 8f-g) and the inhibition-stabilisation protocol (Fig. 8b-c).
public static partial class AnalysisFigures
{
    /// <summary>
    /// Fig. 8f-g: the latent MSE (mean ± SEM over trials, and per population) against the mistuning angle (top), and
    /// trial 0 at the smallest and largest angle against the boundary crossing (bottom; y_I drawn as |y_I|, as in
    /// the paper).
    /// </summary>
    public static void SaveMistuning(MistuningSweep sweep, string title, string path, int width = 1000, int height = 800)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var mp = new Multiplot();
        mp.AddPlots(2);
        var mse = mp.GetPlot(0);
        var traces = mp.GetPlot(1);
        var order = Enumerable.Range(0, sweep.Points.Count).OrderBy(k => sweep.Points[k].Angle).ToArray();
        double[] angles = order.Select(k => sweep.Points[k].Angle).ToArray();
        var avg = new MeanSem(order.Select(k => sweep.Points[k].Mse.Mean).ToArray(), order.Select(k => sweep.Points[k].Mse.Sem).ToArray(), sweep.Trials);
        Band(mse, angles, avg, Colors.Black, "average latent MSE (mean ± SEM)");
        Line(mse, angles, order.Select(k => sweep.Points[k].MseE.Mean).ToArray(), RunFigure.Excitatory.WithAlpha(0.7), $"MSE of y_{sweep.Excitatory}");
        Line(mse, angles, order.Select(k => sweep.Points[k].MseI.Mean).ToArray(), RunFigure.Inhibitory.WithAlpha(0.7), $"MSE of y_{sweep.Inhibitory}");
        mse.Title($"{title}: latent MSE against the boundary crossing over ({Fmt(sweep.Start)}, {Fmt(sweep.Stop)}] τ, {sweep.Trials} trials per angle");
        mse.XLabel("angle between cross- and self-decoders (degrees)");
        mse.YLabel("latent MSE");
        mse.ShowLegend(Alignment.UpperLeft);

        var shown = new[] { order[0], order[^1] }.Distinct().ToArray();
        foreach (int k in shown)
        {
            var ex = sweep.Examples[k];
            double alpha = k == order[^1] ? 1.0 : 0.45;
            Line(traces, ex.Times, ex.YE, RunFigure.Excitatory.WithAlpha(alpha), $"y_{sweep.Excitatory}, {Fmt(ex.Angle)}°");
            Line(traces, ex.Times, ex.YI.Select(Math.Abs).ToArray(), RunFigure.Inhibitory.WithAlpha(alpha), $"|y_{sweep.Inhibitory}|, {Fmt(ex.Angle)}°");
        }

        var reference = sweep.Examples[order[0]];
        Dashed(traces, reference.Times, reference.ReferenceYE, RunFigure.Excitatory, "boundary crossing");
        Dashed(traces, reference.Times, reference.ReferenceYI.Select(Math.Abs).ToArray(), RunFigure.Inhibitory, "boundary crossing");
        traces.Title("trial 0 (Fig. 8g)");
        traces.XLabel("time (τ)");
        traces.YLabel("latent readouts");
        traces.ShowLegend(Alignment.UpperRight);
        PlotOutput.SavePng(mp, path, width, height);
    }

    /// <summary>
    /// Fig. 8b-c: trial-averaged latents with the boundary crossing before and during the stimulation (top), and each
    /// population's PSTH (bottom); the onset is marked and the verdict is in the title.
    /// </summary>
    public static void SaveIsn(IsnReport report, LowRankNetwork network, string title, string path, int width = 1000, int height = 800)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(network);
        var mp = new Multiplot();
        mp.AddPlots(2);
        var latents = mp.GetPlot(0);
        var rates = mp.GetPlot(1);
        var lat = report.Trajectory;
        for (int k = 0; k < lat.Names.Count; k++)
        {
            var source = network.Populations[network.PopulationIndex(network.Latents[k].Source)];
            var colour = RunFigure.ColorOf(source.Kind);
            Band(latents, lat.Times, lat.Latents[k], colour, lat.Names[k]);
            var l = report.Latents[k];
            if (double.IsFinite(l.PredictedBaseline) && double.IsFinite(l.PredictedStimulated))
            {
                Dashed(latents, [lat.Times[0], report.Stimulus.Onset, report.Stimulus.Onset, lat.Times[^1]], [l.PredictedBaseline, l.PredictedBaseline, l.PredictedStimulated, l.PredictedStimulated], colour, $"{l.Latent}: boundary crossing");
            }
        }

        for (int p = 0; p < network.Populations.Count; p++)
        {
            var pop = network.Populations[p];
            var change = report.Rates[p];
            Band(rates, report.Psths[p].BinCentres, report.Psths[p].PopulationRate, RunFigure.ColorOf(pop.Kind), $"{pop.Name}: {Fmt(change.Baseline.Mean)} → {Fmt(change.Stimulated.Mean)}");
        }

        string verdict = report.Verdict switch
        {
            IsnVerdict.Paradoxical => "paradoxical",
            IsnVerdict.NotParadoxical => "not paradoxical",
            _ => "inconclusive",
        };
        latents.Title($"{title}: current {Fmt(report.Stimulus.Amplitude)} into {report.Stimulus.Population} from {Fmt(report.Stimulus.Onset)} τ, {report.Trials} trials: {verdict}");
        latents.YLabel("latent y (trial mean ± SEM)");
        rates.YLabel("rate (spikes/τ/neuron)");
        rates.XLabel("time (τ)");
        foreach (var plot in new[] { latents, rates })
        {
            plot.Add.VerticalLine(report.Stimulus.Onset, 1f, Colors.Black.WithAlpha(0.6), LinePattern.Dashed);
            foreach (double edge in new[] { report.BaselineStart, report.BaselineStop, report.StimulusStart, report.StimulusStop })
            {
                plot.Add.VerticalLine(edge, 1f, Colors.Black.WithAlpha(0.3), LinePattern.Dotted);
            }

            plot.ShowLegend(Alignment.UpperRight);
        }

        PlotOutput.SavePng(mp, path, width, height);
    }

    private static void Dashed(Plot plot, double[] x, double[] y, Color colour, string label)
    {
        var (tx, ty) = Thin(x, y);
        if (tx.Length == 0)
        {
            return;
        }

        var line = plot.Add.ScatterLine(tx, ty);
        line.Color = colour;
        line.LineWidth = 1.5f;
        line.LinePattern = LinePattern.Dashed;
        line.LegendText = label;
    }
}
