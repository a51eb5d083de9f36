using LatentSpikes.Model;

namespace LatentSpikes.Construction;

/// <summary>A rank-2 E-I network built from a difference-of-convex split, with what it was built from.</summary>
/// <param name="Network">Populations E and I; each listens to y_E and y_I.</param>
/// <param name="Decomposition">The split f = q − p (before scaling by a − 1).</param>
/// <param name="A">The I boundary's slope in y_E (eq. E.4 uses a = 2).</param>
/// <param name="Precision">|D_I|: the largest shift of the excitatory boundary one spike causes.</param>
/// <param name="PeakRatePerTau">Estimated largest total spike rate (per τ) needed to hold the crossing against the leak.</param>
public sealed record EiNetwork(LowRankNetwork Network, DcDecomposition Decomposition, double A, double Precision, double PeakRatePerTau)
{
    /// <summary>The crossing point (y_E*, y_I*) of the two boundaries at input x: y_E* = q − p, y_I* = −(a − 1)·p − a·y_E*.</summary>
    public (double YE, double YI) Crossing(ReadOnlySpan<double> x) => EiConstruction.Crossing(Decomposition, A, x);
}

/// <summary>Where one variable of an E-I module comes from: an external input dimension or another module's latent.</summary>
/// <param name="ExternalIndex">The input dimension x_(index+1) for an external variable; null for a latent.</param>
/// <param name="Latent">The excitatory latent carrying the variable (≥ 0), for a latent variable.</param>
/// <param name="NegatedLatent">The inhibitory relay latent carrying −variable, used by pieces with a negative slope.</param>
public sealed record ModuleVariable(int? ExternalIndex, string? Latent, string? NegatedLatent)
{
    /// <summary>An external input dimension (0-based).</summary>
    public static ModuleVariable External(int index) => new(index, null, null);

    /// <summary>Another module's excitatory latent and the name of its negated relay copy.</summary>
    public static ModuleVariable FromLatent(string latent, string negatedLatent) => new(null, latent, negatedLatent);
}

/// <summary>The names and inputs of one E-I module.</summary>
/// <param name="Excitatory">Name of the excitatory population (its latent y_name is the module's output).</param>
/// <param name="Inhibitory">Name of the inhibitory population.</param>
/// <param name="InputDimension">The network's external input dimension M (length of every feedforward row).</param>
/// <param name="Variables">Where each of the module's variables comes from, in the order of the split's slopes.</param>
public sealed record ModuleWiring(string Excitatory, string Inhibitory, int InputDimension, IReadOnlyList<ModuleVariable> Variables)
{
    /// <summary>The single-module wiring: populations E and I, variable d is input dimension d.</summary>
    public static ModuleWiring Direct(int m) => new("E", "I", m, Enumerable.Range(0, m).Select(ModuleVariable.External).ToArray());
}

/// <summary>One E-I module of a larger network: its two populations and what they were built from.</summary>
/// <param name="Excitatory">The excitatory population; its latent is the module's output.</param>
/// <param name="Inhibitory">The inhibitory population.</param>
/// <param name="Decomposition">The rebalanced split f = q − p over the module's variables.</param>
/// <param name="A">The I boundary's slope in y_E.</param>
/// <param name="Precision">|D_I|.</param>
/// <param name="PeakRatePerTau">Estimated largest total spike rate (per τ) the module needs.</param>
/// <param name="NegatedLatents">Latents read with a negative slope somewhere: each needs an inhibitory relay carrying its negation.</param>
public sealed record EiModule(Population Excitatory, Population Inhibitory, DcDecomposition Decomposition, double A, double Precision, double PeakRatePerTau, IReadOnlyList<string> NegatedLatents)
{
    /// <summary>The crossing (y_E*, y_I*) at the module's variables u.</summary>
    public (double YE, double YI) Crossing(ReadOnlySpan<double> u) => EiConstruction.Crossing(Decomposition, A, u);
}

/// <summary>
/// The rank-2 E-I construction of §2.6-2.7 and App. D-E: the inhibitory boundary y_I = −p̃(x) − a·y_E and the
/// excitatory boundary y_E = −q̃(x) − y_I, with p̃ = (a − 1)·p and q̃ = (a − 1)·q, cross at y_E* = q(x) − p(x).
/// Every affine piece of p̃ becomes an inhibitory neuron (F = slope, E^IE = a, E^II = 1, T = −intercept) and every
/// piece of q̃ an excitatory one (F = slope, E^EE = E^EI = 1, T = −intercept). Decoders follow the heuristic of
/// App. D, D_I/D_E ≈ y_I*/y_E* at the crossing where each neuron is active, scaled so one spike moves the
/// excitatory boundary by at most the requested precision.
/// </summary>
public static class EiConstruction
{
    /// <summary>Fraction of the one-spike-per-step ceiling (1/dt spikes per τ) a constructed network may need.</summary>
    public const double RateBudget = 0.25;

    /// <summary>Builds the network and checks Dale's law, positivity of y_E* and local stability (eq. 2.41).</summary>
    /// <param name="split">f = q − p.</param>
    /// <param name="samples">Input points covering the range of interest (used for decoders and checks).</param>
    /// <param name="a">Slope of the I boundary in y_E; stability needs a &gt; 1 (eq. 2.41 with E^EE/E^EI = 1).</param>
    /// <param name="precision">
    /// Largest shift of the excitatory boundary one spike causes: |D_I| (and D_E ≤ it); null picks the finest
    /// precision whose spike rates stay under a quarter of the one-spike-per-step ceiling 1/dt.
    /// </param>
    /// <param name="dt">The time step the network will be simulated with (τ).</param>
    /// <param name="noise">Current-noise std σ of both populations.</param>
    /// <param name="mu">Soft refractory cost μ of both populations.</param>
    /// <exception cref="ModelValidationException">When the network would violate Dale's law or be unstable.</exception>
    /// <param name="maxRate">Largest rate (spikes per τ) one neuron may need; null: one neuron per piece.</param>
    public static EiNetwork Build(DcDecomposition split, IReadOnlyList<double[]> samples, double a = 2.0, double? precision = null, double dt = 0.01, double noise = 0.0, double mu = 0.0, double? maxRate = null)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(samples);
        int m = samples.Count > 0 ? samples[0].Length : split.Q.Pieces[0].Slope.Count;
        var module = BuildModule(split, samples, ModuleWiring.Direct(m), a, precision, dt, noise, mu, RateBudget, maxRate);
        return new EiNetwork(new LowRankNetwork([module.Excitatory, module.Inhibitory]), module.Decomposition, a, module.Precision, module.PeakRatePerTau);
    }

    /// <summary>
    /// Builds one E-I module whose boundaries live in the space of its own variables (external inputs or other
    /// modules' latents, as <paramref name="wiring"/> says) and checks Dale's law, positivity of y_E* and local
    /// stability (eq. 2.41). A variable read from a latent enters through encoders, which Dale's law keeps ≥ 0: a
    /// piece with a negative slope in it listens to the latent's negated copy (<see cref="ModuleVariable.NegatedLatent"/>)
    /// with the slope's magnitude instead.
    /// </summary>
    /// <param name="split">f = q − p over the module's variables.</param>
    /// <param name="samples">Points of the module's variable box (used for decoders and checks).</param>
    /// <param name="wiring">Population names and where each variable comes from.</param>
    /// <param name="a">Slope of the I boundary in y_E; stability needs a &gt; 1.</param>
    /// <param name="precision">|D_I|; null picks the finest the rate budget allows.</param>
    /// <param name="dt">The time step the network will be simulated with (τ).</param>
    /// <param name="noise">Current-noise std σ of both populations.</param>
    /// <param name="mu">Soft refractory cost μ of both populations.</param>
    /// <param name="rateBudget">
    /// Fraction of the one-spike-per-step ceiling 1/dt the module may need (default <see cref="RateBudget"/>); modules
    /// of one network share the ceiling, since the clock engine fires at most one spike per step in the whole network.
    /// </param>
    /// <param name="maxRate">
    /// Largest rate (spikes per τ) any one neuron may need; null: one neuron per boundary piece. Each piece is held by
    /// as many identical copies as its peak rate requires; a soft refractory cost lets the copies take turns.
    /// </param>
    /// <exception cref="ModelValidationException">When the module would violate Dale's law or be unstable.</exception>
    public static EiModule BuildModule(DcDecomposition split, IReadOnlyList<double[]> samples, ModuleWiring wiring, double a = 2.0, double? precision = null, double dt = 0.01, double noise = 0.0, double mu = 0.0, double rateBudget = RateBudget, double? maxRate = null)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(wiring);
        LowRankNetwork.RequireFinite("a", a);
        if (precision is { } given && !(given > 0 && double.IsFinite(given)))
        {
            throw new ModelValidationException("precision", $"the spike jump size must be a finite number > 0 (got {given})");
        }

        CheckStability(a, samples);
        split = Rebalance(split, samples, a);
        var scaledP = Scale(split.P, a - 1);
        var scaledQ = Scale(split.Q, a - 1);
        foreach (var x in samples)
        {
            var (yE, _) = Crossing(split, a, x);
            if (yE < -1e-9)
            {
                throw new ModelValidationException("function", $"f(x) = {yE:G4} < 0 at x = ({Format(x)}): the excitatory latent y_E is ≥ 0 under Dale's law; add a constant so f > 0 on the range");
            }
        }

        // Decoders (App. D): the jump vector (D_E, D_I) points along the crossing (y_E*, y_I*), so each E-then-I
        // pair of spikes pushes back against the leak. Its size s = |D_I| bounds how far one spike moves the E
        // boundary; D_E = s·ρ with ρ = y_E*/|y_I*| where the neuron forms the boundary (kept in [0.1, 1] so
        // excitation never stalls). Holding the crossing needs y_E*/D_E + |y_I*|/|D_I| spikes per τ.
        int nI = scaledP.Pieces.Count, nE = scaledQ.Pieces.Count;
        var ratioSum = new double[nE];
        var ratioCount = new int[nE];
        foreach (var x in samples)
        {
            var (yE, yI) = Crossing(split, a, x);
            int j = scaledQ.ActivePiece(x);
            ratioSum[j] += yE / Math.Max(-yI, 1e-12);
            ratioCount[j]++;
        }

        double meanRatio = ratioCount.Sum() > 0 ? ratioSum.Sum() / ratioCount.Sum() : 1.0 / a;
        var rho = new double[nE];
        for (int j = 0; j < nE; j++)
        {
            rho[j] = Math.Clamp(ratioCount[j] > 0 ? ratioSum[j] / ratioCount[j] : meanRatio, 0.1, 1.0);
        }

        double load = 0; // max over inputs of (y_E*/ρ + |y_I*|): spikes per τ at unit precision
        foreach (var x in samples)
        {
            var (yE, yI) = Crossing(split, a, x);
            load = Math.Max(load, (yE / rho[scaledQ.ActivePiece(x)]) + Math.Abs(yI));
        }

        double finest = Math.Max(load * dt / rateBudget, 1e-9);
        double s = precision ?? finest;
        if (s < finest)
        {
            throw new ModelValidationException(
                "precision",
                $"a spike jump of {s:G3} needs up to {load / s:G3} spikes per τ to hold the crossing, beyond {rateBudget:P0} of the one-spike-per-step ceiling 1/dt = {1 / dt:G3}; use a precision ≥ {finest:G3} or a smaller dt");
        }

        string yEName = Population.LatentNameOf(wiring.Excitatory), yIName = Population.LatentNameOf(wiring.Inhibitory);
        var dE = rho.Select(r => s * r).ToArray();
        var dI = Fill(nI, -s);
        var negated = new SortedSet<string>(StringComparer.Ordinal);
        var (ffI, encI) = Wire(scaledP, wiring, negated);
        var (ffE, encE) = Wire(scaledQ, wiring, negated);
        encI[yEName] = Fill(nI, a);
        encI[yIName] = Fill(nI, 1.0);
        encE[yEName] = Fill(nE, 1.0);
        encE[yIName] = Fill(nE, 1.0);
        var tI = scaledP.Pieces.Select(pc => -pc.Intercept).ToArray();
        var tE = scaledQ.Pieces.Select(pc => -pc.Intercept).ToArray();
        double muI = mu, muE = mu;
        int[] copiesI = Enumerable.Repeat(1, nI).ToArray(), copiesE = Enumerable.Repeat(1, nE).ToArray();
        if (maxRate is { } cap)
        {
            if (!(cap > 0) || !double.IsFinite(cap))
            {
                throw new ModelValidationException("max-rate", $"the largest rate per neuron must be a finite number > 0 spikes per τ (got {cap})");
            }

            // Peak rate of each piece where it forms the boundary: |y_I*|/|D_I| for an I piece, y_E*/D_E for an E piece.
            var peakI = new double[nI];
            var peakE = new double[nE];
            foreach (var x in samples)
            {
                var (yE, yI) = Crossing(split, a, x);
                int i = scaledP.ActivePiece(x), j = scaledQ.ActivePiece(x);
                peakI[i] = Math.Max(peakI[i], Math.Abs(yI) / s);
                peakE[j] = Math.Max(peakE[j], yE / dE[j]);
            }

            copiesI = peakI.Select(r => Copies(r, cap)).ToArray();
            copiesE = peakE.Select(r => Copies(r, cap)).ToArray();
            muI = Math.Max(mu, copiesI.Any(c => c > 1) ? TurnTakingCost * s : 0);
            muE = Math.Max(mu, copiesE.Any(c => c > 1) ? TurnTakingCost * dE.Min() : 0);
        }

        var inh = new Population(wiring.Inhibitory, PopulationKind.Inhibitory, Repeat(ffI, copiesI), Repeat(tI, copiesI), Repeat(dI, copiesI), RepeatColumns(encI, copiesI), muI, noise);
        var exc = new Population(wiring.Excitatory, PopulationKind.Excitatory, Repeat(ffE, copiesE), Repeat(tE, copiesE), Repeat(dE, copiesE), RepeatColumns(encE, copiesE), muE, noise);
        return new EiModule(exc, inh, split, a, s, load / s, negated.ToArray());
    }

    /// <summary>
    /// Soft refractory cost (as a fraction of the spike jump) given to populations whose pieces are held by several
    /// copies: the copy that fired is pushed that much below the others, so the next spike comes from the copy that
    /// fired longest ago and the copies take turns (§3: a soft refractory period spreads the spikes).
    /// </summary>
    public const double TurnTakingCost = 0.05;

    /// <summary>
    /// Headroom on the estimated peak rate of a piece: the estimate is the rate that holds the crossing against the
    /// leak; a moving input needs more (the boundary moves and the latent must follow it).
    /// </summary>
    public const double RateHeadroom = 1.25;

    /// <summary>Copies of a piece needed so that none fires faster than the cap, with <see cref="RateHeadroom"/>.</summary>
    public static int Copies(double peakRate, double maxRate) => Math.Max(1, (int)Math.Ceiling((RateHeadroom * peakRate / maxRate) - 1e-9));

    private static T[] Repeat<T>(T[] items, int[] copies) => items.SelectMany((item, i) => Enumerable.Repeat(item, copies[i])).ToArray();

    private static Dictionary<string, double[]> RepeatColumns(Dictionary<string, double[]> encoders, int[] copies) =>
        encoders.ToDictionary(kv => kv.Key, kv => Repeat(kv.Value, copies), StringComparer.Ordinal);

    /// <summary>
    /// Feedforward rows (external variables) and encoders (latent variables) of one boundary's pieces. Encoders are
    /// ≥ 0 under Dale's law, so a negative slope in a latent variable is carried by the latent's negated copy.
    /// </summary>
    private static (double[][] Feedforward, Dictionary<string, double[]> Encoders) Wire(ConvexPiecewiseAffine boundary, ModuleWiring wiring, SortedSet<string> negated)
    {
        int n = boundary.Pieces.Count;
        var ff = new double[n][];
        var enc = new Dictionary<string, double[]>(StringComparer.Ordinal);
        double scale = boundary.Pieces.Max(pc => pc.Slope.Count == 0 ? 0 : pc.Slope.Max(Math.Abs));
        double zero = 1e-12 * Math.Max(scale, 1e-300);
        for (int i = 0; i < n; i++)
        {
            ff[i] = new double[wiring.InputDimension];
            var slope = boundary.Pieces[i].Slope;
            for (int d = 0; d < wiring.Variables.Count; d++)
            {
                var v = wiring.Variables[d];
                double w = slope[d];
                if (v.ExternalIndex is int xi)
                {
                    ff[i][xi] += w;
                    continue;
                }

                if (Math.Abs(w) <= zero)
                {
                    continue;
                }

                string latent = w > 0 ? v.Latent! : v.NegatedLatent!;
                if (w < 0)
                {
                    negated.Add(v.Latent!);
                }

                if (!enc.TryGetValue(latent, out var column))
                {
                    column = new double[n];
                    enc[latent] = column;
                }

                column[i] += Math.Abs(w);
            }
        }

        return (ff, enc);
    }

    /// <summary>
    /// Subtracting one affine function L from both p and q leaves q − p = f, and both convex, but changes the
    /// inhibitory latent y_I* = −((a − 1)·p + a·f). Choose L so that p stays ≥ 0 (so |y_I*| ≥ a·y_E* and inhibition
    /// always holds the crossing) with the smallest largest value: a Theorem-2 split lets p grow with every negative
    /// slope jump (to 12.8 over the saw of Fig. 5), and every unit of |y_I*| costs spikes at the one-spike-per-step
    /// ceiling. L is p's best supporting affine function (its slope equalises p − L at the range's extremes).
    /// </summary>
    public static DcDecomposition Rebalance(DcDecomposition split, IReadOnlyList<double[]> samples, double a)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return split;
        }

        int m = samples[0].Length;
        double[] g = samples.Select(x => (a - 1) * split.P.Value(x)).ToArray();
        double[] slope = new double[m];
        if (m == 1)
        {
            // Brute force over slopes between the extreme chord slopes of g.
            var order = Enumerable.Range(0, samples.Count).OrderBy(i => samples[i][0]).ToArray();
            double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            for (int k = 1; k < order.Length; k++)
            {
                double dx = samples[order[k]][0] - samples[order[k - 1]][0];
                if (dx > 0)
                {
                    double chord = (g[order[k]] - g[order[k - 1]]) / dx;
                    lo = Math.Min(lo, chord);
                    hi = Math.Max(hi, chord);
                }
            }

            double best = double.PositiveInfinity;
            for (int c = 0; c <= 800 && double.IsFinite(lo); c++)
            {
                double sigma = lo + ((hi - lo) * c / 800);
                double spread = Spread(g, samples, [sigma]);
                if (spread < best)
                {
                    best = spread;
                    slope[0] = sigma;
                }
            }
        }
        else
        {
            slope = LeastSquaresSlope(g, samples);
        }

        double intercept = double.PositiveInfinity;
        for (int i = 0; i < samples.Count; i++)
        {
            intercept = Math.Min(intercept, g[i] - Dot(slope, samples[i]));
        }

        // ℓ = slope·x + intercept is subtracted from g = (a − 1)·p, i.e. L = ℓ/(a − 1) from p and from q.
        var lSlope = slope.Select(v => v / (a - 1)).ToArray();
        double lIntercept = intercept / (a - 1);
        ConvexPiecewiseAffine Shift(ConvexPiecewiseAffine h) =>
            new(h.Pieces.Select(pc => new AffinePiece(pc.Slope.Select((v, d) => v - lSlope[d]).ToArray(), pc.Intercept - lIntercept)).ToArray());
        return new DcDecomposition(Shift(split.Q), Shift(split.P), split.Method);
    }

    private static double Spread(double[] g, IReadOnlyList<double[]> samples, double[] slope)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int i = 0; i < g.Length; i++)
        {
            double r = g[i] - Dot(slope, samples[i]);
            min = Math.Min(min, r);
            max = Math.Max(max, r);
        }

        return max - min;
    }

    private static double[] LeastSquaresSlope(double[] g, IReadOnlyList<double[]> samples)
    {
        int m = samples[0].Length;
        var mean = Enumerable.Range(0, m).Select(d => samples.Average(s => s[d])).ToArray();
        double gMean = g.Average();
        var slope = new double[m];
        for (int d = 0; d < m; d++)
        {
            double cov = 0, variance = 0;
            for (int i = 0; i < g.Length; i++)
            {
                cov += (samples[i][d] - mean[d]) * (g[i] - gMean);
                variance += (samples[i][d] - mean[d]) * (samples[i][d] - mean[d]);
            }

            slope[d] = variance > 0 ? cov / variance : 0;
        }

        return slope;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int d = 0; d < a.Length; d++)
        {
            s += a[d] * b[d];
        }

        return s;
    }

    /// <summary>The crossing (y_E*, y_I*) at x: y_E* = q − p, y_I* = −(a − 1)·p − a·y_E*.</summary>
    public static (double YE, double YI) Crossing(DcDecomposition split, double a, ReadOnlySpan<double> x)
    {
        ArgumentNullException.ThrowIfNull(split);
        double p = split.P.Value(x);
        double yE = split.Q.Value(x) - p;
        return (yE, (-(a - 1) * p) - (a * yE));
    }

    /// <summary>
    /// Local stability of the crossing (eq. 2.41): the inhibitory boundary must be steeper than the excitatory one in
    /// the (y_E, |y_I|) plane, E^IE/E^II &gt; E^EE/E^EI, for the pair of neurons forming the crossing at every input.
    /// In this construction the ratio is a against 1 everywhere.
    /// </summary>
    public static void CheckStability(double a, IReadOnlyList<double[]> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (a > 1)
        {
            return;
        }

        string region = samples.Count == 0 ? "every input" : RegionText(samples);
        throw new ModelValidationException(
            "a",
            $"the E-I crossing is unstable for {region}: the inhibitory boundary slope E^IE/E^II = {a:G4} must exceed the excitatory slope E^EE/E^EI = 1 (eq. 2.41); choose a > 1 (the paper uses a = 2)");
    }

    private static string RegionText(IReadOnlyList<double[]> samples)
    {
        int m = samples[0].Length;
        var lo = Enumerable.Range(0, m).Select(d => samples.Min(s => s[d])).ToArray();
        var hi = Enumerable.Range(0, m).Select(d => samples.Max(s => s[d])).ToArray();
        return m == 1 ? $"x in [{lo[0]:G4}, {hi[0]:G4}]" : "the input box " + string.Join(" × ", Enumerable.Range(0, m).Select(d => $"[{lo[d]:G4}, {hi[d]:G4}]"));
    }

    private static ConvexPiecewiseAffine Scale(ConvexPiecewiseAffine g, double s) =>
        new(g.Pieces.Select(pc => new AffinePiece(pc.Slope.Select(v => v * s).ToArray(), pc.Intercept * s)).ToArray());

    private static double[] Fill(int n, double value) => Enumerable.Repeat(value, n).ToArray();

    private static string Format(double[] x) => string.Join(", ", x.Select(v => v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)));
}
