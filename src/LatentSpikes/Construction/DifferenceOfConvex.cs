using LatentSpikes.Model;

namespace LatentSpikes.Construction;

/// <summary>f = q − p with q and p convex and piecewise affine, ready to become the E and I boundaries (App. E).</summary>
/// <param name="Q">The convex part that becomes the excitatory boundary y_E = −q(x) − y_I.</param>
/// <param name="P">The convex part that becomes the inhibitory boundary y_I = −p(x) − a·y_E.</param>
/// <param name="Method">How the split was made ("piecewise-linear (Theorem 2)" or "smooth (Theorem 1, λ = …)").</param>
public sealed record DcDecomposition(ConvexPiecewiseAffine Q, ConvexPiecewiseAffine P, string Method)
{
    /// <summary>q(x) − p(x): the function the E-I network computes.</summary>
    public double Value(ReadOnlySpan<double> x) => Q.Value(x) - P.Value(x);
}

/// <summary>
/// Difference-of-convex decompositions (seed 002, App. E). Theorem 2: a continuous piecewise-linear function splits
/// exactly into q (its positive slope jumps, plus its first affine piece) and p (its negative slope jumps), both
/// convex with the same edge points. Theorem 1: a function with bounded curvature splits as q = f + λ·g, p = λ·g with
/// g(x) = |x − c|²/2 and λ ≥ max(0, −min eigenvalue of ∇²f); both are then sampled by tangent planes.
/// </summary>
public static class DifferenceOfConvex
{
    /// <summary>Theorem 2: splits the continuous piecewise-linear interpolant of the knots (x_k, y_k) exactly.</summary>
    /// <exception cref="ModelValidationException">For fewer than two knots, non-increasing x or non-finite values.</exception>
    public static DcDecomposition FromKnots(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(ys);
        if (xs.Count < 2 || xs.Count != ys.Count)
        {
            throw new ModelValidationException("knots", $"need at least two (x, y) knots with as many y as x (got {xs.Count} x and {ys.Count} y)");
        }

        for (int k = 0; k < xs.Count; k++)
        {
            LowRankNetwork.RequireFinite($"knots[{k}].x", xs[k]);
            LowRankNetwork.RequireFinite($"knots[{k}].y", ys[k]);
            if (k > 0 && xs[k] <= xs[k - 1])
            {
                throw new ModelValidationException($"knots[{k}].x", $"knot x must increase strictly ({xs[k]} after {xs[k - 1]})");
            }
        }

        int n = xs.Count;
        var slope = new double[n - 1];
        for (int k = 0; k + 1 < n; k++)
        {
            slope[k] = (ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k]);
        }

        // q starts as the first affine piece of f and collects the positive jumps; p starts at 0 and collects the
        // negative ones. Each jump opens a new piece of q or of p.
        double qSlope = slope[0], qIntercept = ys[0] - (slope[0] * xs[0]);
        double pSlope = 0, pIntercept = 0;
        var q = new List<AffinePiece> { new([qSlope], qIntercept) };
        var p = new List<AffinePiece> { new([pSlope], pIntercept) };
        for (int k = 1; k + 1 < n; k++)
        {
            double jump = slope[k] - slope[k - 1];
            if (jump > 0)
            {
                qSlope += jump;
                qIntercept -= jump * xs[k];
                q.Add(new AffinePiece([qSlope], qIntercept));
            }
            else if (jump < 0)
            {
                pSlope -= jump;
                pIntercept += jump * xs[k];
                p.Add(new AffinePiece([pSlope], pIntercept));
            }
        }

        return new DcDecomposition(new ConvexPiecewiseAffine(q), new ConvexPiecewiseAffine(p), "piecewise-linear (Theorem 2)");
    }

    /// <summary>
    /// Theorem 1 on a box: λ from the most negative curvature of f found on a grid (second differences, plus a 5 %
    /// margin), then q = f + λ·g and p = λ·g sampled by tangent planes on grids of the given sizes.
    /// </summary>
    /// <param name="f">The target function.</param>
    /// <param name="ranges">Input box, one (lo, hi) per dimension.</param>
    /// <param name="qPointsPerDimension">Tangent points per dimension for q (the excitatory neurons).</param>
    /// <param name="pPointsPerDimension">Tangent points per dimension for p (the inhibitory neurons).</param>
    public static DcDecomposition Smooth(Func<double[], double> f, IReadOnlyList<(double Lo, double Hi)> ranges, int qPointsPerDimension, int pPointsPerDimension)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(ranges);
        int m = ranges.Count;
        double[] center = ranges.Select(r => 0.5 * (r.Lo + r.Hi)).ToArray();
        double lambda = CurvatureBound(f, ranges);
        double g(double[] x) => 0.5 * Enumerable.Range(0, m).Sum(d => (x[d] - center[d]) * (x[d] - center[d]));
        double[] gGrad(double[] x) => Enumerable.Range(0, m).Select(d => x[d] - center[d]).ToArray();
        double q(double[] x) => f(x) + (lambda * g(x));
        double[] qGrad(double[] x)
        {
            double[] df = NumericGradient(f, x, ranges);
            double[] dg = gGrad(x);
            return Enumerable.Range(0, m).Select(d => df[d] + (lambda * dg[d])).ToArray();
        }

        double p(double[] x) => lambda * g(x);
        double[] pGrad(double[] x) => gGrad(x).Select(v => lambda * v).ToArray();
        var qPoints = Grid(ranges, qPointsPerDimension);
        var pPoints = lambda == 0 ? [center] : Grid(ranges, pPointsPerDimension);
        return new DcDecomposition(
            ConvexPiecewiseAffine.FromTangents(q, qGrad, qPoints),
            ConvexPiecewiseAffine.FromTangents(p, pGrad, pPoints),
            $"smooth (Theorem 1, g = |x − c|²/2, λ = {lambda:G4})");
    }

    /// <summary>Evenly spaced grid points over a box, the first dimension varying slowest.</summary>
    public static List<double[]> Grid(IReadOnlyList<(double Lo, double Hi)> ranges, int pointsPerDimension)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        int m = ranges.Count;
        var points = new List<double[]>();
        var index = new int[m];
        while (true)
        {
            points.Add(Enumerable.Range(0, m).Select(d => pointsPerDimension == 1
                ? 0.5 * (ranges[d].Lo + ranges[d].Hi)
                : ranges[d].Lo + ((ranges[d].Hi - ranges[d].Lo) * index[d] / (pointsPerDimension - 1))).ToArray());
            int dim = m - 1;
            while (dim >= 0 && ++index[dim] == pointsPerDimension)
            {
                index[dim] = 0;
                dim--;
            }

            if (dim < 0)
            {
                return points;
            }
        }
    }

    /// <summary>max(0, −min curvature) of f over the box, with a 5 % margin so q is strictly convex.</summary>
    internal static double CurvatureBound(Func<double[], double> f, IReadOnlyList<(double Lo, double Hi)> ranges)
    {
        int m = ranges.Count;
        int perDim = m == 1 ? 801 : m == 2 ? 61 : 15;
        double minCurvature = double.PositiveInfinity;
        foreach (var x in Grid(ranges, perDim))
        {
            // Smallest second directional derivative over the axes and the diagonals (exact for quadratics in 2-D).
            foreach (var dir in Directions(m))
            {
                double h = 1e-3 * ranges.Select(r => r.Hi - r.Lo).Max();
                double[] plus = x.Select((v, d) => v + (h * dir[d])).ToArray();
                double[] minus = x.Select((v, d) => v - (h * dir[d])).ToArray();
                double curvature = (f(plus) - (2 * f(x)) + f(minus)) / (h * h);
                if (!double.IsFinite(curvature))
                {
                    throw new ModelValidationException("function", $"f is not finite near x = ({string.Join(", ", x.Select(v => v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)))})");
                }

                minCurvature = Math.Min(minCurvature, curvature);
            }
        }

        return minCurvature >= 0 ? 0 : -minCurvature * 1.05;
    }

    private static IEnumerable<double[]> Directions(int m)
    {
        for (int d = 0; d < m; d++)
        {
            var e = new double[m];
            e[d] = 1;
            yield return e;
        }

        for (int a = 0; a < m; a++)
        {
            for (int b = a + 1; b < m; b++)
            {
                var plus = new double[m];
                var minus = new double[m];
                plus[a] = plus[b] = minus[a] = Math.Sqrt(0.5);
                minus[b] = -Math.Sqrt(0.5);
                yield return plus;
                yield return minus;
            }
        }
    }

    internal static double[] NumericGradient(Func<double[], double> f, double[] x, IReadOnlyList<(double Lo, double Hi)> ranges)
    {
        var g = new double[x.Length];
        for (int d = 0; d < x.Length; d++)
        {
            double h = 1e-6 * Math.Max(1.0, ranges[d].Hi - ranges[d].Lo);
            double[] plus = (double[])x.Clone();
            double[] minus = (double[])x.Clone();
            plus[d] += h;
            minus[d] -= h;
            g[d] = (f(plus) - f(minus)) / (2 * h);
        }

        return g;
    }
}
