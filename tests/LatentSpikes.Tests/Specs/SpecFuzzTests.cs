using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Model;
using LatentSpikes.Specs;

namespace LatentSpikes.Tests.Specs;

/// <summary>
/// Property-based fuzzing with FsCheck: mutated example specs must load or fail with the project's one-line error
/// types, and random formulas must parse, evaluate and differentiate or fail with an <see cref="ExpressionException"/>.
/// Any other exception is what the command line would print as a stack trace. Case counts are bounded so the
/// properties run in seconds.
/// </summary>
public sealed class SpecFuzzTests
{
    private static readonly string[] HostileScalars =
    [
        ".nan", "NaN", "-.inf", ".inf", "1e308", "-1e308", "1e-320", "99999999999999999999", "2147483647", "-2147483648",
        "-1", "0", "-0", "\"\"", "~", "[]", "{}", "[[[[[[[[[[]]]]]]]]]]", "\"ünïcødé ✓ \\u0000\"", "'x'", "true", "[1, [2, {a: 3}]]",
        "*nowhere", "&a [*a]", "\"0/0\"", "!!binary aGk=", "[" + string.Concat(Enumerable.Repeat("[", 80)) + string.Concat(Enumerable.Repeat("]", 81)),
    ];

    private static readonly string[] Examples =
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.yaml").Order(StringComparer.Ordinal).ToArray();

    /// <summary>One edit of a spec's lines.</summary>
    private sealed record Mutation(int Kind, int Line, int Other, string Value)
    {
        public string Apply(string text)
        {
            var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
            int a = Line % lines.Count;
            int b = Other % lines.Count;
            switch (Kind)
            {
                case 0:
                    lines.RemoveAt(a);
                    break;
                case 1:
                    lines.Insert(a, lines[a]);
                    break;
                case 2:
                    (lines[a], lines[b]) = (lines[b], lines[a]);
                    break;
                default:
                    // Replace the value of a "key: value" line (or a list item) with a hostile one.
                    string line = lines[a];
                    int colon = line.IndexOf(": ", StringComparison.Ordinal);
                    int dash = line.TrimStart().StartsWith("- ", StringComparison.Ordinal) ? line.IndexOf("- ", StringComparison.Ordinal) : -1;
                    int cut = colon >= 0 ? colon + 2 : dash >= 0 ? dash + 2 : line.Length;
                    lines[a] = line[..cut] + Value;
                    break;
            }

            return string.Join('\n', lines);
        }
    }

    private static Gen<Mutation> MutationGen =>
        from kind in Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)), (4, Gen.Constant(3)))
        from line in Gen.Choose(0, 10_000)
        from other in Gen.Choose(0, 10_000)
        from value in Gen.Elements(HostileScalars)
        select new Mutation(kind, line, other, value);

    [Fact]
    public void Mutated_example_specs_load_or_fail_with_a_one_line_spec_error()
    {
        Assert.True(Examples.Length >= 10, "the examples were not copied to the test output");
        var texts = Examples.Select(File.ReadAllText).ToArray();
        var cases = from example in Gen.Choose(0, Examples.Length - 1)
                    from count in Gen.Choose(1, 3)
                    from mutations in Gen.ListOf(MutationGen, count)
                    select (Example: example, Mutations: mutations.ToArray());

        int loaded = 0, refused = 0;
        var property = Prop.ForAll(cases.ToArbitrary(), c =>
        {
            string text = c.Mutations.Aggregate(texts[c.Example], (t, m) => m.Apply(t));
            string label = Path.GetFileName(Examples[c.Example]);
            try
            {
                SpecReader.Parse(text, label, Path.GetDirectoryName(Examples[c.Example]));
                loaded++;
                return true;
            }
            catch (SpecException e)
            {
                refused++;
                return OneLine(e.Message, label, text);
            }
            catch (ModelValidationException e)
            {
                refused++;
                return OneLine(e.Message, string.Empty, text);
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(400).WithQuietOnSuccess(true), property);

        // Both outcomes occur, so the mutations are neither all harmless nor all fatal.
        Assert.True(loaded > 10 && refused > 10, $"{loaded} loaded, {refused} refused");
    }

    private static bool OneLine(string message, string label, string text)
    {
        Assert.False(message.Contains('\n', StringComparison.Ordinal), $"multi-line message '{message}' for:\n{text}");
        Assert.True(message.StartsWith(label, StringComparison.Ordinal), $"message '{message}' does not name {label}");
        return true;
    }

    /// <summary>A random formula tree, printed in the expression language (sometimes with deliberate junk).</summary>
    private static Gen<string> FormulaGen(int size)
    {
        var leaf = Gen.OneOf(
            Gen.Elements("x", "x1", "x2", "pi", "0", "1", "-0", "0.5", "1e308", "1e-320", "2.", ".5", "1e999", "e", "x0", "foo"),
            Gen.Choose(-100, 100).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        if (size <= 0)
        {
            return leaf;
        }

        var sub = FormulaGen(size / 2);
        return Gen.Frequency(
            (2, leaf),
            (4, from a in sub from op in Gen.Elements("+", "-", "*", "/", "^", " + ", "^-") from b in sub select a + op + b),
            (2, from f in Gen.Elements("abs", "sqrt", "exp", "log", "sin", "cos", "tanh", "relu", "sign", "nosuch") from a in sub select $"{f}({a})"),
            (1, from f in Gen.Elements("min", "max") from a in sub from b in sub select $"{f}({a}, {b})"),
            (1, from a in sub select $"({a})"),
            (1, from a in sub select $"-{a}"),
            (1, from a in sub from junk in Gen.Elements("(", ")", ",", "^^", "**", "", " ", "\n", "√") select a + junk));
    }

    private static Gen<string> TextGen =>
        Gen.OneOf(
            Gen.Sized(n => FormulaGen(Math.Min(n, 60))),
            from chars in Gen.ArrayOf(Gen.Elements("x", "1", "(", ")", "+", "-", "*", "/", "^", ",", ".", "e", " ", "sin", "max", "pi", "2"))
            select string.Concat(chars),
            from depth in Gen.Choose(0, 600)
            from inner in Gen.Elements("x", "-x", "x^x", "sin(x")
            select new string('(', depth) + inner + new string(')', depth));

    [Fact]
    public void Random_formulas_parse_evaluate_and_differentiate_or_fail_with_an_expression_error()
    {
        int parsed = 0, refused = 0;
        var property = Prop.ForAll(TextGen.ToArbitrary(), (string text) =>
        {
            foreach (int? dimension in new int?[] { null, 1, 2 })
            {
                ExpressionFunction f;
                try
                {
                    f = ExpressionFunction.Parse(text, dimension);
                }
                catch (ExpressionException e)
                {
                    Assert.False(e.Message.Contains('\n', StringComparison.Ordinal), e.Message);
                    refused++;
                    continue;
                }

                parsed++;
                var x = Enumerable.Repeat(0.25, f.Dimension).ToArray();
                var gradient = new double[f.Dimension];
                _ = f.Value(x);
                f.Gradient(x, gradient);

                // What the parser understood reads back to the same function.
                var again = ExpressionFunction.Parse(f.Formula, f.Dimension);
                double a = f.Value(x), b = again.Value(x);
                Assert.True(a.Equals(b) || Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(a)), $"{text} -> {f.Formula}: {a} vs {b}");
            }

            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1500).WithQuietOnSuccess(true), property);
        Assert.True(parsed > 200 && refused > 200, $"{parsed} parsed, {refused} refused");
    }

    [Fact]
    public void The_fuzz_alphabet_reaches_the_limits()
    {
        // The generators must produce texts beyond the nesting limit, or the properties above would not test it.
        var samples = TextGen.Sample(50, 400);
        Assert.Contains(samples, s => s.Count(c => c == '(') > InputLimits.MaxExpressionDepth);
        var text = new StringBuilder().Append('[', 70).Append(']', 70).ToString();
        Assert.Contains(HostileScalars, v => v.Length > 80);
        Assert.Throws<SpecException>(() => SpecReader.Parse("a: " + text, "t.yaml"));
    }
}
