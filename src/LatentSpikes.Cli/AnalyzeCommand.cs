using System.CommandLine;
using System.Globalization;
using LatentSpikes.Analysis;
using LatentSpikes.IO;
using LatentSpikes.Model;
using LatentSpikes.Plotting;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;

namespace LatentSpikes.Cli;

/// <summary>
/// <c>latentspikes analyze RUN_DIR [MORE_RUNS...] [--what psth,cv,balance,nullspace,sweep,mistuning,isn]</c>: the analyses of
/// seed 002 §3 on stored runs. The network is rebuilt from the run's <c>spec.yaml</c>; the trials of a batch
/// (<c>simulate --trials</c>) and several run directories of one experiment are analysed as trials. Each analysis
/// writes JSON, CSV and a PNG into <c>RUN_DIR/analysis/</c> (staged and moved into place together; a rerun replaces
/// the files of the analyses it computes). <c>sweep</c> (Fig. S2), <c>mistuning</c> (Fig. 8f) and <c>isn</c>
/// (Fig. 8b-c) simulate: they rerun the run's experiment (over a noise sweep, mistuned cross-decoders, or a current
/// into the inhibitory population), so they are only done when asked for. Exit 1 with one line for a bad directory,
/// option or combination of runs.
/// </summary>
internal static partial class AnalyzeCommand
{
    /// <summary>The analyses, in the order they run.</summary>
    public static readonly string[] Analyses = ["psth", "cv", "balance", "nullspace", "sweep", .. Fig8Analyses, "rate", "tracking"];

    /// <summary>The analyses done when <c>--what</c> is not given: all that work on the stored runs alone.</summary>
    public static readonly string[] DefaultAnalyses = ["psth", "cv", "balance", "nullspace"];

    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var runs = new Argument<string[]>("runs") { Description = "Run directories written by simulate: single runs or --trials batches of one spec; every trial of every directory is a trial (single runs need different --seed). Outputs go to the first's analysis/ folder.", Arity = ArgumentArity.OneOrMore };
        var what = new Option<string>("--what") { Description = "Comma-separated analyses: psth, cv, balance, nullspace (the default), and sweep (simulates: Fig. S2), mistuning (simulates: Fig. 8f), isn (simulates: Fig. 8b-c), rate (runs the rate twin: Fig. 10d-f), tracking (outputs against --target; the only default when --target is given).", DefaultValueFactory = _ => string.Join(',', DefaultAnalyses) };
        var outDir = new Option<string?>("--out") { Description = "Output directory (default: RUN_DIR/analysis)." };
        var start = new Option<double?>("--start") { Description = "Start of the analysis window (τ, default 0); leave out the initial transient." };
        var stop = new Option<double?>("--stop") { Description = "End of the analysis window (τ, default the end of the run)." };
        var bin = new Option<double>("--bin") { Description = "PSTH bin width (τ).", DefaultValueFactory = _ => 0.5 };
        var smooth = new Option<double>("--smooth") { Description = "Standard deviation of the Gaussian rate kernel (τ).", DefaultValueFactory = _ => 0.2 };
        var filterTau = new Option<double>("--filter-tau") { Description = "Time constant of the spike-train filter for the nullspace analysis (τ; 1 makes y = D·r).", DefaultValueFactory = _ => 1.0 };
        var margin = new Option<double>("--margin") { Description = "How far below threshold (voltage units) a silent neuron's voltage must stay to count as hyperpolarised.", DefaultValueFactory = _ => 0.25 };
        var minIntervals = new Option<int>("--min-intervals") { Description = "Neurons with fewer inter-spike intervals are left out of the mean ISI CV.", DefaultValueFactory = _ => 5 };
        var noise = new Option<string>("--noise") { Description = "sweep: comma-separated noise stds σ given to every population.", DefaultValueFactory = _ => "0,0.02,0.05,0.1,0.2" };
        var trialCount = new Option<int>("--trials") { Description = "sweep, mistuning, isn: trials per noise level and variant, per angle, or of the protocol (the paper's sweep uses 500).", DefaultValueFactory = _ => 100 };
        var neuron = new Option<string?>("--neuron") { Description = "sweep: the neuron to follow, as POPULATION:INDEX (default: the busiest in the recurrent network at the first noise level)." };
        var noPlot = new Option<bool>("--no-plot") { Description = "Skip the PNG figures." };
        var target = new Option<string[]>("--target") { Description = "tracking: an output and its target as NAME=EXPR (latent y_NAME; EXPR of x or x1..xM and of earlier targets' names); repeat per output. Adds the tracking analysis." };
        var command = new Command("analyze", "Analyse stored runs (seed 002 §3): PSTH and trial averages, irregularity (CV, Fano), E-I balance, decoder nullspace; JSON, CSV and PNG per analysis.")
        {
            runs, what, outDir, start, stop, bin, smooth, filterTau, margin, minIntervals, noise, trialCount, neuron, noPlot, target,
        };
        var fig8 = new Fig8Options();
        fig8.AddTo(command);
        command.SetAction(r => LatentSpikesApp.Guard(stderr, () =>
        {
            string[] targets = r.GetValue(target) ?? [];
            string[] analyses = ParseWhat(r.GetValue(what)!);
            if (targets.Length > 0 && !analyses.Contains("tracking"))
            {
                analyses = r.GetResult(what) is null or { Implicit: true } ? ["tracking"] : [.. analyses, "tracking"];
            }

            var options = new Settings(
                analyses,
                r.GetValue(start),
                r.GetValue(stop),
                Positive("--bin", r.GetValue(bin)),
                Positive("--smooth", r.GetValue(smooth)),
                Positive("--filter-tau", r.GetValue(filterTau)),
                NonNegative("--margin", r.GetValue(margin)),
                r.GetValue(minIntervals) >= 2 ? r.GetValue(minIntervals) : throw Option("--min-intervals", $"must be at least 2 (got {r.GetValue(minIntervals)})"),
                ParseNoise(r.GetValue(noise)!),
                r.GetValue(trialCount) >= 2 ? r.GetValue(trialCount) : throw Option("--trials", $"must be at least 2 (got {r.GetValue(trialCount)})"),
                r.GetValue(neuron),
                !r.GetValue(noPlot),
                fig8.Parse(r),
                targets);
            string[] dirs = r.GetValue(runs)!;
            return Analyze(dirs, r.GetValue(outDir) ?? Path.Combine(dirs[0], "analysis"), options, stdout, stderr);
        }));
        return command;
    }

    private sealed record Settings(string[] What, double? Start, double? Stop, double Bin, double Smooth, double FilterTau, double Margin, int MinIntervals, double[] Noise, int Trials, string? Neuron, bool Plot, Fig8Settings Fig8, string[] Targets);

    private static int Analyze(string[] dirs, string outDir, Settings o, TextWriter stdout, TextWriter stderr)
    {
        // Each directory holds one run or a batch (simulate --trials); every trial of every directory is a trial here.
        var stored = dirs.SelectMany(d => RunReader.ReadTrials(d).Select(t => (Dir: d, t.Trial, t.Result))).ToArray();
        CheckTrials(stored);
        var trials = stored.Select(t => t.Result).ToArray();
        if (trials[0].Status != SimulationStatus.Completed)
        {
            stderr.WriteLine($"warning: {dirs[0]}: the run exploded ({trials[0].StatusDetail}); analysing the {Num(trials[0].SimulatedDuration)} τ it simulated");
        }

        var exp = trials[0].Experiment;
        var net = exp.Network;
        double duration = trials.Min(t => t.SimulatedDuration);
        double a = o.Start ?? 0.0;
        double b = o.Stop ?? duration;
        if (!double.IsFinite(a) || a < 0)
        {
            throw Option("--start", $"must be a finite time ≥ 0 (got {a})");
        }

        if (!double.IsFinite(b) || b <= a || b > duration + (exp.Settings.Dt / 2))
        {
            throw Option(o.Stop is null ? "--start" : "--stop", $"the window ({Num(a)}, {Num(b)}] must be non-empty and end within the run (0, {Num(duration)}] τ");
        }

        using var staged = new StagedDirectory(outDir);
        var owned = new List<string>();
        foreach (string analysis in o.What)
        {
            string[] files = analysis switch
            {
                "psth" => Psth(trials, net, a, b, o, staged, stdout),
                "cv" => Cv(trials, net, a, b, o, staged, stdout),
                "balance" => BalanceFiles(trials, net, a, b, o, staged, stdout),
                "nullspace" => NullspaceFiles(trials, net, a, b, o, staged, stdout),
                "sweep" => Sweep(exp, a, b, o, staged, stdout),
                "mistuning" => MistuningFiles(exp, a, b, o, staged, stdout),
                "isn" => IsnFiles(exp, a, b, o, staged, stdout),
                "rate" => RateFiles(trials, a, b, o, staged, stdout),
                "tracking" => TrackingFiles(trials, o.Targets, a, b, o, staged, stdout),
                _ => throw Option("--what", $"unknown analysis '{analysis}'"),
            };
            owned.AddRange(files);
            if (o.Plot)
            {
                owned.Add(analysis + ".png");
            }
        }

        staged.Commit([.. owned]);
        stdout.WriteLine($"analysis of {trials.Length} trial{(trials.Length == 1 ? string.Empty : "s")} over ({Num(a)}, {Num(b)}] τ written to {Path.GetFullPath(outDir)}");
        return 0;
    }

    private static string[] Psth(SimulationResult[] trials, LowRankNetwork net, double a, double b, Settings o, StagedDirectory staged, TextWriter stdout)
    {
        if (b - a < o.Bin)
        {
            throw Option("--bin", $"{Num(o.Bin)} τ is longer than the window ({Num(a)}, {Num(b)}]");
        }

        var analysis = new PsthAnalysis(
            net.Populations.Select((_, p) => TrialStatistics.Psth(trials, p, o.Bin, a, b)).ToArray(),
            net.Populations.Select((_, p) => TrialStatistics.GaussianRates(trials, p, o.Smooth, a, b)).ToArray(),
            TrialStatistics.TrialAveragedLatents(trials, a, b));
        string[] files = AnalysisWriter.WritePsth(analysis, net, staged.StagingPath);
        if (o.Plot)
        {
            AnalysisFigures.SavePsth(analysis, net, staged.File("psth.png"));
        }

        for (int p = 0; p < net.Populations.Count; p++)
        {
            stdout.WriteLine($"  psth {net.Populations[p].Name}: mean rate {Num(analysis.Psths[p].PopulationRate.Mean.Average())} spikes/τ per neuron");
        }

        return files;
    }

    private static string[] Cv(SimulationResult[] trials, LowRankNetwork net, double a, double b, Settings o, StagedDirectory staged, TextWriter stdout)
    {
        var isi = net.Populations.Select((_, p) => Irregularity.IsiStatistics(trials, p, a, b, o.MinIntervals)).ToArray();
        var counts = trials.Length > 1 ? net.Populations.Select((_, p) => Irregularity.SpikeCounts(trials, p, a, b)).ToArray() : null;
        var rates = net.Populations.Select((pop, p) =>
        {
            var trains = SpikeTrains.OfPopulation(trials, p);
            return Enumerable.Range(0, pop.Size).Select(i => trains.Average(t => SpikeTrains.CountIn(t[i], a, b)) / (b - a)).ToArray();
        }).ToArray();
        var analysis = new IrregularityAnalysis(isi, counts, rates);
        string[] files = AnalysisWriter.WriteIrregularity(analysis, net, a, b, trials.Length, staged.StagingPath);
        if (o.Plot)
        {
            AnalysisFigures.SaveIrregularity(analysis, net, staged.File("cv.png"));
        }

        for (int p = 0; p < net.Populations.Count; p++)
        {
            string count = counts is null ? "count CV needs several runs" : $"mean count CV {Num(counts[p].MeanCv)}, mean Fano {Num(counts[p].MeanFano)}";
            stdout.WriteLine($"  cv {net.Populations[p].Name}: mean ISI CV {Num(isi[p].MeanCv)} over {isi[p].NeuronsCounted} neuron(s), {count}");
        }

        return files;
    }

    private static string[] BalanceFiles(SimulationResult[] trials, LowRankNetwork net, double a, double b, Settings o, StagedDirectory staged, TextWriter stdout)
    {
        var report = Balance.Analyze(trials, a, b, o.Margin);

        // Examples as in Fig. 8d: the busiest neuron of each population, and the most hyperpolarised silent neuron.
        var examples = new List<(string, CurrentTrace)>();
        for (int p = 0; p < net.Populations.Count; p++)
        {
            var busiest = report.Neurons.Where(n => n.Population == p && !n.Silent).OrderByDescending(n => n.Spikes).ThenBy(n => n.Neuron).FirstOrDefault();
            if (busiest is not null)
            {
                examples.Add(($"{net.Populations[p].Name}[{busiest.Neuron}]", Balance.Currents(trials[0], p, busiest.Neuron)));
            }
        }

        var deepest = report.Neurons.Where(n => n.Hyperpolarised).OrderBy(n => n.MeanVoltage).FirstOrDefault();
        if (deepest is not null)
        {
            examples.Add(($"{net.Populations[deepest.Population].Name}[{deepest.Neuron}]", Balance.Currents(trials[0], deepest.Population, deepest.Neuron)));
        }

        var analysis = new BalanceAnalysis(report, examples);
        string[] files = AnalysisWriter.WriteBalance(analysis, net, staged.StagingPath);
        if (o.Plot)
        {
            AnalysisFigures.SaveBalance(analysis, net, staged.File("balance.png"));
        }

        stdout.WriteLine($"  balance: active neurons' mean E-I correlation {Num(report.ActiveMeanCorrelation)}, net/gross {Num(report.ActiveMeanNetToGross)}; " +
                         $"{report.Neurons.Count(n => n.Silent)} silent, {report.HyperpolarisedCount} hyperpolarised");
        return files;
    }

    private static string[] NullspaceFiles(SimulationResult[] trials, LowRankNetwork net, double a, double b, Settings o, StagedDirectory staged, TextWriter stdout)
    {
        if (trials[0].Times.Count(t => t > a && t <= b) < 2)
        {
            throw Option("--start", $"the window ({Num(a)}, {Num(b)}] holds fewer than two recorded samples");
        }

        var reports = net.Populations.Select((_, p) => Nullspace.Analyze(trials, p, o.FilterTau, a, b)).ToArray();
        string[] files = AnalysisWriter.WriteNullspace(reports, net, staged.StagingPath);
        if (o.Plot)
        {
            AnalysisFigures.SaveNullspace(reports, net, staged.File("nullspace.png"));
        }

        foreach (var r in reports)
        {
            stdout.WriteLine($"  nullspace {net.Populations[r.Population].Name}: readout variance {Num(r.ReadoutVariancePerDimension)} per dimension, " +
                             $"nullspace {Num(r.NullspaceVariancePerDimension)} per dimension, top nullspace direction {Num(r.TopNullspaceVariance)}");
        }

        return files;
    }

    private static string[] Sweep(Experiment exp, double a, double b, Settings o, StagedDirectory staged, TextWriter stdout)
    {
        (int, int)? focus = null;
        if (o.Neuron is { } text)
        {
            int colon = text.LastIndexOf(':');
            int p = colon > 0 ? exp.Network.PopulationIndex(text[..colon]) : -1;
            if (p < 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int i) || i >= exp.Network.Populations[p].Size)
            {
                throw Option("--neuron", $"'{text}' is not POPULATION:INDEX of a neuron of this network (populations: {string.Join(", ", exp.Network.Populations.Select(q => $"{q.Name} with {q.Size}"))})");
            }

            focus = (p, i);
        }

        NoiseSweep sweep;
        try
        {
            sweep = Irregularity.RecurrentVsFeedforward(exp, o.Noise, o.Trials, a, b, focus);
        }
        catch (InvalidOperationException e)
        {
            throw new SpecException("command line", 0, "--what sweep", e.Message);
        }

        string[] files = AnalysisWriter.WriteNoiseSweep(sweep, exp.Network, staged.StagingPath);
        if (o.Plot)
        {
            AnalysisFigures.SaveNoiseSweep(sweep, exp.Network, exp.Name, staged.File("sweep.png"));
        }

        foreach (var pt in sweep.Points)
        {
            stdout.WriteLine($"  sweep σ = {Num(pt.Sigma)}: count CV of {exp.Network.Populations[sweep.Population].Name}[{sweep.Neuron}] recurrent {Num(pt.RecurrentCv)}, feedforward {Num(pt.FeedforwardCv)}");
        }

        return files;
    }

    /// <summary>The rate twin of the runs' experiment against their trial average (seed 002, §4.3, Fig. 10d-f).</summary>
    private static string[] RateFiles(SimulationResult[] trials, double a, double b, Settings o, StagedDirectory staged, TextWriter stdout)
    {
        if (trials[0].Engine == "rate")
        {
            throw Option("--what rate", "the run is itself a rate-twin run; compare the twin with spiking runs (simulate without --engine rate)");
        }

        if (trials.Any(t => t.Status != SimulationStatus.Completed))
        {
            throw Option("--what rate", "a spiking run stopped early; the twin is compared over whole runs");
        }

        var exp = trials[0].Experiment;
        var twin = Engines.EngineCatalog.Get(Engines.EngineCatalog.Rate).Create().Run(exp);
        var agreement = RateComparison.Compare(twin, trials, o.Smooth, a, b);
        string[] files = RateWriter.WriteAgreement(agreement, exp.Network, staged.StagingPath);
        if (o.Plot)
        {
            RateFigures.SaveAgreement(agreement, exp.Network, staged.File("rate.png"));
        }

        stdout.WriteLine($"  rate twin vs {trials.Length} trial(s): readout NRMSE {Num(agreement.ReadoutError)}, rate correlation {Num(agreement.RateCorrelation)}");
        return files;
    }

    private static double[] ParseNoise(string text)
    {
        var levels = new List<double>();
        foreach (string item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v < 0)
            {
                throw Option("--noise", $"'{item}' is not a noise std (a finite number ≥ 0)");
            }

            levels.Add(v);
        }

        return levels.Count > 0 ? [.. levels] : throw Option("--noise", "give at least one noise level");
    }

    /// <summary>Several runs are trials only if they simulate the same experiment with different noise: different (seed, trial index) pairs.</summary>
    private static void CheckTrials((string Dir, ulong Trial, SimulationResult Result)[] trials)
    {
        static string Canonical(Experiment e) => SpecWriter.Write(e.WithSettings(e.Settings with { Seed = 0 }));
        static string Name((string Dir, ulong Trial, SimulationResult Result) t) => t.Trial == 0 ? t.Dir : $"trial {t.Trial} of {t.Dir}";
        var first = trials[0];
        string spec = Canonical(first.Result.Experiment);
        var seen = new Dictionary<(ulong, ulong), (string, ulong, SimulationResult)>();
        foreach (var t in trials)
        {
            if (!ReferenceEquals(t.Result.Experiment, first.Result.Experiment) && Canonical(t.Result.Experiment) != spec)
            {
                throw new RunDataException(t.Dir, 0, $"is not a run of the same experiment as {first.Dir} (the spec differs beyond the seed); only runs of one spec can be trials");
            }

            var key = (t.Result.Experiment.Settings.Seed, t.Trial);
            if (seen.TryGetValue(key, out var twin))
            {
                throw new RunDataException(t.Dir, 0, $"{(t.Trial == 0 ? "has" : $"trial {t.Trial} has")} the same seed and trial index as {Name(twin)}, so its noise is identical; trials need different seeds (simulate --seed) or trial indices");
            }

            seen[key] = t;
            if (trials.Length > 1 && t.Result.Times.Count != first.Result.Times.Count)
            {
                throw new RunDataException(t.Dir, 0, $"{(t.Trial == 0 ? string.Empty : $"trial {t.Trial} ")}stopped early ({t.Result.StatusDetail}); trials must all run to the end");
            }
        }
    }

    private static string[] ParseWhat(string text)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).ToArray();
        if (names.Length == 0)
        {
            throw Option("--what", $"name at least one analysis ({string.Join(", ", Analyses)})");
        }

        foreach (string n in names)
        {
            if (!Analyses.Contains(n))
            {
                throw Option("--what", $"unknown analysis '{n}' (known: {string.Join(", ", Analyses)})");
            }
        }

        return Analyses.Where(names.Contains).ToArray();
    }

    private static double Positive(string option, double value) =>
        value > 0 && double.IsFinite(value) ? value : throw Option(option, $"must be a positive number (got {value})");

    private static double NonNegative(string option, double value) =>
        value >= 0 && double.IsFinite(value) ? value : throw Option(option, $"must be a finite number ≥ 0 (got {value})");

    private static SpecException Option(string option, string problem) => new("command line", 0, option, problem);

    private static string Num(double v) => double.IsFinite(v) ? v.ToString("0.####", CultureInfo.InvariantCulture) : "n/a";
}
