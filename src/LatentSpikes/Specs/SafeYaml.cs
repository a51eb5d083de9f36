using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace LatentSpikes.Specs;

/// <summary>
/// The one way specs and sweeps are turned from text into YAML nodes. Before any node is built, the text's event
/// stream is walked once, without recursion, and refused when it nests deeper than
/// <see cref="InputLimits.MaxYamlDepth"/> levels, when an alias refers to the node that contains it (a cycle), or
/// when it holds more than <see cref="InputLimits.MaxYamlNodes"/> nodes counting every alias as the whole node it
/// stands for (so an anchor "bomb" of nested aliases is refused before anything expands it). Only then is the
/// node tree built, whose recursion is bounded by the depth limit.
/// </summary>
internal static class SafeYaml
{
    /// <summary>Checks and loads <paramref name="text"/>; every problem is a one-line <see cref="SpecException"/>.</summary>
    /// <param name="text">YAML (or JSON) text.</param>
    /// <param name="label">File name used in errors.</param>
    /// <param name="format">How the text is named in syntax errors, e.g. "YAML/JSON".</param>
    public static YamlStream Load(string text, string label, string format)
    {
        ArgumentNullException.ThrowIfNull(text);
        Check(text, label, format);
        var stream = new YamlStream();
        Translate(label, format, parser => stream.Load(parser), text);
        return stream;
    }

    private static void Check(string text, string label, string format) => Translate(label, format, parser =>
    {
        // Per open node: its anchor and the sequence number at which that anchor was opened.
        var open = new Stack<(string Anchor, long Opened)>();
        var anchors = new Dictionary<string, (long Nodes, long Defined)>(StringComparer.Ordinal);
        var counts = new Stack<long>();
        long total = 0;
        long sequence = 0;
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            int line = (int)current.Start.Line;
            switch (current)
            {
                case AnchorAlias alias:
                    {
                        string name = alias.Value.Value;
                        bool defined = anchors.TryGetValue(name, out var anchor);
                        foreach (var (openAnchor, opened) in open)
                        {
                            if (openAnchor == name && (!defined || anchor.Defined < opened))
                            {
                                throw new SpecException(label, line, string.Empty, $"the alias *{name} refers to the node that contains it, which would make an endless value");
                            }
                        }

                        if (!defined)
                        {
                            throw new SpecException(label, line, string.Empty, $"the alias *{name} refers to no anchor &{name} defined before it");
                        }

                        Count(anchor.Nodes, line);
                        AddToParent(anchor.Nodes);
                        break;
                    }

                case Scalar scalar:
                    Count(1, line);
                    AddToParent(1);
                    if (!scalar.Anchor.IsEmpty)
                    {
                        anchors[scalar.Anchor.Value] = (1, ++sequence);
                    }

                    break;
                case NodeEvent start and (SequenceStart or MappingStart):
                    if (open.Count >= InputLimits.MaxYamlDepth)
                    {
                        throw new SpecException(label, line, string.Empty,
                            $"lists and mappings are nested more than {InputLimits.MaxYamlDepth.ToString(CultureInfo.InvariantCulture)} levels deep, beyond this tool's limit");
                    }

                    Count(1, line);
                    open.Push((start.Anchor.IsEmpty ? string.Empty : start.Anchor.Value, ++sequence));
                    counts.Push(1);
                    break;
                case SequenceEnd or MappingEnd:
                    {
                        var (anchorName, _) = open.Pop();
                        long nodes = counts.Pop();
                        if (anchorName.Length > 0)
                        {
                            anchors[anchorName] = (nodes, ++sequence);
                        }

                        AddToParent(nodes);
                        break;
                    }

                case DocumentEnd:
                    anchors.Clear();
                    break;
            }
        }

        void AddToParent(long nodes)
        {
            if (counts.Count > 0)
            {
                counts.Push(Saturate(counts.Pop() + nodes));
            }
        }

        void Count(long nodes, int line)
        {
            total = Saturate(total + nodes);
            if (total > InputLimits.MaxYamlNodes)
            {
                throw new SpecException(label, line, string.Empty,
                    $"the document holds more than {InputLimits.MaxYamlNodes.ToString("N0", CultureInfo.InvariantCulture)} values (aliases counted as the values they repeat), beyond this tool's limit");
            }
        }
    }, text);

    private static long Saturate(long value) => value < 0 ? long.MaxValue : value;

    private static void Translate(string label, string format, Action<IParser> action, string text)
    {
        var parser = new Parser(new StringReader(text));
        try
        {
            action(parser);
        }
        catch (YamlException e)
        {
            string msg = (e.InnerException?.Message ?? e.Message).Replace('\n', ' ').Replace('\r', ' ');
            int cut = msg.IndexOf("): ", StringComparison.Ordinal);
            msg = cut >= 0 && msg.StartsWith('(') ? msg[(cut + 3)..] : msg;
            throw new SpecException(label, (int)e.Start.Line, string.Empty, $"not valid {format}: {msg}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws a bare InvalidOperationException (no position) for some malformed flow
            // collections, e.g. an unclosed '[' followed by more lines; point at the last node it did read.
            throw new SpecException(label, (int)(parser.Current?.Start.Line ?? 0), string.Empty,
                $"not valid {format}: cannot parse the text after this point; check for an unclosed '[' or '{{' or a line broken inside brackets");
        }
    }
}
