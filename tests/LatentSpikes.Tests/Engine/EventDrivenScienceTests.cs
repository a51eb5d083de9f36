using LatentSpikes.Construction;
using LatentSpikes.Geometry;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Engine;

/// <summary>
/// The paper's boundary claims (seed 002, Fig. 2 and §2.7/Fig. 5) on the event engine, which has no
/// one-spike-per-step rule and no Euler error: the precision bands hold without the clock engine's overshoot term.
/// </summary>
public class EventDrivenScienceTests
{
    private const double D = -0.35;

    /// <summary>Rounding only: spikes are placed to about one ulp, records are exact exponentials.</summary>
    private const double Exact = 1e-9;

    private static double F(double x) => (x * x) + 0.5;

    [Fact]
    public void Fig2_readout_stays_exactly_in_the_precision_band_of_its_boundary()
    {
        var spec = TestData.LoadExampleUnclipped("fig2-inhibitory-boundary.yaml");
        var result = new EventDrivenEngine().Run(spec.Experiment);
        Assert.Equal(SimulationStatus.Completed, result.Status);
        double[] y = result.Latent("y_I");
        double[] x = result.Input(0);
        var pop = spec.Experiment.Network.Populations[0];

        // The neuron fires exactly when y reaches the boundary and y then sits D below it, so y never leaves
        // [boundary + D, boundary]; against −f the envelope's gap (h/2)², h = 2/9, is added on top (as in the clock test).
        double envelopeGap = (2.0 / 9.0) * (2.0 / 9.0) / 4;
        int checkedSamples = 0;
        for (int r = 0; r < y.Length; r++)
        {
            if (result.Times[r] < 1.0)
            {
                continue; // y starts at 0, above the boundary: the first spikes (all at t = 0) bring it down
            }

            double boundary = PopulationBoundary.Evaluate(pop, [x[r]]).Y;
            Assert.InRange(y[r], boundary + D - Exact, boundary + Exact);
            Assert.InRange(y[r], -F(x[r]) + D - Exact, -F(x[r]) + envelopeGap + Exact);
            checkedSamples++;
        }

        Assert.True(checkedSamples > 2500);
        var late = Enumerable.Range(0, y.Length).Where(r => result.Times[r] > 1).Select(r => y[r] + F(x[r])).ToArray();
        Assert.True(late.Max() - late.Min() > 0.3, $"y − (−f) spans only {late.Max() - late.Min():0.###}");

        // No one-spike-per-step rule: the initial descent to the boundary is five spikes at the same instant.
        Assert.Equal(5, result.Spikes.Count(s => s.Time == 0));
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
        var late = new EventDrivenEngine().Run(exp).Spikes.Where(s => s.Time > 2.0).ToArray();
        Assert.True(late.Length >= 5, $"only {late.Length} spikes after the transient");
        int expected = PopulationBoundary.Evaluate(exp.Network.Populations[0], [x]).Neuron;
        Assert.All(late, s => Assert.Equal(expected, s.Neuron));
    }

    [Fact]
    public void During_the_ramp_the_active_neuron_moves_monotonically_along_the_boundary()
    {
        var spec = TestData.LoadExampleUnclipped("fig2-inhibitory-boundary.yaml");
        int[] order = new EventDrivenEngine().Run(spec.Experiment).Spikes.Where(s => s.Time > 1.0).Select(s => s.Neuron).ToArray();
        for (int i = 1; i < order.Length; i++)
        {
            Assert.True(order[i] >= order[i - 1], $"neuron {order[i]} fired after neuron {order[i - 1]} at spike {i}");
        }

        Assert.Equal(10, order.Distinct().Count());
    }

    [Fact]
    public void Steady_state_interval_is_exactly_the_boundary_geometry()
    {
        // Between spikes y leaks from y_b + D up to y_b: the interval is ln((y_b + D)/y_b) τ, here to rounding
        // (the clock engine's test needs dt = 0.001 and 2 decimals for the same claim).
        var pop = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0.5, 0, 1]), 10, -1, 1, [D]).Population;
        const double x = -0.3;
        var exp = new Experiment(new LowRankNetwork([pop]), [new ConstantSignal(x)], new SimulationSettings { ClipAtSpike = false, Dt = 0.01, Duration = 20 });
        double yb = PopulationBoundary.Evaluate(pop, [x]).Y;
        var times = new EventDrivenEngine().Run(exp).Spikes.Where(s => s.Time > 2).Select(s => s.Time).ToArray();
        Assert.True(times.Length > 10);
        Assert.All(times.Zip(times.Skip(1)), p => Assert.Equal(Math.Log((yb + D) / yb), p.Second - p.First, 9));
    }

    [Fact]
    public void Rank2_ei_network_tracks_its_boundary_crossing_as_the_input_ramps()
    {
        // §2.7, Fig. 5: y_E follows the crossing of the E and I boundaries, y_E* = 3/2 − x² up to the 1/16 error of
        // five tangent points. The example's notes: the noise-free clock-driven run's mean stays within 0.03 of the
        // crossing for every input; the event engine must do as well, judged on 1 τ windows (x moves ≤ 0.07 in one).
        var spec = TestData.LoadExample("ei-rank2-quadratic.yaml");
        var ei = EiBoundaries.Create(spec.Experiment.Network);
        var result = new EventDrivenEngine().Run(spec.Experiment);
        Assert.Equal(SimulationStatus.Completed, result.Status);
        double[] yE = result.Latent("y_E");
        double[] x = result.Input(0);
        int windows = 0;
        for (double t0 = 2; t0 + 1 <= spec.Experiment.Settings.Duration; t0 += 1)
        {
            int[] idx = Enumerable.Range(0, yE.Length).Where(r => result.Times[r] >= t0 && result.Times[r] < t0 + 1).ToArray();
            double meanY = idx.Average(r => yE[r]);
            double meanX = idx.Average(r => x[r]);
            var crossing = ei.Crossing(meanX);
            Assert.NotNull(crossing);
            Assert.True(Math.Abs(meanY - crossing.YE) <= 0.03, $"window at t = {t0}: mean y_E = {meanY:0.####}, crossing {crossing.YE:0.####} (x = {meanX:0.###})");
            // Tangents lie below the convex p, so the network's crossing 2 − p_pl sits above 3/2 − x² by at most 1/16.
            Assert.InRange(meanY, 1.5 - (meanX * meanX) - 0.03, 1.5 - (meanX * meanX) + (1.0 / 16) + 0.03);
            windows++;
        }

        Assert.Equal(38, windows);
        Assert.True(result.SpikeCounts[0].Sum() > 100 && result.SpikeCounts[1].Sum() > 100, "both populations take turns");

        // Several spikes within one dt step: what the clock engine's one-spike-per-step rule cannot do.
        Assert.Contains(result.Spikes.GroupBy(s => s.Step), g => g.Count() > 1);
    }
}
