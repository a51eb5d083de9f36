using LatentSpikes.Randomness;

namespace LatentSpikes.Balanced;

/// <summary>Sub-stream indices of <see cref="CounterRandom.BalancedDomain"/>, so the draws of different purposes never share a stream.</summary>
public static class BalancedStreams
{
    /// <summary>Stream index of postsynaptic neuron i's input draw: Connectivity + i.</summary>
    public const ulong Connectivity = 0;

    /// <summary>Stream index of neuron i's loadings: Loadings + i.</summary>
    public const ulong Loadings = 1UL << 40;

    /// <summary>Stream index of neuron i's escape-noise spikes: Spikes + i (counter = global step).</summary>
    public const ulong Spikes = 2UL << 40;
}

/// <summary>
/// Sparse random connectivity with fixed in-degree: every neuron receives exactly K inputs from E and K from I,
/// drawn without replacement (partial Fisher–Yates per postsynaptic neuron). Stored as outgoing CSR with each
/// presynaptic neuron's targets sorted, E targets first; weights depend only on the population pair, so no weight
/// array is stored. Memory: 2·K·N ints.
/// </summary>
public sealed class FixedInDegreeConnectivity
{
    private FixedInDegreeConnectivity(int[] start, int[] targets, int[] excitatoryEnd)
    {
        Start = start;
        Targets = targets;
        ExcitatoryEnd = excitatoryEnd;
    }

    /// <summary>Offsets into <see cref="Targets"/>: neuron j's targets are Targets[Start[j]..Start[j+1]].</summary>
    internal int[] Start { get; }

    /// <summary>Postsynaptic neuron indices, ascending within each presynaptic neuron.</summary>
    internal int[] Targets { get; }

    /// <summary>For presynaptic j, the offset where its inhibitory targets begin.</summary>
    internal int[] ExcitatoryEnd { get; }

    /// <summary>Number of synapses.</summary>
    public long SynapseCount => Targets.Length;

    /// <summary>Out-degree of neuron j.</summary>
    public int OutDegree(int j) => Start[j + 1] - Start[j];

    /// <summary>The targets of presynaptic neuron j.</summary>
    public ReadOnlySpan<int> TargetsOf(int j) => Targets.AsSpan(Start[j], Start[j + 1] - Start[j]);

    /// <summary>Draws the connectivity of <paramref name="p"/> from its seed; the result is independent of <paramref name="threads"/>.</summary>
    public static FixedInDegreeConnectivity Create(BalancedParameters p, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(p);
        int n = p.NeuronCount, ne = p.ExcitatoryCount, k = p.K;
        if ((long)n * 2 * k > int.MaxValue)
        {
            throw new Model.ModelValidationException("K", $"N·2K = {(long)n * 2 * k} synapses exceed the 2³¹ limit of one CSR array");
        }

        // Incoming lists first (each post neuron draws its own, so this parallelises), then a serial transpose that
        // visits posts in order, which leaves every outgoing list sorted.
        int[] incoming = new int[n * 2 * k];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        const int block = 256;
        Parallel.For(0, (n + block - 1) / block, options, () => (Exc: Identity(ne), Inh: Identity(p.InhibitoryCount)), (b, _, scratch) =>
        {
            for (int i = b * block; i < Math.Min(n, (b + 1) * block); i++)
            {
                ulong key = CounterRandom.StreamKey(p.Seed, 0, CounterRandom.BalancedDomain, BalancedStreams.Connectivity + (ulong)i);
                Sample(scratch.Exc, k, key, 0, incoming.AsSpan(i * 2 * k, k), 0);
                Sample(scratch.Inh, k, key, (ulong)k, incoming.AsSpan((i * 2 * k) + k, k), ne);
            }

            return scratch;
        }, _ => { });

        int[] start = new int[n + 1];
        foreach (int pre in incoming)
        {
            start[pre + 1]++;
        }

        for (int j = 0; j < n; j++)
        {
            start[j + 1] += start[j];
        }

        int[] fill = start[..n];
        int[] targets = new int[incoming.Length];
        int[] excEnd = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (i == ne)
            {
                // Every E target of every pre has been written: record where the I targets begin.
                for (int j = 0; j < n; j++)
                {
                    excEnd[j] = fill[j];
                }
            }

            for (int s = i * 2 * k; s < (i + 1) * 2 * k; s++)
            {
                targets[fill[incoming[s]]++] = i;
            }
        }

        if (ne == n)
        {
            Array.Copy(fill, excEnd, n);
        }

        return new FixedInDegreeConnectivity(start, targets, excEnd);
    }

    private static int[] Identity(int count)
    {
        int[] a = new int[count];
        for (int i = 0; i < count; i++)
        {
            a[i] = i;
        }

        return a;
    }

    /// <summary>Partial Fisher–Yates: the first k entries of a random permutation, then the swaps are undone so the scratch array is the identity again.</summary>
    private static void Sample(int[] scratch, int k, ulong key, ulong counter, Span<int> output, int offset)
    {
        int m = scratch.Length;
        Span<int> swapped = k <= 4096 ? stackalloc int[k] : new int[k];
        for (int t = 0; t < k; t++)
        {
            int r = t + (int)(CounterRandom.Uniform(key, counter + (ulong)t) * (m - t));
            (scratch[t], scratch[r]) = (scratch[r], scratch[t]);
            swapped[t] = r;
            output[t] = scratch[t] + offset;
        }

        for (int t = k - 1; t >= 0; t--)
        {
            int r = swapped[t];
            (scratch[t], scratch[r]) = (scratch[r], scratch[t]);
        }
    }
}
