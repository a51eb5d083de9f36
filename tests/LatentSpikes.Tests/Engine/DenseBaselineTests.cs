using LatentSpikes.Bench;
using LatentSpikes.Construction;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Engine;

/// <summary>
/// The peers benchmark's dense-matrix baseline (bench/LatentSpikes.Bench/DenseBaseline.cs, linked into this project)
/// must be the same model as <see cref="ClockDrivenEngine"/>, or its timings compare different things: on the
/// benchmark's own networks at small N it has to give the same spikes, step by step. Exact equality is the right
/// bar: both add the same IEEE products in the same order and draw the same counter-based noise, so any difference
/// is a difference in the rules (reset, spike order, timing of the recurrent jump), not rounding.
/// </summary>
public class DenseBaselineTests
{
    private static Experiment WithRamp(Experiment exp) =>
        new(exp.Network, [new RampSignal(-1, 1, 2, 18)], exp.Settings with { Duration = 20 }, exp.Injections, exp.InitialLatents);

    private static void AssertSameRun(Experiment exp)
    {
        var ours = new ClockDrivenEngine(1).Run(exp);
        var dense = new DenseBaseline().Run(exp);
        Assert.True(ours.Spikes.Count > 20, $"the comparison needs activity (got {ours.Spikes.Count} spikes)");
        Assert.Equal(ours.Spikes, dense.Spikes);
        Assert.Equal(ours.LatentsFlat, dense.LatentsFlat);
    }

    [Fact]
    public void The_dense_baseline_reproduces_the_engine_spike_for_spike_on_a_noise_free_rank1_tangent_network()
        => AssertSameRun(WithRamp(BenchNetworks.Rank1(20, 0.0, 20)));

    [Fact]
    public void The_dense_baseline_reproduces_the_engine_spike_for_spike_on_a_noise_free_rank2_EI_network()
    {
        // Both populations must fire, or inhibition-first and the cross blocks W_EI, W_IE go untested.
        var exp = WithRamp(BenchNetworks.Rank2(20, 0.0, 20));
        AssertSameRun(exp);
        var spikes = new DenseBaseline().Run(exp).Spikes;
        Assert.Contains(spikes, s => s.Population == 0);
        Assert.Contains(spikes, s => s.Population == 1);
    }

    [Fact]
    public void The_dense_baseline_draws_the_engine_noise_streams_so_noisy_runs_agree_too()
        => AssertSameRun(WithRamp(BenchNetworks.Rank2(40, 0.1, 20)));

    [Fact]
    public void The_soft_refractory_cost_sits_on_the_diagonal_of_the_dense_weights()
    {
        // μ = 0.2 is large enough to change which neuron fires next (compared with μ = 0) and to keep a neuron from
        // firing twice in a row; the diagonal W_ii = E_i·D_i − μ must reproduce it. The clip exercises the authors'
        // rank-1 rule as well.
        var pop = TangentPopulation(mu: 0.2);
        var settings = new SimulationSettings { Dt = 0.01, Duration = 20, Seed = 3, RunawayWindow = 0, ClipAtSpike = true };
        var exp = new Experiment(new LowRankNetwork([pop]), [new RampSignal(-1, 1, 2, 18)], settings);
        AssertSameRun(exp);
        var withoutMu = new Experiment(new LowRankNetwork([TangentPopulation(mu: 0)]), exp.Inputs, settings);
        Assert.NotEqual(new DenseBaseline().Run(withoutMu).Spikes, new DenseBaseline().Run(exp).Spikes);
    }

    [Fact]
    public void The_dense_baseline_refuses_networks_whose_weights_would_not_fit()
    {
        var big = BenchNetworks.Rank1(DenseBaseline.MaxNeurons + 1, 0.0, 0.01);
        var e = Assert.Throws<ArgumentException>(() => DenseBaseline.Build(big));
        Assert.Contains("N×N", e.Message, StringComparison.Ordinal);
    }

    private static Population TangentPopulation(double mu) =>
        TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0.5, 0, 1]), 15, -1, 1, [-0.35], mu, 0.0).Population;
}
