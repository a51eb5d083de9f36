using LatentSpikes.Cli;
using LatentSpikes.Specs;
using static LatentSpikes.Tests.Cli.CliRunner;

namespace LatentSpikes.Tests.Cli;

/// <summary><c>latentspikes compile</c>: spec, figure, verifying run and one-line errors.</summary>
public sealed class CompileCommandTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-compile-" + Guid.NewGuid().ToString("N"));

    public CompileCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Compiling_the_saw_writes_a_spec_that_simulate_runs_unchanged_and_a_figure()
    {
        string spec = Path.Combine(_dir, "saw.yaml");
        // --max-rate 0: one neuron per boundary piece, the paper's Fig. 5 network.
        var r = Run("compile", "--knots", "0:0.15,2:0.15,4:1.75,6:0.15,8:1.75,10:0.15", "--name", "saw", "--max-rate", "0", "--out", spec);
        Assert.Equal(0, r.Code);
        Assert.Equal(string.Empty, r.Err);
        Assert.Contains("N_E = 3, N_I = 3", r.Out, StringComparison.Ordinal);
        Assert.Contains("simulated sweep: max |y_E − f|", r.Out, StringComparison.Ordinal);
        Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(_dir, "saw.png"))[..PngSignature.Length]);
        Assert.False(File.Exists(spec + ".tmp"));

        var loaded = SpecReader.LoadFile(spec).Experiment;
        Assert.Equal("saw", loaded.Name);
        Assert.Equal(2, loaded.Network.Populations.Count);

        string runDir = Path.Combine(_dir, "run");
        var sim = Run("simulate", spec, "--out", runDir, "--no-plot");
        Assert.Equal(0, sim.Code);
        Assert.Contains("status completed", sim.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void By_default_no_neuron_of_the_verifying_run_exceeds_two_spikes_per_tau_and_the_summary_says_so()
    {
        string spec = Path.Combine(_dir, "sine.yaml");
        var r = Run("compile", "-f", "sin(3*x) + 1.2", "--range", "-1", "1", "--neurons", "20", "--out", spec, "--no-plot");
        Assert.Equal(0, r.Code);
        Assert.Contains("(cap --max-rate 2)", r.Out, StringComparison.Ordinal);
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "sine.summary.json")));
        var root = summary.RootElement;
        Assert.Equal(2, root.GetProperty("max_rate_per_tau").GetDouble());
        var rates = root.GetProperty("neuron_rates_per_tau");
        Assert.True(rates.GetProperty("peak_window_rate").GetDouble() <= 2, rates.ToString());
        Assert.True(rates.GetProperty("max").GetDouble() <= 2);
        Assert.True(root.GetProperty("neurons").GetInt32() > 20, "the 20 boundary pieces are spread over more neurons");
        var output = root.GetProperty("outputs")[0];
        Assert.True(output.GetProperty("max_error").GetDouble() <= output.GetProperty("predicted_max_error").GetDouble());
    }

    [Fact]
    public void An_expression_of_two_inputs_takes_one_range_per_input()
    {
        string spec = Path.Combine(_dir, "twod.yaml");
        var r = Run("compile", "--function", "x1^2 + 0.5*sin(2*x2) + 1", "--range", "-1", "1", "--range", "-1", "1", "--neurons", "32", "--duration", "10", "--out", spec, "--no-plot");
        Assert.Equal(0, r.Code);
        Assert.Equal(2, SpecReader.LoadFile(spec).Experiment.Network.InputDimension);
        Assert.False(File.Exists(Path.Combine(_dir, "twod.png")), "--no-plot writes no figure");
    }

    [Fact]
    public void Without_simulation_the_spec_and_construction_figure_are_still_written()
    {
        string spec = Path.Combine(_dir, "quad.yaml");
        var r = Run("compile", "-f", "(x - 0.5)^2 + 0.2", "--range", "0", "1", "--no-simulation", "--out", spec);
        Assert.Equal(0, r.Code);
        Assert.DoesNotContain("simulated sweep", r.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(spec));
        Assert.True(File.Exists(Path.Combine(_dir, "quad.png")));
    }

    [Theory]
    [InlineData("--function: f(0) = -Infinity is not finite", "-f", "log(x)", "--range", "0", "1")]
    [InlineData("--range[0]: [1, 1] is empty", "-f", "x", "--range", "1", "1")]
    [InlineData("--neurons: a budget of 6 neurons resolves", "-f", "sin(20*x)+1", "--range", "0", "3", "--neurons", "6")]
    [InlineData("--a: the E-I crossing is unstable", "-f", "x^2 + 1", "--range", "0", "1", "--a", "0.5")]
    [InlineData("--function: expression 'x^^2': column 3", "-f", "x^^2", "--range", "0", "1")]
    [InlineData("--knots: '1:a' is not a knot", "--knots", "0:1,1:a")]
    [InlineData("--function: give exactly one target", "--range", "0", "1")]
    [InlineData("--range: give the input range", "-f", "x + 1")]
    [InlineData("--method: 'magic' is not a method", "-f", "x + 1", "--range", "0", "1", "--method", "magic")]
    [InlineData("Dale's law", "-f", "x - 1", "--range", "0", "2")]
    public void Impossible_requests_fail_with_one_line_and_write_nothing(string expected, params string[] args)
    {
        string spec = Path.Combine(_dir, "bad.yaml");
        var r = Run(["compile", .. args, "--out", spec]);
        Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.False(File.Exists(spec));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Repeated_functions_compile_a_vector_function_whose_outputs_are_the_latents_y_f1_and_y_f2()
    {
        string spec = Path.Combine(_dir, "polar.yaml");
        var r = Run("compile", "-f", "x1*cos(x2) + 1", "-f", "x1*sin(x2) + 1", "--range", "0.2", "1", "--range", "-1", "1", "--neurons", "72", "--duration", "20", "--out", spec);
        Assert.Equal(0, r.Code);
        Assert.Equal(string.Empty, r.Err);
        Assert.Contains("f1: predicted max error", r.Out, StringComparison.Ordinal);
        Assert.Contains("f2: predicted max error", r.Out, StringComparison.Ordinal);
        Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(_dir, "polar.png"))[..PngSignature.Length]);
        var exp = SpecReader.LoadFile(spec).Experiment;
        Assert.Equal(["f1", "f1_I", "f2", "f2_I"], exp.Network.Populations.Select(p => p.Name));
        Assert.True(exp.Network.LatentIndex("y_f1") >= 0 && exp.Network.LatentIndex("y_f2") >= 0);

        string runDir = Path.Combine(_dir, "run");
        Assert.Equal(0, Run("simulate", spec, "--out", runDir, "--no-plot").Code);
        string header = File.ReadLines(Path.Combine(runDir, "latents.csv")).First();
        Assert.Contains("y_f1", header, StringComparison.Ordinal);
        Assert.Contains("y_f2", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Outputs_names_the_latents_of_a_vector_function()
    {
        string spec = Path.Combine(_dir, "named.yaml");
        var r = Run("compile", "-f", "x^2 + 0.2", "-f", "0.5*x + 1", "--outputs", "sq,lin", "--range", "-1", "1", "--max-rate", "0", "--duration", "4", "--out", spec, "--no-plot");
        Assert.Equal(0, r.Code);
        Assert.Equal(["sq", "sq_I", "lin", "lin_I"], SpecReader.LoadFile(spec).Experiment.Network.Populations.Select(p => p.Name));
        var bad = Run("compile", "-f", "x^2 + 0.2", "-f", "0.5*x + 1", "--outputs", "sq", "--range", "-1", "1", "--out", spec);
        Assert.Equal(LatentSpikesApp.ExitSpecError, bad.Code);
        Assert.Contains("--outputs: gives 1 name(s) for 2 functions", AssertOneErrorLine(bad.Err), StringComparison.Ordinal);
    }

    [Fact]
    public void A_graph_file_compiles_to_one_spec_with_a_relay_for_the_negative_slope()
    {
        string spec = Path.Combine(_dir, "depth3.yaml");
        var r = Run("compile", "--graph", Path.Combine(AppContext.BaseDirectory, "examples", "graphs", "depth3.yaml"), "--out", spec, "--no-plot");
        Assert.Equal(0, r.Code);
        Assert.Contains("relay g_neg", r.Out, StringComparison.Ordinal);
        Assert.Contains("k: predicted max error", r.Out, StringComparison.Ordinal);
        var exp = SpecReader.LoadFile(spec).Experiment;
        Assert.Equal(["g", "g_I", "g_neg", "h", "h_I", "k", "k_I"], exp.Network.Populations.Select(p => p.Name));
    }

    [Theory]
    [InlineData("cycle g → h → g", "inputs: {x: [-1, 1]}\nnodes:\n  - {name: g, function: \"h + x\"}\n  - {name: h, function: \"g + 1\"}")]
    [InlineData(":4: nodes[1].inputs[0]: unknown input or node 'q'", "inputs: {x: [-1, 1]}\nnodes:\n  - {name: g, function: \"x^2 + 1\"}\n  - {name: h, function: \"q + 1\", inputs: [q]}")]
    [InlineData("nodes[1].function: h is undefined on its derived input range g ∈", "inputs: {x: [-1, 1]}\nnodes:\n  - {name: g, function: \"x^2 + 0.2\"}\n  - {name: h, function: \"sqrt(g - 0.5)\"}")]
    [InlineData("nodes[0].function: g(x = 0) = Infinity is not finite, so the node's range cannot be derived", "inputs: {x: [-1, 1]}\nnodes:\n  - {name: g, function: \"1/x^2\"}\n  - {name: h, function: \"g + 1\"}")]
    public void Impossible_graphs_fail_with_one_line_naming_file_line_and_field(string expected, string yaml)
    {
        string file = Path.Combine(_dir, "bad-graph.yaml");
        File.WriteAllText(file, yaml);
        string spec = Path.Combine(_dir, "bad.yaml");
        var r = Run("compile", "--graph", file, "--out", spec);
        Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: " + file, line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.False(File.Exists(spec));
    }

    [Fact]
    public void Validate_reports_silent_neurons_and_silent_inputs_of_random_populations()
    {
        var r = Run("validate", Path.Combine(AppContext.BaseDirectory, "examples", "figS1-random-boundary.yaml"));
        Assert.Equal(0, r.Code);
        string[] lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string random = Assert.Single(lines, l => l.Contains("Population 'R'", StringComparison.Ordinal));
        string tuned = Assert.Single(lines, l => l.Contains("Population 'T'", StringComparison.Ordinal));

        // Fig. S1a: untuned, most neurons never reach the boundary and the population is silent where it lies above 0.
        Assert.Contains("never do and stay silent", random, StringComparison.Ordinal);
        Assert.Contains("at or above y = 0 for x in [", random, StringComparison.Ordinal);

        // Fig. S1b: tuned thresholds put every neuron on the boundary.
        Assert.Contains("all 8 neurons form part of the boundary", tuned, StringComparison.Ordinal);
    }

}
