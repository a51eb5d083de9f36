using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Randomness;
using LatentSpikes.Simulation;

namespace LatentSpikes.Rate;

/// <summary>
/// The rate twin of a spiking network (seed 002, §4.2-4.4, eq. 4.9 and 4.11-4.13): every spiking neuron becomes a
/// rate unit r_i = σ_β(F_i·x + Σ_k E_ik·y_k − T_i)/τ_s (spikes per τ) and every latent follows
/// ẏ_k = −y_k + Σ_i D_ki·r_i, the trial-averaged latent dynamics of the spiking network. Noise is not simulated: it
/// lives in β (see <see cref="RateTwin.Beta"/>), and τ_s is the population's synaptic time constant
/// (<see cref="RateTwin.SynapseTau"/>). Each evaluation of the right-hand side costs O(N·K) through the latents, never
/// N×N. The state (the K latents plus one filtered injection current per population) is integrated with classical
/// RK4 on the dt grid, split into equal substeps so that h·L ≤ 1/2 for a bound L on the Jacobian (the sigmoid's
/// slope is at most β/4), which keeps RK4 stable and accurate however steep the boundary. Inputs x are linear between
/// grid points; current injections are constant over a step and filtered by the membrane as in the clock engine;
/// transmission delays shift the latents a population sees by round(delay/dt) steps (linear between grid points).
/// Left out, because the mean-field picture of §4 has no counterpart for them: the soft refractory cost μ, absolute
/// refractory periods, and the clock engine's one-step spike latency. Fully deterministic: stochastic inputs use
/// the same random streams as trial 0 of the spiking engines.
/// </summary>
public sealed class RateEngine : IEngine
{
    /// <summary>Most RK4 substeps per dt before the twin is called too stiff (a tiny τ_s with a huge β).</summary>
    public const int MaxSubsteps = 10_000;

    /// <summary>Per-neuron rates are recorded only while N × records stays below this (8 bytes each).</summary>
    public const long MaxRecordedRates = 50_000_000;

    /// <inheritdoc />
    public string Name => "rate";

    /// <inheritdoc />
    /// <exception cref="ModelValidationException">A population has neither noise nor a <c>rate.beta</c>, or the twin is too stiff for the grid.</exception>
    public SimulationResult Run(Experiment experiment, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var run = new RateRun(experiment);
        return run.Execute(progress, cancellationToken);
    }

    /// <summary>One integration of the twin: the compiled network, the state and the RK4 scratch space.</summary>
    private sealed class RateRun
    {
        private readonly Experiment _exp;
        private readonly CompiledNetwork _net;
        private readonly int _pops;
        private readonly double[] _beta;
        private readonly double[] _rateScale;
        private readonly double[] _threshold;
        private readonly int[][] _delaySteps;
        private readonly bool _delayed;
        private readonly SignalSampler[] _inputs;
        private readonly InjectionSchedule _injections;
        private readonly double[] _xPrev;
        private readonly double[] _xNow;
        private readonly double[] _x;
        private readonly double[] _current;
        private readonly double[][] _seen;
        private readonly double[][] _history;
        private readonly double[] _state;
        private readonly double[][] _k;
        private readonly double[] _stage;
        private readonly int _substeps;

        public RateRun(Experiment exp)
        {
            _exp = exp;
            _net = new CompiledNetwork(exp.Network);
            var pops = exp.Network.Populations;
            _pops = pops.Count;
            double dt = exp.Settings.Dt;
            _beta = new double[_pops];
            _rateScale = new double[_pops];
            for (int p = 0; p < _pops; p++)
            {
                _beta[p] = RateTwin.Beta(pops[p], $"populations[{p}]");
                _rateScale[p] = 1.0 / RateTwin.SynapseTau(pops[p], dt);
            }

            _threshold = new double[_net.N];
            for (int i = 0; i < _net.N; i++)
            {
                _threshold[i] = 1.0 - _net.Bias[i];
            }

            // Delay from the source of latent k to population q, in steps (the readout itself is never delayed).
            _delaySteps = new int[_pops][];
            long maxDelay = 0;
            for (int q = 0; q < _pops; q++)
            {
                _delaySteps[q] = new int[_net.K];
                for (int k = 0; k < _net.K; k++)
                {
                    string source = exp.Network.Latents[k].Source;
                    long d = Math.Min(Experiment.DelaySteps(exp.Network.DelayBetween(source, pops[q].Name), dt), exp.Settings.StepCount + 1);
                    _delaySteps[q][k] = (int)d;
                    maxDelay = Math.Max(maxDelay, d);
                }
            }

            _delayed = maxDelay > 0;
            _history = new double[_delayed ? (int)maxDelay + 2 : 0][];
            for (int h = 0; h < _history.Length; h++)
            {
                _history[h] = new double[_net.K];
            }

            _inputs = exp.Inputs
                .Select((sig, m) => sig.Start(dt, CounterRandom.StreamKey(exp.Settings.Seed, 0, CounterRandom.InputDomain, (ulong)m)))
                .ToArray();
            _injections = new InjectionSchedule(exp);
            _xPrev = new double[_net.M];
            _xNow = new double[_net.M];
            _x = new double[_net.M];
            _current = new double[_pops];
            _seen = Enumerable.Range(0, _pops).Select(_ => new double[_net.K]).ToArray();
            int size = _net.K + _pops;
            _state = new double[size];
            _k = Enumerable.Range(0, 4).Select(_ => new double[size]).ToArray();
            _stage = new double[size];
            _substeps = Substeps(dt);
        }

        /// <summary>
        /// Substeps per dt: |∂ẏ_k/∂y_l| ≤ Σ_i |D_ki|·(β_i/4)·|E_il|/τ_s,i, so the row sums plus the leak bound the
        /// Jacobian's ∞-norm L, and h·L ≤ 1/2 keeps every eigenvalue well inside RK4's stability region.
        /// </summary>
        private int Substeps(double dt)
        {
            double worst = 0;
            for (int k = 0; k < _net.K; k++)
            {
                double row = 0;
                for (int i = 0; i < _net.N; i++)
                {
                    double d = _net.DecoderRows[(i * _net.K) + k];
                    if (d == 0)
                    {
                        continue;
                    }

                    int p = _net.PopulationOfNeuron[i];
                    double encoders = 0;
                    for (int l = 0; l < _net.K; l++)
                    {
                        encoders += Math.Abs(_net.EncoderColumns[l][i]);
                    }

                    row += Math.Abs(d) * _beta[p] * 0.25 * _rateScale[p] * encoders;
                }

                worst = Math.Max(worst, row);
            }

            double lipschitz = 1.0 + worst;
            double needed = Math.Ceiling(dt * lipschitz / 0.5);
            if (!(needed <= MaxSubsteps))
            {
                throw new ModelValidationException("rate", $"the rate twin is too stiff for dt = {dt}: its steepest boundary (β·D·E/τ_s summed over neurons ≈ {worst:G3} per τ) needs {needed:G3} RK4 substeps per step (limit {MaxSubsteps}); give a smaller rate.beta or a larger rate.tau_s");
            }

            return Math.Max(1, (int)needed);
        }

        public SimulationResult Execute(IProgress<double>? progress, CancellationToken ct)
        {
            var s = _exp.Settings;
            long steps = s.StepCount;
            int kk = _net.K;
            int n = _net.N;
            long records = (steps / s.RecordEvery) + 1;
            bool recordRates = records * n <= MaxRecordedRates;
            var recorder = new RunRecorder(_exp, null);
            var rates = recordRates ? new double[records * n] : null;
            int recorded = 0;

            for (int d = 0; d < _net.M; d++)
            {
                _xNow[d] = _inputs[d].At(0);
            }

            foreach (var (latent, value) in _exp.InitialLatents)
            {
                _state[_exp.Network.LatentIndex(latent)] = value;
            }

            // Before t = 0 the latents are taken to have sat at their initial values (the delayed history).
            foreach (double[] h in _history)
            {
                Array.Copy(_state, h, kk);
            }

            void Record(long step)
            {
                recorder.Record(step * s.Dt, _xNow, _state.AsSpan(0, kk));
                if (rates is not null)
                {
                    Array.Copy(_xNow, _x, _x.Length);
                    See(step, 0.0, _state);
                    Rates(_state, rates.AsSpan(recorded * n, n));
                }

                recorded++;
            }

            Record(0);
            var status = SimulationStatus.Completed;
            string detail = recordRates ? "completed" : $"completed (per-neuron rates not recorded: {n} neurons × {records} records exceed {MaxRecordedRates})";
            long reportEvery = Math.Max(1, steps / 200);
            int untilRecord = s.RecordEvery;
            long step;
            for (step = 1; step <= steps; step++)
            {
                if ((step & 255) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                Advance(step);
                if (--untilRecord == 0)
                {
                    Record(step);
                    untilRecord = s.RecordEvery;
                }

                int bad = FiniteGuard.FirstNonFinite(_state.AsSpan(0, _net.K));
                if (bad >= 0)
                {
                    status = SimulationStatus.NonFinite;
                    detail = FiniteGuard.Describe(step * s.Dt, $"latent {_exp.Network.Latents[bad].Name}", _state[bad]);
                    break;
                }

                string? runaway = FiniteGuard.LatentRunaway(step * s.Dt, _state.AsSpan(0, _net.K), _exp);
                if (runaway is not null)
                {
                    status = SimulationStatus.Exploded;
                    detail = runaway;
                    break;
                }

                if (progress is not null && step % reportEvery == 0)
                {
                    progress.Report((double)step / steps);
                }
            }

            progress?.Report(1.0);
            long simulated = Math.Min(step, steps);
            double[]? recordedRates = rates is null ? null : rates.AsSpan(0, recorded * n).ToArray();
            return recorder.Finish("rate", simulated, status, detail, recordedRates);
        }

        /// <summary>One dt: RK4 substeps from grid point step − 1 to step.</summary>
        private void Advance(long step)
        {
            var s = _exp.Settings;
            Array.Copy(_xNow, _xPrev, _xNow.Length);
            for (int d = 0; d < _net.M; d++)
            {
                _xNow[d] = _inputs[d].At(step);
            }

            // Constant over the step, from the step's start, as the clock engine applies it.
            double tPrev = (step - 1) * s.Dt;
            _injections.LevelsAt(tPrev, _current);

            double h = s.Dt / _substeps;
            double hTheta = 1.0 / _substeps;
            int size = _state.Length;
            for (int sub = 0; sub < _substeps; sub++)
            {
                double theta = sub * hTheta;
                Derivative(step, theta, _state, _k[0]);
                Stage(_k[0], h / 2);
                Derivative(step, theta + (hTheta / 2), _stage, _k[1]);
                Stage(_k[1], h / 2);
                Derivative(step, theta + (hTheta / 2), _stage, _k[2]);
                Stage(_k[2], h);
                Derivative(step, theta + hTheta, _stage, _k[3]);
                for (int j = 0; j < size; j++)
                {
                    _state[j] += h / 6 * (_k[0][j] + (2 * _k[1][j]) + (2 * _k[2][j]) + _k[3][j]);
                }
            }

            if (_delayed)
            {
                Array.Copy(_state, _history[step % _history.Length], _net.K);
            }
        }

        private void Stage(double[] slope, double h)
        {
            for (int j = 0; j < _state.Length; j++)
            {
                _stage[j] = _state[j] + (h * slope[j]);
            }
        }

        /// <summary>The state's time derivative at time (step − 1 + θ)·dt.</summary>
        private void Derivative(long step, double theta, double[] state, double[] derivative)
        {
            for (int d = 0; d < _net.M; d++)
            {
                _x[d] = ((1 - theta) * _xPrev[d]) + (theta * _xNow[d]);
            }

            See(step - 1, theta, state);
            int kk = _net.K;
            Array.Clear(derivative);
            for (int q = 0; q < _pops; q++)
            {
                int lo = _net.PopulationOffsets[q];
                int hi = _net.PopulationOffsets[q + 1];
                int[] touched = _net.LatentsOfPopulation[q];
                double[] seen = _seen[q];
                double beta = _beta[q];
                double scale = _rateScale[q];
                double filtered = state[kk + q];
                for (int i = lo; i < hi; i++)
                {
                    double r = scale * RateTwin.Sigmoid(beta, Drive(i, seen) + filtered);
                    foreach (int k in touched)
                    {
                        derivative[k] += _net.DecoderRows[(i * kk) + k] * r;
                    }
                }

                derivative[kk + q] = _current[q] - filtered;
            }

            for (int k = 0; k < kk; k++)
            {
                derivative[k] -= state[k];
            }
        }

        /// <summary>The distance to threshold F_i·x + E_i·y − T_i of neuron i for the latents its population sees.</summary>
        private double Drive(int i, double[] seen)
        {
            double u = -_threshold[i];
            int m = _net.M;
            for (int d = 0; d < m; d++)
            {
                u += _net.Feedforward[(i * m) + d] * _x[d];
            }

            for (int k = 0; k < seen.Length; k++)
            {
                u += _net.EncoderColumns[k][i] * seen[k];
            }

            return u;
        }

        /// <summary>The latents each population sees at time (step + θ)·dt: current ones, or delayed grid values interpolated linearly.</summary>
        private void See(long step, double theta, double[] state)
        {
            for (int q = 0; q < _pops; q++)
            {
                double[] seen = _seen[q];
                int[] delays = _delaySteps[q];
                for (int k = 0; k < seen.Length; k++)
                {
                    int d = delays[k];
                    if (d == 0)
                    {
                        seen[k] = state[k];
                        continue;
                    }

                    // (step − d) and (step − d + 1) are stored grid points (d ≥ 1), or before t = 0: the initial value.
                    long a = Math.Max(0, step - d);
                    long b = Math.Max(0, step - d + 1);
                    seen[k] = ((1 - theta) * _history[a % _history.Length][k]) + (theta * _history[b % _history.Length][k]);
                }
            }
        }

        /// <summary>Every neuron's rate for the current state (x already in place, latents seen at the same time).</summary>
        private void Rates(double[] state, Span<double> into)
        {
            int kk = _net.K;
            for (int q = 0; q < _pops; q++)
            {
                for (int i = _net.PopulationOffsets[q]; i < _net.PopulationOffsets[q + 1]; i++)
                {
                    into[i] = _rateScale[q] * RateTwin.Sigmoid(_beta[q], Drive(i, _seen[q]) + state[kk + q]);
                }
            }
        }
    }
}
