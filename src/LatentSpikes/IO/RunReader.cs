using System.Globalization;
using System.Text.Json;
using LatentSpikes.Model;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;

namespace LatentSpikes.IO;

/// <summary>A run directory whose files are missing, inconsistent or malformed; the message is one line naming the file.</summary>
public sealed class RunDataException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The offending file or directory.</param>
    /// <param name="line">1-based line, or 0 when unknown.</param>
    /// <param name="problem">What is wrong.</param>
    public RunDataException(string file, int line, string problem)
        : base((line > 0 ? $"{file}:{line}: " : $"{file}: ") + problem.Replace('\n', ' '))
    {
    }
}

/// <summary>
/// Reads a run directory written by <see cref="RunWriter"/> (the <c>simulate</c> command) back into a
/// <see cref="SimulationResult"/>, so analyses run the same way on a stored run as on a fresh one. The network comes
/// from the run's <c>spec.yaml</c>; for older runs without it, from the spec file named in <c>summary.json</c> if its
/// hash still matches, with the run's seed, dt and duration.
/// </summary>
public static class RunReader
{
    /// <summary>Reads a run directory.</summary>
    /// <exception cref="RunDataException">When a file is missing or does not match the others.</exception>
    /// <exception cref="SpecException">When the stored spec cannot be read.</exception>
    public static SimulationResult Read(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new RunDataException(directory, 0, System.IO.File.Exists(directory) ? "is a file, not a run directory" : "run directory not found");
        }

        string summaryPath = Path.Combine(directory, "summary.json");
        var summary = ReadSummary(summaryPath);
        var experiment = LoadExperiment(directory, summaryPath, summary);
        var (times, inputs, latents) = ReadLatents(Path.Combine(directory, "latents.csv"), experiment.Network, experiment.Settings.Dt);
        var (spikes, counts) = ReadSpikes(Path.Combine(directory, "spikes.csv"), experiment);
        return new SimulationResult(experiment, summary.Engine, summary.Steps, times, inputs, latents, spikes, counts, summary.Status, summary.StatusDetail);
    }

    private sealed record Summary(string Engine, long Steps, SimulationStatus Status, string StatusDetail, ulong Seed, double Dt, double Duration, string SpecFile, string SpecHash);

    private static Summary ReadSummary(string path)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new RunDataException(path, 0, "not found; is this a directory written by latentspikes simulate?");
        }

        try
        {
            using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
            var root = doc.RootElement;
            var spec = root.GetProperty("spec");
            string status = root.GetProperty("status").GetString() ?? string.Empty;
            if (status is not ("completed" or "exploded"))
            {
                throw new RunDataException(path, 0, $"status: unknown status '{status}'");
            }

            return new Summary(
                root.GetProperty("engine").GetString() ?? "clock",
                root.GetProperty("steps").GetInt64(),
                status == "completed" ? SimulationStatus.Completed : SimulationStatus.Exploded,
                root.GetProperty("status_detail").GetString() ?? string.Empty,
                root.GetProperty("seed").GetUInt64(),
                root.GetProperty("dt").GetDouble(),
                root.GetProperty("duration").GetDouble(),
                spec.GetProperty("file").GetString() ?? string.Empty,
                spec.GetProperty("sha256").GetString() ?? string.Empty);
        }
        catch (JsonException e)
        {
            throw new RunDataException(path, (int)(e.LineNumber ?? -1) + 1, $"not valid JSON: {e.Message}");
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new RunDataException(path, 0, $"lacks a field a run summary has, or has one of the wrong type ({e.Message})");
        }
    }

    private static Experiment LoadExperiment(string directory, string summaryPath, Summary summary)
    {
        string copy = Path.Combine(directory, RunWriter.SpecCopyFile);
        if (System.IO.File.Exists(copy))
        {
            return SpecReader.LoadFile(copy).Experiment;
        }

        // Runs written before the spec copy existed: the original spec, if it is unchanged, plus the run's settings.
        if (!System.IO.File.Exists(summary.SpecFile))
        {
            throw new RunDataException(directory, 0, $"cannot rebuild the network: no {RunWriter.SpecCopyFile} here and the spec '{summary.SpecFile}' named in summary.json is not found; rerun simulate");
        }

        var loaded = SpecReader.LoadFile(summary.SpecFile);
        if (!string.Equals(loaded.Hash, summary.SpecHash, StringComparison.OrdinalIgnoreCase))
        {
            throw new RunDataException(summaryPath, 0, $"cannot rebuild the network: the spec '{summary.SpecFile}' changed since the run (sha256 differs) and there is no {RunWriter.SpecCopyFile}; rerun simulate");
        }

        var s = loaded.Experiment.Settings with { Seed = summary.Seed, Dt = summary.Dt, Duration = summary.Duration };
        return loaded.Experiment.WithSettings(s);
    }

    /// <remarks>Times are written rounded to 10 decimals; they are read back as step·dt, the engine's exact value.</remarks>
    private static (double[] Times, double[] Inputs, double[] Latents) ReadLatents(string path, LowRankNetwork network, double dt)
    {
        int m = network.InputDimension;
        int k = network.Latents.Count;
        var expected = new List<string> { "t" };
        expected.AddRange(Enumerable.Range(1, m).Select(i => $"x{i}"));
        expected.AddRange(network.Latents.Select(l => l.Name));
        string header = string.Join(',', expected);
        var times = new List<double>();
        var inputs = new List<double>();
        var latents = new List<double>();
        using var reader = Open(path);
        string? first = reader.ReadLine();
        if (!string.Equals(first, header, StringComparison.Ordinal))
        {
            throw new RunDataException(path, 1, $"header '{first}' does not match the run's network (expected '{header}')");
        }

        int line = 1;
        while (reader.ReadLine() is { } row)
        {
            line++;
            string[] cells = row.Split(',');
            if (cells.Length != expected.Count)
            {
                throw new RunDataException(path, line, $"has {cells.Length} columns, expected {expected.Count}");
            }

            times.Add(Math.Round(Number(cells[0], path, line) / dt) * dt);
            for (int d = 0; d < m; d++)
            {
                inputs.Add(Number(cells[1 + d], path, line));
            }

            for (int l = 0; l < k; l++)
            {
                latents.Add(Number(cells[1 + m + l], path, line));
            }
        }

        if (times.Count == 0)
        {
            throw new RunDataException(path, 0, "holds no samples");
        }

        return (times.ToArray(), inputs.ToArray(), latents.ToArray());
    }

    private static (List<Spike> Spikes, int[][] Counts) ReadSpikes(string path, Experiment experiment)
    {
        var pops = experiment.Network.Populations;
        var counts = pops.Select(p => new int[p.Size]).ToArray();
        var spikes = new List<Spike>();
        double dt = experiment.Settings.Dt;
        using var reader = Open(path);
        string? header = reader.ReadLine();
        if (!string.Equals(header, "t,population,neuron", StringComparison.Ordinal))
        {
            throw new RunDataException(path, 1, $"header '{header}' is not 't,population,neuron'");
        }

        int line = 1;
        double last = double.NegativeInfinity;
        while (reader.ReadLine() is { } row)
        {
            line++;
            string[] cells = row.Split(',');
            if (cells.Length != 3)
            {
                throw new RunDataException(path, line, $"has {cells.Length} columns, expected 3");
            }

            double t = Number(cells[0], path, line);
            int p = experiment.Network.PopulationIndex(cells[1]);
            if (p < 0)
            {
                throw new RunDataException(path, line, $"no population called '{cells[1]}' in the run's network");
            }

            if (!int.TryParse(cells[2], NumberStyles.None, CultureInfo.InvariantCulture, out int neuron) || neuron >= pops[p].Size)
            {
                throw new RunDataException(path, line, $"neuron '{cells[2]}' is not an index of population '{cells[1]}' (size {pops[p].Size})");
            }

            if (t < last)
            {
                throw new RunDataException(path, line, "spikes are not in time order");
            }

            last = t;
            long step = (long)Math.Round(t / dt);
            spikes.Add(new Spike(step, step * dt, p, neuron));
            counts[p][neuron]++;
        }

        return (spikes, counts);
    }

    private static StreamReader Open(string path)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new RunDataException(path, 0, "not found; is this a directory written by latentspikes simulate?");
        }

        return new StreamReader(path);
    }

    private static double Number(string cell, string path, int line) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v
            : throw new RunDataException(path, line, $"'{cell}' is not a number");
}
