using LatentSpikes.Model;

namespace LatentSpikes.Balanced;

/// <summary>
/// Parameters of the seed-001 balanced E-I network (spec §2.3). Rates in Hz, times in seconds, potentials in units
/// of the escape softness Δ = 1. Index 0 is the excitatory population, 1 the inhibitory one.
/// </summary>
public sealed record BalancedParameters
{
    /// <summary>Number of excitatory neurons.</summary>
    public int ExcitatoryCount { get; init; } = 8000;

    /// <summary>Number of inhibitory neurons.</summary>
    public int InhibitoryCount { get; init; } = 2000;

    /// <summary>In-degree from each population (every neuron receives exactly K inputs from E and K from I).</summary>
    public int K { get; init; } = 400;

    /// <summary>J_EE: coupling from E onto E, in units of Δ/√K per spike.</summary>
    public double Jee { get; init; } = 1.0;

    /// <summary>J_EI: coupling from I onto E.</summary>
    public double Jei { get; init; } = -2.0;

    /// <summary>J_IE: coupling from E onto I.</summary>
    public double Jie { get; init; } = 1.0;

    /// <summary>J_II: coupling from I onto I.</summary>
    public double Jii { get; init; } = -1.0;

    /// <summary>External coupling onto E (J_E0).</summary>
    public double JeExternal { get; init; } = 1.0;

    /// <summary>External coupling onto I (J_I0).</summary>
    public double JiExternal { get; init; } = 0.4;

    /// <summary>External rate ν₀ (Hz).</summary>
    public double ExternalRate { get; init; } = 25.0;

    /// <summary>Membrane time constant of E neurons (s).</summary>
    public double TauE { get; init; } = 0.020;

    /// <summary>Membrane time constant of I neurons (s).</summary>
    public double TauI { get; init; } = 0.010;

    /// <summary>Time step (s).</summary>
    public double Dt { get; init; } = 0.0005;

    /// <summary>Escape rate at threshold r₀ (Hz).</summary>
    public double EscapeRate { get; init; } = 1.0;

    /// <summary>Absolute refractory period (s); 0 gives the pure exponential escape neuron with closed-form mean field.</summary>
    public double Refractory { get; init; }

    /// <summary>
    /// Mean-field closure of the escape neuron. False (default): the continuous-time rate φ = r₀e^{V−θ}, whose
    /// Gaussian average is closed-form. True: the simulation's exact per-step spike probability, a rate
    /// (1 − e^{−φ·dt})/dt averaged by quadrature (slightly below φ where φ·dt is not small).
    /// </summary>
    public bool ExactStepClosure { get; init; }

    /// <summary>Number of latent dimensions R.</summary>
    public int Rank { get; init; } = 2;

    /// <summary>Standard deviation σ_m of each component of the latent loadings m_i.</summary>
    public double LoadingSd { get; init; } = 0.8;

    /// <summary>
    /// True for the balanced network (weights J/√K, drive O(√K)); false for the unbalanced control (weights J/K,
    /// drive O(1)), whose mean input does not move with the latent state.
    /// </summary>
    public bool IsBalanced { get; init; } = true;

    /// <summary>Latent time constant τ_s for mode B (s).</summary>
    public double LatentTau { get; init; } = 0.050;

    /// <summary>
    /// Mode B only: the mean-field latent matrix A = Σ_nm⟨φ'⟩ (R×R, row-major), so that the mean-field latent
    /// dynamics are τ_s dκ/dt = −κ + Aκ + input. Null for mode A (no recurrent latent loop).
    /// </summary>
    public IReadOnlyList<double>? LatentMatrix { get; init; }

    /// <summary>Seed of every random draw (connectivity, loadings, spikes).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Total neuron count.</summary>
    public int NeuronCount => ExcitatoryCount + InhibitoryCount;

    /// <summary>Population sizes, E then I.</summary>
    public int Size(int population) => population == 0 ? ExcitatoryCount : InhibitoryCount;

    /// <summary>Membrane time constant of a population.</summary>
    public double Tau(int population) => population == 0 ? TauE : TauI;

    /// <summary>J_ab for postsynaptic population a and presynaptic population b.</summary>
    public double J(int post, int pre) => (post, pre) switch
    {
        (0, 0) => Jee,
        (0, _) => Jei,
        (_, 0) => Jie,
        _ => Jii,
    };

    /// <summary>External coupling J_a0.</summary>
    public double JExternal(int population) => population == 0 ? JeExternal : JiExternal;

    /// <summary>Per-step leak factor λ_a = exp(−dt/τ_a).</summary>
    public double Leak(int population) => Math.Exp(-Dt / Tau(population));

    /// <summary>
    /// The discrete-time effective membrane time constant τ̃_a = dt/(1 − λ_a): a constant input per step of c makes
    /// the stationary potential c·τ̃_a/dt. Drive and mean field both use it, so balance is exact in discrete time.
    /// </summary>
    public double EffectiveTau(int population) => Dt / (1 - Leak(population));

    /// <summary>Coupling gain g: √K for the balanced network, 1 for the unbalanced control; a spike jump is g·J/K.</summary>
    public double CouplingGain => IsBalanced ? Math.Sqrt(K) : 1.0;

    /// <summary>Connection probability p_b = K/N_b from population b.</summary>
    public double ConnectionProbability(int population) => (double)K / Size(population);

    /// <summary>Checks every field; throws <see cref="ModelValidationException"/> naming the first bad one.</summary>
    public void Validate()
    {
        Require(ExcitatoryCount >= 2, "neurons.E", $"must be at least 2 (got {ExcitatoryCount})");
        Require(InhibitoryCount >= 2, "neurons.I", $"must be at least 2 (got {InhibitoryCount})");
        Require(K >= 1, "K", $"must be at least 1 (got {K})");
        Require(K <= ExcitatoryCount && K <= InhibitoryCount, "K",
            $"in-degree {K} exceeds a population size (E = {ExcitatoryCount}, I = {InhibitoryCount}); inputs are drawn without replacement");
        foreach (var (name, v) in new[] { ("J_EE", Jee), ("J_EI", Jei), ("J_IE", Jie), ("J_II", Jii), ("J_E0", JeExternal), ("J_I0", JiExternal) })
        {
            Require(double.IsFinite(v), name, $"must be finite (got {v})");
        }

        Require(Jee >= 0 && Jie >= 0 && Jei <= 0 && Jii <= 0, "J", "must respect Dale's law (J_EE, J_IE ≥ 0; J_EI, J_II ≤ 0)");
        Require(ExternalRate > 0 && double.IsFinite(ExternalRate), "nu0", $"must be positive (got {ExternalRate})");
        Require(TauE > 0 && TauI > 0, "tau", $"must be positive (got τ_E = {TauE}, τ_I = {TauI})");
        Require(Dt > 0 && Dt <= Math.Min(TauE, TauI) / 4, "dt", $"must be positive and at most τ/4 (got {Dt})");
        Require(EscapeRate > 0 && double.IsFinite(EscapeRate), "r0", $"must be positive (got {EscapeRate})");
        Require(Refractory >= 0 && double.IsFinite(Refractory), "refractory", $"must be non-negative (got {Refractory})");
        Require(Rank >= 1 && Rank <= 16, "rank", $"must be between 1 and 16 (got {Rank})");
        Require(LoadingSd >= 0 && double.IsFinite(LoadingSd), "sigma_m", $"must be non-negative (got {LoadingSd})");
        Require(LatentTau > 0 && double.IsFinite(LatentTau), "tau_s", $"must be positive (got {LatentTau})");
        if (LatentMatrix is { } a)
        {
            Require(a.Count == Rank * Rank, "latent matrix", $"needs R² = {Rank * Rank} entries (got {a.Count})");
            Require(a.All(double.IsFinite), "latent matrix", "entries must be finite");
            Require(LoadingSd > 0, "sigma_m", "must be positive when the latent loop (mode B) is on");
        }

        var bal = BalancedMeanField.BalanceRates(this);
        Require(bal[0] > 0 && bal[1] > 0, "J",
            $"the balance solution has non-positive rates (ν_E = {bal[0]:0.###}, ν_I = {bal[1]:0.###} Hz); the network cannot balance");
    }

    private static void Require(bool ok, string field, string message)
    {
        if (!ok)
        {
            throw new ModelValidationException(field, message);
        }
    }
}
