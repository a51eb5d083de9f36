namespace LatentSpikes.Model;

/// <summary>
/// A rank-1 population of leaky integrate-and-fire neurons (seed 002, §2.1). Neuron i has feedforward weights
/// F_i onto the M-dimensional filtered input x, a tangent-construction threshold T_i (the simulator normalises
/// every threshold to 1 and turns T_i into the bias current b_i = 1 − T_i, App. C), encoders onto every latent it
/// listens to, and a decoder D_i into the population's own latent y = Σ_j D_j r_j. In integrated form its voltage is
/// V_i = F_i·x + Σ_k E_ik·y_k, and it spikes when V_i reaches T_i (eq. 2.16, 2.35).
/// </summary>
public sealed class Population
{
    private readonly double[] _feedforward;

    /// <summary>Creates a population; shapes and values are checked by <see cref="LowRankNetwork"/>.</summary>
    /// <param name="name">Unique name; its latent is called <c>y_{name}</c>.</param>
    /// <param name="kind">Dale's-law class.</param>
    /// <param name="feedforward">Feedforward weights, one row of length M per neuron.</param>
    /// <param name="thresholds">Thresholds T_i in latent units.</param>
    /// <param name="decoders">Decoders D_i into the population's own latent.</param>
    /// <param name="encoders">Encoder vector per latent name (length N each).</param>
    /// <param name="softRefractory">Soft refractory cost μ (eq. 2.26): the self-reset is E_i·D_i − μ.</param>
    /// <param name="noiseSigma">Std σ of the independent white current noise (per step σ·√(2·dt/τ)).</param>
    /// <param name="synapse">Kernel of the population's outgoing spikes; null is the delta synapse (§4.1).</param>
    /// <param name="refractoryPeriod">Absolute refractory period t_ref in τ (0: none).</param>
    /// <param name="rate">Settings of the rate twin (β, τ_s); null: derived from the noise and the synapse.</param>
    public Population(
        string name,
        PopulationKind kind,
        double[][] feedforward,
        double[] thresholds,
        double[] decoders,
        IReadOnlyDictionary<string, double[]> encoders,
        double softRefractory = 0.0,
        double noiseSigma = 0.0,
        SynapseKernel? synapse = null,
        double refractoryPeriod = 0.0,
        RateParameters? rate = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(feedforward);
        ArgumentNullException.ThrowIfNull(thresholds);
        ArgumentNullException.ThrowIfNull(decoders);
        ArgumentNullException.ThrowIfNull(encoders);
        Name = name;
        Kind = kind;
        Size = thresholds.Length;
        InputDimension = feedforward.Length == 0 ? 0 : feedforward[0].Length;
        if (feedforward.Length != Size)
        {
            throw new ModelValidationException($"populations.{name}.feedforward", $"has {feedforward.Length} rows but the population has {Size} thresholds");
        }

        _feedforward = new double[Size * InputDimension];
        for (int i = 0; i < Size; i++)
        {
            if (feedforward[i].Length != InputDimension)
            {
                throw new ModelValidationException($"populations.{name}.feedforward[{i}]", $"has {feedforward[i].Length} entries, expected {InputDimension} (one per input dimension)");
            }

            Array.Copy(feedforward[i], 0, _feedforward, i * InputDimension, InputDimension);
        }

        Thresholds = (double[])thresholds.Clone();
        Decoders = (double[])decoders.Clone();
        Encoders = encoders.ToDictionary(kv => kv.Key, kv => (double[])kv.Value.Clone(), StringComparer.Ordinal);
        SoftRefractory = softRefractory;
        NoiseSigma = noiseSigma;
        Synapse = synapse ?? SynapseKernel.Delta;
        RefractoryPeriod = refractoryPeriod;
        Rate = rate;
    }

    /// <summary>Unique population name.</summary>
    public string Name { get; }

    /// <summary>Dale's-law class.</summary>
    public PopulationKind Kind { get; }

    /// <summary>Number of neurons N.</summary>
    public int Size { get; }

    /// <summary>Input dimension M (columns of the feedforward weights).</summary>
    public int InputDimension { get; }

    /// <summary>Name of the population's own latent readout, <c>y_{Name}</c>.</summary>
    public string LatentName => LatentNameOf(Name);

    /// <summary>Thresholds T_i (latent units; the simulator fires at the normalised threshold 1).</summary>
    public IReadOnlyList<double> Thresholds { get; }

    /// <summary>Decoders D_i into the population's own latent.</summary>
    public IReadOnlyList<double> Decoders { get; }

    /// <summary>Encoders per latent name: E_ik, how neuron i's voltage moves per unit of latent k.</summary>
    public IReadOnlyDictionary<string, double[]> Encoders { get; }

    /// <summary>Soft refractory cost μ (eq. 2.26, 3.3).</summary>
    public double SoftRefractory { get; }

    /// <summary>White current-noise std σ (per step σ·√(2·dt/τ)).</summary>
    public double NoiseSigma { get; }

    /// <summary>Kernel of the postsynaptic current of this population's spikes (eq. 4.3-4.5); delta by default.</summary>
    public SynapseKernel Synapse { get; }

    /// <summary>Absolute refractory period t_ref (τ): a neuron that spiked cannot spike again for this long.</summary>
    public double RefractoryPeriod { get; }

    /// <summary>Settings of the population's rate twin (<c>rate:</c> in a spec); null when the spec gives none.</summary>
    public RateParameters? Rate { get; }

    /// <summary>The latent name of a population name.</summary>
    public static string LatentNameOf(string populationName) => "y_" + populationName;

    /// <summary>Feedforward weight F_im of neuron <paramref name="neuron"/> onto input dimension <paramref name="dimension"/>.</summary>
    public double Feedforward(int neuron, int dimension) => _feedforward[(neuron * InputDimension) + dimension];

    /// <summary>The feedforward weight row F_i of one neuron.</summary>
    public ReadOnlySpan<double> FeedforwardRow(int neuron) => _feedforward.AsSpan(neuron * InputDimension, InputDimension);

    /// <summary>A copy with another synaptic kernel and refractory period (everything else unchanged).</summary>
    public Population WithSynapse(SynapseKernel synapse, double refractoryPeriod)
    {
        ArgumentNullException.ThrowIfNull(synapse);
        var rows = new double[Size][];
        for (int i = 0; i < Size; i++)
        {
            rows[i] = FeedforwardRow(i).ToArray();
        }

        return new Population(Name, Kind, rows, Thresholds.ToArray(), Decoders.ToArray(),
            Encoders.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), SoftRefractory, NoiseSigma, synapse, refractoryPeriod, Rate);
    }

    /// <summary>A copy with other rate-twin settings (everything else unchanged).</summary>
    public Population WithRate(RateParameters? rate)
    {
        var rows = new double[Size][];
        for (int i = 0; i < Size; i++)
        {
            rows[i] = FeedforwardRow(i).ToArray();
        }

        return new Population(Name, Kind, rows, Thresholds.ToArray(), Decoders.ToArray(),
            Encoders.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), SoftRefractory, NoiseSigma, Synapse, RefractoryPeriod, rate);
    }

    /// <summary>Bias current b_i = 1 − T_i that places the threshold at the normalised value 1 (App. C).</summary>
    public double Bias(int neuron) => 1.0 - Thresholds[neuron];
}
