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
public static partial class SpecReader
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
}
