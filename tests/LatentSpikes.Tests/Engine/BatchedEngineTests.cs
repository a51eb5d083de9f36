using LatentSpikes.Construction;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Engine;

/// <summary>Batched trials: trial r of a batch equals a single run of trial r, whatever the threads or sharding.</summary>
public class BatchedEngineTests
{
    /// <summary>The Fig. S2 workload: N = 20 inhibitory neurons, constant x = −0.5, noise σ, 5 τ.</summary>
    private static Experiment FigS2(double sigma, double duration = 5, ulong seed = 3)
    {
        var pop = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0.5, 0, 1]), 20, -1, 1, [-0.1], noiseSigma: sigma).Population;
        return new Experiment(new LowRankNetwork([pop]), [new ConstantSignal(-0.5)], new SimulationSettings { Dt = 0.01, Duration = duration, Seed = seed },
            initialLatents: new Dictionary<string, double> { ["y_I"] = -0.75 });
    }

    [Fact]
    public void Trial_r_of_a_batch_is_bit_identical_to_a_single_run_of_trial_r_at_one_and_two_threads()
    {
        var exp = FigS2(0.1);
        var one = new BatchedEngine(threads: 1).Run(exp, 12);
        var two = new BatchedEngine(threads: 2).Run(exp, 12);
        for (int r = 0; r < 12; r++)
        {
            var single = new ClockDrivenEngine(threads: 1, trial: (ulong)r).Run(exp);
            Assert.Equal(single.Spikes, one.Trials[r].Spikes);
            Assert.Equal(single.LatentsFlat, one.Trials[r].LatentsFlat);
            Assert.Equal(single.Spikes, two.Trials[r].Spikes);
            Assert.Equal(single.LatentsFlat, two.Trials[r].LatentsFlat);
        }
    }

    [Fact]
    public void A_batch_split_into_shards_equals_the_whole_batch()
    {
        var exp = FigS2(0.1);
        var whole = new BatchedEngine().Run(exp, 10);
        var first = new BatchedEngine().Run(exp, 4);
        var rest = new BatchedEngine().Run(exp, 6, firstTrial: 4);
        var joined = first.Trials.Concat(rest.Trials).ToList();
        for (int r = 0; r < 10; r++)
        {
            Assert.Equal(whole.Trials[r].Spikes, joined[r].Spikes);
        }
    }

    [Fact]
    public void Trials_are_independent_and_their_average_readout_sits_on_the_boundary()
    {
        var exp = FigS2(0.05, duration: 10);
        var batch = new BatchedEngine().Run(exp, 40);
        Assert.Equal(0, batch.ExplodedCount);

        // Different noise per trial: no two trials fire the same spike train.
        Assert.Equal(40, batch.Trials.Select(t => string.Join(";", t.Spikes.Select(s => $"{s.Step}:{s.Neuron}"))).Distinct().Count());

        // Fig. 2 geometry: the readout lives in the band [boundary + D, boundary] with boundary −f(−0.5) = −0.75 and
        // D = −0.1; the trial average of its second half sits inside it (noise only jitters the spike times).
        double[] mean = batch.MeanLatent("y_I");
        double late = mean.Skip(mean.Length / 2).Average();
        Assert.InRange(late, -0.75 + (-0.1) - 0.02, -0.75 + 0.02);
    }

    [Fact]
    public void A_bad_trial_count_is_refused()
    {
        var e = Assert.Throws<ModelValidationException>(() => new BatchedEngine().Run(FigS2(0.1), 0));
        Assert.Equal("trials", e.Field);
    }
}
