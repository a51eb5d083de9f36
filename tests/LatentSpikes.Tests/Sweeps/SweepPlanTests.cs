using LatentSpikes.Model;
using LatentSpikes.Specs;
using LatentSpikes.Sweeps;

namespace LatentSpikes.Tests.Sweeps;

/// <summary>Sweep files: enumeration order and ids, overrides of nested fields, and one-line errors naming the parameter.</summary>
public sealed class SweepPlanTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-sweepplan-" + Guid.NewGuid().ToString("N"));

    public SweepPlanTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>Writes a sweep over the Fig. 2 example and plans it.</summary>
    internal static SweepPlan Plan(string dir, string body, string name = "sweep.yaml")
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, $"spec: {TestData.Example("fig2-inhibitory-boundary.yaml")}\n{body}");
        return SweepPlan.Create(SweepDefinition.Load(path));
    }

    private SpecException PlanError(string body)
    {
        var e = Assert.Throws<SpecException>(() => Plan(_dir, body));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith(Path.Combine(_dir, "sweep.yaml"), e.Message, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void Runs_are_grid_combinations_first_parameter_slowest_then_zipped_entries_then_seeds()
    {
        var plan = Plan(_dir, """
            grid:
              populations[0].noise: [0, 0.1]
              populations[0].mu: [0, 0.01, 0.02]
            zip:
              simulation.duration: [6, 8]
              input[0].stop: [6, 8]
            seeds: [5, 7]
            """);
        Assert.Equal(2 * 3 * 2 * 2, plan.Runs.Count);
        string Key(SweepRun r) => string.Join(" ", r.Parameters.Select(p => p.Value)) + " s" + r.Seed;
        Assert.Equal("0 0 6 6 s5", Key(plan.Runs[0]));
        Assert.Equal("0 0 6 6 s7", Key(plan.Runs[1]));
        Assert.Equal("0 0 8 8 s5", Key(plan.Runs[2]));
        Assert.Equal("0 0.01 6 6 s5", Key(plan.Runs[4]));
        Assert.Equal("0.1 0 6 6 s5", Key(plan.Runs[12]));
        Assert.Equal("0.1 0.02 8 8 s7", Key(plan.Runs[23]));
        Assert.Equal(Enumerable.Range(0, 24), plan.Runs.Select(r => r.Index));
        Assert.All(plan.Runs, r => Assert.Matches($"^{r.Index:D4}-[0-9a-f]{{12}}$", r.Id));
        Assert.Equal(24, plan.Runs.Select(r => r.Id[5..]).Distinct().Count());
        Assert.Equal(
            ["run", "run_id", "populations[0].noise", "populations[0].mu", "simulation.duration", "input[0].stop", "seed", "status", "exploded_trials",
             "rate_hz.I", "cv.I", "boundary_error.I", "latent_mean.y_I"],
            plan.Columns);

        // Each run's spec carries its values, read back through the ordinary spec reader.
        var last = plan.Load(plan.Runs[23]).Experiment;
        Assert.Equal(0.1, last.Network.Populations[0].NoiseSigma);
        Assert.Equal(0.02, last.Network.Populations[0].SoftRefractory);
        Assert.Equal(8.0, last.Settings.Duration);
        Assert.Equal(7UL, last.Settings.Seed);
    }

    [Fact]
    public void Ids_are_stable_and_follow_the_content_of_a_run()
    {
        const string Body = "grid:\n  populations[0].noise: [0, 0.1]\nseeds: 2\n";
        var a = Plan(_dir, Body);
        var b = Plan(_dir, Body, "again.yaml");
        Assert.Equal(a.Runs.Select(r => r.Id), b.Runs.Select(r => r.Id));
        Assert.Equal(a.Hash, b.Hash);
        Assert.Equal([0UL, 1UL, 0UL, 1UL], a.Runs.Select(r => r.Seed));

        // The same parameter values with another trial count are other results, so other ids.
        var c = Plan(_dir, Body + "trials: 2\n", "trials.yaml");
        Assert.All(c.Runs.Zip(a.Runs), p => Assert.NotEqual(p.First.Id, p.Second.Id));
        Assert.NotEqual(a.Hash, c.Hash);
    }

    [Fact]
    public void Without_seeds_or_parameters_the_sweep_is_the_spec_itself()
    {
        var plan = Plan(_dir, "engine: event\n");
        var run = Assert.Single(plan.Runs);
        Assert.Empty(run.Parameters);
        Assert.Equal(1UL, run.Seed); // the example's own simulation.seed
        Assert.Equal(["run", "run_id", "seed", "status", "exploded_trials", "rate_hz.I", "cv.I", "boundary_error.I", "latent_mean.y_I"], plan.Columns);
    }

    [Fact]
    public void Nested_fields_lists_mappings_and_absent_optional_fields_can_be_swept()
    {
        var plan = Plan(_dir, """
            grid:
              populations[0].synapse: [delta, {kind: exponential, tau: 0.5}]
              populations[0].tangent.range: [[-2, 2]]
              simulation.record_every: [2]
            """);
        Assert.Equal(["delta", "{kind: exponential, tau: 0.5}"], plan.Runs.Select(r => r.Parameters[0].Value));
        Assert.Equal("[-2, 2]", plan.Runs[0].Parameters[1].Value);
        var exp = plan.Load(plan.Runs[1]).Experiment;
        Assert.Equal(SynapseKind.Exponential, exp.Network.Populations[0].Synapse.Kind);
        Assert.Equal(0.5, exp.Network.Populations[0].Synapse.Tau);
        Assert.Equal(2, exp.Settings.RecordEvery);

        // Tangent points spread over [-2, 2] instead of [-1, 1]: the outermost thresholds' slopes are f'(±2) = ±4.
        var slopes = Enumerable.Range(0, 10).Select(i => exp.Network.Populations[0].Feedforward(i, 0)).ToArray();
        Assert.Equal(4.0, slopes.Max(), 9);
    }

    [Theory]
    [InlineData("grid:\n  populations[0]..noise: [0]\n", 2, "grid.populations[0]..noise", "is not a spec field path")]
    [InlineData("grid:\n  populations[3].noise: [0]\n", 2, "populations[3].noise", "'populations' has 1 entry, so there is no element [3]")]
    [InlineData("grid:\n  simulation.duration[0]: [1]\n", 2, "simulation.duration[0]", "'simulation.duration' is a single value ('30'), not a list")]
    [InlineData("grid:\n  populations[0].nosie: [0.1]\n", 2, "populations[0].nosie", "value 0.1: unknown field (did you mean 'noise'?)")]
    [InlineData("grid:\n  populations[0].noise: [0, abc]\n", 2, "populations[0].noise", "value abc: expected a number; got 'abc'")]
    [InlineData("grid:\n  populations[0].decoders: [-0.3, 0.3]\n", 2, "populations[0].decoders", "value 0.3 (populations[0].decoders[0]): Dale's law")]
    [InlineData("zip:\n  simulation.duration: [6, 8]\n  input[0].stop: [6]\n", 3, "zip.input[0].stop", "has 1 values but simulation.duration has 2")]
    [InlineData("grid:\n  simulation.seed: [1, 2]\nseeds: 2\n", 2, "simulation.seed", "is also set by 'seeds'")]
    [InlineData("grid:\n  populations[0].noise: []\n", 2, "grid.populations[0].noise", "expected a non-empty list of values")]
    [InlineData("metrics: [rate_hz, speed]\n", 1, "metrics[1]", "unknown metric 'speed'")]
    [InlineData("metrics: [fano]\n", 1, "metrics[0]", "the Fano factor is across trials; set trials ≥ 2")]
    [InlineData("seeds: [3, 3]\n", 1, "seeds", "seed 3 is listed twice")]
    [InlineData("window: [5, 2]\n", 1, "window", "expected [start, stop]")]
    [InlineData("engine: gpu\n", 1, "engine", "unknown engine 'gpu'")]
    [InlineData("grids:\n  a: [1]\n", 1, "grids", "unknown field (did you mean 'grid'?)")]
    public void A_bad_path_or_value_is_one_line_naming_the_sweep_file_line_and_parameter(string body, int line, string field, string problem)
    {
        var e = PlanError(body);
        Assert.Equal(line + 1, e.Line); // the spec: line comes first
        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_problem_of_no_single_parameter_names_the_run()
    {
        // A constant input has no 'from': the field at fault is not the swept one, so the run is named.
        var e = Assert.Throws<SpecException>(() => Plan(_dir, "grid:\n  input[0].kind: [ramp, constant]\n"));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("run 1 (input[0].kind = constant): input[0].from: unknown field", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_schema_declares_the_fields_and_metrics_the_reader_accepts()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "sweep.schema.json")));
        var properties = doc.RootElement.GetProperty("properties");
        Assert.Equal(SweepDefinition.TopKeys.Order(StringComparer.Ordinal), properties.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var metrics = properties.GetProperty("metrics").GetProperty("items").GetProperty("enum").EnumerateArray().Select(e => e.GetString());
        Assert.Equal(SweepDefinition.KnownMetrics, metrics);
        Assert.Equal("spec", Assert.Single(doc.RootElement.GetProperty("required").EnumerateArray()).GetString());

        // The example sweep reads (and plans) as documented.
        var plan = SweepPlan.Create(SweepDefinition.Load(TestData.Example(Path.Combine("sweeps", "fig2-noise.yaml"))));
        Assert.Equal(24, plan.Runs.Count);
    }

    [Fact]
    public void A_missing_base_spec_is_named()
    {
        string path = Path.Combine(_dir, "s.yaml");
        File.WriteAllText(path, "spec: nowhere.yaml\n");
        var e = Assert.Throws<SpecException>(() => SweepDefinition.Load(path));
        Assert.Contains("s.yaml:1: spec: base spec 'nowhere.yaml' not found", e.Message, StringComparison.Ordinal);
    }
}
