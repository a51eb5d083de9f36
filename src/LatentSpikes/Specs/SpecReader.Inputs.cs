using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LatentSpikes.Construction;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LatentSpikes.Specs;

// The spec reader, part 2: the <c>input</c> section (signals and samples files).
public static partial class SpecReader
{
    private static List<InputSignal> ReadInputs(SpecNode node)
    {
        var items = node.IsMap ? [node] : node.AsList();
        if (items.Count == 0)
        {
            throw node.Error("give at least one input signal (one per input dimension)");
        }

        return items.Select(ReadSignal).ToList();
    }

    private static InputSignal ReadSignal(SpecNode node)
    {
        if (!node.IsMap)
        {
            throw node.Error("an input signal is a mapping with a 'kind' (constant, ramp, steps, piecewise_linear, sinusoid, white, ou)");
        }

        string kind = node.AsMap(["kind", "value", "from", "to", "start", "stop", "initial", "times", "values", "file", "offset", "amplitude", "frequency", "phase", "mean", "std", "tau"])
            .Required("kind").AsString();
        SpecMap m;
        switch (kind)
        {
            case "constant":
                m = node.AsMap("kind", "value");
                return new ConstantSignal(m.Required("value").AsDouble());
            case "ramp":
                m = node.AsMap("kind", "from", "to", "start", "stop");
                return new RampSignal(m.Required("from").AsDouble(), m.Required("to").AsDouble(), m.Required("start").AsDouble(), m.Required("stop").AsDouble());
            case "steps":
                m = node.AsMap("kind", "initial", "times", "values");
                return new StepsSignal(m.Double("initial", 0.0), m.Required("times").AsDoubles(), m.Required("values").AsDoubles());
            case "piecewise_linear":
                m = node.AsMap("kind", "times", "values", "file");
                if (m.Optional("file") is { } fileNode)
                {
                    if (m.Has("times") || m.Has("values"))
                    {
                        throw fileNode.Error("give either 'file' or 'times' and 'values', not both");
                    }

                    var (t, v) = ReadSamplesFile(fileNode);
                    return new PiecewiseLinearSignal(t, v);
                }

                return new PiecewiseLinearSignal(m.Required("times").AsDoubles(), m.Required("values").AsDoubles());
            case "sinusoid":
                m = node.AsMap("kind", "offset", "amplitude", "frequency", "phase");
                return new SinusoidSignal(m.Double("offset", 0.0), m.Required("amplitude").AsDouble(), m.Required("frequency").AsDouble(), m.Double("phase", 0.0));
            case "white":
                m = node.AsMap("kind", "mean", "std");
                return new WhiteNoiseSignal(m.Double("mean", 0.0), m.Required("std").AsDouble());
            case "ou":
                m = node.AsMap("kind", "mean", "std", "tau");
                return new OrnsteinUhlenbeckSignal(m.Double("mean", 0.0), m.Required("std").AsDouble(), m.Required("tau").AsDouble());
            default:
                throw new SpecNode(node.Document, ((YamlMappingNode)node.Node).Children[new YamlScalarNode("kind")], node.Path + ".kind")
                    .Error($"unknown input kind '{kind}'{CaseHint(kind, InputKinds)}; use constant, ramp, steps, piecewise_linear, sinusoid, white or ou");
        }
    }

    /// <summary>Reads (time, value) rows from a CSV/whitespace file; '#' starts a comment, a non-numeric first row is a header.</summary>
    private static (double[] Times, double[] Values) ReadSamplesFile(SpecNode fileNode)
    {
        string rel = fileNode.AsString();
        string path = Path.IsPathRooted(rel) || fileNode.Document.Directory is null ? rel : Path.Combine(fileNode.Document.Directory, rel);
        if (!System.IO.File.Exists(path) && !Directory.Exists(path))
        {
            throw fileNode.Error($"input samples file '{rel}' not found (looked at {Path.GetFullPath(path)})");
        }

        // A device or FIFO would block or never end, and a huge file would fill memory: refused before reading.
        if (!InputFile.IsAcceptable(path, "samples file", InputLimits.MaxSamplesFileBytes, out string problem))
        {
            throw fileNode.Error($"'{rel}' {problem}");
        }

        var times = new List<double>();
        var values = new List<double>();
        int lineNo = 0;
        bool sawHeader = false;
        foreach (string raw in System.IO.File.ReadLines(path))
        {
            lineNo++;
            string line = raw.Split('#')[0].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            string[] parts = line.Split([',', ' ', '\t', ';'], StringSplitOptions.RemoveEmptyEntries);
            bool ok = parts.Length >= 2
                      & double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double t)
                      & double.TryParse(parts.Length >= 2 ? parts[1] : string.Empty, NumberStyles.Float, CultureInfo.InvariantCulture, out double v);
            if (!ok)
            {
                if (times.Count == 0 && !sawHeader)
                {
                    sawHeader = true;
                    continue; // a header row before the first data row
                }

                throw fileNode.Error($"{rel}:{lineNo}: expected two numbers 'time, value'; got '{raw.Trim()}'");
            }

            if (!double.IsFinite(t) || !double.IsFinite(v))
            {
                throw fileNode.Error($"{rel}:{lineNo}: time and value must be finite; got '{raw.Trim()}'");
            }

            times.Add(t);
            values.Add(v);
        }

        if (times.Count == 0)
        {
            throw fileNode.Error($"input samples file '{rel}' holds no 'time, value' rows");
        }

        return (times.ToArray(), values.ToArray());
    }
}
