using LatentSpikes.Analysis;
using LatentSpikes.Construction;
using LatentSpikes.Geometry;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Rate;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Dynamics;

/// <summary>
/// Issue 16, bistability from multiple boundary crossings (seed 002 §2.6): the switch's E and I boundaries cross three
/// times at x = 0, two crossings stable and one unstable by eq. 2.41 and by the rate twin's Jacobian; the spiking
/// network holds either state, and a slow ramp of x flips it up and down near the designed inputs (hysteresis).
/// </summary>
public sealed class BistableSwitchTests
{
    private static readonly BistableSwitchNetwork Switch = BistableSwitch.Build(new BistableSwitchDesign());

    [Fact]
    public void The_boundaries_cross_three_times_at_x_0_stable_unstable_stable()
    {
        var crossings = EiBoundaries.Create(Switch.Network).Crossings(0).Where(c => c.Reachable).OrderBy(c => c.YE).ToArray();

        Assert.Equal(3, crossings.Length);
        Assert.Equal([true, false, true], crossings.Select(c => c.Stable));
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(Switch.Crossings[k].YE, crossings[k].YE, 9);
            Assert.Equal(Switch.Crossings[k].YI, crossings[k].YI, 9);
        }
    }

    [Theory]
    [InlineData(0.9, 3)]
    [InlineData(1.1, 1)]
    public void The_low_state_vanishes_beyond_the_switch_up_input_and_the_high_state_below_switch_down(double fraction, int expected)
    {
        var g = EiBoundaries.Create(Switch.Network);
        int Count(double x) => g.Crossings(x).Count(c => c.Reachable);
        Assert.Equal(expected, Count(fraction * Switch.SwitchUp));
        Assert.Equal(expected, Count(fraction * Switch.SwitchDown));

        // Which state survives: the high one beyond switch-up, the low one below switch-down.
        if (expected == 1)
        {
            Assert.True(g.Crossings(fraction * Switch.SwitchUp).Single(c => c.Reachable).YE > Switch.Design.Unstable);
            Assert.True(g.Crossings(fraction * Switch.SwitchDown).Single(c => c.Reachable).YE < Switch.Design.Unstable);
        }
    }

    [Fact]
    public void The_rate_twin_has_two_stable_fixed_points_and_a_saddle_near_the_crossings()
    {
        var set = new EiNullclines(Switch.Network, dt: 0.001, betaE: 200, betaI: 200).Compute(0, points: 4001, yEMin: 0.01, yEMax: 2.5);

        var points = set.FixedPoints.OrderBy(p => p.YE).ToArray();
        Assert.Equal([FixedPointKind.Stable, FixedPointKind.Saddle, FixedPointKind.Stable], points.Select(p => p.Kind));
        for (int k = 0; k < 3; k++)
        {
            // A steep sigmoid (β = 200) puts the fixed point within a few 1/β of the hard crossing (Fig. 11).
            Assert.InRange(points[k].YE, Switch.Crossings[k].YE - 0.05, Switch.Crossings[k].YE + 0.05);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Each_state_holds_for_50_tau_without_noise(bool high)
    {
        var run = new ClockDrivenEngine().Run(Switch.Experiment(new ConstantSignal(0), duration: 60, startHigh: high));

        Assert.Equal(SimulationStatus.Completed, run.Status);
        double target = high ? Switch.Design.High : Switch.Design.Low;
        var yE = run.Latent("y_E");
        double worst = run.Times.Select((t, r) => (t, r)).Where(p => p.t >= 5).Max(p => Math.Abs(yE[p.r] - target));

        // The state jitters around its crossing by a few spike jumps, far from the barrier at 1.0.
        Assert.True(worst < 5 * Switch.Design.Precision, $"max |y_E − {target}| after 5 τ = {worst}");
    }

    [Fact]
    public void A_slow_ramp_flips_the_switch_up_and_down_near_the_designed_inputs()
    {
        var (up, down, _, _) = SwitchProtocols.Hysteresis(Switch, sweep: 100);

        // The spiking state jitters by about one spike jump D around its crossing, so it meets the barrier once the
        // two are within D of each other: at most s·D/w before the designed input, never beyond the loop.
        double slack = Switch.Design.Slope * Switch.Design.Precision / Switch.Design.Gain;
        Assert.InRange(up, Switch.SwitchUp - slack, Switch.SwitchUp + 0.02);
        Assert.InRange(down, Switch.SwitchDown - 0.02, Switch.SwitchDown + slack);
    }

    [Fact]
    public void Noise_shortens_the_time_the_low_state_holds_near_the_switching_input()
    {
        // At x = 0.8·x_up the barrier is low; noise kicks the state over it, and more noise does so sooner.
        double x = 0.8 * Switch.SwitchUp;
        var quiet = EscapeTimes(0.0, x, trials: 2);
        var mild = EscapeTimes(MildNoise, x, trials: 8);
        var loud = EscapeTimes(LoudNoise, x, trials: 8);

        Assert.All(quiet, t => Assert.Equal(EscapeHorizon, t));
        Assert.True(loud.Average() < 0.5 * mild.Average(), $"σ = {LoudNoise}: mean escape {loud.Average():G3} τ; σ = {MildNoise}: {mild.Average():G3} τ (censored at {EscapeHorizon} τ)");
        Assert.True(loud.Count(t => t < EscapeHorizon) >= 6, "the loud noise must flip most trials within the horizon");
        Assert.True(SwitchProtocols.EscapeRate(loud, EscapeHorizon) > 2 * SwitchProtocols.EscapeRate(mild, EscapeHorizon));
    }

    [Fact]
    public void The_example_spec_is_the_default_switch()
    {
        var example = TestData.LoadExample("bistable-switch.yaml").Experiment.Network;
        for (int p = 0; p < 2; p++)
        {
            var built = Switch.Network.Populations[p];
            var written = example.Populations[p];
            Assert.Equal(built.Kind, written.Kind);
            Assert.Equal(built.Thresholds, written.Thresholds);
            Assert.Equal(built.Decoders, written.Decoders);
            foreach (string latent in new[] { "y_E", "y_I" })
            {
                Assert.Equal(built.Encoders[latent], written.Encoders[latent]);
            }

            for (int n = 0; n < built.Size; n++)
            {
                Assert.Equal(built.Feedforward(n, 0), written.Feedforward(n, 0));
            }
        }
    }

    [Theory]
    [InlineData(1.0, 0.5, 1.5)]
    [InlineData(0.5, 1.5, 1.0)]
    [InlineData(-0.1, 1.0, 1.5)]
    public void A_design_without_ordered_positive_states_is_one_error(double low, double unstable, double high)
    {
        var e = Assert.Throws<ModelValidationException>(() => BistableSwitch.Build(new BistableSwitchDesign(low, unstable, high)));
        Assert.Equal("states", e.Field);
    }

    private const double EscapeHorizon = 40;
    private const double MildNoise = 0.05;
    private const double LoudNoise = 0.15;

    private static double[] EscapeTimes(double sigma, double x, int trials) =>
        SwitchProtocols.EscapeTimes(BistableSwitch.Build(new BistableSwitchDesign(Noise: sigma)), x, EscapeHorizon, trials);
}
