using System.Text;
using System.Text.Json;
using LatentSpikes.Specs;
using YamlDotNet.RepresentationModel;

namespace LatentSpikes.Tests.Specs;

/// <summary>
/// Keeps docs/spec.schema.json and the spec reader in step: every key the examples use is declared in the schema,
/// and every key the schema declares is accepted by <see cref="SpecReader"/>.
/// </summary>
public sealed class SchemaConformanceTests
{
    private static readonly string SchemaPath = Path.Combine(AppContext.BaseDirectory, "docs", "spec.schema.json");
    private static readonly string ExamplesDirectory = Path.Combine(AppContext.BaseDirectory, "examples");
    private static readonly Lazy<JsonElement> LazySchema = new(LoadSchema);

    /// <summary>Valid sample values for the simulation keys the test knows; others get a value derived from their schema type.</summary>
    private static readonly Dictionary<string, string> SimulationSamples = new(StringComparer.Ordinal)
    {
        ["dt"] = "0.01",
        ["duration"] = "0.5",
        ["seed"] = "3",
        ["tau_ms"] = "20",
        ["clip_at_spike"] = "true",
        ["record_every"] = "2",
        ["runaway_window"] = "0.5",
        ["latent_limit"] = "1000",
    };

    /// <summary>Valid sample values for population keys that the base population does not already hold.</summary>
    private static readonly Dictionary<string, string> PopulationSamples = new(StringComparer.Ordinal)
    {
        ["size"] = "2",
        ["encoders"] = "{y_P: 1}",
        ["mu"] = "0.1",
        ["noise"] = "0.1",
        ["synapse"] = "{kind: exponential, tau: 0.5}",
        ["refractory"] = "0.02",
    };

    /// <summary>Sample values for input-signal keys (only their acceptance as keys is checked).</summary>
    private static readonly Dictionary<string, string> InputSamples = new(StringComparer.Ordinal)
    {
        ["value"] = "0",
        ["from"] = "0",
        ["to"] = "1",
        ["start"] = "0",
        ["stop"] = "1",
        ["initial"] = "0",
        ["times"] = "[0]",
        ["values"] = "[0]",
        ["file"] = "no-such-samples-file.csv",
        ["offset"] = "0",
        ["amplitude"] = "0.5",
        ["frequency"] = "1",
        ["phase"] = "0",
        ["mean"] = "0",
        ["std"] = "0.1",
        ["tau"] = "1",
    };

    private static readonly string[] ExplicitPopulationKeys = ["name", "kind", "thresholds", "feedforward", "decoders"];

    private static JsonElement Schema => LazySchema.Value;

    /// <summary>Every example spec copied to the test output folder.</summary>
    public static TheoryData<string> ExampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(ExamplesDirectory, "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void Schema_is_draft_2020_12_and_closed_where_the_reader_is()
    {
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", Schema.GetProperty("$schema").GetString());
        var closed = new List<(string Where, JsonElement Node)>
        {
            ("top level", Schema),
            ("simulation", Property(Schema, "simulation")),
            ("population", Population()),
            ("tangent", Property(Population(), "tangent")),
            ("tangent.f", Property(Property(Population(), "tangent"), "f")),
            ("latents item", Resolve(Property(Schema, "latents").GetProperty("items"))),
            ("stimulation item", Resolve(Property(Schema, "stimulation").GetProperty("items"))),
            ("delays item", Resolve(Property(Schema, "delays").GetProperty("items"))),
        };
        closed.AddRange(InputKindBranches().Select(b => ($"input kind {b.Kind}", b.Node)));

        var failures = closed
            .Where(c => !c.Node.TryGetProperty("additionalProperties", out var ap) || ap.ValueKind != JsonValueKind.False)
            .Select(c => $"{c.Where}: expected \"additionalProperties\": false")
            .ToList();
        Fail(failures);
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Every_key_an_example_uses_is_declared_in_the_schema(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(ExamplesDirectory, file))));
        var root = Assert.IsType<YamlMappingNode>(stream.Documents[0].RootNode);
        var failures = new List<string>();

        CheckKeys(root, DeclaredKeys(Schema), "top level", failures);
        if (Child(root, LayerStackSpec.Section) is YamlMappingNode stack)
        {
            // An SRM0 layer stack has its own sections (checked against $defs/srm0) and none of the LIF ones.
            CheckLayerStackKeys(stack, failures);
            Fail(failures);
            return;
        }

        if (Child(root, "simulation") is YamlMappingNode simulation)
        {
            CheckKeys(simulation, DeclaredKeys(Property(Schema, "simulation")), "simulation", failures);
        }

        if (Child(root, "populations") is YamlSequenceNode populations)
        {
            foreach (var (pop, i) in populations.Children.Select((p, i) => (p, i)))
            {
                var pm = Assert.IsType<YamlMappingNode>(pop);
                CheckKeys(pm, DeclaredKeys(Population()), $"populations[{i}]", failures);
                if (Child(pm, "tangent") is YamlMappingNode tangent)
                {
                    var tangentSchema = Property(Population(), "tangent");
                    CheckKeys(tangent, DeclaredKeys(tangentSchema), $"populations[{i}].tangent", failures);
                    if (Child(tangent, "f") is YamlMappingNode f)
                    {
                        CheckKeys(f, DeclaredKeys(Property(tangentSchema, "f")), $"populations[{i}].tangent.f", failures);
                    }
                }
            }
        }

        var inputs = Child(root, "input") switch
        {
            YamlMappingNode single => new List<YamlMappingNode> { single },
            YamlSequenceNode list => list.Children.Select(c => Assert.IsType<YamlMappingNode>(c)).ToList(),
            _ => new List<YamlMappingNode>(),
        };
        Assert.NotEmpty(inputs);
        var branches = InputKindBranches();
        foreach (var (item, i) in inputs.Select((item, i) => (item, i)))
        {
            string kind = Assert.IsType<YamlScalarNode>(Child(item, "kind")).Value ?? string.Empty;
            var branch = branches.Where(b => b.Kind == kind).Select(b => (JsonElement?)b.Node).FirstOrDefault();
            if (branch is null)
            {
                failures.Add($"input[{i}]: kind '{kind}' has no oneOf branch in the schema");
                continue;
            }

            CheckKeys(item, DeclaredKeys(branch.Value), $"input[{i}] ({kind})", failures);
        }

        foreach (string section in new[] { "latents", "stimulation", "delays" })
        {
            if (Child(root, section) is YamlSequenceNode items)
            {
                var declared = DeclaredKeys(Resolve(Property(Schema, section).GetProperty("items")));
                foreach (var (item, i) in items.Children.Select((c, i) => (c, i)))
                {
                    CheckKeys(Assert.IsType<YamlMappingNode>(item), declared, $"{section}[{i}]", failures);
                }
            }
        }

        Fail(failures);
    }

    [Fact]
    public void Every_simulation_key_the_schema_declares_is_accepted_by_the_reader()
    {
        var simulationSchema = Property(Schema, "simulation");
        var failures = new List<string>();
        foreach (string key in DeclaredKeys(simulationSchema))
        {
            bool known = SimulationSamples.TryGetValue(key, out string? value);
            var extra = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["duration"] = SimulationSamples["duration"],
                [key] = value ?? SampleFor(Property(simulationSchema, key)),
            };
            string yaml = Spec(simulation: extra, population: ExplicitPopulation(new Dictionary<string, string>()));
            Check($"simulation.{key}", yaml, mustLoad: known, failures);
        }

        Fail(failures);
    }

    [Fact]
    public void Every_population_key_the_schema_declares_is_accepted_by_the_reader()
    {
        var populationSchema = Population();
        var failures = new List<string>();
        foreach (string key in DeclaredKeys(populationSchema))
        {
            string yaml;
            bool known = true;
            if (key == "tangent")
            {
                yaml = Spec(population: TangentPopulation());
            }
            else if (Array.IndexOf(ExplicitPopulationKeys, key) >= 0)
            {
                yaml = Spec(population: ExplicitPopulation(new Dictionary<string, string>()));
            }
            else
            {
                known = PopulationSamples.TryGetValue(key, out string? value);
                var extra = new Dictionary<string, string>(StringComparer.Ordinal) { [key] = value ?? SampleFor(Property(populationSchema, key)) };
                yaml = Spec(population: ExplicitPopulation(extra));
            }

            Check($"populations[0].{key}", yaml, mustLoad: known, failures);
        }

        Fail(failures);
    }

    [Fact]
    public void Every_tangent_and_input_key_the_schema_declares_is_accepted_by_the_reader()
    {
        var failures = new List<string>();
        var tangentSchema = Property(Population(), "tangent");
        foreach (string key in DeclaredKeys(tangentSchema))
        {
            // The base tangent population uses every tangent key the reader knows; an extra declared key is added to it.
            string yaml = key is "f" or "range"
                ? Spec(population: TangentPopulation())
                : Spec(population: TangentPopulation($", {key}: {SampleFor(Property(tangentSchema, key))}"));
            Check($"populations[0].tangent.{key}", yaml, mustLoad: false, failures);
        }

        foreach (var (kind, branch) in InputKindBranches())
        {
            var required = branch.TryGetProperty("required", out var r)
                ? r.EnumerateArray().Select(e => e.GetString()!).ToList()
                : new List<string>();
            foreach (string key in DeclaredKeys(branch).Where(k => k != "kind"))
            {
                var fields = required.Where(k => k != "kind").Append(key).Distinct(StringComparer.Ordinal)
                    .Select(k => $"{k}: {(InputSamples.TryGetValue(k, out string? v) ? v : SampleFor(Property(branch, k)))}");
                string input = $"{{kind: {kind}, {string.Join(", ", fields)}}}";
                Check($"input[0].{key} ({kind})", Spec(input: input, population: ExplicitPopulation(new Dictionary<string, string>())), mustLoad: false, failures);
            }
        }

        Fail(failures);
    }

    [Fact]
    public void Every_srm0_key_the_schema_declares_is_accepted_by_the_layer_stack_reader()
    {
        var stack = Property(Schema, LayerStackSpec.Section);
        var failures = new List<string>();
        foreach (string key in DeclaredKeys(stack).Where(k => k != "neurons"))
        {
            var node = Property(stack, key);
            if (node.TryGetProperty("properties", out _))
            {
                foreach (string inner in DeclaredKeys(node))
                {
                    CheckLayerStack($"srm0.{key}.{inner}", $"srm0: {{neurons: 50, {key}: {{{inner}: {LayerStackSample(inner, Property(node, inner))}}}}}", failures);
                }
            }
            else
            {
                CheckLayerStack($"srm0.{key}", $"srm0: {{neurons: 50, {key}: {LayerStackSample(key, node)}}}", failures);
            }
        }

        Fail(failures);
        Assert.Throws<SpecException>(() => LayerStackSpec.Parse("srm0: {neurons: 50, neuron: {rho_0: 1}}", "test"));
    }

    [Fact]
    public void The_check_catches_a_key_the_reader_does_not_know()
    {
        // Guards the tests above: an undeclared key really is reported as an unknown field.
        string yaml = Spec(population: ExplicitPopulation(new Dictionary<string, string>(StringComparer.Ordinal) { ["sizee"] = "2" }));
        var e = Assert.Throws<SpecException>(() => SpecReader.Parse(yaml, "test"));
        Assert.StartsWith("unknown field", e.Problem, StringComparison.Ordinal);
        Assert.Equal("populations[0].sizee", e.Field);
        Assert.DoesNotContain("sizee", DeclaredKeys(Population()));
    }

    private static JsonElement LoadSchema()
    {
        Assert.True(File.Exists(SchemaPath), $"schema not copied to the test output: {SchemaPath}");
        using var doc = JsonDocument.Parse(File.ReadAllText(SchemaPath));
        return doc.RootElement.Clone();
    }

    /// <summary>Follows local "$ref": "#/$defs/name" references.</summary>
    private static JsonElement Resolve(JsonElement node)
    {
        for (int hops = 0; hops < 16 && node.ValueKind == JsonValueKind.Object && node.TryGetProperty("$ref", out var reference); hops++)
        {
            string target = reference.GetString() ?? string.Empty;
            const string Prefix = "#/$defs/";
            Assert.StartsWith(Prefix, target, StringComparison.Ordinal);
            node = Schema.GetProperty("$defs").GetProperty(target[Prefix.Length..]);
        }

        return node;
    }

    private static JsonElement Property(JsonElement owner, string name) =>
        Resolve(Resolve(owner).GetProperty("properties").GetProperty(name));

    private static JsonElement Population() => Resolve(Property(Schema, "populations").GetProperty("items"));

    private static HashSet<string> DeclaredKeys(JsonElement node) =>
        Resolve(node).GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The schema of one input signal, taken from the list form of 'input', split into its per-kind branches.</summary>
    private static List<(string Kind, JsonElement Node)> InputKindBranches()
    {
        var listForm = Property(Schema, "input").GetProperty("oneOf").EnumerateArray()
            .Single(alt => alt.TryGetProperty("type", out var t) && t.GetString() == "array");
        var signal = Resolve(listForm.GetProperty("items"));
        var branches = new List<(string, JsonElement)>();
        foreach (var alt in signal.GetProperty("oneOf").EnumerateArray())
        {
            var branch = Resolve(alt);
            string kind = branch.GetProperty("properties").GetProperty("kind").GetProperty("const").GetString()!;
            branches.Add((kind, branch));
        }

        Assert.NotEmpty(branches);
        return branches;
    }

    /// <summary>A value of the right YAML type for a key the test has no hand-picked sample for.</summary>
    private static string SampleFor(JsonElement propertySchema)
    {
        var s = Resolve(propertySchema);
        string type = s.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "number";
        return type switch
        {
            "boolean" => "false",
            "integer" => "1",
            "string" => "x",
            "array" => "[1]",
            "object" => "{}",
            _ => "1",
        };
    }

    /// <summary>Checks the keys of an srm0 section and of its sub-sections against $defs/srm0.</summary>
    private static void CheckLayerStackKeys(YamlMappingNode stack, List<string> failures)
    {
        var schema = Property(Schema, LayerStackSpec.Section);
        CheckKeys(stack, DeclaredKeys(schema), "srm0", failures);
        foreach (var (key, value) in stack.Children)
        {
            string name = ((YamlScalarNode)key).Value ?? string.Empty;
            if (value is YamlMappingNode section && DeclaredKeys(schema).Contains(name))
            {
                CheckKeys(section, DeclaredKeys(Property(schema, name)), $"srm0.{name}", failures);
            }
        }
    }

    /// <summary>A valid value for an srm0 key (the generic samples of <see cref="SampleFor"/> would break cross-field rules, e.g. dt vs age memory).</summary>
    private static string LayerStackSample(string key, JsonElement schema) => key switch
    {
        "latents" => "4",
        "decoder_gain" => "0.05",
        "networks" => "[spiking, gr]",
        "dt" => "0.5",
        "abs_refractory" => "1",
        "age_memory" => "30",
        "spike_sample" => "5",
        "model" => "lif",
        _ => SampleFor(schema),
    };

    private static void CheckLayerStack(string what, string yaml, List<string> failures)
    {
        try
        {
            LayerStackSpec.Parse(yaml, "test");
        }
        catch (SpecException e)
        {
            failures.Add($"{what}: declared in the schema but the layer-stack reader rejects it: {e.Message}");
        }
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static void CheckKeys(YamlMappingNode map, HashSet<string> declared, string where, List<string> failures)
    {
        foreach (var key in map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? string.Empty))
        {
            if (!declared.Contains(key))
            {
                failures.Add($"{where}: key '{key}' is used but not declared in the schema (declared: {string.Join(", ", declared.Order(StringComparer.Ordinal))})");
            }
        }
    }

    /// <summary>
    /// Parses <paramref name="yaml"/>. A spec built only from hand-picked samples must load; any other must at least
    /// not be rejected for an unknown field.
    /// </summary>
    private static void Check(string what, string yaml, bool mustLoad, List<string> failures)
    {
        try
        {
            SpecReader.Parse(yaml, "test");
        }
        catch (SpecException e) when (e.Problem.StartsWith("unknown field", StringComparison.Ordinal))
        {
            failures.Add($"{what}: declared in the schema but rejected by the reader: {e.Message}");
        }
        catch (SpecException e) when (mustLoad)
        {
            failures.Add($"{what}: a valid spec using it does not load: {e.Message}\n{yaml}");
        }
        catch (SpecException)
        {
            // Rejected for its value, not its name: the key itself is accepted.
        }
    }

    private static string ExplicitPopulation(Dictionary<string, string> extra)
    {
        var sb = new StringBuilder();
        sb.Append("  - name: P\n");
        sb.Append("    kind: inhibitory\n");
        sb.Append("    thresholds: [-0.25, -0.25]\n");
        sb.Append("    feedforward: [-1, 1]\n");
        sb.Append("    decoders: -0.35\n");
        foreach (var (key, value) in extra)
        {
            sb.Append("    ").Append(key).Append(": ").Append(value).Append('\n');
        }

        return sb.ToString();
    }

    private static string TangentPopulation(string extraTangent = "") =>
        "  - name: P\n" +
        "    kind: inhibitory\n" +
        "    size: 3\n" +
        $"    tangent: {{f: {{polynomial: [0.5, 0, 1]}}, range: [-1, 1]{extraTangent}}}\n" +
        "    decoders: -0.35\n";

    private static string Spec(string population, Dictionary<string, string>? simulation = null, string input = "{kind: constant, value: 0.25}")
    {
        var sb = new StringBuilder();
        sb.Append("name: schema-conformance\n");
        sb.Append("simulation:\n");
        foreach (var (key, value) in simulation ?? new Dictionary<string, string>(StringComparer.Ordinal) { ["duration"] = "0.5" })
        {
            sb.Append("  ").Append(key).Append(": ").Append(value).Append('\n');
        }

        sb.Append("input:\n  - ").Append(input).Append('\n');
        sb.Append("populations:\n").Append(population);
        return sb.ToString();
    }

    private static void Fail(List<string> failures)
    {
        if (failures.Count > 0)
        {
            Assert.Fail(string.Join("\n", failures));
        }
    }
}
