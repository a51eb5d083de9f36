using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.IO;

/// <summary>Provenance of a run, written into <c>summary.json</c>.</summary>
/// <param name="SpecFile">The spec file (or a label for built-in specs).</param>
/// <param name="SpecHash">SHA-256 of the spec text.</param>
public sealed record RunProvenance(string SpecFile, string SpecHash);

/// <summary>
/// Writes a run as plain files: <c>latents.csv</c> (t, x1..xM, one column per latent), <c>spikes.csv</c>
/// (t, population, neuron), <c>summary.json</c> and <c>spec.yaml</c>, the simulated experiment with explicit weights
/// (so <see cref="RunReader"/> can rebuild the network however the run was configured). Numbers use invariant round-trip formatting and nothing
/// time- or machine-dependent is written, so the same seed gives byte-identical files.
/// </summary>
public static class RunWriter
{
    /// <summary>The tool version written into summaries.</summary>
    public static string ToolVersion { get; } =
        typeof(RunWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Name of the copy of the simulated experiment in a run directory.</summary>
    public const string SpecCopyFile = "spec.yaml";

    /// <summary>Writes the data files and the spec copy into <paramref name="directory"/>.</summary>
    public static void WriteAll(SimulationResult result, RunProvenance provenance, string directory) =>
        WriteAll(result, provenance, directory, RunFormats.Csv);

    /// <summary>Writes the data files in <paramref name="formats"/>, the summary and the spec copy into <paramref name="directory"/>.</summary>
    public static void WriteAll(SimulationResult result, RunProvenance provenance, string directory, RunFormats formats)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(provenance);
        using var writer = new RunOutputWriter(result.Experiment, directory, formats);
        RecordingReplay.Replay(result, writer);
        writer.Complete(result, provenance);
        if (result.RatesFlat is not null)
        {
            WriteRates(result, Path.Combine(directory, "rates.csv"));
        }
    }

    /// <summary>Writes the simulated experiment (with any command-line overrides applied) as a spec with explicit weights.</summary>
    public static void WriteSpecCopy(SimulationResult result, RunProvenance provenance, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(provenance);
        string text = Specs.SpecWriter.Write(result.Experiment, [$"The experiment simulated in this run, from {provenance.SpecFile} (sha256 {provenance.SpecHash}),", "with the run's settings; latentspikes analyze rebuilds the network from it."]);
        System.IO.File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal), new UTF8Encoding(false));
    }

    /// <summary>Writes <c>latents.csv</c>: t (τ), x1..xM, then one column per latent.</summary>
    public static void WriteLatents(SimulationResult result, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        var net = result.Experiment.Network;
        int m = net.InputDimension;
        int k = net.Latents.Count;
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.NewLine = "\n";
        var header = new List<string> { "t" };
        header.AddRange(Enumerable.Range(1, m).Select(i => $"x{i}"));
        header.AddRange(net.Latents.Select(l => l.Name));
        w.WriteLine(string.Join(',', header));
        var sb = new StringBuilder(64);
        for (int r = 0; r < result.Times.Count; r++)
        {
            sb.Clear();
            sb.Append(Num(Math.Round(result.Times[r], 10)));
            for (int d = 0; d < m; d++)
            {
                sb.Append(',').Append(Num(result.InputsFlat[(r * m) + d]));
            }

            for (int l = 0; l < k; l++)
            {
                sb.Append(',').Append(Num(result.LatentsFlat[(r * k) + l]));
            }

            w.WriteLine(sb);
        }
    }

    /// <summary>Writes <c>spikes.csv</c>: t (τ), population name, neuron index within the population.</summary>
    public static void WriteSpikes(SimulationResult result, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        var pops = result.Experiment.Network.Populations;
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.NewLine = "\n";
        w.WriteLine("t,population,neuron");
        foreach (var s in result.Spikes)
        {
            w.Write(Num(Math.Round(s.Time, 10)));
            w.Write(',');
            w.Write(pops[s.Population].Name);
            w.Write(',');
            w.WriteLine(s.Neuron.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Writes <c>rates.csv</c> of a rate-engine run: t (τ), then one column per neuron, <c>POP[i]</c>, in spikes per τ.
    /// </summary>
    public static void WriteRates(SimulationResult result, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rates = result.RatesFlat ?? throw new ArgumentException($"the {result.Engine} engine recorded no rates", nameof(result));
        var pops = result.Experiment.Network.Populations;
        int n = result.Experiment.Network.NeuronCount;
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.NewLine = "\n";
        w.WriteLine("t," + string.Join(',', pops.SelectMany(p => Enumerable.Range(0, p.Size).Select(i => $"{p.Name}[{i}]"))));
        var sb = new StringBuilder(16 * (n + 1));
        for (int r = 0; r < result.Times.Count; r++)
        {
            sb.Clear();
            sb.Append(Num(Math.Round(result.Times[r], 10)));
            for (int i = 0; i < n; i++)
            {
                sb.Append(',').Append(Num(rates[(r * n) + i]));
            }

            w.WriteLine(sb);
        }
    }

    /// <summary>
    /// The opening fields of the summary.json of a seed model run outside the LIF engines (SRM0 layer stack, balanced
    /// network), in one order: tool_version, model, name, spec_file, spec_sha256, seed.
    /// </summary>
    public static void WriteModelHeader(Utf8JsonWriter writer, string model, string name, RunProvenance provenance, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(provenance);
        writer.WriteString("tool_version", ToolVersion);
        writer.WriteString("model", model);
        writer.WriteString("name", name);
        writer.WriteString("spec_file", provenance.SpecFile);
        writer.WriteString("spec_sha256", provenance.SpecHash);
        writer.WriteNumber("seed", seed);
    }

    /// <summary>Writes <c>summary.json</c>.</summary>
    public static void WriteSummary(SimulationResult result, RunProvenance provenance, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        var latents = result.Experiment.Network.Latents.Select(l => result.Latent(l.Name)).ToArray();
        WriteSummary(result, provenance, new RunStatistics(result.Spikes.Count, latents.Select(y => y[^1]).ToArray(), latents.Select(y => y.Average()).ToArray()), path);
    }

    /// <summary>Writes <c>summary.json</c> with totals and latent statistics gathered while the run streamed.</summary>
    public static void WriteSummary(SimulationResult result, RunProvenance provenance, RunStatistics statistics, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(provenance);
        ArgumentNullException.ThrowIfNull(statistics);
        using var stream = System.IO.File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var exp = result.Experiment;
        var s = exp.Settings;
        w.WriteStartObject();
        w.WriteString("tool", "latentspikes");
        w.WriteString("version", ToolVersion);
        w.WriteString("engine", result.Engine);
        w.WriteString("name", exp.Name);
        w.WriteStartObject("spec");
        w.WriteString("file", provenance.SpecFile);
        w.WriteString("sha256", provenance.SpecHash);
        w.WriteString("copy", SpecCopyFile);
        w.WriteEndObject();
        w.WriteNumber("seed", s.Seed);
        w.WriteNumber("dt", s.Dt);
        w.WriteNumber("duration", s.Duration);
        w.WriteNumber("tau_ms", s.TauMs);
        w.WriteString("time_unit", "tau");
        w.WriteNumber("steps", result.StepsSimulated);
        w.WriteNumber("simulated_duration", Math.Round(result.SimulatedDuration, 10));
        w.WriteString("status", result.Status.ToText());
        w.WriteString("status_detail", result.StatusDetail);
        w.WriteNumber("total_spikes", statistics.TotalSpikes);
        w.WriteStartArray("populations");
        for (int p = 0; p < exp.Network.Populations.Count; p++)
        {
            var pop = exp.Network.Populations[p];
            w.WriteStartObject();
            w.WriteString("name", pop.Name);
            w.WriteString("kind", pop.Kind.ToString().ToLowerInvariant());
            w.WriteNumber("size", pop.Size);
            w.WriteNumber("spike_count", result.SpikeCounts[p].Sum());
            w.WriteNumber("mean_rate_per_tau", result.MeanRatePerTau(p));
            w.WriteNumber("mean_rate_hz", result.MeanRateHz(p));
            w.WriteStartArray("spike_counts");
            foreach (int c in result.SpikeCounts[p])
            {
                w.WriteNumberValue(c);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("latents");
        for (int k = 0; k < exp.Network.Latents.Count; k++)
        {
            var l = exp.Network.Latents[k];
            w.WriteStartObject();
            w.WriteString("name", l.Name);
            w.WriteString("source", l.Source);
            w.WriteNumber("final", statistics.LatentFinal[k]);
            w.WriteNumber("mean", statistics.LatentMean[k]);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
