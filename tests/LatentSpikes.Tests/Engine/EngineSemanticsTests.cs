using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Engine;

/// <summary>The clock-driven update rules of App. G, checked on single neurons where the answer is known exactly.</summary>
public class EngineSemanticsTests
{
    private static Population Single(string name, PopulationKind kind, double f, double threshold, double decoder, double sigma = 0) =>
        new(name, kind, [[f]], [threshold], [decoder], new Dictionary<string, double[]> { [Population.LatentNameOf(name)] = [1.0] }, 0, sigma);

    [Fact]
    public void The_drive_makes_the_voltage_follow_the_filtered_input_so_a_ramp_crosses_threshold_on_time()
    {
        // V = F·x + b exactly (c_t = (x_t − x_{t−1})/dt + x_{t−1}); with F = 1, T = 0.5 the neuron reaches V = 1 at x = 0.5.
        var pop = Single("I", PopulationKind.Inhibitory, 1.0, 0.5, -0.1);
        var exp = new Experiment(new LowRankNetwork([pop]), [new RampSignal(0, 1, 0, 10)], new SimulationSettings { Dt = 0.01, Duration = 6 });
        var first = new ClockDrivenEngine().Run(exp).Spikes[0];
        Assert.InRange(first.Time, 4.99, 5.011);
    }

    [Fact]
    public void Current_injection_acts_only_inside_its_window()
    {
        var pop = Single("I", PopulationKind.Inhibitory, 0.0, 1.5, -0.1); // b = −0.5: silent without help
        var exp = new Experiment(new LowRankNetwork([pop]), [new ConstantSignal(0)], new SimulationSettings { Dt = 0.01, Duration = 10 },
            injections: [new CurrentInjection("I", 3.0, 4.0, 6.0)]);
        var spikes = new ClockDrivenEngine().Run(exp).Spikes;
        Assert.NotEmpty(spikes);
        Assert.All(spikes, s => Assert.InRange(s.Time, 4.0, 6.05));
    }

    [Fact]
    public void Inhibition_wins_when_both_populations_are_above_threshold()
    {
        // Both neurons start above threshold; only one spike per step, and inhibitory neurons fire first.
        var e = Single("E", PopulationKind.Excitatory, 0.0, -5.0, 0.01);
        var i = Single("I", PopulationKind.Inhibitory, 0.0, -0.5, -0.01);
        var exp = new Experiment(new LowRankNetwork([e, i]), [new ConstantSignal(0)], new SimulationSettings { Dt = 0.01, Duration = 0.05, RunawayWindow = 0 });
        var spikes = new ClockDrivenEngine().Run(exp).Spikes;
        Assert.Equal(5, spikes.Count); // one per step
        Assert.All(spikes, s => Assert.Equal(1, s.Population));
    }

    [Fact]
    public void Within_a_population_the_neuron_furthest_above_threshold_fires()
    {
        var pop = new Population("I", PopulationKind.Inhibitory, [[0.0], [0.0], [0.0]], [-0.2, -0.9, -0.5], [-1.0, -1.0, -1.0],
            new Dictionary<string, double[]> { ["y_I"] = [1.0, 1.0, 1.0] });
        var exp = new Experiment(new LowRankNetwork([pop]), [new ConstantSignal(0)], new SimulationSettings { Dt = 0.01, Duration = 0.01 });
        var spikes = new ClockDrivenEngine().Run(exp).Spikes;
        Assert.Single(spikes);
        Assert.Equal(1, spikes[0].Neuron);
    }

    [Fact]
    public void A_spike_moves_every_voltage_through_the_latents_one_step_later()
    {
        // Neuron 0 fires at step 1 (D = −0.5). Neuron 1 sits just below threshold (b = 0.999) with encoder 0 on y_I:
        // without the spike it would cross at step 1 as well, but it is in a different population listening to a
        // cross readout with decoder −2, so from step 2 on it is pushed down by 2 and stays silent.
        var a = Single("A", PopulationKind.Inhibitory, 0.0, -0.5, -0.5);
        var b = new Population("B", PopulationKind.Excitatory, [[0.0]], [-0.004], [0.0], new Dictionary<string, double[]> { ["y_A_to_B"] = [1.0] });
        var net = new LowRankNetwork([a, b], [new LatentReadout("y_A_to_B", "A", [-2.0])]);
        var exp = new Experiment(net, [new ConstantSignal(0)], new SimulationSettings { Dt = 0.01, Duration = 1 });
        var result = new ClockDrivenEngine().Run(exp);
        Assert.Equal(0, result.Spikes[0].Population);
        Assert.Equal(1, result.Spikes[0].Step);
        Assert.DoesNotContain(result.Spikes, s => s.Population == 1 && s.Step > 1);
        // The cross readout is recorded as its own latent.
        Assert.Equal(-2.0, result.Latent("y_A_to_B")[1], 12);
    }
}
