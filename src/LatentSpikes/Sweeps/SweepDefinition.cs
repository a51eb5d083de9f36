using System.Globalization;
using LatentSpikes.Engines;
using LatentSpikes.Specs;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LatentSpikes.Sweeps;

/// <summary>One swept spec field and its values, in the order written.</summary>
/// <param name="Path">Spec field path, e.g. <c>populations[0].noise</c>.</param>
/// <param name="Values">Each value as one line of text (see <see cref="SpecOverride.Render"/>).</param>
/// <param name="Line">Line of the parameter in the sweep file.</param>
public sealed record SweepParameter(string Path, IReadOnlyList<string> Values, int Line)
{
    /// <summary>The values as YAML nodes, set into the spec tree as they are.</summary>
    internal IReadOnlyList<YamlNode> Nodes { get; init; } = [];
}

/// <summary>
/// A sweep file (docs/sweeps.md): a base spec, parameters on a grid (every combination) and/or zipped (paired
/// lists), times seeds, with the engine, trials per run and summary metrics to record.
/// </summary>
public sealed class SweepDefinition
{
    /// <summary>Metrics a sweep can record, in table order.</summary>
    public static readonly IReadOnlyList<string> KnownMetrics = ["rate_hz", "cv", "fano", "boundary_error", "latent_mean"];

    /// <summary>
    /// Most runs a sweep may have (grid combinations × zipped entries × seeds). Every run's spec is built and checked
    /// before the first one starts, so this also bounds the time and memory of planning a sweep.
    /// </summary>
    public const long MaxRuns = 100_000;

    private const string MaxRunsText = "10⁵";

    /// <summary>Most trials per run.</summary>
    public const int MaxTrials = 10_000;

    internal static readonly string[] TopKeys = ["name", "description", "spec", "grid", "zip", "seeds", "engine", "trials", "metrics", "window"];

    private SweepDefinition(string file, string name, string specPath, IReadOnlyList<SweepParameter> grid, IReadOnlyList<SweepParameter> zip,
        IReadOnlyList<ulong>? seeds, string engine, int trials, IReadOnlyList<string> metrics, (double Start, double Stop)? window, int engineLine, int windowLine)
    {
        File = file;
        Name = name;
        SpecPath = specPath;
        Grid = grid;
        Zip = zip;
        Seeds = seeds;
        Engine = engine;
        Trials = trials;
        Metrics = metrics;
        Window = window;
        EngineLine = engineLine;
        WindowLine = windowLine;
    }

    /// <summary>The sweep file (or label) named in errors.</summary>
    public string File { get; }

    /// <summary>The sweep's name (default: the file name without extension).</summary>
    public string Name { get; }

    /// <summary>Full path of the base spec.</summary>
    public string SpecPath { get; }

    /// <summary>Parameters combined as a product, the first varying slowest.</summary>
    public IReadOnlyList<SweepParameter> Grid { get; }

    /// <summary>Parameters whose lists are paired element by element (all the same length).</summary>
    public IReadOnlyList<SweepParameter> Zip { get; }

    /// <summary>Seeds given to <c>simulation.seed</c>, innermost in the run order; null keeps the spec's seed.</summary>
    public IReadOnlyList<ulong>? Seeds { get; }

    /// <summary>Engine: <c>clock</c> or <c>event</c>.</summary>
    public string Engine { get; }

    /// <summary>Trials per run (trial r uses the random streams of trial r).</summary>
    public int Trials { get; }

    /// <summary>Metrics recorded per run (a subset of <see cref="KnownMetrics"/>, in table order).</summary>
    public IReadOnlyList<string> Metrics { get; }

    /// <summary>Window (τ) the metrics are computed over; null means the whole run.</summary>
    public (double Start, double Stop)? Window { get; }

    internal int EngineLine { get; }

    internal int WindowLine { get; }

    /// <summary>Reads a sweep file.</summary>
    /// <exception cref="SpecException">For a missing file or any problem in it (one line naming file, line and field).</exception>
    public static SweepDefinition Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path))
        {
            throw new SpecException(path, 0, string.Empty, Directory.Exists(path) ? "is a directory, not a sweep file" : "sweep file not found");
        }

        string text = InputFile.ReadText(path, "sweep file", InputLimits.MaxSpecFileBytes);
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>Reads a sweep from text; <paramref name="baseDirectory"/> resolves a relative <c>spec</c> path.</summary>
    /// <exception cref="SpecException">For any problem in the sweep.</exception>
    public static SweepDefinition Parse(string text, string label, string baseDirectory, string defaultName = "sweep")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        var stream = SafeYaml.Load(text, label, "YAML");
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode)
        {
            throw new SpecException(label, 0, string.Empty, "a sweep file is one YAML mapping with the fields " + string.Join(", ", TopKeys));
        }

        var doc = new SpecDocument(label, baseDirectory);
        var top = new SpecNode(doc, stream.Documents[0].RootNode, string.Empty).AsMap(TopKeys);
        var specNode = top.Required("spec");
        string spec = specNode.AsString();
        string specPath = Path.GetFullPath(Path.IsPathRooted(spec) ? spec : Path.Combine(baseDirectory, spec));
        if (!System.IO.File.Exists(specPath))
        {
            throw specNode.Error($"base spec '{spec}' not found (looked at {specPath})");
        }

        var grid = ReadParameters(top.Optional("grid"));
        var zip = ReadParameters(top.Optional("zip"));
        if (zip.Count > 0 && zip.Any(p => p.Values.Count != zip[0].Values.Count))
        {
            var odd = zip.First(p => p.Values.Count != zip[0].Values.Count);
            throw new SpecException(label, odd.Line, $"zip.{odd.Path}", $"has {odd.Values.Count} values but {zip[0].Path} has {zip[0].Values.Count}; zipped lists are paired element by element, so they must be equally long");
        }

        foreach (var p in zip.Where(z => grid.Any(g => g.Path == z.Path)))
        {
            throw new SpecException(label, p.Line, $"zip.{p.Path}", "is also in grid; sweep a field in one of them");
        }

        IReadOnlyList<ulong>? seeds = null;
        if (top.Optional("seeds") is { } seedsNode)
        {
            seeds = ReadSeeds(seedsNode);
            if (grid.Concat(zip).FirstOrDefault(p => p.Path == "simulation.seed") is { } clash)
            {
                throw new SpecException(label, clash.Line, clash.Path, "is also set by 'seeds'; give the seeds in one place");
            }
        }

        string engine = EngineCatalog.Clock;
        int engineLine = 0;
        if (top.Optional("engine") is { } engineNode)
        {
            engine = engineNode.AsString();
            engineLine = engineNode.Line;
            // Sweep metrics read spikes, so a sweep runs the catalog's spiking engines.
            var spiking = EngineCatalog.All.Where(e => e.Has(EngineCapabilities.Spikes)).Select(e => e.Name).ToArray();
            if (!spiking.Contains(engine))
            {
                throw engineNode.Error($"unknown engine '{engine}' (known: {string.Join(", ", spiking)})");
            }
        }

        int trials = 1;
        if (top.Optional("trials") is { } trialsNode)
        {
            trials = trialsNode.AsInt();
            if (trials < 1 || trials > MaxTrials)
            {
                throw trialsNode.Error($"must be between 1 and this tool's limit of {MaxTrials.ToString(CultureInfo.InvariantCulture)} (got {trials.ToString(CultureInfo.InvariantCulture)})");
            }
        }

        var metrics = ReadMetrics(top.Optional("metrics"), trials);
        (double, double)? window = null;
        int windowLine = 0;
        if (top.Optional("window") is { } windowNode)
        {
            double[] w = windowNode.AsDoubles();
            if (w.Length != 2 || w[0] < 0 || !(w[1] > w[0]))
            {
                throw windowNode.Error("expected [start, stop] in τ with 0 ≤ start < stop");
            }

            window = (w[0], w[1]);
            windowLine = windowNode.Line;
        }

        // Saturating products: a grid whose size overflows 64 bits must not wrap around to a small count.
        long runs = grid.Aggregate(1L, (a, p) => SaturatingProduct(a, p.Values.Count));
        runs = SaturatingProduct(runs, zip.Count > 0 ? zip[0].Values.Count : 1);
        runs = SaturatingProduct(runs, seeds?.Count ?? 1);
        if (runs > MaxRuns)
        {
            string count = runs == long.MaxValue ? "more than 9.2·10¹⁸" : runs.ToString(CultureInfo.InvariantCulture);
            throw new SpecException(label, 0, string.Empty, $"the sweep has {count} runs, beyond this tool's limit of {MaxRunsText}; split it into several sweeps");
        }

        var nameNode = top.Optional("name");
        string name = nameNode?.AsString() ?? defaultName;
        if (!Model.Experiment.IsValidName(name))
        {
            string problem = $"'{name}' is not a valid sweep name: use up to 200 letters, digits, '_', '-' and '.', not starting with '.' (it names the output folder)";
            throw nameNode is not null ? nameNode.Error(problem) : new SpecException(label, 0, "name", problem + "; set name: in the sweep file");
        }

        return new SweepDefinition(label, name, specPath, grid, zip, seeds, engine, trials, metrics, window, engineLine, windowLine);
    }

    private static List<SweepParameter> ReadParameters(SpecNode? node)
    {
        var result = new List<SweepParameter>();
        if (node is null)
        {
            return result;
        }

        if (node.Node is not YamlMappingNode map)
        {
            throw node.Error("expected a mapping from spec field path to a list of values, e.g. populations[0].noise: [0, 0.1]");
        }

        foreach (var (k, v) in map.Children)
        {
            string path = k is YamlScalarNode s ? s.Value ?? string.Empty : string.Empty;
            string field = $"{node.Path}.{path}";
            int line = (int)k.Start.Line;
            if (!SpecOverride.IsValidPath(path))
            {
                throw new SpecException(node.Document.File, line, field, "is not a spec field path; write names joined by '.' with list indices in brackets, e.g. populations[0].noise");
            }

            if (v is not YamlSequenceNode values || values.Children.Count == 0)
            {
                throw new SpecException(node.Document.File, line, field, "expected a non-empty list of values, e.g. [0, 0.1, 0.2]");
            }

            result.Add(new SweepParameter(path, values.Children.Select(SpecOverride.Render).ToArray(), line) { Nodes = values.Children.ToArray() });
        }

        return result;
    }

    private static long SaturatingProduct(long a, long b)
    {
        try
        {
            return checked(a * b);
        }
        catch (OverflowException)
        {
            return long.MaxValue;
        }
    }

    /// <summary>A count n (seeds 0 … n − 1) or a list of distinct seeds.</summary>
    private static ulong[] ReadSeeds(SpecNode node)
    {
        if (node.IsScalar)
        {
            int count = node.AsInt();
            if (count < 1)
            {
                throw node.Error($"a seed count must be ≥ 1 (got {count}); or give a list of seeds");
            }

            // Checked before the seeds are listed: a count in the billions would otherwise be allocated first.
            if (count > MaxRuns)
            {
                throw node.Error($"{count.ToString(CultureInfo.InvariantCulture)} seeds give more runs than this tool's limit of {MaxRunsText} per sweep; split it into several sweeps");
            }

            return Enumerable.Range(0, count).Select(i => (ulong)i).ToArray();
        }

        var items = node.AsList();
        if (items.Count == 0)
        {
            throw node.Error("give a seed count or a non-empty list of seeds");
        }

        var seeds = items.Select(i => i.AsSeed()).ToArray();
        var repeated = seeds.GroupBy(s => s).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw node.Error($"seed {repeated.Key.ToString(CultureInfo.InvariantCulture)} is listed twice; each seed gives one run");
        }

        return seeds;
    }

    private static string[] ReadMetrics(SpecNode? node, int trials)
    {
        if (node is null)
        {
            // Fano factors are across trials, so they are recorded by default only when there are several.
            return KnownMetrics.Where(m => m != "fano" || trials > 1).ToArray();
        }

        var items = node.AsList();
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            string m = item.AsString();
            if (!KnownMetrics.Contains(m))
            {
                throw item.Error($"unknown metric '{m}' (known: {string.Join(", ", KnownMetrics)})");
            }

            if (m == "fano" && trials < 2)
            {
                throw item.Error("the Fano factor is across trials; set trials ≥ 2");
            }

            chosen.Add(m);
        }

        return KnownMetrics.Where(chosen.Contains).ToArray();
    }
}
