using LatentSpikes.Analysis;
using LatentSpikes.Randomness;

namespace LatentSpikes.Tests.Analysis;

/// <summary>PSTH, smoothed rates, ISI CV and count statistics on hand-made spike trains with known answers.</summary>
public class SpikeStatisticsTests
{
    /// <summary>A regular train: a spike every <paramref name="period"/> from <paramref name="first"/> up to <paramref name="stop"/>.</summary>
    private static double[] Regular(double first, double period, double stop) =>
        Enumerable.Range(0, (int)Math.Floor(((stop - first) / period) + 1e-9) + 1).Select(k => first + (k * period)).ToArray();

    /// <summary>A Poisson train of the given rate on (0, duration], from a counter-based stream (exponential intervals).</summary>
    private static double[] Poisson(double rate, double duration, ulong seed, ulong trial = 0)
    {
        ulong key = CounterRandom.StreamKey(seed, trial, 99, 0);
        var times = new List<double>();
        double t = 0;
        for (ulong c = 0; ; c++)
        {
            // 1 − U lies in (0, 1], so the log is finite.
            t += -Math.Log(1.0 - CounterRandom.Uniform(key, c)) / rate;
            if (t > duration)
            {
                return times.ToArray();
            }

            times.Add(t);
        }
    }

    private static double[][][] OneNeuron(params double[][] trials) => trials.Select(t => new[] { t }).ToArray();

    [Fact]
    public void A_regular_train_has_ISI_CV_zero()
    {
        var cv = Irregularity.IsiCv(Regular(0.25, 0.5, 100));
        Assert.Equal(0.0, cv.Cv, 12);
        Assert.Equal(199, cv.Intervals);
        Assert.Equal(0.5, cv.MeanInterval, 12);
    }

    [Fact]
    public void A_Poisson_train_has_ISI_CV_one()
    {
        var cv = Irregularity.IsiCv(Poisson(rate: 10, duration: 2000, seed: 5));

        // ~20,000 exponential intervals: the CV estimate's standard error is about 1/√n ≈ 0.007; 0.03 is four of them.
        Assert.InRange(cv.Intervals, 19_000, 21_000);
        Assert.InRange(cv.Cv, 0.97, 1.03);
        Assert.InRange(cv.MeanInterval, 0.097, 0.103);
    }

    [Fact]
    public void ISI_CV_of_two_alternating_intervals_matches_the_formula()
    {
        // Intervals 1, 3, 1, 3: mean 2, SD 1 (divisor n), CV 1/2.
        var cv = Irregularity.IsiCv([0, 1, 4, 5, 8]);
        Assert.Equal(0.5, cv.Cv, 12);
        Assert.Equal(4, cv.Intervals);
    }

    [Fact]
    public void ISI_CV_is_undefined_with_fewer_than_two_intervals()
    {
        Assert.True(double.IsNaN(Irregularity.IsiCv([1.0, 2.0]).Cv));
        Assert.True(double.IsNaN(Irregularity.IsiCv([1.0]).Cv));
        Assert.Equal(0, Irregularity.IsiCv([]).Intervals);
    }

    [Fact]
    public void ISI_statistics_pool_intervals_within_trials_only()
    {
        // Trial 0 has spikes at 1..9 (8 intervals), trial 1 at 0.5..9.5 (9 intervals); joining the trials would add a
        // spurious interval from 9 to 0.5 and a CV above 0.
        var stats = Irregularity.IsiStatistics(OneNeuron(Regular(1, 1, 9), Regular(0.5, 1, 9.5)), 0, 10, minIntervals: 2);
        Assert.Equal(17, stats.Neurons[0].Intervals);
        Assert.Equal(0.0, stats.Neurons[0].Cv, 12);
        Assert.Equal(0.0, stats.MeanCv, 12);
        Assert.Equal(1, stats.NeuronsCounted);
    }

    [Fact]
    public void Pooled_ISI_CV_mixes_rates_and_the_mean_CV_does_not()
    {
        // Two regular neurons at different rates: each has CV 0, but their pooled intervals (1 and 2) do not.
        var trials = new[] { new[] { Regular(1, 1, 100), Regular(2, 2, 100) } };
        var stats = Irregularity.IsiStatistics(trials, 0, 100);
        Assert.Equal(0.0, stats.MeanCv, 12);
        Assert.Equal(2, stats.NeuronsCounted);
        Assert.True(stats.PooledCv > 0.3, $"pooled CV {stats.PooledCv}");
    }

    [Fact]
    public void Windows_are_left_open_and_right_closed()
    {
        double[] train = [1, 2, 3, 4];
        Assert.Equal(2, SpikeTrains.CountIn(train, 1, 3));   // 2 and 3, not 1
        Assert.Equal(4, SpikeTrains.CountIn(train, 0, 4));
        Assert.Equal(0, SpikeTrains.CountIn(train, 4, 10));
        Assert.Equal(2, Irregularity.IsiCv(train, 1, 4).Intervals); // 2-3 and 3-4
    }

    [Fact]
    public void Count_statistics_match_a_hand_computation()
    {
        // Counts 2 and 4 over two trials: mean 3, variance 1 (divisor R), CV 1/3, Fano 1/3.
        var stats = Irregularity.SpikeCounts(OneNeuron([1, 2], [1, 2, 3, 4]), 0, 5);
        Assert.Equal(3.0, stats.Mean[0], 12);
        Assert.Equal(1.0, stats.Variance[0], 12);
        Assert.Equal(1.0 / 3, stats.Cv[0], 12);
        Assert.Equal(1.0 / 3, stats.Fano[0], 12);
    }

    [Fact]
    public void Identical_trials_have_count_CV_zero_and_a_silent_neuron_has_none()
    {
        var train = Regular(0.5, 0.5, 10);
        var stats = Irregularity.SpikeCounts(new[] { new[] { train, Array.Empty<double>() }, new[] { train, Array.Empty<double>() } }, 0, 10);
        Assert.Equal(0.0, stats.Cv[0], 12);
        Assert.Equal(0.0, stats.Fano[0], 12);
        Assert.True(double.IsNaN(stats.Cv[1]));
        Assert.Equal(0.0, stats.MeanCv, 12); // the silent neuron is left out
    }

    [Fact]
    public void Poisson_counts_have_Fano_factor_one()
    {
        const int trials = 400;
        var data = Enumerable.Range(0, trials).Select(r => new[] { Poisson(rate: 20, duration: 1, seed: 9, trial: (ulong)r) }).ToArray();
        var stats = Irregularity.SpikeCounts(data, 0, 1);

        // Mean count 20; the Fano factor's standard error over R trials is about √(2/R) ≈ 0.07, so ±0.25 is 3.5 SE;
        // the count CV is √(Fano/mean) ≈ 1/√20.
        Assert.InRange(stats.Mean[0], 19.3, 20.7);
        Assert.InRange(stats.Fano[0], 0.75, 1.25);
        Assert.InRange(stats.Cv[0], 0.8 / Math.Sqrt(20), 1.2 / Math.Sqrt(20));
    }

    [Fact]
    public void PSTH_counts_spikes_per_bin_and_averages_over_trials()
    {
        // Bins of 0.5 on (0, 2]: trial 0 has spikes in bins 0, 0, 3; trial 1 in bins 1, 3. A spike on an edge (0.5)
        // closes its bin.
        var trials = OneNeuron([0.1, 0.5, 1.7], [0.6, 2.0]);
        var psth = TrialStatistics.Psth(trials, 0, 2, 0.5);
        Assert.Equal([0.25, 0.75, 1.25, 1.75], psth.BinCentres);

        // Rates in spikes per τ: count / 0.5, averaged over the two trials.
        Assert.Equal([2.0, 1.0, 0.0, 2.0], psth.NeuronRates[0]);
        Assert.Equal([2.0, 1.0, 0.0, 2.0], psth.PopulationRate.Mean);

        // SEM over two trials of (4, 0), (0, 2), (0, 0), (2, 2): SD/√2 = |a − b|/2.
        Assert.Equal([2.0, 1.0, 0.0, 0.0], psth.PopulationRate.Sem);
    }

    [Fact]
    public void PSTH_population_rate_is_the_mean_over_neurons()
    {
        var trials = new[] { new[] { Regular(0.1, 0.1, 10), Array.Empty<double>() } };
        var psth = TrialStatistics.Psth(trials, 0, 10, 1);
        Assert.All(psth.NeuronRates[0], r => Assert.Equal(10.0, r, 9));
        Assert.All(psth.PopulationRate.Mean, r => Assert.Equal(5.0, r, 9));
        Assert.All(psth.PopulationRate.Sem, s => Assert.True(double.IsNaN(s))); // one trial: no SEM
    }

    [Fact]
    public void A_smoothed_spike_integrates_to_one_and_peaks_at_the_Gaussian_height()
    {
        const double sigma = 0.2;
        double[] grid = Enumerable.Range(0, 1001).Select(j => j * 0.01).ToArray();
        var rates = TrialStatistics.GaussianRates(OneNeuron([5.0]), grid, sigma);
        double[] r = rates.NeuronRates[0];

        // Rectangle rule on a grid of σ/20: the integral of a Gaussian is exact to far below 1e-6.
        Assert.Equal(1.0, r.Sum() * 0.01, 6);
        Assert.Equal(1.0 / (sigma * Math.Sqrt(2 * Math.PI)), r[500], 9);
        Assert.Equal(r[490], r[510], 9);
    }

    [Fact]
    public void Smoothed_rate_of_a_regular_train_is_its_rate()
    {
        // More than 6σ from the train's ends, a Gaussian ten times wider than the period averages a regular train to its
        // rate (the sampled kernel sums to one up to e^(−2π²·100), and the cut at 6σ drops 2·10⁻⁹ of it).
        double[] grid = Enumerable.Range(0, 101).Select(j => 3.5 + (j * 0.03)).ToArray();
        var rates = TrialStatistics.GaussianRates(OneNeuron(Regular(0.05, 0.05, 10)), grid, 0.5);
        Assert.All(rates.PopulationRate.Mean, r => Assert.Equal(20.0, r, 6));
    }

    [Fact]
    public void Mean_and_SEM_across_trials_match_a_hand_computation()
    {
        var m = TrialStatistics.AcrossTrials([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]]);
        Assert.Equal([3.0, 10.0], m.Mean);

        // Sample SD of (1, 3, 5) is 2; SEM = 2/√3.
        Assert.Equal(2 / Math.Sqrt(3), m.Sem[0], 12);
        Assert.Equal(0.0, m.Sem[1], 12);
        Assert.Equal(3, m.Trials);
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_a_reason()
    {
        var trials = OneNeuron([1.0, 2.0]);
        Assert.Contains("bin width", Assert.Throws<ArgumentException>(() => TrialStatistics.Psth(trials, 0, 2, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("shorter than one bin", Assert.Throws<ArgumentException>(() => TrialStatistics.Psth(trials, 0, 0.5, 1)).Message, StringComparison.Ordinal);
        Assert.Contains("window", Assert.Throws<ArgumentException>(() => Irregularity.SpikeCounts(trials, 2, 1)).Message, StringComparison.Ordinal);
        Assert.Contains("not finite and sorted", Assert.Throws<ArgumentException>(() => Irregularity.SpikeCounts(OneNeuron([2.0, 1.0]), 0, 3)).Message, StringComparison.Ordinal);
        Assert.Contains("neurons", Assert.Throws<ArgumentException>(() => Irregularity.SpikeCounts(new[] { new[] { new[] { 1.0 } }, new[] { new[] { 1.0 }, new[] { 2.0 } } }, 0, 3)).Message, StringComparison.Ordinal);
        Assert.Contains("smoothing", Assert.Throws<ArgumentException>(() => TrialStatistics.GaussianRates(trials, [0.0, 1.0], double.NaN)).Message, StringComparison.Ordinal);
    }
}
