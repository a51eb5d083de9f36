using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Randomness;

namespace LatentSpikes.Simulation;

/// <summary>
/// The reference clock-driven engine. With delta synapses it follows the paper's semantics (seed 002, §2 and App. G):
/// Euler-Maruyama voltages in units of τ, feedforward drive c_t = (x_t − x_{t−1})/dt + x_{t−1}, white current noise
/// of std σ·√(2·dt) per step, recurrent input through the latents (a spike of neuron j moves V_i by Σ_k E_ik·D_kj one
/// step later, O(N·K)), the self-reset E_i·D_i − μ delivered with the same next update (as W_ii in the authors'
/// code, before the next spike is chosen, so the spiker cannot fire twice in a row), and at most one spike per step: the neuron
/// furthest above the normalised threshold 1 fires, inhibitory populations before all others.
/// Latent readouts are the exact exponential filter of the spike trains, y_t = y_{t−1}·e^{−dt} + Σ D·s_t.
/// With slow synapses (square or exponential kernels, §4.1), every neuron at or above threshold fires in a step,
/// the synaptic current enters through the latents and self-resets stay immediate (see <see cref="Transmission"/>);
/// absolute refractory periods and transmission delays apply with any kernel. A network that uses none of these runs
/// the delta path, whose arithmetic is unchanged by them.
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

    /// <summary>Runs delta networks through the general (slow-synapse) path too; tests compare the two paths.</summary>
    internal bool ForceGeneralPath { get; init; }

    /// <summary>Records buffered before they go to a sink; tests make it tiny to exercise the chunk boundaries.</summary>
    internal int RecordChunk { get; init; } = RecordingReplay.RecordChunk;

    /// <summary>Spikes buffered before they go to a sink.</summary>
    internal int SpikeChunk { get; init; } = RecordingReplay.SpikeChunk;

    /// <inheritdoc />
    public SimulationResult Run(Experiment experiment, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        using var state = new ClockRun(new CompiledNetwork(experiment.Network), experiment, Threads, Trial, ForceGeneralPath, null, 0, 0);
        return state.Execute(progress, cancellationToken);
    }

    /// <summary>
    /// Simulates one trial and streams every record and spike to <paramref name="sink"/> in chunks as the run goes, so
    /// memory stays bounded however long the run is. The data are exactly those <see cref="Run(Experiment, IProgress{double}?, CancellationToken)"/>
    /// would return; the returned result is <see cref="SimulationResult.Streamed"/> and holds only counts and status.
    /// </summary>
    public SimulationResult Run(Experiment experiment, IRecordingSink sink, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(sink);
        using var state = new ClockRun(new CompiledNetwork(experiment.Network), experiment, Threads, Trial, ForceGeneralPath, sink, Math.Max(1, RecordChunk), Math.Max(1, SpikeChunk));
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
        private readonly InjectionSchedule _injections;
        private readonly double[] _jump;
        private readonly int[] _jumpLatents;
        private readonly double[][] _jumpEncoders;
        private readonly (int Lo, int Hi)[] _chunks;
        private readonly double[][] _bestValue;
        private readonly int[][] _bestIndex;
        private readonly StepWorkers? _workers;
        private readonly Transmission? _transmission;
        private readonly bool _multiSpike;
        private readonly long[] _refractorySteps;
        private readonly long[]? _nextAllowed;
        private readonly List<int>[] _chunkSpikers;
        private readonly RunRecorder _recorder;
        private List<int> _spikers = [];
        private List<int> _lastSpikers = [];
        private int _jumpCount;
        private int _lastSpiker = -1;
        private long _step;

        public ClockRun(CompiledNetwork net, Experiment exp, int threads, ulong trial, bool forceGeneral, IRecordingSink? sink, int recordChunk, int spikeChunk)
        {
            _net = net;
            // Without a sink the recorder flushes nothing: its thresholds are never reached and the step loop is unchanged.
            _recorder = new RunRecorder(exp, sink, recordChunk, spikeChunk);
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
            _injections = new InjectionSchedule(exp);
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

            // A neuron that spiked in step n may spike again from step n + ⌈t_ref/dt⌉ on, so no interval is shorter
            // than t_ref (the tolerance absorbs t_ref/dt = 2.0000000000000004); 0 or 1 step is no constraint.
            var pops = net.Network.Populations;
            _refractorySteps = pops.Select(p => p.RefractoryPeriod > 0 ? (long)Math.Ceiling((p.RefractoryPeriod / s.Dt) - 1e-9) : 0L).ToArray();
            bool refractory = _refractorySteps.Any(r => r > 1);
            bool delayed = net.Network.Delays.Any(d => Experiment.DelaySteps(d.Delay, s.Dt) > 0);
            _multiSpike = pops.Any(p => !p.Synapse.IsDelta);
            _chunkSpikers = Enumerable.Range(0, chunkCount).Select(_ => new List<int>()).ToArray();
            if (forceGeneral || _multiSpike || refractory || delayed)
            {
                _transmission = new Transmission(net, net.Network, s.Dt, s.StepCount);
                _nextAllowed = refractory ? new long[n] : null;
            }

            _workers = chunkCount > 1 ? new StepWorkers(chunkCount, _transmission is null ? UpdateRange : UpdateRangeGeneral) : null;
            Initialise();
        }

        public void Dispose() => _workers?.Dispose();

        /// <summary>Runs every step. The delta path keeps its own loop, so its code is exactly what it was before slow synapses.</summary>
        public SimulationResult Execute(IProgress<double>? progress, CancellationToken ct) =>
            _transmission is null ? ExecuteDelta(progress, ct) : ExecuteGeneral(progress, ct);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private SimulationResult ExecuteDelta(IProgress<double>? progress, CancellationToken ct)
        {
            var s = _exp.Settings;
            long steps = s.StepCount;
            int k = _net.K;
            var recorder = _recorder;
            Record();

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

                    // NaN and ∞ persist once in a voltage or latent, so a look every 1024 steps catches them.
                    if (NonFiniteState() is string bad)
                    {
                        status = SimulationStatus.NonFinite;
                        detail = bad;
                        _step--;
                        break;
                    }
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
                    recorder.Spike(_step, _step * _dt, pi, local);

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
                    Record();
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

            if (status == SimulationStatus.Completed && NonFiniteState() is string late)
            {
                status = SimulationStatus.NonFinite;
                detail = late;
            }

            long simulated = Math.Min(_step, steps);
            progress?.Report(1.0);
            return recorder.Finish("clock", simulated, status, detail);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private SimulationResult ExecuteGeneral(IProgress<double>? progress, CancellationToken ct)
        {
            var s = _exp.Settings;
            var transmission = _transmission!;
            long steps = s.StepCount;
            int k = _net.K;
            var recorder = _recorder;
            Record();

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

                    // NaN and ∞ persist once in a voltage or latent, so a look every 1024 steps catches them.
                    if (NonFiniteState() is string bad)
                    {
                        status = SimulationStatus.NonFinite;
                        detail = bad;
                        _step--;
                        break;
                    }
                }

                int spiker = AdvanceGeneral();
                for (int l = 0; l < k; l++)
                {
                    _y[l] *= _decay;
                }

                bool inhibited = false;
                foreach (int g in _spikers)
                {
                    int pi = _net.PopulationOfNeuron[g];
                    int local = g - _net.PopulationOffsets[pi];
                    recorder.Spike(_step, _step * _dt, pi, local);

                    inhibited |= _net.Priority[pi] == 0;
                    if (_nextAllowed is not null)
                    {
                        _nextAllowed[g] = _step + _refractorySteps[pi];
                    }
                }

                transmission.EndStep(_step, _spikers, _y);
                consecutive = spiker < 0 || inhibited ? 0 : consecutive + 1;
                if (--untilRecord == 0)
                {
                    Record();
                    untilRecord = s.RecordEvery;
                }

                // Slow currents keep moving the latents after a spike, but a runaway keeps spiking: check in steps with spikes.
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

            if (status == SimulationStatus.Completed && NonFiniteState() is string late)
            {
                status = SimulationStatus.NonFinite;
                detail = late;
            }

            long simulated = Math.Min(_step, steps);
            progress?.Report(1.0);
            return recorder.Finish("clock", simulated, status, detail);
        }

        private string? CheckRunaway(long consecutive, long runawaySteps, int spiker)
        {
            double t = _step * _dt;
            if (consecutive >= runawaySteps)
            {
                string pop = _exp.Network.Populations[_net.PopulationOfNeuron[spiker]].Name;
                return $"activity ran away at t = {t:0.###} τ: population '{pop}' fired in every time step for {_exp.Settings.RunawayWindow:0.###} τ " +
                       $"with no inhibitory spike in between ({(_multiSpike ? string.Empty : "the one-spike-per-step ceiling; ")}{LatentSummary()}). An unstable (excitatory) boundary explodes on its own (seed 002 §2.5); " +
                       "stabilise it with inhibition or a soft refractory cost mu";
            }

            return FiniteGuard.LatentRunaway(t, _y, _exp);
        }

        /// <summary>The first voltage or latent that is NaN or ±∞, described for the run's status, or null.</summary>
        private string? NonFiniteState()
        {
            double t = (_step - 1) * _dt;
            int i = FiniteGuard.FirstNonFinite(_v);
            if (i >= 0)
            {
                int pi = _net.PopulationOfNeuron[i];
                return FiniteGuard.Describe(t, $"the voltage of neuron {i - _net.PopulationOffsets[pi]} of population '{_exp.Network.Populations[pi].Name}'", _v[i]);
            }

            int l = FiniteGuard.FirstNonFinite(_y);
            return l >= 0 ? FiniteGuard.Describe(t, $"latent {_exp.Network.Latents[l].Name}", _y[l]) : null;
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
            if (_exp.Settings.VoltageStart == VoltageStart.Zero)
            {
                Array.Clear(_v);
                return;
            }

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
            _injections.LevelsAt(tPrev, _injection);

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

            if (spiker >= 0 && _exp.ClipsAtSpike)
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
                    _noiseKeys, (ulong)_step, _noiseScale[pi], _exp.Settings.NoiseStream);
                int cls = _net.Priority[pi];
                if (best > bestValue[cls])
                {
                    bestValue[cls] = best;
                    bestIndex[cls] = a + at;
                }
            }
        }

        /// <summary>
        /// One grid step of the general path (slow synapses, refractory periods, delays): update every voltage, then
        /// choose the spikers into <see cref="_spikers"/> in index order. Returns the last spiker, or −1.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int AdvanceGeneral()
        {
            Array.Copy(_xNow, _xPrev, _xNow.Length);
            for (int d = 0; d < _net.M; d++)
            {
                _xNow[d] = _inputs[d].At(_step);
                _drive[d] = ((_xNow[d] - _xPrev[d]) / _dt) + _xPrev[d];
            }

            double tPrev = (_step - 1) * _dt;
            _injections.LevelsAt(tPrev, _injection);

            (_lastSpikers, _spikers) = (_spikers, _lastSpikers);
            _transmission!.BeginStep(_step, _lastSpikers);
            if (_workers is null)
            {
                UpdateRangeGeneral(0);
            }
            else
            {
                _workers.RunStep();
            }

            _spikers.Clear();
            if (_multiSpike)
            {
                // Slow synapses: every neuron at or above threshold fires; chunks are contiguous, so index order holds.
                foreach (var chunkSpikers in _chunkSpikers)
                {
                    _spikers.AddRange(chunkSpikers);
                }
            }
            else
            {
                // Delta synapses: the one-spike rule as in Advance, among neurons that are not refractory.
                foreach (int cls in _net.PriorityClasses)
                {
                    double best = double.NegativeInfinity;
                    int spiker = -1;
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
                        _spikers.Add(spiker);
                        break;
                    }
                }
            }

            if (_exp.ClipsAtSpike)
            {
                foreach (int g in _spikers)
                {
                    _v[g] = 1.0;
                }
            }

            return _spikers.Count > 0 ? _spikers[^1] : -1;
        }

        /// <summary>
        /// The general path's update of one chunk, per population segment in the fixed order leak and drive, latent
        /// jumps (with their kernels and delays), immediate self-resets, own-stream corrections, noise; then spike
        /// candidates: every eligible neuron at threshold (slow synapses) or the most depolarised eligible one per class.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void UpdateRangeGeneral(int chunk)
        {
            var (lo, hi) = _chunks[chunk];
            var transmission = _transmission!;
            double[] bestValue = _bestValue[chunk];
            int[] bestIndex = _bestIndex[chunk];
            Array.Fill(bestValue, double.NegativeInfinity);
            Array.Fill(bestIndex, -1);
            var spikers = _chunkSpikers[chunk];
            spikers.Clear();
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
                var v = _v.AsSpan(a, len);
                NeuronKernels.Leak(v, _net.Bias.AsSpan(a, len), _net.FeedforwardColumns, a, _drive, _injection[pi], _dt);
                var values = transmission.JumpValues(pi);
                var encoders = transmission.JumpEncoders(pi);
                for (int j = 0; j < values.Length; j++)
                {
                    NeuronKernels.Axpy(v, encoders[j].AsSpan(a, len), values[j]);
                }

                foreach (var (g, amount) in transmission.Resets)
                {
                    if (g >= a && g < b)
                    {
                        _v[g] += amount;
                    }
                }

                transmission.CorrectOwnStream(pi, v, a, b);
                foreach (var (g, amount) in transmission.Tails)
                {
                    if (g >= a && g < b)
                    {
                        _v[g] += amount;
                    }
                }

                if (_noiseScale[pi] > 0)
                {
                    NeuronKernels.AddNoise(v, _noiseKeys, a, (ulong)_step, _noiseScale[pi], _exp.Settings.NoiseStream);
                }

                if (_multiSpike)
                {
                    NeuronKernels.CollectSpikers(v, a, _nextAllowed, _step, spikers);
                    continue;
                }

                var (best, at) = _nextAllowed is not null && _refractorySteps[pi] > 1
                    ? NeuronKernels.ArgMaxEligible(v, a, _nextAllowed, _step)
                    : NeuronKernels.ArgMax(v);
                int cls = _net.Priority[pi];
                if (at >= 0 && best > bestValue[cls])
                {
                    bestValue[cls] = best;
                    bestIndex[cls] = a + at;
                }
            }
        }

        private void Record() => _recorder.Record(_step * _dt, _xNow, _y);
    }
}
