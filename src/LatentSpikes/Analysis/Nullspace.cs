using LatentSpikes.Simulation;

namespace LatentSpikes.Analysis;

/// <summary>How a population's filtered activity splits between its decoder directions and their nullspace.</summary>
/// <param name="Population">Population index.</param>
/// <param name="FilterTau">Time constant of the exponential filter of the spike trains (τ).</param>
/// <param name="Start">Window start (τ).</param>
/// <param name="Stop">Window end (τ).</param>
/// <param name="Trials">Number of trials.</param>
/// <param name="Samples">Samples per trial used (the recording grid in the window, thinned to bound memory).</param>
/// <param name="DecoderDimensions">Dimension k of the readout subspace spanned by the decoders of the latents the population drives.</param>
/// <param name="NullDimensions">Dimension N − k of its orthogonal complement.</param>
/// <param name="ReadoutVariance">Variance of r(t) inside the readout subspace, summed over its k dimensions.</param>
/// <param name="NullspaceVariance">Variance of r(t) in the orthogonal complement, summed over its N − k dimensions.</param>
/// <param name="TopNullspaceVariance">Largest variance along any single direction of the complement (its top principal component).</param>
/// <param name="Times">Sample times of the first trial (τ).</param>
/// <param name="ReadoutProjections">First trial: r(t) projected on each orthonormalised decoder direction, [dimension][sample].</param>
/// <param name="TopNullspaceProjection">First trial: r(t) projected on the top nullspace direction.</param>
public sealed record NullspaceReport(
    int Population,
    double FilterTau,
    double Start,
    double Stop,
    int Trials,
    int Samples,
    int DecoderDimensions,
    int NullDimensions,
    double ReadoutVariance,
    double NullspaceVariance,
    double TopNullspaceVariance,
    double[] Times,
    double[][] ReadoutProjections,
    double[] TopNullspaceProjection)
{
    /// <summary>Readout variance per readout dimension.</summary>
    public double ReadoutVariancePerDimension => DecoderDimensions == 0 ? double.NaN : ReadoutVariance / DecoderDimensions;

    /// <summary>Nullspace variance per nullspace dimension.</summary>
    public double NullspaceVariancePerDimension => NullDimensions == 0 ? double.NaN : NullspaceVariance / NullDimensions;

    /// <summary>Top nullspace direction's variance over the readout variance per dimension: the Fig. 7 comparison.</summary>
    public double TopRatio => TopNullspaceVariance / ReadoutVariancePerDimension;
}

/// <summary>
/// Noise in the decoder nullspace (seed 002 §3.3, Fig. 7). The filtered spike trains r_i (ṙ = −r + s, eq. 2.4) of a
/// population form a vector r(t); its latents are projections y_k = D_k·r. When noise makes neurons take turns
/// (Fig. 7d-e), r(t) diffuses along the thresholds, orthogonally to the decoders, while the readout stays precise:
/// the variance in the nullspace of the decoders greatly exceeds the variance along them (Fig. 7f).
/// </summary>
/// <remarks>
/// Variances are over time within each trial (about that trial's own mean), averaged over trials, so the window should
/// hold a steady state (a constant input after the transient, as in Fig. 7). Readout directions are the decoders of
/// every latent the population drives (its own and any cross readouts), orthonormalised. Per-dimension figures dilute
/// with silent neurons, which add dimensions without variance; the top nullspace direction does not.
/// </remarks>
public static class Nullspace
{
    /// <summary>Most stored rate values (samples × neurons × trials) before the samples are thinned: 64 MB.</summary>
    public const long MaxStoredValues = 8_000_000;

    /// <summary>
    /// Exponentially filtered spike trains r_i(t) = Σ_{t_s ≤ t} e^{−(t − t_s)/τ_f} at the given ascending times,
    /// [sample][neuron]. With τ_f = 1 (the membrane τ) a population's latent is y = D·r exactly.
    /// </summary>
    /// <param name="trains">Sorted spike times per neuron.</param>
    /// <param name="times">Ascending sample times.</param>
    /// <param name="tau">Filter time constant τ_f (τ).</param>
    public static double[][] FilteredRates(IReadOnlyList<double[]> trains, IReadOnlyList<double> times, double tau = 1.0)
    {
        ArgumentNullException.ThrowIfNull(trains);
        ArgumentNullException.ThrowIfNull(times);
        if (!(tau > 0) || !double.IsFinite(tau))
        {
            throw new ArgumentException($"the filter time constant must be a positive number (got {tau})", nameof(tau));
        }

        int n = trains.Count;
        var rates = new double[times.Count][];
        var value = new double[n];
        var next = new int[n];
        double last = times.Count > 0 ? times[0] : 0;
        for (int j = 0; j < times.Count; j++)
        {
            double t = times[j];
            double decay = Math.Exp(-(t - last) / tau);
            last = t;
            var row = new double[n];
            for (int i = 0; i < n; i++)
            {
                double v = value[i] * decay;
                double[] s = trains[i];

                // Spike times and sample times are both multiples of dt; the tolerance keeps a spike at t in r(t).
                while (next[i] < s.Length && s[next[i]] <= t + 1e-12)
                {
                    v += Math.Exp(-(t - s[next[i]]) / tau);
                    next[i]++;
                }

                value[i] = v;
                row[i] = v;
            }

            rates[j] = row;
        }

        return rates;
    }

    /// <summary>
    /// Orthonormal basis (Gram-Schmidt) of the span of the given decoder vectors; vectors already (numerically) in the
    /// span of the previous ones are dropped.
    /// </summary>
    public static double[][] OrthonormalBasis(IReadOnlyList<IReadOnlyList<double>> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        var basis = new List<double[]>();
        foreach (var v in vectors)
        {
            var u = v.ToArray();
            double original = Norm(u);
            foreach (var q in basis)
            {
                double c = Dot(q, u);
                for (int i = 0; i < u.Length; i++)
                {
                    u[i] -= c * q[i];
                }
            }

            double norm = Norm(u);
            if (norm > 1e-10 * Math.Max(original, double.Epsilon) && norm > 0)
            {
                for (int i = 0; i < u.Length; i++)
                {
                    u[i] /= norm;
                }

                basis.Add(u);
            }
        }

        return basis.ToArray();
    }

    /// <summary>
    /// The split of variance between the readout subspace spanned by <paramref name="decoders"/> and its complement,
    /// from filtered rates of several trials, [trial][sample][neuron].
    /// </summary>
    public static NullspaceReport Analyze(IReadOnlyList<double[][]> trialRates, IReadOnlyList<double> firstTrialTimes, IReadOnlyList<IReadOnlyList<double>> decoders, int population = 0, double filterTau = 1.0, double start = double.NaN, double stop = double.NaN)
    {
        ArgumentNullException.ThrowIfNull(trialRates);
        ArgumentNullException.ThrowIfNull(firstTrialTimes);
        ArgumentNullException.ThrowIfNull(decoders);
        if (trialRates.Count == 0 || trialRates.Any(t => t.Length < 2))
        {
            throw new ArgumentException("every trial needs at least two samples", nameof(trialRates));
        }

        int n = trialRates[0][0].Length;
        if (trialRates.Any(t => t.Any(row => row.Length != n)) || decoders.Any(d => d.Count != n))
        {
            throw new ArgumentException($"every sample and decoder needs {n} entries, one per neuron", nameof(decoders));
        }

        double[][] q = OrthonormalBasis(decoders);
        int k = q.Length;

        // Centre each trial on its own time-mean and split every sample into its readout coordinates and the rest.
        var nullSamples = new List<double[]>();
        double readoutVar = 0;
        double nullVar = 0;
        var firstReadout = new double[k][];
        double[][] firstRates = [];
        for (int r = 0; r < trialRates.Count; r++)
        {
            double[][] rates = trialRates[r];
            int s = rates.Length;
            var mean = new double[n];
            foreach (var row in rates)
            {
                for (int i = 0; i < n; i++)
                {
                    mean[i] += row[i] / s;
                }
            }

            double trialReadout = 0;
            double trialNull = 0;
            for (int j = 0; j < s; j++)
            {
                var x = new double[n];
                for (int i = 0; i < n; i++)
                {
                    x[i] = rates[j][i] - mean[i];
                }

                foreach (var qd in q)
                {
                    double c = Dot(qd, x);
                    trialReadout += c * c;
                    for (int i = 0; i < n; i++)
                    {
                        x[i] -= c * qd[i];
                    }
                }

                trialNull += Dot(x, x);
                nullSamples.Add(x);
            }

            readoutVar += trialReadout / s / trialRates.Count;
            nullVar += trialNull / s / trialRates.Count;
            if (r == 0)
            {
                for (int d = 0; d < k; d++)
                {
                    firstReadout[d] = rates.Select(row => Dot(q[d], row)).ToArray();
                }

                firstRates = rates;
            }
        }

        var (top, direction) = TopComponent(nullSamples, n);
        double[] topProjection = firstRates.Select(row => direction is null ? 0.0 : Dot(direction, row)).ToArray();
        return new NullspaceReport(population, filterTau, start, stop, trialRates.Count, trialRates[0].Length, k, n - k,
            readoutVar, nullVar, top, firstTrialTimes.ToArray(), firstReadout, topProjection);
    }

    /// <summary>
    /// The nullspace analysis of one population over trials of an experiment, from spike trains filtered with
    /// time constant <paramref name="filterTau"/> and sampled on the recording grid in (start, stop] (default:
    /// the whole run; leave out the initial transient).
    /// </summary>
    public static NullspaceReport Analyze(IReadOnlyList<SimulationResult> trials, int population, double filterTau = 1.0, double? start = null, double? stop = null)
    {
        var (a, b) = TrialStatistics.Window(trials, start, stop);
        var net = trials[0].Experiment.Network;
        ArgumentOutOfRangeException.ThrowIfNegative(population);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(population, net.Populations.Count);
        var pop = net.Populations[population];
        var decoders = net.Latents.Where(l => string.Equals(l.Source, pop.Name, StringComparison.Ordinal)).Select(l => l.Decoders).ToArray();
        var rates = new List<double[][]>();
        double[] firstTimes = [];
        foreach (var result in trials)
        {
            var times = result.Times.Where(t => t > a && t <= b).ToArray();
            if (times.Length < 2)
            {
                throw new ArgumentException($"the window ({a}, {b}] holds fewer than two recorded samples", nameof(trials));
            }

            // Thin the samples so all trials together stay within MaxStoredValues.
            long perTrial = Math.Max(2, MaxStoredValues / Math.Max(1, (long)pop.Size * trials.Count));
            int stride = (int)Math.Max(1, (times.Length + perTrial - 1) / perTrial);
            var sampled = times.Where((_, j) => j % stride == 0).ToArray();
            rates.Add(FilteredRates(SpikeTrains.OfPopulation(result, population), sampled, filterTau));
            if (firstTimes.Length == 0)
            {
                firstTimes = sampled;
            }
        }

        return Analyze(rates, firstTimes, decoders, population, filterTau, a, b);
    }

    /// <summary>Top eigenvalue and eigenvector of the sample covariance (1/S)·Σ x·xᵀ, by power iteration without forming it.</summary>
    private static (double Value, double[]? Vector) TopComponent(List<double[]> samples, int n)
    {
        if (n == 0 || samples.Count == 0)
        {
            return (0, null);
        }

        // A fixed, generic start vector keeps the result deterministic; projecting it is unnecessary because every
        // sample already lies in the nullspace, so one multiplication puts the iterate there.
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = 1.0 + (0.5 * Math.Sin(1.7 * (i + 1)));
        }

        Normalise(v);
        double lambda = 0;
        var w = new double[n];
        for (int iter = 0; iter < 300; iter++)
        {
            Array.Clear(w);
            foreach (var x in samples)
            {
                double c = Dot(x, v);
                for (int i = 0; i < n; i++)
                {
                    w[i] += c * x[i];
                }
            }

            for (int i = 0; i < n; i++)
            {
                w[i] /= samples.Count;
            }

            double next = Dot(v, w);
            double norm = Norm(w);
            if (norm == 0)
            {
                return (0, null);
            }

            for (int i = 0; i < n; i++)
            {
                v[i] = w[i] / norm;
            }

            if (iter > 5 && Math.Abs(next - lambda) <= 1e-9 * Math.Abs(next))
            {
                lambda = next;
                break;
            }

            lambda = next;
        }

        return (lambda, v);
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    private static void Normalise(double[] a)
    {
        double norm = Norm(a);
        for (int i = 0; i < a.Length; i++)
        {
            a[i] /= norm;
        }
    }
}
