using LatentSpikes.Construction;
using LatentSpikes.Model;

namespace LatentSpikes.Tests.Construction;

public class TangentConstructionTests
{
    [Fact]
    public void Reproduces_the_worked_example_of_appendix_C()
    {
        // Boundary y = −x² − ½; the neuron tangent at x = −0.5 has y = −0.75, F = −1, T = −0.25 (App. C, eq. C.4-C.7).
        var built = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0.5, 0, 1]), 5, -1, 1, [-0.35]);
        var p = built.Population;
        Assert.Equal(-0.5, built.TangentPoints[1].X[0], 12);
        Assert.Equal(-0.75, built.TangentPoints[1].Y, 12);
        Assert.Equal(-1.0, p.Feedforward(1, 0), 12);
        Assert.Equal(-0.25, p.Thresholds[1], 12);
        Assert.Equal(1.0, p.Encoders["y_I"][1]);
        Assert.Equal(-0.35, p.Decoders[1]);
        Assert.Equal(1.25, p.Bias(1), 12); // b = 1 − T
    }

    [Fact]
    public void Every_threshold_touches_the_boundary_at_its_tangent_point_and_lies_above_it_elsewhere()
    {
        var f = new PolynomialFunction([0.3, -0.2, 0.7, 0, 0.1]);
        var built = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, f, 25, -2, 2, [-0.1]);
        var p = built.Population;
        for (int i = 0; i < p.Size; i++)
        {
            double xi = built.TangentPoints[i].X[0];
            double line(double x) => (p.Thresholds[i] - (p.Feedforward(i, 0) * x)) / p.Encoders["y_I"][i];
            Assert.Equal(-f.Value([xi]), line(xi), 10);
            for (double x = -2; x <= 2; x += 0.01)
            {
                Assert.True(line(x) >= -f.Value([x]) - 1e-10, $"neuron {i} cuts below −f at x = {x}");
            }
        }
    }

    [Fact]
    public void A_non_convex_function_is_rejected_with_the_reason()
    {
        var e = Assert.Throws<ModelValidationException>(() =>
            TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0, 0, 0, 1]), 10, -1, 1, [-0.1]));
        Assert.Contains("not convex", e.Message, StringComparison.Ordinal);
    }
}
