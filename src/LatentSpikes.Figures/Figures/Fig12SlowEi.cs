using LatentSpikes.Analysis;
using LatentSpikes.Geometry;
using LatentSpikes.Plotting;
using LatentSpikes.Rate;
using LatentSpikes.Simulation;
using ScottPlot;

namespace LatentSpikes.Figures.Figures;

/// <summary>
/// Fig. 12a and c: the saw network of Fig. 5 with slow synapses. With fast inhibition (τ_sE = τ/4, τ_sI = τ/10,
/// examples/fig12a-slow-ei-saw.yaml) the readout still tracks the saw, noisier than with delta synapses; slowing
/// inhibition down to the excitatory time constant (τ_sI = τ/4, examples/fig12c-slow-ei-saw.yaml) makes it oscillate
/// and code worse. Panel b draws the rate twin of the fast-inhibition network (<see cref="RateEngine"/>) against the
/// trial-averaged spiking readout (<see cref="RateComparison"/>): the twin's units saturate at 1/τ_s below the rates the
/// spiking neurons reach, so it cannot hold the crossing and the claim stays pending (see <see cref="Pending"/>).
/// </summary>
public sealed class Fig12SlowEi : IFigure
{
    /// <summary>Settling time of the saw protocol (the input ramp starts at 2 τ).</summary>
    public const double Settle = 2.0;

    /// <inheritdoc/>
    public string Id => "12";

    /// <inheritdoc/>
    public string Title => "Function approximation in the rank-2 E-I network with slow synapses";

    /// <inheritdoc/>
    public IReadOnlyList<PendingClaim> Pending =>
    [
        new(Id, "b", "A rate version of the saw network tracks the boundary crossing reliably, with rates matching the trial-averaged spiking activity",
            "a rate network that can reach the crossing: the rate twin of this 3 + 3 network (drawn in panel b) saturates at ȳ_E ≤ Σ D^E/τ_sE = 0.26 and |ȳ_I| ≤ Σ|D^I|/τ_sI = 2.8, below the crossing's y_E* ≤ 1.75 and |y_I*| ≤ 5.4, since eq. 4.6 caps a unit at 1/τ_s while the spiking neurons fire faster (E 14-16/τ against a cap of 4/τ; square pulses overlap); twin vs 8-trial mean: normalised RMS 0.62, rate correlation 0.66"),
    ];

    /// <summary>Standard deviation of the Gaussian rate kernel (τ) of the twin-versus-spiking comparison.</summary>
    public const double Smooth = 0.2;

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // 16 trials in both modes: the across-trial spread of claim c is too noisy a ratio with fewer (with 8 it fell below 1
        // for one seed in eight on the issue-19 noise stream, with 3 for two in eight on either stream).
        int trials = 16;
        var fast = FigureKit.Example("fig12a-slow-ei-saw.yaml").Experiment;
        var slow = FigureKit.Example("fig12c-slow-ei-saw.yaml").Experiment;
        var engine = new BatchedEngine(context.Threads);
        var a = engine.Run(fast, trials, cancellationToken: context.CancellationToken);
        context.Report(0.45);
        var c = engine.Run(slow, trials, cancellationToken: context.CancellationToken);
        context.Report(0.8);
        var twin = new RateEngine().Run(fast, cancellationToken: context.CancellationToken);
        context.Report(0.9);
        if (twin.Status != SimulationStatus.Completed)
        {
            throw new InvalidOperationException($"Fig. 12: the rate twin did not complete: {twin.StatusDetail}");
        }

        if (a.ExplodedCount + c.ExplodedCount > 0)
        {
            throw new InvalidOperationException($"Fig. 12: {a.ExplodedCount + c.ExplodedCount} trial(s) exploded");
        }

        var saw = Fig05Saw.Saw();
        var geometry = EiBoundaries.Create(fast.Network);
        FigureKit.WriteSpec(context, "spec-a.yaml", fast, "examples/fig12a-slow-ei-saw.yaml");
        FigureKit.WriteSpec(context, "spec-c.yaml", slow, "examples/fig12c-slow-ei-saw.yaml");
        FigureKit.WriteTrace(context, "panel-a-trial0.csv", a.Trials[0]);
        FigureKit.WriteSpikes(context, "panel-a-trial0-spikes.csv", a.Trials[0]);
        FigureKit.WriteTrace(context, "panel-c-trial0.csv", c.Trials[0]);
        FigureKit.WriteSpikes(context, "panel-c-trial0-spikes.csv", c.Trials[0]);
        var (rmsA, spreadA) = Errors(a, saw);
        var (rmsC, spreadC) = Errors(c, saw);
        double rmsTwin = Fig05Saw.SawTracking(twin, saw, Settle).Rms;
        var agreement = RateComparison.Compare(twin, a.Trials, Smooth, Settle, fast.Settings.Duration);
        FigureKit.WriteTrace(context, "panel-b-twin.csv", twin);
        FigureKit.WriteCsv(context, "panel-b-twin-vs-trial-mean.csv", ["time", .. agreement.Latents.SelectMany(l => new[] { l.Name + "_twin", l.Name + "_trial_mean", l.Name + "_trial_sem" })],
            [agreement.Times, .. agreement.Latents.SelectMany(l => new[] { l.Twin, l.Spiking.Mean, l.Spiking.Sem })]);
        FigureKit.WriteCsv(context, "claims-per-trial.csv", ["trial", "rms_a", "rms_c"],
        [
            Enumerable.Range(0, trials).Select(i => (double)i).ToArray(),
            a.Trials.Select(t => Fig05Saw.SawTracking(t, saw, Settle).Rms).ToArray(),
            c.Trials.Select(t => Fig05Saw.SawTracking(t, saw, Settle).Rms).ToArray(),
        ]);

        var (mp, panels) = FigureKit.Grid(2, 3);
        FigureKit.Raster(panels[0], a.Trials[0]);
        panels[0].Title("a   τ_sE = τ/4, τ_sI = τ/10: spikes (trial 1)");
        EiPanels.Latents(panels[3], a.Trials[0], geometry);
        panels[3].ShowLegend(ScottPlot.Alignment.UpperLeft);
        panels[3].Title($"a   Readouts track the crossing (RMS error {rmsA:0.###})");
        EiPanels.Latents(panels[1], twin, geometry);
        panels[1].ShowLegend(ScottPlot.Alignment.UpperLeft);
        panels[1].Title($"b   Rate twin: saturated below the crossing (RMS error {rmsTwin:0.###})");
        var twinE = agreement.Latents.Single(l => l.Name == geometry.ExcitatoryLatent);
        FigureKit.Line(panels[4], agreement.Times, twinE.Spiking.Mean, RunFigure.Excitatory.WithAlpha(0.6), $"y_E, spiking mean of {trials} trials", 1f);
        FigureKit.Line(panels[4], agreement.Times, twinE.Twin, Colors.Black, "y_E, rate twin", 1.2f, LinePattern.Dotted);
        panels[4].ShowLegend(ScottPlot.Alignment.UpperLeft);
        FigureKit.Panel(panels[4], "b", $"Twin vs trial-averaged spiking readout (normalised RMS {agreement.ReadoutError:0.###})", "time (τ)", "excitatory latent y_E");
        FigureKit.Raster(panels[2], c.Trials[0]);
        panels[2].Title("c   τ_sE = τ_sI = τ/4: spikes (trial 1)");
        EiPanels.Latents(panels[5], c.Trials[0], geometry);
        panels[5].ShowLegend(ScottPlot.Alignment.UpperLeft);
        panels[5].Title($"c   Slow inhibition: oscillations (RMS error {rmsC:0.###})");
        double top = new[] { a.Trials[0], c.Trials[0] }.Max(t => t.Latent(geometry.InhibitoryLatent).Max(v => -v));
        panels[1].Axes.SetLimitsY(-0.2, top * 1.05);
        panels[3].Axes.SetLimitsY(-0.2, top * 1.05);
        panels[5].Axes.SetLimitsY(-0.2, top * 1.05);
        FigureKit.Save(context, mp, "fig12", 2000, 1000);

        // The saw spans 1.6 (0.15 … 1.75); a readout within a quarter of that still draws the saw recognisably.
        const double amplitude = 1.6;
        return
        [
            ClaimResult.AtMost(Id, "a", $"With slow synapses (τ_sE = τ/4, τ_sI = τ/10) the readout still approximates the saw (the project's compiled saw, as Fig. 5, not the authors'): RMS of y_E − f(x) after 2 τ, mean of {trials} trials", rmsA, amplitude / 4, "a quarter of the saw's amplitude 1.6"),
            ClaimResult.AtLeast(Id, "c", "Slowing inhibition to τ_sI = τ_sE = τ/4 degrades coding: RMS error (c) / RMS error (a)", rmsC / rmsA, 2, "at least twice the error"),
            ClaimResult.AtLeast(Id, "c", "… and makes it less reliable: across-trial std of y_E (time mean), (c) / (a)", spreadC / spreadA, 1, "more trial-to-trial variability"),
        ];
    }

    /// <summary>Mean over trials of each trial's RMS tracking error, and the time-mean across-trial std of y_E.</summary>
    private static (double Rms, double Spread) Errors(BatchResult batch, Construction.PiecewiseLinearFunction saw)
    {
        double rms = batch.Trials.Average(t => Fig05Saw.SawTracking(t, saw, Settle).Rms);
        string latent = batch.Experiment.Network.Populations[0].LatentName;
        var stats = TrialStatistics.AcrossTrials(batch.Trials.Select(t => (IReadOnlyList<double>)t.Latent(latent)).ToArray());
        var times = batch.Times;
        double sem = 0;
        int n = 0;
        for (int i = 0; i < stats.Sem.Length; i++)
        {
            if (times[i] >= Settle)
            {
                sem += stats.Sem[i] * Math.Sqrt(stats.Trials);
                n++;
            }
        }

        return (rms, sem / n);
    }
}
