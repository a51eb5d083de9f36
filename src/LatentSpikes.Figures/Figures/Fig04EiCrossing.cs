using LatentSpikes.Geometry;
using ScottPlot;

namespace LatentSpikes.Figures.Figures;

/// <summary>
/// Fig. 4: the inhibitory boundary stabilises the excitatory one. A single E-I pair cycles around the crossing of their
/// boundaries (examples/fig4-ei-pair.yaml, panels d-e); heterogeneous populations (examples/ei-rank2-quadratic.yaml,
/// panel f) follow the crossing of their piecewise-linear population boundaries as the input changes.
/// </summary>
public sealed class Fig04EiCrossing : IFigure
{
    /// <summary>Start of the measurement window: the latents start at 0 and reach the crossing within a few τ.</summary>
    public const double Settle = 5.0;

    /// <inheritdoc/>
    public string Id => "4";

    /// <inheritdoc/>
    public string Title => "The inhibitory boundary can stabilise the excitatory boundary";

    /// <inheritdoc/>
    public IReadOnlyList<PendingClaim> Pending => [];

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var pair = FigureKit.Example("fig4-ei-pair.yaml").Experiment;
        var hetero = FigureKit.Example("ei-rank2-quadratic.yaml").Experiment;
        var pairRun = FigureKit.Simulate(pair);
        context.Report(0.4);
        var heteroRun = FigureKit.Simulate(hetero);
        context.Report(0.8);
        var gPair = EiBoundaries.Create(pair.Network);
        var gHetero = EiBoundaries.Create(hetero.Network);
        FigureKit.WriteSpec(context, "spec-pair.yaml", pair, "examples/fig4-ei-pair.yaml");
        FigureKit.WriteSpec(context, "spec-heterogeneous.yaml", hetero, "examples/ei-rank2-quadratic.yaml");
        FigureKit.WriteTrace(context, "panel-de-pair.csv", pairRun);
        FigureKit.WriteSpikes(context, "panel-e-pair-spikes.csv", pairRun);
        FigureKit.WriteTrace(context, "panel-f-heterogeneous.csv", heteroRun);
        FigureKit.WriteSpikes(context, "panel-f-heterogeneous-spikes.csv", heteroRun);
        var (ce, ci) = EiPanels.CrossingTrace(heteroRun, gHetero);
        FigureKit.WriteCsv(context, "panel-f-crossing.csv", ["time", "x", "yE_crossing", "yI_crossing"], [heteroRun.Times, heteroRun.Input(0), ce, ci]);

        var (mp, panels) = FigureKit.Grid(2, 2);
        EiPanels.Plane(panels[0], gPair, 0, 0, 3);
        EiPanels.Trajectory(panels[0], pairRun, gPair, Settle, Settle + 2);
        panels[0].Axes.SetLimits(0, 3, 0, 6);
        panels[0].ShowLegend(Alignment.UpperRight);
        FigureKit.Panel(panels[0], "d", "One E and one I neuron at x = 0", "excitatory latent y_E", "inhibitory latent |y_I|");
        EiPanels.Latents(panels[1], pairRun, gPair);
        panels[1].Axes.SetLimitsX(Settle, Settle + 2);
        panels[1].Axes.SetLimitsY(1, 4);
        panels[1].ShowLegend(Alignment.UpperRight);
        panels[1].Title("e   Latents cycle around the crossing (2 τ shown)");
        EiPanels.Plane(panels[2], gHetero, -1, 0, 1.5);
        EiPanels.Trajectory(panels[2], heteroRun, gHetero, 2, 5, "spiking simulation (x = −1)");
        panels[2].Axes.SetLimits(0, 1.5, 0, 6);
        panels[2].ShowLegend(Alignment.UpperRight);
        FigureKit.Panel(panels[2], "f", "Heterogeneous E (N = 1) and I (N = 5) boundaries at x = −1", "excitatory latent y_E", "inhibitory latent |y_I|");
        EiPanels.Latents(panels[3], heteroRun, gHetero);
        panels[3].ShowLegend(Alignment.UpperRight);
        panels[3].Title("f   The crossing is tracked as x ramps from −1 to 1");
        FigureKit.Save(context, mp, "fig04", 1400, 1000);

        var crossing = gPair.Crossing(0)!;
        var (meanE, meanI) = EiPanels.MeanLatents(pairRun, gPair, Settle, pair.Settings.Duration);
        double pairError = Math.Max(Math.Abs(meanE - crossing.YE), Math.Abs(meanI - crossing.YI));
        double dI = Math.Abs(hetero.Network.Populations[1].Decoders[0]);
        var (meanAbs, _, _) = EiPanels.TrackingError(heteroRun, gHetero, Settle);
        return
        [
            ClaimResult.AtMost(Id, "d-e", $"A single E-I pair oscillates around the crossing ({crossing.YE:0.##}, {crossing.YI:0.##}) of its boundaries: max |time-mean latent − crossing|", pairError, dI, "within one inhibitory spike, |D_I| = 0.11"),
            new ClaimResult(Id, "d-e", "The E boundary, unstable alone (Fig. 3), stays bounded when held by the I boundary", pairRun.Status.ToString(), "Completed", pairRun.Status == LatentSpikes.Simulation.SimulationStatus.Completed),
            ClaimResult.AtMost(Id, "f", "Heterogeneous populations follow the crossing of their piecewise-linear boundaries as x ramps: mean |y_E − y_E*(x)|", meanAbs, dI, "within one inhibitory spike"),
        ];
    }
}
