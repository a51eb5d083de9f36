using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LatentSpikes.Construction;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Randomness;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LatentSpikes.Specs;

/// <summary>A spec read into an <see cref="Experiment"/>, with its source text and hash.</summary>
/// <param name="Experiment">The validated experiment.</param>
/// <param name="File">Where it came from.</param>
/// <param name="SourceText">The spec text as read.</param>
/// <param name="Hash">SHA-256 (hex) of the spec text with normalised line endings.</param>
/// <param name="TangentPoints">Tangent points of constructed populations, by population name.</param>
public sealed record LoadedSpec(
    Experiment Experiment,
    string File,
    string SourceText,
    string Hash,
    IReadOnlyDictionary<string, IReadOnlyList<TangentPoint>> TangentPoints);

/// <summary>
/// Reads a network spec from YAML or JSON (JSON is read as YAML flow syntax, so both report line numbers).
/// The format is documented in <c>docs/spec.md</c> and <c>docs/spec.schema.json</c>. Every problem, from syntax
/// to Dale's law, becomes a one-line <see cref="SpecException"/> naming file, line and field.
/// </summary>
public static class SpecReader
{
    private static readonly string[] TopKeys = ["name", "description", "simulation", "input", "populations", "latents", "stimulation", "initial", "delays"];
    private static readonly string[] SimulationKeys = ["dt", "duration", "seed", "tau_ms", "clip_at_spike", "initial_voltage", "noise_stream", "record_every", "runaway_window", "latent_limit"];
    private static readonly string[] PopulationKeys = ["name", "kind", "size", "tangent", "random", "feedforward", "thresholds", "decoders", "encoders", "mu", "noise", "synapse", "refractory", "rate"];
    private static readonly string[] RateKeys = ["beta", "tau_s"];
    private static readonly string[] TangentKeys = ["f", "range", "points"];
    private static readonly string[] FunctionKeys = ["polynomial", "expression", "knots"];
    private static readonly string[] RandomKeys = ["seed", "feedforward", "encoder", "threshold", "tune_to"];
    private static readonly string[] GaussianKeys = ["mean", "std"];
    private static readonly string[] TuneKeys = ["f", "range"];
    private static readonly string[] LatentKeys = ["name", "source", "decoders"];
    private static readonly string[] StimulationKeys = ["population", "amplitude", "start", "stop"];
    private static readonly string[] SynapseKeys = ["kind", "tau"];
    private static readonly string[] DelayKeys = ["from", "to", "delay"];

    private static readonly string[] InputKinds = ["constant", "ramp", "steps", "piecewise_linear", "sinusoid", "white", "ou"];
    private static readonly string[] PopulationKinds = ["excitatory", "e", "inhibitory", "i", "unsigned"];

    /// <summary>Kinds are case-sensitive; a kind that differs from a known one only in case gets the right spelling.</summary>
    internal static string CaseHint(string given, IEnumerable<string> known) =>
        known.FirstOrDefault(k => string.Equals(k, given, StringComparison.OrdinalIgnoreCase)) is { } match
            ? $" (kinds are case-sensitive: write '{match}')"
            : string.Empty;

    /// <summary>Reads a spec file.</summary>
    /// <exception cref="SpecException">For a missing file or any problem in it.</exception>
    public static LoadedSpec LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path))
        {
            throw new SpecException(path, 0, string.Empty, Directory.Exists(path) ? "is a directory, not a spec file" : "spec file not found");
        }

        string text = InputFile.ReadText(path, "spec file", InputLimits.MaxSpecFileBytes);
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>Reads a spec from text.</summary>
    /// <param name="text">YAML or JSON.</param>
    /// <param name="label">Name used in error messages.</param>
    /// <param name="baseDirectory">Directory that relative file references are resolved against.</param>
    /// <exception cref="SpecException">For any problem in the spec.</exception>
    public static LoadedSpec Parse(string text, string label, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = LoadRoot(text, label, baseDirectory);
        var doc = root.Document;
        var tangents = new Dictionary<string, IReadOnlyList<TangentPoint>>(StringComparer.Ordinal);
        Experiment experiment;
        try
        {
            experiment = ReadExperiment(root, tangents);
        }
        catch (ModelValidationException e)
        {
            throw new SpecException(label, doc.LineOf(e.Field), e.Field, e.Reason);
        }

        string normalised = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
        return new LoadedSpec(experiment, label, text, hash, tangents);
    }

    /// <summary>Parses the YAML/JSON text into its root node; syntax errors become one-line <see cref="SpecException"/>s.</summary>
    internal static SpecNode LoadRoot(string text, string label, string? baseDirectory)
    {
        var doc = new SpecDocument(label, baseDirectory);
        var stream = SafeYaml.Load(text, label, "YAML/JSON");
        if (stream.Documents.Count != 1)
        {
            throw new SpecException(label, 0, string.Empty, stream.Documents.Count == 0 ? "the spec is empty" : "the spec must hold exactly one YAML document");
        }

        return new SpecNode(doc, stream.Documents[0].RootNode, string.Empty);
    }

    private static Experiment ReadExperiment(SpecNode root, Dictionary<string, IReadOnlyList<TangentPoint>> tangents)
    {
        if (!root.IsMap)
        {
            throw root.Error("a spec is a mapping with the fields " + string.Join(", ", TopKeys));
        }

        if (LayerStackSpec.IsLayerStack(root))
        {
            // An srm0 spec is complete without simulation/input/populations; say what it is rather than list missing keys.
            throw new SpecException(root.Document.File, LayerStackSpec.LineOfSection(root), LayerStackSpec.Section,
                "this is an SRM0 layer-stack spec (seed 000), not a low-rank LIF network; only `latentspikes validate` and `latentspikes simulate` run it");
        }

        var top = root.AsMap(TopKeys);
        string name = top.Optional("name")?.AsString() ?? "experiment";
        string description = top.Optional("description")?.AsString() ?? string.Empty;
        var settings = ReadSettings(top.Required("simulation"));
        var inputs = ReadInputs(top.Required("input"));

        var popNodes = top.Required("populations").AsList();
        if (popNodes.Count == 0)
        {
            throw top.Required("populations").Error("a network needs at least one population");
        }

        var populations = new List<Population>();
        long neurons = 0;
        for (int pi = 0; pi < popNodes.Count; pi++)
        {
            var population = ReadPopulation(popNodes[pi], pi, inputs.Count, tangents, neurons);
            neurons += population.Size;
            var rate = ReadRate(popNodes[pi].AsMap(PopulationKeys).Optional("rate"));
            populations.Add(rate is null ? population : population.WithRate(rate));
        }

        var cross = new List<LatentReadout>();
        if (top.Optional("latents") is { } latentsNode)
        {
            foreach (var ln in latentsNode.AsList())
            {
                var lm = ln.AsMap(LatentKeys);
                string source = lm.Required("source").AsString();
                var src = populations.FirstOrDefault(p => p.Name == source)
                          ?? throw lm.Required("source").Error($"no population called '{source}' (known: {string.Join(", ", populations.Select(p => p.Name))})");
                cross.Add(new LatentReadout(lm.Required("name").AsString(), source, lm.Required("decoders").AsScalarOrList(src.Size)));
            }
        }

        var delays = new List<TransmissionDelay>();
        if (top.Optional("delays") is { } delaysNode)
        {
            foreach (var dn in delaysNode.AsList())
            {
                var dm = dn.AsMap(DelayKeys);
                delays.Add(new TransmissionDelay(dm.Required("from").AsString(), dm.Required("to").AsString(), dm.Required("delay").AsDouble()));
            }
        }

        var network = new LowRankNetwork(populations, cross, delays);
        var injections = new List<CurrentInjection>();
        if (top.Optional("stimulation") is { } stimNode)
        {
            foreach (var sn in stimNode.AsList())
            {
                var sm = sn.AsMap(StimulationKeys);
                injections.Add(new CurrentInjection(
                    sm.Required("population").AsString(),
                    sm.Required("amplitude").AsDouble(),
                    sm.Required("start").AsDouble(),
                    sm.Required("stop").AsDouble()));
            }
        }

        var initial = new Dictionary<string, double>(StringComparer.Ordinal);
        if (top.Optional("initial") is { } initNode)
        {
            var im = initNode.AsMap(network.Latents.Select(l => l.Name).ToArray());
            foreach (var l in network.Latents)
            {
                if (im.Optional(l.Name) is { } v)
                {
                    initial[l.Name] = v.AsDouble();
                }
            }
        }

        return new Experiment(network, inputs, settings, injections, initial, name, description);
    }

    private static SimulationSettings ReadSettings(SpecNode node)
    {
        var m = node.AsMap(SimulationKeys);
        var defaults = new SimulationSettings();
        return new SimulationSettings
        {
            Dt = m.Double("dt", defaults.Dt),
            Duration = m.Required("duration").AsDouble(),
            Seed = m.Optional("seed")?.AsSeed() ?? 0,
            TauMs = m.Double("tau_ms", defaults.TauMs),
            ClipAtSpike = m.Optional("clip_at_spike") is { } clip ? ReadClip(clip) : null,
            VoltageStart = m.Optional("initial_voltage") is { } start ? ReadVoltageStart(start) : VoltageStart.Integrated,
            NoiseStream = m.Optional("noise_stream") is { } stream ? ReadNoiseStream(stream) : NoiseStreamKind.Fast,
            RecordEvery = m.Optional("record_every")?.AsInt() ?? 1,
            RunawayWindow = m.Double("runaway_window", defaults.RunawayWindow),
            LatentLimit = m.Double("latent_limit", defaults.LatentLimit),
        };
    }

    /// <summary>clip_at_spike: true, false or auto (null: the authors' rule per network type).</summary>
    private static bool? ReadClip(SpecNode node)
    {
        string text = node.IsScalar ? node.AsString().Trim() : "a non-scalar value";
        return text.ToLowerInvariant() switch
        {
            "auto" => null,
            "true" => true,
            "false" => false,
            _ => throw node.Error($"expected true, false or auto; got '{text}'"),
        };
    }

    /// <summary>initial_voltage: integrated (V = F·x + E·y + b) or zero (the authors' default start).</summary>
    private static VoltageStart ReadVoltageStart(SpecNode node)
    {
        string text = node.IsScalar ? node.AsString().Trim() : "a non-scalar value";
        return text.ToLowerInvariant() switch
        {
            "integrated" => VoltageStart.Integrated,
            "zero" => VoltageStart.Zero,
            _ => throw node.Error($"expected integrated or zero; got '{text}'"),
        };
    }

    /// <summary>noise_stream: fast (the default) or legacy (the membrane noise of versions before issue 19).</summary>
    private static NoiseStreamKind ReadNoiseStream(SpecNode node)
    {
        string text = node.IsScalar ? node.AsString().Trim() : "a non-scalar value";
        return text.ToLowerInvariant() switch
        {
            "fast" => NoiseStreamKind.Fast,
            "legacy" => NoiseStreamKind.Legacy,
            _ => throw node.Error($"expected fast or legacy; got '{text}'"),
        };
    }

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

    /// <summary>
    /// Refuses a population of <paramref name="count"/> neurons beyond the limits per population or, after the
    /// <paramref name="before"/> neurons of the populations read so far, in total; checked before anything is built.
    /// </summary>
    private static void CheckNeuronCount(SpecNode at, long count, long before, string what)
    {
        if (count > InputLimits.MaxPopulationNeurons)
        {
            throw at.Error($"{what} is beyond this tool's limit of {InputLimits.MaxNeuronsText} neurons per population");
        }

        if (before + count > InputLimits.MaxNetworkNeurons)
        {
            throw at.Error($"{what}, which makes {(before + count).ToString(CultureInfo.InvariantCulture)} neurons in the network, beyond this tool's limit of {InputLimits.MaxNeuronsText} in total");
        }
    }

    private static Population ReadPopulation(SpecNode node, int index, int inputDimension, Dictionary<string, IReadOnlyList<TangentPoint>> tangents, long before)
    {
        var m = node.AsMap(PopulationKeys);
        string name = m.Required("name").AsString();
        var kindNode = m.Required("kind");
        var kind = kindNode.AsString() switch
        {
            "excitatory" or "e" => PopulationKind.Excitatory,
            "inhibitory" or "i" => PopulationKind.Inhibitory,
            "unsigned" => PopulationKind.Unsigned,
            string other => throw kindNode.Error($"unknown kind '{other}'{CaseHint(other, PopulationKinds)}; use excitatory, inhibitory or unsigned"),
        };
        int? size = null;
        if (m.Optional("size") is { } sizeNode)
        {
            size = sizeNode.AsInt();
            if (size < 1)
            {
                throw sizeNode.Error($"must be a positive number of neurons (got {size})");
            }

            CheckNeuronCount(sizeNode, size.Value, before, $"{size} neurons");
        }

        double mu = m.Double("mu", 0.0);
        double noise = m.Double("noise", 0.0);
        var synapse = ReadSynapse(m.Optional("synapse"));
        double refractory = m.Double("refractory", 0.0);
        string own = Population.LatentNameOf(name);

        var tangentNode = m.Optional("tangent");
        var randomNode = m.Optional("random");
        if (tangentNode is not null && randomNode is not null)
        {
            throw randomNode.Error("give one of 'tangent', 'random' or 'feedforward' and 'thresholds', not several");
        }

        if ((tangentNode ?? randomNode) is { } constructedNode)
        {
            string how = tangentNode is not null ? "tangent" : "random";
            foreach (string explicitKey in new[] { "feedforward", "thresholds" })
            {
                if (m.Optional(explicitKey) is { } clash)
                {
                    throw clash.Error($"give either '{how}' (constructed) or 'feedforward' and 'thresholds' (explicit), not both");
                }
            }

            ConstructedPopulation built;
            try
            {
                built = tangentNode is not null
                    ? ReadTangent(m, node, tangentNode, name, kind, size, inputDimension, mu, noise, before)
                    : ReadRandom(m, node, constructedNode, name, kind, size, inputDimension, mu, noise);
            }
            catch (ModelValidationException e)
            {
                throw new ModelValidationException($"populations[{index}].{e.Field}", e.Reason);
            }

            var p = built.Population;
            if (built.TangentPoints.Count > 0)
            {
                tangents[name] = built.TangentPoints;
            }

            string drawnBy = tangentNode is not null ? "set to 1 by the tangent construction" : "drawn by the random construction";
            var extra = ReadEncoders(m.Optional("encoders"), p.Size, own, allowOwn: false, drawnBy);
            if (extra.Count == 0)
            {
                return synapse.IsDelta && refractory == 0 ? p : p.WithSynapse(synapse, refractory);
            }

            var encoders = p.Encoders.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            foreach (var (k, v) in extra)
            {
                encoders[k] = v;
            }

            return new Population(name, kind, Enumerable.Range(0, p.Size).Select(i => p.FeedforwardRow(i).ToArray()).ToArray(), p.Thresholds.ToArray(), p.Decoders.ToArray(), encoders, mu, noise, synapse, refractory);
        }

        var thresholdsNode = m.Optional("thresholds") ?? throw node.Error("give either 'tangent' or 'random' (constructed) or 'feedforward' and 'thresholds' (explicit)");
        double[] thresholds = thresholdsNode.AsDoubles();
        if (size is not null && size != thresholds.Length)
        {
            throw thresholdsNode.Error($"has {thresholds.Length} entries but size is {size}");
        }

        int n = thresholds.Length;
        if (n == 0)
        {
            throw thresholdsNode.Error("a population needs at least one neuron");
        }

        CheckNeuronCount(thresholdsNode, n, before, $"{n} neurons");

        var ffNode = m.Required("feedforward");
        var ff = ReadFeedforward(ffNode, n, inputDimension);
        var dec = m.Required("decoders").AsScalarOrList(n);
        var enc = ReadEncoders(m.Optional("encoders"), n, own, allowOwn: true, string.Empty);
        if (!enc.ContainsKey(own) && m.Optional("encoders") is null)
        {
            enc[own] = Enumerable.Repeat(1.0, n).ToArray();
        }

        return new Population(name, kind, ff, thresholds, dec, enc, mu, noise, synapse, refractory);
    }

    /// <summary>The rate twin's settings (§4.2-4.4): <c>rate: {beta: β, tau_s: τ_s}</c>, both optional and &gt; 0.</summary>
    private static Rate.RateParameters? ReadRate(SpecNode? node)
    {
        if (node is null)
        {
            return null;
        }

        var rm = node.AsMap(RateKeys);
        double? Positive(string key)
        {
            if (rm.Optional(key) is not { } valueNode)
            {
                return null;
            }

            double v = valueNode.AsDouble();
            return double.IsFinite(v) && v > 0 ? v : throw valueNode.Error($"must be a finite number > 0 (got {v})");
        }

        return new Rate.RateParameters(Positive("beta"), Positive("tau_s"));
    }

    /// <summary>
    /// A synaptic kernel (§4.1): <c>delta</c> (the default), or <c>{kind: square, tau: τ_s}</c> /
    /// <c>{kind: exponential, tau: τ_s}</c>. The sign of τ_s is checked with the model, which names the field.
    /// </summary>
    private static SynapseKernel ReadSynapse(SpecNode? node)
    {
        if (node is null)
        {
            return SynapseKernel.Delta;
        }

        const string Forms = "use delta, {kind: square, tau: ...} or {kind: exponential, tau: ...}";
        if (node.IsScalar)
        {
            string name = node.AsString();
            return name switch
            {
                "delta" => SynapseKernel.Delta,
                "square" or "exponential" => throw node.Error($"a {name} synapse needs its time constant: write {{kind: {name}, tau: ...}} (tau in units of τ)"),
                _ => throw node.Error($"unknown synapse '{name}'; {Forms}"),
            };
        }

        if (!node.IsMap)
        {
            throw node.Error($"expected a synapse; {Forms}");
        }

        var sm = node.AsMap(SynapseKeys);
        var kindNode = sm.Required("kind");
        string kind = kindNode.AsString();
        switch (kind)
        {
            case "delta":
                if (sm.Optional("tau") is { } tauNode)
                {
                    throw tauNode.Error("a delta synapse has no time constant; remove tau or use kind: square or exponential");
                }

                return SynapseKernel.Delta;
            case "square":
                return SynapseKernel.Square(sm.Required("tau").AsDouble());
            case "exponential":
                return SynapseKernel.Exponential(sm.Required("tau").AsDouble());
            default:
                throw kindNode.Error($"unknown synapse kind '{kind}'; use delta, square or exponential");
        }
    }

    private static double[][] ReadFeedforward(SpecNode node, int n, int inputDimension)
    {
        var rows = node.AsList();
        if (rows.Count != n)
        {
            throw node.Error($"has {rows.Count} rows for {n} neurons");
        }

        var ff = new double[n][];
        for (int i = 0; i < n; i++)
        {
            ff[i] = rows[i].IsScalar ? [rows[i].AsDouble()] : rows[i].AsDoubles();
            if (ff[i].Length != inputDimension)
            {
                throw rows[i].Error($"has {ff[i].Length} weight(s) but the input has {inputDimension} dimension(s)");
            }
        }

        return ff;
    }

    private static Dictionary<string, double[]> ReadEncoders(SpecNode? node, int n, string own, bool allowOwn, string ownSetBy)
    {
        var result = new Dictionary<string, double[]>(StringComparer.Ordinal);
        if (node is null)
        {
            return result;
        }

        if (node.Node is not YamlMappingNode map)
        {
            throw node.Error("expected a mapping from latent name to encoder value(s), e.g. {y_I: 1}");
        }

        var keys = map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? string.Empty).ToArray();
        var em = node.AsMap(keys);
        foreach (string key in keys)
        {
            var child = em.Required(key);
            if (!allowOwn && key == own)
            {
                throw child.Error($"the encoder onto the population's own latent is {ownSetBy}");
            }

            result[key] = child.AsScalarOrList(n);
        }

        return result;
    }

    /// <summary>
    /// The tangent construction (App. C): 1-D with <c>range: [a, b]</c> and <c>size</c> as before, or a grid for an
    /// M-dimensional input with <c>range: [[a1, b1], ...]</c> and <c>points: [m1, ...]</c>.
    /// </summary>
    private static ConstructedPopulation ReadTangent(SpecMap m, SpecNode node, SpecNode tangentNode, string name, PopulationKind kind, int? size, int inputDimension, double mu, double noise, long before)
    {
        var tm = tangentNode.AsMap(TangentKeys);
        var f = ReadFunction(tm.Required("f"), inputDimension);
        var ranges = ReadRanges(tm.Required("range"), inputDimension);
        RequireDefinedOnRange(tm.Required("f"), f, ranges, "tangent");
        var pointsNode = tm.Optional("points");
        int[] points;
        if (pointsNode is not null)
        {
            points = ReadPoints(pointsNode, inputDimension);
            // Saturating: a grid of many dimensions must not wrap around to a small count.
            long product = points.Aggregate(1L, (a, c) => a > long.MaxValue / c ? long.MaxValue : a * c);
            CheckNeuronCount(pointsNode, product, before, product == long.MaxValue ? "the grid has more than 9.2·10¹⁸ points" : $"the grid has {product} points");

            if (size is not null && product != size)
            {
                throw pointsNode.Error($"the grid has {product} tangent points but size is {size}; give size: {product} or leave size out");
            }
        }
        else if (size is null)
        {
            throw node.Error(inputDimension == 1
                ? "a tangent-constructed population needs 'size'"
                : "a tangent-constructed population needs 'size' or 'tangent.points' (tangent points per input dimension)");
        }
        else if (inputDimension == 1)
        {
            points = [size.Value];
        }
        else
        {
            // N = m^M splits evenly; any other N needs the grid spelt out.
            int per = (int)Math.Round(Math.Pow(size.Value, 1.0 / inputDimension));
            if (Enumerable.Repeat((long)per, inputDimension).Aggregate(1L, (a, c) => a * c) != size.Value)
            {
                throw tangentNode.Error($"give 'points: [m1, ..., m{inputDimension}]' (tangent points per input dimension): size {size} is not a whole number to the power {inputDimension}, so the grid cannot be split evenly");
            }

            points = Enumerable.Repeat(per, inputDimension).ToArray();
        }

        int n = points.Aggregate(1, (a, c) => a * c);
        var decoders = m.Required("decoders").AsScalarOrList(n);
        return inputDimension == 1
            ? TangentConstruction.Build1D(name, kind, f, n, ranges[0].Lo, ranges[0].Hi, decoders, mu, noise)
            : TangentConstruction.BuildGrid(name, kind, f, points, ranges, decoders, mu, noise);
    }

    /// <summary>
    /// Refuses a formula that is not finite somewhere on its range — 0/0, log of a negative number, a pole — as
    /// <c>latentspikes compile</c> does: it is sampled on the same grid (1001 points for one input, about 10⁵ in all
    /// for several; beyond 16 inputs only the construction's own points are checked).
    /// </summary>
    private static void RequireDefinedOnRange(SpecNode fNode, IBoundaryFunction f, (double Lo, double Hi)[] ranges, string rangeName)
    {
        if (f is not ExpressionFunction expression)
        {
            return;
        }

        int m = ranges.Length;
        int perDimension = m == 1 ? 1001 : (int)Math.Floor(Math.Pow(100_000, 1.0 / m) + 1e-9);
        if (perDimension < 2 || ranges.Any(r => !(r.Lo <= r.Hi)))
        {
            return;
        }

        foreach (var x in DifferenceOfConvex.Grid(ranges, perDimension))
        {
            double v = expression.Value(x);
            if (!double.IsFinite(v))
            {
                string at = m == 1 ? Num(x[0]) : "(" + string.Join(", ", x.Select(Num)) + ")";
                throw fNode.Error($"'{expression.Text}' is not finite at x = {at} inside the {rangeName} range (f = {Num(v)}); a boundary function must be defined on its whole range");
            }
        }

        static string Num(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
    }

    /// <summary>A random population (App. B, Fig. S1), optionally with thresholds tuned to a convex boundary.</summary>
    private static ConstructedPopulation ReadRandom(SpecMap m, SpecNode node, SpecNode randomNode, string name, PopulationKind kind, int? size, int inputDimension, double mu, double noise)
    {
        if (size is null)
        {
            throw node.Error("a random population needs 'size'");
        }

        var rm = randomNode.AsMap(RandomKeys);
        var defaults = RandomWeights.FigureS1;
        ulong seed = rm.Optional("seed")?.AsSeed() ?? 0;
        var weights = new RandomWeights(
            ReadGaussian(rm.Optional("feedforward"), defaults.Feedforward),
            ReadGaussian(rm.Optional("encoder"), defaults.Encoder),
            ReadGaussian(rm.Optional("threshold"), defaults.Threshold));
        ThresholdTuning? tuning = null;
        if (rm.Optional("tune_to") is { } tuneNode)
        {
            if (rm.Optional("threshold") is { } thresholdNode)
            {
                throw thresholdNode.Error("tuned thresholds replace the drawn ones: give 'threshold' or 'tune_to', not both");
            }

            var tm = tuneNode.AsMap(TuneKeys);
            var tuneF = ReadFunction(tm.Required("f"), inputDimension);
            var tuneRanges = ReadRanges(tm.Required("range"), inputDimension);
            RequireDefinedOnRange(tm.Required("f"), tuneF, tuneRanges, "tuning");
            tuning = new ThresholdTuning(tuneF, tuneRanges);
        }

        var decoders = m.Required("decoders").AsScalarOrList(size.Value);
        var built = RandomConstruction.Build(name, kind, size.Value, inputDimension, seed, weights, decoders, tuning, mu, noise);
        return new ConstructedPopulation(built.Population, built.Tuning?.TangentPoints ?? []);
    }

    private static Gaussian ReadGaussian(SpecNode? node, Gaussian fallback)
    {
        if (node is null)
        {
            return fallback;
        }

        var gm = node.AsMap(GaussianKeys);
        var g = new Gaussian(gm.Double("mean", fallback.Mean), gm.Double("std", fallback.Std));
        if (g.Std < 0)
        {
            throw gm.Required("std").Error($"must be ≥ 0 (got {g.Std.ToString(CultureInfo.InvariantCulture)})");
        }

        return g;
    }

    /// <summary>One interval per input dimension: <c>[a, b]</c> for a 1-D input (or <c>[[a, b]]</c>), <c>[[a1, b1], [a2, b2], ...]</c> otherwise.</summary>
    private static (double Lo, double Hi)[] ReadRanges(SpecNode node, int inputDimension)
    {
        var items = node.AsList();
        if (inputDimension == 1 && items.All(i => i.IsScalar))
        {
            double[] range = node.AsDoubles();
            if (range.Length != 2)
            {
                throw node.Error($"expected [a, b]; got {range.Length} numbers");
            }

            return [(range[0], range[1])];
        }

        if (items.Count != inputDimension || items.Any(i => !i.IsList))
        {
            throw node.Error(inputDimension == 1
                ? $"expected [a, b]; got {DescribeList(items)}"
                : $"expected {inputDimension} intervals [[a1, b1], ..., [a{inputDimension}, b{inputDimension}]], one per input dimension; got {DescribeList(items)}");
        }

        var result = new (double Lo, double Hi)[inputDimension];
        for (int d = 0; d < inputDimension; d++)
        {
            double[] pair = items[d].AsDoubles();
            if (pair.Length != 2)
            {
                throw items[d].Error($"expected [a, b]; got {pair.Length} numbers");
            }

            result[d] = (pair[0], pair[1]);
        }

        return result;
    }

    private static string DescribeList(IReadOnlyList<SpecNode> items) =>
        items.Count == 0 ? "an empty list"
            : items.All(i => i.IsScalar) ? $"{items.Count} number{(items.Count == 1 ? string.Empty : "s")}"
            : $"{items.Count} entr{(items.Count == 1 ? "y" : "ies")}";

    /// <summary>Tangent points per input dimension: a list of M positive integers (a plain integer for a 1-D input).</summary>
    private static int[] ReadPoints(SpecNode node, int inputDimension)
    {
        var entries = node.IsScalar && inputDimension == 1 ? [node] : node.AsList();
        if (entries.Count != inputDimension)
        {
            throw node.Error($"give one number of tangent points per input dimension ({inputDimension}); got {entries.Count}");
        }

        var points = new int[inputDimension];
        for (int d = 0; d < inputDimension; d++)
        {
            points[d] = entries[d].AsInt();
            if (points[d] < 1)
            {
                throw entries[d].Error($"must be a positive number of points (got {points[d]})");
            }
        }

        return points;
    }

    /// <summary>A boundary function: exactly one of <c>polynomial</c>, <c>expression</c> or <c>knots</c>.</summary>
    private static IBoundaryFunction ReadFunction(SpecNode node, int inputDimension)
    {
        var m = node.AsMap(FunctionKeys);
        // In document order, so that the error points at the key the user added second.
        var given = FunctionKeys.Where(m.Has).OrderBy(k => m.Required(k).Node.Start.Line).ThenBy(k => m.Required(k).Node.Start.Column).ToArray();
        if (given.Length == 0)
        {
            throw node.Error("give the function as one of polynomial: [c0, c1, ...], expression: \"...\" or knots: [[x0, y0], [x1, y1], ...]");
        }

        if (given.Length > 1)
        {
            throw m.Required(given[1]).Error($"give only one of polynomial, expression or knots (also got '{given[0]}')");
        }

        var valueNode = m.Required(given[0]);
        if (given[0] != "expression" && inputDimension != 1)
        {
            throw valueNode.Error($"'{given[0]}' describes a function of one input but the spec has {inputDimension} input dimensions; write an 'expression' in x1..x{inputDimension}");
        }

        switch (given[0])
        {
            case "expression":
                try
                {
                    return ExpressionFunction.Parse(valueNode.AsString(), inputDimension);
                }
                catch (ExpressionException e)
                {
                    throw valueNode.Error(e.Message);
                }

            case "knots":
                {
                    var items = valueNode.AsList();
                    var knots = new (double X, double Y)[items.Count];
                    for (int k = 0; k < items.Count; k++)
                    {
                        if (!items[k].IsList)
                        {
                            throw items[k].Error("expected a knot [x, y]");
                        }

                        double[] pair = items[k].AsDoubles();
                        if (pair.Length != 2)
                        {
                            throw items[k].Error($"expected a knot [x, y]; got {pair.Length} number{(pair.Length == 1 ? string.Empty : "s")}");
                        }

                        knots[k] = (pair[0], pair[1]);
                    }

                    try
                    {
                        return new PiecewiseLinearFunction(knots);
                    }
                    catch (ModelValidationException e)
                    {
                        // The function names its fields knots[k]...; place them under this node's path.
                        string rest = e.Field.StartsWith("knots", StringComparison.Ordinal) ? e.Field["knots".Length..] : string.Empty;
                        string field = valueNode.Path + rest;
                        throw new SpecException(valueNode.Document.File, valueNode.Document.LineOf(field), field, e.Reason);
                    }
                }

            default:
                {
                    var c = valueNode.AsDoubles();
                    if (c.Length == 0)
                    {
                        throw valueNode.Error("give at least one coefficient (ascending powers: [c0, c1, c2, ...])");
                    }

                    return new PolynomialFunction(c);
                }
        }
    }
}
