using System.CommandLine;
using System.Globalization;
using LatentSpikes.Construction;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Model;
using LatentSpikes.Plotting;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;

namespace LatentSpikes.Cli;

/// <summary>
/// <c>latentspikes compile</c>: turns a target function (an expression of x or x1..xM, or piecewise-linear knots) into
/// the spec of a Dale's-law E-I spiking network whose excitatory latent computes it (seed 002, §2.7, App. D-E). It
/// writes the spec (runs with <c>simulate</c> unchanged), simulates its sweep protocol once to measure how well y_E
/// tracks the target, and draws the construction (target, boundary crossing, simulated readout, the convex parts).
/// </summary>
internal static class CompileCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var function = new Option<string[]>("--function", "-f") { Description = "Target f as an expression of x (one input) or x1..xM, e.g. 'sin(3*x) + 1.2' or 'x1^2 + abs(x2)'. Repeat for a vector function (one E-I module per output, latents y_f1, y_f2, ...)." };
        var outputs = new Option<string?>("--outputs") { Description = "Names of the outputs of a vector function, comma-separated (default f1,f2,...); output p is the latent y_<name>." };
        var graph = new Option<string?>("--graph", "-g") { Description = "Compile a composition graph file (YAML/JSON, docs/graph.schema.json) into one network." };
        var knots = new Option<string?>("--knots") { Description = "Target as continuous piecewise-linear knots 'x:y,x:y,...' (x increasing); compiled exactly (Theorem 2)." };
        var range = new Option<double[]>("--range")
        {
            Description = "Input range 'LO HI', once per input dimension (x1 first). Not used with --knots.",
            AllowMultipleArgumentsPerToken = true,
            Arity = new ArgumentArity(2, 2),
        };
        var neurons = new Option<int>("--neurons", "-n") { Description = "Neuron budget (E + I; spread over the tangent points).", DefaultValueFactory = _ => new CompileOptions().Neurons };
        var a = new Option<double>("--a") { Description = "Slope a of the I boundary in y_E; stability needs a > 1 (eq. 2.41).", DefaultValueFactory = _ => new CompileOptions().A };
        var method = new Option<string>("--method") { Description = "Difference-of-convex split: auto (piecewise-linear for one input), piecewise-linear, smooth.", DefaultValueFactory = _ => "auto" };
        var precision = new Option<double?>("--precision") { Description = "Spike jump |D_I| (default: the finest that the time step supports)." };
        var dt = new Option<double>("--dt") { Description = "Time step (τ) the network is built for and simulated with.", DefaultValueFactory = _ => new CompileOptions().Dt };
        var duration = new Option<double>("--duration") { Description = "Length (τ) of the input sweep over the range in the written protocol.", DefaultValueFactory = _ => new CompileOptions().SweepDuration };
        var maxRate = new Option<double>("--max-rate") { Description = "Largest rate (spikes per τ) any one neuron may need; each boundary piece is spread over as many neurons as that takes (0: one neuron per piece, as in the paper's figures).", DefaultValueFactory = _ => FunctionCompiler.DefaultMaxRate };
        var noise = new Option<double>("--noise") { Description = "Current-noise std σ of every neuron." };
        var mu = new Option<double>("--mu") { Description = "Soft refractory cost μ of every neuron." };
        var tolerance = new Option<double?>("--tolerance") { Description = "Fail unless the boundary crossing is within this of f everywhere on the range." };
        var seed = new Option<ulong>("--seed") { Description = "Seed written into the spec.", DefaultValueFactory = _ => 1UL };
        var name = new Option<string>("--name") { Description = "Experiment name.", DefaultValueFactory = _ => "compiled" };
        var outFile = new Option<string?>("--out", "-o") { Description = "Spec file to write (default: out/<name>.yaml); the figure goes beside it as <name>.png." };
        var noSimulation = new Option<bool>("--no-simulation") { Description = "Skip the verifying simulation (the figure then shows the construction only)." };
        var noPlot = new Option<bool>("--no-plot") { Description = "Skip the figure." };
        var command = new Command("compile", "Compile a target function into an E-I spiking network spec whose excitatory latent computes it (seed 002, §2.7).")
        {
            function, outputs, graph, knots, range, neurons, a, method, precision, dt, duration, maxRate, noise, mu, tolerance, seed, name, outFile, noSimulation, noPlot,
        };
        command.SetAction(r => LatentSpikesApp.Guard(stderr, () =>
        {
            var options = new CompileOptions
            {
                Neurons = r.GetValue(neurons),
                A = r.GetValue(a),
                Method = ParseMethod(r.GetValue(method)!),
                Precision = r.GetValue(precision),
                Dt = r.GetValue(dt),
                SweepDuration = r.GetValue(duration),
                Noise = r.GetValue(noise),
                Mu = r.GetValue(mu),
                Seed = r.GetValue(seed),
                Tolerance = r.GetValue(tolerance),
                MaxRate = r.GetValue(maxRate) == 0 ? null : r.GetValue(maxRate),
                Name = r.GetValue(name)!,
            };
            string[] functions = r.GetValue(function) ?? [];
            string? graphFile = r.GetValue(graph);
            if (graphFile is not null || functions.Length > 1)
            {
                if (graphFile is not null && (functions.Length > 0 || r.GetValue(knots) is not null || r.GetValue(range) is { Length: > 0 }))
                {
                    throw Error("--graph", "a graph file holds its functions and input ranges; drop --function, --knots and --range");
                }

                var compiledGraph = graphFile is not null
                    ? GraphReader.CompileFile(graphFile, options)
                    : CompileVector(functions, r.GetValue(outputs), r.GetValue(knots), r.GetValue(range), options);
                string graphSpec = r.GetValue(outFile) ?? Path.Combine("out", compiledGraph.Experiment.Name + ".yaml");
                RefuseDirectory(graphSpec, compiledGraph.Experiment.Name);
                return GraphOutput.Write(compiledGraph, graphSpec, options.MaxRate, !r.GetValue(noSimulation), !r.GetValue(noPlot), stdout, stderr);
            }

            if (r.GetValue(outputs) is not null)
            {
                throw Error("--outputs", "names the outputs of a vector function; give two or more --function options");
            }

            var compiled = CompileFrom(functions.Length == 1 ? functions[0] : null, r.GetValue(knots), r.GetValue(range), options);
            string spec = r.GetValue(outFile) ?? Path.Combine("out", options.Name + ".yaml");
            RefuseDirectory(spec, options.Name);
            return Write(compiled, spec, options.MaxRate, !r.GetValue(noSimulation), !r.GetValue(noPlot), stdout, stderr);
        }));
        return command;
    }

    private static CompileMethod ParseMethod(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => CompileMethod.Auto,
        "piecewise-linear" or "pl" or "knots" => CompileMethod.PiecewiseLinear,
        "smooth" => CompileMethod.Smooth,
        _ => throw Error("--method", $"'{text}' is not a method; use auto, piecewise-linear or smooth"),
    };

    private static CompiledFunction CompileFrom(string? expression, string? knotText, double[]? rangeValues, CompileOptions options)
    {
        if ((expression is null) == (knotText is null))
        {
            throw Error("--function", "give exactly one target: --function EXPR or --knots 'x:y,...'");
        }

        try
        {
            if (knotText is not null)
            {
                if (rangeValues is { Length: > 0 })
                {
                    throw Error("--range", "the knots define the range; drop --range");
                }

                var (xs, ys) = ParseKnots(knotText);
                return FunctionCompiler.CompileKnots(xs, ys, options);
            }

            var ranges = ParseRanges(rangeValues);
            var f = ExpressionFunction.Parse(expression!, ranges.Count);
            return FunctionCompiler.Compile(x => f.Value(x), ranges, options, expression!.Trim());
        }
        catch (ExpressionException e)
        {
            throw Error("--function", e.Message);
        }
        catch (ModelValidationException e)
        {
            // "range[1]" → "--range[1]": the option, with the dimension or knot the problem is in.
            throw Error("--" + e.Field, e.Reason);
        }
    }

    private static CompiledGraph CompileVector(string[] expressions, string? outputNames, string? knotText, double[]? rangeValues, CompileOptions options)
    {
        if (knotText is not null)
        {
            throw Error("--knots", "a vector function is given by several --function options; drop --knots");
        }

        string[] names = outputNames is null
            ? Enumerable.Range(1, expressions.Length).Select(p => "f" + p.ToString(CultureInfo.InvariantCulture)).ToArray()
            : outputNames.Split(',', StringSplitOptions.TrimEntries);
        if (names.Length != expressions.Length)
        {
            throw Error("--outputs", $"gives {names.Length} name(s) for {expressions.Length} functions");
        }

        var ranges = ParseRanges(rangeValues);
        var functions = new List<(string, Func<double[], double>, string)>();
        for (int p = 0; p < expressions.Length; p++)
        {
            ExpressionFunction f;
            try
            {
                f = ExpressionFunction.Parse(expressions[p], ranges.Count);
            }
            catch (ExpressionException e)
            {
                throw Error($"--function[{p}]", e.Message);
            }

            functions.Add((names[p], x => f.Value(x), expressions[p].Trim()));
        }

        try
        {
            return GraphCompiler.CompileVector(functions, ranges, options);
        }
        catch (ModelValidationException e)
        {
            // "functions[1].neurons" → "--function[1]: neurons: ...", naming the output and the option.
            string field = e.Field.StartsWith("functions[", StringComparison.Ordinal) ? "--function" + e.Field["functions".Length..] : "--" + e.Field;
            throw Error(field, e.Reason);
        }
    }

    private static List<(double Lo, double Hi)> ParseRanges(double[]? values)
    {
        if (values is null || values.Length == 0)
        {
            throw Error("--range", "give the input range as --range LO HI (once per input dimension)");
        }

        var ranges = new List<(double Lo, double Hi)>();
        for (int i = 0; i + 1 < values.Length; i += 2)
        {
            ranges.Add((values[i], values[i + 1]));
        }

        return ranges;
    }

    /// <summary>Parses <c>x:y,x:y,...</c>.</summary>
    internal static (double[] Xs, double[] Ys) ParseKnots(string text)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        string[] items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (string item in items)
        {
            string[] parts = item.Split(':', StringSplitOptions.TrimEntries);
            if (parts.Length != 2
                || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double x)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double y))
            {
                throw Error("--knots", $"'{item}' is not a knot; write knots as x:y separated by commas, e.g. '0:0.15,2:0.15,4:1.75'");
            }

            xs.Add(x);
            ys.Add(y);
        }

        if (xs.Count < 2)
        {
            throw Error("--knots", "give at least two knots");
        }

        return (xs.ToArray(), ys.ToArray());
    }

    private static int Write(CompiledFunction compiled, string specPath, double? maxRate, bool simulate, bool plot, TextWriter stdout, TextWriter stderr)
    {
        var exp = compiled.Experiment;
        SimulationResult? run = null;
        TrackingError? tracking = null;
        if (simulate)
        {
            run = new ClockDrivenEngine().Run(exp);
            if (run.Status == SimulationStatus.Completed)
            {
                tracking = CompiledFunctionTracking.Measure(compiled, run);
            }
        }

        var header = new List<string>
        {
            "Written by `latentspikes compile` (seed 002, §2.7): a Dale's-law E-I network whose excitatory latent y_E computes the target.",
            compiled.Summary,
        };
        var rates = run is { Status: SimulationStatus.Completed } ? LatentSpikes.Analysis.NeuronRates.Measure(run) : null;
        if (tracking is not null)
        {
            header.Add($"Simulated sweep (clock engine, dt = {Num(exp.Settings.Dt)} τ): max |y_E − f| = {Num(tracking.MaxError)}, mean {Num(tracking.MeanError)} after t = {Num(tracking.From)} τ.");
        }

        header.Add($"{exp.Network.NeuronCount} neurons" + (maxRate is { } cap ? $", each boundary piece spread over enough neurons that none needs more than {Num(cap)} spikes per τ" : ", one per boundary piece") + ".");
        if (rates is not null)
        {
            header.Add(CompileSummary.RateLine(rates, maxRate) + ".");
        }

        header.Add("Run it with: latentspikes simulate " + specPath.Replace('\\', '/'));
        string text = SpecWriter.Write(exp, header);
        string full = Path.GetFullPath(specPath);
        string? dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        string figure = Path.Combine(dir ?? ".", Path.GetFileNameWithoutExtension(full) + ".png");

        // Write beside the targets and move into place, so a failure never leaves a half-written spec or figure
        // (nor the temporary files: they are removed whatever happens).
        string tmpSpec = full + ".tmp";
        string tmpFigure = figure + ".tmp.png";
        try
        {
            File.WriteAllText(tmpSpec, text);
            if (plot)
            {
                CompileFigure.Save(compiled, run, tmpFigure);
                File.Move(tmpFigure, figure, overwrite: true);
            }

            File.Move(tmpSpec, full, overwrite: true);
        }
        finally
        {
            File.Delete(tmpSpec);
            File.Delete(tmpFigure);
        }

        string summaryPath = CompileSummary.PathFor(full);
        CompileSummary.Write(summaryPath, exp, maxRate, [new CompileSummary.Output("f", exp.Network.Populations[0].LatentName, compiled.MaxApproximationError + (GraphCompiler.JumpAllowance * compiled.Ei.Precision), tracking)], rates);

        stdout.WriteLine(compiled.Summary);
        if (tracking is not null)
        {
            stdout.WriteLine($"simulated sweep: max |y_E − f| = {Num(tracking.MaxError)}, mean {Num(tracking.MeanError)}, rms {Num(tracking.RmsError)} (clock engine, dt = {Num(exp.Settings.Dt)} τ, {run!.Spikes.Count} spikes)");
        }

        stdout.WriteLine($"{exp.Network.NeuronCount} neurons used (" + string.Join(", ", exp.Network.Populations.Select(p => $"{p.Name}: {p.Size}")) + ")");
        if (rates is not null)
        {
            stdout.WriteLine(CompileSummary.RateLine(rates, maxRate));
        }

        stdout.WriteLine($"summary written to {summaryPath}");

        stdout.WriteLine($"spec written to {full}");
        if (plot)
        {
            stdout.WriteLine($"figure written to {figure}");
        }

        if (run is not null && run.Status != SimulationStatus.Completed)
        {
            stderr.WriteLine($"warning: the compiled network's activity ran away: {run.StatusDetail}");
            return LatentSpikesApp.ExitExploded;
        }

        return 0;
    }

    private static SpecException Error(string option, string reason) => new("command line", 0, option, reason);

    /// <summary>An existing directory as --out would otherwise fail late, after the compile, with an I/O message.</summary>
    internal static void RefuseDirectory(string spec, string name)
    {
        if (Directory.Exists(spec))
        {
            throw Error("--out", $"'{spec}' is a directory; give the spec file to write, e.g. {Path.Combine(spec, name + ".yaml")}");
        }
    }

    private static string Num(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}
