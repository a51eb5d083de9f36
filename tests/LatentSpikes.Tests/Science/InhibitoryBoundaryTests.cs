using LatentSpikes.Construction;
using LatentSpikes.Geometry;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Science;

/// <summary>Seed 002, §2.2-2.3 and Fig. 2: a rank-1 inhibitory population forms a stable, attracting boundary.</summary>
public class InhibitoryBoundaryTests
{
    private const double D = -0.35;

    private static double F(double x) => (x * x) + 0.5;

    [Fact]
    public void Fig2_readout_stays_in_the_precision_band_after_the_transient()
    {
        var spec = TestData.LoadExampleUnclipped("fig2-inhibitory-boundary.yaml");
        var result = new ClockDrivenEngine().Run(spec.Experiment);
        Assert.Equal(SimulationStatus.Completed, result.Status);
        double[] y = result.Latent("y_I");
        double[] x = result.Input(0);
        var pop = spec.Experiment.Network.Populations[0];

        // The tangent lines' envelope lies above −f(x) between tangent points by at most (h/2)², h = 2/9 the spacing;
        // one Euler step of leak lets y overshoot its threshold by at most dt·|y| before the spike lands.
        double spacing = 2.0 / 9.0;
        double envelopeGap = spacing * spacing / 4;
        double dt = spec.Experiment.Settings.Dt;
        int checkedSamples = 0;
        for (int r = 0; r < y.Length; r++)
        {
            if (result.Times[r] < 1.0)
            {
                continue; // initial transient: y starts at 0, above the boundary
            }

            double overshoot = dt * Math.Abs(y[r]) * 1.05;
            double top = -F(x[r]);
            Assert.InRange(y[r], top + D - overshoot, top + envelopeGap + overshoot);

            // Against the network's own piecewise-linear boundary the band is tight.
            double boundary = PopulationBoundary.Evaluate(pop, [x[r]]).Y;
            Assert.InRange(y[r], boundary + D - overshoot, boundary + overshoot);
            checkedSamples++;
        }

        Assert.True(checkedSamples > 2500);
        // The band is used, not trivially satisfied: y spans most of it.
        var late = Enumerable.Range(0, y.Length).Where(r => result.Times[r] > 1).Select(r => y[r] + F(x[r])).ToArray();
        Assert.True(late.Max() - late.Min() > 0.3, $"y − (−f) spans only {late.Max() - late.Min():0.###}");
    }

    [Theory]
    [InlineData(-0.8)]
    [InlineData(-0.3)]
    [InlineData(0.05)]
    [InlineData(0.6)]
    public void Each_constant_input_is_coded_by_exactly_the_neuron_whose_threshold_is_exposed(double x)
    {
        var spec = TestData.LoadExampleUnclipped("fig2-inhibitory-boundary.yaml");
        var exp = new Experiment(spec.Experiment.Network, [new ConstantSignal(x)], spec.Experiment.Settings with { Duration = 12 });
        var result = new ClockDrivenEngine().Run(exp);
        var late = result.Spikes.Where(s => s.Time > 2.0).ToArray();
        Assert.True(late.Length >= 5, $"only {late.Length} spikes after the transient");
        int expected = PopulationBoundary.Evaluate(exp.Network.Populations[0], [x]).Neuron;
        Assert.All(late, s => Assert.Equal(expected, s.Neuron));
    }

    [Fact]
    public void During_the_ramp_the_active_neuron_moves_monotonically_along_the_boundary()
    {
        var spec = TestData.LoadExampleUnclipped("fig2-inhibitory-boundary.yaml");
        var result = new ClockDrivenEngine().Run(spec.Experiment);
        int[] order = result.Spikes.Where(s => s.Time > 1.0).Select(s => s.Neuron).ToArray();
        for (int i = 1; i < order.Length; i++)
        {
            Assert.True(order[i] >= order[i - 1], $"neuron {order[i]} fired after neuron {order[i - 1]} at spike {i}");
        }

        Assert.Equal(10, order.Distinct().Count()); // every neuron takes its turn as x sweeps [−1, 1]
    }

    [Fact]
    public void Steady_state_rate_matches_the_boundary_geometry()
    {
        // Between spikes y leaks from y_b + D up to the boundary y_b: the interval is ln((y_b + D)/y_b) (in τ).
        var pop = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0.5, 0, 1]), 10, -1, 1, [D]).Population;
        double x = -0.3;
        var exp = new Experiment(new LowRankNetwork([pop]), [new ConstantSignal(x)], new SimulationSettings { ClipAtSpike = false, Dt = 0.001, Duration = 20 });
        var result = new ClockDrivenEngine().Run(exp);
        double yb = PopulationBoundary.Evaluate(pop, [x]).Y;
        double interval = Math.Log((yb + D) / yb);
        var times = result.Spikes.Where(s => s.Time > 2).Select(s => s.Time).ToArray();
        double measured = (times[^1] - times[0]) / (times.Length - 1);
        Assert.Equal(interval, measured, 2);
    }
}
