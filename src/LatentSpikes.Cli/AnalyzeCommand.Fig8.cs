using System.CommandLine;
using System.Globalization;
using LatentSpikes.Analysis;
using LatentSpikes.IO;
using LatentSpikes.Model;
using LatentSpikes.Plotting;
using LatentSpikes.Specs;

namespace LatentSpikes.Cli;

// `analyze --what mistuning` (Fig. 8f) and `--what isn` (Fig. 8b-c): like `sweep`, they simulate the run's experiment
// afresh, so they run only when named.
internal static partial class AnalyzeCommand
{
    /// <summary>The simulating Fig. 8 analyses (a property, not a field: it is read while the static fields of the other part initialise).</summary>
    private static string[] Fig8Analyses => ["mistuning", "isn"];

    /// <summary>Parsed options of the Fig. 8 analyses.</summary>
    /// <param name="Angles">mistuning: angles θ in degrees.</param>
    /// <param name="Amplitude">isn: the injected current.</param>
    /// <param name="Onset">isn: when it switches on (τ); null: the middle of the analysis window.</param>
    /// <param name="Settle">isn: time left out after the onset before the stimulus window starts (τ).</param>
    /// <param name="Population">isn: the stimulated population; null: the network's only inhibitory one.</param>
    private sealed record Fig8Settings(double[] Angles, double Amplitude, double? Onset, double Settle, string? Population);

    /// <summary>The command-line options of the Fig. 8 analyses.</summary>
    private sealed class Fig8Options
    {
        private readonly Option<string> _angles = new("--angles") { Description = "mistuning: comma-separated angles (degrees) between the cross-decoders and the self-decoders.", DefaultValueFactory = _ => "0,10,20,30" };
        private readonly Option<double> _amplitude = new("--amplitude") { Description = "isn: current injected into every neuron of the stimulated population (voltage units per τ).", DefaultValueFactory = _ => 1.0 };
        private readonly Option<double?> _onset = new("--onset") { Description = "isn: when the current switches on (τ; default the middle of the window); the baseline is (--start, onset]." };
        private readonly Option<double> _settle = new("--settle") { Description = "isn: transient left out after the onset; the stimulus window is (onset + settle, --stop] (τ).", DefaultValueFactory = _ => 2.5 };
        private readonly Option<string?> _population = new("--population") { Description = "isn: the population to stimulate (default: the only inhibitory population)." };

        public void AddTo(Command command)
        {
            command.Options.Add(_angles);
            command.Options.Add(_amplitude);
            command.Options.Add(_onset);
            command.Options.Add(_settle);
            command.Options.Add(_population);
        }

        public Fig8Settings Parse(ParseResult r)
        {
            var angles = new List<double>();
            foreach (string item in r.GetValue(_angles)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!double.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v < 0 || v >= 90)
                {
                    throw Option("--angles", $"'{item}' is not an angle in [0, 90) degrees");
                }

                angles.Add(v);
            }

            if (angles.Count == 0)
            {
                throw Option("--angles", "give at least one angle");
            }

            double amplitude = r.GetValue(_amplitude);
            if (!double.IsFinite(amplitude) || amplitude == 0)
            {
                throw Option("--amplitude", $"must be a finite non-zero current (got {amplitude})");
            }

            double? onset = r.GetValue(_onset);
            if (onset is { } t && !double.IsFinite(t))
            {
                throw Option("--onset", $"must be a finite time (got {t})");
            }

            return new Fig8Settings([.. angles], amplitude, onset, NonNegative("--settle", r.GetValue(_settle)), r.GetValue(_population));
        }
    }

    private static string[] MistuningFiles(Experiment exp, double a, double b, Settings o, StagedDirectory staged, TextWriter stdout)
    {
        var sweep = Simulating("mistuning", () => Mistuning.Sweep(exp, o.Fig8.Angles, o.Trials, a, b));
        string[] files = AnalysisWriter.WriteMistuning(sweep, staged.StagingPath);
        if (o.Plot)
        {
            AnalysisFigures.SaveMistuning(sweep, exp.Name, staged.File("mistuning.png"));
        }

        foreach (var p in sweep.Points)
        {
            stdout.WriteLine($"  mistuning {Num(p.Angle)}°: latent MSE {Num(p.Mse.Mean)} ± {Num(p.Mse.Sem)} (y_{sweep.Excitatory} {Num(p.MseE.Mean)}, y_{sweep.Inhibitory} {Num(p.MseI.Mean)})");
        }

        return files;
    }

    private static string[] IsnFiles(Experiment exp, double a, double b, Settings o, StagedDirectory staged, TextWriter stdout)
    {
        var net = exp.Network;
        string population = o.Fig8.Population ?? (net.Populations.Count(p => p.Kind == PopulationKind.Inhibitory) == 1
            ? net.Populations.Single(p => p.Kind == PopulationKind.Inhibitory).Name
            : throw Option("--population", $"the network has {net.Populations.Count(p => p.Kind == PopulationKind.Inhibitory)} inhibitory populations; name the one to stimulate"));
        double onset = o.Fig8.Onset ?? (a + b) / 2;
        if (!(onset > a) || !(onset + o.Fig8.Settle < b))
        {
            throw Option("--onset", $"the onset {Num(onset)} τ and --settle {Num(o.Fig8.Settle)} τ must leave a baseline (--start, onset] and a stimulus window (onset + settle, --stop] inside ({Num(a)}, {Num(b)}]");
        }

        var report = Simulating("isn", () => IsnProtocol.Run(exp, new IsnStimulus(population, o.Fig8.Amplitude, onset), (a, onset), (onset + o.Fig8.Settle, b), o.Trials, o.Bin));
        string[] files = AnalysisWriter.WriteIsn(report, net, staged.StagingPath);
        if (o.Plot)
        {
            AnalysisFigures.SaveIsn(report, net, exp.Name, staged.File("isn.png"));
        }

        foreach (var r in report.Rates)
        {
            stdout.WriteLine($"  isn {r.Population}: rate {Num(r.Baseline.Mean)} → {Num(r.Stimulated.Mean)} spikes/τ per neuron (change {Num(r.Change.Mean)} ± {Num(r.Change.Sem)})");
        }

        string verdict = report.Verdict switch
        {
            IsnVerdict.Paradoxical => $"paradoxical: {population}'s rate moved against the current",
            IsnVerdict.NotParadoxical => $"not paradoxical: {population}'s rate did not move against the current",
            _ => "inconclusive: the change is within 2 SEM; use more --trials or a larger --amplitude",
        };
        stdout.WriteLine($"  isn verdict: {verdict}");
        return files;
    }

    /// <summary>Runs a simulating analysis, turning its errors into one-line errors that name the option at fault.</summary>
    private static T Simulating<T>(string what, Func<T> run)
    {
        try
        {
            return run();
        }
        catch (ModelValidationException e)
        {
            string option = e.Field switch
            {
                "angles" => "--angles",
                "trials" => "--trials",
                "window" or "baseline" => "--start",
                "response" => "--settle",
                "population" => "--population",
                "amplitude" => "--amplitude",
                "onset" => "--onset",
                "bin" => "--bin",
                _ => $"--what {what}",
            };
            throw new SpecException("command line", 0, option, e.Reason);
        }
        catch (InvalidOperationException e)
        {
            throw new SpecException("command line", 0, $"--what {what}", e.Message);
        }
    }
}
