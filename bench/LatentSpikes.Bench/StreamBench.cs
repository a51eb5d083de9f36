using System.Diagnostics;
using LatentSpikes.IO;
using LatentSpikes.Simulation;

namespace LatentSpikes.Bench;

/// <summary>
/// `stream` (issue 9): CPU time per step of the same run kept in memory, handed to a sink that only counts, and
/// streamed to CSV files, on one thread. Process CPU time, not wall time, so other load on the machine matters less;
/// best of the repeats, the three variants interleaved.
/// </summary>
internal static class StreamBench
{
    public static void Run(string[] args)
    {
        double duration = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        int repeats = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var exp = BenchNetworks.Rank1(50, 0.1, duration);
        var engine = new ClockDrivenEngine(threads: 1);
        string dir = Path.Combine(Path.GetTempPath(), "latentspikes-stream-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        var best = new double[3];
        Array.Fill(best, double.MaxValue);
        long spikes = 0;
        try
        {
            for (int rep = 0; rep < repeats; rep++)
            {
                best[0] = Math.Min(best[0], CpuSeconds(() => spikes = engine.Run(exp).Spikes.Count));
                best[1] = Math.Min(best[1], CpuSeconds(() => engine.Run(exp, new CountingSink())));
                best[2] = Math.Min(best[2], CpuSeconds(() =>
                {
                    using var writer = new RunOutputWriter(exp, dir, RunFormats.Csv);
                    writer.Complete(engine.Run(exp, writer), new RunProvenance("bench", "-"));
                }));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        double steps = exp.Settings.StepCount;
        string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
        Console.WriteLine($"rank-1 N=50 σ=0.1, {steps:0} steps, {spikes} spikes, best of {repeats}, load average {load}");
        string[] labels = ["in memory", "sink that only counts", "streamed to csv files"];
        for (int i = 0; i < 3; i++)
        {
            Console.WriteLine($"  {labels[i],-22} {best[i] * 1e6 / steps,7:0.000} µs CPU per step");
        }
    }

    private static double CpuSeconds(Action action)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var start = process.TotalProcessorTime;
        action();
        process.Refresh();
        return (process.TotalProcessorTime - start).TotalSeconds;
    }

    private sealed class CountingSink : IRecordingSink
    {
        public long Records { get; private set; }

        public long Spikes { get; private set; }

        public void WriteRecords(ReadOnlySpan<double> times, ReadOnlySpan<double> inputs, ReadOnlySpan<double> latents) => Records += times.Length;

        public void WriteSpikes(ReadOnlySpan<Spike> spikes) => Spikes += spikes.Length;
    }
}
