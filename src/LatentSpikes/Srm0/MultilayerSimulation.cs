using LatentSpikes.Model;
using LatentSpikes.Randomness;

namespace LatentSpikes.Srm0;

/// <summary>The three networks of seed 000 that share one multilayer network's weights and input.</summary>
[Flags]
public enum Srm0Networks
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>The spiking network (SNN) of SRM0 neurons with escape noise.</summary>
    Spiking = 1,

    /// <summary>The generalised rate network (GR): each unit is the expected activity of its spiking twin given its input history.</summary>
    GeneralisedRate = 2,

    /// <summary>The conventional rate network (CR): each unit is the stationary gain g(h) of its potential (no memory).</summary>
    ConventionalRate = 4,

    /// <summary>All three.</summary>
    All = Spiking | GeneralisedRate | ConventionalRate,
}

/// <summary>What to simulate: protocol length, spike realisation, which networks and how many threads.</summary>
public sealed record MultilayerRunOptions
{
    /// <summary>Simulated time before recording starts (ms).</summary>
    public double WarmUpMs { get; init; } = 200;

    /// <summary>Recorded time after the warm-up (ms).</summary>
    public double DurationMs { get; init; } = 1000;

    /// <summary>Spike realisation: trials share weights and latent input and differ only in the spikes drawn.</summary>
    public ulong Trial { get; init; }

    /// <summary>The networks to simulate side by side.</summary>
    public Srm0Networks Networks { get; init; } = Srm0Networks.All;

    /// <summary>Worker threads (0: all cores). Results do not depend on it.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Spiking neurons 0 … n − 1 of every hidden layer whose spike times are kept (after the warm-up) in
    /// <see cref="MultilayerRun.SampledSpikes"/>; 0 keeps none. Only the spiking network has spikes to keep.
    /// </summary>
    public int SpikeSample { get; init; }

    /// <summary>Throws <see cref="ModelValidationException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (!(WarmUpMs >= 0) || !double.IsFinite(WarmUpMs))
        {
            throw new ModelValidationException("warm_up", $"must be a finite number ≥ 0 ms, got {WarmUpMs}");
        }

        if (!(DurationMs > 0) || !double.IsFinite(DurationMs))
        {
            throw new ModelValidationException("duration", $"must be a finite number > 0 ms, got {DurationMs}");
        }

        if ((Networks & Srm0Networks.All) == Srm0Networks.None || (Networks & ~Srm0Networks.All) != 0)
        {
            throw new ModelValidationException("networks", $"choose at least one of spiking, generalised and conventional, got {Networks}");
        }

        if (Threads < 0)
        {
            throw new ModelValidationException("threads", $"must be ≥ 0 (0: all cores), got {Threads}");
        }

        if (SpikeSample < 0)
        {
            throw new ModelValidationException("spike_sample", $"must be ≥ 0 neurons per layer, got {SpikeSample}");
        }
    }
}

/// <summary>One spike of a sampled neuron of the spiking network.</summary>
/// <param name="Layer">Hidden layer (0-based).</param>
/// <param name="Neuron">Neuron index within the layer.</param>
/// <param name="Step">Recorded time step (0 at the end of the warm-up).</param>
public readonly record struct Srm0Spike(int Layer, int Neuron, int Step);

/// <summary>
/// The recorded result of one layer-network run: the K output membranes y_k(t) of every network simulated (after the
/// warm-up) and the mean rate of every hidden layer.
/// </summary>
public sealed class MultilayerRun
{
    private readonly Dictionary<Srm0Networks, double[][]> _outputs;
    private readonly Dictionary<Srm0Networks, double[]> _rates;

    internal MultilayerRun(MultilayerNetwork network, MultilayerRunOptions options, int steps, Dictionary<Srm0Networks, double[][]> outputs, Dictionary<Srm0Networks, double[]> rates, IReadOnlyList<Srm0Spike> sampledSpikes)
    {
        Network = network;
        Options = options;
        RecordedSteps = steps;
        _outputs = outputs;
        _rates = rates;
        SampledSpikes = sampledSpikes;
    }

    /// <summary>
    /// Spikes of the spiking network's neurons 0 … <see cref="MultilayerRunOptions.SpikeSample"/> − 1 of every layer
    /// after the warm-up, in time order (then layer, then neuron); empty without the spiking network or a sample.
    /// </summary>
    public IReadOnlyList<Srm0Spike> SampledSpikes { get; }

    /// <summary>The network simulated.</summary>
    public MultilayerNetwork Network { get; }

    /// <summary>The options used.</summary>
    public MultilayerRunOptions Options { get; }

    /// <summary>Number of recorded time steps.</summary>
    public int RecordedSteps { get; }

    /// <summary>The networks simulated.</summary>
    public Srm0Networks Networks => Options.Networks;

    /// <summary>Time of recorded step t (ms, counted from the end of the warm-up).</summary>
    public double TimeMs(int t) => t * Network.Neuron.Parameters.DtMs;

    /// <summary>Output membranes y_k(t) of <paramref name="network"/>: [k][t].</summary>
    public IReadOnlyList<double[]> Outputs(Srm0Networks network) =>
        _outputs.TryGetValue(network, out var y) ? y : throw new ArgumentException($"network {network} was not simulated in this run", nameof(network));

    /// <summary>Mean rate of each hidden layer of <paramref name="network"/> over the recorded time (Hz).</summary>
    public IReadOnlyList<double> LayerRatesHz(Srm0Networks network) =>
        _rates.TryGetValue(network, out var r) ? r : throw new ArgumentException($"network {network} was not simulated in this run", nameof(network));

    /// <summary>MAD = (1/(K·T)) Σ_k Σ_t |y_k^a(t) − y_k^b(t)| between the output membranes of two networks.</summary>
    public double MeanAbsoluteDifference(Srm0Networks a, Srm0Networks b) => MeanAbsoluteDifference(Outputs(a), Outputs(b));

    /// <summary>mean |y_k(t)| of <paramref name="network"/>, the scale for a normalised MAD.</summary>
    public double MeanAbsoluteOutput(Srm0Networks network)
    {
        var y = Outputs(network);
        double sum = 0;
        foreach (var row in y)
        {
            foreach (double v in row)
            {
                sum += Math.Abs(v);
            }
        }

        return sum / (y.Count * (double)RecordedSteps);
    }

    /// <summary>MAD between two equally shaped sets of traces [k][t].</summary>
    public static double MeanAbsoluteDifference(IReadOnlyList<double[]> a, IReadOnlyList<double[]> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count || a.Count == 0)
        {
            throw new ArgumentException("the two sets of traces differ in the number of outputs");
        }

        double sum = 0;
        long count = 0;
        for (int k = 0; k < a.Count; k++)
        {
            if (a[k].Length != b[k].Length)
            {
                throw new ArgumentException("the two sets of traces differ in length");
            }

            for (int t = 0; t < a[k].Length; t++)
            {
                sum += Math.Abs(a[k][t] - b[k][t]);
            }

            count += a[k].Length;
        }

        return sum / count;
    }
}

/// <summary>
/// Simulates the spiking, generalised-rate and conventional-rate versions of a multilayer network side by side (seed 000,
/// §1.3-1.6) with identical weights and one shared white-noise latent input (common random numbers). Per step, every
/// layer of every network reads its latent potentials z^(l)(t), its neurons emit s_i ∈ {spike, A·dt, g·dt}, and all
/// latents then move on synchronously: z^(l+1) ← λz^(l+1) + (1 − λ)·D^(l)·s/dt with λ = e^{−dt/τ_m}. Neurons are
/// processed in fixed chunks whose partial decodings are summed in chunk order, so results are identical for any
/// thread count.
/// </summary>
public static class MultilayerSimulation
{
    /// <summary>Neurons per work item: big enough to amortise scheduling, small enough to balance two cores.</summary>
    private const int ChunkSize = 1024;

    private static readonly Srm0Networks[] Order = [Srm0Networks.Spiking, Srm0Networks.GeneralisedRate, Srm0Networks.ConventionalRate];

    /// <summary>Runs <paramref name="network"/> under <paramref name="options"/>; reports progress in [0, 1].</summary>
    public static MultilayerRun Run(MultilayerNetwork network, MultilayerRunOptions? options = null, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new MultilayerRunOptions();
        options.Validate();
        var p = network.Parameters;
        var neuron = network.Neuron;
        double dtMs = neuron.Parameters.DtMs;
        int warm = (int)Math.Round(options.WarmUpMs / dtMs);
        int recorded = Math.Max(1, (int)Math.Round(options.DurationMs / dtMs));
        int total = warm + recorded;
        int n = p.NeuronsPerLayer, k = p.Latents, layers = p.HiddenLayers;
        double lambda = Math.Exp(-dtMs / p.MembraneTauMs);
        double noiseAmplitude = p.LatentStd * Math.Sqrt(1 - (lambda * lambda));

        // Decoded input per step: (1 − λ)·c_dec·K/(σ_E²N)·Σ_j E_jk·s_j/dt.
        double decodeFactor = (1 - lambda) * network.DecoderScale / neuron.Dt;

        var networks = Order.Where(x => (options.Networks & x) != 0).ToArray();
        var states = networks.Select(x => new NetworkState(x, network, options.Trial)).ToArray();

        // Layer-1 latent factors: one exact Ornstein–Uhlenbeck path shared by every network, started stationary.
        var noiseKeys = Enumerable.Range(0, k).Select(q => CounterRandom.StreamKey(network.Seed, 0, CounterRandom.Srm0Domain, Srm0Streams.LatentNoise(q))).ToArray();
        var input = new double[k];
        for (int q = 0; q < k; q++)
        {
            input[q] = p.LatentStd * CounterRandom.Normal(noiseKeys[q], 0);
        }

        int chunks = (n + ChunkSize - 1) / ChunkSize;
        int items = networks.Length * layers * chunks;
        var partial = new double[items * k];
        var partialCount = new double[items];
        var decoded = new double[k];
        var outputs = networks.ToDictionary(x => x, _ => Enumerable.Range(0, k).Select(_ => new double[recorded]).ToArray());
        var rateSums = networks.ToDictionary(x => x, _ => new double[layers]);
        int threads = options.Threads == 0 ? Environment.ProcessorCount : options.Threads;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        int progressEvery = Math.Max(1, total / 100);
        var sampled = new List<Srm0Spike>();
        int sample = Math.Min(options.SpikeSample, n);

        for (int t = 0; t < total; t++)
        {
            ulong step = (ulong)t;
            void Item(int item)
            {
                int chunk = item % chunks;
                int layer = item / chunks % layers;
                var state = states[item / (chunks * layers)];
                var z = layer == 0 ? input : state.Latents[layer];
                state.Process(layer, chunk * ChunkSize, Math.Min(n, (chunk + 1) * ChunkSize), z, step, partial.AsSpan(item * k, k), out partialCount[item]);
            }

            if (threads == 1 || items == 1)
            {
                for (int item = 0; item < items; item++)
                {
                    Item(item);
                }
            }
            else
            {
                Parallel.For(0, items, parallel, Item);
            }

            bool record = t >= warm;
            for (int s = 0; s < states.Length; s++)
            {
                var state = states[s];
                if (record && sample > 0)
                {
                    state.CollectSpikes(sample, t - warm, sampled);
                }

                if (record)
                {
                    var y = outputs[state.Kind];
                    var zOut = state.Latents[layers];
                    for (int q = 0; q < k; q++)
                    {
                        y[q][t - warm] = zOut[q];
                    }
                }

                for (int layer = 0; layer < layers; layer++)
                {
                    Array.Clear(decoded);
                    double count = 0;
                    int first = ((s * layers) + layer) * chunks;
                    for (int c = 0; c < chunks; c++)
                    {
                        var part = partial.AsSpan((first + c) * k, k);
                        for (int q = 0; q < k; q++)
                        {
                            decoded[q] += part[q];
                        }

                        count += partialCount[first + c];
                    }

                    if (record)
                    {
                        rateSums[state.Kind][layer] += count;
                    }

                    var next = state.Latents[layer + 1];
                    for (int q = 0; q < k; q++)
                    {
                        next[q] = (lambda * next[q]) + (decodeFactor * decoded[q]);
                    }
                }
            }

            for (int q = 0; q < k; q++)
            {
                input[q] = (lambda * input[q]) + (noiseAmplitude * CounterRandom.Normal(noiseKeys[q], step + 1));
            }

            if (progress is not null && (t + 1) % progressEvery == 0)
            {
                progress.Report((t + 1) / (double)total);
            }
        }

        var rates = rateSums.ToDictionary(kv => kv.Key, kv => kv.Value.Select(sum => sum / (n * (double)recorded * neuron.Dt)).ToArray());
        progress?.Report(1.0);
        return new MultilayerRun(network, options, recorded, outputs, rates, sampled);
    }

    /// <summary>One network's per-layer neuron state and its latent potentials z^(1..L_h) (index L_h: the output membranes).</summary>
    private sealed class NetworkState
    {
        private readonly MultilayerNetwork _network;
        private readonly SpikingSrm0Population[]? _spiking;
        private readonly AgeDensityPopulation[]? _density;
        private readonly SpikingLifPopulation[]? _lifSpiking;
        private readonly LifAgeDensityPopulation[]? _lifDensity;

        public NetworkState(Srm0Networks kind, MultilayerNetwork network, ulong trial)
        {
            Kind = kind;
            _network = network;
            var p = network.Parameters;
            Latents = Enumerable.Range(0, p.HiddenLayers + 1).Select(_ => new double[p.Latents]).ToArray();
            if (network.Lif is { } lif)
            {
                if (kind == Srm0Networks.Spiking)
                {
                    _lifSpiking = Enumerable.Range(0, p.HiddenLayers).Select(l => new SpikingLifPopulation(lif, p.NeuronsPerLayer, network.Seed, trial, l)).ToArray();
                }
                else if (kind == Srm0Networks.GeneralisedRate)
                {
                    _lifDensity = Enumerable.Range(0, p.HiddenLayers).Select(_ => new LifAgeDensityPopulation(lif, p.NeuronsPerLayer)).ToArray();
                }
            }
            else if (kind == Srm0Networks.Spiking)
            {
                _spiking = Enumerable.Range(0, p.HiddenLayers).Select(l => new SpikingSrm0Population(network.Neuron, p.NeuronsPerLayer, network.Seed, trial, l)).ToArray();
            }
            else if (kind == Srm0Networks.GeneralisedRate)
            {
                _density = Enumerable.Range(0, p.HiddenLayers).Select(_ => new AgeDensityPopulation(network.Neuron, p.NeuronsPerLayer)).ToArray();
            }
        }

        public Srm0Networks Kind { get; }

        /// <summary>Latent potentials entering each layer; entry 0 is unused (layer 1 reads the shared input).</summary>
        public double[][] Latents { get; }

        /// <summary>
        /// Appends the spikes of neurons 0 … <paramref name="sample"/> − 1 of every layer in this step. Read after the
        /// parallel step from the ages (age index 0 means "spiked this step"), so recording needs no locks.
        /// </summary>
        public void CollectSpikes(int sample, int step, List<Srm0Spike> into)
        {
            int layers = _spiking?.Length ?? _lifSpiking?.Length ?? 0;
            for (int layer = 0; layer < layers; layer++)
            {
                for (int i = 0; i < sample; i++)
                {
                    if ((_spiking?[layer].AgeIndex(i) ?? _lifSpiking![layer].AgeIndex(i)) == 0)
                    {
                        into.Add(new Srm0Spike(layer, i, step));
                    }
                }
            }
        }

        /// <summary>Steps neurons [from, to) of one layer; sums E_j·s_j into <paramref name="sum"/> and Σ s_j into <paramref name="count"/>.</summary>
        public void Process(int layer, int from, int to, double[] z, ulong step, Span<double> sum, out double count)
        {
            var e = _network.Encoder(layer);
            int k = z.Length;
            double bias = _network.Parameters.Bias;

            // Heterogeneous neurons see γ_i·h − δϑ_i (empty spans: identical neurons, h unchanged).
            var gains = _network.InputGains(layer);
            var offsets = _network.InputOffsets(layer);
            bool heterogeneous = gains.Length > 0;
            sum.Clear();
            count = 0;
            for (int i = from; i < to; i++)
            {
                var row = e.Slice(i * k, k);
                double h = bias;
                for (int q = 0; q < k; q++)
                {
                    h += row[q] * z[q];
                }

                if (heterogeneous)
                {
                    h = (gains[i] * h) - offsets[i];
                }

                double s;
                if (_lifSpiking is not null)
                {
                    if (!_lifSpiking[layer].Step(i, h, step))
                    {
                        continue;
                    }

                    s = 1;
                }
                else if (_lifDensity is not null)
                {
                    s = _lifDensity[layer].Step(i, h);
                }
                else if (_spiking is not null)
                {
                    if (!_spiking[layer].Step(i, h, step))
                    {
                        continue;
                    }

                    s = 1;
                }
                else if (_density is not null)
                {
                    s = _density[layer].Step(i, h);
                }
                else
                {
                    s = _network.Gain.Evaluate(h) * _network.Neuron.Dt;
                }

                count += s;
                for (int q = 0; q < k; q++)
                {
                    sum[q] += s * row[q];
                }
            }
        }
    }
}
