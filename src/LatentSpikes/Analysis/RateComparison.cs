using LatentSpikes.Rate;
using LatentSpikes.Simulation;

namespace LatentSpikes.Analysis;

/// <summary>How well one latent of the rate twin follows the trial-averaged spiking readout.</summary>
/// <param name="Name">Latent name.</param>
/// <param name="Twin">The rate twin's readout on the window's samples.</param>
/// <param name="Spiking">The spiking readout averaged over trials (mean and SEM) on the same samples.</param>
/// <param name="RmsError">Root-mean-square difference twin − spiking mean.</param>
/// <param name="MaxError">Largest absolute difference.</param>
/// <param name="Range">Range (max − min) of the spiking mean over the window.</param>
/// <param name="NormalisedRmsError">RmsError / Range (NaN for a flat readout).</param>
public sealed record LatentAgreement(string Name, double[] Twin, MeanSem Spiking, double RmsError, double MaxError, double Range, double NormalisedRmsError);

/// <summary>How well one neuron's twin rate follows its trial-averaged, Gaussian-smoothed spiking rate.</summary>
/// <param name="Population">Population index.</param>
/// <param name="Neuron">Neuron index within the population.</param>
/// <param name="TwinMeanRate">Time-averaged smoothed twin rate over the window (spikes per τ).</param>
/// <param name="SpikingMeanRate">Time-averaged smoothed spiking rate over the window (spikes per τ).</param>
/// <param name="Correlation">Pearson correlation of the two rate time courses (NaN if either is constant).</param>
public sealed record NeuronAgreement(int Population, int Neuron, double TwinMeanRate, double SpikingMeanRate, double Correlation);

/// <summary>
/// The rate twin against the spiking network (seed 002, Fig. 10d-f, §4.3: the twin's latents are the trial-averaged
/// spiking latents). The headline number is <see cref="ReadoutError"/>, the largest normalised RMS error of a latent;
/// <see cref="RateCorrelation"/> pools every neuron's smoothed rate over the window.
/// </summary>
/// <param name="Start">Window start (τ, exclusive).</param>
/// <param name="Stop">Window end (τ, inclusive).</param>
/// <param name="Trials">Number of spiking trials averaged.</param>
/// <param name="Smooth">Standard deviation of the Gaussian rate kernel (τ), applied to spikes and to twin rates alike.</param>
/// <param name="Times">The window's samples (τ).</param>
/// <param name="Latents">Per-latent agreement.</param>
/// <param name="Neurons">Per-neuron agreement (empty when the twin recorded no rates).</param>
/// <param name="ReadoutError">Largest <see cref="LatentAgreement.NormalisedRmsError"/> over the latents.</param>
/// <param name="RateCorrelation">Pearson correlation of twin and spiking rates over all (neuron, sample) pairs.</param>
/// <param name="TwinRates">Smoothed twin rates per population, [neuron][sample] (spikes per τ).</param>
/// <param name="SpikingRates">Trial-averaged smoothed spiking rates per population, [neuron][sample].</param>
public sealed record RateAgreement(
    double Start,
    double Stop,
    int Trials,
    double Smooth,
    double[] Times,
    IReadOnlyList<LatentAgreement> Latents,
    IReadOnlyList<NeuronAgreement> Neurons,
    double ReadoutError,
    double RateCorrelation,
    IReadOnlyList<double[][]> TwinRates,
    IReadOnlyList<double[][]> SpikingRates);

/// <summary>Compares a rate-twin run with spiking trials of the same experiment.</summary>
public static class RateComparison
{
    /// <summary>
    /// Compares <paramref name="twin"/> (a <see cref="RateEngine"/> result) with <paramref name="trials"/> (spiking runs
    /// of the same experiment on the same grid) over (start, stop]. Both rates are smoothed with the same Gaussian
    /// of std <paramref name="smooth"/> over the whole run, so the edges of the run bias both alike.
    /// </summary>
    /// <exception cref="ArgumentException">The runs do not match (grid, network) or the twin holds spikes.</exception>
    public static RateAgreement Compare(SimulationResult twin, IReadOnlyList<SimulationResult> trials, double smooth, double? start = null, double? stop = null)
    {
        ArgumentNullException.ThrowIfNull(twin);
        ArgumentNullException.ThrowIfNull(trials);
        if (trials.Count == 0)
        {
            throw new ArgumentException("at least one spiking trial is needed", nameof(trials));
        }

        if (trials.Any(t => t.RatesFlat is not null))
        {
            throw new ArgumentException("the trials to compare with must be spiking runs, not rate-twin runs", nameof(trials));
        }

        var net = trials[0].Experiment.Network;
        var grid = TrialStatistics.CommonGrid([.. trials, twin]);
        var latents = TrialStatistics.TrialAveragedLatents(trials, start, stop);
        double a = start ?? 0.0;
        double b = stop ?? trials.Min(r => r.SimulatedDuration);
        int[] samples = latents.Times.Select(t => Array.BinarySearch(grid, t)).ToArray();

        var latentAgreement = new List<LatentAgreement>();
        for (int k = 0; k < latents.Names.Count; k++)
        {
            double[] full = twin.Latent(latents.Names[k]);
            double[] y = samples.Select(j => full[j]).ToArray();
            double[] mean = latents.Latents[k].Mean;
            double sq = 0;
            double max = 0;
            for (int j = 0; j < y.Length; j++)
            {
                double d = y[j] - mean[j];
                sq += d * d;
                max = Math.Max(max, Math.Abs(d));
            }

            double rms = Math.Sqrt(sq / Math.Max(1, y.Length));
            double range = mean.Length == 0 ? 0 : mean.Max() - mean.Min();
            latentAgreement.Add(new LatentAgreement(latents.Names[k], y, latents.Latents[k], rms, max, range, range > 0 ? rms / range : double.NaN));
        }

        var neurons = new List<NeuronAgreement>();
        var twinRates = new List<double[][]>();
        var spikingRates = new List<double[][]>();
        var pooledTwin = new List<double>();
        var pooledSpiking = new List<double>();
        if (twin.RatesFlat is not null)
        {
            for (int p = 0; p < net.Populations.Count; p++)
            {
                var spiking = TrialStatistics.GaussianRates(trials, p, smooth, start, stop).NeuronRates;
                var smoothed = new double[spiking.Length][];
                for (int i = 0; i < spiking.Length; i++)
                {
                    smoothed[i] = Smooth(grid, twin.NeuronRate(p, i), samples, smooth);
                    neurons.Add(new NeuronAgreement(p, i, smoothed[i].Average(), spiking[i].Average(), Correlation(smoothed[i], spiking[i])));
                    pooledTwin.AddRange(smoothed[i]);
                    pooledSpiking.AddRange(spiking[i]);
                }

                twinRates.Add(smoothed);
                spikingRates.Add(spiking);
            }
        }

        double readoutError = latentAgreement.Select(l => l.NormalisedRmsError).DefaultIfEmpty(double.NaN).Max();
        return new RateAgreement(a, b, trials.Count, smooth, latents.Times, latentAgreement, neurons, readoutError,
            Correlation([.. pooledTwin], [.. pooledSpiking]), twinRates, spikingRates);
    }

    /// <summary>
    /// A rate time course convolved with a normal density of std <paramref name="sigma"/> (trapezoid rule on the
    /// record grid, cut at ±6σ), evaluated at the given samples: what Gaussian smoothing does to a spike train
    /// whose expected rate this is.
    /// </summary>
    public static double[] Smooth(IReadOnlyList<double> grid, IReadOnlyList<double> rate, IReadOnlyList<int> samples, double sigma)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(rate);
        ArgumentNullException.ThrowIfNull(samples);
        if (!(sigma > 0) || !double.IsFinite(sigma))
        {
            throw new ArgumentException($"the smoothing width must be a positive number (got {sigma})", nameof(sigma));
        }

        double norm = 1.0 / (sigma * Math.Sqrt(2 * Math.PI));
        var result = new double[samples.Count];
        for (int s = 0; s < samples.Count; s++)
        {
            double t = grid[samples[s]];
            double sum = 0;
            for (int m = Math.Max(0, TrialStatistics.LowerBound(grid, t - (6 * sigma)) - 1); m + 1 < grid.Count && grid[m] <= t + (6 * sigma); m++)
            {
                double t0 = grid[m];
                double t1 = grid[m + 1];

                double z0 = (t - t0) / sigma;
                double z1 = (t - t1) / sigma;
                sum += 0.5 * (t1 - t0) * ((rate[m] * Math.Exp(-0.5 * z0 * z0)) + (rate[m + 1] * Math.Exp(-0.5 * z1 * z1)));
            }

            result[s] = norm * sum;
        }

        return result;
    }

    /// <summary>Pearson correlation of two equally long series; NaN when either is constant (see <see cref="Balance.Correlation"/>).</summary>
    public static double Correlation(IReadOnlyList<double> a, IReadOnlyList<double> b) => Balance.Correlation(a, b);
}
