using LatentSpikes.Cli;
using static LatentSpikes.Tests.Cli.CliRunner;

namespace LatentSpikes.Tests.Cli;

/// <summary><c>simulate --trials R</c>: long-format batch outputs whose trial 0 is the single run.</summary>
public sealed class TrialsCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-trials-" + Guid.NewGuid().ToString("N"));

    public TrialsCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("clock")]
    [InlineData("event")]
    public void Trial_zero_of_a_batch_is_the_single_run_and_noisy_trials_differ(string engine)
    {
        string spec = Path.Combine(_dir, "noisy.yaml");
        File.WriteAllText(spec, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "fig2-inhibitory-boundary.yaml"))
            .Replace("    noise: 0\n", "    noise: 0.2\n", StringComparison.Ordinal));
        string batch = Path.Combine(_dir, "batch");
        string single = Path.Combine(_dir, "single");
        var r = Run("simulate", spec, "--trials", "6", "--engine", engine, "--out", batch, "--duration", "6", "--no-plot");
        Assert.Equal(0, r.Code);
        Assert.Contains("6 trials", r.Out, StringComparison.Ordinal);
        Assert.Equal(0, Run("simulate", spec, "--engine", engine, "--out", single, "--duration", "6", "--no-plot").Code);

        var rows = File.ReadAllLines(Path.Combine(batch, "spikes.csv"));
        Assert.Equal("trial,t,population,neuron", rows[0]);
        var trial0 = rows.Skip(1).Where(l => l.StartsWith("0,", StringComparison.Ordinal)).Select(l => l[2..]).ToArray();
        var singleRows = File.ReadAllLines(Path.Combine(single, "spikes.csv")).Skip(1).ToArray();
        Assert.Equal(singleRows, trial0);

        var perTrial = rows.Skip(1).GroupBy(l => l.Split(',')[0]).Select(g => string.Join(";", g.Select(l => l[(l.IndexOf(',', StringComparison.Ordinal) + 1)..]))).ToArray();
        Assert.Equal(6, perTrial.Length);
        Assert.Equal(6, perTrial.Distinct().Count());

        var trialsCsv = File.ReadAllLines(Path.Combine(batch, "trials.csv"));
        Assert.Equal(7, trialsCsv.Length);
        var mean = File.ReadAllLines(Path.Combine(batch, "latents-mean.csv"));
        Assert.Equal("t,x1,y_I,trials", mean[0]);
        Assert.EndsWith(",6", mean[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_trial_count_below_one_is_refused()
    {
        var r = Run("simulate", Path.Combine(AppContext.BaseDirectory, "examples", "fig2-inhibitory-boundary.yaml"), "--trials", "0", "--out", Path.Combine(_dir, "x"));
        Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
        Assert.Contains("--trials: must be between 1 and 100,000 (got 0)", r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "x")));
    }

}
