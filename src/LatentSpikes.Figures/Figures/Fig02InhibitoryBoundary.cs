using LatentSpikes.Geometry;
using LatentSpikes.Model;
using LatentSpikes.Plotting;
using LatentSpikes.Simulation;
using ScottPlot;

namespace LatentSpikes.Figures.Figures;

/// <summary>
/// Fig. 2: a rank-1 inhibitory population forms a stable, attracting boundary. Ten neurons tangent to y = −x² − ½
/// (examples/fig2-inhibitory-boundary.yaml); the readout stays in the precision band and each input value is coded by
/// a single neuron.
/// </summary>
public sealed class Fig02InhibitoryBoundary : IFigure
{
    /// <summary>Settling time after which the band is checked: the readout starts at 0, above the boundary, and is pushed below it within a few steps.</summary>
    public const double Settle = 1.0;

    /// <inheritdoc/>
    public string Id => "2";

    /// <inheritdoc/>
    public string Title => "A rank-1 inhibitory population forms a stable, attracting boundary";

    /// <inheritdoc/>
    public IReadOnlyList<PendingClaim> Pending => [];

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var exp = FigureKit.Example("fig2-inhibitory-boundary.yaml").Experiment;
        var result = FigureKit.Simulate(exp);
        context.Report(0.7);
        var pop = exp.Network.Populations[0];
        var geometry = new RankOneGeometry(pop);
        static double F(double x) => (x * x) + 0.5;

        FigureKit.WriteSpec(context, "spec.yaml", exp, "examples/fig2-inhibitory-boundary.yaml");
        FigureKit.WriteTrace(context, "panel-d-latent.csv", result);
        FigureKit.WriteSpikes(context, "panel-d-spikes.csv", result);
        double[] xs = FigureKit.Linspace(-1.2, 1.2, 241);
        WriteGeometry(context, "panel-bc-boundary.csv", geometry, xs, F);

        // Panel e: the 2-D surface boundary of 36 neurons (eq. 2.16), and a run of it.
        var surface = FigureKit.Example("fig2e-surface.yaml").Experiment;
        var surfaceRun = FigureKit.Simulate(surface);
        var surfacePop = surface.Network.Populations[0];
        var box = new (double, double)[] { (-4.5, 4.5), (-4.5, 4.5) };
        var surfaceReport = Construction.BoundaryReport.Analyze(surfacePop, box);
        FigureKit.WriteSpec(context, "spec-e.yaml", surface, "examples/fig2e-surface.yaml");
        FigureKit.WriteTrace(context, "panel-e-latent.csv", surfaceRun);
        double[] grid = FigureKit.Linspace(-4.5, 4.5, 91);
        var forming = new double[grid.Length, grid.Length];
        for (int r = 0; r < grid.Length; r++)
        {
            for (int c = 0; c < grid.Length; c++)
            {
                // Heatmap rows run from the top (largest x2) down.
                forming[r, c] = PopulationBoundary.Evaluate(surfacePop, [grid[c], grid[^(r + 1)]]).Neuron;
            }
        }

        FigureKit.WriteCsv(context, "panel-e-forming-neuron.csv", ["x1", "x2", "forming_neuron"],
        [
            grid.SelectMany(_ => grid).ToArray(),
            grid.SelectMany(x2 => grid.Select(_ => x2)).ToArray(),
            grid.SelectMany(x2 => grid.Select(x1 => (double)PopulationBoundary.Evaluate(surfacePop, [x1, x2]).Neuron)).ToArray(),
        ]);
        var (surfaceBand, surfaceTolerance) = SurfaceBand(surfaceRun, Settle);

        var (mp, panels) = FigureKit.Grid(2, 3);
        DrawThresholds(panels[0], geometry, xs, F);
        FigureKit.Panel(panels[0], "b", "Thresholds tangent to y = −x² − ½ (N = 10)", "input x", "latent y");
        DrawBand(panels[1], geometry, xs, F);
        FigureKit.Line(panels[1], result.Input(0), result.Latent(pop.LatentName), GeometryFigure.Trajectory, "simulation (x(t), y(t))", 0.8f);
        FigureKit.Panel(panels[1], "c", "Boundary and precision band", "input x", "latent y");
        panels[1].Axes.SetLimits(-1.2, 1.2, -2.2, 0.2);
        panels[1].ShowLegend(Alignment.LowerCenter);

        var t = result.Times;
        var map = panels[2].Add.Heatmap(forming);
        map.Colormap = new ScottPlot.Colormaps.Turbo();
        map.Extent = new CoordinateRect(-4.5, 4.5, -4.5, 4.5);
        FigureKit.Line(panels[2], surfaceRun.Input(0), surfaceRun.Input(1), Colors.White.WithAlpha(0.8), "input path (x1, x2)", 1f);
        panels[2].ShowLegend(Alignment.UpperRight);
        FigureKit.Panel(panels[2], "e", "2-D input: the neuron forming each facet (N = 36)", "input x1", "input x2");
        FigureKit.Line(panels[3], t, result.Input(0), FigureKit.Input, "input x");
        FigureKit.Line(panels[3], t, result.Input(0).Select(x => geometry.Boundary(x).Y).ToArray(), FigureKit.Boundary, "boundary", 1.2f, LinePattern.Dashed);
        FigureKit.Line(panels[3], t, result.Latent(pop.LatentName), RunFigure.Inhibitory, "y (simulation)", 1f);
        FigureKit.Panel(panels[3], "d", "Latent readout follows the boundary", "time (τ)", "x, latent y");
        panels[3].ShowLegend(Alignment.LowerRight);
        FigureKit.Raster(panels[4], result);
        panels[4].Title("d   Spike raster: one neuron per input value");
        var st = surfaceRun.Times;
        FigureKit.Line(panels[5], st, Enumerable.Range(0, st.Count).Select(i => PopulationBoundary.Evaluate(surfacePop, [surfaceRun.Input(0)[i], surfaceRun.Input(1)[i]]).Y).ToArray(), FigureKit.Boundary, "surface boundary at (x1, x2)", 1.2f, LinePattern.Dashed);
        FigureKit.Line(panels[5], st, surfaceRun.Latent(surfacePop.LatentName), RunFigure.Inhibitory, "y (simulation)", 1f);
        panels[5].ShowLegend(Alignment.LowerRight);
        FigureKit.Panel(panels[5], "e", "2-D input: the readout follows the surface", "time (τ)", "latent y");
        FigureKit.Save(context, mp, "fig02", 1800, 1000);

        // The readout may overshoot the band by one Euler step of drift: dt·max|ẏ| ≈ 0.01·(1.5 + 0.2) < 0.02.
        double band = Measures.BandFraction(result, 0, Settle, 0.02);
        double share = Measures.BoundaryNeuronShare(result, 0, Settle);
        var authorsRun = FigureKit.Simulate(FigureKit.AuthorsRule(exp));
        double authorsShare = Measures.BoundaryNeuronShare(authorsRun, 0, Settle);
        double authorsBand = Measures.BandFraction(authorsRun, 0, Settle, 0.02);
        FigureKit.WriteSpikes(context, "authors-rule-spikes.csv", authorsRun);
        return
        [
            ClaimResult.AtLeast(Id, "c-d", "The readout stays in the precision band [boundary + D(x), boundary] after the transient (fraction of samples, t ≥ 1 τ, tolerance 0.02 = one Euler step of drift; project's N = 10, D = −0.35 on [−1, 1], the authors' script: tangent points on [−0.9, 0.9], decoders −0.8 … −0.4)", band, 0.99, "all but a few samples"),
            ClaimResult.AtLeast(Id, "d", "Without noise each input value is coded by a single neuron: share of spikes fired by the neuron forming the boundary at that input", share, 0.95, "spikes next to a breakpoint may come from the neighbour"),
            ClaimResult.AtMost(Id, "d", $"Authors' rule (their run_spiking_net: clip at spike, V = 0 start; docs/fidelity.md): the clip lowers the spiker's V by its overshoot, so neighbours share the coding: boundary-neuron share (band fraction {authorsBand:0.###}) below the idealised {share:0.###}", authorsShare, share - 0.02, "the figure's claims above are for the unclipped model"),
            ClaimResult.AtMost(Id, "e", "A 2-D convex surface is delineated by 36 neurons, each forming one facet: neurons never on the boundary over [−4.5, 4.5]²", surfaceReport.SilentNeurons.Count, 0, "none", "0"),
            ClaimResult.AtLeast(Id, "e", $"With a 2-D input the readout stays in the band [boundary + D, boundary] (fraction of samples, t ≥ 1 τ, tolerance {surfaceTolerance:0.###} = one Euler step of drift at the largest |y|)", surfaceBand, 0.99, "all but a few samples"),
        ];
    }

    /// <summary>Fraction of samples of a rank-1 run with any input dimension inside [boundary + D(x), boundary] ± one Euler step of drift.</summary>
    private static (double Fraction, double Tolerance) SurfaceBand(SimulationResult run, double from)
    {
        var pop = run.Experiment.Network.Populations[0];
        int m = run.Experiment.Network.InputDimension;
        double[] y = run.Latent(pop.LatentName);
        double tolerance = 1.1 * run.Experiment.Settings.Dt * y.Max(Math.Abs);
        int inside = 0, total = 0;
        var x = new double[m];
        for (int i = 0; i < y.Length; i++)
        {
            if (run.Times[i] < from)
            {
                continue;
            }

            for (int d = 0; d < m; d++)
            {
                x[d] = run.InputsFlat[(i * m) + d];
            }

            var (b, neuron) = PopulationBoundary.Evaluate(pop, x);
            total++;
            if (y[i] <= b + tolerance && y[i] >= b + pop.Decoders[neuron] - tolerance)
            {
                inside++;
            }
        }

        return (inside / (double)total, tolerance);
    }

    /// <summary>Draws every neuron's threshold line, the population boundary and the target −f.</summary>
    internal static void DrawThresholds(Plot plot, RankOneGeometry geometry, double[] xs, Func<double, double> f)
    {
        var pop = geometry.Population;
        var palette = new ScottPlot.Palettes.Category10();
        for (int n = 0; n < pop.Size; n++)
        {
            int neuron = n;
            FigureKit.Line(plot, xs, xs.Select(x => geometry.ThresholdLine(neuron, x)).ToArray(), palette.GetColor(n).WithAlpha(0.8), null, 1f);
        }

        FigureKit.Line(plot, xs, xs.Select(x => -f(x)).ToArray(), Colors.Gray, "y = −f(x)", 2f, LinePattern.Dotted);
        plot.Axes.SetLimits(xs[0], xs[^1], -2.2, 0.2);
        plot.ShowLegend(Alignment.LowerCenter);
    }

    /// <summary>Draws the boundary with its precision band (between the boundary and the reset edge).</summary>
    internal static void DrawBand(Plot plot, RankOneGeometry geometry, double[] xs, Func<double, double> f)
    {
        double[] b = xs.Select(x => geometry.Boundary(x).Y).ToArray();
        double[] r = xs.Select(geometry.ResetEdge).ToArray();
        var fill = plot.Add.FillY(xs, r, b);
        fill.FillColor = GeometryFigure.PrecisionBand;
        fill.LegendText = "precision band (boundary + D)";
        FigureKit.Line(plot, xs, b, RunFigure.Inhibitory, "population boundary", 2f);
        FigureKit.Line(plot, xs, xs.Select(x => -f(x)).ToArray(), Colors.Gray, "y = −f(x)", 1.5f, LinePattern.Dotted);
    }

    /// <summary>Writes the geometry behind panels b-c: target, boundary, reset edge, forming neuron and every threshold line.</summary>
    internal static void WriteGeometry(FigureContext context, string name, RankOneGeometry geometry, double[] xs, Func<double, double> f)
    {
        var pop = geometry.Population;
        var headers = new List<string> { "x", "minus_f", "boundary", "reset_edge", "forming_neuron" };
        var columns = new List<IReadOnlyList<double>>
        {
            xs,
            xs.Select(x => -f(x)).ToArray(),
            xs.Select(x => geometry.Boundary(x).Y).ToArray(),
            xs.Select(geometry.ResetEdge).ToArray(),
            xs.Select(x => (double)geometry.Boundary(x).Neuron).ToArray(),
        };
        for (int n = 0; n < pop.Size; n++)
        {
            int neuron = n;
            headers.Add($"threshold_{n}");
            columns.Add(xs.Select(x => geometry.ThresholdLine(neuron, x)).ToArray());
        }

        FigureKit.WriteCsv(context, name, headers, columns);
    }
}
