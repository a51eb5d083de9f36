using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using LatentSpikes.Randomness;

namespace LatentSpikes.Srm0;

/// <summary>
/// N spiking SRM0 neurons: each keeps its age index and draws its spikes from its own counter-based stream, draw t
/// at step t, so a spike train depends only on (seed, trial, layer, neuron, input) and never on threads.
/// </summary>
public sealed class SpikingSrm0Population
{
    private readonly int[] _ageIndex;
    private readonly ulong[] _keys;

    /// <summary>Creates <paramref name="size"/> neurons, all at the oldest age (as if long silent), as the age density starts.</summary>
    /// <param name="neuron">The discrete neuron.</param>
    /// <param name="size">Number of neurons.</param>
    /// <param name="seed">Seed of the spike streams.</param>
    /// <param name="trial">Spike realisation: different trials draw independent spikes for the same input.</param>
    /// <param name="layer">Layer index, so that the layers of one network draw independent spikes.</param>
    public SpikingSrm0Population(Srm0Neuron neuron, int size, ulong seed, ulong trial, int layer)
    {
        ArgumentNullException.ThrowIfNull(neuron);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        Neuron = neuron;
        _ageIndex = new int[size];
        Array.Fill(_ageIndex, neuron.AgeBins - 1);
        _keys = new ulong[size];
        for (int i = 0; i < size; i++)
        {
            _keys[i] = CounterRandom.StreamKey(seed, trial, CounterRandom.Srm0Domain, Srm0Streams.Spikes(layer, i));
        }
    }

    /// <summary>The neuron model.</summary>
    public Srm0Neuron Neuron { get; }

    /// <summary>Number of neurons.</summary>
    public int Size => _ageIndex.Length;

    /// <summary>Age index (age − 1) of neuron <paramref name="i"/>.</summary>
    public int AgeIndex(int i) => _ageIndex[i];

    /// <summary>Advances neuron <paramref name="i"/> by step <paramref name="step"/> with input potential <paramref name="h"/>; true if it spiked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Step(int i, double h, ulong step)
    {
        int j = _ageIndex[i];
        double p = Neuron.SpikeProbability(Neuron.EscapeFactor(h), j);
        bool spiked = CounterRandom.Uniform(_keys[i], step) < p;
        _ageIndex[i] = spiked ? 0 : Math.Min(j + 1, Neuron.AgeBins - 1);
        return spiked;
    }
}

/// <summary>
/// The generalised rate units of seed 000 (§1.4): for each of N neurons the exact probability distribution m[j]
/// over its age index given its input history, i.e. its spiking twin marginalised over all spike histories. One
/// step moves the mass that does not fire one bin older (the last bin absorbs) and puts the fired mass, which is
/// the expected spike count A·dt, into the youngest bin; total mass is conserved up to rounding.
/// </summary>
public sealed class AgeDensityPopulation
{
    private readonly double[] _mass;
    private readonly int _bins;

    /// <summary>Creates <paramref name="size"/> units, each with all mass at the oldest age (like the spiking neurons).</summary>
    public AgeDensityPopulation(Srm0Neuron neuron, int size)
    {
        ArgumentNullException.ThrowIfNull(neuron);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        Neuron = neuron;
        _bins = neuron.AgeBins;
        _mass = new double[size * (long)_bins];
        for (int i = 0; i < size; i++)
        {
            _mass[(i * _bins) + _bins - 1] = 1;
        }

        Size = size;
    }

    /// <summary>The neuron model.</summary>
    public Srm0Neuron Neuron { get; }

    /// <summary>Number of units.</summary>
    public int Size { get; }

    /// <summary>The age distribution of unit <paramref name="i"/> (index j = age − 1).</summary>
    public ReadOnlySpan<double> AgeDistribution(int i) => _mass.AsSpan(i * _bins, _bins);

    /// <summary>Σ_j m_i[j]; 1 up to rounding.</summary>
    public double TotalProbability(int i)
    {
        double sum = 0;
        foreach (double m in AgeDistribution(i))
        {
            sum += m;
        }

        return sum;
    }

    /// <summary>Advances unit <paramref name="i"/> with input potential <paramref name="h"/>; returns the probability that its twin spikes in this step (A·dt).</summary>
    public double Step(int i, double h)
    {
        var m = _mass.AsSpan(i * _bins, _bins);
        var w = Neuron.AgeWeights;
        double c = Neuron.EscapeFactor(h);
        int last = _bins - 1;
        int first = Neuron.FirstExcitableIndex;

        // The last bin absorbs: what does not fire stays there (added back once the bin below has moved in).
        double x = m[last];
        double fired = x * Srm0Neuron.OneMinusExpNeg(c * w[last]);
        double stay = x - fired;

        // Bins first..last−1 fire with P_j and move one bin older. Blocks of four go from the oldest down, each read
        // before the block below overwrites it (block [j−3, j] writes [j−2, j+1]).
        var cv = Vector256.Create(c);
        var firedBlocks = Vector256<double>.Zero;
        int j = last - 1;
        for (; j - 3 >= first; j -= 4)
        {
            var mv = Vector256.Create((ReadOnlySpan<double>)m.Slice(j - 3, 4));
            var fv = mv * Srm0Neuron.OneMinusExpNeg(cv * Vector256.Create(w.Slice(j - 3, 4)));
            firedBlocks += fv;
            (mv - fv).CopyTo(m.Slice(j - 2, 4));
        }

        for (; j >= first; j--)
        {
            x = m[j];
            double f = x * Srm0Neuron.OneMinusExpNeg(c * w[j]);
            fired += f;
            m[j + 1] = x - f;
        }

        // Absolutely refractory bins cannot fire: their mass only ages.
        for (; j >= 0; j--)
        {
            m[j + 1] = m[j];
        }

        m[last] += stay;
        fired += Vector256.Sum(firedBlocks);
        m[0] = fired;
        return fired;
    }
}

/// <summary>Stream indices within <see cref="CounterRandom.Srm0Domain"/>: the top bits say what a stream drives.</summary>
internal static class Srm0Streams
{
    /// <summary>The encoder entries of one layer.</summary>
    public static ulong Encoder(int layer) => (1UL << 60) | (uint)layer;

    /// <summary>The white noise driving latent factor k.</summary>
    public static ulong LatentNoise(int k) => (2UL << 60) | (uint)k;

    /// <summary>The spikes of neuron i in a layer.</summary>
    public static ulong Spikes(int layer, int i) => (3UL << 60) | ((ulong)(uint)layer << 32) | (uint)i;

    /// <summary>The heterogeneous parameters (threshold shift, input gain) of one layer's neurons.</summary>
    public static ulong Parameters(int layer) => (4UL << 60) | (uint)layer;
}
