using System.Globalization;
using System.Text;
using System.Text.Json;
using LatentSpikes.Analysis;
using LatentSpikes.Model;

namespace LatentSpikes.IO;

/// <summary>Trial statistics of every population: PSTH, smoothed rates and trial-averaged latents.</summary>
/// <param name="Psths">PSTH per population.</param>
/// <param name="Rates">Gaussian-smoothed rates per population.</param>
/// <param name="Latents">Trial-averaged latents.</param>
public sealed record PsthAnalysis(IReadOnlyList<Psth> Psths, IReadOnlyList<SmoothedRates> Rates, LatentAverages Latents);

/// <summary>Irregularity of every population.</summary>
/// <param name="Isi">ISI statistics per population.</param>
/// <param name="Counts">Spike-count statistics across trials per population; null with a single trial.</param>
/// <param name="Rates">Mean rate of each neuron in the window (spikes per τ), per population.</param>
public sealed record IrregularityAnalysis(IReadOnlyList<IsiStatistics> Isi, IReadOnlyList<CountStatistics>? Counts, IReadOnlyList<double[]> Rates);

/// <summary>Balance of every neuron, with the traces of a few example neurons.</summary>
/// <param name="Report">Per-neuron balance.</param>
/// <param name="Examples">E/I/V traces (first trial) of example neurons, with a label each.</param>
public sealed record BalanceAnalysis(BalanceReport Report, IReadOnlyList<(string Label, CurrentTrace Trace)> Examples);

/// <summary>
/// Writes analysis results as JSON (parameters and summaries; NaN written as null) and CSV (per-neuron tables and
/// time series; NaN written as <c>NaN</c>). Numbers use invariant round-trip formatting, so equal inputs give
/// byte-identical files. Every method returns the names of the files it wrote.
/// </summary>
public static partial class AnalysisWriter
{
    /// <summary>Writes <c>psth.json</c>, <c>psth.csv</c> (bins), <c>rates.csv</c> (smoothed) and <c>latents_mean.csv</c>.</summary>
    public static string[] WritePsth(PsthAnalysis analysis, LowRankNetwork network, string directory)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(network);
        var pops = network.Populations;
        var first = analysis.Psths[0];
        WriteCsv(Path.Combine(directory, "psth.csv"),
            ["t", .. pops.SelectMany(p => new[] { $"{p.Name}_rate", $"{p.Name}_sem" })],
            first.BinCentres.Length,
            j => [first.BinCentres[j], .. analysis.Psths.SelectMany(h => new[] { h.PopulationRate.Mean[j], h.PopulationRate.Sem[j] })]);
        var rates = analysis.Rates[0];
        WriteCsv(Path.Combine(directory, "rates.csv"),
            ["t", .. pops.SelectMany(p => new[] { $"{p.Name}_rate", $"{p.Name}_sem" })],
            rates.Times.Length,
            j => [rates.Times[j], .. analysis.Rates.SelectMany(r => new[] { r.PopulationRate.Mean[j], r.PopulationRate.Sem[j] })]);
        var lat = analysis.Latents;
        WriteCsv(Path.Combine(directory, "latents_mean.csv"),
            ["t", .. lat.Names.SelectMany(n => new[] { $"{n}_mean", $"{n}_sem" })],
            lat.Times.Length,
            j => [lat.Times[j], .. lat.Latents.SelectMany(l => new[] { l.Mean[j], l.Sem[j] })]);
        WriteJson(Path.Combine(directory, "psth.json"), w =>
        {
            w.WriteString("analysis", "psth");
            w.WriteString("figure", "seed 002, Figs. 6 and 10f (trial statistics)");
            w.WriteNumber("trials", first.PopulationRate.Trials);
            Number(w, "start", first.Start);
            Number(w, "bin_width", first.BinWidth);
            Number(w, "smoothing_sigma", rates.Sigma);
            w.WriteString("rate_unit", "spikes per tau per neuron");
            w.WriteStartArray("populations");
            for (int p = 0; p < pops.Count; p++)
            {
                w.WriteStartObject();
                w.WriteString("name", pops[p].Name);
                Number(w, "mean_rate", analysis.Psths[p].PopulationRate.Mean.DefaultIfEmpty(double.NaN).Average());
                Number(w, "peak_rate", analysis.Psths[p].PopulationRate.Mean.DefaultIfEmpty(double.NaN).Max());
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        return ["psth.json", "psth.csv", "rates.csv", "latents_mean.csv"];
    }

    /// <summary>Writes <c>cv.json</c> (population summaries) and <c>cv.csv</c> (one row per neuron).</summary>
    public static string[] WriteIrregularity(IrregularityAnalysis analysis, LowRankNetwork network, double start, double stop, int trials, string directory)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(network);
        var pops = network.Populations;
        var rows = new List<object[]>();
        for (int p = 0; p < pops.Count; p++)
        {
            for (int i = 0; i < pops[p].Size; i++)
            {
                var isi = analysis.Isi[p].Neurons[i];
                var c = analysis.Counts?[p];
                rows.Add([pops[p].Name, i, analysis.Rates[p][i], isi.Intervals, isi.Cv, c?.Mean[i] ?? double.NaN, c?.Cv[i] ?? double.NaN, c?.Fano[i] ?? double.NaN]);
            }
        }

        WriteTable(Path.Combine(directory, "cv.csv"), ["population", "neuron", "rate", "isi_intervals", "isi_cv", "count_mean", "count_cv", "fano"], rows);
        WriteJson(Path.Combine(directory, "cv.json"), w =>
        {
            w.WriteString("analysis", "cv");
            w.WriteString("figure", "seed 002, §3.2, App. F and Fig. S2 (irregularity)");
            w.WriteNumber("trials", trials);
            Number(w, "start", start);
            Number(w, "stop", stop);
            w.WriteStartArray("populations");
            for (int p = 0; p < pops.Count; p++)
            {
                var isi = analysis.Isi[p];
                w.WriteStartObject();
                w.WriteString("name", pops[p].Name);
                Number(w, "mean_rate", analysis.Rates[p].DefaultIfEmpty(double.NaN).Average());
                Number(w, "isi_mean_cv", isi.MeanCv);
                w.WriteNumber("isi_neurons_counted", isi.NeuronsCounted);
                w.WriteNumber("isi_min_intervals", isi.MinIntervals);
                Number(w, "isi_pooled_cv", isi.PooledCv);
                if (analysis.Counts is { } counts)
                {
                    Number(w, "count_mean_cv", counts[p].MeanCv);
                    Number(w, "count_mean_fano", counts[p].MeanFano);
                }
                else
                {
                    w.WriteNull("count_mean_cv");
                    w.WriteNull("count_mean_fano");
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (analysis.Counts is null)
            {
                w.WriteString("note", "spike-count CV and Fano factor need several trials: pass several run directories");
            }
        });
        return ["cv.json", "cv.csv"];
    }

    /// <summary>Writes <c>balance.json</c>, <c>balance.csv</c> (one row per neuron) and <c>balance_traces.csv</c>.</summary>
    public static string[] WriteBalance(BalanceAnalysis analysis, LowRankNetwork network, string directory)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(network);
        var report = analysis.Report;
        var pops = network.Populations;
        WriteTable(Path.Combine(directory, "balance.csv"),
            ["population", "neuron", "spikes", "mean_e", "mean_i", "mean_v", "max_v", "correlation", "net_to_gross", "silent", "hyperpolarised"],
            report.Neurons.Select(n => new object[] { pops[n.Population].Name, n.Neuron, n.Spikes, n.MeanExcitatory, n.MeanInhibitory, n.MeanVoltage, n.MaxVoltage, n.Correlation, n.NetToGross, n.Silent, n.Hyperpolarised }).ToList());
        if (analysis.Examples.Count > 0)
        {
            var times = analysis.Examples[0].Trace.Times;
            WriteCsv(Path.Combine(directory, "balance_traces.csv"),
                ["t", .. analysis.Examples.SelectMany(e => new[] { $"{e.Label}_e", $"{e.Label}_i", $"{e.Label}_v" })],
                times.Length,
                j => [times[j], .. analysis.Examples.SelectMany(e => new[] { e.Trace.Excitatory[j], e.Trace.Inhibitory[j], e.Trace.Voltage[j] })]);
        }

        WriteJson(Path.Combine(directory, "balance.json"), w =>
        {
            w.WriteString("analysis", "balance");
            w.WriteString("figure", "seed 002, §3.4 and Fig. 8d (balance)");
            w.WriteString("convention", "V = E + I: every term of V = F·x + b + Σ_k E_k·y_k + stimulation − μ·r (noise excluded) is counted as excitatory when positive and inhibitory when negative, at each time");
            w.WriteNumber("trials", report.Trials);
            Number(w, "start", report.Start);
            Number(w, "stop", report.Stop);
            Number(w, "hyperpolarisation_margin", report.Margin);
            Number(w, "active_mean_correlation", report.ActiveMeanCorrelation);
            Number(w, "active_mean_net_to_gross", report.ActiveMeanNetToGross);
            w.WriteNumber("silent", report.Neurons.Count(n => n.Silent));
            w.WriteNumber("hyperpolarised", report.HyperpolarisedCount);
            w.WriteStartArray("hyperpolarised_neurons");
            foreach (var n in report.Neurons.Where(n => n.Hyperpolarised))
            {
                w.WriteStartObject();
                w.WriteString("population", pops[n.Population].Name);
                w.WriteNumber("neuron", n.Neuron);
                Number(w, "mean_v", n.MeanVoltage);
                Number(w, "max_v", n.MaxVoltage);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("examples");
            foreach (var (label, trace) in analysis.Examples)
            {
                w.WriteStartObject();
                w.WriteString("label", label);
                w.WriteString("population", pops[trace.Population].Name);
                w.WriteNumber("neuron", trace.Neuron);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        return analysis.Examples.Count > 0 ? ["balance.json", "balance.csv", "balance_traces.csv"] : ["balance.json", "balance.csv"];
    }

    /// <summary>Writes <c>nullspace.json</c> (variances per population) and <c>nullspace.csv</c> (first-trial projections).</summary>
    public static string[] WriteNullspace(IReadOnlyList<NullspaceReport> reports, LowRankNetwork network, string directory)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(network);
        var pops = network.Populations;
        if (reports.Count > 0)
        {
            // Populations share the recording grid, so one time column serves all of them.
            var times = reports[0].Times;
            var header = new List<string> { "t" };
            foreach (var r in reports)
            {
                string name = pops[r.Population].Name;
                header.AddRange(Enumerable.Range(0, r.DecoderDimensions).Select(d => $"{name}_readout{d + 1}"));
                header.Add($"{name}_null_top");
            }

            WriteCsv(Path.Combine(directory, "nullspace.csv"), header, times.Length,
                j => [times[j], .. reports.SelectMany(r => r.ReadoutProjections.Select(p => p[j]).Append(r.TopNullspaceProjection[j]))]);
        }

        WriteJson(Path.Combine(directory, "nullspace.json"), w =>
        {
            w.WriteString("analysis", "nullspace");
            w.WriteString("figure", "seed 002, §3.3 and Fig. 7 (decoder nullspace)");
            w.WriteStartArray("populations");
            foreach (var r in reports)
            {
                w.WriteStartObject();
                w.WriteString("name", pops[r.Population].Name);
                w.WriteNumber("trials", r.Trials);
                Number(w, "start", r.Start);
                Number(w, "stop", r.Stop);
                Number(w, "filter_tau", r.FilterTau);
                w.WriteNumber("samples_per_trial", r.Samples);
                w.WriteNumber("readout_dimensions", r.DecoderDimensions);
                w.WriteNumber("null_dimensions", r.NullDimensions);
                Number(w, "readout_variance", r.ReadoutVariance);
                Number(w, "readout_variance_per_dimension", r.ReadoutVariancePerDimension);
                Number(w, "null_variance", r.NullspaceVariance);
                Number(w, "null_variance_per_dimension", r.NullspaceVariancePerDimension);
                Number(w, "null_top_variance", r.TopNullspaceVariance);
                Number(w, "top_to_readout_ratio", r.TopRatio);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        return reports.Count > 0 ? ["nullspace.json", "nullspace.csv"] : ["nullspace.json"];
    }

    /// <summary>Writes <c>sweep.json</c> and <c>sweep.csv</c>: count CV against noise, recurrent and feedforward (Fig. S2b).</summary>
    public static string[] WriteNoiseSweep(NoiseSweep sweep, LowRankNetwork network, string directory)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(network);
        var order = network.Populations.SelectMany((p, pi) => Enumerable.Range(0, p.Size).Select(i => (pi, i))).ToList();
        int focus = order.IndexOf((sweep.Population, sweep.Neuron));
        WriteCsv(Path.Combine(directory, "sweep.csv"),
            ["sigma", "recurrent_cv", "feedforward_cv", "recurrent_mean_count", "feedforward_mean_count", "recurrent_fano", "feedforward_fano", "recurrent_population_mean_cv", "feedforward_population_mean_cv"],
            sweep.Points.Count,
            j =>
            {
                var p = sweep.Points[j];
                return [p.Sigma, p.RecurrentCv, p.FeedforwardCv, p.Recurrent.Mean[focus], p.Feedforward.Mean[focus], p.Recurrent.Fano[focus], p.Feedforward.Fano[focus], p.Recurrent.MeanCv, p.Feedforward.MeanCv];
            });
        WriteJson(Path.Combine(directory, "sweep.json"), w =>
        {
            w.WriteString("analysis", "sweep");
            w.WriteString("figure", "seed 002, App. F and Fig. S2 (irregularity: recurrent versus feedforward)");
            w.WriteString("feedforward_variant", "recurrent weights between neurons set to zero; each neuron keeps its self-reset E·D − μ, input, bias and noise");
            w.WriteString("population", network.Populations[sweep.Population].Name);
            w.WriteNumber("neuron", sweep.Neuron);
            w.WriteNumber("trials", sweep.Trials);
            Number(w, "start", sweep.Start);
            Number(w, "stop", sweep.Stop);
            w.WriteStartArray("points");
            foreach (var p in sweep.Points)
            {
                w.WriteStartObject();
                Number(w, "sigma", p.Sigma);
                Number(w, "recurrent_cv", p.RecurrentCv);
                Number(w, "feedforward_cv", p.FeedforwardCv);
                Number(w, "recurrent_mean_count", p.Recurrent.Mean[focus]);
                Number(w, "feedforward_mean_count", p.Feedforward.Mean[focus]);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        return ["sweep.json", "sweep.csv"];
    }

    /// <summary>Writes a JSON number, or null when it is not finite (JSON has no NaN).</summary>
    public static void Number(Utf8JsonWriter writer, string name, double value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    /// <summary>Writes a JSON file with the tool/version/time-unit header every analysis file carries, then <paramref name="body"/>.</summary>
    internal static void WriteJson(string path, Action<Utf8JsonWriter> body)
    {
        using var stream = System.IO.File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("tool", "latentspikes");
        w.WriteString("version", RunWriter.ToolVersion);
        w.WriteString("time_unit", "tau");
        body(w);
        w.WriteEndObject();
    }

    /// <summary>Writes a numeric CSV: the header, then <paramref name="rows"/> rows (non-finite values as empty cells).</summary>
    internal static void WriteCsv(string path, IReadOnlyList<string> header, int rows, Func<int, double[]> row)
    {
        using var w = CsvWriter(path);
        w.WriteLine(string.Join(',', header));
        for (int j = 0; j < rows; j++)
        {
            w.WriteLine(string.Join(',', row(j).Select(Num)));
        }
    }

    /// <summary>A UTF-8 (no BOM), '\n'-terminated writer with a large buffer, as every CSV of the tool uses.</summary>
    internal static StreamWriter CsvWriter(string path) => new(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };

    private static void WriteTable(string path, IReadOnlyList<string> header, IReadOnlyList<object[]> rows)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.NewLine = "\n";
        w.WriteLine(string.Join(',', header));
        foreach (var row in rows)
        {
            w.WriteLine(string.Join(',', row.Select(Cell)));
        }
    }

    private static string Cell(object value) => value switch
    {
        double d => Num(d),
        int i => i.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
