using System.Text.Json;
using System.Text.Json.Serialization;
using LatentSpikes.Balanced;
using LatentSpikes.Specs;

namespace LatentSpikes.IO;

/// <summary>
/// Writes a seed-001 run directory the way the other models write theirs: <c>summary.json</c> (the shared header of
/// <see cref="RunWriter.WriteModelHeader"/>, the time unit, the status and the headline numbers), <c>balanced.json</c>
/// (the full report) and <c>spec.yaml</c> (the run as a <c>balanced:</c> spec), every JSON key in snake_case.
/// </summary>
public static class BalancedRunWriter
{
    /// <summary>The data files a run writes (the figure, balanced.png, is the caller's).</summary>
    public static readonly string[] DataFiles = ["summary.json", "balanced.json", RunWriter.SpecCopyFile];

    /// <summary>The model name in summary.json.</summary>
    public const string Model = "balanced-ei";

    private static readonly JsonSerializerOptions ReportJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the three data files into <paramref name="directory"/>.</summary>
    public static void WriteAll(BalancedRun run, BalancedReport report, RunProvenance provenance, string directory)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(provenance);
        File.WriteAllText(Path.Combine(directory, "balanced.json"), JsonSerializer.Serialize(report, ReportJson));
        File.WriteAllText(Path.Combine(directory, RunWriter.SpecCopyFile), BalancedSpec.Write(run));
        WriteSummary(run, report, provenance, Path.Combine(directory, "summary.json"));
    }

    private static void WriteSummary(BalancedRun run, BalancedReport report, RunProvenance provenance, string path)
    {
        var p = run.Parameters;
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        RunWriter.WriteModelHeader(w, Model, run.Name, provenance, p.Seed);
        w.WriteString("time_unit", BalancedRun.TimeUnit);
        w.WriteString("status", "completed");
        w.WriteString("mode", run.Mode);
        w.WriteBoolean("balanced", p.IsBalanced);
        w.WriteNumber("neurons_e", p.ExcitatoryCount);
        w.WriteNumber("neurons_i", p.InhibitoryCount);
        w.WriteNumber("k", p.K);
        w.WriteNumber("dt", p.Dt);
        w.WriteNumber("simulated", report.SimulatedSeconds);
        w.WriteStartArray("thresholds");
        foreach (double t in report.Thresholds)
        {
            w.WriteNumberValue(t);
        }

        w.WriteEndArray();
        w.WriteString("report", "balanced.json");
        w.WriteEndObject();
    }
}
