using LatentSpikes.Construction;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Model;
using YamlDotNet.RepresentationModel;

namespace LatentSpikes.Specs;

/// <summary>A graph file as read: the graph, its name and the file label used in error messages.</summary>
/// <param name="Graph">Inputs and nodes.</param>
/// <param name="Name">The <c>name</c> field, or null.</param>
/// <param name="File">The file label.</param>
public sealed record LoadedGraph(FunctionGraph Graph, string? Name, string File);

/// <summary>
/// Reads a composition graph file (YAML or JSON; schema docs/graph.schema.json): external inputs with their ranges and
/// nodes that are functions of inputs and of other nodes, e.g.
/// <code>
/// inputs: {x: [-1, 1]}
/// nodes:
///   - {name: g, function: "x^2 + 0.2", neurons: 24}
///   - {name: h, function: "2 - sin(2*g)", inputs: [g], neurons: 24}
/// </code>
/// A node without <c>inputs</c> reads the inputs and nodes its function mentions. Every problem, including the
/// compiler's (a cycle, an unknown name, a range that cannot be derived), is one line naming file, line and field.
/// </summary>
public static class GraphReader
{
    private static readonly string[] TopKeys = ["name", "description", "inputs", "nodes"];
    private static readonly string[] NodeKeys = ["name", "function", "inputs", "neurons"];

    /// <summary>Reads a graph file.</summary>
    /// <exception cref="SpecException">For a missing file or any problem in it.</exception>
    public static LoadedGraph LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new SpecException(path, 0, string.Empty, Directory.Exists(path) ? "is a directory, not a graph file" : "graph file not found");
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Reads a graph from text.</summary>
    /// <exception cref="SpecException">For any problem in it.</exception>
    public static LoadedGraph Parse(string text, string label)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = SpecReader.LoadRoot(text, label, null);
        var top = root.AsMap(TopKeys);
        string? name = top.Optional("name")?.AsString();
        var inputsNode = top.Required("inputs");
        if (inputsNode.Node is not YamlMappingNode inputMap || inputMap.Children.Count == 0)
        {
            throw inputsNode.Error("expected a mapping of input names to ranges, e.g. {x: [-1, 1]}");
        }

        var inputs = new List<GraphInput>();
        foreach (var (k, v) in inputMap.Children)
        {
            string key = k is YamlScalarNode s ? s.Value ?? string.Empty : string.Empty;
            var node = new SpecNode(root.Document, v, $"inputs.{key}", (int)k.Start.Line);
            if (key.Length == 0 || !char.IsAsciiLetter(key[0]) || !key.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
            {
                throw node.Error($"'{key}' is not a valid input name: use letters, digits and '_', starting with a letter");
            }

            var range = node.AsDoubles();
            if (range.Length != 2)
            {
                throw node.Error($"expected a range [lo, hi]; got {range.Length} number(s)");
            }

            inputs.Add(new GraphInput(key, range[0], range[1]));
        }

        var nodeList = top.Required("nodes").AsList();
        var maps = nodeList.Select(n => n.AsMap(NodeKeys)).ToArray();
        var names = maps.Select(m => m.Required("name").AsString().Trim()).ToArray();
        var nodes = new List<GraphNode>();
        for (int i = 0; i < maps.Length; i++)
        {
            var map = maps[i];
            var functionNode = map.Required("function");
            string formula = functionNode.AsString();
            IReadOnlyList<string> variables;
            ExpressionFunction f;
            try
            {
                if (map.Optional("inputs") is { } given)
                {
                    variables = given.AsList().Select(n => n.AsString().Trim()).ToArray();
                    f = ExpressionFunction.ParseNamed(formula, variables);
                }
                else
                {
                    // Everything the function may mention: the inputs, then the other nodes; keep what it does mention.
                    var candidates = inputs.Select(x => x.Name).Concat(names.Where((_, j) => j != i)).Distinct(StringComparer.Ordinal).ToArray();
                    var all = ExpressionFunction.ParseNamed(formula, candidates);
                    variables = candidates.Where((_, d) => all.Uses(d)).ToArray();
                    if (variables.Count == 0)
                    {
                        throw functionNode.Error($"'{formula}' mentions no input or node; a node computes a function of at least one (inputs: {string.Join(", ", inputs.Select(x => x.Name))})");
                    }

                    f = ExpressionFunction.ParseNamed(formula, variables);
                }
            }
            catch (ExpressionException e)
            {
                throw functionNode.Error(e.Message);
            }

            int? neurons = map.Optional("neurons")?.AsInt();
            var fn = f;
            nodes.Add(new GraphNode(names[i], u => fn.Value(u), variables, neurons, formula.Trim()));
        }

        return new LoadedGraph(new FunctionGraph(inputs, nodes), name, label);
    }

    /// <summary>Reads and compiles a graph file.</summary>
    /// <exception cref="SpecException">For a missing file or any problem in it or in its compilation.</exception>
    public static CompiledGraph CompileFile(string path, CompileOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new SpecException(path, 0, string.Empty, Directory.Exists(path) ? "is a directory, not a graph file" : "graph file not found");
        }

        return Compile(File.ReadAllText(path), path, options);
    }

    /// <summary>Compiles a graph given as text; the compiler's refusals become one-line errors at the offending field's line.</summary>
    /// <exception cref="SpecException">For a cycle, an unknown name, an underivable range or any other refusal.</exception>
    public static CompiledGraph Compile(string text, string label, CompileOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var loaded = Parse(text, label);
        var root = SpecReader.LoadRoot(text, label, null);
        Touch(root);
        try
        {
            return GraphCompiler.Compile(loaded.Graph, loaded.Name is { } n && options.Name == new CompileOptions().Name ? options with { Name = n } : options);
        }
        catch (ModelValidationException e)
        {
            throw new SpecException(label, root.Document.LineOf(e.Field), e.Field, e.Reason);
        }
    }

    /// <summary>Records the line of every field so compiler errors can point at them.</summary>
    private static void Touch(SpecNode node)
    {
        switch (node.Node)
        {
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    string key = k is YamlScalarNode s ? s.Value ?? string.Empty : string.Empty;
                    Touch(new SpecNode(node.Document, v, string.IsNullOrEmpty(node.Path) ? key : $"{node.Path}.{key}", (int)k.Start.Line));
                }

                break;
            case YamlSequenceNode:
                foreach (var child in node.AsList())
                {
                    Touch(child);
                }

                break;
        }
    }
}
