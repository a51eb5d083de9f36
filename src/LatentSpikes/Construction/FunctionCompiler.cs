using System.Globalization;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Construction;

/// <summary>How a target function is split into convex parts.</summary>
public enum CompileMethod
{
    /// <summary>Piecewise-linear for one input, smooth for several.</summary>
    Auto,

    /// <summary>Theorem 2 on the piecewise-linear interpolant at evenly spaced knots (1-D only); exact for that interpolant.</summary>
    PiecewiseLinear,

    /// <summary>Theorem 1: q = f + λ·g, p = λ·g sampled by tangent planes on a grid (any dimension).</summary>
    Smooth,
}

/// <summary>Options of <see cref="FunctionCompiler"/>.</summary>
public sealed record CompileOptions
{
    /// <summary>Neuron budget N_E + N_I.</summary>
    public int Neurons { get; init; } = 20;

    /// <summary>Slope a of the inhibitory boundary in y_E (eq. E.4); stability needs a &gt; 1.</summary>
    public double A { get; init; } = 2.0;

    /// <summary>Decomposition method.</summary>
    public CompileMethod Method { get; init; } = CompileMethod.Auto;

    /// <summary>Largest shift of the excitatory boundary per spike (|D_I|); null picks the finest affordable one.</summary>
    public double? Precision { get; init; }

    /// <summary>Time step of the generated spec (τ).</summary>
    public double Dt { get; init; } = 0.002;

    /// <summary>Time the generated protocol takes to sweep the input range (τ).</summary>
    public double SweepDuration { get; init; } = 40;

    /// <summary>Current-noise std σ of both populations.</summary>
    public double Noise { get; init; }

    /// <summary>Soft refractory cost μ of both populations.</summary>
    public double Mu { get; init; }

    /// <summary>
    /// Largest rate (spikes per τ) one neuron may need to hold its boundary piece; null (the library default) uses one
    /// neuron per piece, as in the paper's figures. The CLI defaults to <see cref="FunctionCompiler.DefaultMaxRate"/>.
    /// </summary>
    public double? MaxRate { get; init; }

    /// <summary>Seed of the generated spec.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Fail when the network's boundary crossing misses f by more than this anywhere on the range; null uses
    /// <see cref="FunctionCompiler.DefaultRelativeTolerance"/> of f's range.
    /// </summary>
    public double? Tolerance { get; init; }

    /// <summary>Experiment name of the generated spec.</summary>
    public string Name { get; init; } = "compiled";

    /// <summary>The largest neuron budget <see cref="FunctionCompiler"/> accepts (its construction and verifying run grow with it).</summary>
    public const int MaxNeurons = 100_000;

    /// <summary>
    /// Checks every option on its own before anything is built, so a bad option is named as itself (not as the spec
    /// field it would later break). Fields are the option names without dashes.
    /// </summary>
    /// <exception cref="ModelValidationException">For the first option out of its range.</exception>
    public void Validate()
    {
        if (Neurons < 1 || Neurons > MaxNeurons)
        {
            throw new ModelValidationException("neurons", $"must be between 1 and {MaxNeurons:N0} (got {Neurons})");
        }

        LowRankNetwork.RequireFinite("a", A);
        LowRankNetwork.RequireFinite("dt", Dt);
        if (!(Dt > 0) || Dt > 0.1)
        {
            throw new ModelValidationException("dt", $"must be in (0, 0.1] τ (got {Dt})");
        }

        LowRankNetwork.RequireFinite("duration", SweepDuration);
        if (!(SweepDuration > 0))
        {
            throw new ModelValidationException("duration", $"must be > 0 τ (got {SweepDuration})");
        }

        double steps = ((2 * FunctionCompiler.SettleTime) + SweepDuration) / Dt;
        if (steps > 2e9)
        {
            throw new ModelValidationException(SweepDuration > 1e6 ? "duration" : "dt", $"dt = {Dt} τ over the {(2 * FunctionCompiler.SettleTime) + SweepDuration} τ protocol needs {steps:G3} steps (limit 2·10⁹); use a larger --dt or a shorter --duration");
        }

        if (Precision is double precision && !(precision > 0 && double.IsFinite(precision)))
        {
            throw new ModelValidationException("precision", $"must be a finite number > 0 (got {precision})");
        }

        if (Tolerance is double tolerance && !(tolerance > 0 && double.IsFinite(tolerance)))
        {
            throw new ModelValidationException("tolerance", $"must be a finite number > 0 (got {tolerance})");
        }

        if (!double.IsFinite(Noise) || Noise < 0)
        {
            throw new ModelValidationException("noise", $"must be a finite number ≥ 0 (got {Noise})");
        }

        if (!double.IsFinite(Mu) || Mu < 0)
        {
            throw new ModelValidationException("mu", $"must be a finite number ≥ 0 (got {Mu})");
        }

        if (MaxRate is double cap && !(cap > 0 && double.IsFinite(cap)))
        {
            throw new ModelValidationException("max-rate", $"the largest rate per neuron must be a finite number > 0 spikes per τ (got {cap})");
        }
    }
}

/// <summary>A compiled function: the ready-to-run experiment and what the construction guarantees.</summary>
/// <param name="Experiment">The E-I network with a sweep protocol over the input range, started at the crossing.</param>
/// <param name="Ei">The network, its decomposition and decoder scale.</param>
/// <param name="Target">The target function.</param>
/// <param name="Ranges">The input box.</param>
/// <param name="MaxApproximationError">max |y_E*(x) − f(x)| over the range: the boundary crossing's error before spiking.</param>
/// <param name="Summary">A human-readable account of the construction.</param>
public sealed record CompiledFunction(
    Experiment Experiment,
    EiNetwork Ei,
    Func<double[], double> Target,
    IReadOnlyList<(double Lo, double Hi)> Ranges,
    double MaxApproximationError,
    string Summary);

/// <summary>
/// Compiles a target function f ≥ 0 into a Dale's-law E-I spiking network whose excitatory latent computes it
/// (seed 002, §2.7 and App. D-E): f = q − p with q, p convex; I boundary y_I = −p̃(x) − a·y_E, E boundary
/// y_E = −q̃(x) − y_I; their crossing is y_E* = f(x).
/// </summary>
public static class FunctionCompiler
{
    /// <summary>Time (τ) the sweep protocol holds the input at its start so the latents settle on the crossing.</summary>
    public const double SettleTime = 2.0;

    /// <summary>The CLI's default cap on any one neuron's rate: 2 spikes per τ (200 Hz at τ = 10 ms, 100 Hz at τ = 20 ms).</summary>
    public const double DefaultMaxRate = 2.0;

    /// <summary>Without <see cref="CompileOptions.Tolerance"/>, the crossing must be within this fraction of f's range.</summary>
    public const double DefaultRelativeTolerance = 0.2;

    /// <summary>Compiles f over a box of inputs.</summary>
    /// <param name="f">Target function of M inputs; must be finite and ≥ 0 on the box.</param>
    /// <param name="ranges">One (lo, hi) per input dimension.</param>
    /// <param name="options">Budget, method, precision and protocol.</param>
    /// <param name="description">How f is shown in the spec and summary.</param>
    /// <exception cref="ModelValidationException">For an impossible request, naming the option.</exception>
    public static CompiledFunction Compile(Func<double[], double> f, IReadOnlyList<(double Lo, double Hi)> ranges, CompileOptions options, string description = "f(x)")
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckRanges(ranges);
        int m = ranges.Count;
        var samples = Samples(ranges);

        // Non-finite values first: a pole is the real problem even where f is also negative elsewhere.
        foreach (var x in samples)
        {
            double v = f(x);
            if (!double.IsFinite(v))
            {
                throw new ModelValidationException("function", $"f({Format(x)}) = {v} is not finite; the target must be finite on the whole range");
            }
        }

        foreach (var x in samples)
        {
            double v = f(x);
            if (v < 0)
            {
                throw new ModelValidationException("function", $"f({Format(x)}) = {v:G4} < 0: the excitatory latent y_E is ≥ 0 under Dale's law; shift the target by a constant (e.g. '{description} + {Math.Ceiling(-v * 10) / 10:G3}')");
            }
        }

        var method = options.Method == CompileMethod.Auto ? (m == 1 ? CompileMethod.PiecewiseLinear : CompileMethod.Smooth) : options.Method;
        if (method == CompileMethod.PiecewiseLinear && m != 1)
        {
            throw new ModelValidationException("method", "the piecewise-linear split (Theorem 2) is for one input; use the smooth method for several");
        }

        int minimum = MinimumBudget(method, m);
        if (options.Neurons < minimum)
        {
            throw new ModelValidationException("neurons", method == CompileMethod.PiecewiseLinear
                ? $"a budget of {options.Neurons} neuron(s) is too small: an E-I network needs at least one excitatory and one inhibitory neuron"
                : $"a budget of {options.Neurons} neurons is too small for {m} input dimension(s): the smooth split needs at least 2 tangent points per dimension for each population, i.e. ≥ {minimum} neurons");
        }

        var split = Split(f, ranges, options.Neurons, method);
        CheckResolution(f, ranges, samples, split, options, description, n => Split(f, ranges, n, method), minimum);
        return Finish(f, ranges, samples, split, options, description);
    }

    /// <summary>Compiles the continuous piecewise-linear function through the knots, exactly (Theorem 2).</summary>
    public static CompiledFunction CompileKnots(IReadOnlyList<double> xs, IReadOnlyList<double> ys, CompileOptions options)
    {
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(ys);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var split = DifferenceOfConvex.FromKnots(xs, ys);
        var ranges = new[] { (xs[0], xs[^1]) };
        var interpolant = new PiecewiseLinearFunction(xs.Zip(ys).ToArray());
        double f(double[] x) => interpolant.Value(x);
        var samples = Samples(ranges).Concat(xs.Select(x => new[] { x })).ToList();
        for (int k = 0; k < ys.Count; k++)
        {
            if (ys[k] < 0)
            {
                throw new ModelValidationException($"knots[{k}].y", $"{ys[k]:G4} < 0: the excitatory latent y_E is ≥ 0 under Dale's law; shift the knots up by a constant");
            }
        }

        string description = "piecewise linear through " + string.Join(", ", xs.Select((x, k) => $"({x.ToString("G6", CultureInfo.InvariantCulture)}, {ys[k].ToString("G6", CultureInfo.InvariantCulture)})"));
        return Finish(f, ranges, samples, split, options with { Method = CompileMethod.PiecewiseLinear }, description);
    }

    private static CompiledFunction Finish(Func<double[], double> f, IReadOnlyList<(double Lo, double Hi)> ranges, List<double[]> samples, DcDecomposition split, CompileOptions options, string description)
    {
        LowRankNetwork.RequireFinite("dt", options.Dt);
        if (!(options.Dt > 0) || options.Dt > 0.1)
        {
            throw new ModelValidationException("dt", $"must be in (0, 0.1] τ (got {options.Dt})");
        }

        var ei = EiConstruction.Build(split, samples, options.A, options.Precision, options.Dt, options.Noise, options.Mu, options.MaxRate);
        double error = samples.Max(x => Math.Abs(ei.Crossing(x).YE - f(x)));
        var (inputs, settings, x0) = Protocol(ranges, options);
        var (yE0, yI0) = ei.Crossing(x0);
        string summary =
            $"y_E computes {description} on {RangeText(ranges)}: {split.Method}, a = {options.A:G3}, " +
            $"N_E = {ei.Network.Populations[0].Size}, N_I = {ei.Network.Populations[1].Size}{Pieces(ei)}, spike precision |D_I| = {ei.Precision:G3}, " +
            $"boundary-crossing error max|y_E* − f| = {error:G3}, peak rate ≈ {ei.PeakRatePerTau:G3} spikes/τ";
        var experiment = new Experiment(
            ei.Network,
            inputs,
            settings,
            initialLatents: new Dictionary<string, double> { ["y_E"] = yE0, ["y_I"] = yI0 },
            name: options.Name,
            description: summary);
        return new CompiledFunction(experiment, ei, f, ranges.ToArray(), error, summary);
    }

    /// <summary>
    /// The sweep protocol: x1 held at its lower end for <see cref="SettleTime"/>, then ramped across its range; further
    /// inputs follow sinusoids over their ranges. Returns the signals, the settings and the input at t = 0.
    /// </summary>
    internal static (List<InputSignal> Inputs, SimulationSettings Settings, double[] X0) Protocol(IReadOnlyList<(double Lo, double Hi)> ranges, CompileOptions options)
    {
        const double settle = SettleTime;
        var inputs = new List<InputSignal>();
        for (int d = 0; d < ranges.Count; d++)
        {
            var (lo, hi) = ranges[d];
            inputs.Add(d == 0
                ? new RampSignal(lo, hi, settle, settle + options.SweepDuration)
                : new SinusoidSignal(0.5 * (lo + hi), 0.5 * (hi - lo), (2 * d) / options.SweepDuration, -Math.PI / 2));
        }

        double[] x0 = inputs.Select(s => s is DeterministicSignal ds ? ds.ValueAt(0) : 0).ToArray();
        var settings = new SimulationSettings
        {
            Dt = options.Dt,
            Duration = settle + options.SweepDuration + settle,
            Seed = options.Seed,
            RecordEvery = Math.Max(1, (int)Math.Round(0.01 / options.Dt)),
        };
        return (inputs, settings, x0);
    }

    /// <summary>", on q + p boundary pieces" when pieces are spread over several neurons (a rate cap), else empty.</summary>
    private static string Pieces(EiNetwork ei)
    {
        int q = ei.Decomposition.Q.Pieces.Count, p = ei.Decomposition.P.Pieces.Count;
        return q + p == ei.Network.NeuronCount ? string.Empty : $" (the {q} + {p} boundary pieces spread over several neurons each for the rate cap)";
    }

    internal static int MinimumBudget(CompileMethod method, int m) => method == CompileMethod.PiecewiseLinear ? 2 : 2 * (int)Math.Pow(2, m);

    /// <summary>The difference-of-convex split a budget of n neurons affords.</summary>
    internal static DcDecomposition Split(Func<double[], double> f, IReadOnlyList<(double Lo, double Hi)> ranges, int n, CompileMethod method)
    {
        if (method == CompileMethod.PiecewiseLinear)
        {
            // n knots give at most n − 2 slope jumps, each opening one piece (neuron), plus the first piece of q and of p.
            var (lo, hi) = ranges[0];
            double[] xs = Enumerable.Range(0, n).Select(k => lo + ((hi - lo) * k / (n - 1))).ToArray();
            return DifferenceOfConvex.FromKnots(xs, xs.Select(x => f([x])).ToArray());
        }

        int perDim = (int)Math.Floor(Math.Pow(n / 2.0, 1.0 / ranges.Count) + 1e-9);
        return DifferenceOfConvex.Smooth(f, ranges, perDim, perDim);
    }

    private static double CrossingError(Func<double[], double> f, List<double[]> samples, DcDecomposition split) =>
        samples.Max(x => Math.Abs(split.Value(x) - f(x)));

    /// <summary>
    /// Refuses a budget whose boundary crossing misses f by more than the tolerance (stated, or a fifth of f's range:
    /// such a network has not resolved the target's shape, e.g. a fast oscillation with too few tangent points). The
    /// message names the smallest budget that does resolve it, found by building the splits (cheap next to a run).
    /// </summary>
    internal static void CheckResolution(Func<double[], double> f, IReadOnlyList<(double Lo, double Hi)> ranges, List<double[]> samples, DcDecomposition split, CompileOptions options, string description, Func<int, DcDecomposition> splitFor, int minimum)
    {
        double error = CrossingError(f, samples, split);
        double span = samples.Max(x => f(x)) - samples.Min(x => f(x));
        double tol = options.Tolerance ?? (span > 0 ? DefaultRelativeTolerance * span : double.PositiveInfinity);
        if (error <= tol)
        {
            return;
        }

        string why = options.Tolerance is null ? $"{DefaultRelativeTolerance:P0} of the target's range {span:G3}" : $"tolerance {tol:G3}";
        int? enough = SmallestBudget(n => CrossingError(f, samples, splitFor(n)) <= tol, Math.Max(options.Neurons, minimum), MaxSuggestedBudget);
        string advice = enough is { } n ? $"try {n} neurons" : $"not even {MaxSuggestedBudget} neurons resolve it on this range; narrow the range or relax the tolerance";

        throw new ModelValidationException("neurons", $"a budget of {options.Neurons} neurons resolves {description} only to {error:G3} ({why}); {advice}");
    }

    /// <summary>Largest budget the resolution search tries.</summary>
    private const int MaxSuggestedBudget = 4096;

    /// <summary>Smallest n in (from, max] with ok(n), assuming ok is monotone (doubling, then bisection); null if none.</summary>
    private static int? SmallestBudget(Func<int, bool> ok, int from, int max)
    {
        int lo = from, hi = from;
        do
        {
            lo = hi;
            hi = Math.Min(max, hi * 2);
            if (ok(hi))
            {
                while (hi - lo > 1)
                {
                    int mid = (lo + hi) / 2;
                    if (ok(mid))
                    {
                        hi = mid;
                    }
                    else
                    {
                        lo = mid;
                    }
                }

                return hi;
            }
        }
        while (hi < max);
        return null;
    }

    internal static void CheckRanges(IReadOnlyList<(double Lo, double Hi)> ranges)
    {
        if (ranges.Count == 0)
        {
            throw new ModelValidationException("range", "give one input range [lo, hi] per input dimension");
        }

        for (int d = 0; d < ranges.Count; d++)
        {
            LowRankNetwork.RequireFinite($"range[{d}]", ranges[d].Lo);
            LowRankNetwork.RequireFinite($"range[{d}]", ranges[d].Hi);
            if (!(ranges[d].Hi > ranges[d].Lo))
            {
                throw new ModelValidationException($"range[{d}]", $"[{ranges[d].Lo:G6}, {ranges[d].Hi:G6}] is empty; give lo < hi");
            }
        }
    }

    /// <summary>Points covering the box: 1001 for one input, a 41×41 grid for two, 11 per dimension beyond.</summary>
    internal static List<double[]> Samples(IReadOnlyList<(double Lo, double Hi)> ranges) =>
        DifferenceOfConvex.Grid(ranges, ranges.Count switch { 1 => 1001, 2 => 41, _ => 11 });

    internal static string RangeText(IReadOnlyList<(double Lo, double Hi)> ranges) =>
        string.Join(" × ", ranges.Select(r => $"[{r.Lo.ToString("G6", CultureInfo.InvariantCulture)}, {r.Hi.ToString("G6", CultureInfo.InvariantCulture)}]"));

    private static string Format(double[] x) => string.Join(", ", x.Select(v => v.ToString("G4", CultureInfo.InvariantCulture)));
}

/// <summary>How well a simulated excitatory latent followed the compiled target.</summary>
/// <param name="MaxError">max_t |y_E(t) − f(x(t))| over the compared samples.</param>
/// <param name="MeanError">Mean of |y_E(t) − f(x(t))|.</param>
/// <param name="RmsError">Root mean square of y_E(t) − f(x(t)).</param>
/// <param name="Samples">Number of recorded samples compared.</param>
/// <param name="From">Time (τ) from which samples were compared.</param>
public sealed record TrackingError(double MaxError, double MeanError, double RmsError, int Samples, double From);

/// <summary>Measures a compiled network's simulated readout against its target.</summary>
public static class CompiledFunctionTracking
{
    /// <summary>
    /// Compares y_E(t) with f(x(t)) on the recorded samples from <paramref name="from"/> on (default: after the
    /// protocol's settling period, when the latents have reached the crossing). x(t) is the recorded filtered input,
    /// which is what the boundaries see.
    /// </summary>
    /// <exception cref="ArgumentException">When the run ended before any sample could be compared.</exception>
    public static TrackingError Measure(CompiledFunction compiled, SimulationResult result, double? from = null)
    {
        ArgumentNullException.ThrowIfNull(compiled);
        ArgumentNullException.ThrowIfNull(result);
        return Measure(result.Latent(compiled.Ei.Network.Populations[0].LatentName), compiled.Target, compiled.Ranges.Count, result, from ?? FunctionCompiler.SettleTime);
    }

    /// <summary>Compares a recorded latent with target(x(t)) on the samples from <paramref name="start"/> on.</summary>
    /// <param name="yE">The recorded latent, one value per recorded sample.</param>
    /// <param name="target">The target as a function of the m external inputs.</param>
    /// <param name="m">Number of external inputs.</param>
    /// <param name="result">The run (times and recorded inputs).</param>
    /// <param name="start">Time (τ) from which samples are compared.</param>
    /// <exception cref="ArgumentException">When the run ended before any sample could be compared.</exception>
    public static TrackingError Measure(double[] yE, Func<double[], double> target, int m, SimulationResult result, double start)
    {
        ArgumentNullException.ThrowIfNull(yE);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(result);
        var inputs = Enumerable.Range(0, m).Select(result.Input).ToArray();
        double max = 0, sum = 0, sumSq = 0;
        int n = 0;
        var x = new double[m];
        for (int i = 0; i < yE.Length; i++)
        {
            if (result.Times[i] < start)
            {
                continue;
            }

            for (int d = 0; d < m; d++)
            {
                x[d] = inputs[d][i];
            }

            double e = yE[i] - target(x);
            max = Math.Max(max, Math.Abs(e));
            sum += Math.Abs(e);
            sumSq += e * e;
            n++;
        }

        if (n == 0)
        {
            throw new ArgumentException($"the run ended at t = {result.SimulatedDuration:G4} τ, before the comparison window starting at {start:G4} τ", nameof(result));
        }

        return new TrackingError(max, sum / n, Math.Sqrt(sumSq / n), n, start);
    }
}
