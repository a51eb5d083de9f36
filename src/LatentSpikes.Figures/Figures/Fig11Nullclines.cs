using LatentSpikes.Geometry;
using LatentSpikes.Model;
using LatentSpikes.Plotting;
using LatentSpikes.Rate;
using ScottPlot;

namespace LatentSpikes.Figures.Figures;

/// <summary>
/// Fig. 11a-b and e: the rank-2 E-I rate twin (examples/fig11-ei-nullclines.yaml: N_E = N_I = 50, τ_s = τ, x = 2).
/// Slices of the drift show the stable inhibitory and the unstable excitatory soft boundary (a-b, each a sigmoid
/// plus leak); the E and I nullclines (<see cref="EiNullclines"/>) approach the spiking network's hard boundaries
/// (dotted) as β grows (e), and their crossing, a stable fixed point, moves onto the spiking boundary crossing
/// (2, −3.5). The rate twin (<see cref="RateEngine"/>) started away from it settles there.
/// </summary>
public sealed class Fig11Nullclines : IFigure
{
    /// <summary>The constant input of the example.</summary>
    public const double X = 2.0;

    /// <summary>The β values drawn in panel e (the paper's three).</summary>
    public static readonly double[] DrawnBetas = [1, 3, 10];

    /// <summary>The β values of the convergence claim (each ten times the previous).</summary>
    public static readonly double[] ClaimBetas = [10, 100, 1000];

    /// <summary>Where the rate twin starts (ȳ_E, ȳ_I): off both nullclines, below the crossing.</summary>
    public static readonly (double YE, double YI) TwinStart = (1.0, -2.0);

    /// <inheritdoc/>
    public string Id => "11";

    /// <inheritdoc/>
    public string Title => "Dynamics of the rank-2 E-I network with soft boundaries";

    /// <inheritdoc/>
    public IReadOnlyList<PendingClaim> Pending => [];

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var exp = FigureKit.Example("fig11-ei-nullclines.yaml").Experiment;
        double dt = exp.Settings.Dt;
        int points = context.Pick(2001, 401);
        var spec = new EiNullclines(exp.Network, dt);
        var geometry = spec.Geometry;
        var crossing = geometry.Crossing(X) ?? throw new InvalidOperationException($"Fig. 11: the spiking boundaries do not cross at x = {X}");
        // Every β once (β = 10 is both drawn and claimed), in increasing order.
        var all = DrawnBetas.Union(ClaimBetas).Order().Select(b => new EiNullclines(exp.Network, dt, b, b).Compute(X, points)).ToArray();
        var drawn = all.Where(set => DrawnBetas.Contains(set.BetaE)).ToArray();
        var converging = all.Where(set => ClaimBetas.Contains(set.BetaE)).ToArray();
        context.Report(0.7);

        var twinExp = FigureKit.Rebuild(exp, name: exp.Name + "-twin", initial: new Dictionary<string, double>
        {
            [geometry.ExcitatoryLatent] = TwinStart.YE,
            [geometry.InhibitoryLatent] = TwinStart.YI,
        });
        var twin = new RateEngine().Run(twinExp, cancellationToken: context.CancellationToken);
        if (twin.Status != Simulation.SimulationStatus.Completed)
        {
            throw new InvalidOperationException($"Fig. 11: the rate twin did not complete: {twin.StatusDetail}");
        }

        double[] twinE = twin.Latent(geometry.ExcitatoryLatent);
        double[] twinI = twin.Latent(geometry.InhibitoryLatent);
        var own = all.FirstOrDefault(set => set.BetaE == spec.BetaE && set.BetaI == spec.BetaI) ?? spec.Compute(X, points);
        context.Report(0.9);

        FigureKit.WriteSpec(context, "spec.yaml", exp, "examples/fig11-ei-nullclines.yaml");
        FigureKit.WriteSpec(context, "spec-twin.yaml", twinExp, $"examples/fig11-ei-nullclines.yaml started at ({TwinStart.YE}, {TwinStart.YI}), run with --engine rate");
        FigureKit.WriteCsv(context, "panel-e-nullclines.csv",
            ["y_E", .. all.SelectMany(s => new[] { $"y_I_inhibitory_nullcline_beta{s.BetaE:0}", $"y_I_excitatory_nullcline_beta{s.BetaE:0}" })],
            [all[0].YE, .. all.SelectMany(s => new[] { s.InhibitoryNullcline, s.ExcitatoryNullcline })]);
        FigureKit.WriteCsv(context, "fixed-points.csv", ["beta", "y_E", "y_I", "eig1_real", "eig1_imag", "eig2_real", "eig2_imag", "stable", "distance_to_crossing"],
        [
            all.Select(s => s.BetaE).ToArray(),
            all.Select(s => Only(s).YE).ToArray(),
            all.Select(s => Only(s).YI).ToArray(),
            all.Select(s => Only(s).Eigenvalue1.Real).ToArray(),
            all.Select(s => Only(s).Eigenvalue1.Imaginary).ToArray(),
            all.Select(s => Only(s).Eigenvalue2.Real).ToArray(),
            all.Select(s => Only(s).Eigenvalue2.Imaginary).ToArray(),
            all.Select(s => Only(s).Kind == FixedPointKind.Stable ? 1.0 : 0.0).ToArray(),
            all.Select(s => Distance(Only(s), crossing)).ToArray(),
        ]);
        FigureKit.WriteCsv(context, "twin-trajectory.csv", ["time", "y_E", "y_I"], [twin.Times, twinE, twinI]);
        Draw(context, spec, geometry, crossing, drawn, converging, twin.Times, twinE, twinI);

        // The fixed point sits where each population's sigmoids are partly on, σ = |ȳ|·τ_s/Σ|D| (0.28 for I, 0.32
        // for E), i.e. about |logit σ|/β ≈ 1/β from threshold in voltage; the encoders (≥ 1) keep that within ≈ 1/β in
        // each latent, so 3/β bounds the distance (the norm of two such offsets, with margin) — NullclineTests.
        var claims = new List<ClaimResult>();
        double previous = double.PositiveInfinity;
        bool shrinking = true;
        foreach (var set in converging)
        {
            double distance = set.FixedPoints.Count == 1 ? Distance(set.FixedPoints[0], crossing) : double.NaN;
            shrinking &= distance < previous;
            previous = distance;
            claims.Add(ClaimResult.AtMost(Id, "e", $"β = {set.BetaE:0}: the nullclines cross in one fixed point, at distance from the spiking crossing ({crossing.YE:0.##}, {crossing.YI:0.##})", distance, 3 / set.BetaE, "3/β: each latent ≈ 1/β from threshold", "0.####"));
        }

        claims.Add(new ClaimResult(Id, "e", "As β grows tenfold the fixed point moves closer to the spiking crossing every time (the nullclines approach the hard boundaries)",
            string.Join(" → ", converging.Select(s => ClaimResult.Fmt(Distance(Only(s), crossing), "0.####"))), "strictly decreasing", shrinking));
        var kinds = all.Select(s => s.FixedPoints.Count == 1 ? s.FixedPoints[0].Kind.ToString() : $"{s.FixedPoints.Count} fixed points").ToArray();
        claims.Add(new ClaimResult(Id, "c-e", $"The fixed point is stable, like the spiking crossing (the I boundary is the steeper one), for β = {string.Join(", ", all.Select(s => ClaimResult.Fmt(s.BetaE)))}",
            string.Join(", ", kinds), "Stable for every β (both Jacobian eigenvalues with negative real part)", kinds.All(k => k == nameof(FixedPointKind.Stable))));

        // Near the fixed point the twin's distance to it decays as e^(Re λ·t), Re λ the slower eigenvalue's real part
        // (−5.3 at β = 10, a stable focus): after 20 τ the start's offset (≈ 1.8) is gone many times over, and 10⁻³
        // leaves room only for the integration's bias (RK4 keeps the fixed point of the equations exactly).
        var target = Only(own);
        double settled = Math.Sqrt(Math.Pow(twinE[^1] - target.YE, 2) + Math.Pow(twinI[^1] - target.YI, 2));
        double rate = Math.Max(target.Eigenvalue1.Real, target.Eigenvalue2.Real);
        claims.Add(ClaimResult.AtMost(Id, "e", $"The rate twin started at ({TwinStart.YE}, {TwinStart.YI}) settles at the β = {own.BetaE:0} fixed point ({target.YE:0.###}, {target.YI:0.###}): distance at {exp.Settings.Duration} τ", settled, 1e-3,
            $"the offset decays as e^(Re λ·t), Re λ = {rate:0.#}", "G3"));
        return claims;
    }

    private static RateFixedPoint Only(NullclineSet set) =>
        set.FixedPoints.Count == 1 ? set.FixedPoints[0] : new RateFixedPoint(double.NaN, double.NaN, default, default, FixedPointKind.Marginal, double.NaN);

    private static double Distance(RateFixedPoint p, EiCrossing c) => Math.Sqrt(Math.Pow(p.YE - c.YE, 2) + Math.Pow(p.YI - c.YI, 2));

    private static void Draw(FigureContext context, EiNullclines spec, EiBoundaries geometry, EiCrossing crossing, NullclineSet[] drawn, NullclineSet[] converging, IReadOnlyList<double> times, double[] twinE, double[] twinI)
    {
        var (mp, panels) = FigureKit.Grid(2, 2);

        // a-b: slices through the crossing, each drift a sigmoid plus leak (|ȳ_I| for I, as the paper plots it).
        double[] yi = FigureKit.Linspace(0, 7, 600);
        FigureKit.Line(panels[0], yi, yi.Select(a => -spec.Derivative(X, crossing.YE, -a).DyI).ToArray(), RunFigure.Inhibitory, $"d|ȳ_I|/dt at ȳ_E = {crossing.YE:0.##}", 2f);
        FigureKit.Line(panels[0], yi, yi.Select(a => -a).ToArray(), Colors.Gray, "leak", 1f, LinePattern.Dashed);
        panels[0].Add.HorizontalLine(0).Color = Colors.Gray.WithAlpha(0.4);
        panels[0].ShowLegend(Alignment.LowerLeft);
        FigureKit.Panel(panels[0], "a", $"Stable inhibitory soft boundary (β = {spec.BetaI:0})", "|ȳ_I|", "d|ȳ_I|/dt");
        double[] ye = FigureKit.Linspace(0, 7, 600);
        FigureKit.Line(panels[1], ye, ye.Select(e => spec.Derivative(X, e, crossing.YI).DyE).ToArray(), RunFigure.Excitatory, $"dȳ_E/dt at ȳ_I = {crossing.YI:0.##}", 2f);
        FigureKit.Line(panels[1], ye, ye.Select(e => -e).ToArray(), Colors.Gray, "leak", 1f, LinePattern.Dashed);
        panels[1].Add.HorizontalLine(0).Color = Colors.Gray.WithAlpha(0.4);
        panels[1].ShowLegend(Alignment.LowerLeft);
        FigureKit.Panel(panels[1], "b", $"Unstable excitatory soft boundary (β = {spec.BetaE:0})", "ȳ_E", "dȳ_E/dt");

        // e: nullclines per β, the hard boundaries dotted.
        var plane = panels[2];
        double[] grid = FigureKit.Linspace(0, 6, 400);
        foreach (var kind in new[] { PopulationKind.Inhibitory, PopulationKind.Excitatory })
        {
            var hard = geometry.Boundary(kind, X);
            FigureKit.Line(plane, grid, grid.Select(e => -hard.Evaluate(e)).ToArray(), Colors.Black, $"{geometry.PopulationOf(kind).Name} spiking boundary", 1.5f, LinePattern.Dotted);
        }

        for (int s = 0; s < drawn.Length; s++)
        {
            var set = drawn[s];
            double alpha = 1.0 - (0.3 * s);
            FigureKit.Line(plane, set.YE, set.InhibitoryNullcline.Select(v => -v).ToArray(), RunFigure.Inhibitory.WithAlpha(alpha), $"I nullcline, β = {set.BetaE:0}", 1.8f);
            FigureKit.Line(plane, set.YE, set.ExcitatoryNullcline.Select(v => -v).ToArray(), RunFigure.Excitatory.WithAlpha(alpha), $"E nullcline, β = {set.BetaE:0}", 1.8f);
            foreach (var p in set.FixedPoints)
            {
                plane.Add.Marker(p.YE, -p.YI, p.Kind == FixedPointKind.Stable ? MarkerShape.FilledCircle : MarkerShape.OpenCircle, 8, Colors.Black.WithAlpha(alpha));
            }
        }

        plane.Axes.SetLimits(0, 6, 0, 10);
        plane.ShowLegend(Alignment.UpperLeft);
        FigureKit.Panel(plane, "e", $"Nullclines approach the spiking boundaries as β grows (x = {X})", "ȳ_E", "|ȳ_I|");

        // Convergence, and the rate twin's path to the fixed point.
        var panel = panels[3];
        var own = drawn.Concat(converging).FirstOrDefault(s => s.BetaE == spec.BetaE) ?? spec.Compute(X, drawn[0].YE.Length);
        FigureKit.Line(panel, own.YE, own.InhibitoryNullcline.Select(v => -v).ToArray(), RunFigure.Inhibitory.WithAlpha(0.6), $"I nullcline, β = {spec.BetaE:0}", 1.2f);
        FigureKit.Line(panel, own.YE, own.ExcitatoryNullcline.Select(v => -v).ToArray(), RunFigure.Excitatory.WithAlpha(0.6), $"E nullcline, β = {spec.BetaE:0}", 1.2f);
        FigureKit.Line(panel, twinE, twinI.Select(v => -v).ToArray(), GeometryFigure.Trajectory, $"rate twin from ({TwinStart.YE}, {-TwinStart.YI})", 2f);
        var start = panel.Add.Marker(TwinStart.YE, -TwinStart.YI, MarkerShape.OpenSquare, 9, Colors.Black);
        start.LegendText = "start";
        var end = panel.Add.Marker(crossing.YE, -crossing.YI, MarkerShape.Cross, 10, Colors.Black);
        end.LegendText = "spiking crossing";
        panel.Axes.SetLimits(0.5, 3, 1.5, 5);
        panel.ShowLegend(Alignment.UpperLeft);
        FigureKit.Panel(panel, "e, twin", $"The rate twin settles at the fixed point (t ≤ {times[^1]:0} τ)", "ȳ_E", "|ȳ_I|");
        FigureKit.Save(context, mp, "fig11", 1400, 1100);
    }
}
