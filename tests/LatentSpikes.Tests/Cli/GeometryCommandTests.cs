using System.Buffers.Binary;
using LatentSpikes.Cli;
using LatentSpikes.Geometry;
using LatentSpikes.Simulation;
using static LatentSpikes.Tests.Cli.CliRunner;

namespace LatentSpikes.Tests.Cli;

/// <summary>
/// <c>latentspikes geometry SPEC</c> end to end: the figures each example gets, what the report says about them, the
/// exit codes (0 drawn, 1 one-line error and nothing written, 3 a drawn simulation exploded) and staged outputs.
/// </summary>
public sealed class GeometryCommandTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-geometry-" + Guid.NewGuid().ToString("N"));

    public GeometryCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Fig2_gets_its_input_output_figure_and_a_report_that_matches_a_run()
    {
        string outDir = Path.Combine(_dir, "fig2");

        var r = Run("geometry", Example("fig2-inhibitory-boundary.yaml"), "--out", outDir);

        Assert.Equal(0, r.Code);
        Assert.Equal(string.Empty, r.Err);
        AssertFiles(outDir, ("geometry-I.png", 1100, 700));
        int spikes = new ClockDrivenEngine().Run(TestData.LoadExample("fig2-inhibitory-boundary.yaml").Experiment).Spikes.Count;
        Assert.Equal(
            [
                $"geometry-I.png: I (inhibitory, N = 10), boundary formed by 10 of 10 neurons; simulated 30 τ, {spikes} spikes",
                $"outputs written to {outDir}",
            ],
            Lines(r.Out));
        AssertNoStaging(_dir);
    }

    [Fact]
    public void The_E_I_example_gets_the_plane_and_the_function_figures_at_the_final_input()
    {
        string outDir = Path.Combine(_dir, "ei");

        var r = Run("geometry", Example("ei-rank2-quadratic.yaml"), "--out", outDir);

        Assert.Equal(0, r.Code);
        Assert.Equal(string.Empty, r.Err);
        AssertFiles(outDir, ("geometry-ei-function.png", 1100, 850), ("geometry-ei-plane.png", 1100, 900));

        // The ramp ends at x = 1, a tangent point: the crossing is exactly q − p(1) = 0.5, y_I* = p(1) − 2q = −2.5.
        Assert.Equal(
            [
                "geometry-ei-plane.png: x = 1, crossing y_E* = 0.5, y_I* = -2.5 (E neuron 0, I neuron 4)",
                "geometry-ei-function.png: crossing over x in [-1, 1], with the simulated protocol (40 τ)",
                $"outputs written to {outDir}",
            ],
            Lines(r.Out));
    }

    [Fact]
    public void The_x_option_chooses_the_input_of_the_plane()
    {
        string at0 = Path.Combine(_dir, "x0");
        string at1 = Path.Combine(_dir, "x1");

        var r0 = Run("geometry", Example("ei-rank2-quadratic.yaml"), "--out", at0, "--x", "0", "--no-simulation");
        var r1 = Run("geometry", Example("ei-rank2-quadratic.yaml"), "--out", at1, "--x=-0.6", "--no-simulation");

        Assert.Equal(0, r0.Code);
        Assert.Equal(0, r1.Code);
        Assert.Contains("geometry-ei-plane.png: x = 0, crossing y_E* = 1.5, y_I* = -3.5 (E neuron 0, I neuron 2)", r0.Out, StringComparison.Ordinal);

        // x = −0.6 lies between the tangent points −1 and −0.5, nearer −0.5: p̂ = p(−0.5) + p'(−0.5)·(−0.1) = 0.85, so the
        // crossing is y_E* = q − p̂ = 1.15 and y_I* = p̂ − 2q = −3.15.
        var c = EiBoundaries.Create(TestData.LoadExample("ei-rank2-quadratic.yaml").Experiment.Network).Crossing(-0.6)!;
        Assert.Equal(1.15, c.YE, 12);
        Assert.Contains("geometry-ei-plane.png: x = -0.6, crossing y_E* = 1.15, y_I* = -3.15 (E neuron 0, I neuron 1)", r1.Out, StringComparison.Ordinal);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(at0, "geometry-ei-plane.png")), File.ReadAllBytes(Path.Combine(at1, "geometry-ei-plane.png")));
    }

    [Fact]
    public void Fig3_explodes_with_exit_code_3_and_still_writes_its_figure()
    {
        string outDir = Path.Combine(_dir, "fig3");

        var r = Run("geometry", Example("fig3-excitatory-boundary.yaml"), "--out", outDir);

        Assert.Equal(3, r.Code);
        string warning = AssertOneErrorLine(r.Err);
        Assert.StartsWith("warning: activity ran away in the simulation of the spec's protocol: ", warning, StringComparison.Ordinal);
        Assert.EndsWith("; trajectories are drawn up to there", warning, StringComparison.Ordinal);
        AssertFiles(outDir, ("geometry-E.png", 1100, 700));
        Assert.Contains("geometry-E.png: E (excitatory, N = 10), boundary formed by 10 of 10 neurons; simulated 1 τ", r.Out, StringComparison.Ordinal);
        AssertNoStaging(_dir);
    }

    [Fact]
    public void Without_simulation_nothing_is_simulated_so_fig3_draws_cleanly()
    {
        string fig3 = Path.Combine(_dir, "fig3");
        string ei = Path.Combine(_dir, "ei");

        var r3 = Run("geometry", Example("fig3-excitatory-boundary.yaml"), "--out", fig3, "--no-simulation");
        var rei = Run("geometry", Example("ei-rank2-quadratic.yaml"), "--out", ei, "--no-simulation");

        Assert.Equal(0, r3.Code);
        Assert.Equal(string.Empty, r3.Err);
        Assert.Equal(["geometry-E.png: E (excitatory, N = 10), boundary formed by 10 of 10 neurons", $"outputs written to {fig3}"], Lines(r3.Out));
        AssertFiles(fig3, ("geometry-E.png", 1100, 700));

        Assert.Equal(0, rei.Code);
        Assert.Equal("geometry-ei-function.png: crossing over x in [-1, 1]", Lines(rei.Out)[1]);
        AssertFiles(ei, ("geometry-ei-function.png", 1100, 850), ("geometry-ei-plane.png", 1100, 900));
    }

    [Fact]
    public void The_duration_override_shortens_the_drawn_simulation()
    {
        string outDir = Path.Combine(_dir, "short");

        var r = Run("geometry", Example("fig2-inhibitory-boundary.yaml"), "--out", outDir, "--duration", "2");

        Assert.Equal(0, r.Code);
        Assert.Contains("; simulated 2 τ, ", r.Out, StringComparison.Ordinal);
        AssertFiles(outDir, ("geometry-I.png", 1100, 700));

        var bad = Run("geometry", Example("fig2-inhibitory-boundary.yaml"), "--out", Path.Combine(_dir, "bad"), "--duration", "-1");
        Assert.Equal(1, bad.Code);
        Assert.StartsWith("error: command line: --duration: ", AssertOneErrorLine(bad.Err), StringComparison.Ordinal);
        AssertNoOutput(Path.Combine(_dir, "bad"));
    }

    [Fact]
    public void A_neuron_off_the_boundary_is_not_counted_as_forming_it()
    {
        // Threshold lines y = x, y = −x, y = ½ and y = 0 (E = 1, y = T − F·x): the boundary −|x| is formed by the first
        // two; the third lies above it everywhere and the fourth touches it only at x = 0.
        string spec = WriteSpec("four.yaml", """
            name: four-lines
            simulation: {dt: 0.01, duration: 2}
            input:
              - {kind: ramp, from: -1, to: 1, start: 0, stop: 2}
            populations:
              - name: I
                kind: inhibitory
                thresholds: [0, 0, 0.5, 0]
                feedforward: [-1, 1, 0, 0]
                decoders: -0.1
            """);
        string outDir = Path.Combine(_dir, "four");

        var r = Run("geometry", spec, "--out", outDir, "--no-simulation");

        Assert.Equal(0, r.Code);
        Assert.Equal("geometry-I.png: I (inhibitory, N = 4), boundary formed by 2 of 4 neurons", Lines(r.Out)[0]);
    }

    [Fact]
    public void Proportional_weights_do_not_count_a_parallel_neuron_as_forming_the_boundary()
    {
        // (F, E, T) = (1, 3, 0) and (0.1, 0.3, 0.3) are the parallel lines y = −x/3 and y = 1 − x/3; the second never
        // forms the boundary, even though F/E differs in the last bit between them.
        string spec = WriteSpec("parallel.yaml", """
            name: nearly-parallel
            simulation: {dt: 0.01, duration: 2}
            input:
              - {kind: ramp, from: -1, to: 1, start: 0, stop: 2}
            populations:
              - name: I
                kind: inhibitory
                thresholds: [0, 0.3, -1]
                feedforward: [1, 0.1, -2]
                encoders: {y_I: [3, 0.3, 1]}
                decoders: -0.1
            """);

        var r = Run("geometry", spec, "--out", Path.Combine(_dir, "parallel"), "--no-simulation");

        Assert.Equal(0, r.Code);
        Assert.Equal("geometry-I.png: I (inhibitory, N = 3), boundary formed by 2 of 3 neurons", Lines(r.Out)[0]);
    }

    [Fact]
    public void A_population_that_cannot_be_drawn_is_skipped_with_a_warning()
    {
        string spec = WriteSpec("mixed.yaml", File.ReadAllText(Example("fig2-inhibitory-boundary.yaml")) + """
              - name: U
                kind: unsigned
                thresholds: [0.5]
                feedforward: [1]
                decoders: 0.1
                encoders: {y_U: -1}
              - name: V
                kind: unsigned
                thresholds: [0.5]
                feedforward: [1]
                decoders: 0.1
                encoders: {y_I: 1}
            """ + "\n");
        string outDir = Path.Combine(_dir, "mixed");

        var r = Run("geometry", spec, "--out", outDir, "--no-simulation", "--x", "0.5");

        Assert.Equal(0, r.Code);
        AssertFiles(outDir, ("geometry-I.png", 1100, 700));
        Assert.Equal(
            [
                "warning: --x is used only by the E-I plane figure, and this network is not a rank-2 E-I network",
                "warning: population 'U': neuron 0 has encoder -1 onto y_U; the input-output picture needs every encoder > 0; skipped",
                "warning: population 'V': listens to y_I instead of its own latent, so it is drawn only as part of a rank-2 E-I network, and "
                + "the E-I plane needs exactly one excitatory and one inhibitory population (this network has 3: I: inhibitory, U: unsigned, V: unsigned); skipped",
            ],
            Lines(r.Err));
    }

    [Fact]
    public void A_missing_spec_fails_with_one_line_and_writes_nothing()
    {
        string spec = Path.Combine(_dir, "absent.yaml");
        string outDir = Path.Combine(_dir, "out");

        var r = Run("geometry", spec, "--out", outDir);

        Assert.Equal(1, r.Code);
        Assert.Equal($"error: {spec}: spec file not found", AssertOneErrorLine(r.Err));
        Assert.Equal(string.Empty, r.Out);
        AssertNoOutput(outDir);
    }

    public static TheoryData<string, string> NothingDrawable => new()
    {
        {
            """
            name: grid
            simulation: {dt: 0.01, duration: 1}
            input:
              - {kind: constant, value: 0}
              - {kind: constant, value: 0}
            populations:
              - name: I
                kind: inhibitory
                tangent:
                  f: {expression: "x1^2 + x2^2 + 0.5"}
                  range: [[-1, 1], [-1, 1]]
                  points: [3, 3]
                decoders: -0.2
            """,
            "nothing to draw: population 'I': geometry figures need a 1-D input (this spec has 2 input dimensions)"
        },
        {
            """
            name: ei-rank4-mistuned
            simulation: {dt: 0.01, duration: 2, seed: 3}
            input:
              - {kind: ramp, from: 0, to: 1, start: 0, stop: 2}
            populations:
              - name: E
                kind: excitatory
                thresholds: [-0.5, -0.5]
                feedforward: [1, 1]
                decoders: 0.1
                encoders: {y_E: 1, y_EI: 1}
              - name: I
                kind: inhibitory
                thresholds: [-0.25, -0.25]
                feedforward: [0, 0]
                decoders: -0.3
                encoders: {y_I: 1, y_IE: 2}
            latents:
              - {name: y_IE, source: E, decoders: [0.13, 0.07]}
              - {name: y_EI, source: I, decoders: [-0.36, -0.24]}
            """,
            "nothing to draw: population 'E': listens to y_EI besides its own latent, so it is drawn only as part of a rank-2 E-I network, and population 'E' listens to y_EI, which is neither y_E nor y_I"
        },
    };

    [Theory]
    [MemberData(nameof(NothingDrawable))]
    public void A_spec_with_nothing_drawable_fails_with_one_line_and_writes_nothing(string text, string expected)
    {
        string spec = WriteSpec("undrawable.yaml", text);
        string outDir = Path.Combine(_dir, "out");

        var r = Run("geometry", spec, "--out", outDir);

        Assert.Equal(1, r.Code);
        Assert.StartsWith($"error: {spec}: {expected}", AssertOneErrorLine(r.Err), StringComparison.Ordinal);
        Assert.Equal(string.Empty, r.Out);
        AssertNoOutput(outDir);
    }

    [Theory]
    [InlineData("nan", "must be a finite number (got NaN)")]
    [InlineData("Infinity", "must be a finite number (got Infinity)")]
    [InlineData("1e400", "must be a finite number (got Infinity)")]
    [InlineData("abc", "Cannot parse argument 'abc' for option '--x' as a number")]
    public void A_bad_plane_input_fails_with_one_line_and_writes_nothing(string x, string expected)
    {
        string outDir = Path.Combine(_dir, "out");

        var r = Run("geometry", Example("ei-rank2-quadratic.yaml"), "--out", outDir, $"--x={x}");

        Assert.Equal(1, r.Code);
        string error = AssertOneErrorLine(r.Err);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        if (expected.StartsWith("must", StringComparison.Ordinal))
        {
            Assert.StartsWith("error: command line: --x: ", error, StringComparison.Ordinal);
        }

        Assert.Equal(string.Empty, r.Out);
        AssertNoOutput(outDir);
    }

    [Fact]
    public void Writing_into_a_file_fails_with_one_line_and_leaves_no_staging_directory()
    {
        string occupied = Path.Combine(_dir, "occupied");
        File.WriteAllText(occupied, "keep me");

        var r = Run("geometry", Example("fig2-inhibitory-boundary.yaml"), "--out", occupied, "--no-simulation");

        Assert.Equal(1, r.Code);
        Assert.Contains(occupied, AssertOneErrorLine(r.Err), StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(occupied));
        AssertNoStaging(_dir);
    }

    [Fact]
    public void A_rerun_replaces_the_geometry_figures_and_leaves_other_files_alone()
    {
        string outDir = Path.Combine(_dir, "shared");
        Assert.Equal(0, Run("simulate", Example("fig2-inhibitory-boundary.yaml"), "--out", outDir, "--no-plot").Code);
        Assert.Equal(0, Run("geometry", Example("fig2-inhibitory-boundary.yaml"), "--out", outDir, "--no-simulation").Code);
        Assert.True(File.Exists(Path.Combine(outDir, "geometry-I.png")));

        // Another spec's figures replace the earlier geometry figures; the run's outputs stay.
        Assert.Equal(0, Run("geometry", Example("ei-rank2-quadratic.yaml"), "--out", outDir, "--no-simulation").Code);
        Assert.Equal(
            new[] { "geometry-ei-function.png", "geometry-ei-plane.png", "latents.csv", "spec.yaml", "spikes.csv", "summary.json" },
            Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // A failing run leaves the folder as it was.
        string before = string.Join(",", Directory.GetFiles(outDir).Select(f => $"{Path.GetFileName(f)}:{new FileInfo(f).Length}").Order(StringComparer.Ordinal));
        Assert.Equal(1, Run("geometry", Example("ei-rank2-quadratic.yaml"), "--out", outDir, "--x", "nan").Code);
        string after = string.Join(",", Directory.GetFiles(outDir).Select(f => $"{Path.GetFileName(f)}:{new FileInfo(f).Length}").Order(StringComparer.Ordinal));
        Assert.Equal(before, after);
        AssertNoStaging(_dir);
    }


    private static string[] Lines(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');

    /// <summary>Asserts stderr holds exactly one line, an error or a warning, and returns it.</summary>
    private static string AssertOneErrorLine(string stderr)
    {
        string[] lines = Lines(stderr);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{stderr}");
        Assert.Matches("^(error|warning): ", lines[0]);
        return lines[0];
    }

    /// <summary>
    /// Asserts the folder holds exactly these PNG files, each a real PNG of the given size (read from its IHDR chunk)
    /// with more than a blank canvas in it (a figure with axes, lines and a legend compresses to well over 20 kB).
    /// </summary>
    private static void AssertFiles(string dir, params (string Name, int Width, int Height)[] files)
    {
        Assert.Equal(files.Select(f => f.Name).Order(StringComparer.Ordinal), Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var (name, width, height) in files)
        {
            byte[] png = File.ReadAllBytes(Path.Combine(dir, name));
            Assert.True(png.Length > 20_000, $"{name} has only {png.Length} bytes");
            Assert.Equal(PngSignature, png[..8]);
            Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
            Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
            Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
        }
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

    private static string Example(string name)
    {
        string path = TestData.Example(name);
        Assert.True(File.Exists(path), $"example {path} was not copied to the test output");
        return path;
    }

    private string WriteSpec(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Each_module_of_a_composition_is_drawn_against_its_own_input_with_its_crossing_at_the_node_function()
    {
        string spec = Path.Combine(_dir, "depth3.yaml");
        Assert.Equal(0, Run("compile", "--graph", Path.Combine(AppContext.BaseDirectory, "examples", "graphs", "depth3.yaml"), "--max-rate", "0", "--duration", "10", "--out", spec, "--no-plot").Code);
        string outDir = Path.Combine(_dir, "geo");
        var r = Run("geometry", spec, "--out", outDir);
        Assert.Equal(0, r.Code);
        foreach (string module in new[] { "g", "h", "k" })
        {
            Assert.True(File.Exists(Path.Combine(outDir, $"geometry-{module}-ei-function.png")), module);
            Assert.True(File.Exists(Path.Combine(outDir, $"geometry-{module}-ei-plane.png")), module);
        }

        // h reads y_g partly through the relay y_g_neg ≈ −y_g; folded back, its crossing is h(g) = 2 − sin(2g).
        var exp = LatentSpikes.Specs.SpecReader.LoadFile(spec).Experiment;
        var views = EiModules.Find(exp.Network, out var skipped);
        Assert.Empty(skipped);
        var h = Assert.Single(views, v => v.Name == "h");
        Assert.Equal("y_g", h.Input);
        foreach (double g in new[] { 0.3, 0.785, 1.1 })
        {
            var c = h.Geometry.Crossing(g);
            Assert.NotNull(c);
            Assert.Equal(2 - Math.Sin(2 * g), c!.YE, 0.01);
        }
    }
}
