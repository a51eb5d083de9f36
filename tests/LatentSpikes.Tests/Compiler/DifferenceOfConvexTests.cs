using LatentSpikes.Construction;
using LatentSpikes.Model;

namespace LatentSpikes.Tests.Compiler;

/// <summary>Seed 002, App. E: Theorems 1 and 2 and the stability condition of the E-I construction (eq. 2.41).</summary>
public class DifferenceOfConvexTests
{
    /// <summary>Random continuous piecewise-linear functions: knots at random increasing x, random heights.</summary>
    public static TheoryData<int> Seeds => new() { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Theorem_2_reproduces_a_random_piecewise_linear_function_exactly_with_two_convex_parts(int seed)
    {
        var rng = new Random(seed);
        int knots = 2 + (int)(rng.NextDouble() * 12);
        var xs = new double[knots];
        var ys = new double[knots];
        double x = -5 + (10 * rng.NextDouble());
        for (int k = 0; k < knots; k++)
        {
            x += 0.05 + (3 * rng.NextDouble());
            xs[k] = x;
            ys[k] = -4 + (8 * rng.NextDouble());
        }

        var split = DifferenceOfConvex.FromKnots(xs, ys);

        // Exact: q − p equals the interpolant at every knot and on a fine grid between them (round-off only).
        double scale = 1 + ys.Max(Math.Abs);
        for (int i = 0; i <= 2000; i++)
        {
            double t = xs[0] + ((xs[^1] - xs[0]) * i / 2000.0);
            Assert.Equal(Interpolate(xs, ys, t), split.Value([t]), 1e-9 * scale * (1 + Math.Abs(t)));
        }

        for (int k = 0; k < knots; k++)
        {
            Assert.Equal(ys[k], split.Value([xs[k]]), 1e-9 * scale * (1 + Math.Abs(xs[k])));
        }

        AssertConvex(split.Q, xs[0] - 1, xs[^1] + 1);
        AssertConvex(split.P, xs[0] - 1, xs[^1] + 1);

        // Theorem 2's split is minimal: each slope jump of f opens one piece of q (up) or of p (down).
        int up = 0, down = 0;
        for (int k = 1; k + 1 < knots; k++)
        {
            double jump = ((ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k])) - ((ys[k] - ys[k - 1]) / (xs[k] - xs[k - 1]));
            up += jump > 0 ? 1 : 0;
            down += jump < 0 ? 1 : 0;
        }

        Assert.Equal(up + 1, split.Q.Pieces.Count);
        Assert.Equal(down + 1, split.P.Pieces.Count);
    }

    [Theory]
    [InlineData("sin(3*x)")]
    [InlineData("exp(x) - 2*x^3")]
    [InlineData("x^4 - x^2")]
    public void Theorem_1_splits_a_smooth_function_into_convex_parts_whose_difference_approximates_it(string expression)
    {
        var f = LatentSpikes.Construction.Expressions.ExpressionFunction.Parse(expression, 1);
        var ranges = new[] { (-1.0, 1.0) };
        var coarse = DifferenceOfConvex.Smooth(x => f.Value(x), ranges, 8, 8);
        var fine = DifferenceOfConvex.Smooth(x => f.Value(x), ranges, 32, 32);
        AssertConvex(coarse.Q, -1, 1);
        AssertConvex(coarse.P, -1, 1);
        AssertConvex(fine.Q, -1, 1);
        AssertConvex(fine.P, -1, 1);
        double errCoarse = MaxError(coarse, x => f.Value(x));
        double errFine = MaxError(fine, x => f.Value(x));

        // The tangent-plane error of a smooth convex function falls as spacing², so 4× the points gives ~16× less.
        Assert.True(errFine < errCoarse / 3, $"{expression}: error {errCoarse:G3} at 8 points, {errFine:G3} at 32");
        Assert.True(errFine < 0.08, $"{expression}: error {errFine:G3} with 32 tangent points per part");
    }

    [Fact]
    public void Theorem_1_works_in_two_dimensions_with_convex_parts()
    {
        double f(double[] x) => Math.Sin(2 * x[0]) * Math.Cos(x[1]);
        var ranges = new[] { (-1.0, 1.0), (-1.0, 1.0) };
        var split = DifferenceOfConvex.Smooth(f, ranges, 9, 9);
        var rng = new Random(7);
        for (int i = 0; i < 300; i++)
        {
            // Midpoint convexity on random chords of the box.
            double[] a = [-1 + (2 * rng.NextDouble()), -1 + (2 * rng.NextDouble())];
            double[] b = [-1 + (2 * rng.NextDouble()), -1 + (2 * rng.NextDouble())];
            double[] m = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
            Assert.True(split.Q.Value(m) <= ((split.Q.Value(a) + split.Q.Value(b)) / 2) + 1e-12);
            Assert.True(split.P.Value(m) <= ((split.P.Value(a) + split.P.Value(b)) / 2) + 1e-12);
            Assert.True(Math.Abs(split.Value(m) - f(m)) < 0.25, $"error {split.Value(m) - f(m):G3} at ({m[0]:G3}, {m[1]:G3})");
        }
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(1.5)]
    [InlineData(4.0)]
    public void The_stability_check_accepts_an_inhibitory_boundary_steeper_than_the_excitatory_one(double a)
    {
        var split = DifferenceOfConvex.FromKnots([0, 1, 2], [0.5, 1.5, 0.5]);
        var ei = EiConstruction.Build(split, Samples(0, 2), a, precision: null, dt: 0.002);
        Assert.Equal(a, ei.A);
        Assert.Equal(2, ei.Network.Populations.Count);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    public void The_stability_check_rejects_a_at_most_one_and_names_the_region(double a)
    {
        var split = DifferenceOfConvex.FromKnots([0, 1, 2], [0.5, 1.5, 0.5]);
        var e = Assert.Throws<ModelValidationException>(() => EiConstruction.Build(split, Samples(0, 2), a, precision: 0.05, dt: 0.002));
        Assert.Equal("a", e.Field);
        Assert.Contains("unstable", e.Message, StringComparison.Ordinal);
        Assert.Contains("x in [0, 2]", e.Message, StringComparison.Ordinal);
        Assert.Contains("eq. 2.41", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_constructed_network_obeys_Dales_law_and_its_boundaries_cross_at_q_minus_p()
    {
        var split = DifferenceOfConvex.FromKnots([0, 2, 4, 6, 8, 10], [0.15, 0.15, 1.75, 0.15, 1.75, 0.15]);
        var ei = EiConstruction.Build(split, Samples(0, 10), 2.0, precision: 0.1, dt: 0.002);
        var e = ei.Network.Populations[0];
        var i = ei.Network.Populations[1];
        Assert.Equal(PopulationKind.Excitatory, e.Kind);
        Assert.Equal(PopulationKind.Inhibitory, i.Kind);
        Assert.All(e.Decoders, d => Assert.True(d > 0));
        Assert.All(i.Decoders, d => Assert.True(d < 0));
        Assert.All(i.Decoders, d => Assert.True(Math.Abs(d) <= 0.1 + 1e-12, "|D_I| is the requested precision"));
        Assert.All(e.Encoders.Values.Concat(i.Encoders.Values).SelectMany(v => v), w => Assert.True(w >= 0));

        // The geometric crossing, solved from the network's own weights: at the crossing the most depolarised E and I
        // neurons are both exactly at threshold. Scan y_E for where the E and I boundaries in y_I meet.
        foreach (double x in new[] { 0.5, 2.0, 3.3, 4.0, 5.1, 7.7, 9.9 })
        {
            double yE = BoundaryCrossing(e, i, x);
            Assert.Equal(split.Value([x]), yE, 1e-6);
            Assert.Equal(split.Value([x]), ei.Crossing([x]).YE, 1e-9);
        }
    }

    private static double BoundaryCrossing(Population e, Population i, double x)
    {
        // E boundary: y_I = min_j (T_j − F_j x − E^EE_j y_E)/E^EI_j; I boundary: y_I = min_j (T_j − F_j x − E^IE_j y_E)/E^II_j.
        double eB(double yE) => Enumerable.Range(0, e.Size).Min(j => (e.Thresholds[j] - (e.Feedforward(j, 0) * x) - (e.Encoders["y_E"][j] * yE)) / e.Encoders["y_I"][j]);
        double iB(double yE) => Enumerable.Range(0, i.Size).Min(j => (i.Thresholds[j] - (i.Feedforward(j, 0) * x) - (i.Encoders["y_E"][j] * yE)) / i.Encoders["y_I"][j]);
        double lo = 0, hi = 100;
        Assert.True(iB(lo) > eB(lo), "at y_E = 0 the I boundary lies above the E boundary");
        for (int k = 0; k < 200; k++)
        {
            double mid = 0.5 * (lo + hi);
            if (iB(mid) > eB(mid))
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return 0.5 * (lo + hi);
    }

    private static List<double[]> Samples(double lo, double hi) => DifferenceOfConvex.Grid([(lo, hi)], 401);

    private static double MaxError(DcDecomposition split, Func<double[], double> f) =>
        Enumerable.Range(0, 401).Select(k => -1 + (k / 200.0)).Max(x => Math.Abs(split.Value([x]) - f([x])));

    private static void AssertConvex(ConvexPiecewiseAffine g, double lo, double hi)
    {
        // Second differences on a fine grid are ≥ 0 (up to round-off) for a convex function.
        const int n = 3000;
        double h = (hi - lo) / n;
        for (int k = 1; k < n; k++)
        {
            double x = lo + (k * h);
            double second = g.Value([x - h]) - (2 * g.Value([x])) + g.Value([x + h]);
            Assert.True(second >= -1e-9 * (1 + Math.Abs(g.Value([x]))), $"not convex near x = {x:G4} (second difference {second:G3})");
        }
    }

    private static double Interpolate(double[] xs, double[] ys, double x)
    {
        for (int k = 1; k < xs.Length; k++)
        {
            if (x <= xs[k])
            {
                return ys[k - 1] + ((ys[k] - ys[k - 1]) * (x - xs[k - 1]) / (xs[k] - xs[k - 1]));
            }
        }

        return ys[^1];
    }
}
