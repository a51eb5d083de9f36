using LatentSpikes.Model;

namespace LatentSpikes.Simulation;

/// <summary>
/// Recurrent transmission with synaptic kernels and delays (seed 002, §4.1 and App. G), kept in latent space.
/// <para>
/// Each source population p sums its spikes of step n into the latents it drives, S_p(n) = Σ_{j spiking} D_·j, and
/// filters that K_p-vector with its kernel into the charge Q_p(n) that the synaptic current delivers over the next
/// step: Q_p(n) = Σ_{m≥1} w_m·S_p(n + 1 − m), where w_m is the exact integral of the kernel α over the m-th step
/// after the spike (square pulse: dt/τ_s per whole step and the remainder in the last; exponential:
/// (1 − e^{−dt/τ_s})·e^{−(m−1)·dt/τ_s}; delta: w_1 = 1). The weights sum to one, so a spike's total charge is that of
/// a delta synapse. Target population q receives Σ_k E_qk·Q_pk(n − 1 − d_pq) in step n: one axpy per latent, never an
/// N×N matrix, and a ring of the last d_pq + 1 charge vectors per source is all a delay costs (O(K·delay)).
/// </para>
/// <para>
/// Latents follow eq. 4.4-4.5, ẏ = −y + Σ_i D_i·s_i(t) with s_i the synaptic current, so y ← y·e^{−dt} + Q(n): for
/// the delta kernel Q(n) = S(n), the raw spikes, exactly as before. Delays are transmission delays and do not
/// shift the readout.
/// </para>
/// <para>
/// Self-connections (App. G: "we generally keep the negative diagonal terms of the connectivity instantaneously fast,
/// as they correspond to voltage resets"): a spiker's diagonal W_ii = Σ_k E_ik·D_ki goes through the latents like every
/// other connection, but when it is negative (a reset) and the population's own path is slow or delayed, the spiker
/// gets all of W_ii in the very next step and its own share of the slow/delayed stream is subtracted again as it
/// arrives, so the reset counts once. A positive diagonal (self-excitation) stays slow, as in the authors' E-I code.
/// The soft refractory cost −μ is always immediate. For a delta kernel without self-delay the stream already
/// arrives in the next step, so nothing is corrected and the arithmetic is the delta engine's.
/// </para>
/// </summary>
internal sealed class Transmission
{
    private readonly CompiledNetwork _net;
    private readonly SourceFilter[] _sources;
    private readonly TargetInput[] _targets;
    private readonly SelfCorrection?[] _self;
    private readonly double[] _resetAmount;
    private readonly List<(int Neuron, double Amount)> _resets = [];
    private readonly List<(int Neuron, double Amount)> _tails = [];

    public Transmission(CompiledNetwork net, LowRankNetwork network, double dt, long stepCount)
    {
        _net = net;
        int pops = network.Populations.Count;
        var delaySteps = new long[pops, pops];
        for (int p = 0; p < pops; p++)
        {
            for (int q = 0; q < pops; q++)
            {
                // Beyond the run's end a spike never arrives, so the ring need not be longer than the run.
                delaySteps[p, q] = Math.Min(
                    Experiment.DelaySteps(network.DelayBetween(network.Populations[p].Name, network.Populations[q].Name), dt),
                    stepCount + 1);
            }
        }

        _sources = new SourceFilter[pops];
        for (int p = 0; p < pops; p++)
        {
            long maxDelay = 0;
            for (int q = 0; q < pops; q++)
            {
                maxDelay = Math.Max(maxDelay, delaySteps[p, q]);
            }

            _sources[p] = new SourceFilter(net.LatentsOfPopulation[p], network.Populations[p].Synapse, dt, (int)maxDelay + 1);
        }

        _targets = new TargetInput[pops];
        for (int q = 0; q < pops; q++)
        {
            var links = new List<Link>();
            int lo = net.PopulationOffsets[q];
            int hi = net.PopulationOffsets[q + 1];
            for (int p = 0; p < pops; p++)
            {
                int[] latents = net.LatentsOfPopulation[p];
                for (int slot = 0; slot < latents.Length; slot++)
                {
                    // Only latents that q listens to move q's voltages.
                    if (net.EncoderColumns[latents[slot]].AsSpan(lo, hi - lo).ContainsAnyExcept(0.0))
                    {
                        links.Add(new Link(p, slot, delaySteps[p, q]));
                    }
                }
            }

            _targets[q] = new TargetInput(links.ToArray());
        }

        _resetAmount = new double[net.N];
        _self = new SelfCorrection?[pops];
        for (int p = 0; p < pops; p++)
        {
            var pop = network.Populations[p];
            int off = net.PopulationOffsets[p];
            var fastSelf = new double[pop.Size];
            bool plainSelfPath = pop.Synapse.IsDelta && delaySteps[p, p] == 0;
            if (!plainSelfPath)
            {
                for (int i = 0; i < pop.Size; i++)
                {
                    double w = 0;
                    foreach (int l in net.LatentsOfPopulation[p])
                    {
                        w += net.EncoderColumns[l][off + i] * net.DecoderRows[((off + i) * net.K) + l];
                    }

                    fastSelf[i] = Math.Min(w, 0.0);
                }
            }

            for (int i = 0; i < pop.Size; i++)
            {
                // 0 − μ is exactly −μ: the delta engine's reset when nothing else is immediate.
                _resetAmount[off + i] = fastSelf[i] - net.Mu[off + i];
            }

            if (fastSelf.Any(w => w != 0))
            {
                _self[p] = new SelfCorrection(off, fastSelf, _sources[p], delaySteps[p, p]);
            }
        }
    }

    /// <summary>The charge vector Q_p(step) of source population <paramref name="population"/>, per latent it drives.</summary>
    public ReadOnlySpan<double> ChargeOf(int population, long step) => _sources[population].ChargeAt(step);

    /// <summary>Per target population: the jump sizes of this step.</summary>
    public ReadOnlySpan<double> JumpValues(int target) => _targets[target].Values.AsSpan(0, _targets[target].Count);

    /// <summary>Per target population: the encoder column (over all neurons) of each jump.</summary>
    public ReadOnlySpan<double[]> JumpEncoders(int target) => _targets[target].Encoders.AsSpan(0, _targets[target].Count);

    /// <summary>Immediate self-terms of last step's spikers (fast part of W_ii, minus μ), in neuron order.</summary>
    public List<(int Neuron, double Amount)> Resets => _resets;

    /// <summary>The last step of a square (or delayed delta) self-stream, which the dense trace pass does not cover.</summary>
    public List<(int Neuron, double Amount)> Tails => _tails;

    /// <summary>
    /// Subtracts, for population <paramref name="population"/>'s neurons in [<paramref name="lo"/>, <paramref name="hi"/>),
    /// the share of each neuron's own slow stream that its immediate reset already delivered.
    /// </summary>
    public void CorrectOwnStream(int population, Span<double> v, int lo, int hi)
    {
        if (_self[population] is { Active: true } self)
        {
            int local = lo - self.Offset;
            NeuronKernels.SubtractTrace(v, self.Coefficient.AsSpan(local, hi - lo), self.Trace.AsSpan(local, hi - lo), self.TraceDecay);
        }
    }

    /// <summary>Gathers this step's recurrent input: latent jumps per target, immediate resets and self-stream events.</summary>
    public void BeginStep(long step, List<int> lastSpikers)
    {
        for (int q = 0; q < _targets.Length; q++)
        {
            var t = _targets[q];
            t.Count = 0;
            foreach (var (source, slot, delay) in t.Links)
            {
                long emitted = step - 1 - delay;
                if (emitted < 1)
                {
                    continue; // nothing was emitted before the first step
                }

                double value = _sources[source].ChargeAt(emitted)[slot];
                if (value != 0)
                {
                    t.Values[t.Count] = value;
                    t.Encoders[t.Count] = _net.EncoderColumns[_sources[source].Latents[slot]];
                    t.Count++;
                }
            }
        }

        _resets.Clear();
        foreach (int g in lastSpikers)
        {
            _resets.Add((g, _resetAmount[g]));
        }

        _tails.Clear();
        foreach (var self in _self)
        {
            self?.Advance(step, _tails);
        }
    }

    /// <summary>
    /// Ends step <paramref name="step"/>: sums each population's spikes into its latents, filters them into the charge
    /// of the next step, adds that charge to the (already decayed) latents and remembers the spikes for self-correction.
    /// </summary>
    public void EndStep(long step, List<int> spikers, double[] y)
    {
        int k = _net.K;
        int next = 0;
        for (int p = 0; p < _sources.Length; p++)
        {
            var src = _sources[p];
            Array.Clear(src.Spikes);
            int first = next;
            int end = _net.PopulationOffsets[p + 1];
            while (next < spikers.Count && spikers[next] < end)
            {
                int g = spikers[next++];
                for (int s = 0; s < src.Latents.Length; s++)
                {
                    src.Spikes[s] += _net.DecoderRows[(g * k) + src.Latents[s]];
                }
            }

            double[] charge = src.Filter(step, next > first);
            for (int s = 0; s < src.Latents.Length; s++)
            {
                if (charge[s] != 0)
                {
                    y[src.Latents[s]] += charge[s];
                }
            }

            if (next > first && _self[p] is { } self)
            {
                var locals = new int[next - first];
                for (int j = 0; j < locals.Length; j++)
                {
                    locals[j] = spikers[first + j] - self.Offset;
                }

                self.Record(step, locals);
            }
        }
    }

    /// <summary>A source population's kernel filter and the ring of its recent charge vectors.</summary>
    private sealed class SourceFilter
    {
        private readonly double[][] _history;
        private readonly double[] _running;
        private readonly Queue<(long Step, double[] Spikes)> _pending = new();
        private readonly Stack<double[]> _free = new();
        private readonly double[] _trace;

        public SourceFilter(int[] latents, SynapseKernel kernel, double dt, int historyLength)
        {
            Latents = latents;
            Spikes = new double[latents.Length];
            _running = new double[latents.Length];
            _trace = new double[latents.Length];
            _history = new double[historyLength][];
            for (int h = 0; h < historyLength; h++)
            {
                _history[h] = new double[latents.Length];
            }

            Exponential = kernel.Kind == SynapseKind.Exponential;
            if (Exponential)
            {
                Decay = Math.Exp(-dt / kernel.Tau);
                Gain = 1.0 - Decay;
            }
            else if (kernel.IsDelta)
            {
                FullSteps = 0;
                TailWeight = 1.0;
            }
            else
            {
                // n = τ_s/dt whole steps of charge dt/τ_s, the remainder in step n + 1. A width that is a whole number
                // of steps up to rounding (0.5/0.01 = 50.000000000000007) gets exactly n equal steps.
                double steps = kernel.Tau / dt;
                double nearest = Math.Round(steps);
                if (nearest >= 1 && Math.Abs(steps - nearest) <= 1e-9 * steps)
                {
                    FullSteps = (int)Math.Min(nearest, int.MaxValue);
                    FullWeight = 1.0 / nearest;
                    TailWeight = 0.0;
                }
                else if (steps < 1)
                {
                    FullSteps = 0; // a pulse shorter than a step delivers all its charge in the next step
                    TailWeight = 1.0;
                }
                else
                {
                    FullSteps = (int)Math.Min(Math.Floor(steps), int.MaxValue);
                    FullWeight = dt / kernel.Tau;
                    TailWeight = Math.Max(0.0, 1.0 - (FullSteps * FullWeight));
                }
            }
        }

        public int[] Latents { get; }

        /// <summary>S_p of the current step (sum of the spikers' decoders per latent slot).</summary>
        public double[] Spikes { get; }

        public bool Exponential { get; }

        /// <summary>e^{−dt/τ_s} (exponential kernel).</summary>
        public double Decay { get; }

        /// <summary>1 − e^{−dt/τ_s}: the share of the pending charge delivered per step (exponential kernel).</summary>
        public double Gain { get; }

        /// <summary>Whole steps of a pulse (0 for the delta kernel).</summary>
        public int FullSteps { get; }

        /// <summary>Charge per whole step of a pulse (dt/τ_s).</summary>
        public double FullWeight { get; }

        /// <summary>Charge of the last, partial step of a pulse (1 for the delta kernel).</summary>
        public double TailWeight { get; }

        /// <summary>Q_p(step), valid for the last <c>historyLength</c> steps.</summary>
        public double[] ChargeAt(long step) => _history[(int)(step % _history.Length)];

        /// <summary>Q_p(step) from S_p(step) and the kernel state; written into the ring and returned.</summary>
        public double[] Filter(long step, bool spiked)
        {
            double[] q = _history[(int)(step % _history.Length)];
            int k = Latents.Length;
            if (Exponential)
            {
                for (int s = 0; s < k; s++)
                {
                    double z = _trace[s] + Spikes[s];
                    q[s] = Gain * z;
                    _trace[s] = Decay * z;
                }

                return q;
            }

            // A spike of step m counts with FullWeight while step − m < FullSteps and with TailWeight when
            // step − m = FullSteps; _running holds the sum of the spike vectors in the whole-step window.
            double[]? tail = null;
            bool pooled = false;
            if (_pending.Count > 0 && _pending.Peek().Step == step - FullSteps)
            {
                tail = _pending.Dequeue().Spikes;
                pooled = true;
                Subtract(_running, tail);
            }

            if (spiked)
            {
                if (FullSteps > 0)
                {
                    var copy = _free.Count > 0 ? _free.Pop() : new double[k];
                    Spikes.CopyTo(copy, 0);
                    _pending.Enqueue((step, copy));
                    Add(_running, copy);
                }
                else
                {
                    tail = Spikes; // delta kernel, or a pulse shorter than a step: all charge in the next step
                }
            }

            if (_pending.Count == 0)
            {
                // No spike in the window: the current is exactly zero, whatever rounding the running sum gathered.
                Array.Clear(_running);
            }

            for (int s = 0; s < k; s++)
            {
                q[s] = FullSteps > 0 ? FullWeight * _running[s] : 0.0;
            }

            if (tail is not null && TailWeight != 0)
            {
                for (int s = 0; s < k; s++)
                {
                    // The delta kernel (no whole steps, tail weight 1) yields exactly S_p.
                    q[s] = FullSteps > 0 ? q[s] + (TailWeight * tail[s]) : TailWeight * tail[s];
                }
            }

            if (pooled)
            {
                _free.Push(tail!);
            }

            return q;
        }

        private static void Add(double[] sum, double[] x)
        {
            for (int s = 0; s < sum.Length; s++)
            {
                sum[s] += x[s];
            }
        }

        private static void Subtract(double[] sum, double[] x)
        {
            for (int s = 0; s < sum.Length; s++)
            {
                sum[s] -= x[s];
            }
        }
    }

    /// <summary>The latent jumps a target population receives in the current step.</summary>
    /// <summary>Latent slot <paramref name="Slot"/> of source population <paramref name="Source"/>, delayed by <paramref name="Delay"/> steps.</summary>
    private readonly record struct Link(int Source, int Slot, long Delay);

    private sealed class TargetInput(Link[] links)
    {
        public Link[] Links { get; } = links;

        public double[] Values { get; } = new double[links.Length];

        public double[][] Encoders { get; } = new double[links.Length][];

        public int Count { get; set; }
    }

    /// <summary>
    /// Per-neuron bookkeeping of a population whose negative self-term is delivered at once: each neuron's own share
    /// of the slow/delayed stream, −W_ii^fast·q_i(n − 1 − d_pp), is subtracted as it arrives. The exponential kernel
    /// keeps a decaying trace per neuron; a pulse keeps the count of its own pulses in their whole steps, plus a
    /// sparse tail event for the partial last step (the only event for a delayed delta kernel).
    /// </summary>
    private sealed class SelfCorrection
    {
        private readonly double[] _fastSelf;
        private readonly SourceFilter _kernel;
        private readonly long _delay;
        private readonly Queue<(long Step, int[] Locals)> _waiting = new();
        private readonly Queue<(long Step, int[] Locals)> _inStream = new();
        private int _activePulses;

        public SelfCorrection(int offset, double[] fastSelf, SourceFilter kernel, long delay)
        {
            Offset = offset;
            _fastSelf = fastSelf;
            _kernel = kernel;
            _delay = delay;
            Trace = new double[fastSelf.Length];
            Coefficient = new double[fastSelf.Length];
            for (int i = 0; i < fastSelf.Length; i++)
            {
                Coefficient[i] = fastSelf[i] * (kernel.Exponential ? kernel.Gain : kernel.FullWeight);
            }

            TraceDecay = kernel.Exponential ? kernel.Decay : 1.0;
        }

        public int Offset { get; }

        public double[] Trace { get; }

        public double[] Coefficient { get; }

        public double TraceDecay { get; }

        /// <summary>Whether the dense pass has anything to subtract this step.</summary>
        public bool Active { get; private set; }

        public void Record(long step, int[] locals) => _waiting.Enqueue((step, locals));

        /// <summary>Applies the events of step <paramref name="step"/>: own spikes entering and leaving the stream.</summary>
        public void Advance(long step, List<(int Neuron, double Amount)> tails)
        {
            long arriving = step - 1 - _delay;
            while (_waiting.Count > 0 && _waiting.Peek().Step == arriving)
            {
                var entry = _waiting.Dequeue();
                if (_kernel.Exponential || _kernel.FullSteps > 0)
                {
                    foreach (int i in entry.Locals)
                    {
                        Trace[i] += 1.0;
                    }

                    _activePulses += entry.Locals.Length;
                }

                _inStream.Enqueue(entry);
            }

            // A spike leaves the dense pass after its whole steps (at once for the exponential kernel, whose trace
            // carries on by itself) and then delivers its partial last step.
            int window = _kernel.Exponential ? 0 : _kernel.FullSteps;
            while (_inStream.Count > 0 && arriving - _inStream.Peek().Step >= window)
            {
                var (_, locals) = _inStream.Dequeue();
                if (_kernel.Exponential)
                {
                    continue;
                }

                if (_kernel.FullSteps > 0)
                {
                    foreach (int i in locals)
                    {
                        Trace[i] -= 1.0;
                    }

                    _activePulses -= locals.Length;
                }

                if (_kernel.TailWeight != 0)
                {
                    foreach (int i in locals)
                    {
                        tails.Add((Offset + i, -_fastSelf[i] * _kernel.TailWeight));
                    }
                }
            }

            // An exponential trace never ends; pulse counts return to exactly zero.
            Active = _kernel.Exponential ? Active || _activePulses > 0 : _activePulses > 0;
        }
    }
}
