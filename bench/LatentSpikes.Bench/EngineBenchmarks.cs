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

/// <summary>Cost of the slow-synapse path (§4.1: every neuron at threshold fires; the current enters through the latents).</summary>
public class SlowSynapseStep
{
    private const int SmallSteps = 100_000;
    private const int Neurons = 100_000;
    private const int LargeSteps = 500;
    private Experiment _small = null!;
    private Experiment _large = null!;
    private readonly ClockDrivenEngine _oneThread = new(threads: 1);
    private readonly ClockDrivenEngine _allThreads = new();

    /// <summary>Builds the N = 50 and N = 100,000 networks with exponential synapses, τ_s = 0.5 τ, σ = 0.1.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _small = BenchNetworks.Rank1Slow(50, 0.1, SmallSteps * 0.01, SynapseKernel.Exponential(0.5));
        _large = BenchNetworks.Rank1Slow(Neurons, 0.1, LargeSteps * 0.01, SynapseKernel.Exponential(0.5));
    }

    /// <summary>N = 50 on one thread; time per step.</summary>
    [Benchmark(OperationsPerInvoke = SmallSteps)]
    public int ExponentialN50() => _oneThread.Run(_small).Spikes.Count;

    /// <summary>N = 100,000 on all cores; time per neuron-step.</summary>
    [Benchmark(OperationsPerInvoke = Neurons * LargeSteps)]
    public int ExponentialN100k() => _allThreads.Run(_large).Spikes.Count;
}
