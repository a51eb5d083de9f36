// Over 500 lines on purpose: the random construction and its tangent solver (a private nested class it alone uses).
using System.Globalization;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Model;
using LatentSpikes.Randomness;

namespace LatentSpikes.Construction;

/// <summary>A normal distribution N(Mean, Std²) from which one kind of weight is drawn.</summary>
/// <param name="Mean">Mean.</param>
/// <param name="Std">Standard deviation (≥ 0).</param>
public readonly record struct Gaussian(double Mean, double Std);

/// <summary>The distributions of a random rank-1 population's feedforward weights, encoders and thresholds.</summary>
/// <param name="Feedforward">Distribution of every component of F_i (independent per neuron and input dimension).</param>
/// <param name="Encoder">Distribution of E_i; draws ≤ 0 are redrawn, so encoders stay &gt; 0 (Dale's law, App. B).</param>
/// <param name="Threshold">Distribution of T_i (ignored when the thresholds are tuned).</param>
public sealed record RandomWeights(Gaussian Feedforward, Gaussian Encoder, Gaussian Threshold)
{
    /// <summary>The statistics of Fig. S1 (App. B): F ~ N(0, 1), E ~ N(1, 1/4), T ~ N(1/4, 1/16).</summary>
    public static RandomWeights FigureS1 { get; } = new(new Gaussian(0, 1), new Gaussian(1, 0.5), new Gaussian(0.25, 0.25));
}

/// <summary>Thresholds tuned so that every neuron's plane touches the convex boundary y = −f(x) over a box of inputs.</summary>
/// <param name="Function">The convex function f.</param>
/// <param name="Ranges">The box: one input interval [Lo, Hi] per dimension.</param>
public sealed record ThresholdTuning(IBoundaryFunction Function, IReadOnlyList<(double Lo, double Hi)> Ranges);

/// <summary>Thresholds tuned to a boundary, with where each neuron touches it.</summary>
/// <param name="Thresholds">T_i = F_i·x_i − E_i·f(x_i).</param>
/// <param name="TangentPoints">The point (x_i, −f(x_i)) where neuron i's plane touches the boundary.</param>
/// <param name="UnmatchedNeurons">
/// Neurons whose normal direction is never matched on the box (no x there with ∇f(x) = F_i/E_i): they cannot become
/// tangent to the boundary on the box, and are reported here as the neurons the tuning leaves without a place on it.
/// Their plane supports the boundary at the edge of the box instead, so on the box they form the population boundary
/// at most in a strip along that edge, and not at all when another unmatched neuron supports the same edge more
/// closely. <see cref="BoundaryReport"/> tells which neurons are actually silent.
/// </param>
public sealed record TunedThresholds(IReadOnlyList<double> Thresholds, IReadOnlyList<TangentPoint> TangentPoints, IReadOnlyList<int> UnmatchedNeurons);

/// <summary>A random rank-1 population with its tuning, if any.</summary>
/// <param name="Population">The population (encoder E_i onto its own latent, drawn).</param>
/// <param name="Tuning">The tuned thresholds, or null when the thresholds were drawn.</param>
public sealed record RandomPopulation(Population Population, TunedThresholds? Tuning);

/// <summary>
/// Random rank-1 populations (seed 002, App. B, Fig. S1): every neuron's parameters are drawn independently,
/// F_i ~ N(μ_F, σ_F²) per input dimension, E_i ~ N(μ_E, σ_E²) redrawn until positive, T_i ~ N(μ_T, σ_T²). Such a
/// population still forms a stable convex boundary, but typically only a few neurons take part in it and for some
/// inputs it lies above y = 0 so the network is silent (see <see cref="BoundaryReport"/>). Tuning the thresholds
/// to be tangent to a convex boundary, keeping the random F and E, removes both problems (Fig. S1b).
/// </summary>
/// <remarks>
/// Draws come from <see cref="CounterRandom"/> streams keyed by the seed, the neuron and the kind of weight, so a
/// neuron's parameters depend only on (seed, neuron index): the same seed gives the same network on any machine, and
/// growing the population keeps the neurons it already had.
/// </remarks>
public static class RandomConstruction
{
    // Stream domains of CounterRandom, far from the engine's (1 = neuron noise, 2 = inputs).
    private const ulong FeedforwardDomain = 0x5241_4E44_0000_0001UL;
    private const ulong EncoderDomain = 0x5241_4E44_0000_0002UL;
    private const ulong ThresholdDomain = 0x5241_4E44_0000_0003UL;
    private const int MaxEncoderDraws = 1000;

    /// <summary>Draws a random rank-1 population, optionally with thresholds tuned to a convex boundary.</summary>
    /// <param name="name">Population name.</param>
    /// <param name="kind">Dale's-law class.</param>
    /// <param name="size">Number of neurons N.</param>
    /// <param name="inputDimension">Input dimension M.</param>
    /// <param name="seed">Seed of the draws.</param>
    /// <param name="weights">The distributions.</param>
    /// <param name="decoders">One decoder for all neurons, or one per neuron.</param>
    /// <param name="tuneTo">When given, T_i is tuned so neuron i's plane touches y = −f(x) (the drawn T is discarded).</param>
    /// <param name="softRefractory">Soft refractory cost μ.</param>
    /// <param name="noiseSigma">Current-noise std σ.</param>
    /// <exception cref="ModelValidationException">For invalid parameters (fields <c>random.*</c>, <c>size</c>, <c>decoders</c>).</exception>
    public static RandomPopulation Build(
        string name,
        PopulationKind kind,
        int size,
        int inputDimension,
        ulong seed,
        RandomWeights weights,
        IReadOnlyList<double> decoders,
        ThresholdTuning? tuneTo = null,
        double softRefractory = 0.0,
        double noiseSigma = 0.0)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(decoders);
        if (size < 1)
        {
            throw new ModelValidationException("size", $"must be ≥ 1 (got {size})");
        }

        if (inputDimension < 1)
        {
            throw new ModelValidationException("input", $"the input needs at least one dimension (got {inputDimension})");
        }

        CheckGaussian("random.feedforward", weights.Feedforward);
        CheckGaussian("random.encoder", weights.Encoder);
        CheckGaussian("random.threshold", weights.Threshold);
        if (!(weights.Encoder.Mean > 0) && weights.Encoder.Std == 0)
        {
            throw new ModelValidationException("random.encoder.mean", $"encoders must be > 0 (Dale's law), so with std 0 the mean must be > 0 (got {Format(weights.Encoder.Mean)})");
        }

        if (decoders.Count != 1 && decoders.Count != size)
        {
            throw new ModelValidationException("decoders", $"give one decoder or {size} (got {decoders.Count})");
        }

        var ff = new double[size][];
        var encoders = new double[size];
        var thresholds = new double[size];
        for (int i = 0; i < size; i++)
        {
            ulong fKey = CounterRandom.StreamKey(seed, 0, FeedforwardDomain, (ulong)i);
            ff[i] = new double[inputDimension];
            for (int d = 0; d < inputDimension; d++)
            {
                ff[i][d] = weights.Feedforward.Mean + (weights.Feedforward.Std * CounterRandom.Normal(fKey, (ulong)d));
            }

            encoders[i] = DrawPositive(CounterRandom.StreamKey(seed, 0, EncoderDomain, (ulong)i), weights.Encoder, i);
            thresholds[i] = weights.Threshold.Mean + (weights.Threshold.Std * CounterRandom.Normal(CounterRandom.StreamKey(seed, 0, ThresholdDomain, (ulong)i), 0));
        }

        TunedThresholds? tuned = null;
        if (tuneTo is not null)
        {
            if (tuneTo.Function.Dimension != inputDimension)
            {
                throw new ModelValidationException("random.tune_to.f", $"is a function of {tuneTo.Function.Dimension} input(s) but the input has {inputDimension} dimension(s)");
            }

            tuned = TuneThresholds(tuneTo.Function, tuneTo.Ranges, ff, encoders, "random.tune_to");
            thresholds = tuned.Thresholds.ToArray();
        }

        var dec = decoders.Count == 1 ? Enumerable.Repeat(decoders[0], size).ToArray() : decoders.ToArray();
        var enc = new Dictionary<string, double[]>(StringComparer.Ordinal) { [Population.LatentNameOf(name)] = encoders };
        return new RandomPopulation(new Population(name, kind, ff, thresholds, dec, enc, softRefractory, noiseSigma), tuned);
    }

    /// <summary>
    /// Tunes thresholds so that each neuron's plane F_i·x + E_i·y = T_i touches the boundary y = −f(x) (App. B,
    /// Fig. S1b): the tangent point x_i solves ∇f(x_i) = F_i/E_i, found on the box by bisection (M = 1; closed form for
    /// a quadratic) or projected Newton (M &gt; 1) from the best point of a coarse grid. In general the threshold is
    /// T_i = max over the box of (F_i·x − E_i·f(x)), so the plane never cuts into the boundary on the box; when the
    /// gradient is not matched there the maximum lies on the box's edge and the neuron is listed as unmatched.
    /// </summary>
    /// <param name="f">The convex function f (for a non-convex f the planes support its convex envelope).</param>
    /// <param name="ranges">The box, one interval per input dimension.</param>
    /// <param name="feedforward">F_i, one row of M weights per neuron.</param>
    /// <param name="encoders">E_i &gt; 0, one per neuron.</param>
    /// <exception cref="ModelValidationException">For a box that does not match f, a non-positive encoder, or f not finite on the box.</exception>
    public static TunedThresholds TuneThresholds(IBoundaryFunction f, IReadOnlyList<(double Lo, double Hi)> ranges, IReadOnlyList<double[]> feedforward, IReadOnlyList<double> encoders) =>
        TuneThresholds(f, ranges, feedforward, encoders, "tune_to");

    private static TunedThresholds TuneThresholds(IBoundaryFunction f, IReadOnlyList<(double Lo, double Hi)> ranges, IReadOnlyList<double[]> feedforward, IReadOnlyList<double> encoders, string field)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(feedforward);
        ArgumentNullException.ThrowIfNull(encoders);
        int m = f.Dimension;
        if (ranges.Count != m)
        {
            throw new ModelValidationException($"{field}.range", $"give one interval [a, b] per input dimension: f has {m} input(s), got {ranges.Count}");
        }

        for (int d = 0; d < m; d++)
        {
            LowRankNetwork.RequireFinite($"{field}.range[{d}]", ranges[d].Lo);
            LowRankNetwork.RequireFinite($"{field}.range[{d}]", ranges[d].Hi);
            if (!(ranges[d].Hi >= ranges[d].Lo))
            {
                throw new ModelValidationException(m == 1 ? $"{field}.range" : $"{field}.range[{d}]", $"must be an interval [a, b] with a ≤ b (got [{Format(ranges[d].Lo)}, {Format(ranges[d].Hi)}])");
            }
        }

        if (feedforward.Count != encoders.Count)
        {
            throw new ArgumentException($"{feedforward.Count} feedforward rows but {encoders.Count} encoders", nameof(encoders));
        }

        var solver = new TangentSolver(f, ranges, field);
        int n = encoders.Count;
        var thresholds = new double[n];
        var points = new TangentPoint[n];
        var unmatched = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (feedforward[i].Length != m)
            {
                throw new ArgumentException($"neuron {i} has {feedforward[i].Length} feedforward weights for an input of dimension {m}", nameof(feedforward));
            }

            if (!(encoders[i] > 0) || !double.IsFinite(encoders[i]))
            {
                throw new ModelValidationException($"encoders[{i}]", $"tuning a threshold to a boundary needs an encoder > 0 (got {Format(encoders[i])})");
            }

            var slope = feedforward[i].Select(v => v / encoders[i]).ToArray();
            var (x, matched) = solver.Solve(slope);
            double fx = f.Value(x);
            double t = -encoders[i] * fx;
            for (int d = 0; d < m; d++)
            {
                t += feedforward[i][d] * x[d];
            }

            thresholds[i] = t;
            points[i] = new TangentPoint(x, -fx);
            if (!matched)
            {
                unmatched.Add(i);
            }
        }

        return new TunedThresholds(thresholds, points, unmatched);
    }

    private static double DrawPositive(ulong key, Gaussian g, int neuron)
    {
        for (int c = 0; c < MaxEncoderDraws; c++)
        {
            double e = g.Mean + (g.Std * CounterRandom.Normal(key, (ulong)c));
            if (e > 0)
            {
                return e;
            }
        }

        throw new ModelValidationException("random.encoder", $"N({Format(g.Mean)}, {Format(g.Std)}²) gave no positive encoder in {MaxEncoderDraws} draws for neuron {neuron}; Dale's law needs E > 0, so raise the mean");
    }

    private static void CheckGaussian(string field, Gaussian g)
    {
        LowRankNetwork.RequireFinite($"{field}.mean", g.Mean);
        LowRankNetwork.RequireFinite($"{field}.std", g.Std);
        if (g.Std < 0)
        {
            throw new ModelValidationException($"{field}.std", $"must be ≥ 0 (got {Format(g.Std)})");
        }
    }

    private static string Format(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>
    /// Finds the maximiser of φ(x) = s·x − f(x) over a box for a slope vector s = F_i/E_i: the point where the
    /// boundary's gradient matches the neuron's normal, or the best point on the box's edge when there is none.
    /// </summary>
    private sealed class TangentSolver
    {
        private readonly IBoundaryFunction _f;
        private readonly IReadOnlyList<(double Lo, double Hi)> _ranges;
        private readonly string _field;
        private readonly int _m;
        private readonly double[][] _grid;
        private readonly double[] _gridValues;

        public TangentSolver(IBoundaryFunction f, IReadOnlyList<(double Lo, double Hi)> ranges, string field)
        {
            _f = f;
            _ranges = ranges;
            _field = field;
            _m = f.Dimension;

            // A coarse grid for the starting point: it keeps the search global for functions that are not convex
            // and costs one evaluation of f per grid point, shared by all neurons.
            int perDim = _m == 1 ? 201 : Math.Clamp((int)Math.Floor(Math.Pow(4000, 1.0 / _m)), 3, 101);
            var counts = Enumerable.Repeat(perDim, _m).Select((c, d) => ranges[d].Hi > ranges[d].Lo ? c : 1).ToArray();
            int total = counts.Aggregate(1, (a, c) => a * c);
            _grid = new double[total][];
            _gridValues = new double[total];
            var index = new int[_m];
            for (int g = 0; g < total; g++)
            {
                _grid[g] = new double[_m];
                for (int d = 0; d < _m; d++)
                {
                    _grid[g][d] = TangentConstruction.GridCoordinate(ranges[d], counts[d], index[d]);
                }

                _gridValues[g] = _f.Value(_grid[g]);
                if (!double.IsFinite(_gridValues[g]))
                {
                    throw new ModelValidationException($"{_field}.f", $"'{_f.Describe()}' is not finite at x = {FormatPoint(_grid[g])} inside the tuning range");
                }

                for (int d = _m - 1; d >= 0 && ++index[d] == counts[d]; d--)
                {
                    index[d] = 0;
                }
            }
        }

        public (double[] X, bool Matched) Solve(double[] s)
        {
            int best = 0;
            double bestPhi = double.NegativeInfinity;
            for (int g = 0; g < _grid.Length; g++)
            {
                double phi = Phi(s, _grid[g], _gridValues[g]);
                if (phi > bestPhi)
                {
                    bestPhi = phi;
                    best = g;
                }
            }

            double[] x = _m == 1 ? Solve1D(s[0], _grid[best][0]) : SolveNewton(s, (double[])_grid[best].Clone());
            double fx = _f.Value(x);
            if (!(Phi(s, x, fx) >= bestPhi))
            {
                // The local refinement can only help; a grid point that is better (a non-smooth or non-convex f) wins.
                x = (double[])_grid[best].Clone();
            }

            return (x, IsMatched(s, x));
        }

        private static double Phi(double[] s, double[] x, double fx)
        {
            double v = -fx;
            for (int d = 0; d < s.Length; d++)
            {
                v += s[d] * x[d];
            }

            return v;
        }

        /// <summary>Interior maximiser (gradient matched, or a kink whose subgradient contains s), or a gradient that matches on the edge.</summary>
        private bool IsMatched(double[] s, double[] x)
        {
            bool interior = true;
            for (int d = 0; d < _m; d++)
            {
                double width = _ranges[d].Hi - _ranges[d].Lo;
                double margin = 1e-9 * Math.Max(width, 1e-300);
                if (width == 0 || x[d] <= _ranges[d].Lo + margin || x[d] >= _ranges[d].Hi - margin)
                {
                    interior = false;
                }
            }

            if (interior)
            {
                return true;
            }

            var grad = new double[_m];
            _f.Gradient(x, grad);
            double scale = 1 + s.Max(Math.Abs);
            return grad.Select((g, d) => Math.Abs(g - s[d])).Max() <= 1e-7 * scale;
        }

        /// <summary>
        /// M = 1: where f′ crosses s. A quadratic polynomial has the closed form x = (s − c1)/(2·c2); otherwise bisection
        /// on f′(x) − s, which is non-decreasing for convex f, between the grid neighbours of the best grid point.
        /// </summary>
        private double[] Solve1D(double s, double start)
        {
            var (lo, hi) = _ranges[0];
            if (_f is PolynomialFunction p && p.Coefficients.Count == 3 && p.Coefficients[2] > 0)
            {
                return [Math.Clamp((s - p.Coefficients[1]) / (2 * p.Coefficients[2]), lo, hi)];
            }

            if (hi == lo)
            {
                return [lo];
            }

            double step = (hi - lo) / 200;
            double a = Math.Max(lo, start - step), b = Math.Min(hi, start + step);
            double ga = Slope(a) - s, gb = Slope(b) - s;
            if (ga >= 0)
            {
                return [a];
            }

            if (gb <= 0)
            {
                return [b];
            }

            for (int iter = 0; iter < 200; iter++)
            {
                double mid = 0.5 * (a + b);
                if (mid <= a || mid >= b)
                {
                    break;
                }

                if (Slope(mid) - s < 0)
                {
                    a = mid;
                }
                else
                {
                    b = mid;
                }
            }

            // Both ends bracket the crossing to rounding; keep the one with the larger φ (a kink sits at b).
            double fa = _f.Value([a]), fb = _f.Value([b]);
            return (s * b) - fb >= (s * a) - fa ? [b] : [a];
        }

        private double Slope(double x)
        {
            Span<double> g = stackalloc double[1];
            _f.Gradient([x], g);
            if (!double.IsFinite(g[0]))
            {
                throw new ModelValidationException($"{_field}.f", $"the gradient of '{_f.Describe()}' is not finite at x = {Format(x)} inside the tuning range");
            }

            return g[0];
        }

        /// <summary>Projected Newton on ψ(x) = f(x) − s·x over the box, with a backtracking line search.</summary>
        private double[] SolveNewton(double[] s, double[] x)
        {
            var g = new double[_m];
            double psi = Psi(s, x);
            for (int iter = 0; iter < 100; iter++)
            {
                _f.Gradient(x, g);
                for (int d = 0; d < _m; d++)
                {
                    g[d] -= s[d];
                }

                var free = Enumerable.Range(0, _m)
                    .Where(d => !(x[d] <= _ranges[d].Lo && g[d] > 0) && !(x[d] >= _ranges[d].Hi && g[d] < 0) && _ranges[d].Hi > _ranges[d].Lo)
                    .ToArray();
                double projected = free.Length == 0 ? 0 : free.Max(d => Math.Abs(g[d]));
                if (!double.IsFinite(projected))
                {
                    throw new ModelValidationException($"{_field}.f", $"the gradient of '{_f.Describe()}' is not finite at x = {FormatPoint(x)} inside the tuning range");
                }

                if (projected <= 1e-13 * (1 + s.Max(Math.Abs)))
                {
                    break;
                }

                double[] direction = NewtonDirection(x, g, free) ?? free.Select(d => -g[d]).ToArray();
                var (next, nextPsi) = LineSearch(s, x, psi, g, free, direction);
                if (next is null)
                {
                    // Newton failed to descend (a kink, or a poor Hessian): fall back to the steepest descent direction.
                    (next, nextPsi) = LineSearch(s, x, psi, g, free, free.Select(d => -g[d]).ToArray());
                }

                if (next is null)
                {
                    break;
                }

                double moved = Enumerable.Range(0, _m).Max(d => Math.Abs(next[d] - x[d]));
                x = next;
                psi = nextPsi;
                if (moved <= 1e-15 * (1 + x.Max(Math.Abs)))
                {
                    break;
                }
            }

            return x;
        }

        private double Psi(double[] s, double[] x) => -Phi(s, x, _f.Value(x));

        private (double[]? X, double Psi) LineSearch(double[] s, double[] x, double psi, double[] g, int[] free, double[] direction)
        {
            // Start with a step that moves no coordinate further than its own range.
            double scale = Enumerable.Range(0, free.Length).Max(j => Math.Abs(direction[j]) / Math.Max(_ranges[free[j]].Hi - _ranges[free[j]].Lo, 1e-300));
            double t = scale > 1 ? 1 / scale : 1;
            for (int k = 0; k < 60; k++, t *= 0.5)
            {
                var next = (double[])x.Clone();
                double decrease = 0;
                for (int j = 0; j < free.Length; j++)
                {
                    int d = free[j];
                    next[d] = Math.Clamp(x[d] + (t * direction[j]), _ranges[d].Lo, _ranges[d].Hi);
                    decrease += g[d] * (next[d] - x[d]);
                }

                double value = Psi(s, next);
                if (double.IsFinite(value) && value <= psi + (1e-4 * decrease) && decrease < 0)
                {
                    return (next, value);
                }
            }

            return (null, psi);
        }

        /// <summary>Solves H·p = −g on the free coordinates by Cholesky, regularising H until it is positive definite.</summary>
        private double[]? NewtonDirection(double[] x, double[] g, int[] free)
        {
            int k = free.Length;
            var h = Hessian(x, free);
            double trace = Enumerable.Range(0, k).Sum(i => Math.Abs(h[i, i]));
            for (double lambda = 0; lambda < 1e12 * (1 + trace); lambda = lambda == 0 ? 1e-10 * (1 + trace) : lambda * 100)
            {
                var l = new double[k, k];
                bool ok = true;
                for (int i = 0; i < k && ok; i++)
                {
                    for (int j = 0; j <= i; j++)
                    {
                        double sum = h[i, j] + (i == j ? lambda : 0);
                        for (int q = 0; q < j; q++)
                        {
                            sum -= l[i, q] * l[j, q];
                        }

                        if (i == j)
                        {
                            if (!(sum > 0))
                            {
                                ok = false;
                                break;
                            }

                            l[i, i] = Math.Sqrt(sum);
                        }
                        else
                        {
                            l[i, j] = sum / l[j, j];
                        }
                    }
                }

                if (!ok)
                {
                    continue;
                }

                var y = new double[k];
                for (int i = 0; i < k; i++)
                {
                    double sum = -g[free[i]];
                    for (int q = 0; q < i; q++)
                    {
                        sum -= l[i, q] * y[q];
                    }

                    y[i] = sum / l[i, i];
                }

                var p = new double[k];
                for (int i = k - 1; i >= 0; i--)
                {
                    double sum = y[i];
                    for (int q = i + 1; q < k; q++)
                    {
                        sum -= l[q, i] * p[q];
                    }

                    p[i] = sum / l[i, i];
                }

                return p.All(double.IsFinite) ? p : null;
            }

            return null;
        }

        /// <summary>The Hessian of f on the free coordinates: exact for expressions, else central differences of the gradient.</summary>
        private double[,] Hessian(double[] x, int[] free)
        {
            int k = free.Length;
            var h = new double[k, k];
            var row = new double[_m];
            for (int i = 0; i < k; i++)
            {
                int d = free[i];
                if (_f is ExpressionFunction e)
                {
                    e.Derivative(d).Gradient(x, row);
                    for (int j = 0; j < k; j++)
                    {
                        h[i, j] = row[free[j]];
                    }

                    continue;
                }

                double step = 1e-6 * Math.Max(1, _ranges[d].Hi - _ranges[d].Lo);
                var plus = (double[])x.Clone();
                var minus = (double[])x.Clone();
                plus[d] += step;
                minus[d] -= step;
                var gp = new double[_m];
                var gm = new double[_m];
                _f.Gradient(plus, gp);
                _f.Gradient(minus, gm);
                for (int j = 0; j < k; j++)
                {
                    h[i, j] = (gp[free[j]] - gm[free[j]]) / (2 * step);
                }
            }

            // Symmetrise: finite differences (and rounding) leave a small asymmetry that Cholesky should not see.
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    double avg = 0.5 * (h[i, j] + h[j, i]);
                    h[i, j] = h[j, i] = avg;
                }
            }

            return h;
        }

        private static string FormatPoint(double[] x) =>
            x.Length == 1 ? Format(x[0]) : "(" + string.Join(", ", x.Select(Format)) + ")";
    }
}
