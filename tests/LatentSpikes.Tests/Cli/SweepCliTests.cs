using System.Diagnostics;
using LatentSpikes.Cli;
using LatentSpikes.Sweeps;
using static LatentSpikes.Tests.Cli.CliRunner;

namespace LatentSpikes.Tests.Cli;

/// <summary>
/// <c>sweep</c> and <c>merge</c>: the results table does not depend on --jobs, on sharding or on interruptions;
/// merge refuses missing and duplicate runs; --slurm writes an array whose tasks are the shards.
/// </summary>
public sealed class SweepCliTests : IDisposable
{
    // Noise makes every seed's run different, so a run written under the wrong seed or id would show.
    private const string Body = """
        grid:
          populations[0].noise: [0.05, 0.15]
          populations[0].decoders: [-0.35, -0.25]
        zip:
          simulation.duration: [6, 8]
          input[0].stop: [6, 8]
        seeds: 2
        window: [1, 6]
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-sweepcli-" + Guid.NewGuid().ToString("N"));
    private readonly string _sweep;

    public SweepCliTests()
    {
        Directory.CreateDirectory(_dir);
        _sweep = Path.Combine(_dir, "sweep.yaml");
        File.WriteAllText(_sweep, $"spec: {TestData.Example("fig2-inhibitory-boundary.yaml")}\n{Body}\n");
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private string Out(string name) => Path.Combine(_dir, name);

    private byte[] Sweep(string outName, params string[] extra)
    {
        var r = Run(["sweep", _sweep, "--out", Out(outName), .. extra]);
        Assert.True(r.Code == 0, r.Err);
        return File.ReadAllBytes(Path.Combine(Out(outName), "results.csv"));
    }

    [Fact]
    public void The_table_has_one_row_per_run_in_order_and_does_not_depend_on_jobs()
    {
        byte[] one = Sweep("jobs1", "--jobs", "1");
        byte[] two = Sweep("jobs2", "--jobs", "2");
        Assert.Equal(one, two);

        var rows = File.ReadAllLines(Path.Combine(Out("jobs1"), "results.csv"));
        Assert.Equal(17, rows.Length);
        Assert.StartsWith("run,run_id,populations[0].noise,populations[0].decoders,simulation.duration,input[0].stop,seed,status,exploded_trials,rate_hz.I,", rows[0], StringComparison.Ordinal);
        Assert.All(rows.Skip(1).Select((row, i) => (row, i)), x => Assert.StartsWith($"{x.i},{x.i:D4}-", x.row, StringComparison.Ordinal));
        Assert.All(rows.Skip(1), row => Assert.Contains(",completed,0,", row, StringComparison.Ordinal));

        // Seeds 0 and 1 of one parameter set are different noisy runs; every run has its own directory.
        Assert.NotEqual(rows[1].Split(',', 3)[2], rows[2].Split(',', 3)[2]);
        Assert.Equal(16, Directory.GetDirectories(Path.Combine(Out("jobs1"), "runs")).Length);
    }

    [Fact]
    public void Three_shards_merged_equal_the_local_run_byte_for_byte()
    {
        byte[] local = Sweep("local");
        for (int i = 0; i < 3; i++)
        {
            var r = Run("sweep", _sweep, "--out", Out("sharded"), "--shard", $"{i}/3", "--jobs", "1");
            Assert.True(r.Code == 0, r.Err);
            Assert.Contains($"(shard {i}/3): {(i == 0 ? 6 : 5)} runs", r.Out, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(Out("sharded"), "results.csv")));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(Out("sharded"), "parts")).Length);
        var m = Run("merge", Out("sharded"));
        Assert.True(m.Code == 0, m.Err);
        Assert.Contains("merged 16 runs", m.Out, StringComparison.Ordinal);
        Assert.Equal(local, File.ReadAllBytes(Path.Combine(Out("sharded"), "results.csv")));
    }

    [Fact]
    public void An_interrupted_sweep_resumes_redoing_only_the_unfinished_runs()
    {
        byte[] whole = Sweep("whole");
        string runs = Path.Combine(Out("whole"), "runs");
        string[] ids = Directory.GetDirectories(runs).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

        // What a kill leaves: a run never started (no directory), one killed while staged (a hidden partial folder),
        // one whose result was cut short, and a table that was never written.
        Directory.Delete(Path.Combine(runs, ids[3]), recursive: true);
        Directory.Move(Path.Combine(runs, ids[7]), Path.Combine(runs, $".{ids[7]}.partial-1234-deadbeef"));
        string result = Path.Combine(runs, ids[11], SweepRunner.ResultFile);
        File.WriteAllText(result, File.ReadAllText(result)[..40]);
        File.Delete(Path.Combine(Out("whole"), "results.csv"));

        var r = Run("sweep", _sweep, "--out", Out("whole"));
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("16 runs, 13 already done, 3 simulated now", r.Out, StringComparison.Ordinal);
        Assert.Equal(whole, File.ReadAllBytes(Path.Combine(Out("whole"), "results.csv")));
        Assert.Equal(ids, Directory.GetDirectories(runs).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());

        // A finished sweep rerun simulates nothing.
        var again = Run("sweep", _sweep, "--out", Out("whole"));
        Assert.Contains("16 already done, 0 simulated now", again.Out, StringComparison.Ordinal);
        Assert.Equal(whole, File.ReadAllBytes(Path.Combine(Out("whole"), "results.csv")));
    }

    [Fact]
    public void A_failed_run_keeps_the_others_exits_4_and_is_retried_by_a_rerun()
    {
        byte[] clean = Sweep("clean");
        var plan = SweepPlan.Create(SweepDefinition.Load(_sweep));
        string runs = Path.Combine(Out("broken"), "runs");
        Directory.CreateDirectory(runs);

        // A plain file where run 2's directory must go makes its final rename fail, as a full disk or a lost mount would.
        string blocker = Path.Combine(runs, plan.Runs[2].Id);
        File.WriteAllText(blocker, "not a run directory");
        var failed = Run("sweep", _sweep, "--out", Out("broken"));
        Assert.Equal(4, failed.Code); // SweepCommand.ExitRunsFailed (internal to the CLI)
        Assert.Contains($"error: 1 run(s) failed (finished runs are kept; rerun to retry): {plan.Runs[2].Id}: ", failed.Err, StringComparison.Ordinal);
        Assert.Single(failed.Err.TrimEnd().Split('\n'));
        Assert.False(File.Exists(Path.Combine(Out("broken"), "results.csv")));
        Assert.Equal(15, Directory.GetDirectories(runs).Length);
        Assert.Empty(Directory.GetDirectories(runs, ".*"));

        File.Delete(blocker);
        var retried = Run("sweep", _sweep, "--out", Out("broken"));
        Assert.True(retried.Code == 0, retried.Err);
        Assert.Contains("16 runs, 15 already done, 1 simulated now", retried.Out, StringComparison.Ordinal);
        Assert.Equal(clean, File.ReadAllBytes(Path.Combine(Out("broken"), "results.csv")));
    }

    [Fact]
    public void A_directory_of_another_sweep_is_refused()
    {
        Sweep("taken");
        File.WriteAllText(_sweep, File.ReadAllText(_sweep).Replace("seeds: 2", "seeds: 3", StringComparison.Ordinal));
        var r = Run("sweep", _sweep, "--out", Out("taken"));
        Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
        Assert.Contains("holds the results of a different sweep", r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Merge_lists_missing_and_duplicate_runs()
    {
        string dir = Out("partial");
        Assert.Equal(0, Run("sweep", _sweep, "--out", dir, "--shard", "0/3").Code);
        Assert.Equal(0, Run("sweep", _sweep, "--out", dir, "--shard", "2/3").Code);
        var missing = Run("merge", dir);
        Assert.Equal(LatentSpikesApp.ExitSpecError, missing.Code);
        var plan = SweepPlan.Create(SweepDefinition.Load(_sweep));
        string expected = string.Join(", ", plan.Shard(1, 3).Select(run => run.Id));
        Assert.Contains($"5 of 16 run(s) missing: {expected}; rerun the shards", missing.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "results.csv")));

        Assert.Equal(0, Run("sweep", _sweep, "--out", dir, "--shard", "1/3").Code);
        string parts = Path.Combine(dir, "parts");
        File.Copy(Path.Combine(parts, SweepRunner.PartFile(2, 3)), Path.Combine(parts, "copy.csv"));
        var duplicate = Run("merge", dir);
        Assert.Equal(LatentSpikesApp.ExitSpecError, duplicate.Code);
        Assert.Contains("5 run(s) appear more than once: " + plan.Shard(2, 3).First().Id + " (copy.csv and part-0002-of-0003.csv)", duplicate.Err, StringComparison.Ordinal);

        File.Delete(Path.Combine(parts, "copy.csv"));
        Assert.Equal(0, Run("merge", dir).Code);

        var none = Run("merge", _dir);
        Assert.Equal(LatentSpikesApp.ExitSpecError, none.Code);
        Assert.Contains("no manifest.json here", none.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3/3", "--shard: needs 0 ≤ I < N (got 3/3)")]
    [InlineData("1/0", "--shard: needs 0 ≤ I < N (got 1/0)")]
    [InlineData("a/b", "--shard: expected I/N with whole numbers")]
    [InlineData("-1/2", "--shard: expected I/N with whole numbers")]
    public void A_bad_shard_is_one_line(string shard, string message)
    {
        var r = Run("sweep", _sweep, "--out", Out("x"), "--shard", shard);
        Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out("x")));
    }

    [Fact]
    public void List_prints_the_runs_in_order()
    {
        var r = Run("sweep", _sweep, "--list");
        Assert.Equal(0, r.Code);
        var lines = r.Out.TrimEnd().Split('\n');
        Assert.Equal(17, lines.Length);
        Assert.Contains("0001-", lines[2], StringComparison.Ordinal);
        Assert.EndsWith("populations[0].noise = 0.05, populations[0].decoders = -0.35, simulation.duration = 6, input[0].stop = 6, seed = 1", lines[2].TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_slurm_array_tasks_are_the_shards_and_the_merge_job_completes_the_table()
    {
        string dir = Out("slurm");
        var r = Run("sweep", _sweep, "--slurm", "--out", dir, "--array-size", "3", "--partition", "short", "--time", "00:10:00");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("16 runs in a 3-task SLURM array", r.Out, StringComparison.Ordinal);
        string folder = Path.Combine(dir, "slurm");
        string array = File.ReadAllText(Path.Combine(folder, "array.sbatch"));
        Assert.StartsWith("#!/usr/bin/env bash\n#SBATCH --array=0-2\n", array, StringComparison.Ordinal); // sbatch needs the interpreter line first
        Assert.Contains("#SBATCH --partition=short\n", array, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --time=00:10:00\n", array, StringComparison.Ordinal);
        Assert.Contains("--shard \"$SLURM_ARRAY_TASK_ID/3\"", array, StringComparison.Ordinal);
        Assert.Contains("--dependency=\"afterok:$array\"", File.ReadAllText(Path.Combine(folder, "submit.sh")), StringComparison.Ordinal);

        // Without a cluster, run the batch scripts as SLURM would: each task with its array index, then the merge.
        // (.ci/slurm-roundtrip.sh does the same through real slurmctld/slurmd daemons.)
        for (int task = 0; task < 3; task++)
        {
            Bash(Path.Combine(folder, "array.sbatch"), task);
        }

        Bash(Path.Combine(folder, "merge.sbatch"), null);
        Assert.Equal(Sweep("local-for-slurm"), File.ReadAllBytes(Path.Combine(dir, "results.csv")));
    }

    [Theory]
    [InlineData("--partition", "short")]
    [InlineData("--array-size", "2")]
    public void Slurm_options_without_slurm_are_refused(string option, string value)
    {
        var r = Run("sweep", _sweep, "--out", Out("y"), option, value);
        Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
        Assert.Contains($"{option}: only applies with --slurm", r.Err, StringComparison.Ordinal);
    }

    private static void Bash(string script, int? task)
    {
        var start = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (task is { } t)
        {
            start.Environment["SLURM_ARRAY_TASK_ID"] = t.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEndAsync().Result;
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(script)} (task {task}) failed: {stderr}{stdout}");
    }
}
