using System.Globalization;
using LatentSpikes.Model;

namespace LatentSpikes.Construction;

/// <summary>
/// A continuous piecewise-linear function of one input through knots (x_k, y_k), x strictly increasing, extended
/// beyond the first and last knot by its end pieces. Its gradient is the slope of the piece, the right slope at a
/// knot (so the tangent at a knot of a convex f is the piece that starts there, and a population built on the knots
/// realises f exactly, App. E).
/// </summary>
public sealed class PiecewiseLinearFunction : IBoundaryFunction
{
    private readonly double[] _x;
    private readonly double[] _y;
    private readonly double[] _slope;

    /// <summary>Creates the function from its knots.</summary>
    /// <exception cref="ModelValidationException">
    /// Field <c>knots</c>: fewer than two knots; <c>knots[k]</c>: a non-finite value or an x that does not increase.
    /// </exception>
    public PiecewiseLinearFunction(IReadOnlyList<(double X, double Y)> knots)
    {
        ArgumentNullException.ThrowIfNull(knots);
        if (knots.Count < 2)
        {
            throw new ModelValidationException("knots", $"need at least two knots [x, y] (got {knots.Count})");
        }

        _x = new double[knots.Count];
        _y = new double[knots.Count];
        for (int k = 0; k < knots.Count; k++)
        {
            LowRankNetwork.RequireFinite($"knots[{k}][0]", knots[k].X);
            LowRankNetwork.RequireFinite($"knots[{k}][1]", knots[k].Y);
            if (k > 0 && !(knots[k].X > knots[k - 1].X))
            {
                throw new ModelValidationException($"knots[{k}]", $"knot x must increase strictly ({Format(knots[k].X)} after {Format(knots[k - 1].X)})");
            }

            _x[k] = knots[k].X;
            _y[k] = knots[k].Y;
        }

        _slope = new double[_x.Length - 1];
        for (int k = 0; k < _slope.Length; k++)
        {
            _slope[k] = (_y[k + 1] - _y[k]) / (_x[k + 1] - _x[k]);
            LowRankNetwork.RequireFinite($"knots[{k + 1}]", _slope[k]);
        }

        Knots = Enumerable.Range(0, _x.Length).Select(k => (_x[k], _y[k])).ToArray();
    }

    /// <summary>The knots (x_k, y_k), x increasing.</summary>
    public IReadOnlyList<(double X, double Y)> Knots { get; }

    /// <summary>Slopes of the pieces: <c>Slopes[k]</c> between knots k and k + 1.</summary>
    public IReadOnlyList<double> Slopes => _slope;

    /// <inheritdoc />
    public int Dimension => 1;

    /// <inheritdoc />
    public double Value(ReadOnlySpan<double> x)
    {
        int k = Piece(x[0]);
        return _y[k] + (_slope[k] * (x[0] - _x[k]));
    }

    /// <inheritdoc />
    public void Gradient(ReadOnlySpan<double> x, Span<double> gradient) => gradient[0] = _slope[Piece(x[0])];

    /// <summary>True when the slopes never decrease, i.e. f is convex and a rank-1 population can realise −f.</summary>
    public bool IsConvex()
    {
        for (int k = 1; k < _slope.Length; k++)
        {
            if (_slope[k] < _slope[k - 1])
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public string Describe() =>
        "knots " + string.Join(", ", Knots.Select(k => $"[{Format(k.X)}, {Format(k.Y)}]"));

    /// <inheritdoc />
    public override string ToString() => Describe();

    /// <summary>
    /// The piece that holds x: k with x_k ≤ x &lt; x_{k+1}, so a knot belongs to the piece on its right; the end pieces
    /// extend to ±∞.
    /// </summary>
    private int Piece(double x)
    {
        int at = Array.BinarySearch(_x, x);
        int k = at >= 0 ? at : ~at - 1;
        return Math.Clamp(k, 0, _slope.Length - 1);
    }

    private static string Format(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
