using System.Globalization;
using LatentSpikes.Simulation;
using LatentSpikes.Sweeps;

namespace LatentSpikes.Tests.Sweeps;

/// <summary>The recorded metrics against the paper's claims and against the analysis toolkit they reuse.</summary>
public sealed class SweepMetricsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-sweepmetrics-" + Guid.NewGuid().ToString("N"));

    public SweepMetricsTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void The_boundary_error_stays_inside_the_precision_band_and_scales_with_the_decoder()
    {
        // Seed 002 §2.3: an inhibitory population keeps its readout in the band [boundary + D, boundary], one decoder
        // step below the boundary. Noise-free, over the ramp of Fig. 2 and after the initial fall onto the boundary
        // (window from t = 2), the RMS deviation must therefore be below |D|, and since the band is the only scale, the
        // ratio error/|D| must be (nearly) the same for two decoders: 10% allows for where the ramp meets the discrete
        // tangent points differently for the two band widths.
        // The band is a property of the unclipped model (V = F·x + E·y + b); the authors' clip lets the spiker lag.
        var plan = SweepPlanTests.Plan(_dir, "grid:\n  simulation.clip_at_spike: [false]\n  populations[0].decoders: [-0.35, -0.2, -0.1]\n  populations[0].noise: [0, 0.1]\nwindow: [2, 30]\n");
        var outcome = SweepRunner.Run(plan, Path.Combine(_dir, "out"));
        var rows = File.ReadAllLines(outcome.TablePath!);
        int col = Array.IndexOf(rows[0].Split(','), "boundary_error.I");
        double Error(int run) => double.Parse(rows[run + 1].Split(',')[col], CultureInfo.InvariantCulture);
        double[] d = [0.35, 0.2, 0.1];
        var ratios = new double[3];
        for (int k = 0; k < 3; k++)
        {
            double quiet = Error(2 * k);
            Assert.InRange(quiet, 0.3 * d[k], d[k]);
            ratios[k] = quiet / d[k];

            // Noise kicks the readout about inside and beyond the band: the error grows.
            Assert.True(Error((2 * k) + 1) > quiet, $"noise did not raise the boundary error at D = -{d[k]}");
        }

        Assert.InRange(ratios.Max() / ratios.Min(), 1.0, 1.1);
    }

    [Fact]
    public void Metrics_agree_with_the_run_they_summarise()
    {
        var plan = SweepPlanTests.Plan(_dir, "zip:\n  populations[0].noise: [0.1]\n  simulation.duration: [10]\n  input[0].stop: [10]\ntrials: 3\nwindow: [1, 10]\n");
        var run = Assert.Single(plan.Runs);
        var exp = plan.Load(run).Experiment;
        var trials = new BatchedEngine(1).Run(exp, 3).Trials;
        var m = SweepMetrics.Compute(trials, plan.Definition.Metrics, plan.Definition.Window);

        // The rate by hand: spikes in (1, 10] of population I over 3 trials, N = 10 neurons, 9 τ of 10 ms.
        double spikes = trials.Sum(t => t.Spikes.Count(s => s.Time > 1 && s.Time <= 10));
        Assert.Equal(spikes / 3 / 10 / 9 * 100, m["rate_hz.I"], 9);
        Assert.Equal(LatentSpikes.Analysis.Irregularity.IsiStatistics(trials, 0, 1, 10).MeanCv, m["cv.I"], 12);
        Assert.Equal(LatentSpikes.Analysis.Irregularity.SpikeCounts(trials, 0, 1, 10).MeanFano, m["fano.I"], 12);
        double latentMean = trials.Average(t => t.Latent("y_I").Where((_, r) => t.Times[r] > 1 && t.Times[r] <= 10).Average());
        Assert.Equal(latentMean, m["latent_mean.y_I"], 12);
    }
}
