using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Randomness;

namespace LatentSpikes.Simulation;

/// <summary>
/// An event-driven engine for the paper's delta-synapse model (seed 002, §2 and App. G), with spike times as real
/// numbers: no time grid, no one-spike-per-step rule.
/// <para>
/// <b>What is exact.</b> With c = x + dx/dt, the voltage in integrated form is V_i(t) = F_i·x(t) + b_i + A_i(t) +
/// a_i·e^{−(t − t₀)} between events, where A_i is the injected current and the transient coefficient a_i collects
/// the latents Σ_k E_ik·y_k (which decay as e^{−t}), the soft-refractory resets −μ and the relaxation towards an
/// injection. For constant, steps, ramp and piecewise-linear input, F_i·x(t) is linear between input breakpoints,
/// so each neuron's next threshold crossing is the first root of α + β·s + a·e^{−s}; its shape (convex for a &gt; 0,
/// concave for a &lt; 0) gives a bracket on which the root is unique, and safeguarded Newton iteration refines it to
/// about one ulp of the spike time. The neuron's voltage at every record time and the latents are exact too.
/// </para>
/// <para>
/// <b>Sinusoid input.</b> The crossing is approached from below in steps that a bound on |V″| (|a|·e^{−s} plus
/// Σ|F_id·A_d|·ω_d²) proves cannot pass a root, so no crossing is missed however brief; a step ends the search
/// once V is within <see cref="VoltageTolerance"/> of threshold (time error ≤ that tolerance divided by V′ for a
/// transversal crossing; a touch that comes within the tolerance counts as a crossing).
/// </para>
/// <para>
/// <b>Not exact: white/OU input and neuron noise (σ &gt; 0).</b> Stochastic inputs are sampled on the dt grid from
/// the same counter-based streams as <see cref="ClockDrivenEngine"/> and interpolated linearly between grid points
/// (the trajectory the clock engine's drive makes the filtered input follow); membrane noise is applied as a kick
/// σ·√(2·dt)·ξ_i,n at each grid time t_n = n·dt, with the clock engine's draw ξ_i,n. Between grid times the
/// voltage is again exact, so these runs converge to the stochastic model as dt → 0 but are not exact at fixed dt.
/// </para>
/// <para>
/// <b>Simultaneous crossings.</b> Spikes whose times lie within <see cref="TieTolerance"/>·max(1, t) of the earliest
/// are simultaneous. Of those, inhibitory populations fire first; within a class the neuron furthest above threshold
/// (by more than <see cref="VoltageTolerance"/>) fires, else the lowest index. One spike is delivered, its effects
/// applied, and every affected neuron re-evaluated: the others fire at the same instant only if still above threshold.
/// </para>
/// <para>
/// <b>Cost.</b> A spike changes only the latents its population's readouts read, so it costs one pass over the
/// neurons (decay of the transients, one axpy per changed latent, a re-solve of each neuron that listens to a
/// changed latent): O(N·K), never N×N. Input breakpoints and, for noisy runs, every grid time cost one re-solve of
/// every neuron.
/// </para>
/// <para>
/// <b>Runaway.</b> An unstable excitatory boundary explodes (seed 002 §2.5). The run stops as
/// <see cref="SimulationStatus.Exploded"/> when ⌈runaway_window/dt⌉ consecutive non-inhibitory spikes (with no
/// inhibitory spike in between) fall within (⌈runaway_window/dt⌉ − 1)·dt, the clock engine's one-spike-per-step
/// ceiling sustained for the window; when a latent exceeds the latent limit; or, always, when more than
/// max(1000, 10·N) spikes fall within one dt (counted in consecutive windows of length dt, each opened by its first
/// spike), which bounds the work per unit time (a neuron whose self-reset does not take it below threshold would
/// otherwise fire endlessly at one instant).
/// </para>
/// <para>
/// <b>Output.</b> Latents and inputs are recorded at the clock engine's record grid (every record_every·dt) with their
/// exact values there; the record at t = 0 is the initial state, later records include every spike at or before
/// their time. An exploded run ends with one extra record at the instant it was stopped. <see cref="Spike.Step"/>
/// is the grid step n with (n − 1)·dt &lt; t ≤ n·dt (at least 1), where the clock engine would emit it.
/// </para>
/// </summary>
public sealed class EventDrivenEngine : IEngine
{
    /// <summary>Crossings whose times differ by less than this (τ, relative to max(1, t)) are simultaneous.</summary>
    public const double TieTolerance = 1e-12;

    /// <summary>Voltage tolerance of the sinusoid crossing search, and of "further above threshold" in ties.</summary>
    public const double VoltageTolerance = 1e-12;

    /// <summary>Creates the engine.</summary>
    /// <param name="trial">Trial index: keys the random streams as <see cref="ClockDrivenEngine"/> does.</param>
    public EventDrivenEngine(ulong trial = 0) => Trial = trial;

    /// <summary>Trial index keying the random streams.</summary>
    public ulong Trial { get; }

    /// <inheritdoc />
    public string Name => "event";

    /// <summary>Whether this engine can simulate <paramref name="experiment"/>; if not, <paramref name="reason"/> says why in one line.</summary>
    public static bool Supports(Experiment experiment, out string reason)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        for (int m = 0; m < experiment.Inputs.Count; m++)
        {
            var signal = experiment.Inputs[m];
            if (signal is not (ConstantSignal or RampSignal or StepsSignal or PiecewiseLinearSignal or SinusoidSignal or WhiteNoiseSignal or OrnsteinUhlenbeckSignal))
            {
                reason = $"input[{m}] is of kind '{signal.Kind}' ({signal.GetType().Name}), whose threshold crossings the event engine cannot locate " +
                         "(it knows constant, steps, ramp, piecewise_linear, sinusoid, white and ou); use the clock engine";
                return false;
            }
        }

        if (experiment.Settings.VoltageStart != VoltageStart.Integrated)
        {
            reason = "simulation.initial_voltage: the event engine starts from the integrated form V = F·x + E·y + b only; use the clock engine";
            return false;
        }

        // Slow synapses, refractory periods and delays (§4, App. G) are clock-engine features: their currents and
        // dead times are not part of the closed-form voltage between events.
        var network = experiment.Network;
        for (int p = 0; p < network.Populations.Count; p++)
        {
            var pop = network.Populations[p];
            if (!pop.Synapse.IsDelta)
            {
                reason = $"populations[{p}].synapse: population '{pop.Name}' has a slow synapse ({pop.Synapse}); the event engine simulates delta synapses only; use the clock engine";
                return false;
            }

            if (pop.RefractoryPeriod > 0)
            {
                reason = $"populations[{p}].refractory: population '{pop.Name}' has an absolute refractory period, which the event engine does not simulate; use the clock engine";
                return false;
            }
        }

        for (int d = 0; d < network.Delays.Count; d++)
        {
            if (network.Delays[d].Delay > 0)
            {
                reason = $"delays[{d}]: transmission delays are simulated by the clock engine only; use the clock engine";
                return false;
            }
        }

        reason = "";
        return true;
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">The experiment uses a feature this engine cannot simulate (see <see cref="Supports"/>).</exception>
    public SimulationResult Run(Experiment experiment, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        if (!Supports(experiment, out string reason))
        {
            throw new NotSupportedException($"event engine: {reason}");
        }

        return new EventRun(new CompiledNetwork(experiment.Network), experiment, Trial, null).Execute(progress, cancellationToken);
    }

    /// <summary>
    /// Simulates one trial and streams every record and spike to <paramref name="sink"/> in chunks as the run goes
    /// (memory bounded); the data are exactly those <see cref="Run(Experiment, IProgress{double}?, CancellationToken)"/>
    /// would return, and the returned result is <see cref="SimulationResult.Streamed"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The experiment uses a feature this engine cannot simulate (see <see cref="Supports"/>).</exception>
    public SimulationResult Run(Experiment experiment, IRecordingSink sink, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(sink);
        if (!Supports(experiment, out string reason))
        {
            throw new NotSupportedException($"event engine: {reason}");
        }

        return new EventRun(new CompiledNetwork(experiment.Network), experiment, Trial, sink).Execute(progress, cancellationToken);
    }

    /// <summary>
    /// First root in (0, <paramref name="horizon"/>] of h(s) = α + β·s + a·e^{−s}, given h(0) &lt; 0, or +∞.
    /// h″ = a·e^{−s} has one sign, so h is convex or concave and the first crossing lies on a bracket where h
    /// increases; the bracket ends follow from the shape (see the cases).
    /// </summary>
    internal static double ExactCrossing(double alpha, double beta, double a, double horizon, double t)
    {
        const double None = double.PositiveInfinity;
        double lo = 0;
        double hi;
        bool proven = true; // h(hi) ≥ 0 in exact arithmetic
        if (a == 0)
        {
            if (beta <= 0)
            {
                return None;
            }

            double s = -alpha / beta;
            return s <= horizon ? s : None;
        }

        if (a > 0)
        {
            // Convex: h' = β − a·e^{−s} rises to β. Without β > 0 h only falls; otherwise it falls until ln(a/β)
            // and rises after, and h(s) > α + β·s puts the root before −α/β.
            if (beta <= 0)
            {
                return None;
            }

            if (a > beta)
            {
                lo = Math.Log(a / beta);
                if (lo >= horizon)
                {
                    return None;
                }
            }

            hi = -alpha / beta;
        }
        else if (beta >= 0)
        {
            // Concave and rising (h' = β + |a|·e^{−s} > 0). For β > 0, h(s) ≥ α + a + β·s = h(0) + β·s bounds the root
            // by −h(0)/β; for β = 0, h rises to α and crosses at ln(−a/α) if α > 0.
            if (beta == 0)
            {
                if (alpha <= 0)
                {
                    return None;
                }

                // Closed form (constant input, the common case): no refinement, which could only add rounding.
                double s = Math.Log(-a / alpha);
                return s <= horizon ? s : None;
            }
            else
            {
                hi = -(alpha + a) / beta;
            }
        }
        else
        {
            // Concave with β < 0: h rises until its peak at ln(a/β) (if a < β) and falls after; cross before or never.
            if (a >= beta)
            {
                return None;
            }

            double peak = Math.Log(a / beta);
            if (peak < horizon && alpha + (beta * (peak + 1)) < 0)
            {
                return None; // h(peak) = α + β·peak + β
            }

            hi = peak;
            proven = false; // h(peak) ≥ 0 was checked by formula; a touch within rounding may evaluate below 0
        }

        if (!(hi > lo))
        {
            hi = lo;
        }

        if (hi > horizon)
        {
            hi = horizon;
            proven = false;
        }

        return Refine(alpha, beta, a, lo, hi, t, proven, horizon);
    }

    /// <summary>
    /// Newton iteration on a bracket [lo, hi] where h rises, from the end where it converges monotonically (lo if
    /// concave, hi if convex), kept inside the bracket with bisection; returns the first point found with h ≥ 0
    /// once the bracket is about one ulp of the absolute time wide, or +∞ if h(hi) &lt; 0 (no crossing in the bracket;
    /// when <paramref name="proven"/>, h(hi) ≥ 0 holds in exact arithmetic and rounding below 0 is corrected first).
    /// </summary>
    private static double Refine(double alpha, double beta, double a, double lo, double hi, double t, bool proven, double horizon)
    {
        double hHi = alpha + (beta * hi) + (a * Math.Exp(-hi));
        if (hHi < 0 && proven)
        {
            // The bound holds in exact arithmetic, so a negative value is rounding (the margin a·e^{−hi} can be
            // below one ulp of α): move hi up until h is non-negative, never past the segment's end.
            for (double step = 1e-12 * (1 + hi); hHi < 0 && hi < horizon; step *= 2)
            {
                hi = Math.Min(horizon, hi + step);
                hHi = alpha + (beta * hi) + (a * Math.Exp(-hi));
            }
        }

        if (hHi < 0)
        {
            return double.PositiveInfinity;
        }

        double tol = 4e-16 * (Math.Abs(t) + hi + 1);
        double s = a < 0 ? lo : hi;
        double hs = a < 0 ? alpha + (beta * lo) + (a * Math.Exp(-lo)) : hHi;
        for (int it = 0; it < 200 && hi - lo > tol; it++)
        {
            double next = s - (hs / (beta - (a * Math.Exp(-s))));
            if (Math.Abs(next - s) <= tol)
            {
                next = hs < 0 ? s + tol : s - tol; // Newton has converged: close the bracket around it
            }

            if (!(next > lo && next < hi))
            {
                next = lo + (0.5 * (hi - lo));
            }

            s = next;
            hs = alpha + (beta * s) + (a * Math.Exp(-s));
            if (hs >= 0)
            {
                hi = s;
            }
            else
            {
                lo = s;
            }
        }

        return hi;
    }

    /// <summary>All state of one run.</summary>
    private sealed class EventRun
    {
        private const int MaxSafeSteps = 256;

        private readonly CompiledNetwork _net;
        private readonly Experiment _exp;
        private readonly double _dt;
        private readonly double _tEnd;
        private readonly long _steps;
        private readonly int _n;
        private readonly int _m;
        private readonly int _k;
        private readonly InputTrack[] _tracks;
        private readonly int[] _sinDims;
        private readonly bool[] _neuronHasSin;
        private readonly double[] _sinBound;
        private readonly InjectionSchedule _injections;
        private readonly double[] _levels;
        private readonly double[] _noiseScale;
        private readonly ulong[] _noiseKeys;
        private readonly bool _hasGrid;
        private readonly int[][] _listeners;

        // State at time _t: V_i(t) = F_i·x(t) + b_i + A_p(t) + _a[i]; y = _y.
        private readonly double[] _a;
        private readonly double[] _y;
        private readonly double[] _injection;
        private readonly double[] _xNow;
        private readonly double[] _xSeg;
        private readonly double[] _xRecord;
        private readonly double[] _yRecord;
        private readonly RunRecorder _recorder;
        private readonly double[] _slope;
        private readonly double[] _beta;
        private readonly double[] _cross;
        private readonly bool[] _recheck;
        private readonly bool[] _touched;
        private double _t;
        private double _tSeg;
        private double _tBreak;
        private long _gridStep;

        public EventRun(CompiledNetwork net, Experiment exp, ulong trial, IRecordingSink? sink)
        {
            _net = net;
            _exp = exp;
            var s = exp.Settings;
            _dt = s.Dt;
            _steps = s.StepCount;
            _tEnd = _steps * _dt;
            _n = net.N;
            _m = net.M;
            _k = net.K;
            _tracks = exp.Inputs
                .Select((sig, d) => InputTrack.Create(sig, s.Dt, CounterRandom.StreamKey(s.Seed, trial, CounterRandom.InputDomain, (ulong)d))!)
                .ToArray();
            _sinDims = Enumerable.Range(0, _m).Where(d => _tracks[d].IsSinusoid).ToArray();
            _neuronHasSin = new bool[_n];
            _sinBound = new double[_n];
            foreach (int d in _sinDims)
            {
                double curvature = ((InputTrack.SinusoidTrack)_tracks[d]).CurvatureBound;
                for (int i = 0; i < _n; i++)
                {
                    double f = net.Feedforward[(i * _m) + d];
                    _neuronHasSin[i] |= f != 0;
                    _sinBound[i] += Math.Abs(f) * curvature;
                }
            }

            int pops = exp.Network.Populations.Count;
            _injections = new InjectionSchedule(exp);
            _noiseScale = exp.Network.Populations.Select(p => p.NoiseSigma * Math.Sqrt(2 * s.Dt)).ToArray();
            _noiseKeys = new ulong[_n];
            for (int i = 0; i < _n; i++)
            {
                _noiseKeys[i] = CounterRandom.StreamKey(s.Seed, trial, CounterRandom.NeuronNoiseDomain, (ulong)i);
            }

            _hasGrid = _noiseScale.Any(v => v > 0) || exp.Inputs.Any(sig => sig is WhiteNoiseSignal or OrnsteinUhlenbeckSignal);

            // Populations whose neurons listen to each latent: the only ones a change of that latent moves.
            _listeners = new int[_k][];
            for (int l = 0; l < _k; l++)
            {
                string name = exp.Network.Latents[l].Name;
                _listeners[l] = Enumerable.Range(0, pops).Where(p => exp.Network.Populations[p].Encoders.ContainsKey(name)).ToArray();
            }

            _a = new double[_n];
            _y = new double[_k];
            _injection = new double[pops];
            _levels = new double[pops];
            _xNow = new double[_m];
            _xSeg = new double[_m];
            _xRecord = new double[_m];
            _yRecord = new double[_k];
            _recorder = new RunRecorder(exp, sink);
            _slope = new double[_m];
            _beta = new double[_n];
            _cross = new double[_n];
            _recheck = new bool[_n];
            _touched = new bool[pops];
        }

        public SimulationResult Execute(IProgress<double>? progress, CancellationToken ct)
        {
            var s = _exp.Settings;
            Initialise();
            RecordAt(0);
            long nextRecordStep = s.RecordEvery;
            SetInjection(0); // V(0) = F·x + E·y + b, so the transient starts at E·y − A(0)

            StartSegment();
            SolveAll();

            var guard = new RunawayGuard(s, _n, Describe);
            var status = SimulationStatus.Completed;
            string detail = "completed";
            long iterations = 0;
            double reportEvery = _tEnd / 200;
            double nextReport = reportEvery;
            while (true)
            {
                if ((++iterations & 1023) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                    if (NonFiniteState() is string bad)
                    {
                        status = SimulationStatus.NonFinite;
                        detail = bad;
                        break;
                    }
                }

                int first = EarliestCrossing();
                double tCross = first >= 0 ? _cross[first] : double.PositiveInfinity;
                double tBreak = _tBreak <= _tEnd ? _tBreak : double.PositiveInfinity;
                double tRecord = nextRecordStep <= _steps ? nextRecordStep * _dt : double.PositiveInfinity;
                if (double.IsPositiveInfinity(Math.Min(tCross, Math.Min(tBreak, tRecord))))
                {
                    break;
                }

                // Equal times: spikes reached from the left first, then the breakpoint, then the record (which so
                // includes everything at its time, including spikes the breakpoint causes).
                if (tCross <= tBreak && tCross <= tRecord)
                {
                    AdvanceTo(tCross);
                    if (_recheck[first])
                    {
                        SolveNeuron(first);
                        continue;
                    }

                    int spiker = ChooseSpiker(tCross);
                    int pi = _net.PopulationOfNeuron[spiker];
                    int local = spiker - _net.PopulationOffsets[pi];
                    _recorder.Spike(StepOf(tCross), tCross, pi, local);
                    Deliver(spiker);
                    string? runaway = guard.Check(tCross, pi, _net.Priority[pi] == 0, _y, _exp);
                    if (runaway is not null)
                    {
                        status = SimulationStatus.Exploded;
                        detail = runaway;
                        RecordAt(tCross);
                        break;
                    }
                }
                else if (tBreak <= tRecord)
                {
                    Breakpoint(tBreak);
                }
                else
                {
                    RecordAt(tRecord);
                    nextRecordStep += s.RecordEvery;
                }

                if (progress is not null && _t >= nextReport)
                {
                    progress.Report(_t / _tEnd);
                    nextReport = _t + reportEvery;
                }
            }

            if (status == SimulationStatus.Completed && NonFiniteState() is string late)
            {
                status = SimulationStatus.NonFinite;
                detail = late;
            }

            long simulated = status == SimulationStatus.Completed ? _steps : StepOf(_t);
            progress?.Report(1.0);
            return _recorder.Finish("event", simulated, status, detail);
        }

        /// <summary>The first neuron whose voltage (drive plus recurrent part) or latent is NaN or ±∞, described, or null.</summary>
        private string? NonFiniteState()
        {
            for (int i = 0; i < _n; i++)
            {
                double v = Drive(i) + _a[i];
                if (!double.IsFinite(v))
                {
                    int pi = _net.PopulationOfNeuron[i];
                    return FiniteGuard.Describe(_t, $"the voltage of neuron {i - _net.PopulationOffsets[pi]} of population '{_exp.Network.Populations[pi].Name}'", v);
                }
            }

            int l = FiniteGuard.FirstNonFinite(_y);
            return l >= 0 ? FiniteGuard.Describe(_t, $"latent {_exp.Network.Latents[l].Name}", _y[l]) : null;
        }

        private string Describe(int population) =>
            $"population '{_exp.Network.Populations[population].Name}' ({string.Join(", ", _exp.Network.Latents.Select((l, i) => $"{l.Name} = {_y[i]:0.###}"))})";

        /// <summary>The grid step n with (n − 1)·dt &lt; t ≤ n·dt (at least 1), where the clock engine would emit a spike at t.</summary>
        private long StepOf(double t) => Math.Clamp((long)Math.Ceiling((t / _dt) - 1e-9), 1, Math.Max(1, _steps));

        private void Initialise()
        {
            foreach (var (latent, value) in _exp.InitialLatents)
            {
                _y[_exp.Network.LatentIndex(latent)] = value;
            }

            // The transient starts as Σ_k E_ik·y_k(0): V(0) = F·x(0) + E·y(0) + b, as in the clock engine (eq. 2.10).
            for (int l = 0; l < _k; l++)
            {
                if (_y[l] != 0)
                {
                    NeuronKernels.Axpy(_a, _net.EncoderColumns[l], _y[l]);
                }
            }
        }

        /// <summary>Moves the state to <paramref name="t"/> within the current segment: transients and latents decay.</summary>
        private void AdvanceTo(double t)
        {
            if (t == _t)
            {
                return;
            }

            double decay = Math.Exp(-(t - _t));
            for (int i = 0; i < _a.Length; i++)
            {
                _a[i] *= decay;
            }

            for (int l = 0; l < _k; l++)
            {
                _y[l] *= decay;
            }

            for (int d = 0; d < _m; d++)
            {
                _xNow[d] = _tracks[d].IsSinusoid ? _tracks[d].Value(t) : _xSeg[d] + (_slope[d] * (t - _tSeg));
            }

            _t = t;
        }

        /// <summary>Processes the breakpoint at <paramref name="t"/>: input segments, injections, grid noise; re-solves every neuron.</summary>
        private void Breakpoint(double t)
        {
            AdvanceTo(t);
            foreach (var track in _tracks)
            {
                track.Enter(t);
            }

            SetInjection(t);
            if (_hasGrid && (_gridStep + 1) * _dt <= t)
            {
                _gridStep++;
                AddNoise(_gridStep);
            }

            StartSegment();
            SolveAll();
        }

        /// <summary>Sets the injected currents of [start, stop) windows; the voltage is continuous, so the transient absorbs the change.</summary>
        private void SetInjection(double t)
        {
            _injections.LevelsAt(t, _levels);
            for (int p = 0; p < _injection.Length; p++)
            {
                double level = _levels[p];
                double change = level - _injection[p];
                if (change != 0)
                {
                    for (int i = _net.PopulationOffsets[p]; i < _net.PopulationOffsets[p + 1]; i++)
                    {
                        _a[i] -= change;
                    }
                }

                _injection[p] = level;
            }
        }

        /// <summary>Membrane noise of grid step n as a kick σ·√(2·dt)·ξ_i,n, the clock engine's draw for that step.</summary>
        private void AddNoise(long step)
        {
            var stream = _exp.Settings.NoiseStream;
            for (int p = 0; p < _noiseScale.Length; p++)
            {
                double scale = _noiseScale[p];
                if (scale > 0)
                {
                    // The clock engine's vector kernel: the same deviates, sixteen per instruction.
                    int a = _net.PopulationOffsets[p], len = _net.PopulationOffsets[p + 1] - a;
                    NeuronKernels.AddNoise(_a.AsSpan(a, len), _noiseKeys, a, (ulong)step, scale, stream);
                }
            }
        }

        /// <summary>Starts an input segment at the current time: right-continuous values, slopes, the next breakpoint.</summary>
        private void StartSegment()
        {
            _tSeg = _t;
            double next = double.PositiveInfinity;
            for (int d = 0; d < _m; d++)
            {
                _xSeg[d] = _tracks[d].Value(_t);
                _xNow[d] = _xSeg[d];
                _slope[d] = _tracks[d].IsSinusoid ? 0 : _tracks[d].Slope(_t);
                next = Math.Min(next, _tracks[d].NextBreak(_t));
            }

            next = Math.Min(next, _injections.NextEdgeAfter(_t));

            if (_hasGrid && _gridStep < _steps)
            {
                next = Math.Min(next, (_gridStep + 1) * _dt);
            }

            _tBreak = next;
            for (int i = 0; i < _n; i++)
            {
                double beta = 0;
                for (int d = 0; d < _m; d++)
                {
                    beta += _net.Feedforward[(i * _m) + d] * _slope[d];
                }

                _beta[i] = beta;
            }
        }

        private void SolveAll()
        {
            for (int i = 0; i < _n; i++)
            {
                SolveNeuron(i);
            }
        }

        /// <summary>V_i(t) − 1 without the transient: F_i·x(t) + b_i + A_p − 1.</summary>
        private double Drive(int i)
        {
            double g = _net.Bias[i] + _injection[_net.PopulationOfNeuron[i]] - 1;
            for (int d = 0; d < _m; d++)
            {
                g += _net.Feedforward[(i * _m) + d] * _xNow[d];
            }

            return g;
        }

        /// <summary>Finds neuron i's next threshold crossing before the segment ends (or a safe time to look again).</summary>
        private void SolveNeuron(int i)
        {
            double g = Drive(i);
            double a = _a[i];
            _recheck[i] = false;
            if (g + a >= 0)
            {
                _cross[i] = _t;
                return;
            }

            double horizon = Math.Min(_tBreak, _tEnd) - _t;
            double s = _neuronHasSin[i] ? SafeCrossing(i, g, a, horizon) : ExactCrossing(g, _beta[i], a, horizon, _t);
            _cross[i] = _t + s;
        }

        /// <summary>
        /// Sinusoid input: from s, with h(s) &lt; 0, slope h′(s) and |h″| ≤ C on [s, ∞), h(s + δ) ≤ h + h′·δ + C·δ²/2,
        /// so no root lies before the positive root δ* of that bound: step by δ* until h ≥ −tolerance. Steps shrink
        /// only near the threshold, so a crossing is found quickly and none can be stepped over.
        /// </summary>
        private double SafeCrossing(int i, double g, double a, double horizon)
        {
            double beta = _beta[i];
            double s = 0;
            double h = g + a;
            for (int step = 0; step < MaxSafeSteps; step++)
            {
                double e = Math.Exp(-s);
                double slope = beta - (a * e);
                foreach (int d in _sinDims)
                {
                    slope += _net.Feedforward[(i * _m) + d] * _tracks[d].Slope(_t + s);
                }

                double curvature = (Math.Abs(a) * e) + _sinBound[i];
                double disc = (slope * slope) - (2 * curvature * h);
                double delta = curvature > 0
                    ? (slope >= 0 ? -2 * h / (slope + Math.Sqrt(disc)) : (Math.Sqrt(disc) - slope) / curvature)
                    : (slope > 0 ? -h / slope : double.PositiveInfinity);
                double next = s + delta;
                if (!(next < horizon))
                {
                    return double.PositiveInfinity;
                }

                if (next == s)
                {
                    return s; // h is within rounding of its bound's root: a crossing at s
                }

                s = next;
                h = g + (beta * s) + (a * Math.Exp(-s));
                foreach (int d in _sinDims)
                {
                    h += _net.Feedforward[(i * _m) + d] * (_tracks[d].Value(_t + s) - _xNow[d]);
                }

                if (h >= -VoltageTolerance)
                {
                    return s;
                }
            }

            // No crossing before s is proven; look again from there.
            _recheck[i] = true;
            return s;
        }

        private int EarliestCrossing()
        {
            int best = -1;
            double t = double.PositiveInfinity;
            for (int i = 0; i < _n; i++)
            {
                if (_cross[i] < t)
                {
                    t = _cross[i];
                    best = i;
                }
            }

            return best;
        }

        /// <summary>The tie rule among neurons crossing within the tie tolerance of <paramref name="t"/>.</summary>
        private int ChooseSpiker(double t)
        {
            double limit = t + (TieTolerance * Math.Max(1, Math.Abs(t)));
            int best = -1;
            int bestPriority = int.MaxValue;
            double bestOver = double.NegativeInfinity;
            for (int i = 0; i < _n; i++)
            {
                if (_recheck[i] || !(_cross[i] <= limit))
                {
                    continue;
                }

                int priority = _net.Priority[_net.PopulationOfNeuron[i]];
                double over = Drive(i) + _a[i];
                if (best < 0 || priority < bestPriority || (priority == bestPriority && over > bestOver + VoltageTolerance))
                {
                    best = i;
                    bestPriority = priority;
                    bestOver = over;
                }
            }

            return best;
        }

        /// <summary>Delivers neuron j's spike: latents jump by D_j, listeners' transients by Σ_k E_ik·D_jk, j's by −μ; affected neurons re-solve.</summary>
        private void Deliver(int j)
        {
            if (_exp.ClipsAtSpike)
            {
                double over = Drive(j) + _a[j];
                if (over > 0)
                {
                    _a[j] -= over;
                }
            }

            int pj = _net.PopulationOfNeuron[j];
            int[] changed = _net.LatentsOfPopulation[pj];
            Array.Clear(_touched);
            _touched[pj] = true;
            foreach (int l in changed)
            {
                double d = _net.DecoderRows[(j * _k) + l];
                _y[l] += d;
                if (d != 0)
                {
                    foreach (int p in _listeners[l])
                    {
                        _touched[p] = true;
                    }
                }
            }

            for (int p = 0; p < _touched.Length; p++)
            {
                if (!_touched[p])
                {
                    continue; // its voltages did not change, so its crossing times still hold
                }

                for (int i = _net.PopulationOffsets[p]; i < _net.PopulationOffsets[p + 1]; i++)
                {
                    double jump = 0;
                    foreach (int l in changed)
                    {
                        jump += _net.EncoderColumns[l][i] * _net.DecoderRows[(j * _k) + l];
                    }

                    if (i == j)
                    {
                        jump -= _net.Mu[j];
                    }

                    _a[i] += jump;

                    // A pure decrease cannot create a crossing where there was none before the segment's end.
                    if (i == j || jump > 0 || _recheck[i] || (jump < 0 && !double.IsPositiveInfinity(_cross[i])))
                    {
                        SolveNeuron(i);
                    }
                }
            }
        }

        private void RecordAt(double t)
        {
            for (int d = 0; d < _m; d++)
            {
                _xRecord[d] = _tracks[d].Value(t);
            }

            double decay = Math.Exp(-(t - _t));
            for (int l = 0; l < _k; l++)
            {
                _yRecord[l] = _y[l] * decay;
            }

            _recorder.Record(t, _xRecord, _yRecord);
        }
    }

    /// <summary>The explosion checks after each spike (see the class remarks).</summary>
    private sealed class RunawayGuard
    {
        private readonly double _dt;
        private readonly double _window;
        private readonly int _runLength;
        private readonly double[] _run;
        private readonly int _burstLength;
        private readonly Func<int, string> _describe;
        private long _consecutive;
        private double _burstStart = double.NegativeInfinity;
        private int _burstCount;

        public RunawayGuard(SimulationSettings s, int neurons, Func<int, string> describe)
        {
            _describe = describe;
            _dt = s.Dt;
            _window = s.RunawayWindow;

            // The clock engine's rule: ⌈window/dt⌉ consecutive non-inhibitory spikes, here within (that − 1)·dt.
            // Very long windows are shortened at the same rate so that the ring of spike times stays small.
            long length = s.RunawayWindow > 0 ? Math.Max(1, (long)Math.Ceiling(s.RunawayWindow / s.Dt)) : 0;
            _runLength = (int)Math.Min(length, 1 << 20);
            _run = new double[_runLength];
            _burstLength = Math.Max(1000, 10 * neurons);
        }

        public string? Check(double t, int population, bool inhibitory, double[] latents, Experiment exp)
        {
            _consecutive = inhibitory ? 0 : _consecutive + 1;
            if (_runLength > 0 && !inhibitory)
            {
                long at = (_consecutive - 1) % _runLength;
                double oldest = _consecutive >= _runLength ? _run[(_consecutive - _runLength) % _runLength] : double.NaN;
                _run[at] = t;
                if (_consecutive >= _runLength && t - oldest <= ((_runLength - 1) * _dt) + 1e-12)
                {
                    return $"activity ran away at t = {t:0.###} τ: {_describe(population)} fired {_runLength} spikes within {t - oldest:0.###} τ " +
                           $"with no inhibitory spike in between (the clock engine's one-spike-per-step ceiling, dt = {_dt}, sustained for {_window:0.###} τ). " +
                           "An unstable (excitatory) boundary explodes on its own (seed 002 §2.5); stabilise it with inhibition or a soft refractory cost mu";
                }
            }

            if (FiniteGuard.LatentRunaway(t, latents, exp) is string beyond)
            {
                return beyond;
            }

            // Spikes are counted in consecutive windows of length dt, each opened by its first spike: any interval
            // of length dt then holds at most twice the budget, which is what bounds the work.
            if (t - _burstStart >= _dt)
            {
                _burstStart = t;
                _burstCount = 0;
            }

            if (++_burstCount > _burstLength)
            {
                return $"activity ran away at t = {t:0.###} τ: more than {_burstLength} spikes within one time step (dt = {_dt} τ), the last from {_describe(population)}. " +
                       "With delta synapses a neuron whose self-reset E_i·D_i − μ does not take it below threshold fires without end; give it a soft refractory cost mu";
            }

            return null;
        }
    }
}
