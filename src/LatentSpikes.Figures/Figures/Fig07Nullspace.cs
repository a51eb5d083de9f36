using LatentSpikes.Analysis;
using LatentSpikes.Plotting;
using LatentSpikes.Simulation;
using ScottPlot;

namespace LatentSpikes.Figures.Figures;

/// <summary>
/// Fig. 7: irregular firing amplifies noise in the decoder nullspace (examples/fig7-two-neurons.yaml). In the noise-free
/// pair only one neuron fires and the filtered rates sit at a fixed point; with noise both neurons take turns, the rates
/// diffuse along the nullspace of the decoders while the readout stays precise.
/// </summary>
public sealed class Fig07Nullspace : IFigure
{
    /// <summary>Start of the steady-state window (the authors drop the first 5 τ).</summary>
    public const double Start = 5.0;

    /// <inheritdoc/>
    public string Id => "7";

    /// <inheritdoc/>
    public string Title => "Irregular firing amplifies noise in the decoder nullspace";

    /// <inheritdoc/>
    public IReadOnlyList<PendingClaim> Pending => [];

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var exp = FigureKit.Example("fig7-two-neurons.yaml").Experiment;
        int trials = context.Pick(20, 4);
        var batch = new BatchedEngine(context.Threads).Run(exp, trials, cancellationToken: context.CancellationToken);
        context.Report(0.6);
        var run = batch.Trials[0];
        double stop = exp.Settings.Duration;
        var det = Nullspace.Analyze(batch.Trials, 0, 1.0, Start, stop);
        var noisy = Nullspace.Analyze(batch.Trials, 1, 1.0, Start, stop);
        FigureKit.WriteSpec(context, "spec.yaml", exp, $"examples/fig7-two-neurons.yaml ({trials} trials)");
        FigureKit.WriteTrace(context, "panel-cf-latents.csv", run);
        FigureKit.WriteSpikes(context, "spikes-trial0.csv", run);

        var (mp, panels) = FigureKit.Grid(2, 2);
        RateSpace(context, panels[0], run, 0, "b", "Noise-free: one neuron fires, the rates sit at a fixed point");
        RateSpace(context, panels[2], run, 1, "e", "With noise: both fire, the rates diffuse along the nullspace");
        Projections(context, panels[1], det, "c", "Noise-free: readout and nullspace projection");
        Projections(context, panels[3], noisy, "f", "With noise: readout precise, nullspace fluctuates");
        double lo = Math.Min(det.ReadoutProjections[0].Concat(noisy.ReadoutProjections[0]).Min(), det.TopNullspaceProjection.Concat(noisy.TopNullspaceProjection).Min());
        double hi = Math.Max(det.ReadoutProjections[0].Concat(noisy.ReadoutProjections[0]).Max(), det.TopNullspaceProjection.Concat(noisy.TopNullspaceProjection).Max());
        panels[1].Axes.SetLimitsY(lo - 0.5, hi + 0.5);
        panels[3].Axes.SetLimitsY(lo - 0.5, hi + 0.5);
        FigureKit.Save(context, mp, "fig07", 1400, 1000);
        FigureKit.WriteCsv(context, "nullspace.csv", ["population", "readout_variance", "nullspace_variance", "top_nullspace_variance", "top_ratio"],
        [
            new double[] { 0, 1 },
            new[] { det.ReadoutVariance, noisy.ReadoutVariance },
            new[] { det.NullspaceVariance, noisy.NullspaceVariance },
            new[] { det.TopNullspaceVariance, noisy.TopNullspaceVariance },
            new[] { det.TopRatio, noisy.TopRatio },
        ]);

        int detSecond = batch.Trials.Sum(t => t.SpikeCounts[0][1]);
        int noisyMinority = batch.Trials.Sum(t => t.SpikeCounts[1].Min());
        int noisyTotal = batch.Trials.Sum(t => t.SpikeCounts[1].Sum());
        return
        [
            ClaimResult.AtMost(Id, "a-c", "In the deterministic pair only one neuron fires: spikes of the other neuron (all trials)", detSecond, 0, "its threshold is never reached"),
            ClaimResult.AtLeast(Id, "d-e", "With noise both neurons take random turns: share of spikes fired by the less active neuron", noisyMinority / (double)noisyTotal, 0.2, "both participate substantially"),
            ClaimResult.AtLeast(Id, "f", $"Noise diffuses in the nullspace, not the readout: nullspace variance / readout variance of the filtered rates (noisy pair, {trials} trials)", noisy.TopRatio, 10, "≫ 1: an order of magnitude"),
        ];
    }

    private static void RateSpace(FigureContext context, Plot plot, SimulationResult run, int population, string letter, string title)
    {
        var trains = SpikeTrains.OfPopulation(run, population);
        var rates = Nullspace.FilteredRates(trains, run.Times);
        var idx = Enumerable.Range(0, run.Times.Count).Where(i => run.Times[i] >= Start).ToArray();
        double[] r1 = idx.Select(i => rates[i][0]).ToArray();
        double[] r2 = idx.Select(i => rates[i][1]).ToArray();
        FigureKit.WriteCsv(context, $"panel-{letter}-rates.csv", ["time", "r1", "r2"], [idx.Select(i => run.Times[i]).ToArray(), r1, r2]);
        var pop = run.Experiment.Network.Populations[population];
        double y = Geometry.PopulationBoundary.Evaluate(pop, [run.Input(0)[^1]]).Y;

        // The readout y = D·r = −0.5·(r1 + r2) is constant along the nullspace direction (1, −1).
        double sum = y / pop.Decoders[0];
        FigureKit.Line(plot, [0, sum], [sum, 0], Colors.Gray, "boundary: D·r = y (readout fixed)", 1.5f, LinePattern.Dotted);
        FigureKit.Line(plot, r1, r2, GeometryFigure.Trajectory, "filtered rates (r1, r2)", 0.8f);
        plot.Axes.SetLimits(-0.5, 9, -0.5, 9);
        plot.ShowLegend(Alignment.UpperRight);
        FigureKit.Panel(plot, letter, title, "rate r1 (spikes/τ)", "rate r2 (spikes/τ)");
    }

    private static void Projections(FigureContext context, Plot plot, NullspaceReport report, string letter, string title)
    {
        FigureKit.WriteCsv(context, $"panel-{letter}-projections.csv", ["time", "readout", "nullspace"], [report.Times, report.ReadoutProjections[0], report.TopNullspaceProjection]);
        FigureKit.Line(plot, report.Times, report.ReadoutProjections[0], RunFigure.Inhibitory, "latent readout (decoder direction)", 1f);
        FigureKit.Line(plot, report.Times, report.TopNullspaceProjection, Colors.Gray, "orthogonal readout (nullspace)", 1f);
        plot.ShowLegend(Alignment.UpperRight);
        FigureKit.Panel(plot, letter, title, "time (τ)", "projection of r");
    }
}
