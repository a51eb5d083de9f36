using System.Globalization;
using System.Text.Json;
using LatentSpikes.Analysis;
using LatentSpikes.Specs;
using static LatentSpikes.Tests.Cli.CliRunner;

namespace LatentSpikes.Tests.Cli;

/// <summary><c>latentspikes analyze --what mistuning</c> (Fig. 8f) and <c>--what isn</c> (Fig. 8b-c) end to end.</summary>
public sealed class AnalyzeFig8Tests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-fig8-" + Guid.NewGuid().ToString("N"));

    public AnalyzeFig8Tests() => Directory.CreateDirectory(_dir);

    private static string Fig8Spec => Path.Combine(AppContext.BaseDirectory, "examples", "fig8-balanced-ei.yaml");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Mistuning_reruns_the_experiment_and_writes_what_the_API_computes()
    {
        // 12 τ: the example's stimulation at 12.5 τ never starts, as in the authors' Fig. 8f runs.
        string run = Simulate(Fig8Spec, "f8", "--duration", "12");
        var r = Run("analyze", run, "--what", "mistuning", "--angles", "0,20", "--trials", "3", "--start", "5");
        Assert.Equal(string.Empty, r.Err);
        Assert.Equal(0, r.Code);
        Assert.Contains("mistuning 20°: latent MSE", r.Out, StringComparison.Ordinal);
        string outDir = Path.Combine(run, "analysis");
        Assert.Equal(["mistuning.csv", "mistuning.json", "mistuning.png", "mistuning_trials.csv"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(outDir, "mistuning.png"))[..PngSignature.Length]);

        var exp = SpecReader.LoadFile(Fig8Spec).Experiment;
        var sweep = Mistuning.Sweep(exp.WithSettings(exp.Settings with { Duration = 12 }), [0, 20], 3, 5, 12);
        string[] rows = File.ReadAllLines(Path.Combine(outDir, "mistuning.csv"));
        Assert.Equal("angle,mse_mean,mse_sem,mse_y_E_mean,mse_y_E_sem,mse_y_I_mean,mse_y_I_sem,y_E_mean,y_E_sem,y_I_mean,y_I_sem", rows[0]);
        Assert.Equal(3, rows.Length);
        Assert.Equal(sweep.Points[1].Mse.Mean, double.Parse(rows[2].Split(',')[1], CultureInfo.InvariantCulture), 12);
        Assert.Equal(7, File.ReadAllLines(Path.Combine(outDir, "mistuning_trials.csv")).Length);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "mistuning.json")));
        Assert.Equal(3, json.RootElement.GetProperty("trials").GetInt32());
        Assert.Equal(sweep.Points[0].Mse.Sem, json.RootElement.GetProperty("points")[0].GetProperty("mse_sem").GetDouble(), 12);
    }

    [Fact]
    public void Isn_stimulates_the_inhibitory_population_and_reports_the_paradoxical_effect()
    {
        string run = Simulate(Fig8Spec, "f8");
        var r = Run("analyze", run, "--what", "isn", "--trials", "3", "--start", "2.5", "--onset", "12.5", "--no-plot");
        Assert.Equal(string.Empty, r.Err);
        Assert.Equal(0, r.Code);
        Assert.Contains("isn verdict: paradoxical", r.Out, StringComparison.Ordinal);
        string outDir = Path.Combine(run, "analysis");
        Assert.Equal(["isn.csv", "isn.json", "isn_latents.csv", "isn_rates.csv"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // Baseline (2.5, 12.5], stimulus window (12.5 + 2.5, 25]; the current of 1 into I is the default.
        var report = IsnProtocol.Run(SpecReader.LoadFile(Fig8Spec).Experiment, new IsnStimulus("I", 1, 12.5), (2.5, 12.5), (15, 25), 3);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "isn.json")));
        Assert.Equal("paradoxical", json.RootElement.GetProperty("verdict").GetString());
        var rates = json.RootElement.GetProperty("rates");
        Assert.Equal(report.Rates[1].Change.Mean, rates[1].GetProperty("change").GetDouble(), 12);
        Assert.Equal(report.Rates[0].Stimulated.Mean, rates[0].GetProperty("stimulated").GetDouble(), 12);
        Assert.Equal(15, json.RootElement.GetProperty("stimulus_window")[0].GetDouble());
        string[] rows = File.ReadAllLines(Path.Combine(outDir, "isn.csv"));
        Assert.Equal("quantity,name,baseline_mean,baseline_sem,stimulated_mean,stimulated_sem,change_mean,change_sem,predicted_baseline,predicted_stimulated", rows[0]);
        Assert.StartsWith("latent,y_E,", rows[3], StringComparison.Ordinal);
        Assert.EndsWith(",2,0.6666666666666666", rows[3], StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadArguments => new()
    {
        { "--what|mistuning|--angles|0,95", "--angles: '95' is not an angle in [0, 90) degrees" },
        { "--what|mistuning|--angles|0,50", "--angles: tilting the decoders of 'E' by 50° would give neuron" },
        { "--what|mistuning|--trials|1", "--trials: must be at least 2" },
        { "--what|isn|--amplitude|0", "--amplitude: must be a finite non-zero current" },
        { "--what|isn|--onset|30", "--onset: the onset 30 τ and --settle 2.5 τ must leave a baseline" },
        { "--what|isn|--settle|-1", "--settle: must be a finite number ≥ 0" },
        { "--what|isn|--population|X", "--population: no population called 'X' (known: E, I)" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_options_fail_with_one_line_and_write_nothing(string options, string expected)
    {
        string run = Simulate(Fig8Spec, "f8", "--duration", "8");
        var r = Run(["analyze", run, .. options.Split('|')]);
        Assert.Equal(1, r.Code);
        Assert.Contains(expected, AssertOneErrorLine(r.Err), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(run, "analysis")));
    }

    [Fact]
    public void Mistuning_needs_an_EI_network()
    {
        string run = Simulate(Path.Combine(AppContext.BaseDirectory, "examples", "fig2-inhibitory-boundary.yaml"), "f2", "--duration", "4");
        var r = Run("analyze", run, "--what", "mistuning", "--trials", "2");
        Assert.Equal(1, r.Code);
        Assert.Contains("--what mistuning: mistuning needs a rank-2 E-I network", AssertOneErrorLine(r.Err), StringComparison.Ordinal);
    }

    private string Simulate(string spec, string name, params string[] options)
    {
        string dir = Path.Combine(_dir, name);
        var r = Run(["simulate", spec, "--out", dir, "--no-plot", .. options]);
        Assert.Equal(string.Empty, r.Err);
        Assert.Equal(0, r.Code);
        return dir;
    }
}
