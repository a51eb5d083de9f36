using LatentSpikes.Simulation;

namespace LatentSpikes.Analysis;

/// <summary>The distribution of per-neuron firing rates over a run (spikes per τ).</summary>
/// <param name="Neurons">Number of neurons.</param>
/// <param name="Max">Largest whole-run mean rate of any neuron.</param>
/// <param name="Mean">Mean over neurons of the whole-run rates.</param>
/// <param name="Cv">Coefficient of variation of the whole-run rates across neurons (std/mean; 0 when all are silent).</param>
/// <param name="PeakWindowRate">
/// Largest rate of any neuron over any stretch of at least <paramref name="Window"/> τ between two of its spikes: the
/// intervals in the stretch over its length (a neuron firing periodically at rate R gives R).
/// </param>
/// <param name="Window">Length (τ) of the sliding window of <paramref name="PeakWindowRate"/>.</param>
/// <param name="Silent">Neurons that never fired.</param>
public sealed record NeuronRateStatistics(int Neurons, double Max, double Mean, double Cv, double PeakWindowRate, double Window, int Silent);

/// <summary>Per-neuron firing rates: whether a network stays within a biological rate (issue 15, §3 of seed 002).</summary>
public static class NeuronRates
{
    /// <summary>Measures the rates of the neurons of the given populations (all when null) over (from, end of run].</summary>
    /// <param name="result">The run.</param>
    /// <param name="window">Sliding-window length (τ) of the peak rate; 1 τ by default.</param>
    /// <param name="from">Start of the measured span (τ).</param>
    /// <param name="populations">Population indices to include; null: all.</param>
    public static NeuronRateStatistics Measure(SimulationResult result, double window = 1.0, double from = 0, IReadOnlyList<int>? populations = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        var pops = populations ?? Enumerable.Range(0, result.Experiment.Network.Populations.Count).ToArray();
        double span = Math.Max(result.SimulatedDuration - from, 1e-12);
        var rates = new List<double>();
        double peak = 0;
        foreach (int p in pops)
        {
            foreach (var times in SpikeTrains.OfPopulation(result, p))
            {
                int start = 0, count = 0;
                for (int k = 0; k < times.Length; k++)
                {
                    if (times[k] <= from)
                    {
                        start = k + 1;
                        continue;
                    }

                    count++;

                    // The stretch from spike i to spike k, the shortest one ending at k that lasts ≥ window: its
                    // (k − i) intervals over (t_k − t_i). A neuron firing periodically at rate R gives exactly R.
                    while (start + 1 < k && times[k] - times[start + 1] >= window)
                    {
                        start++;
                    }

                    double stretch = times[k] - times[start];
                    if (stretch >= window)
                    {
                        peak = Math.Max(peak, (k - start) / stretch);
                    }
                }

                rates.Add(count / span);
            }
        }

        if (rates.Count == 0)
        {
            return new NeuronRateStatistics(0, 0, 0, 0, 0, window, 0);
        }

        double mean = rates.Average();
        double sd = Math.Sqrt(rates.Sum(r => (r - mean) * (r - mean)) / rates.Count);
        return new NeuronRateStatistics(rates.Count, rates.Max(), mean, mean > 0 ? sd / mean : 0, peak, window, rates.Count(r => r == 0));
    }
}
