using LatentSpikes.Construction;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Geometry;
using LatentSpikes.Model;

namespace LatentSpikes.Tests.Construction;

/// <summary>Random rank-1 populations, threshold tuning and the boundary report (seed 002, App. B, Fig. S1).</summary>
public sealed class RandomConstructionTests
{
    private static readonly PolynomialFunction Parabola = new([0.5, 0, 1]); // f = x² + ½, boundary y = −x² − ½

    [Fact]
    public void The_same_seed_gives_the_same_population_and_another_seed_a_different_one()
    {
        var a = Draw(seed: 19, size: 8, dimension: 2).Population;
        var b = Draw(seed: 19, size: 8, dimension: 2).Population;
        var c = Draw(seed: 20, size: 8, dimension: 2).Population;
        Assert.Equal(a.Thresholds, b.Thresholds);
        Assert.Equal(a.Encoders["y_I"], b.Encoders["y_I"]);
        Assert.Equal(Weights(a), Weights(b));
        Assert.NotEqual(a.Thresholds, c.Thresholds);
        Assert.NotEqual(Weights(a), Weights(c));
    }

    [Fact]
    public void A_neuron_depends_only_on_the_seed_and_its_index()
    {
        var small = Draw(seed: 7, size: 5, dimension: 1).Population;
        var large = Draw(seed: 7, size: 50, dimension: 1).Population;
        Assert.Equal(small.Thresholds, large.Thresholds.Take(5));
        Assert.Equal(Weights(small), Weights(large).Take(5));
    }

    [Fact]
    public void Draws_follow_the_requested_distributions_and_encoders_stay_positive()
    {
        var weights = new RandomWeights(new Gaussian(0.3, 2), new Gaussian(0.2, 1), new Gaussian(-1, 0.5));
        var p = RandomConstruction.Build("I", PopulationKind.Inhibitory, 20_000, 1, 11, weights, [-0.1]).Population;
        var f = Weights(p);
        var e = p.Encoders["y_I"];
        Assert.InRange(f.Average(), 0.3 - 0.06, 0.3 + 0.06);
        Assert.InRange(Std(f), 2 * 0.97, 2 * 1.03);
        Assert.InRange(p.Thresholds.Average(), -1 - 0.015, -1 + 0.015);
        Assert.InRange(Std(p.Thresholds), 0.5 * 0.97, 0.5 * 1.03);
        Assert.All(e, v => Assert.True(v > 0));

        // N(0.2, 1) truncated to (0, ∞): mean 0.2 + φ(0.2)/Φ(0.2) ≈ 0.883.
        Assert.InRange(e.Average(), 0.883 - 0.02, 0.883 + 0.02);
    }

    [Fact]
    public void An_encoder_distribution_that_is_never_positive_is_rejected()
    {
        var weights = RandomWeights.FigureS1 with { Encoder = new Gaussian(-1, 0) };
        var e = Assert.Throws<ModelValidationException>(() => RandomConstruction.Build("I", PopulationKind.Inhibitory, 3, 1, 0, weights, [-0.1]));
        Assert.Equal("random.encoder.mean", e.Field);
        var weights2 = RandomWeights.FigureS1 with { Encoder = new Gaussian(-50, 1) };
        Assert.Equal("random.encoder", Assert.Throws<ModelValidationException>(() => RandomConstruction.Build("I", PopulationKind.Inhibitory, 3, 1, 0, weights2, [-0.1])).Field);
        var weights3 = RandomWeights.FigureS1 with { Threshold = new Gaussian(0, -1) };
        Assert.Equal("random.threshold.std", Assert.Throws<ModelValidationException>(() => RandomConstruction.Build("I", PopulationKind.Inhibitory, 3, 1, 0, weights3, [-0.1])).Field);
    }

    [Fact]
    public void Tuned_thresholds_touch_the_boundary_where_its_slope_matches_the_normal()
    {
        var tuned = RandomConstruction.Build("I", PopulationKind.Inhibitory, 40, 1, 3, RandomWeights.FigureS1, [-0.1], new ThresholdTuning(Parabola, [(-1, 1)]));
        var p = tuned.Population;
        var tuning = Assert.IsType<TunedThresholds>(tuned.Tuning);
        for (int i = 0; i < p.Size; i++)
        {
            double f = p.Feedforward(i, 0), e = p.Encoders["y_I"][i];
            double expected = Math.Clamp(f / (2 * e), -1, 1); // f′(x) = 2x = F/E (the authors' closed form)
            Assert.Equal(expected, tuning.TangentPoints[i].X[0], 12);
            Assert.Equal(Math.Abs(f / (2 * e)) > 1, tuning.UnmatchedNeurons.Contains(i));
            double line(double x) => (p.Thresholds[i] - (f * x)) / e;
            Assert.Equal(-Parabola.Value([expected]), line(expected), 12);
            for (double x = -1; x <= 1; x += 0.01)
            {
                Assert.True(line(x) >= -Parabola.Value([x]) - 1e-12, $"neuron {i} cuts into the boundary at x = {x}");
            }
        }

        Assert.NotEmpty(tuning.UnmatchedNeurons); // with 40 neurons some |F/E| > 2 (seed 3)
    }

    [Theory]
    [InlineData("bisection on an expression", 1)]
    [InlineData("projected Newton in 2-D", 2)]
    public void Numerical_tuning_agrees_with_the_closed_form(string how, int dimension)
    {
        // f = |x|² + ½ has ∇f(x) = 2x, so the tangent point is F/(2E), clipped to the box.
        string text = dimension == 1 ? "x^2 + 0.5" : "x1^2 + x2^2 + 0.5";
        var f = ExpressionFunction.Parse(text);
        var box = Enumerable.Repeat((-1.0, 1.0), dimension).ToArray();
        var tuned = RandomConstruction.Build("I", PopulationKind.Inhibitory, 30, dimension, 5, RandomWeights.FigureS1, [-0.1], new ThresholdTuning(f, box));
        var p = tuned.Population;
        for (int i = 0; i < p.Size; i++)
        {
            double e = p.Encoders["y_I"][i];
            bool inside = true;
            for (int d = 0; d < dimension; d++)
            {
                double exact = p.Feedforward(i, d) / (2 * e);
                inside &= Math.Abs(exact) < 1;
                Assert.True(Math.Abs(Math.Clamp(exact, -1, 1) - tuned.Tuning!.TangentPoints[i].X[d]) < 1e-7, $"{how}: neuron {i}, x{d + 1}");
            }

            Assert.Equal(!inside, tuned.Tuning!.UnmatchedNeurons.Contains(i));
        }
    }

    [Fact]
    public void Tuning_to_knots_puts_each_neuron_on_the_knot_whose_slopes_bracket_its_normal()
    {
        var f = new PiecewiseLinearFunction([(-1, 1), (0, 0), (1, 1)]); // |x| on [-1, 1]
        var tuned = RandomConstruction.Build("I", PopulationKind.Inhibitory, 30, 1, 8, RandomWeights.FigureS1, [-0.1], new ThresholdTuning(f, [(-1, 1)]));
        var p = tuned.Population;
        for (int i = 0; i < p.Size; i++)
        {
            double s = p.Feedforward(i, 0) / p.Encoders["y_I"][i];
            double x = tuned.Tuning!.TangentPoints[i].X[0];
            double expected = s < -1 ? -1 : s > 1 ? 1 : 0;
            Assert.Equal(expected, x, 9);
            Assert.Equal(Math.Abs(s) > 1, tuned.Tuning.UnmatchedNeurons.Contains(i));
        }
    }

    [Fact]
    public void Fig_S1_untuned_networks_usually_have_silent_neurons_tuned_ones_do_not()
    {
        // App. B: N = 8, F ~ N(0, 1), E ~ N(1, 1/4), T ~ N(1/4, 1/16). Over many seeds the random network almost always
        // leaves neurons out of its boundary; tuned to y = −x² − ½ on [−1, 1] almost none does.
        const int seeds = 30;
        int untunedWithSilent = 0, tunedWithSilent = 0, untunedSilentRegime = 0, tunedSilentRegime = 0;
        for (ulong seed = 1; seed <= seeds; seed++)
        {
            var untuned = RandomConstruction.Build("I", PopulationKind.Inhibitory, 8, 1, seed, RandomWeights.FigureS1, [-0.1]);
            var tuned = RandomConstruction.Build("I", PopulationKind.Inhibitory, 8, 1, seed, RandomWeights.FigureS1, [-0.1], new ThresholdTuning(Parabola, [(-1, 1)]));
            var ru = BoundaryReport.Analyze(untuned.Population, [(-1, 1)]);
            var rt = BoundaryReport.Analyze(tuned.Population, [(-1, 1)]);
            untunedWithSilent += ru.SilentNeurons.Count > 0 ? 1 : 0;
            tunedWithSilent += rt.SilentNeurons.Count > 0 ? 1 : 0;
            untunedSilentRegime += ru.SilentFraction > 0 ? 1 : 0;
            tunedSilentRegime += rt.SilentFraction > 0 ? 1 : 0;

            // Tuning keeps F and E.
            Assert.Equal(Weights(untuned.Population), Weights(tuned.Population));
        }

        Assert.True(untunedWithSilent >= 0.8 * seeds, $"only {untunedWithSilent}/{seeds} untuned networks have silent neurons");
        Assert.True(tunedWithSilent <= 0.2 * seeds, $"{tunedWithSilent}/{seeds} tuned networks have silent neurons");
        Assert.True(untunedSilentRegime >= 0.2 * seeds, $"only {untunedSilentRegime}/{seeds} untuned networks have a silent input range");
        Assert.Equal(0, tunedSilentRegime); // the tuned boundary is below −½ everywhere
    }

    [Fact]
    public void The_report_finds_silent_neurons_and_the_silent_input_range()
    {
        // Three neurons by hand (y = (T − F·x)/E): neuron 0 is y = −0.5 − x, below 0 for x > −0.5; neuron 1 is
        // y = x + 1, the lower one for x < −0.75 but ≥ 0 there, so it never fires; neuron 2 is y = 2, above both. The
        // boundary min(−0.5 − x, x + 1) is ≥ 0 exactly on [−1, −0.5].
        var p = new Population(
            "I",
            PopulationKind.Inhibitory,
            [[1.0], [-1.0], [0.0]],
            [-0.5, 1.0, 2.0],
            [-0.1, -0.1, -0.1],
            new Dictionary<string, double[]> { ["y_I"] = [1.0, 1.0, 1.0] });
        var report = BoundaryReport.Analyze(p, [(-1, 1)]);
        Assert.Equal(new[] { 1, 2 }, report.SilentNeurons);
        var range = Assert.Single(report.SilentInputRanges);
        Assert.Equal(-1.0, range.Lo, 12);
        Assert.Equal(-0.5, range.Hi, 9);
        Assert.Equal(0.25, report.SilentFraction, 9);
        Assert.False(report.IsHealthy);
        Assert.Contains("1 of 3 neurons form the boundary; 2 never do and stay silent (neurons 1, 2)", report.Summary, StringComparison.Ordinal);
        Assert.Contains("at or above y = 0 for x in [-1, -0.5] (25 % of the range)", report.Summary, StringComparison.Ordinal);
        Assert.Contains("whole population is silent", report.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', report.Summary);
    }

    [Fact]
    public void The_report_on_a_healthy_tangent_population_and_in_two_dimensions()
    {
        var line = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, Parabola, 10, -1, 1, [-0.35]).Population;
        var r1 = BoundaryReport.Analyze(line, [(-1, 1)]);
        Assert.True(r1.IsHealthy, r1.Summary);
        Assert.Contains("all 10 neurons form part of the boundary, and the boundary stays below y = 0 over the whole range.", r1.Summary, StringComparison.Ordinal);

        // A 2-D boundary that crosses y = 0: f = x1² + x2² − 1 is negative inside the unit disc, so there the boundary
        // y = −f is above 0. The disc covers π/4 of the [−1, 1]² box.
        var f = ExpressionFunction.Parse("x1^2 + x2^2 - 1");
        var grid = TangentConstruction.BuildGrid("I", PopulationKind.Inhibitory, f, [21, 21], [(-1, 1), (-1, 1)], [-0.1]).Population;
        var r2 = BoundaryReport.Analyze(grid, [(-1, 1), (-1, 1)]);
        Assert.Empty(r2.SilentInputRanges);
        Assert.InRange(r2.SilentFraction, (Math.PI / 4) - 0.03, (Math.PI / 4) + 0.03);
        Assert.Contains("% of the grid points", r2.Summary, StringComparison.Ordinal);

        // Neurons whose planes form the boundary only inside the disc never fire in an inhibitory population.
        Assert.NotEmpty(r2.SilentNeurons);
        Assert.All(r2.SilentNeurons, i => Assert.True(f.Value(grid.FeedforwardRow(i).ToArray().Select(g => g / 2).ToArray()) < 0.05));
    }

    [Fact]
    public void The_report_needs_a_population_that_listens_only_to_itself()
    {
        var p = new Population("I", PopulationKind.Inhibitory, [[1.0]], [0.0], [-0.1], new Dictionary<string, double[]> { ["y_I"] = [1.0], ["y_E"] = [1.0] });
        Assert.Throws<ArgumentException>(() => BoundaryReport.Analyze(p, [(-1, 1)]));
        var q = Draw(1, 3, 2).Population;
        Assert.Throws<ArgumentException>(() => BoundaryReport.Analyze(q, [(-1, 1)]));
    }

    private static RandomPopulation Draw(ulong seed, int size, int dimension) =>
        RandomConstruction.Build("I", PopulationKind.Inhibitory, size, dimension, seed, RandomWeights.FigureS1, [-0.1]);

    private static double[] Weights(Population p) =>
        Enumerable.Range(0, p.Size).SelectMany(i => p.FeedforwardRow(i).ToArray()).ToArray();

    private static double Std(IEnumerable<double> values)
    {
        var v = values.ToArray();
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
    }
}
