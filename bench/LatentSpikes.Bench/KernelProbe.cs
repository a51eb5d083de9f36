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
        Time("noise (legacy)", n, step => NeuronKernels.AddNoise(v, keys, 0, step, 0.1, NoiseStreamKind.Legacy));
        Time("noise (fast)", n, step => NeuronKernels.AddNoise(v, keys, 0, step, 0.1, NoiseStreamKind.Fast));
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            Time("  of which inverse CDF", n, step => Sink += InverseOnly(n, step));
        }

        Time("arg-max", n, _ => NeuronKernels.ArgMax(v));
        Time("whole step, σ = 0", n, step => NeuronKernels.StepSegment(v, bias, ff, 0, drive, 0, 0.01, [], [], -1, 0, keys, step, 0, NoiseStreamKind.Fast));
        Time("whole step, σ = 0.1", n, step => NeuronKernels.StepSegment(v, bias, ff, 0, drive, 0, 0.01, [], [], -1, 0, keys, step, 0.1, NoiseStreamKind.Legacy));
        Time("whole step, σ = 0.1 fast", n, step => NeuronKernels.StepSegment(v, bias, ff, 0, drive, 0, 0.01, [], [], -1, 0, keys, step, 0.1, NoiseStreamKind.Fast));
    }

    private static float Sink { get; set; }

    /// <summary>The inverse-CDF part of the fast draw alone: 16-lane deviates of a counter, no hash, no memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float InverseOnly(int n, ulong step)
    {
        var bits = System.Runtime.Intrinsics.Vector512.Create((uint)step * 0x9E3779B9u) + System.Runtime.Intrinsics.Vector512<uint>.Indices;
        var inc = System.Runtime.Intrinsics.Vector512.Create(0x6C8E9CF5u);
        var acc = System.Runtime.Intrinsics.Vector512<float>.Zero;
        for (int i = 0; i < n; i += 16)
        {
            acc += InverseNormal.Sample(bits);
            bits += inc;
        }

        return System.Runtime.Intrinsics.Vector512.Sum(acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Time(string label, int n, Action<ulong> body)
    {
        double best = double.MaxValue, bestCpu = double.MaxValue;
        for (int rep = 0; rep < 7; rep++)
        {
            double cpu0 = ThreadCpu.Nanoseconds();
            var sw = Stopwatch.StartNew();
            for (ulong step = 1; step <= 200; step++)
            {
                body(step);
            }

            best = Math.Min(best, sw.Elapsed.TotalNanoseconds / (200.0 * n));
            bestCpu = Math.Min(bestCpu, (ThreadCpu.Nanoseconds() - cpu0) / (200.0 * n));
        }

        // Thread CPU time leaves out the time the thread waited for a core (the machine is shared), not SMT sharing.
        Console.WriteLine($"  {label,-26} {best,7:0.000} ns/neuron-step wall, {bestCpu,7:0.000} thread CPU");
    }
}
