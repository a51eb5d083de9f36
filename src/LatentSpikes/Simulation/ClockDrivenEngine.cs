using System.Runtime.CompilerServices;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Randomness;

namespace LatentSpikes.Simulation;

/// <summary>
/// The reference clock-driven engine with the paper's delta-synapse semantics (seed 002, §2 and App. G):
/// Euler-Maruyama voltages in units of τ, feedforward drive c_t = (x_t − x_{t−1})/dt + x_{t−1}, white current noise
/// of std σ·√(2·dt) per step, recurrent input through the latents (a spike of neuron j moves V_i by Σ_k E_ik·D_kj one
/// step later, O(N·K)), the self-reset E_i·D_i − μ delivered with the same next update (as W_ii in the authors'
/// code, before the next spike is chosen, so the spiker cannot fire twice in a row), and at most one spike per step: the neuron
/// furthest above the normalised threshold 1 fires, inhibitory populations before all others.
/// Latent readouts are the exact exponential filter of the spike trains, y_t = y_{t−1}·e^{−dt} + Σ D·s_t.
/// </summary>
public sealed class ClockDrivenEngine : IEngine
{
    /// <summary>Networks at least this large are updated in parallel chunks.</summary>
    public const int ParallelThreshold = 16_384;

    /// <summary>Creates the engine.</summary>
    /// <param name="threads">Worker threads for large networks; 0 uses every core. Results do not depend on it.</param>
    /// <param name="trial">Trial index: keys the random streams, so trial r equals trial r of a batch.</param>
    public ClockDrivenEngine(int threads = 0, ulong trial = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        Trial = trial;
    }

    /// <summary>Worker threads used for large networks.</summary>
    public int Threads { get; }

    /// <summary>Trial index keying the random streams.</summary>
    public ulong Trial { get; }

    /// <inheritdoc />
    public string Name => "clock";

    /// <inheritdoc />
    public SimulationResult Run(Experiment experiment, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        using var state = new ClockRun(new CompiledNetwork(experiment.Network), experiment, Threads, Trial);
        return state.Execute(progress, cancellationToken);
    }

    /// <summary>All state of one run; the per-step work is <see cref="UpdateRange"/>, a pure function of it.</summary>
    private sealed class ClockRun : IDisposable
    {
        private readonly CompiledNetwork _net;
        private readonly Experiment _exp;
        private readonly double _dt;
        private readonly double _decay;
        private readonly ulong[] _noiseKeys;
        private readonly double[] _noiseScale;
        private readonly SignalSampler[] _inputs;
        private readonly double[] _v;
        private readonly double[] _y;
        private readonly double[] _xPrev;
        private readonly double[] _xNow;
        private readonly double[] _drive;
        private readonly double[] _injection;
        private readonly (int Population, double Amplitude, double Start, double Stop)[] _injections;
        private readonly double[] _jump;
        private readonly int[] _jumpLatents;
        private readonly double[][] _jumpEncoders;
        private readonly (int Lo, int Hi)[] _chunks;
        private readonly double[][] _bestValue;
        private readonly int[][] _bestIndex;
        private readonly StepWorkers? _workers;
        private int _jumpCount;
        private int _lastSpiker = -1;
        private long _step;

        public ClockRun(CompiledNetwork net, Experiment exp, int threads, ulong trial)
        {
            _net = net;
            _exp = exp;
            var s = exp.Settings;
            _dt = s.Dt;
            _decay = Math.Exp(-s.Dt);
            int n = net.N;
            _noiseKeys = new ulong[n];
            _noiseScale = new double[net.Network.Populations.Count];
            for (int pi = 0; pi < _noiseScale.Length; pi++)
            {
                _noiseScale[pi] = net.Network.Populations[pi].NoiseSigma * Math.Sqrt(2 * s.Dt);
            }

            for (int i = 0; i < n; i++)
            {
                _noiseKeys[i] = CounterRandom.StreamKey(s.Seed, trial, CounterRandom.NeuronNoiseDomain, (ulong)i);
            }

            _inputs = exp.Inputs
                .Select((sig, m) => sig.Start(s.Dt, CounterRandom.StreamKey(s.Seed, trial, CounterRandom.InputDomain, (ulong)m)))
                .ToArray();
            _v = new double[n];
            _y = new double[net.K];
            _xPrev = new double[net.M];
            _xNow = new double[net.M];
            _drive = new double[net.M];
            _injection = new double[_noiseScale.Length];
            _injections = exp.Injections.Select(j => (exp.Network.PopulationIndex(j.Population), j.Amplitude, j.Start, j.Stop)).ToArray();
            _jump = new double[net.K];
            _jumpLatents = new int[net.K];
            _jumpEncoders = new double[net.K][];

            int chunkCount = n >= ParallelThreshold ? Math.Max(1, threads) : 1;
            _chunks = new (int, int)[chunkCount];
            for (int c = 0; c < chunkCount; c++)
            {
                _chunks[c] = ((int)((long)n * c / chunkCount), (int)((long)n * (c + 1) / chunkCount));
            }

            int classes = net.PriorityClasses.Max() + 1;
            _bestValue = new double[chunkCount][];
            _bestIndex = new int[chunkCount][];
            for (int c = 0; c < chunkCount; c++)
            {
                _bestValue[c] = new double[classes];
                _bestIndex[c] = new int[classes];
            }

            _workers = chunkCount > 1 ? new StepWorkers(chunkCount, UpdateRange) : null;
            Initialise();
        }

        public void Dispose() => _workers?.Dispose();

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public SimulationResult Execute(IProgress<double>? progress, CancellationToken ct)
        {
            var s = _exp.Settings;
            long steps = s.StepCount;
            int k = _net.K;
            int m = _net.M;
            long records = (steps / s.RecordEvery) + 1;
            var times = new List<double>((int)Math.Min(records, 1 << 20));
            var xs = new List<double>((int)Math.Min(records * m, 1 << 20));
            var ys = new List<double>((int)Math.Min(records * k, 1 << 20));
            var spikes = new List<Spike>();
            var counts = _exp.Network.Populations.Select(p => new int[p.Size]).ToArray();
            Record(times, xs, ys);

            long runawaySteps = s.RunawayWindow > 0 ? Math.Max(1, (long)Math.Ceiling(s.RunawayWindow / s.Dt)) : long.MaxValue;
            long consecutive = 0;
            long reportEvery = Math.Max(1, steps / 200);
            var status = SimulationStatus.Completed;
            string detail = "completed";
            int untilRecord = s.RecordEvery;
            for (_step = 1; _step <= steps; _step++)
            {
                if ((_step & 1023) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                int spiker = Advance();
                for (int l = 0; l < k; l++)
                {
                    _y[l] *= _decay;
                }

                if (spiker >= 0)
                {
                    int pi = _net.PopulationOfNeuron[spiker];
                    int local = spiker - _net.PopulationOffsets[pi];
                    spikes.Add(new Spike(_step, _step * _dt, pi, local));
                    counts[pi][local]++;
                    foreach (int l in _net.LatentsOfPopulation[pi])
                    {
                        _y[l] += _net.DecoderRows[(spiker * k) + l];
                    }

                    // Only unchecked excitation runs away: an inhibitory spike in between is the E-I loop working.
                    consecutive = _net.Priority[pi] == 0 ? 0 : consecutive + 1;
                }
                else
                {
                    consecutive = 0;
                }

                if (--untilRecord == 0)
                {
                    Record(times, xs, ys);
                    untilRecord = s.RecordEvery;
                }

                // Latents only grow through spikes, so runaway can only start in a step with a spike.
                string? runaway = spiker >= 0 ? CheckRunaway(consecutive, runawaySteps, spiker) : null;
                if (runaway is not null)
                {
                    status = SimulationStatus.Exploded;
                    detail = runaway;
                    break;
                }

                if (progress is not null && _step % reportEvery == 0)
                {
                    progress.Report((double)_step / steps);
                }
            }

            long simulated = Math.Min(_step, steps);
            progress?.Report(1.0);
            return new SimulationResult(_exp, "clock", simulated, times.ToArray(), xs.ToArray(), ys.ToArray(), spikes, counts, status, detail);
        }

        private string? CheckRunaway(long consecutive, long runawaySteps, int spiker)
        {
            double t = _step * _dt;
            if (consecutive >= runawaySteps)
            {
                string pop = _exp.Network.Populations[_net.PopulationOfNeuron[spiker]].Name;
                return $"activity ran away at t = {t:0.###} τ: population '{pop}' fired in every time step for {_exp.Settings.RunawayWindow:0.###} τ " +
                       $"with no inhibitory spike in between (the one-spike-per-step ceiling; {LatentSummary()}). An unstable (excitatory) boundary explodes on its own (seed 002 §2.5); " +
                       "stabilise it with inhibition or a soft refractory cost mu";
            }

            for (int l = 0; l < _y.Length; l++)
            {
                if (!double.IsFinite(_y[l]) || Math.Abs(_y[l]) > _exp.Settings.LatentLimit)
                {
                    return $"activity ran away at t = {t:0.###} τ: latent {_exp.Network.Latents[l].Name} = {_y[l]:G4} exceeds the limit {_exp.Settings.LatentLimit:G4}";
                }
            }

            return null;
        }

        private string LatentSummary() =>
            string.Join(", ", _exp.Network.Latents.Select((l, i) => $"{l.Name} = {_y[i]:0.###}"));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Initialise()
        {
            for (int d = 0; d < _net.M; d++)
            {
                _xNow[d] = _inputs[d].At(0);
            }

            foreach (var (latent, value) in _exp.InitialLatents)
            {
                _y[_exp.Network.LatentIndex(latent)] = value;
            }

            // V = F·x(0) + Σ_k E_k·y_k(0) + b: the integrated form, so (x, y) fixes the starting state (eq. 2.10).
            int m = _net.M;
            for (int i = 0; i < _net.N; i++)
            {
                double v = _net.Bias[i];
                for (int d = 0; d < m; d++)
                {
                    v += _net.Feedforward[(i * m) + d] * _xNow[d];
                }

                for (int l = 0; l < _net.K; l++)
                {
                    v += _net.EncoderColumns[l][i] * _y[l];
                }

                _v[i] = v;
            }
        }

        /// <summary>One grid step: update every voltage, then pick at most one spiker. Returns its global index or −1.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int Advance()
        {
            Array.Copy(_xNow, _xPrev, _xNow.Length);
            for (int d = 0; d < _net.M; d++)
            {
                _xNow[d] = _inputs[d].At(_step);
                _drive[d] = ((_xNow[d] - _xPrev[d]) / _dt) + _xPrev[d];
            }

            double tPrev = (_step - 1) * _dt;
            Array.Clear(_injection);
            for (int j = 0; j < _injections.Length; j++)
            {
                var (pop, amplitude, start, stop) = _injections[j];
                if (tPrev >= start && tPrev < stop)
                {
                    _injection[pop] += amplitude;
                }
            }

            // Voltage jumps from last step's spike, through the latents it changed.
            _jumpCount = 0;
            if (_lastSpiker >= 0)
            {
                int k = _net.K;
                foreach (int l in _net.LatentsOfPopulation[_net.PopulationOfNeuron[_lastSpiker]])
                {
                    _jumpLatents[_jumpCount] = l;
                    _jump[_jumpCount] = _net.DecoderRows[(_lastSpiker * k) + l];
                    _jumpEncoders[_jumpCount] = _net.EncoderColumns[l];
                    _jumpCount++;
                }
            }

            if (_workers is null)
            {
                UpdateRange(0);
            }
            else
            {
                _workers.RunStep();
            }

            // Inhibition first; within a class the largest V − 1 wins, ties to the lowest index.
            int spiker = -1;
            foreach (int cls in _net.PriorityClasses)
            {
                double best = double.NegativeInfinity;
                for (int c = 0; c < _chunks.Length; c++)
                {
                    if (_bestValue[c][cls] > best)
                    {
                        best = _bestValue[c][cls];
                        spiker = _bestIndex[c][cls];
                    }
                }

                if (best >= 1.0)
                {
                    break;
                }

                spiker = -1;
            }

            if (spiker >= 0 && _exp.Settings.ClipAtSpike)
            {
                _v[spiker] = 1.0;
            }

            _lastSpiker = spiker;
            return spiker;
        }

        /// <summary>
        /// Updates the neurons of one chunk (leak and drive, last step's latent jumps, the spiker's soft refractory
        /// cost, noise) and finds the chunk's most depolarised neuron per spike-priority class.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void UpdateRange(int chunk)
        {
            var (lo, hi) = _chunks[chunk];
            double[] bestValue = _bestValue[chunk];
            int[] bestIndex = _bestIndex[chunk];
            Array.Fill(bestValue, double.NegativeInfinity);
            Array.Fill(bestIndex, -1);
            int pops = _net.Network.Populations.Count;
            for (int pi = 0; pi < pops; pi++)
            {
                int a = Math.Max(lo, _net.PopulationOffsets[pi]);
                int b = Math.Min(hi, _net.PopulationOffsets[pi + 1]);
                if (a >= b)
                {
                    continue;
                }

                int len = b - a;
                int reset = _lastSpiker >= a && _lastSpiker < b ? _lastSpiker - a : -1;
                var (best, at) = NeuronKernels.StepSegment(
                    _v.AsSpan(a, len), _net.Bias.AsSpan(a, len), _net.FeedforwardColumns, a, _drive, _injection[pi], _dt,
                    _jump.AsSpan(0, _jumpCount), _jumpEncoders.AsSpan(0, _jumpCount), reset, reset >= 0 ? _net.Mu[_lastSpiker] : 0.0,
                    _noiseKeys.AsSpan(a, len), (ulong)_step, _noiseScale[pi]);
                int cls = _net.Priority[pi];
                if (best > bestValue[cls])
                {
                    bestValue[cls] = best;
                    bestIndex[cls] = a + at;
                }
            }
        }

        private void Record(List<double> times, List<double> xs, List<double> ys)
        {
            times.Add(_step * _dt);
            xs.AddRange(_xNow.AsSpan());
            ys.AddRange(_y.AsSpan());
        }
    }
}
