using LatentSpikes.Geometry;

namespace LatentSpikes.Tests.Geometry;

/// <summary>
/// The exact lower envelope min_k (a_k + b_k·u) that every population boundary is built from (seed 002, eq. 2.17),
/// checked against a brute-force minimum over all lines.
/// </summary>
public sealed class LowerEnvelopeTests
{
    /// <summary>Rounding allowance for comparing a value of one line computed two ways (values are O(10)).</summary>
    private const double Rounding = 1e-9;

    [Fact]
    public void The_envelope_is_the_pointwise_minimum_of_random_lines()
    {
        var rng = new Random(20240917);
        int withHiddenLines = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            int n = rng.Next(1, 30);
            double[] a = Draw(rng, n, -3, 3);
            double[] b = Draw(rng, n, -4, 4);
            var env = new LowerEnvelope(a, b);

            Assert.Equal(n, env.LineCount);
            Assert.Equal(env.Breakpoints.Count + 1, env.ActiveLines.Count);
            Assert.Equal(env.ActiveLines.Count, env.ActiveLines.Distinct().Count());
            for (int p = 1; p < env.Breakpoints.Count; p++)
            {
                Assert.True(env.Breakpoints[p] > env.Breakpoints[p - 1], $"breakpoints not increasing at {p}");
            }

            // Random inputs, far inputs and the breakpoints themselves.
            var probes = Draw(rng, 200, -10, 10).Concat([-1e4, 1e4]).Concat(env.Breakpoints);
            foreach (double u in probes)
            {
                double min = BruteMin(a, b, u);
                Assert.Equal(min, env.Evaluate(u), Rounding * Math.Max(1, Math.Abs(min)));
                Assert.Equal(min, env.Line(env.ActiveLineAt(u), u), Rounding * Math.Max(1, Math.Abs(min)));
            }

            // Each piece's line is the unique minimum inside its piece, so every listed line really forms the envelope.
            for (int p = 0; p < env.ActiveLines.Count; p++)
            {
                double inside = PieceInterior(env, p);
                Assert.Equal(env.ActiveLines[p], BruteArgMin(a, b, inside));
                Assert.Equal(p, env.PieceAt(inside));
            }

            // The lines that form it are exactly those that are the strict minimum somewhere (computed without the hull).
            Assert.Equal(FormingLines(a, b), env.ActiveLines.Order());
            if (env.ActiveLines.Count < n)
            {
                withHiddenLines++;
            }
        }

        // Random lines usually hide some (App. B): the "never forms the envelope" case is exercised, not just the easy one.
        Assert.True(withHiddenLines > 50, $"only {withHiddenLines} of 300 random sets had a hidden line");
    }

    [Fact]
    public void A_line_through_a_vertex_or_above_the_envelope_does_not_form_it()
    {
        // min(u, −u) = −|u|; the line 0 touches it only at the vertex u = 0 and the line 0.5 never does.
        var env = new LowerEnvelope([0, 0, 0.5, 0], [1, -1, 0, 0]);
        Assert.Equal([0, 1], env.ActiveLines);
        Assert.Equal([0.0], env.Breakpoints);
        Assert.Equal(-3.0, env.Evaluate(3));
        Assert.Equal(-3.0, env.Evaluate(-3));
        Assert.Equal(0.0, env.Evaluate(0));
        Assert.Equal(1, env.ActiveLineAt(0)); // at a breakpoint the piece on the right
        Assert.Equal(0, env.ActiveLineAt(-1e-12));
    }

    [Fact]
    public void Of_parallel_lines_the_lowest_forms_the_envelope_and_of_identical_ones_the_lowest_index()
    {
        var parallel = new LowerEnvelope([1, -1, 0], [2, 2, 2]);
        Assert.Equal([1], parallel.ActiveLines);
        Assert.Empty(parallel.Breakpoints);
        Assert.Equal(5.0, parallel.Evaluate(3));

        // Same rule as the engine: among neurons equally far above threshold the lower index fires.
        var identical = new LowerEnvelope([2, 0, 0, 0], [-1, 1, 1, 1]);
        Assert.Equal([1, 0], identical.ActiveLines);
        Assert.Equal(1.0, identical.Breakpoints[0], 15);
    }

    [Theory]
    [InlineData(0.0, 1.0, 0)]
    [InlineData(1.0, 0.0, 1)]
    public void Lines_parallel_but_for_rounding_are_parallel(double first, double second, int lower)
    {
        // −1/3 and −0.1/0.3 differ in the last bit only; taken literally, the lines would cross near u = ±10¹⁶.
        double s0 = -1.0 / 3;
        double s1 = -0.1 / 0.3;
        Assert.NotEqual(s0, s1);
        var env = new LowerEnvelope([first, second], [s0, s1]);
        Assert.Equal([lower], env.ActiveLines);
        Assert.Empty(env.Breakpoints);
    }

    [Fact]
    public void A_single_line_is_its_own_envelope()
    {
        var env = new LowerEnvelope([0.5], [-2]);
        Assert.Empty(env.Breakpoints);
        Assert.Equal([0], env.ActiveLines);
        Assert.Equal(-3.5, env.Evaluate(2));
    }

    [Fact]
    public void Bad_lines_are_rejected_with_the_reason()
    {
        Assert.Contains("2 intercepts but 1 slopes", Assert.Throws<ArgumentException>(() => new LowerEnvelope([0, 1], [1])).Message, StringComparison.Ordinal);
        Assert.Contains("at least one line", Assert.Throws<ArgumentException>(() => new LowerEnvelope([], [])).Message, StringComparison.Ordinal);
        Assert.Contains("line 1 is not finite", Assert.Throws<ArgumentException>(() => new LowerEnvelope([0, double.NaN], [1, 2])).Message, StringComparison.Ordinal);
        Assert.Contains("line 0 is not finite", Assert.Throws<ArgumentException>(() => new LowerEnvelope([0], [double.PositiveInfinity])).Message, StringComparison.Ordinal);
    }

    internal static double[] Draw(Random rng, int n, double lo, double hi) =>
        Enumerable.Range(0, n).Select(_ => lo + ((hi - lo) * rng.NextDouble())).ToArray();

    private static double BruteMin(double[] a, double[] b, double u) => Enumerable.Range(0, a.Length).Min(k => a[k] + (b[k] * u));

    private static int BruteArgMin(double[] a, double[] b, double u)
    {
        int best = 0;
        for (int k = 1; k < a.Length; k++)
        {
            if (a[k] + (b[k] * u) < a[best] + (b[best] * u))
            {
                best = k;
            }
        }

        return best;
    }

    /// <summary>
    /// The lines that are the strict minimum on some interval, found without a hull: the minimiser can change only
    /// where two lines cross, so it is constant between consecutive pairwise crossings; one probe per gap finds them all.
    /// </summary>
    internal static int[] FormingLines(double[] a, double[] b)
    {
        var cuts = new List<double>();
        for (int j = 0; j < a.Length; j++)
        {
            for (int k = j + 1; k < a.Length; k++)
            {
                if (b[j] != b[k])
                {
                    cuts.Add((a[k] - a[j]) / (b[j] - b[k]));
                }
            }
        }

        cuts.Sort();
        var probes = new List<double>();
        if (cuts.Count == 0)
        {
            probes.Add(0);
        }
        else
        {
            double span = Math.Max(1, cuts[^1] - cuts[0]);
            probes.Add(cuts[0] - span);
            probes.Add(cuts[^1] + span);
            for (int c = 1; c < cuts.Count; c++)
            {
                if (cuts[c] > cuts[c - 1])
                {
                    probes.Add(0.5 * (cuts[c - 1] + cuts[c]));
                }
            }
        }

        return probes.Select(u => BruteArgMin(a, b, u)).Distinct().Order().ToArray();
    }

    private static double PieceInterior(LowerEnvelope env, int piece)
    {
        var bp = env.Breakpoints;
        if (bp.Count == 0)
        {
            return 0;
        }

        return piece == 0 ? bp[0] - 1 : piece == bp.Count ? bp[^1] + 1 : 0.5 * (bp[piece - 1] + bp[piece]);
    }
}
