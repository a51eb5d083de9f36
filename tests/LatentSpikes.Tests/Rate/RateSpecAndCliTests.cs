using System.Text.Json;
using LatentSpikes.Analysis;
using LatentSpikes.IO;
using LatentSpikes.Model;
using LatentSpikes.Rate;
using LatentSpikes.Specs;
using static LatentSpikes.Tests.Cli.CliRunner;

namespace LatentSpikes.Tests.Rate;

/// <summary>
/// The rate twin's spec field (<c>rate: {beta, tau_s}</c>), <c>simulate --engine rate</c>, <c>analyze --what rate</c>
/// and <c>nullclines</c> end to end; bad input is one line and exit 1.
/// </summary>
public sealed class RateSpecAndCliTests : IDisposable
{
    private const string Spec = """
        name: twin
        simulation: {dt: 0.01, duration: 3, seed: 4}
        input:
          - {kind: ramp, from: -1, to: 1, start: 0.5, stop: 3}
        populations:
          - name: I
            kind: inhibitory
            size: 8
            tangent:
              f: {polynomial: [0.5, 0, 1]}
              range: [-1, 1]
            decoders: -0.2
            noise: 0.05
            synapse: {kind: exponential, tau: 0.25}
            RATE
        initial: {y_I: -1.5}
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-rate-" + Guid.NewGuid().ToString("N"));

    public RateSpecAndCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private string Write(string rate, string name = "spec.yaml")
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, Spec.Replace("RATE", rate, StringComparison.Ordinal));
        return path;
    }

    [Fact]
    public void The_rate_field_is_read_written_and_read_back()
    {
        var exp = SpecReader.Parse(Spec.Replace("RATE", "rate: {beta: 12.5, tau_s: 0.3}", StringComparison.Ordinal), "spec.yaml").Experiment;
        Assert.Equal(new RateParameters(12.5, 0.3), exp.Network.Populations[0].Rate);
        var again = SpecReader.Parse(SpecWriter.Write(exp), "copy.yaml").Experiment;
        Assert.Equal(new RateParameters(12.5, 0.3), again.Network.Populations[0].Rate);
        Assert.Null(SpecReader.Parse(Spec.Replace("RATE", string.Empty, StringComparison.Ordinal), "spec.yaml").Experiment.Network.Populations[0].Rate);
    }

    [Theory]
    [InlineData("rate: {beta: .nan}", "beta")]
    [InlineData("rate: {beta: 0}", "beta")]
    [InlineData("rate: {beta: -3}", "beta")]
    [InlineData("rate: {tau_s: 0}", "tau_s")]
    [InlineData("rate: {gain: 2}", "rate")]
    public void Bad_rate_fields_are_one_line_errors_with_their_line(string rate, string field)
    {
        var e = Assert.Throws<SpecException>(() => SpecReader.Parse(Spec.Replace("RATE", rate, StringComparison.Ordinal), "spec.yaml"));
        Assert.Equal(15, e.Line);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Simulate_with_the_rate_engine_writes_rates_csv_and_reports_rates()
    {
        string spec = Write("rate: {beta: 30}");
        string outDir = Path.Combine(_dir, "out");
        var r = Run("simulate", spec, "--engine", "rate", "--out", outDir, "--no-plot");

        Assert.Equal(0, r.Code);
        Assert.Equal(string.Empty, r.Err);
        Assert.Contains("0 spikes", r.Out, StringComparison.Ordinal);
        string[] lines = File.ReadAllLines(Path.Combine(outDir, "rates.csv"));
        Assert.Equal("t," + string.Join(',', Enumerable.Range(0, 8).Select(i => $"I[{i}]")), lines[0]);
        Assert.Equal(302, lines.Length);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Equal("rate", summary.RootElement.GetProperty("engine").GetString());
        double meanRate = summary.RootElement.GetProperty("populations")[0].GetProperty("mean_rate_per_tau").GetDouble();
        Assert.True(meanRate > 0, "the twin's mean rate is reported from its rates");

        // The stored run equals the API's run.
        var api = new RateEngine().Run(SpecReader.LoadFile(spec).Experiment);
        Assert.Equal(api.Latent("y_I")[^1], RunReader.Read(outDir).Latent("y_I")[^1], 12);
        Assert.Equal(api.NeuronRate(0, 3)[150], double.Parse(lines[151].Split(',')[4], System.Globalization.CultureInfo.InvariantCulture), 12);
    }

    [Fact]
    public void A_rate_run_without_noise_or_beta_is_a_one_line_error_and_writes_nothing()
    {
        string spec = Write(string.Empty);
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("noise: 0.05", "noise: 0", StringComparison.Ordinal));
        string outDir = Path.Combine(_dir, "none");
        var r = Run("simulate", spec, "--engine", "rate", "--out", outDir);
        Assert.Equal(1, r.Code);
        Assert.StartsWith("error: populations[0].rate.beta:", r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(outDir));

        var trials = Run("simulate", Write("rate: {beta: 30}"), "--engine", "rate", "--trials", "3", "--out", outDir);
        Assert.Equal(1, trials.Code);
        Assert.Contains("--trials", trials.Err, StringComparison.Ordinal);
        Assert.Contains("unknown engine 'rates'", Run("simulate", spec, "--engine", "rates").Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_rate_compares_the_twin_with_stored_spiking_runs()
    {
        string spec = Write(string.Empty);
        string batch = Path.Combine(_dir, "batch");
        Assert.Equal(0, Run("simulate", spec, "--trials", "6", "--out", batch, "--no-plot").Code);

        var r = Run("analyze", batch, "--what", "rate", "--start", "0.5");

        Assert.Equal(0, r.Code);
        Assert.Equal(string.Empty, r.Err);
        Assert.Contains("rate twin vs 6 trial(s): readout NRMSE", r.Out, StringComparison.Ordinal);
        string dir = Path.Combine(batch, "analysis");
        foreach (string f in new[] { "rate.json", "rate_latents.csv", "rate_neurons.csv", "rate.png" })
        {
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        }

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "rate.json")));
        var trials = RunReader.ReadTrials(batch).Select(t => t.Result).ToArray();
        var api = RateComparison.Compare(new RateEngine().Run(trials[0].Experiment), trials, 0.2, 0.5, null);
        Assert.Equal(api.ReadoutError, json.RootElement.GetProperty("readout_error").GetDouble(), 12);
        Assert.Equal(8, File.ReadAllLines(Path.Combine(dir, "rate_neurons.csv")).Length - 1);

        // A rate run is not a spiking run to compare with.
        string twinRun = Path.Combine(_dir, "twin");
        Assert.Equal(0, Run("simulate", spec, "--engine", "rate", "--out", twinRun, "--no-plot").Code);
        var bad = Run("analyze", twinRun, "--what", "rate");
        Assert.Equal(1, bad.Code);
        Assert.Contains("rate-twin run", bad.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Nullclines_command_writes_the_fixed_points_of_the_EI_twin_and_the_soft_boundary_of_a_rank1_population()
    {
        string ei = TestData.Example("fig11-ei-nullclines.yaml");
        string outDir = Path.Combine(_dir, "nc");
        var r = Run("nullclines", ei, "--beta", "10,3,1", "--out", outDir);
        Assert.Equal(0, r.Code);
        Assert.Equal(string.Empty, r.Err);
        Assert.Contains("spiking boundaries cross at (2, -3.5), stable", r.Out, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "nullclines.json"))))
        {
            var sets = json.RootElement.GetProperty("sets");
            Assert.Equal(3, sets.GetArrayLength());
            var fp = sets[0].GetProperty("fixed_points")[0];
            Assert.Equal("stable", fp.GetProperty("kind").GetString());
            var api = new EiNullclines(TestData.LoadExample("fig11-ei-nullclines.yaml").Experiment.Network, 0.01, 10, 10).Compute(2.0);
            Assert.Equal(api.FixedPoints[0].YE, fp.GetProperty("y_e").GetDouble(), 12);
        }

        Assert.True(File.Exists(Path.Combine(outDir, "nullclines.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "nullclines.csv")));

        string rank1 = Write(string.Empty, "rank1.yaml");
        string softDir = Path.Combine(_dir, "soft");
        var s = Run("nullclines", rank1, "--x", "0", "--trials", "20", "--out", softDir);
        Assert.Equal(0, s.Code);
        Assert.True(File.Exists(Path.Combine(softDir, "soft-I.png")));
        Assert.True(File.Exists(Path.Combine(softDir, "soft_boundary.json")));

        var bad = Run("nullclines", ei, "--beta", "0");
        Assert.Equal(1, bad.Code);
        Assert.StartsWith("error: command line: --beta:", bad.Err, StringComparison.Ordinal);
    }
}
