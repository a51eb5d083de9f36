using LatentSpikes.Model;

namespace LatentSpikes.Geometry;

/// <summary>
/// The input-output geometry of a rank-1 population with a one-dimensional input (seed 002, §2.2-2.5, Figs. 2b-c
/// and 3b-c): every neuron's threshold is the line F_i·x + E_i·y = T_i in the (x, y) plane, the population boundary is
/// their lower envelope y = min_i (T_i − F_i·x)/E_i (the subthreshold set lies below it), and after a spike of the
/// neuron forming the boundary at x the latent sits at boundary + D(x), which bounds the precision band (eq. 2.18).
/// </summary>
public sealed class RankOneGeometry
{
    private readonly double[] _encoders;

    /// <summary>Builds the geometry of <paramref name="population"/>.</summary>
    /// <exception cref="ArgumentException">When <see cref="Supports"/> says no.</exception>
    public RankOneGeometry(Population population)
    {
        ArgumentNullException.ThrowIfNull(population);
        if (!Supports(population, out string reason))
        {
            throw new ArgumentException(reason, nameof(population));
        }

        Population = population;
        _encoders = population.Encoders[population.LatentName];
        var intercepts = new double[population.Size];
        var slopes = new double[population.Size];
        for (int i = 0; i < population.Size; i++)
        {
            intercepts[i] = population.Thresholds[i] / _encoders[i];
            slopes[i] = -population.Feedforward(i, 0) / _encoders[i];
        }

        Envelope = new LowerEnvelope(intercepts, slopes);
        BoundaryNeurons = Envelope.ActiveLines.Order().ToArray();
    }

    /// <summary>The population.</summary>
    public Population Population { get; }

    /// <summary>The boundary as a function of x; line i is neuron i's threshold line.</summary>
    public LowerEnvelope Envelope { get; }

    /// <summary>
    /// The neurons that form the boundary for some input, in index order. The others lie wholly inside the
    /// suprathreshold set of the rest and never fire in the noise-free network (App. B).
    /// </summary>
    public IReadOnlyList<int> BoundaryNeurons { get; }

    /// <summary>
    /// Whether a population has this geometry: a 1-D input, encoders onto its own latent only, all of them &gt; 0
    /// (a neuron with E_i ≤ 0 would not bound y from above, and the picture "subthreshold below the boundary" fails).
    /// </summary>
    /// <param name="population">The population.</param>
    /// <param name="reason">Why not, phrased to follow "population 'X': "; empty when supported.</param>
    public static bool Supports(Population population, out string reason)
    {
        ArgumentNullException.ThrowIfNull(population);
        if (population.InputDimension != 1)
        {
            reason = $"geometry figures need a 1-D input (this spec has {population.InputDimension} input dimensions)";
            return false;
        }

        if (!PopulationBoundary.IsRank1Alone(population))
        {
            string others = string.Join(", ", population.Encoders.Keys.Where(k => k != population.LatentName).Order(StringComparer.Ordinal));
            string own = population.Encoders.ContainsKey(population.LatentName) ? "besides" : "instead of";
            reason = $"listens to {others} {own} its own latent {population.LatentName}, so its boundary is not a curve in the (x, {population.LatentName}) plane";
            return false;
        }

        double[] e = population.Encoders[population.LatentName];
        for (int i = 0; i < e.Length; i++)
        {
            if (!(e[i] > 0))
            {
                reason = $"neuron {i} has encoder {e[i]} onto {population.LatentName}; the input-output picture needs every encoder > 0";
                return false;
            }
        }

        reason = string.Empty;
        return true;
    }

    /// <summary>Neuron <paramref name="neuron"/>'s threshold line at input x: y = (T_i − F_i·x)/E_i.</summary>
    public double ThresholdLine(int neuron, double x) => Envelope.Line(neuron, x);

    /// <summary>
    /// The boundary at input x and the neuron forming it there (the same values as
    /// <see cref="PopulationBoundary.Evaluate"/>, which is the reference).
    /// </summary>
    public (double Y, int Neuron) Boundary(double x) => PopulationBoundary.Evaluate(Population, [x]);

    /// <summary>The decoder D(x) of the neuron forming the boundary at x (eq. 2.18).</summary>
    public double DecoderAt(double x) => Population.Decoders[Boundary(x).Neuron];

    /// <summary>
    /// Where a spike of the neuron forming the boundary at x leaves the latent: boundary + D(x). For an inhibitory
    /// population the latent then stays between this and the boundary (the precision band, eq. 2.18).
    /// </summary>
    public double ResetEdge(double x)
    {
        var (y, neuron) = Boundary(x);
        return y + Population.Decoders[neuron];
    }

    /// <summary>True when every neuron is below threshold at (x, y), i.e. y lies below the boundary.</summary>
    public bool IsSubthreshold(double x, double y) => y < Boundary(x).Y;

    /// <summary>
    /// The x interval over which the forming neuron changes (first to last breakpoint), so that a plot of it shows
    /// every neuron that forms the boundary; null for a boundary formed by one neuron only.
    /// </summary>
    public (double From, double To)? BreakpointSpan =>
        Envelope.Breakpoints.Count == 0 ? null : (Envelope.Breakpoints[0], Envelope.Breakpoints[^1]);

    /// <summary>The encoder E_i of neuron <paramref name="neuron"/> onto its own latent.</summary>
    public double Encoder(int neuron) => _encoders[neuron];
}
