using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LatentSpikes.Balanced;
using LatentSpikes.Model;
using YamlDotNet.RepresentationModel;

namespace LatentSpikes.Specs;

/// <summary>A seed-001 spec read into a <see cref="BalancedRun"/>, with its source text and hash.</summary>
/// <param name="Run">The validated run.</param>
/// <param name="File">Where it came from.</param>
/// <param name="SourceText">The spec text as read.</param>
/// <param name="Hash">SHA-256 (hex) of the spec text with normalised line endings.</param>
public sealed record LoadedBalancedSpec(BalancedRun Run, string File, string SourceText, string Hash);

/// <summary>
/// Reads and writes seed-001 specs: a YAML/JSON file with <c>name</c>, <c>description</c> and a <c>balanced</c>
/// section (the balanced E-I network of docs/seed-001.md), the spec form of the <c>balanced</c> command's flags.
/// Times are in seconds (<c>time_unit: s</c> may say so), rates in Hz. Errors are one-line
/// <see cref="SpecException"/>s naming file, line and field, like <see cref="SpecReader"/>'s and <see cref="LayerStackSpec"/>'s.
/// </summary>
public static class BalancedSpec
{
    /// <summary>The top-level key that makes a spec a balanced network.</summary>
    public const string Section = "balanced";

    private static readonly string[] TopKeys = ["name", "description", Section];
    private static readonly string[] Keys = ["time_unit", "neurons", "k", "mode", "balanced", "refractory", "closure", "tuning", "simulation"];
    private static readonly string[] SimulationKeys = ["condition", "dynamic", "tuning_condition", "seed", "threads"];

    /// <summary>True if <paramref name="text"/> is a YAML/JSON mapping with a <c>balanced</c> section (unparsable text: false).</summary>
    public static bool IsBalancedText(string text)
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

    /// <summary>True if the file at <paramref name="path"/> exists and is a balanced-network spec.</summary>
    public static bool IsBalancedFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return System.IO.File.Exists(path) && IsBalancedText(InputFile.ReadText(path, "spec file", InputLimits.MaxSpecFileBytes));
        }
        catch (SpecException)
        {
            return false;
        }
    }

    /// <summary>Reads a balanced-network spec file.</summary>
    /// <exception cref="SpecException">For a missing file or any problem in it.</exception>
    public static LoadedBalancedSpec LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path))
        {
            throw new SpecException(path, 0, string.Empty, "spec file not found");
        }

        return Parse(InputFile.ReadText(path, "spec file", InputLimits.MaxSpecFileBytes), path);
    }

    /// <summary>Reads a balanced-network spec from text; <paramref name="label"/> names it in error messages.</summary>
    /// <exception cref="SpecException">For any problem in the spec.</exception>
    public static LoadedBalancedSpec Parse(string text, string label)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = SpecReader.LoadRoot(text, label, null);
        BalancedRun run;
        try
        {
            run = Read(root);
            run.Validate();
        }
        catch (ModelValidationException e)
        {
            string field = SpecPath(e.Field);
            throw new SpecException(label, root.Document.LineOf(field), field, e.Reason);
        }

        string normalised = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
        return new LoadedBalancedSpec(run, label, text, hash);
    }

    /// <summary>The spec text of <paramref name="run"/> with every field written out; reading it back gives an equal run.</summary>
    public static string Write(BalancedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var p = run.Parameters;
        var sb = new StringBuilder();
        sb.Append("name: ").AppendLine(SpecWriter.Quote(run.Name));
        if (!string.IsNullOrEmpty(run.Description))
        {
            sb.Append("description: ").AppendLine(SpecWriter.Quote(run.Description));
        }

        sb.AppendLine("balanced:");
        sb.Append("  time_unit: ").AppendLine(BalancedRun.TimeUnit);
        sb.Append("  neurons: ").AppendLine(p.NeuronCount.ToString(CultureInfo.InvariantCulture));
        sb.Append("  k: ").AppendLine(p.K.ToString(CultureInfo.InvariantCulture));
        sb.Append("  mode: ").AppendLine(run.Mode);
        sb.Append("  balanced: ").AppendLine(p.IsBalanced ? "true" : "false");
        sb.Append("  refractory: ").AppendLine(Num(p.Refractory));
        sb.Append("  closure: ").AppendLine(p.ExactStepClosure ? "exact" : "exponential");
        sb.Append("  tuning: ").AppendLine(run.TuningConditionSeconds > 0 ? "long" : "none");
        sb.AppendLine("  simulation:");
        sb.Append("    condition: ").AppendLine(Num(run.ConditionSeconds));
        sb.Append("    dynamic: ").AppendLine(Num(run.DynamicSeconds));
        sb.Append("    tuning_condition: ").AppendLine(Num(run.TuningConditionSeconds > 0 ? run.TuningConditionSeconds : DefaultTuningCondition));
        sb.Append("    seed: ").AppendLine(p.Seed.ToString(CultureInfo.InvariantCulture));
        sb.Append("    threads: ").AppendLine(run.Threads.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>Seconds per condition of the long tuning protocol when the spec does not say (the seed asks for ≥ 5).</summary>
    public const double DefaultTuningCondition = 5.0;

    /// <summary>
    /// The run of the network the <c>balanced</c> command describes: N neurons (80 % E), in-degree K, mode A or B,
    /// the unbalanced control, an absolute refractory period (s), the closure and the protocol durations (s).
    /// </summary>
    /// <exception cref="ModelValidationException">A value out of range, naming the spec field.</exception>
    public static BalancedRun Describe(int neurons, int k, string mode, bool balanced, double refractorySeconds, string closure, bool longTuning, double conditionSeconds, double dynamicSeconds, double tuningConditionSeconds, ulong seed, int threads, string name = "balanced", string description = "")
    {
        if (neurons < 10)
        {
            throw new ModelValidationException("neurons", $"must be at least 10 (got {neurons})");
        }

        string m = mode.Trim().ToUpperInvariant();
        if (m is not ("A" or "B"))
        {
            throw new ModelValidationException("mode", $"'{mode}' is not a mode; use A or B");
        }

        string c = closure.Trim().ToLowerInvariant();
        if (c is not ("exponential" or "exact"))
        {
            throw new ModelValidationException("closure", $"'{closure}' is not a closure; use exponential or exact");
        }

        if (!(tuningConditionSeconds > 2 * TuningProtocol.Discard && tuningConditionSeconds <= 3600))
        {
            throw new ModelValidationException("tuning_condition", string.Create(CultureInfo.InvariantCulture, $"must be more than {2 * TuningProtocol.Discard} s and at most 3600 s (got {tuningConditionSeconds})"));
        }

        int ne = (int)Math.Round(0.8 * neurons);
        return new BalancedRun
        {
            Name = name,
            Description = description,
            Parameters = new BalancedParameters
            {
                ExcitatoryCount = ne,
                InhibitoryCount = neurons - ne,
                K = k,
                IsBalanced = balanced,
                Refractory = refractorySeconds,
                Seed = seed,
                LatentMatrix = m == "B" ? BalancedExperiment.OscillatorMatrix : null,
                ExactStepClosure = c == "exact",
            },
            ConditionSeconds = conditionSeconds,
            DynamicSeconds = dynamicSeconds,
            TuningConditionSeconds = longTuning ? tuningConditionSeconds : 0,
            Threads = threads,
        };
    }

    private static BalancedRun Read(SpecNode root)
    {
        if (!root.IsMap)
        {
            throw root.Error("a spec is a mapping");
        }

        var top = root.AsMap(TopKeys);
        var b = top.Required(Section).AsMap(Keys);
        if (b.Optional("time_unit") is { } unit && unit.AsString() != BalancedRun.TimeUnit)
        {
            throw unit.Error($"seed-001 times are in seconds; time_unit must be '{BalancedRun.TimeUnit}'");
        }

        var sim = b.Optional("simulation")?.AsMap(SimulationKeys);
        string tuning = b.Optional("tuning")?.AsString() ?? "none";
        if (tuning is not ("none" or "long"))
        {
            throw b.Required("tuning").Error($"'{tuning}' is not a tuning protocol; use none or long");
        }

        var defaults = new BalancedRun();
        return Describe(
            b.Optional("neurons")?.AsInt() ?? 10_000,
            b.Optional("k")?.AsInt() ?? 400,
            b.Optional("mode")?.AsString() ?? "A",
            b.Optional("balanced")?.AsBool() ?? true,
            b.Double("refractory", 0),
            b.Optional("closure")?.AsString() ?? "exponential",
            tuning == "long",
            sim?.Double("condition", defaults.ConditionSeconds) ?? defaults.ConditionSeconds,
            sim?.Double("dynamic", defaults.DynamicSeconds) ?? defaults.DynamicSeconds,
            sim?.Double("tuning_condition", DefaultTuningCondition) ?? DefaultTuningCondition,
            sim?.Optional("seed")?.AsSeed() ?? 1UL,
            sim?.Optional("threads")?.AsInt() ?? 0,
            top.Optional("name")?.AsString() ?? defaults.Name,
            top.Optional("description")?.AsString() ?? string.Empty);
    }

    private static string SpecPath(string field) => field switch
    {
        "condition" or "dynamic" or "tuning_condition" or "seed" or "threads" => $"{Section}.simulation.{field}",
        "duration" => $"{Section}.simulation",
        "K" => $"{Section}.k",
        _ when field.StartsWith("neurons", StringComparison.Ordinal) => $"{Section}.neurons",
        _ => $"{Section}.{field}",
    };

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
