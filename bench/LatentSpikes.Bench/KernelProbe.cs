using System.Diagnostics;
using System.Runtime.Intrinsics;
using LatentSpikes.Randomness;
using LatentSpikes.Simulation;

namespace LatentSpikes.Bench;

/// <summary>`kernels`: times the per-neuron step kernels alone (no engine bookkeeping), for tuning.</summary>
internal static class KernelProbe
{
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

        Console.WriteLine($"{label}: {best:0.000} ns/neuron-step");
    }

    public static void Run()
    {
        int n = int.Parse(Environment.GetEnvironmentVariable("PROBE_N") ?? "50000", System.Globalization.CultureInfo.InvariantCulture);
        var v = new double[n];
        var bias = Enumerable.Range(0, n).Select(i => 0.5 + (i * 1e-6)).ToArray();
        var ff = new[] { Enumerable.Range(0, n).Select(i => i * 1e-5).ToArray() };
        var keys = Enumerable.Range(0, n).Select(i => CounterRandom.StreamKey(1, 0, 1, (ulong)i)).ToArray();
        double[] drive = [0.3];
        {
            double best = double.MaxValue;
            for (int rep = 0; rep < 5; rep++)
            {
                var sw = Stopwatch.StartNew();
                for (int step = 1; step <= 400; step++)
                {
                    for (int i = 0; i < v.Length; i++)
                    {
                        v[i] += 0.01 * (bias[i] - v[i]);
                    }
                }

                best = Math.Min(best, sw.Elapsed.TotalNanoseconds / (400.0 * n));
            }

            Console.WriteLine($"calibration, scalar leak loop: {best:0.000} ns/neuron-step");
        }

        Time("Leak only", n, step => NeuronKernels.Leak(v, bias, ff, 0, drive, 0, 0.01));
        Time("ArgMax only", n, step => NeuronKernels.ArgMax(v));
        Time("Axpy only", n, step => NeuronKernels.Axpy(v, bias, 1e-9));
        Time("AddNoise only", n, step => NeuronKernels.AddNoise(v, keys, step, 0.1));
        Time("hash", n, step => NoisePieces.Hash(v, keys, step, 0));
        Time("hash+convert", n, step => NoisePieces.Hash(v, keys, step, 1));
        Time("hash+convert+gather", n, step => NoisePieces.Hash(v, keys, step, 2));
        foreach (double sigma in new[] { 0.0, 0.1 })
        {
            foreach (bool fused in new[] { true, false })
            {
                double best = double.MaxValue;
                for (int rep = 0; rep < 5; rep++)
                {
                    var sw = Stopwatch.StartNew();
                    for (ulong step = 1; step <= 400; step++)
                    {
                        _ = fused
                            ? NeuronKernels.StepSegment(v, bias, ff, 0, drive, 0, 0.01, [], [], -1, 0, keys, step, sigma)
                            : NeuronKernels.StepSegmentPortable(v, bias, ff, 0, drive, 0, 0.01, [], [], -1, 0, keys, step, sigma);
                    }

                    best = Math.Min(best, sw.Elapsed.TotalNanoseconds / (400.0 * n));
                }

                Console.WriteLine($"σ={sigma} {(fused ? "fused   " : "portable")}: {best:0.000} ns/neuron-step (one core)");
            }
        }
    }
}

/// <summary>Pieces of the noise kernel, timed separately.</summary>
internal static class NoisePieces
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static unsafe double Hash(double[] v, ulong[] keys, ulong step, int level)
    {
        var off = System.Runtime.Intrinsics.Vector256.Create(step * CounterRandom.Gamma);
        var c1 = System.Runtime.Intrinsics.Vector256.Create(0xBF58476D1CE4E5B9UL);
        var c2 = System.Runtime.Intrinsics.Vector256.Create(0x94D049BB133111EBUL);
        var acc = System.Runtime.Intrinsics.Vector256<double>.Zero;
        var unit = System.Runtime.Intrinsics.Vector256.Create(1.0 / (1UL << 53));
        fixed (double* xt = Ziggurat.XTable)
        {
            for (int i = 0; i <= keys.Length - 4; i += 4)
            {
                var z = System.Runtime.Intrinsics.Vector256.Create(keys[i], keys[i + 1], keys[i + 2], keys[i + 3]) + off;
                z = (z ^ System.Runtime.Intrinsics.Vector256.ShiftRightLogical(z, 30)) * c1;
                z = (z ^ System.Runtime.Intrinsics.Vector256.ShiftRightLogical(z, 27)) * c2;
                z ^= System.Runtime.Intrinsics.Vector256.ShiftRightLogical(z, 31);
                if (level == 0)
                {
                    acc += z.AsDouble();
                    continue;
                }

                var u = System.Runtime.Intrinsics.Vector256.ConvertToDouble(System.Runtime.Intrinsics.Vector256.ShiftRightLogical(z, 11)) * unit;
                if (level == 1)
                {
                    acc += u;
                    continue;
                }

                var layer = (z & System.Runtime.Intrinsics.Vector256.Create(127UL)).AsInt64();
                acc += System.Runtime.Intrinsics.X86.Avx2.GatherVector256(xt, layer, 8) * u;
            }
        }

        return acc.GetElement(0);
    }
}
