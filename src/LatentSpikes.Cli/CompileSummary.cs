using System.Globalization;
using System.Text.Json;
using LatentSpikes.Analysis;
using LatentSpikes.Construction;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Cli;

/// <summary>
/// <c>&lt;spec&gt;.summary.json</c> beside a compiled spec: the neurons used per population, the cap on any one
/// neuron's rate, the measured per-neuron rate distribution of the verifying run (max, mean, CV of whole-run rates;
/// the largest rate over any stretch of ≥ 1 τ between two spikes of one neuron) and each output's tracking error against its target and the predicted error.
/// </summary>
internal static class CompileSummary
{
    /// <summary>One output: its latent, predicted error and (when simulated) measured error.</summary>
    public sealed record Output(string Name, string Latent, double Predicted, TrackingError? Measured);

    public static string PathFor(string specFullPath) =>
        Path.Combine(Path.GetDirectoryName(specFullPath) ?? ".", Path.GetFileNameWithoutExtension(specFullPath) + ".summary.json");

    public static string RateLine(NeuronRateStatistics r, double? maxRate) =>
        $"per-neuron rate (spikes/τ): max {Num(r.Max)}, mean {Num(r.Mean)}, CV {Num(r.Cv)} over the run; largest over any ≥ {Num(r.Window)}-τ stretch {Num(r.PeakWindowRate)}"
        + (maxRate is { } cap ? $" (cap --max-rate {Num(cap)})" : " (no --max-rate cap)");

    public static void Write(string path, Experiment exp, double? maxRate, IReadOnlyList<Output> outputs, NeuronRateStatistics? rates)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("name", exp.Name);
        w.WriteNumber("neurons", exp.Network.NeuronCount);
        w.WriteNumber("rank", exp.Network.Latents.Count);
        if (maxRate is { } cap)
        {
            w.WriteNumber("max_rate_per_tau", cap);
        }
        else
        {
            w.WriteNull("max_rate_per_tau");
        }

        w.WriteNumber("dt", exp.Settings.Dt);
        w.WriteNumber("tau_ms", exp.Settings.TauMs);
        w.WriteStartArray("populations");
        foreach (var p in exp.Network.Populations)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteString("kind", p.Kind.ToString().ToLowerInvariant());
            w.WriteNumber("size", p.Size);
            w.WriteNumber("mu", p.SoftRefractory);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("outputs");
        foreach (var o in outputs)
        {
            w.WriteStartObject();
            w.WriteString("name", o.Name);
            w.WriteString("latent", o.Latent);
            w.WriteNumber("predicted_max_error", o.Predicted);
            if (o.Measured is { } e)
            {
                w.WriteNumber("max_error", e.MaxError);
                w.WriteNumber("mean_error", e.MeanError);
                w.WriteNumber("rms_error", e.RmsError);
                w.WriteNumber("compared_from", e.From);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (rates is not null)
        {
            w.WriteStartObject("neuron_rates_per_tau");
            w.WriteNumber("neurons", rates.Neurons);
            w.WriteNumber("max", rates.Max);
            w.WriteNumber("mean", rates.Mean);
            w.WriteNumber("cv", rates.Cv);
            w.WriteNumber("peak_window_rate", rates.PeakWindowRate);
            w.WriteNumber("window", rates.Window);
            w.WriteNumber("silent", rates.Silent);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static string Num(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}
