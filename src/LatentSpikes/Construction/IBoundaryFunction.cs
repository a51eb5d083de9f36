namespace LatentSpikes.Construction;

/// <summary>
/// A function f of the M-dimensional input whose graph, negated, is a population boundary y = −f(x)
/// (seed 002, eq. 2.17). Convex f gives a boundary that a rank-1 population can realise exactly at tangent points.
/// </summary>
public interface IBoundaryFunction
{
    /// <summary>Input dimension M.</summary>
    int Dimension { get; }

    /// <summary>f(x).</summary>
    double Value(ReadOnlySpan<double> x);

    /// <summary>Writes ∇f(x) into <paramref name="gradient"/> (length M).</summary>
    void Gradient(ReadOnlySpan<double> x, Span<double> gradient);

    /// <summary>A human-readable formula, e.g. <c>0.5 + x^2</c>.</summary>
    string Describe();
}

/// <summary>A polynomial of one input, f(x) = Σ_k c_k·x^k, with its exact derivative.</summary>
public sealed class PolynomialFunction : IBoundaryFunction
{
    private readonly double[] _c;

    /// <summary>Creates f(x) = Σ_k coefficients[k]·x^k (ascending powers).</summary>
    public PolynomialFunction(IReadOnlyList<double> coefficients)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        if (coefficients.Count == 0)
        {
            throw new ArgumentException("a polynomial needs at least one coefficient", nameof(coefficients));
        }

        _c = coefficients.ToArray();
    }

    /// <summary>Coefficients in ascending powers.</summary>
    public IReadOnlyList<double> Coefficients => _c;

    /// <inheritdoc />
    public int Dimension => 1;

    /// <inheritdoc />
    public double Value(ReadOnlySpan<double> x)
    {
        double v = 0;
        for (int k = _c.Length - 1; k >= 0; k--)
        {
            v = (v * x[0]) + _c[k];
        }

        return v;
    }

    /// <inheritdoc />
    public void Gradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        double d = 0;
        for (int k = _c.Length - 1; k >= 1; k--)
        {
            d = (d * x[0]) + (k * _c[k]);
        }

        gradient[0] = d;
    }

    /// <inheritdoc />
    public string Describe()
    {
        var terms = new List<string>();
        for (int k = 0; k < _c.Length; k++)
        {
            if (_c[k] == 0)
            {
                continue;
            }

            string c = _c[k].ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
            terms.Add(k switch { 0 => c, 1 => $"{c}*x", _ => $"{c}*x^{k}" });
        }

        return terms.Count == 0 ? "0" : string.Join(" + ", terms);
    }
}

/// <summary>A one-input function given by C# delegates for the value and its derivative.</summary>
/// <param name="f">f(x).</param>
/// <param name="derivative">f′(x).</param>
/// <param name="description">Text shown in outputs.</param>
public sealed class DelegateFunction(Func<double, double> f, Func<double, double> derivative, string description = "f(x)") : IBoundaryFunction
{
    /// <inheritdoc />
    public int Dimension => 1;

    /// <inheritdoc />
    public double Value(ReadOnlySpan<double> x) => f(x[0]);

    /// <inheritdoc />
    public void Gradient(ReadOnlySpan<double> x, Span<double> gradient) => gradient[0] = derivative(x[0]);

    /// <inheritdoc />
    public string Describe() => description;
}
