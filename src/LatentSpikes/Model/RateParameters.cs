namespace LatentSpikes.Model;

/// <summary>
/// Optional per-population settings of the rate twin (seed 002, §4.2-4.4), spec field <c>rate: {beta, tau_s}</c>.
/// Both are optional: β defaults to the value matched to the population's noise, τ_s to its synapse (see
/// <c>Rate.RateTwin</c>). The spiking engines ignore them.
/// </summary>
/// <param name="Beta">Steepness β of the logistic σ_β(u) = 1/(1 + e^{−βu}) (latent⁻¹ units); null: derived from the noise.</param>
/// <param name="SynapseTau">τ_s of the rate twin (τ); null: the synapse's τ_s, or dt for a delta synapse.</param>
public sealed record RateParameters(double? Beta = null, double? SynapseTau = null)
{
    /// <summary>Checks the given values; <paramref name="at"/> is the spec path of the population.</summary>
    public void Validate(string at)
    {
        if (Beta is { } beta && (!double.IsFinite(beta) || beta <= 0))
        {
            throw new ModelValidationException($"{at}.rate.beta", $"the sigmoid steepness β must be a finite number > 0 (got {beta})");
        }

        if (SynapseTau is { } tau && (!double.IsFinite(tau) || tau <= 0))
        {
            throw new ModelValidationException($"{at}.rate.tau_s", $"the rate twin's synaptic time constant must be a finite number > 0 (got {tau})");
        }
    }
}
