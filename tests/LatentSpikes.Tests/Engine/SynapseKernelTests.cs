using LatentSpikes.Construction;
using LatentSpikes.Geometry;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Engine;

/// <summary>
/// Synaptic kernels of seed 002 §4.1 (eq. 4.3-4.5) and the self-reset rule of App. G, checked where the answer is
/// known exactly: the delta path is untouched, every kernel delivers one spike's charge D, slow readouts become the
/// delta readout as τ_s → 0, and slow synapses let every neuron above threshold fire.
/// </summary>
public class SynapseKernelTests
{
    private const double Dt = 0.01;

    public static TheoryData<string> Examples() => new() { "fig2-inhibitory-boundary.yaml", "fig3-excitatory-boundary.yaml", "ei-rank2-quadratic.yaml", "fig5-saw.yaml", "figS1-random-boundary.yaml" };

    public static TheoryData<string, double> SlowKernels() => new()
    {
        { "square", 0.5 },    // 50 whole steps
        { "square", 0.123 },  // 12 whole steps and a partial one
        { "square", 0.004 },  // shorter than a step: all the charge in the next step
        { "exponential", 0.5 },
        { "exponential", 0.05 },
        { "square", 1e-300 },       // vanishing widths are the delta kernel, without overflow
        { "exponential", 1e-300 },
    };

    private static SynapseKernel Kernel(string kind, double tau) =>
        kind == "square" ? SynapseKernel.Square(tau) : SynapseKernel.Exponential(tau);

    [Theory]
    [MemberData(nameof(Examples))]
    public void The_general_path_with_delta_synapses_reproduces_the_delta_engine_bit_for_bit(string example)
    {
        // The slow-synapse machinery (latent charge filters, reset lists, chunked spike collection) must reduce to the
        // delta engine's arithmetic for delta kernels: same spikes, same latents to the last bit, same end.
        var exp = TestData.LoadExample(example).Experiment;
        var fast = new ClockDrivenEngine(threads: 1).Run(exp);
        var general = new ClockDrivenEngine(threads: 1) { ForceGeneralPath = true }.Run(exp);
        Assert.NotEmpty(fast.Spikes);
        Assert.Equal(fast.Spikes, general.Spikes);
        Assert.Equal(fast.LatentsFlat.Select(BitConverter.DoubleToInt64Bits), general.LatentsFlat.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(fast.Status, general.Status);
        Assert.Equal(fast.StatusDetail, general.StatusDetail);
    }

    [Fact]
    public void A_noisy_two_population_network_runs_the_same_through_both_paths()
    {
        var pop = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0.5, 0, 1]), 40, -1, 1, [-0.1], 0.01, 0.05).Population;
        var cross = new LatentReadout("y_I2", "I", Enumerable.Repeat(-0.05, 40).ToArray());
        var other = new Population("J", PopulationKind.Unsigned, [[0.5], [-0.5]], [-0.2, -0.3], [0.1, -0.1],
            new Dictionary<string, double[]> { ["y_J"] = [1.0, 1.0], ["y_I2"] = [0.5, 0.8] }, 0.02, 0.1);
        var exp = new Experiment(new LowRankNetwork([pop, other], [cross]), [new OrnsteinUhlenbeckSignal(-0.2, 0.3, 1.0)],
            new SimulationSettings { Dt = Dt, Duration = 20, Seed = 5 }, [new CurrentInjection("J", 0.3, 5, 8)]);
        var fast = new ClockDrivenEngine(threads: 1).Run(exp);
        var general = new ClockDrivenEngine(threads: 1) { ForceGeneralPath = true }.Run(exp);
        Assert.True(fast.Spikes.Count > 100);
        Assert.Equal(fast.Spikes, general.Spikes);
        Assert.Equal(fast.LatentsFlat.Select(BitConverter.DoubleToInt64Bits), general.LatentsFlat.Select(BitConverter.DoubleToInt64Bits));
    }

    [Theory]
    [MemberData(nameof(SlowKernels))]
    public void Each_step_receives_the_kernel_integrated_over_that_step_and_one_spike_delivers_its_decoder(string kind, double tau)
    {
        // One spike of a neuron with decoder D at step 1, then silence; the charge per step is read off the filter.
        const double D = 0.7;
        var source = new Population("A", PopulationKind.Excitatory, [[0.0]], [0.5], [D], new Dictionary<string, double[]> { ["y_A"] = [1.0] },
            synapse: Kernel(kind, tau));
        var network = new LowRankNetwork([source]);
        const long Steps = 20_000;
        var transmission = new Transmission(new CompiledNetwork(network), network, Dt, Steps);
        var y = new double[1];
        var charges = new List<double>();
        for (long step = 1; step <= Steps; step++)
        {
            transmission.EndStep(step, step == 1 ? [0] : [], y);
            charges.Add(transmission.ChargeOf(0, step)[0]);
        }

        // Total charge: that of a delta synapse (the weights sum to one; rounding only).
        Assert.Equal(D, charges.Sum(), 12);

        // Shape: the exact integral of α over each step (eq. 4.3 and the exponential kernel).
        for (int m = 1; m <= 60; m++)
        {
            double expected = kind == "square"
                ? D * (Math.Min(m * Dt, tau) - Math.Min((m - 1) * Dt, tau)) / tau
                : D * (Math.Exp(-(m - 1) * Dt / tau) - Math.Exp(-m * Dt / tau));
            Assert.Equal(expected, charges[m - 1], 12);
        }
    }

    [Theory]
    [InlineData("delta", 0.0)]
    [InlineData("square", 0.5)]
    [InlineData("square", 0.123)]
    [InlineData("exponential", 0.5)]
    public void The_readout_of_one_spike_integrates_to_the_decoder_with_every_kernel(string kind, double tau)
    {
        // y_n = e^{−dt}·y_{n−1} + Q_n sums to (1 − e^{−dt})·Σ_{n≥1} y_n + e^{−dt}·y_N = Σ_n Q_n: the charge the readout
        // received. A neuron driven over threshold once by a short current pulse, and silenced by μ, fires exactly once.
        const double D = -0.4;
        var kernel = kind == "delta" ? SynapseKernel.Delta : Kernel(kind, tau);
        var pop = new Population("I", PopulationKind.Inhibitory, [[0.0]], [0.9], [D], new Dictionary<string, double[]> { ["y_I"] = [0.0] }, 20.0, 0, kernel);
        var exp = new Experiment(new LowRankNetwork([pop]), [new ConstantSignal(0)], new SimulationSettings { Dt = Dt, Duration = 30 },
            [new CurrentInjection("I", 200, 0, Dt / 2)]);
        var result = new ClockDrivenEngine().Run(exp);
        Assert.Single(result.Spikes);
        Assert.Equal(1, result.Spikes[0].Step);
        double[] y = result.Latent("y_I");
        double decay = Math.Exp(-Dt);
        double charge = ((1 - decay) * y.Skip(1).Sum()) + (decay * y[^1]);
        Assert.Equal(D, charge, 10);
    }

    [Theory]
    [InlineData("exponential")]
    [InlineData("square")]
    public void As_tau_s_shrinks_the_slow_readout_converges_to_the_delta_readout(string kind)
    {
        // Fig. 2 network at a constant input, started on its boundary: one neuron codes the input (§2.3). Its own reset
        // is immediate (App. G), so its spike train is exactly that of the delta network; the readout lags by the charge
        // still in flight, at most |D|·e^{−dt/τ_s} (exponential) or |D|·(1 − dt/τ_s) (square, none once τ_s ≤ dt),
        // which vanishes as τ_s → 0. (The bound is checked once τ_s ≤ 0.03 τ, when a spike's charge is delivered long
        // before the next spike ≈ 0.45 τ later; for slower kernels the charges of successive spikes overlap.)
        const double D = -0.35;
        var pop = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0.5, 0, 1]), 10, -1, 1, [D]).Population;
        const double X = -0.3;
        double boundary = PopulationBoundary.Evaluate(pop, [X]).Y;
        Experiment Make(Population p) => new(new LowRankNetwork([p]), [new ConstantSignal(X)], new SimulationSettings { Dt = Dt, Duration = 20 },
            initialLatents: new Dictionary<string, double> { ["y_I"] = boundary + (D / 2) });
        var delta = new ClockDrivenEngine().Run(Make(pop));
        Assert.True(delta.Spikes.Count > 30);
        double[] yDelta = delta.Latent("y_I");

        double previous = double.PositiveInfinity;
        foreach (double tau in new[] { 0.3, 0.1, 0.03, 0.01, 0.003, 0.001 })
        {
            var slow = new ClockDrivenEngine().Run(Make(pop.WithSynapse(Kernel(kind, tau), 0)));
            Assert.Equal(delta.Spikes, slow.Spikes);
            double[] y = slow.Latent("y_I");
            double gap = y.Zip(yDelta, (a, b) => Math.Abs(a - b)).Max();
            double inFlight = kind == "square" ? Math.Abs(D) * Math.Max(0, 1 - (Dt / tau)) : Math.Abs(D) * Math.Exp(-Dt / tau);
            Assert.True(tau > 0.03 || gap <= (inFlight * 1.001) + 1e-12, $"τ_s = {tau}: readouts differ by {gap}, more than the {inFlight} in flight");
            Assert.True(gap <= previous, $"τ_s = {tau}: gap {gap} grew from {previous}");
            previous = gap;
        }

        Assert.True(previous < 1e-4, $"at τ_s = 0.001 the readouts still differ by {previous}");
    }

    [Theory]
    [InlineData("exponential")]
    [InlineData("square")]
    public void With_slow_synapses_every_neuron_above_threshold_fires_in_the_same_step(string kind)
    {
        // Five identical neurons cross threshold together on a ramp. Delta synapses: one spike per step, the first
        // spike's inhibition arriving next step silences the rest. Slow synapses: all five fire at once, every time.
        var pop = new Population("I", PopulationKind.Inhibitory, Enumerable.Repeat(new[] { 1.0 }, 5).ToArray(), Enumerable.Repeat(0.0, 5).ToArray(),
            Enumerable.Repeat(-0.05, 5).ToArray(), new Dictionary<string, double[]> { ["y_I"] = Enumerable.Repeat(1.0, 5).ToArray() });
        Experiment Make(Population p) => new(new LowRankNetwork([p]), [new RampSignal(-0.5, 1, 0, 10)], new SimulationSettings { Dt = Dt, Duration = 10 });

        var delta = new ClockDrivenEngine().Run(Make(pop));
        Assert.True(delta.Spikes.Count > 10);
        Assert.All(delta.Spikes.GroupBy(s => s.Step), g => Assert.Single(g));

        var slow = new ClockDrivenEngine().Run(Make(pop.WithSynapse(Kernel(kind, 0.2), 0)));
        var steps = slow.Spikes.GroupBy(s => s.Step).ToArray();
        Assert.True(steps.Length > 5, $"only {steps.Length} spiking steps");
        Assert.All(steps, g => Assert.Equal(new[] { 0, 1, 2, 3, 4 }, g.Select(s => s.Neuron).ToArray()));
    }

    [Fact]
    public void Several_populations_fire_together_and_inhibition_no_longer_goes_first()
    {
        // Both neurons start above threshold. Delta synapses: the inhibitory neuron wins every step (§2.6). With a slow
        // kernel anywhere in the network both fire in the first step.
        var e = new Population("E", PopulationKind.Excitatory, [[0.0]], [-5.0], [0.01], new Dictionary<string, double[]> { ["y_E"] = [1.0] });
        var i = new Population("I", PopulationKind.Inhibitory, [[0.0]], [-0.5], [-0.01], new Dictionary<string, double[]> { ["y_I"] = [1.0] },
            synapse: SynapseKernel.Exponential(0.1));
        var exp = new Experiment(new LowRankNetwork([e, i]), [new ConstantSignal(0)], new SimulationSettings { Dt = Dt, Duration = 0.05, RunawayWindow = 0 });
        var spikes = new ClockDrivenEngine().Run(exp).Spikes;
        Assert.Equal(new[] { (1L, 0), (1L, 1) }, spikes.Where(s => s.Step == 1).Select(s => (s.Step, s.Population)).ToArray());
    }

    [Fact]
    public void A_positive_self_connection_stays_slow_while_a_reset_is_immediate()
    {
        // App. G keeps only the negative diagonal (the reset) fast. An excitatory neuron with self-excitation
        // E·D = 0.6 and μ = 0.1, resting just below threshold (b = 0.98), is kicked over once and clipped to V = 1.
        // Delta synapses: the next step brings +0.6 − 0.1 and it fires again. Exponential synapse (τ_s = 0.5): −0.1 at
        // once but only 0.6·(1 − e^{−0.02}) ≈ 0.012 of excitation per step, so it needs several steps to fire again.
        var pop = new Population("E", PopulationKind.Excitatory, [[0.0]], [0.02], [0.6], new Dictionary<string, double[]> { ["y_E"] = [1.0] }, 0.1);
        Experiment Make(Population p) => new(new LowRankNetwork([p]), [new ConstantSignal(0)],
            new SimulationSettings { Dt = Dt, Duration = 0.3, RunawayWindow = 0, ClipAtSpike = true }, [new CurrentInjection("E", 200, 0, Dt / 2)]);
        var delta = new ClockDrivenEngine().Run(Make(pop)).Spikes;
        Assert.Equal(new long[] { 1, 2 }, delta.Take(2).Select(s => s.Step));
        var slow = new ClockDrivenEngine().Run(Make(pop.WithSynapse(SynapseKernel.Exponential(0.5), 0))).Spikes;
        Assert.Equal(1, slow[0].Step);
        Assert.True(slow.Count > 1 && slow[1].Step >= 4, $"second spike at step {(slow.Count > 1 ? slow[1].Step : -1)}");
    }
}
