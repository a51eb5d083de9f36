using System.CommandLine;
using System.Globalization;
using LatentSpikes.Specs;
using LatentSpikes.Sweeps;
using Spectre.Console;

namespace LatentSpikes.Cli;

/// <summary>
/// <c>latentspikes sweep SWEEP [--out DIR] [--jobs N] [--shard I/N]</c> runs a sweep file (docs/sweeps.md)
/// resumably on local cores, or one deterministic shard of it; <c>--slurm</c> writes a SLURM job array instead;
/// <c>latentspikes merge DIR</c> combines the shards' tables. Exit 0 when every run has a result (an exploded run
/// is a result), 1 for a bad sweep or option, 4 when some runs failed (rerun to retry them).
/// </summary>
internal static class SweepCommand
{
    /// <summary>Exit code when some runs failed with an error (the others are kept; a rerun retries the failed ones).</summary>
    public const int ExitRunsFailed = 4;

    /// <summary>Builds the <c>sweep</c> command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var sweep = new Argument<string>("sweep") { Description = "Sweep file (YAML; see docs/sweeps.md)." };
        var outDir = new Option<string?>("--out") { Description = "Output directory (default: out/<sweep name>); a rerun into it resumes." };
        var jobs = new Option<int>("--jobs") { Description = "Runs simulated at once (default: every core). Results do not depend on it.", DefaultValueFactory = _ => 0 };
        var shard = new Option<string?>("--shard") { Description = "Run only shard I of N (runs with index ≡ I mod N, 0 ≤ I < N) and write parts/part-I-of-N.csv; merge combines them." };
        var list = new Option<bool>("--list") { Description = "Print the runs (index, id, parameters, seed) and exit." };
        var slurm = new Option<bool>("--slurm") { Description = "Write a SLURM job array (OUT/slurm/array.sbatch, merge.sbatch, submit.sh) instead of running." };
        var arraySize = new Option<int?>("--array-size") { Description = "--slurm: array tasks (shards; default: the number of runs, at most 100)." };
        var partition = new Option<string?>("--partition") { Description = "--slurm: partition." };
        var time = new Option<string?>("--time") { Description = "--slurm: time limit per task, e.g. 01:00:00." };
        var launcher = new Option<string?>("--launcher") { Description = "--slurm: shell words that start latentspikes on the nodes (default: this binary)." };
        var command = new Command("sweep", "Run a parameter sweep (grid/zip × seeds over any spec field) resumably on all cores, one shard of it, or as a SLURM array (--slurm); writes results.csv.")
        {
            sweep, outDir, jobs, shard, list, slurm, arraySize, partition, time, launcher,
        };
        command.SetAction(r => LatentSpikesApp.Guard(stderr, () =>
        {
            int jobCount = r.GetValue(jobs);
            if (jobCount < 0)
            {
                throw Option("--jobs", $"must be ≥ 0 (0: every core; got {jobCount})");
            }

            var (shardIndex, shardCount) = ParseShard(r.GetValue(shard));
            string file = r.GetValue(sweep)!;
            var plan = SweepPlan.Create(SweepDefinition.Load(file));
            string dir = r.GetValue(outDir) ?? Path.Combine("out", plan.Definition.Name);
            if (r.GetValue(list))
            {
                return List(plan, stdout);
            }

            if (r.GetValue(slurm))
            {
                if (r.GetValue(shard) is not null)
                {
                    throw Option("--shard", "--slurm gives each array task its own shard; leave --shard out");
                }

                int size = r.GetValue(arraySize) ?? Math.Min(plan.Runs.Count, 100);
                if (size < 1)
                {
                    throw Option("--array-size", $"must be ≥ 1 (got {size})");
                }

                size = Math.Min(size, plan.Runs.Count);
                var options = new SlurmOptions(size, jobCount == 0 ? 1 : jobCount, r.GetValue(partition), r.GetValue(time));
                string submit = SlurmScripts.Write(plan, file, dir, r.GetValue(launcher) ?? Launcher(), options);
                stdout.WriteLine($"{plan.Definition.Name}: {plan.Runs.Count} runs in a {size}-task SLURM array; scripts in {Path.GetDirectoryName(submit)}");
                stdout.WriteLine($"submit with: bash {SlurmScripts.Quote(submit)}   (the merge job writes {Path.Combine(Path.GetFullPath(dir), SweepRunner.ResultsFile)})");
                return 0;
            }

            foreach (var (name, given) in new[] { ("--array-size", r.GetValue(arraySize) is not null), ("--partition", r.GetValue(partition) is not null), ("--time", r.GetValue(time) is not null), ("--launcher", r.GetValue(launcher) is not null) })
            {
                if (given)
                {
                    throw Option(name, "only applies with --slurm");
                }
            }

            return Run(plan, dir, jobCount, shardIndex, shardCount, stdout, stderr);
        }));
        return command;
    }

    /// <summary>Builds the <c>merge</c> command.</summary>
    public static Command CreateMerge(TextWriter stdout, TextWriter stderr)
    {
        var dir = new Argument<string>("dir") { Description = "The sweep's --out directory, holding manifest.json and the shards' parts/." };
        var command = new Command("merge", "Combine the shard tables of a sweep (sweep --shard I/N) into results.csv, identical to an unsharded run.") { dir };
        command.SetAction(r => LatentSpikesApp.Guard(stderr, () =>
        {
            var (path, runs) = SweepMerge.Merge(r.GetValue(dir)!);
            stdout.WriteLine($"merged {runs} runs into {path}");
            return 0;
        }));
        return command;
    }

    private static int Run(SweepPlan plan, string dir, int jobs, int shard, int shardCount, TextWriter stdout, TextWriter stderr)
    {
        string scope = shardCount == 1 ? string.Empty : $" (shard {shard}/{shardCount})";
        bool interactive = !Console.IsOutputRedirected && ReferenceEquals(stdout, Console.Out);
        SweepOutcome outcome;
        if (interactive)
        {
            SweepOutcome? o = null;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape($"sweep {plan.Definition.Name}{scope}"), maxValue: 1.0);
                    o = SweepRunner.Run(plan, dir, jobs, shard, shardCount, p => task.Value = (double)p.Done / p.Total);
                    task.Value = 1.0;
                });
            outcome = o!;
        }
        else
        {
            outcome = SweepRunner.Run(plan, dir, jobs, shard, shardCount,
                p => stdout.WriteLine($"[{p.Done}/{p.Total}] run {p.Run.Id}: {p.Status}"));
        }

        stdout.WriteLine($"{plan.Definition.Name}{scope}: {outcome.Runs} runs, {outcome.Skipped} already done, {outcome.Ran} simulated now, {outcome.Exploded} exploded");
        if (outcome.Failures.Count > 0)
        {
            stderr.WriteLine($"error: {outcome.Failures.Count} run(s) failed (finished runs are kept; rerun to retry): {string.Join("; ", outcome.Failures.Take(5))}{(outcome.Failures.Count > 5 ? "; …" : string.Empty)}");
            return ExitRunsFailed;
        }

        stdout.WriteLine($"results written to {outcome.TablePath}");
        return 0;
    }

    private static int List(SweepPlan plan, TextWriter stdout)
    {
        stdout.WriteLine($"{plan.Definition.Name}: {plan.Runs.Count} runs ({plan.Definition.Engine} engine, {plan.Definition.Trials} trial(s) each)");
        foreach (var run in plan.Runs)
        {
            string parameters = string.Join(", ", run.Parameters.Select(p => $"{p.Path} = {p.Value}"));
            stdout.WriteLine($"  {run.Id}  {parameters}{(parameters.Length > 0 ? ", " : string.Empty)}seed = {run.Seed.ToString(CultureInfo.InvariantCulture)}");
        }

        return 0;
    }

    /// <summary><c>I/N</c> with 0 ≤ I &lt; N; no shard is 0/1.</summary>
    internal static (int Index, int Count) ParseShard(string? text)
    {
        if (text is null)
        {
            return (0, 1);
        }

        string[] parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            throw Option("--shard", $"expected I/N with whole numbers, e.g. 0/4 (got '{text}')");
        }

        if (count < 1 || index >= count)
        {
            throw Option("--shard", $"needs 0 ≤ I < N (got {index}/{count})");
        }

        return (index, count);
    }

    /// <summary>Shell words that start this same binary: the app host, or the dotnet host with this assembly.</summary>
    private static string Launcher()
    {
        string? process = Environment.ProcessPath;
        string name = Path.GetFileNameWithoutExtension(process ?? string.Empty);
        if (process is not null && name is "LatentSpikes.Cli" or "latentspikes")
        {
            return SlurmScripts.Quote(process);
        }

        string dotnet = process is not null && name == "dotnet" ? process : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return $"{SlurmScripts.Quote(dotnet)} {SlurmScripts.Quote(typeof(SweepCommand).Assembly.Location)}";
    }

    private static SpecException Option(string option, string problem) => new("command line", 0, option, problem);
}
