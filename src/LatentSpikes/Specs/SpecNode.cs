using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace LatentSpikes.Specs;

/// <summary>
/// A YAML/JSON node with its field path and line, so every error can name file, line and field.
/// Every node read is remembered in <see cref="SpecDocument.Lines"/> to locate later model-validation errors.
/// </summary>
internal sealed class SpecNode
{
    public SpecNode(SpecDocument document, YamlNode node, string path, int keyLine = 0)
    {
        Document = document;
        Node = node;
        Path = path;
        _keyLine = keyLine;
        document.Lines.TryAdd(path, Line);
    }

    private readonly int _keyLine;

    public SpecDocument Document { get; }

    public YamlNode Node { get; }

    public string Path { get; }

    /// <summary>The line of the field's key when it has one (a block value starts on the next line), else of the value.</summary>
    public int Line => _keyLine > 0 ? _keyLine : (int)Node.Start.Line;

    public bool IsMap => Node is YamlMappingNode;

    public bool IsList => Node is YamlSequenceNode;

    public bool IsScalar => Node is YamlScalarNode;

    public SpecException Error(string problem) => new(Document.File, Line, Path, problem);

    public SpecMap AsMap(params string[] allowed)
    {
        if (Node is not YamlMappingNode map)
        {
            throw Error($"expected a mapping with keys {string.Join(", ", allowed)}; got {Describe()}");
        }

        var children = new Dictionary<string, SpecNode>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            string key = k is YamlScalarNode s ? s.Value ?? string.Empty : string.Empty;
            string path = string.IsNullOrEmpty(Path) ? key : $"{Path}.{key}";
            if (Array.IndexOf(allowed, key) < 0)
            {
                var near = allowed.OrderBy(a => Distance(a, key)).First();
                string hint = Distance(near, key) <= 3 ? $" (did you mean '{near}'?)" : string.Empty;
                throw new SpecException(Document.File, (int)k.Start.Line, path, $"unknown field{hint}; allowed here: {string.Join(", ", allowed)}");
            }

            children[key] = new SpecNode(Document, v, path, (int)k.Start.Line);
        }

        return new SpecMap(this, children);
    }

    public IReadOnlyList<SpecNode> AsList()
    {
        if (Node is not YamlSequenceNode seq)
        {
            throw Error($"expected a list; got {Describe()}");
        }

        return seq.Children.Select((c, i) => new SpecNode(Document, c, $"{Path}[{i}]")).ToArray();
    }

    public string AsString()
    {
        if (Node is not YamlScalarNode s || string.IsNullOrWhiteSpace(s.Value))
        {
            throw Error($"expected a non-empty text; got {Describe()}");
        }

        return s.Value!;
    }

    /// <summary>A finite number. YAML's .nan/.inf and JSON-ish "NaN"/"Infinity" are rejected with a clear message.</summary>
    public double AsDouble()
    {
        string text = ScalarText("a number");
        string lowered = text.Trim().ToLowerInvariant();
        if (lowered is ".nan" or "nan" or ".inf" or "+.inf" or "-.inf" or "inf" or "-inf" or "infinity" or "-infinity" or "+infinity")
        {
            throw Error($"must be a finite number (got {text})");
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
        {
            throw Error($"expected a number; got '{text}'");
        }

        if (!double.IsFinite(v))
        {
            throw Error($"must be a finite number (got {text})");
        }

        return v;
    }

    public int AsInt()
    {
        string text = ScalarText("an integer");
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
        {
            throw Error($"expected an integer; got '{text}'");
        }

        return v;
    }

    public ulong AsSeed()
    {
        string text = ScalarText("a non-negative integer seed");
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v))
        {
            throw Error($"expected a non-negative integer seed; got '{text}'");
        }

        return v;
    }

    public bool AsBool()
    {
        string text = ScalarText("true or false");
        return text.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw Error($"expected true or false; got '{text}'"),
        };
    }

    public double[] AsDoubles()
    {
        var list = AsList();
        return list.Select(n => n.AsDouble()).ToArray();
    }

    /// <summary>A scalar repeated <paramref name="count"/> times, or a list of exactly <paramref name="count"/> numbers.</summary>
    public double[] AsScalarOrList(int count)
    {
        if (IsScalar)
        {
            return Enumerable.Repeat(AsDouble(), count).ToArray();
        }

        var values = AsDoubles();
        if (values.Length != count)
        {
            throw Error($"has {values.Length} entries; expected one number or {count} (one per neuron)");
        }

        return values;
    }

    private string ScalarText(string expected)
    {
        if (Node is not YamlScalarNode s || s.Value is null || s.Value.Length == 0)
        {
            throw Error($"expected {expected}; got {Describe()}");
        }

        return s.Value;
    }

    private string Describe() => Node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Value: null or "" } => "nothing",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "something else",
    };

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            }
        }

        return d[a.Length, b.Length];
    }
}

/// <summary>A mapping whose keys have been checked against the allowed set.</summary>
internal sealed class SpecMap(SpecNode owner, Dictionary<string, SpecNode> children)
{
    public SpecNode Owner => owner;

    public bool Has(string key) => children.ContainsKey(key);

    public SpecNode? Optional(string key) => children.GetValueOrDefault(key);

    public SpecNode Required(string key) =>
        children.GetValueOrDefault(key) ?? throw owner.Error($"missing required field '{key}'");

    public double Double(string key, double fallback) => Optional(key)?.AsDouble() ?? fallback;
}

/// <summary>Per-document state: the file label, its directory for relative paths, and the line of every field read.</summary>
internal sealed class SpecDocument(string file, string? directory)
{
    public string File { get; } = file;

    public string? Directory { get; } = directory;

    public Dictionary<string, int> Lines { get; } = new(StringComparer.Ordinal);

    /// <summary>The line of the longest known prefix of a field path.</summary>
    public int LineOf(string field)
    {
        string f = field;
        while (f.Length > 0)
        {
            if (Lines.TryGetValue(f, out int line))
            {
                return line;
            }

            int cut = Math.Max(f.LastIndexOf('.'), f.LastIndexOf('['));
            if (cut <= 0)
            {
                break;
            }

            f = f[..cut];
        }

        return Lines.GetValueOrDefault(string.Empty);
    }
}
