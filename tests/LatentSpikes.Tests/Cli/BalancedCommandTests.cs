using System.Text.Json;
using LatentSpikes.Cli;
using static LatentSpikes.Tests.Cli.CliRunner;

namespace LatentSpikes.Tests.Cli;

/// <summary><c>latentspikes balanced</c>: report files, the simulation-vs-mean-field table, one-line errors.</summary>
public sealed class BalancedCommandTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-balanced-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Mode_A_writes_the_json_report_and_the_figure()
    {
        var r = Run("balanced", "--neurons", "1000", "--K", "40", "--condition", "0.3", "--dynamic", "0.5", "--threads", "1", "--out", _dir);
        Assert.Equal(0, r.Code);
        Assert.Contains("seed 001 mode A: N = 1000 (E 800, I 200), K = 40, balanced", r.Out, StringComparison.Ordinal);
        Assert.Contains("[100%]", r.Err, StringComparison.Ordinal);
        Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(_dir, "balanced.png"))[..PngSignature.Length]);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "balanced.json")));
        var radii = json.RootElement.GetProperty("radii");
        Assert.Equal(3, radii.GetArrayLength());
        // The report carries both sides of the comparison: at κ = 0 the finite-K mean field is the balance solution.
        Assert.Equal(5.0, radii[0].GetProperty("mean_field_rates")[0].GetDouble(), 1e-6);
        Assert.InRange(radii[0].GetProperty("sim_rates")[0].GetDouble(), 3.5, 6.5);
        Assert.Equal((24 * 0.3) + 0.5, json.RootElement.GetProperty("simulated_seconds").GetDouble(), 1e-9);

        // The shared run-folder shape: snake_case summary with the time unit, and the run as a balanced: spec.
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "summary.json")));
        Assert.Equal("balanced-ei", summary.RootElement.GetProperty("model").GetString());
        Assert.Equal("s", summary.RootElement.GetProperty("time_unit").GetString());
        Assert.Equal((24 * 0.3) + 0.5, summary.RootElement.GetProperty("simulated").GetDouble(), 1e-9);
        var again = LatentSpikes.Specs.BalancedSpec.LoadFile(Path.Combine(_dir, "spec.yaml")).Run;
        Assert.Equal(1000, again.Parameters.NeuronCount);
        Assert.Equal(40, again.Parameters.K);
        Assert.Equal(0.3, again.ConditionSeconds);
    }

    [Fact]
    public void Simulate_runs_a_balanced_spec_like_the_command()
    {
        string spec = Path.Combine(Path.GetTempPath(), $"latentspikes-balanced-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(spec, "name: small\nbalanced:\n  time_unit: s\n  neurons: 1000\n  k: 40\n  simulation: {condition: 0.3, dynamic: 0.5, threads: 1}\n");
        try
        {
            var v = Run("validate", spec);
            Assert.Equal(0, v.Code);
            Assert.Contains("balanced E-I network (seed 001), N = 1000 (E 800, I 200), K = 40, mode A", v.Out, StringComparison.Ordinal);
            var viaSpec = Run("simulate", spec, "--out", _dir, "--no-plot");
            Assert.Equal(0, viaSpec.Code);
            string fromSpec = File.ReadAllText(Path.Combine(_dir, "balanced.json"));
            Directory.Delete(_dir, recursive: true);
            var viaFlags = Run("balanced", "--neurons", "1000", "--K", "40", "--condition", "0.3", "--dynamic", "0.5", "--threads", "1", "--no-plot", "--out", _dir);
            Assert.Equal(0, viaFlags.Code);
            string Strip(string json) => string.Join('\n', json.Split('\n').Where(l => !l.Contains("wall_seconds", StringComparison.Ordinal)));
            Assert.Equal(Strip(fromSpec), Strip(File.ReadAllText(Path.Combine(_dir, "balanced.json"))));
            Assert.Equal(LatentSpikesApp.ExitSpecError, Run("simulate", spec, "--engine", "event", "--out", _dir + "x").Code);
        }
        finally
        {
            File.Delete(spec);
        }
    }

    [Theory]
    [InlineData("  k: 40\n  time_unit: ms\n", "balanced.time_unit")]
    [InlineData("  k: 40\n  mode: C\n", "balanced.mode")]
    [InlineData("  k: 4000\n", "balanced.k")]
    [InlineData("  k: 40\n  simulation: {tuning_condition: 0.1}\n", "balanced.simulation.tuning_condition")]
    [InlineData("  k: 40\n  colour: red\n", "colour")]
    public void A_bad_balanced_spec_is_a_one_line_error_naming_the_field(string body, string field)
    {
        var e = Assert.Throws<LatentSpikes.Specs.SpecException>(() => LatentSpikes.Specs.BalancedSpec.Parse("balanced:\n  neurons: 1000\n" + body, "t.yaml"));
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mode_B_reports_the_latent_trajectory_error()
    {
        var r = Run("balanced", "--neurons", "1000", "--K", "40", "--mode", "B", "--condition", "0.3", "--dynamic", "0.3", "--no-plot", "--out", _dir);
        Assert.Equal(0, r.Code);
        Assert.Contains("latent oscillator: RMS distance to the mean-field latent dynamics", r.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "balanced.png")));
    }

    [Fact]
    public void The_long_tuning_protocol_adds_its_index_to_the_report()
    {
        var r = Run("balanced", "--neurons", "500", "--K", "20", "--condition", "0.3", "--dynamic", "0.3", "--tuning", "long", "--tuning-condition", "0.4", "--out", _dir);
        Assert.Equal(0, r.Code);
        Assert.Contains("tuning (0.4 s × 5×8 + 1 conditions", r.Out, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "balanced.json")));
        var tuning = json.RootElement.GetProperty("tuning");
        Assert.InRange(tuning.GetProperty("fitted_non_monotonicity").GetDouble(), 0, 1);
        Assert.Equal(6, tuning.GetProperty("radii").GetArrayLength());
        // The main protocol (24 conditions + dynamic segment) plus 41 tuning conditions.
        Assert.Equal((24 * 0.3) + 0.3 + (41 * 0.4), json.RootElement.GetProperty("simulated_seconds").GetDouble(), 1e-9);
        Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(_dir, "balanced.png"))[..PngSignature.Length]);
    }

    [Fact]
    public void The_K_sweep_writes_its_table_json_and_log_scale_figure()
    {
        var r = Run("balanced", "--K-sweep", "20", "--K-sweep-mean-field", "400,102400", "--condition", "0.3", "--threads", "1", "--out", _dir);
        Assert.Equal(0, r.Code);
        Assert.Contains("seed 001 K sweep", r.Out, StringComparison.Ordinal);
        Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(_dir, "ksweep.png"))[..PngSignature.Length]);
        string[] csv = File.ReadAllLines(Path.Combine(_dir, "ksweep.csv"));
        Assert.Equal(4, csv.Length);
        Assert.StartsWith("20,500,", csv[1], StringComparison.Ordinal);
        Assert.StartsWith("102400,0,,", csv[3], StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "ksweep.json")));
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToArray();
        Assert.True(rows[0].GetProperty("simulated").GetBoolean());
        Assert.False(rows[2].GetProperty("simulated").GetBoolean());
        Assert.False(File.Exists(Path.Combine(_dir, "balanced.json")));
    }

    [Theory]
    [InlineData("--K-sweep", "abc", "--K-sweep")]
    [InlineData("--K-sweep", "5000", "--K-sweep")]
    [InlineData("--K-sweep-mean-field", "0", "--K-sweep-mean-field")]
    public void Bad_K_sweep_options_fail_with_one_line(string option, string value, string named)
    {
        string[] args = option == "--K-sweep" ? ["balanced", option, value, "--out", _dir] : ["balanced", "--K-sweep", "20", option, value, "--out", _dir];
        var r = Run(args);
        Assert.NotEqual(0, r.Code);
        Assert.Contains(named, r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.False(Directory.Exists(_dir));
    }

    [Theory]
    [InlineData("--tuning", "short", "--tuning")]
    [InlineData("--tuning-condition", "0.1", "--tuning-condition")]
    [InlineData("--mode", "C", "--mode")]
    [InlineData("--K", "5000", "K:")]
    [InlineData("--neurons", "5", "--neurons")]
    public void Bad_options_give_one_line_errors(string option, string value, string named)
    {
        var r = Run("balanced", option, value, "--out", _dir);
        Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
        Assert.Contains(named, r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.False(Directory.Exists(_dir));
    }

}
