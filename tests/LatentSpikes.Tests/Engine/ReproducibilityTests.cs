using LatentSpikes.Construction;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Engine;

public class ReproducibilityTests
{
    private static Experiment Noisy(int n, double duration, ulong seed)
    {
        var pop = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0.5, 0, 1]), n, -1, 1, [-0.35], noiseSigma: 0.2).Population;
        return new Experiment(new LowRankNetwork([pop]), [new OrnsteinUhlenbeckSignal(-0.3, 0.2, 2.0)], new SimulationSettings { Dt = 0.01, Duration = duration, Seed = seed });
    }

    [Fact]
    public void A_large_noisy_network_gives_identical_results_at_one_and_two_threads()
    {
        var exp = Noisy(ClockDrivenEngine.ParallelThreshold * 2 + 3, 0.6, 7);
        var one = new ClockDrivenEngine(threads: 1).Run(exp);
        var two = new ClockDrivenEngine(threads: 2).Run(exp);
        var three = new ClockDrivenEngine(threads: 3).Run(exp);
        Assert.NotEmpty(one.Spikes);
        Assert.Equal(one.Spikes, two.Spikes);
        Assert.Equal(one.Spikes, three.Spikes);
        Assert.Equal(one.LatentsFlat, two.LatentsFlat);
        Assert.Equal(one.InputsFlat, three.InputsFlat);
    }

    [Fact]
    public void The_seed_fixes_the_noise_and_different_seeds_differ()
    {
        var a = new ClockDrivenEngine().Run(Noisy(20, 20, 1));
        var b = new ClockDrivenEngine().Run(Noisy(20, 20, 1));
        var c = new ClockDrivenEngine().Run(Noisy(20, 20, 2));
        Assert.Equal(a.Spikes, b.Spikes);
        Assert.Equal(a.LatentsFlat, b.LatentsFlat);
        Assert.NotEqual(a.Spikes, c.Spikes);
    }

    [Fact]
    public void Trials_are_distinct_streams_and_trial_r_is_reproducible_on_its_own()
    {
        var exp = Noisy(20, 10, 3);
        var t0 = new ClockDrivenEngine(trial: 0).Run(exp);
        var t5 = new ClockDrivenEngine(trial: 5).Run(exp);
        var t5again = new ClockDrivenEngine(trial: 5).Run(exp);
        Assert.NotEqual(t0.Spikes, t5.Spikes);
        Assert.Equal(t5.Spikes, t5again.Spikes);
    }
}
