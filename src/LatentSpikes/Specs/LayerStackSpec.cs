using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LatentSpikes.Model;
using LatentSpikes.Srm0;
using YamlDotNet.RepresentationModel;

namespace LatentSpikes.Specs;

/// <summary>An SRM0 layer-stack spec read into a <see cref="LayerStackExperiment"/>, with its source text and hash.</summary>
/// <param name="Experiment">The validated experiment.</param>
/// <param name="File">Where it came from.</param>
/// <param name="SourceText">The spec text as read.</param>
/// <param name="Hash">SHA-256 (hex) of the spec text with normalised line endings.</param>
public sealed record LoadedLayerStackSpec(LayerStackExperiment Experiment, string File, string SourceText, string Hash);

/// <summary>
/// Reads and writes seed-000 layer-stack specs: a YAML/JSON file with <c>name</c>, <c>description</c> and an
/// <c>srm0</c> section describing a multilayer network of SRM0 escape-noise neurons (documented in docs/spec.md,
/// "SRM0 layer stacks"). Errors are one-line <see cref="SpecException"/>s naming file, line and field, like
/// <see cref="SpecReader"/>'s. Times are in ms, rates in Hz and potentials in units of Δu.
/// </summary>
public static class LayerStackSpec
{
    /// <summary>The top-level key that makes a spec a layer stack.</summary>
    public const string Section = "srm0";

    private static readonly string[] TopKeys = ["name", "description", Section];
    private static readonly string[] StackKeys = ["neurons", "latents", "layers", "bias", "encoder_scale", "tau_m", "decoder_gain", "neuron", "input", "simulation", "networks", "record"];
    private static readonly string[] NeuronKeys = ["rho0", "threshold", "delta_u", "abs_refractory", "eta0", "tau_ref", "age_memory", "potential_clip", "model", "tau_v", "v_reset", "threshold_sd", "gain_sd"];
    private static readonly string[] InputKeys = ["latent_std"];
    private static readonly string[] SimulationKeys = ["dt", "warm_up", "duration", "seed", "trial", "threads"];
    private static readonly string[] RecordKeys = ["spike_sample"];

    /// <summary>Network names a spec may list under <c>networks</c>, with their short aliases.</summary>
    private static readonly (string Name, string Alias, Srm0Networks Network)[] NetworkNames =
    [
        ("spiking", "snn", Srm0Networks.Spiking),
        ("generalised", "gr", Srm0Networks.GeneralisedRate),
        ("conventional", "cr", Srm0Networks.ConventionalRate),
    ];

    /// <summary>True if <paramref name="text"/> is a YAML/JSON mapping with an <c>srm0</c> section (unparsable text: false, so the caller's reader reports the syntax error).</summary>
    public static bool IsLayerStackText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            var stream = SafeYaml.Load(text, string.Empty, "YAML/JSON");
            return stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode map && map.Children.ContainsKey(new YamlScalarNode(Section));
        }
        catch (SpecException)
        {
            return false;
        }
    }

    /// <summary>True if the file at <paramref name="path"/> exists and is a layer-stack spec.</summary>
    public static bool IsLayerStackFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            // A file the spec reader refuses (a device, a FIFO, too large) is not read here: the reader reports it.
            return System.IO.File.Exists(path) && IsLayerStackText(InputFile.ReadText(path, "spec file", InputLimits.MaxSpecFileBytes));
        }
        catch (SpecException)
        {
            return false;
        }
    }

    /// <summary>Reads a layer-stack spec file.</summary>
    /// <exception cref="SpecException">For a missing file or any problem in it.</exception>
    public static LoadedLayerStackSpec LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path))
        {
            throw new SpecException(path, 0, string.Empty, "spec file not found");
        }

        string text = InputFile.ReadText(path, "spec file", InputLimits.MaxSpecFileBytes);
        return Parse(text, path);
    }

    /// <summary>Reads a layer-stack spec from text; <paramref name="label"/> names it in error messages.</summary>
    /// <exception cref="SpecException">For any problem in the spec.</exception>
    public static LoadedLayerStackSpec Parse(string text, string label)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = SpecReader.LoadRoot(text, label, null);
        LayerStackExperiment experiment;
        try
        {
            experiment = Read(root);
            experiment.Validate();
        }
        catch (ModelValidationException e)
        {
            string field = SpecPath(e.Field);
            throw new SpecException(label, root.Document.LineOf(field), field, e.Reason);
        }

        string normalised = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
        return new LoadedLayerStackSpec(experiment, label, text, hash);
    }

    /// <summary>The spec text of <paramref name="experiment"/> with every field written out; reading it back gives an equal experiment.</summary>
    public static string Write(LayerStackExperiment experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var p = experiment.Network;
        var u = p.Neuron;
        var r = experiment.Run;
        var sb = new StringBuilder();
        sb.Append("name: ").AppendLine(Quote(experiment.Name));
        if (!string.IsNullOrEmpty(experiment.Description))
        {
            sb.Append("description: ").AppendLine(Quote(experiment.Description));
        }

        sb.AppendLine("srm0:");
        sb.Append("  neurons: ").AppendLine(p.NeuronsPerLayer.ToString(CultureInfo.InvariantCulture));
        sb.Append("  latents: ").AppendLine(p.Latents.ToString(CultureInfo.InvariantCulture));
        sb.Append("  layers: ").AppendLine(p.HiddenLayers.ToString(CultureInfo.InvariantCulture));
        sb.Append("  bias: ").AppendLine(Num(p.Bias));
        sb.Append("  encoder_scale: ").AppendLine(Num(p.EncoderScale));
        sb.Append("  tau_m: ").AppendLine(Num(p.MembraneTauMs));
        sb.Append("  decoder_gain: ").AppendLine(p.DecoderGain is { } g ? Num(g) : "auto");
        sb.AppendLine("  neuron:");
        sb.Append("    rho0: ").AppendLine(Num(u.Rho0Hz));
        sb.Append("    threshold: ").AppendLine(Num(u.Threshold));
        sb.Append("    delta_u: ").AppendLine(Num(u.DeltaU));
        sb.Append("    abs_refractory: ").AppendLine(Num(u.AbsoluteRefractoryMs));
        sb.Append("    eta0: ").AppendLine(Num(u.RelativeRefractoryDepth));
        sb.Append("    tau_ref: ").AppendLine(Num(u.RelativeRefractoryTauMs));
        sb.Append("    age_memory: ").AppendLine(Num(u.AgeMemoryMs));
        sb.Append("    potential_clip: ").AppendLine(Num(u.PotentialClip));

        // Written only when used, so specs of homogeneous SRM0 stacks read back and echo exactly as before.
        if (p.Model == LayerNeuronModel.Lif)
        {
            sb.AppendLine("    model: lif");
            sb.Append("    tau_v: ").AppendLine(Num(p.Lif.MembraneTauMs));
            sb.Append("    v_reset: ").AppendLine(Num(p.Lif.ResetPotential));
        }

        if (p.IsHeterogeneous)
        {
            sb.Append("    threshold_sd: ").AppendLine(Num(p.ThresholdSpread));
            sb.Append("    gain_sd: ").AppendLine(Num(p.GainSpread));
        }
        sb.AppendLine("  input:");
        sb.Append("    latent_std: ").AppendLine(Num(p.LatentStd));
        sb.AppendLine("  simulation:");
        sb.Append("    dt: ").AppendLine(Num(u.DtMs));
        sb.Append("    warm_up: ").AppendLine(Num(r.WarmUpMs));
        sb.Append("    duration: ").AppendLine(Num(r.DurationMs));
        sb.Append("    seed: ").AppendLine(experiment.Seed.ToString(CultureInfo.InvariantCulture));
        sb.Append("    trial: ").AppendLine(r.Trial.ToString(CultureInfo.InvariantCulture));
        sb.Append("    threads: ").AppendLine(r.Threads.ToString(CultureInfo.InvariantCulture));
        sb.Append("  networks: [").Append(string.Join(", ", NetworkNames.Where(x => (r.Networks & x.Network) != 0).Select(x => x.Name))).AppendLine("]");
        sb.AppendLine("  record:");
        sb.Append("    spike_sample: ").AppendLine(r.SpikeSample.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>True if the root of a parsed spec has the <c>srm0</c> section.</summary>
    internal static bool IsLayerStack(SpecNode root) =>
        root.Node is YamlMappingNode map && map.Children.ContainsKey(new YamlScalarNode(Section));

    /// <summary>The line of the <c>srm0</c> key.</summary>
    internal static int LineOfSection(SpecNode root) =>
        root.Node is YamlMappingNode map ? map.Children.Keys.Where(k => k is YamlScalarNode { Value: Section }).Select(k => (int)k.Start.Line).FirstOrDefault() : 0;

    private static LayerStackExperiment Read(SpecNode root)
    {
        if (!root.IsMap)
        {
            throw root.Error("a spec is a mapping");
        }

        var top = root.AsMap(TopKeys);
        var m = top.Required(Section).AsMap(StackKeys);
        var defaults = new MultilayerParameters();
        var neuronDefaults = defaults.Neuron;
        var runDefaults = new MultilayerRunOptions();
        var neuron = m.Optional("neuron")?.AsMap(NeuronKeys);
        var input = m.Optional("input")?.AsMap(InputKeys);
        var simulation = m.Optional("simulation")?.AsMap(SimulationKeys);
        var record = m.Optional("record")?.AsMap(RecordKeys);
        int neurons = m.Required("neurons").AsInt();
        return new LayerStackExperiment
        {
            Name = top.Optional("name")?.AsString() ?? new LayerStackExperiment().Name,
            Description = top.Optional("description")?.AsString() ?? string.Empty,
            Network = new MultilayerParameters
            {
                NeuronsPerLayer = neurons,
                Latents = m.Optional("latents") is { } k ? ReadLatents(k, neurons) : defaults.Latents,
                HiddenLayers = m.Optional("layers")?.AsInt() ?? defaults.HiddenLayers,
                Bias = m.Double("bias", defaults.Bias),
                EncoderScale = m.Double("encoder_scale", defaults.EncoderScale),
                MembraneTauMs = m.Double("tau_m", defaults.MembraneTauMs),
                DecoderGain = m.Optional("decoder_gain") is { } g ? ReadDecoderGain(g) : null,
                LatentStd = input?.Double("latent_std", defaults.LatentStd) ?? defaults.LatentStd,
                Model = neuron?.Optional("model") is { } model ? ReadModel(model) : defaults.Model,
                Lif = new LifEscapeParameters
                {
                    MembraneTauMs = neuron?.Double("tau_v", defaults.Lif.MembraneTauMs) ?? defaults.Lif.MembraneTauMs,
                    ResetPotential = neuron?.Double("v_reset", defaults.Lif.ResetPotential) ?? defaults.Lif.ResetPotential,
                },
                ThresholdSpread = neuron?.Double("threshold_sd", defaults.ThresholdSpread) ?? defaults.ThresholdSpread,
                GainSpread = neuron?.Double("gain_sd", defaults.GainSpread) ?? defaults.GainSpread,
                Neuron = new Srm0NeuronParameters
                {
                    DtMs = simulation?.Double("dt", neuronDefaults.DtMs) ?? neuronDefaults.DtMs,
                    Rho0Hz = neuron?.Double("rho0", neuronDefaults.Rho0Hz) ?? neuronDefaults.Rho0Hz,
                    Threshold = neuron?.Double("threshold", neuronDefaults.Threshold) ?? neuronDefaults.Threshold,
                    DeltaU = neuron?.Double("delta_u", neuronDefaults.DeltaU) ?? neuronDefaults.DeltaU,
                    AbsoluteRefractoryMs = neuron?.Double("abs_refractory", neuronDefaults.AbsoluteRefractoryMs) ?? neuronDefaults.AbsoluteRefractoryMs,
                    RelativeRefractoryDepth = neuron?.Double("eta0", neuronDefaults.RelativeRefractoryDepth) ?? neuronDefaults.RelativeRefractoryDepth,
                    RelativeRefractoryTauMs = neuron?.Double("tau_ref", neuronDefaults.RelativeRefractoryTauMs) ?? neuronDefaults.RelativeRefractoryTauMs,
                    AgeMemoryMs = neuron?.Double("age_memory", neuronDefaults.AgeMemoryMs) ?? neuronDefaults.AgeMemoryMs,
                    PotentialClip = neuron?.Double("potential_clip", neuronDefaults.PotentialClip) ?? neuronDefaults.PotentialClip,
                },
            },
            Seed = simulation?.Optional("seed")?.AsSeed() ?? new LayerStackExperiment().Seed,
            Run = new MultilayerRunOptions
            {
                WarmUpMs = simulation?.Double("warm_up", runDefaults.WarmUpMs) ?? runDefaults.WarmUpMs,
                DurationMs = simulation?.Double("duration", runDefaults.DurationMs) ?? runDefaults.DurationMs,
                Trial = simulation?.Optional("trial")?.AsSeed() ?? runDefaults.Trial,
                Threads = simulation?.Optional("threads")?.AsInt() ?? runDefaults.Threads,
                Networks = m.Optional("networks") is { } nets ? ReadNetworks(nets) : runDefaults.Networks,
                SpikeSample = record?.Optional("spike_sample")?.AsInt() ?? DefaultSpikeSample(neurons),
            },
        };
    }

    /// <summary>Without <c>record.spike_sample</c>, up to 20 neurons per layer: enough for a raster, small on disk.</summary>
    private static int DefaultSpikeSample(int neurons) => Math.Clamp(neurons, 0, 20);

    private static int ReadLatents(SpecNode node, int neurons)
    {
        if (node.IsScalar && node.Node is YamlScalarNode { Value: { } v } && v.Trim().Equals("sqrtN", StringComparison.OrdinalIgnoreCase))
        {
            return neurons >= 1 ? MultilayerParameters.SqrtLatents(neurons) : 1;
        }

        if (node.IsScalar && !int.TryParse(((YamlScalarNode)node.Node).Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            throw node.Error($"expected a whole number of latent factors or sqrtN (K = ⌈√N⌉); got '{((YamlScalarNode)node.Node).Value}'");
        }

        return node.AsInt();
    }

    private static LayerNeuronModel ReadModel(SpecNode node) => node.AsString().Trim().ToLowerInvariant() switch
    {
        "srm0" => LayerNeuronModel.Srm0,
        "lif" => LayerNeuronModel.Lif,
        var other => throw node.Error($"expected srm0 or lif; got '{other}'"),
    };

    private static double? ReadDecoderGain(SpecNode node) =>
        node.Node is YamlScalarNode { Value: { } v } && v.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? null : node.AsDouble();

    private static Srm0Networks ReadNetworks(SpecNode node)
    {
        var items = node.AsList();
        if (items.Count == 0)
        {
            throw node.Error("list at least one of spiking, generalised, conventional");
        }

        var networks = Srm0Networks.None;
        foreach (var item in items)
        {
            string name = item.AsString().Trim().ToLowerInvariant();
            var match = NetworkNames.Where(x => x.Name == name || x.Alias == name).Select(x => (Srm0Networks?)x.Network).FirstOrDefault()
                        ?? throw item.Error($"unknown network '{name}' (known: spiking, generalised, conventional; or snn, gr, cr)");
            if ((networks & match) != 0)
            {
                throw item.Error($"network '{name}' is listed twice");
            }

            networks |= match;
        }

        return networks;
    }

    /// <summary>Where a validation field of the model records lives in the spec.</summary>
    private static string SpecPath(string field) => field switch
    {
        "name" => "name",
        "neurons" or "latents" or "layers" or "bias" or "encoder_scale" or "tau_m" or "decoder_gain" => $"{Section}.{field}",
        "latent_std" => $"{Section}.input.latent_std",
        "dt" or "warm_up" or "duration" or "threads" or "seed" or "trial" => $"{Section}.simulation.{field}",
        "networks" => $"{Section}.networks",
        "spike_sample" => $"{Section}.record.spike_sample",
        _ when Array.IndexOf(NeuronKeys, field) >= 0 => $"{Section}.neuron.{field}",
        _ => $"{Section}.{field}",
    };

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string text) => SpecWriter.Quote(text);
}
