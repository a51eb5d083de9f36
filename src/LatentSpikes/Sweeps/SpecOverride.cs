using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace LatentSpikes.Sweeps;

/// <summary>
/// Sets one field of a spec's YAML tree, named by a path such as <c>populations[0].noise</c> or
/// <c>input[0].to</c>. Overrides act on the tree before the spec is read, so every field the spec format has is
/// sweepable and the value goes through the same validation as a hand-written spec.
/// </summary>
public static partial class SpecOverride
{
    /// <summary>True when <paramref name="path"/> is a well-formed field path (names joined by '.', list indices in brackets).</summary>
    public static bool IsValidPath(string path) => path is not null && PathPattern().IsMatch(path);

    /// <summary>
    /// Replaces (or adds) the field at <paramref name="path"/> in <paramref name="root"/> with <paramref name="value"/>.
    /// A missing mapping on the way is created, so an optional block such as <c>simulation.seed</c> can be set; a
    /// list index must exist.
    /// </summary>
    /// <exception cref="ArgumentException">For a malformed path or one that does not fit the tree; the message names the problem.</exception>
    public static void Apply(YamlNode root, string path, YamlNode value)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(value);
        if (!IsValidPath(path))
        {
            throw new ArgumentException($"'{path}' is not a field path; write names joined by '.' with list indices in brackets, e.g. populations[0].noise");
        }

        var steps = Steps(path);
        YamlNode node = root;
        string at = string.Empty;
        for (int s = 0; s < steps.Count; s++)
        {
            var (key, index) = steps[s];
            bool last = s == steps.Count - 1;
            if (key is not null)
            {
                if (node is not YamlMappingNode map)
                {
                    throw new ArgumentException($"{Describe(at)} is {Kind(node)}, so it has no field '{key}'");
                }

                var keyNode = new YamlScalarNode(key);
                at = at.Length == 0 ? key : $"{at}.{key}";
                if (last)
                {
                    map.Children[keyNode] = value;
                    return;
                }

                if (!map.Children.TryGetValue(keyNode, out var child))
                {
                    if (steps[s + 1].Key is null)
                    {
                        throw new ArgumentException($"the spec has no '{at}' to take element [{steps[s + 1].Index}] of");
                    }

                    child = new YamlMappingNode();
                    map.Children[keyNode] = child;
                }

                node = child;
            }
            else
            {
                int i = index!.Value;
                if (node is not YamlSequenceNode seq)
                {
                    throw new ArgumentException($"{Describe(at)} is {Kind(node)}, not a list, so it has no element [{i}]");
                }

                if (i >= seq.Children.Count)
                {
                    throw new ArgumentException($"{Describe(at)} has {seq.Children.Count} entr{(seq.Children.Count == 1 ? "y" : "ies")}, so there is no element [{i}]");
                }

                at = $"{at}[{i}]";
                if (last)
                {
                    seq.Children[i] = value;
                    return;
                }

                node = seq.Children[i];
            }
        }
    }

    /// <summary>
    /// A value as one line of text: a scalar as written, a list or mapping in YAML flow style
    /// (<c>[1, 2]</c>, <c>{kind: exponential, tau: 0.5}</c>). Used for table cells and messages.
    /// </summary>
    public static string Render(YamlNode value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder();
        RenderInto(value, sb);
        return sb.ToString();
    }

    private static void RenderInto(YamlNode value, StringBuilder sb)
    {
        switch (value)
        {
            case YamlScalarNode s:
                sb.Append(s.Value ?? string.Empty);
                break;
            case YamlSequenceNode seq:
                sb.Append('[');
                for (int i = 0; i < seq.Children.Count; i++)
                {
                    sb.Append(i == 0 ? string.Empty : ", ");
                    RenderInto(seq.Children[i], sb);
                }

                sb.Append(']');
                break;
            case YamlMappingNode map:
                sb.Append('{');
                bool first = true;
                foreach (var (k, v) in map.Children)
                {
                    sb.Append(first ? string.Empty : ", ");
                    first = false;
                    RenderInto(k, sb);
                    sb.Append(": ");
                    RenderInto(v, sb);
                }

                sb.Append('}');
                break;
        }
    }

    private static List<(string? Key, int? Index)> Steps(string path)
    {
        var steps = new List<(string? Key, int? Index)>();
        foreach (Match m in StepPattern().Matches(path))
        {
            if (m.Groups["key"].Success)
            {
                steps.Add((m.Groups["key"].Value, null));
            }
            else if (!int.TryParse(m.Groups["index"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int i))
            {
                throw new ArgumentException($"'{path}': list index {m.Groups["index"].Value} is too large");
            }
            else
            {
                steps.Add((null, i));
            }
        }

        return steps;
    }

    private static string Describe(string at) => at.Length == 0 ? "the spec" : $"'{at}'";

    private static string Kind(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"a single value ('{s.Value}')",
        _ => "something else",
    };

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\[[0-9]+\])*(\.[A-Za-z_][A-Za-z0-9_]*(\[[0-9]+\])*)*$")]
    private static partial Regex PathPattern();

    [GeneratedRegex(@"(?<key>[A-Za-z_][A-Za-z0-9_]*)|\[(?<index>[0-9]+)\]")]
    private static partial Regex StepPattern();
}
