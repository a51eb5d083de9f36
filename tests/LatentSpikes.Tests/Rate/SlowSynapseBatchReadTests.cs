using LatentSpikes.IO;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Rate;

/// <summary>
/// A batch (<c>simulate --trials</c>) stores only spikes; <see cref="RunReader"/> rebuilds each trial's latents. With
/// slow synapses the latent is the filtered synaptic current (eq. 4.4-4.5), so the rebuild must replay the kernel:
/// the rate-twin comparison of Fig. 10 reads such batches. Checked against the engine's own latents.
/// </summary>
public sealed class SlowSynapseBatchReadTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-slowbatch-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("exponential", 0.5)]
    [InlineData("square", 0.5)]     // a whole number of steps
    [InlineData("square", 0.255)]   // 25.5 steps: a remainder in the last step
    [InlineData("square", 0.004)]   // shorter than a step
    public void Rebuilt_latents_of_a_slow_synapse_batch_equal_the_engines(string kind, double tau)
    {
        var spec = TestData.LoadExample("fig10-slow-synapses.yaml").Experiment;
        var pop = spec.Network.Populations[0];
        var kernel = kind == "square" ? SynapseKernel.Square(tau) : SynapseKernel.Exponential(tau);
        var exp = new Experiment(new LowRankNetwork([pop.WithSynapse(kernel, 0)]), spec.Inputs, spec.Settings with { Duration = 6, RecordEvery = 3 }, spec.Injections, spec.InitialLatents, spec.Name);
        var batch = new BatchedEngine().Run(exp, 3).Trials;
        Assert.All(batch, t => Assert.NotEmpty(t.Spikes));
        Directory.CreateDirectory(_dir);
        TrialsWriter.WriteAll(batch, 0, new RunProvenance("test", "none"), _dir);

        var read = RunReader.ReadTrials(_dir);

        for (int r = 0; r < batch.Count; r++)
        {
            double[] engine = batch[r].Latent("y_I");
            double[] rebuilt = read[r].Result.Latent("y_I");
            Assert.Equal(engine.Length, rebuilt.Length);
            for (int j = 0; j < engine.Length; j++)
            {
                Assert.True(Math.Abs(engine[j] - rebuilt[j]) <= 1e-9, $"trial {r}, record {j}: engine {engine[j]}, rebuilt {rebuilt[j]}");
            }
        }
    }
}
