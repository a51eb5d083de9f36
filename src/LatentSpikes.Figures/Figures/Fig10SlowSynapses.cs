using LatentSpikes.Analysis;
using LatentSpikes.Geometry;
using LatentSpikes.Plotting;
using LatentSpikes.Rate;
using LatentSpikes.Simulation;
using ScottPlot;

namespace LatentSpikes.Figures.Figures;

/// <summary>
/// Fig. 10a-c: the noisy inhibitory network of Fig. 6 with slow synapses (τ_s = τ/2, examples/fig10-slow-synapses.yaml)
/// still codes stably, with irregular firing; its rate twin (§4.2) codes stably too and reproduces the trial-averaged
/// spiking activity (d-f).
/// </summary>
public sealed class Fig10SlowSynapses : IFigure
{
    /// <summary>Start of the measurements, after the initial transient.</summary>
    public const double Settle = 2.0;

    /// <inheritdoc/>
    public string Id => "10";

    /// <inheritdoc/>
    public string Title => "The inhibitory network with slow synapses";

    /// <inheritdoc/>
    public IReadOnlyList<PendingClaim> Pending => [];

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var exp = FigureKit.Example("fig10-slow-synapses.yaml").Experiment;
        int trials = context.Pick(100, 40);
        var batch = new BatchedEngine(context.Threads).Run(exp, trials, cancellationToken: context.CancellationToken);
        context.Report(0.8);
        if (batch.ExplodedCount > 0)
        {
            throw new InvalidOperationException($"Fig. 10: {batch.ExplodedCount} trial(s) exploded");
        }

        var twin = new RateEngine().Run(exp);

        // From the ramp's start (the readout has settled) to 1 τ before the end, so the Gaussian smoothing (σ = 0.2 τ)
        // of spikes and twin rates alike stays clear of the run's edges.
        var agreement = RateComparison.Compare(twin, batch.Trials, 0.2, 5, exp.Settings.Duration - 1);
        var pop = exp.Network.Populations[0];
        var geometry = new RankOneGeometry(pop);
        var run = batch.Trials[0];
        double[] mean = batch.MeanLatent(pop.LatentName);
        var times = batch.Times;
        double[] x = run.Input(0);
        double[] boundary = x.Select(v => geometry.Boundary(v).Y).ToArray();
        FigureKit.WriteSpec(context, "spec.yaml", exp, $"examples/fig10-slow-synapses.yaml ({trials} trials)");
        FigureKit.WriteCsv(context, "panel-a-latent.csv", ["time", "x", "boundary", "y_trial0", "y_trial_mean"], [times, x, boundary, run.Latent(pop.LatentName), mean]);
        FigureKit.WriteSpikes(context, "panel-b-spikes-trial0.csv", run);
        FigureKit.WriteCsv(context, "panel-d-twin.csv", ["time", "y_twin"], [twin.Times, twin.Latent(pop.LatentName)]);

        var (mp, panels) = FigureKit.Grid(2, 2);
        FigureKit.Line(panels[0], times, x, FigureKit.Input, "input x");
        FigureKit.Line(panels[0], times, boundary, FigureKit.Boundary, "boundary", 1.2f, LinePattern.Dashed);
        FigureKit.Line(panels[0], run.Times, run.Latent(pop.LatentName), RunFigure.Inhibitory.WithAlpha(0.7), "y (trial 1)", 0.8f);
        FigureKit.Line(panels[0], times, mean, Colors.Black, $"y (mean of {trials} trials)", 1.2f);
        FigureKit.Line(panels[0], twin.Times, twin.Latent(pop.LatentName), Colors.DarkOrange, "y (rate twin, d)", 1.2f, LinePattern.Dotted);
        panels[0].ShowLegend(Alignment.LowerRight);
        FigureKit.Panel(panels[0], "a", "Stable coding with slow synapses (τ_s = τ/2)", "time (τ)", "x, latent y");
        FigureKit.Raster(panels[1], run);
        panels[1].Title("b   Irregular firing (trial 1)");
        var isi = Irregularity.IsiStatistics(batch.Trials, 0, Settle, exp.Settings.Duration);
        var active = isi.Neurons.Select((c, i) => (c, i)).Where(p => p.c.Intervals >= isi.MinIntervals).ToArray();
        var bars = panels[2].Add.Bars(active.Select(p => (double)p.i).ToArray(), active.Select(p => p.c.Cv).ToArray());
        bars.Color = RunFigure.Inhibitory;
        var poisson = panels[2].Add.HorizontalLine(1);
        poisson.LinePattern = LinePattern.Dashed;
        poisson.Color = Colors.Gray;
        poisson.LegendText = "Poisson (CV = 1)";
        panels[2].ShowLegend(Alignment.UpperRight);
        FigureKit.Panel(panels[2], "c", "ISI CV per neuron (all trials)", "neuron", "ISI coefficient of variation");
        var twinRates = agreement.TwinRates[0];
        var spikingRates = agreement.SpikingRates[0];
        for (int n = 0; n < pop.Size; n += 7)
        {
            var colour = RunFigure.Inhibitory.WithAlpha(0.3 + (0.7 * n / pop.Size));
            FigureKit.Line(panels[3], agreement.Times, spikingRates[n], colour, n == 0 ? $"spiking, trial average ({trials} trials)" : null, 1.2f);
            FigureKit.Line(panels[3], agreement.Times, twinRates[n], Colors.DarkOrange, n == 0 ? "rate twin" : null, 1.2f, LinePattern.Dashed);
        }

        panels[3].ShowLegend(Alignment.UpperRight);
        FigureKit.Panel(panels[3], "e-f", "Rates of every 7th neuron: rate twin vs trial-averaged spiking (σ = 0.2 τ)", "time (τ)", "rate (spikes/τ)");
        FigureKit.WriteCsv(context, "panel-ef-rates.csv", ["time", .. Enumerable.Range(0, pop.Size).Select(i => $"twin_{i}"), .. Enumerable.Range(0, pop.Size).Select(i => $"spiking_{i}")],
            [agreement.Times, .. twinRates, .. spikingRates]);
        FigureKit.Save(context, mp, "fig10", 1400, 1000);
        FigureKit.WriteCsv(context, "panel-c-isi-cv.csv", ["neuron", "cv", "intervals"],
            [Enumerable.Range(0, pop.Size).Select(i => (double)i).ToArray(), isi.Neurons.Select(c => c.Cv).ToArray(), isi.Neurons.Select(c => (double)c.Intervals).ToArray()]);

        // Reference: the same network without noise, where the active neuron fires regularly.
        var quiet = FigureKit.Simulate(FigureKit.MapPopulations(exp, p => FigureKit.WithMuAndNoise(p, p.SoftRefractory, 0), exp.Name + "-noise-free"));
        var quietIsi = Irregularity.IsiStatistics([quiet], 0, Settle, exp.Settings.Duration);
        var (_, rms) = Measures.BoundaryOffset(times, x, mean, geometry, Settle);
        double d = Math.Abs(pop.Decoders[0]);
        return
        [
            ClaimResult.AtMost(Id, "a", "With slow synapses the readout still follows the boundary: RMS distance of the trial-mean y to the boundary after 2 τ", rms, 2 * d, $"within the soft boundary's width, two decoder jumps (|D| = {d:0.##})"),
            ClaimResult.AtMost(Id, "d", "The rate twin codes stably and its readout is the trial-averaged spiking readout: max |y_twin − mean y| from 5 τ", agreement.Latents[0].MaxError, d, $"one decoder jump, |D| = {d:0.##}"),
            ClaimResult.AtLeast(Id, "e-f", $"Its single-unit rates reproduce the trial-averaged spiking rates (Gaussian σ = 0.2 τ, {trials} trials): correlation over all neurons and times", agreement.RateCorrelation, 0.9, "the rate patterns coincide"),
            ClaimResult.AtLeast(Id, "b-c", $"Firing is irregular: mean ISI CV of the neurons with at least 5 intervals (noise-free network: {quietIsi.MeanCv:0.###})", isi.MeanCv, 2 * quietIsi.MeanCv, "at least twice the noise-free network's"),
        ];
    }
}
