using System.Diagnostics;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using LatentSpikes.Bench;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

// `quick` prints the headline figures with a plain stopwatch in a few seconds (a smoke check, not a measurement);
// `peers` compares against the authors' dense algorithm and Brian2 (docs/benchmarks.md, "Peers"); `kernels` and
// `compile-scaling` are probes; anything else goes to BenchmarkDotNet, e.g. `-- --filter '*'`.
if (args.Length > 0 && args[0] == "quick")
{
    var engine = new ClockDrivenEngine(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0);
    foreach (var (label, exp, work, unit) in new (string, Experiment, double, string)[]
             {
                 ("rank-1 N=50 σ=0", BenchNetworks.Rank1(50, 0.0, 1000), 100_000, "µs/step"),
                 ("rank-1 N=50 σ=0.1", BenchNetworks.Rank1(50, 0.1, 1000), 100_000, "µs/step"),
                 ("rank-1 N=100k σ=0", BenchNetworks.Rank1(100_000, 0.0, 2), 100_000.0 * 200, "ns/neuron-step"),
                 ("rank-1 N=100k σ=0.1", BenchNetworks.Rank1(100_000, 0.1, 2), 100_000.0 * 200, "ns/neuron-step"),
                 ("rank-2 N=100k σ=0.1", BenchNetworks.Rank2(100_000, 0.1, 2), 100_000.0 * 200, "ns/neuron-step"),
                 ("slow exp N=50 σ=0.1", BenchNetworks.Rank1Slow(50, 0.1, 1000, SynapseKernel.Exponential(0.5)), 100_000, "µs/step"),
                 ("slow square N=50 σ=0.1", BenchNetworks.Rank1Slow(50, 0.1, 1000, SynapseKernel.Square(0.5)), 100_000, "µs/step"),
                 ("slow exp N=100k σ=0.1", BenchNetworks.Rank1Slow(100_000, 0.1, 2, SynapseKernel.Exponential(0.5)), 100_000.0 * 200, "ns/neuron-step"),
             })
    {
        double best = double.MaxValue;
        int spikes = 0;
        for (int rep = 0; rep < 4; rep++)
        {
            var sw = Stopwatch.StartNew();
            spikes = engine.Run(exp).Spikes.Count;
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }

        double per = best * (unit == "µs/step" ? 1e3 : 1e6) / work;
        Console.WriteLine($"{label,-22} {per,8:0.000} {unit}  ({spikes} spikes)");
    }

    // The Fig. S2 workload (App. F): 500 noisy trials of 5 τ at N = 20, target ≤ 0.5 s.
    var batchExp = BenchNetworks.FigS2Trials(0.1);
    var batchEngine = new BatchedEngine(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0);
    double bestBatch = double.MaxValue;
    int batchSpikes = 0;
    for (int rep = 0; rep < 4; rep++)
    {
        var sw = Stopwatch.StartNew();
        batchSpikes = batchEngine.Run(batchExp, 500).Trials.Sum(t => t.Spikes.Count);
        bestBatch = Math.Min(bestBatch, sw.Elapsed.TotalMilliseconds);
    }

    Console.WriteLine($"{"500 trials×5τ N=20",-22} {bestBatch,8:0.0} ms total  ({batchSpikes} spikes, {batchEngine.Threads} threads)");
    return 0;
}

if (args.Length > 0 && args[0] == "goals")
{
    return GoalsBenchmark.Run(args);
}

if (args.Length > 0 && args[0] == "kernels")
{
    KernelProbe.Run();
    return 0;
}

if (args.Length > 0 && args[0] == "peers")
{
    return PeersBenchmark.Run(args[1..]);
}

if (args.Length > 0 && args[0] == PeersBenchmark.FirstResultChild)
{
    return PeersBenchmark.RunFirstResultChild(args[1..]);
}

if (args.Length > 0 && args[0] == "srm0")
{
    Srm0Bench.Run(args[1..]);
    return 0;
}

if (args.Length > 0 && args[0] == "balanced")
{
    // Seed 001 target: N = 10,000, K = 400, the 27 s mode-A protocol in ≤ 10 s (network build reported separately).
    int threads = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
    var report = LatentSpikes.Balanced.BalancedExperiment.Run(new LatentSpikes.Balanced.BalancedParameters(), threads: threads);
    Console.WriteLine($"balanced N=10000 K=400: {report.SimulatedSeconds:0} s simulated in {report.SimulationWallSeconds:0.00} s " +
                      $"(build {report.BuildWallSeconds:0.00} s, {report.Threads} threads, {report.SimulationWallSeconds / report.SimulatedSeconds * 1e3 / 2:0.0} µs/step)");
    return 0;
}

// Issue 9: CPU cost of streaming a run to a sink or to files against keeping it in memory (docs/benchmarks.md).
if (args.Length > 0 && args[0] == "stream")
{
    StreamBench.Run(args[1..]);
    return 0;
}

if (args.Length > 0 && args[0] == "compile-scaling")
{
    CompileScaling.Run();
    return 0;
}

if (args.Length > 0 && args[0] == "compose-scaling")
{
    ComposeScaling.Run(args[1..]);
    return 0;
}

var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithId("short"));
BenchmarkSwitcher.FromAssembly(typeof(BenchNetworks).Assembly).Run(args, config);
return 0;
