using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using LatentSpikes.Model;

namespace LatentSpikes.Srm0;

/// <summary>
/// Parameters of the SRM0 neuron with escape noise (seed 000, §1.2): hazard f(u) = ρ₀·exp((u − ϑ)/Δu) with
/// u = h + η(age), absolute refractoriness Δ_abs and relative refractoriness η(s) = −η₀·exp(−(s − Δ_abs)/τ_ref).
/// Times in ms, rates in Hz, potentials in units of Δu. Defaults are the spec's table.
/// </summary>
public sealed record Srm0NeuronParameters
{
    /// <summary>Time step dt (ms).</summary>
    public double DtMs { get; init; } = 1.0;

    /// <summary>Hazard at threshold ρ₀ (Hz).</summary>
    public double Rho0Hz { get; init; } = 10.0;

    /// <summary>Threshold ϑ of the escape rate.</summary>
    public double Threshold { get; init; }

    /// <summary>Softness Δu of the escape rate (the potential unit).</summary>
    public double DeltaU { get; init; } = 1.0;

    /// <summary>Absolute refractory period Δ_abs (ms); 0 for none.</summary>
    public double AbsoluteRefractoryMs { get; init; } = 2.0;

    /// <summary>Depth η₀ of the relative refractoriness; 0 for none.</summary>
    public double RelativeRefractoryDepth { get; init; } = 3.0;

    /// <summary>Recovery time τ_ref of the relative refractoriness (ms).</summary>
    public double RelativeRefractoryTauMs { get; init; } = 8.0;

    /// <summary>Age memory L_age (ms): ages are counted up to this and then saturate (the last age bin absorbs).</summary>
    public double AgeMemoryMs { get; init; } = 40.0;

    /// <summary>Potentials are clipped to [−<see cref="PotentialClip"/>, +<see cref="PotentialClip"/>] so exp cannot overflow.</summary>
    public double PotentialClip { get; init; } = 20.0;

    /// <summary>The spec's defaults with neither absolute nor relative refractoriness (η ≡ 0: an LNP neuron).</summary>
    public static Srm0NeuronParameters Memoryless => new() { AbsoluteRefractoryMs = 0, RelativeRefractoryDepth = 0 };

    /// <summary>Throws <see cref="ModelValidationException"/> naming the first bad value.</summary>
    public void Validate()
    {
        Positive(DtMs, "dt");
        Positive(Rho0Hz, "rho0");
        Positive(DeltaU, "delta_u");
        Positive(RelativeRefractoryTauMs, "tau_ref");
        Positive(PotentialClip, "potential_clip");
        if (!double.IsFinite(Threshold))
        {
            throw new ModelValidationException("threshold", $"must be finite, got {Threshold}");
        }

        if (!(AbsoluteRefractoryMs >= 0) || !double.IsFinite(AbsoluteRefractoryMs))
        {
            throw new ModelValidationException("abs_refractory", $"must be a finite number ≥ 0 ms, got {AbsoluteRefractoryMs}");
        }

        if (!(RelativeRefractoryDepth >= 0) || !double.IsFinite(RelativeRefractoryDepth))
        {
            throw new ModelValidationException("eta0", $"must be a finite number ≥ 0, got {RelativeRefractoryDepth}");
        }

        Positive(AgeMemoryMs, "age_memory");
        double bins = Math.Round(AgeMemoryMs / DtMs);
        if (bins < 2 || bins > 1_000_000)
        {
            throw new ModelValidationException("age_memory", $"must span 2 to 10⁶ time steps, got {AgeMemoryMs} ms at dt = {DtMs} ms");
        }

        if (AbsoluteRefractoryMs >= AgeMemoryMs)
        {
            throw new ModelValidationException("abs_refractory", $"({AbsoluteRefractoryMs} ms) must be shorter than the age memory ({AgeMemoryMs} ms), or the neuron never fires");
        }
    }

    private static void Positive(double value, string field)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            throw new ModelValidationException(field, $"must be a finite number > 0, got {value}");
        }
    }
}

/// <summary>
/// The exact discrete-time SRM0 neuron (seed 000, §1.2), the one definition shared by the spiking neuron, the age
/// density (its exact expectation) and the stationary gain. A neuron of age a (steps since its last spike,
/// saturating at L) spikes in a step with probability P(a) = 1 − exp(−c·w_a), where c = ρ₀·e^{(h−ϑ)/Δu}·dt carries
/// the input and w_a = e^{η(a·dt)/Δu} the refractoriness (0 while absolutely refractory). Age index j = a − 1.
/// </summary>
public sealed class Srm0Neuron
{
    private readonly double[] _ageWeights;
    private readonly double _rhoDt;

    /// <summary>Discretises <paramref name="parameters"/> (validated here).</summary>
    public Srm0Neuron(Srm0NeuronParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        Parameters = parameters;
        AgeBins = (int)Math.Round(parameters.AgeMemoryMs / parameters.DtMs);
        _ageWeights = new double[AgeBins];
        FirstExcitableIndex = AgeBins;
        for (int j = AgeBins - 1; j >= 0; j--)
        {
            double s = (j + 1) * parameters.DtMs;

            // A small tolerance so that, e.g., 20 × 0.1 ms counts as reaching Δ_abs = 2 ms despite rounding.
            if (s < parameters.AbsoluteRefractoryMs - (1e-9 * parameters.DtMs))
            {
                break;
            }

            double eta = -parameters.RelativeRefractoryDepth * Math.Exp(-(s - parameters.AbsoluteRefractoryMs) / parameters.RelativeRefractoryTauMs);
            _ageWeights[j] = Math.Exp(eta / parameters.DeltaU);
            FirstExcitableIndex = j;
        }

        _rhoDt = parameters.Rho0Hz * parameters.DtMs * 1e-3;
        Dt = parameters.DtMs * 1e-3;
    }

    /// <summary>The parameters.</summary>
    public Srm0NeuronParameters Parameters { get; }

    /// <summary>Number of age bins L.</summary>
    public int AgeBins { get; }

    /// <summary>Time step in seconds (rates are spike probabilities per step divided by this).</summary>
    public double Dt { get; }

    /// <summary>The first age index j (age j + 1) at which the neuron can fire.</summary>
    public int FirstExcitableIndex { get; }

    /// <summary>w_j = exp(η((j + 1)·dt)/Δu) for every age index j; 0 while absolutely refractory.</summary>
    public ReadOnlySpan<double> AgeWeights => _ageWeights;

    /// <summary>The escape rate f(u) = ρ₀·e^{(u−ϑ)/Δu} (Hz).</summary>
    public double Hazard(double u) => Parameters.Rho0Hz * Math.Exp((u - Parameters.Threshold) / Parameters.DeltaU);

    /// <summary>c = ρ₀·e^{(h−ϑ)/Δu}·dt for input potential h (clipped to ±<see cref="Srm0NeuronParameters.PotentialClip"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double EscapeFactor(double h)
    {
        double clip = Parameters.PotentialClip;
        h = h > clip ? clip : (h < -clip ? -clip : h);
        return _rhoDt * Math.Exp((h - Parameters.Threshold) / Parameters.DeltaU);
    }

    /// <summary>P = 1 − exp(−c·w_j): the probability that a neuron at age index j spikes in this step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double SpikeProbability(double escapeFactor, int ageIndex) => OneMinusExpNeg(escapeFactor * _ageWeights[ageIndex]);

    /// <summary>1 − e^{−x} without cancellation for tiny x (.NET has no expm1); bit-identical to one lane of the vector overload.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double OneMinusExpNeg(double x) => OneMinusExpNeg(Vector256.Create(x)).ToScalar();

    /// <summary>
    /// 1 − e^{−x} lane by lane. The spiking neuron and the age density both go through this one function (the scalar
    /// overload uses a broadcast lane), so their P(a, t) agree to the last bit and no O(dt) or rounding bias can
    /// separate the expectation from the spikes it describes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> OneMinusExpNeg(Vector256<double> x)
    {
        // Below 1e-5 the third-order series is exact to ~x⁴/24 < 1e-21 relative; above, 1 − e^{−x} loses < 1e-11 relative.
        var series = x * (Vector256<double>.One - (x * (Vector256.Create(0.5) - (x / 6))));
        var direct = Vector256<double>.One - Vector256.Exp(-x);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(1e-5)), series, direct);
    }
}
