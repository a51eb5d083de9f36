using System.Globalization;
using System.Text.Json;
using LatentSpikes.Analysis;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.IO;
using LatentSpikes.Model;
using LatentSpikes.Plotting;
using LatentSpikes.Simulation;

namespace LatentSpikes.Cli;

/// <summary>
/// <c>analyze --target NAME=EXPR</c> (issue 15): each output latent y_NAME against its target, an expression of the
/// run's inputs (x, or x1..xM) and of earlier targets by name (so a composition is written stage by stage), with the
/// MAE, RMS and max error over the window, and spike statistics per module (the populations NAME, NAME_I and NAME_neg
/// that the compiler writes for an output).
/// </summary>
internal static partial class AnalyzeCommand
{
    private static string[] TrackingFiles(SimulationResult[] trials, string[] targets, double a, double b, Settings o, StagedDirectory staged, TextWriter stdout)
    {
        if (targets.Length == 0)
        {
            throw Option("--target", "the tracking analysis compares outputs with targets: give --target NAME=EXPR, e.g. --target 'f1=x1^2 + 1'");
        }

        var run = trials[0];
        var net = run.Experiment.Network;
        int m = net.InputDimension;
        var names = new List<string>(m == 1 ? ["x"] : Enumerable.Range(1, m).Select(d => "x" + d.ToString(CultureInfo.InvariantCulture)));
        var inputs = Enumerable.Range(0, m).Select(run.Input).ToArray();
        var columns = new List<double[]>(inputs);
        var window = Enumerable.Range(0, run.Times.Count).Where(i => run.Times[i] > a && run.Times[i] <= b).ToArray();
        var outputs = new List<(string Name, double[] Latent, double[] Target)>();
        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("start", a);
            w.WriteNumber("stop", b);
            w.WriteStartArray("outputs");
            for (int k = 0; k < targets.Length; k++)
            {
                int eq = targets[k].IndexOf('=', StringComparison.Ordinal);
                string name = eq > 0 ? targets[k][..eq].Trim() : string.Empty;
                string text = eq > 0 ? targets[k][(eq + 1)..] : string.Empty;
                string option = $"--target[{k}]";
                if (name.Length == 0 || text.Trim().Length == 0)
                {
                    throw Option(option, $"'{targets[k]}' is not NAME=EXPR (the output latent y_NAME and its target)");
                }

                string latent = Population.LatentNameOf(name);
                if (net.LatentIndex(latent) < 0)
                {
                    throw Option(option, $"the run has no latent '{latent}' (latents: {string.Join(", ", net.Latents.Select(l => l.Name))})");
                }

                ExpressionFunction f;
                try
                {
                    f = ExpressionFunction.ParseNamed(text, names);
                }
                catch (ExpressionException e)
                {
                    throw Option(option, e.Message);
                }

                var u = new double[names.Count];
                var target = new double[run.Times.Count];
                for (int i = 0; i < target.Length; i++)
                {
                    for (int d = 0; d < names.Count; d++)
                    {
                        u[d] = columns[d][i];
                    }

                    target[i] = f.Value(u);
                }

                double[] y = run.Latent(latent);
                double sum = 0, sumSq = 0, max = 0;
                foreach (int i in window)
                {
                    double e = y[i] - target[i];
                    sum += Math.Abs(e);
                    sumSq += e * e;
                    max = Math.Max(max, Math.Abs(e));
                }

                int n = Math.Max(window.Length, 1);
                var module = new[] { name, name + "_I", name + "_neg" }.Select(net.PopulationIndex).Where(p => p >= 0).ToArray();
                var rates = NeuronRates.Measure(run, 1.0, a, module);
                long spikes = run.Spikes.LongCount(s => s.Time > a && s.Time <= b && module.Contains(s.Population));
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteString("latent", latent);
                w.WriteString("target", text.Trim());
                w.WriteNumber("mae", sum / n);
                w.WriteNumber("rms", Math.Sqrt(sumSq / n));
                w.WriteNumber("max", max);
                w.WriteStartObject("module");
                w.WriteStartArray("populations");
                foreach (int p in module)
                {
                    w.WriteStringValue(net.Populations[p].Name);
                }

                w.WriteEndArray();
                w.WriteNumber("neurons", module.Sum(p => net.Populations[p].Size));
                w.WriteNumber("spikes", spikes);
                w.WriteNumber("rate_max_per_tau", rates.Max);
                w.WriteNumber("rate_mean_per_tau", rates.Mean);
                w.WriteNumber("rate_cv", rates.Cv);
                w.WriteNumber("peak_rate_per_tau", rates.PeakWindowRate);
                w.WriteEndObject();
                w.WriteEndObject();
                stdout.WriteLine($"  tracking {latent} against {text.Trim()}: MAE {Num(sum / n)}, RMS {Num(Math.Sqrt(sumSq / n))}, max {Num(max)}; module {string.Join("+", module.Select(p => net.Populations[p].Name))}: {module.Sum(p => net.Populations[p].Size)} neurons, {spikes} spikes, per-neuron rate max {Num(rates.Max)}, mean {Num(rates.Mean)}, CV {Num(rates.Cv)}, peak {Num(rates.PeakWindowRate)} per τ");
                outputs.Add((name, y, target));
                names.Add(name);
                columns.Add(target);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        File.WriteAllBytes(staged.File("tracking.json"), json.ToArray());
        if (o.Plot)
        {
            TrackingFigure.Save(run.Times, outputs, staged.File("tracking.png"));
        }

        return ["tracking.json"];
    }
}
