using System.Globalization;
using System.Text;
using System.Text.Json;
using LatentSpikes.Specs;
using LatentSpikes.Srm0;

namespace LatentSpikes.IO;

/// <summary>
/// Writes an SRM0 layer-stack run (seed 000) as plain files: <c>outputs.csv</c> (the K output membranes of every
/// network simulated, per time step), <c>spikes.csv</c> (the sampled spiking neurons), <c>summary.json</c> (MADs
/// between the networks, mean |y|, layer rates) and <c>spec.yaml</c> (the experiment as run, every field written
/// out). Numbers use invariant round-trip formatting and nothing time- or machine-dependent is written, so the same
/// seed gives byte-identical files whatever the thread count.
/// </summary>
public static class LayerStackRunWriter
{
    /// <summary>The files a run writes.</summary>
    public static readonly string[] DataFiles = ["outputs.csv", "spikes.csv", "summary.json", RunWriter.SpecCopyFile];

    private static readonly (Srm0Networks Network, string Key)[] Networks =
    [
        (Srm0Networks.Spiking, "snn"),
        (Srm0Networks.GeneralisedRate, "gr"),
        (Srm0Networks.ConventionalRate, "cr"),
    ];

    /// <summary>The short name of a network in file headers and JSON keys: snn, gr or cr.</summary>
    public static string Key(Srm0Networks network) => Networks.First(x => x.Network == network).Key;

    /// <summary>The networks simulated in <paramref name="run"/>, in the order SNN, GR, CR.</summary>
    public static IReadOnlyList<Srm0Networks> Simulated(MultilayerRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Networks.Select(x => x.Network).Where(x => (run.Networks & x) != 0).ToArray();
    }

    /// <summary>Writes the four files into <paramref name="directory"/>.</summary>
    public static void WriteAll(LayerStackExperiment experiment, MultilayerRun run, RunProvenance provenance, string directory)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(provenance);
        WriteOutputs(run, Path.Combine(directory, "outputs.csv"));
        WriteSpikes(run, Path.Combine(directory, "spikes.csv"));
        WriteSummary(experiment, run, provenance, Path.Combine(directory, "summary.json"));
        string spec = $"# The experiment simulated in this run, from {provenance.SpecFile} (sha256 {provenance.SpecHash}), with the run's settings.\n"
                      + LayerStackSpec.Write(experiment);
        File.WriteAllText(Path.Combine(directory, RunWriter.SpecCopyFile), spec.Replace("\r\n", "\n", StringComparison.Ordinal), new UTF8Encoding(false));
    }

    /// <summary>Writes <c>outputs.csv</c>: t_ms (0 at the end of the warm-up), then y1..yK of each network (e.g. snn_y1, gr_y1, cr_y1).</summary>
    public static void WriteOutputs(MultilayerRun run, string path)
    {
        ArgumentNullException.ThrowIfNull(run);
        var networks = Simulated(run);
        int k = run.Network.Parameters.Latents;
        var traces = networks.Select(run.Outputs).ToArray();
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.NewLine = "\n";
        w.WriteLine("t_ms," + string.Join(',', networks.SelectMany(x => Enumerable.Range(1, k).Select(q => $"{Key(x)}_y{q}"))));
        var sb = new StringBuilder(256);
        for (int t = 0; t < run.RecordedSteps; t++)
        {
            sb.Clear();
            sb.Append(Num(Math.Round(run.TimeMs(t), 10)));
            foreach (var y in traces)
            {
                for (int q = 0; q < k; q++)
                {
                    sb.Append(',').Append(Num(y[q][t]));
                }
            }

            w.WriteLine(sb);
        }
    }

    /// <summary>Writes <c>spikes.csv</c>: t_ms, layer (1-based), neuron of every sampled spike of the spiking network.</summary>
    public static void WriteSpikes(MultilayerRun run, string path)
    {
        ArgumentNullException.ThrowIfNull(run);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.NewLine = "\n";
        w.WriteLine("t_ms,layer,neuron");
        foreach (var s in run.SampledSpikes)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Num(Math.Round(run.TimeMs(s.Step), 10))},{s.Layer + 1},{s.Neuron}"));
        }
    }

    /// <summary>Writes <c>summary.json</c>: the parameters that matter, the MAD between every pair of networks, mean |y| and the layer rates.</summary>
    public static void WriteSummary(LayerStackExperiment experiment, MultilayerRun run, RunProvenance provenance, string path)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(provenance);
        var p = experiment.Network;
        var networks = Simulated(run);
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        RunWriter.WriteModelHeader(w, "srm0-multilayer", experiment.Name, provenance, experiment.Seed);
        w.WriteNumber("trial", run.Options.Trial);
        w.WriteNumber("neurons_per_layer", p.NeuronsPerLayer);
        w.WriteNumber("latents", p.Latents);
        w.WriteNumber("hidden_layers", p.HiddenLayers);
        w.WriteNumber("dt_ms", p.Neuron.DtMs);
        w.WriteNumber("warm_up_ms", run.Options.WarmUpMs);
        w.WriteNumber("duration_ms", run.Options.DurationMs);
        w.WriteNumber("recorded_steps", run.RecordedSteps);
        w.WriteNumber("decoder_gain", run.Network.DecoderGain);
        w.WriteNumber("stationary_rate_at_bias_hz", run.Network.Gain.Evaluate(p.Bias));
        w.WriteStartArray("networks");
        foreach (var x in networks)
        {
            w.WriteStringValue(Key(x));
        }

        w.WriteEndArray();
        w.WriteStartObject("mean_abs_output");
        foreach (var x in networks)
        {
            w.WriteNumber(Key(x), run.MeanAbsoluteOutput(x));
        }

        w.WriteEndObject();

        // Every pair, e.g. snn_gr: the seed-000 claim is that snn_gr falls like √(K/N) while snn_cr stays near gr_cr.
        w.WriteStartObject("mad");
        for (int a = 0; a < networks.Count; a++)
        {
            for (int b = a + 1; b < networks.Count; b++)
            {
                w.WriteNumber($"{Key(networks[a])}_{Key(networks[b])}", run.MeanAbsoluteDifference(networks[a], networks[b]));
            }
        }

        w.WriteEndObject();
        w.WriteStartObject("layer_rates_hz");
        foreach (var x in networks)
        {
            w.WriteStartArray(Key(x));
            foreach (double r in run.LayerRatesHz(x))
            {
                w.WriteNumberValue(r);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteNumber("spike_sample_per_layer", run.Options.SpikeSample);
        w.WriteNumber("sampled_spikes", run.SampledSpikes.Count);
        w.WriteEndObject();
    }

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
