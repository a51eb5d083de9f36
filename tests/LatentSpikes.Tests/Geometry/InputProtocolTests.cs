using LatentSpikes.Geometry;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Geometry;

/// <summary>The input range an experiment covers, read off its protocol without simulating the network.</summary>
public sealed class InputProtocolTests
{
    [Fact]
    public void A_ramp_covers_its_two_ends()
    {
        var exp = TestData.LoadExample("fig2-inhibitory-boundary.yaml").Experiment;
        Assert.Equal(new InputRange(-1, 1, -1, 1), InputProtocol.Range(exp, 0));

        // Cut short halfway through the ramp (t = 17.5 of 5…30), the range ends at x = 0.
        var half = InputProtocol.Range(exp.WithSettings(exp.Settings with { Duration = 17.5 }), 0);
        Assert.Equal(-1, half.Min);
        Assert.Equal(0, half.Max, 12);
        Assert.Equal(0, half.Final, 12);
    }

    [Theory]
    [InlineData("white")]
    [InlineData("ou")]
    public void A_stochastic_input_has_the_range_of_a_run_with_the_same_seed(string kind)
    {
        InputSignal signal = kind == "white" ? new WhiteNoiseSignal(0.2, 1.5) : new OrnsteinUhlenbeckSignal(-0.3, 0.8, 0.5);
        var pop = TestData.LoadExample("fig2-inhibitory-boundary.yaml").Experiment.Network.Populations[0];
        var exp = new Experiment(new LowRankNetwork([pop]), [signal], new SimulationSettings { Dt = 0.01, Duration = 20, Seed = 99 });
        double[] x = new ClockDrivenEngine().Run(exp).Input(0);
        var range = InputProtocol.Range(exp, 0);
        Assert.Equal(new InputRange(x.Min(), x.Max(), x[0], x[^1]), range);

        var other = InputProtocol.Range(exp.WithSettings(exp.Settings with { Seed = 100 }), 0);
        Assert.NotEqual(range, other);
    }

    [Fact]
    public void A_run_longer_than_the_sample_budget_is_strided_and_keeps_its_last_value()
    {
        // 5·10⁶ + 3 steps: more than MaxSamples, and not a multiple of the stride, so the last step is visited separately.
        long steps = (2 * InputProtocol.MaxSamples) + (InputProtocol.MaxSamples / 2) + 3;
        var settings = new SimulationSettings { Dt = 0.001, Duration = steps * 0.001 };
        Assert.Equal(steps, settings.StepCount);
        var pop = TestData.LoadExample("fig2-inhibitory-boundary.yaml").Experiment.Network.Populations[0];
        double stop = settings.Duration;
        var exp = new Experiment(new LowRankNetwork([pop]), [new RampSignal(2, -3, 0, stop)], settings);
        var range = InputProtocol.Range(exp, 0);
        Assert.Equal(2, range.Initial);
        Assert.Equal(2, range.Max);
        Assert.Equal(-3, range.Final, 9);
        Assert.Equal(-3, range.Min, 9);
    }

    [Fact]
    public void A_dimension_outside_the_input_is_refused()
    {
        var exp = TestData.LoadExample("fig2-inhibitory-boundary.yaml").Experiment;
        Assert.Throws<ArgumentOutOfRangeException>(() => InputProtocol.Range(exp, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => InputProtocol.Range(exp, -1));
    }
}
