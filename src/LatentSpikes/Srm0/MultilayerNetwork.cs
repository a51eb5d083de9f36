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

    /// <summary>The neuron model of every hidden layer.</summary>
    public Srm0NeuronParameters Neuron { get; init; } = new();

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

        ArgumentNullException.ThrowIfNull(Neuron);
        Neuron.Validate();
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

    /// <summary>Builds the network for <paramref name="parameters"/> and <paramref name="seed"/>.</summary>
    public MultilayerNetwork(MultilayerParameters parameters, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        Parameters = parameters;
        Seed = seed;
        Neuron = new Srm0Neuron(parameters.Neuron);
        Gain = new StationaryGain(Neuron);
        double slope = StationaryGain.SlopeHz(Neuron, parameters.Bias);
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
    }

    /// <summary>The parameters.</summary>
    public MultilayerParameters Parameters { get; }

    /// <summary>The seed of the weights and of the latent input.</summary>
    public ulong Seed { get; }

    /// <summary>The discrete neuron shared by all layers and all three networks.</summary>
    public Srm0Neuron Neuron { get; }

    /// <summary>The stationary gain g(h) of <see cref="Neuron"/> (the conventional rate units).</summary>
    public StationaryGain Gain { get; }

    /// <summary>c_dec (Δu per Hz).</summary>
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
