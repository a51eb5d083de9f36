using System.Globalization;
using System.Text.Json;
using LatentSpikes.Specs;

namespace LatentSpikes.Sweeps;

/// <summary>
/// Combines the shards' tables (<c>parts/*.csv</c>) of a sweep directory into <c>results.csv</c>: rows ordered by
/// run index under the manifest's header, so the file is byte-identical to the one an unsharded run writes. Every
/// run of the manifest must appear exactly once.
/// </summary>
public static class SweepMerge
{
    /// <summary>Merges the parts in <paramref name="outDir"/>; returns the path of results.csv and the number of runs.</summary>
    /// <exception cref="SpecException">For a missing manifest or parts, a foreign header, an unknown, duplicate or missing run (listed).</exception>
    public static (string Path, int Runs) Merge(string outDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        string dir = Path.GetFullPath(outDir);
        string manifestPath = Path.Combine(dir, SweepRunner.ManifestFile);
        if (!File.Exists(manifestPath))
        {
            throw new SpecException(dir, 0, string.Empty, $"no {SweepRunner.ManifestFile} here; merge takes the --out directory of a sweep's shards");
        }

        string[] columns;
        var runs = new List<(int Index, string Id)>();
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(manifestPath));
            columns = doc.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetString() ?? string.Empty).ToArray();
            foreach (var r in doc.RootElement.GetProperty("runs").EnumerateArray())
            {
                runs.Add((r.GetProperty("index").GetInt32(), r.GetProperty("id").GetString() ?? string.Empty));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new SpecException(manifestPath, 0, string.Empty, $"not a sweep manifest: {e.Message.Replace('\n', ' ')}");
        }

        string partsDir = Path.Combine(dir, SweepRunner.PartsFolder);
        string[] parts = Directory.Exists(partsDir) ? Directory.GetFiles(partsDir, "*.csv").Order(StringComparer.Ordinal).ToArray() : [];
        if (parts.Length == 0)
        {
            throw new SpecException(partsDir, 0, string.Empty, "no shard tables (*.csv) to merge; run the shards first (sweep --shard I/N)");
        }

        string header = SweepRunner.Header(columns);
        var known = runs.ToDictionary(r => r.Id, r => r.Index, StringComparer.Ordinal);
        var found = new Dictionary<string, (string Row, string Part)>(StringComparer.Ordinal);
        var duplicates = new List<string>();
        foreach (string part in parts)
        {
            string name = Path.GetFileName(part);
            string[] lines = File.ReadAllText(part).Split('\n');
            if (lines[0] != header)
            {
                throw new SpecException(part, 1, string.Empty, "its header differs from the manifest's columns: it belongs to another sweep");
            }

            for (int l = 1; l < lines.Length; l++)
            {
                string row = lines[l];
                if (row.Length == 0)
                {
                    continue;
                }

                string[] lead = row.Split(',', 3);
                if (lead.Length < 3 || !known.TryGetValue(lead[1], out int index) || lead[0] != index.ToString(CultureInfo.InvariantCulture))
                {
                    throw new SpecException(part, l + 1, string.Empty, $"row of a run that is not in this sweep's manifest ('{(lead.Length > 1 ? lead[1] : row)}')");
                }

                if (found.TryGetValue(lead[1], out var first))
                {
                    duplicates.Add($"{lead[1]} ({first.Part} and {name})");
                }
                else
                {
                    found[lead[1]] = (row, name);
                }
            }
        }

        if (duplicates.Count > 0)
        {
            throw new SpecException(partsDir, 0, string.Empty, $"{duplicates.Count} run(s) appear more than once: {List(duplicates)}; remove the extra shard tables");
        }

        var missing = runs.Where(r => !found.ContainsKey(r.Id)).Select(r => r.Id).ToList();
        if (missing.Count > 0)
        {
            throw new SpecException(partsDir, 0, string.Empty, $"{missing.Count} of {runs.Count} run(s) missing: {List(missing)}; rerun the shards that hold them");
        }

        string path = Path.Combine(dir, SweepRunner.ResultsFile);
        SweepRunner.WriteTable(path, columns, runs.OrderBy(r => r.Index).Select(r => found[r.Id].Row));
        return (path, runs.Count);
    }

    private static string List(List<string> items) =>
        items.Count <= 20 ? string.Join(", ", items) : string.Join(", ", items.Take(20)) + $", … ({items.Count - 20} more)";
}
