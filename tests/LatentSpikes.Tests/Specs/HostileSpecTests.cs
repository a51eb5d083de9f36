// Over 500 lines on purpose: one table of broken specs (BrokenSpecs) plus the cases that need files, JSON or their
// own asserts; they share the three templates, so they stay together.
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Specs;

namespace LatentSpikes.Tests.Specs;

/// <summary>
/// The spec reader against bad input: every problem must become one <see cref="SpecException"/> whose one-line
/// message reads <c>file:line: field: problem</c> with the right field path and the line the user has to edit.
/// </summary>
public sealed class HostileSpecTests : IDisposable
{
    private const string Label = "spec.yaml";

    /// <summary>A small valid rank-1 spec (the Fig. 2 construction with N = 3); each test breaks one thing.</summary>
    private const string Rank1 = """
        name: hostile
        simulation:
          dt: 0.01
          duration: 1
          seed: 1
        input:
          - kind: constant
            value: 0
        populations:
          - name: I
            kind: inhibitory
            size: 3
            tangent:
              f: {polynomial: [0.5, 0, 1]}
              range: [-1, 1]
            decoders: -0.35
        """;

    /// <summary>A small valid E-I spec with explicit weights, block lists and a cross readout.</summary>
    private const string EiExplicit = """
        name: ei
        simulation:
          dt: 0.01
          duration: 1
        input:
          - kind: constant
            value: 0
        populations:
          - name: E
            kind: excitatory
            thresholds: [0.5, 0.5, 0.5]
            feedforward: [[0.1], [0], [-0.1]]
            decoders:
              - 0.2
              - 0.3
              - 0.4
            encoders:
              y_E: 1
              y_I: [0.5, 0.6, 0.7]
          - name: I
            kind: inhibitory
            thresholds: [0.5, 0.5]
            feedforward: [[0.1], [-0.1]]
            decoders: [-0.3, -0.3]
            encoders:
              y_I: 1
              y_E: [1, 1]
        latents:
          - name: y_Ex
            source: E
            decoders: [0.1, 0.15, 0.1]
        """;

    private const string Fig2Json = """
        {
          "name": "fig2-inhibitory-boundary",
          "description": "Rank-1 inhibitory population, N = 10, boundary y = -x^2 - 1/2, D = -0.35, noise-free",
          "simulation": {"dt": 0.01, "duration": 30, "seed": 1, "tau_ms": 10, "clip_at_spike": false},
          "input": [
            {"kind": "ramp", "from": -1, "to": 1, "start": 5, "stop": 30}
          ],
          "populations": [
            {
              "name": "I",
              "kind": "inhibitory",
              "size": 10,
              "tangent": {"f": {"polynomial": [0.5, 0, 1]}, "range": [-1, 1]},
              "decoders": -0.35,
              "mu": 0,
              "noise": 0
            }
          ]
        }
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-hostile-" + Guid.NewGuid().ToString("N"));

    public HostileSpecTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>
    /// One broken spec per row: (case, template, text to replace, replacement, text on the line the error must name,
    /// field path, checks on the problem). Checks are joined by " &amp;&amp; "; each starts with '=' (equals), '^' (starts
    /// with) or '~' (contains); an empty string checks only file, line and field.
    /// </summary>
    public static TheoryData<string, string, string, string, string, string, string> BrokenSpecs => new()
    {
        { "A_non_finite_number_deep_in_a_block_list_points_at_its_own_line", nameof(EiExplicit), "  - 0.3\n", "  - .nan\n", "- .nan", "populations[0].decoders[1]", "~finite" },
        { "Dale_a_positive_decoder_in_an_inhibitory_population_names_the_entry", nameof(Rank1), "decoders: -0.35", "decoders:\n      - -0.35\n      - -0.35\n      - 0.2", "- 0.2", "populations[0].decoders[2]", "~Dale && ~inhibitory population 'I' must be ≤ 0 (got 0.2)" },
        { "Dale_a_positive_decoder_in_an_explicit_inhibitory_population_names_the_entry", nameof(EiExplicit), "decoders: [-0.3, -0.3]", "decoders: [-0.3, 0.3]", "[-0.3, 0.3]", "populations[1].decoders[1]", "~Dale && ~'I'" },
        { "Dale_a_negative_decoder_in_an_excitatory_population_names_the_entry", nameof(EiExplicit), "  - 0.4\n", "  - -0.4\n", "- -0.4", "populations[0].decoders[2]", "~Dale && ~excitatory population 'E' must be ≥ 0 (got -0.4)" },
        { "Dale_a_scalar_negative_decoder_in_a_constructed_excitatory_population_points_at_the_decoders_line", nameof(Rank1), "kind: inhibitory", "kind: excitatory", "decoders: -0.35", "populations[0].decoders[0]", "~Dale" },
        { "Dale_a_negative_encoder_names_the_entry", nameof(EiExplicit), "y_I: [0.5, 0.6, 0.7]", "y_I:\n          - 0.5\n          - -0.6\n          - 0.7", "- -0.6", "populations[0].encoders.y_I[1]", "~Dale && ~encoders" },
        { "Dale_a_cross_readout_with_wrong_sign_decoders_names_the_entry", nameof(EiExplicit), "decoders: [0.1, 0.15, 0.1]", "decoders: [0.1, -0.15, 0.1]", "-0.15", "latents[0].decoders[1]", "~Dale && ~excitatory population 'E'" },
        { "A_field_of_another_input_kind_is_unknown_for_this_kind", nameof(Rank1), "value: 0", "value: 0\n    from: 1", "from: 1", "input[0].from", "^unknown field && ~allowed here: kind, value" },
        { "An_unknown_input_kind_is_named", nameof(Rank1), "kind: constant", "kind: sawtooth", "sawtooth", "input[0].kind", "^unknown input kind 'sawtooth'" },
        { "An_unknown_population_kind_is_named", nameof(Rank1), "kind: inhibitory", "kind: mixed", "kind: mixed", "populations[0].kind", "=unknown kind 'mixed'; use excitatory, inhibitory or unsigned" },
        { "An_encoder_onto_a_nonexistent_latent_is_named", nameof(EiExplicit), "y_E: [1, 1]", "y_Q: [1, 1]", "y_Q", "populations[1].encoders.y_Q", "~no latent called 'y_Q' && ~known: y_E, y_I, y_Ex" },
        { "An_extra_encoder_on_a_constructed_population_onto_a_nonexistent_latent_is_named", nameof(Rank1), "decoders: -0.35", "decoders: -0.35\n    encoders: {y_X: 1}", "y_X", "populations[0].encoders.y_X", "~no latent called 'y_X'" },
        { "A_cross_readout_from_an_unknown_population_is_named", nameof(EiExplicit), "source: E", "source: Q", "source: Q", "latents[0].source", "~no population called 'Q'" },
        { "A_decoder_list_that_does_not_match_size_is_rejected", nameof(Rank1), "decoders: -0.35", "decoders: [-0.35, -0.35]", "decoders:", "populations[0].decoders", "=has 2 entries; expected one number or 3 (one per neuron)" },
        { "Feedforward_rows_that_do_not_match_the_thresholds_are_rejected", nameof(EiExplicit), "feedforward: [[0.1], [-0.1]]", "feedforward: [[0.1]]", "feedforward: [[0.1]]", "populations[1].feedforward", "=has 1 rows for 2 neurons" },
        { "Thresholds_that_do_not_match_an_explicit_size_are_rejected", nameof(EiExplicit), "kind: excitatory", "kind: excitatory\n    size: 4", "thresholds: [0.5, 0.5, 0.5]", "populations[0].thresholds", "=has 3 entries but size is 4" },
        { "A_cross_readout_with_the_wrong_number_of_decoders_is_rejected", nameof(EiExplicit), "decoders: [0.1, 0.15, 0.1]", "decoders: [0.1, 0.15]", "[0.1, 0.15]", "latents[0].decoders", "~has 2 entries" },
        { "A_non_convex_tangent_function_is_rejected", nameof(Rank1), "f: {polynomial: [0.5, 0, 1]}", "f: {polynomial: [0, 0, -1]}", "[0, 0, -1]", "populations[0].tangent.f", "~not convex" },
        // YAML flow syntax reads `0 "oops"` as one plain scalar, so this is a bad number rather than a syntax error.
        { "Junk_after_a_json_number_is_named_as_a_bad_number", nameof(Fig2Json), "\"mu\": 0,", "\"mu\": 0 \"oops\",", "oops", "populations[0].mu", "^expected a number; got '0" },
        { "A_bad_tau_ms_is_reported_on_its_own_line", nameof(Rank1), "  seed: 1\n", "  seed: 1\n  tau_ms: -10\n", "tau_ms: -10", "simulation.tau_ms", "" },
    };

    [Theory]
    [MemberData(nameof(BrokenSpecs))]
    public void A_broken_spec_is_one_line_naming_the_field_and_the_line_to_edit(string name, string template, string from, string to, string anchor, string field, string problem)
    {
        string spec = Edit(Template(template), from, to);
        var e = Reject(spec);
        AssertAt(e, LineContaining(spec, anchor), field);
        foreach (string check in problem.Split(" && ", StringSplitOptions.RemoveEmptyEntries))
        {
            string text = check[1..];
            switch (check[0])
            {
                case '=':
                    Assert.Equal(text, e.Problem);
                    break;
                case '^':
                    Assert.StartsWith(text, e.Problem, StringComparison.Ordinal);
                    break;
                default:
                    Assert.Contains(text, e.Problem, StringComparison.Ordinal);
                    break;
            }
        }

        Assert.False(string.IsNullOrEmpty(name));
    }

    private static string Template(string name) => name switch
    {
        nameof(Rank1) => Rank1,
        nameof(EiExplicit) => EiExplicit,
        nameof(Fig2Json) => Fig2Json,
        _ => throw new ArgumentException(name, nameof(name)),
    };

    [Fact]
    public void The_unbroken_templates_parse()
    {
        var rank1 = SpecReader.Parse(Rank1, Label).Experiment;
        Assert.Equal(3, rank1.Network.Populations[0].Size);
        var ei = SpecReader.Parse(EiExplicit, Label).Experiment;
        Assert.Equal(new[] { "y_E", "y_I", "y_Ex" }, ei.Network.Latents.Select(l => l.Name));
    }

    [Theory]
    [InlineData("dt: 0.01", "dt: .nan", "simulation.dt")]
    [InlineData("dt: 0.01", "dt: nan", "simulation.dt")]
    [InlineData("dt: 0.01", "dt: NaN", "simulation.dt")]
    [InlineData("dt: 0.01", "dt: .inf", "simulation.dt")]
    [InlineData("duration: 1", "duration: -.inf", "simulation.duration")]
    [InlineData("duration: 1", "duration: Infinity", "simulation.duration")]
    [InlineData("value: 0", "value: .NaN", "input[0].value")]
    [InlineData("value: 0", "value: 1e999", "input[0].value")]
    [InlineData("decoders: -0.35", "decoders: .nan", "populations[0].decoders")]
    [InlineData("decoders: -0.35", "decoders: -.inf", "populations[0].decoders")]
    [InlineData("decoders: -0.35", "decoders: [-0.35, nan, -0.35]", "populations[0].decoders[1]")]
    [InlineData("range: [-1, 1]", "range: [-1, .inf]", "populations[0].tangent.range[1]")]
    [InlineData("f: {polynomial: [0.5, 0, 1]}", "f: {polynomial: [0.5, .nan, 1]}", "populations[0].tangent.f.polynomial[1]")]
    [InlineData("decoders: -0.35", "decoders: -0.35\n    noise: .nan", "populations[0].noise")]
    public void A_non_finite_number_is_rejected_naming_field_and_line(string from, string to, string field)
    {
        string spec = Edit(Rank1, from, to);
        var e = Reject(spec);
        AssertAt(e, LineContaining(spec, to.Split('\n')[^1]), field);
        Assert.Contains("finite", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_finite_number_in_a_json_spec_points_at_its_line()
    {
        string spec = Edit(Fig2Json, "\"decoders\": -0.35", "\"decoders\": NaN");
        var e = Reject(spec);
        AssertAt(e, LineContaining(spec, "NaN"), "populations[0].decoders");

        spec = Edit(Fig2Json, "\"dt\": 0.01", "\"dt\": -Infinity");
        e = Reject(spec);
        AssertAt(e, LineContaining(spec, "-Infinity"), "simulation.dt");
    }

    [Theory]
    [InlineData("size: -3", "must be a positive number of neurons (got -3)")]
    [InlineData("size: 0", "must be a positive number of neurons (got 0)")]
    [InlineData("size: 2.5", "expected an integer; got '2.5'")]
    [InlineData("size: ten", "expected an integer; got 'ten'")]
    [InlineData("size: 99999999999", "expected an integer; got '99999999999'")]
    [InlineData("size: []", "expected an integer; got a list")]
    public void A_bad_size_is_rejected(string size, string problem)
    {
        string spec = Edit(Rank1, "size: 3", size);
        var e = Reject(spec);
        AssertAt(e, LineContaining(spec, size), "populations[0].size");
        Assert.Equal(problem, e.Problem);
    }

    [Theory]
    [InlineData(nameof(Rank1), "simulation:", "simulaton:", "simulaton", "simulation")]
    [InlineData(nameof(Rank1), "duration: 1", "duraton: 1", "simulation.duraton", "duration")]
    [InlineData(nameof(Rank1), "size: 3", "sise: 3", "populations[0].sise", "size")]
    [InlineData(nameof(Rank1), "decoders: -0.35", "decoder: -0.35", "populations[0].decoder", "decoders")]
    [InlineData(nameof(Rank1), "value: 0", "valeu: 0", "input[0].valeu", "value")]
    [InlineData(nameof(Rank1), "range: [-1, 1]", "rnage: [-1, 1]", "populations[0].tangent.rnage", "range")]
    [InlineData(nameof(EiExplicit), "source: E", "sorce: E", "latents[0].sorce", "source")]
    public void An_unknown_field_is_named_with_a_suggestion(string template, string from, string to, string field, string suggestion)
    {
        string spec = Edit(template == nameof(Rank1) ? Rank1 : EiExplicit, from, to);
        var e = Reject(spec);
        AssertAt(e, LineContaining(spec, to), field);
        Assert.StartsWith("unknown field", e.Problem, StringComparison.Ordinal);
        Assert.Contains($"did you mean '{suggestion}'?", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_field_far_from_every_key_gets_no_suggestion_but_lists_the_allowed_keys()
    {
        string spec = Rank1 + "\nzzzzzzzzzzzz: 1";
        var e = Reject(spec);
        AssertAt(e, LineContaining(spec, "zzzz"), "zzzzzzzzzzzz");
        Assert.DoesNotContain("did you mean", e.Problem, StringComparison.Ordinal);
        Assert.Contains("allowed here: name, description, simulation, input, populations", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_duration_is_reported_on_the_simulation_block()
    {
        string spec = Edit(Rank1, "  duration: 1\n", string.Empty);
        var e = Reject(spec);
        Assert.Equal("simulation", e.Field);
        Assert.Equal("missing required field 'duration'", e.Problem);
        int key = LineContaining(spec, "simulation:");
        Assert.Equal(key, e.Line);
    }

    [Theory]
    [InlineData("populations")]
    [InlineData("input")]
    [InlineData("simulation")]
    public void A_missing_top_level_section_is_named(string section)
    {
        string spec = RemoveSection(Rank1, section);
        var e = Reject(spec);
        Assert.Equal(string.Empty, e.Field);
        Assert.Equal(1, e.Line);
        Assert.Equal($"spec.yaml:1: missing required field '{section}'", e.Message);
    }

    [Fact]
    public void An_empty_population_list_is_rejected()
    {
        string spec = RemoveSection(Rank1, "populations") + "\npopulations: []";
        var e = Reject(spec);
        AssertAt(e, LineContaining(spec, "populations: []"), "populations");
        Assert.Contains("at least one population", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_spec_file_is_named()
    {
        string path = Path.Combine(_dir, "no-such-spec.yaml");
        var e = Assert.Throws<SpecException>(() => SpecReader.LoadFile(path));
        AssertOneLine(e.Message);
        Assert.Equal($"{path}: spec file not found", e.Message);
    }

    [Fact]
    public void A_directory_is_not_a_spec_file()
    {
        var e = Assert.Throws<SpecException>(() => SpecReader.LoadFile(_dir));
        AssertOneLine(e.Message);
        Assert.Equal($"{_dir}: is a directory, not a spec file", e.Message);
    }

    [Fact]
    public void A_missing_piecewise_linear_samples_file_is_named_with_its_line()
    {
        string spec = Edit(Rank1, "  - kind: constant\n    value: 0\n", "  - kind: piecewise_linear\n    file: samples.csv\n");
        string path = Path.Combine(_dir, "spec.yaml");
        File.WriteAllText(path, spec);

        var e = Assert.Throws<SpecException>(() => SpecReader.LoadFile(path));
        AssertOneLine(e.Message);
        Assert.Equal(path, e.File);
        Assert.Equal(LineContaining(spec, "file: samples.csv"), e.Line);
        Assert.Equal("input[0].file", e.Field);
        Assert.StartsWith("input samples file 'samples.csv' not found", e.Problem, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dir, "samples.csv"), e.Problem, StringComparison.Ordinal);

        // The same spec loads once the file exists beside it (relative to the spec, not the working directory).
        File.WriteAllText(Path.Combine(_dir, "samples.csv"), "t,x\n0,-1\n1,1\n");
        var input = Assert.IsType<PiecewiseLinearSignal>(SpecReader.LoadFile(path).Experiment.Inputs[0]);
        Assert.Equal(new[] { 0.0, 1.0 }, input.Times);
        Assert.Equal(new[] { -1.0, 1.0 }, input.Values);
    }

    [Fact]
    public void A_malformed_samples_row_is_named_with_its_row()
    {
        string spec = Edit(Rank1, "  - kind: constant\n    value: 0\n", "  - kind: piecewise_linear\n    file: samples.csv\n");
        string path = Path.Combine(_dir, "spec.yaml");
        File.WriteAllText(path, spec);
        File.WriteAllText(Path.Combine(_dir, "samples.csv"), "t,x\n0,-1\n0.5,oops\n");

        var e = Assert.Throws<SpecException>(() => SpecReader.LoadFile(path));
        AssertOneLine(e.Message);
        Assert.Equal("input[0].file", e.Field);
        Assert.StartsWith("samples.csv:3: expected two numbers", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_yaml_is_a_syntax_error_with_its_line()
    {
        string spec = Edit(Rank1, "  duration: 1\n", "   duration: 1\n");
        var e = Reject(spec);
        Assert.Equal(string.Empty, e.Field);
        Assert.Equal(LineContaining(spec, "duration: 1"), e.Line);
        Assert.StartsWith("not valid YAML/JSON: ", e.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"spec.yaml:{e.Line}: not valid YAML/JSON: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_flow_list_is_a_syntax_error()
    {
        string spec = Edit(Rank1, "range: [-1, 1]", "range: [-1, 1");
        var e = Reject(spec);
        Assert.Equal(string.Empty, e.Field);
        Assert.StartsWith("not valid YAML/JSON: ", e.Problem, StringComparison.Ordinal);
        Assert.Contains("unclosed '['", e.Problem, StringComparison.Ordinal);
        Assert.Equal(LineContaining(spec, "range: [-1, 1"), e.Line);
    }

    [Fact]
    public void A_duplicate_key_is_an_error_with_its_line()
    {
        string spec = Edit(Rank1, "  duration: 1\n", "  duration: 1\n  duration: 2\n");
        var e = Reject(spec);
        Assert.Equal(LineContaining(spec, "duration: 2"), e.Line);
        Assert.Contains("uplicate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_json_is_a_syntax_error_with_its_line()
    {
        string spec = Edit(Fig2Json, "\"mu\": 0,", "\"mu\": 0}},");
        var e = Reject(spec);
        Assert.Equal(string.Empty, e.Field);
        Assert.StartsWith("not valid YAML/JSON: ", e.Problem, StringComparison.Ordinal);
        Assert.Equal(LineContaining(spec, "0}}"), e.Line);
    }

    [Fact]
    public void The_fig2_example_as_json_gives_the_same_network_as_the_yaml()
    {
        var yaml = SpecReader.LoadFile(ExamplePath("fig2-inhibitory-boundary.yaml"));
        string jsonPath = Path.Combine(_dir, "fig2.json");
        File.WriteAllText(jsonPath, Fig2Json);
        var json = SpecReader.LoadFile(jsonPath);

        Assert.Equal(jsonPath, json.File);
        AssertSameExperiment(yaml.Experiment, json.Experiment);
        Assert.Equal(
            yaml.TangentPoints["I"].Select(p => (p.X[0], p.Y)),
            json.TangentPoints["I"].Select(p => (p.X[0], p.Y)));
        Assert.NotEqual(yaml.Hash, json.Hash);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n   \n")]
    [InlineData("# only a comment\n# and another\n")]
    public void An_empty_spec_file_is_rejected(string text)
    {
        string path = Path.Combine(_dir, "empty.yaml");
        File.WriteAllText(path, text);
        var e = Assert.Throws<SpecException>(() => SpecReader.LoadFile(path));
        AssertOneLine(e.Message);
        Assert.Equal($"{path}: the spec is empty", e.Message);
    }

    [Theory]
    [InlineData("just some text", "a spec is a mapping")]
    [InlineData("- a\n- b", "a spec is a mapping")]
    [InlineData("name: a\n---\nname: b", "exactly one YAML document")]
    public void A_spec_that_is_not_one_mapping_is_rejected(string text, string problem)
    {
        var e = Reject(text);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_multi_line_problem_still_gives_a_one_line_message()
    {
        // A population name with a line break flows into the message; the message must stay on one line.
        string spec = Edit(Rank1, "- name: I", "- name: \"I\\nJ\"");
        var e = Reject(spec);
        Assert.Equal("populations[0].name", e.Field);
        Assert.Equal(LineContaining(spec, "name: \"I"), e.Line);
    }

    [Fact]
    public void Mutated_examples_either_load_or_fail_with_a_one_line_spec_exception()
    {
        // Deterministic fuzzing: single-character edits, truncations and line shuffles of both examples. Nothing
        // may escape as another exception type (which the CLI would print as a stack trace).
        const string Tokens = "[]{}:,-'\"#&*!|>?. \n\t0123456789aeZ%@`";
        var rng = new Random(20240502);
        var escaped = new List<string>();
        foreach (string example in new[] { "fig2-inhibitory-boundary.yaml", "fig3-excitatory-boundary.yaml" })
        {
            string original = File.ReadAllText(ExamplePath(example));
            for (int trial = 0; trial < 1500; trial++)
            {
                string text = Mutate(original, rng, Tokens);
                try
                {
                    SpecReader.Parse(text, Label);
                }
                catch (SpecException e)
                {
                    if (e.Message.Contains('\n', StringComparison.Ordinal) || !e.Message.StartsWith(Label + ":", StringComparison.Ordinal))
                    {
                        escaped.Add($"malformed message '{e.Message}'");
                    }
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    escaped.Add($"{e.GetType().Name}: {e.Message} for:\n{text}");
                }
            }
        }

        Assert.True(escaped.Count == 0, $"{escaped.Count} mutations escaped:\n{string.Join("\n----\n", escaped)}");
    }

    [Theory]
    [InlineData("t")]
    [InlineData("x1")]
    public void A_cross_readout_may_not_take_a_reserved_column_name(string name)
    {
        string spec = Rank1 + $"\nlatents:\n  - name: {name}\n    source: I\n    decoders: -0.1\n";
        var e = Reject(spec);
        Assert.Equal("latents[0].name", e.Field);
        Assert.Contains("reserved", e.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../evil")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    public void An_experiment_name_that_is_not_a_plain_folder_name_is_rejected(string name)
    {
        string spec = Edit(Rank1, "name: hostile", $"name: \"{name}\"");
        var e = Reject(spec);
        AssertAt(e, 1, "name");
    }

    [Fact]
    public void A_samples_file_may_start_with_comments_and_a_header()
    {
        string dir = Directory.CreateTempSubdirectory("ls-samples-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "x.csv"), "# recorded stimulus\ntime,value\n0,0\n1,0.5\n");
            string spec = Edit(Rank1, "- kind: constant\n    value: 0", "- kind: piecewise_linear\n    file: x.csv");
            File.WriteAllText(Path.Combine(dir, "spec.yaml"), spec);
            var loaded = SpecReader.LoadFile(Path.Combine(dir, "spec.yaml"));
            var signal = Assert.IsType<LatentSpikes.Inputs.PiecewiseLinearSignal>(loaded.Experiment.Inputs[0]);
            Assert.Equal([0.0, 1.0], signal.Times);
            Assert.Equal(0.25, signal.ValueAt(0.5), 12);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static SpecException Reject(string text)
    {
        var e = Assert.Throws<SpecException>(() => SpecReader.Parse(text, Label));
        AssertOneLine(e.Message);
        Assert.Equal(Label, e.File);
        return e;
    }

    private static void AssertOneLine(string message)
    {
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\r', message);
        Assert.False(string.IsNullOrWhiteSpace(message));
    }

    private static void AssertAt(SpecException e, int line, string field)
    {
        Assert.Equal(field, e.Field);
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"{Label}:{line}: {field}: ", e.Message, StringComparison.Ordinal);
    }

    private static string Mutate(string text, Random rng, string tokens)
    {
        int pos = rng.Next(text.Length);
        switch (rng.Next(5))
        {
            case 0:
                return text.Remove(pos, 1);
            case 1:
                return text.Insert(pos, tokens[rng.Next(tokens.Length)].ToString());
            case 2:
                return text[..pos];
            case 3:
                return string.Concat(text.AsSpan(0, pos), tokens[rng.Next(tokens.Length)].ToString(), text.AsSpan(pos + 1));
            default:
                var lines = text.Split('\n').ToList();
                int a = rng.Next(lines.Count);
                int b = rng.Next(lines.Count);
                (lines[a], lines[b]) = (lines[b], lines[a]);
                return string.Join('\n', lines);
        }
    }

    /// <summary>Replaces the single occurrence of <paramref name="from"/>; fails if it is absent or ambiguous.</summary>
    private static string Edit(string text, string from, string to)
    {
        int first = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(first >= 0, $"template lacks '{from}'");
        Assert.True(text.IndexOf(from, first + 1, StringComparison.Ordinal) < 0, $"template has '{from}' more than once");
        return string.Concat(text.AsSpan(0, first), to, text.AsSpan(first + from.Length));
    }

    /// <summary>Removes a top-level section (its key line and the indented lines below it).</summary>
    private static string RemoveSection(string text, string key)
    {
        var kept = new List<string>();
        bool skipping = false;
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                skipping = true;
                continue;
            }

            if (skipping && (line.StartsWith(' ') || line.Length == 0))
            {
                continue;
            }

            skipping = false;
            kept.Add(line);
        }

        string result = string.Join('\n', kept);
        Assert.NotEqual(text, result);
        return result;
    }

    /// <summary>1-based number of the only line containing <paramref name="marker"/>.</summary>
    private static int LineContaining(string text, string marker)
    {
        string[] lines = text.Split('\n');
        var hits = Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains(marker, StringComparison.Ordinal)).ToArray();
        Assert.True(hits.Length == 1, $"expected exactly one line containing '{marker}', found {hits.Length}");
        return hits[0] + 1;
    }

    private static string ExamplePath(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "examples", name);
        Assert.True(File.Exists(path), $"example {path} was not copied to the test output");
        return path;
    }

    private static void AssertSameExperiment(Experiment a, Experiment b)
    {
        Assert.Equal(a.Name, b.Name);
        Assert.Equal(a.Description, b.Description);
        Assert.Equal(a.Settings, b.Settings);
        Assert.Equal(a.Inputs, b.Inputs);
        Assert.Equal(a.Injections, b.Injections);
        Assert.Equal(a.InitialLatents, b.InitialLatents);
        Assert.Equal(a.Network.InputDimension, b.Network.InputDimension);
        Assert.Equal(a.Network.Latents.Select(l => (l.Name, l.Source)), b.Network.Latents.Select(l => (l.Name, l.Source)));
        Assert.Equal(a.Network.Populations.Count, b.Network.Populations.Count);
        for (int p = 0; p < a.Network.Populations.Count; p++)
        {
            var pa = a.Network.Populations[p];
            var pb = b.Network.Populations[p];
            Assert.Equal(pa.Name, pb.Name);
            Assert.Equal(pa.Kind, pb.Kind);
            Assert.Equal(pa.Size, pb.Size);
            Assert.Equal(pa.Thresholds, pb.Thresholds);
            Assert.Equal(pa.Decoders, pb.Decoders);
            Assert.Equal(pa.SoftRefractory, pb.SoftRefractory);
            Assert.Equal(pa.NoiseSigma, pb.NoiseSigma);
            Assert.Equal(
                Enumerable.Range(0, pa.Size).Select(i => pa.FeedforwardRow(i).ToArray()),
                Enumerable.Range(0, pb.Size).Select(i => pb.FeedforwardRow(i).ToArray()));
            Assert.Equal(pa.Encoders.Keys.Order(StringComparer.Ordinal), pb.Encoders.Keys.Order(StringComparer.Ordinal));
            foreach (var (latent, enc) in pa.Encoders)
            {
                Assert.Equal(enc, pb.Encoders[latent]);
            }
        }
    }
}
