using LatentSpikes.Model;

namespace LatentSpikes.Construction;

/// <summary>The tangent point (x_i, y_i) a constructed neuron's threshold touches.</summary>
/// <param name="X">Input coordinates x_i.</param>
/// <param name="Y">Latent value y_i = −f(x_i).</param>
public sealed record TangentPoint(IReadOnlyList<double> X, double Y);

/// <summary>A constructed population with the tangent points it was built from.</summary>
/// <param name="Population">The population.</param>
/// <param name="TangentPoints">One tangent point per neuron.</param>
public sealed record ConstructedPopulation(Population Population, IReadOnlyList<TangentPoint> TangentPoints);

/// <summary>
/// Tangent construction of a rank-1 population (seed 002, App. C): neuron i's threshold is the tangent plane of the
/// boundary y = −f(x) at an evenly spaced point x_i, so E_i = 1, F_i = ∇f(x_i), y_i = −f(x_i) and
/// T_i = F_i·x_i + E_i·y_i (the subthreshold set lies below every tangent). The paper's worked example: boundary
/// y = −x² − ½, x_i = −0.5 gives F_i = −1, T_i = −0.25.
/// </summary>
public static class TangentConstruction
{
    /// <summary>Builds a population tangent to y = −f(x) at <paramref name="size"/> evenly spaced points of [xA, xB].</summary>
    /// <param name="name">Population name.</param>
    /// <param name="kind">Dale's-law class (inhibitory: stable boundary; excitatory: unstable).</param>
    /// <param name="f">A convex function of one input.</param>
    /// <param name="size">Number of neurons.</param>
    /// <param name="xA">First tangent point.</param>
    /// <param name="xB">Last tangent point.</param>
    /// <param name="decoders">One decoder for all neurons, or one per neuron.</param>
    /// <param name="softRefractory">Soft refractory cost μ.</param>
    /// <param name="noiseSigma">Current-noise std σ.</param>
    /// <exception cref="ModelValidationException">When a parameter is invalid or f is not convex on the range.</exception>
    public static ConstructedPopulation Build1D(
        string name,
        PopulationKind kind,
        IBoundaryFunction f,
        int size,
        double xA,
        double xB,
        IReadOnlyList<double> decoders,
        double softRefractory = 0.0,
        double noiseSigma = 0.0)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(decoders);
        if (f.Dimension != 1)
        {
            throw new ModelValidationException("tangent.f", $"the 1-D construction needs a function of one input (got dimension {f.Dimension})");
        }

        if (size < 1)
        {
            throw new ModelValidationException("size", $"must be ≥ 1 (got {size})");
        }

        LowRankNetwork.RequireFinite("tangent.range[0]", xA);
        LowRankNetwork.RequireFinite("tangent.range[1]", xB);
        if (size > 1 && !(xB > xA))
        {
            throw new ModelValidationException("tangent.range", $"must be an increasing interval [a, b] (got [{xA}, {xB}])");
        }

        if (decoders.Count != 1 && decoders.Count != size)
        {
            throw new ModelValidationException("decoders", $"give one decoder or {size} (got {decoders.Count})");
        }

        var ff = new double[size][];
        var thresholds = new double[size];
        var dec = new double[size];
        var points = new TangentPoint[size];
        var xs = new double[size];
        var ys = new double[size];
        var slopes = new double[size];
        Span<double> grad = stackalloc double[1];
        for (int i = 0; i < size; i++)
        {
            double xi = size == 1 ? 0.5 * (xA + xB) : xA + ((xB - xA) * i / (size - 1));
            double fi = f.Value([xi]);
            f.Gradient([xi], grad);
            LowRankNetwork.RequireFinite($"tangent.f(x = {xi:G6})", fi);
            LowRankNetwork.RequireFinite($"tangent.f'(x = {xi:G6})", grad[0]);
            double yi = -fi;
            ff[i] = [grad[0]];
            thresholds[i] = (grad[0] * xi) + yi;
            dec[i] = decoders.Count == 1 ? decoders[0] : decoders[i];
            points[i] = new TangentPoint([xi], yi);
            xs[i] = xi;
            ys[i] = fi;
            slopes[i] = grad[0];
        }

        CheckConvex(f, xs, ys, slopes);
        var encoders = new Dictionary<string, double[]>(StringComparer.Ordinal)
        {
            [Population.LatentNameOf(name)] = Enumerable.Repeat(1.0, size).ToArray(),
        };
        var population = new Population(name, kind, ff, thresholds, dec, encoders, softRefractory, noiseSigma);
        return new ConstructedPopulation(population, points);
    }

    /// <summary>
    /// Builds a population tangent to y = −f(x) for an M-dimensional input (App. C, Fig. 2e): one neuron per point of
    /// the Cartesian grid with <paramref name="pointsPerDimension"/>[d] evenly spaced values over
    /// <paramref name="ranges"/>[d] (both ends included; one point sits at the middle). Neuron i gets E_i = 1,
    /// F_i = ∇f(x_i) and T_i = F_i·x_i − f(x_i). Neurons are ordered with the first dimension varying slowest.
    /// </summary>
    /// <param name="name">Population name.</param>
    /// <param name="kind">Dale's-law class.</param>
    /// <param name="f">A convex function of the M-dimensional input.</param>
    /// <param name="pointsPerDimension">Tangent points per input dimension (M entries, each ≥ 1); N is their product.</param>
    /// <param name="ranges">The interval [Lo, Hi] of each input dimension (Hi &gt; Lo where that dimension has more than one point).</param>
    /// <param name="decoders">One decoder for all neurons, or one per neuron.</param>
    /// <param name="softRefractory">Soft refractory cost μ.</param>
    /// <param name="noiseSigma">Current-noise std σ.</param>
    /// <exception cref="ModelValidationException">
    /// When a parameter is invalid, f is not finite at a grid point, or f is not convex on the grid: some tangent plane
    /// passes above f at a neighbouring grid point (along a grid line or across a grid cell's face diagonal).
    /// </exception>
    public static ConstructedPopulation BuildGrid(
        string name,
        PopulationKind kind,
        IBoundaryFunction f,
        IReadOnlyList<int> pointsPerDimension,
        IReadOnlyList<(double Lo, double Hi)> ranges,
        IReadOnlyList<double> decoders,
        double softRefractory = 0.0,
        double noiseSigma = 0.0)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(pointsPerDimension);
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(decoders);
        int m = f.Dimension;
        if (pointsPerDimension.Count != m)
        {
            throw new ModelValidationException("tangent.points", $"give one number of points per input dimension: f has {m} input(s), got {pointsPerDimension.Count}");
        }

        if (ranges.Count != m)
        {
            throw new ModelValidationException("tangent.range", $"give one interval [a, b] per input dimension: f has {m} input(s), got {ranges.Count}");
        }

        long size = 1;
        for (int d = 0; d < m; d++)
        {
            if (pointsPerDimension[d] < 1)
            {
                throw new ModelValidationException($"tangent.points[{d}]", $"must be ≥ 1 (got {pointsPerDimension[d]})");
            }

            size *= pointsPerDimension[d];
            if (size > MaxGridNeurons)
            {
                throw new ModelValidationException("tangent.points", $"the grid has more than {MaxGridNeurons} points; this tool's limit per population is 5·10⁷");
            }

            LowRankNetwork.RequireFinite($"tangent.range[{d}][0]", ranges[d].Lo);
            LowRankNetwork.RequireFinite($"tangent.range[{d}][1]", ranges[d].Hi);
            if (pointsPerDimension[d] > 1 && !(ranges[d].Hi > ranges[d].Lo))
            {
                throw new ModelValidationException($"tangent.range[{d}]", $"must be an increasing interval [a, b] (got [{ranges[d].Lo}, {ranges[d].Hi}])");
            }
        }

        int n = (int)size;
        if (decoders.Count != 1 && decoders.Count != n)
        {
            throw new ModelValidationException("decoders", $"give one decoder or {n} (got {decoders.Count})");
        }

        var ff = new double[n][];
        var thresholds = new double[n];
        var dec = new double[n];
        var points = new TangentPoint[n];
        var values = new double[n];
        var index = new int[m];
        for (int i = 0; i < n; i++)
        {
            var xi = new double[m];
            for (int d = 0; d < m; d++)
            {
                xi[d] = GridCoordinate(ranges[d], pointsPerDimension[d], index[d]);
            }

            var grad = new double[m];
            double fi = f.Value(xi);
            f.Gradient(xi, grad);
            string at = FormatPoint(xi);
            LowRankNetwork.RequireFinite($"tangent.f(x = {at})", fi);
            double t = -fi;
            for (int d = 0; d < m; d++)
            {
                LowRankNetwork.RequireFinite($"tangent.f gradient (x = {at})", grad[d]);
                t += grad[d] * xi[d];
            }

            ff[i] = grad;
            thresholds[i] = t;
            values[i] = fi;
            dec[i] = decoders.Count == 1 ? decoders[0] : decoders[i];
            points[i] = new TangentPoint(xi, -fi);

            // Odometer over the grid, last dimension fastest.
            for (int d = m - 1; d >= 0 && ++index[d] == pointsPerDimension[d]; d--)
            {
                index[d] = 0;
            }
        }

        CheckConvexOnGrid(f, pointsPerDimension, points, values, ff);
        var encoders = new Dictionary<string, double[]>(StringComparer.Ordinal)
        {
            [Population.LatentNameOf(name)] = Enumerable.Repeat(1.0, n).ToArray(),
        };
        var population = new Population(name, kind, ff, thresholds, dec, encoders, softRefractory, noiseSigma);
        return new ConstructedPopulation(population, points);
    }

    /// <summary>The largest grid a single population may be built on (the spec reader's per-population limit).</summary>
    private const long MaxGridNeurons = 50_000_000;

    /// <summary>Coordinate k of <paramref name="count"/> evenly spaced points over the range; a single point sits at the middle.</summary>
    internal static double GridCoordinate((double Lo, double Hi) range, int count, int k) =>
        count == 1 ? 0.5 * (range.Lo + range.Hi) : range.Lo + ((range.Hi - range.Lo) * k / (count - 1));

    /// <summary>
    /// Convexity on the grid: for every pair of neighbouring grid points p, q (one step along a grid line, or one
    /// step in each of two dimensions across a cell face) the tangent plane at p must stay below f at q, and vice
    /// versa. Along each grid line this is the 1-D check of <see cref="Build1D"/>; the face diagonals catch saddles
    /// that are convex along every axis (e.g. x1·x2). O(N·M²).
    /// </summary>
    private static void CheckConvexOnGrid(IBoundaryFunction f, IReadOnlyList<int> counts, TangentPoint[] points, double[] values, double[][] gradients)
    {
        int m = counts.Count;
        var stride = new int[m];
        stride[m - 1] = 1;
        for (int d = m - 2; d >= 0; d--)
        {
            stride[d] = stride[d + 1] * counts[d + 1];
        }

        var index = new int[m];
        for (int i = 0; i < points.Length; i++)
        {
            for (int d = 0; d < m; d++)
            {
                for (int e = d; e < m; e++)
                {
                    // e == d: the next point along dimension d; e > d: the two diagonal neighbours in the (d, e) face.
                    if (index[d] + 1 >= counts[d])
                    {
                        continue;
                    }

                    if (e == d)
                    {
                        CheckPair(f, points, values, gradients, i, i + stride[d]);
                        continue;
                    }

                    if (index[e] + 1 < counts[e])
                    {
                        CheckPair(f, points, values, gradients, i, i + stride[d] + stride[e]);
                    }

                    if (index[e] > 0)
                    {
                        CheckPair(f, points, values, gradients, i, i + stride[d] - stride[e]);
                    }
                }
            }

            for (int d = m - 1; d >= 0 && ++index[d] == counts[d]; d--)
            {
                index[d] = 0;
            }
        }
    }

    private static void CheckPair(IBoundaryFunction f, TangentPoint[] points, double[] values, double[][] gradients, int p, int q)
    {
        CheckTangentBelow(f, points, values, gradients, p, q);
        CheckTangentBelow(f, points, values, gradients, q, p);
    }

    /// <summary>The tangent plane at point <paramref name="from"/> must not pass above f at point <paramref name="to"/>.</summary>
    private static void CheckTangentBelow(IBoundaryFunction f, TangentPoint[] points, double[] values, double[][] gradients, int from, int to)
    {
        double plane = values[from];
        double scale = 1 + Math.Abs(values[from]) + Math.Abs(values[to]);
        for (int d = 0; d < gradients[from].Length; d++)
        {
            double step = gradients[from][d] * (points[to].X[d] - points[from].X[d]);
            plane += step;
            scale += Math.Abs(step);
        }

        if (plane > values[to] + (1e-9 * scale))
        {
            throw new ModelValidationException(
                "tangent.f",
                $"'{f.Describe()}' is not convex on the tangent grid: the tangent plane at x = {FormatPoint(points[from].X)} passes above f at x = {FormatPoint(points[to].X)}; " +
                "a rank-1 population only forms convex boundaries y = −f(x) (seed 002 §2.3)");
        }
    }

    private static string FormatPoint(IReadOnlyList<double> x) =>
        x.Count == 1
            ? x[0].ToString("G6", System.Globalization.CultureInfo.InvariantCulture)
            : "(" + string.Join(", ", x.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture))) + ")";

    /// <summary>
    /// A rank-1 population can only realise a convex f: every tangent must stay below f at the other tangent points,
    /// otherwise that neuron's threshold would cut into the boundary and other neurons would never fire. For sorted
    /// points it suffices to check neighbours: f'(x_i) ≤ chord(i, i+1) ≤ f'(x_{i+1}) makes the chord slopes
    /// non-decreasing, and every longer chord slope is an average of them. O(N), so large populations build fast.
    /// </summary>
    private static void CheckConvex(IBoundaryFunction f, double[] xs, double[] fs, double[] slopes)
    {
        for (int i = 0; i + 1 < xs.Length; i++)
        {
            double chord = (fs[i + 1] - fs[i]) / (xs[i + 1] - xs[i]);
            double tol = 1e-9 * (1 + Math.Abs(chord) + Math.Abs(slopes[i]) + Math.Abs(slopes[i + 1]));
            if (slopes[i] > chord + tol || slopes[i + 1] < chord - tol)
            {
                int from = slopes[i] > chord + tol ? i : i + 1;
                int to = from == i ? i + 1 : i;
                throw new ModelValidationException(
                    "tangent.f",
                    $"'{f.Describe()}' is not convex on the tangent range: the tangent at x = {xs[from]:G6} passes above f at x = {xs[to]:G6}; " +
                    "a rank-1 population only forms convex boundaries y = −f(x) (seed 002 §2.3)");
            }
        }
    }
}
