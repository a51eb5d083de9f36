using System.Globalization;
using System.Text;
using System.Text.Json;
using LatentSpikes.Analysis;
using LatentSpikes.Model;
using LatentSpikes.Rate;

namespace LatentSpikes.IO;

/// <summary>
/// Writes the rate-twin analyses (seed 002, §4) as JSON and CSV: the twin against the spiking trials
/// (<c>rate.json</c>, <c>rate_latents.csv</c>, <c>rate_neurons.csv</c>), the E-I nullclines (<c>nullclines.json</c>,
/// <c>nullclines.csv</c>) and rank-1 soft boundaries (<c>soft_boundary.json</c>, <c>soft_boundary.csv</c>).
/// Numbers use invariant round-trip formatting; non-finite values are JSON null and empty CSV cells.
/// </summary>
public static class RateWriter
{
    /// <summary>Writes the agreement of the twin with the spiking trials; returns the file names written.</summary>
    public static string[] WriteAgreement(RateAgreement agreement, LowRankNetwork network, string directory)
    {
        ArgumentNullException.ThrowIfNull(agreement);
        ArgumentNullException.ThrowIfNull(network);
        Json(Path.Combine(directory, "rate.json"), w =>
        {
            w.WriteString("analysis", "rate");
            w.WriteString("figure", "seed 002, §4.3 and Fig. 10d-f (rate twin against trial-averaged spiking)");
            w.WriteNumber("trials", agreement.Trials);
            Number(w, "start", agreement.Start);
            Number(w, "stop", agreement.Stop);
            Number(w, "smooth", agreement.Smooth);
            Number(w, "readout_error", agreement.ReadoutError);
            w.WriteString("readout_error_meaning", "largest over latents of RMS(twin − spiking trial mean) / range of the spiking trial mean over the window");
            Number(w, "rate_correlation", agreement.RateCorrelation);
            w.WriteStartArray("populations");
            for (int p = 0; p < network.Populations.Count; p++)
            {
                var pop = network.Populations[p];
                var neurons = agreement.Neurons.Where(n => n.Population == p).ToArray();
                w.WriteStartObject();
                w.WriteString("name", pop.Name);
                Number(w, "twin_mean_rate", neurons.Length > 0 ? neurons.Average(n => n.TwinMeanRate) : double.NaN);
                Number(w, "spiking_mean_rate", neurons.Length > 0 ? neurons.Average(n => n.SpikingMeanRate) : double.NaN);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("latents");
            foreach (var l in agreement.Latents)
            {
                w.WriteStartObject();
                w.WriteString("name", l.Name);
                Number(w, "rms_error", l.RmsError);
                Number(w, "max_error", l.MaxError);
                Number(w, "range", l.Range);
                Number(w, "normalised_rms_error", l.NormalisedRmsError);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });

        var header = new List<string> { "t" };
        foreach (var l in agreement.Latents)
        {
            header.AddRange([$"{l.Name}_twin", $"{l.Name}_spiking_mean", $"{l.Name}_spiking_sem"]);
        }

        Csv(Path.Combine(directory, "rate_latents.csv"), header, agreement.Times.Length, j =>
        {
            var row = new List<double> { agreement.Times[j] };
            foreach (var l in agreement.Latents)
            {
                row.AddRange([l.Twin[j], l.Spiking.Mean[j], l.Spiking.Sem[j]]);
            }

            return [.. row];
        });
        using (var w = Writer(Path.Combine(directory, "rate_neurons.csv")))
        {
            w.WriteLine("population,neuron,twin_mean_rate,spiking_mean_rate,correlation");
            foreach (var n in agreement.Neurons)
            {
                w.WriteLine($"{network.Populations[n.Population].Name},{n.Neuron.ToString(CultureInfo.InvariantCulture)},{Num(n.TwinMeanRate)},{Num(n.SpikingMeanRate)},{Num(n.Correlation)}");
            }
        }

        return ["rate.json", "rate_latents.csv", "rate_neurons.csv"];
    }

    /// <summary>Writes the nullclines and fixed points for one or more β; returns the file names written.</summary>
    public static string[] WriteNullclines(IReadOnlyList<NullclineSet> sets, string excitatoryLatent, string inhibitoryLatent, string directory)
    {
        ArgumentNullException.ThrowIfNull(sets);
        Json(Path.Combine(directory, "nullclines.json"), w =>
        {
            w.WriteString("analysis", "nullclines");
            w.WriteString("figure", "seed 002, §4.4 and Fig. 11c-f (nullclines of the E-I rate twin, eq. 4.12-4.13)");
            w.WriteString("excitatory_latent", excitatoryLatent);
            w.WriteString("inhibitory_latent", inhibitoryLatent);
            w.WriteStartArray("sets");
            foreach (var s in sets)
            {
                w.WriteStartObject();
                Number(w, "x", s.X);
                Number(w, "beta_e", s.BetaE);
                Number(w, "beta_i", s.BetaI);
                w.WriteStartArray("fixed_points");
                foreach (var f in s.FixedPoints)
                {
                    w.WriteStartObject();
                    Number(w, "y_e", f.YE);
                    Number(w, "y_i", f.YI);
                    w.WriteString("kind", f.Kind.ToString().ToLowerInvariant());
                    Number(w, "eigenvalue1_re", f.Eigenvalue1.Real);
                    Number(w, "eigenvalue1_im", f.Eigenvalue1.Imaginary);
                    Number(w, "eigenvalue2_re", f.Eigenvalue2.Real);
                    Number(w, "eigenvalue2_im", f.Eigenvalue2.Imaginary);
                    Number(w, "residual", f.Residual);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        using (var w = Writer(Path.Combine(directory, "nullclines.csv")))
        {
            w.WriteLine("beta_e,beta_i,y_e,y_i_on_i_nullcline,y_i_on_e_nullcline");
            foreach (var s in sets)
            {
                for (int j = 0; j < s.YE.Length; j++)
                {
                    w.WriteLine($"{Num(s.BetaE)},{Num(s.BetaI)},{Num(s.YE[j])},{Num(s.InhibitoryNullcline[j])},{Num(s.ExcitatoryNullcline[j])}");
                }
            }
        }

        return ["nullclines.json", "nullclines.csv"];
    }

    /// <summary>Writes soft boundaries of rank-1 populations; returns the file names written.</summary>
    public static string[] WriteSoftBoundaries(IReadOnlyList<SoftBoundary> boundaries, string directory)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        Json(Path.Combine(directory, "soft_boundary.json"), w =>
        {
            w.WriteString("analysis", "soft_boundary");
            w.WriteString("figure", "seed 002, §4.2 and Fig. 9e-f, 11a-b (drift of a rank-1 latent: sigmoid plus leak, eq. 4.9)");
            w.WriteStartArray("populations");
            foreach (var b in boundaries)
            {
                w.WriteStartObject();
                w.WriteString("population", b.Population);
                w.WriteString("latent", b.Latent);
                Number(w, "x", b.X);
                Number(w, "beta", b.Beta);
                Number(w, "tau_s", b.SynapseTau);
                Number(w, "hard_boundary", b.HardBoundary);
                w.WriteStartArray("fixed_points");
                foreach (double f in b.FixedPoints)
                {
                    w.WriteNumberValue(f);
                }

                w.WriteEndArray();
                w.WriteNumber("trials", b.Trials);
                Number(w, "rms_error", b.RmsError);
                Number(w, "drift_range", b.DriftRange);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        using (var w = Writer(Path.Combine(directory, "soft_boundary.csv")))
        {
            w.WriteLine("population,kind,y,drift");
            foreach (var b in boundaries)
            {
                for (int j = 0; j < b.Grid.Length; j++)
                {
                    w.WriteLine($"{b.Population},predicted,{Num(b.Grid[j])},{Num(b.Predicted[j])}");
                }

                for (int j = 0; j < b.BinCentres.Length; j++)
                {
                    if (b.Samples[j] > 0)
                    {
                        w.WriteLine($"{b.Population},spiking,{Num(b.MeanLatent[j])},{Num(b.MeanDerivative[j])}");
                    }
                }
            }
        }

        return ["soft_boundary.json", "soft_boundary.csv"];
    }

    private static void Json(string path, Action<Utf8JsonWriter> body) => AnalysisWriter.WriteJson(path, body);

    private static void Csv(string path, IReadOnlyList<string> header, int rows, Func<int, double[]> row) => AnalysisWriter.WriteCsv(path, header, rows, row);

    private static StreamWriter Writer(string path) => AnalysisWriter.CsvWriter(path);

    private static void Number(Utf8JsonWriter w, string name, double value) => AnalysisWriter.Number(w, name, value);

    private static string Num(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty;
}
