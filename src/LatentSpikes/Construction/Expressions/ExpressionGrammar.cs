using System.Globalization;
using Pidgin;
using static Pidgin.Parser;

namespace LatentSpikes.Construction.Expressions;

/// <summary>A syntax-tree node straight from the grammar, with the 0-based offset of its first character.</summary>
internal abstract record Syntax(int Offset);

/// <summary>A numeric literal, kept as text until the resolver checks its range.</summary>
internal sealed record NumberSyntax(int Offset, string Text) : Syntax(Offset);

/// <summary>A bare name: a variable or a constant.</summary>
internal sealed record NameSyntax(int Offset, string Name) : Syntax(Offset);

/// <summary>A function call <c>name(arg, ...)</c>.</summary>
internal sealed record CallSyntax(int Offset, string Name, IReadOnlyList<Syntax> Arguments) : Syntax(Offset);

/// <summary>An opening parenthesis, seen before the grammar knows what it encloses; never part of a finished tree.</summary>
internal sealed record OpenParenthesisSyntax(int Offset) : Syntax(Offset);

/// <summary>Unary minus.</summary>
internal sealed record NegateSyntax(int Offset, Syntax Operand) : Syntax(Offset);

/// <summary>A binary operator: one of + - * / ^.</summary>
internal sealed record BinarySyntax(int Offset, char Operator, Syntax Left, Syntax Right) : Syntax(Offset);

/// <summary>
/// The grammar of boundary-function expressions, written with Pidgin's parser combinators:
/// <code>
/// sum     = product (('+' | '-') product)*
/// product = unary (('*' | '/') unary)*
/// unary   = ('-' | '+') unary | power
/// power   = atom ('^' unary)?          (right-associative: x^y^z = x^(y^z); -x^2 = -(x^2); x^-1 allowed)
/// atom    = number | name | name '(' sum (',' sum)* ')' | '(' sum ')'
/// </code>
/// Names are resolved afterwards (<see cref="ExpressionResolver"/>), so an unknown function is reported by name
/// rather than as a syntax error.
/// </summary>
internal static class ExpressionGrammar
{
    private const string AtomLabel = "a number, a variable, a function or '('";

    private static readonly Parser<char, Syntax> Full = Build();

    /// <summary>
    /// Parses <paramref name="text"/> or throws <see cref="ExpressionException"/> pointing at the column. The text's
    /// nesting is measured before the (recursive) grammar runs, and the tree's depth before anything walks it, so
    /// neither can exhaust the stack: both are bounded by <see cref="Specs.InputLimits.MaxExpressionDepth"/>.
    /// </summary>
    public static Syntax Parse(string text)
    {
        CheckNesting(text);
        var result = Full.Parse(text);
        if (result.Success)
        {
            CheckDepth(text, result.Value);
            return result.Value;
        }

        var error = result.Error!;
        int column = error.ErrorOffset + 1;
        string found = error.EOF ? "unexpected end of expression"
            : error.Unexpected.HasValue ? $"unexpected '{error.Unexpected.Value}'"
            : error.Message ?? "syntax error";
        var expected = error.Expected
            .Select(Describe)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        string hint = expected.Count == 0 ? string.Empty : "; expected " + JoinOr(expected);
        throw new ExpressionException(text, column, found + hint);
    }

    private static string TooDeep() =>
        $"the expression is nested more than {Specs.InputLimits.MaxExpressionDepth.ToString(CultureInfo.InvariantCulture)} levels deep, beyond this tool's limit " +
        "(parentheses, function calls, signs, powers and each operator of a chain count)";

    /// <summary>
    /// Bounds the grammar's recursion from the text alone: every open parenthesis is a level, and so is every sign
    /// and '^' until a binary '+', '-', '*', '/', a ',' or the closing parenthesis ends the operand it applies to.
    /// The count errs on the high side only (an exponent sign such as 1e-3 counts as a level), so the grammar never
    /// nests deeper than measured here.
    /// </summary>
    private static void CheckNesting(string text)
    {
        int limit = Specs.InputLimits.MaxExpressionDepth;
        var pending = new Stack<int>();
        pending.Push(0);
        int depth = 0;
        bool afterOperand = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            if (char.IsAsciiDigit(c) || c == '.' || char.IsLetter(c) || c == '_')
            {
                // A number or a name: its characters up to the next operator (an exponent sign is counted above).
                while (i + 1 < text.Length && (char.IsAsciiLetterOrDigit(text[i + 1]) || text[i + 1] is '.' or '_' || char.IsLetter(text[i + 1])))
                {
                    i++;
                }

                afterOperand = true;
                continue;
            }

            switch (c)
            {
                case '(':
                    pending.Push(0);
                    depth++;
                    afterOperand = false;
                    break;
                case ')':
                    if (pending.Count > 1)
                    {
                        depth -= pending.Pop() + 1;
                    }

                    afterOperand = true;
                    break;
                case '+' or '-' when !afterOperand:
                case '^':
                    pending.Push(pending.Pop() + 1);
                    depth++;
                    afterOperand = false;
                    break;
                default:
                    // A binary operator or a comma ends the signs and powers of this level; anything else is a
                    // syntax error the grammar reports.
                    depth -= pending.Pop();
                    pending.Push(0);
                    afterOperand = false;
                    break;
            }

            if (depth > limit)
            {
                throw new ExpressionException(text, i + 1, TooDeep());
            }
        }
    }

    /// <summary>The depth of the tree, chains included, measured without recursion.</summary>
    private static void CheckDepth(string text, Syntax root)
    {
        var stack = new Stack<(Syntax Node, int Depth)>();
        stack.Push((root, 1));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            if (depth > Specs.InputLimits.MaxExpressionDepth)
            {
                throw new ExpressionException(text, node.Offset + 1, TooDeep());
            }

            switch (node)
            {
                case CallSyntax call:
                    foreach (var a in call.Arguments)
                    {
                        stack.Push((a, depth + 1));
                    }

                    break;
                case NegateSyntax negate:
                    stack.Push((negate.Operand, depth + 1));
                    break;
                case BinarySyntax binary:
                    stack.Push((binary.Left, depth + 1));
                    stack.Push((binary.Right, depth + 1));
                    break;
            }
        }
    }

    private static Parser<char, Syntax> Build()
    {
        static Parser<char, T> Lexeme<T>(Parser<char, T> p) => p.Before(SkipWhitespaces);
        static Parser<char, char> Symbol(char c) => Lexeme(Char(c));

        Parser<char, Syntax>? sum = null;
        Parser<char, Syntax>? unary = null;
        var sumRef = Rec(() => sum!);
        var unaryRef = Rec(() => unary!);

        // Numbers in invariant form: 2, 0.5, .5, 2., 1e-3, 6.02E+23. The exponent is tried as a whole so that "2e"
        // leaves the 'e' for the name that follows (and an error that names it).
        var digits = Digit.AtLeastOnceString();
        var mantissa = OneOf(
            Map((whole, fraction) => whole + fraction.GetValueOrDefault(string.Empty), digits, Char('.').Then(Digit.ManyString(), (_, d) => "." + d).Optional()),
            Char('.').Then(digits, (_, d) => "." + d));
        var exponent = Try(Map(
            (e, sign, d) => "e" + (sign.HasValue ? sign.Value.ToString() : string.Empty) + d,
            CIChar('e'),
            OneOf('+', '-').Optional(),
            digits));
        var number = Lexeme(Map(
            (offset, m, e) => (Syntax)new NumberSyntax(offset, m + e.GetValueOrDefault(string.Empty)),
            Parser<char>.CurrentOffset,
            mantissa,
            exponent.Optional()));

        // The label names what may start an operand; it covers only the first token, so errors further inside
        // (a missing ')' or a bad argument) keep their own, precise expectations.
        var identifier = Map((first, rest) => first + rest, Letter, OneOf(LetterOrDigit, Char('_')).ManyString());
        var name = Lexeme(Map((offset, id) => (Syntax)new NameSyntax(offset, id), Parser<char>.CurrentOffset, identifier));
        var open = Map((offset, _) => (Syntax)new OpenParenthesisSyntax(offset), Parser<char>.CurrentOffset, Symbol('('));
        var head = OneOf(number, name, open).Labelled(AtomLabel);
        var arguments = Symbol('(').Then(sumRef.Separated(Symbol(','))).Before(Symbol(')'));
        var atom = head.Bind(h => h switch
        {
            NameSyntax n => arguments.Optional().Select(a => a.HasValue ? new CallSyntax(n.Offset, n.Name, a.Value.ToList()) : (Syntax)n),
            OpenParenthesisSyntax => sumRef.Before(Symbol(')')),
            _ => Parser<char>.Return(h),
        });

        var power = Map(
            (b, e) => e.HasValue ? new BinarySyntax(e.Value.Offset, '^', b, e.Value.Exponent) : b,
            atom,
            Map((offset, _, u) => (Offset: offset, Exponent: u), Parser<char>.CurrentOffset, Symbol('^'), unaryRef).Optional());
        unary = OneOf(
            Map((offset, _, u) => (Syntax)new NegateSyntax(offset, u), Parser<char>.CurrentOffset, Symbol('-').Labelled(AtomLabel), unaryRef),
            Symbol('+').Labelled(AtomLabel).Then(unaryRef),
            power);

        var product = LeftFold(unary, OneOf(Symbol('*'), Symbol('/')));
        sum = LeftFold(product, OneOf(Symbol('+'), Symbol('-')));
        return SkipWhitespaces.Then(sum).Before(Parser<char>.End);
    }

    /// <summary>operand (op operand)*, folded to the left.</summary>
    private static Parser<char, Syntax> LeftFold(Parser<char, Syntax> operand, Parser<char, char> op) =>
        Map(
            (first, rest) => rest.Aggregate(first, (acc, r) => new BinarySyntax(r.Offset, r.Op, acc, r.Right)),
            operand,
            Map((offset, o, right) => (Offset: offset, Op: o, Right: right), Parser<char>.CurrentOffset, op, operand).Many());

    private static string Describe(Expected<char> e)
    {
        if (e.Label is not null)
        {
            return e.Label;
        }

        if (e.IsEof || e.Tokens.IsDefaultOrEmpty)
        {
            // Only a complete operand can be followed by the end, so an operator would have done as well.
            return "an operator or end of expression";
        }

        return $"'{new string(e.Tokens.AsSpan())}'";
    }

    private static string JoinOr(List<string> items) =>
        items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " or " + items[^1];
}

/// <summary>
/// Turns a syntax tree into an <see cref="Expr"/>: resolves variables (x, x1..xM), the constant pi and the functions,
/// checks arities, number ranges and the input dimension, and reports every problem at its column.
/// </summary>
internal static class ExpressionResolver
{
    /// <summary>The functions, their arity and their operation; sign appears in derivatives and is accepted too.</summary>
    private static readonly Dictionary<string, (int Arity, Func<IReadOnlyList<Expr>, Expr> Build)> Functions = new(StringComparer.Ordinal)
    {
        ["abs"] = (1, a => Expr.Unary(UnaryOp.Abs, a[0])),
        ["sqrt"] = (1, a => Expr.Unary(UnaryOp.Sqrt, a[0])),
        ["exp"] = (1, a => Expr.Unary(UnaryOp.Exp, a[0])),
        ["log"] = (1, a => Expr.Unary(UnaryOp.Log, a[0])),
        ["sin"] = (1, a => Expr.Unary(UnaryOp.Sin, a[0])),
        ["cos"] = (1, a => Expr.Unary(UnaryOp.Cos, a[0])),
        ["tanh"] = (1, a => Expr.Unary(UnaryOp.Tanh, a[0])),
        ["relu"] = (1, a => Expr.Unary(UnaryOp.Relu, a[0])),
        ["sign"] = (1, a => Expr.Unary(UnaryOp.Sign, a[0])),
        ["min"] = (2, a => Expr.Binary(BinaryOp.Min, a[0], a[1])),
        ["max"] = (2, a => Expr.Binary(BinaryOp.Max, a[0], a[1])),
    };

    /// <summary>The function names as a user-facing list.</summary>
    public static string KnownFunctions => string.Join(", ", Functions.Keys.Order(StringComparer.Ordinal));

    /// <summary>Resolves a tree whose variables are the given names (variable k is <paramref name="variables"/>[k]).</summary>
    /// <returns>The expression and, per variable, whether the formula mentions it.</returns>
    public static (Expr Expression, bool[] Used) ResolveNamed(string text, Syntax syntax, IReadOnlyList<string> variables)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < variables.Count; k++)
        {
            index.TryAdd(variables[k], k);
        }

        var expression = Build(text, syntax, index);
        var names = new List<NameSyntax>();
        Collect(syntax, names);
        var used = new bool[variables.Count];
        foreach (var n in names)
        {
            if (index.TryGetValue(n.Name, out int k))
            {
                used[k] = true;
            }
        }

        return (expression, used);
    }

    /// <summary>Resolves the tree; returns the expression and its input dimension M.</summary>
    public static (Expr Expression, int Dimension) Resolve(string text, Syntax syntax, int? dimension)
    {
        if (dimension is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "the input dimension must be at least 1");
        }

        // First pass: which variables occur, so that 'x' can be checked against the dimension before anything else.
        var names = new List<NameSyntax>();
        Collect(syntax, names);
        int highest = 0;
        NameSyntax? bare = null;
        foreach (var n in names)
        {
            if (n.Name == "x")
            {
                bare ??= n;
            }
            else if (VariableIndex(n.Name) is int k && k >= 1)
            {
                if (dimension is int m && k > m)
                {
                    throw new ExpressionException(text, n.Offset + 1, $"variable '{n.Name}' is beyond the input dimension {m} (use x1..x{m})");
                }

                highest = Math.Max(highest, k);
            }
        }

        int dim = dimension ?? Math.Max(1, highest);
        if (bare is not null && dim > 1)
        {
            throw new ExpressionException(text, bare.Offset + 1, $"'x' stands for the input of a one-dimensional function, but this one has {dim} inputs: write x1..x{dim}");
        }

        return (Build(text, syntax, null), dim);
    }

    private static void Collect(Syntax s, List<NameSyntax> names)
    {
        switch (s)
        {
            case NameSyntax n:
                names.Add(n);
                break;
            case CallSyntax c:
                foreach (var a in c.Arguments)
                {
                    Collect(a, names);
                }

                break;
            case NegateSyntax u:
                Collect(u.Operand, names);
                break;
            case BinarySyntax b:
                Collect(b.Left, names);
                Collect(b.Right, names);
                break;
        }
    }

    /// <summary>k for a name "xk" with k ≥ 1 written without a leading zero; 0 for "x0" and other malformed indices; null otherwise.</summary>
    private static int? VariableIndex(string name)
    {
        if (name.Length < 2 || name[0] != 'x' || name.AsSpan(1).ContainsAnyExceptInRange('0', '9'))
        {
            return null;
        }

        if (name[1] == '0' || !int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int k))
        {
            return 0;
        }

        return k;
    }

    private static Expr Build(string text, Syntax s, Dictionary<string, int>? named)
    {
        switch (s)
        {
            case NumberSyntax n:
                {
                    double v = double.Parse(n.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
                    if (!double.IsFinite(v))
                    {
                        throw new ExpressionException(text, n.Offset + 1, $"number {n.Text} is out of range");
                    }

                    return Expr.Constant(v);
                }

            case NameSyntax n:
                return named is null ? ResolveName(text, n) : ResolveNamedVariable(text, n, named);
            case CallSyntax c:
                {
                    if (!Functions.TryGetValue(c.Name, out var fn))
                    {
                        throw new ExpressionException(text, c.Offset + 1, $"unknown function '{c.Name}' (known: {KnownFunctions})");
                    }

                    if (c.Arguments.Count != fn.Arity)
                    {
                        throw new ExpressionException(text, c.Offset + 1, $"{c.Name} takes {fn.Arity} argument{(fn.Arity == 1 ? string.Empty : "s")} (got {c.Arguments.Count})");
                    }

                    return fn.Build(c.Arguments.Select(a => Build(text, a, named)).ToList());
                }

            case NegateSyntax u:
                return Expr.Neg(Build(text, u.Operand, named));
            case BinarySyntax b:
                {
                    var left = Build(text, b.Left, named);
                    var right = Build(text, b.Right, named);
                    return b.Operator switch
                    {
                        '+' => Expr.Written(BinaryOp.Add, left, right),
                        '-' => Expr.Written(BinaryOp.Sub, left, right),
                        '*' => Expr.Written(BinaryOp.Mul, left, right),
                        '/' => Expr.Written(BinaryOp.Div, left, right),
                        _ => Expr.Written(BinaryOp.Pow, left, right),
                    };
                }

            default:
                throw new InvalidOperationException($"unexpected syntax node {s.GetType().Name}");
        }
    }

    private static Expr ResolveNamedVariable(string text, NameSyntax n, Dictionary<string, int> named)
    {
        if (named.TryGetValue(n.Name, out int k))
        {
            return Expr.Variable(k);
        }

        if (n.Name == "pi")
        {
            return Expr.Constant(Math.PI, "pi");
        }

        if (Functions.ContainsKey(n.Name))
        {
            throw new ExpressionException(text, n.Offset + 1, $"'{n.Name}' is a function: write {n.Name}(...)");
        }

        string known = named.Count == 0 ? "none" : string.Join(", ", named.OrderBy(kv => kv.Value).Select(kv => kv.Key));
        throw new ExpressionException(text, n.Offset + 1, $"unknown name '{n.Name}' (variables: {known}; constant: pi; functions: {KnownFunctions})");
    }

    private static Expr ResolveName(string text, NameSyntax n)
    {
        if (n.Name == "x")
        {
            return Expr.Variable(0);
        }

        if (n.Name == "pi")
        {
            return Expr.Constant(Math.PI, "pi");
        }

        switch (VariableIndex(n.Name))
        {
            case 0:
                throw new ExpressionException(text, n.Offset + 1, $"variables are numbered from 1: use x1..xM, not '{n.Name}'");
            case int k:
                return Expr.Variable(k - 1);
        }

        if (Functions.ContainsKey(n.Name))
        {
            throw new ExpressionException(text, n.Offset + 1, $"'{n.Name}' is a function: write {n.Name}(...)");
        }

        throw new ExpressionException(text, n.Offset + 1, $"unknown name '{n.Name}' (variables: x or x1..xM; constant: pi; functions: {KnownFunctions})");
    }
}
