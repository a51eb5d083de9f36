using System.Globalization;
using System.Text;
using System.Text.Json;
using LatentSpikes.Engines;
using LatentSpikes.Simulation;

namespace LatentSpikes.Sweeps;

/// <summary>Reported after each run of a sweep finishes.</summary>
/// <param name="Run">The run.</param>
/// <param name="Status">completed, exploded or failed.</param>
/// <param name="Done">Runs of this invocation finished so far (including this one).</param>
/// <param name="Total">Runs this invocation has to do.</param>
public sealed record SweepProgress(SweepRun Run, string Status, int Done, int Total);

/// <summary>What one invocation of a sweep (or shard) did.</summary>
/// <param name="Runs">Runs in this shard.</param>
/// <param name="Skipped">Runs already finished by an earlier invocation.</param>
/// <param name="Ran">Runs simulated now.</param>
/// <param name="Exploded">Runs (of the shard) in which at least one trial ran away.</param>
/// <param name="Failures">Runs that failed with an error, as "id: message"; no table is written when there are any.</param>
/// <param name="TablePath">The table written: results.csv, or the shard's part; null after failures.</param>
public sealed record SweepOutcome(int Runs, int Skipped, int Ran, int Exploded, IReadOnlyList<string> Failures, string? TablePath);

/// <summary>
/// Runs a sweep (or one shard of it) into an output directory, resumably:
/// <list type="bullet">
/// <item><c>manifest.json</c>: the plan (hash, columns, every run's id and parameters); a rerun into a directory
/// holding a different plan is refused.</item>
/// <item><c>runs/&lt;id&gt;/</c>: each run's <c>result.json</c> and <c>spec.yaml</c>, written into a hidden staging
/// directory and renamed into place, so a run directory is either complete or absent. A rerun skips runs whose
/// result is there and redoes the rest, after deleting their half-written leftovers.</item>
/// <item><c>results.csv</c> (whole sweep) or <c>parts/part-I-of-N.csv</c> (shard I of N): one row per run in index
/// order, built from the stored results, so it is the same whichever invocation ran a run.</item>
/// </list>
/// Each run's seed is fixed by the plan and the engines' results do not depend on thread counts, so the table
/// does not depend on <c>jobs</c>, on sharding or on interruptions.
/// </summary>
public static class SweepRunner
{
    /// <summary>The plan file in a sweep's output directory.</summary>
    public const string ManifestFile = "manifest.json";

    /// <summary>The results table of a whole sweep.</summary>
    public const string ResultsFile = "results.csv";

    /// <summary>Folder of the per-run directories.</summary>
    public const string RunsFolder = "runs";

    /// <summary>Folder of the shards' tables.</summary>
    public const string PartsFolder = "parts";

    /// <summary>A run's result inside its directory.</summary>
    public const string ResultFile = "result.json";

    private const string ManifestFormat = "latentspikes-sweep/1";
    private const string ResultFormat = "latentspikes-sweep-run/1";

    /// <summary>The file name of shard <paramref name="shard"/> of <paramref name="count"/>'s table.</summary>
    public static string PartFile(int shard, int count) => string.Create(CultureInfo.InvariantCulture, $"part-{shard:D4}-of-{count:D4}.csv");

    /// <summary>Runs the sweep's runs of one shard that are not finished yet, then writes the shard's table.</summary>
    /// <param name="plan">The sweep.</param>
    /// <param name="outDir">Output directory (created; shared by all shards).</param>
    /// <param name="jobs">Runs simulated at once; 0 uses every core.</param>
    /// <param name="shard">This shard's number, 0 ≤ shard &lt; shardCount.</param>
    /// <param name="shardCount">Number of shards; 1 runs the whole sweep and writes results.csv.</param>
    /// <param name="progress">Called (from worker threads, one call at a time) after each run.</param>
    /// <param name="cancellationToken">Stops between steps; finished runs stay.</param>
    public static SweepOutcome Run(SweepPlan plan, string outDir, int jobs = 0, int shard = 0, int shardCount = 1,
        Action<SweepProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        ArgumentOutOfRangeException.ThrowIfNegative(jobs);
        int workers = jobs == 0 ? Environment.ProcessorCount : jobs;
        var mine = plan.Shard(shard, shardCount).ToArray();
        string dir = Path.GetFullPath(outDir);
        string runsDir = Path.Combine(dir, RunsFolder);
        Directory.CreateDirectory(dir);
        WriteOrCheckManifest(plan, dir);
        Directory.CreateDirectory(runsDir);

        var pending = new List<SweepRun>();
        foreach (var run in mine)
        {
            if (ReadRow(plan, runsDir, run) is null)
            {
                // Leftovers of an interrupted attempt: a staging folder, or a run folder without a valid result.
                foreach (string stale in Directory.GetDirectories(runsDir, $".{run.Id}.partial-*"))
                {
                    Directory.Delete(stale, recursive: true);
                }

                if (Directory.Exists(Path.Combine(runsDir, run.Id)))
                {
                    Directory.Delete(Path.Combine(runsDir, run.Id), recursive: true);
                }

                pending.Add(run);
            }
        }

        // Runs are the unit of parallelism; an engine uses the cores left over (its results do not depend on it).
        int engineThreads = Math.Max(1, Environment.ProcessorCount / Math.Max(1, Math.Min(workers, pending.Count)));
        var failures = new List<string>();
        int done = 0;
        int exploded = 0;
        var gate = new object();
        Parallel.ForEach(pending, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken }, run =>
        {
            string status;
            try
            {
                status = Execute(plan, run, runsDir, engineThreads, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                status = "failed";
                lock (gate)
                {
                    failures.Add($"{run.Id}: {e.Message.Replace('\n', ' ')}");
                }
            }

            lock (gate)
            {
                done++;
                progress?.Invoke(new SweepProgress(run, status, done, pending.Count));
            }
        });

        if (failures.Count > 0)
        {
            failures.Sort(StringComparer.Ordinal);
            return new SweepOutcome(mine.Length, mine.Length - pending.Count, pending.Count - failures.Count, 0, failures, null);
        }

        var rows = new List<string>();
        foreach (var run in mine)
        {
            var row = ReadRow(plan, runsDir, run) ?? throw new IOException($"the result of run {run.Id} vanished from {runsDir}");
            rows.Add(row.Row);
            exploded += row.Exploded ? 1 : 0;
        }

        string table = shardCount == 1 ? Path.Combine(dir, ResultsFile) : Path.Combine(dir, PartsFolder, PartFile(shard, shardCount));
        WriteTable(table, plan.Columns, rows);
        return new SweepOutcome(mine.Length, mine.Length - pending.Count, pending.Count, exploded, [], table);
    }

    /// <summary>The header line of a sweep's table.</summary>
    public static string Header(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return string.Join(',', columns.Select(Csv));
    }

    /// <summary>Writes header and rows to <paramref name="path"/> through a temporary file, so the table is whole or absent.</summary>
    internal static void WriteTable(string path, IReadOnlyList<string> columns, IEnumerable<string> rows)
    {
        var sb = new StringBuilder();
        sb.Append(Header(columns)).Append('\n');
        foreach (string row in rows)
        {
            sb.Append(row).Append('\n');
        }

        WriteAtomically(path, sb.ToString());
    }

    /// <summary>A CSV cell, quoted when it holds a comma, quote or line break (RFC 4180).</summary>
    internal static string Csv(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

    private static void WriteAtomically(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temp, text, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Simulates one run and moves its finished directory into place; returns its status.</summary>
    private static string Execute(SweepPlan plan, SweepRun run, string runsDir, int engineThreads, CancellationToken cancellationToken)
    {
        var d = plan.Definition;
        var exp = plan.Load(run).Experiment;
        var trials = EngineCatalog.Get(d.Engine).RunTrials(exp, d.Trials, engineThreads, cancellationToken);
        var metrics = SweepMetrics.Compute(trials, d.Metrics, d.Window);
        int explodedTrials = trials.Count(t => t.Status == SimulationStatus.Exploded);
        int nonFiniteTrials = trials.Count(t => t.Status == SimulationStatus.NonFinite);
        string status = (nonFiniteTrials > 0 ? SimulationStatus.NonFinite : explodedTrials > 0 ? SimulationStatus.Exploded : SimulationStatus.Completed).ToText();

        var cells = new List<string> { run.Index.ToString(CultureInfo.InvariantCulture), run.Id };
        cells.AddRange(run.Parameters.Select(p => p.Value));
        cells.Add(run.Seed.ToString(CultureInfo.InvariantCulture));
        cells.Add(status);
        cells.Add(explodedTrials.ToString(CultureInfo.InvariantCulture));
        foreach (string column in plan.Columns.Skip(cells.Count))
        {
            cells.Add(metrics.TryGetValue(column, out double v) ? Number(v) : string.Empty);
        }

        string row = string.Join(',', cells.Select(Csv));
        string staging = Path.Combine(runsDir, $".{run.Id}.partial-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            File.WriteAllText(Path.Combine(staging, "spec.yaml"), run.SpecText, new UTF8Encoding(false));
            using (var stream = File.Create(Path.Combine(staging, ResultFile)))
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("format", ResultFormat);
                json.WriteNumber("index", run.Index);
                json.WriteString("id", run.Id);
                json.WriteStartObject("parameters");
                foreach (var p in run.Parameters)
                {
                    json.WriteString(p.Path, p.Value);
                }

                json.WriteEndObject();
                json.WriteNumber("seed", run.Seed);
                json.WriteString("engine", d.Engine);
                json.WriteNumber("trials", d.Trials);
                json.WriteString("status", status);
                json.WriteNumber("exploded_trials", explodedTrials);
                if (nonFiniteTrials > 0)
                {
                    json.WriteNumber("non_finite_trials", nonFiniteTrials);
                }

                if (explodedTrials + nonFiniteTrials > 0)
                {
                    json.WriteString("status_detail", trials.First(t => t.Status != SimulationStatus.Completed).StatusDetail);
                }

                json.WriteStartObject("metrics");
                foreach (string column in run.MetricColumns)
                {
                    double v = metrics[column];
                    if (double.IsFinite(v))
                    {
                        json.WriteNumber(column, v);
                    }
                    else
                    {
                        json.WriteNull(column);
                    }
                }

                json.WriteEndObject();
                json.WriteString("row", row);
                json.WriteEndObject();
            }

            // A rename is atomic: the run directory appears complete or not at all.
            Directory.Move(staging, Path.Combine(runsDir, run.Id));
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        return status;
    }

    private static string Number(double v) => double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A finished run's table row, or null when its directory is missing, incomplete or of another plan.</summary>
    private static (string Row, bool Exploded)? ReadRow(SweepPlan plan, string runsDir, SweepRun run)
    {
        string path = Path.Combine(runsDir, run.Id, ResultFile);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.GetProperty("format").GetString() != ResultFormat || root.GetProperty("id").GetString() != run.Id
                || root.GetProperty("row").GetString() is not { } row || !row.StartsWith($"{run.Index},{run.Id},", StringComparison.Ordinal))
            {
                return null;
            }

            return (row, root.GetProperty("status").GetString() != "completed");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes the plan's manifest into <paramref name="dir"/>, or checks that the one there is this plan's. A manifest
    /// of another plan, or one that cannot be read (it is written atomically, so it was damaged from outside and may
    /// belong to another sweep), is refused rather than mixing two sweeps' results.
    /// </summary>
    internal static void WriteOrCheckManifest(SweepPlan plan, string dir)
    {
        string path = Path.Combine(dir, ManifestFile);
        if (File.Exists(path))
        {
            string? hash;
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
                hash = doc.RootElement.GetProperty("hash").GetString();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                hash = null;
            }

            if (hash == plan.Hash)
            {
                return;
            }

            throw new Specs.SpecException(path, 0, string.Empty, hash is null || hash.Length < 12
                ? "this directory holds a damaged sweep manifest, so whose results it holds is unknown; use another --out or delete the directory"
                : $"this directory holds the results of a different sweep (plan {hash[..12]}, this sweep is {plan.Hash[..12]}); use another --out or delete the directory");
        }

        WriteAtomically(path, ManifestJson(plan));
    }

    /// <summary>The manifest: the plan's hash and columns, and every run's index, id, seed and parameters.</summary>
    internal static string ManifestJson(SweepPlan plan)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", ManifestFormat);
            json.WriteString("name", plan.Definition.Name);
            json.WriteString("hash", plan.Hash);
            json.WriteString("engine", plan.Definition.Engine);
            json.WriteNumber("trials", plan.Definition.Trials);
            json.WriteStartArray("columns");
            foreach (string c in plan.Columns)
            {
                json.WriteStringValue(c);
            }

            json.WriteEndArray();
            json.WriteStartArray("runs");
            foreach (var run in plan.Runs)
            {
                json.WriteStartObject();
                json.WriteNumber("index", run.Index);
                json.WriteString("id", run.Id);
                json.WriteNumber("seed", run.Seed);
                json.WriteStartObject("parameters");
                foreach (var p in run.Parameters)
                {
                    json.WriteString(p.Path, p.Value);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }
}
