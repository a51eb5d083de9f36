using LatentSpikes.Model;

namespace LatentSpikes.Geometry;

/// <summary>
/// The boundary of a rank-1 population in input-output space: the upper envelope of its subthreshold set,
/// y = min_i (T_i − F_i·x)/E_i over neurons with E_i &gt; 0 (seed 002, eq. 2.16-2.17). This is the piecewise-linear
/// curve the latent of an inhibitory population tracks (Fig. 2c) and that an excitatory one is repelled from (Fig. 3c).
/// </summary>
public static class PopulationBoundary
{
    /// <summary>True when the population listens only to its own latent, so its boundary is a function of x alone.</summary>
    public static bool IsRank1Alone(Population population)
    {
        ArgumentNullException.ThrowIfNull(population);
        return population.Encoders.Count == 1 && population.Encoders.ContainsKey(population.LatentName);
    }

    /// <summary>The boundary value at input <paramref name="x"/>, and the neuron whose threshold forms it there.</summary>
    /// <returns>(y, neuron), or (+∞, −1) when no neuron has a positive encoder.</returns>
    public static (double Y, int Neuron) Evaluate(Population population, ReadOnlySpan<double> x)
    {
        ArgumentNullException.ThrowIfNull(population);
        if (!IsRank1Alone(population))
        {
            throw new ArgumentException($"population '{population.Name}' listens to other latents; its boundary depends on them too", nameof(population));
        }

        double[] e = population.Encoders[population.LatentName];
        double best = double.PositiveInfinity;
        int at = -1;
        for (int i = 0; i < population.Size; i++)
        {
            if (e[i] <= 0)
            {
                continue;
            }

            double drive = 0;
            var row = population.FeedforwardRow(i);
            for (int d = 0; d < row.Length; d++)
            {
                drive += row[d] * x[d];
            }

            double y = (population.Thresholds[i] - drive) / e[i];
            if (y < best)
            {
                best = y;
                at = i;
            }
        }

        return (best, at);
    }
}
