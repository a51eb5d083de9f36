using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using LatentSpikes.Randomness;
using LatentSpikes.Simulation;

namespace LatentSpikes.Bench;

/// <summary>
/// <c>kernels</c>: times each per-neuron kernel of a step on one core, without engine bookkeeping, to see where a
/// step's time goes. <c>PROBE_N</c> sets the segment length (default 50,000: half of the N = 100k benchmark).
/// </summary>
internal static class KernelProbe
{
    public static void Run()
    {
        int n = int.Parse(Environment.GetEnvironmentVariable("PROBE_N") ?? "50000", CultureInfo.InvariantCulture);
        var v = new double[n];
        var bias = Enumerable.Range(0, n).Select(i => 0.5 + (i * 1e-6)).ToArray();
        var ff = new[] { Enumerable.Range(0, n).Select(i => i * 1e-5).ToArray() };
        var keys = Enumerable.Range(0, n).Select(i => CounterRandom.StreamKey(1, 0, CounterRandom.NeuronNoiseDomain, (ulong)i)).ToArray();
        double[] drive = [0.3];
        Console.WriteLine($"segment of {n} neurons, one core:");
        Time("leak + drive", n, _ => NeuronKernels.Leak(v, bias, ff, 0, drive, 0, 0.01));
        Time("latent jump (axpy)", n, _ => NeuronKernels.Axpy(v, bias, 1e-9));
        Time("noise", n, step => NeuronKernels.AddNoise(v, keys, step, 0.1));
        Time("arg-max", n, _ => NeuronKernels.ArgMax(v));
        Time("whole step, σ = 0", n, step => NeuronKernels.StepSegment(v, bias, ff, 0, drive, 0, 0.01, [], [], -1, 0, keys, step, 0));
        Time("whole step, σ = 0.1", n, step => NeuronKernels.StepSegment(v, bias, ff, 0, drive, 0, 0.01, [], [], -1, 0, keys, step, 0.1));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Time(string label, int n, Action<ulong> body)
    {
        double best = double.MaxValue;
        for (int rep = 0; rep < 5; rep++)
        {
            var sw = Stopwatch.StartNew();
            for (ulong step = 1; step <= 400; step++)
            {
                body(step);
            }

            best = Math.Min(best, sw.Elapsed.TotalNanoseconds / (400.0 * n));
        }

        Console.WriteLine($"  {label,-22} {best,7:0.000} ns/neuron-step");
    }
}
