using System.Text.Json;
using LatentSpikes.Analysis;
using LatentSpikes.Cli;
using LatentSpikes.IO;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;
using static LatentSpikes.Tests.Cli.CliRunner;

namespace LatentSpikes.Tests.Cli;

/// <summary><c>latentspikes analyze</c> end to end, and the run directory it reads.</summary>
public sealed class AnalyzeCommandTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly string[] AllFiles =
    [
        "psth.json", "psth.csv", "rates.csv", "latents_mean.csv", "psth.png",
        "cv.json", "cv.csv", "cv.png",
        "balance.json", "balance.csv", "balance_traces.csv", "balance.png",
        "nullspace.json", "nullspace.csv", "nullspace.png",
    ];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-analyze-" + Guid.NewGuid().ToString("N"));

    public AnalyzeCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Analyzing_three_noisy_runs_writes_every_analysis_and_matches_the_API()
    {
        string spec = NoisyFig2();
        string[] runs = [.. new[] { 1, 2, 3 }.Select(seed => Simulate(spec, $"run{seed}", "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)))];

        var r = Run(["analyze", .. runs, "--start", "5", "--stop", "30"]);

        Assert.Equal(0, r.Code);
        Assert.Equal(string.Empty, r.Err);
        Assert.Contains("analysis of 3 trials over (5, 30] τ", r.Out, StringComparison.Ordinal);
        string outDir = Path.Combine(runs[0], "analysis");
        Assert.Equal(AllFiles.Order(StringComparer.Ordinal), Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (string png in AllFiles.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
        {
            Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(outDir, png))[..PngSignature.Length]);
        }

        // The same numbers from the API on fresh runs with the same seeds.
        var exp = SpecReader.LoadFile(spec).Experiment;
        var trials = new ulong[] { 1, 2, 3 }.Select(s => new ClockDrivenEngine().Run(exp.WithSettings(exp.Settings with { Seed = s }))).ToArray();
        var counts = Irregularity.SpikeCounts(trials, 0, 5, 30);
        var isi = Irregularity.IsiStatistics(trials, 0, 5, 30);
        using (var cv = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "cv.json"))))
        {
            var pop = cv.RootElement.GetProperty("populations")[0];
            Assert.Equal(3, cv.RootElement.GetProperty("trials").GetInt32());
            Assert.Equal(counts.MeanCv, pop.GetProperty("count_mean_cv").GetDouble(), 12);
            Assert.Equal(counts.MeanFano, pop.GetProperty("count_mean_fano").GetDouble(), 12);
            Assert.Equal(isi.MeanCv, pop.GetProperty("isi_mean_cv").GetDouble(), 12);
        }

        string[] cvRows = File.ReadAllLines(Path.Combine(outDir, "cv.csv"));
        Assert.Equal("population,neuron,rate,isi_intervals,isi_cv,count_mean,count_cv,fano", cvRows[0]);
        Assert.Equal(11, cvRows.Length);

        var nullspace = Nullspace.Analyze(trials, 0, 1.0, 5, 30);
        using (var ns = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "nullspace.json"))))
        {
            var pop = ns.RootElement.GetProperty("populations")[0];
            Assert.Equal(nullspace.ReadoutVariance, pop.GetProperty("readout_variance").GetDouble(), 12);
            Assert.Equal(nullspace.TopNullspaceVariance, pop.GetProperty("null_top_variance").GetDouble(), 9);
            Assert.Equal(9, pop.GetProperty("null_dimensions").GetInt32());
        }

        var balance = Balance.Analyze(trials, 5, 30);
        string[] balanceRows = File.ReadAllLines(Path.Combine(outDir, "balance.csv"));
        Assert.Equal(11, balanceRows.Length);
        Assert.Equal(balance.Neurons.Count(n => n.Hyperpolarised), balanceRows.Count(l => l.EndsWith(",true", StringComparison.Ordinal)));

        string[] latents = File.ReadAllLines(Path.Combine(outDir, "latents_mean.csv"));
        Assert.Equal("t,y_I_mean,y_I_sem", latents[0]);
        Assert.Equal(2501, latents.Length); // the window's samples, t = 5.01 … 30
        Assert.StartsWith("5.01,", latents[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_directory_reads_back_as_the_result_that_was_written()
    {
        string spec = NoisyFig2();
        string run = Simulate(spec, "run", "--seed", "5", "--duration", "12");
        var exp = SpecReader.LoadFile(spec).Experiment;
        var fresh = new ClockDrivenEngine().Run(exp.WithSettings(exp.Settings with { Seed = 5, Duration = 12 }));

        var read = RunReader.Read(run);

        // Round-trip number formatting makes every value exact.
        Assert.Equal(fresh.Times, read.Times);
        Assert.Equal(fresh.LatentsFlat, read.LatentsFlat);
        Assert.Equal(fresh.InputsFlat, read.InputsFlat);
        Assert.Equal(fresh.Spikes, read.Spikes);
        Assert.Equal(fresh.SpikeCounts, read.SpikeCounts);
        Assert.Equal(fresh.StepsSimulated, read.StepsSimulated);
        Assert.Equal(SpecWriter.Write(fresh.Experiment), SpecWriter.Write(read.Experiment));
        Assert.Equal(5UL, read.Experiment.Settings.Seed);
    }

    [Theory]
    [InlineData("clock")]
    [InlineData("event")]
    public void A_batch_of_trials_reads_back_as_the_engines_trials(string engine)
    {
        // An OU input: the reader must redraw each trial's input from that trial's random stream.
        string spec = NoisyFig2().Replace(".yaml", "-ou.yaml", StringComparison.Ordinal);
        File.WriteAllText(spec, File.ReadAllText(NoisyFig2()).Replace("  - kind: ramp\n    from: -1\n    to: 1\n    start: 5\n    stop: 30", "  - {kind: ou, mean: -0.4, std: 0.3, tau: 1}", StringComparison.Ordinal));
        Assert.Contains("kind: ou", File.ReadAllText(spec), StringComparison.Ordinal);
        string dir = Path.Combine(_dir, "batch-" + engine);
        Assert.Equal(0, Run("simulate", spec, "--trials", "4", "--engine", engine, "--duration", "6", "--out", dir, "--no-plot").Code);

        var read = RunReader.ReadTrials(dir);
        var exp = SpecReader.LoadFile(spec).Experiment;
        exp = exp.WithSettings(exp.Settings with { Duration = 6 });
        Assert.Equal([0UL, 1, 2, 3], read.Select(t => t.Trial));
        for (int r = 0; r < 4; r++)
        {
            var fresh = engine == "event" ? new EventDrivenEngine((ulong)r).Run(exp) : new ClockDrivenEngine(trial: (ulong)r).Run(exp);
            var trial = read[r].Result;
            Assert.Equal(fresh.Times, trial.Times);
            Assert.Equal(fresh.InputsFlat, trial.InputsFlat);
            Assert.Equal(fresh.Spikes.Select(s => (s.Step, s.Population, s.Neuron)), trial.Spikes.Select(s => (s.Step, s.Population, s.Neuron)));

            // Event spike times are written to 10 decimals; latents are rebuilt from the spikes, equal up to rounding.
            Assert.All(fresh.Spikes.Zip(trial.Spikes), p => Assert.True(Math.Abs(p.First.Time - p.Second.Time) <= 1e-10, $"spike at {p.First.Time} read as {p.Second.Time}"));
            Assert.All(fresh.LatentsFlat.Zip(trial.LatentsFlat), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-9, $"latent {p.First} rebuilt as {p.Second}"));
        }

        Assert.Throws<RunDataException>(() => RunReader.Read(dir));
    }

    [Fact]
    public void A_batch_is_analysed_as_its_trials_and_can_be_joined_by_other_seeds()
    {
        string spec = NoisyFig2();
        string batch = Path.Combine(_dir, "batch");
        Assert.Equal(0, Run("simulate", spec, "--trials", "3", "--duration", "12", "--out", batch, "--no-plot").Code);
        string extra = Simulate(spec, "extra", "--duration", "12", "--seed", "2");

        var r = Run("analyze", batch, extra, "--what", "cv,balance", "--start", "2", "--no-plot");
        Assert.Equal(0, r.Code);
        Assert.Contains("analysis of 4 trials", r.Out, StringComparison.Ordinal);

        var exp = SpecReader.LoadFile(spec).Experiment;
        exp = exp.WithSettings(exp.Settings with { Duration = 12 });
        var trials = new BatchedEngine().Run(exp, 3).Trials.Append(new ClockDrivenEngine().Run(exp.WithSettings(exp.Settings with { Seed = 2 }))).ToArray();
        var counts = Irregularity.SpikeCounts(trials, 0, 2, 12);
        using var cv = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(batch, "analysis", "cv.json")));
        Assert.Equal(counts.MeanFano, cv.RootElement.GetProperty("populations")[0].GetProperty("count_mean_fano").GetDouble(), 12);

        // Trial 0 of the batch and a single run with the batch's seed share their noise: not independent trials.
        string twin = Simulate(spec, "twin", "--duration", "12");
        var clash = Run("analyze", batch, twin);
        Assert.Equal(1, clash.Code);
        Assert.Contains("the same seed and trial index as", AssertOneErrorLine(clash.Err), StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_without_its_spec_copy_falls_back_to_the_unchanged_spec_file()
    {
        string spec = NoisyFig2();
        string run = Simulate(spec, "old", "--seed", "4", "--duration", "8");
        File.Delete(Path.Combine(run, RunWriter.SpecCopyFile));

        var read = RunReader.Read(run);
        Assert.Equal(4UL, read.Experiment.Settings.Seed);
        Assert.Equal(8.0, read.Experiment.Settings.Duration);
        Assert.Equal(0, Run("analyze", run, "--what", "cv", "--no-plot").Code);

        File.AppendAllText(spec, "# edited after the run\n");
        var r = Run("analyze", run, "--what", "cv");
        Assert.Equal(1, r.Code);
        Assert.Contains("changed since the run", AssertOneErrorLine(r.Err), StringComparison.Ordinal);
    }

    [Fact]
    public void Analyzing_one_analysis_keeps_the_others_and_a_new_simulation_clears_them()
    {
        string run = Simulate(NoisyFig2(), "run", "--duration", "10");
        Assert.Equal(0, Run("analyze", run, "--no-plot").Code);
        string outDir = Path.Combine(run, "analysis");
        Assert.True(File.Exists(Path.Combine(outDir, "psth.csv")));

        // A rerun of one analysis replaces its own files (here its figure, now produced) and leaves the rest.
        Assert.Equal(0, Run("analyze", run, "--what", "cv").Code);
        Assert.True(File.Exists(Path.Combine(outDir, "cv.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "psth.csv")));
        Assert.False(File.Exists(Path.Combine(outDir, "psth.png")));

        // A new simulation into the folder removes the analysis of the old run.
        Simulate(NoisyFig2("again.yaml"), "run", "--duration", "10", "--seed", "9");
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void A_single_run_reports_ISI_irregularity_and_says_count_statistics_need_trials()
    {
        string run = Simulate(NoisyFig2(), "single", "--duration", "10");
        var r = Run("analyze", run, "--what", "cv", "--no-plot");
        Assert.Equal(0, r.Code);
        Assert.Contains("count CV needs several runs", r.Out, StringComparison.Ordinal);
        using var cv = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(run, "analysis", "cv.json")));
        Assert.Equal(JsonValueKind.Null, cv.RootElement.GetProperty("populations")[0].GetProperty("count_mean_cv").ValueKind);
        Assert.Contains("several trials", cv.RootElement.GetProperty("note").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_sweep_reruns_the_experiment_recurrent_and_feedforward()
    {
        // Fig. S2 from the command line, on the example's run: few trials keep it quick; the claim itself is tested
        // with 100 trials in IrregularityScienceTests.
        string run = Simulate(Path.Combine(AppContext.BaseDirectory, "examples", "figS2-irregularity.yaml"), "s2");
        var r = Run("analyze", run, "--what", "sweep", "--start", "1", "--noise", "0,0.05", "--trials", "20", "--neuron", "I:4");
        Assert.Equal(0, r.Code);
        Assert.Equal(string.Empty, r.Err);
        Assert.Contains("sweep σ = 0.05: count CV of I[4] recurrent", r.Out, StringComparison.Ordinal);
        string outDir = Path.Combine(run, "analysis");
        Assert.Equal(new[] { "sweep.csv", "sweep.json", "sweep.png" }, Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var exp = SpecReader.LoadFile(Path.Combine(run, "spec.yaml")).Experiment;
        var sweep = Irregularity.RecurrentVsFeedforward(exp, [0, 0.05], 20, 1, 6, (0, 4));
        string[] rows = File.ReadAllLines(Path.Combine(outDir, "sweep.csv"));
        Assert.Equal(3, rows.Length);
        Assert.StartsWith("0,0,0,", rows[1], StringComparison.Ordinal); // no noise: every trial identical
        Assert.Equal(sweep.Points[1].RecurrentCv, double.Parse(rows[2].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture), 12);
        Assert.Equal(sweep.Points[1].FeedforwardCv, double.Parse(rows[2].Split(',')[2], System.Globalization.CultureInfo.InvariantCulture), 12);
    }

    [Fact]
    public void An_exploded_run_is_analysed_up_to_its_end_with_a_warning()
    {
        string dir = Path.Combine(_dir, "fig3");
        Assert.Equal(3, Run("simulate", Path.Combine(AppContext.BaseDirectory, "examples", "fig3-excitatory-boundary.yaml"), "--out", dir, "--no-plot").Code);
        var r = Run("analyze", dir, "--what", "psth,cv", "--no-plot");
        Assert.Equal(0, r.Code);
        Assert.StartsWith($"warning: {dir}: the run exploded", r.Err, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "analysis", "cv.csv")));
    }

    [Fact]
    public void The_sweep_of_an_EI_network_without_soft_refractory_cost_explains_why_it_cannot_run()
    {
        // The E neuron's self-reset E·D − μ = 0.05 > 0: without recurrent inhibition it would fire every step.
        string run = Simulate(Path.Combine(AppContext.BaseDirectory, "examples", "ei-rank2-quadratic.yaml"), "ei", "--duration", "2");
        var r = Run("analyze", run, "--what", "sweep");
        Assert.Equal(1, r.Code);
        Assert.Contains("excitatory self-reset", AssertOneErrorLine(r.Err), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadArguments => new()
    {
        { "--what|cv,spectrum", "--what: unknown analysis 'spectrum' (known: psth, cv, balance, nullspace, sweep" },
        { "--what|sweep|--noise|0,-1", "--noise: '-1' is not a noise std" },
        { "--what|sweep|--neuron|J:0", "--neuron: 'J:0' is not POPULATION:INDEX" },
        { "--what|sweep|--trials|1", "--trials: must be at least 2" },
        { "--bin|0", "--bin: must be a positive number" },
        { "--stop|99", "must be non-empty and end within the run (0, 10] τ" },
        { "--start|4|--stop|3", "the window (4, 3] must be non-empty" },
        { "--margin|-1", "--margin: must be a finite number ≥ 0" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_options_fail_with_one_line_and_write_nothing(string options, string expected)
    {
        string run = Simulate(NoisyFig2(), "run", "--duration", "10");
        var r = Run(["analyze", run, .. options.Split('|')]);
        Assert.Equal(1, r.Code);
        Assert.Contains(expected, AssertOneErrorLine(r.Err), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(run, "analysis")));
    }

    [Fact]
    public void Runs_that_cannot_be_trials_of_one_experiment_are_refused()
    {
        string a = Simulate(NoisyFig2(), "a", "--duration", "10", "--seed", "1");
        string sameSeed = Simulate(NoisyFig2(), "b", "--duration", "10", "--seed", "1");
        string other = Simulate(Path.Combine(AppContext.BaseDirectory, "examples", "ei-rank2-quadratic.yaml"), "c", "--duration", "10");
        string missing = Path.Combine(_dir, "nowhere");

        var r1 = Run("analyze", a, sameSeed);
        Assert.Equal(1, r1.Code);
        Assert.Contains("has the same seed and trial index as", AssertOneErrorLine(r1.Err), StringComparison.Ordinal);

        var r2 = Run("analyze", a, other);
        Assert.Equal(1, r2.Code);
        Assert.Contains("is not a run of the same experiment", AssertOneErrorLine(r2.Err), StringComparison.Ordinal);

        var r3 = Run("analyze", missing);
        Assert.Equal(1, r3.Code);
        Assert.Equal($"error: {missing}: run directory not found", AssertOneErrorLine(r3.Err));

        File.WriteAllText(Path.Combine(a, "spikes.csv"), "t,population,neuron\n0.5,I,12\n");
        var r4 = Run("analyze", a);
        Assert.Equal(1, r4.Code);
        Assert.Contains("spikes.csv:2: neuron '12' is not an index of population 'I'", AssertOneErrorLine(r4.Err), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(a, "analysis")));
    }

    /// <summary>The Fig. 2 example with noise and a soft refractory cost, so trials differ and several neurons fire.</summary>
    private string NoisyFig2(string name = "noisy-fig2.yaml")
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "fig2-inhibitory-boundary.yaml"))
            .Replace("    mu: 0\n    noise: 0", "    mu: 0.02\n    noise: 0.05", StringComparison.Ordinal);
        Assert.Contains("noise: 0.05", text, StringComparison.Ordinal);
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Simulate(string spec, string name, params string[] options)
    {
        string dir = Path.Combine(_dir, name);
        var r = Run(["simulate", spec, "--out", dir, "--no-plot", .. options]);
        Assert.Equal(string.Empty, r.Err);
        Assert.Equal(0, r.Code);
        return dir;
    }


    [Fact]
    public void Tracking_reports_each_output_of_a_composition_against_its_target_and_per_module_spike_statistics()
    {
        string spec = Path.Combine(_dir, "depth3.yaml");
        Assert.Equal(0, Run("compile", "--graph", Path.Combine(AppContext.BaseDirectory, "examples", "graphs", "depth3.yaml"), "--max-rate", "0", "--out", spec, "--no-plot").Code);
        string runDir = Path.Combine(_dir, "run");
        Assert.Equal(0, Run("simulate", spec, "--out", runDir, "--no-plot").Code);
        var r = Run("analyze", runDir, "--start", "2", "--target", "g=x^2 + 0.2", "--target", "h=2 - sin(2*g)", "--target", "k=0.5*h^2 + 0.1", "--no-plot");
        Assert.Equal(0, r.Code);
        Assert.DoesNotContain("psth", r.Out, StringComparison.Ordinal);

        using var tracking = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "analysis", "tracking.json")));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "depth3.summary.json")));
        var outputs = tracking.RootElement.GetProperty("outputs").EnumerateArray().ToArray();
        var predicted = summary.RootElement.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!, o => o.GetProperty("predicted_max_error").GetDouble());
        Assert.Equal(["g", "h", "k"], outputs.Select(o => o.GetProperty("name").GetString()));
        foreach (var o in outputs)
        {
            string name = o.GetProperty("name").GetString()!;
            double mae = o.GetProperty("mae").GetDouble(), rms = o.GetProperty("rms").GetDouble(), max = o.GetProperty("max").GetDouble();
            Assert.True(mae <= rms && rms <= max, $"{name}: MAE {mae}, RMS {rms}, max {max}");
            Assert.True(max <= predicted[name], $"{name}: max {max} > predicted {predicted[name]}");
            Assert.True(o.GetProperty("module").GetProperty("spikes").GetInt64() > 0);
        }

        // g's module includes its relay.
        Assert.Equal(["g", "g_I", "g_neg"], outputs[0].GetProperty("module").GetProperty("populations").EnumerateArray().Select(p => p.GetString()));
    }

    [Theory]
    [InlineData("--target[0]: the run has no latent 'y_q'", "q=x")]
    [InlineData("--target[0]: 'E' is not NAME=EXPR", "E")]
    [InlineData("--target[0]: expression 'y + 1': column 1: unknown name 'y'", "E=y + 1")]
    public void A_bad_target_is_one_line(string expected, string target)
    {
        string spec = Path.Combine(_dir, "g.yaml");
        Assert.Equal(0, Run("compile", "-f", "x^2 + 0.2", "--range", "-1", "1", "--max-rate", "0", "--duration", "4", "--out", spec, "--no-plot").Code);
        string runDir = Path.Combine(_dir, "run");
        Assert.Equal(0, Run("simulate", spec, "--out", runDir, "--no-plot").Code);
        var r = Run("analyze", runDir, "--target", target);
        Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
        Assert.Contains(expected, AssertOneErrorLine(r.Err), StringComparison.Ordinal);
    }
}
