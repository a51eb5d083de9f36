using BenchmarkDotNet.Attributes;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Bench;

/// <summary>Cost of one clock-driven step at N = 50 (reported per step).</summary>
[MemoryDiagnoser]
public class SmallNetworkStep
{
    private const int Steps = 100_000;
    private Experiment _experiment = null!;
    private readonly ClockDrivenEngine _engine = new(threads: 1);

    /// <summary>With or without current noise.</summary>
    [Params(0.0, 0.1)]
    public double Sigma { get; set; }

    /// <summary>Builds the N = 50 rank-1 network simulated for 100,000 steps.</summary>
    [GlobalSetup]
    public void Setup() => _experiment = BenchNetworks.Rank1(50, Sigma, Steps * 0.01);

    /// <summary>One run; BenchmarkDotNet divides by the step count.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public int Rank1N50() => _engine.Run(_experiment).Spikes.Count;
}

/// <summary>Cost per neuron-step at N = 100,000, rank 1 and rank 2, with noise, on all cores.</summary>
public class LargeNetworkStep
{
    private const int Neurons = 100_000;
    private const int Steps = 500;
    private Experiment _rank1 = null!;
    private Experiment _rank2 = null!;
    private readonly ClockDrivenEngine _engine = new();

    /// <summary>Builds both networks (σ = 0.1).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _rank1 = BenchNetworks.Rank1(Neurons, 0.1, Steps * 0.01);
        _rank2 = BenchNetworks.Rank2(Neurons, 0.1, Steps * 0.01);
    }

    /// <summary>Rank-1 inhibitory population; time per neuron-step.</summary>
    [Benchmark(OperationsPerInvoke = Neurons * Steps)]
    public int Rank1N100k() => _engine.Run(_rank1).Spikes.Count;

    /// <summary>Rank-2 E-I network; time per neuron-step.</summary>
    [Benchmark(OperationsPerInvoke = Neurons * Steps)]
    public int Rank2N100k() => _engine.Run(_rank2).Spikes.Count;
}
