using LatentSpikes.Model;
using LatentSpikes.Randomness;

namespace LatentSpikes.Srm0;

/// <summary>
/// Parameters of a seed-000 multilayer network (§1.3): hidden layers of N SRM0 neurons passing K latent factors by decoding
/// and fresh re-encoding, driven by K white-noise factors, read out by K output membranes. Defaults are the spec's.
/// </summary>
public sealed record MultilayerParameters
{
    /// <summary>Neurons per hidden layer N.</summary>
    public int NeuronsPerLayer { get; init; } = 1000;

    /// <summary>Number of latent factors K (and of output membranes).</summary>
    public int Latents { get; init; } = 10;

    /// <summary>Number of hidden layers L_h.</summary>
    public int HiddenLayers { get; init; } = 3;

    /// <summary>Baseline potential b added to every neuron's input (Δu).</summary>
    public double Bias { get; init; } = 1.0;

    /// <summary>Encoder scale σ_E: entries are N(0, σ_E²/K) before column centring.</summary>
    public double EncoderScale { get; init; } = 1.0;

    /// <summary>Stationary std σ_z of the layer-1 latent factors (Δu).</summary>
    public double LatentStd { get; init; } = 1.0;

    /// <summary>Membrane / synaptic time constant τ_m (ms) of every latent potential and output membrane.</summary>
    public double MembraneTauMs { get; init; } = 10.0;

    /// <summary>Decoder gain c_dec; null for 1/g'(b), which makes each layer pass its latents on with unit gain.</summary>
    public double? DecoderGain { get; init; }

    /// <summary>The neuron model of every hidden layer (escape function, refractoriness, dt, age memory).</summary>
    public Srm0NeuronParameters Neuron { get; init; } = new();

    /// <summary>SRM0 (default) or the LIF escape-noise variant, whose membrane is <see cref="Lif"/>.</summary>
    public LayerNeuronModel Model { get; init; } = LayerNeuronModel.Srm0;

    /// <summary>The membrane of the LIF variant (ignored for SRM0).</summary>
    public LifEscapeParameters Lif { get; init; } = new();

    /// <summary>σ_ϑ: per-neuron threshold shifts δϑ_i ~ N(0, σ_ϑ²) (Δu); 0 for identical neurons.</summary>
    public double ThresholdSpread { get; init; }

    /// <summary>σ_γ: per-neuron input gains γ_i = exp(σ_γξ_i − σ_γ²/2); 0 for identical neurons.</summary>
    public double GainSpread { get; init; }

    /// <summary>True when the neurons of a layer differ (σ_ϑ or σ_γ above 0).</summary>
    public bool IsHeterogeneous => ThresholdSpread > 0 || GainSpread > 0;

    /// <summary>K = ⌈√N⌉: the number of latents that keeps a layer duplicate-free as it grows.</summary>
    public static int SqrtLatents(int neuronsPerLayer) => (int)Math.Ceiling(Math.Sqrt(neuronsPerLayer) - 1e-9);

    /// <summary>Throws <see cref="ModelValidationException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (NeuronsPerLayer < 1 || NeuronsPerLayer > 100_000_000)
        {
            throw new ModelValidationException("neurons", $"must be between 1 and 10⁸ per layer, got {NeuronsPerLayer}");
        }

        if (Latents < 1 || Latents > NeuronsPerLayer)
        {
            throw new ModelValidationException("latents", $"must be between 1 and the layer size {NeuronsPerLayer}, got {Latents}");
        }

        if ((long)NeuronsPerLayer * Latents > 1L << 31)
        {
            throw new ModelValidationException("latents", $"N·K = {(long)NeuronsPerLayer * Latents} encoder entries per layer is more than 2³¹");
        }

        if (HiddenLayers < 1 || HiddenLayers > 64)
        {
            throw new ModelValidationException("layers", $"must be between 1 and 64 hidden layers, got {HiddenLayers}");
        }

        Finite(Bias, "bias", allowZero: true);
        Finite(EncoderScale, "encoder_scale", allowZero: false);
        Finite(LatentStd, "latent_std", allowZero: true);
        Finite(MembraneTauMs, "tau_m", allowZero: false);
        if (DecoderGain is { } g && (!double.IsFinite(g) || g == 0))
        {
            throw new ModelValidationException("decoder_gain", $"must be finite and non-zero, got {g}");
        }

        if (!(ThresholdSpread >= 0) || !(ThresholdSpread <= 10))
        {
            throw new ModelValidationException("threshold_sd", $"must be between 0 and 10 Δu, got {ThresholdSpread}");
        }

        if (!(GainSpread >= 0) || !(GainSpread <= 2))
        {
            throw new ModelValidationException("gain_sd", $"must be between 0 and 2 (log-sd of the input gain), got {GainSpread}");
        }

        if (!Enum.IsDefined(Model))
        {
            throw new ModelValidationException("model", $"must be srm0 or lif, got {Model}");
        }

        ArgumentNullException.ThrowIfNull(Neuron);
        ArgumentNullException.ThrowIfNull(Lif);
        Neuron.Validate();
        Lif.Validate();
    }

    private static void Finite(double value, string field, bool allowZero)
    {
        if (!double.IsFinite(value) || value < 0 || (!allowZero && value == 0))
        {
            throw new ModelValidationException(field, $"must be a finite number {(allowZero ? "≥" : ">")} 0, got {value}");
        }
    }
}

/// <summary>
/// A built multilayer network: the neuron, its stationary gain, and one fresh encoder E^(l) (N×K, row-major) per hidden
/// layer drawn from the seed. The decoder is never stored: D^(l) = c_dec·(K/(σ_E²N))·E^(l)ᵀ, so the N×N synaptic
/// matrix E^(l+1)·D^(l) is applied in factored form, O(N·K) per layer and step.
/// </summary>
public sealed class MultilayerNetwork
{
    private readonly double[][] _encoders;
    private readonly double[][]? _inputGains;
    private readonly double[][]? _inputOffsets;

    /// <summary>Builds the network for <paramref name="parameters"/> and <paramref name="seed"/>.</summary>
    public MultilayerNetwork(MultilayerParameters parameters, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        Parameters = parameters;
        Seed = seed;
        if (parameters.Model == LayerNeuronModel.Lif)
        {
            Lif = new LifEscapeNeuron(parameters.Neuron, parameters.Lif);
            Neuron = Lif.Escape;
            Gain = StationaryGain.Of(Lif);
        }
        else
        {
            Neuron = new Srm0Neuron(parameters.Neuron);
            Gain = new StationaryGain(Neuron);
        }

        var lif = Lif;
        var neuron = Neuron;
        PopulationGain = new PopulationGain(lif is null ? h => StationaryGain.RateHz(neuron, h) : lif.StationaryRateHz, parameters.ThresholdSpread, parameters.GainSpread);

        // Homogeneous SRM0 keeps the original slope formula bit for bit (identical outputs for existing specs).
        double slope = parameters.IsHeterogeneous || lif is not null ? PopulationGain.Slope(parameters.Bias) : StationaryGain.SlopeHz(Neuron, parameters.Bias);
        if (parameters.DecoderGain is null && !(slope > 0))
        {
            throw new ModelValidationException("bias", $"the gain is flat at b = {parameters.Bias} (g'(b) = {slope} Hz), so the default decoder gain 1/g'(b) is undefined");
        }

        DecoderGain = parameters.DecoderGain ?? (1 / slope);
        int n = parameters.NeuronsPerLayer, k = parameters.Latents;
        DecoderScale = DecoderGain * k / (parameters.EncoderScale * parameters.EncoderScale * n);
        _encoders = new double[parameters.HiddenLayers][];
        for (int l = 0; l < parameters.HiddenLayers; l++)
        {
            _encoders[l] = DrawEncoder(n, k, parameters.EncoderScale, CounterRandom.StreamKey(seed, 0, CounterRandom.Srm0Domain, Srm0Streams.Encoder(l)));
        }

        if (parameters.IsHeterogeneous)
        {
            _inputGains = new double[parameters.HiddenLayers][];
            _inputOffsets = new double[parameters.HiddenLayers][];
            for (int l = 0; l < parameters.HiddenLayers; l++)
            {
                ulong key = CounterRandom.StreamKey(seed, 0, CounterRandom.Srm0Domain, Srm0Streams.Parameters(l));
                _inputGains[l] = new double[n];
                _inputOffsets[l] = new double[n];
                for (int i = 0; i < n; i++)
                {
                    _inputOffsets[l][i] = parameters.ThresholdSpread * CounterRandom.Normal(key, 2 * (ulong)i);
                    _inputGains[l][i] = Heterogeneity.InputGain(parameters.GainSpread, CounterRandom.Normal(key, (2 * (ulong)i) + 1));
                }
            }
        }
    }

    /// <summary>The LIF neuron when <see cref="MultilayerParameters.Model"/> is LIF, else null.</summary>
    public LifEscapeNeuron? Lif { get; }

    /// <summary>ḡ(h) and ḡ'(h) averaged over the neurons' parameter distribution (the homogeneous g without spread).</summary>
    public PopulationGain PopulationGain { get; }

    /// <summary>Input gains γ_i of a layer's neurons; empty when the neurons are identical.</summary>
    public ReadOnlySpan<double> InputGains(int layer) => _inputGains is null ? [] : _inputGains[layer];

    /// <summary>Threshold shifts δϑ_i of a layer's neurons (Δu); empty when the neurons are identical.</summary>
    public ReadOnlySpan<double> InputOffsets(int layer) => _inputOffsets is null ? [] : _inputOffsets[layer];

    /// <summary>The parameters.</summary>
    public MultilayerParameters Parameters { get; }

    /// <summary>The seed of the weights and of the latent input.</summary>
    public ulong Seed { get; }

    /// <summary>The discrete neuron shared by all layers and all three networks (for LIF: its escape function and ages).</summary>
    public Srm0Neuron Neuron { get; }

    /// <summary>The stationary gain g(h) of <see cref="Neuron"/> (the conventional rate units).</summary>
    public StationaryGain Gain { get; }

    /// <summary>c_dec (Δu per Hz): 1/ḡ'(b) by default.</summary>
    public double DecoderGain { get; }

    /// <summary>c_dec·K/(σ_E²N): D^(l) = this × E^(l)ᵀ.</summary>
    public double DecoderScale { get; }

    /// <summary>E^(l), N×K row-major: row i is neuron i's encoding of the K latents.</summary>
    public ReadOnlySpan<double> Encoder(int layer) => _encoders[layer];

    /// <summary>
    /// Largest |cos| between encoding rows over <paramref name="pairs"/> random pairs (all pairs if fewer): the
    /// duplicate-freeness diagnostic of §1.8 (≈ √(4 ln N / K) for Gaussian rows; → 1 when K is fixed).
    /// </summary>
    public double MaxRowCosine(int layer, int pairs = 200_000)
    {
        var e = _encoders[layer];
        int n = Parameters.NeuronsPerLayer, k = Parameters.Latents;
        double best = 0;
        long all = (long)n * (n - 1) / 2;
        if (all <= pairs)
        {
            for (int i = 0; i < n; i++)
            {
                for (int j = i + 1; j < n; j++)
                {
                    best = Math.Max(best, Cosine(e, i, j, k));
                }
            }

            return best;
        }

        ulong key = CounterRandom.StreamKey(Seed, 0, CounterRandom.Srm0Domain, Srm0Streams.Encoder(layer) | (1UL << 40));
        for (int p = 0; p < pairs; p++)
        {
            int i = (int)(CounterRandom.Uniform(key, (ulong)(2 * p)) * n);
            int j = (int)(CounterRandom.Uniform(key, (ulong)((2 * p) + 1)) * n);
            if (i != j)
            {
                best = Math.Max(best, Cosine(e, i, j, k));
            }
        }

        return best;
    }

    private static double Cosine(double[] e, int i, int j, int k)
    {
        double dot = 0, a = 0, b = 0;
        for (int q = 0; q < k; q++)
        {
            double x = e[(i * k) + q], y = e[(j * k) + q];
            dot += x * y;
            a += x * x;
            b += y * y;
        }

        return a > 0 && b > 0 ? Math.Abs(dot) / Math.Sqrt(a * b) : 0;
    }

    private static double[] DrawEncoder(int n, int k, double scale, ulong key)
    {
        var e = new double[n * k];
        double s = scale / Math.Sqrt(k);
        for (int i = 0; i < e.Length; i++)
        {
            e[i] = s * CounterRandom.Normal(key, (ulong)i);
        }

        // Centre the columns (Σ_i E_ik = 0): removes the O(√(K/N)) quenched offset of the decoded mean rate.
        for (int q = 0; q < k; q++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++)
            {
                mean += e[(i * k) + q];
            }

            mean /= n;
            for (int i = 0; i < n; i++)
            {
                e[(i * k) + q] -= mean;
            }
        }

        return e;
    }
}
