namespace LatentSpikes.Construction.Expressions;

/// <summary>
/// A boundary function written as a formula, e.g. <c>x^2 + 0.5</c> or <c>0.5*x1^2 + 0.5*x2^2 + 0.1*x1*x2 + 5</c>,
/// with exact symbolic derivatives. The language: numbers in invariant form (0.5, 1e-3); the variable <c>x</c> of a
/// one-dimensional input or <c>x1</c>..<c>xM</c>; <c>+ - * / ^</c> (power binds tightest and associates to the
/// right, so <c>-x^2</c> is −(x²) and <c>2^3^2</c> is 2⁹); unary minus; parentheses; the functions abs, sqrt, exp,
/// log, sin, cos, tanh, relu, sign, min(a, b), max(a, b); and the constant <c>pi</c>.
/// </summary>
/// <remarks>
/// Gradients come from derivative trees built once per variable, so they are exact up to rounding. At kinks the
/// derivative takes the active branch; where two branches tie it takes their average, a valid subgradient for
/// convex functions (abs′(u) = sign(u)·u′, so 0 at u = 0; relu′(0) = u′/2).
/// </remarks>
public sealed class ExpressionFunction : IBoundaryFunction
{
    private readonly Expr _expression;
    private readonly Lazy<ExpressionFunction>[] _derivatives;
    private bool[]? _used;

    private readonly Lazy<string> _text;

    private ExpressionFunction(Expr expression, int dimension, Lazy<string> text)
    {
        _expression = expression;
        Dimension = dimension;
        _text = text;
        _derivatives = new Lazy<ExpressionFunction>[dimension];
        for (int i = 0; i < dimension; i++)
        {
            int d = i;
            _derivatives[i] = new Lazy<ExpressionFunction>(() =>
            {
                Expr derivative = _expression.Derive(d);
                // Printed only when asked for: a derivative's text can be much longer than the formula's.
                return new ExpressionFunction(derivative, Dimension, new Lazy<string>(() => derivative.ToText(scalar: Dimension == 1)));
            });
        }
    }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <summary>The formula as written (for a derivative: the derivative's formula, in the same language).</summary>
    public string Text => _text.Value;

    /// <summary>
    /// The formula as the parser understood it, fully determined and parseable: explicit precedence, numbers in
    /// round-trip form, variables as x (M = 1) or x1..xM. Parsing it again gives the same function.
    /// </summary>
    public string Formula => _expression.ToText(scalar: Dimension == 1);

    /// <summary>Parses a formula.</summary>
    /// <param name="text">The formula.</param>
    /// <param name="dimension">Input dimension M; when null it is the highest variable index used (at least 1).</param>
    /// <exception cref="ExpressionException">
    /// For a syntax error, an unknown function or name, a wrong number of arguments, a variable beyond
    /// <paramref name="dimension"/>, or <c>x</c> in a function of more than one input. The message is one line and
    /// names the column.
    /// </exception>
    public static ExpressionFunction Parse(string text, int? dimension = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (dimension is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "the input dimension must be at least 1");
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ExpressionException(text, 1, "the expression is empty");
        }

        RequireWithinLimit(text);

        // Tabs and line breaks (from a YAML block scalar) are spaces to the grammar; one character each keeps the columns.
        string normalised = text.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
        Syntax syntax;
        try
        {
            syntax = ExpressionGrammar.Parse(normalised);
        }
        catch (ExpressionException e)
        {
            throw new ExpressionException(text, e.Column, e.Reason);
        }

        var (expression, dim) = ExpressionResolver.Resolve(text, syntax, dimension);
        return new ExpressionFunction(expression, dim, new Lazy<string>(text));
    }

    /// <summary>Parses a formula whose variables are named, e.g. <c>2 - sin(2*g)</c> with the variable list [g].</summary>
    /// <param name="text">The formula.</param>
    /// <param name="variables">The variable names in input order; the function's dimension is their number.</param>
    /// <exception cref="ExpressionException">For a syntax error or a name that is neither a variable, pi nor a function.</exception>
    public static ExpressionFunction ParseNamed(string text, IReadOnlyList<string> variables)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(variables);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ExpressionException(text, 1, "the expression is empty");
        }

        RequireWithinLimit(text);
        string normalised = text.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
        Syntax syntax;
        try
        {
            syntax = ExpressionGrammar.Parse(normalised);
        }
        catch (ExpressionException e)
        {
            throw new ExpressionException(text, e.Column, e.Reason);
        }

        var (expression, used) = ExpressionResolver.ResolveNamed(text, syntax, variables);
        return new ExpressionFunction(expression, Math.Max(1, variables.Count), new Lazy<string>(text)) { _used = used };
    }

    // Checked before anything reads the text (the message shows only its start).
    private static void RequireWithinLimit(string text)
    {
        if (text.Length > Specs.InputLimits.MaxExpressionLength)
        {
            throw new ExpressionException(text, Specs.InputLimits.MaxExpressionLength + 1,
                $"the expression is {text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)} characters long, beyond this tool's limit of {Specs.InputLimits.MaxExpressionLength.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }
    }

    /// <summary>
    /// Whether the formula mentions variable <paramref name="i"/> (0-based); known only for <see cref="ParseNamed"/>,
    /// otherwise every variable counts as used.
    /// </summary>
    public bool Uses(int i) => _used is null || (i >= 0 && i < _used.Length && _used[i]);

    /// <inheritdoc />
    public double Value(ReadOnlySpan<double> x)
    {
        RequireLength(x);
        return _expression.Eval(x);
    }

    /// <inheritdoc />
    public void Gradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        RequireLength(x);
        if (gradient.Length < Dimension)
        {
            throw new ArgumentException($"the gradient needs room for {Dimension} entries (got {gradient.Length})", nameof(gradient));
        }

        for (int i = 0; i < Dimension; i++)
        {
            gradient[i] = _derivatives[i].Value._expression.Eval(x);
        }
    }

    /// <summary>∂f/∂x_{i+1} as a function of its own (0-based <paramref name="i"/>: 0 is x1, or x for M = 1).</summary>
    /// <remarks>Derivatives of derivatives give the Hessian: <c>f.Derivative(0).Derivative(1)</c> is ∂²f/∂x1∂x2.</remarks>
    public ExpressionFunction Derivative(int i)
    {
        if (i < 0 || i >= Dimension)
        {
            throw new ArgumentOutOfRangeException(nameof(i), i, $"the function has {Dimension} input(s); i is 0-based");
        }

        return _derivatives[i].Value;
    }

    /// <summary>The formula as written.</summary>
    public string Describe() => Text;

    /// <inheritdoc />
    public override string ToString() => Text;

    private void RequireLength(ReadOnlySpan<double> x)
    {
        if (x.Length < Dimension)
        {
            throw new ArgumentException($"the function takes {Dimension} input(s) (got {x.Length})", nameof(x));
        }
    }
}
