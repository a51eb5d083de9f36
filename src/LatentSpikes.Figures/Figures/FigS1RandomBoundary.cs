using LatentSpikes.Construction;
using LatentSpikes.Geometry;
using LatentSpikes.Plotting;
using ScottPlot;

namespace LatentSpikes.Figures.Figures;

/// <summary>
/// Fig. S1 (App. B): rank-1 inhibitory populations with random parameters (examples/figS1-random-boundary.yaml). With
/// every parameter random (R) only some neurons form the boundary, and where it lies above y = 0 the population is
/// silent; tuning the thresholds to y = −x² − ½ (T) puts every neuron on the boundary.
/// </summary>
public sealed class FigS1RandomBoundary : IFigure
{
    /// <inheritdoc/>
    public string Id => "S1";

    /// <inheritdoc/>
    public string Title => "Random rank-1 boundaries: silent neurons and silent inputs";

    /// <inheritdoc/>
    public IReadOnlyList<PendingClaim> Pending => [];

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var exp = FigureKit.Example("figS1-random-boundary.yaml").Experiment;
        var run = FigureKit.Simulate(exp);
        context.Report(0.6);
        var range = InputProtocol.Range(exp, 0);
        (double, double)[] ranges = [(range.Min, range.Max)];
        var random = exp.Network.Populations[0];
        var tuned = exp.Network.Populations[1];
        var reportR = BoundaryReport.Analyze(random, ranges);
        var reportT = BoundaryReport.Analyze(tuned, ranges);
        FigureKit.WriteSpec(context, "spec.yaml", exp, "examples/figS1-random-boundary.yaml");
        FigureKit.WriteTrace(context, "latents.csv", run);
        FigureKit.WriteSpikes(context, "spikes.csv", run);
        double[] xs = FigureKit.Linspace(range.Min, range.Max, 201);
        var gR = new RankOneGeometry(random);
        var gT = new RankOneGeometry(tuned);
        Fig02InhibitoryBoundary.WriteGeometry(context, "panel-a-random.csv", gR, xs, x => double.NaN);
        Fig02InhibitoryBoundary.WriteGeometry(context, "panel-b-tuned.csv", gT, xs, x => (x * x) + 0.5);

        var (mp, panels) = FigureKit.Grid(2, 2);
        Draw(panels[0], gR, xs, run.Input(0), run.Latent(random.LatentName), null);
        FigureKit.Panel(panels[0], "a", $"Random parameters: {reportR.SilentNeurons.Count} of {random.Size} neurons never on the boundary", "input x", "latent y");
        Draw(panels[1], gT, xs, run.Input(0), run.Latent(tuned.LatentName), x => -((x * x) + 0.5));
        FigureKit.Panel(panels[1], "b", "Thresholds tuned to y = −x² − ½: every neuron on the boundary", "input x", "latent y");
        var spikesR = run.Spikes.Where(s => s.Population == 0).ToArray();
        var spikesT = run.Spikes.Where(s => s.Population == 1).ToArray();
        Scatter(panels[2], spikesR.Select(s => Measures.InputAt(run, s.Time)).ToArray(), spikesR.Select(s => (double)s.Neuron).ToArray(), "R");
        FigureKit.Panel(panels[2], "a", "Spikes of R against the input", "input x", "neuron");
        Scatter(panels[3], spikesT.Select(s => Measures.InputAt(run, s.Time)).ToArray(), spikesT.Select(s => (double)s.Neuron).ToArray(), "T");
        FigureKit.Panel(panels[3], "b", "Spikes of T against the input", "input x", "neuron");
        foreach (var p in panels[2..])
        {
            p.Axes.SetLimits(range.Min, range.Max, -0.5, random.Size - 0.5);
        }

        FigureKit.Save(context, mp, "figS1", 1400, 1000);

        // Spikes of R while its boundary lies at or above y = 0: the latent (≤ 0) cannot reach it there.
        int spikesAboveZero = spikesR.Count(s => gR.Boundary(Measures.InputAt(run, s.Time)).Y >= 0);
        return
        [
            ClaimResult.AtLeast(Id, "a", "With random parameters only some neurons form the boundary: neurons never on it", reportR.SilentNeurons.Count, 1, "at least one, App. B", "0"),
            ClaimResult.AtLeast(Id, "a", "… and for some inputs the boundary lies above y = 0: fraction of the input range", reportR.SilentFraction, 0.01, "a visible stretch of the range"),
            ClaimResult.AtMost(Id, "a", "Where the boundary lies above y = 0 the population is silent: spikes of R at those inputs", spikesAboveZero, 0, "the inhibitory latent cannot rise above 0"),
            ClaimResult.AtMost(Id, "b", "Tuning the thresholds to y = −x² − ½ puts every neuron on the boundary: neurons never on it", reportT.SilentNeurons.Count, 0, "none", "0"),
        ];
    }

    private static void Draw(Plot plot, RankOneGeometry geometry, double[] xs, double[] x, double[] y, Func<double, double>? target)
    {
        var palette = new ScottPlot.Palettes.Category10();
        for (int n = 0; n < geometry.Population.Size; n++)
        {
            int neuron = n;
            FigureKit.Line(plot, xs, xs.Select(v => geometry.ThresholdLine(neuron, v)).ToArray(), palette.GetColor(n).WithAlpha(0.5), null, 1f);
        }

        FigureKit.Line(plot, xs, xs.Select(v => geometry.Boundary(v).Y).ToArray(), RunFigure.Inhibitory, "population boundary", 2.5f);
        if (target is not null)
        {
            FigureKit.Line(plot, xs, xs.Select(target).ToArray(), Colors.Gray, "y = −x² − ½", 1.5f, LinePattern.Dotted);
        }

        FigureKit.Line(plot, x, y, GeometryFigure.Trajectory, "simulation", 0.8f);
        var zero = plot.Add.HorizontalLine(0);
        zero.Color = Colors.Black;
        zero.LineWidth = 1;
        plot.Axes.SetLimits(xs[0], xs[^1], -2.5, 1);
        plot.ShowLegend(Alignment.LowerCenter);
    }

    private static void Scatter(Plot plot, double[] x, double[] neuron, string name)
    {
        var m = plot.Add.Markers(x, neuron, MarkerShape.VerticalBar, 8, RunFigure.Inhibitory);
        m.LegendText = name;
    }
}
