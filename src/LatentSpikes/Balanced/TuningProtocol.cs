namespace LatentSpikes.Balanced;

/// <summary>
/// The result of the long tuning protocol (spec §2.7.6) for the E population.
/// </summary>
/// <param name="Radii">|κ| of the grid (the first is 0).</param>
/// <param name="Angles">Angles per non-zero radius.</param>
/// <param name="ConditionSeconds">Duration of every condition (s), of which <see cref="TuningProtocol.Discard"/> is discarded.</param>
/// <param name="FittedNonMonotonicity">
/// Fraction of fitted E neurons whose Poisson fit ln r(ρ) = a + bρ + cρ² along the preferred direction has its maximum
/// strictly inside (0, max radius): the non-monotonicity index.
/// </param>
/// <param name="RawNonMonotonicity">The same from the raw rates: fraction of E neurons whose largest rate along the preferred direction is not at the largest radius (counting noise inflates it).</param>
/// <param name="PredictedNonMonotonicity">K → ∞ prediction: the peak radius |m|/σ_m² lies inside the grid for a fraction 1 − exp(−ρ_max²σ_m²/2) of neurons (balanced); 0 for the control.</param>
/// <param name="MeanCurvature">Median fitted c (the ρ² coefficient of ln r): −σ_m²/2 in the balanced K → ∞ limit, 0 in the control.</param>
/// <param name="FittedNeurons">E neurons with enough spikes for a fit.</param>
/// <param name="RidgeUnexplained">Mean fraction of tuning variance that the best ridge model φ(w·κ + b) leaves unexplained.</param>
/// <param name="GroupTuning">Mean rate along the preferred direction for four quartiles of |m| (Hz), per radius.</param>
/// <param name="GroupLoadings">Mean |m| of each quartile.</param>
public sealed record TuningReport(
    IReadOnlyList<double> Radii,
    int Angles,
    double ConditionSeconds,
    double FittedNonMonotonicity,
    double RawNonMonotonicity,
    double PredictedNonMonotonicity,
    double MeanCurvature,
    int FittedNeurons,
    double RidgeUnexplained,
    IReadOnlyList<double[]> GroupTuning,
    IReadOnlyList<double> GroupLoadings);

/// <summary>
/// Long tuning protocol of seed 001 (spec §2.7.6): κ = 0, then a dense polar grid |κ| ∈ {0.25, …, 1.25} × 8 angles,
/// each condition held for seconds (≥ 5 s in the spec, so that a 5 Hz neuron fires ≈ 25 spikes per condition), and
/// every E neuron's tuning along its preferred direction fitted. The balanced network's tunings are bumps
/// ln r = const + |m|ρ − σ_m²ρ²/2 peaking at ρ* = |m|/σ_m² (inside the grid for ≈ 39 % of neurons); the unbalanced
/// control's are monotonic ridges ln r = const + |m|ρ.
/// </summary>
public static class TuningProtocol
{
    /// <summary>The radii of the grid.</summary>
    public static readonly double[] Radii = [0, 0.25, 0.5, 0.75, 1.0, 1.25];

    /// <summary>Angles per non-zero radius.</summary>
    public const int Angles = 8;

    /// <summary>Start of each condition excluded from the rates (s): several membrane and filter time constants.</summary>
    public const double Discard = 0.15;

    /// <summary>Fewest spikes over the grid for a neuron's tuning to be fitted (a 3-parameter fit needs some).</summary>
    public const int MinimumSpikes = 20;

    /// <summary>Runs the grid on <paramref name="network"/> and fits the tunings; <paramref name="progress"/> gets the fraction done.</summary>
    public static TuningReport Run(BalancedNetwork network, double conditionSeconds, int threads = 0, Action<double, string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!(conditionSeconds > 2 * Discard) || !double.IsFinite(conditionSeconds))
        {
            throw new Model.ModelValidationException("tuning_condition", $"conditions must last more than {2 * Discard} s (got {conditionSeconds} s)");
        }

        if (network.Parameters.Rank != 2)
        {
            throw new Model.ModelValidationException("rank", "the tuning grid is a 2-D polar grid; use rank 2");
        }

        using var sim = new BalancedSimulation(network, threads);
        var segments = new List<(int Radius, LatentSegment Segment)> { (0, LatentSegment.Static("0", conditionSeconds, Discard, [0, 0])) };
        for (int r = 1; r < Radii.Length; r++)
        {
            for (int a = 0; a < Angles; a++)
            {
                double angle = 2 * Math.PI * a / Angles;
                segments.Add((r, LatentSegment.Static($"{Radii[r]}", conditionSeconds, Discard, [Radii[r] * Math.Cos(angle), Radii[r] * Math.Sin(angle)])));
            }
        }

        var grid = Radii.Select(_ => new List<SegmentRecord>()).ToArray();
        for (int s = 0; s < segments.Count; s++)
        {
            grid[segments[s].Radius].Add(sim.RunSegment(segments[s].Segment));
            progress?.Invoke((s + 1.0) / segments.Count, $"tuning grid: condition {s + 1}/{segments.Count} (|κ| = {Radii[segments[s].Radius]})");
        }

        var summary = BalancedAnalysis.Tuning(network, Radii, grid, 0);
        var (fraction, curvature, fitted) = FitTunings(network, Radii, grid, conditionSeconds - Discard);
        var p = network.Parameters;
        double rhoMax = Radii[^1];
        double predicted = p.IsBalanced ? 1 - Math.Exp(-rhoMax * rhoMax * p.LoadingSd * p.LoadingSd / 2) : 0;
        return new TuningReport(Radii, Angles, conditionSeconds, fraction, summary.NonMonotonicity, predicted, curvature, fitted,
            summary.RidgeUnexplained, summary.GroupTuning, summary.GroupLoadings);
    }

    /// <summary>
    /// Poisson fits of every E neuron's counts along its preferred direction on the polar grid
    /// <paramref name="grid"/>[radius][angle] (radii <paramref name="radii"/>, the first 0) (the grid angle nearest to m_i):
    /// E[count] = T·exp(a + bρ + cρ²). Returns the fraction whose maximum lies strictly inside the grid, the median c
    /// and the number of neurons fitted.
    /// </summary>
    public static (double Fraction, double MedianCurvature, int Fitted) FitTunings(BalancedNetwork network, IReadOnlyList<double> radii, IReadOnlyList<IReadOnlyList<SegmentRecord>> grid, double recordedSeconds)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(radii);
        ArgumentNullException.ThrowIfNull(grid);
        double[] rho = [.. radii];
        var (lo, hi) = BalancedAnalysis.Range(network.Parameters, 0);
        int angles = grid[^1].Count;
        double rhoMax = rho[^1];
        var curvatures = new List<double>();
        int inside = 0;
        double[] counts = new double[grid.Count];
        for (int i = lo; i < hi; i++)
        {
            var m = network.Loading(i);
            int a = (((int)Math.Round(Math.Atan2(m[1], m[0]) / (2 * Math.PI / angles)) % angles) + angles) % angles;
            for (int r = 0; r < grid.Count; r++)
            {
                var row = grid[r];
                counts[r] = row[row.Count == 1 ? 0 : a].SpikeCounts[i];
            }

            if (counts.Sum() < MinimumSpikes || PoissonQuadratic(rho, counts, recordedSeconds) is not { } fit)
            {
                continue;
            }

            curvatures.Add(fit.C);
            double peak = fit.C < 0 ? -fit.B / (2 * fit.C) : double.PositiveInfinity;
            if (peak > 0 && peak < rhoMax)
            {
                inside++;
            }
        }

        if (curvatures.Count == 0)
        {
            return (double.NaN, double.NaN, 0);
        }

        curvatures.Sort();
        return ((double)inside / curvatures.Count, curvatures[curvatures.Count / 2], curvatures.Count);
    }

    /// <summary>
    /// Maximum-likelihood fit of counts n_r ~ Poisson(T·exp(a + bρ_r + cρ_r²)) by Newton's method (the Poisson
    /// log-likelihood is concave in (a, b, c)); null when it does not converge (e.g. all spikes in one condition).
    /// </summary>
    public static (double A, double B, double C)? PoissonQuadratic(ReadOnlySpan<double> rho, ReadOnlySpan<double> counts, double exposure)
    {
        double total = 0;
        foreach (double c in counts)
        {
            total += c;
        }

        double[] beta = [Math.Log(Math.Max(total, 0.5) / (counts.Length * exposure)), 0, 0];
        for (int iteration = 0; iteration < 50; iteration++)
        {
            double[] grad = new double[3];
            double[] hess = new double[9];
            for (int r = 0; r < rho.Length; r++)
            {
                double[] f = [1, rho[r], rho[r] * rho[r]];
                double mu = exposure * Math.Exp(beta[0] + (beta[1] * f[1]) + (beta[2] * f[2]));
                for (int j = 0; j < 3; j++)
                {
                    grad[j] += (counts[r] - mu) * f[j];
                    for (int k = 0; k < 3; k++)
                    {
                        hess[(j * 3) + k] += mu * f[j] * f[k];
                    }
                }
            }

            double[]? step = Solve3(hess, grad);
            if (step is null)
            {
                return null;
            }

            double size = 0;
            for (int j = 0; j < 3; j++)
            {
                // Damped: a zero count pulls its log-rate towards −∞; cap the step so Newton cannot overshoot.
                double s = Math.Clamp(step[j], -5, 5);
                beta[j] += s;
                size = Math.Max(size, Math.Abs(s));
            }

            if (!beta.All(double.IsFinite) || Math.Abs(beta[2]) > 1e3)
            {
                return null;
            }

            if (size < 1e-10)
            {
                return (beta[0], beta[1], beta[2]);
            }
        }

        return null;
    }

    private static double[]? Solve3(double[] m, double[] v)
    {
        double det = (m[0] * ((m[4] * m[8]) - (m[5] * m[7]))) - (m[1] * ((m[3] * m[8]) - (m[5] * m[6]))) + (m[2] * ((m[3] * m[7]) - (m[4] * m[6])));
        if (!(Math.Abs(det) > 1e-300))
        {
            return null;
        }

        double[] x = new double[3];
        for (int c = 0; c < 3; c++)
        {
            double[] mc = (double[])m.Clone();
            for (int r = 0; r < 3; r++)
            {
                mc[(r * 3) + c] = v[r];
            }

            x[c] = ((mc[0] * ((mc[4] * mc[8]) - (mc[5] * mc[7]))) - (mc[1] * ((mc[3] * mc[8]) - (mc[5] * mc[6]))) + (mc[2] * ((mc[3] * mc[7]) - (mc[4] * mc[6])))) / det;
        }

        return x;
    }
}
