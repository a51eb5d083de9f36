using System.Text.Json;
using LatentSpikes.Cli;
using LatentSpikes.Specs;
using static LatentSpikes.Tests.Cli.CliRunner;

namespace LatentSpikes.Tests.Cli;

/// <summary>
/// The <c>latentspikes</c> command line end to end: one-line errors and no output for bad input, the documented
/// output files for good input, exit code 3 for an exploding run, and byte-identical outputs for a fixed seed.
/// </summary>
public sealed class CliTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly string[] OutputFiles = ["latents.csv", "spikes.csv", "summary.json", "spec.yaml", "latents.png"];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-cli-" + Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>Hostile specs: (case name, how to break the Fig. 2 example, texts the error must contain, split by |).</summary>
    public static TheoryData<string, string, string, string> HostileSpecs => new()
    {
        { "nan-dt", "dt: 0.01 ", "dt: .nan ", "simulation.dt: must be a finite number" },
        { "inf-input", "from: -1", "from: -.inf", "input[0].from: must be a finite number" },
        { "zero-size", "size: 10", "size: 0", "populations[0].size: must be a positive number" },
        { "dale", "decoders: -0.35", "decoders: 0.35", "populations[0].decoders[0]: Dale's law" },
        { "typo", "duration: 30", "duraton: 30", "simulation.duraton: unknown field (did you mean 'duration'?)" },
        { "bad-kind", "kind: inhibitory", "kind: mixed", "populations[0].kind: unknown kind 'mixed'" },
        { "not-convex", "[0.5, 0, 1]", "[0, 0, -1]", "populations[0].tangent.f: |not convex" },
        { "syntax", "  duration: 30", "   duration: 30", "not valid YAML/JSON" },
        { "unclosed", "range: [-1, 1]", "range: [-1, 1", ":29: not valid YAML/JSON" },
        { "missing-samples", "  - kind: ramp", "  - kind: piecewise_linear\n    file: nowhere.csv\n  - kind: ramp", "input[0].file: input samples file 'nowhere.csv' not found" },
    };

    [Theory]
    [MemberData(nameof(HostileSpecs))]
    public void Simulate_with_a_hostile_spec_fails_with_one_line_and_writes_nothing(string name, string from, string to, string expected)
    {
        string spec = WriteSpec($"{name}.yaml", Edit(Fig2Text(), from, to));
        string parent = Path.Combine(_dir, "runs");
        Directory.CreateDirectory(parent);
        string outDir = Path.Combine(parent, name);

        var r = Run("simulate", spec, "--out", outDir);

        Assert.Equal(1, r.Code);
        string error = AssertOneErrorLine(r.Err);
        Assert.StartsWith($"error: {spec}:", error, StringComparison.Ordinal);
        foreach (string part in expected.Split('|'))
        {
            Assert.Contains(part, error, StringComparison.Ordinal);
        }

        Assert.Equal(string.Empty, r.Out);
        AssertNoOutput(outDir);
    }

    [Fact]
    public void Simulate_with_a_missing_spec_file_fails_with_one_line()
    {
        string spec = Path.Combine(_dir, "absent.yaml");
        string outDir = Path.Combine(_dir, "out");

        var r = Run("simulate", spec, "--out", outDir);

        Assert.Equal(1, r.Code);
        Assert.Equal($"error: {spec}: spec file not found", AssertOneErrorLine(r.Err));
        AssertNoOutput(outDir);
    }

    [Fact]
    public void Simulate_with_a_directory_as_spec_fails_with_one_line()
    {
        string specDir = Path.Combine(_dir, "a-directory");
        Directory.CreateDirectory(specDir);
        string outDir = Path.Combine(_dir, "out");

        var r = Run("simulate", specDir, "--out", outDir);

        Assert.Equal(1, r.Code);
        Assert.Equal($"error: {specDir}: is a directory, not a spec file", AssertOneErrorLine(r.Err));
        AssertNoOutput(outDir);
    }

    [Fact]
    public void Simulate_with_an_empty_spec_file_fails_with_one_line()
    {
        string spec = WriteSpec("empty.yaml", string.Empty);
        string outDir = Path.Combine(_dir, "out");

        var r = Run("simulate", spec, "--out", outDir);

        Assert.Equal(1, r.Code);
        Assert.Equal($"error: {spec}: the spec is empty", AssertOneErrorLine(r.Err));
        AssertNoOutput(outDir);
    }

    [Fact]
    public void Simulate_into_a_path_that_is_a_file_fails_with_one_line_and_leaves_no_staging_directory()
    {
        string outFile = Path.Combine(_dir, "occupied");
        File.WriteAllText(outFile, "keep me");

        var r = Run("simulate", Example("fig2-inhibitory-boundary.yaml"), "--out", outFile, "--no-plot");

        Assert.Equal(1, r.Code);
        string error = AssertOneErrorLine(r.Err);
        Assert.Contains(outFile, error, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(outFile));
        AssertNoStaging(_dir);
    }

    [Fact]
    public void Validate_accepts_a_good_example_and_rejects_a_bad_spec()
    {
        string good = Example("fig2-inhibitory-boundary.yaml");
        var ok = Run("validate", good);
        Assert.Equal(0, ok.Code);
        Assert.Equal(string.Empty, ok.Err);
        Assert.StartsWith($"{good}: ok — 'fig2-inhibitory-boundary': 1 population(s) (I: 10 inhibitory)", ok.Out, StringComparison.Ordinal);
        Assert.Contains("3000 steps of dt = 0.01 τ", ok.Out, StringComparison.Ordinal);

        string bad = WriteSpec("bad.yaml", Edit(Fig2Text(), "decoders: -0.35", "decoders: [-0.35, 0.1]"));
        var fail = Run("validate", bad);
        Assert.Equal(1, fail.Code);
        Assert.Equal(string.Empty, fail.Out);
        Assert.StartsWith($"error: {bad}:", AssertOneErrorLine(fail.Err), StringComparison.Ordinal);
        Assert.Contains("populations[0].decoders: has 2 entries", fail.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("0.5")]
    public void A_bad_dt_override_fails_with_one_line_naming_dt(string dt)
    {
        string outDir = Path.Combine(_dir, "out");

        var r = Run("simulate", Example("fig2-inhibitory-boundary.yaml"), "--out", outDir, "--dt", dt);

        Assert.Equal(1, r.Code);
        string error = AssertOneErrorLine(r.Err);
        Assert.StartsWith("error: command line: --dt: ", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, r.Out);
        AssertNoOutput(outDir);
    }

    [Fact]
    public void Simulate_fig2_writes_the_documented_outputs()
    {
        string spec = Example("fig2-inhibitory-boundary.yaml");
        string outDir = Path.Combine(_dir, "fig2");

        var r = Run("simulate", spec, "--out", outDir);

        Assert.Equal(0, r.Code);
        Assert.Equal(string.Empty, r.Err);
        Assert.Contains("status completed", r.Out, StringComparison.Ordinal);
        Assert.Contains($"outputs written to {outDir}", r.Out, StringComparison.Ordinal);
        Assert.Equal(OutputFiles.Order(StringComparer.Ordinal), Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        string[] latents = ReadLines(Path.Combine(outDir, "latents.csv"));
        Assert.Equal("t,x1,y_I", latents[0]);
        Assert.Equal(3001, latents.Length - 1); // steps 0..3000
        Assert.Equal("0,-1,0", latents[1]);
        Assert.StartsWith("30,1,", latents[^1], StringComparison.Ordinal);

        string[] spikes = ReadLines(Path.Combine(outDir, "spikes.csv"));
        Assert.Equal("t,population,neuron", spikes[0]);
        Assert.All(spikes.Skip(1), row =>
        {
            string[] cells = row.Split(',');
            Assert.Equal(3, cells.Length);
            Assert.Equal("I", cells[1]);
            Assert.InRange(int.Parse(cells[2], System.Globalization.CultureInfo.InvariantCulture), 0, 9);
        });

        using var summary = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "summary.json")));
        var root = summary.RootElement;
        Assert.Equal(1UL, root.GetProperty("seed").GetUInt64());
        Assert.Equal(0.01, root.GetProperty("dt").GetDouble());
        Assert.Equal(30.0, root.GetProperty("duration").GetDouble());
        Assert.Equal(3000, root.GetProperty("steps").GetInt64());
        Assert.Equal("completed", root.GetProperty("status").GetString());
        Assert.Equal("fig2-inhibitory-boundary", root.GetProperty("name").GetString());
        Assert.Equal(spec, root.GetProperty("spec").GetProperty("file").GetString());
        Assert.Equal(SpecReader.LoadFile(spec).Hash, root.GetProperty("spec").GetProperty("sha256").GetString());

        var pop = Assert.Single(root.GetProperty("populations").EnumerateArray());
        Assert.Equal("I", pop.GetProperty("name").GetString());
        Assert.Equal("inhibitory", pop.GetProperty("kind").GetString());
        int count = pop.GetProperty("spike_count").GetInt32();
        var perNeuron = pop.GetProperty("spike_counts").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(10, perNeuron.Length);
        Assert.Equal(count, perNeuron.Sum());
        Assert.Equal(count, spikes.Length - 1);
        Assert.Equal(count, root.GetProperty("total_spikes").GetInt32());
        Assert.True(count > 0, "the Fig. 2 boundary should be held by spikes");

        // Every neuron's count in the summary matches its rows in spikes.csv.
        var fromCsv = spikes.Skip(1).GroupBy(row => int.Parse(row.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.Count());
        for (int i = 0; i < perNeuron.Length; i++)
        {
            Assert.Equal(perNeuron[i], fromCsv.GetValueOrDefault(i));
        }

        byte[] png = File.ReadAllBytes(Path.Combine(outDir, "latents.png"));
        Assert.True(png.Length > PngSignature.Length);
        Assert.Equal(PngSignature, png[..PngSignature.Length]);
        AssertNoStaging(_dir);
    }

    [Fact]
    public void The_same_spec_and_seed_give_byte_identical_outputs()
    {
        string spec = Example("fig2-inhibitory-boundary.yaml");
        string a = Path.Combine(_dir, "a");
        string b = Path.Combine(_dir, "b");

        Assert.Equal(0, Run("simulate", spec, "--out", a, "--no-plot").Code);
        Assert.Equal(0, Run("simulate", spec, "--out", b, "--no-plot").Code);

        AssertSameFiles(a, b);
        Assert.False(File.Exists(Path.Combine(a, "latents.png")), "--no-plot must skip the figure");
    }

    [Fact]
    public void The_seed_override_is_recorded_in_the_summary()
    {
        string spec = Example("fig2-inhibitory-boundary.yaml");
        string outDir = Path.Combine(_dir, "seeded");

        var r = Run("simulate", spec, "--out", outDir, "--seed", "12345", "--no-plot");

        Assert.Equal(0, r.Code);
        using var summary = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "summary.json")));
        Assert.Equal(12345UL, summary.RootElement.GetProperty("seed").GetUInt64());
    }

    [Fact]
    public void A_noisy_spec_is_reproducible_for_a_seed_and_changes_with_the_seed()
    {
        string spec = WriteSpec("noisy.yaml", Edit(Fig2Text(), "noise: 0", "noise: 0.05"));
        string a = Path.Combine(_dir, "a");
        string b = Path.Combine(_dir, "b");
        string c = Path.Combine(_dir, "c");

        Assert.Equal(0, Run("simulate", spec, "--out", a, "--no-plot").Code);
        Assert.Equal(0, Run("simulate", spec, "--out", b, "--no-plot").Code);
        Assert.Equal(0, Run("simulate", spec, "--out", c, "--no-plot", "--seed", "2").Code);

        AssertSameFiles(a, b);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a, "spikes.csv")), File.ReadAllBytes(Path.Combine(c, "spikes.csv")));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a, "latents.csv")), File.ReadAllBytes(Path.Combine(c, "latents.csv")));

        // Noise does change the spike train relative to the noise-free example (the option is not ignored).
        string quiet = Path.Combine(_dir, "quiet");
        Assert.Equal(0, Run("simulate", Example("fig2-inhibitory-boundary.yaml"), "--out", quiet, "--no-plot").Code);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a, "spikes.csv")), File.ReadAllBytes(Path.Combine(quiet, "spikes.csv")));
    }

    [Fact]
    public void The_fig3_excitatory_boundary_explodes_with_exit_code_3_and_still_writes_outputs()
    {
        string outDir = Path.Combine(_dir, "fig3");

        var r = Run("simulate", Example("fig3-excitatory-boundary.yaml"), "--out", outDir);

        Assert.Equal(3, r.Code);
        string warning = AssertOneErrorLine(r.Err);
        Assert.StartsWith("warning: ", warning, StringComparison.Ordinal);
        Assert.Contains("ran away", warning, StringComparison.Ordinal);
        Assert.Contains("status exploded", r.Out, StringComparison.Ordinal);
        foreach (string f in OutputFiles)
        {
            Assert.True(File.Exists(Path.Combine(outDir, f)), $"{f} missing after an exploded run");
        }

        using var summary = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "summary.json")));
        var root = summary.RootElement;
        Assert.Equal("exploded", root.GetProperty("status").GetString());
        Assert.Contains("ran away", root.GetProperty("status_detail").GetString(), StringComparison.Ordinal);
        Assert.True(root.GetProperty("simulated_duration").GetDouble() < 10, "an exploded run stops before its duration");

        string[] latents = ReadLines(Path.Combine(outDir, "latents.csv"));
        Assert.Equal("t,x1,y_E", latents[0]);
        int spikeRows = ReadLines(Path.Combine(outDir, "spikes.csv")).Length - 1;
        Assert.Equal(root.GetProperty("total_spikes").GetInt32(), spikeRows);
        AssertNoStaging(_dir);
    }

    [Fact]
    public void Demo_writes_all_four_files_and_matches_the_fig2_example()
    {
        string demo = Path.Combine(_dir, "demo");
        var r = Run("demo", "--out", demo);

        Assert.Equal(0, r.Code);
        Assert.Equal(string.Empty, r.Err);
        foreach (string f in OutputFiles)
        {
            Assert.True(File.Exists(Path.Combine(demo, f)), $"demo did not write {f}");
        }

        Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(demo, "latents.png"))[..PngSignature.Length]);

        // The demo is the Fig. 2 example: same data, only the spec label in the summary differs.
        string example = Path.Combine(_dir, "example");
        Assert.Equal(0, Run("simulate", Example("fig2-inhibitory-boundary.yaml"), "--out", example, "--no-plot").Code);
        Assert.Equal(File.ReadAllBytes(Path.Combine(example, "latents.csv")), File.ReadAllBytes(Path.Combine(demo, "latents.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(example, "spikes.csv")), File.ReadAllBytes(Path.Combine(demo, "spikes.csv")));
        AssertNoStaging(_dir);
    }

    [Fact]
    public void A_rerun_without_a_figure_removes_the_old_figure_from_the_folder()
    {
        string outDir = Path.Combine(_dir, "rerun");
        Assert.Equal(0, Run("simulate", Example("fig2-inhibitory-boundary.yaml"), "--out", outDir, "--duration", "2").Code);
        Assert.True(File.Exists(Path.Combine(outDir, "latents.png")));
        Assert.Equal(0, Run("simulate", Example("fig2-inhibitory-boundary.yaml"), "--out", outDir, "--duration", "2", "--no-plot").Code);
        Assert.False(File.Exists(Path.Combine(outDir, "latents.png")), "a stale figure of the earlier run was left behind");
        Assert.True(File.Exists(Path.Combine(outDir, "latents.csv")));
    }


    /// <summary>Asserts stderr holds exactly one line and returns it.</summary>
    private static string AssertOneErrorLine(string stderr)
    {
        string[] lines = stderr.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{stderr}");
        Assert.Matches("^(error|warning): ", lines[0]);
        if (lines[0].StartsWith("error", StringComparison.Ordinal))
        {
            Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        }

        return lines[0];
    }

    private static void AssertNoOutput(string outDir)
    {
        Assert.False(Directory.Exists(outDir), $"{outDir} was created by a failed run");
        string? parent = Path.GetDirectoryName(outDir);
        if (parent is not null && Directory.Exists(parent))
        {
            AssertNoStaging(parent);
        }
    }

    private static void AssertNoStaging(string parent)
    {
        var leftovers = Directory.EnumerateFileSystemEntries(parent)
            .Select(Path.GetFileName)
            .Where(n => n!.StartsWith('.') && n.Contains(".partial-", StringComparison.Ordinal))
            .ToArray();
        Assert.True(leftovers.Length == 0, $"staging left behind in {parent}: {string.Join(", ", leftovers)}");
    }

    private static void AssertSameFiles(string a, string b)
    {
        foreach (string f in new[] { "latents.csv", "spikes.csv", "summary.json" })
        {
            byte[] x = File.ReadAllBytes(Path.Combine(a, f));
            byte[] y = File.ReadAllBytes(Path.Combine(b, f));
            Assert.True(x.Length > 0, $"{f} is empty");
            Assert.True(x.AsSpan().SequenceEqual(y), $"{f} differs between two runs with the same seed");
        }
    }

    private static string[] ReadLines(string path)
    {
        string text = File.ReadAllText(path);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', text);
        return text.TrimEnd('\n').Split('\n');
    }

    private static string Example(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "examples", name);
        Assert.True(File.Exists(path), $"example {path} was not copied to the test output");
        return path;
    }

    private static string Fig2Text() => File.ReadAllText(Example("fig2-inhibitory-boundary.yaml"));

    private string WriteSpec(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Edit(string text, string from, string to)
    {
        int first = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(first >= 0, $"spec lacks '{from}'");
        Assert.True(text.IndexOf(from, first + 1, StringComparison.Ordinal) < 0, $"spec has '{from}' more than once");
        return string.Concat(text.AsSpan(0, first), to, text.AsSpan(first + from.Length));
    }
}
