using LatentSpikes.Construction.Expressions;
using LatentSpikes.Specs;
using LatentSpikes.Sweeps;
using static LatentSpikes.Tests.Cli.CliRunner;

namespace LatentSpikes.Tests.Specs;

/// <summary>
/// The input bounds of <see cref="InputLimits"/> (issue 14): hostile specs, sweeps, files and formulas that used to
/// overflow the stack, hang, exhaust memory or be accepted wrongly must each end in one <see cref="SpecException"/>
/// (or <see cref="ExpressionException"/>) line that names the file, line and field, quickly.
/// </summary>
public sealed class InputLimitsTests : IDisposable
{
    private const string Label = "spec.yaml";

    private const string Rank1 = """
        name: hostile
        simulation: {dt: 0.01, duration: 1, seed: 1}
        input:
          - kind: constant
            value: 0
        populations:
          - name: I
            kind: inhibitory
            size: 3
            tangent:
              f: {polynomial: [0.5, 0, 1]}
              range: [-1, 1]
            decoders: -0.35
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("latentspikes-limits-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    /// <summary>An anchor "bomb": ten levels of ten aliases each, 10¹⁰ values once expanded.</summary>
    private static string Bomb() =>
        "{" + string.Join(", ", Enumerable.Range(0, 10).Select(i => i == 0
            ? "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"
            : $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]")) + "}";

    private static string Formula(string expression) => Rank1.Replace("{polynomial: [0.5, 0, 1]}", $"{{expression: \"{expression}\"}}", StringComparison.Ordinal);

    /// <summary>Case name, spec text, expected line, field and a part of the problem.</summary>
    public static TheoryData<string, string, int, string, string> HostileSpecs() => new()
    {
        { "30k nested flow lists", Rank1.Replace("decoders: -0.35", "decoders: " + Nested(30_000), StringComparison.Ordinal), 13, "", "nested more than 64 levels deep" },
        { "65 nested lists", Rank1 + "\nlatents: " + Nested(65), 14, "", "nested more than 64 levels deep" },
        { "anchor bomb", Rank1.Replace("decoders: -0.35", "decoders: " + Bomb(), StringComparison.Ordinal), 13, "", "holds more than 1,000,000 values" },
        { "self alias", Rank1.Replace("decoders: -0.35", "decoders: &a [*a]", StringComparison.Ordinal), 13, "", "the alias *a refers to the node that contains it" },
        { "undefined alias", Rank1.Replace("decoders: -0.35", "decoders: *nowhere", StringComparison.Ordinal), 13, "", "refers to no anchor &nowhere" },
        { "10-million-entry list", Rank1.Replace("decoders: -0.35", "decoders: [" + string.Join(",", Enumerable.Repeat("0", 10_000_000)) + "]", StringComparison.Ordinal), 13, "", "holds more than 1,000,000 values" },
        { "16k-term formula", Formula(string.Join("+", Enumerable.Repeat("x^2", 16_000))), 11, "populations[0].tangent.f.expression", "characters long, beyond this tool's limit of 4096" },
        { "20k nested parentheses", Formula(new string('(', 20_000) + "x" + new string(')', 20_000)), 11, "populations[0].tangent.f.expression", "characters long, beyond this tool's limit of 4096" },
        { "300 nested parentheses", Formula(new string('(', 300) + "x^2" + new string(')', 300)), 11, "populations[0].tangent.f.expression", "column 257: the expression is nested more than 256 levels deep" },
        { "300 signs", Formula(new string('-', 300) + "x"), 11, "populations[0].tangent.f.expression", "column 257: the expression is nested more than 256 levels deep" },
        { "300-term chain", Formula(string.Join(" + ", Enumerable.Repeat("x^2", 300))), 11, "populations[0].tangent.f.expression", "nested more than 256 levels deep" },
        { "0/0", Formula("x^2 + 0/0"), 11, "populations[0].tangent.f", "'x^2 + 0/0' is not finite at x = -1 inside the tangent range (f = NaN)" },
        { "0*log(0)", Formula("x^2 + 0*log(0)"), 11, "populations[0].tangent.f", "is not finite at x = -1 inside the tangent range (f = NaN)" },
        { "-(0*log(0))", Formula("x^2 - 0*log(0)"), 11, "populations[0].tangent.f", "is not finite at x = -1" },
        { "0*inf", Formula("x^2 + 0*(1/0)"), 11, "populations[0].tangent.f", "is not finite at x = -1" },
        { "(x-x)/(x-x)", Formula("x^2 + (x-x)/(x-x)"), 11, "populations[0].tangent.f", "is not finite at x = -1" },
        { "pole between grid points", Formula("x^2 + 1/(x - 0.5)^2"), 11, "populations[0].tangent.f", "is not finite at x = 0.5" },
        { "one population beyond the limit", Rank1.Replace("size: 3", "size: 50000000", StringComparison.Ordinal), 9, "populations[0].size", "50000000 neurons is beyond this tool's limit of 2·10⁶ neurons per population" },
        { "a network beyond the limit", Rank1 + "\n  - {name: J, kind: inhibitory, size: 2000000, tangent: {f: {polynomial: [0.5, 0, 1]}, range: [-1, 1]}, decoders: -0.35}", 14, "populations[1].size", "which makes 2000003 neurons in the network, beyond this tool's limit of 2·10⁶ in total" },
        { "a grid beyond the limit", Rank1.Replace("    size: 3\n", string.Empty, StringComparison.Ordinal).Replace("range: [-1, 1]", "range: [-1, 1]\n      points: [2000001]", StringComparison.Ordinal), 12, "populations[0].tangent.points", "the grid has 2000001 points is beyond this tool's limit of 2·10⁶ neurons per population" },
        { "a grid whose size overflows", TwoInputs("points: [100000, 100000, 100000, 100000]"), 13, "populations[0].tangent.points", "the grid has more than 9.2·10¹⁸ points" },
        { "input kind in capitals", Rank1.Replace("kind: constant", "kind: Constant", StringComparison.Ordinal), 4, "input[0].kind", "unknown input kind 'Constant' (kinds are case-sensitive: write 'constant')" },
        { "population kind in capitals", Rank1.Replace("kind: inhibitory", "kind: Inhibitory", StringComparison.Ordinal), 8, "populations[0].kind", "unknown kind 'Inhibitory' (kinds are case-sensitive: write 'inhibitory')" },
    };

    /// <summary>A four-input grid spec, for grids of several dimensions.</summary>
    private static string TwoInputs(string points) => """
        simulation: {duration: 1}
        input:
          - {kind: constant, value: 0}
          - {kind: constant, value: 0}
          - {kind: constant, value: 0}
          - {kind: constant, value: 0}
        populations:
          - name: I
            kind: inhibitory
            tangent:
              f: {expression: "x1^2 + x2^2 + x3^2 + x4^2"}
              range: [[-1, 1], [-1, 1], [-1, 1], [-1, 1]]
              
        """ + points + "\n    decoders: -0.35\n";

    [Theory]
    [MemberData(nameof(HostileSpecs))]
    public void A_hostile_spec_is_one_line_naming_line_and_field(string name, string text, int line, string field, string problem)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<SpecException>(() => SpecReader.Parse(text, Label));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"{name}: took {watch.Elapsed}");
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(e.Message.Length < 400, $"{name}: message of {e.Message.Length} characters");
        Assert.Equal(field, e.Field);
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x^2 + 0*x", 1.0)]
    [InlineData("0*x + x^2 + 0/3 + x^1 - x", 1.0)]
    [InlineData("x^2 + 0*pi + 3^0", 2.0)]
    public void Zero_terms_that_are_defined_everywhere_still_read_as_written(string expression, double valueAtOne)
    {
        var f = ExpressionFunction.Parse(expression, 1);
        Assert.Equal(valueAtOne, f.Value([1.0]), 12);
        var loaded = SpecReader.Parse(Formula(expression + " + 0.5"), Label);
        Assert.Equal(3, loaded.Experiment.Network.Populations[0].Size);
    }

    [Theory]
    [InlineData("0/0")]
    [InlineData("0*log(0)")]
    [InlineData("-(0*log(0))")]
    [InlineData("0*(1/0)")]
    [InlineData("0*log(x - 2)")]
    public void The_simplifier_does_not_turn_an_undefined_formula_into_a_number(string expression)
    {
        var f = ExpressionFunction.Parse(expression, 1);
        Assert.True(double.IsNaN(f.Value([0.5])), $"{expression} = {f.Value([0.5])}");
    }

    [Fact]
    public void The_deepest_formulas_within_the_limits_parse_evaluate_and_differentiate_on_a_1_MiB_stack()
    {
        int d = InputLimits.MaxExpressionDepth - 1;
        string[] formulas =
        [
            new string('(', d) + "x" + new string(')', d),
            new string('-', d) + "x",
            string.Join("^", Enumerable.Repeat("x", d / 2)),
            string.Concat(Enumerable.Repeat("sin(", d / 2)) + "x" + new string(')', d / 2),
            string.Join(" + ", Enumerable.Repeat("exp(x)", d - 10)),
            string.Concat(Enumerable.Repeat("max(x, ", d / 2)) + "x" + new string(')', d / 2),
            string.Concat(Enumerable.Repeat("relu(", 60)) + "x" + new string(')', 60),
        ];
        var failures = new List<string>();
        var thread = new Thread(
            () =>
            {
                foreach (string formula in formulas)
                {
                    try
                    {
                        var f = ExpressionFunction.Parse(formula, 1);
                        var g = new double[1];
                        f.Gradient([0.3], g);
                        _ = f.Value([0.3]) + f.Derivative(0).Derivative(0).Value([0.3]) + f.Formula.Length;
                    }
                    catch (ExpressionException e)
                    {
                        failures.Add($"{formula[..20]}: {e.Message}");
                    }
                }
            },
            1 << 20);
        thread.Start();
        thread.Join();
        Assert.Empty(failures);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void An_over_long_or_over_deep_formula_is_refused_before_it_is_parsed(int which)
    {
        string text = which == 0 ? string.Join("+", Enumerable.Repeat("x", 20_000)) : new string('(', 4000) + "x" + new string(')', 4000);
        var e = Assert.Throws<ExpressionException>(() => ExpressionFunction.Parse(text, 1));
        Assert.True(e.Message.Length < 300);
        Assert.Contains("beyond this tool's limit", e.Reason, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> HostileTargets() => new()
    {
        { string.Join("+", Enumerable.Repeat("x", 16_000)), "characters long, beyond this tool's limit of 4096" },
        { new string('(', 2000) + "x" + new string(')', 2000), "column 257: the expression is nested more than 256 levels deep" },
        { string.Join(" + ", Enumerable.Repeat("x^2", 300)) + " + 1", "nested more than 256 levels deep" },
        { "0/0 + x^2", "f(-1) = NaN is not finite" },
        { "0*log(0) + x^2 + 1", "f(-1) = NaN is not finite" },
        { "(x-x)/(x-x)", "f(-1) = NaN is not finite" },
    };

    [Theory]
    [MemberData(nameof(HostileTargets))]
    public void Compile_refuses_a_hostile_target_in_one_line(string function, string problem)
    {
        string spec = Path.Combine(_dir, "compiled.yaml");
        var r = Run("compile", "-f", function, "--range", "-1", "1", "--neurons", "10", "--out", spec, "--no-simulation");
        Assert.Equal(1, r.Code);
        string line = AssertOneErrorLine(r.Err);
        Assert.StartsWith("error: command line: --function: ", line, StringComparison.Ordinal);
        Assert.Contains(problem, line, StringComparison.Ordinal);
        Assert.True(line.Length < 400, line);
        Assert.False(File.Exists(spec));
    }

    /// <summary>Case name, sweep body (after the spec line), expected line and a part of the problem.</summary>
    public static TheoryData<string, string, int, string> HostileSweeps() => new()
    {
        { "30k nested flow lists", "grid:\n  populations[0].noise: " + Nested(30_000), 3, "nested more than 64 levels deep" },
        { "self alias", "grid:\n  populations[0].noise: &a [*a]", 3, "the alias *a refers to the node that contains it" },
        { "anchor bomb", "grid:\n  populations[0].noise: [0, " + Bomb() + "]", 3, "holds more than 1,000,000 values" },
        { "two billion seeds", "seeds: 2000000000", 2, "seeds: 2000000000 seeds give more runs than this tool's limit of 10⁵" },
        { "2^64 runs", "grid:\n" + string.Concat(new[] { "populations[0].noise", "populations[0].mu", "simulation.tau_ms", "input[0].value" }.Select(p => $"  {p}: [{string.Join(",", Enumerable.Repeat("1", 65_536))}]\n")), 0, "the sweep has more than 9.2·10¹⁸ runs, beyond this tool's limit of 10⁵" },
        { "one seed beyond the run limit", "seeds: 100001", 2, "seeds: 100001 seeds give more runs than this tool's limit of 10⁵" },
        { "no trials", "trials: 0", 2, "trials: must be between 1 and this tool's limit of 10000 (got 0)" },
        { "too many trials", "trials: 2147483647", 2, "trials: must be between 1 and this tool's limit of 10000" },
    };

    [Theory]
    [MemberData(nameof(HostileSweeps))]
    public void A_hostile_sweep_is_one_line_naming_its_line(string name, string body, int line, string problem)
    {
        string spec = Path.Combine(_dir, "base.yaml");
        File.WriteAllText(spec, Rank1);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<SpecException>(() => SweepDefinition.Parse($"spec: base.yaml\n{body}\n", "sweep.yaml", _dir));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"{name}: took {watch.Elapsed}");
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> SpecialFiles()
    {
        var data = new TheoryData<string, string>();
        if (OperatingSystem.IsLinux())
        {
            data.Add("/dev/zero", "is a character device, not a regular file");
            data.Add("fifo", "is a FIFO (named pipe), not a regular file");
        }

        data.Add("large", "beyond this tool's limit of 16 MiB");
        data.Add("directory", "is a directory, not a");
        return data;
    }

    /// <summary>Makes the special file <paramref name="kind"/> in the test folder (or names a device) and returns its path.</summary>
    private string Special(string kind)
    {
        switch (kind)
        {
            case "fifo":
                string fifo = Path.Combine(_dir, "pipe.yaml");
                using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
                {
                    mkfifo.WaitForExit();
                    Assert.Equal(0, mkfifo.ExitCode);
                }

                return fifo;
            case "large":
                string large = Path.Combine(_dir, "large.yaml");
                using (var stream = File.Create(large))
                {
                    stream.SetLength(InputLimits.MaxSpecFileBytes + 1);
                }

                return large;
            case "directory":
                return _dir;
            default:
                return kind;
        }
    }

    [Theory]
    [MemberData(nameof(SpecialFiles))]
    public void A_device_fifo_large_file_or_directory_is_refused_without_reading_it(string kind, string problem)
    {
        string path = Special(kind);
        var spec = Assert.Throws<SpecException>(() => SpecReader.LoadFile(path));
        Assert.Equal(path, spec.File);
        Assert.Contains(problem, spec.Problem, StringComparison.Ordinal);
        Assert.Contains(problem, Assert.Throws<SpecException>(() => SweepDefinition.Load(path)).Problem, StringComparison.Ordinal);
        Assert.False(LayerStackSpec.IsLayerStackFile(path));

        // Through the command line: one error line and exit code 1 for validate, simulate and sweep alike.
        foreach (var args in new[] { new[] { "validate", path }, ["simulate", path, "--out", Path.Combine(_dir, "out")], ["sweep", path, "--list"] })
        {
            var r = Run(args);
            Assert.Equal(1, r.Code);
            Assert.Contains(problem, AssertOneErrorLine(r.Err), StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    [Theory]
    [MemberData(nameof(SpecialFiles))]
    public void A_device_fifo_or_large_file_as_input_samples_is_refused_at_the_file_field(string kind, string problem)
    {
        if (kind == "large")
        {
            string large = Path.Combine(_dir, "large.csv");
            using (var stream = File.Create(large))
            {
                stream.SetLength(InputLimits.MaxSamplesFileBytes + 1);
            }

            kind = large;
            problem = "beyond this tool's limit of 64 MiB";
        }

        string path = Special(kind);
        string spec = Path.Combine(_dir, "spec.yaml");
        File.WriteAllText(spec, Rank1.Replace("- kind: constant\n    value: 0", $"- kind: piecewise_linear\n    file: {path}", StringComparison.Ordinal));
        var e = Assert.Throws<SpecException>(() => SpecReader.LoadFile(spec));
        Assert.Equal("input[0].file", e.Field);
        Assert.Equal(5, e.Line);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_of_a_population_at_the_limit_runs_in_bounded_time_and_memory()
    {
        string path = Path.Combine(_dir, "big.yaml");
        File.WriteAllText(path, Rank1.Replace("size: 3", $"size: {InputLimits.MaxPopulationNeurons}", StringComparison.Ordinal));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var r = Run("validate", path);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("boundary report left out", r.Out, StringComparison.Ordinal);
        // Generous bounds (the machine may be busy); at the old limit of 5·10⁷ neurons validate needed over 10 GiB.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(120), $"validate took {watch.Elapsed}");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 2L << 30, "validate allocated more than 2 GiB");
    }
}
