using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Analysis;

/// <summary>
/// Spike trains as sorted arrays of spike times (τ), one per neuron: the plain data the analyses work on.
/// Windows are left-open and right-closed, (start, stop]: a spike emitted at step s (time s·dt) belongs to the
/// interval ((s − 1)·dt, s·dt], the same convention by which a latent recorded at time t already contains the
/// spikes emitted at t. A whole run is the window (0, duration].
/// </summary>
public static class SpikeTrains
{
    /// <summary>Spike times of every neuron of one population (index within the population), sorted.</summary>
    public static double[][] OfPopulation(SimulationResult result, int population)
    {
        ArgumentNullException.ThrowIfNull(result);
        var pops = result.Experiment.Network.Populations;
        ArgumentOutOfRangeException.ThrowIfNegative(population);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(population, pops.Count);
        var lists = new List<double>[pops[population].Size];
        for (int i = 0; i < lists.Length; i++)
        {
            lists[i] = [];
        }

        // Spikes are stored in emission order, so each neuron's list comes out sorted.
        foreach (var s in result.Spikes)
        {
            if (s.Population == population)
            {
                lists[s.Neuron].Add(s.Time);
            }
        }

        return lists.Select(l => l.ToArray()).ToArray();
    }

    /// <summary><see cref="OfPopulation(SimulationResult, int)"/> for every trial: [trial][neuron] spike times.</summary>
    public static double[][][] OfPopulation(IReadOnlyList<SimulationResult> trials, int population)
    {
        ArgumentNullException.ThrowIfNull(trials);
        return trials.Select(r => OfPopulation(r, population)).ToArray();
    }

    /// <summary>Number of spikes in the window (start, stop] of a sorted spike-time list.</summary>
    public static int CountIn(IReadOnlyList<double> sortedTimes, double start, double stop)
    {
        ArgumentNullException.ThrowIfNull(sortedTimes);
        return stop <= start ? 0 : UpperBound(sortedTimes, stop) - UpperBound(sortedTimes, start);
    }

    /// <summary>Index of the first entry greater than <paramref name="value"/> (the list's length if none).</summary>
    internal static int UpperBound(IReadOnlyList<double> sorted, double value)
    {
        int lo = 0;
        int hi = sorted.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Throws unless every trial has the same number of neurons and every train is sorted and finite.</summary>
    internal static int CheckTrials(IReadOnlyList<IReadOnlyList<double[]>> trials, string parameter)
    {
        ArgumentNullException.ThrowIfNull(trials, parameter);
        if (trials.Count == 0)
        {
            throw new ArgumentException("at least one trial is needed", parameter);
        }

        int n = trials[0].Count;
        for (int r = 0; r < trials.Count; r++)
        {
            if (trials[r].Count != n)
            {
                throw new ArgumentException($"trial {r} has {trials[r].Count} neurons but trial 0 has {n}", parameter);
            }

            for (int i = 0; i < n; i++)
            {
                double[] t = trials[r][i];
                for (int j = 0; j < t.Length; j++)
                {
                    if (!double.IsFinite(t[j]) || (j > 0 && t[j] < t[j - 1]))
                    {
                        throw new ArgumentException($"the spike times of neuron {i} in trial {r} are not finite and sorted (at entry {j})", parameter);
                    }
                }
            }
        }

        return n;
    }

    /// <summary>Throws unless (start, stop] is a finite, non-empty window.</summary>
    internal static void CheckWindow(double start, double stop)
    {
        if (!double.IsFinite(start) || !double.IsFinite(stop) || stop <= start)
        {
            throw new ArgumentException($"the analysis window ({start}, {stop}] must be finite with stop > start");
        }
    }

    /// <summary>The population and the index within it of every neuron, in the engines' global order.</summary>
    internal static (int Population, int Neuron)[] GlobalOrder(LowRankNetwork network) =>
        network.Populations.SelectMany((p, pi) => Enumerable.Range(0, p.Size).Select(i => (pi, i))).ToArray();
}
