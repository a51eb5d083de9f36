using LatentSpikes.Model;

namespace LatentSpikes.Rate;

/// <summary>
/// How a spiking population maps onto its rate twin (seed 002, eq. 4.8-4.13): the sigmoid steepness β and the
/// synaptic time constant τ_s that scale the per-neuron rate r_i = σ_β(F_i·x + E_i·y − T_i)/τ_s.
/// </summary>
public static class RateTwin
{
    /// <summary>
    /// Slope that makes the logistic match the standard normal CDF: Φ(z) ≈ 1/(1 + e^{−1.702·z}) with a largest
    /// error below 0.01 over all z (the classic logistic approximation of the probit).
    /// </summary>
    public const double ProbitToLogistic = 1.702;

    /// <summary>
    /// β of a population. Given in the spec (<c>rate.beta</c>) it is used as is; otherwise it is matched to the
    /// noise: white current noise of std σ·√(2·dt) per step makes the voltage an Ornstein-Uhlenbeck process with
    /// stationary std σ, so a neuron is above threshold with probability Φ(u/σ) ≈ σ_β(u) for β = 1.702/σ (§4.2: β is
    /// inversely proportional to the noise). Zero noise without a β is an error: the twin would be a Heaviside.
    /// </summary>
    /// <exception cref="ModelValidationException">Neither a β nor noise is given, or β is not a finite number &gt; 0.</exception>
    public static double Beta(Population population, string at)
    {
        ArgumentNullException.ThrowIfNull(population);
        if (population.Rate?.Beta is { } given)
        {
            return double.IsFinite(given) && given > 0
                ? given
                : throw new ModelValidationException($"{at}.rate.beta", $"the sigmoid steepness β must be a finite number > 0 (got {given})");
        }

        double beta = ProbitToLogistic / population.NoiseSigma;
        return double.IsFinite(beta) && beta > 0
            ? beta
            : throw new ModelValidationException($"{at}.rate.beta", $"population '{population.Name}' has no noise (σ = {population.NoiseSigma}), so the rate twin's sigmoid would be a step; give rate: {{beta: ...}} or noise > 0");
    }

    /// <summary>
    /// τ_s of a population's rate twin: <c>rate.tau_s</c> if given, else the synapse's τ_s. A delta synapse has no
    /// time constant and the rate twin's τ_s → 0 limit is singular (an infinitely steep, infinitely high boundary), so
    /// it takes dt: the clock engine delivers a delta spike's charge within one step, which is a square pulse of
    /// width dt and height 1/dt, and it fires at most once per step.
    /// </summary>
    public static double SynapseTau(Population population, double dt)
    {
        ArgumentNullException.ThrowIfNull(population);
        return population.Rate?.SynapseTau ?? (population.Synapse.IsDelta ? dt : population.Synapse.Tau);
    }

    /// <summary>The logistic σ_β(u) = 1/(1 + e^{−βu}), written so that it never overflows.</summary>
    public static double Sigmoid(double beta, double u)
    {
        double z = beta * u;
        if (z >= 0)
        {
            return 1.0 / (1.0 + Math.Exp(-z));
        }

        double e = Math.Exp(z);
        return e / (1.0 + e);
    }
}
