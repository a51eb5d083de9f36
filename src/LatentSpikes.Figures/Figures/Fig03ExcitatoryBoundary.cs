using LatentSpikes.Geometry;
using LatentSpikes.Plotting;
using LatentSpikes.Simulation;
using ScottPlot;

namespace LatentSpikes.Figures.Figures;

/// <summary>
/// Fig. 3: a rank-1 excitatory population forms an unstable, repellent boundary (examples/fig3-excitatory-boundary.yaml):
/// started below the boundary the latent leaks to zero without a spike; started above it, activity explodes.
/// </summary>
public sealed class Fig03ExcitatoryBoundary : IFigure
{
    /// <summary>Initial latent below the boundary y = 3/2 at x = 0.</summary>
    public const double Below = 1.2;

    /// <inheritdoc/>
    public string Id => "3";

    /// <inheritdoc/>
    public string Title => "A rank-1 excitatory population forms an unstable, repellent boundary";

    /// <inheritdoc/>
    public IReadOnlyList<PendingClaim> Pending => [];

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var above = FigureKit.Example("fig3-excitatory-boundary.yaml").Experiment;
        var pop = above.Network.Populations[0];
        var below = FigureKit.Rebuild(above, name: above.Name + "-below", initial: new Dictionary<string, double> { [pop.LatentName] = Below });
        var up = FigureKit.Simulate(above, allowExplosion: true);
        var down = FigureKit.Simulate(below);
        context.Report(0.6);
        FigureKit.WriteSpec(context, "spec.yaml", above, "examples/fig3-excitatory-boundary.yaml (started above the boundary)");
        FigureKit.WriteSpec(context, "spec-below.yaml", below, $"examples/fig3-excitatory-boundary.yaml started below the boundary, y_E(0) = {Below}");
        FigureKit.WriteTrace(context, "panel-c-above.csv", up);
        FigureKit.WriteTrace(context, "panel-c-below.csv", down);
        FigureKit.WriteSpikes(context, "panel-c-above-spikes.csv", up);
        var geometry = new RankOneGeometry(pop);
        static double F(double x) => (x * x) - 1.5;
        double[] xs = FigureKit.Linspace(-1.2, 1.2, 241);
        Fig02InhibitoryBoundary.WriteGeometry(context, "panel-b-boundary.csv", geometry, xs, F);

        var (mp, panels) = FigureKit.Grid(2, 2);
        var palette = new ScottPlot.Palettes.Category10();
        for (int n = 0; n < pop.Size; n++)
        {
            int neuron = n;
            FigureKit.Line(panels[0], xs, xs.Select(x => geometry.ThresholdLine(neuron, x)).ToArray(), palette.GetColor(n).WithAlpha(0.8), null, 1f);
        }

        FigureKit.Line(panels[0], xs, xs.Select(x => -F(x)).ToArray(), Colors.Gray, "y = −f(x) = −x² + 3/2", 2f, LinePattern.Dotted);
        FigureKit.Line(panels[0], xs, xs.Select(x => geometry.Boundary(x).Y).ToArray(), RunFigure.Excitatory, "population boundary", 2f);
        panels[0].Axes.SetLimits(-1.2, 1.2, 0, 2.2);
        panels[0].ShowLegend(Alignment.LowerCenter);
        FigureKit.Panel(panels[0], "b", "Thresholds of N = 10 excitatory neurons", "input x", "latent y_E");

        double boundary0 = geometry.Boundary(0).Y;
        FigureKit.Line(panels[1], down.Times, down.Latent(pop.LatentName), RunFigure.Excitatory.WithAlpha(0.6), $"started below (y_E(0) = {Below}): leaks to 0", 1.5f);
        FigureKit.Line(panels[1], up.Times, up.Latent(pop.LatentName), RunFigure.Excitatory, "started above (y_E(0) = 1.6): explodes", 1.5f);
        var hl = panels[1].Add.HorizontalLine(boundary0);
        hl.LinePattern = LinePattern.Dashed;
        hl.Color = FigureKit.Boundary;
        hl.LegendText = "boundary at x = 0";
        panels[1].Axes.SetLimits(0, above.Settings.Duration, -0.1, Math.Max(3, up.Latent(pop.LatentName).Max() * 1.05));
        panels[1].ShowLegend(Alignment.UpperRight);
        FigureKit.Panel(panels[1], "c", "The boundary repels: leak to zero or explosion", "time (τ)", "latent y_E");
        FigureKit.Raster(panels[2], up);
        panels[2].Axes.SetLimitsX(0, Math.Max(up.SimulatedDuration, 0.1));
        panels[2].Title("c   Spikes of the run started above the boundary");
        FigureKit.Raster(panels[3], down);
        panels[3].Axes.SetLimitsX(0, above.Settings.Duration);
        panels[3].Title("c   Spikes of the run started below (none)");
        FigureKit.Save(context, mp, "fig03", 1400, 1000);

        double finalBelow = Math.Abs(down.Latent(pop.LatentName)[^1]);
        return
        [
            new ClaimResult(Id, "c", "Started above the boundary, every spike pushes the latent further out: the run explodes", up.Status == SimulationStatus.Exploded ? $"exploded at t = {up.SimulatedDuration:0.##} τ after {up.Spikes.Count} spikes" : $"completed with {up.Spikes.Count} spikes", "exploded", up.Status == SimulationStatus.Exploded),
            ClaimResult.AtMost(Id, "c", "Started below the boundary, the latent leaks to zero without a spike (spike count)", down.Spikes.Count, 0, "no neuron reaches threshold"),
            ClaimResult.AtMost(Id, "c", "… and decays as e^(−t): |y_E| at the end of the run", finalBelow, 1.01 * Below * Math.Exp(-above.Settings.Duration), "the leak alone, 1% for the Euler step"),
        ];
    }
}
