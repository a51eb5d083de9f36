// Over 500 lines on purpose: the geometry figure's panels (rank-1 boundaries, E-I plane, crossing) share layout helpers.
using System.Globalization;
using LatentSpikes.Geometry;
using LatentSpikes.Model;
using LatentSpikes.Simulation;
using ScottPlot;

namespace LatentSpikes.Plotting;

/// <summary>
/// Geometry figures of the paper, drawn from the core library's geometry (<see cref="RankOneGeometry"/>,
/// <see cref="EiBoundaries"/>): a rank-1 population in input-output space (Figs. 2b-c, 3b-c), the E and I
/// boundaries in the (y_E, |y_I|) plane at a fixed input (Fig. 4c-d, f) and the E-I crossing as a function of the
/// input (Fig. 5a-c). Simulated trajectories are drawn on top when given. Headless PNG.
/// </summary>
public static class GeometryFigure
{
    /// <summary>Colour of simulated trajectories.</summary>
    public static readonly Color Trajectory = Colors.Black.WithAlpha(0.75);

    /// <summary>Colour of the precision band (eq. 2.18).</summary>
    public static readonly Color PrecisionBand = Color.FromHex("#7f7f7f").WithAlpha(0.45);

    /// <summary>Colour of a subthreshold set (every neuron below threshold).</summary>
    public static readonly Color Subthreshold = Color.FromHex("#9a9a9a").WithAlpha(0.12);

    /// <summary>Purple of the region where both populations are suprathreshold (Fig. 4c).</summary>
    public static readonly Color BothSuprathreshold = Color.FromHex("#7b3294");

    /// <summary>Fill of a stable crossing point (unstable ones are white), outlined in black.</summary>
    public static readonly Color CrossingColour = Color.FromHex("#ffc20a");

    /// <summary>Most points of a trajectory drawn; longer runs are thinned with a stride.</summary>
    public const int MaxTrajectoryPoints = 200_000;

    private const int GridPoints = 800;

    /// <summary>
    /// The x window a rank-1 figure shows: the input range of the protocol joined with the span over which the
    /// neuron forming the boundary changes (so every boundary neuron is visible), padded by 10 %.
    /// </summary>
    public static (double From, double To) RankOneWindow(RankOneGeometry geometry, double inputFrom, double inputTo)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        double lo = Math.Min(inputFrom, inputTo);
        double hi = Math.Max(inputFrom, inputTo);
        if (geometry.BreakpointSpan is { } span && double.IsFinite(span.From) && double.IsFinite(span.To))
        {
            lo = Math.Min(lo, span.From);
            hi = Math.Max(hi, span.To);
        }

        return Pad(lo, hi, 0.1);
    }

    /// <summary>
    /// Saves a rank-1 population in input-output space (x horizontal, its latent vertical): every neuron's threshold
    /// line, the population boundary (bold), the subthreshold set below it (shaded) and the suprathreshold set above
    /// it (tinted), the precision band boundary + D(x) for an inhibitory population, y = 0, and the simulated
    /// trajectory (x(t), y(t)) when <paramref name="simulation"/> is given.
    /// </summary>
    /// <param name="geometry">The population's geometry.</param>
    /// <param name="inputFrom">Smallest input of the protocol.</param>
    /// <param name="inputTo">Largest input of the protocol.</param>
    /// <param name="simulation">A run of the network this population belongs to, or null.</param>
    /// <param name="path">PNG file to write.</param>
    /// <param name="title">Figure title (default: the population).</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static void SaveRankOne(RankOneGeometry geometry, double inputFrom, double inputTo, SimulationResult? simulation, string path, string? title = null, int width = 1100, int height = 700)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(path);
        using var plot = BuildRankOne(geometry, inputFrom, inputTo, simulation, title);
        PlotOutput.SavePng(plot, path, width, height);
    }

    /// <summary>
    /// Saves the E and I boundaries of a rank-2 E-I network at a fixed input x in the (y_E, |y_I|) plane (Fig. 4c-d, f):
    /// every neuron's threshold line (faded), the two population boundaries (bold), the four regions of Fig. 4c,
    /// the crossing point, and the trajectory of <paramref name="simulation"/> (a run at constant input x) when given.
    /// </summary>
    /// <param name="geometry">The network's geometry.</param>
    /// <param name="x">The input.</param>
    /// <param name="simulation">A run at constant input x, or null.</param>
    /// <param name="path">PNG file to write.</param>
    /// <param name="title">Figure title (default: the input).</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static void SaveEiPlane(EiBoundaries geometry, double x, SimulationResult? simulation, string path, string? title = null, int width = 1100, int height = 900)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(path);
        using var plot = BuildEiPlane(geometry, x, simulation, title);
        PlotOutput.SavePng(plot, path, width, height);
    }

    /// <summary>
    /// Saves the crossing point of a rank-2 E-I network as a function of the input (Fig. 5b-d): y_E*(x) in the top
    /// panel and y_I*(x) in the bottom one, each with the simulated latent plotted against the simulated input when
    /// <paramref name="simulation"/> is given.
    /// </summary>
    /// <param name="geometry">The network's geometry.</param>
    /// <param name="inputFrom">Smallest input shown.</param>
    /// <param name="inputTo">Largest input shown.</param>
    /// <param name="simulation">A run of the network (typically the spec's own protocol), or null.</param>
    /// <param name="path">PNG file to write.</param>
    /// <param name="markInput">An input to mark with a vertical line (e.g. that of the plane figure), or null.</param>
    /// <param name="title">Figure title.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static void SaveEiFunction(EiBoundaries geometry, double inputFrom, double inputTo, SimulationResult? simulation, string path, double? markInput = null, string? title = null, int width = 1100, int height = 850)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(path);
        var multiplot = BuildEiFunction(geometry, inputFrom, inputTo, simulation, markInput, title);
        PlotOutput.SavePng(multiplot, path, width, height);
    }

    private static Plot BuildRankOne(RankOneGeometry g, double inputFrom, double inputTo, SimulationResult? sim, string? title)
    {
        var pop = g.Population;
        Color colour = RunFigure.ColorOf(pop.Kind);
        var (x0, x1) = RankOneWindow(g, inputFrom, inputTo);
        double[] xs = Grid(x0, x1, g.Envelope.Breakpoints);
        double[] boundary = xs.Select(x => g.Boundary(x).Y).ToArray();
        bool band = pop.Kind == PopulationKind.Inhibitory;

        // The band's lower edge jumps where the forming neuron (and so D(x)) changes: duplicate each breakpoint.
        var bandX = new List<double>();
        var bandTop = new List<double>();
        var bandBottom = new List<double>();
        foreach (double x in xs)
        {
            int piece = g.Envelope.PieceAt(x);
            double y = g.Boundary(x).Y;
            if (piece > 0 && x == g.Envelope.Breakpoints[piece - 1])
            {
                bandX.Add(x);
                bandTop.Add(y);
                bandBottom.Add(y + pop.Decoders[g.Envelope.ActiveLines[piece - 1]]);
            }

            bandX.Add(x);
            bandTop.Add(y);
            bandBottom.Add(y + pop.Decoders[g.Envelope.ActiveLines[piece]]);
        }

        // Vertical window: the geometry (boundary, band, y = 0) decides; a trajectory may widen it by at most the
        // geometry's own span, so an exploding run (Fig. 3c) does not flatten the picture.
        double gLo = Math.Min(0, boundary.Min());
        double gHi = Math.Max(0, boundary.Max());
        if (band)
        {
            gLo = Math.Min(gLo, bandBottom.Min());
        }

        double[]? trajX = null;
        double[]? trajY = null;
        if (sim is not null)
        {
            (trajX, trajY) = Thin(sim.Input(0), sim.Latent(pop.LatentName));
            double span = Math.Max(gHi - gLo, 1e-6);
            gLo = Math.Min(gLo, Math.Max(FiniteMin(trajY), gLo - span));
            gHi = Math.Max(gHi, Math.Min(FiniteMax(trajY), gHi + span));
        }

        var (y0, y1) = Pad(gLo, gHi, 0.08);

        var plot = new Plot();
        var sub = plot.Add.FillY(xs, Filled(xs.Length, y0), boundary);
        Style(sub, Subthreshold, "subthreshold set (all neurons below threshold)");
        var supra = plot.Add.FillY(xs, boundary, Filled(xs.Length, y1));
        Style(supra, colour.WithAlpha(0.1), "suprathreshold set (some neuron above threshold)");
        if (band)
        {
            var fill = plot.Add.FillY(bandX.ToArray(), bandBottom.ToArray(), bandTop.ToArray());
            Style(fill, PrecisionBand, "precision band: boundary + D(x) (reset after a spike)");
        }

        var silent = new HashSet<int>(Enumerable.Range(0, pop.Size).Except(g.BoundaryNeurons));
        for (int i = 0; i < pop.Size; i++)
        {
            var line = plot.Add.Line(x0, g.ThresholdLine(i, x0), x1, g.ThresholdLine(i, x1));
            line.Color = NeuronColour(i, pop.Size).WithAlpha(0.6);
            line.LineWidth = 1.3f;
            line.LinePattern = silent.Contains(i) ? LinePattern.Dotted : LinePattern.Solid;
            if (i == 0)
            {
                line.LegendText = silent.Count == 0
                    ? $"threshold line of each neuron (N = {pop.Size})"
                    : $"threshold line of each neuron (N = {pop.Size}; dotted: {silent.Count} never on the boundary)";
            }
        }

        var b = plot.Add.ScatterLine(xs, boundary);
        b.Color = colour;
        b.LineWidth = 3.5f;
        b.LegendText = $"boundary of {pop.Name} ({Kind(pop)}, {(band ? "stable" : pop.Kind == PopulationKind.Excitatory ? "unstable" : "unsigned")})";

        var zero = plot.Add.HorizontalLine(0, 1.2f, Colors.Black.WithAlpha(0.6), LinePattern.Dashed);
        zero.LegendText = $"{pop.LatentName} = 0";

        if (trajX is not null && trajY is not null)
        {
            var t = plot.Add.ScatterLine(trajX, Clip(trajY, y0, y1));
            t.Color = Trajectory;
            t.LineWidth = 1.1f;
            t.LegendText = TrajectoryLabel(sim!, $"simulation (x(t), {pop.LatentName}(t))");
            var start = plot.Add.Marker(trajX[0], Math.Clamp(trajY[0], y0, y1), MarkerShape.FilledCircle, 8, Colors.Black);
            start.LegendText = "simulation start";
        }

        plot.Title(title ?? $"population {pop.Name} ({Kind(pop)}, N = {pop.Size}) in input-output space");
        plot.XLabel("input x");
        plot.YLabel($"latent {pop.LatentName}");
        plot.Axes.SetLimits(x0, x1, y0, y1);
        BottomLegend(plot);
        return plot;
    }

    private static Plot BuildEiPlane(EiBoundaries g, double x, SimulationResult? sim, string? title)
    {
        var be = g.Boundary(PopulationKind.Excitatory, x);
        var bi = g.Boundary(PopulationKind.Inhibitory, x);
        var crossings = g.Crossings(x).Where(c => c.Reachable).ToArray();
        var operating = g.Crossing(x);

        double[]? trajE = null;
        double[]? trajI = null;
        if (sim is not null)
        {
            (trajE, trajI) = Thin(sim.Latent(g.ExcitatoryLatent), sim.Latent(g.InhibitoryLatent));
            trajI = trajI.Select(v => -v).ToArray();
        }

        // Window: the origin, room around the crossing (twice its y_E, 1.6 times its |y_I|) and the trajectory.
        double eHi = 0;
        double aHi = 0;
        foreach (var c in crossings)
        {
            eHi = Math.Max(eHi, 2 * c.YE);
            aHi = Math.Max(aHi, 1.6 * -c.YI);
        }

        if (trajE is not null && trajI is not null)
        {
            eHi = Math.Max(eHi, 1.05 * FiniteMax(trajE));
            aHi = Math.Max(aHi, 1.05 * FiniteMax(trajI));
        }

        if (!(eHi > 0))
        {
            eHi = 1;
        }

        if (!(aHi > 0))
        {
            // No crossing and no run: show where the boundaries meet the window's left edge.
            aHi = 1.2 * Math.Max(1e-3, Math.Max(-be.Evaluate(0), -bi.Evaluate(0)));
        }

        double[] ye = Grid(0, eHi, be.Breakpoints.Concat(bi.Breakpoints).Concat(crossings.Select(c => c.YE)));
        double[] ue = ye.Select(v => -be.Evaluate(v)).ToArray();
        double[] ui = ye.Select(v => -bi.Evaluate(v)).ToArray();
        double[] lo = ue.Zip(ui, (a, b) => Math.Clamp(Math.Min(a, b), 0, aHi)).ToArray();
        double[] hi = ue.Zip(ui, (a, b) => Math.Clamp(Math.Max(a, b), 0, aHi)).ToArray();
        // E alone is suprathreshold between the I curve and a higher E curve, I alone in the opposite case; elsewhere
        // these fills collapse to zero height. Crossings are grid points, so the switch is exact.
        double[] eTop = ue.Zip(ui, (a, b) => Math.Clamp(a > b ? a : Math.Min(a, b), 0, aHi)).ToArray();
        double[] iTop = ue.Zip(ui, (a, b) => Math.Clamp(b > a ? b : Math.Min(a, b), 0, aHi)).ToArray();

        var plot = new Plot();
        Style(plot.Add.FillY(ye, hi, Filled(ye.Length, aHi)), Subthreshold.WithAlpha(0.3), "E and I subthreshold");
        Style(plot.Add.FillY(ye, lo, eTop), RunFigure.Excitatory.WithAlpha(0.16), "E suprathreshold, I subthreshold");
        Style(plot.Add.FillY(ye, lo, iTop), RunFigure.Inhibitory.WithAlpha(0.16), "I suprathreshold, E subthreshold");
        Style(plot.Add.FillY(ye, Filled(ye.Length, 0), lo), BothSuprathreshold.WithAlpha(0.16), "E and I suprathreshold (I fires first)");

        foreach (var kind in new[] { PopulationKind.Excitatory, PopulationKind.Inhibitory })
        {
            var pop = g.PopulationOf(kind);
            for (int n = 0; n < pop.Size; n++)
            {
                var line = plot.Add.Line(0, -g.ThresholdLine(kind, n, x, 0), eHi, -g.ThresholdLine(kind, n, x, eHi));
                line.Color = RunFigure.ColorOf(kind).WithAlpha(0.35);
                line.LineWidth = 1.2f;
                if (n == 0)
                {
                    line.LegendText = $"threshold line of each {Kind(pop)} neuron (N = {pop.Size})";
                }
            }
        }

        var eLine = plot.Add.ScatterLine(ye, ue);
        eLine.Color = RunFigure.Excitatory;
        eLine.LineWidth = 3.5f;
        eLine.LegendText = $"E boundary ({g.Excitatory.Name}: most depolarised E neuron at threshold)";
        var iLine = plot.Add.ScatterLine(ye, ui);
        iLine.Color = RunFigure.Inhibitory;
        iLine.LineWidth = 3.5f;
        iLine.LegendText = $"I boundary ({g.Inhibitory.Name}: most depolarised I neuron at threshold)";

        if (trajE is not null && trajI is not null)
        {
            // Thin and translucent: a long run circles the crossing many times and would hide it under solid ink.
            var t = plot.Add.ScatterLine(trajE, trajI);
            t.Color = Colors.Black.WithAlpha(0.45);
            t.LineWidth = 0.8f;
            t.LegendText = TrajectoryLabel(sim!, $"simulation at constant x = {Num(x)}");
            var start = plot.Add.Marker(trajE[0], trajI[0], MarkerShape.OpenCircle, 9, Colors.Black);
            start.LegendText = "simulation start";
        }

        foreach (var c in crossings)
        {
            bool isOperating = operating is not null && c == operating;
            var m = plot.Add.Marker(c.YE, -c.YI, MarkerShape.FilledCircle, 14, c.Stable ? CrossingColour : Colors.White);
            m.MarkerLineColor = Colors.Black;
            m.MarkerLineWidth = 2f;
            m.LegendText = $"{(c.Stable ? "stable" : "unstable")} crossing ({g.ExcitatoryLatent}*, |{g.InhibitoryLatent}*|) = ({Num(c.YE)}, {Num(-c.YI)})"
                           + (isOperating ? $": E neuron {c.ExcitatoryNeuron}, I neuron {c.InhibitoryNeuron}" : string.Empty);
        }

        plot.Title(title ?? $"E and I boundaries at x = {Num(x)}");
        plot.XLabel($"latent {g.ExcitatoryLatent}");
        plot.YLabel($"|{g.InhibitoryLatent}| (magnitude of latent {g.InhibitoryLatent})");
        // A small margin below zero keeps the origin, where a run starts, and a trajectory along an axis visible.
        plot.Axes.SetLimits(-0.03 * eHi, eHi, -0.03 * aHi, aHi);
        BottomLegend(plot);
        return plot;
    }

    private static Multiplot BuildEiFunction(EiBoundaries g, double inputFrom, double inputTo, SimulationResult? sim, double? mark, string? title)
    {
        double lo = Math.Min(inputFrom, inputTo);
        double hi = Math.Max(inputFrom, inputTo);
        if (mark is { } m0)
        {
            lo = Math.Min(lo, m0);
            hi = Math.Max(hi, m0);
        }

        if (!(hi > lo))
        {
            (lo, hi) = (lo - 1, hi + 1);
        }

        var curve = g.CrossingCurve(lo, hi, 1001);
        double[]? simX = null;
        double[]? simE = null;
        double[]? simI = null;
        if (sim is not null)
        {
            (simX, simE) = Thin(sim.Input(0), sim.Latent(g.ExcitatoryLatent));
            (_, simI) = Thin(sim.Input(0), sim.Latent(g.InhibitoryLatent));
        }

        var mp = new Multiplot();
        mp.AddPlots(2);
        var top = mp.GetPlot(0);
        var bottom = mp.GetPlot(1);
        Panel(top, curve.X, curve.YE, simX, simE, RunFigure.Excitatory, g.ExcitatoryLatent, sim);
        Panel(bottom, curve.X, curve.YI, simX, simI, RunFigure.Inhibitory, g.InhibitoryLatent, sim);
        // Where the pair of E and I neurons forming the crossing changes (Fig. 5c-d), to the grid's resolution.
        bool labelled = false;
        for (int k = 1; k < curve.X.Length; k++)
        {
            bool changed = curve.ExcitatoryNeuron[k] != curve.ExcitatoryNeuron[k - 1] || curve.InhibitoryNeuron[k] != curve.InhibitoryNeuron[k - 1];
            if (!changed || curve.ExcitatoryNeuron[k] < 0 || curve.ExcitatoryNeuron[k - 1] < 0)
            {
                continue;
            }

            double at = 0.5 * (curve.X[k] + curve.X[k - 1]);
            foreach (var p in new[] { top, bottom })
            {
                var v = p.Add.VerticalLine(at, 1f, Colors.Gray.WithAlpha(0.6), LinePattern.Dotted);
                if (!labelled)
                {
                    v.LegendText = "the E-I neuron pair forming the crossing changes";
                }
            }

            labelled = true;
        }

        if (mark is { } m)
        {
            foreach (var p in new[] { top, bottom })
            {
                var v = p.Add.VerticalLine(m, 1.2f, Colors.Black.WithAlpha(0.5), LinePattern.Dashed);
                v.LegendText = $"x = {Num(m)} of the E-I plane figure";
            }
        }

        top.Title(title ?? "E-I crossing point as a function of the input");
        bottom.XLabel("input x");
        var (x0, x1) = Pad(lo, hi, 0.03);
        foreach (var p in new[] { top, bottom })
        {
            p.Axes.SetLimitsX(x0, x1);
            p.ShowLegend(Alignment.UpperRight);
        }

        return mp;
    }

    private static void Panel(Plot plot, double[] xs, double[] ys, double[]? simX, double[]? simY, Color colour, string latent, SimulationResult? sim)
    {
        if (simX is not null && simY is not null)
        {
            var s = plot.Add.ScatterLine(simX, simY);
            s.Color = colour.WithAlpha(0.45);
            s.LineWidth = 1f;
            s.LegendText = TrajectoryLabel(sim!, $"simulation ({latent}(t) against x(t))");
        }

        bool first = true;
        foreach (var (sx, sy) in Segments(xs, ys))
        {
            var c = plot.Add.ScatterLine(sx, sy);
            c.Color = Colors.Black;
            c.LineWidth = 2.5f;
            c.LinePattern = LinePattern.Dashed;
            if (first)
            {
                c.LegendText = $"crossing {latent}*(x) of the two boundaries";
                first = false;
            }
        }

        plot.YLabel($"latent {latent}");
    }

    /// <summary>A legend below the data area, in two columns.</summary>
    private static void BottomLegend(Plot plot)
    {
        // ScottPlot sizes an edge legend from a standalone render that may use more columns than fit under the
        // plot, and then drops the items that do not fit: reserve room for two columns explicitly.
        var panel = plot.ShowLegend(Edge.Bottom);
        int items = plot.GetPlottables().Sum(p => p.LegendItems.Count(i => !string.IsNullOrEmpty(i.LabelText)));
        panel.MinimumSize = (((items + 1) / 2) * 22f) + 40f;
    }

    /// <summary>Splits a curve at NaN values into contiguous finite segments (ScottPlot would join across gaps).</summary>
    private static IEnumerable<(double[] X, double[] Y)> Segments(double[] xs, double[] ys)
    {
        int start = -1;
        for (int k = 0; k <= ys.Length; k++)
        {
            bool ok = k < ys.Length && double.IsFinite(ys[k]);
            if (ok && start < 0)
            {
                start = k;
            }
            else if (!ok && start >= 0)
            {
                yield return (xs[start..k], ys[start..k]);
                start = -1;
            }
        }
    }

    private static string TrajectoryLabel(SimulationResult sim, string what) =>
        sim.Status == SimulationStatus.Exploded
            ? $"{what}, exploded at t = {Num(sim.SimulatedDuration)} τ"
            : $"{what}, 0-{Num(sim.SimulatedDuration)} τ";

    private static void Style(ScottPlot.Plottables.FillY fill, Color colour, string label)
    {
        fill.FillColor = colour;
        fill.LineWidth = 0;
        fill.LegendText = label;
    }

    /// <summary>Evenly spaced points on [lo, hi] plus the given extra points inside it (breakpoints, crossings), sorted.</summary>
    private static double[] Grid(double lo, double hi, IEnumerable<double> extra)
    {
        var pts = new List<double>(GridPoints + 16);
        for (int k = 0; k < GridPoints; k++)
        {
            pts.Add(lo + ((hi - lo) * k / (GridPoints - 1)));
        }

        pts.AddRange(extra.Where(v => v > lo && v < hi));
        return pts.Order().Distinct().ToArray();
    }

    private static (double[] A, double[] B) Thin(double[] a, double[] b)
    {
        if (a.Length <= MaxTrajectoryPoints)
        {
            return (a, b);
        }

        int stride = (a.Length + MaxTrajectoryPoints - 1) / MaxTrajectoryPoints;
        var idx = Enumerable.Range(0, (a.Length + stride - 1) / stride).Select(k => k * stride).Append(a.Length - 1).Distinct().ToArray();
        return (idx.Select(k => a[k]).ToArray(), idx.Select(k => b[k]).ToArray());
    }

    private static double[] Clip(double[] v, double lo, double hi)
    {
        // Keep an exploding latent drawn up to the edge of the window rather than as a line towards 10^6.
        double margin = 0.5 * (hi - lo);
        return v.Select(y => Math.Clamp(double.IsFinite(y) ? y : hi + margin, lo - margin, hi + margin)).ToArray();
    }

    private static double FiniteMin(double[] v) => v.Where(double.IsFinite).DefaultIfEmpty(0).Min();

    private static double FiniteMax(double[] v) => v.Where(double.IsFinite).DefaultIfEmpty(0).Max();

    private static double[] Filled(int n, double value) => Enumerable.Repeat(value, n).ToArray();

    private static (double, double) Pad(double lo, double hi, double fraction)
    {
        if (!(hi > lo))
        {
            return (lo - 1, hi + 1);
        }

        double pad = fraction * (hi - lo);
        return (lo - pad, hi + pad);
    }

    private static Color NeuronColour(int neuron, int count)
    {
        // Distinct hues across the population (Fig. 2b colours each neuron), avoiding the palest ends of the map.
        var map = new ScottPlot.Colormaps.Turbo();
        return map.GetColor(count <= 1 ? 0.5 : 0.08 + (0.84 * neuron / (count - 1)));
    }

    private static string Kind(LatentSpikes.Model.Population pop) => pop.Kind.ToString().ToLowerInvariant();

    private static string Num(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
