using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LatentSpikes.Engines;
using LatentSpikes.Specs;
using YamlDotNet.RepresentationModel;

namespace LatentSpikes.Sweeps;

/// <summary>One swept field's value in a run.</summary>
/// <param name="Path">Spec field path.</param>
/// <param name="Value">The value as one line of text.</param>
public sealed record SweepAssignment(string Path, string Value);

/// <summary>One run of a sweep.</summary>
/// <param name="Index">Position in the sweep's fixed order (0-based); shard i of n runs the indices ≡ i mod n.</param>
/// <param name="Id">Stable id: the index and a hash of everything that determines the result (spec text after overrides, engine, trials, metrics, window).</param>
/// <param name="Parameters">The swept fields' values, in the order of the sweep file (grid, then zip).</param>
/// <param name="Seed">The run's <c>simulation.seed</c>.</param>
/// <param name="SpecText">The base spec with the run's overrides, as simulated.</param>
/// <param name="MetricColumns">The run's metric columns (they depend on its populations).</param>
public sealed record SweepRun(int Index, string Id, IReadOnlyList<SweepAssignment> Parameters, ulong Seed, string SpecText, IReadOnlyList<string> MetricColumns);

/// <summary>
/// A sweep enumerated into runs in a fixed order: grid combinations (first parameter slowest), then zipped
/// entries, then seeds (innermost). Every run's spec is built and validated up front, so a bad path or value is
/// a one-line error naming the sweep parameter before anything runs.
/// </summary>
public sealed class SweepPlan
{
    /// <summary>Columns that precede the swept parameters.</summary>
    public static readonly IReadOnlyList<string> LeadingColumns = ["run", "run_id"];

    /// <summary>Columns between the swept parameters and the metrics.</summary>
    public static readonly IReadOnlyList<string> StatusColumns = ["seed", "status", "exploded_trials"];

    private SweepPlan(SweepDefinition definition, IReadOnlyList<SweepRun> runs, IReadOnlyList<string> columns, string hash)
    {
        Definition = definition;
        Runs = runs;
        Columns = columns;
        Hash = hash;
    }

    /// <summary>The sweep file read.</summary>
    public SweepDefinition Definition { get; }

    /// <summary>Every run, by index.</summary>
    public IReadOnlyList<SweepRun> Runs { get; }

    /// <summary>Columns of the results table: run, run_id, the swept paths, seed, status, exploded_trials, then the union of the runs' metric columns in order of first appearance.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>SHA-256 (hex) of the run ids and columns: two plans with the same hash produce the same table.</summary>
    public string Hash { get; }

    /// <summary>Enumerates and validates the sweep.</summary>
    /// <exception cref="SpecException">For a bad base spec, path or value, naming the sweep parameter.</exception>
    public static SweepPlan Create(SweepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var d = definition;

        // The base spec on its own first, so its own problems are reported against it and not blamed on a parameter.
        var baseSpec = SpecReader.LoadFile(d.SpecPath);
        string baseDirectory = Path.GetDirectoryName(d.SpecPath)!;
        string settings = string.Create(CultureInfo.InvariantCulture,
            $"engine={d.Engine};trials={d.Trials};metrics={string.Join(',', d.Metrics)};window={(d.Window is { } w ? $"{w.Start:R},{w.Stop:R}" : "run")}");

        var runs = new List<SweepRun>();
        var columns = new List<string>(LeadingColumns);
        columns.AddRange(d.Grid.Concat(d.Zip).Select(p => p.Path));
        columns.AddRange(StatusColumns);
        var metricColumns = new List<string>();
        int total = Combinations(d).Count() * (d.Seeds?.Count ?? 1);
        int width = Math.Max(4, (total - 1).ToString(CultureInfo.InvariantCulture).Length);
        foreach (var combination in Combinations(d))
        {
            // The seed does not change whether a spec is valid, nor its metric columns: each combination's spec tree
            // is built and its spec checked once, and the seeds only change simulation.seed in the text.
            var tree = BuildSpecTree(baseSpec.SourceText, combination, d);
            var assignments = combination.Select(a => new SweepAssignment(a.Parameter.Path, a.Parameter.Values[a.ValueIndex])).ToArray();
            Model.Experiment? checkedExperiment = null;
            IReadOnlyList<string> runColumns = [];
            foreach (ulong? seed in d.Seeds is null ? [null] : d.Seeds.Select(s => (ulong?)s))
            {
                int index = runs.Count;
                string text = SpecText(tree, seed);
                if (checkedExperiment is null)
                {
                    var exp = LoadRun(text, combination, seed, index, d, baseDirectory).Experiment;
                    if (d.Window is { } window && window.Start >= exp.Settings.Duration)
                    {
                        throw new SpecException(d.File, d.WindowLine, "window", $"starts at {window.Start.ToString(CultureInfo.InvariantCulture)} τ but run {index} lasts only {exp.Settings.Duration.ToString(CultureInfo.InvariantCulture)} τ");
                    }

                    if (EngineCatalog.Get(d.Engine).Check(exp) is string reason)
                    {
                        throw new SpecException(d.File, d.EngineLine, "engine", $"the {d.Engine} engine cannot run run {index} ({Describe(combination, seed)}): {reason}");
                    }

                    runColumns = SweepMetrics.Columns(exp, d.Metrics);
                    foreach (string c in runColumns.Where(c => !metricColumns.Contains(c)))
                    {
                        metricColumns.Add(c);
                    }

                    checkedExperiment = exp;
                }

                string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text + "\n#" + settings)));
                string id = index.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0') + "-" + hash[..12];
                runs.Add(new SweepRun(index, id, assignments, seed ?? checkedExperiment.Settings.Seed, text, runColumns));
            }
        }

        columns.AddRange(metricColumns);
        string planHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', runs.Select(r => r.Id)) + "\n" + string.Join(',', columns))));
        return new SweepPlan(definition, runs, columns, planHash);
    }

    /// <summary>Reads a run's spec (validated when the plan was made).</summary>
    public LoadedSpec Load(SweepRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return SpecReader.Parse(run.SpecText, $"{Definition.SpecPath} (run {run.Id})", Path.GetDirectoryName(Definition.SpecPath));
    }

    /// <summary>The runs of shard <paramref name="shard"/> of <paramref name="count"/>: indices ≡ shard (mod count).</summary>
    public IEnumerable<SweepRun> Shard(int shard, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, count);
        return Runs.Where(r => r.Index % count == shard);
    }

    private readonly record struct Choice(SweepParameter Parameter, int ValueIndex);

    /// <summary>Grid combinations in row-major order (first parameter slowest), each crossed with every zipped entry.</summary>
    private static IEnumerable<Choice[]> Combinations(SweepDefinition d)
    {
        int zipCount = d.Zip.Count > 0 ? d.Zip[0].Values.Count : 1;
        var counts = d.Grid.Select(p => p.Values.Count).ToArray();
        int gridCount = counts.Aggregate(1, (a, c) => a * c);
        for (int g = 0; g < gridCount; g++)
        {
            var choice = new List<Choice>();
            int rest = g;
            var digits = new int[counts.Length];
            for (int p = counts.Length - 1; p >= 0; p--)
            {
                digits[p] = rest % counts[p];
                rest /= counts[p];
            }

            for (int p = 0; p < counts.Length; p++)
            {
                choice.Add(new Choice(d.Grid[p], digits[p]));
            }

            for (int z = 0; z < zipCount; z++)
            {
                yield return [.. choice, .. d.Zip.Select(p => new Choice(p, z))];
            }
        }
    }

    /// <summary>The base spec's tree with a combination's overrides applied.</summary>
    private static YamlStream BuildSpecTree(string baseText, Choice[] combination, SweepDefinition d)
    {
        var stream = SafeYaml.Load(baseText, d.SpecPath, "YAML/JSON");
        var root = stream.Documents[0].RootNode;
        foreach (var c in combination)
        {
            try
            {
                SpecOverride.Apply(root, c.Parameter.Path, c.Parameter.Nodes[c.ValueIndex]);
            }
            catch (ArgumentException e)
            {
                throw new SpecException(d.File, c.Parameter.Line, c.Parameter.Path, e.Message);
            }
        }

        return stream;
    }

    /// <summary>A run's spec text: the tree with <c>simulation.seed</c> set (when the sweep has seeds).</summary>
    private static string SpecText(YamlStream stream, ulong? seed)
    {
        if (seed is { } s)
        {
            SpecOverride.Apply(stream.Documents[0].RootNode, "simulation.seed", new YamlScalarNode(s.ToString(CultureInfo.InvariantCulture)));
        }

        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        stream.Save(writer, assignAnchors: false);
        // YamlDotNet closes the document with an explicit end marker; a spec file does not need it.
        string text = writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
        return text.EndsWith("\n...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    /// <summary>Reads a run's spec; a problem is blamed on the swept parameter whose field it concerns.</summary>
    private static LoadedSpec LoadRun(string text, Choice[] combination, ulong? seed, int index, SweepDefinition d, string baseDirectory)
    {
        try
        {
            return SpecReader.Parse(text, d.SpecPath, baseDirectory);
        }
        catch (SpecException e)
        {
            foreach (var c in combination)
            {
                string p = c.Parameter.Path;
                if (Within(e.Field, p) || Within(p, e.Field))
                {
                    string value = c.Parameter.Values[c.ValueIndex];
                    string where = e.Field == p || e.Field.Length == 0 ? string.Empty : $" ({e.Field})";
                    throw new SpecException(d.File, c.Parameter.Line, p, $"value {value}{where}: {e.Problem}");
                }
            }

            throw new SpecException(d.File, 0, string.Empty, $"run {index} ({Describe(combination, seed)}): {e.Field}: {e.Problem}");
        }
    }

    private static bool Within(string field, string path) =>
        field.Length > 0 && (field == path || field.StartsWith(path + ".", StringComparison.Ordinal) || field.StartsWith(path + "[", StringComparison.Ordinal));

    private static string Describe(Choice[] combination, ulong? seed)
    {
        var parts = combination.Select(c => $"{c.Parameter.Path} = {c.Parameter.Values[c.ValueIndex]}").ToList();
        if (seed is { } s)
        {
            parts.Add($"seed = {s.ToString(CultureInfo.InvariantCulture)}");
        }

        return parts.Count == 0 ? "the base spec" : string.Join(", ", parts);
    }
}
