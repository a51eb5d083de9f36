using System.Globalization;
using System.Text;
using System.Text.Json;
using LatentSpikes.Simulation;

namespace LatentSpikes.IO;

/// <summary>
/// Writes a batch of trials of one experiment as long-format files that load with one call in NumPy or pandas:
/// <c>spikes.csv</c> (trial, t, population, neuron), <c>latents-mean.csv</c> (t, x1..xM, every latent averaged over
/// the trials still running at t), <c>trials.csv</c> (one row per trial: status, duration, spike count and mean rate
/// per population), <c>summary.json</c> and the spec copy <c>spec.yaml</c> (see <see cref="RunWriter.WriteSpecCopy"/>),
/// from which <see cref="RunReader"/> rebuilds every trial. Deterministic: the same seed and trial range give the same bytes.
/// </summary>
public static class TrialsWriter
{
    /// <summary>Files written by <see cref="WriteAll"/>.</summary>
    public static readonly string[] Files = ["spikes.csv", "latents-mean.csv", "trials.csv", "summary.json", RunWriter.SpecCopyFile];

    /// <summary>Writes the batch into <paramref name="directory"/>.</summary>
    /// <param name="trials">The trials, in order; trial index = <paramref name="firstTrial"/> + position.</param>
    /// <param name="firstTrial">Index of the first trial.</param>
    /// <param name="provenance">Spec file and hash.</param>
    /// <param name="directory">Existing directory to write into.</param>
    public static void WriteAll(IReadOnlyList<SimulationResult> trials, ulong firstTrial, RunProvenance provenance, string directory)
    {
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(provenance);
        if (trials.Count == 0)
        {
            throw new ArgumentException("a batch needs at least one trial", nameof(trials));
        }

        var exp = trials[0].Experiment;
        var pops = exp.Network.Populations;
        using (var w = Open(Path.Combine(directory, "spikes.csv")))
        {
            w.WriteLine("trial,t,population,neuron");
            for (int r = 0; r < trials.Count; r++)
            {
                string trial = (firstTrial + (ulong)r).ToString(CultureInfo.InvariantCulture);
                foreach (var s in trials[r].Spikes)
                {
                    w.Write(trial);
                    w.Write(',');
                    w.Write(Num(Math.Round(s.Time, 10)));
                    w.Write(',');
                    w.Write(pops[s.Population].Name);
                    w.Write(',');
                    w.WriteLine(s.Neuron.ToString(CultureInfo.InvariantCulture));
                }
            }
        }

        WriteMeanLatents(trials, Path.Combine(directory, "latents-mean.csv"));

        using (var w = Open(Path.Combine(directory, "trials.csv")))
        {
            w.WriteLine("trial,status,simulated_duration,total_spikes," + string.Join(',', pops.Select(p => $"spikes_{p.Name},rate_per_tau_{p.Name}")));
            for (int r = 0; r < trials.Count; r++)
            {
                var t = trials[r];
                var sb = new StringBuilder();
                sb.Append((firstTrial + (ulong)r).ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(t.Status.ToText()).Append(',')
                    .Append(Num(Math.Round(t.SimulatedDuration, 10))).Append(',')
                    .Append(t.Spikes.Count.ToString(CultureInfo.InvariantCulture));
                for (int p = 0; p < pops.Count; p++)
                {
                    sb.Append(',').Append(t.SpikeCounts[p].Sum().ToString(CultureInfo.InvariantCulture)).Append(',').Append(Num(t.MeanRatePerTau(p)));
                }

                w.WriteLine(sb);
            }
        }

        WriteSummary(trials, firstTrial, provenance, Path.Combine(directory, "summary.json"));
        RunWriter.WriteSpecCopy(trials[0], provenance, Path.Combine(directory, RunWriter.SpecCopyFile));
    }

    private static void WriteMeanLatents(IReadOnlyList<SimulationResult> trials, string path)
    {
        var net = trials[0].Experiment.Network;
        int m = net.InputDimension, k = net.Latents.Count;
        var longest = trials.MaxBy(t => t.Times.Count)!;
        int rows = longest.Times.Count;
        var sum = new double[rows * (m + k)];
        var count = new int[rows];
        foreach (var t in trials)
        {
            for (int r = 0; r < t.Times.Count; r++)
            {
                count[r]++;
                for (int d = 0; d < m; d++)
                {
                    sum[(r * (m + k)) + d] += t.InputsFlat[(r * m) + d];
                }

                for (int l = 0; l < k; l++)
                {
                    sum[(r * (m + k)) + m + l] += t.LatentsFlat[(r * k) + l];
                }
            }
        }

        using var w = Open(path);
        w.WriteLine(string.Join(',', Enumerable.Repeat("t", 1).Concat(Enumerable.Range(1, m).Select(i => $"x{i}")).Concat(net.Latents.Select(l => l.Name)).Append("trials")));
        var sb = new StringBuilder();
        for (int r = 0; r < rows; r++)
        {
            sb.Clear();
            sb.Append(Num(Math.Round(longest.Times[r], 10)));
            for (int c = 0; c < m + k; c++)
            {
                sb.Append(',').Append(Num(sum[(r * (m + k)) + c] / count[r]));
            }

            sb.Append(',').Append(count[r].ToString(CultureInfo.InvariantCulture));
            w.WriteLine(sb);
        }
    }

    private static void WriteSummary(IReadOnlyList<SimulationResult> trials, ulong firstTrial, RunProvenance provenance, string path)
    {
        var exp = trials[0].Experiment;
        var s = exp.Settings;
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("tool", "latentspikes");
        w.WriteString("version", RunWriter.ToolVersion);
        w.WriteString("engine", trials[0].Engine);
        w.WriteString("name", exp.Name);
        w.WriteStartObject("spec");
        w.WriteString("file", provenance.SpecFile);
        w.WriteString("sha256", provenance.SpecHash);
        w.WriteString("copy", RunWriter.SpecCopyFile);
        w.WriteEndObject();
        w.WriteNumber("seed", s.Seed);
        w.WriteNumber("first_trial", firstTrial);
        w.WriteNumber("trials", trials.Count);
        w.WriteNumber("exploded_trials", trials.Count(t => t.Status == SimulationStatus.Exploded));
        w.WriteNumber("non_finite_trials", trials.Count(t => t.Status == SimulationStatus.NonFinite));
        w.WriteNumber("dt", s.Dt);
        w.WriteNumber("duration", s.Duration);
        w.WriteNumber("tau_ms", s.TauMs);
        w.WriteString("time_unit", "tau");
        w.WriteNumber("total_spikes", trials.Sum(t => (long)t.Spikes.Count));
        w.WriteStartArray("populations");
        for (int p = 0; p < exp.Network.Populations.Count; p++)
        {
            var pop = exp.Network.Populations[p];
            double[] rates = trials.Select(t => t.MeanRatePerTau(p)).ToArray();
            double mean = rates.Average();
            double sd = rates.Length > 1 ? Math.Sqrt(rates.Sum(r => (r - mean) * (r - mean)) / (rates.Length - 1)) : 0;
            w.WriteStartObject();
            w.WriteString("name", pop.Name);
            w.WriteString("kind", pop.Kind.ToString().ToLowerInvariant());
            w.WriteNumber("size", pop.Size);
            w.WriteNumber("mean_rate_per_tau", mean);
            w.WriteNumber("sd_rate_per_tau_across_trials", sd);
            w.WriteNumber("mean_rate_hz", mean * 1000.0 / s.TauMs);
            w.WriteStartArray("mean_spike_counts");
            for (int i = 0; i < pop.Size; i++)
            {
                w.WriteNumberValue(trials.Average(t => (double)t.SpikeCounts[p][i]));
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static StreamWriter Open(string path) => new(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
