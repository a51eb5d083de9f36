using System.Globalization;
using System.Text;
using LatentSpikes.Geometry;
using LatentSpikes.Model;

namespace LatentSpikes.Construction;

/// <summary>
/// What the boundary of a rank-1 population that listens only to its own latent looks like over a box of inputs
/// (seed 002, §2.2 and App. B): which neurons never form it (silent neurons) and where it lies at or above y = 0 (for
/// an inhibitory population the latent, which is ≤ 0, cannot reach it there, so the whole population is silent).
/// </summary>
/// <param name="Population">Population name.</param>
/// <param name="Kind">Its Dale's-law class.</param>
/// <param name="NeuronCount">Number of neurons N.</param>
/// <param name="Ranges">The input box, one interval per dimension.</param>
/// <param name="PointsPerDimension">Grid points per dimension on which the boundary was evaluated.</param>
/// <param name="SilentNeurons">
/// Neurons that form the boundary at no grid point. For an inhibitory population only grid points where the boundary
/// is below y = 0 count, since no neuron fires elsewhere.
/// </param>
/// <param name="BoundaryShare">Per neuron, the number of (counted) grid points at which it forms the boundary.</param>
/// <param name="SilentInputRanges">
/// 1-D input only: the sub-intervals where the boundary lies at or above y = 0, ends refined to 1e-12 of the range;
/// empty for M &gt; 1.
/// </param>
/// <param name="SilentFraction">
/// The fraction of the input range (1-D: of its length; M-D: of the grid points) where the boundary lies at or above y = 0.
/// </param>
/// <param name="Summary">One paragraph for people.</param>
public sealed record BoundaryReport(
    string Population,
    PopulationKind Kind,
    int NeuronCount,
    IReadOnlyList<(double Lo, double Hi)> Ranges,
    IReadOnlyList<int> PointsPerDimension,
    IReadOnlyList<int> SilentNeurons,
    IReadOnlyList<int> BoundaryShare,
    IReadOnlyList<(double Lo, double Hi)> SilentInputRanges,
    double SilentFraction,
    string Summary)
{
    /// <summary>
    /// Neuron evaluations (neurons × grid points) beyond which <c>latentspikes validate</c> leaves the report out, so
    /// that validating a large population stays quick: the boundary costs one pass over the neurons per grid point.
    /// </summary>
    public const long MaxValidateEvaluations = 200_000_000;

    /// <summary>The default grid points per dimension of an <paramref name="inputDimension"/>-dimensional input.</summary>
    public static int DefaultPointsPerDimension(int inputDimension) =>
        inputDimension == 1 ? 2001 : Math.Clamp((int)Math.Floor(Math.Pow(200_000, 1.0 / inputDimension)), 2, 201);

    /// <summary>Neuron evaluations of <see cref="Analyze"/> with the default grid: N times the grid points.</summary>
    public static double DefaultEvaluations(Population population)
    {
        ArgumentNullException.ThrowIfNull(population);
        return population.Size * Math.Pow(DefaultPointsPerDimension(population.InputDimension), population.InputDimension);
    }

    /// <summary>True when every neuron forms part of the boundary and the boundary stays below y = 0 everywhere.</summary>
    public bool IsHealthy => SilentNeurons.Count == 0 && SilentFraction == 0;

    /// <summary>
    /// Evaluates the population boundary y(x) = min_i (T_i − F_i·x)/E_i (<see cref="PopulationBoundary"/>) on an
    /// even grid over <paramref name="ranges"/> and reports silent neurons and silent input regions.
    /// </summary>
    /// <param name="population">A population that listens only to its own latent.</param>
    /// <param name="ranges">The input box, one interval [Lo, Hi] per input dimension (Lo ≤ Hi).</param>
    /// <param name="pointsPerDimension">
    /// Grid points per dimension; default 2001 for a 1-D input and about 2·10⁵ points in all for M &gt; 1. A dimension
    /// whose interval is a single point gets one grid point.
    /// </param>
    /// <exception cref="ArgumentException">
    /// When the population listens to other latents (its boundary then depends on them), or the ranges do not match
    /// the input dimension.
    /// </exception>
    public static BoundaryReport Analyze(Population population, IReadOnlyList<(double Lo, double Hi)> ranges, IReadOnlyList<int>? pointsPerDimension = null)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(ranges);
        if (!PopulationBoundary.IsRank1Alone(population))
        {
            throw new ArgumentException($"population '{population.Name}' listens to other latents; its boundary depends on them too", nameof(population));
        }

        int m = population.InputDimension;
        if (ranges.Count != m)
        {
            throw new ArgumentException($"give one interval per input dimension: {m} expected, {ranges.Count} given", nameof(ranges));
        }

        for (int d = 0; d < m; d++)
        {
            if (!double.IsFinite(ranges[d].Lo) || !double.IsFinite(ranges[d].Hi) || ranges[d].Hi < ranges[d].Lo)
            {
                throw new ArgumentException($"range {d} must be a finite interval [Lo, Hi] with Lo ≤ Hi (got [{ranges[d].Lo}, {ranges[d].Hi}])", nameof(ranges));
            }
        }

        int defaultPoints = DefaultPointsPerDimension(m);
        var counts = new int[m];
        for (int d = 0; d < m; d++)
        {
            int requested = pointsPerDimension is null ? defaultPoints : pointsPerDimension[d];
            if (requested < 1)
            {
                throw new ArgumentException($"points per dimension must be ≥ 1 (got {requested})", nameof(pointsPerDimension));
            }

            counts[d] = ranges[d].Hi > ranges[d].Lo ? requested : 1;
        }

        long total = counts.Aggregate(1L, (a, c) => a * c);
        if (total > 50_000_000)
        {
            throw new ArgumentException($"the grid has {total} points; use fewer per dimension", nameof(pointsPerDimension));
        }

        bool inhibitory = population.Kind == PopulationKind.Inhibitory;
        var share = new int[population.Size];
        var silentFlags = new bool[total];
        long silentPoints = 0;
        var index = new int[m];
        var x = new double[m];
        for (long g = 0; g < total; g++)
        {
            for (int d = 0; d < m; d++)
            {
                x[d] = TangentConstruction.GridCoordinate(ranges[d], counts[d], index[d]);
            }

            var (y, neuron) = PopulationBoundary.Evaluate(population, x);
            bool silent = !(y < 0);
            silentFlags[g] = silent;
            if (silent)
            {
                silentPoints++;
            }

            if (neuron >= 0 && !(inhibitory && silent))
            {
                share[neuron]++;
            }

            for (int d = m - 1; d >= 0 && ++index[d] == counts[d]; d--)
            {
                index[d] = 0;
            }
        }

        var silentNeurons = Enumerable.Range(0, population.Size).Where(i => share[i] == 0).ToArray();
        var silentRanges = new List<(double Lo, double Hi)>();
        double fraction;
        if (m == 1)
        {
            silentRanges = SilentIntervals(population, ranges[0], counts[0], silentFlags);
            double width = ranges[0].Hi - ranges[0].Lo;
            fraction = width > 0 ? silentRanges.Sum(r => r.Hi - r.Lo) / width : silentPoints > 0 ? 1 : 0;
            if (fraction == 0 && silentPoints > 0)
            {
                // Touching y = 0 at isolated grid points still counts as a silent regime, however thin.
                fraction = (double)silentPoints / total;
            }
        }
        else
        {
            fraction = (double)silentPoints / total;
        }

        string summary = Summarise(population, ranges, counts, total, silentNeurons, silentRanges, fraction);
        return new BoundaryReport(population.Name, population.Kind, population.Size, ranges.ToArray(), counts, silentNeurons, share, silentRanges, fraction, summary);
    }

    /// <summary>Runs of grid points at or above y = 0, with each end moved to the exact crossing by bisection.</summary>
    private static List<(double Lo, double Hi)> SilentIntervals(Population population, (double Lo, double Hi) range, int count, bool[] silent)
    {
        var result = new List<(double Lo, double Hi)>();
        int k = 0;
        while (k < count)
        {
            if (!silent[k])
            {
                k++;
                continue;
            }

            int start = k;
            while (k + 1 < count && silent[k + 1])
            {
                k++;
            }

            double lo = start == 0 ? range.Lo : Crossing(population, X(range, count, start - 1), X(range, count, start));
            double hi = k == count - 1 ? range.Hi : Crossing(population, X(range, count, k + 1), X(range, count, k));
            result.Add((lo, hi));
            k++;
        }

        return result;
    }

    private static double X((double Lo, double Hi) range, int count, int k) => TangentConstruction.GridCoordinate(range, count, k);

    /// <summary>The point between <paramref name="below"/> (boundary &lt; 0) and <paramref name="atOrAbove"/> (boundary ≥ 0) where it reaches 0.</summary>
    private static double Crossing(Population population, double below, double atOrAbove)
    {
        for (int i = 0; i < 100; i++)
        {
            double mid = 0.5 * (below + atOrAbove);
            if (mid == below || mid == atOrAbove)
            {
                break;
            }

            if (PopulationBoundary.Evaluate(population, [mid]).Y < 0)
            {
                below = mid;
            }
            else
            {
                atOrAbove = mid;
            }
        }

        return atOrAbove;
    }

    private static string Summarise(
        Population population,
        IReadOnlyList<(double Lo, double Hi)> ranges,
        int[] counts,
        long total,
        int[] silentNeurons,
        List<(double Lo, double Hi)> silentRanges,
        double fraction)
    {
        string kind = population.Kind switch
        {
            PopulationKind.Inhibitory => "inhibitory",
            PopulationKind.Excitatory => "excitatory",
            _ => "unsigned",
        };
        var sb = new StringBuilder();
        string box = ranges.Count == 1
            ? $"x ∈ [{F(ranges[0].Lo)}, {F(ranges[0].Hi)}]"
            : string.Join(" × ", ranges.Select((r, d) => $"x{d + 1} ∈ [{F(r.Lo)}, {F(r.Hi)}]"));
        sb.Append(CultureInfo.InvariantCulture, $"Population '{population.Name}' ({population.Size} {kind} neuron{(population.Size == 1 ? string.Empty : "s")}), ");
        sb.Append(CultureInfo.InvariantCulture, $"boundary y(x) = min_i (T_i − F_i·x)/E_i on {box} ({total} grid point{(total == 1 ? string.Empty : "s")}): ");
        int forming = population.Size - silentNeurons.Length;
        if (silentNeurons.Length == 0)
        {
            sb.Append(population.Size == 1 ? "the neuron forms the boundary" : $"all {population.Size} neurons form part of the boundary");
        }
        else
        {
            sb.Append(CultureInfo.InvariantCulture, $"{forming} of {population.Size} neurons form the boundary; {silentNeurons.Length} never do and stay silent (neuron{(silentNeurons.Length == 1 ? string.Empty : "s")} {string.Join(", ", silentNeurons)})");
        }

        if (fraction == 0)
        {
            sb.Append(", and the boundary stays below y = 0 over the whole range.");
        }
        else
        {
            string where = silentRanges.Count > 0
                ? "for x in " + string.Join(" and ", silentRanges.Select(r => r.Lo == r.Hi ? $"{{{F(r.Lo)}}}" : $"[{F(r.Lo)}, {F(r.Hi)}]"))
                    + $" ({F(100 * fraction)} % of the range)"
                : $"on {F(100 * fraction)} % of the grid points";
            sb.Append(CultureInfo.InvariantCulture, $". The boundary lies at or above y = 0 {where}");
            sb.Append(population.Kind == PopulationKind.Inhibitory
                ? ": there the inhibitory latent (≤ 0) cannot reach it, so the whole population is silent (seed 002, App. B, Fig. S1)."
                : ": there the latent rests at 0 below the boundary and no neuron fires from rest.");
        }

        if (counts.Any(c => c < 2) && ranges.Any(r => r.Hi > r.Lo))
        {
            sb.Append(" (Dimensions with a single grid point were evaluated at that point only.)");
        }

        return sb.ToString();
    }

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
