using LatentSpikes.Analysis;
using LatentSpikes.Model;
using static LatentSpikes.Tests.Analysis.Batches;

namespace LatentSpikes.Tests.Analysis;

/// <summary>Trial averages of simulated runs: latents, rates, and the grid the trials must share.</summary>
public class TrialAverageTests
{
    private static Experiment NoisyFig2(double duration = 8)
    {
        var e = NetworkVariants.WithNoise(TestData.LoadExample("fig2-inhibitory-boundary.yaml").Experiment, 0.1);
        return e.WithSettings(e.Settings with { Duration = duration });
    }

    [Fact]
    public void Trial_averaged_latents_are_the_sample_mean_with_its_standard_error()
    {
        var trials = Batch(NoisyFig2(), 3);
        var avg = TrialStatistics.TrialAveragedLatents(trials, 2, 6);
        Assert.Equal(["y_I"], avg.Names);
        Assert.Equal(400, avg.Times.Length);
        Assert.Equal(2.01, avg.Times[0], 12);
        int j0 = 201; // the recording index of t = 2.01
        for (int j = 0; j < avg.Times.Length; j += 37)
        {
            double[] y = trials.Select(r => r.Latent("y_I")[j0 + j]).ToArray();
            double mean = y.Average();
            double sd = Math.Sqrt(y.Sum(v => (v - mean) * (v - mean)) / 2);
            Assert.Equal(mean, avg.Latents[0].Mean[j], 12);
            Assert.Equal(sd / Math.Sqrt(3), avg.Latents[0].Sem[j], 12);
        }

        // Noise makes the trials differ, so the standard error is not zero everywhere.
        Assert.Contains(avg.Latents[0].Sem, s => s > 0);
    }

    [Fact]
    public void The_PSTH_of_a_run_agrees_with_its_spike_count()
    {
        var trials = Batch(NoisyFig2(), 2);
        var psth = TrialStatistics.Psth(trials, 0, binWidth: 0.5);
        Assert.Equal(16, psth.BinCentres.Length);

        // Summed over bins, rate·width·N is the number of spikes per trial in (0, 8].
        double perTrial = psth.PopulationRate.Mean.Sum() * 0.5 * 10;
        Assert.Equal(trials.Average(r => r.Spikes.Count), perTrial, 9);
    }

    [Fact]
    public void Smoothed_rates_integrate_to_the_spike_count_away_from_the_edges()
    {
        var trials = Batch(NoisyFig2(20), 1);
        var rates = TrialStatistics.GaussianRates(trials, 0, sigma: 0.2);
        double integral = rates.PopulationRate.Mean.Sum() * trials[0].Experiment.Settings.Dt * 10;

        // Kernels of spikes within 1 τ of either end are cut; bound the loss by those spikes.
        int edgeSpikes = trials[0].Spikes.Count(s => s.Time < 1 || s.Time > 19);
        Assert.InRange(integral, trials[0].Spikes.Count - edgeSpikes, trials[0].Spikes.Count + 1e-9);
    }

    [Fact]
    public void Runs_on_different_grids_cannot_be_averaged()
    {
        var a = Batch(NoisyFig2(8), 1)[0];
        var b = Batch(NoisyFig2(9), 1)[0];
        var e = Assert.Throws<ArgumentException>(() => TrialStatistics.TrialAveragedLatents([a, b]));
        Assert.Contains("not recorded on the same grid", e.Message, StringComparison.Ordinal);
    }
}
