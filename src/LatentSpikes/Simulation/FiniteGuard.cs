using System.Globalization;

namespace LatentSpikes.Simulation;

/// <summary>
/// The engines' shared test for a state that has turned NaN or infinite (status <see cref="SimulationStatus.NonFinite"/>):
/// once a voltage or latent is non-finite it stays so, so engines look now and then rather than every step.
/// </summary>
internal static class FiniteGuard
{
    /// <summary>Index of the first NaN or ±∞ in <paramref name="values"/>, or −1.</summary>
    public static int FirstNonFinite(ReadOnlySpan<double> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The status detail of a run stopped because <paramref name="what"/> turned non-finite.</summary>
    public static string Describe(double t, string what, double value) => string.Create(
        CultureInfo.InvariantCulture,
        $"the state turned non-finite by t = {t:0.###} τ: {what} is {value}; an input times a weight (or a current) overflowed double precision, so the run was stopped (check input amplitudes, weights and noise for values that are too large)");
}
