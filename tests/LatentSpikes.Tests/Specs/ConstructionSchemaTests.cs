using System.Text.Json;
using LatentSpikes.Specs;

namespace LatentSpikes.Tests.Specs;

/// <summary>
/// Keeps the schema of the constructed populations (tangent grids, function forms, random populations) in step with
/// the reader: every declared key is accepted, every block the reader closes is closed in the schema.
/// </summary>
public sealed class ConstructionSchemaTests
{
    private static readonly Lazy<JsonElement> LazySchema = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "spec.schema.json")));
        return doc.RootElement.Clone();
    });

    /// <summary>A spec per key, with a valid value for it; each must load.</summary>
    private static readonly Dictionary<string, string> Samples = new(StringComparer.Ordinal)
    {
        ["function.polynomial"] = Spec("size: 3", "tangent: {f: {polynomial: [0.5, 0, 1]}, range: [-1, 1]}"),
        ["function.expression"] = Spec("size: 3", "tangent: {f: {expression: \"x^2 + 0.5\"}, range: [-1, 1]}"),
        ["function.knots"] = Spec("size: 3", "tangent: {f: {knots: [[-1, 1], [0, 0], [1, 1]]}, range: [-1, 1]}"),
        ["tangent.f"] = Spec("size: 3", "tangent: {f: {polynomial: [0.5, 0, 1]}, range: [-1, 1]}"),
        ["tangent.range"] = Spec("size: 3", "tangent: {f: {polynomial: [0.5, 0, 1]}, range: [[-1, 1]]}"),
        ["tangent.points"] = Spec(string.Empty, "tangent: {f: {expression: \"x1^2 + x2^2\"}, range: [[-1, 1], [-1, 1]], points: [2, 3]}", inputs: 2),
        ["random.seed"] = Spec("size: 3", "random: {seed: 5}"),
        ["random.feedforward"] = Spec("size: 3", "random: {feedforward: {mean: 0.1, std: 2}}"),
        ["random.encoder"] = Spec("size: 3", "random: {encoder: {mean: 2}}"),
        ["random.threshold"] = Spec("size: 3", "random: {threshold: {std: 0.1}}"),
        ["random.tune_to"] = Spec("size: 3", "random: {tune_to: {f: {knots: [[-1, 1], [0, 0], [1, 1]]}, range: [-1, 1]}}"),
        ["gaussian.mean"] = Spec("size: 3", "random: {encoder: {mean: 2}}"),
        ["gaussian.std"] = Spec("size: 3", "random: {encoder: {std: 0.1}}"),
        ["tune_to.f"] = Spec("size: 3", "random: {tune_to: {f: {expression: \"x1^2 + x2^2\"}, range: [[-1, 1], [-1, 1]]}}", inputs: 2),
        ["tune_to.range"] = Spec("size: 3", "random: {tune_to: {f: {polynomial: [0, 0, 1]}, range: [-2, 2]}}"),
        ["population.random"] = Spec("size: 3", "random: {}"),
    };

    private static JsonElement Schema => LazySchema.Value;

    [Theory]
    [InlineData("function")]
    [InlineData("tangent")]
    [InlineData("random")]
    [InlineData("gaussian")]
    [InlineData("tune_to")]
    public void The_blocks_the_reader_closes_are_closed_in_the_schema(string def)
    {
        var node = Schema.GetProperty("$defs").GetProperty(def);
        Assert.Equal(JsonValueKind.False, node.GetProperty("additionalProperties").ValueKind);
    }

    [Theory]
    [InlineData("function")]
    [InlineData("tangent")]
    [InlineData("random")]
    [InlineData("gaussian")]
    [InlineData("tune_to")]
    public void Every_key_the_schema_declares_is_accepted_by_the_reader(string def)
    {
        foreach (var key in Schema.GetProperty("$defs").GetProperty(def).GetProperty("properties").EnumerateObject().Select(p => p.Name))
        {
            Assert.True(Samples.TryGetValue($"{def}.{key}", out string? yaml), $"no sample spec for {def}.{key}");
            var e = Record.Exception(() => SpecReader.Parse(yaml!, "schema"));
            Assert.True(e is null, $"{def}.{key}: a valid spec using it does not load: {e?.Message}\n{yaml}");
        }
    }

    [Fact]
    public void The_population_declares_random_and_the_reader_accepts_it()
    {
        var population = Schema.GetProperty("$defs").GetProperty("population");
        Assert.True(population.GetProperty("properties").TryGetProperty("random", out _));
        SpecReader.Parse(Samples["population.random"], "schema");
        Assert.Equal(3, population.GetProperty("oneOf").GetArrayLength());
    }

    [Fact]
    public void The_function_is_exactly_one_of_its_forms()
    {
        var function = Schema.GetProperty("$defs").GetProperty("function");
        Assert.Equal(1, function.GetProperty("minProperties").GetInt32());
        Assert.Equal(1, function.GetProperty("maxProperties").GetInt32());
        Assert.Equal(
            new[] { "expression", "knots", "polynomial" },
            function.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    private static string Spec(string size, string construction, int inputs = 1)
    {
        string input = string.Concat(Enumerable.Repeat("  - {kind: constant, value: 0.25}\n", inputs));
        string sizeLine = size.Length == 0 ? string.Empty : $"    {size}\n";
        return "name: construction-schema\n" +
               "simulation: {duration: 0.5}\n" +
               "input:\n" + input +
               "populations:\n" +
               "  - name: P\n" +
               "    kind: inhibitory\n" +
               sizeLine +
               $"    {construction}\n" +
               "    decoders: -0.2\n";
    }
}
