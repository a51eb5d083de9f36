using System.Runtime.CompilerServices;

namespace LatentSpikes.Randomness;

/// <summary>
/// Counter-based random numbers: every draw is a pure function of (seed, trial, stream, counter), so a result
/// never depends on thread count, batch layout or the order in which neurons are updated. A stream key is derived
/// once from (seed, trial, domain, index); draw t of that stream is mix64(key + t·γ), the SplitMix64 output
/// function applied to a Weyl sequence (the construction of Java's SplittableRandom, which passes BigCrush).
/// Distinct streams start at independent 64-bit offsets, so overlaps need ~2⁶⁴/(streams·draws) draws.
/// </summary>
public static class CounterRandom
{
    /// <summary>Weyl increment (the 64-bit golden ratio).</summary>
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>Stream domain for per-neuron membrane noise.</summary>
    public const ulong NeuronNoiseDomain = 1;

    /// <summary>Stream domain for stochastic input signals.</summary>
    public const ulong InputDomain = 2;

    /// <summary>Stream domain for the SRM0 layer stacks (seed 000): encoders, latent white noise and spikes, told apart by the index's top bits.</summary>
    public const ulong Srm0Domain = 0x5352_4D30_0000_0000UL;

    /// <summary>Stream domain of the seed-001 balanced network (connectivity, loadings, escape-noise spikes); the
    /// index is split by <see cref="Balanced.BalancedStreams"/>.</summary>
    public const ulong BalancedDomain = 1001;

    // --- mistuning (seed 002, Fig. 8f) ---

    /// <summary>Stream domain of the random nullspace directions that tilt the cross-decoders of a mistuned E-I
    /// network (<see cref="Analysis.Mistuning"/>); the index is the population.</summary>
    public const ulong MistuningDomain = 0x4D49_5354; // "MIST"

    /// <summary>The SplitMix64 finaliser (Stafford's variant 13): a bijective 64-bit mixer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix64(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Derives the key of one stream from (seed, trial, domain, index).</summary>
    public static ulong StreamKey(ulong seed, ulong trial, ulong domain, ulong index)
    {
        ulong k = Mix64(seed + Gamma);
        k = Mix64(k ^ (trial * 0xD1B54A32D192ED03UL) ^ 0x5851F42D4C957F2DUL);
        k = Mix64(k ^ (domain * 0xAEF17502108EF2D9UL));
        return Mix64(k ^ (index * 0xDB4F0B9175AE2165UL) ^ 0x2545F4914F6CDD1DUL);
    }

    /// <summary>64 random bits: draw <paramref name="counter"/> of stream <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bits(ulong key, ulong counter) => Mix64(key + (counter * Gamma));

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Uniform(ulong key, ulong counter) => (Bits(key, counter) >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// The membrane-noise deviate of <paramref name="neuron"/> at <paramref name="step"/> on the fast stream: the low
    /// (even neuron) or high (odd neuron) 32 bits of mix64(key_2m + step·γ), key_2m the key of the pair's even neuron,
    /// through <see cref="InverseNormal"/>. One hash serves two neurons; what the clock engine's kernels add.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double NoiseNormal(ulong[] keys, int neuron, ulong step)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ulong bits = Bits(keys[neuron & ~1], step);
        return InverseNormal.Sample((neuron & 1) == 0 ? (uint)bits : (uint)(bits >> 32));
    }

    /// <summary>The membrane-noise deviate of <paramref name="neuron"/> at <paramref name="step"/> on <paramref name="stream"/>.</summary>
    public static double NoiseNormal(ulong[] keys, int neuron, ulong step, NoiseStreamKind stream)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return stream == NoiseStreamKind.Fast ? NoiseNormal(keys, neuron, step) : Normal(keys[neuron], step);
    }

    /// <summary>A standard normal deviate, draw <paramref name="counter"/> of stream <paramref name="key"/> (ziggurat).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Normal(ulong key, ulong counter) => Ziggurat.Sample(Bits(key, counter));
}
