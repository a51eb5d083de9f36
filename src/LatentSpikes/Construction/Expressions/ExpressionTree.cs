using System.Globalization;
using System.Text;

namespace LatentSpikes.Construction.Expressions;

/// <summary>The one-argument operations of the expression language (plus negation).</summary>
internal enum UnaryOp
{
    Neg,
    Abs,
    Sqrt,
    Exp,
    Log,
    Sin,
    Cos,
    Tanh,
    Relu,
    Sign,
}

/// <summary>The two-argument operations of the expression language.</summary>
internal enum BinaryOp
{
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Min,
    Max,
}

/// <summary>
/// A node of a resolved expression tree: evaluates, differentiates symbolically and prints itself back as text the
/// parser accepts. The factories fold constants and drop 0 and 1 terms so derivative trees stay readable.
/// </summary>
internal abstract class Expr
{
    /// <summary>Printing precedence: a child is parenthesised when its precedence is below what its parent needs.</summary>
    internal const int PrecSum = 1;
    internal const int PrecProduct = 2;
    internal const int PrecUnary = 3;
    internal const int PrecPower = 4;
    internal const int PrecAtom = 5;

    protected Expr(int highestVariable)
    {
        HighestVariable = highestVariable;
    }

    /// <summary>0-based index of the highest variable used, −1 for a constant.</summary>
    public int HighestVariable { get; }

    public abstract int Precedence { get; }

    public abstract double Eval(ReadOnlySpan<double> x);

    /// <summary>∂/∂x_i, 0-based.</summary>
    public abstract Expr Derive(int i);

    /// <summary>Appends the node as parseable text; <paramref name="scalar"/> prints the variable of a 1-D input as <c>x</c>.</summary>
    public abstract void Print(StringBuilder sb, bool scalar);

    public string ToText(bool scalar)
    {
        var sb = new StringBuilder();
        Print(sb, scalar);
        return sb.ToString();
    }

    public bool IsConstant(double value) => this is Num n && n.Value.Equals(value);

    public static Expr Constant(double value, string? name = null) => new Num(value, name);

    public static Expr Variable(int index) => new Var(index);

    public static Expr Unary(UnaryOp op, Expr a)
    {
        if (op == UnaryOp.Neg && a is UnaryNode { Op: UnaryOp.Neg } inner)
        {
            return inner.Operand;
        }

        if (op == UnaryOp.Neg && a is BinaryNode { Op: BinaryOp.Mul, Left: Num { Name: null } c } product && c.Value != 0)
        {
            // −(c·u) = (−c)·u reads better in derivatives such as d(−x²) = −2·x.
            return Mul(Constant(-c.Value), product.Right);
        }

        if (a is Num n && n.Name is null)
        {
            double v = UnaryNode.Apply(op, n.Value);
            if (double.IsFinite(v))
            {
                return new Num(v, null);
            }
        }

        return new UnaryNode(op, a);
    }

    public static Expr Binary(BinaryOp op, Expr a, Expr b) => Binary(op, a, b, asWritten: false);

    /// <summary>
    /// A binary node of a formula as written: the same simplifications, except those that would drop an operand
    /// that is not a finite number (0·u, 0/u, u^0), so a formula undefined somewhere (0/0, 0·log(0), 0·log(x) for
    /// x ≤ 0) stays undefined there and is refused, as IEEE arithmetic would have it, rather than simplified to 0 or 1.
    /// </summary>
    public static Expr Written(BinaryOp op, Expr a, Expr b) => Binary(op, a, b, asWritten: true);

    private static bool IsFiniteNumber(Expr e) => e is Num n && double.IsFinite(n.Value);

    private static Expr Binary(BinaryOp op, Expr a, Expr b, bool asWritten)
    {
        // Derivative trees multiply by zero factors constantly, and dropping them is what keeps them small; in a
        // formula as written the dropped operand must be a finite number, so the simplification changes no value.
        bool mayDropA = !asWritten || IsFiniteNumber(a);
        bool mayDropB = !asWritten || IsFiniteNumber(b);
        switch (op)
        {
            case BinaryOp.Add when a.IsConstant(0):
                return b;
            case BinaryOp.Add when b.IsConstant(0):
            case BinaryOp.Sub when b.IsConstant(0):
                return a;
            case BinaryOp.Add when b is UnaryNode { Op: UnaryOp.Neg } negatedB:
                return Sub(a, negatedB.Operand);
            case BinaryOp.Sub when b is UnaryNode { Op: UnaryOp.Neg } negatedC:
                return Add(a, negatedC.Operand);
            case BinaryOp.Sub when a.IsConstant(0):
                return Unary(UnaryOp.Neg, b);
            case BinaryOp.Mul when (a.IsConstant(0) && mayDropB) || (b.IsConstant(0) && mayDropA):
                return Constant(0);
            case BinaryOp.Mul when a.IsConstant(1):
                return b;
            case BinaryOp.Mul when b.IsConstant(1):
            case BinaryOp.Div when b.IsConstant(1):
            case BinaryOp.Pow when b.IsConstant(1):
                return a;
            case BinaryOp.Mul when a.IsConstant(-1):
                return Unary(UnaryOp.Neg, b);
            case BinaryOp.Mul when b.IsConstant(-1):
                return Unary(UnaryOp.Neg, a);
            case BinaryOp.Div when a.IsConstant(0) && mayDropB && !b.IsConstant(0):
                return Constant(0);
            case BinaryOp.Pow when b.IsConstant(0) && mayDropA:
                return Constant(1);
        }

        if (a is Num { Name: null } na && b is Num { Name: null } nb)
        {
            double v = BinaryNode.Apply(op, na.Value, nb.Value);
            if (double.IsFinite(v))
            {
                return new Num(v, null);
            }
        }

        return new BinaryNode(op, a, b);
    }

    public static Expr Add(Expr a, Expr b) => Binary(BinaryOp.Add, a, b);

    public static Expr Sub(Expr a, Expr b) => Binary(BinaryOp.Sub, a, b);

    public static Expr Mul(Expr a, Expr b) => Binary(BinaryOp.Mul, a, b);

    public static Expr Div(Expr a, Expr b) => Binary(BinaryOp.Div, a, b);

    public static Expr Pow(Expr a, Expr b) => Binary(BinaryOp.Pow, a, b);

    public static Expr Neg(Expr a) => Unary(UnaryOp.Neg, a);

    /// <summary>The derivative of a max/min: the active branch, the average of both where they tie.</summary>
    public static Expr Branch(Expr a, Expr b, Expr ifAGreater, Expr ifALess)
    {
        if (ifAGreater is Num p && ifALess is Num q && p.Value.Equals(q.Value))
        {
            return ifAGreater;
        }

        return new Select(a, b, ifAGreater, ifALess);
    }

    protected static void Child(StringBuilder sb, Expr child, int minimum, bool scalar)
    {
        if (child.Precedence < minimum)
        {
            sb.Append('(');
            child.Print(sb, scalar);
            sb.Append(')');
        }
        else
        {
            child.Print(sb, scalar);
        }
    }

    /// <summary>A number or the named constant pi.</summary>
    private sealed class Num(double value, string? name) : Expr(-1)
    {
        public double Value { get; } = value;

        public string? Name { get; } = name;

        // A negative literal prints with a leading minus, so it binds like a unary minus.
        public override int Precedence => Name is null && (Value < 0 || (Value == 0 && double.IsNegative(Value))) ? PrecUnary : PrecAtom;

        public override double Eval(ReadOnlySpan<double> x) => Value;

        public override Expr Derive(int i) => Constant(0);

        public override void Print(StringBuilder sb, bool scalar) =>
            sb.Append(Name ?? Value.ToString("R", CultureInfo.InvariantCulture));
    }

    /// <summary>The input coordinate x_{Index+1}.</summary>
    private sealed class Var(int index) : Expr(index)
    {
        public int Index { get; } = index;

        public override int Precedence => PrecAtom;

        public override double Eval(ReadOnlySpan<double> x) => x[Index];

        public override Expr Derive(int i) => Constant(i == Index ? 1 : 0);

        public override void Print(StringBuilder sb, bool scalar)
        {
            sb.Append('x');
            if (!scalar)
            {
                sb.Append((Index + 1).ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>Negation or a one-argument function.</summary>
    private sealed class UnaryNode(UnaryOp op, Expr operand) : Expr(operand.HighestVariable)
    {
        public UnaryOp Op { get; } = op;

        public Expr Operand { get; } = operand;

        public static double Apply(UnaryOp op, double u) => op switch
        {
            UnaryOp.Neg => -u,
            UnaryOp.Abs => Math.Abs(u),
            UnaryOp.Sqrt => Math.Sqrt(u),
            UnaryOp.Exp => Math.Exp(u),
            UnaryOp.Log => Math.Log(u),
            UnaryOp.Sin => Math.Sin(u),
            UnaryOp.Cos => Math.Cos(u),
            UnaryOp.Tanh => Math.Tanh(u),
            UnaryOp.Relu => u > 0 ? u : 0,
            UnaryOp.Sign => double.IsNaN(u) ? double.NaN : Math.Sign(u),
            _ => throw new InvalidOperationException($"unknown operation {op}"),
        };

        public override int Precedence => Op == UnaryOp.Neg ? PrecUnary : PrecAtom;

        public override double Eval(ReadOnlySpan<double> x) => Apply(Op, Operand.Eval(x));

        public override Expr Derive(int i)
        {
            Expr u = Operand;
            Expr du = u.Derive(i);
            if (du.IsConstant(0))
            {
                return du;
            }

            return Op switch
            {
                UnaryOp.Neg => Neg(du),
                UnaryOp.Abs => Mul(Unary(UnaryOp.Sign, u), du),
                UnaryOp.Sqrt => Div(du, Mul(Constant(2), this)),
                UnaryOp.Exp => Mul(this, du),
                UnaryOp.Log => Div(du, u),
                UnaryOp.Sin => Mul(Unary(UnaryOp.Cos, u), du),
                UnaryOp.Cos => Neg(Mul(Unary(UnaryOp.Sin, u), du)),
                UnaryOp.Tanh => Mul(Sub(Constant(1), Pow(this, Constant(2))), du),
                UnaryOp.Relu => Branch(u, Constant(0), du, Constant(0)),
                UnaryOp.Sign => Constant(0),
                _ => throw new InvalidOperationException($"unknown operation {Op}"),
            };
        }

        public override void Print(StringBuilder sb, bool scalar)
        {
            if (Op == UnaryOp.Neg)
            {
                sb.Append('-');
                Child(sb, Operand, PrecUnary, scalar);
                return;
            }

            sb.Append(Name(Op)).Append('(');
            Operand.Print(sb, scalar);
            sb.Append(')');
        }

        private static string Name(UnaryOp op) => op.ToString().ToLowerInvariant();
    }

    /// <summary>A binary operator or the two-argument functions min and max.</summary>
    private sealed class BinaryNode(BinaryOp op, Expr left, Expr right) : Expr(Math.Max(left.HighestVariable, right.HighestVariable))
    {
        public BinaryOp Op { get; } = op;

        public Expr Left { get; } = left;

        public Expr Right { get; } = right;

        public static double Apply(BinaryOp op, double a, double b) => op switch
        {
            BinaryOp.Add => a + b,
            BinaryOp.Sub => a - b,
            BinaryOp.Mul => a * b,
            BinaryOp.Div => a / b,
            BinaryOp.Pow => Math.Pow(a, b),
            BinaryOp.Min => Math.Min(a, b),
            BinaryOp.Max => Math.Max(a, b),
            _ => throw new InvalidOperationException($"unknown operation {op}"),
        };

        public override int Precedence => Op switch
        {
            BinaryOp.Add or BinaryOp.Sub => PrecSum,
            BinaryOp.Mul or BinaryOp.Div => PrecProduct,
            BinaryOp.Pow => PrecPower,
            _ => PrecAtom,
        };

        public override double Eval(ReadOnlySpan<double> x) => Apply(Op, Left.Eval(x), Right.Eval(x));

        public override Expr Derive(int i)
        {
            Expr u = Left, v = Right;
            Expr du = u.Derive(i), dv = v.Derive(i);
            switch (Op)
            {
                case BinaryOp.Add:
                    return Add(du, dv);
                case BinaryOp.Sub:
                    return Sub(du, dv);
                case BinaryOp.Mul:
                    return Add(Mul(du, v), Mul(u, dv));
                case BinaryOp.Div:
                    return dv.IsConstant(0)
                        ? Div(du, v)
                        : Div(Sub(Mul(du, v), Mul(u, dv)), Pow(v, Constant(2)));
                case BinaryOp.Pow:
                    if (v is Num c)
                    {
                        // d(u^c) = c·u^(c−1)·u′: the common case, kept free of logarithms so it works for u < 0.
                        return Mul(Mul(Constant(c.Value), Pow(u, Constant(c.Value - 1))), du);
                    }

                    if (du.IsConstant(0))
                    {
                        return Mul(Mul(this, Unary(UnaryOp.Log, u)), dv);
                    }

                    return Mul(this, Add(Mul(dv, Unary(UnaryOp.Log, u)), Div(Mul(v, du), u)));
                case BinaryOp.Max:
                    return Branch(u, v, du, dv);
                case BinaryOp.Min:
                    return Branch(u, v, dv, du);
                default:
                    throw new InvalidOperationException($"unknown operation {Op}");
            }
        }

        public override void Print(StringBuilder sb, bool scalar)
        {
            switch (Op)
            {
                case BinaryOp.Min or BinaryOp.Max:
                    sb.Append(Op == BinaryOp.Min ? "min(" : "max(");
                    Left.Print(sb, scalar);
                    sb.Append(", ");
                    Right.Print(sb, scalar);
                    sb.Append(')');
                    return;
                case BinaryOp.Pow:
                    // Powers associate to the right, so a power (or any lower precedence) as the base needs parentheses.
                    Child(sb, Left, PrecAtom, scalar);
                    sb.Append('^');
                    Child(sb, Right, PrecUnary, scalar);
                    return;
                default:
                    int own = Precedence;
                    Child(sb, Left, own, scalar);
                    sb.Append(Op switch { BinaryOp.Add => " + ", BinaryOp.Sub => " - ", BinaryOp.Mul => "*", _ => "/" });
                    Child(sb, Right, own + 1, scalar);
                    return;
            }
        }
    }

    /// <summary>
    /// a &gt; b ? p : a &lt; b ? q : (p + q)/2 — the derivative of max(a, b) (p = a′, q = b′) or min(a, b). Evaluated
    /// by branching so the inactive branch cannot poison the result; printed as the equivalent
    /// (p + q)/2 + sign(a − b)·(p − q)/2, which the parser reads back.
    /// </summary>
    private sealed class Select(Expr a, Expr b, Expr ifAGreater, Expr ifALess)
        : Expr(Math.Max(Math.Max(a.HighestVariable, b.HighestVariable), Math.Max(ifAGreater.HighestVariable, ifALess.HighestVariable)))
    {
        private readonly Lazy<Expr> _printed = new(() => Add(
            Div(Add(ifAGreater, ifALess), Constant(2)),
            Div(Mul(Unary(UnaryOp.Sign, Sub(a, b)), Sub(ifAGreater, ifALess)), Constant(2))));

        public override int Precedence => _printed.Value.Precedence;

        public override double Eval(ReadOnlySpan<double> x)
        {
            double va = a.Eval(x), vb = b.Eval(x);
            return va > vb ? ifAGreater.Eval(x)
                : va < vb ? ifALess.Eval(x)
                : 0.5 * (ifAGreater.Eval(x) + ifALess.Eval(x));
        }

        public override Expr Derive(int i) => Branch(a, b, ifAGreater.Derive(i), ifALess.Derive(i));

        public override void Print(StringBuilder sb, bool scalar) => _printed.Value.Print(sb, scalar);
    }
}
