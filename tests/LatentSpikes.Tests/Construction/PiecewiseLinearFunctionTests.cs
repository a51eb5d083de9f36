using LatentSpikes.Construction;
using LatentSpikes.Geometry;
using LatentSpikes.Model;

namespace LatentSpikes.Tests.Construction;

/// <summary>Piecewise-linear boundary functions given by knots.</summary>
public sealed class PiecewiseLinearFunctionTests
{
    private static readonly (double X, double Y)[] Vee = [(-1, 1.5), (-0.5, 0.75), (0, 0.5), (0.5, 0.75), (1, 1.5)];

    [Theory]
    [InlineData(-1.0, 1.5, -1.5)]
    [InlineData(-0.75, 1.125, -1.5)]
    [InlineData(-0.5, 0.75, -0.5)]   // at a knot: the value there, the slope of the piece on the right
    [InlineData(-0.25, 0.625, -0.5)]
    [InlineData(0.0, 0.5, 0.5)]
    [InlineData(0.25, 0.625, 0.5)]
    [InlineData(1.0, 1.5, 1.5)]       // the last knot: the slope of the last piece
    [InlineData(-3.0, 4.5, -1.5)]     // extrapolated by the first piece
    [InlineData(2.0, 3.0, 1.5)]       // and by the last
    public void Values_and_slopes(double x, double value, double slope)
    {
        var f = new PiecewiseLinearFunction(Vee);
        Assert.Equal(value, f.Value([x]), 12);
        var g = new double[1];
        f.Gradient([x], g);
        Assert.Equal(slope, g[0], 12);
    }

    [Fact]
    public void Exposes_its_knots_slopes_and_convexity()
    {
        var f = new PiecewiseLinearFunction(Vee);
        Assert.Equal(Vee, f.Knots);
        Assert.Equal(new[] { -1.5, -0.5, 0.5, 1.5 }, f.Slopes);
        Assert.True(f.IsConvex());
        Assert.False(new PiecewiseLinearFunction([(0, 0), (1, 1), (2, 1)]).IsConvex());
        Assert.Equal(1, f.Dimension);
        Assert.Equal("knots [-1, 1.5], [-0.5, 0.75], [0, 0.5], [0.5, 0.75], [1, 1.5]", f.Describe());
    }

    [Theory]
    [InlineData(new[] { 0.0 }, new[] { 1.0 }, "knots", "need at least two knots")]
    [InlineData(new[] { 0.0, 1.0, 1.0 }, new[] { 0.0, 1.0, 2.0 }, "knots[2]", "knot x must increase strictly (1 after 1)")]
    [InlineData(new[] { 0.0, 2.0, 1.0 }, new[] { 0.0, 1.0, 2.0 }, "knots[2]", "knot x must increase strictly (1 after 2)")]
    [InlineData(new[] { 0.0, double.NaN }, new[] { 0.0, 1.0 }, "knots[1][0]", "finite")]
    [InlineData(new[] { 0.0, 1.0 }, new[] { 0.0, double.PositiveInfinity }, "knots[1][1]", "finite")]
    public void Bad_knots_are_rejected_naming_the_knot(double[] xs, double[] ys, string field, string reason)
    {
        var knots = xs.Zip(ys).ToArray();
        var e = Assert.Throws<ModelValidationException>(() => new PiecewiseLinearFunction(knots));
        Assert.Equal(field, e.Field);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tangent_population_on_the_knots_realises_the_function_exactly()
    {
        // Tangent points on the first four knots: each neuron's threshold is one piece of f, so the population's
        // boundary is −f itself (App. E's piecewise-linear construction).
        var f = new PiecewiseLinearFunction(Vee);
        var built = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, f, 4, -1, 0.5, [-0.1]);
        for (double x = -1.5; x <= 1.5; x += 0.01)
        {
            Assert.Equal(-f.Value([x]), PopulationBoundary.Evaluate(built.Population, [x]).Y, 12);
        }
    }

    [Fact]
    public void A_non_convex_knot_function_is_rejected_by_the_tangent_construction()
    {
        var f = new PiecewiseLinearFunction([(0, 0), (1, 1), (2, 1)]);
        var e = Assert.Throws<ModelValidationException>(() => TangentConstruction.Build1D("I", PopulationKind.Inhibitory, f, 3, 0, 2, [-0.1]));
        Assert.Equal("tangent.f", e.Field);
        Assert.Contains("not convex", e.Reason, StringComparison.Ordinal);
    }
}
