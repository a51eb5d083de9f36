using System.Numerics;
using LatentSpikes.Geometry;
using LatentSpikes.Model;

namespace LatentSpikes.Rate;

/// <summary>Local stability of a fixed point of the 2-D latent system.</summary>
public enum FixedPointKind
{
    /// <summary>Both eigenvalues of the Jacobian have negative real part (a stable node or focus).</summary>
    Stable,

    /// <summary>Both eigenvalues have positive real part (an unstable node or focus).</summary>
    Unstable,

    /// <summary>Real eigenvalues of opposite sign.</summary>
    Saddle,

    /// <summary>An eigenvalue with zero real part (within rounding): linearisation does not decide.</summary>
    Marginal,
}

/// <summary>A fixed point of the E-I rate twin (eq. 4.12-4.13) at one input.</summary>
/// <param name="YE">Excitatory latent ȳ_E.</param>
/// <param name="YI">Inhibitory latent ȳ_I (≤ 0 in the paper's convention).</param>
/// <param name="Eigenvalue1">First eigenvalue of the Jacobian (the one with the larger real part).</param>
/// <param name="Eigenvalue2">Second eigenvalue.</param>
/// <param name="Kind">Stability label from the eigenvalues.</param>
/// <param name="Residual">|(ẏ_E, ẏ_I)| at the point (how well it solves both equations).</param>
public sealed record RateFixedPoint(double YE, double YI, Complex Eigenvalue1, Complex Eigenvalue2, FixedPointKind Kind, double Residual);

/// <summary>
/// Both nullclines of the E-I rate twin on a grid of ȳ_E, each as ȳ_I(ȳ_E) (NaN where a nullcline has no point), and
/// the fixed points where they cross.
/// </summary>
/// <param name="X">The input.</param>
/// <param name="BetaE">β of the excitatory population.</param>
/// <param name="BetaI">β of the inhibitory population.</param>
/// <param name="YE">The ȳ_E grid.</param>
/// <param name="InhibitoryNullcline">ȳ_I where ẏ_I = 0, per grid point.</param>
/// <param name="ExcitatoryNullcline">ȳ_I where ẏ_E = 0, per grid point (NaN outside 0 &lt; ȳ_E &lt; Σ D^E/τ_sE).</param>
/// <param name="FixedPoints">Every fixed point found, in increasing ȳ_E.</param>
public sealed record NullclineSet(double X, double BetaE, double BetaI, double[] YE, double[] InhibitoryNullcline, double[] ExcitatoryNullcline, IReadOnlyList<RateFixedPoint> FixedPoints);

/// <summary>
/// The two-dimensional latent system of a rank-2 E-I rate twin at a fixed input x (seed 002, §4.4, eq. 4.12-4.13,
/// Fig. 11): ẏ_P = −y_P + Σ_{i∈P} (D_i/τ_sP)·σ_βP(F_i·x + E_i^E·y_E + E_i^I·y_I − T_i) for P = E, I.
/// <para>
/// Dale's law makes both nullclines graphs over ȳ_E: with D^I ≤ 0 and E^II &gt; 0, ẏ_I strictly decreases in ȳ_I, so
/// ẏ_I = 0 has exactly one root ȳ_I for every ȳ_E; with D^E ≥ 0 and E^EI &gt; 0, ẏ_E increases in ȳ_I from −ȳ_E to
/// Σ D^E/τ_sE − ȳ_E, so ẏ_E = 0 has one root exactly when 0 &lt; ȳ_E &lt; Σ D^E/τ_sE. Each root is found by bisection
/// (robust however steep the sigmoid). Fixed points are the sign changes of the difference of the two nullclines on
/// the grid, refined by bisection and polished by Newton's method on the full system; two fixed points closer
/// together than one grid cell can be missed.
/// </para>
/// </summary>
public sealed class EiNullclines
{
    private readonly EiBoundaries _geometry;
    private readonly double[] _eE;
    private readonly double[] _eI;
    private readonly double[] _iE;
    private readonly double[] _iI;
    private readonly double _tauE;
    private readonly double _tauI;

    /// <summary>Builds the system of a rank-2 E-I network (see <see cref="EiBoundaries.TryCreate"/>).</summary>
    /// <param name="network">The network.</param>
    /// <param name="dt">The grid step, which is τ_s for delta synapses (<see cref="RateTwin.SynapseTau"/>).</param>
    /// <param name="betaE">β of E; null: <see cref="RateTwin.Beta"/>.</param>
    /// <param name="betaI">β of I; null: <see cref="RateTwin.Beta"/>.</param>
    /// <exception cref="ArgumentException">The network is not a rank-2 E-I network with a 1-D input.</exception>
    /// <exception cref="ModelValidationException">A β is missing (no noise, no rate.beta), not finite or ≤ 0.</exception>
    public EiNullclines(LowRankNetwork network, double dt, double? betaE = null, double? betaI = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.CrossReadouts.Count > 0)
        {
            throw new ArgumentException("the E-I nullclines need a rank-2 network; this one has cross readouts", nameof(network));
        }

        _geometry = EiBoundaries.Create(network);
        var e = _geometry.Excitatory;
        var i = _geometry.Inhibitory;
        int pe = network.PopulationIndex(e.Name);
        int pi = network.PopulationIndex(i.Name);
        BetaE = Checked(betaE, $"populations[{pe}]") ?? RateTwin.Beta(e, $"populations[{pe}]");
        BetaI = Checked(betaI, $"populations[{pi}]") ?? RateTwin.Beta(i, $"populations[{pi}]");
        _tauE = RateTwin.SynapseTau(e, dt);
        _tauI = RateTwin.SynapseTau(i, dt);
        _eE = Encoder(e, e.LatentName);
        _eI = Encoder(e, i.LatentName);
        _iE = Encoder(i, e.LatentName);
        _iI = Encoder(i, i.LatentName);
        ExcitatoryCeiling = e.Decoders.Sum() / _tauE;
    }

    /// <summary>β of the excitatory population.</summary>
    public double BetaE { get; }

    /// <summary>β of the inhibitory population.</summary>
    public double BetaI { get; }

    /// <summary>Σ D^E/τ_sE: the largest ȳ_E the twin can hold (every E unit saturated).</summary>
    public double ExcitatoryCeiling { get; }

    /// <summary>The spiking network's geometry (hard boundaries, crossings).</summary>
    public EiBoundaries Geometry => _geometry;

    /// <summary>(ẏ_E, ẏ_I) at (x, ȳ_E, ȳ_I).</summary>
    public (double DyE, double DyI) Derivative(double x, double yE, double yI) =>
        (Population(_geometry.Excitatory, BetaE, _tauE, _eE, _eI, x, yE, yI).Sum - yE,
         Population(_geometry.Inhibitory, BetaI, _tauI, _iE, _iI, x, yE, yI).Sum - yI);

    /// <summary>The Jacobian [[∂ẏ_E/∂y_E, ∂ẏ_E/∂y_I], [∂ẏ_I/∂y_E, ∂ẏ_I/∂y_I]].</summary>
    public (double EE, double EI, double IE, double II) Jacobian(double x, double yE, double yI)
    {
        var e = Population(_geometry.Excitatory, BetaE, _tauE, _eE, _eI, x, yE, yI);
        var i = Population(_geometry.Inhibitory, BetaI, _tauI, _iE, _iI, x, yE, yI);
        return (e.DByE - 1, e.DByI, i.DByE, i.DByI - 1);
    }

    /// <summary>ȳ_I on the inhibitory nullcline (ẏ_I = 0) at ȳ_E; always exists.</summary>
    public double InhibitoryNullcline(double x, double yE) =>
        Root(yI => Derivative(x, yE, yI).DyI, increasing: false);

    /// <summary>ȳ_I on the excitatory nullcline (ẏ_E = 0) at ȳ_E; NaN unless 0 &lt; ȳ_E &lt; Σ D^E/τ_sE.</summary>
    public double ExcitatoryNullcline(double x, double yE) =>
        yE > 0 && yE < ExcitatoryCeiling ? Root(yI => Derivative(x, yE, yI).DyE, increasing: true) : double.NaN;

    /// <summary>
    /// Both nullclines on <paramref name="points"/> values of ȳ_E over (0, Σ D^E/τ_sE) (or the given range) and every
    /// fixed point in that range.
    /// </summary>
    public NullclineSet Compute(double x, int points = 2001, double? yEMin = null, double? yEMax = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 3);
        double lo = yEMin ?? 0.0;
        double hi = yEMax ?? ExcitatoryCeiling;
        if (!double.IsFinite(x) || !double.IsFinite(lo) || !double.IsFinite(hi) || !(hi > lo))
        {
            throw new ArgumentException($"need a finite input and ȳ_E range lo < hi (got x = {x}, [{lo}, {hi}])", nameof(x));
        }

        var grid = new double[points];
        var inh = new double[points];
        var exc = new double[points];
        for (int k = 0; k < points; k++)
        {
            grid[k] = lo + ((hi - lo) * k / (points - 1));
            inh[k] = InhibitoryNullcline(x, grid[k]);
            exc[k] = ExcitatoryNullcline(x, grid[k]);
        }

        var fixedPoints = new List<RateFixedPoint>();
        for (int k = 0; k + 1 < points; k++)
        {
            double g0 = exc[k] - inh[k];
            double g1 = exc[k + 1] - inh[k + 1];
            if (!double.IsFinite(g0) || !double.IsFinite(g1))
            {
                continue;
            }

            if (g0 == 0)
            {
                fixedPoints.Add(Classify(x, grid[k], inh[k]));
                continue;
            }

            // A root exactly on grid point k + 1 is taken as g0 == 0 in the next cell.
            if (g1 == 0 || Math.Sign(g0) == Math.Sign(g1))
            {
                continue;
            }

            double a = grid[k];
            double b = grid[k + 1];
            double ga = g0;
            for (int it = 0; it < 200 && b - a > 1e-14 * Math.Max(1, Math.Abs(a)); it++)
            {
                double m = 0.5 * (a + b);
                double gm = ExcitatoryNullcline(x, m) - InhibitoryNullcline(x, m);
                if (!double.IsFinite(gm))
                {
                    break;
                }

                if (Math.Sign(gm) == Math.Sign(ga))
                {
                    a = m;
                    ga = gm;
                }
                else
                {
                    b = m;
                }
            }

            double yE = 0.5 * (a + b);
            var (pE, pI) = Polish(x, yE, InhibitoryNullcline(x, yE));
            fixedPoints.Add(Classify(x, pE, pI));
        }

        return new NullclineSet(x, BetaE, BetaI, grid, inh, exc, fixedPoints);
    }

    /// <summary>Newton's method on (ẏ_E, ẏ_I) = 0; kept only while it reduces the residual (steep sigmoids can throw it off).</summary>
    private (double YE, double YI) Polish(double x, double yE, double yI)
    {
        double best = Norm(Derivative(x, yE, yI));
        for (int it = 0; it < 20 && best > 0; it++)
        {
            var (fe, fi) = Derivative(x, yE, yI);
            var (a, b, c, d) = Jacobian(x, yE, yI);
            double det = (a * d) - (b * c);
            if (det == 0 || !double.IsFinite(det))
            {
                break;
            }

            double nE = yE - (((d * fe) - (b * fi)) / det);
            double nI = yI - (((a * fi) - (c * fe)) / det);
            double r = Norm(Derivative(x, nE, nI));
            if (!(r < best))
            {
                break;
            }

            (yE, yI, best) = (nE, nI, r);
        }

        return (yE, yI);
    }

    private RateFixedPoint Classify(double x, double yE, double yI)
    {
        var (a, b, c, d) = Jacobian(x, yE, yI);
        // MathNet's eigenvalue decomposition; the larger real part first (of a complex pair, the positive imaginary part).
        var eigen = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(new[,] { { a, b }, { c, d } }).Evd().EigenValues
            .OrderByDescending(l => l.Real).ThenByDescending(l => l.Imaginary).ToArray();
        Complex l1 = eigen[0];
        Complex l2 = eigen[1];

        // Rounding in the Jacobian is relative to its largest entry.
        double scale = 1e-9 * Math.Max(1, Math.Max(Math.Max(Math.Abs(a), Math.Abs(b)), Math.Max(Math.Abs(c), Math.Abs(d))));
        var kind = (l1.Real, l2.Real) switch
        {
            var (r1, r2) when Math.Abs(r1) <= scale || Math.Abs(r2) <= scale => FixedPointKind.Marginal,
            var (r1, r2) when r1 < 0 && r2 < 0 => FixedPointKind.Stable,
            var (r1, r2) when r1 > 0 && r2 > 0 => FixedPointKind.Unstable,
            _ => FixedPointKind.Saddle,
        };
        return new RateFixedPoint(yE, yI, l1, l2, kind, Norm(Derivative(x, yE, yI)));
    }

    private static double Norm((double A, double B) v) => Math.Sqrt((v.A * v.A) + (v.B * v.B));

    /// <summary>The monotone function's root by bracketing (doubling outward from ±1) and bisection; NaN if none.</summary>
    private static double Root(Func<double, double> f, bool increasing)
    {
        double lo = -1;
        double hi = 1;
        double sign = increasing ? 1 : -1;
        int grow = 0;
        while (sign * f(lo) > 0 && grow++ < 80)
        {
            lo *= 2;
        }

        grow = 0;
        while (sign * f(hi) < 0 && grow++ < 80)
        {
            hi *= 2;
        }

        if (sign * f(lo) > 0 || sign * f(hi) < 0)
        {
            return double.NaN;
        }

        // MathNet's Brent (bisection safeguarded by inverse interpolation), to machine precision on the bracket.
        return MathNet.Numerics.RootFinding.Brent.TryFindRoot(f, lo, hi, 1e-15 * Math.Max(1, Math.Max(Math.Abs(lo), Math.Abs(hi))), 200, out double root)
            ? root
            : double.NaN;
    }

    /// <summary>Σ_i (D_i/τ_s)·σ_β(u_i) and its partial derivatives in y_E and y_I.</summary>
    private static (double Sum, double DByE, double DByI) Population(Population p, double beta, double tau, double[] toE, double[] toI, double x, double yE, double yI)
    {
        double sum = 0;
        double dE = 0;
        double dI = 0;
        for (int n = 0; n < p.Size; n++)
        {
            double u = (p.Feedforward(n, 0) * x) + (toE[n] * yE) + (toI[n] * yI) - p.Thresholds[n];
            double s = RateTwin.Sigmoid(beta, u);
            double w = p.Decoders[n] / tau;
            sum += w * s;
            double slope = w * beta * s * (1 - s);
            dE += slope * toE[n];
            dI += slope * toI[n];
        }

        return (sum, dE, dI);
    }

    private static double[] Encoder(Population p, string latent) =>
        p.Encoders.TryGetValue(latent, out double[]? e) ? e : new double[p.Size];

    private static double? Checked(double? beta, string at) =>
        beta is { } b && !(double.IsFinite(b) && b > 0)
            ? throw new ModelValidationException($"{at}.rate.beta", $"the sigmoid steepness β must be a finite number > 0 (got {b})")
            : beta;
}
