using LatentSpikes.Analysis;
using LatentSpikes.Construction;
using LatentSpikes.Geometry;
using LatentSpikes.Inputs;
using LatentSpikes.Plotting;
using LatentSpikes.Rate;
using LatentSpikes.Simulation;
using ScottPlot;

namespace LatentSpikes.Figures.Figures;

/// <summary>
/// Beyond the paper, latent dynamics (issue 16), figure D1: a bistable switch from multiple boundary crossings, the
/// paper's own suggestion (§2.6, "not explored here"). A rank-2 E-I network (<see cref="BistableSwitch"/>, example
/// examples/bistable-switch.yaml) whose boundaries cross three times at x = 0 holds either stable state, flips up and
/// down as x ramps past the designed inputs (hysteresis), and is kicked over the barrier by noise at a rate that grows
/// with σ. The integrator and oscillator of the issue need the dynamics compiler and are listed as pending.
/// </summary>
public sealed class FigD1BistableSwitch : IFigure
{
    /// <summary>Held time (τ) over which each state must stay put.</summary>
    public const double Hold = 60;

    /// <summary>Censoring horizon (τ) of the escape-time trials.</summary>
    public const double EscapeHorizon = 40;

    private static readonly double[] FullSigmas = [0.03, 0.05, 0.08, 0.12, 0.15];
    private static readonly double[] QuickSigmas = [0.05, 0.15];

    /// <inheritdoc/>
    public string Id => "D1";

    /// <inheritdoc/>
    public string Title => "Latent dynamics: a bistable switch from three boundary crossings";

    /// <inheritdoc/>
    public IReadOnlyList<PendingClaim> Pending =>
    [
        new(Id, "—", "An integrator (line attractor over a bounded range) drifts less than the bound the docs derive, reported against neurons used", "the dynamics compiler of issue 16 (dz/dt = g(z, x) as the static map z + τ_s·g at the crossing, over composition graphs)"),
        new(Id, "—", "A Hopf limit-cycle oscillator keeps its period within 10 % and amplitude within 15 % of target over ≥ 20 cycles", "the dynamics compiler of issue 16 with 2-D latents"),
    ];

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sw = BistableSwitch.Build(new BistableSwitchDesign());
        var g = EiBoundaries.Create(sw.Network);
        FigureKit.WriteSpec(context, "spec.yaml", sw.Experiment(new ConstantSignal(0), Hold), "BistableSwitch.Build(new BistableSwitchDesign()) = examples/bistable-switch.yaml");

        // a-b: the three crossings, and each stable state held without noise.
        var crossings = g.Crossings(0).Where(c => c.Reachable).OrderBy(c => c.YE).ToArray();
        var low = FigureKit.Simulate(sw.Experiment(new ConstantSignal(0), Hold));
        var high = FigureKit.Simulate(sw.Experiment(new ConstantSignal(0), Hold, startHigh: true));
        context.Report(0.2);
        var twin = new EiNullclines(sw.Network, dt: 0.001, betaE: 200, betaI: 200).Compute(0, points: 4001, yEMin: 0.01, yEMax: 2.5);
        double Worst(SimulationResult run, double target)
        {
            var yE = run.Latent("y_E");
            return Enumerable.Range(0, yE.Length).Where(r => run.Times[r] >= 5).Max(r => Math.Abs(yE[r] - target));
        }

        double heldLow = Worst(low, sw.Design.Low);
        double heldHigh = Worst(high, sw.Design.High);
        FigureKit.WriteCsv(context, "panel-b-held.csv", ["time", "yE_low_start", "yE_high_start"], [low.Times, low.Latent("y_E"), high.Latent("y_E")]);

        // c: hysteresis over a slow ramp, against the crossing branches of the geometry.
        var loop = SwitchProtocols.Hysteresis(sw, sweep: context.Pick(200.0, 100.0));
        context.Report(0.5);
        double[] xs = FigureKit.Linspace(1.8 * sw.SwitchDown, 1.8 * sw.SwitchUp, 361);
        var branches = xs.Select(x => g.Crossings(x).Where(c => c.Reachable).OrderBy(c => c.YE).ToArray()).ToArray();
        FigureKit.WriteCsv(context, "panel-c-ramp.csv", ["time", "x", "yE"], [loop.Run.Times, loop.Run.Input(0), loop.Run.Latent("y_E")]);

        // d: noise-driven escape from the low state near the switching input.
        double xEscape = 0.8 * sw.SwitchUp;
        double[] sigmas = context.Pick(FullSigmas, QuickSigmas);
        int trials = context.Pick(24, 8);
        var rates = sigmas.Select(sigma =>
        {
            var noisy = BistableSwitch.Build(sw.Design with { Noise = sigma });
            return SwitchProtocols.EscapeRate(SwitchProtocols.EscapeTimes(noisy, xEscape, EscapeHorizon, trials, context.Threads), EscapeHorizon);
        }).ToArray();
        var quiet = SwitchProtocols.EscapeTimes(sw, xEscape, EscapeHorizon, 2, context.Threads);
        FigureKit.WriteCsv(context, "panel-d-escape.csv", ["sigma", "escape_rate_per_tau"], [sigmas, rates]);
        context.Report(0.9);

        var (mp, panels) = FigureKit.Grid(2, 2);
        EiPanels.Plane(panels[0], g, 0, 0, 2.2);
        foreach (var c in crossings)
        {
            var m = panels[0].Add.Marker(c.YE, -c.YI, MarkerShape.OpenCircle, 14, c.Stable ? Colors.Black : Colors.Gray);
            m.LegendText = $"{(c.Stable ? "stable" : "unstable")} crossing y_E* = {c.YE:0.##}";
        }

        EiPanels.Trajectory(panels[0], low, g, 5, 7, "low state (x = 0)");
        EiPanels.Trajectory(panels[0], high, g, 5, 7, "high state (x = 0)");
        panels[0].Axes.SetLimits(0, 2.2, 2, 12);
        panels[0].ShowLegend(Alignment.UpperLeft);
        FigureKit.Panel(panels[0], "a", "Three crossings at x = 0: stable, unstable, stable", "excitatory latent y_E", "inhibitory latent |y_I|");

        FigureKit.Line(panels[1], low.Times, low.Latent("y_E"), RunFigure.Excitatory, "started low");
        FigureKit.Line(panels[1], high.Times, high.Latent("y_E"), RunFigure.Excitatory.WithAlpha(0.5), "started high");
        foreach (var (yE, _) in sw.Crossings)
        {
            panels[1].Add.HorizontalLine(yE, 1, Colors.Gray, LinePattern.Dashed);
        }

        panels[1].ShowLegend(Alignment.UpperRight);
        FigureKit.Panel(panels[1], "b", $"Either state holds for {Hold:0} τ without noise", "time (τ)", "y_E");

        var stable = new List<(double X, double Y)>();
        var unstable = new List<(double X, double Y)>();
        for (int i = 0; i < xs.Length; i++)
        {
            foreach (var c in branches[i])
            {
                (c.Stable ? stable : unstable).Add((xs[i], c.YE));
            }
        }

        var st = panels[2].Add.ScatterPoints(stable.Select(p => p.X).ToArray(), stable.Select(p => p.Y).ToArray(), Colors.Black);
        st.MarkerSize = 3;
        st.LegendText = "stable crossings";
        var un = panels[2].Add.ScatterPoints(unstable.Select(p => p.X).ToArray(), unstable.Select(p => p.Y).ToArray(), Colors.Gray);
        un.MarkerSize = 3;
        un.LegendText = "unstable crossing (barrier)";
        var upLeg = Enumerable.Range(0, loop.Run.Times.Count).Where(r => loop.Run.Times[r] <= loop.UpwardEnd).ToArray();
        var downLeg = Enumerable.Range(0, loop.Run.Times.Count).Where(r => loop.Run.Times[r] > loop.UpwardEnd).ToArray();
        var x0 = loop.Run.Input(0);
        var y0 = loop.Run.Latent("y_E");
        FigureKit.Line(panels[2], upLeg.Select(r => x0[r]).ToArray(), upLeg.Select(r => y0[r]).ToArray(), RunFigure.Excitatory, "x ramping up");
        FigureKit.Line(panels[2], downLeg.Select(r => x0[r]).ToArray(), downLeg.Select(r => y0[r]).ToArray(), RunFigure.Inhibitory, "x ramping down");
        panels[2].Add.VerticalLine(sw.SwitchUp, 1, Colors.Gray, LinePattern.Dotted);
        panels[2].Add.VerticalLine(sw.SwitchDown, 1, Colors.Gray, LinePattern.Dotted);
        panels[2].ShowLegend(Alignment.UpperLeft);
        FigureKit.Panel(panels[2], "c", $"Hysteresis: up at x = {loop.Up:0.###} (design {sw.SwitchUp:0.###}), down at {loop.Down:0.###} ({sw.SwitchDown:0.###})", "input x", "y_E");

        var rs = panels[3].Add.Scatter(sigmas, rates.Select(r => Math.Log10(Math.Max(r, 1e-3))).ToArray(), RunFigure.Excitatory);
        rs.LegendText = $"escape rate at x = {xEscape:0.##} ({trials} trials of {EscapeHorizon:0} τ)";
        panels[3].ShowLegend(Alignment.UpperLeft);
        FigureKit.Panel(panels[3], "d", "Noise kicks the low state over the barrier", "noise σ", "log₁₀ escape rate (per τ)");
        FigureKit.Save(context, mp, "figD1", 1400, 1000);

        double slack = sw.Design.Slope * sw.Design.Precision / sw.Design.Gain;
        var kinds = twin.FixedPoints.OrderBy(p => p.YE).Select(p => p.Kind).ToArray();
        return
        [
            new ClaimResult(Id, "a", "At x = 0 the E and I boundaries cross three times, stable-unstable-stable by eq. 2.41", string.Join(", ", crossings.Select(c => $"{c.YE:0.##}{(c.Stable ? " s" : " u")}")), "3 crossings, s u s", crossings.Length == 3 && crossings[0].Stable && !crossings[1].Stable && crossings[2].Stable),
            new ClaimResult(Id, "a", "The rate twin (β = 200) agrees: two stable fixed points and a saddle (Jacobian eigenvalues, as for Fig. 11)", string.Join(", ", kinds), "Stable, Saddle, Stable", kinds.SequenceEqual([FixedPointKind.Stable, FixedPointKind.Saddle, FixedPointKind.Stable])),
            ClaimResult.AtMost(Id, "b", $"The low state holds for {Hold:0} τ at σ = 0: max |y_E − {sw.Design.Low}|", heldLow, 5 * sw.Design.Precision, "a few spike jumps D, far from the barrier"),
            ClaimResult.AtMost(Id, "b", $"The high state holds for {Hold:0} τ at σ = 0: max |y_E − {sw.Design.High}|", heldHigh, 5 * sw.Design.Precision, "a few spike jumps D, far from the barrier"),
            ClaimResult.AtMost(Id, "c", "The ramp flips the switch up near the designed input: |x_up(measured) − x_up(design)|", Math.Abs(loop.Up - sw.SwitchUp), slack, "one spike jump's worth, s·D/w: the state jitters by D around its crossing"),
            ClaimResult.AtMost(Id, "c", "and down near the designed input: |x_down(measured) − x_down(design)|", Math.Abs(loop.Down - sw.SwitchDown), slack, "s·D/w"),
            new ClaimResult(Id, "d", $"Without noise the low state never escapes at x = {xEscape:0.##} within {EscapeHorizon:0} τ", $"{quiet.Count(t => t < EscapeHorizon)} escapes", "0 escapes", quiet.All(t => t >= EscapeHorizon)),
            ClaimResult.AtLeast(Id, "d", $"Noise-driven switching: the escape rate grows with σ (rate at σ = {sigmas[^1]} over rate at σ = {sigmas[0]})", rates[0] > 0 ? rates[^1] / rates[0] : double.PositiveInfinity, 2, "a clear rise, over sampling noise of the censored rates"),
        ];
    }
}
