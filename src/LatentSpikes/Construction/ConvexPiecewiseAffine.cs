namespace LatentSpikes.Construction;

/// <summary>One affine piece a·x + b of a convex piecewise-affine function.</summary>
/// <param name="Slope">Gradient a (length M).</param>
/// <param name="Intercept">Offset b.</param>
public sealed record AffinePiece(IReadOnlyList<double> Slope, double Intercept)
{
    /// <summary>a·x + b.</summary>
    public double Value(ReadOnlySpan<double> x)
    {
        double v = Intercept;
        for (int d = 0; d < Slope.Count; d++)
        {
            v += Slope[d] * x[d];
        }

        return v;
    }
}

/// <summary>
/// A convex piecewise-affine function g(x) = max_k (a_k·x + b_k). Each piece becomes one neuron's threshold plane
/// in the E-I construction (§2.6-2.7), so this is the exact form a spiking population can realise.
/// </summary>
public sealed class ConvexPiecewiseAffine
{
    /// <summary>Creates the function from its pieces.</summary>
    public ConvexPiecewiseAffine(IReadOnlyList<AffinePiece> pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        if (pieces.Count == 0)
        {
            throw new ArgumentException("a piecewise-affine function needs at least one piece", nameof(pieces));
        }

        Pieces = pieces.ToArray();
        Dimension = Pieces[0].Slope.Count;
    }

    /// <summary>The pieces, one per neuron.</summary>
    public IReadOnlyList<AffinePiece> Pieces { get; }

    /// <summary>Input dimension M.</summary>
    public int Dimension { get; }

    /// <summary>max_k (a_k·x + b_k).</summary>
    public double Value(ReadOnlySpan<double> x) => Pieces[ActivePiece(x)].Value(x);

    /// <summary>Index of the piece attaining the maximum at x (the lowest index on ties).</summary>
    public int ActivePiece(ReadOnlySpan<double> x)
    {
        int best = 0;
        double value = double.NegativeInfinity;
        for (int k = 0; k < Pieces.Count; k++)
        {
            double v = Pieces[k].Value(x);
            if (v > value)
            {
                value = v;
                best = k;
            }
        }

        return best;
    }

    /// <summary>Tangent planes of a differentiable convex function at the given points.</summary>
    public static ConvexPiecewiseAffine FromTangents(Func<double[], double> f, Func<double[], double[]> gradient, IReadOnlyList<double[]> points)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(gradient);
        ArgumentNullException.ThrowIfNull(points);
        var pieces = new List<AffinePiece>(points.Count);
        foreach (var x in points)
        {
            double[] g = gradient(x);
            double b = f(x);
            for (int d = 0; d < x.Length; d++)
            {
                b -= g[d] * x[d];
            }

            pieces.Add(new AffinePiece(g, b));
        }

        return new ConvexPiecewiseAffine(pieces);
    }
}
