using LatentSpikes.Analysis;
using LatentSpikes.Geometry;
using LatentSpikes.Plotting;
using LatentSpikes.Rate;
using LatentSpikes.Simulation;
using ScottPlot;

namespace LatentSpikes.Figures.Figures;

/// <summary>
/// Fig. 10a-c: the noisy inhibitory network of Fig. 6 with slow synapses (τ_s = τ/2, examples/fig10-slow-synapses.yaml)
/// still codes stably, with irregular firing (a-c); its rate twin (<see cref="RateEngine"/>, §4.3) codes stably too, and
/// its readout and unit rates reproduce the trial-averaged spiking network (<see cref="RateComparison"/>, d-f).
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

    /// <summary>Standard deviation of the Gaussian rate kernel (τ), for spikes and twin rates alike.</summary>
    public const double Smooth = 0.2;

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var exp = FigureKit.Example("fig10-slow-synapses.yaml").Experiment;
        // The twin is compared with the trial mean, whose spike-count noise lowers the rate correlation: 40 trials in --quick.
        int trials = context.Pick(100, 40);
        var batch = new BatchedEngine(context.Threads).Run(exp, trials, cancellationToken: context.CancellationToken);
        context.Report(0.8);
        if (batch.ExplodedCount > 0)
        {
            throw new InvalidOperationException($"Fig. 10: {batch.ExplodedCount} trial(s) exploded");
        }

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
        var twin = new RateEngine().Run(exp, cancellationToken: context.CancellationToken);
        if (twin.Status != SimulationStatus.Completed)
        {
            throw new InvalidOperationException($"Fig. 10: the rate twin did not complete: {twin.StatusDetail}");
        }

        var agreement = RateComparison.Compare(twin, batch.Trials, Smooth, Settle, exp.Settings.Duration);
        var rates = TrialStatistics.GaussianRates(batch.Trials, 0, Smooth, Settle, exp.Settings.Duration);
        double[] twinY = twin.Latent(pop.LatentName);
        FigureKit.WriteCsv(context, "panel-d-twin-readout.csv", ["time", "y_twin", "y_trial_mean", "y_trial_sem"], [agreement.Times, agreement.Latents[0].Twin, agreement.Latents[0].Spiking.Mean, agreement.Latents[0].Spiking.Sem]);
        FigureKit.WriteCsv(context, "panel-e-twin-rates.csv", ["time", .. Enumerable.Range(0, pop.Size).Select(i => $"rate_{i}")], [agreement.Times, .. agreement.TwinRates[0]]);
        FigureKit.WriteCsv(context, "trial-averaged-rates.csv", ["time", .. Enumerable.Range(0, pop.Size).Select(i => $"rate_{i}")],
            [rates.Times, .. rates.NeuronRates]);

        var (mp, panels) = FigureKit.Grid(3, 2);
        FigureKit.Line(panels[0], times, x, FigureKit.Input, "input x");
        FigureKit.Line(panels[0], times, boundary, FigureKit.Boundary, "boundary", 1.2f, LinePattern.Dashed);
        FigureKit.Line(panels[0], run.Times, run.Latent(pop.LatentName), RunFigure.Inhibitory.WithAlpha(0.7), "y (trial 1)", 0.8f);
        FigureKit.Line(panels[0], times, mean, Colors.Black, $"y (mean of {trials} trials)", 1.2f);
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
        FigureKit.Line(panels[3], times, boundary, FigureKit.Boundary, "boundary", 1.2f, LinePattern.Dashed);
        FigureKit.Line(panels[3], times, mean, Colors.Black, $"spiking, mean of {trials} trials", 1.2f);
        FigureKit.Line(panels[3], twin.Times, twinY, RunFigure.Inhibitory, "rate twin", 1.5f, LinePattern.Dotted);
        panels[3].ShowLegend(Alignment.LowerRight);
        FigureKit.Panel(panels[3], "d", $"The rate twin codes stably (normalised RMS to the trial mean {agreement.ReadoutError:0.###})", "time (τ)", "latent y");
        double top = Math.Max(rates.NeuronRates.Max(r => r.Max()), agreement.TwinRates[0].Max(r => r.Max())) * 1.05;
        for (int n = 0; n < pop.Size; n += 7)
        {
            var shade = RunFigure.Inhibitory.WithAlpha(0.3 + (0.7 * n / pop.Size));
            FigureKit.Line(panels[4], agreement.Times, agreement.TwinRates[0][n], shade, $"unit {n}", 1f);
            FigureKit.Line(panels[5], rates.Times, rates.NeuronRates[n], shade, $"neuron {n}", 1f);
        }

        panels[4].ShowLegend(Alignment.UpperRight);
        panels[4].Axes.SetLimitsY(0, top);
        FigureKit.Panel(panels[4], "e", $"Rate twin unit rates (smoothed alike, σ = {Smooth} τ)", "time (τ)", "rate (1/τ)");
        panels[5].ShowLegend(Alignment.UpperRight);
        panels[5].Axes.SetLimitsY(0, top);
        FigureKit.Panel(panels[5], "f", $"Trial-averaged spiking rates (Gaussian σ = {Smooth} τ, {trials} trials)", "time (τ)", "rate (spikes/τ)");
        FigureKit.Save(context, mp, "fig10", 1400, 1500);
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
            ClaimResult.AtLeast(Id, "b-c", $"Firing is irregular: mean ISI CV of the neurons with at least 5 intervals (noise-free network: {quietIsi.MeanCv:0.###})", isi.MeanCv, 2 * quietIsi.MeanCv, "at least twice the noise-free network's"),
                    ClaimResult.AtMost(Id, "d", $"The rate twin's readout is the trial-averaged spiking readout: RMS(twin − trial mean) / range of the trial mean after {Settle} τ ({trials} trials)", agreement.ReadoutError, 0.06,
                "0.06: eq. 4.6 is an approximation; 0.043 here with 40 and with 100 trials alike, so the error is systematic, not the trial mean's noise", "0.###"),
            ClaimResult.AtMost(Id, "d", "… point by point: largest |twin − trial mean|", agreement.Latents[0].MaxError, d, $"one decoder |D| = {d:0.##}, the readout's jump per spike"),
            ClaimResult.AtLeast(Id, "e-f", $"Unit rates reproduce the trial-averaged spiking rates: pooled correlation over neurons and time (Gaussian σ = {Smooth} τ)", agreement.RateCorrelation, 0.9,
                "0.9: eq. 4.6's approximation and the spike-count noise left in a finite trial average; 0.913 with 40 trials, 0.918 with 100", "0.###"),
];
    }
}
