// Over 500 lines on purpose: one benchmark driver; its network builders, Brian2 script generation and result tables
// change together.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LatentSpikes.Cli;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Bench;

/// <summary>
/// The <c>peers</c> command (issue 4, item 5): the same low-rank networks simulated by our clock-driven engine, by the
/// authors' dense-matrix algorithm (<see cref="DenseBaseline"/>) and by Brian2 (<c>bench/peers/brian_lowrank.py</c>),
/// timed with a stopwatch and printed as one Markdown table, plus the time to a small network's first result.
/// </summary>
internal static class PeersBenchmark
{
    /// <summary>Hidden sub-command the first-result measurement starts as a fresh process: the real CLI path.</summary>
    public const string FirstResultChild = "peers-first-result-child";

    private const string Usage =
        "usage: peers [--sizes 1000,10000,100000] [--duration T] [--threads K] [--repeats R] [--rounds R] [--no-brian] " +
        "[--brian-targets numpy,cython,cpp_standalone] [--brian-model linked|summed] [--brian-dense-max N] [--python /usr/bin/python3]";

    private const double Input = -0.5;
    private const double Sigma = 0.1;
    private const double Dt = 0.01;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private sealed record Options(
        int[] Sizes, double Duration, int Threads, int Repeats, int Rounds, bool Brian, string[] BrianTargets, string BrianModel, int BrianDenseMax, string Python);

    /// <summary>One measured configuration.</summary>
    private sealed record PeerRow(
        string Engine, string Network, int N, int Threads, double SetupSeconds, double RunSeconds, double Duration,
        long Spikes, string Latents, string Note = "");

    /// <summary>Runs the benchmark; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        Options options;
        try
        {
            options = Parse(args);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 1;
        }

        Console.WriteLine($"# peers: rank-1 and rank-2 networks, dt = {Dt} τ, σ = {Sigma}, constant input x = {Input}, latents start one decoder inside the boundary;");
        Console.WriteLine($"# {options.Duration} τ per run, best of {options.Repeats} runs per round and of {options.Rounds} round(s); {Environment.ProcessorCount} cores");
        var rows = new List<PeerRow>();
        bool brianOk = options.Brian;
        var loads = new List<string>();
        for (int round = 0; round < options.Rounds; round++)
        {
            loads.Add(LoadAverage());
            Console.Error.WriteLine($"round {round + 1} of {options.Rounds}");
            brianOk = Sweep(options, rows, brianOk);
        }

        Console.WriteLine($"# load average (1 min) at the start of each round: {string.Join(", ", loads)}");
        rows = BestPerConfiguration(rows);

        PrintTable(rows, options);
        PrintFirstResult(options, brianOk);
        Console.WriteLine($"# load average at the end: {LoadAverage()}");
        return 0;
    }

    /// <summary>One pass over every network, size and engine; appends the measured rows and returns whether Brian2 still works.</summary>
    private static bool Sweep(Options options, List<PeerRow> rows, bool brianOk)
    {
        foreach (string network in new[] { "rank1", "rank2" })
        {
            foreach (int n in options.Sizes)
            {
                var exp = Network(network, n, options.Duration);
                Console.Error.WriteLine($"[{network} N={n}] ours");
                var ours1 = TimeOurs(exp, 1, options.Repeats, out var reference);
                rows.Add(ResultRow("ours (clock-driven)", network, n, 1, 0, ours1, exp, reference, "set-up included in the run time"));
                if (options.Threads > 1)
                {
                    var oursK = TimeOurs(exp, options.Threads, options.Repeats, out var parallelResult);
                    rows.Add(ResultRow("ours (clock-driven)", network, n, options.Threads, 0, oursK, exp, parallelResult,
                        n < ClockDrivenEngine.ParallelThreshold ? $"N < {ClockDrivenEngine.ParallelThreshold:N0}: runs on one thread" : ""));
                }

                if (n <= DenseBaseline.MaxNeurons)
                {
                    Console.Error.WriteLine($"[{network} N={n}] dense");
                    rows.Add(TimeDense(exp, network, options.Repeats, reference));
                }
                else
                {
                    rows.Add(new PeerRow("authors' dense W", network, n, 1, double.NaN, double.NaN, options.Duration, -1, "",
                        $"skipped: N×N weights = {8.0 * n * n / 1e9:0.#} GB (cap N ≤ {DenseBaseline.MaxNeurons:N0})"));
                }

                if (!brianOk)
                {
                    continue;
                }

                foreach (var (target, threads) in BrianConfigurations(options))
                {
                    Console.Error.WriteLine($"[{network} N={n}] brian2 {target} ({threads} thread(s))");
                    var row = RunBrian(options, network, n, options.BrianModel, target, threads, exp, out string? failure);
                    if (failure is not null)
                    {
                        Console.Error.WriteLine($"warning: Brian2 skipped from here on: {failure}");
                        brianOk = false;
                        break;
                    }

                    rows.Add(row!);
                }

                if (brianOk && n <= options.BrianDenseMax)
                {
                    string target = options.BrianTargets.Contains("cython") ? "cython" : options.BrianTargets[0];
                    Console.Error.WriteLine($"[{network} N={n}] brian2 {target} dense synapses");
                    var row = RunBrian(options, network, n, "dense", target, 1, exp, out string? failure);
                    if (row is not null)
                    {
                        rows.Add(row);
                    }
                    else
                    {
                        Console.Error.WriteLine($"warning: Brian2 dense run failed: {failure}");
                    }
                }
            }
        }

        return brianOk;
    }

    /// <summary>The fastest of the repeated measurements of each configuration, in first-seen order.</summary>
    private static List<PeerRow> BestPerConfiguration(List<PeerRow> rows) =>
        rows.GroupBy(r => (r.Engine, r.Network, r.N, r.Threads))
            .Select(g => g.Where(r => !double.IsNaN(r.RunSeconds)).MinBy(r => r.RunSeconds / r.Duration) ?? g.First())
            .ToList();

    /// <summary>The child process of the first-result measurement: <c>latentspikes simulate</c> on a spec.</summary>
    public static int RunFirstResultChild(string[] args) =>
        args.Length >= 2 ? LatentSpikesApp.Run(["simulate", args[0], "--out", args[1], .. args[2..]], TextWriter.Null, Console.Error) : 1;

    private static Options Parse(string[] args)
    {
        var o = new Options([1000, 10_000, 100_000], 10, Environment.ProcessorCount, 3, 1, true, ["numpy", "cython", "cpp_standalone"], "linked", 2000, "/usr/bin/python3");
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--sizes" => o with { Sizes = Next().Split(',').Select(s => PositiveInt("--sizes", s)).ToArray() },
                "--duration" => o with { Duration = PositiveDouble("--duration", Next()) },
                "--threads" => o with { Threads = PositiveInt("--threads", Next()) },
                "--repeats" => o with { Repeats = PositiveInt("--repeats", Next()) },
                "--rounds" => o with { Rounds = PositiveInt("--rounds", Next()) },
                "--no-brian" => o with { Brian = false },
                "--brian-targets" => o with { BrianTargets = Next().Split(',').Select(BrianTarget).ToArray() },
                "--brian-model" => o with { BrianModel = BrianModel(Next()) },
                "--brian-dense-max" => o with { BrianDenseMax = PositiveInt("--brian-dense-max", Next()) },
                "--python" => o with { Python = Next() },
                _ => throw new FormatException($"unknown option '{args[i]}'"),
            };
        }

        return o;
    }

    private static int PositiveInt(string option, string text) =>
        int.TryParse(text, NumberStyles.Integer, Inv, out int v) && v > 0 ? v : throw new FormatException($"{option}: '{text}' is not a positive integer");

    private static double PositiveDouble(string option, string text) =>
        double.TryParse(text, NumberStyles.Float, Inv, out double v) && v > 0 && double.IsFinite(v) ? v : throw new FormatException($"{option}: '{text}' is not a positive number");

    private static string BrianModel(string m) =>
        m is "linked" or "summed" ? m : throw new FormatException($"--brian-model: unknown model '{m}' (linked, summed)");

    private static string BrianTarget(string t) =>
        t is "numpy" or "cython" or "cpp_standalone" ? t : throw new FormatException($"--brian-targets: unknown target '{t}' (numpy, cython, cpp_standalone)");

    /// <summary>
    /// The benchmark workloads with the latents starting one inhibitory decoder inside the boundary at x = −0.5, so
    /// that no neuron starts at threshold: a start at y = 0 would make Brian fire most of the network in its first
    /// step, and a start on the boundary every neuron near the tangent point within noise of threshold.
    /// </summary>
    private static Experiment Network(string network, int n, double duration)
    {
        var exp = network == "rank1" ? BenchNetworks.Rank1(n, Sigma, duration) : BenchNetworks.Rank2(n, Sigma, duration);
        double p = 0.5 + (Input * Input);
        var initial = network == "rank1"
            ? new Dictionary<string, double> { ["y_I"] = -p - 0.35 }
            : new Dictionary<string, double> { ["y_E"] = 2 - p, ["y_I"] = -2 - (2 - p) - 0.26 }; // y_E = q − p, y_I = −q − y_E (q = 2)
        return new Experiment(exp.Network, exp.Inputs, exp.Settings, exp.Injections, initial, exp.Name, exp.Description);
    }

    private static double TimeOurs(Experiment exp, int threads, int repeats, out SimulationResult result)
    {
        var engine = new ClockDrivenEngine(threads);
        result = engine.Run(exp); // warm-up: JIT and page faults are not the steady state being compared
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            result = engine.Run(exp);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }

        return best;
    }

    private static PeerRow TimeDense(Experiment exp, string network, int repeats, SimulationResult reference)
    {
        var sw = Stopwatch.StartNew();
        var dense = DenseBaseline.Build(exp);
        double build = sw.Elapsed.TotalSeconds;
        var result = dense.Run();
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            sw.Restart();
            result = dense.Run();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }

        bool same = result.Spikes.SequenceEqual(reference.Spikes);
        string note = $"W: {dense.WeightBytes / 1e6:N0} MB, built in the set-up time; spikes {(same ? "identical to ours" : "DIFFER from ours")}";
        return ResultRow("authors' dense W", network, exp.Network.NeuronCount, 1, build, best, exp, result, note);
    }

    private static PeerRow ResultRow(string engine, string network, int n, int threads, double setup, double run, Experiment exp, SimulationResult result, string note) =>
        new(engine, network, n, threads, setup, run, exp.Settings.Duration, result.Spikes.Count, FormatLatents(exp, MeanLatents(exp, result)), note);

    /// <summary>
    /// Time average of each latent over the second half of the run, from the spikes (the exact exponential readout, as
    /// the Brian script computes it), so all engines are read out the same way.
    /// </summary>
    private static double[] MeanLatents(Experiment exp, SimulationResult result)
    {
        var net = exp.Network;
        double t1 = exp.Settings.Duration;
        double t0 = t1 / 2;
        double w = t1 - t0;
        var mean = new double[net.Latents.Count];
        for (int l = 0; l < mean.Length; l++)
        {
            double y0 = exp.InitialLatents.TryGetValue(net.Latents[l].Name, out double v) ? v : 0;
            mean[l] = y0 * (Math.Exp(-t0) - Math.Exp(-t1));
        }

        foreach (var s in result.Spikes)
        {
            double contribution = s.Time < t0 ? Math.Exp(-(t0 - s.Time)) * (1 - Math.Exp(-w)) : 1 - Math.Exp(-(t1 - s.Time));
            string source = net.Populations[s.Population].Name;
            for (int l = 0; l < mean.Length; l++)
            {
                if (net.Latents[l].Source == source)
                {
                    mean[l] += net.Latents[l].Decoders[s.Neuron] * contribution;
                }
            }
        }

        return mean.Select(m => m / w).ToArray();
    }

    private static string FormatLatents(Experiment exp, double[] means) =>
        string.Join(", ", exp.Network.Latents.Select((l, i) => $"{l.Name} {means[i].ToString("0.00", Inv)}"));

    private static IEnumerable<(string Target, int Threads)> BrianConfigurations(Options o)
    {
        bool compiler = OnPath("g++") || OnPath("c++");
        foreach (string t in o.BrianTargets)
        {
            if (t != "numpy" && !compiler)
            {
                Console.Error.WriteLine($"note: no C++ compiler on PATH, Brian2 target {t} skipped");
                continue;
            }

            yield return (t, 1);
            if (t == "cpp_standalone" && o.Threads > 1)
            {
                yield return (t, o.Threads);
            }
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));

    private static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "peers", "brian_lowrank.py");

    private static PeerRow? RunBrian(Options o, string network, int n, string model, string target, int threads, Experiment exp, out string? failure)
    {
        var config = new Dictionary<string, object>
        {
            ["network"] = network,
            ["n"] = n,
            ["duration"] = o.Duration,
            ["sigma"] = Sigma,
            ["x"] = Input,
            ["model"] = model,
            ["target"] = target,
            ["threads"] = threads,
            ["repeats"] = Math.Min(o.Repeats, 2),
            ["seed"] = 1,
            ["build_dir"] = Path.Combine(Path.GetTempPath(), "latentspikes-peers", $"brian-{network}-{model}-t{threads}"),
        };
        var (json, _, error) = RunPython(o.Python, JsonSerializer.Serialize(config));
        if (json is null)
        {
            failure = error;
            return null;
        }

        failure = null;
        var root = json.RootElement;
        double checksum = root.GetProperty("param_checksum").GetDouble();
        double ours = ParameterChecksum(exp);
        string check = Math.Abs(checksum - ours) <= 1e-9 * Math.Max(1, Math.Abs(ours)) ? "" : $"; PARAMETERS DIFFER (checksum {checksum} vs {ours})";
        var names = root.GetProperty("latent_names").EnumerateArray().Select(e => e.GetString()).ToArray();
        var means = root.GetProperty("mean_latents").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        string latents = string.Join(", ", names.Select((name, i) => $"{name} {means[i].ToString("0.00", Inv)}"));
        string label = model switch
        {
            "dense" => $"Brian2 {target}, dense Synapses",
            "summed" => $"Brian2 {target}, summed latents",
            _ => $"Brian2 {target}",
        };
        string note = $"first run (code generation{(target == "numpy" ? "" : " + compile")}) {root.GetProperty("first_run_s").GetDouble():0.0} s; " +
                      $"{root.GetProperty("synapses").GetInt64():N0} synapses; up to {root.GetProperty("max_spikes_per_step").GetInt32()} spikes in one step{check}" +
                      (target == "cpp_standalone" ? $"; wall time of the run inside the binary (Brian's own loop timer: {root.GetProperty("brian_loop_timer_s").GetDouble():0.00} s)" : "");
        return new PeerRow(label, network, n, threads, root.GetProperty("first_run_s").GetDouble(), root.GetProperty("run_s").GetDouble(),
            root.GetProperty("duration").GetDouble(), root.GetProperty("spikes").GetInt64(), latents, note);
    }

    /// <summary>Σ F + Σ b + Σ E + Σ D, the same sum the Brian script prints, to catch the two constructions drifting apart.</summary>
    private static double ParameterChecksum(Experiment exp)
    {
        double sum = 0;
        foreach (var pop in exp.Network.Populations)
        {
            for (int i = 0; i < pop.Size; i++)
            {
                sum += pop.Feedforward(i, 0) + pop.Bias(i);
            }

            sum += pop.Encoders.Values.Sum(e => e.Sum());
        }

        return sum + exp.Network.Latents.Sum(l => l.Decoders.Sum());
    }

    /// <summary>Runs the Brian script; returns its JSON line, the process wall time, or an error.</summary>
    private static (JsonDocument? Json, double WallSeconds, string? Error) RunPython(string python, string config)
    {
        if (!File.Exists(ScriptPath))
        {
            return (null, 0, $"script not found at {ScriptPath}");
        }

        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-W");
        psi.ArgumentList.Add("ignore");
        psi.ArgumentList.Add(ScriptPath);
        psi.ArgumentList.Add(config);
        var sw = Stopwatch.StartNew();
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return (null, 0, $"cannot start {python}: {e.Message}");
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            double wall = sw.Elapsed.TotalSeconds;
            string? line = stdout.Split('\n').LastOrDefault(l => l.StartsWith('{'));
            if (process.ExitCode != 0 || line is null)
            {
                string err = stderr.Result;
                string last = err.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? $"exit code {process.ExitCode}";
                return (null, wall, err.Contains("No module named 'brian2'", StringComparison.Ordinal)
                    ? $"Brian2 is not installed for {python} (Debian: apt-get install python3-brian)"
                    : $"the Brian script failed: {last}");
            }

            return (JsonDocument.Parse(line), wall, null);
        }
    }

    private static void PrintTable(List<PeerRow> rows, Options o)
    {
        Console.WriteLine();
        Console.WriteLine("| engine | network | N | threads | set-up (s) | wall per τ (ms) | ns per neuron-step | ÷ ours, 1 thread | ÷ ours, " +
                          $"{o.Threads} threads | spikes per τ | mean latents, 2nd half | notes |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
        foreach (var r in rows)
        {
            var ours1 = rows.First(x => x.Network == r.Network && x.N == r.N && x.Engine.StartsWith("ours", StringComparison.Ordinal));
            var oursK = rows.Last(x => x.Network == r.Network && x.N == r.N && x.Engine.StartsWith("ours", StringComparison.Ordinal));
            double perTau = r.RunSeconds / r.Duration;
            double nsPerNeuronStep = r.RunSeconds * 1e9 / (r.N * Math.Round(r.Duration / Dt));
            string Ratio(PeerRow baseline) => double.IsNaN(r.RunSeconds) ? "—" : (perTau / (baseline.RunSeconds / baseline.Duration)).ToString("0.0", Inv);
            Console.WriteLine(
                $"| {r.Engine} | {r.Network} | {r.N:N0} | {r.Threads} | {Num(r.SetupSeconds, "0.00")} | {Num(perTau * 1e3, "0.00")} | {Num(nsPerNeuronStep, "0.0")} | " +
                $"{Ratio(ours1)} | {Ratio(oursK)} | {(r.Spikes < 0 ? "—" : (r.Spikes / r.Duration).ToString("0.0", Inv))} | {r.Latents} | {r.Note} |");
        }

        Console.WriteLine();
        foreach (var group in rows.Where(r => r.N >= 10_000).GroupBy(r => (r.Network, r.N)))
        {
            var ours = group.Where(r => r.Engine.StartsWith("ours", StringComparison.Ordinal)).MinBy(r => r.RunSeconds / r.Duration)!;
            var brian = group.Where(r => r.Engine.StartsWith("Brian2", StringComparison.Ordinal) && !double.IsNaN(r.RunSeconds)).MinBy(r => r.RunSeconds / r.Duration);
            if (brian is not null)
            {
                double ratio = brian.RunSeconds / brian.Duration / (ours.RunSeconds / ours.Duration);
                Console.WriteLine($"# target ≥ 5× Brian2 at N ≥ 10,000: {group.Key.Network} N = {group.Key.N:N0}: fastest Brian2 ({brian.Engine}, {brian.Threads} thread(s)) " +
                                  $"÷ fastest ours ({ours.Threads} thread(s)) = {ratio:0.0}× — {(ratio >= 5 ? "met" : "NOT met")}");
            }
        }
    }

    private static string Num(double v, string format) => double.IsNaN(v) ? "—" : v.ToString(format, Inv);

    /// <summary>
    /// Time from process start to a small network's written result (N = 50, 10 τ, with noise): our CLI's
    /// <c>simulate</c> in a fresh process (spec parsing, build, run, CSV + JSON + figure) against Brian2's default target
    /// in a fresh Python process (import, build, run).
    /// </summary>
    private static void PrintFirstResult(Options o, bool brian)
    {
        string dir = Path.Combine(Path.GetTempPath(), "latentspikes-peers", "first-result");
        Directory.CreateDirectory(dir);
        string spec = Path.Combine(dir, "n50.yaml");
        File.WriteAllText(spec, string.Join('\n',
            "name: peers-first-result",
            "description: rank-1 inhibitory population, N = 50, noise 0.1 (the peers benchmark's small network)",
            "simulation: {dt: 0.01, duration: 10, seed: 1}",
            "input: {kind: constant, value: -0.5}",
            "populations:",
            "  - name: I",
            "    kind: inhibitory",
            "    size: 50",
            "    tangent: {f: {polynomial: [0.5, 0, 1]}, range: [-1, 1]}",
            "    decoders: -0.35",
            "    mu: 0",
            "    noise: 0.1",
            "initial: {y_I: -1.1}",
            ""));
        var ours = new List<double>();
        var oursNoPlot = new List<double>();
        int tries = 3 * o.Rounds;
        for (int r = 0; r < tries; r++)
        {
            ours.Add(TimeChild(spec, Path.Combine(dir, "out")));
            oursNoPlot.Add(TimeChild(spec, Path.Combine(dir, "out-no-plot"), "--no-plot"));
        }

        Console.WriteLine();
        Console.WriteLine($"| first result, N = 50, 10 τ, from process start | first | best of {tries} |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| ours: `latentspikes simulate` (parse, build, run, write CSV/JSON/PNG) | {ours[0]:0.00} s | {ours.Min():0.00} s |");
        Console.WriteLine($"| ours: `latentspikes simulate --no-plot` (parse, build, run, write CSV/JSON) | {oursNoPlot[0]:0.00} s | {oursNoPlot.Min():0.00} s |");
        if (brian)
        {
            var walls = new List<double>();
            string? error = null;
            for (int r = 0; r < tries && error is null; r++)
            {
                var config = JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["network"] = "rank1",
                    ["n"] = 50,
                    ["target"] = "auto",
                    ["warmup"] = 10,
                    ["repeats"] = 0,
                    ["sigma"] = Sigma,
                    ["x"] = Input,
                });
                var (json, wall, err) = RunPython(o.Python, config);
                error = err;
                json?.Dispose();
                walls.Add(wall);
            }

            Console.WriteLine(error is null
                ? $"| Brian2 default target (import, build, code generation, run; compiled code cached from earlier runs) | {walls[0]:0.00} s | {walls.Min():0.00} s |"
                : $"| Brian2: failed ({error}) | — | — |");
        }
    }

    private static double TimeChild(string spec, string outDir, params string[] extra)
    {
        string self = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(PeersBenchmark).Assembly.Location);
        }

        psi.ArgumentList.Add(FirstResultChild);
        psi.ArgumentList.Add(spec);
        psi.ArgumentList.Add(outDir);
        foreach (string e in extra)
        {
            psi.ArgumentList.Add(e);
        }
        var sw = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        double wall = sw.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the first-result child exited with code {process.ExitCode}");
        }

        return wall;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
