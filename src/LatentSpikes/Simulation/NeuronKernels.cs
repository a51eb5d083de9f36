using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using LatentSpikes.Randomness;

namespace LatentSpikes.Simulation;

/// <summary>
/// The per-step arithmetic of the clock-driven engines as pure functions over spans (Norse-style step functions).
/// Vector lanes and the scalar tail perform the same IEEE operations in the same order (no fused multiply-add),
/// so a neuron's value never depends on where a chunk boundary falls: results are identical at any thread count.
/// </summary>
internal static class NeuronKernels
{
    /// <summary>
    /// Euler leak and drive for one population segment: V ← V + dt·(b + I_inj + Σ_d F_d·c_d − V).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Leak(Span<double> v, ReadOnlySpan<double> bias, double[][] feedforwardColumns, int offset, ReadOnlySpan<double> drive, double injection, double dt)
    {
        int n = v.Length;
        int m = drive.Length;
        ref double vr = ref MemoryMarshal.GetReference(v);
        ref double br = ref MemoryMarshal.GetReference(bias);
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var dtV = new Vector<double>(dt);
            var injV = new Vector<double>(injection);
            int last = n - Vector<double>.Count;
            for (; i <= last; i += Vector<double>.Count)
            {
                var d = Vector.LoadUnsafe(ref br, (nuint)i) + injV;
                for (int k = 0; k < m; k++)
                {
                    d += Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(feedforwardColumns[k]), (nuint)(offset + i)) * new Vector<double>(drive[k]);
                }

                var vi = Vector.LoadUnsafe(ref vr, (nuint)i);
                (vi + (dtV * (d - vi))).StoreUnsafe(ref vr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            double d = bias[i] + injection;
            for (int k = 0; k < m; k++)
            {
                d += feedforwardColumns[k][offset + i] * drive[k];
            }

            v[i] = v[i] + (dt * (d - v[i]));
        }
    }

    /// <summary>Recurrent jump through one latent: V ← V + Δ·E_k (an axpy; the O(N·K) replacement of W·s).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Axpy(Span<double> v, ReadOnlySpan<double> encoder, double delta)
    {
        int n = v.Length;
        int i = 0;
        ref double vr = ref MemoryMarshal.GetReference(v);
        ref double er = ref MemoryMarshal.GetReference(encoder);
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var dV = new Vector<double>(delta);
            int last = n - Vector<double>.Count;
            for (; i <= last; i += Vector<double>.Count)
            {
                (Vector.LoadUnsafe(ref vr, (nuint)i) + (dV * Vector.LoadUnsafe(ref er, (nuint)i))).StoreUnsafe(ref vr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            v[i] = v[i] + (delta * encoder[i]);
        }
    }

    /// <summary>
    /// White current noise on the legacy stream: V_i ← V_i + scale·ξ(key_i, step), one counter-based draw per neuron and step.
    /// With AVX2 four hashes and ziggurat fast paths run per instruction; lanes that need the ziggurat's rare
    /// slow path, and all lanes on other hardware, go through the scalar <see cref="Ziggurat.Sample"/>, which performs
    /// the same operations, so every neuron gets the same number either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddNoise(Span<double> v, ReadOnlySpan<ulong> keys, ulong step, double scale)
    {
        ulong offset = step * CounterRandom.Gamma;
        int i = 0;
        if (Avx2.IsSupported && Vector256.IsHardwareAccelerated)
        {
            i = AddNoiseAvx2(v, keys, offset, scale);
        }

        for (; i < v.Length; i++)
        {
            v[i] += scale * Ziggurat.Sample(CounterRandom.Mix64(keys[i] + offset));
        }
    }

    /// <summary>
    /// White current noise on the given stream for the segment of neurons [offset, offset + v.Length):
    /// <see cref="AddNoiseFast"/> or the legacy <see cref="AddNoise(Span{double}, ReadOnlySpan{ulong}, ulong, double)"/>.
    /// </summary>
    /// <param name="v">Voltages of the segment.</param>
    /// <param name="keys">Noise stream keys of all neurons (the fast stream reads a pair's even key).</param>
    /// <param name="offset">Global index of the segment's first neuron.</param>
    /// <param name="step">Step number (the counter).</param>
    /// <param name="scale">σ·√(2·dt).</param>
    /// <param name="stream">Which deviates to draw.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddNoise(Span<double> v, ulong[] keys, int offset, ulong step, double scale, NoiseStreamKind stream)
    {
        if (stream == NoiseStreamKind.Fast)
        {
            AddNoiseFast(v, keys, offset, step, scale);
        }
        else
        {
            AddNoise(v, keys.AsSpan(offset, v.Length), step, scale);
        }
    }

    /// <summary>
    /// White current noise on the fast stream (<see cref="NoiseStreamKind.Fast"/>): V_i ← V_i + scale·ξ_i, with
    /// ξ_i = <see cref="CounterRandom.NoiseNormal(ulong[], int, ulong)"/>: neurons 2m and 2m + 1 take the low and high
    /// halves of one hash mix64(key_2m + step·γ) (the legacy stream's hash), each half through
    /// <see cref="InverseNormal"/>. With AVX-512 one pass of 16-lane single-precision instructions yields sixteen
    /// deviates from eight 64-bit hashes, the halves already in neuron order; no gathers, no slow path. Vector lanes
    /// and the scalar edges compute the same bits, so a draw never depends on where a chunk boundary falls.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddNoiseFast(Span<double> v, ulong[] keys, int offset, ulong step, double scale)
    {
        int n = v.Length;
        if (n == 0)
        {
            return;
        }

        ulong counter = step * CounterRandom.Gamma;
        int i = 0;
        if ((offset & 1) != 0)
        {
            // An odd first neuron shares its hash with the neuron before the segment.
            v[0] += scale * CounterRandom.NoiseNormal(keys, offset, step);
            i = 1;
        }

        ref double vr = ref MemoryMarshal.GetReference(v);
        ref ulong kr = ref MemoryMarshal.GetArrayDataReference(keys);
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx512DQ.IsSupported)
        {
            var off = Vector512.Create(counter);
            var scaleV = Vector512.Create(scale);
            var evens = Vector512.Create(0UL, 2, 4, 6, 8, 10, 12, 14);
            for (; i <= n - 16; i += 16)
            {
                nuint g = (nuint)(offset + i);
                var pairKeys = Avx512F.PermuteVar8x64x2(Vector512.LoadUnsafe(ref kr, g), evens, Vector512.LoadUnsafe(ref kr, g + 8));
                var z = InverseNormal.Sample(Mix64(pairKeys + off).AsUInt32());
                (Vector512.LoadUnsafe(ref vr, (nuint)i) + (scaleV * Vector512.WidenLower(z))).StoreUnsafe(ref vr, (nuint)i);
                (Vector512.LoadUnsafe(ref vr, (nuint)(i + 8)) + (scaleV * Vector512.WidenUpper(z))).StoreUnsafe(ref vr, (nuint)(i + 8));
            }

            if (i < n)
            {
                // The last 1-15 neurons through one padded vector: the scalar inverse CDF costs more than a whole
                // vector pass, which matters for small networks (N = 20: a fifth of the draws). Same bits as scalar.
                int rest = n - i;
                Span<ulong> pad = stackalloc ulong[16];
                keys.AsSpan(offset + i, rest).CopyTo(pad);
                var pairKeys = Avx512F.PermuteVar8x64x2(Vector512.Create<ulong>(pad[..8]), evens, Vector512.Create<ulong>(pad[8..]));
                var z = InverseNormal.Sample(Mix64(pairKeys + off).AsUInt32());
                Span<float> lanes = stackalloc float[16];
                z.CopyTo(lanes);
                for (int l = 0; l < rest; l++)
                {
                    v[i + l] += scale * (double)lanes[l];
                }

                i = n;
            }
        }
        else if (Vector256.IsHardwareAccelerated && Avx2.IsSupported)
        {
            var off = Vector256.Create(counter);
            var scaleV = Vector256.Create(scale);
            for (; i <= n - 8; i += 8)
            {
                nuint g = (nuint)(offset + i);
                var mixed = Avx2.UnpackLow(Vector256.LoadUnsafe(ref kr, g), Vector256.LoadUnsafe(ref kr, g + 4)); // k0 k4 k2 k6
                var pairKeys = Avx2.Permute4x64(mixed, 0b11_01_10_00); // k0 k2 k4 k6
                var z = InverseNormal.Sample(Mix64(pairKeys + off).AsUInt32());
                (Vector256.LoadUnsafe(ref vr, (nuint)i) + (scaleV * Vector256.WidenLower(z))).StoreUnsafe(ref vr, (nuint)i);
                (Vector256.LoadUnsafe(ref vr, (nuint)(i + 4)) + (scaleV * Vector256.WidenUpper(z))).StoreUnsafe(ref vr, (nuint)(i + 4));
            }
        }

        for (; i < n; i++)
        {
            v[i] += scale * CounterRandom.NoiseNormal(keys, offset + i, step);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Mix64(Vector512<ulong> z)
    {
        z = (z ^ Vector512.ShiftRightLogical(z, 30)) * Vector512.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ Vector512.ShiftRightLogical(z, 27)) * Vector512.Create(0x94D049BB133111EBUL);
        return z ^ Vector512.ShiftRightLogical(z, 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Mix64(Vector256<ulong> z)
    {
        z = (z ^ Vector256.ShiftRightLogical(z, 30)) * Vector256.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ Vector256.ShiftRightLogical(z, 27)) * Vector256.Create(0x94D049BB133111EBUL);
        return z ^ Vector256.ShiftRightLogical(z, 31);
    }

    /// <remarks>
    /// The vector loop makes no calls (a call would force the JIT to spill every vector register each iteration):
    /// lanes that fail the ziggurat's fast test get no noise there and are queued, then finished by the scalar
    /// sampler, which yields exactly what the scalar path computes for them (v + 0.0 = v, then v + scale·ξ).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int AddNoiseAvx2(Span<double> v, ReadOnlySpan<ulong> keys, ulong offset, double scale)
    {
        const int QueueCapacity = 64;
        int n = v.Length;
        int i = 0;
        var off = Vector256.Create(offset);
        var c1 = Vector256.Create(0xBF58476D1CE4E5B9UL);
        var c2 = Vector256.Create(0x94D049BB133111EBUL);
        var layerMask = Vector256.Create((ulong)(Ziggurat.Layers - 1));
        var unit = Vector256.Create(1.0 / (1UL << 53));
        var two = Vector256.Create(2.0);
        var one = Vector256.Create(1.0);
        var scaleV = Vector256.Create(scale);
        ref double vr = ref MemoryMarshal.GetReference(v);
        ref ulong kr = ref MemoryMarshal.GetReference(keys);
        Span<int> queue = stackalloc int[QueueCapacity];
        fixed (double* xTable = Ziggurat.XTable)
        fixed (double* ratioTable = Ziggurat.RatioTable)
        {
            while (i <= n - 4)
            {
                int queued = 0;
                for (; i <= n - 4 && queued <= QueueCapacity - 4; i += 4)
                {
                    var z = Vector256.LoadUnsafe(ref kr, (nuint)i) + off;
                    z = (z ^ Vector256.ShiftRightLogical(z, 30)) * c1;
                    z = (z ^ Vector256.ShiftRightLogical(z, 27)) * c2;
                    z ^= Vector256.ShiftRightLogical(z, 31);
                    var layer = (z & layerMask).AsInt64();
                    var u = (two * (Vector256.ConvertToDouble(Vector256.ShiftRightLogical(z, 11)) * unit)) - one;
                    var ratio = Avx2.GatherVector256(ratioTable, layer, 8);
                    var x = Avx2.GatherVector256(xTable, layer, 8);
                    var accept = Vector256.LessThan(Vector256.Abs(u), ratio);
                    var sample = Vector256.ConditionalSelect(accept, u * x, Vector256<double>.Zero);
                    var vi = Vector256.LoadUnsafe(ref vr, (nuint)i);
                    (vi + (scaleV * sample)).StoreUnsafe(ref vr, (nuint)i);
                    uint rejected = ~Vector256.ExtractMostSignificantBits(accept) & 0xFu;
                    while (rejected != 0)
                    {
                        queue[queued++] = i + BitOperations.TrailingZeroCount(rejected);
                        rejected &= rejected - 1;
                    }
                }

                for (int q = 0; q < queued; q++)
                {
                    int at = queue[q];
                    v[at] += scale * Ziggurat.Sample(CounterRandom.Mix64(keys[at] + offset));
                }
            }
        }

        return i;
    }

    /// <summary>
    /// One step for a population segment, in the fixed order every code path uses: leak and drive, latent jumps,
    /// the spiker's soft refractory cost, noise; returns the segment's largest voltage and its first index.
    /// (A fused single-pass AVX2 version measured no faster: a segment stays in cache between the passes.)
    /// </summary>
    /// <param name="v">Voltages of the segment.</param>
    /// <param name="bias">Biases b_i of the segment.</param>
    /// <param name="feedforwardColumns">F by input dimension, over all neurons.</param>
    /// <param name="offset">Global index of the segment's first neuron.</param>
    /// <param name="drive">Feedforward drive c_t per input dimension.</param>
    /// <param name="injection">Injected current of the segment's population.</param>
    /// <param name="dt">Time step (τ).</param>
    /// <param name="jumps">Latent changes of last step's spike.</param>
    /// <param name="jumpEncoders">Encoder column (over all neurons) of each changed latent.</param>
    /// <param name="resetAt">Local index of last step's spiker, or −1.</param>
    /// <param name="mu">Its soft refractory cost.</param>
    /// <param name="keys">Noise stream keys of all neurons (ignored when <paramref name="noiseScale"/> is 0).</param>
    /// <param name="step">Step number (the noise counter).</param>
    /// <param name="noiseScale">σ·√(2·dt), or 0 for no noise.</param>
    /// <param name="stream">Which normal deviates the noise draws.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double Value, int Index) StepSegment(
        Span<double> v, ReadOnlySpan<double> bias, double[][] feedforwardColumns, int offset, ReadOnlySpan<double> drive, double injection, double dt,
        ReadOnlySpan<double> jumps, ReadOnlySpan<double[]> jumpEncoders, int resetAt, double mu, ulong[] keys, ulong step, double noiseScale,
        NoiseStreamKind stream)
    {
        Leak(v, bias, feedforwardColumns, offset, drive, injection, dt);
        for (int j = 0; j < jumps.Length; j++)
        {
            Axpy(v, jumpEncoders[j].AsSpan(offset, v.Length), jumps[j]);
        }

        if (resetAt >= 0)
        {
            v[resetAt] -= mu;
        }

        if (noiseScale > 0)
        {
            AddNoise(v, keys, offset, step, noiseScale, stream);
        }

        return ArgMax(v);
    }

    /// <summary>
    /// Own-stream correction of slow self-resets: V_i ← V_i − c_i·z_i, then z_i ← a·z_i (skipped when a = 1, the
    /// pulse count). Vector lanes and the scalar tail perform the same operations.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SubtractTrace(Span<double> v, ReadOnlySpan<double> coefficient, Span<double> trace, double decay)
    {
        int n = v.Length;
        int i = 0;
        bool decays = decay != 1.0;
        ref double vr = ref MemoryMarshal.GetReference(v);
        ref double cr = ref MemoryMarshal.GetReference(coefficient);
        ref double zr = ref MemoryMarshal.GetReference(trace);
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var aV = new Vector<double>(decay);
            int last = n - Vector<double>.Count;
            for (; i <= last; i += Vector<double>.Count)
            {
                var z = Vector.LoadUnsafe(ref zr, (nuint)i);
                (Vector.LoadUnsafe(ref vr, (nuint)i) - (Vector.LoadUnsafe(ref cr, (nuint)i) * z)).StoreUnsafe(ref vr, (nuint)i);
                if (decays)
                {
                    (aV * z).StoreUnsafe(ref zr, (nuint)i);
                }
            }
        }

        for (; i < n; i++)
        {
            v[i] = v[i] - (coefficient[i] * trace[i]);
            if (decays)
            {
                trace[i] = decay * trace[i];
            }
        }
    }

    /// <summary>
    /// Appends, in index order, the global index of every neuron of a segment at or above the threshold 1 that is
    /// not refractory (the slow-synapse rule: all of them fire).
    /// </summary>
    /// <param name="v">Voltages of the segment.</param>
    /// <param name="offset">Global index of the segment's first neuron.</param>
    /// <param name="nextAllowed">First step each neuron (global index) may spike in, or null when no population is refractory.</param>
    /// <param name="step">The current step.</param>
    /// <param name="spikers">Receives the spikers.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CollectSpikers(ReadOnlySpan<double> v, int offset, long[]? nextAllowed, long step, List<int> spikers)
    {
        int n = v.Length;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double vr = ref MemoryMarshal.GetReference(v);
            var one = Vector256.Create(1.0);
            for (; i <= n - 4; i += 4)
            {
                uint above = Vector256.ExtractMostSignificantBits(Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref vr, (nuint)i), one));
                while (above != 0)
                {
                    int g = offset + i + BitOperations.TrailingZeroCount(above);
                    above &= above - 1;
                    if (nextAllowed is null || nextAllowed[g] <= step)
                    {
                        spikers.Add(g);
                    }
                }
            }
        }

        for (; i < n; i++)
        {
            int g = offset + i;
            if (v[i] >= 1.0 && (nextAllowed is null || nextAllowed[g] <= step))
            {
                spikers.Add(g);
            }
        }
    }

    /// <summary>
    /// Like <see cref="ArgMax"/>, over the neurons that are not refractory: the largest voltage among neurons with
    /// <c>nextAllowed[offset + i] ≤ step</c> and the first index holding it (−1 if every neuron is refractory).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double Value, int Index) ArgMaxEligible(ReadOnlySpan<double> v, int offset, long[] nextAllowed, long step)
    {
        double best = double.NegativeInfinity;
        int at = -1;
        var allowed = nextAllowed.AsSpan(offset, v.Length);
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] > best && allowed[i] <= step)
            {
                best = v[i];
                at = i;
            }
        }

        return (best, at);
    }

    /// <summary>The largest value of a segment and the first index holding it (−1 for an empty segment).</summary>
    /// <remarks>
    /// Each lane keeps its running maximum and where it was first seen (strict &gt;), then lanes are merged by value
    /// and lowest index: one pass, and the same answer as a scalar scan. (Span.IndexOf is not vectorised for double.)
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double Value, int Index) ArgMax(ReadOnlySpan<double> v)
    {
        int n = v.Length;
        if (n == 0)
        {
            return (double.NegativeInfinity, -1);
        }

        double best = double.NegativeInfinity;
        int at = -1;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref double vr = ref MemoryMarshal.GetReference(v);
            var bestV = Vector256.Create(double.NegativeInfinity);
            var bestI = Vector256.Create(-1L);
            var idx = Vector256.Create(0L, 1L, 2L, 3L);
            var four = Vector256.Create(4L);
            for (; i <= n - 4; i += 4)
            {
                var x = Vector256.LoadUnsafe(ref vr, (nuint)i);
                var greater = Vector256.GreaterThan(x, bestV);
                bestV = Vector256.ConditionalSelect(greater, x, bestV);
                bestI = Vector256.ConditionalSelect(greater.AsInt64(), idx, bestI);
                idx += four;
            }

            for (int l = 0; l < 4; l++)
            {
                double value = bestV.GetElement(l);
                long index = bestI.GetElement(l);
                if (index >= 0 && (value > best || (value == best && index < at)))
                {
                    best = value;
                    at = (int)index;
                }
            }
        }

        for (; i < n; i++)
        {
            if (v[i] > best)
            {
                best = v[i];
                at = i;
            }
        }

        return (best, at);
    }
}
