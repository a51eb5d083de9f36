using System.Text.Json;
using LatentSpikes.Specs;
using YamlDotNet.RepresentationModel;

namespace LatentSpikes.Tests.Specs;

/// <summary>Keeps docs/graph.schema.json and <see cref="GraphReader"/> in step, as SchemaConformanceTests does for specs.</summary>
public sealed class GraphSchemaTests
{
    private static readonly string SchemaPath = Path.Combine(AppContext.BaseDirectory, "docs", "graph.schema.json");
    private static readonly string GraphsDirectory = Path.Combine(AppContext.BaseDirectory, "examples", "graphs");

    private static JsonElement Schema()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SchemaPath));
        return doc.RootElement.Clone();
    }

    private static string[] Keys(JsonElement node) => node.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToArray();

    public static TheoryData<string> GraphFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(GraphsDirectory, "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GraphFiles))]
    public void Every_key_an_example_graph_uses_is_declared_in_the_schema(string file)
    {
        var schema = Schema();
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(GraphsDirectory, file))));
        var root = Assert.IsType<YamlMappingNode>(stream.Documents[0].RootNode);
        var top = Keys(schema);
        var node = Keys(schema.GetProperty("$defs").GetProperty("node"));
        Assert.All(root.Children.Keys, k => Assert.Contains(((YamlScalarNode)k).Value, top));
        var nodes = Assert.IsType<YamlSequenceNode>(root.Children[new YamlScalarNode("nodes")]);
        foreach (var n in nodes.Children.Cast<YamlMappingNode>())
        {
            Assert.All(n.Children.Keys, k => Assert.Contains(((YamlScalarNode)k).Value, node));
        }

        // The reader accepts it too, and each example states its neuron budget per node.
        Assert.All(GraphReader.LoadFile(Path.Combine(GraphsDirectory, file)).Graph.Nodes, n => Assert.NotNull(n.Neurons));
    }

    [Fact]
    public void Every_key_the_schema_declares_is_accepted_by_the_reader_and_the_schema_is_closed()
    {
        var schema = Schema();
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.GetProperty("$schema").GetString());
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
        Assert.False(schema.GetProperty("$defs").GetProperty("node").GetProperty("additionalProperties").GetBoolean());
        Assert.Equal(["description", "inputs", "name", "nodes"], Keys(schema).Order(StringComparer.Ordinal));
        Assert.Equal(["function", "inputs", "name", "neurons"], Keys(schema.GetProperty("$defs").GetProperty("node")).Order(StringComparer.Ordinal));
        var loaded = GraphReader.Parse("""
            name: all-keys
            description: every declared key
            inputs: {x: [-1, 1]}
            nodes:
              - {name: g, function: "x^2 + 0.2", inputs: [x], neurons: 12}
            """, "all-keys.yaml");
        Assert.Equal("all-keys", loaded.Name);
        Assert.Equal(12, loaded.Graph.Nodes[0].Neurons);

        var e = Assert.Throws<SpecException>(() => GraphReader.Parse("inputs: {x: [-1, 1]}\nnodes:\n  - {name: g, function: x, neuron: 3}\n", "typo.yaml"));
        Assert.StartsWith("typo.yaml:3: nodes[0].neuron: unknown field (did you mean 'neurons'?)", e.Message, StringComparison.Ordinal);
    }
}
