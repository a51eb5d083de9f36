using LatentSpikes.Model;

namespace LatentSpikes.Geometry;

/// <summary>Where a state (x, y_E, y_I) of a rank-2 E-I network lies relative to the two boundaries (Fig. 4c).</summary>
public enum EiRegion
{
    /// <summary>Every E and every I neuron below threshold: both latents leak toward zero (grey in Fig. 4c).</summary>
    BothSubthreshold,

    /// <summary>Some E neuron at or above threshold, every I neuron below: excitation grows (red).</summary>
    ExcitatorySuprathreshold,

    /// <summary>Some I neuron at or above threshold, every E neuron below: inhibition grows (blue).</summary>
    InhibitorySuprathreshold,

    /// <summary>Both populations have a neuron at or above threshold; inhibition fires first (purple).</summary>
    BothSuprathreshold,
}

/// <summary>A point where the excitatory and inhibitory boundaries cross at a fixed input (Fig. 4c-d, 5a).</summary>
/// <param name="X">The input.</param>
/// <param name="YE">Excitatory latent y_E at the crossing.</param>
/// <param name="YI">Inhibitory latent y_I at the crossing.</param>
/// <param name="ExcitatoryNeuron">The E neuron forming the E boundary there.</param>
/// <param name="InhibitoryNeuron">The I neuron forming the I boundary there.</param>
/// <param name="Stable">
/// True when the I boundary is the steeper one in the (y_E, |y_I|) plane, the local stability condition of
/// eq. 2.41 (with inhibition firing first); false for the opposite order or where the boundaries only touch.
/// </param>
public sealed record EiCrossing(double X, double YE, double YI, int ExcitatoryNeuron, int InhibitoryNeuron, bool Stable)
{
    /// <summary>True when the crossing lies where the latents can be: y_E ≥ 0 (E decoders ≥ 0) and y_I ≤ 0.</summary>
    public bool Reachable => YE >= -EiBoundaries.Tolerance && YI <= EiBoundaries.Tolerance;
}

/// <summary>The operating crossing point sampled over an input range (the network's input-output function, Fig. 5b-d).</summary>
/// <param name="X">Inputs, increasing.</param>
/// <param name="YE">y_E* at each input, NaN where there is no stable reachable crossing.</param>
/// <param name="YI">y_I* at each input, NaN where there is none.</param>
/// <param name="ExcitatoryNeuron">The E neuron forming the crossing, −1 where there is none.</param>
/// <param name="InhibitoryNeuron">The I neuron forming the crossing, −1 where there is none.</param>
public sealed record EiCrossingCurve(double[] X, double[] YE, double[] YI, int[] ExcitatoryNeuron, int[] InhibitoryNeuron);

/// <summary>
/// The geometry of a rank-2 E-I network with a one-dimensional input (seed 002, §2.6-2.7, Figs. 4-5): one excitatory
/// population E and one inhibitory population I, each listening to y_E and y_I (eq. 2.35-2.36). At a fixed input
/// x, neuron i of either population is at threshold on the line F_i·x + E_i^E·y_E + E_i^I·y_I = T_i of the
/// (y_E, y_I) plane. With E_i^I &gt; 0 this is a function y_I = (T_i − F_i·x − E_i^E·y_E)/E_i^I, the neuron is
/// suprathreshold above it, and the population boundary (where its most depolarised neuron is at threshold) is
/// the lower envelope of its neurons' lines. The two boundaries cut the plane into four regions and cross where
/// the network settles; with the construction of §2.7 the crossing is y_E* = q(x) − p(x).
/// </summary>
public sealed class EiBoundaries
{
    /// <summary>Absolute tolerance used to merge crossings found at a shared breakpoint and to test reachability.</summary>
    public const double Tolerance = 1e-9;

    private readonly double[] _eEE;
    private readonly double[] _eEI;
    private readonly double[] _eIE;
    private readonly double[] _eII;

    private EiBoundaries(Population excitatory, Population inhibitory)
    {
        Excitatory = excitatory;
        Inhibitory = inhibitory;
        _eEE = EncoderOrZero(excitatory, ExcitatoryLatent);
        _eEI = EncoderOrZero(excitatory, InhibitoryLatent);
        _eIE = EncoderOrZero(inhibitory, ExcitatoryLatent);
        _eII = EncoderOrZero(inhibitory, InhibitoryLatent);
    }

    /// <summary>The excitatory population.</summary>
    public Population Excitatory { get; }

    /// <summary>The inhibitory population.</summary>
    public Population Inhibitory { get; }

    /// <summary>Name of the excitatory latent (<c>y_&lt;E name&gt;</c>).</summary>
    public string ExcitatoryLatent => Excitatory.LatentName;

    /// <summary>Name of the inhibitory latent (<c>y_&lt;I name&gt;</c>).</summary>
    public string InhibitoryLatent => Inhibitory.LatentName;

    /// <summary>
    /// Recognises a rank-2 E-I network: a 1-D input, exactly one excitatory and one inhibitory population, encoders
    /// only onto the two populations' own latents, at least one cross encoder (else the populations are two
    /// independent rank-1 networks), and every neuron with an encoder &gt; 0 onto y_I (so each threshold is a
    /// function y_I(y_E)).
    /// </summary>
    /// <param name="network">The network.</param>
    /// <param name="reason">Why the network does not qualify; empty when it does.</param>
    /// <returns>The geometry, or null.</returns>
    public static EiBoundaries? TryCreate(LowRankNetwork network, out string reason)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.InputDimension != 1)
        {
            reason = $"geometry figures need a 1-D input (this spec has {network.InputDimension} input dimensions)";
            return null;
        }

        var pops = network.Populations;
        if (pops.Count != 2
            || pops.Count(p => p.Kind == PopulationKind.Excitatory) != 1
            || pops.Count(p => p.Kind == PopulationKind.Inhibitory) != 1)
        {
            reason = $"the E-I plane needs exactly one excitatory and one inhibitory population (this network has {pops.Count}: {Describe(pops)})";
            return null;
        }

        var e = pops.First(p => p.Kind == PopulationKind.Excitatory);
        var i = pops.First(p => p.Kind == PopulationKind.Inhibitory);
        var allowed = new HashSet<string>([e.LatentName, i.LatentName], StringComparer.Ordinal);
        foreach (var p in pops)
        {
            string? foreign = p.Encoders.Keys.Where(k => !allowed.Contains(k)).Order(StringComparer.Ordinal).FirstOrDefault();
            if (foreign is not null)
            {
                reason = $"population '{p.Name}' listens to {foreign}, which is neither {e.LatentName} nor {i.LatentName}; the E-I plane has only those two latents";
                return null;
            }
        }

        bool coupled = e.Encoders.ContainsKey(i.LatentName) || i.Encoders.ContainsKey(e.LatentName);
        if (!coupled)
        {
            reason = "the excitatory and inhibitory populations do not listen to each other's latent, so they form no E-I crossing";
            return null;
        }

        foreach (var p in pops)
        {
            double[] toI = EncoderOrZero(p, i.LatentName);
            double[] toE = EncoderOrZero(p, e.LatentName);
            for (int n = 0; n < p.Size; n++)
            {
                if (!(toI[n] > 0))
                {
                    reason = $"population '{p.Name}': neuron {n} has encoder {toI[n]} onto {i.LatentName}; the E-I plane needs every encoder onto {i.LatentName} > 0 (each threshold a function {i.LatentName}({e.LatentName}))";
                    return null;
                }

                if (toE[n] < 0)
                {
                    reason = $"population '{p.Name}': neuron {n} has a negative encoder onto {e.LatentName}";
                    return null;
                }
            }
        }

        reason = string.Empty;
        return new EiBoundaries(e, i);
    }

    /// <summary>
    /// The local stability condition of eq. 2.41 checked over the inputs an experiment's protocol covers: null when the
    /// network is no rank-2 E-I network with a 1-D input, or when at every sampled input some reachable crossing is
    /// stable; otherwise a warning naming the inputs where every reachable crossing is unstable. There the latents
    /// are not held: E and I fire in turn every step (the runaway guard, which looks for excitation unchecked by
    /// inhibition, does not stop such a run), so <c>validate</c> and <c>simulate</c> print the warning.
    /// </summary>
    /// <param name="experiment">The experiment.</param>
    /// <param name="samples">Inputs sampled evenly over the protocol's range.</param>
    public static string? StabilityWarning(Experiment experiment, int samples = 101)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        if (TryCreate(experiment.Network, out _) is not { } ei)
        {
            return null;
        }

        var range = InputProtocol.Range(experiment, 0);
        var unstable = new List<double>();
        for (int s = 0; s < samples; s++)
        {
            double x = samples == 1 || range.Max <= range.Min ? range.Min : range.Min + ((range.Max - range.Min) * s / (samples - 1));
            var reachable = ei.Crossings(x).Where(c => c.Reachable).ToList();
            if (reachable.Count > 0 && !reachable.Any(c => c.Stable))
            {
                unstable.Add(x);
            }
        }

        if (unstable.Count == 0)
        {
            return null;
        }

        string where = unstable.Min() == unstable.Max() ? $"x = {unstable[0]:G4}" : $"x in [{unstable.Min():G4}, {unstable.Max():G4}]";
        return $"the E-I crossing is unstable at {where}: there the inhibitory boundary is not steeper than the excitatory one (eq. 2.41 needs E^IE/E^II > E^EE/E^EI), so the latents are not held at the crossing: expect a runaway or a spike in every step";
    }

    /// <summary>Like <see cref="TryCreate"/>, but throws.</summary>
    /// <exception cref="ArgumentException">When the network is not a rank-2 E-I network with a 1-D input.</exception>
    public static EiBoundaries Create(LowRankNetwork network) =>
        TryCreate(network, out string reason) ?? throw new ArgumentException(reason, nameof(network));

    /// <summary>The population of a kind (<see cref="PopulationKind.Excitatory"/> or <see cref="PopulationKind.Inhibitory"/>).</summary>
    public Population PopulationOf(PopulationKind kind) => kind switch
    {
        PopulationKind.Excitatory => Excitatory,
        PopulationKind.Inhibitory => Inhibitory,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "an E-I network has an excitatory and an inhibitory population"),
    };

    /// <summary>
    /// Neuron <paramref name="neuron"/>'s threshold line at input x as y_I(y_E): (T_i − F_i·x − E_i^E·y_E)/E_i^I.
    /// </summary>
    public double ThresholdLine(PopulationKind kind, int neuron, double x, double yE)
    {
        var (toE, toI) = Encoders(kind);
        var p = PopulationOf(kind);
        return (p.Thresholds[neuron] - (p.Feedforward(neuron, 0) * x) - (toE[neuron] * yE)) / toI[neuron];
    }

    /// <summary>
    /// The boundary of one population at input x as a function y_I(y_E): the lower envelope of its neurons'
    /// threshold lines (line i is neuron i). The population is suprathreshold where y_I ≥ the envelope.
    /// </summary>
    public LowerEnvelope Boundary(PopulationKind kind, double x)
    {
        var (toE, toI) = Encoders(kind);
        var p = PopulationOf(kind);
        var a = new double[p.Size];
        var b = new double[p.Size];
        for (int n = 0; n < p.Size; n++)
        {
            a[n] = (p.Thresholds[n] - (p.Feedforward(n, 0) * x)) / toI[n];
            b[n] = -toE[n] / toI[n];
        }

        return new LowerEnvelope(a, b);
    }

    /// <summary>The boundary of one population at (x, y_E), as the value of y_I.</summary>
    public double BoundaryAt(PopulationKind kind, double x, double yE) => Boundary(kind, x).Evaluate(yE);

    /// <summary>
    /// How far the most depolarised neuron of a population is above its threshold: max_i (V_i − T_i) with
    /// V_i = F_i·x + E_i^E·y_E + E_i^I·y_I (eq. 2.35-2.36). The population is suprathreshold when this is ≥ 0.
    /// </summary>
    public double Margin(PopulationKind kind, double x, double yE, double yI)
    {
        var (toE, toI) = Encoders(kind);
        var p = PopulationOf(kind);
        double best = double.NegativeInfinity;
        for (int n = 0; n < p.Size; n++)
        {
            double v = (p.Feedforward(n, 0) * x) + (toE[n] * yE) + (toI[n] * yI) - p.Thresholds[n];
            best = Math.Max(best, v);
        }

        return best;
    }

    /// <summary>Which of the four regions of Fig. 4c the state (x, y_E, y_I) lies in (at threshold counts as suprathreshold, as in the engine).</summary>
    public EiRegion Classify(double x, double yE, double yI)
    {
        bool e = Margin(PopulationKind.Excitatory, x, yE, yI) >= 0;
        bool i = Margin(PopulationKind.Inhibitory, x, yE, yI) >= 0;
        return (e, i) switch
        {
            (false, false) => EiRegion.BothSubthreshold,
            (true, false) => EiRegion.ExcitatorySuprathreshold,
            (false, true) => EiRegion.InhibitorySuprathreshold,
            _ => EiRegion.BothSuprathreshold,
        };
    }

    /// <summary>
    /// Every point where the two boundaries cross at input x, in increasing y_E. Both boundaries are
    /// piecewise linear in y_E, so their difference is linear between the union of their breakpoints and each
    /// crossing is solved exactly on its piece.
    /// </summary>
    public IReadOnlyList<EiCrossing> Crossings(double x)
    {
        var be = Boundary(PopulationKind.Excitatory, x);
        var bi = Boundary(PopulationKind.Inhibitory, x);
        double[] cuts = be.Breakpoints.Concat(bi.Breakpoints).Order().Distinct().ToArray();
        var found = new List<(double YE, double YI, int E, int I, int Direction)>();
        for (int piece = 0; piece <= cuts.Length; piece++)
        {
            double lo = piece == 0 ? double.NegativeInfinity : cuts[piece - 1];
            double hi = piece == cuts.Length ? double.PositiveInfinity : cuts[piece];
            double probe = (double.IsInfinity(lo), double.IsInfinity(hi)) switch
            {
                (true, true) => 0,
                // Step off a breakpoint by at least its own magnitude: beyond 2^53, hi − 1 would round back to hi,
                // and the probe would read the lines of the piece on the right.
                (true, false) => hi - Math.Max(1, Math.Abs(hi)),
                (false, true) => lo + Math.Max(1, Math.Abs(lo)),
                _ => 0.5 * (lo + hi),
            };
            int le = be.ActiveLineAt(probe);
            int li = bi.ActiveLineAt(probe);

            // h(y_E) = E boundary − I boundary, linear on this piece; stable where it rises (I steeper in |y_I|).
            double slope = be.Slope(le) - bi.Slope(li);
            double offset = be.Intercept(le) - bi.Intercept(li);
            if (slope == 0)
            {
                continue; // parallel pieces: no crossing, or the boundaries coincide along a segment (no single point)
            }

            double root = -offset / slope;
            double scale = Tolerance * Math.Max(1, Math.Abs(root));
            if (root < lo - scale || root > hi + scale)
            {
                continue;
            }

            found.Add((root, be.Line(le, root), le, li, Math.Sign(slope)));
        }

        // A crossing on a shared breakpoint is found from both sides; if the sides disagree the boundaries only touch.
        var result = new List<EiCrossing>();
        for (int k = 0; k < found.Count; k++)
        {
            var c = found[k];
            bool stable = c.Direction > 0;
            while (k + 1 < found.Count && Math.Abs(found[k + 1].YE - c.YE) <= Tolerance * Math.Max(1, Math.Abs(c.YE)))
            {
                stable &= found[k + 1].Direction > 0;
                k++;
            }

            result.Add(new EiCrossing(x, c.YE, c.YI, c.E, c.I, stable));
        }

        return result;
    }

    /// <summary>
    /// The operating point at input x: the stable, reachable crossing (y_E ≥ 0, y_I ≤ 0) with the smallest y_E, or
    /// null when there is none (e.g. the boundaries cross at y_E &lt; 0, where E stays silent). Several stable
    /// crossings (bistability, §2.6) are possible in general; the constructions of §2.7 have exactly one.
    /// </summary>
    public EiCrossing? Crossing(double x) => Crossings(x).FirstOrDefault(c => c.Stable && c.Reachable);

    /// <summary>The operating point on <paramref name="points"/> evenly spaced inputs from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public EiCrossingCurve CrossingCurve(double from, double to, int points)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 2);
        if (!double.IsFinite(from) || !double.IsFinite(to) || !(to > from))
        {
            throw new ArgumentException($"need finite from < to (got {from}, {to})", nameof(to));
        }

        var xs = new double[points];
        var ye = new double[points];
        var yi = new double[points];
        var ne = new int[points];
        var ni = new int[points];
        for (int k = 0; k < points; k++)
        {
            double x = from + ((to - from) * k / (points - 1));
            xs[k] = x;
            var c = Crossing(x);
            ye[k] = c?.YE ?? double.NaN;
            yi[k] = c?.YI ?? double.NaN;
            ne[k] = c?.ExcitatoryNeuron ?? -1;
            ni[k] = c?.InhibitoryNeuron ?? -1;
        }

        return new EiCrossingCurve(xs, ye, yi, ne, ni);
    }

    private (double[] ToE, double[] ToI) Encoders(PopulationKind kind) => kind switch
    {
        PopulationKind.Excitatory => (_eEE, _eEI),
        PopulationKind.Inhibitory => (_eIE, _eII),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "an E-I network has an excitatory and an inhibitory population"),
    };

    private static double[] EncoderOrZero(Population p, string latent) =>
        p.Encoders.TryGetValue(latent, out double[]? e) ? e : new double[p.Size];

    private static string Describe(IReadOnlyList<Population> pops) =>
        string.Join(", ", pops.Select(p => $"{p.Name}: {p.Kind.ToString().ToLowerInvariant()}"));
}
