using LatentSpikes.Simulation;

namespace LatentSpikes.Analysis;

/// <summary>A trial average: the mean over trials and its standard error (sample SD/√R; NaN for one trial).</summary>
/// <param name="Mean">Mean over trials, one entry per sample.</param>
/// <param name="Sem">Standard error of the mean, one entry per sample.</param>
/// <param name="Trials">Number of trials R.</param>
public sealed record MeanSem(double[] Mean, double[] Sem, int Trials);

/// <summary>A peri-stimulus time histogram (PSTH) of one population.</summary>
/// <param name="Start">Start of the first bin (τ); bins are (Start + b·w, Start + (b+1)·w].</param>
/// <param name="BinWidth">Bin width w (τ).</param>
/// <param name="BinCentres">Centre of each bin (τ).</param>
/// <param name="NeuronRates">Trial-averaged rate of each neuron in each bin, [neuron][bin] (spikes per τ).</param>
/// <param name="PopulationRate">Rate averaged over the population's neurons, mean and SEM over trials (spikes per τ per neuron).</param>
public sealed record Psth(double Start, double BinWidth, double[] BinCentres, double[][] NeuronRates, MeanSem PopulationRate);

/// <summary>Gaussian-smoothed firing rates of one population on a time grid.</summary>
/// <param name="Times">Evaluation grid (τ).</param>
/// <param name="Sigma">Kernel standard deviation (τ).</param>
/// <param name="NeuronRates">Trial-averaged smoothed rate of each neuron, [neuron][sample] (spikes per τ).</param>
/// <param name="PopulationRate">Mean over neurons, mean and SEM over trials (spikes per τ per neuron).</param>
public sealed record SmoothedRates(double[] Times, double Sigma, double[][] NeuronRates, MeanSem PopulationRate);

/// <summary>Trial-averaged latent readouts on the common recording grid.</summary>
/// <param name="Times">Recording grid (τ).</param>
/// <param name="Names">Latent names, in the network's order.</param>
/// <param name="Latents">Mean and SEM over trials of each latent.</param>
public sealed record LatentAverages(double[] Times, IReadOnlyList<string> Names, IReadOnlyList<MeanSem> Latents);

/// <summary>
/// Trial statistics of repeated runs of one experiment (seed 002 §3, Figs. 6, 10f, 12b, where activity is shown
/// averaged over trials): PSTHs, Gaussian-smoothed rates and trial-averaged latents, each with its standard error.
/// Trials are runs with the same seed and different trial indices (<c>new ClockDrivenEngine(trial: r)</c>, or a
/// <see cref="BatchedEngine"/> batch), which gives independent noise.
/// </summary>
public static class TrialStatistics
{
    /// <summary>Mean and SEM over trials of equally long series, sample by sample.</summary>
    public static MeanSem AcrossTrials(IReadOnlyList<IReadOnlyList<double>> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0)
        {
            throw new ArgumentException("at least one trial is needed", nameof(series));
        }

        int n = series[0].Count;
        if (series.Any(s => s.Count != n))
        {
            throw new ArgumentException($"every trial needs {n} samples, like trial 0", nameof(series));
        }

        int trials = series.Count;
        var mean = new double[n];
        var sem = new double[n];
        for (int j = 0; j < n; j++)
        {
            double sum = 0;
            for (int r = 0; r < trials; r++)
            {
                sum += series[r][j];
            }

            double m = sum / trials;
            double ss = 0;
            for (int r = 0; r < trials; r++)
            {
                double d = series[r][j] - m;
                ss += d * d;
            }

            mean[j] = m;
            sem[j] = trials < 2 ? double.NaN : Math.Sqrt(ss / (trials - 1) / trials);
        }

        return new MeanSem(mean, sem, trials);
    }

    /// <summary>
    /// The PSTH: spikes counted in bins of width <paramref name="binWidth"/> over (start, stop], divided by the bin
    /// width (spikes per τ), averaged over trials per neuron, and over neurons per trial for the population rate.
    /// A trailing partial bin is dropped.
    /// </summary>
    /// <param name="trials">Spike times [trial][neuron], each sorted.</param>
    /// <param name="start">Window start (τ).</param>
    /// <param name="stop">Window end (τ).</param>
    /// <param name="binWidth">Bin width (τ).</param>
    public static Psth Psth(IReadOnlyList<IReadOnlyList<double[]>> trials, double start, double stop, double binWidth)
    {
        int n = SpikeTrains.CheckTrials(trials, nameof(trials));
        SpikeTrains.CheckWindow(start, stop);
        if (!(binWidth > 0) || !double.IsFinite(binWidth))
        {
            throw new ArgumentException($"the bin width must be a positive number (got {binWidth})", nameof(binWidth));
        }

        // The small tolerance keeps a window that is an exact multiple of the bin width from losing its last bin to rounding.
        int bins = (int)Math.Floor(((stop - start) / binWidth) + 1e-9);
        if (bins < 1)
        {
            throw new ArgumentException($"the window ({start}, {stop}] is shorter than one bin of {binWidth} τ", nameof(binWidth));
        }

        var neuronRates = new double[n][];
        for (int i = 0; i < n; i++)
        {
            neuronRates[i] = new double[bins];
        }

        var populationPerTrial = new double[trials.Count][];
        for (int r = 0; r < trials.Count; r++)
        {
            var pop = new double[bins];
            for (int i = 0; i < n; i++)
            {
                foreach (double t in trials[r][i])
                {
                    int b = BinOf(t, start, binWidth);
                    if (b >= 0 && b < bins)
                    {
                        neuronRates[i][b] += 1;
                        pop[b] += 1;
                    }
                }
            }

            for (int b = 0; b < bins; b++)
            {
                pop[b] /= binWidth * Math.Max(1, n);
            }

            populationPerTrial[r] = pop;
        }

        foreach (double[] row in neuronRates)
        {
            for (int b = 0; b < bins; b++)
            {
                row[b] /= binWidth * trials.Count;
            }
        }

        double[] centres = Enumerable.Range(0, bins).Select(b => start + ((b + 0.5) * binWidth)).ToArray();
        return new Psth(start, binWidth, centres, neuronRates, AcrossTrials(populationPerTrial));
    }

    /// <summary>The PSTH of one population over the trials' common window (default: the whole run).</summary>
    public static Psth Psth(IReadOnlyList<SimulationResult> trials, int population, double binWidth, double? start = null, double? stop = null)
    {
        var (a, b) = Window(trials, start, stop);
        return Psth(SpikeTrains.OfPopulation(trials, population), a, b, binWidth);
    }

    /// <summary>
    /// Gaussian-smoothed rates: each spike contributes a normal density of standard deviation
    /// <paramref name="sigma"/> (so the rate is in spikes per τ), evaluated on <paramref name="grid"/>. The kernel is
    /// cut at ±6σ (a relative error below 10⁻⁸) and is not renormalised near the grid's ends.
    /// </summary>
    /// <param name="trials">Spike times [trial][neuron], each sorted.</param>
    /// <param name="grid">Ascending evaluation times (τ).</param>
    /// <param name="sigma">Kernel standard deviation (τ).</param>
    public static SmoothedRates GaussianRates(IReadOnlyList<IReadOnlyList<double[]>> trials, IReadOnlyList<double> grid, double sigma)
    {
        int n = SpikeTrains.CheckTrials(trials, nameof(trials));
        ArgumentNullException.ThrowIfNull(grid);
        if (!(sigma > 0) || !double.IsFinite(sigma))
        {
            throw new ArgumentException($"the smoothing width must be a positive number (got {sigma})", nameof(sigma));
        }

        for (int j = 1; j < grid.Count; j++)
        {
            if (!(grid[j] >= grid[j - 1]))
            {
                throw new ArgumentException($"the evaluation grid must be ascending (entry {j})", nameof(grid));
            }
        }

        int g = grid.Count;
        var neuronRates = new double[n][];
        for (int i = 0; i < n; i++)
        {
            neuronRates[i] = new double[g];
        }

        double norm = 1.0 / (sigma * Math.Sqrt(2 * Math.PI));
        double reach = 6 * sigma;
        var populationPerTrial = new double[trials.Count][];
        for (int r = 0; r < trials.Count; r++)
        {
            var pop = new double[g];
            for (int i = 0; i < n; i++)
            {
                foreach (double t in trials[r][i])
                {
                    for (int j = LowerBound(grid, t - reach); j < g && grid[j] <= t + reach; j++)
                    {
                        double z = (grid[j] - t) / sigma;
                        double v = norm * Math.Exp(-0.5 * z * z);
                        neuronRates[i][j] += v;
                        pop[j] += v;
                    }
                }
            }

            for (int j = 0; j < g; j++)
            {
                pop[j] /= Math.Max(1, n);
            }

            populationPerTrial[r] = pop;
        }

        foreach (double[] row in neuronRates)
        {
            for (int j = 0; j < g; j++)
            {
                row[j] /= trials.Count;
            }
        }

        return new SmoothedRates(grid.ToArray(), sigma, neuronRates, AcrossTrials(populationPerTrial));
    }

    /// <summary>
    /// Gaussian-smoothed rates of one population at the trials' common recording times in (start, stop] (default:
    /// the whole run). Spikes outside the window still contribute near its edges.
    /// </summary>
    public static SmoothedRates GaussianRates(IReadOnlyList<SimulationResult> trials, int population, double sigma, double? start = null, double? stop = null)
    {
        int[] samples = WindowSamples(trials, start, stop);
        double[] grid = CommonGrid(trials);
        return GaussianRates(SpikeTrains.OfPopulation(trials, population), samples.Select(j => grid[j]).ToArray(), sigma);
    }

    /// <summary>
    /// Every latent averaged over trials at the common recording times in (start, stop] (default: the whole run,
    /// including t = 0); the trials must share the grid.
    /// </summary>
    public static LatentAverages TrialAveragedLatents(IReadOnlyList<SimulationResult> trials, double? start = null, double? stop = null)
    {
        int[] samples = WindowSamples(trials, start, stop);
        double[] grid = CommonGrid(trials);
        var net = trials[0].Experiment.Network;
        var names = net.Latents.Select(l => l.Name).ToArray();
        var latents = new MeanSem[names.Length];
        for (int k = 0; k < names.Length; k++)
        {
            string name = names[k];
            latents[k] = AcrossTrials(trials.Select(r =>
            {
                double[] y = r.Latent(name);
                return (IReadOnlyList<double>)samples.Select(j => y[j]).ToArray();
            }).ToArray());
        }

        return new LatentAverages(samples.Select(j => grid[j]).ToArray(), names, latents);
    }

    /// <summary>Indices of the common grid's samples in (start, stop]; with no start given, the sample at t = 0 is kept.</summary>
    private static int[] WindowSamples(IReadOnlyList<SimulationResult> trials, double? start, double? stop)
    {
        double[] grid = CommonGrid(trials);
        var (a, b) = Window(trials, start, stop);
        return Enumerable.Range(0, grid.Length).Where(j => (grid[j] > a || (start is null && grid[j] >= a)) && grid[j] <= b).ToArray();
    }

    /// <summary>
    /// The recording grid the trials share. Trials of one experiment always share it; runs that stopped early
    /// (exploded) or come from different settings do not, and are rejected.
    /// </summary>
    public static double[] CommonGrid(IReadOnlyList<SimulationResult> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        if (trials.Count == 0)
        {
            throw new ArgumentException("at least one trial is needed", nameof(trials));
        }

        var first = trials[0];
        for (int r = 1; r < trials.Count; r++)
        {
            var t = trials[r];
            if (t.Times.Count != first.Times.Count || t.Experiment.Network.Latents.Count != first.Experiment.Network.Latents.Count ||
                Enumerable.Range(0, t.Times.Count).Any(j => Math.Abs(t.Times[j] - first.Times[j]) > 1e-9 * Math.Max(1, Math.Abs(first.Times[j]))))
            {
                throw new ArgumentException($"trial {r} is not recorded on the same grid as trial 0 ({t.Times.Count} vs {first.Times.Count} samples); trials must be runs of one experiment that all completed", nameof(trials));
            }
        }

        return first.Times.ToArray();
    }

    /// <summary>The window (start, stop] shared by the trials: by default the whole of the shortest run.</summary>
    internal static (double Start, double Stop) Window(IReadOnlyList<SimulationResult> trials, double? start, double? stop)
    {
        ArgumentNullException.ThrowIfNull(trials);
        if (trials.Count == 0)
        {
            throw new ArgumentException("at least one trial is needed", nameof(trials));
        }

        double a = start ?? 0.0;
        double b = stop ?? trials.Min(r => r.SimulatedDuration);
        SpikeTrains.CheckWindow(a, b);
        return (a, b);
    }

    private static int BinOf(double t, double start, double width)
    {
        // Bins are right-closed; the tolerance puts a spike on a bin edge (a multiple of dt) in the bin it closes.
        double u = (t - start) / width;
        return (int)Math.Ceiling(u - 1e-9) - 1;
    }

    /// <summary>The first index of <paramref name="sorted"/> whose value is ≥ <paramref name="value"/> (its length when none is).</summary>
    internal static int LowerBound(IReadOnlyList<double> sorted, double value)
    {
        int lo = 0;
        int hi = sorted.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
