using LatentSpikes.Construction;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Geometry;
using LatentSpikes.Model;

namespace LatentSpikes.Tests.Construction;

/// <summary>The M-dimensional tangent construction on a Cartesian grid (seed 002, App. C, Fig. 2e).</summary>
public sealed class TangentGridTests
{
    /// <summary>The Fig. 2e boundary of the authors' script: y = −f with this f, 6 × 6 neurons on [−4.5, 4.5]².</summary>
    private const string Fig2e = "0.5*x1^2 + 0.5*x2^2 + 0.1*x1*x2 - 0.5*x1 + 0.5*x2 + 5";

    public static TheoryData<string, int, double> Functions() => new()
    {
        { "x1^2 + x2^2 + 0.5", 7, 1.0 },
        { Fig2e, 6, 4.5 },
    };

    [Theory]
    [MemberData(nameof(Functions))]
    public void Every_plane_touches_f_at_its_point_and_lies_above_minus_f_elsewhere(string text, int perDimension, double half)
    {
        var f = ExpressionFunction.Parse(text);
        var built = TangentConstruction.BuildGrid("I", PopulationKind.Inhibitory, f, [perDimension, perDimension], [(-half, half), (-half, half)], [-0.2]);
        var p = built.Population;
        Assert.Equal(perDimension * perDimension, p.Size);
        Assert.Equal(2, p.InputDimension);
        var grad = new double[2];
        for (int i = 0; i < p.Size; i++)
        {
            var xi = built.TangentPoints[i].X.ToArray();
            Assert.Equal(-f.Value(xi), built.TangentPoints[i].Y, 12);
            f.Gradient(xi, grad);
            Assert.Equal(grad[0], p.Feedforward(i, 0), 12);
            Assert.Equal(grad[1], p.Feedforward(i, 1), 12);
            Assert.Equal(1.0, p.Encoders["y_I"][i]);
            Assert.Equal((grad[0] * xi[0]) + (grad[1] * xi[1]) - f.Value(xi), p.Thresholds[i], 10);
            Assert.Equal(-f.Value(xi), Plane(p, i, xi), 10);
        }

        // On a grid four times finer, extended beyond the tangent range: no plane dips below −f, and the envelope
        // (the population boundary) hugs −f inside the range.
        double spacing = 2 * half / (perDimension - 1);
        for (double a = -1.25 * half; a <= 1.25 * half; a += spacing / 4)
        {
            for (double b = -1.25 * half; b <= 1.25 * half; b += spacing / 4)
            {
                double[] x = [a, b];
                double minusF = -f.Value(x);
                for (int i = 0; i < p.Size; i++)
                {
                    Assert.True(Plane(p, i, x) >= minusF - 1e-9, $"neuron {i}'s plane dips below −f at ({a}, {b})");
                }

                if (Math.Abs(a) <= half && Math.Abs(b) <= half)
                {
                    // For a quadratic with Hessian H the gap is at most the cell's half-diagonal² · λmax / 2.
                    double gap = PopulationBoundary.Evaluate(p, x).Y - minusF;
                    Assert.InRange(gap, -1e-9, 1.1 * 0.5 * spacing * spacing * 1.1);
                }
            }
        }
    }

    [Fact]
    public void Grid_order_and_single_point_dimensions()
    {
        var f = ExpressionFunction.Parse("x1^2 + x2^2 + x3^2");
        var built = TangentConstruction.BuildGrid("I", PopulationKind.Inhibitory, f, [2, 1, 3], [(-1, 1), (5, 7), (0, 1)], [-0.1]);
        var xs = built.TangentPoints.Select(t => (t.X[0], t.X[1], t.X[2])).ToArray();
        Assert.Equal(
            new[] { (-1.0, 6.0, 0.0), (-1.0, 6.0, 0.5), (-1.0, 6.0, 1.0), (1.0, 6.0, 0.0), (1.0, 6.0, 0.5), (1.0, 6.0, 1.0) },
            xs);
    }

    [Fact]
    public void One_dimension_matches_the_1d_construction()
    {
        var f = new PolynomialFunction([0.5, 0, 1]);
        var grid = TangentConstruction.BuildGrid("I", PopulationKind.Inhibitory, f, [10], [(-1, 1)], [-0.35]).Population;
        var line = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, f, 10, -1, 1, [-0.35]).Population;
        Assert.Equal(line.Thresholds, grid.Thresholds);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => line.Feedforward(i, 0)), Enumerable.Range(0, 10).Select(i => grid.Feedforward(i, 0)));
    }

    [Theory]
    [InlineData("x1^2 - x2^2", "tangent plane at x = ")]    // concave along x2: caught along a grid line
    [InlineData("x1*x2", "tangent plane at x = ")]          // linear along every axis, a saddle across the diagonals
    public void A_non_convex_function_is_rejected_with_the_offending_points(string text, string where)
    {
        var f = ExpressionFunction.Parse(text);
        var e = Assert.Throws<ModelValidationException>(() =>
            TangentConstruction.BuildGrid("I", PopulationKind.Inhibitory, f, [3, 3], [(-1, 1), (-1, 1)], [-0.1]));
        Assert.Equal("tangent.f", e.Field);
        Assert.Contains($"'{text}' is not convex on the tangent grid", e.Reason, StringComparison.Ordinal);
        Assert.Contains(where, e.Reason, StringComparison.Ordinal);
        Assert.Contains("passes above f at x = (", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_parameters_name_their_field()
    {
        var f = ExpressionFunction.Parse("x1^2 + x2^2");
        Assert.Equal("tangent.points", Assert.Throws<ModelValidationException>(() =>
            TangentConstruction.BuildGrid("I", PopulationKind.Inhibitory, f, [3], [(-1, 1), (-1, 1)], [-0.1])).Field);
        Assert.Equal("tangent.range", Assert.Throws<ModelValidationException>(() =>
            TangentConstruction.BuildGrid("I", PopulationKind.Inhibitory, f, [3, 3], [(-1, 1)], [-0.1])).Field);
        Assert.Equal("tangent.range[1]", Assert.Throws<ModelValidationException>(() =>
            TangentConstruction.BuildGrid("I", PopulationKind.Inhibitory, f, [3, 3], [(-1, 1), (1, 1)], [-0.1])).Field);
        Assert.Equal("tangent.points[0]", Assert.Throws<ModelValidationException>(() =>
            TangentConstruction.BuildGrid("I", PopulationKind.Inhibitory, f, [0, 3], [(-1, 1), (-1, 1)], [-0.1])).Field);
        Assert.Equal("decoders", Assert.Throws<ModelValidationException>(() =>
            TangentConstruction.BuildGrid("I", PopulationKind.Inhibitory, f, [3, 3], [(-1, 1), (-1, 1)], [-0.1, -0.2])).Field);
        Assert.StartsWith("tangent.f(x = ", Assert.Throws<ModelValidationException>(() =>
            TangentConstruction.BuildGrid("I", PopulationKind.Inhibitory, ExpressionFunction.Parse("log(x1) + x2^2"), [3, 3], [(-1, 1), (-1, 1)], [-0.1])).Field, StringComparison.Ordinal);
    }

    /// <summary>Neuron i's threshold plane as a function of x: y = (T_i − F_i·x)/E_i.</summary>
    private static double Plane(Population p, int i, double[] x) =>
        (p.Thresholds[i] - (p.Feedforward(i, 0) * x[0]) - (p.Feedforward(i, 1) * x[1])) / p.Encoders[p.LatentName][i];
}
