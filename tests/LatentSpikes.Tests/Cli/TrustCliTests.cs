using System.Text.Json;
using LatentSpikes.Cli;
using LatentSpikes.IO;
using static LatentSpikes.Tests.Cli.CliRunner;

namespace LatentSpikes.Tests.Cli;

/// <summary>
/// Issue 14: the command-line classes of the hostile-input report. Each bad invocation is refused with one error
/// line naming the option (exit 1, nothing written); runs that go wrong say so (status non_finite, exit 3); output
/// folders are locked against a second writer and cleaned of dead runs' staging folders.
/// </summary>
public sealed class TrustCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-trust-" + Guid.NewGuid().ToString("N"));

    public TrustCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Out(string name) => Path.Combine(_dir, name);

    /// <summary>Each row: the arguments (OUT stands for a fresh path in the test folder), the option the error must name, and a phrase of its reason.</summary>
    public static TheoryData<string[], string, string> RefusedInvocations() => new()
    {
        { ["simulate", "fig2-inhibitory-boundary.yaml", "--out", ""], "--out", "names no file or directory" },
        { ["simulate", "fig2-inhibitory-boundary.yaml", "--out", " "], "--out", "names no file or directory" },
        { ["demo", "--out", ""], "--out", "names no file or directory" },
        { ["sweep", "sweeps/fig2-noise.yaml", "--out", " "], "--out", "names no file or directory" },
        { ["simulate", "fig2-inhibitory-boundary.yaml", "--out", "a\u0001b"], "--out", "control character" },
        { ["simulate", "fig2-inhibitory-boundary.yaml", "--trials", "2147483647", "--out", "OUT"], "--trials", "between 1 and 100,000" },
        { ["simulate", "fig2-inhibitory-boundary.yaml", "--trials", "90000", "--duration", "1000", "--out", "OUT"], "--trials", "GiB of latents in memory" },
        { ["simulate", "fig2-inhibitory-boundary.yaml", "--dt", "0.05", "--duration", "0.01", "--out", "OUT"], "--duration", "shorter than one time step" },
        { ["simulate", "srm0-three-layers.yaml", "--format", "nwb", "--out", "OUT"], "--format", "writes csv only" },
        { ["compile", "-f", "x^2 + 1", "--range", "-1", "1", "--neurons", "2147483647", "--out", "OUT.yaml"], "--neurons", "between 1 and 100,000" },
        { ["compile", "-f", "x^2 + 1", "--range", "-1", "1", "--dt", "1e-9", "--out", "OUT.yaml"], "--dt", "limit 2·10⁹" },
        { ["compile", "-f", "x^2 + 1", "--range", "-1", "1", "--duration", "0", "--out", "OUT.yaml"], "--duration", "must be > 0" },
        { ["compile", "-f", "x^2 + 1", "--range", "-1", "1", "--tolerance", "-1", "--out", "OUT.yaml"], "--tolerance", "finite number > 0" },
        { ["compile", "-f", "x^2 + 1", "--range", "-1", "1", "--noise", "-0.1", "--out", "OUT.yaml"], "--noise", "≥ 0" },
    };

    [Theory]
    [MemberData(nameof(RefusedInvocations))]
    public void A_bad_invocation_is_one_line_naming_the_option_and_writes_nothing(string[] args, string option, string reason)
    {
        string target = Out("target");
        string[] resolved = args.Select(a => a switch
        {
            "OUT" => target,
            "OUT.yaml" => target + ".yaml",
            _ when a.EndsWith(".yaml", StringComparison.Ordinal) && a != args[0] => TestData.Example(a),
            _ => a,
        }).ToArray();

        var r = Run(resolved);

        Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
        string line = AssertOneErrorLine(r.Err);
        Assert.Contains(option + ":", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir));
    }

    [Fact]
    public void Compile_into_a_directory_is_refused_and_leaves_no_temporary_files()
    {
        string dir = Out("specs");
        Directory.CreateDirectory(dir);
        var r = Run("compile", "-f", "x^2 + 1", "--range", "-1", "1", "--out", dir, "--no-simulation");
        Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
        Assert.Contains("is a directory", AssertOneErrorLine(r.Err), StringComparison.Ordinal);
        Assert.Equal([dir], Directory.EnumerateFileSystemEntries(_dir));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
    }

    /// <summary>An input times a weight that overflows: the voltages turn infinite or NaN, and the run says so.</summary>
    private string OverflowSpec()
    {
        string path = Out("overflow.yaml");
        File.WriteAllText(path, """
            name: overflow
            simulation: {dt: 0.01, duration: 30, seed: 1, tau_ms: 10}
            input:
              - {kind: constant, value: 1e300}
            populations:
              - name: I
                kind: inhibitory
                thresholds: [-0.5, -0.4]
                feedforward: [1e10, 2]
                decoders: -0.35
            """);
        return path;
    }

    [Theory]
    [InlineData("clock")]
    [InlineData("event")]
    public void An_overflowing_run_stops_as_non_finite_or_runaway_with_exit_3(string engine)
    {
        string run = Out("run");
        var r = Run("simulate", OverflowSpec(), "--out", run, "--no-plot", "--engine", engine);

        Assert.Equal(LatentSpikesApp.ExitExploded, r.Code);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        string status = summary.RootElement.GetProperty("status").GetString()!;
        Assert.NotEqual("completed", status);
        if (engine == "clock")
        {
            Assert.Equal("non_finite", status);
            Assert.Contains("turned non-finite", summary.RootElement.GetProperty("status_detail").GetString(), StringComparison.Ordinal);
            Assert.True(summary.RootElement.GetProperty("simulated_duration").GetDouble() < 30);
        }
    }

    [Fact]
    public void Non_finite_trials_are_counted_and_exit_3()
    {
        string run = Out("trials");
        var r = Run("simulate", OverflowSpec(), "--out", run, "--no-plot", "--trials", "3");

        Assert.Equal(LatentSpikesApp.ExitExploded, r.Code);
        Assert.Contains("3 non-finite", r.Out, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        Assert.Equal(3, summary.RootElement.GetProperty("non_finite_trials").GetInt32());
        Assert.All(File.ReadAllLines(Path.Combine(run, "trials.csv")).Skip(1), line => Assert.Contains(",non_finite,", line, StringComparison.Ordinal));
    }

    [Fact]
    public void A_second_writer_of_one_output_folder_is_refused_while_the_first_holds_it()
    {
        string target = Out("shared");
        using (var first = new StagedDirectory(target))
        {
            var r = Run("simulate", TestData.Example("fig2-inhibitory-boundary.yaml"), "--out", target, "--no-plot");
            Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
            Assert.Contains("another process is writing", AssertOneErrorLine(r.Err), StringComparison.Ordinal);
            Assert.False(Directory.Exists(target));
        }

        // Released: the next run succeeds and no lock file is left behind.
        Assert.Equal(0, Run("simulate", TestData.Example("fig2-inhibitory-boundary.yaml"), "--out", target, "--no-plot").Code);
        Assert.Equal(["shared"], Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void A_dead_run_s_staging_folder_is_removed_by_the_next_run()
    {
        string target = Out("run");
        string dead = Out(".run.partial-999999-0123456789abcdef");
        Directory.CreateDirectory(dead);
        File.WriteAllText(Path.Combine(dead, "spikes.csv"), "t,population,neuron\n");
        string other = Out(".other.partial-999999-0123456789abcdef");
        Directory.CreateDirectory(other);

        Assert.Equal(0, Run("simulate", TestData.Example("fig2-inhibitory-boundary.yaml"), "--out", target, "--no-plot").Code);

        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(other), "another target's staging folder is not this run's to remove");
    }

    [Fact]
    public void An_unstable_e_i_crossing_is_warned_about_at_validation_and_a_stable_one_is_not()
    {
        string unstable = Out("unstable.yaml");
        // fig4's pair with the I boundary's slope E^IE/E^II = 0.5 below the E boundary's 1 (eq. 2.41), crossing at (2, −4).
        File.WriteAllText(unstable, File.ReadAllText(TestData.Example("fig4-ei-pair.yaml"))
            .Replace("thresholds: [-0.5]", "thresholds: [-3]", StringComparison.Ordinal)
            .Replace("encoders: {y_I: 1, y_E: 2}", "encoders: {y_I: 1, y_E: 0.5}", StringComparison.Ordinal));

        var bad = Run("validate", unstable);
        Assert.Equal(0, bad.Code);
        Assert.StartsWith("warning: the E-I crossing is unstable at x = 0", bad.Err, StringComparison.Ordinal);
        Assert.Contains("eq. 2.41", bad.Err, StringComparison.Ordinal);

        var good = Run("validate", TestData.Example("fig4-ei-pair.yaml"));
        Assert.Equal(0, good.Code);
        Assert.Equal(string.Empty, good.Err);
    }

    private string SweepFile(string extra)
    {
        string path = Out("sweep.yaml");
        File.WriteAllText(path, $"spec: {TestData.Example("fig2-inhibitory-boundary.yaml")}\n{extra}grid:\n  populations[0].noise: [0, 0.1]\nzip:\n  simulation.duration: [6]\n  input[0].stop: [6]\n");
        return path;
    }

    [Theory]
    [InlineData("../../escape")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    public void A_sweep_name_that_is_no_plain_folder_name_is_refused(string name)
    {
        string sweep = SweepFile($"name: '{name}'\n");
        string cwd = Directory.GetCurrentDirectory();
        var r = Run("sweep", sweep, "--list");
        Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
        Assert.Contains("is not a valid sweep name", AssertOneErrorLine(r.Err), StringComparison.Ordinal);
        Assert.Equal(cwd, Directory.GetCurrentDirectory());
    }

    [Fact]
    public void A_damaged_manifest_is_refused_rather_than_mixed()
    {
        string sweep = SweepFile("name: small\n");
        string dir = Out("results");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "manifest.json"), "{\"format\": \"latentspikes-sweep\", \"hash\": ");
        var r = Run("sweep", sweep, "--out", dir);
        Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
        Assert.Contains("damaged sweep manifest", AssertOneErrorLine(r.Err), StringComparison.Ordinal);
        Assert.Equal(["manifest.json"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Slurm_writes_the_manifest_it_documents()
    {
        string sweep = SweepFile("name: small\n");
        string dir = Out("cluster");
        var r = Run("sweep", sweep, "--out", dir, "--slurm");
        Assert.True(r.Code == 0, r.Err);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        Assert.Equal(2, manifest.RootElement.GetProperty("runs").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(dir, "slurm", "array.sbatch")));
    }
}

/// <summary>
/// What the command line's Ctrl-C/SIGTERM handler calls (Program.cs). It acts on every live staged directory of the
/// process, so it runs alone: no other test's output folder may be live meanwhile.
/// </summary>
[Collection(RunAlone.Name)]
public sealed class AbandonTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-abandon-" + Guid.NewGuid().ToString("N"));

    public AbandonTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Unfinished outputs and locks go, committed ones stay.</summary>
    [Fact]
    public void Abandoning_removes_unfinished_staging_folders_and_locks_but_not_committed_outputs()
    {
        var done = new StagedDirectory(Path.Combine(_dir, "done"));
        File.WriteAllText(done.File("a.csv"), "x\n");
        done.Commit();
        var open = new StagedDirectory(Path.Combine(_dir, "open"));
        File.WriteAllText(open.File("a.csv"), "x\n");

        StagedDirectory.AbandonAll();

        Assert.Equal(["done"], Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName));
        Assert.True(File.Exists(Path.Combine(Path.Combine(_dir, "done"), "a.csv")));
        Assert.Throws<ObjectDisposedException>(() => open.Commit());
        done.Dispose();
        open.Dispose();
    }
}
