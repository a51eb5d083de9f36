using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Analysis;

/// <summary>Excitatory and inhibitory input of one neuron over time (Fig. 8d, top) and the voltage they sum to.</summary>
/// <param name="Population">Population index.</param>
/// <param name="Neuron">Neuron within the population.</param>
/// <param name="Times">Recording grid (τ).</param>
/// <param name="Excitatory">Sum of the positive terms, E(t) ≥ 0.</param>
/// <param name="Inhibitory">Sum of the negative terms, I(t) ≤ 0.</param>
/// <param name="Voltage">V(t) = E(t) + I(t): the neuron's voltage without its filtered noise (threshold 1).</param>
public sealed record CurrentTrace(int Population, int Neuron, double[] Times, double[] Excitatory, double[] Inhibitory, double[] Voltage);

/// <summary>Balance of one neuron over a window, averaged over trials.</summary>
/// <param name="Population">Population index.</param>
/// <param name="Neuron">Neuron within the population.</param>
/// <param name="Spikes">Spikes in the window, summed over trials.</param>
/// <param name="MeanExcitatory">Time-mean of E(t).</param>
/// <param name="MeanInhibitory">Time-mean of I(t).</param>
/// <param name="MeanVoltage">Time-mean of V(t) = E + I.</param>
/// <param name="MaxVoltage">Largest V(t) in the window over all trials.</param>
/// <param name="Correlation">Pearson correlation of E(t) and I(t) over time (mean over trials; NaN if either is constant). Strongly negative when inhibition tracks excitation.</param>
/// <param name="NetToGross">⟨|E + I|⟩ / ⟨E − I⟩ ∈ [0, 1]: 0 when E and I cancel exactly, 1 when the input is one-sided.</param>
/// <param name="Silent">No spike in the window in any trial.</param>
/// <param name="Hyperpolarised">Silent, with a voltage that stays at least the margin below the threshold 1 throughout the window.</param>
public sealed record NeuronBalance(
    int Population,
    int Neuron,
    int Spikes,
    double MeanExcitatory,
    double MeanInhibitory,
    double MeanVoltage,
    double MaxVoltage,
    double Correlation,
    double NetToGross,
    bool Silent,
    bool Hyperpolarised);

/// <summary>Balance of every neuron of a network over a window.</summary>
/// <param name="Start">Window start (τ).</param>
/// <param name="Stop">Window end (τ).</param>
/// <param name="Trials">Number of trials.</param>
/// <param name="Margin">Distance below threshold that makes a silent neuron hyperpolarised.</param>
/// <param name="Neurons">All neurons, in global order.</param>
public sealed record BalanceReport(double Start, double Stop, int Trials, double Margin, IReadOnlyList<NeuronBalance> Neurons)
{
    /// <summary>Mean E-I correlation over the neurons that spiked (NaN if none did).</summary>
    public double ActiveMeanCorrelation => MeanOver(n => !n.Silent, n => n.Correlation);

    /// <summary>Mean net-to-gross ratio over the neurons that spiked (NaN if none did).</summary>
    public double ActiveMeanNetToGross => MeanOver(n => !n.Silent, n => n.NetToGross);

    /// <summary>Number of hyperpolarised silent neurons.</summary>
    public int HyperpolarisedCount => Neurons.Count(n => n.Hyperpolarised);

    private double MeanOver(Func<NeuronBalance, bool> which, Func<NeuronBalance, double> value)
    {
        var v = Neurons.Where(which).Select(value).Where(double.IsFinite).ToArray();
        return v.Length == 0 ? double.NaN : v.Average();
    }
}

/// <summary>
/// Excitatory-inhibitory balance (seed 002 §3.4, Fig. 8d). A neuron's voltage in integrated form is
/// V_i = F_i·x + Σ_k E_ik·y_k + b_i (eq. 2.10, 2.35) plus the soft-refractory term −μ·r_i (eq. 3.3), the filtered
/// stimulation current and filtered noise. Every term except the noise is computed from the recorded inputs, latents
/// and spikes, and split <b>by its sign at each time</b>: E(t) sums the positive terms, I(t) the negative ones. Terms
/// are: each input dimension F_im·x_m, the bias b_i = 1 − T_i (the background current of eq. 2.1), each latent
/// E_ik·y_k, the filtered stimulation current and −μ·r_i. In a Dale network (E and I populations, encoders ≥ 0) a
/// latent's term has the sign of its source population (y_E ≥ 0, y_I ≤ 0), so this equals splitting recurrent input
/// by the Dale class of its source, as the authors' Fig. 8 does (their V_pos = E^EE·y_E + F·x, V_neg = E^EI·y_I).
/// </summary>
/// <remarks>
/// The reconstruction is the engine's voltage up to the Euler error and the noise: the engine integrates the leak with
/// a step of dt and delivers a spike's jump one step later, while the latents decay exactly. The latents are read on
/// the recording grid (<c>record_every</c>), so a coarse grid gives a coarse trace.
/// </remarks>
public static class Balance
{
    /// <summary>E(t), I(t) and V(t) of one neuron on the run's recording grid.</summary>
    public static CurrentTrace Currents(SimulationResult result, int population, int neuron)
    {
        ArgumentNullException.ThrowIfNull(result);
        var net = result.Experiment.Network;
        ArgumentOutOfRangeException.ThrowIfNegative(population);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(population, net.Populations.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(neuron);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(neuron, net.Populations[population].Size);
        var context = new Context(result);
        var (e, i) = context.Split(population, neuron);
        var v = new double[e.Length];
        for (int j = 0; j < v.Length; j++)
        {
            v[j] = e[j] + i[j];
        }

        return new CurrentTrace(population, neuron, result.Times.ToArray(), e, i, v);
    }

    /// <summary>
    /// Balance of every neuron over the window (start, stop] (default: the whole run), averaged over trials.
    /// Silent neurons are those that never spike in the window; hyperpolarised ones are silent and their voltage
    /// (without noise) never rises above 1 − <paramref name="margin"/> (Fig. 8d, bottom: the neuron E2, whose boundary
    /// lies away from the network's state, sits below threshold). Using the largest voltage rather than the mean keeps
    /// a neuron of a busy homogeneous population that merely happened not to fire from counting as hyperpolarised:
    /// its voltage still reaches the threshold.
    /// </summary>
    /// <param name="trials">Runs of one experiment.</param>
    /// <param name="start">Window start (τ).</param>
    /// <param name="stop">Window end (τ).</param>
    /// <param name="margin">Distance below the threshold 1, in voltage units, that counts as hyperpolarised.</param>
    public static BalanceReport Analyze(IReadOnlyList<SimulationResult> trials, double? start = null, double? stop = null, double margin = 0.25)
    {
        var (a, b) = TrialStatistics.Window(trials, start, stop);
        if (!(margin >= 0) || !double.IsFinite(margin))
        {
            throw new ArgumentException($"the margin must be a finite number ≥ 0 (got {margin})", nameof(margin));
        }

        var net = trials[0].Experiment.Network;
        var order = SpikeTrains.GlobalOrder(net);
        var acc = new Accumulator[order.Length];
        for (int g = 0; g < acc.Length; g++)
        {
            acc[g] = new Accumulator();
        }

        foreach (var result in trials)
        {
            if (result.Experiment.Network.NeuronCount != net.NeuronCount)
            {
                throw new ArgumentException("the trials are runs of different networks", nameof(trials));
            }

            var context = new Context(result);
            int[] samples = Enumerable.Range(0, result.Times.Count).Where(j => result.Times[j] > a && result.Times[j] <= b).ToArray();
            for (int g = 0; g < order.Length; g++)
            {
                var (p, n) = order[g];
                var (e, i) = context.Split(p, n);
                acc[g].Add(e, i, samples, context.SpikeCount(p, n, a, b));
            }
        }

        var neurons = new NeuronBalance[order.Length];
        for (int g = 0; g < order.Length; g++)
        {
            var (p, n) = order[g];
            neurons[g] = acc[g].Finish(p, n, margin);
        }

        return new BalanceReport(a, b, trials.Count, margin, neurons);
    }

    /// <summary>Pearson correlation of two equally long series (NaN if either is constant).</summary>
    public static double Correlation(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
        {
            throw new ArgumentException($"the series have {a.Count} and {b.Count} samples", nameof(b));
        }

        int n = a.Count;
        if (n < 2)
        {
            return double.NaN;
        }

        // Rounding leaves a constant series with a variance of order ε²·mean²: treat that as constant (MathNet would
        // return a meaningless ratio of rounding errors there).
        var (ma, va) = MathNet.Numerics.Statistics.ArrayStatistics.MeanVariance(a as double[] ?? [.. a]);
        var (mb, vb) = MathNet.Numerics.Statistics.ArrayStatistics.MeanVariance(b as double[] ?? [.. b]);
        double tol = 1e-24 * Math.Max(1, Math.Max(ma * ma, mb * mb));
        return va * (n - 1) / n <= tol || vb * (n - 1) / n <= tol ? double.NaN : MathNet.Numerics.Statistics.Correlation.Pearson(a, b);
    }

    /// <summary>Per-run data shared by every neuron: inputs, latents, filtered stimulation and spike trains.</summary>
    private sealed class Context
    {
        private readonly SimulationResult _result;
        private readonly LowRankNetwork _net;
        private readonly double[][] _inputs;
        private readonly double[][] _latents;
        private readonly double[][] _stimulation;
        private readonly double[][][] _trains;

        public Context(SimulationResult result)
        {
            _result = result;
            _net = result.Experiment.Network;
            _inputs = Enumerable.Range(0, _net.InputDimension).Select(result.Input).ToArray();
            _latents = _net.Latents.Select(l => result.Latent(l.Name)).ToArray();
            _stimulation = _net.Populations.Select((_, p) => FilteredStimulation(result, p)).ToArray();
            _trains = _net.Populations.Select((_, p) => SpikeTrains.OfPopulation(result, p)).ToArray();
        }

        public int SpikeCount(int population, int neuron, double start, double stop) =>
            SpikeTrains.CountIn(_trains[population][neuron], start, stop);

        public (double[] E, double[] I) Split(int population, int neuron)
        {
            var pop = _net.Populations[population];
            int t = _result.Times.Count;
            var e = new double[t];
            var inh = new double[t];
            double bias = pop.Bias(neuron);
            var ff = pop.FeedforwardRow(neuron).ToArray();
            var enc = pop.Encoders.Select(kv => (Latent: _latents[_net.LatentIndex(kv.Key)], Weight: kv.Value[neuron])).ToArray();
            double[] refractory = SelfRefractory(_trains[population][neuron], pop.SoftRefractory);
            double[] stim = _stimulation[population];
            for (int j = 0; j < t; j++)
            {
                double pos = 0, neg = 0;
                Add(bias, ref pos, ref neg);
                for (int m = 0; m < ff.Length; m++)
                {
                    Add(ff[m] * _inputs[m][j], ref pos, ref neg);
                }

                foreach (var (latent, weight) in enc)
                {
                    Add(weight * latent[j], ref pos, ref neg);
                }

                Add(stim[j], ref pos, ref neg);
                Add(refractory[j], ref pos, ref neg);
                e[j] = pos;
                inh[j] = neg;
            }

            return (e, inh);
        }

        /// <summary>−μ·r_i(t): the soft refractory cost decays with the membrane, like the latents (eq. 3.3).</summary>
        private double[] SelfRefractory(double[] spikes, double mu)
        {
            var times = _result.Times;
            var r = new double[times.Count];
            if (mu == 0 || spikes.Length == 0)
            {
                return r;
            }

            int next = 0;
            double value = 0;
            double last = times.Count > 0 ? times[0] : 0;
            for (int j = 0; j < times.Count; j++)
            {
                value *= Math.Exp(-(times[j] - last));
                last = times[j];
                while (next < spikes.Length && spikes[next] <= times[j] + 1e-12)
                {
                    value += Math.Exp(-(times[j] - spikes[next]));
                    next++;
                }

                r[j] = -mu * value;
            }

            return r;
        }

        private static void Add(double term, ref double pos, ref double neg)
        {
            if (term > 0)
            {
                pos += term;
            }
            else
            {
                neg += term;
            }
        }
    }

    /// <summary>
    /// The stimulation current of a population filtered by the membrane, on the recording grid: stepped with the
    /// engine's Euler rule u ← u + dt·(I(t_prev) − u), so it matches the simulated voltage.
    /// </summary>
    private static double[] FilteredStimulation(SimulationResult result, int population)
    {
        var exp = result.Experiment;
        var times = result.Times;
        var u = new double[times.Count];
        string name = exp.Network.Populations[population].Name;
        var windows = exp.Injections.Where(j => string.Equals(j.Population, name, StringComparison.Ordinal)).ToArray();
        if (windows.Length == 0)
        {
            return u;
        }

        double dt = exp.Settings.Dt;
        double value = 0;
        long step = 0;
        for (int j = 0; j < times.Count; j++)
        {
            long target = (long)Math.Round(times[j] / dt);
            for (; step < target; step++)
            {
                double tPrev = step * dt;
                double current = 0;
                foreach (var w in windows)
                {
                    if (tPrev >= w.Start && tPrev < w.Stop)
                    {
                        current += w.Amplitude;
                    }
                }

                value += dt * (current - value);
            }

            u[j] = value;
        }

        return u;
    }

    private sealed class Accumulator
    {
        private double _sumE;
        private double _sumI;
        private double _sumV;
        private double _sumAbsNet;
        private double _sumGross;
        private double _max = double.NegativeInfinity;
        private double _correlationSum;
        private int _correlationCount;
        private long _samples;
        private int _spikes;

        public void Add(double[] e, double[] i, int[] samples, int spikes)
        {
            _spikes += spikes;
            var es = new double[samples.Length];
            var isum = new double[samples.Length];
            for (int k = 0; k < samples.Length; k++)
            {
                int j = samples[k];
                double v = e[j] + i[j];
                _sumE += e[j];
                _sumI += i[j];
                _sumV += v;
                _sumAbsNet += Math.Abs(v);
                _sumGross += e[j] - i[j];
                _max = Math.Max(_max, v);
                es[k] = e[j];
                isum[k] = i[j];
            }

            _samples += samples.Length;
            double c = Correlation(es, isum);
            if (double.IsFinite(c))
            {
                _correlationSum += c;
                _correlationCount++;
            }
        }

        public NeuronBalance Finish(int population, int neuron, double margin)
        {
            double n = Math.Max(1, _samples);
            double meanV = _samples == 0 ? double.NaN : _sumV / n;
            bool silent = _spikes == 0;
            return new NeuronBalance(
                population,
                neuron,
                _spikes,
                _samples == 0 ? double.NaN : _sumE / n,
                _samples == 0 ? double.NaN : _sumI / n,
                meanV,
                _samples == 0 ? double.NaN : _max,
                _correlationCount == 0 ? double.NaN : _correlationSum / _correlationCount,
                _sumGross > 0 ? _sumAbsNet / _sumGross : double.NaN,
                silent,
                silent && _samples > 0 && _max <= 1 - margin);
        }
    }
}
