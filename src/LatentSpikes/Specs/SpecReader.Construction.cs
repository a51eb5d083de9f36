using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LatentSpikes.Construction;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LatentSpikes.Specs;

// The spec reader, part 4: constructed populations (<c>tangent</c>, <c>random</c>) and boundary functions.
public static partial class SpecReader
{
    /// <summary>
    /// The tangent construction (App. C): 1-D with <c>range: [a, b]</c> and <c>size</c> as before, or a grid for an
    /// M-dimensional input with <c>range: [[a1, b1], ...]</c> and <c>points: [m1, ...]</c>.
    /// </summary>
    private static ConstructedPopulation ReadTangent(SpecMap m, SpecNode node, SpecNode tangentNode, string name, PopulationKind kind, int? size, int inputDimension, double mu, double noise, long before)
    {
        var tm = tangentNode.AsMap(TangentKeys);
        var f = ReadFunction(tm.Required("f"), inputDimension);
        var ranges = ReadRanges(tm.Required("range"), inputDimension);
        RequireDefinedOnRange(tm.Required("f"), f, ranges, "tangent");
        var pointsNode = tm.Optional("points");
        int[] points;
        if (pointsNode is not null)
        {
            points = ReadPoints(pointsNode, inputDimension);
            // Saturating: a grid of many dimensions must not wrap around to a small count.
            long product = points.Aggregate(1L, (a, c) => a > long.MaxValue / c ? long.MaxValue : a * c);
            CheckNeuronCount(pointsNode, product, before, product == long.MaxValue ? "the grid has more than 9.2·10¹⁸ points" : $"the grid has {product} points");

            if (size is not null && product != size)
            {
                throw pointsNode.Error($"the grid has {product} tangent points but size is {size}; give size: {product} or leave size out");
            }
        }
        else if (size is null)
        {
            throw node.Error(inputDimension == 1
                ? "a tangent-constructed population needs 'size'"
                : "a tangent-constructed population needs 'size' or 'tangent.points' (tangent points per input dimension)");
        }
        else if (inputDimension == 1)
        {
            points = [size.Value];
        }
        else
        {
            // N = m^M splits evenly; any other N needs the grid spelt out.
            int per = (int)Math.Round(Math.Pow(size.Value, 1.0 / inputDimension));
            if (Enumerable.Repeat((long)per, inputDimension).Aggregate(1L, (a, c) => a * c) != size.Value)
            {
                throw tangentNode.Error($"give 'points: [m1, ..., m{inputDimension}]' (tangent points per input dimension): size {size} is not a whole number to the power {inputDimension}, so the grid cannot be split evenly");
            }

            points = Enumerable.Repeat(per, inputDimension).ToArray();
        }

        int n = points.Aggregate(1, (a, c) => a * c);
        var decoders = m.Required("decoders").AsScalarOrList(n);
        return inputDimension == 1
            ? TangentConstruction.Build1D(name, kind, f, n, ranges[0].Lo, ranges[0].Hi, decoders, mu, noise)
            : TangentConstruction.BuildGrid(name, kind, f, points, ranges, decoders, mu, noise);
    }

    /// <summary>
    /// Refuses a formula that is not finite somewhere on its range — 0/0, log of a negative number, a pole — as
    /// <c>latentspikes compile</c> does: it is sampled on the same grid (1001 points for one input, about 10⁵ in all
    /// for several; beyond 16 inputs only the construction's own points are checked).
    /// </summary>
    private static void RequireDefinedOnRange(SpecNode fNode, IBoundaryFunction f, (double Lo, double Hi)[] ranges, string rangeName)
    {
        if (f is not ExpressionFunction expression)
        {
            return;
        }

        int m = ranges.Length;
        int perDimension = m == 1 ? 1001 : (int)Math.Floor(Math.Pow(100_000, 1.0 / m) + 1e-9);
        if (perDimension < 2 || ranges.Any(r => !(r.Lo <= r.Hi)))
        {
            return;
        }

        foreach (var x in DifferenceOfConvex.Grid(ranges, perDimension))
        {
            double v = expression.Value(x);
            if (!double.IsFinite(v))
            {
                string at = m == 1 ? Num(x[0]) : "(" + string.Join(", ", x.Select(Num)) + ")";
                throw fNode.Error($"'{expression.Text}' is not finite at x = {at} inside the {rangeName} range (f = {Num(v)}); a boundary function must be defined on its whole range");
            }
        }

        static string Num(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
    }

    /// <summary>A random population (App. B, Fig. S1), optionally with thresholds tuned to a convex boundary.</summary>
    private static ConstructedPopulation ReadRandom(SpecMap m, SpecNode node, SpecNode randomNode, string name, PopulationKind kind, int? size, int inputDimension, double mu, double noise)
    {
        if (size is null)
        {
            throw node.Error("a random population needs 'size'");
        }

        var rm = randomNode.AsMap(RandomKeys);
        var defaults = RandomWeights.FigureS1;
        ulong seed = rm.Optional("seed")?.AsSeed() ?? 0;
        var weights = new RandomWeights(
            ReadGaussian(rm.Optional("feedforward"), defaults.Feedforward),
            ReadGaussian(rm.Optional("encoder"), defaults.Encoder),
            ReadGaussian(rm.Optional("threshold"), defaults.Threshold));
        ThresholdTuning? tuning = null;
        if (rm.Optional("tune_to") is { } tuneNode)
        {
            if (rm.Optional("threshold") is { } thresholdNode)
            {
                throw thresholdNode.Error("tuned thresholds replace the drawn ones: give 'threshold' or 'tune_to', not both");
            }

            var tm = tuneNode.AsMap(TuneKeys);
            var tuneF = ReadFunction(tm.Required("f"), inputDimension);
            var tuneRanges = ReadRanges(tm.Required("range"), inputDimension);
            RequireDefinedOnRange(tm.Required("f"), tuneF, tuneRanges, "tuning");
            tuning = new ThresholdTuning(tuneF, tuneRanges);
        }

        var decoders = m.Required("decoders").AsScalarOrList(size.Value);
        var built = RandomConstruction.Build(name, kind, size.Value, inputDimension, seed, weights, decoders, tuning, mu, noise);
        return new ConstructedPopulation(built.Population, built.Tuning?.TangentPoints ?? []);
    }

    private static Gaussian ReadGaussian(SpecNode? node, Gaussian fallback)
    {
        if (node is null)
        {
            return fallback;
        }

        var gm = node.AsMap(GaussianKeys);
        var g = new Gaussian(gm.Double("mean", fallback.Mean), gm.Double("std", fallback.Std));
        if (g.Std < 0)
        {
            throw gm.Required("std").Error($"must be ≥ 0 (got {g.Std.ToString(CultureInfo.InvariantCulture)})");
        }

        return g;
    }

    /// <summary>One interval per input dimension: <c>[a, b]</c> for a 1-D input (or <c>[[a, b]]</c>), <c>[[a1, b1], [a2, b2], ...]</c> otherwise.</summary>
    private static (double Lo, double Hi)[] ReadRanges(SpecNode node, int inputDimension)
    {
        var items = node.AsList();
        if (inputDimension == 1 && items.All(i => i.IsScalar))
        {
            double[] range = node.AsDoubles();
            if (range.Length != 2)
            {
                throw node.Error($"expected [a, b]; got {range.Length} numbers");
            }

            return [(range[0], range[1])];
        }

        if (items.Count != inputDimension || items.Any(i => !i.IsList))
        {
            throw node.Error(inputDimension == 1
                ? $"expected [a, b]; got {DescribeList(items)}"
                : $"expected {inputDimension} intervals [[a1, b1], ..., [a{inputDimension}, b{inputDimension}]], one per input dimension; got {DescribeList(items)}");
        }

        var result = new (double Lo, double Hi)[inputDimension];
        for (int d = 0; d < inputDimension; d++)
        {
            double[] pair = items[d].AsDoubles();
            if (pair.Length != 2)
            {
                throw items[d].Error($"expected [a, b]; got {pair.Length} numbers");
            }

            result[d] = (pair[0], pair[1]);
        }

        return result;
    }

    private static string DescribeList(IReadOnlyList<SpecNode> items) =>
        items.Count == 0 ? "an empty list"
            : items.All(i => i.IsScalar) ? $"{items.Count} number{(items.Count == 1 ? string.Empty : "s")}"
            : $"{items.Count} entr{(items.Count == 1 ? "y" : "ies")}";

    /// <summary>Tangent points per input dimension: a list of M positive integers (a plain integer for a 1-D input).</summary>
    private static int[] ReadPoints(SpecNode node, int inputDimension)
    {
        var entries = node.IsScalar && inputDimension == 1 ? [node] : node.AsList();
        if (entries.Count != inputDimension)
        {
            throw node.Error($"give one number of tangent points per input dimension ({inputDimension}); got {entries.Count}");
        }

        var points = new int[inputDimension];
        for (int d = 0; d < inputDimension; d++)
        {
            points[d] = entries[d].AsInt();
            if (points[d] < 1)
            {
                throw entries[d].Error($"must be a positive number of points (got {points[d]})");
            }
        }

        return points;
    }

    /// <summary>A boundary function: exactly one of <c>polynomial</c>, <c>expression</c> or <c>knots</c>.</summary>
    private static IBoundaryFunction ReadFunction(SpecNode node, int inputDimension)
    {
        var m = node.AsMap(FunctionKeys);
        // In document order, so that the error points at the key the user added second.
        var given = FunctionKeys.Where(m.Has).OrderBy(k => m.Required(k).Node.Start.Line).ThenBy(k => m.Required(k).Node.Start.Column).ToArray();
        if (given.Length == 0)
        {
            throw node.Error("give the function as one of polynomial: [c0, c1, ...], expression: \"...\" or knots: [[x0, y0], [x1, y1], ...]");
        }

        if (given.Length > 1)
        {
            throw m.Required(given[1]).Error($"give only one of polynomial, expression or knots (also got '{given[0]}')");
        }

        var valueNode = m.Required(given[0]);
        if (given[0] != "expression" && inputDimension != 1)
        {
            throw valueNode.Error($"'{given[0]}' describes a function of one input but the spec has {inputDimension} input dimensions; write an 'expression' in x1..x{inputDimension}");
        }

        switch (given[0])
        {
            case "expression":
                try
                {
                    return ExpressionFunction.Parse(valueNode.AsString(), inputDimension);
                }
                catch (ExpressionException e)
                {
                    throw valueNode.Error(e.Message);
                }

            case "knots":
                {
                    var items = valueNode.AsList();
                    var knots = new (double X, double Y)[items.Count];
                    for (int k = 0; k < items.Count; k++)
                    {
                        if (!items[k].IsList)
                        {
                            throw items[k].Error("expected a knot [x, y]");
                        }

                        double[] pair = items[k].AsDoubles();
                        if (pair.Length != 2)
                        {
                            throw items[k].Error($"expected a knot [x, y]; got {pair.Length} number{(pair.Length == 1 ? string.Empty : "s")}");
                        }

                        knots[k] = (pair[0], pair[1]);
                    }

                    try
                    {
                        return new PiecewiseLinearFunction(knots);
                    }
                    catch (ModelValidationException e)
                    {
                        // The function names its fields knots[k]...; place them under this node's path.
                        string rest = e.Field.StartsWith("knots", StringComparison.Ordinal) ? e.Field["knots".Length..] : string.Empty;
                        string field = valueNode.Path + rest;
                        throw new SpecException(valueNode.Document.File, valueNode.Document.LineOf(field), field, e.Reason);
                    }
                }

            default:
                {
                    var c = valueNode.AsDoubles();
                    if (c.Length == 0)
                    {
                        throw valueNode.Error("give at least one coefficient (ascending powers: [c0, c1, c2, ...])");
                    }

                    return new PolynomialFunction(c);
                }
        }
    }
}
