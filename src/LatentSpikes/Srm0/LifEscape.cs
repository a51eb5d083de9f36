using System.Runtime.CompilerServices;
using LatentSpikes.Model;
using LatentSpikes.Randomness;

namespace LatentSpikes.Srm0;

/// <summary>The neuron model of a seed-000 layer stack.</summary>
public enum LayerNeuronModel
{
    /// <summary>SRM0 with escape noise: u = h + η(age) (§1.2); a renewal neuron, its generalised rate unit is exact.</summary>
    Srm0,

    /// <summary>
    /// Leaky integrate-and-fire with reset and escape noise on the membrane potential V (<see cref="LifEscapeNeuron"/>):
    /// V depends on the input since the last spike, not only on the age; its generalised rate unit carries V per age.
    /// </summary>
    Lif,
}

/// <summary>The membrane of the LIF escape-noise variant: V relaxes to the input potential h with τ_v and resets after a spike.</summary>
public sealed record LifEscapeParameters
{
    /// <summary>Membrane time constant τ_v (ms) with which V follows the input potential h.</summary>
    public double MembraneTauMs { get; init; } = 10.0;

    /// <summary>Reset potential V_r (Δu): V after a spike and throughout the absolute refractory period.</summary>
    public double ResetPotential { get; init; }

    /// <summary>Throws <see cref="ModelValidationException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (!(MembraneTauMs > 0) || !double.IsFinite(MembraneTauMs))
        {
            throw new ModelValidationException("tau_v", $"must be a finite number > 0 ms, got {MembraneTauMs}");
        }

        if (!double.IsFinite(ResetPotential))
        {
            throw new ModelValidationException("v_reset", $"must be finite, got {ResetPotential}");
        }
    }
}

/// <summary>
/// The discrete LIF neuron with escape noise. Per step, with age index j (steps since the last spike − 1):
/// V ← V_r while absolutely refractory (j below <see cref="Srm0Neuron.FirstExcitableIndex"/>), else
/// V ← λ_v·V + (1 − λ_v)·h with λ_v = e^{−dt/τ_v}; the neuron then spikes with P = 1 − exp(−ρ₀·e^{(V−ϑ)/Δu}·dt), and
/// a spike sets j ← 0, V ← V_r. The escape function, the absolute refractoriness and the age bins are those of
/// <see cref="Escape"/>, an SRM0 neuron without relative refractoriness (the reset plays that part).
/// </summary>
public sealed class LifEscapeNeuron
{
    /// <summary>Builds the neuron from the shared escape parameters (η₀ is ignored) and the membrane.</summary>
    public LifEscapeNeuron(Srm0NeuronParameters escape, LifEscapeParameters membrane)
    {
        ArgumentNullException.ThrowIfNull(escape);
        ArgumentNullException.ThrowIfNull(membrane);
        membrane.Validate();
        Escape = new Srm0Neuron(escape with { RelativeRefractoryDepth = 0 });
        Membrane = membrane;
        Leak = Math.Exp(-escape.DtMs / membrane.MembraneTauMs);
    }

    /// <summary>Escape function, absolute refractoriness and age bins (w_j ∈ {0, 1}).</summary>
    public Srm0Neuron Escape { get; }

    /// <summary>The membrane parameters.</summary>
    public LifEscapeParameters Membrane { get; }

    /// <summary>λ_v = e^{−dt/τ_v}.</summary>
    public double Leak { get; }

    /// <summary>V after this step for a neuron at age index <paramref name="ageIndex"/> whose V was <paramref name="v"/>, under input <paramref name="h"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Integrate(double v, double h, int ageIndex) =>
        ageIndex < Escape.FirstExcitableIndex ? Membrane.ResetPotential : (Leak * v) + ((1 - Leak) * h);

    /// <summary>
    /// The exact stationary rate under constant h (Hz): 1/(dt·E[T]) with E[T] = Σ_n S_n over the deterministic
    /// V_n(h) = h + (V_r − h)·λ_v^{n−first}. Summed until V_n has converged, then the geometric tail, so it does not
    /// share the age density's merged last bin and is exact for the spiking neuron.
    /// </summary>
    public double StationaryRateHz(double h)
    {
        var e = Escape;
        int last = e.AgeBins - 1;
        double v = Membrane.ResetPotential;
        double survivor = 1, sum = 0;
        for (int n = 0; n < 10_000_000; n++)
        {
            int j = Math.Min(n, last);
            double next = Integrate(v, h, j);
            double p = e.SpikeProbability(e.EscapeFactor(next), j);
            bool settled = j == last && Math.Abs(next - v) <= 1e-13 * (1 + Math.Abs(h));
            v = next;
            if (settled)
            {
                sum += survivor / p;
                return 1 / (e.Dt * sum);
            }

            sum += survivor;
            survivor *= 1 - p;
            if (survivor < 1e-300)
            {
                break;
            }
        }

        return 1 / (e.Dt * sum);
    }
}

/// <summary>N spiking LIF escape-noise neurons, each with its own counter-based spike stream (as <see cref="SpikingSrm0Population"/>).</summary>
public sealed class SpikingLifPopulation
{
    private readonly int[] _ageIndex;
    private readonly double[] _voltage;
    private readonly ulong[] _keys;

    /// <summary>Creates <paramref name="size"/> neurons at the oldest age with V = V_r, as the density starts.</summary>
    public SpikingLifPopulation(LifEscapeNeuron neuron, int size, ulong seed, ulong trial, int layer)
    {
        ArgumentNullException.ThrowIfNull(neuron);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        Neuron = neuron;
        _ageIndex = new int[size];
        Array.Fill(_ageIndex, neuron.Escape.AgeBins - 1);
        _voltage = new double[size];
        Array.Fill(_voltage, neuron.Membrane.ResetPotential);
        _keys = new ulong[size];
        for (int i = 0; i < size; i++)
        {
            _keys[i] = CounterRandom.StreamKey(seed, trial, CounterRandom.Srm0Domain, Srm0Streams.Spikes(layer, i));
        }
    }

    /// <summary>The neuron model.</summary>
    public LifEscapeNeuron Neuron { get; }

    /// <summary>Age index of neuron <paramref name="i"/> (0 right after a spike).</summary>
    public int AgeIndex(int i) => _ageIndex[i];

    /// <summary>Membrane potential of neuron <paramref name="i"/>.</summary>
    public double Voltage(int i) => _voltage[i];

    /// <summary>Advances neuron <paramref name="i"/> by step <paramref name="step"/> under input potential <paramref name="h"/>; true if it spiked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Step(int i, double h, ulong step)
    {
        var e = Neuron.Escape;
        int j = _ageIndex[i];
        double v = Neuron.Integrate(_voltage[i], h, j);
        bool spiked = CounterRandom.Uniform(_keys[i], step) < e.SpikeProbability(e.EscapeFactor(v), j);
        _ageIndex[i] = spiked ? 0 : Math.Min(j + 1, e.AgeBins - 1);
        _voltage[i] = spiked ? Neuron.Membrane.ResetPotential : v;
        return spiked;
    }
}

/// <summary>
/// The generalised rate units of the LIF variant: per neuron, the probability m[j] of each age and the membrane
/// potential V[j] its spiking twin has at that age. Given the input history, all twins whose last spike lies at the
/// same time share one deterministic V, so carrying V per age marginalises over spike histories exactly, like
/// <see cref="AgeDensityPopulation"/> does for SRM0. The one approximation is the last (absorbing) bin, which pools
/// ages ≥ L and keeps their mass-weighted mean V; their V differ by O(λ_v^{L − first}), so the error is of that
/// order (docs/seed-000.md measures it).
/// </summary>
public sealed class LifAgeDensityPopulation
{
    private readonly double[] _mass;
    private readonly double[] _voltage;
    private readonly int _bins;

    /// <summary>Creates <paramref name="size"/> units with all mass at the oldest age and V = V_r.</summary>
    public LifAgeDensityPopulation(LifEscapeNeuron neuron, int size)
    {
        ArgumentNullException.ThrowIfNull(neuron);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        Neuron = neuron;
        _bins = neuron.Escape.AgeBins;
        _mass = new double[size * (long)_bins];
        _voltage = new double[size * (long)_bins];
        Array.Fill(_voltage, neuron.Membrane.ResetPotential);
        for (int i = 0; i < size; i++)
        {
            _mass[(i * _bins) + _bins - 1] = 1;
        }
    }

    /// <summary>The neuron model.</summary>
    public LifEscapeNeuron Neuron { get; }

    /// <summary>Age distribution of unit <paramref name="i"/>.</summary>
    public ReadOnlySpan<double> AgeDistribution(int i) => _mass.AsSpan(i * _bins, _bins);

    /// <summary>Advances unit <paramref name="i"/> under input potential <paramref name="h"/>; returns A·dt.</summary>
    public double Step(int i, double h)
    {
        var m = _mass.AsSpan(i * _bins, _bins);
        var v = _voltage.AsSpan(i * _bins, _bins);
        var e = Neuron.Escape;
        int last = _bins - 1;

        double vLast = Neuron.Integrate(v[last], h, last);
        double x = m[last];
        double fired = x * e.SpikeProbability(e.EscapeFactor(vLast), last);
        double stay = x - fired;
        for (int j = last - 1; j >= 0; j--)
        {
            double vj = Neuron.Integrate(v[j], h, j);
            x = m[j];
            double f = j >= e.FirstExcitableIndex ? x * e.SpikeProbability(e.EscapeFactor(vj), j) : 0;
            fired += f;
            m[j + 1] = x - f;
            v[j + 1] = vj;
        }

        // Pool the survivors of the last bin with the mass arriving from below at their mass-weighted mean V.
        double total = m[last] + stay;
        v[last] = total > 0 ? ((m[last] * v[last]) + (stay * vLast)) / total : vLast;
        m[last] = total;
        m[0] = fired;
        v[0] = Neuron.Membrane.ResetPotential;
        return fired;
    }
}
