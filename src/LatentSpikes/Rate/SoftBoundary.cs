using LatentSpikes.Geometry;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Rate;

/// <summary>
/// The soft boundary of a rank-1 population at a fixed input (seed 002, §4.2, Fig. 9e-f and 11a-b): the drift dȳ/dt
/// as a function of ȳ. <see cref="Predicted"/> is the sigmoid-plus-leak of eq. 4.9 on <see cref="Grid"/>; when spiking
/// trials were run, <see cref="MeanLatent"/> and <see cref="MeanDerivative"/> are their binned averages.
/// </summary>
/// <param name="Population">Population name.</param>
/// <param name="Latent">Its latent.</param>
/// <param name="Kind">Its Dale's-law class (inhibitory: a stable boundary; excitatory: an unstable one).</param>
/// <param name="X">The constant input.</param>
/// <param name="Beta">β used by the prediction.</param>
/// <param name="SynapseTau">τ_s used by the prediction.</param>
/// <param name="HardBoundary">The noise-free boundary y_b(x) (eq. 2.17).</param>
/// <param name="Grid">ȳ values of the prediction.</param>
/// <param name="Predicted">dȳ/dt = −ȳ + Σ_i (D_i/τ_s)·σ_β(F_i·x + E_i·ȳ − T_i) on the grid.</param>
/// <param name="FixedPoints">Zeros of the prediction (where the drift changes sign), in increasing ȳ.</param>
/// <param name="Trials">Spiking trials run (0: prediction only).</param>
/// <param name="BinCentres">Centres of the ȳ bins of the trial averages.</param>
/// <param name="MeanLatent">Mean starting ȳ of the trials in each bin (NaN for an empty bin).</param>
/// <param name="MeanDerivative">Mean drift (y(T) − ȳ_0)/T of the trials in each bin (NaN if empty).</param>
/// <param name="Samples">Trials per bin.</param>
/// <param name="RmsError">RMS of (trial average − prediction at the bin's mean ȳ) over bins with at least <see cref="SoftBoundaries.MinSamplesPerBin"/> trials.</param>
/// <param name="DriftRange">Range of the prediction over those bins (the scale of <see cref="RmsError"/>).</param>
public sealed record SoftBoundary(
    string Population,
    string Latent,
    PopulationKind Kind,
    double X,
    double Beta,
    double SynapseTau,
    double HardBoundary,
    double[] Grid,
    double[] Predicted,
    double[] FixedPoints,
    int Trials,
    double[] BinCentres,
    double[] MeanLatent,
    double[] MeanDerivative,
    int[] Samples,
    double RmsError,
    double DriftRange);

/// <summary>Computes <see cref="SoftBoundary"/>: eq. 4.9's prediction and, optionally, the spiking trials of Fig. 9e.</summary>
public static class SoftBoundaries
{
    /// <summary>Bins with fewer trials are left out of <see cref="SoftBoundary.RmsError"/>.</summary>
    public const int MinSamplesPerBin = 3;

    /// <summary>
    /// The soft boundary of population <paramref name="population"/> of <paramref name="experiment"/> (which must
    /// listen only to its own latent) at the constant input <paramref name="x"/>, over ȳ ∈ [lo, hi]. With
    /// <paramref name="trials"/> &gt; 0 the population alone is simulated by the clock engine as in the authors' Fig. 9e:
    /// trial r starts at rest at ȳ_0 = lo + (hi − lo)·(r + ½)/R (evenly spread starts; the membrane noise makes
    /// neighbouring trials differ) and runs a short <paramref name="duration"/>; its mean drift (y(T) − ȳ_0)/T is binned
    /// by ȳ_0, and the bin average estimates the trial-averaged drift at ȳ_0 that eq. 4.9 describes. The window must be
    /// short: a longer one mixes in the synaptic current of earlier spikes, the history eq. 4.6 averages away.
    /// </summary>
    /// <exception cref="ArgumentException">The population listens to other latents, the input is not 1-D, or a range or count is invalid.</exception>
    /// <exception cref="ModelValidationException">β cannot be found (no noise, no rate.beta).</exception>
    public static SoftBoundary Measure(Experiment experiment, int population, double x, double lo, double hi, int trials = 0, double duration = 0.1, int bins = 40, double? beta = null)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var net = experiment.Network;
        ArgumentOutOfRangeException.ThrowIfNegative(population);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(population, net.Populations.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(trials);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 2);
        var pop = net.Populations[population];
        if (!PopulationBoundary.IsRank1Alone(pop))
        {
            throw new ArgumentException($"population '{pop.Name}' listens to other latents, so its drift is not a function of its own latent alone", nameof(population));
        }

        if (net.InputDimension != 1)
        {
            throw new ArgumentException($"the soft boundary is drawn at one input value; this network has {net.InputDimension} input dimensions", nameof(experiment));
        }

        if (!double.IsFinite(x) || !double.IsFinite(lo) || !double.IsFinite(hi) || !(hi > lo) || !(duration > 0) || !double.IsFinite(duration))
        {
            throw new ArgumentException($"need a finite input, a range lo < hi and a duration > 0 (got x = {x}, [{lo}, {hi}], {duration})", nameof(x));
        }

        string at = $"populations[{population}]";
        double b = beta is { } given
            ? (double.IsFinite(given) && given > 0 ? given : throw new ModelValidationException($"{at}.rate.beta", $"the sigmoid steepness β must be a finite number > 0 (got {given})"))
            : RateTwin.Beta(pop, at);
        double tau = RateTwin.SynapseTau(pop, experiment.Settings.Dt);
        double[] enc = pop.Encoders[pop.LatentName];
        double Drift(double y)
        {
            double sum = -y;
            for (int i = 0; i < pop.Size; i++)
            {
                double u = (pop.Feedforward(i, 0) * x) + (enc[i] * y) - pop.Thresholds[i];
                sum += pop.Decoders[i] / tau * RateTwin.Sigmoid(b, u);
            }

            return sum;
        }

        const int GridPoints = 1001;
        var grid = Enumerable.Range(0, GridPoints).Select(k => lo + ((hi - lo) * k / (GridPoints - 1))).ToArray();
        var predicted = grid.Select(Drift).ToArray();
        var zeros = new List<double>();
        for (int k = 0; k + 1 < GridPoints; k++)
        {
            if (predicted[k] == 0)
            {
                zeros.Add(grid[k]);
            }
            else if (predicted[k + 1] != 0 && Math.Sign(predicted[k]) != Math.Sign(predicted[k + 1]))
            {
                double a = grid[k];
                double c = grid[k + 1];
                for (int it = 0; it < 100; it++)
                {
                    double m = 0.5 * (a + c);
                    if (Math.Sign(Drift(m)) == Math.Sign(Drift(a)))
                    {
                        a = m;
                    }
                    else
                    {
                        c = m;
                    }
                }

                zeros.Add(0.5 * (a + c));
            }
        }

        var centres = Enumerable.Range(0, bins).Select(k => lo + ((hi - lo) * (k + 0.5) / bins)).ToArray();
        var sumY = new double[bins];
        var sumD = new double[bins];
        var counts = new int[bins];
        if (trials > 0)
        {
            var alone = new LowRankNetwork([pop]);
            var settings = experiment.Settings with { Duration = duration, RecordEvery = 1 };
            for (int r = 0; r < trials; r++)
            {
                double y0 = lo + ((hi - lo) * (r + 0.5) / trials);
                var run = new Experiment(alone, [new ConstantSignal(x)], settings, null, new Dictionary<string, double> { [pop.LatentName] = y0 }, experiment.Name);
                var result = new ClockDrivenEngine(threads: 1, trial: (ulong)r).Run(run);
                double[] y = result.Latent(pop.LatentName);
                int bin = (int)Math.Floor((y0 - lo) / (hi - lo) * bins);
                if (result.Status != SimulationStatus.Completed || bin < 0 || bin >= bins)
                {
                    continue;
                }

                sumY[bin] += y0;
                sumD[bin] += (y[^1] - y0) / result.SimulatedDuration;
                counts[bin]++;
            }
        }

        var meanY = new double[bins];
        var meanD = new double[bins];
        double sq = 0;
        int used = 0;
        double min = double.PositiveInfinity;
        double max = double.NegativeInfinity;
        for (int k = 0; k < bins; k++)
        {
            meanY[k] = counts[k] > 0 ? sumY[k] / counts[k] : double.NaN;
            meanD[k] = counts[k] > 0 ? sumD[k] / counts[k] : double.NaN;
            if (counts[k] >= MinSamplesPerBin)
            {
                double p = Drift(meanY[k]);
                sq += (meanD[k] - p) * (meanD[k] - p);
                used++;
                min = Math.Min(min, p);
                max = Math.Max(max, p);
            }
        }

        return new SoftBoundary(pop.Name, pop.LatentName, pop.Kind, x, b, tau, PopulationBoundary.Evaluate(pop, [x]).Y, grid, predicted, [.. zeros],
            trials, centres, meanY, meanD, counts, used > 0 ? Math.Sqrt(sq / used) : double.NaN, used > 0 ? max - min : double.NaN);
    }
}
