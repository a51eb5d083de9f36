namespace LatentSpikes.Geometry;

/// <summary>
/// The pointwise minimum of finitely many lines, v(u) = min_k (a_k + b_k·u): a concave, piecewise-linear function.
/// Every population boundary of the paper is one (seed 002, eq. 2.16-2.17): a neuron's threshold is a line and the
/// population's suprathreshold set begins at the lowest of them. The envelope is computed exactly (O(K log K),
/// the convex-hull trick), so breakpoints, the line active on each piece and crossings with another envelope need
/// no sampling. Lines whose slopes agree to within <see cref="ParallelTolerance"/> (relative) count as parallel.
/// </summary>
public sealed class LowerEnvelope
{
    private readonly double[] _intercepts;
    private readonly double[] _slopes;
    private readonly double[] _breakpoints;
    private readonly int[] _active;

    /// <summary>Builds the envelope of the lines a_k + b_k·u.</summary>
    /// <param name="intercepts">a_k, one per line (finite).</param>
    /// <param name="slopes">b_k, one per line (finite).</param>
    /// <exception cref="ArgumentException">When the lists differ in length, are empty or hold a non-finite value.</exception>
    public LowerEnvelope(IReadOnlyList<double> intercepts, IReadOnlyList<double> slopes)
    {
        ArgumentNullException.ThrowIfNull(intercepts);
        ArgumentNullException.ThrowIfNull(slopes);
        if (intercepts.Count != slopes.Count)
        {
            throw new ArgumentException($"{intercepts.Count} intercepts but {slopes.Count} slopes", nameof(slopes));
        }

        if (intercepts.Count == 0)
        {
            throw new ArgumentException("an envelope needs at least one line", nameof(intercepts));
        }

        _intercepts = intercepts.ToArray();
        _slopes = slopes.ToArray();
        for (int k = 0; k < _intercepts.Length; k++)
        {
            if (!double.IsFinite(_intercepts[k]) || !double.IsFinite(_slopes[k]))
            {
                throw new ArgumentException($"line {k} is not finite (a = {_intercepts[k]}, b = {_slopes[k]})", nameof(intercepts));
            }
        }

        // Far left the steepest rising line is lowest, far right the steepest falling one: sort by decreasing slope.
        // Among parallel lines only the lowest matters; among identical lines the lowest index, which matches the
        // engine's tie rule (the lower neuron index fires) and PopulationBoundary.Evaluate.
        int[] order = Enumerable.Range(0, _intercepts.Length)
            .OrderByDescending(k => _slopes[k])
            .ThenBy(k => _intercepts[k])
            .ThenBy(k => k)
            .ToArray();
        var hull = new List<int>(order.Length);
        foreach (int k in order)
        {
            if (hull.Count > 0 && Parallel(hull[^1], k))
            {
                // Sorted by slope first, a nearly parallel line may come after a higher one: keep the lower of the two.
                if (_intercepts[k] >= _intercepts[hull[^1]])
                {
                    continue;
                }

                hull.RemoveAt(hull.Count - 1);
            }

            // The top line is useless if the new line undercuts the previous one no later than the top line does.
            while (hull.Count >= 2 && Cross(hull[^2], k) <= Cross(hull[^2], hull[^1]))
            {
                hull.RemoveAt(hull.Count - 1);
            }

            hull.Add(k);
        }

        _active = hull.ToArray();
        _breakpoints = new double[_active.Length - 1];
        for (int p = 0; p < _breakpoints.Length; p++)
        {
            _breakpoints[p] = Cross(_active[p], _active[p + 1]);
        }
    }

    /// <summary>Relative difference below which two slopes are taken as equal (the lines as parallel).</summary>
    public const double ParallelTolerance = 1e-12;

    /// <summary>Number of lines the envelope was built from.</summary>
    public int LineCount => _intercepts.Length;

    /// <summary>
    /// Where the active line changes, in increasing order. Piece p is (−∞, u_0] for p = 0,
    /// [u_{p−1}, u_p] in between, and [u_last, ∞) for the last piece.
    /// </summary>
    public IReadOnlyList<double> Breakpoints => _breakpoints;

    /// <summary>The line (index into the constructor's lists) forming the envelope on each piece, one more than the breakpoints.</summary>
    public IReadOnlyList<int> ActiveLines => _active;

    /// <summary>Intercept a_k of line <paramref name="line"/>.</summary>
    public double Intercept(int line) => _intercepts[line];

    /// <summary>Slope b_k of line <paramref name="line"/>.</summary>
    public double Slope(int line) => _slopes[line];

    /// <summary>The value of line <paramref name="line"/> at <paramref name="u"/>.</summary>
    public double Line(int line, double u) => _intercepts[line] + (_slopes[line] * u);

    /// <summary>The envelope's value at <paramref name="u"/>.</summary>
    public double Evaluate(double u) => Line(ActiveLineAt(u), u);

    /// <summary>The line forming the envelope at <paramref name="u"/> (at a breakpoint, the one on its right).</summary>
    public int ActiveLineAt(double u) => _active[PieceAt(u)];

    /// <summary>The index of the piece containing <paramref name="u"/> (at a breakpoint, the piece on its right).</summary>
    public int PieceAt(double u)
    {
        // Number of breakpoints ≤ u.
        int lo = 0;
        int hi = _breakpoints.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_breakpoints[mid] <= u)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>
    /// Slopes that agree to within <see cref="ParallelTolerance"/> (relative) count as parallel: such lines can only cross where
    /// |u| ≳ Δa/(10⁻¹²·|b|), and a difference that small is rounding, e.g. F/E = 1/3 against 0.1/0.3, which differ in
    /// the last bit and would otherwise put a breakpoint near u = 10¹⁶ (and count a line that lies above the other
    /// everywhere as forming the envelope).
    /// </summary>
    private bool Parallel(int i, int j) =>
        Math.Abs(_slopes[i] - _slopes[j]) <= ParallelTolerance * Math.Max(Math.Abs(_slopes[i]), Math.Abs(_slopes[j]));

    private double Cross(int i, int j) => (_intercepts[j] - _intercepts[i]) / (_slopes[i] - _slopes[j]);
}
