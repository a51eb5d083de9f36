using LatentSpikes.Construction.Expressions;

namespace LatentSpikes.Tests.Construction;

/// <summary>The boundary-function expression language: parsing, printing, exact derivatives and error messages.</summary>
public sealed class ExpressionFunctionTests
{
    /// <summary>Expressions with a reference implementation and points where they are smooth.</summary>
    public static TheoryData<string, int> Smooth() => new()
    {
        { "x^2 + 0.5", 1 },
        { "0.5 + x^2", 1 },
        { "-x^2 + 3*x - 1", 1 },
        { "x^3 - 2*x", 1 },
        { "2^x", 1 },
        { "x^-1 + x^-2", 1 },
        { "(x + 2)^0.5", 1 },
        { "sqrt(x^2 + 1)", 1 },
        { "exp(-x)*sin(pi*x)", 1 },
        { "log(1 + exp(x))", 1 },
        { "tanh(3*x)/(1 + x^2)", 1 },
        { "cos(x)^2 + sin(x)^2", 1 },
        { "abs(x - 5)", 1 },
        { "max(x, 2*x + 10) + min(x^2, 100)", 1 },
        { "relu(x + 7)", 1 },
        { "x^x", 1 },
        { "x1^2 + x2^2 + 0.5", 2 },
        { "0.5*x1^2 + 0.5*x2^2 + 0.1*x1*x2 - 0.5*x1 + 0.5*x2 + 5", 2 },
        { "exp(x1 - x2) + x1*x2^3", 2 },
        { "sqrt(1 + x1^2 + x2^2 + x3^2)/x3", 3 },
        { "log(x1^2 + 1)*cos(x2) - x3/(x1 + 4)", 3 },
        { "1e-3*x1 + 2.5E+1*x2^2", 2 },
    };

    [Theory]
    [MemberData(nameof(Smooth))]
    public void The_gradient_is_exact_against_central_differences(string text, int dimension)
    {
        var f = ExpressionFunction.Parse(text);
        Assert.Equal(dimension, f.Dimension);
        var grad = new double[dimension];
        foreach (double[] x in Points(dimension))
        {
            f.Gradient(x, grad);
            for (int d = 0; d < dimension; d++)
            {
                double h = 1e-5 * Math.Max(1, Math.Abs(x[d]));
                double[] plus = (double[])x.Clone(), minus = (double[])x.Clone();
                plus[d] += h;
                minus[d] -= h;
                double fd = (f.Value(plus) - f.Value(minus)) / (2 * h);
                Assert.True(
                    Math.Abs(grad[d] - fd) <= 1e-6 * (1 + Math.Abs(fd)),
                    $"{text}: ∂/∂x{d + 1} at ({string.Join(", ", x)}) is {grad[d]}, central difference {fd}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Smooth))]
    public void Second_derivatives_match_differences_of_the_first(string text, int dimension)
    {
        var f = ExpressionFunction.Parse(text);
        var row = new double[dimension];
        foreach (double[] x in Points(dimension))
        {
            for (int i = 0; i < dimension; i++)
            {
                var di = f.Derivative(i);
                di.Gradient(x, row);
                for (int j = 0; j < dimension; j++)
                {
                    double h = 1e-5 * Math.Max(1, Math.Abs(x[j]));
                    double[] plus = (double[])x.Clone(), minus = (double[])x.Clone();
                    plus[j] += h;
                    minus[j] -= h;
                    double fd = (di.Value(plus) - di.Value(minus)) / (2 * h);
                    Assert.True(
                        Math.Abs(row[j] - fd) <= 1e-5 * (1 + Math.Abs(fd)),
                        $"{text}: ∂²/∂x{i + 1}∂x{j + 1} at ({string.Join(", ", x)}) is {row[j]}, difference {fd} (∂/∂x{i + 1} = {di.Text})");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Smooth))]
    public void The_canonical_formula_parses_back_to_the_same_function(string text, int dimension)
    {
        var f = ExpressionFunction.Parse(text);
        var again = ExpressionFunction.Parse(f.Formula, dimension);
        Assert.Equal(f.Formula, again.Formula);
        var d = f.Derivative(0);
        var dAgain = ExpressionFunction.Parse(d.Text, dimension);
        foreach (double[] x in Points(dimension))
        {
            Assert.Equal(f.Value(x), again.Value(x), 12);
            Assert.Equal(d.Value(x), dAgain.Value(x), 9);
        }
    }

    [Theory]
    [InlineData("x^2 + 0.5", 2.0, 4.5)]
    [InlineData("-x^2", 3.0, -9.0)]
    [InlineData("2^3^2", 0.0, 512.0)]
    [InlineData("(2^3)^2", 0.0, 64.0)]
    [InlineData("-2^2", 0.0, -4.0)]
    [InlineData("x^-1", 4.0, 0.25)]
    [InlineData("2*-x", 3.0, -6.0)]
    [InlineData("8/4/2", 0.0, 1.0)]
    [InlineData("1 - 2 - 3", 0.0, -4.0)]
    [InlineData("2 + 3*4^2", 0.0, 50.0)]
    [InlineData(".5 + 1e-3 + 2.", 0.0, 2.501)]
    [InlineData("  x1 *  x1\t", 3.0, 9.0)]
    [InlineData("pi", 0.0, Math.PI)]
    [InlineData("max(x, -x) - abs(x)", -2.5, 0.0)]
    [InlineData("relu(x) + relu(-x)", -1.5, 1.5)]
    [InlineData("min(1, x)", 3.0, 1.0)]
    [InlineData("sign(x)", -0.1, -1.0)]
    public void Precedence_and_associativity_follow_the_usual_rules(string text, double x, double expected)
    {
        Assert.Equal(expected, ExpressionFunction.Parse(text).Value([x]), 12);
    }

    [Fact]
    public void Describe_returns_the_text_as_written_and_the_dimension_is_inferred()
    {
        var f = ExpressionFunction.Parse("x^2+0.5");
        Assert.Equal("x^2+0.5", f.Describe());
        Assert.Equal("x^2 + 0.5", f.Formula);
        Assert.Equal(1, f.Dimension);
        Assert.Equal(3, ExpressionFunction.Parse("x3 + 1").Dimension);
        Assert.Equal(4, ExpressionFunction.Parse("x1 + x2", dimension: 4).Dimension);
        Assert.Equal(1, ExpressionFunction.Parse("5").Dimension);

        // x and x1 are the same variable in one dimension.
        Assert.Equal(ExpressionFunction.Parse("x1^2").Value([3]), ExpressionFunction.Parse("x^2").Value([3]));
    }

    [Fact]
    public void Derivatives_are_functions_with_readable_formulas()
    {
        var f = ExpressionFunction.Parse("x^2 + 0.5");
        Assert.Equal("2*x", f.Derivative(0).Describe());
        Assert.Equal("2", f.Derivative(0).Derivative(0).Describe());

        var g = ExpressionFunction.Parse("x1^2 + 3*x1*x2");
        Assert.Equal("2*x1 + 3*x2", g.Derivative(0).Text);
        Assert.Equal("3*x1", g.Derivative(1).Text);
        Assert.Equal(3.0, g.Derivative(0).Derivative(1).Value([1.7, -4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.Derivative(2));
    }

    [Theory]
    [InlineData("abs(x)", 0.0, 0.0)]
    [InlineData("abs(x)", 2.0, 1.0)]
    [InlineData("abs(x)", -2.0, -1.0)]
    [InlineData("max(x, 0)", 0.0, 0.5)]
    [InlineData("max(x, 1 - x)", 0.5, 0.0)]
    [InlineData("max(x, 1 - x)", 0.7, 1.0)]
    [InlineData("min(x, 1 - x)", 0.7, -1.0)]
    [InlineData("relu(x)", 0.0, 0.5)]
    [InlineData("relu(x)", 1.0, 1.0)]
    [InlineData("relu(x)", -1.0, 0.0)]
    public void Kinks_take_the_active_branch_and_the_average_at_a_tie(string text, double x, double slope)
    {
        var grad = new double[1];
        ExpressionFunction.Parse(text).Gradient([x], grad);
        Assert.Equal(slope, grad[0], 12);
    }

    [Theory]
    [InlineData("x^^2", null, 3, "unexpected '^'")]
    [InlineData("x +", null, 4, "unexpected end of expression")]
    [InlineData("(x + 1", null, 7, "unexpected end of expression; expected ')'")]
    [InlineData("2x", null, 2, "unexpected 'x'")]
    [InlineData("x**2", null, 3, "unexpected '*'")]
    [InlineData("max(x,)", null, 7, "unexpected ')'")]
    [InlineData("x^2 + foo(x)", null, 7, "unknown function 'foo' (known: abs, cos, exp, log, max, min, relu, sign, sin, sqrt, tanh)")]
    [InlineData("y + 1", null, 1, "unknown name 'y'")]
    [InlineData("x + sqrt", null, 5, "'sqrt' is a function: write sqrt(...)")]
    [InlineData("min(x)", null, 1, "min takes 2 arguments (got 1)")]
    [InlineData("exp(x, 1)", null, 1, "exp takes 1 argument (got 2)")]
    [InlineData("x1 + x3", 2, 6, "variable 'x3' is beyond the input dimension 2")]
    [InlineData("x0 + 1", null, 1, "variables are numbered from 1")]
    [InlineData("x2 + x", null, 6, "'x' stands for the input of a one-dimensional function")]
    [InlineData("x^2", 2, 1, "'x' stands for the input of a one-dimensional function")]
    [InlineData("1e999*x", null, 1, "number 1e999 is out of range")]
    [InlineData("   ", null, 1, "the expression is empty")]
    public void A_bad_expression_is_one_line_naming_the_column(string text, int? dimension, int column, string reason)
    {
        var e = Assert.Throws<ExpressionException>(() => ExpressionFunction.Parse(text, dimension));
        Assert.Equal(column, e.Column);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"expression '{text}': column {column}: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_column_counts_characters_of_the_original_text_across_line_breaks()
    {
        var e = Assert.Throws<ExpressionException>(() => ExpressionFunction.Parse("x^2 +\n  foo(x)"));
        Assert.Equal(9, e.Column);
        Assert.Equal("expression 'x^2 +   foo(x)': column 9: unknown function 'foo' (known: abs, cos, exp, log, max, min, relu, sign, sin, sqrt, tanh)", e.Message);
    }

    private static IEnumerable<double[]> Points(int dimension)
    {
        // Points away from the kinks (x = 5, -7, x = 2x + 10 at -10, x² = 100) and inside every domain (x > 0 for x^x,
        // x3 ≠ 0, x1 ≠ -4).
        double[] values = [0.3, 1.1, 2.7];
        foreach (double a in values)
        {
            foreach (double b in values)
            {
                yield return dimension switch
                {
                    1 => [a],
                    2 => [a, -b],
                    _ => [a, -b, 0.5 + (b * a)],
                };

                if (dimension == 1)
                {
                    break;
                }
            }
        }
    }
}
