using System.CommandLine;
using System.Text.RegularExpressions;
using LatentSpikes.Construction;
using LatentSpikes.Engines;
using LatentSpikes.Geometry;
using LatentSpikes.IO;
using LatentSpikes.Model;
using LatentSpikes.Plotting;
using LatentSpikes.Randomness;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;
using Spectre.Console;

namespace LatentSpikes.Cli;

/// <summary>
/// The <c>latentspikes</c> command line: a thin layer that reads a spec, runs an engine and writes outputs.
/// Exit codes: 0 success, 1 bad spec or arguments (one-line error, no output written), 3 the run exploded
/// (outputs up to the explosion are written and the summary says so).
/// </summary>
public static class LatentSpikesApp
{
    /// <summary>Exit code for a spec or argument error.</summary>
    public const int ExitSpecError = 1;

    /// <summary>Exit code when the simulated activity ran away or its state turned non-finite.</summary>
    public const int ExitExploded = 3;

    /// <summary>Exit code for a failure that is not the input's fault (a bug or the machine): one line, no stack trace.</summary>
    public const int ExitInternalError = 70;

    /// <summary>The most trials one <c>simulate --trials</c> run takes (every trial is kept in memory until written).</summary>
    public const int MaxTrials = 100_000;

    /// <summary>The most memory (bytes) the recorded latents of a <c>simulate --trials</c> run may take.</summary>
    public const long TrialsMemoryLimit = 8L << 30;

    /// <summary>
    /// The files a run writes; a rerun into the same folder replaces or removes each of them (including an
    /// <c>analysis</c> folder, which described the previous run).
    /// </summary>
    public static readonly string[] OutputFiles = ["latents.csv", "spikes.csv", "summary.json", "spec.yaml", "latents.png", "analysis", "rates.csv", .. RunFormatNames.Files.Except(["latents.csv", "spikes.csv"])];

    /// <summary>Name of the built-in demo spec resource.</summary>
    public const string DemoResource = "LatentSpikes.Cli.Resources.demo.yaml";

    /// <summary>Parses <paramref name="args"/> and runs the command; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = new RootCommand("LatentSpikes: build, simulate and analyse low-rank spiking neural networks.");
        var demoOut = new Option<string>("--out") { Description = "Output directory.", DefaultValueFactory = _ => Path.Combine("out", "demo") };
        var demo = new Command("demo", "Run the built-in demo (seed 002, Fig. 2: a rank-1 inhibitory boundary tracking y = -x^2 - 1/2) and write its outputs and figure.") { demoOut };
        demo.SetAction(r => Guard(stderr, () => Demo(r.GetValue(demoOut)!, stdout, stderr)));

        var spec = new Argument<string>("spec") { Description = "Spec file (YAML or JSON)." };
        var outDir = new Option<string?>("--out") { Description = "Output directory (default: out/<spec name>)." };
        var seed = new Option<ulong?>("--seed") { Description = "Override simulation.seed." };
        var dt = new Option<double?>("--dt") { Description = "Override simulation.dt (units of τ; ms for an srm0 layer stack)." };
        var duration = new Option<double?>("--duration") { Description = "Override simulation.duration (units of τ; ms for an srm0 layer stack)." };
        var noPlot = new Option<bool>("--no-plot") { Description = "Skip latents.png." };
        var engine = new Option<string>("--engine")
        {
            Description = $"Engine: {string.Join(", ", EngineCatalog.All.Select(e => $"{e.Name} ({e.Summary})"))}; see docs/engines.md.",
            DefaultValueFactory = _ => EngineCatalog.Clock,
        };
        engine.Validators.Add(result =>
        {
            string? name = result.GetValueOrDefault<string>();
            if (!EngineCatalog.TryGet(name, out _))
            {
                result.AddError($"--engine: unknown engine '{name}' (known: {EngineCatalog.NameList})");
            }
        });
        var trials = new Option<int>("--trials")
        {
            Description = "Run this many independent trials (trial r uses the random streams of trial r); writes spikes.csv with a trial column, latents-mean.csv, trials.csv and summary.json.",
            DefaultValueFactory = _ => 1,
        };
        trials.Validators.Add(result =>
        {
            int count = result.GetValueOrDefault<int>();
            if (count < 1 || count > MaxTrials)
            {
                result.AddError($"--trials: must be between 1 and {MaxTrials:N0} (got {count}); for more, run a sweep over seeds (docs/sweeps.md)");
            }
        });
        // --format (issue 9): which data files a single-trial run writes; see docs/formats.md.
        var format = new Option<string>("--format")
        {
            Description = "Data formats, comma-separated: csv (default), npy, nwb, sonata (see docs/formats.md).",
            DefaultValueFactory = _ => "csv",
        };
        format.Validators.Add(result =>
        {
            try
            {
                var formats = RunFormatNames.Parse(result.GetValueOrDefault<string>() ?? string.Empty);
                if (!System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported && (formats & (RunFormats.Nwb | RunFormats.Sonata)) != 0)
                {
                    // The native binary (issue 19) lacks the runtime code generation PureHDF's HDF5 writer relies on.
                    result.AddError("--format: nwb and sonata are written by the .NET build only, not by the native binary; use `dotnet run --project src/LatentSpikes.Cli -c Release -- simulate ...`");
                }
            }
            catch (ArgumentException e)
            {
                result.AddError($"--format: {e.Message}");
            }
        });
        // Issue 19: the membrane noise's deviates; legacy reproduces runs of earlier versions byte for byte.
        var rngStream = new Option<string?>("--rng-stream") { Description = "Override simulation.noise_stream: fast (the default) or legacy (the noise of versions before issue 19, for byte-identical reruns)." };
        rngStream.Validators.Add(result =>
        {
            string? name = result.GetValueOrDefault<string?>();
            if (name is not (null or "fast" or "legacy"))
            {
                result.AddError($"--rng-stream: unknown stream '{name}' (known: fast, legacy)");
            }
        });
        var simulate = new Command("simulate", "Simulate a spec; write latents.csv, spikes.csv, summary.json and latents.png.") { spec, outDir, seed, dt, duration, noPlot, engine, trials, format, rngStream };
        simulate.SetAction(r => Guard(stderr, () =>
        {
            // Seed 000: an SRM0 layer-stack spec (an `srm0` section) runs its own simulation.
            if (LayerStackSpec.IsLayerStackFile(r.GetValue(spec)!))
            {
                if (RunFormatNames.Parse(r.GetValue(format)!) != RunFormats.Csv)
                {
                    throw new SpecException("command line", 0, "--format", "an srm0 layer stack writes csv only (outputs.csv, spikes.csv); npy, nwb and sonata are for low-rank LIF runs");
                }

                return LayerStackRun.Simulate(
                    LayerStackSpec.LoadFile(r.GetValue(spec)!), r.GetValue(seed), r.GetValue(dt), r.GetValue(duration), r.GetValue(outDir),
                    !r.GetValue(noPlot), r.GetValue(engine)!, r.GetValue(trials), stdout, stderr);
            }

            // Seed 001: a balanced E-I spec (a `balanced` section) runs the balanced network's protocol.
            if (BalancedSpec.IsBalancedFile(r.GetValue(spec)!))
            {
                return BalancedCommand.SimulateSpec(BalancedSpec.LoadFile(r.GetValue(spec)!), r.GetValue(seed), r.GetValue(dt), r.GetValue(duration), r.GetValue(engine)!, r.GetValue(trials), r.GetValue(format)!, r.GetValue(outDir), !r.GetValue(noPlot), stdout, stderr);
            }

            var loaded = SpecReader.LoadFile(r.GetValue(spec)!);
            var exp = ApplyOverrides(loaded.Experiment, r.GetValue(seed), r.GetValue(dt), r.GetValue(duration), r.GetValue(rngStream));
            string dir = r.GetValue(outDir) ?? Path.Combine("out", exp.Name);
            var runEngine = CreateEngine(r.GetValue(engine)!, exp);
            var provenance = new RunProvenance(loaded.File, loaded.Hash);
            int count = r.GetValue(trials);
            if (count > 1 && !runEngine.Has(EngineCapabilities.Trials))
            {
                throw new SpecException("command line", 0, "--trials", "the rate engine is deterministic (noise lives in β), so trials would all be equal; run it once");
            }

            var formats = RunFormatNames.Parse(r.GetValue(format)!);
            if (count > 1 && formats != RunFormats.Csv)
            {
                throw new SpecException("command line", 0, "--format", "a multi-trial run (--trials > 1) writes csv only; npy, nwb and sonata are for single runs");
            }

            if (EiBoundaries.StabilityWarning(exp) is string unstable)
            {
                stderr.WriteLine($"warning: {unstable}");
            }

            if (count > 1)
            {
                TrialsRun.CheckMemory(exp, count);
            }

            return count > 1
                ? TrialsRun.Run(exp, runEngine, count, provenance, dir, !r.GetValue(noPlot), stdout, stderr)
                : Simulate(exp, runEngine.Create(), provenance, dir, !r.GetValue(noPlot), formats, stdout, stderr);
        }));

        var validateSpec = new Argument<string>("spec") { Description = "Spec file (YAML or JSON)." };
        var validate = new Command("validate", "Check a spec without running it.") { validateSpec };
        validate.SetAction(r => Guard(stderr, () =>
        {
            if (LayerStackSpec.IsLayerStackFile(r.GetValue(validateSpec)!))
            {
                return LayerStackRun.Validate(LayerStackSpec.LoadFile(r.GetValue(validateSpec)!), stdout);
            }

            if (BalancedSpec.IsBalancedFile(r.GetValue(validateSpec)!))
            {
                var b = BalancedSpec.LoadFile(r.GetValue(validateSpec)!);
                var bp = b.Run.Parameters;
                stdout.WriteLine($"{b.File}: ok — '{b.Run.Name}': balanced E-I network (seed 001), N = {bp.NeuronCount} (E {bp.ExcitatoryCount}, I {bp.InhibitoryCount}), K = {bp.K}, mode {b.Run.Mode}{(bp.IsBalanced ? string.Empty : ", unbalanced control")}; times in s");
                return 0;
            }

            var loaded = SpecReader.LoadFile(r.GetValue(validateSpec)!);
            var e = loaded.Experiment;
            stdout.WriteLine($"{loaded.File}: ok — '{e.Name}': {e.Network.Populations.Count} population(s) " +
                             $"({string.Join(", ", e.Network.Populations.Select(p => $"{p.Name}: {p.Size} {p.Kind.ToString().ToLowerInvariant()}"))}), " +
                             $"{e.Network.Latents.Count} latent(s), {e.Network.InputDimension} input dimension(s), " +
                             $"{e.Settings.StepCount} steps of dt = {e.Settings.Dt} τ");

            // App. B: which neurons never form their population's boundary, and where it lies at or above y = 0 (an
            // inhibitory population is silent there), over the inputs the spec's protocol covers.
            if (e.Network.InputDimension > 0)
            {
                var ranges = Enumerable.Range(0, e.Network.InputDimension)
                    .Select(d => InputProtocol.Range(e, d)).Select(r => (r.Min, r.Max)).ToArray();
                foreach (var pop in e.Network.Populations.Where(PopulationBoundary.IsRank1Alone))
                {
                    stdout.WriteLine("  " + (BoundaryReport.DefaultEvaluations(pop) > BoundaryReport.MaxValidateEvaluations
                        ? $"Population '{pop.Name}' ({pop.Size} neurons): boundary report left out, too large to evaluate quickly"
                        : BoundaryReport.Analyze(pop, ranges).Summary));
                }
            }

            if (EiBoundaries.StabilityWarning(e) is string unstable)
            {
                stderr.WriteLine($"warning: {unstable}");
            }

            return 0;
        }));

        root.Subcommands.Add(demo);
        root.Subcommands.Add(simulate);
        root.Subcommands.Add(validate);
        foreach (var command in ExtraCommands(stdout, stderr))
        {
            root.Subcommands.Add(command);
        }

        ValidateOutputPaths(root);
        var parsed = root.Parse(args);
        bool wantsHelp = args.Any(a => a is "-h" or "--help" or "-?" or "--version");
        if (parsed.Errors.Count > 0 && !wantsHelp)
        {
            // One line, like every other error; System.CommandLine's type names are translated for people.
            string message = string.Join("; ", parsed.Errors.Select(e => e.Message));
            message = Regex.Replace(message, @"as expected type '[^']*(Double|Single)[^']*'", "as a number");
            message = Regex.Replace(message, @"as expected type '[^']*(UInt64|Int32|Int64)[^']*'", "as a non-negative integer");
            stderr.WriteLine($"error: {message.Replace('\n', ' ')} (see --help)");
            return ExitSpecError;
        }

        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        return parsed.Invoke(config);
    }

    /// <summary>
    /// Every command's <c>--out</c> gets one check, so no command meets an empty or unusable path deep inside its
    /// writer: the path must name something (not empty or blank) and hold no NUL or control characters. (A path that
    /// exists as the wrong kind of thing fails when the outputs are moved into place, with a one-line error.)
    /// </summary>
    private static void ValidateOutputPaths(Command command)
    {
        foreach (var option in command.Options.Where(o => o.Name == "--out" && o.ValueType == typeof(string)))
        {
            option.Validators.Add(result =>
            {
                if (result.Tokens.Count == 0)
                {
                    return;
                }

                string value = result.Tokens[^1].Value;
                string? problem = OutputPathProblem(value);
                if (problem is not null)
                {
                    result.AddError($"--out: {problem}");
                }
            });
        }

        foreach (var sub in command.Subcommands)
        {
            ValidateOutputPaths(sub);
        }
    }

    /// <summary>Why <paramref name="path"/> cannot be an output path, or null.</summary>
    internal static string? OutputPathProblem(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return $"'{path}' names no file or directory; give a path such as out/run1";
        }

        if (path.Any(char.IsControl))
        {
            return "the path contains a control character";
        }

        try
        {
            _ = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"'{path}' is not a usable path ({e.Message})";
        }

        return null;
    }

    /// <summary>Commands defined in their own files (one file per command beyond the core three).</summary>
    private static IEnumerable<Command> ExtraCommands(TextWriter stdout, TextWriter stderr)
    {
        yield return GeometryCommand.Create(stdout, stderr);
        yield return CompileCommand.Create(stdout, stderr);
        yield return ConvergenceCommand.Create(stdout, stderr);
        yield return BalancedCommand.Create(stdout, stderr);
        yield return AnalyzeCommand.Create(stdout, stderr);
        yield return SweepCommand.Create(stdout, stderr);
        yield return SweepCommand.CreateMerge(stdout, stderr);
        yield return NullclinesCommand.Create(stdout, stderr);

        // figures (issue 6): the paper's figures and claim table.
        yield return FiguresCommand.Create(stdout, stderr);
    }

    /// <summary>Reads the built-in demo spec.</summary>
    public static LoadedSpec LoadDemo()
    {
        using var stream = typeof(LatentSpikesApp).Assembly.GetManifestResourceStream(DemoResource)
                           ?? throw new InvalidOperationException("the built-in demo spec is missing from the assembly");
        using var reader = new StreamReader(stream);
        return SpecReader.Parse(reader.ReadToEnd(), "<built-in demo: examples/fig2-inhibitory-boundary.yaml>");
    }

    private static int Demo(string dir, TextWriter stdout, TextWriter stderr)
    {
        var loaded = LoadDemo();
        return Simulate(loaded.Experiment, new ClockDrivenEngine(), new RunProvenance(loaded.File, loaded.Hash), dir, plot: true, RunFormats.Csv, stdout, stderr);
    }

    /// <summary>The engine named by <c>--engine</c>; an experiment the engine cannot run is a one-line error before anything is written.</summary>
    private static EngineEntry CreateEngine(string name, Experiment exp)
    {
        var entry = EngineCatalog.Get(name);
        if (entry.Check(exp) is string reason)
        {
            throw new SpecException("command line", 0, "--engine", $"the {name} engine cannot run this spec: {reason}");
        }

        return entry;
    }

    private static Experiment ApplyOverrides(Experiment exp, ulong? seed, double? dt, double? duration, string? rngStream = null)
    {
        var s = exp.Settings;
        if (seed is null && dt is null && duration is null && rngStream is null)
        {
            return exp;
        }

        var stream = rngStream switch
        {
            "fast" => NoiseStreamKind.Fast,
            "legacy" => NoiseStreamKind.Legacy,
            _ => s.NoiseStream,
        };
        var settings = s with { Seed = seed ?? s.Seed, Dt = dt ?? s.Dt, Duration = duration ?? s.Duration, NoiseStream = stream };
        try
        {
            return exp.WithSettings(settings);
        }
        catch (ModelValidationException e)
        {
            string option = e.Field switch
            {
                "simulation.dt" => "--dt",
                "simulation.duration" => "--duration",
                _ => e.Field,
            };
            throw new SpecException("command line", 0, option, e.Reason);
        }
    }

    /// <summary>
    /// Runs one trial and writes its directory through <see cref="IEngine.Run(Experiment, IRecordingSink, IProgress{double}?, CancellationToken)"/>:
    /// a streaming engine writes records and spikes into the output files as it goes (memory stays bounded for long
    /// runs, issue 9); the others run in memory and are replayed into the same writer.
    /// </summary>
    private static int Simulate(Experiment exp, IEngine engine, RunProvenance provenance, string dir, bool plot, RunFormats formats, TextWriter stdout, TextWriter stderr)
    {
        bool interactive = !Console.IsOutputRedirected && ReferenceEquals(stdout, Console.Out);
        using var staged = new StagedDirectory(dir);
        // Only a streamed run needs the writer's bounded copy for the figure; an in-memory result is its own.
        using var writer = new RunOutputWriter(exp, staged.StagingPath, formats, keepForFigure: plot && EngineCatalog.Get(engine.Name).Has(EngineCapabilities.Streaming));
        SimulationResult RunWith(IProgress<double>? progress) => engine.Run(exp, writer, progress);

        SimulationResult result;
        if (interactive)
        {
            SimulationResult? r = null;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"simulating {exp.Name}", maxValue: 1.0);
                    r = RunWith(new Progress<double>(f => task.Value = f));
                    task.Value = 1.0;
                });
            result = r!;
        }
        else
        {
            result = RunWith(null);
        }

        var latentFinal = writer.LatentFinal.ToArray();
        writer.Complete(result, provenance);
        if (result.RatesFlat is not null)
        {
            // The rate twin's per-neuron rates (docs/engines.md#rate-twin); CSV whatever --format says.
            RunWriter.WriteRates(result, staged.File("rates.csv"));
        }
        if (plot)
        {
            if ((result.Streamed ? writer.FigureResult : result) is { } figure)
            {
                RunFigure.Save(figure, staged.File("latents.png"));
            }
            else
            {
                stdout.WriteLine($"latents.png skipped: the run is too long to plot (over {RunOutputWriter.FigureSpikeLimit} spikes or {RunOutputWriter.FigureRecordLimit} records); plot from the data files");
            }
        }

        staged.Commit(OutputFiles);
        Report(result, latentFinal, Path.GetFullPath(dir), stdout, interactive);
        if (result.Status != SimulationStatus.Completed)
        {
            stderr.WriteLine($"warning: {result.StatusDetail}");
            return ExitExploded;
        }

        return 0;
    }

    private static void Report(SimulationResult result, double[] latentFinal, string dir, TextWriter stdout, bool interactive)
    {
        var exp = result.Experiment;
        if (interactive)
        {
            var table = new Table().Title($"[bold]{Markup.Escape(exp.Name)}[/] — {result.SimulatedDuration:0.###} τ, {result.TotalSpikes} spikes");
            table.AddColumns("population", "kind", "N", "spikes", "rate (Hz)", "final latent");
            for (int p = 0; p < exp.Network.Populations.Count; p++)
            {
                var pop = exp.Network.Populations[p];
                table.AddRow(pop.Name, pop.Kind.ToString().ToLowerInvariant(), pop.Size.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    result.SpikeCounts[p].Sum().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    result.MeanRateHz(p).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture),
                    latentFinal[exp.Network.LatentIndex(pop.LatentName)].ToString("0.####", System.Globalization.CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
        }
        else
        {
            stdout.WriteLine($"{exp.Name}: {result.SimulatedDuration:0.###} τ simulated, {result.TotalSpikes} spikes, status {result.Status.ToText()}");
            for (int p = 0; p < exp.Network.Populations.Count; p++)
            {
                var pop = exp.Network.Populations[p];
                stdout.WriteLine($"  {pop.Name} ({pop.Kind.ToString().ToLowerInvariant()}, N = {pop.Size}): {result.SpikeCounts[p].Sum()} spikes, {result.MeanRateHz(p):0.##} Hz");
            }
        }

        stdout.WriteLine($"outputs written to {dir}");
    }

    /// <summary>Turns expected failures into a one-line message and exit code 1; nothing else escapes as a stack trace.</summary>
    internal static int Guard(TextWriter stderr, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (SpecException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitSpecError;
        }
        catch (ModelValidationException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitSpecError;
        }
        catch (IOException e)
        {
            stderr.WriteLine($"error: {e.Message.Replace('\n', ' ')}");
            return ExitSpecError;
        }
        catch (UnauthorizedAccessException e)
        {
            stderr.WriteLine($"error: {e.Message.Replace('\n', ' ')}");
            return ExitSpecError;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("error: cancelled; nothing was written");
            return ExitSpecError;
        }
        catch (OutOfMemoryException e)
        {
            stderr.WriteLine($"error: out of memory ({e.Message.Replace('\n', ' ')}); use a smaller network, fewer trials or a shorter run");
            return ExitInternalError;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("LATENTSPIKES_DEBUG") is null or "" or "0")
        {
            // Last resort: a bug, not the input's fault. One line like every other error; the stack trace on request.
            stderr.WriteLine($"error: internal error ({e.GetType().Name}: {e.Message.Replace('\n', ' ')}); please report it with the command that caused it (set LATENTSPIKES_DEBUG=1 for the stack trace)");
            return ExitInternalError;
        }
    }
}
