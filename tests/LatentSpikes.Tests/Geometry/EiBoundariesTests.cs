using LatentSpikes.Geometry;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;

namespace LatentSpikes.Tests.Geometry;

/// <summary>
/// The E and I boundaries of a rank-2 E-I network and their crossing (seed 002, §2.6-2.7, Figs. 4-5). At a fixed
/// input x, neuron i is at threshold where F_i·x + E_i^E·y_E + E_i^I·y_I = T_i (eq. 2.35-2.36); the crossing is
/// computed in the tests by solving that pair of equations for every (E neuron, I neuron) pair and keeping the
/// solutions that lie on both populations' lowest lines.
/// </summary>
public sealed class EiBoundariesTests
{
    private const string Example = "ei-rank2-quadratic.yaml";

    /// <summary>The example's tangent points of p(x) = x² + ½ (its I neurons, in order).</summary>
    private static readonly double[] TangentPoints = [-1, -0.5, 0, 0.5, 1];

    private static double P(double x) => (x * x) + 0.5;

    /// <summary>
    /// The I population realises p̂(x) = max_i [p(x_i) + p'(x_i)·(x − x_i)], the piecewise-linear lower approximation
    /// of p from its tangents, so the §2.7 crossing is y_E* = q − p̂ and y_I* = p̂ − 2q with q = 2 (eq. 2.46-2.47).
    /// </summary>
    private static (double PHat, int Neuron) PHat(double x)
    {
        double best = double.NegativeInfinity;
        int at = -1;
        for (int i = 0; i < TangentPoints.Length; i++)
        {
            double xi = TangentPoints[i];
            double v = P(xi) + (2 * xi * (x - xi));
            if (v > best)
            {
                (best, at) = (v, i);
            }
        }

        return (best, at);
    }

    [Fact]
    public void The_example_crosses_at_q_minus_p_within_the_tangent_error()
    {
        var net = TestData.LoadExample(Example).Experiment.Network;
        var ei = EiBoundaries.Create(net);
        Assert.Equal("y_E", ei.ExcitatoryLatent);
        Assert.Equal("y_I", ei.InhibitoryLatent);
        for (double x = -1.25; x <= 1.25; x += 0.01)
        {
            var (pHat, iNeuron) = PHat(x);
            var c = Assert.Single(ei.Crossings(x));
            Assert.Equal(c, ei.Crossing(x));

            // Exact against the piecewise-linear construction, and against a pairwise solve of the raw thresholds.
            Assert.Equal(2 - pHat, c.YE, 12);
            Assert.Equal(pHat - 4, c.YI, 12);
            Assert.Equal(0, c.ExcitatoryNeuron);
            Assert.Equal(iNeuron, c.InhibitoryNeuron);
            var brute = Assert.Single(BruteCrossings(net, x));
            Assert.Equal(brute.YE, c.YE, 12);
            Assert.Equal(brute.YI, c.YI, 12);
            Assert.True(c.Stable, $"a = 2 > 1 must give a stable crossing (eq. 2.41) at x = {x}");
            Assert.True(c.Reachable);

            // Against the smooth target y_E* = 3/2 − x², y_I* = x² − 7/2 on the tangent range: p̂ ≤ p and
            // p − p̂ ≤ (h/2)² = 1/16 for a quadratic with tangent spacing h = ½, as the example's comment says.
            if (Math.Abs(x) <= 1)
            {
                Assert.InRange(c.YE - (1.5 - (x * x)), -1e-12, (1.0 / 16) + 1e-12);
                Assert.InRange((x * x) - 3.5 - c.YI, -1e-12, (1.0 / 16) + 1e-12);
            }
        }

        // At the tangent points the approximation is exact.
        foreach (double xi in TangentPoints)
        {
            Assert.Equal(1.5 - (xi * xi), ei.Crossing(xi)!.YE, 12);
        }
    }

    [Fact]
    public void The_boundaries_are_the_threshold_lines_of_the_spec()
    {
        var net = TestData.LoadExample(Example).Experiment.Network;
        var ei = EiBoundaries.Create(net);
        foreach (double x in new[] { -0.9, -0.2, 0.4 })
        {
            foreach (double yE in new[] { 0.0, 0.7, 1.9 })
            {
                // E boundary y_I = −q − y_E and I boundary y_I = −p̂(x) − 2·y_E (eq. 2.42-2.43).
                Assert.Equal(-2 - yE, ei.BoundaryAt(PopulationKind.Excitatory, x, yE), 12);
                Assert.Equal(-PHat(x).PHat - (2 * yE), ei.BoundaryAt(PopulationKind.Inhibitory, x, yE), 12);
                for (int i = 0; i < 5; i++)
                {
                    double xi = TangentPoints[i];
                    Assert.Equal(-(P(xi) + (2 * xi * (x - xi))) - (2 * yE), ei.ThresholdLine(PopulationKind.Inhibitory, i, x, yE), 12);
                }
            }
        }
    }

    [Fact]
    public void The_regions_follow_the_raw_voltages()
    {
        var rng = new Random(41);
        var net = TestData.LoadExample(Example).Experiment.Network;
        var ei = EiBoundaries.Create(net);
        var seen = new HashSet<EiRegion>();
        for (int k = 0; k < 4000; k++)
        {
            double x = -1 + (2 * rng.NextDouble());
            double yE = 3 * rng.NextDouble();
            double yI = -6 * rng.NextDouble();
            bool e = AnyAtThreshold(net.Populations[0], x, yE, yI);
            bool i = AnyAtThreshold(net.Populations[1], x, yE, yI);
            var expected = (e, i) switch
            {
                (false, false) => EiRegion.BothSubthreshold,
                (true, false) => EiRegion.ExcitatorySuprathreshold,
                (false, true) => EiRegion.InhibitorySuprathreshold,
                _ => EiRegion.BothSuprathreshold,
            };
            Assert.Equal(expected, ei.Classify(x, yE, yI));
            seen.Add(expected);

            // A population is suprathreshold exactly where y_I is at or above its boundary.
            Assert.Equal(i, yI >= ei.BoundaryAt(PopulationKind.Inhibitory, x, yE));
            Assert.Equal(e, yI >= ei.BoundaryAt(PopulationKind.Excitatory, x, yE));
            Assert.Equal(0, ei.Margin(PopulationKind.Inhibitory, x, yE, ei.BoundaryAt(PopulationKind.Inhibitory, x, yE)), 12);
        }

        Assert.Equal(4, seen.Count); // all four regions of Fig. 4c occur
    }

    [Fact]
    public void With_the_I_boundary_less_steep_than_the_E_one_the_crossing_is_unstable()
    {
        // The example with a = E^IE/E^II = ½ < E^EE/E^EI = 1. The crossing y_E = (p̂ − q)/(1 − a) lies at y_E < 0
        // for q = 2; with q = ¼ (E threshold −¼) it moves to y_E > 0. Either way it violates eq. 2.41, is reported
        // unstable, and is no operating point.
        foreach (string threshold in new[] { "-2", "-0.25" })
        {
            var net = Variant(threshold, "0.5").Network;
            var ei = EiBoundaries.Create(net);
            double q = -double.Parse(threshold, System.Globalization.CultureInfo.InvariantCulture);
            foreach (double x in new[] { -0.8, -0.3, 0.0, 0.6 })
            {
                double pHat = PHat(x).PHat;
                var c = Assert.Single(ei.Crossings(x));
                Assert.False(c.Stable);
                Assert.Equal((pHat - q) / 0.5, c.YE, 12);
                Assert.Equal(-q - c.YE, c.YI, 12);
                Assert.Equal(q < pHat, c.Reachable);
                Assert.Null(ei.Crossing(x));
            }

            var curve = ei.CrossingCurve(-1, 1, 11);
            Assert.All(curve.YE, v => Assert.True(double.IsNaN(v)));
            Assert.All(curve.ExcitatoryNeuron, n => Assert.Equal(-1, n));
        }
    }

    [Fact]
    public void Parallel_boundaries_have_no_crossing()
    {
        // a = 1: both boundaries have slope −1 in y_I(y_E) and never meet (q ≠ p̂ everywhere on the range).
        var ei = EiBoundaries.Create(Variant("-2", "1").Network);
        Assert.Empty(ei.Crossings(0.3));
        Assert.Null(ei.Crossing(0.3));
    }

    [Fact]
    public void Simulated_the_stable_crossing_holds_and_the_unstable_one_is_left()
    {
        // The example's comment: with D_I = −0.11 the mean of y_E stays within 0.03 of the crossing for every input
        // on [−1, 1] (noise-free, after the transient). Checked at a few constant inputs including x = −0.4, where a
        // larger |D_I| locks into a cycle below it.
        var stable = TestData.LoadExample(Example).Experiment;
        var ei = EiBoundaries.Create(stable.Network);
        foreach (double x in new[] { -0.7, -0.4, 0.0, 0.75 })
        {
            var c = ei.Crossing(x)!;
            var r = new ClockDrivenEngine().Run(Held(stable, x, duration: 30));
            Assert.Equal(SimulationStatus.Completed, r.Status);
            var (meanE, meanI) = LateMeans(r, after: 10);
            Assert.InRange(meanE, c.YE - 0.03, c.YE + 0.03);
            Assert.InRange(meanI, c.YI - 0.05, c.YI + 0.05);
        }

        // The a = ½, q = ¼ variant started exactly at its (reachable, unstable) crossing: inhibition fires first and
        // the state slides off it; E falls silent and I alone holds its own boundary (a degenerate regime, §2.6).
        var unstable = Variant("-0.25", "0.5");
        var eiU = EiBoundaries.Create(unstable.Network);
        double x0 = 0.0;
        var cu = Assert.Single(eiU.Crossings(x0));
        Assert.True(cu.Reachable && !cu.Stable);
        var start = new Dictionary<string, double> { ["y_E"] = cu.YE, ["y_I"] = cu.YI };
        var run = new ClockDrivenEngine().Run(Held(unstable, x0, duration: 30, start));
        Assert.DoesNotContain(run.Spikes, s => s.Population == 0 && s.Time > 5);
        Assert.Contains(run.Spikes, s => s.Population == 1 && s.Time > 5);
        var (lateE, _) = LateMeans(run, after: 10);
        Assert.True(Math.Abs(lateE - cu.YE) > 0.4, $"y_E stayed near the unstable crossing ({lateE} vs {cu.YE})");
    }

    [Theory]
    [InlineData(1.0, false)] // I line of slope −1, between the E pieces' −½ and −2: it touches the kink from above
    [InlineData(3.0, true)]  // slope −3, steeper than both E pieces: it crosses the E boundary at the kink
    public void At_a_kink_of_the_E_boundary_a_touch_is_not_a_stable_crossing_and_a_cut_is_one(double iToE, bool stable)
    {
        // E boundary min(−2.5 − ½·y_E, −1 − 2·y_E) has its kink at (1, −3); the one I line passes through it. Found
        // from both pieces either way, it must be reported once, stable only if the I boundary is steeper on both sides.
        var e = new Population("E", PopulationKind.Excitatory, [[0.0], [0.0]], [-2.5, -1], [0.1, 0.1],
            new Dictionary<string, double[]> { ["y_E"] = [0.5, 2], ["y_I"] = [1, 1] });
        var i = new Population("I", PopulationKind.Inhibitory, [[0.0]], [-3 + iToE], [-0.1],
            new Dictionary<string, double[]> { ["y_I"] = [1], ["y_E"] = [iToE] });
        var net = new LowRankNetwork([e, i]);
        var c = Assert.Single(EiBoundaries.Create(net).Crossings(0));
        Assert.Equal(1, c.YE, 12);
        Assert.Equal(-3, c.YI, 12);
        Assert.Equal(stable, c.Stable);
        Assert.Equal(stable, Assert.Single(BruteCrossings(net, 0)).Stable);
        Assert.Equal(stable, EiBoundaries.Create(net).Crossing(0) is not null);
    }

    [Fact]
    public void A_breakpoint_beyond_two_to_the_53_does_not_confuse_the_pieces()
    {
        // E boundary min(−y_E, −10¹⁷) breaks at y_E = 10¹⁷, where 10¹⁷ − 1 rounds back to 10¹⁷. The I line
        // y_I = −5 − 2·y_E crosses it once, on the constant piece at y_E ≈ 5·10¹⁶; the sloped piece's line would
        // cross it at y_E = −5, which is not on the boundary.
        var e = new Population("E", PopulationKind.Excitatory, [[0.0], [0.0]], [0, -1e17], [0.1, 0.1],
            new Dictionary<string, double[]> { ["y_E"] = [1, 0], ["y_I"] = [1, 1] });
        var i = new Population("I", PopulationKind.Inhibitory, [[0.0]], [-5], [-0.1],
            new Dictionary<string, double[]> { ["y_I"] = [1], ["y_E"] = [2] });
        var net = new LowRankNetwork([e, i]);
        var c = Assert.Single(EiBoundaries.Create(net).Crossings(0));
        var brute = Assert.Single(BruteCrossings(net, 0));
        Assert.Equal(brute.YE, c.YE, 1e-6 * brute.YE);
        Assert.Equal(5e16, c.YE, 1e-6 * 5e16);
        Assert.Equal(1, c.ExcitatoryNeuron);
        Assert.True(c.Stable);
    }

    [Fact]
    public void Random_networks_cross_where_a_pairwise_solve_says()
    {
        var rng = new Random(17);
        int multi = 0;
        int unstable = 0;
        int total = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            var net = RandomEi(rng);
            var ei = EiBoundaries.Create(net);
            double x = -2 + (4 * rng.NextDouble());
            var expected = BruteCrossings(net, x);
            var found = ei.Crossings(x);
            Assert.Equal(expected.Count, found.Count);
            for (int k = 0; k < found.Count; k++)
            {
                double tol = 1e-8 * Math.Max(1, Math.Abs(expected[k].YE));
                Assert.Equal(expected[k].YE, found[k].YE, tol);
                Assert.Equal(expected[k].YI, found[k].YI, 1e-8 * Math.Max(1, Math.Abs(expected[k].YI)));
                Assert.Equal(expected[k].Stable, found[k].Stable);
                Assert.Equal(found[k].YE >= 0 && found[k].YI <= 0, found[k].Reachable);
            }

            var op = ei.Crossing(x);
            Assert.Equal(found.FirstOrDefault(c => c.Stable && c.Reachable), op);
            multi += found.Count > 1 ? 1 : 0;
            unstable += found.Count(c => !c.Stable);
            total += found.Count;
        }

        // The random draws exercise several crossings per input (the bistability of §2.6) and unstable ones.
        Assert.True(multi > 10 && unstable > 10 && total > 200, $"{multi} inputs with several crossings, {unstable} unstable of {total}");
    }

    [Fact]
    public void Networks_that_are_not_rank_2_E_I_are_refused_with_a_reason()
    {
        Assert.Null(EiBoundaries.TryCreate(TestData.LoadExample("fig2-inhibitory-boundary.yaml").Experiment.Network, out string one));
        Assert.Equal("the E-I plane needs exactly one excitatory and one inhibitory population (this network has 1: I: inhibitory)", one);

        string text = File.ReadAllText(TestData.Example(Example));
        Assert.Equal(
            "the E-I plane needs exactly one excitatory and one inhibitory population (this network has 2: E: inhibitory, I: inhibitory)",
            Reason(Edit(Edit(text, "kind: excitatory", "kind: inhibitory"), "decoders: 0.05", "decoders: -0.05")));

        string uncoupled = Edit(Edit(text, "encoders: {y_E: 1, y_I: 1}", "encoders: {y_E: 1}"), "encoders: {y_I: 1, y_E: 2}", "encoders: {y_I: 1}");
        Assert.Equal("the excitatory and inhibitory populations do not listen to each other's latent, so they form no E-I crossing", Reason(uncoupled));

        string noInhibitionOnE = Edit(text, "encoders: {y_E: 1, y_I: 1}", "encoders: {y_E: 1}");
        Assert.StartsWith("population 'E': neuron 0 has encoder 0 onto y_I; the E-I plane needs every encoder onto y_I > 0", Reason(noInhibitionOnE), StringComparison.Ordinal);

        string twoInputs = Edit(Edit(text, "  - {kind: ramp, from: -1, to: 1, start: 5, stop: 35}", "  - {kind: ramp, from: -1, to: 1, start: 5, stop: 35}\n  - {kind: constant, value: 0}"),
            "feedforward: [0]", "feedforward: [[0, 0]]");
        twoInputs = Edit(twoInputs, "feedforward: [-2, -1, 0, 1, 2]", "feedforward: [[-2, 0], [-1, 0], [0, 0], [1, 0], [2, 0]]");
        Assert.Equal("geometry figures need a 1-D input (this spec has 2 input dimensions)", Reason(twoInputs));

        string crossReadouts = text
            .Replace("encoders: {y_E: 1, y_I: 1}", "encoders: {y_E: 1, y_EI: 1}", StringComparison.Ordinal)
            .Replace("encoders: {y_I: 1, y_E: 2}", "encoders: {y_I: 1, y_IE: 2}", StringComparison.Ordinal)
            + "latents:\n  - {name: y_IE, source: E, decoders: 0.05}\n  - {name: y_EI, source: I, decoders: -0.11}\n";
        Assert.Equal("population 'E' listens to y_EI, which is neither y_E nor y_I; the E-I plane has only those two latents", Reason(crossReadouts));

        var net = SpecReader.Parse(noInhibitionOnE, "spec").Experiment.Network;
        Assert.Contains("neuron 0 has encoder 0 onto y_I", Assert.Throws<ArgumentException>(() => EiBoundaries.Create(net)).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every crossing of the two boundaries at x, in increasing y_E, found without envelopes: solve each (E, I) pair of
    /// threshold lines and keep the point if both lines are the lowest of their population there. Stable when
    /// E boundary − I boundary (in y_I) rises through zero, i.e. the I boundary is the steeper in (y_E, |y_I|).
    /// </summary>
    private static List<(double YE, double YI, bool Stable)> BruteCrossings(LowRankNetwork net, double x)
    {
        var e = net.Populations.Single(p => p.Kind == PopulationKind.Excitatory);
        var i = net.Populations.Single(p => p.Kind == PopulationKind.Inhibitory);
        var found = new List<(double YE, double YI, bool Stable)>();
        for (int m = 0; m < e.Size; m++)
        {
            var (ae, be) = Line(e, m, x);
            for (int n = 0; n < i.Size; n++)
            {
                var (ai, bi) = Line(i, n, x);
                if (be == bi)
                {
                    continue;
                }

                double yE = (ai - ae) / (be - bi);
                double yI = ae + (be * yE);
                double tol = 1e-9 * Math.Max(1, Math.Abs(yI));
                if (Math.Abs(LowestAt(e, x, yE) - yI) > tol || Math.Abs(LowestAt(i, x, yE) - yI) > tol
                    || found.Any(f => Math.Abs(f.YE - yE) <= 1e-9 * Math.Max(1, Math.Abs(yE))))
                {
                    continue;
                }

                double delta = 1e-6 * Math.Max(1, Math.Abs(yE));
                double left = LowestAt(e, x, yE - delta) - LowestAt(i, x, yE - delta);
                double right = LowestAt(e, x, yE + delta) - LowestAt(i, x, yE + delta);
                found.Add((yE, yI, left < 0 && right > 0));
            }
        }

        return found.OrderBy(f => f.YE).ToList();
    }

    /// <summary>Neuron j's threshold as y_I = a + b·y_E at input x, from F·x + E^E·y_E + E^I·y_I = T.</summary>
    private static (double A, double B) Line(Population p, int j, double x)
    {
        double toE = p.Encoders.TryGetValue("y_E", out double[]? e) ? e[j] : 0;
        double toI = p.Encoders["y_I"][j];
        return ((p.Thresholds[j] - (p.Feedforward(j, 0) * x)) / toI, -toE / toI);
    }

    private static double LowestAt(Population p, double x, double yE) =>
        Enumerable.Range(0, p.Size).Min(j => Line(p, j, x).A + (Line(p, j, x).B * yE));

    private static bool AnyAtThreshold(Population p, double x, double yE, double yI)
    {
        for (int j = 0; j < p.Size; j++)
        {
            double toE = p.Encoders.TryGetValue("y_E", out double[]? e) ? e[j] : 0;
            if ((p.Feedforward(j, 0) * x) + (toE * yE) + (p.Encoders["y_I"][j] * yI) >= p.Thresholds[j])
            {
                return true;
            }
        }

        return false;
    }

    private static LowRankNetwork RandomEi(Random rng)
    {
        Population Make(string name, PopulationKind kind, int n)
        {
            double[][] f = Enumerable.Range(0, n).Select(_ => new[] { -2 + (4 * rng.NextDouble()) }).ToArray();
            double[] t = LowerEnvelopeTests.Draw(rng, n, -4, 1);
            double[] toE = LowerEnvelopeTests.Draw(rng, n, 0, 3);
            double[] toI = LowerEnvelopeTests.Draw(rng, n, 0.2, 2);
            double d = kind == PopulationKind.Excitatory ? 0.1 : -0.1;
            return new Population(name, kind, f, t, Enumerable.Repeat(d, n).ToArray(), new Dictionary<string, double[]> { ["y_E"] = toE, ["y_I"] = toI });
        }

        return new LowRankNetwork([Make("E", PopulationKind.Excitatory, rng.Next(1, 7)), Make("I", PopulationKind.Inhibitory, rng.Next(1, 7))]);
    }

    /// <summary>The example with another E threshold (−q) and I encoder onto y_E (a).</summary>
    private static Experiment Variant(string eThreshold, string a)
    {
        string text = File.ReadAllText(TestData.Example(Example));
        text = Edit(text, "thresholds: [-2]", $"thresholds: [{eThreshold}]");
        text = Edit(text, "encoders: {y_I: 1, y_E: 2}", $"encoders: {{y_I: 1, y_E: {a}}}");
        return SpecReader.Parse(text, "variant").Experiment;
    }

    private static Experiment Held(Experiment exp, double x, double duration, IReadOnlyDictionary<string, double>? initial = null) =>
        new(exp.Network, [new ConstantSignal(x)], exp.Settings with { Duration = duration }, exp.Injections, initial ?? exp.InitialLatents, exp.Name);

    private static (double E, double I) LateMeans(SimulationResult r, double after)
    {
        double[] e = r.Latent("y_E");
        double[] i = r.Latent("y_I");
        var late = Enumerable.Range(0, e.Length).Where(k => r.Times[k] > after).ToArray();
        return (late.Average(k => e[k]), late.Average(k => i[k]));
    }

    private static string Reason(string specText)
    {
        var net = SpecReader.Parse(specText, "spec").Experiment.Network;
        Assert.Null(EiBoundaries.TryCreate(net, out string reason));
        return reason;
    }

    private static string Edit(string text, string from, string to)
    {
        int first = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(first >= 0, $"spec lacks '{from}'");
        return string.Concat(text.AsSpan(0, first), to, text.AsSpan(first + from.Length));
    }
}
