using System.Globalization;
using LatentSpikes.Construction;
using LatentSpikes.Model;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;

namespace LatentSpikes.Tests.Specs;

/// <summary>
/// Specs with expression and knots functions, M-dimensional tangent grids and random populations: they load, they
/// simulate, a 2-D network tracks its boundary, and every mistake is one line naming file, line and field.
/// </summary>
public sealed class ConstructedSpecTests
{
    private const string Label = "spec.yaml";

    private const string Expression1D = """
        name: expression
        simulation: {dt: 0.01, duration: 3, seed: 1}
        input:
          - {kind: ramp, from: -1, to: 1, start: 0.5, stop: 3}
        populations:
          - name: I
            kind: inhibitory
            size: 10
            tangent:
              f: {expression: "x^2 + 0.5"}
              range: [-1, 1]
            decoders: -0.35
        """;

    private const string Knots = """
        name: knots
        simulation: {dt: 0.01, duration: 3}
        input: {kind: ramp, from: -1, to: 1, start: 0.5, stop: 3}
        populations:
          - name: I
            kind: inhibitory
            size: 4
            tangent:
              f:
                knots:
                  - [-1, 1.5]
                  - [-0.5, 0.75]
                  - [0, 0.5]
                  - [0.5, 0.75]
                  - [1, 1.5]
              range: [-1, 0.5]
            decoders: -0.1
        """;

    private const string Grid2D = """
        name: grid
        simulation: {dt: 0.01, duration: 4, seed: 1, clip_at_spike: false}
        input:
          - {kind: constant, value: X1}
          - {kind: constant, value: X2}
        populations:
          - name: I
            kind: inhibitory
            tangent:
              f: {expression: "x1^2 + x2^2 + 0.5"}
              range: [[-1, 1], [-1, 1]]
              points: [15, 15]
            decoders: -0.2
        """;

    private const string Random = """
        name: random
        simulation: {dt: 0.01, duration: 3, seed: 2}
        input:
          - {kind: ramp, from: -1, to: 1, start: 0.5, stop: 3}
        populations:
          - name: R
            kind: inhibitory
            size: 8
            random:
              seed: 19
              feedforward: {mean: 0, std: 1}
              encoder: {mean: 1, std: 0.5}
              threshold: {mean: 0.25, std: 0.25}
            decoders: -0.1
          - name: T
            kind: inhibitory
            size: 8
            random:
              seed: 19
              tune_to:
                f: {expression: "x^2 + 0.5"}
                range: [-1, 1]
            decoders: -0.1
        """;

    [Fact]
    public void An_expression_builds_the_same_network_as_the_polynomial()
    {
        var fromExpression = SpecReader.Parse(Expression1D, Label).Experiment.Network.Populations[0];
        var fromPolynomial = SpecReader.Parse(Expression1D.Replace("{expression: \"x^2 + 0.5\"}", "{polynomial: [0.5, 0, 1]}", StringComparison.Ordinal), Label).Experiment.Network.Populations[0];
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(fromPolynomial.Thresholds[i], fromExpression.Thresholds[i], 14);
            Assert.Equal(fromPolynomial.Feedforward(i, 0), fromExpression.Feedforward(i, 0), 14);
        }
    }

    [Theory]
    [InlineData(nameof(Expression1D))]
    [InlineData(nameof(Knots))]
    [InlineData(nameof(Random))]
    [InlineData("Grid2D")]
    [InlineData("Fig2eDoc")]
    [InlineData("RandomDoc")]
    public void Specs_load_and_simulate(string which)
    {
        var spec = SpecReader.Parse(Text(which), Label);
        var result = new ClockDrivenEngine().Run(spec.Experiment);
        Assert.Equal(SimulationStatus.Completed, result.Status);
        Assert.NotEmpty(result.Spikes);
    }

    [Fact]
    public void Knots_tangent_points_and_the_boundary_are_exact()
    {
        var spec = SpecReader.Parse(Knots, Label);
        Assert.Equal(new[] { -1.0, -0.5, 0.0, 0.5 }, spec.TangentPoints["I"].Select(t => t.X[0]));
        var p = spec.Experiment.Network.Populations[0];
        Assert.Equal(new[] { -1.5, -0.5, 0.5, 1.5 }, Enumerable.Range(0, 4).Select(i => p.Feedforward(i, 0)));
    }

    [Fact]
    public void A_random_spec_is_reproducible_and_independent_of_the_simulation_seed()
    {
        var a = SpecReader.Parse(Random, Label).Experiment.Network;
        var b = SpecReader.Parse(Random.Replace("seed: 2}", "seed: 99}", StringComparison.Ordinal), Label).Experiment.Network;
        var c = SpecReader.Parse(Random.Replace("seed: 19\n      feedforward", "seed: 20\n      feedforward", StringComparison.Ordinal), Label).Experiment.Network;
        Assert.Equal(a.Populations[0].Thresholds, b.Populations[0].Thresholds);
        Assert.Equal(a.Populations[1].Thresholds, b.Populations[1].Thresholds);
        Assert.NotEqual(a.Populations[0].Thresholds, c.Populations[0].Thresholds);

        // The same seed gives the same F and E; only T differs between the drawn and the tuned population.
        var (r, t) = (a.Populations[0], a.Populations[1]);
        Assert.Equal(r.Encoders["y_R"], t.Encoders["y_T"]);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => r.Feedforward(i, 0)), Enumerable.Range(0, 8).Select(i => t.Feedforward(i, 0)));
        Assert.NotEqual(r.Thresholds, t.Thresholds);

        // The C# construction gives the same network as the spec.
        var direct = RandomConstruction.Build("R", PopulationKind.Inhibitory, 8, 1, 19, RandomWeights.FigureS1, [-0.1]).Population;
        Assert.Equal(direct.Thresholds, r.Thresholds);
    }

    [Fact]
    public void Tuned_random_populations_report_their_tangent_points()
    {
        var spec = SpecReader.Parse(Random, Label);
        Assert.False(spec.TangentPoints.ContainsKey("R"));
        Assert.Equal(8, spec.TangentPoints["T"].Count);
        Assert.All(spec.TangentPoints["T"], tp => Assert.Equal(-((tp.X[0] * tp.X[0]) + 0.5), tp.Y, 12));
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, -0.3)]
    [InlineData(-0.8, 0.6)]
    [InlineData(0.93, 0.93)]
    [InlineData(-0.37, -0.71)]
    public void A_2d_tangent_network_tracks_its_boundary_for_constant_inputs(double x1, double x2)
    {
        string text = Grid2D
            .Replace("value: X1", "value: " + x1.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("value: X2", "value: " + x2.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var spec = SpecReader.Parse(text, Label);
        Assert.Equal(225, spec.Experiment.Network.Populations[0].Size);
        var result = new ClockDrivenEngine().Run(spec.Experiment);
        Assert.Equal(SimulationStatus.Completed, result.Status);
        double top = -((x1 * x1) + (x2 * x2) + 0.5);
        const double D = -0.2;
        double[] y = result.Latent("y_I");
        int checkedSamples = 0;
        for (int r = 0; r < y.Length; r++)
        {
            if (result.Times[r] < 2)
            {
                continue;
            }

            Assert.InRange(y[r], top + D - 0.05, top + 0.05);
            checkedSamples++;
        }

        Assert.True(checkedSamples > 150);
        Assert.True(y.Skip(y.Length / 2).Max() - y.Skip(y.Length / 2).Min() > 0.1, "the latent does not move within the band");
    }

    [Fact]
    public void A_grid_may_give_size_points_or_both()
    {
        var pointsOnly = SpecReader.Parse(Grid2D.Replace("X1", "0").Replace("X2", "0"), Label).Experiment.Network.Populations[0];
        var sizeOnly = SpecReader.Parse(
            Grid2D.Replace("X1", "0").Replace("X2", "0").Replace("      points: [15, 15]\n", string.Empty, StringComparison.Ordinal)
                .Replace("kind: inhibitory\n", "kind: inhibitory\n    size: 225\n", StringComparison.Ordinal),
            Label).Experiment.Network.Populations[0];
        var both = SpecReader.Parse(Grid2D.Replace("X1", "0").Replace("X2", "0").Replace("kind: inhibitory\n", "kind: inhibitory\n    size: 225\n", StringComparison.Ordinal), Label)
            .Experiment.Network.Populations[0];
        Assert.Equal(pointsOnly.Thresholds, sizeOnly.Thresholds);
        Assert.Equal(pointsOnly.Thresholds, both.Thresholds);

        var uneven = SpecReader.Parse(Grid2D.Replace("X1", "0").Replace("X2", "0").Replace("points: [15, 15]", "points: [3, 5]", StringComparison.Ordinal), Label);
        Assert.Equal(15, uneven.Experiment.Network.Populations[0].Size);
        Assert.Equal((1.0, -0.5), (uneven.TangentPoints["I"][14].X[0], uneven.TangentPoints["I"][1].X[1]));
    }

    /// <summary>Each case edits a valid spec; the error must name the field and the line that holds the marker.</summary>
    [Theory]
    [InlineData(nameof(Expression1D), "{expression: \"x^2 + 0.5\"}", "{expression: \"x^^2\"}", "populations[0].tangent.f.expression", "expression 'x^^2': column 3: unexpected '^'", "x^^2")]
    [InlineData(nameof(Expression1D), "{expression: \"x^2 + 0.5\"}", "{expression: \"x^2 + foo(x)\"}", "populations[0].tangent.f.expression", "expression 'x^2 + foo(x)': column 7: unknown function 'foo'", "foo(x)")]
    [InlineData(nameof(Expression1D), "{expression: \"x^2 + 0.5\"}", "{expression: \"x1^2 + x2\"}", "populations[0].tangent.f.expression", "column 8: variable 'x2' is beyond the input dimension 1", "x1^2 + x2")]
    [InlineData(nameof(Expression1D), "{expression: \"x^2 + 0.5\"}", "{expression: \"-x^2\"}", "populations[0].tangent.f", "'-x^2' is not convex on the tangent range", "-x^2")]
    [InlineData(nameof(Expression1D), "{expression: \"x^2 + 0.5\"}", "{expression: \"\"}", "populations[0].tangent.f.expression", "expected a non-empty text", "expression: \"\"")]
    [InlineData(nameof(Expression1D), "{expression: \"x^2 + 0.5\"}", "{expression: \"x^2\", polynomial: [1]}", "populations[0].tangent.f.polynomial", "give only one of polynomial, expression or knots", "polynomial: [1]")]
    [InlineData(nameof(Expression1D), "{expression: \"x^2 + 0.5\"}", "{}", "populations[0].tangent.f", "give the function as one of polynomial", "f: {}")]
    [InlineData(nameof(Expression1D), "{expression: \"x^2 + 0.5\"}", "{expresion: \"x^2\"}", "populations[0].tangent.f.expresion", "unknown field (did you mean 'expression'?)", "expresion")]
    [InlineData(nameof(Knots), "- [0, 0.5]", "- [-0.5, 0.5]", "populations[0].tangent.f.knots[2]", "knot x must increase strictly (-0.5 after -0.5)", "- [-0.5, 0.5]")]
    [InlineData(nameof(Knots), "- [0, 0.5]", "- [0, 0.5, 1]", "populations[0].tangent.f.knots[2]", "expected a knot [x, y]; got 3 numbers", "- [0, 0.5, 1]")]
    [InlineData(nameof(Knots), "- [0, 0.5]", "- [0, .nan]", "populations[0].tangent.f.knots[2][1]", "finite", "- [0, .nan]")]
    [InlineData(nameof(Knots), "- [0, 0.5]", "- [0, 2]", "populations[0].tangent.f", "is not convex on the tangent range", "f:")]
    [InlineData("Grid2D", "points: [15, 15]", "points: [15]", "populations[0].tangent.points", "give one number of tangent points per input dimension (2); got 1", "points: [15]")]
    [InlineData("Grid2D", "points: [15, 15]", "points: [15, 0]", "populations[0].tangent.points[1]", "must be a positive number of points (got 0)", "points: [15, 0]")]
    [InlineData("Grid2D", "range: [[-1, 1], [-1, 1]]", "range: [-1, 1]", "populations[0].tangent.range", "expected 2 intervals [[a1, b1], ..., [a2, b2]], one per input dimension; got 2 numbers", "range: [-1, 1]")]
    [InlineData("Grid2D", "range: [[-1, 1], [-1, 1]]", "range: [[-1, 1], [1, -1]]", "populations[0].tangent.range[1]", "must be an increasing interval", "[1, -1]")]
    [InlineData("Grid2D", "range: [[-1, 1], [-1, 1]]", "range: [[-1, 1], [-1, 1, 2]]", "populations[0].tangent.range[1]", "expected [a, b]; got 3 numbers", "[-1, 1, 2]")]
    [InlineData("Grid2D", "f: {expression: \"x1^2 + x2^2 + 0.5\"}", "f: {polynomial: [0.5, 0, 1]}", "populations[0].tangent.f.polynomial", "'polynomial' describes a function of one input but the spec has 2 input dimensions", "polynomial")]
    [InlineData("Grid2D", "f: {expression: \"x1^2 + x2^2 + 0.5\"}", "f: {expression: \"x1*x2\"}", "populations[0].tangent.f", "'x1*x2' is not convex on the tangent grid", "x1*x2")]
    [InlineData("Grid2D", "f: {expression: \"x1^2 + x2^2 + 0.5\"}", "f: {expression: \"x^2\"}", "populations[0].tangent.f.expression", "'x' stands for the input of a one-dimensional function", "\"x^2\"")]
    [InlineData("Grid2D", "      points: [15, 15]\n", "", "populations[0]", "needs 'size' or 'tangent.points'", "- name: I")]
    [InlineData("Grid2D", "kind: inhibitory\n", "kind: inhibitory\n    size: 200\n", "populations[0].tangent.points", "the grid has 225 tangent points but size is 200", "points: [15, 15]")]
    [InlineData(nameof(Random), "threshold: {mean: 0.25, std: 0.25}", "threshold: {mean: 0.25, std: -1}", "populations[0].random.threshold.std", "must be ≥ 0 (got -1)", "std: -1")]
    [InlineData(nameof(Random), "threshold: {mean: 0.25, std: 0.25}", "threshold: {mean: 0.25, sd: 1}", "populations[0].random.threshold.sd", "unknown field (did you mean 'std'?)", "sd: 1")]
    [InlineData(nameof(Random), "encoder: {mean: 1, std: 0.5}", "encoder: {mean: -1, std: 0}", "populations[0].random.encoder.mean", "encoders must be > 0 (Dale's law)", "mean: -1, std: 0")]
    [InlineData(nameof(Random), "seed: 19\n      feedforward", "seed: -3\n      feedforward", "populations[0].random.seed", "expected a non-negative integer seed", "seed: -3")]
    [InlineData(nameof(Random), "seed: 19\n      feedforward", "sede: 19\n      feedforward", "populations[0].random.sede", "unknown field (did you mean 'seed'?)", "sede")]
    [InlineData(nameof(Random), "seed: 19\n      tune_to", "seed: 19\n      threshold: {mean: 0}\n      tune_to", "populations[1].random.threshold", "give 'threshold' or 'tune_to', not both", "threshold: {mean: 0}")]
    [InlineData(nameof(Random), "range: [-1, 1]", "range: [1, -1]", "populations[1].random.tune_to.range", "must be an interval [a, b] with a ≤ b", "range: [1, -1]")]
    [InlineData(nameof(Random), "f: {expression: \"x^2 + 0.5\"}", "f: {expression: \"log(x)\"}", "populations[1].random.tune_to.f", "is not finite at x = -1 inside the tuning range", "log(x)")]
    [InlineData(nameof(Random), "  size: 8\n    random:\n      seed: 19\n      feedforward", "  random:\n      seed: 19\n      feedforward", "populations[0]", "a random population needs 'size'", "- name: R")]
    [InlineData(nameof(Random), "    decoders: -0.1\n  - name: T", "    decoders: -0.1\n    thresholds: [1]\n  - name: T", "populations[0].thresholds", "give either 'random' (constructed) or 'feedforward' and 'thresholds' (explicit), not both", "thresholds: [1]")]
    [InlineData(nameof(Random), "    decoders: -0.1\n  - name: T", "    decoders: -0.1\n    encoders: {y_R: 2}\n  - name: T", "populations[0].encoders.y_R", "the encoder onto the population's own latent is drawn by the random construction", "encoders: {y_R: 2}")]
    [InlineData(nameof(Random), "    decoders: -0.1\n  - name: T", "    decoders: -0.1\n    tangent: {f: {polynomial: [1]}, range: [0, 1]}\n  - name: T", "populations[0].random", "give one of 'tangent', 'random' or 'feedforward' and 'thresholds', not several", "random:")]
    public void A_mistake_is_one_line_naming_file_line_and_field(string which, string from, string to, string field, string problem, string marker)
    {
        string template = Text(which);
        Assert.Contains(from, template, StringComparison.Ordinal);
        string spec = template.Replace(from, to, StringComparison.Ordinal);
        var e = Assert.Throws<SpecException>(() => SpecReader.Parse(spec, Label));
        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith($"{Label}:{e.Line}: {field}: ", e.Message, StringComparison.Ordinal);

        // The line is the one the user has to edit: the first line holding the marker.
        string[] lines = spec.Split('\n');
        int expected = Array.FindIndex(lines, l => l.Contains(marker, StringComparison.Ordinal)) + 1;
        Assert.True(expected > 0, $"marker '{marker}' not in the spec");
        Assert.Equal(expected, e.Line);
    }

    private static string Text(string which) => which switch
    {
        nameof(Expression1D) => Expression1D,
        nameof(Knots) => Knots,
        nameof(Random) => Random,
        "Grid2D" => Grid2D.Replace("X1", "0.3", StringComparison.Ordinal).Replace("X2", "-0.4", StringComparison.Ordinal),
        "Fig2eDoc" => Fig2eDoc,
        "RandomDoc" => RandomDoc,
        _ => throw new ArgumentException(which, nameof(which)),
    };

    /// <summary>The 2-D example of docs/spec.md.</summary>
    private const string Fig2eDoc = """
        name: fig2e-surface-boundary
        simulation: {duration: 40}
        input:
          - {kind: sinusoid, amplitude: 3, frequency: 0.025}
          - {kind: sinusoid, amplitude: 3, frequency: 0.025, phase: 1.5708}
        populations:
          - name: I
            kind: inhibitory
            tangent:
              f: {expression: "0.5*x1^2 + 0.5*x2^2 + 0.1*x1*x2 - 0.5*x1 + 0.5*x2 + 5"}
              range: [[-4.5, 4.5], [-4.5, 4.5]]
              points: [6, 6]
            decoders: -0.5
        initial: {y_I: -5}
        """;

    /// <summary>The random example of docs/spec.md.</summary>
    private const string RandomDoc = """
        name: random-boundary
        simulation: {duration: 20}
        input:
          - {kind: ramp, from: -1, to: 1, start: 2, stop: 20}
        populations:
          - name: R
            kind: inhibitory
            size: 8
            random: {seed: 19}
            decoders: -0.1
          - name: T
            kind: inhibitory
            size: 8
            random:
              seed: 19
              tune_to: {f: {expression: "x^2 + 0.5"}, range: [-1, 1]}
            decoders: -0.1
        """;
}
