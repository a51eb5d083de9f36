using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Analysis;

/// <summary>Inter-spike-interval statistics of one neuron.</summary>
/// <param name="Cv">Coefficient of variation SD/mean of the intervals (NaN with fewer than two intervals).</param>
/// <param name="Intervals">Number of intervals.</param>
/// <param name="MeanInterval">Mean interval (τ; NaN without intervals).</param>
public readonly record struct IsiCv(double Cv, int Intervals, double MeanInterval);

/// <summary>ISI statistics of a population, per neuron and pooled.</summary>
/// <param name="Neurons">Per neuron, intervals pooled over trials (only intervals between consecutive spikes of one trial).</param>
/// <param name="MinIntervals">Neurons with fewer intervals are left out of <see cref="MeanCv"/>.</param>
/// <param name="MeanCv">Mean of the per-neuron CVs over neurons with at least <see cref="MinIntervals"/> intervals (NaN if none).</param>
/// <param name="NeuronsCounted">Neurons entering <see cref="MeanCv"/>.</param>
/// <param name="PooledCv">CV of all intervals of all neurons pooled (mixes neurons of different rates, so it exceeds the per-neuron CVs when rates differ).</param>
public sealed record IsiStatistics(IsiCv[] Neurons, int MinIntervals, double MeanCv, int NeuronsCounted, double PooledCv);

/// <summary>Spike-count statistics across trials, per neuron, in one window.</summary>
/// <param name="Start">Window start (τ); the window is (Start, Stop].</param>
/// <param name="Stop">Window end (τ).</param>
/// <param name="Trials">Number of trials R.</param>
/// <param name="Mean">Mean count per neuron.</param>
/// <param name="Variance">Variance of the count per neuron (divisor R, as <c>np.std</c> in the authors' Fig. S2 script).</param>
/// <param name="Cv">Count CV, SD/mean (NaN for a neuron that never fired).</param>
/// <param name="Fano">Fano factor, variance/mean (NaN for a neuron that never fired).</param>
public sealed record CountStatistics(double Start, double Stop, int Trials, double[] Mean, double[] Variance, double[] Cv, double[] Fano)
{
    /// <summary>Mean count CV over neurons that fired (NaN if none did).</summary>
    public double MeanCv => MeanOfFinite(Cv);

    /// <summary>Mean Fano factor over neurons that fired (NaN if none did).</summary>
    public double MeanFano => MeanOfFinite(Fano);

    private static double MeanOfFinite(double[] values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length == 0 ? double.NaN : finite.Average();
    }
}

/// <summary>One noise level of the recurrent-versus-feedforward sweep.</summary>
/// <param name="Sigma">Noise std σ given to every population.</param>
/// <param name="Recurrent">Count statistics of the network itself, all neurons in global order.</param>
/// <param name="Feedforward">Count statistics of its feedforward variant, same neurons.</param>
/// <param name="RecurrentCv">Count CV of the focus neuron in the recurrent network.</param>
/// <param name="FeedforwardCv">Count CV of the focus neuron in the feedforward variant.</param>
public sealed record NoiseSweepPoint(double Sigma, CountStatistics Recurrent, CountStatistics Feedforward, double RecurrentCv, double FeedforwardCv);

/// <summary>The Fig. S2 comparison: spike-count CV against noise, recurrent network versus feedforward variant.</summary>
/// <param name="Population">Population of the focus neuron.</param>
/// <param name="Neuron">Focus neuron within its population.</param>
/// <param name="Trials">Trials per noise level and variant.</param>
/// <param name="Start">Count window start (τ).</param>
/// <param name="Stop">Count window end (τ).</param>
/// <param name="Points">One entry per noise level, in the order given.</param>
public sealed record NoiseSweep(int Population, int Neuron, int Trials, double Start, double Stop, IReadOnlyList<NoiseSweepPoint> Points);

/// <summary>
/// Irregularity of spiking (seed 002 §3.2 and App. F): inter-spike-interval CV per neuron and pooled, spike-count
/// CV and Fano factor across trials, and the recurrent-versus-feedforward noise sweep of Fig. S2 showing that the
/// irregularity comes from the recurrent architecture, not from the small injected noise.
/// </summary>
public static class Irregularity
{
    /// <summary>
    /// CV = SD/mean of the intervals between consecutive spikes that both fall in (start, stop]. SD uses divisor n
    /// (the number of intervals), like the count statistics. A regular train has CV 0, a Poisson train CV 1.
    /// </summary>
    public static IsiCv IsiCv(IReadOnlyList<double> spikeTimes, double start = double.NegativeInfinity, double stop = double.PositiveInfinity)
    {
        ArgumentNullException.ThrowIfNull(spikeTimes);
        var intervals = new List<double>();
        AddIntervals(spikeTimes, start, stop, intervals);
        return Cv(intervals);
    }

    /// <summary>ISI statistics per neuron, with each neuron's intervals pooled over trials, and summaries over the population.</summary>
    /// <param name="trials">Spike times [trial][neuron], each sorted.</param>
    /// <param name="start">Window start (τ).</param>
    /// <param name="stop">Window end (τ).</param>
    /// <param name="minIntervals">Neurons with fewer intervals are left out of the mean CV.</param>
    public static IsiStatistics IsiStatistics(IReadOnlyList<IReadOnlyList<double[]>> trials, double start, double stop, int minIntervals = 5)
    {
        int n = SpikeTrains.CheckTrials(trials, nameof(trials));
        SpikeTrains.CheckWindow(start, stop);
        ArgumentOutOfRangeException.ThrowIfLessThan(minIntervals, 2);
        var neurons = new IsiCv[n];
        var pooled = new List<double>();
        var intervals = new List<double>();
        for (int i = 0; i < n; i++)
        {
            intervals.Clear();
            foreach (var trial in trials)
            {
                AddIntervals(trial[i], start, stop, intervals);
            }

            neurons[i] = Cv(intervals);
            pooled.AddRange(intervals);
        }

        var counted = neurons.Where(c => c.Intervals >= minIntervals && double.IsFinite(c.Cv)).ToArray();
        double meanCv = counted.Length == 0 ? double.NaN : counted.Average(c => c.Cv);
        return new IsiStatistics(neurons, minIntervals, meanCv, counted.Length, Cv(pooled).Cv);
    }

    /// <summary>ISI statistics of one population over trials of an experiment (default window: the whole run).</summary>
    public static IsiStatistics IsiStatistics(IReadOnlyList<SimulationResult> trials, int population, double? start = null, double? stop = null, int minIntervals = 5)
    {
        var (a, b) = TrialStatistics.Window(trials, start, stop);
        return IsiStatistics(SpikeTrains.OfPopulation(trials, population), a, b, minIntervals);
    }

    /// <summary>Spike-count mean, variance, CV and Fano factor across trials for every neuron, counting spikes in (start, stop].</summary>
    /// <param name="trials">Spike times [trial][neuron], each sorted.</param>
    /// <param name="start">Window start (τ).</param>
    /// <param name="stop">Window end (τ).</param>
    public static CountStatistics SpikeCounts(IReadOnlyList<IReadOnlyList<double[]>> trials, double start, double stop)
    {
        int n = SpikeTrains.CheckTrials(trials, nameof(trials));
        SpikeTrains.CheckWindow(start, stop);
        var counts = new int[trials.Count][];
        for (int r = 0; r < trials.Count; r++)
        {
            counts[r] = new int[n];
            for (int i = 0; i < n; i++)
            {
                counts[r][i] = SpikeTrains.CountIn(trials[r][i], start, stop);
            }
        }

        return FromCounts(counts, start, stop);
    }

    /// <summary>Spike-count statistics of one population over trials of an experiment (default window: the whole run).</summary>
    public static CountStatistics SpikeCounts(IReadOnlyList<SimulationResult> trials, int population, double? start = null, double? stop = null)
    {
        var (a, b) = TrialStatistics.Window(trials, start, stop);
        return SpikeCounts(SpikeTrains.OfPopulation(trials, population), a, b);
    }

    /// <summary>Count statistics from a table of counts [trial][neuron].</summary>
    public static CountStatistics FromCounts(IReadOnlyList<int[]> counts, double start, double stop)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count == 0)
        {
            throw new ArgumentException("at least one trial is needed", nameof(counts));
        }

        int n = counts[0].Length;
        int trials = counts.Count;
        var mean = new double[n];
        var variance = new double[n];
        var cv = new double[n];
        var fano = new double[n];
        for (int i = 0; i < n; i++)
        {
            double m = 0;
            for (int r = 0; r < trials; r++)
            {
                m += counts[r][i];
            }

            m /= trials;
            double ss = 0;
            for (int r = 0; r < trials; r++)
            {
                double d = counts[r][i] - m;
                ss += d * d;
            }

            mean[i] = m;
            variance[i] = ss / trials;
            cv[i] = m > 0 ? Math.Sqrt(variance[i]) / m : double.NaN;
            fano[i] = m > 0 ? variance[i] / m : double.NaN;
        }

        return new CountStatistics(start, stop, trials, mean, variance, cv, fano);
    }

    /// <summary>
    /// The Fig. S2 sweep: for each noise level σ (given to every population), run <paramref name="trials"/> trials of
    /// the network and of its <see cref="NetworkVariants.Feedforward"/> variant, and compute every neuron's spike-count
    /// CV across trials in (start, stop]. Both variants use the same seed and trial indices, so their neurons see
    /// identical noise: the comparison changes the recurrence and nothing else. The focus neuron (the paper follows one
    /// neuron, the one coding the input) defaults to the neuron with the highest mean count in the recurrent network
    /// at the first noise level.
    /// </summary>
    /// <param name="experiment">The network, its input and settings (the seed is kept; noise levels replace its σ).</param>
    /// <param name="noiseLevels">Noise stds σ to sweep.</param>
    /// <param name="trials">Trials per noise level and variant (the paper uses 500), run by <see cref="BatchedEngine"/>.</param>
    /// <param name="start">Count window start (τ); leave out the initial transient.</param>
    /// <param name="stop">Count window end (τ); default the end of the run.</param>
    /// <param name="focus">Population and neuron to report; default as described above.</param>
    /// <param name="threads">Trials run at once; 0 uses every core. Results do not depend on it.</param>
    /// <param name="cancellationToken">Stops the sweep.</param>
    /// <exception cref="ModelValidationException">When the feedforward variant cannot be built.</exception>
    /// <exception cref="InvalidOperationException">When a trial's activity ran away.</exception>
    public static NoiseSweep RecurrentVsFeedforward(
        Experiment experiment,
        IReadOnlyList<double> noiseLevels,
        int trials,
        double start,
        double? stop = null,
        (int Population, int Neuron)? focus = null,
        int threads = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(noiseLevels);
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 2);
        if (noiseLevels.Count == 0 || noiseLevels.Any(s => !(s >= 0) || !double.IsFinite(s)))
        {
            throw new ArgumentException("give at least one noise level, each a finite number ≥ 0", nameof(noiseLevels));
        }

        double end = stop ?? experiment.Settings.Duration;
        SpikeTrains.CheckWindow(start, end);
        var order = SpikeTrains.GlobalOrder(experiment.Network);
        int focusIndex = -1;
        if (focus is { } f)
        {
            focusIndex = Array.IndexOf(order, f);
            if (focusIndex < 0)
            {
                throw new ArgumentException($"no neuron {f.Neuron} in population {f.Population}", nameof(focus));
            }
        }

        // Latents are not needed: record them once per run only, which keeps each trial's memory to its spikes.
        var lean = experiment.Settings with { RecordEvery = (int)Math.Clamp(experiment.Settings.StepCount, 1, int.MaxValue) };
        var feedforward = NetworkVariants.Feedforward(experiment.WithSettings(lean));
        var points = new List<NoiseSweepPoint>();
        foreach (double sigma in noiseLevels)
        {
            var recurrentCounts = CountTrials(NetworkVariants.WithNoise(experiment.WithSettings(lean), sigma), "recurrent", sigma, trials, start, end, threads, cancellationToken);
            var feedforwardCounts = CountTrials(NetworkVariants.WithNoise(feedforward, sigma), "feedforward", sigma, trials, start, end, threads, cancellationToken);
            var rec = FromCounts(recurrentCounts, start, end);
            var ff = FromCounts(feedforwardCounts, start, end);
            if (focusIndex < 0)
            {
                focusIndex = Array.IndexOf(rec.Mean, rec.Mean.Max());
            }

            points.Add(new NoiseSweepPoint(sigma, rec, ff, rec.Cv[focusIndex], ff.Cv[focusIndex]));
        }

        var (fp, fn) = order[focusIndex];
        return new NoiseSweep(fp, fn, trials, start, end, points);
    }

    private static int[][] CountTrials(Experiment experiment, string variant, double sigma, int trials, double start, double stop, int threads, CancellationToken ct)
    {
        int n = experiment.Network.NeuronCount;
        var offsets = new int[experiment.Network.Populations.Count];
        for (int p = 1; p < offsets.Length; p++)
        {
            offsets[p] = offsets[p - 1] + experiment.Network.Populations[p - 1].Size;
        }

        var batch = new BatchedEngine(threads).Run(experiment, trials, cancellationToken: ct);
        return batch.Trials.Select(result =>
        {
            if (result.Status != SimulationStatus.Completed)
            {
                throw new InvalidOperationException($"the {variant} network at σ = {sigma} ran away in a trial: {result.StatusDetail}");
            }

            var counts = new int[n];
            foreach (var s in result.Spikes)
            {
                if (s.Time > start && s.Time <= stop)
                {
                    counts[offsets[s.Population] + s.Neuron]++;
                }
            }

            return counts;
        }).ToArray();
    }

    private static void AddIntervals(IReadOnlyList<double> times, double start, double stop, List<double> into)
    {
        bool have = false;
        double last = 0;
        foreach (double t in times)
        {
            if (t <= start || t > stop)
            {
                continue;
            }

            if (have)
            {
                into.Add(t - last);
            }

            last = t;
            have = true;
        }
    }

    private static IsiCv Cv(List<double> intervals)
    {
        int n = intervals.Count;
        if (n == 0)
        {
            return new IsiCv(double.NaN, 0, double.NaN);
        }

        double mean = intervals.Average();
        if (n < 2)
        {
            return new IsiCv(double.NaN, n, mean);
        }

        double ss = 0;
        foreach (double d in intervals)
        {
            ss += (d - mean) * (d - mean);
        }

        return new IsiCv(Math.Sqrt(ss / n) / mean, n, mean);
    }
}
