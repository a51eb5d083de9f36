using LatentSpikes.Analysis;
using LatentSpikes.Model;

namespace LatentSpikes.IO;

// The simulating Fig. 8 analyses: mistuning (Fig. 8f) and the inhibition-stabilisation protocol (Fig. 8b-c).
public static partial class AnalysisWriter
{
    /// <summary>
    /// Writes <c>mistuning.json</c>, <c>mistuning.csv</c> (one row per angle: MSE mean and SEM, per population and
    /// averaged, and the mean readouts) and <c>mistuning_trials.csv</c> (one row per angle and trial).
    /// </summary>
    public static string[] WriteMistuning(MistuningSweep sweep, string directory)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        string yE = Population.LatentNameOf(sweep.Excitatory), yI = Population.LatentNameOf(sweep.Inhibitory);
        WriteCsv(Path.Combine(directory, "mistuning.csv"),
            ["angle", "mse_mean", "mse_sem", $"mse_{yE}_mean", $"mse_{yE}_sem", $"mse_{yI}_mean", $"mse_{yI}_sem", $"{yE}_mean", $"{yE}_sem", $"{yI}_mean", $"{yI}_sem"],
            sweep.Points.Count,
            j =>
            {
                var p = sweep.Points[j];
                return [p.Angle, p.Mse.Mean, p.Mse.Sem, p.MseE.Mean, p.MseE.Sem, p.MseI.Mean, p.MseI.Sem, p.MeanYE.Mean, p.MeanYE.Sem, p.MeanYI.Mean, p.MeanYI.Sem];
            });
        var rows = sweep.Points.SelectMany(p => p.Trials.Select((t, r) => new object[] { p.Angle, r, t.MseE, t.MseI, t.Mse, t.MeanYE, t.MeanYI })).ToArray();
        WriteTable(Path.Combine(directory, "mistuning_trials.csv"), ["angle", "trial", $"mse_{yE}", $"mse_{yI}", "mse", $"{yE}_mean", $"{yI}_mean"], rows);
        WriteJson(Path.Combine(directory, "mistuning.json"), w =>
        {
            w.WriteString("analysis", "mistuning");
            w.WriteString("figure", "seed 002, §3.5 and Fig. 8f (mistuned cross-connections amplify noise)");
            w.WriteString("construction", "cross-decoders D^IE = D^E + tan(angle)·|D^E|·u_E and D^EI = D^I + tan(angle)·|D^I|·u_I, u a random unit vector orthogonal to the self-decoder, drawn per trial");
            w.WriteString("mse", "mean over the window of (y − y*)², y* the rank-2 boundary crossing at the input; mse = (mse_E + mse_I)/2");
            w.WriteString("excitatory", sweep.Excitatory);
            w.WriteString("inhibitory", sweep.Inhibitory);
            w.WriteNumber("trials", sweep.Trials);
            Number(w, "start", sweep.Start);
            Number(w, "stop", sweep.Stop);
            w.WriteStartArray("points");
            foreach (var p in sweep.Points)
            {
                w.WriteStartObject();
                Number(w, "angle", p.Angle);
                Number(w, "mse_mean", p.Mse.Mean);
                Number(w, "mse_sem", p.Mse.Sem);
                Number(w, "mse_excitatory_mean", p.MseE.Mean);
                Number(w, "mse_excitatory_sem", p.MseE.Sem);
                Number(w, "mse_inhibitory_mean", p.MseI.Mean);
                Number(w, "mse_inhibitory_sem", p.MseI.Sem);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        return ["mistuning.json", "mistuning.csv", "mistuning_trials.csv"];
    }

    /// <summary>
    /// Writes <c>isn.json</c> (stimulus, windows, verdict, per-population rates and per-latent readouts),
    /// <c>isn.csv</c> (one row per population rate and latent), <c>isn_latents.csv</c> (trial-averaged latents over
    /// the run) and <c>isn_rates.csv</c> (PSTH per population).
    /// </summary>
    public static string[] WriteIsn(IsnReport report, LowRankNetwork network, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(network);
        var rows = new List<object[]>();
        foreach (var r in report.Rates)
        {
            rows.Add(["rate", r.Population, r.Baseline.Mean, r.Baseline.Sem, r.Stimulated.Mean, r.Stimulated.Sem, r.Change.Mean, r.Change.Sem, double.NaN, double.NaN]);
        }

        foreach (var l in report.Latents)
        {
            rows.Add(["latent", l.Latent, l.Baseline.Mean, l.Baseline.Sem, l.Stimulated.Mean, l.Stimulated.Sem, l.Change.Mean, l.Change.Sem, l.PredictedBaseline, l.PredictedStimulated]);
        }

        WriteTable(Path.Combine(directory, "isn.csv"),
            ["quantity", "name", "baseline_mean", "baseline_sem", "stimulated_mean", "stimulated_sem", "change_mean", "change_sem", "predicted_baseline", "predicted_stimulated"], rows);
        var lat = report.Trajectory;
        WriteCsv(Path.Combine(directory, "isn_latents.csv"),
            ["t", .. lat.Names.SelectMany(n => new[] { $"{n}_mean", $"{n}_sem" })],
            lat.Times.Length,
            j => [lat.Times[j], .. lat.Latents.SelectMany(l => new[] { l.Mean[j], l.Sem[j] })]);
        var first = report.Psths[0];
        WriteCsv(Path.Combine(directory, "isn_rates.csv"),
            ["t", .. network.Populations.SelectMany(p => new[] { $"{p.Name}_rate", $"{p.Name}_sem" })],
            first.BinCentres.Length,
            j => [first.BinCentres[j], .. report.Psths.SelectMany(h => new[] { h.PopulationRate.Mean[j], h.PopulationRate.Sem[j] })]);
        WriteJson(Path.Combine(directory, "isn.json"), w =>
        {
            w.WriteString("analysis", "isn");
            w.WriteString("figure", "seed 002, §3.4 and Fig. 8b-c (inhibition-stabilised: stimulating inhibition lowers both populations)");
            w.WriteString("population", report.Stimulus.Population);
            Number(w, "amplitude", report.Stimulus.Amplitude);
            Number(w, "onset", report.Stimulus.Onset);
            w.WriteString("stimulation", "the protocol's current replaces the spec's stimulation; it stays on from the onset to the end of the run");
            w.WriteNumber("trials", report.Trials);
            w.WriteStartArray("baseline_window");
            w.WriteNumberValue(report.BaselineStart);
            w.WriteNumberValue(report.BaselineStop);
            w.WriteEndArray();
            w.WriteStartArray("stimulus_window");
            w.WriteNumberValue(report.StimulusStart);
            w.WriteNumberValue(report.StimulusStop);
            w.WriteEndArray();
            w.WriteString("verdict", report.Verdict switch
            {
                IsnVerdict.Paradoxical => "paradoxical",
                IsnVerdict.NotParadoxical => "not paradoxical",
                _ => "inconclusive",
            });
            w.WriteString("rate_unit", "spikes per tau per neuron");
            w.WriteStartArray("rates");
            foreach (var r in report.Rates)
            {
                w.WriteStartObject();
                w.WriteString("population", r.Population);
                Number(w, "baseline", r.Baseline.Mean);
                Number(w, "baseline_sem", r.Baseline.Sem);
                Number(w, "stimulated", r.Stimulated.Mean);
                Number(w, "stimulated_sem", r.Stimulated.Sem);
                Number(w, "change", r.Change.Mean);
                Number(w, "change_sem", r.Change.Sem);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("latents");
            foreach (var l in report.Latents)
            {
                w.WriteStartObject();
                w.WriteString("latent", l.Latent);
                Number(w, "baseline", l.Baseline.Mean);
                Number(w, "stimulated", l.Stimulated.Mean);
                Number(w, "change", l.Change.Mean);
                Number(w, "change_sem", l.Change.Sem);
                Number(w, "predicted_baseline", l.PredictedBaseline);
                Number(w, "predicted_stimulated", l.PredictedStimulated);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        return ["isn.json", "isn.csv", "isn_latents.csv", "isn_rates.csv"];
    }
}
