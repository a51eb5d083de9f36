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
