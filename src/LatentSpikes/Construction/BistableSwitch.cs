using LatentSpikes.Inputs;
using LatentSpikes.Model;

namespace LatentSpikes.Construction;

/// <summary>
/// What a bistable switch should do: at input x = 0 its E and I boundaries cross three times, at y_E = Low (stable),
/// Unstable and High (stable); the input x shifts the E boundary, so the low state disappears at
/// <see cref="BistableSwitchNetwork.SwitchUp"/> and the high one at <see cref="BistableSwitchNetwork.SwitchDown"/>.
/// </summary>
/// <param name="Low">The low stable state y_E (&gt; 0).</param>
/// <param name="Unstable">The unstable crossing between them (the barrier).</param>
/// <param name="High">The high stable state.</param>
/// <param name="Slope">|d(B_I − B_E)/dy_E| at the crossings: how strongly the states attract (larger: steeper, faster).</param>
/// <param name="Gain">Feedforward weight w of the input onto the E neurons.</param>
/// <param name="Precision">Spike jump: E decoders +Precision, I decoders −Precision.</param>
/// <param name="Copies">Neurons per boundary facet; identical copies take turns (with noise), lowering each one's rate.</param>
/// <param name="Noise">Current-noise std σ of every neuron.</param>
public sealed record BistableSwitchDesign(
    double Low = 0.5,
    double Unstable = 1.0,
    double High = 1.5,
    double Slope = 2.0,
    double Gain = 1.0,
    double Precision = 0.02,
    int Copies = 1,
    double Noise = 0.0);

/// <summary>A built switch: the network and what its geometry guarantees.</summary>
/// <param name="Network">Populations E and I (Copies neurons per facet, 2 facets each), latents y_E and y_I.</param>
/// <param name="Design">The design it was built from.</param>
/// <param name="SwitchUp">Input at which the low state and the barrier meet and vanish: the switch flips up beyond it.</param>
/// <param name="SwitchDown">Input below which the high state vanishes: the switch flips down.</param>
/// <param name="CrossingYI">y_I at the three crossings at x = 0 (low, unstable, high).</param>
public sealed record BistableSwitchNetwork(LowRankNetwork Network, BistableSwitchDesign Design, double SwitchUp, double SwitchDown, double[] CrossingYI)
{
    /// <summary>The crossings (y_E*, y_I*) at x = 0: low, unstable, high.</summary>
    public IReadOnlyList<(double YE, double YI)> Crossings =>
        [(Design.Low, CrossingYI[0]), (Design.Unstable, CrossingYI[1]), (Design.High, CrossingYI[2])];

    /// <summary>An experiment of this switch driven by <paramref name="input"/>, started in the low or high state.</summary>
    public Experiment Experiment(InputSignal input, double duration, double dt = 0.001, bool startHigh = false, ulong seed = 1, string name = "bistable-switch")
    {
        ArgumentNullException.ThrowIfNull(input);
        var (yE, yI) = startHigh ? Crossings[2] : Crossings[0];
        return new Experiment(
            Network,
            [input],
            new SimulationSettings { Dt = dt, Duration = duration, Seed = seed, RecordEvery = Math.Max(1, (int)Math.Round(0.01 / dt)) },
            initialLatents: new Dictionary<string, double> { ["y_E"] = yE, ["y_I"] = yI },
            name: name,
            description: $"bistable switch: stable y_E = {Design.Low:G4} and {Design.High:G4}, barrier {Design.Unstable:G4} at x = 0; flips up beyond x = {SwitchUp:G4}, down below x = {SwitchDown:G4}");
    }
}

/// <summary>
/// Builds a rank-2 E-I network with <b>multiple boundary crossings</b>, the paper's route to bistability (seed 002
/// §2.6: "simple dynamical motifs such as bistability can be achieved even in the rank-2 EI network provided that
/// there are multiple boundary crossings"). In the (y_E, |y_I|) plane each boundary is the upper envelope of its
/// neurons' threshold lines, a convex function: B_E(y_E) + w·x for E, B_I(y_E) for I. Their difference
/// D = B_I − B_E is a difference of convex functions, so it can be any piecewise-linear function (Theorem 2); the
/// switch takes D with slopes +s, −s, +s, whose three roots are the crossings. A crossing is stable where the I
/// boundary is the steeper (D' &gt; 0, eq. 2.41) and unstable where it is not (D' &lt; 0).
/// <para>
/// Two further conditions make the stable crossings hold in the spiking network. The latents leak toward the origin,
/// along the ray through the state; the E threshold line of a stable crossing must meet |y_I| ≥ 0 at y_E = 0 above
/// the origin (a non-negative intercept), so that the leak carries the state into the E-suprathreshold side and E
/// fires to restore it; the offset of both boundaries is chosen so that this holds with a margin of 1 for every
/// input where the state exists. And the input must move one boundary against the other: it enters the E neurons
/// only, so D(y_E; x) = D(y_E) − w·x, and the low state meets the barrier at w·x = max D = s(U − L)/2 (switch up),
/// the high state at w·x = min D = −s(H − U)/2 (switch down): a hysteresis loop of width s(H − L)/(2w).
/// </para>
/// </summary>
public static class BistableSwitch
{
    /// <summary>Builds the network.</summary>
    /// <exception cref="ModelValidationException">For a design that is not 0 &lt; Low &lt; Unstable &lt; High with positive slope, gain, precision and copies.</exception>
    public static BistableSwitchNetwork Build(BistableSwitchDesign design)
    {
        ArgumentNullException.ThrowIfNull(design);
        Check(design);
        double s = design.Slope;
        double w = design.Gain;
        double y1 = design.Low;
        double y2 = design.Unstable;
        double y3 = design.High;
        double k1 = 0.5 * (y1 + y2);
        double k2 = 0.5 * (y2 + y3);
        double up = s * (y2 - y1) / (2 * w);
        double down = -s * (y3 - y2) / (2 * w);

        // B_E(y) = A + b·y + 2s·max(0, y − k1); B_I(y) = A − s·y1 + (b + s)·y + 2s·max(0, y − k2), so that
        // B_I − B_E = s(y − y1) − 2s·max(0, y − k1) + 2s·max(0, y − k2). The E facet of the high state has intercept
        // A − 2s·k1 + w·x: at least 1 down to the switch-down input.
        const double b = 0.5;
        double a = (2 * s * k1) - (w * down) + 1;
        double[] eSlopes = [b, b + (2 * s)];
        double[] eIntercepts = [a, a - (2 * s * k1)];
        double[] iSlopes = [b + s, b + (3 * s)];
        double[] iIntercepts = [a - (s * y1), a - (s * y1) - (2 * s * k2)];

        // A neuron at threshold on the line |y_I| = c·y_E + d + F·x: V = e·(F·x + c·y_E + y_I) reaches T = −e·d there,
        // for any scale e > 0 of its encoders. I neurons take e = 1 (E^II = 1); E neurons take e = 1/c, so that every
        // E neuron's self-excitation E^EE = 1 as in the paper's constructions. The geometry is the same either way,
        // but the rate twin's E-I loop is stable only if inhibition outweighs self-excitation (trace of the Jacobian
        // below zero), which a steep E facet with E^EE = c ≫ 1 would break.
        Population Facets(string name, PopulationKind kind, double[] slopes, double[] intercepts, double gain, double decoder, bool unitSelf)
        {
            int n = design.Copies * slopes.Length;
            var ff = new double[n][];
            var thresholds = new double[n];
            var toE = new double[n];
            var toI = new double[n];
            for (int f = 0; f < slopes.Length; f++)
            {
                for (int c = 0; c < design.Copies; c++)
                {
                    int i = (f * design.Copies) + c;
                    double e = unitSelf ? 1 / slopes[f] : 1.0;
                    ff[i] = [e * gain];
                    thresholds[i] = -e * intercepts[f];
                    toE[i] = e * slopes[f];
                    toI[i] = e;
                }
            }

            return new Population(
                name,
                kind,
                ff,
                thresholds,
                Enumerable.Repeat(decoder, n).ToArray(),
                new Dictionary<string, double[]> { ["y_E"] = toE, ["y_I"] = toI },
                noiseSigma: design.Noise);
        }

        var exc = Facets("E", PopulationKind.Excitatory, eSlopes, eIntercepts, w, design.Precision, unitSelf: true);
        var inh = Facets("I", PopulationKind.Inhibitory, iSlopes, iIntercepts, 0, -design.Precision, unitSelf: false);
        double BE(double y) => a + (b * y) + (2 * s * Math.Max(0, y - k1));
        return new BistableSwitchNetwork(new LowRankNetwork([exc, inh]), design, up, down, [-BE(y1), -BE(y2), -BE(y3)]);
    }

    private static void Check(BistableSwitchDesign d)
    {
        if (!(double.IsFinite(d.Low) && d.Low > 0 && d.Unstable > d.Low && d.High > d.Unstable && double.IsFinite(d.High)))
        {
            throw new ModelValidationException("states", $"need 0 < low < unstable < high (got {d.Low:G4}, {d.Unstable:G4}, {d.High:G4})");
        }

        foreach (var (field, value) in new[] { ("slope", d.Slope), ("gain", d.Gain), ("precision", d.Precision) })
        {
            if (!(double.IsFinite(value) && value > 0))
            {
                throw new ModelValidationException(field, $"must be a finite number > 0 (got {value})");
            }
        }

        if (d.Copies < 1 || d.Copies > 100_000)
        {
            throw new ModelValidationException("copies", $"must be between 1 and 100,000 (got {d.Copies})");
        }

        if (!(double.IsFinite(d.Noise) && d.Noise >= 0))
        {
            throw new ModelValidationException("noise", $"must be a finite number ≥ 0 (got {d.Noise})");
        }
    }
}
