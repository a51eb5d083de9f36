using System.Globalization;
using LatentSpikes.Construction;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Geometry;
using LatentSpikes.Model;

namespace LatentSpikes.Tests.Geometry;

/// <summary>
/// The tangent construction (seed 002, App. C) as a property over random convex functions: every neuron's threshold
/// is tangent to the target boundary y = −f(x), touching it at its tangent point and lying on the boundary's
/// suprathreshold side (above it) everywhere else, so the population boundary hugs −f from above and every neuron
/// forms a piece of it. Construction/TangentConstructionTests and TangentGridTests check the same for a few fixed
/// functions; here f is drawn at random (polynomials and expressions, 1-D and 2-D).
/// </summary>
public sealed class TangentBoundaryPropertyTests
{
    [Fact]
    public void One_dimensional_random_convex_polynomials()
    {
        var rng = new Random(2002);
        for (int trial = 0; trial < 40; trial++)
        {
            // f'' = 2c2 + 6c3·x + 12c4·x² ≥ 2c2·(1 − 0.9²) > 0 for every x when |c3| ≤ 0.9·√(96·c2·c4)/6.
            double c2 = Uniform(rng, 0.05, 2);
            double c4 = Uniform(rng, 0, 0.5);
            double c3 = Uniform(rng, -1, 1) * 0.9 * Math.Sqrt(96 * c2 * c4) / 6;
            var f = new PolynomialFunction([Uniform(rng, -2, 2), Uniform(rng, -2, 2), c2, c3, c4]);
            CheckOneDimensional(f, rng);
        }
    }

    [Fact]
    public void One_dimensional_random_convex_expressions()
    {
        var rng = new Random(2003);
        for (int trial = 0; trial < 25; trial++)
        {
            // Non-negative combinations of convex terms, at least one strictly convex, plus an affine part.
            string text = string.Join(" + ",
                $"{Num(Uniform(rng, 0, 1))}*exp({Num(Uniform(rng, -1.5, 1.5))}*x)",
                $"{Num(Uniform(rng, 0.1, 2))}*sqrt(1 + (x - {Num(Uniform(rng, -1, 1))})^2)",
                $"{Num(Uniform(rng, 0, 1))}*log(1 + exp({Num(Uniform(rng, -2, 2))}*x))",
                $"{Num(Uniform(rng, -1, 1))}*x",
                Num(Uniform(rng, -1, 1)));
            CheckOneDimensional(ExpressionFunction.Parse(text), rng);
        }
    }

    [Fact]
    public void Two_dimensional_random_convex_expressions_on_a_grid()
    {
        var rng = new Random(2004);
        for (int trial = 0; trial < 12; trial++)
        {
            // A positive definite quadratic form (r² < 4·q1·q2) plus convex terms of linear forms of x.
            double q1 = Uniform(rng, 0.2, 1.5);
            double q2 = Uniform(rng, 0.2, 1.5);
            double r = Uniform(rng, -0.9, 0.9) * Math.Sqrt(q1 * q2);
            string text = string.Join(" + ",
                $"{Num(q1)}*x1^2", $"{Num(q2)}*x2^2", $"{Num(r)}*x1*x2",
                $"{Num(Uniform(rng, 0, 0.5))}*exp({Num(Uniform(rng, -0.8, 0.8))}*x1 + {Num(Uniform(rng, -0.8, 0.8))}*x2)",
                $"{Num(Uniform(rng, 0, 1))}*sqrt(1 + x1^2 + x2^2)",
                $"{Num(Uniform(rng, -1, 1))}*x1", $"{Num(Uniform(rng, -1, 1))}*x2", Num(Uniform(rng, -1, 1)));
            var f = ExpressionFunction.Parse(text);
            int[] points = [rng.Next(2, 7), rng.Next(2, 7)];
            (double Lo, double Hi)[] ranges = [Interval(rng), Interval(rng)];
            var built = TangentConstruction.BuildGrid("I", PopulationKind.Inhibitory, f, points, ranges, [-0.1]);
            var p = built.Population;
            Assert.Equal(points[0] * points[1], p.Size);

            for (int i = 0; i < p.Size; i++)
            {
                double[] xi = built.TangentPoints[i].X.ToArray();
                double minusF = -f.Value(xi);
                Assert.Equal(minusF, Plane(p, i, xi), Tol(minusF));
                var (y, neuron) = PopulationBoundary.Evaluate(p, xi);
                Assert.Equal(minusF, y, Tol(minusF));
                Assert.Equal(i, neuron);
            }

            // A grid four times finer than the tangent grid, reaching a quarter of the range beyond it on every side.
            for (double a = Lo(ranges[0]); a <= Hi(ranges[0]); a += Step(ranges[0], points[0]))
            {
                for (double b = Lo(ranges[1]); b <= Hi(ranges[1]); b += Step(ranges[1], points[1]))
                {
                    double[] x = [a, b];
                    double minusF = -f.Value(x);
                    for (int i = 0; i < p.Size; i++)
                    {
                        double plane = Plane(p, i, x);
                        if (plane < minusF - Tol(minusF))
                        {
                            Assert.Fail($"'{text}': neuron {i}'s plane {plane} dips below −f = {minusF} at ({a}, {b})");
                        }
                    }
                }
            }
        }
    }

    private static void CheckOneDimensional(IBoundaryFunction f, Random rng)
    {
        int n = rng.Next(2, 30);
        var (lo, hi) = Interval(rng);
        var built = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, f, n, lo, hi, [-0.2]);
        var p = built.Population;
        var g = new RankOneGeometry(p);
        string what = f.Describe();

        for (int i = 0; i < n; i++)
        {
            double xi = built.TangentPoints[i].X[0];
            Assert.Equal(lo + ((hi - lo) * i / (n - 1)), xi, 12);
            double minusF = -f.Value([xi]);
            Assert.Equal(minusF, built.TangentPoints[i].Y, Tol(minusF));
            Assert.Equal(minusF, Line(p, i, xi), Tol(minusF));
            var (y, neuron) = g.Boundary(xi);
            Assert.Equal(minusF, y, Tol(minusF));
            Assert.Equal(i, neuron);
        }

        // For a strictly convex f each tangent is the lowest line around its own point: all N neurons form the boundary.
        Assert.Equal(Enumerable.Range(0, n), g.BoundaryNeurons);

        // Between tangent points the envelope lies above −f by at most h²·max f''/8 (h the spacing); f'' is estimated
        // by central differences on the range, with 10 % slack for the estimate.
        double h = (hi - lo) / (n - 1);
        double curvature = 0;
        double e = 1e-3 * (hi - lo);
        for (double x = lo; x <= hi; x += (hi - lo) / 400)
        {
            curvature = Math.Max(curvature, (f.Value([x + e]) - (2 * f.Value([x])) + f.Value([x - e])) / (e * e));
        }

        double span = hi - lo;
        for (double x = lo - (0.5 * span); x <= hi + (0.5 * span); x += span / 997)
        {
            double minusF = -f.Value([x]);
            for (int i = 0; i < n; i++)
            {
                double line = Line(p, i, x);
                if (line < minusF - Tol(minusF))
                {
                    Assert.Fail($"{what}: neuron {i}'s threshold {line} dips below −f = {minusF} at x = {x}");
                }
            }

            if (x >= lo && x <= hi)
            {
                Assert.InRange(g.Boundary(x).Y - minusF, -Tol(minusF), (1.1 * h * h * curvature / 8) + Tol(minusF));
            }
        }
    }

    /// <summary>Rounding allowance: values and slopes are O(10), each computed in a few operations.</summary>
    private static double Tol(double v) => 1e-9 * Math.Max(1, Math.Abs(v));

    private static double Line(Population p, int i, double x) => (p.Thresholds[i] - (p.Feedforward(i, 0) * x)) / p.Encoders[p.LatentName][i];

    private static double Plane(Population p, int i, double[] x) =>
        (p.Thresholds[i] - (p.Feedforward(i, 0) * x[0]) - (p.Feedforward(i, 1) * x[1])) / p.Encoders[p.LatentName][i];

    private static (double Lo, double Hi) Interval(Random rng)
    {
        double lo = Uniform(rng, -3, 1);
        return (lo, lo + Uniform(rng, 0.5, 3));
    }

    private static double Lo((double Lo, double Hi) r) => r.Lo - (0.25 * (r.Hi - r.Lo));

    private static double Hi((double Lo, double Hi) r) => r.Hi + (0.25 * (r.Hi - r.Lo));

    private static double Step((double Lo, double Hi) r, int points) => (r.Hi - r.Lo) / (4 * (points - 1));

    private static double Uniform(Random rng, double lo, double hi) => lo + ((hi - lo) * rng.NextDouble());

    /// <summary>A number as expression text; negative ones in parentheses so "a*x + (−b)" parses the same everywhere.</summary>
    private static string Num(double v) => v < 0 ? $"({v.ToString("R", CultureInfo.InvariantCulture)})" : v.ToString("R", CultureInfo.InvariantCulture);
}
