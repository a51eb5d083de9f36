using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Rate;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Rate;

/// <summary>
/// Seed 002, §4.4 and Fig. 11: in the rate twin the E-I boundaries become nullclines (eq. 4.12-4.13), their crossing a
/// fixed point, and for large β the nullclines approach the spiking boundaries (Fig. 11e). The network is Fig. 11's
/// homogeneous E-I pair (examples/fig11-ei-nullclines.yaml) at x = 2, whose spiking boundaries cross at (2, −3.5).
/// </summary>
public class NullclineTests
{
    private const double X = 2.0;

    private static LowRankNetwork Fig11(double? beta = null)
    {
        var net = TestData.LoadExample("fig11-ei-nullclines.yaml").Experiment.Network;
        return beta is { } b ? new LowRankNetwork([.. net.Populations.Select(p => p.WithRate(new RateParameters(b)))]) : net;
    }

    /// <summary>Fig. 11 with the two populations' slopes swapped: the E boundary is the steeper one, so the crossing is unstable (eq. 2.41).</summary>
    private static LowRankNetwork Swapped()
    {
        var net = Fig11();
        var e = net.Populations[0];
        var i = net.Populations[1];
        var rate = new RateParameters(10);
        double[][] ones = [.. Enumerable.Range(0, 50).Select(_ => new[] { 1.0 })];
        var exc = new Population("E", PopulationKind.Excitatory, ones, [.. Enumerable.Repeat(2.5, 50)], [.. e.Decoders],
            new Dictionary<string, double[]> { ["y_E"] = [.. Enumerable.Repeat(2.0, 50)], ["y_I"] = [.. Enumerable.Repeat(1.0, 50)] }, 0, 0.17, e.Synapse, 0, rate);
        var inh = new Population("I", PopulationKind.Inhibitory, ones, [.. Enumerable.Repeat(1.0, 50)], [.. i.Decoders],
            new Dictionary<string, double[]> { ["y_E"] = [.. Enumerable.Repeat(1.25, 50)], ["y_I"] = [.. Enumerable.Repeat(1.0, 50)] }, 0, 0.17, i.Synapse, 0, rate);
        return new LowRankNetwork([exc, inh]);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(3.0)]
    [InlineData(10.0)]
    public void Fixed_points_solve_both_equations_and_lie_on_both_nullclines(double beta)
    {
        var system = new EiNullclines(Fig11(beta), 0.01);
        var set = system.Compute(X, points: 401);
        var fp = Assert.Single(set.FixedPoints);
        var (dyE, dyI) = system.Derivative(X, fp.YE, fp.YI);

        // Newton polishes to rounding: the derivatives are sums of 50 terms of size up to |D|/τ_s·1 = 0.25.
        Assert.True(Math.Abs(dyE) < 1e-10 && Math.Abs(dyI) < 1e-10, $"(ẏ_E, ẏ_I) = ({dyE}, {dyI}) at the fixed point");
        Assert.Equal(fp.YI, system.InhibitoryNullcline(X, fp.YE), 8);
        Assert.Equal(fp.YI, system.ExcitatoryNullcline(X, fp.YE), 8);
        Assert.Equal(FixedPointKind.Stable, fp.Kind);

        // Nullcline samples satisfy their own equation.
        for (int k = 0; k < set.YE.Length; k += 40)
        {
            Assert.True(Math.Abs(system.Derivative(X, set.YE[k], set.InhibitoryNullcline[k]).DyI) < 1e-9);
            if (double.IsFinite(set.ExcitatoryNullcline[k]))
            {
                Assert.True(Math.Abs(system.Derivative(X, set.YE[k], set.ExcitatoryNullcline[k]).DyE) < 1e-9);
            }
        }
    }

    [Fact]
    public void Large_beta_moves_the_fixed_point_onto_the_spiking_boundary_crossing()
    {
        // The fixed point sits where each population's sigmoids are partly on: σ = |ȳ|·τ_s/Σ|D| (0.28 for I, 0.32 for
        // E), i.e. at a distance |logit(σ)|/β ≈ 1/β from threshold in voltage units, and the encoders (≥ 1) turn that
        // into at most ≈ 1/β in each latent. We allow 3/β (the norm of two such offsets with margin) and require the
        // distance to shrink with β, so the limit is the crossing of Fig. 4 / Fig. 11e (dotted).
        var crossing = new EiNullclines(Fig11(10), 0.01).Geometry.Crossing(X)!;
        Assert.Equal(2.0, crossing.YE, 9);
        Assert.Equal(-3.5, crossing.YI, 9);
        double previous = double.PositiveInfinity;
        foreach (double beta in new[] { 10.0, 100.0, 1000.0 })
        {
            var fp = Assert.Single(new EiNullclines(Fig11(beta), 0.01).Compute(X, points: 401).FixedPoints);
            double distance = Math.Sqrt(Math.Pow(fp.YE - crossing.YE, 2) + Math.Pow(fp.YI - crossing.YI, 2));
            Assert.True(distance <= 3 / beta, $"β = {beta}: fixed point ({fp.YE}, {fp.YI}) is {distance} from the crossing");
            Assert.True(distance < previous, $"β = {beta}: distance {distance} did not shrink (was {previous})");
            Assert.Equal(crossing.Stable, fp.Kind == FixedPointKind.Stable);
            previous = distance;
        }
    }

    [Fact]
    public void Stability_labels_match_direct_simulation_of_the_rate_twin_from_nearby_starts()
    {
        // Each fixed point's label is checked against RateEngine runs at constant x from four starts δ away: a stable
        // point pulls all of them in (distance < δ/10 after 6/|Re λ| τ, when linear theory predicts e^{−6}), an unstable
        // one pushes all out (distance > 10·δ), a saddle pushes at least one out. The swapped network must contribute a
        // non-stable point, so the test cannot pass on stable points alone.
        var cases = new[] { Fig11(), Swapped() };
        int nonStable = 0;
        foreach (var net in cases)
        {
            var system = new EiNullclines(net, 0.01);
            var set = system.Compute(X, points: 801, yEMin: 1e-6);
            Assert.NotEmpty(set.FixedPoints);
            foreach (var fp in set.FixedPoints)
            {
                Assert.NotEqual(FixedPointKind.Marginal, fp.Kind);
                nonStable += fp.Kind == FixedPointKind.Stable ? 0 : 1;
                double rate = Math.Max(Math.Abs(fp.Eigenvalue1.Real), Math.Abs(fp.Eigenvalue2.Real));
                double slowest = Math.Min(Math.Abs(fp.Eigenvalue1.Real), Math.Abs(fp.Eigenvalue2.Real));
                double duration = Math.Min(40, 6 / (fp.Kind == FixedPointKind.Stable ? slowest : rate));
                const double Delta = 1e-3;
                var outcomes = new List<double>();
                foreach (var (dE, dI) in new[] { (Delta, 0.0), (-Delta, 0.0), (0.0, Delta), (0.0, -Delta) })
                {
                    var exp = new Experiment(net, [new ConstantSignal(X)], new SimulationSettings { Dt = 0.01, Duration = Math.Round(duration, 2) },
                        null, new Dictionary<string, double> { ["y_E"] = fp.YE + dE, ["y_I"] = fp.YI + dI });
                    var run = new RateEngine().Run(exp);
                    double yE = run.Latent("y_E")[^1];
                    double yI = run.Latent("y_I")[^1];
                    outcomes.Add(Math.Sqrt(Math.Pow(yE - fp.YE, 2) + Math.Pow(yI - fp.YI, 2)));
                }

                string what = $"{fp.Kind} point ({fp.YE}, {fp.YI}), λ = {fp.Eigenvalue1}, {fp.Eigenvalue2}: final distances {string.Join(", ", outcomes)}";
                switch (fp.Kind)
                {
                    case FixedPointKind.Stable:
                        Assert.True(outcomes.All(d => d < Delta / 10), what);
                        break;
                    case FixedPointKind.Unstable:
                        Assert.True(outcomes.All(d => d > 10 * Delta), what);
                        break;
                    default:
                        Assert.True(outcomes.Any(d => d > 10 * Delta), what);
                        break;
                }
            }
        }

        Assert.True(nonStable > 0, "no unstable or saddle point was checked");
    }

    [Fact]
    public void Bad_beta_is_a_one_line_error_naming_the_field()
    {
        var net = Fig11();
        foreach (double bad in new[] { double.NaN, 0.0, -1.0, double.PositiveInfinity })
        {
            var e = Assert.Throws<ModelValidationException>(() => new EiNullclines(net, 0.01, bad, 10));
            Assert.Equal("populations[0].rate.beta", e.Field);
            Assert.DoesNotContain('\n', e.Message);
        }

        // No noise and no β: the twin would be a Heaviside.
        var silent = new LowRankNetwork([.. net.Populations.Select(p => new Population(p.Name, p.Kind, [.. Enumerable.Range(0, p.Size).Select(i => p.FeedforwardRow(i).ToArray())],
            [.. p.Thresholds], [.. p.Decoders], p.Encoders.ToDictionary(kv => kv.Key, kv => kv.Value), 0, 0.0, p.Synapse))]);
        var missing = Assert.Throws<ModelValidationException>(() => new EiNullclines(silent, 0.01));
        Assert.Contains("rate: {beta: ...}", missing.Message, StringComparison.Ordinal);
        var engine = Assert.Throws<ModelValidationException>(() => new RateEngine().Run(new Experiment(silent, [new ConstantSignal(X)], new SimulationSettings())));
        Assert.Equal("populations[0].rate.beta", engine.Field);
    }
}
