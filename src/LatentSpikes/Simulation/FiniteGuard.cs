using System.Globalization;

namespace LatentSpikes.Simulation;

/// <summary>
/// The engines' shared guards, so the clock, event and rate runs stop for the same reasons with the same words: a
/// state that has turned NaN or infinite (status <see cref="SimulationStatus.NonFinite"/>; once a voltage or latent
/// is non-finite it stays so, so engines look now and then rather than every step) and a latent past
/// <see cref="Model.SimulationSettings.LatentLimit"/> (status <see cref="SimulationStatus.Exploded"/>). The spiking
/// engines' own rule, excitatory spikes in every step, stays with them: what counts as a step differs.
/// </summary>
internal static class FiniteGuard
{
    /// <summary>The status detail when a latent is non-finite or beyond the run's latent limit, or null.</summary>
    /// <param name="t">Time of the check (τ).</param>
    /// <param name="latents">The latents, in the network's order.</param>
    /// <param name="experiment">The run (latent names and limit).</param>
    public static string? LatentRunaway(double t, ReadOnlySpan<double> latents, Model.Experiment experiment)
    {
        double limit = experiment.Settings.LatentLimit;
        for (int l = 0; l < latents.Length; l++)
        {
            if (!double.IsFinite(latents[l]) || Math.Abs(latents[l]) > limit)
            {
                return string.Create(CultureInfo.InvariantCulture, $"activity ran away at t = {t:0.###} τ: latent {experiment.Network.Latents[l].Name} = {latents[l]:G4} exceeds the limit {limit:G4}");
            }
        }

        return null;
    }

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
