using LatentSpikes.Construction;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Engine;

/// <summary>Absolute refractory periods and transmission delays, and their reproducibility across thread counts.</summary>
public class SynapseTimingTests
{
    private const double Dt = 0.01;

    private static SynapseKernel Kernel(string kind, double tau) => kind switch
    {
        "square" => SynapseKernel.Square(tau),
        "exponential" => SynapseKernel.Exponential(tau),
        _ => SynapseKernel.Delta,
    };

    /// <summary>
    /// A noisy rank-1 population with small decoders (−0.02): its active neuron's inter-spike interval is
    /// ln((y_b + D)/y_b) ≈ 0.02 τ, two steps, well below the refractory periods tested.
    /// </summary>
    private static Experiment FastFiring(SynapseKernel kernel, double refractory) =>
        new(new LowRankNetwork([TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0.5, 0, 1]), 6, -1, 1, [-0.02], 0.0, 0.05)
                .Population.WithSynapse(kernel, refractory)]),
            [new RampSignal(-1, 1, 1, 9)], new SimulationSettings { ClipAtSpike = false, Dt = Dt, Duration = 10, Seed = 11 },
            initialLatents: new Dictionary<string, double> { ["y_I"] = -1.5 });

    private static List<long> Intervals(IEnumerable<Spike> spikes) =>
        spikes.GroupBy(s => (s.Population, s.Neuron)).SelectMany(g => g.Zip(g.Skip(1), (a, b) => b.Step - a.Step)).ToList();

    [Theory]
    [InlineData("delta", 0.05, 5)]
    [InlineData("delta", 0.025, 3)]   // not a whole number of steps: ⌈2.5⌉ = 3, so no interval is below 0.025 τ
    [InlineData("exponential", 0.05, 5)]
    [InlineData("square", 0.04, 4)]
    public void No_neuron_fires_twice_within_its_refractory_period(string kind, double refractory, long minSteps)
    {
        var free = new ClockDrivenEngine().Run(FastFiring(Kernel(kind, 0.1), 0));
        Assert.Contains(Intervals(free.Spikes), i => i < minSteps); // without it the period would be violated

        var result = new ClockDrivenEngine().Run(FastFiring(Kernel(kind, 0.1), refractory));
        Assert.Equal(SimulationStatus.Completed, result.Status);
        var intervals = Intervals(result.Spikes);
        Assert.True(intervals.Count > 50, $"only {intervals.Count} intervals");
        Assert.All(intervals, i => Assert.True(i * Dt >= refractory - 1e-12, $"interval of {i} steps < t_ref = {refractory}"));
        Assert.Contains(minSteps, intervals); // the period binds: neurons fire again as soon as it is over
    }

    /// <summary>
    /// Population A (one excitatory neuron) is kicked over threshold once, in step 1, and silenced by μ. Population B
    /// listens only to y_A and fires once each (μ) when A's charge lifts it over threshold; B drives nothing.
    /// </summary>
    private static Experiment Relay(SynapseKernel kernel, double delay)
    {
        var a = new Population("A", PopulationKind.Excitatory, [[0.0]], [0.9], [0.8], new Dictionary<string, double[]> { ["y_A"] = [0.0] }, 20.0,
            synapse: kernel);
        var b = new Population("B", PopulationKind.Excitatory, [[0.0], [0.0], [0.0]], [0.3, 0.35, 0.4], [0.0, 0.0, 0.0],
            new Dictionary<string, double[]> { ["y_A"] = [1.0, 1.0, 1.0] }, 20.0);
        var delays = delay > 0 ? new[] { new TransmissionDelay("A", "B", delay) } : [];
        return new Experiment(new LowRankNetwork([a, b], delays: delays), [new ConstantSignal(0)],
            new SimulationSettings { ClipAtSpike = false, Dt = Dt, Duration = 3, RunawayWindow = 0 }, [new CurrentInjection("A", 200, 0, Dt / 2)]);
    }

    [Theory]
    [InlineData("delta", 0.1, 10)]
    [InlineData("delta", 0.1049, 10)]   // rounded to the nearest step
    [InlineData("delta", 0.1051, 11)]
    [InlineData("delta", 0.003, 0)]     // rounds to no delay at all
    [InlineData("exponential", 0.25, 25)]
    [InlineData("square", 0.07, 7)]
    public void A_delay_shifts_the_targets_response_by_exactly_its_steps_and_leaves_the_readout_alone(string kind, double delay, long steps)
    {
        var kernel = Kernel(kind, 0.2);
        var prompt = new ClockDrivenEngine().Run(Relay(kernel, 0));
        var delayed = new ClockDrivenEngine().Run(Relay(kernel, delay));

        var sourceSpikes = prompt.Spikes.Where(s => s.Population == 0).ToArray();
        Assert.Equal(new[] { 1L }, sourceSpikes.Select(s => s.Step));
        Assert.Equal(sourceSpikes, delayed.Spikes.Where(s => s.Population == 0));
        var response = prompt.Spikes.Where(s => s.Population == 1).Select(s => (s.Step, s.Neuron)).ToArray();
        Assert.Equal(3, response.Length);
        Assert.Equal(response.Select(r => (r.Step + steps, r.Neuron)), delayed.Spikes.Where(s => s.Population == 1).Select(s => (s.Step, s.Neuron)));
        // Delays act on transmission: the readouts (y_A from A's spikes, y_B with zero decoders) are not delayed.
        Assert.Equal(prompt.LatentsFlat, delayed.LatentsFlat);
    }

    [Fact]
    public void A_self_delay_delays_the_inhibition_of_the_others_but_not_the_spikers_own_reset()
    {
        // Fig. 2 network with its recurrent inhibition delayed by 5 steps. The spiker's reset E·D = −0.35 still lands
        // in the next step (App. G), so no neuron bursts; the others, uninhibited for 5 more steps, may fire meanwhile.
        var spec = TestData.LoadExampleUnclipped("fig2-inhibitory-boundary.yaml").Experiment;
        var exp = new Experiment(new LowRankNetwork(spec.Network.Populations, delays: [new TransmissionDelay("I", "I", 0.05)]), spec.Inputs, spec.Settings);
        var result = new ClockDrivenEngine().Run(exp);
        Assert.Equal(SimulationStatus.Completed, result.Status);
        Assert.True(result.Spikes.Count > 50);
        // Once the readout has reached the boundary (the first τ: it starts at 0, far above), a reset of 0.35 takes the
        // ramp ≳ 0.35 τ to undo; a delayed reset would let the spiker fire in each of the next 5 steps.
        Assert.All(Intervals(result.Spikes.Where(s => s.Time > 1)), i => Assert.True(i > 10, $"a neuron fired again after {i} steps"));
        // With the delay, another neuron sometimes fires before the first spike's inhibition arrives.
        var undelayed = new ClockDrivenEngine().Run(spec);
        Assert.Contains(result.Spikes.Zip(result.Spikes.Skip(1)), p => p.Second.Step - p.First.Step <= 5 && p.Second.Neuron != p.First.Neuron);
        Assert.DoesNotContain(undelayed.Spikes.Zip(undelayed.Spikes.Skip(1)), p => p.Second.Step - p.First.Step <= 5 && p.Second.Neuron != p.First.Neuron);
    }

    [Theory]
    [InlineData("delta")]
    [InlineData("exponential")]
    [InlineData("square")]
    public void A_neuron_coding_alone_is_untouched_by_a_self_delay_because_its_reset_is_immediate_and_counted_once(string kind)
    {
        // At the constant input x = x_3 = −1/3, a tangent point, neuron 3 of the Fig. 2 network codes alone (§2.3); its
        // neighbours' thresholds lie ≈ 0.05 higher, more than the ≈ 0.6·dt per step the leak lifts them while the
        // inhibition is in flight. With the I → I transmission delayed by 3 steps the coding neuron's reset still lands
        // in the next step and the delayed copy of it is cancelled on arrival, so its spike train is the undelayed one.
        // A delayed reset would make it burst; an uncancelled copy would reset it twice and halve its rate.
        var pop = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0.5, 0, 1]), 10, -1, 1, [-0.35]).Population
            .WithSynapse(Kernel(kind, 0.05), 0);
        Experiment Make(TransmissionDelay[] delays) => new(new LowRankNetwork([pop], delays: delays), [new ConstantSignal(-1.0 / 3)],
            new SimulationSettings { ClipAtSpike = false, Dt = Dt, Duration = 20 }, initialLatents: new Dictionary<string, double> { ["y_I"] = -0.9 });
        var prompt = new ClockDrivenEngine().Run(Make([]));
        var delayed = new ClockDrivenEngine().Run(Make([new TransmissionDelay("I", "I", 0.03)]));
        Assert.True(prompt.Spikes.Count > 30);
        Assert.Single(prompt.Spikes.Where(s => s.Time > 1).Select(s => s.Neuron).Distinct());
        Assert.Equal(prompt.Spikes, delayed.Spikes);
    }

    [Fact]
    public void The_event_engine_refuses_slow_synapses_refractory_periods_and_delays_instead_of_ignoring_them()
    {
        var fig10 = TestData.LoadExample("fig10-slow-synapses.yaml").Experiment;
        Assert.False(EventDrivenEngine.Supports(fig10, out string reason));
        Assert.StartsWith("populations[0].synapse: ", reason, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => new EventDrivenEngine().Run(fig10));

        var delta = fig10.Network.Populations[0].WithSynapse(SynapseKernel.Delta, 0.0);
        Experiment With(Population p, TransmissionDelay[] delays) => new(new LowRankNetwork([p], delays: delays), fig10.Inputs, fig10.Settings);
        Assert.True(EventDrivenEngine.Supports(With(delta, [new TransmissionDelay("I", "I", 0)]), out _));
        Assert.False(EventDrivenEngine.Supports(With(delta.WithSynapse(SynapseKernel.Delta, 0.02), []), out reason));
        Assert.StartsWith("populations[0].refractory: ", reason, StringComparison.Ordinal);
        Assert.False(EventDrivenEngine.Supports(With(delta, [new TransmissionDelay("I", "I", 0.1)]), out reason));
        Assert.StartsWith("delays[0]: ", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("exponential")]
    [InlineData("delta")]
    public void A_large_network_with_kernels_refractoriness_and_delays_gives_identical_results_at_one_two_and_three_threads(string kind)
    {
        // Chunks split the big population; every per-neuron operation happens in a fixed order whatever the chunking.
        int n = (ClockDrivenEngine.ParallelThreshold * 2) + 3;
        var big = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0.5, 0, 1]), n, -1, 1, [-0.002], 0.001, 0.2)
            .Population.WithSynapse(Kernel(kind, 0.1), 0.03);
        var small = new Population("J", PopulationKind.Inhibitory, Enumerable.Repeat(new[] { 0.3 }, 50).ToArray(), Enumerable.Repeat(-0.8, 50).ToArray(),
            Enumerable.Repeat(-0.01, 50).ToArray(), new Dictionary<string, double[]> { ["y_J"] = Enumerable.Repeat(1.0, 50).ToArray(), ["y_I"] = Enumerable.Repeat(0.5, 50).ToArray() },
            0.0, 0.3, kind == "delta" ? SynapseKernel.Delta : SynapseKernel.Square(0.05));
        var delays = new[] { new TransmissionDelay("I", "J", 0.03), new TransmissionDelay("J", "I", 0.02), new TransmissionDelay("I", "I", 0.01) };
        var exp = new Experiment(new LowRankNetwork([big, small], delays: delays), [new OrnsteinUhlenbeckSignal(-0.3, 0.2, 2.0)],
            new SimulationSettings { ClipAtSpike = false, Dt = Dt, Duration = 0.6, Seed = 7 }, initialLatents: new Dictionary<string, double> { ["y_I"] = -0.6 });
        var one = new ClockDrivenEngine(threads: 1).Run(exp);
        var two = new ClockDrivenEngine(threads: 2).Run(exp);
        var three = new ClockDrivenEngine(threads: 3).Run(exp);
        // The delta rule allows one spike per step (60 steps); slow kernels fire every neuron at threshold.
        Assert.True(one.Spikes.Count > (kind == "delta" ? 30 : 100), $"{one.Spikes.Count} spikes");
        Assert.Contains(one.Spikes, s => s.Population == 1);
        if (kind != "delta")
        {
            Assert.Contains(one.Spikes.GroupBy(s => s.Step), g => g.Count() > 1);
        }

        Assert.Equal(one.Spikes, two.Spikes);
        Assert.Equal(one.Spikes, three.Spikes);
        Assert.Equal(one.LatentsFlat, two.LatentsFlat);
        Assert.Equal(one.LatentsFlat, three.LatentsFlat);
    }
}
