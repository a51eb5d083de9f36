using System.Diagnostics;
using System.Globalization;
using LatentSpikes.Model;
using LatentSpikes.Randomness;
using LatentSpikes.Simulation;

namespace LatentSpikes.Bench;

/// <summary>
/// <c>goals [--native PATH] [--repeats R]</c>: issue 19's figures in one run, each beside the previous build's. The
/// previous build's engine figure is this build on <see cref="NoiseStreamKind.Legacy"/>, which runs main's code
/// path (the same ziggurat kernel, the same step loop), so both sides share the machine's load at that moment. The
/// previous build's start-up is the framework-dependent CLI (<c>dotnet LatentSpikes.Cli.dll</c>, what
/// <c>dotnet run</c> executes); this build's is the NativeAOT binary given with <c>--native</c>. Brian2's figures are
/// the last <c>peers</c> run recorded in docs/benchmarks.md (Brian2 is not installed on every machine).
/// </summary>
internal static class GoalsBenchmark
{
    // docs/benchmarks.md, "Peers": Brian2 2.x cython target, N = 10⁵, σ = 0.1, ns per neuron-step (issue 19's text).
    private const double BrianRank1 = 19.1, BrianRank2 = 19.6;

    public static int Run(string[] args)
    {
        string? native = null;
        int repeats = 5;
        for (int i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--native" when i + 1 < args.Length:
                    native = args[++i];
                    break;
                case "--repeats" when i + 1 < args.Length:
                    repeats = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine("usage: goals [--native PATH-TO-AOT-latentspikes] [--repeats R]");
                    return 1;
            }
        }

        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()} ({Environment.ProcessorCount} cores)");
        Console.WriteLine("| goal | target | this build | previous build | Brian2 (recorded) |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var (name, build, brian) in new (string, Func<NoiseStreamKind, Experiment>, double)[]
                 {
                     ("rank-1", s => With(BenchNetworks.Rank1(100_000, 0.1, 2), s), BrianRank1),
                     ("rank-2", s => With(BenchNetworks.Rank2(100_000, 0.1, 2), s), BrianRank2),
                 })
        {
            foreach (int threads in new[] { 2, 1 })
            {
                var fast = EngineNs(build(NoiseStreamKind.Fast), threads, repeats);
                var legacy = EngineNs(build(NoiseStreamKind.Legacy), threads, repeats);
                string target = threads == 2 ? "≤ 0.9 ns (≥ 20× Brian2)" : "≤ 1.6 ns";
                string brianText = threads == 2 ? $"{brian:0.0} ns ({brian / fast.Cpu:0.0}× ours, was {brian / legacy.Cpu:0.0}×)" : "";
                Row($"N = 10⁵ {name}, σ = 0.1, {threads} thread(s), ns/neuron-step: CPU÷threads (wall)", target, $"{fast.Cpu:0.00} ({fast.Wall:0.00})", $"{legacy.Cpu:0.00} ({legacy.Wall:0.00})", brianText);
            }
        }

        var (drawFast, drawLegacy) = NoiseDraw(50_000, repeats);
        Row("normal draw + add, one core, ns/neuron (thread CPU)", "≤ 0.7 ns", $"{drawFast:0.00}", $"{drawLegacy:0.00}", "");

        double s2Fast = BatchMs(With(BenchNetworks.FigS2Trials(0.1), NoiseStreamKind.Fast), repeats);
        double s2Legacy = BatchMs(With(BenchNetworks.FigS2Trials(0.1), NoiseStreamKind.Legacy), repeats);
        Row("Fig. S2 workload: 500 trials × 5 τ, N = 20, σ = 0.1 (s)", "≤ 0.2 s", $"{s2Fast / 1e3:0.000}", $"{s2Legacy / 1e3:0.000}", "");

        var eventFast = EventOverClock(NoiseStreamKind.Fast, repeats);
        var eventLegacy = EventOverClock(NoiseStreamKind.Legacy, repeats);
        Row("event / clock engine, N = 1000, σ = 0.1 (ratio; ms event, clock)", "≤ 3×", eventFast, eventLegacy, "");

        string jit = Path.Combine(AppContext.BaseDirectory, "LatentSpikes.Cli.dll");
        string spec = Path.Combine(AppContext.BaseDirectory, "examples", "fig2-inhibitory-boundary.yaml");
        string outDir = Path.Combine(Path.GetTempPath(), $"ls-goals-{Environment.ProcessId}");
        foreach (var (label, target, command) in new (string, string, string[])[]
                 {
                     ("start-up: `simulate --no-plot` of Fig. 2 (N = 10), s", "≤ 0.1 s", ["simulate", spec, "--out", outDir, "--no-plot"]),
                     ("start-up: `validate` of Fig. 2, s", "≤ 0.05 s", ["validate", spec]),
                 })
        {
            double before = StartSeconds("dotnet", [jit, .. command], repeats);
            string now = native is null ? "(give --native)" : $"{StartSeconds(native, command, repeats):0.000}";
            Row(label, target, now, $"{before:0.000}", "");
        }

        if (Directory.Exists(outDir))
        {
            Directory.Delete(outDir, true);
        }

        Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    private static Experiment With(Experiment exp, NoiseStreamKind stream) => exp.WithSettings(exp.Settings with { NoiseStream = stream });

    private static void Row(string goal, string target, string now, string before, string brian) =>
        Console.WriteLine($"| {goal} | {target} | {now} | {before} | {brian} |");

    /// <summary>
    /// Best wall time per neuron-step, and best process CPU time ÷ threads: the engine's workers spin rather than
    /// sleep, so the latter is what the wall time would be on otherwise idle cores (the machine is shared).
    /// </summary>
    private static (double Wall, double Cpu) EngineNs(Experiment exp, int threads, int repeats)
    {
        var engine = new ClockDrivenEngine(threads);
        engine.Run(exp); // warm-up: JIT and tiering
        double best = double.MaxValue, bestCpu = double.MaxValue;
        using var self = Process.GetCurrentProcess();
        for (int r = 0; r < repeats; r++)
        {
            self.Refresh();
            var cpu0 = self.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            engine.Run(exp);
            best = Math.Min(best, sw.Elapsed.TotalNanoseconds);
            self.Refresh();
            bestCpu = Math.Min(bestCpu, (self.TotalProcessorTime - cpu0).TotalNanoseconds / threads);
        }

        double work = (double)exp.Network.NeuronCount * exp.Settings.StepCount;
        return (best / work, bestCpu / work);
    }

    private static (double Fast, double Legacy) NoiseDraw(int n, int repeats)
    {
        var v = new double[n];
        var keys = Enumerable.Range(0, n).Select(i => CounterRandom.StreamKey(1, 0, CounterRandom.NeuronNoiseDomain, (ulong)i)).ToArray();
        double Time(NoiseStreamKind stream)
        {
            double best = double.MaxValue;
            for (int r = 0; r < repeats + 2; r++)
            {
                double cpu0 = ThreadCpu.Nanoseconds();
                for (ulong step = 1; step <= 200; step++)
                {
                    NeuronKernels.AddNoise(v, keys, 0, step, 0.1, stream);
                }

                best = Math.Min(best, (ThreadCpu.Nanoseconds() - cpu0) / (200.0 * n));
            }

            return best;
        }

        return (Time(NoiseStreamKind.Fast), Time(NoiseStreamKind.Legacy));
    }

    private static double BatchMs(Experiment exp, int repeats)
    {
        var engine = new BatchedEngine(0);
        engine.Run(exp, 500);
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            engine.Run(exp, 500);
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }

        return best;
    }

    private static string EventOverClock(NoiseStreamKind stream, int repeats)
    {
        var exp = With(BenchNetworks.Rank1(1000, 0.1, 20), stream);
        double Best(Action run)
        {
            run();
            double best = double.MaxValue;
            for (int r = 0; r < repeats; r++)
            {
                var sw = Stopwatch.StartNew();
                run();
                best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
            }

            return best;
        }

        double ev = Best(() => new EventDrivenEngine().Run(exp));
        double clock = Best(() => new ClockDrivenEngine(1).Run(exp));
        return $"{ev / clock:0.00}× ({ev:0.0}, {clock:0.0})";
    }

    private static double StartSeconds(string file, string[] args, int repeats)
    {
        double best = double.MaxValue;
        for (int r = 0; r < repeats + 2; r++)
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in args)
            {
                info.ArgumentList.Add(a);
            }

            var sw = Stopwatch.StartNew();
            using var p = Process.Start(info)!;
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {p.ExitCode}");
            }
        }

        return best;
    }
}
