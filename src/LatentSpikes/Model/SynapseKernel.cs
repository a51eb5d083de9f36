namespace LatentSpikes.Model;

/// <summary>The shape of the postsynaptic current a spike causes (seed 002, §4.1, eq. 4.3).</summary>
public enum SynapseKind
{
    /// <summary>An instantaneous current (a Dirac delta): the paper's default of §2-3 and App. G.</summary>
    Delta,

    /// <summary>A square pulse α(t) = H(t)·H(τ_s − t)/τ_s: a current 1/τ_s for τ_s of time (eq. 4.3).</summary>
    Square,

    /// <summary>An exponential α(t) = H(t)·e^{−t/τ_s}/τ_s: the trace jumps by 1/τ_s and decays at rate 1/τ_s.</summary>
    Exponential,
}

/// <summary>
/// The synaptic kernel of one population's outgoing spikes. Every kernel integrates to one, so a spike delivers
/// the same total charge as with a delta synapse, and both slow kernels tend to the delta kernel as τ_s → 0.
/// Create it with <see cref="Delta"/>, <see cref="Square"/> or <see cref="Exponential"/>; τ_s is validated by
/// <see cref="LowRankNetwork"/>.
/// </summary>
public sealed record SynapseKernel
{
    private SynapseKernel(SynapseKind kind, double tau)
    {
        Kind = kind;
        Tau = tau;
    }

    /// <summary>The instantaneous (delta) synapse.</summary>
    public static SynapseKernel Delta { get; } = new(SynapseKind.Delta, 0.0);

    /// <summary>The kernel's shape.</summary>
    public SynapseKind Kind { get; }

    /// <summary>Synaptic time constant τ_s in units of the membrane τ (0 for the delta kernel).</summary>
    public double Tau { get; }

    /// <summary>Whether this is the instantaneous kernel.</summary>
    public bool IsDelta => Kind == SynapseKind.Delta;

    /// <summary>A square pulse of width <paramref name="tau"/> (τ) and height 1/τ_s.</summary>
    public static SynapseKernel Square(double tau) => new(SynapseKind.Square, tau);

    /// <summary>An exponential current with time constant <paramref name="tau"/> (τ).</summary>
    public static SynapseKernel Exponential(double tau) => new(SynapseKind.Exponential, tau);

    /// <summary>The spec form: <c>delta</c>, <c>square τ_s = …</c> or <c>exponential τ_s = …</c>.</summary>
    public override string ToString() => IsDelta
        ? "delta"
        : $"{(Kind == SynapseKind.Square ? "square" : "exponential")} τ_s = {Tau.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>
/// An extra transmission delay from one population's spikes to the input of another (or the same) population.
/// The simulator rounds it to a whole number of steps, round(Delay/dt), on top of the one-step latency every
/// clock-driven spike already has. The spiker's own reset is never delayed.
/// </summary>
/// <param name="From">Source population name.</param>
/// <param name="To">Target population name.</param>
/// <param name="Delay">Delay in units of τ (finite, ≥ 0).</param>
public sealed record TransmissionDelay(string From, string To, double Delay);
