using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LatentSpikes.Model;
using LatentSpikes.Randomness;
using LatentSpikes.Simulation;

namespace LatentSpikes.Bench;

/// <summary>
/// The authors' dense-matrix algorithm (seed 002 App. G, as their published simulation code applies it),
/// re-implemented as a benchmark baseline and never part of the library: it materialises the full weight matrix
/// W = E·D with diagonal E_i·D_i − μ_i, one block per (postsynaptic, presynaptic) population pair, and each step
/// adds the column W[:, j] of last step's spiker j to every voltage. Everything else — Euler leak and drive, white
/// noise, the one-spike rule with inhibition first, the optional clip — uses the same kernels and random streams as
/// <see cref="ClockDrivenEngine"/>, so the benchmark isolates the one difference (an N×N matrix instead of O(N·K)
/// latents) and the baseline reproduces the engine's spikes exactly (tested).
/// </summary>
/// <remarks>
/// The authors' code writes the recurrence as W·g with g the one-hot spike vector of the previous step; adding the
/// spiker's column is the same sum without the N² multiplications by zero, i.e. a fair, efficient dense baseline.
/// Columns are stored contiguously so that the add streams memory. Single-threaded, like their code; no runaway
/// detection (the benchmark workloads are stable).
/// </remarks>
internal sealed class DenseBaseline : IEngine
{
    /// <summary>
    /// Largest network the baseline accepts: N×N doubles at N = 20,000 are 3.2 GB, a good part of this machine's memory.
    /// </summary>
    public const int MaxNeurons = 20_000;

    /// <inheritdoc />
    public string Name => "dense";

    /// <inheritdoc />
    public SimulationResult Run(Experiment experiment, IProgress<double>? progress = null, CancellationToken cancellationToken = default) =>
        Build(experiment).Run(cancellationToken);

    /// <summary>Materialises the weight blocks (the O(N²) set-up cost, timed separately by the benchmark).</summary>
    public static DenseNetwork Build(Experiment experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        int n = experiment.Network.NeuronCount;
        if (n > MaxNeurons)
        {
            throw new ArgumentException($"the dense baseline holds N×N weights and stops at N = {MaxNeurons:N0} ({MaxNeurons}² doubles = 3.2 GB); got N = {n:N0}");
        }

        return new DenseNetwork(experiment);
    }

    /// <summary>A network with its dense weights built, ready to run (any number of times).</summary>
    internal sealed class DenseNetwork
    {
        private readonly CompiledNetwork _net;
        private readonly Experiment _exp;

        /// <summary>W[post, pre] as one block per population pair, column-major: column j (local) at [j·N_post, (j+1)·N_post).</summary>
        private readonly double[][][] _blocks;

        public DenseNetwork(Experiment experiment)
        {
            _exp = experiment;
            _net = new CompiledNetwork(experiment.Network);
            int p = _net.PopulationOffsets.Length - 1;
            int k = _net.K;
            _blocks = new double[p][][];
            for (int post = 0; post < p; post++)
            {
                int postOff = _net.PopulationOffsets[post];
                int postN = _net.PopulationOffsets[post + 1] - postOff;
                _blocks[post] = new double[p][];
                for (int pre = 0; pre < p; pre++)
                {
                    int preOff = _net.PopulationOffsets[pre];
                    int preN = _net.PopulationOffsets[pre + 1] - preOff;
                    var block = new double[(long)postN * preN];
                    int[] latents = _net.LatentsOfPopulation[pre];
                    for (int j = 0; j < preN; j++)
                    {
                        int gj = preOff + j;
                        var column = block.AsSpan(j * postN, postN);
                        for (int i = 0; i < postN; i++)
                        {
                            // W_ij = Σ_k E_ik·D_kj over the latents j's spikes move (the product in the engine's order).
                            double w = 0;
                            foreach (int l in latents)
                            {
                                w += _net.DecoderRows[(gj * k) + l] * _net.EncoderColumns[l][postOff + i];
                            }

                            column[i] = w;
                        }

                        if (post == pre)
                        {
                            column[j] -= _net.Mu[gj];
                        }
                    }

                    _blocks[post][pre] = block;
                }
            }
        }

        /// <summary>Bytes held by the weight blocks.</summary>
        public long WeightBytes => _blocks.Sum(row => row.Sum(b => (long)b.Length * sizeof(double)));

        /// <summary>Simulates one trial (trial 0 of the experiment's seed, as <see cref="ClockDrivenEngine"/> does by default).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public SimulationResult Run(CancellationToken cancellationToken = default)
        {
            var s = _exp.Settings;
            var net = _net;
            int n = net.N;
            int m = net.M;
            int k = net.K;
            int p = net.PopulationOffsets.Length - 1;
            double dt = s.Dt;
            double decay = Math.Exp(-dt);
            long steps = s.StepCount;
            var keys = new ulong[n];
            for (int i = 0; i < n; i++)
            {
                keys[i] = CounterRandom.StreamKey(s.Seed, 0, CounterRandom.NeuronNoiseDomain, (ulong)i);
            }

            var noiseScale = new double[p];
            for (int pi = 0; pi < p; pi++)
            {
                noiseScale[pi] = net.Network.Populations[pi].NoiseSigma * Math.Sqrt(2 * dt);
            }

            var inputs = _exp.Inputs.Select((sig, d) => sig.Start(dt, CounterRandom.StreamKey(s.Seed, 0, CounterRandom.InputDomain, (ulong)d))).ToArray();
            var injections = _exp.Injections.Select(j => (Population: _exp.Network.PopulationIndex(j.Population), j.Amplitude, j.Start, j.Stop)).ToArray();
            var injection = new double[p];
            var xPrev = new double[m];
            var xNow = new double[m];
            var drive = new double[m];
            var y = new double[k];
            var v = new double[n];
            for (int d = 0; d < m; d++)
            {
                xNow[d] = inputs[d].At(0);
            }

            foreach (var (latent, value) in _exp.InitialLatents)
            {
                y[_exp.Network.LatentIndex(latent)] = value;
            }

            for (int i = 0; i < n; i++)
            {
                double vi = net.Bias[i];
                for (int d = 0; d < m; d++)
                {
                    vi += net.Feedforward[(i * m) + d] * xNow[d];
                }

                for (int l = 0; l < k; l++)
                {
                    vi += net.EncoderColumns[l][i] * y[l];
                }

                v[i] = vi;
            }

            var times = new List<double>();
            var xs = new List<double>();
            var ys = new List<double>();
            var spikes = new List<Spike>();
            var counts = _exp.Network.Populations.Select(pop => new int[pop.Size]).ToArray();
            times.Add(0);
            xs.AddRange(xNow);
            ys.AddRange(y);
            int lastSpiker = -1;
            int untilRecord = s.RecordEvery;
            for (long step = 1; step <= steps; step++)
            {
                if ((step & 1023) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                Array.Copy(xNow, xPrev, m);
                for (int d = 0; d < m; d++)
                {
                    xNow[d] = inputs[d].At(step);
                    drive[d] = ((xNow[d] - xPrev[d]) / dt) + xPrev[d];
                }

                double tPrev = (step - 1) * dt;
                Array.Clear(injection);
                foreach (var (pop, amplitude, start, stop) in injections)
                {
                    if (tPrev >= start && tPrev < stop)
                    {
                        injection[pop] += amplitude;
                    }
                }

                int prePop = lastSpiker >= 0 ? net.PopulationOfNeuron[lastSpiker] : -1;
                int preLocal = lastSpiker >= 0 ? lastSpiker - net.PopulationOffsets[prePop] : -1;
                int spiker = -1;
                int spikerClass = int.MaxValue;
                double best = double.NegativeInfinity;
                for (int pi = 0; pi < p; pi++)
                {
                    int a = net.PopulationOffsets[pi];
                    int len = net.PopulationOffsets[pi + 1] - a;
                    var seg = v.AsSpan(a, len);
                    NeuronKernels.Leak(seg, net.Bias.AsSpan(a, len), net.FeedforwardColumns, a, drive, injection[pi], dt);
                    if (lastSpiker >= 0)
                    {
                        AddColumn(seg, _blocks[pi][prePop].AsSpan(preLocal * len, len));
                    }

                    if (noiseScale[pi] > 0)
                    {
                        NeuronKernels.AddNoise(seg, keys, a, (ulong)step, noiseScale[pi], s.NoiseStream);
                    }

                    // One spike per step: the lowest priority class (inhibition) above threshold wins, then the largest V.
                    var (value, at) = NeuronKernels.ArgMax(seg);
                    int cls = net.Priority[pi];
                    if (value >= 1.0 && (cls < spikerClass || (cls == spikerClass && value > best)))
                    {
                        spikerClass = cls;
                        best = value;
                        spiker = a + at;
                    }
                }

                for (int l = 0; l < k; l++)
                {
                    y[l] *= decay;
                }

                if (spiker >= 0)
                {
                    if (_exp.ClipsAtSpike)
                    {
                        v[spiker] = 1.0;
                    }

                    int pi = net.PopulationOfNeuron[spiker];
                    int local = spiker - net.PopulationOffsets[pi];
                    spikes.Add(new Spike(step, step * dt, pi, local));
                    counts[pi][local]++;
                    foreach (int l in net.LatentsOfPopulation[pi])
                    {
                        y[l] += net.DecoderRows[(spiker * k) + l];
                    }
                }

                lastSpiker = spiker;
                if (--untilRecord == 0)
                {
                    times.Add(step * dt);
                    xs.AddRange(xNow);
                    ys.AddRange(y);
                    untilRecord = s.RecordEvery;
                }
            }

            return new SimulationResult(_exp, "dense", steps, times.ToArray(), xs.ToArray(), ys.ToArray(), spikes, counts, SimulationStatus.Completed, "completed");
        }

        /// <summary>V += W[:, j]: the dense recurrent input of one spike.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void AddColumn(Span<double> v, ReadOnlySpan<double> column)
        {
            int n = v.Length;
            int i = 0;
            ref double vr = ref MemoryMarshal.GetReference(v);
            ref double cr = ref MemoryMarshal.GetReference(column);
            if (Vector.IsHardwareAccelerated)
            {
                for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
                {
                    (Vector.LoadUnsafe(ref vr, (nuint)i) + Vector.LoadUnsafe(ref cr, (nuint)i)).StoreUnsafe(ref vr, (nuint)i);
                }
            }

            for (; i < n; i++)
            {
                v[i] += column[i];
            }
        }
    }
}
