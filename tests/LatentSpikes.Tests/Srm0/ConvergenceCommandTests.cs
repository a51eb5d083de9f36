using System.Globalization;
using System.Text.Json;
using LatentSpikes.Cli;

namespace LatentSpikes.Tests.Srm0;

/// <summary><c>latentspikes convergence</c>: table, CSV, JSON and figure from a small sweep; one-line errors.</summary>
public sealed class ConvergenceCommandTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-convergence-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void A_small_sweep_writes_the_table_csv_json_and_figure_and_the_error_falls_with_N()
    {
        var r = Run("convergence", "--sizes", "200,800", "--seeds", "1", "2", "--latents", "4", "--layers", "1", "--warm-up", "50", "--duration", "200", "--out", _dir);
        Assert.Equal(0, r.Code);
        Assert.Contains("fitted log-log slope of MAD(SNN, GR) vs N", r.Out, StringComparison.Ordinal);
        Assert.Contains("[4/4]", r.Err, StringComparison.Ordinal);
        Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(_dir, "convergence.png"))[..PngSignature.Length]);

        string[] csv = File.ReadAllLines(Path.Combine(_dir, "convergence.csv"));
        Assert.Equal(5, csv.Length);
        Assert.StartsWith("neurons,latents,seed,mad_snn_gr", csv[0], StringComparison.Ordinal);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "convergence.json")));
        var runs = json.RootElement.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(4, runs.Length);
        double Mad(int n) => runs.Where(x => x.GetProperty("neurons").GetInt32() == n).Average(x => x.GetProperty("mad_snn_gr").GetDouble());

        // Four times the neurons at fixed K: √(K/N) halves; 1.5-2.7 leaves room for two seeds' worth of noise.
        Assert.InRange(Mad(200) / Mad(800), 1.5, 2.7);
        double slope = json.RootElement.GetProperty("fit").GetProperty("slope_mad_snn_gr").GetDouble();
        Assert.InRange(slope, -0.72, -0.29);
        Assert.Contains(slope.ToString("0.000", CultureInfo.InvariantCulture), r.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--latents", "many", "--latents")]
    [InlineData("--sizes", "0", "--sizes")]
    [InlineData("--layers", "0", "--layers")]
    [InlineData("--duration", "-5", "--duration")]
    [InlineData("--seeds", "1,1", "--seeds")]
    public void Bad_options_fail_with_one_line_naming_the_option(string option, string value, string named)
    {
        var r = Run("convergence", "--sizes", "100", "200", option, value, "--out", _dir);
        Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
        Assert.Contains(named, r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.False(Directory.Exists(_dir), "nothing is written on a bad option");
    }

    [Fact]
    public void More_latents_than_neurons_is_reported_against_the_latents_option()
    {
        var r = Run("convergence", "--sizes", "5", "50", "--latents", "10", "--out", _dir);
        Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
        Assert.Contains("--latents", r.Err, StringComparison.Ordinal);
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = LatentSpikesApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }
}
