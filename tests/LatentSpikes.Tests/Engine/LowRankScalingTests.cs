using LatentSpikes.Construction;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Engine;

[Collection(RunAlone.Name)]
public class LowRankScalingTests
{
    [Fact]
    public void A_network_whose_dense_weight_matrix_would_need_a_terabyte_runs_in_linear_memory()
    {
        // N = 400,000: W = E·Dᵀ as doubles would be 1.28 TB. Recurrent input goes through the latents instead.
        const int n = 400_000;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var pop = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0.5, 0, 1]), n, -1, 1, [-0.35]).Population;
        var exp = new Experiment(new LowRankNetwork([pop]), [new ConstantSignal(-0.5)], new SimulationSettings { Dt = 0.01, Duration = 0.05 });
        var result = new ClockDrivenEngine().Run(exp);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(SimulationStatus.Completed, result.Status);
        Assert.NotEmpty(result.Spikes);
        // O(N) with a small constant (construction, validation copies, compiled arrays): ~1 kB per neuron, against
        // 3.2 MB per neuron for a dense row of W.
        Assert.True(allocated < 2048L * n, $"allocated {allocated / 1e6:0.0} MB for N = {n}: more than O(N)");
    }
}
