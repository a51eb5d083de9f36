using LatentSpikes.Analysis;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Analysis;

/// <summary>The noise and feedforward variants used by the Fig. S2 comparison.</summary>
public class NetworkVariantsTests
{
    private static Population Inhibitory(string name, double[] thresholds, double[] feedforward, double[] decoders, double mu = 0, double noise = 0) =>
        new(name, PopulationKind.Inhibitory, feedforward.Select(f => new[] { f }).ToArray(), thresholds, decoders,
            new Dictionary<string, double[]> { [Population.LatentNameOf(name)] = Enumerable.Repeat(1.0, thresholds.Length).ToArray() }, mu, noise);

    private static Experiment Constant(LowRankNetwork net, double x, double duration = 10, IReadOnlyList<CurrentInjection>? injections = null) =>
        new(net, [new ConstantSignal(x)], new SimulationSettings { Dt = 0.01, Duration = duration, Seed = 4 }, injections);

    [Fact]
    public void The_feedforward_variant_keeps_every_neurons_self_reset()
    {
        var exp = TestData.LoadExample("fig2-inhibitory-boundary.yaml").Experiment;
        var ff = NetworkVariants.Feedforward(NetworkVariants.WithNoise(exp, 0.05));
        var pop = Assert.Single(ff.Network.Populations); // homogeneous decoders: one population
        for (int i = 0; i < pop.Size; i++)
        {
            Assert.Equal(NetworkVariants.SelfReset(exp.Network, 0, i), NetworkVariants.SelfReset(ff.Network, 0, i), 12);
            Assert.Equal(0.0, pop.Decoders[i]);
            Assert.Equal(exp.Network.Populations[0].Thresholds[i], pop.Thresholds[i]);
            Assert.Equal(exp.Network.Populations[0].Feedforward(i, 0), pop.Feedforward(i, 0));
        }

        Assert.Equal(0.05, pop.NoiseSigma);
        Assert.Equal(-0.35, NetworkVariants.SelfReset(exp.Network, 0, 3), 12); // E·D − μ = 1·(−0.35) − 0
    }

    [Fact]
    public void A_lone_neuron_fires_identically_in_both_variants()
    {
        // With one neuron there is no recurrence from others, so moving E·D into the soft refractory cost must not
        // change a single spike.
        var net = new LowRankNetwork([Inhibitory("I", [-0.25], [-1.0], [-0.3], mu: 0.02)]);
        var exp = Constant(net, -0.5);
        var recurrent = new ClockDrivenEngine().Run(exp);
        var feedforward = new ClockDrivenEngine().Run(NetworkVariants.Feedforward(exp));
        Assert.True(recurrent.Spikes.Count > 10);
        Assert.Equal(recurrent.Spikes.Select(s => s.Step), feedforward.Spikes.Select(s => s.Step));
    }

    [Fact]
    public void Without_recurrence_a_neuron_no_longer_feels_the_others()
    {
        // At x = −0.5 neuron 0 (tangent there: T = −0.25, F = −1) holds y near its boundary −0.75. Neuron 1's boundary
        // y = −0.1 − x = −0.6 lies above, so recurrently its voltage F·x + y + b ≈ 0.5 − 0.75 + 1.1 = 0.85 stays
        // below threshold and it is silent. Without recurrence its drive F·x + b = 1.6 makes it fire at the rate of a
        // lone neuron with its parameters.
        var net = new LowRankNetwork([Inhibitory("I", [-0.25, -0.1], [-1.0, -1.0], [-0.3, -0.3])]);
        var exp = Constant(net, -0.5, duration: 30);
        var recurrent = new ClockDrivenEngine().Run(exp);
        var feedforward = new ClockDrivenEngine().Run(NetworkVariants.Feedforward(exp));
        var solo = new ClockDrivenEngine().Run(Constant(new LowRankNetwork([Inhibitory("I", [-0.1], [-1.0], [-0.3])]), -0.5, duration: 30));

        Assert.DoesNotContain(recurrent.Spikes, s => s.Neuron == 1 && s.Time > 2);
        int soloCount = solo.Spikes.Count(s => s.Time > 2);
        int ffCount = feedforward.Spikes.Count(s => s.Neuron == 1 && s.Time > 2);

        // The one-spike-per-step rule still couples the two (a neuron above threshold waits a step when the other
        // fires), which shifts a few spikes; the count stays within 5 % of the solo neuron's.
        Assert.True(soloCount > 50, $"solo neuron fired {soloCount} times");
        Assert.True(Math.Abs(ffCount - soloCount) <= 0.05 * soloCount, $"feedforward neuron 1 fired {ffCount} times, solo {soloCount}");
    }

    [Fact]
    public void Heterogeneous_self_resets_split_into_populations_in_neuron_order_and_stimulation_follows()
    {
        // Decoders −0.3, −0.3, −0.5: two runs of equal self-resets, so two populations; the stimulation of I reaches both.
        var net = new LowRankNetwork([Inhibitory("I", [-0.25, -0.25, -0.25], [-1.0, -1.0, -1.0], [-0.3, -0.3, -0.5], noise: 0.1)]);
        var exp = Constant(net, -0.5, injections: [new CurrentInjection("I", 0.5, 1, 2)]);
        var ff = NetworkVariants.Feedforward(exp);
        Assert.Equal(["I", "I_ff1"], ff.Network.Populations.Select(p => p.Name));
        Assert.Equal([2, 1], ff.Network.Populations.Select(p => p.Size));
        Assert.Equal(0.3, ff.Network.Populations[0].SoftRefractory, 12);
        Assert.Equal(0.5, ff.Network.Populations[1].SoftRefractory, 12);
        Assert.Equal(["I", "I_ff1"], ff.Injections.Select(j => j.Population));
        Assert.All(ff.Network.Populations, p => Assert.Equal(0.1, p.NoiseSigma));
    }

    [Fact]
    public void An_excitatory_self_reset_has_no_feedforward_variant()
    {
        // Fig. 3's excitatory neurons jump up when they spike (E·D > 0, μ = 0): alone they would fire every step.
        var exp = TestData.LoadExample("fig3-excitatory-boundary.yaml").Experiment;
        var e = Assert.Throws<ModelValidationException>(() => NetworkVariants.Feedforward(exp));
        Assert.Contains("excitatory self-reset", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithNoise_changes_only_the_noise()
    {
        var exp = TestData.LoadExample("ei-rank2-quadratic.yaml").Experiment;
        var noisy = NetworkVariants.WithNoise(exp, 0.2);
        Assert.All(noisy.Network.Populations, p => Assert.Equal(0.2, p.NoiseSigma));
        Assert.Equal(
            LatentSpikes.Specs.SpecWriter.Write(exp).Replace("noise: 0", "noise: 0.2", StringComparison.Ordinal),
            LatentSpikes.Specs.SpecWriter.Write(noisy));
    }
}
