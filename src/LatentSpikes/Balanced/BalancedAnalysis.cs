namespace LatentSpikes.Balanced;

/// <summary>Summary of one population's distribution of time-averaged rates.</summary>
/// <param name="Mean">Mean rate (Hz).</param>
/// <param name="Median">Median rate (Hz).</param>
/// <param name="FractionActive">Fraction of neurons with at least one spike.</param>
/// <param name="LogMean">Mean of ln r over active neurons.</param>
/// <param name="LogSd">Standard deviation of ln r over active neurons.</param>
public sealed record RateDistribution(double Mean, double Median, double FractionActive, double LogMean, double LogSd);

/// <summary>The projection law: a straight-line fit of ln E[r | x] against the latent input x = m·κ.</summary>
/// <param name="Slope">Slope (prediction 1/Δ = 1).</param>
/// <param name="Intercept">ln E[r | x = 0] (Hz).</param>
/// <param name="BinX">Mean x of each quantile bin.</param>
/// <param name="BinLogRate">ln of the mean rate of each bin.</param>
public sealed record ProjectionFit(double Slope, double Intercept, IReadOnlyList<double> BinX, IReadOnlyList<double> BinLogRate);

/// <summary>Tuning of neurons along their preferred latent direction on a polar κ grid.</summary>
/// <param name="Radii">The grid radii, ascending.</param>
/// <param name="NonMonotonicity">Fraction of neurons whose rate along the preferred direction peaks strictly inside the range.</param>
/// <param name="RidgeUnexplained">Mean over neurons of the fraction of tuning variance a ridge model φ(w·κ + b) leaves unexplained.</param>
/// <param name="GroupTuning">Mean rate along the preferred direction against radius, for neurons grouped by |m| (rows: groups).</param>
/// <param name="GroupLoadings">Mean |m| of each group.</param>
public sealed record TuningSummary(IReadOnlyList<double> Radii, double NonMonotonicity, double RidgeUnexplained, IReadOnlyList<double[]> GroupTuning, IReadOnlyList<double> GroupLoadings);

/// <summary>Observables of spec §2.3 computed from <see cref="SegmentRecord"/>s.</summary>
public static class BalancedAnalysis
{
    /// <summary>Population range [lo, hi) of population a.</summary>
    public static (int Lo, int Hi) Range(BalancedParameters p, int population)
    {
        ArgumentNullException.ThrowIfNull(p);
        return population == 0 ? (0, p.ExcitatoryCount) : (p.ExcitatoryCount, p.NeuronCount);
    }

    /// <summary>Distribution of time-averaged rates of a population, pooled over records.</summary>
    public static RateDistribution Rates(BalancedParameters p, IReadOnlyList<SegmentRecord> records, int population)
    {
        ArgumentNullException.ThrowIfNull(records);
        var (lo, hi) = Range(p, population);
        var rates = new List<double>();
        foreach (var rec in records)
        {
            for (int i = lo; i < hi; i++)
            {
                rates.Add(rec.Rate(i));
            }
        }

        rates.Sort();
        var logs = rates.Where(r => r > 0).Select(r => Math.Log(r)).ToArray();
        double logMean = logs.Length > 0 ? logs.Average() : double.NaN;
        double logSd = logs.Length > 1 ? Math.Sqrt(logs.Sum(l => (l - logMean) * (l - logMean)) / (logs.Length - 1)) : double.NaN;
        double median = rates.Count % 2 == 1 ? rates[rates.Count / 2] : 0.5 * (rates[(rates.Count / 2) - 1] + rates[rates.Count / 2]);
        return new RateDistribution(rates.Average(), median, (double)logs.Length / rates.Count, logMean, logSd);
    }

    /// <summary>
    /// Projection law (spec §2.4): neurons of a population in one static condition κ are sorted by x = m_i·κ into
    /// <paramref name="bins"/> equal-count bins; ln(mean rate) per bin is fitted linearly against the bin's mean x.
    /// Averaging rates before the log keeps counting noise and the quenched part out of the slope.
    /// </summary>
    public static ProjectionFit ProjectionLaw(BalancedNetwork network, SegmentRecord record, int population, int bins = 10)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(record);
        var p = network.Parameters;
        var (lo, hi) = Range(p, population);
        double[] kappa = record.MeanLatent;
        var pairs = new List<(double X, double R)>(hi - lo);
        for (int i = lo; i < hi; i++)
        {
            var m = network.Loading(i);
            double x = 0;
            for (int r = 0; r < kappa.Length; r++)
            {
                x += m[r] * kappa[r];
            }

            pairs.Add((x, record.Rate(i)));
        }

        pairs.Sort((a, b) => a.X.CompareTo(b.X));
        var bx = new List<double>();
        var by = new List<double>();
        for (int b = 0; b < bins; b++)
        {
            int from = b * pairs.Count / bins, to = (b + 1) * pairs.Count / bins;
            double mx = 0, mr = 0;
            for (int i = from; i < to; i++)
            {
                mx += pairs[i].X;
                mr += pairs[i].R;
            }

            if (mr > 0)
            {
                bx.Add(mx / (to - from));
                by.Add(Math.Log(mr / (to - from)));
            }
        }

        var (slope, intercept) = LineFit(bx, by);
        return new ProjectionFit(slope, intercept, bx, by);
    }

    /// <summary>
    /// Mean pairwise spike-count correlation of a population in 50 ms windows from the population count alone:
    /// c̄ ≈ (Var C / E C − 1)/(N_a − 1), exact for equal-rate Poisson-like neurons.
    /// </summary>
    public static double PairwiseCorrelation(BalancedParameters p, SegmentRecord record, int population)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(record);
        var counts = record.WindowCounts.Select(c => (double)c[population]).ToArray();
        if (counts.Length < 2)
        {
            return double.NaN;
        }

        double mean = counts.Average();
        double var = counts.Sum(c => (c - mean) * (c - mean)) / (counts.Length - 1);
        return ((var / mean) - 1) / (p.Size(population) - 1);
    }

    /// <summary>
    /// The pairwise count correlation of <see cref="PairwiseCorrelation"/> with the latent's drive removed: each 50 ms
    /// window's population count is regressed on the window's mean |κ|² (from the 10 ms bins it covers), and the
    /// residual variance replaces the variance. A rate modulated by κ(t) inflates the raw estimate; what is left is
    /// the noise correlation while κ moves.
    /// </summary>
    public static double DetrendedCorrelation(BalancedParameters p, SegmentRecord record, int population)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(record);
        int per = (int)Math.Round(BalancedSimulation.CountWindow / BalancedSimulation.BinWidth);
        int windows = Math.Min(record.WindowCounts.Count, record.BinLatent.Count / per);
        if (windows < 3)
        {
            return double.NaN;
        }

        var x = new List<double>();
        var y = new List<double>();
        for (int w = 0; w < windows; w++)
        {
            x.Add(record.BinLatent.Skip(w * per).Take(per).Average(k => k.Sum(v => v * v)));
            y.Add(record.WindowCounts[w][population]);
        }

        var (slope, intercept) = LineFit(x, y);
        double mean = y.Average();
        double residual = 0;
        for (int w = 0; w < windows; w++)
        {
            double d = y[w] - (intercept + (slope * x[w]));
            residual += d * d;
        }

        residual /= windows - 2;
        return ((residual / mean) - 1) / (p.Size(population) - 1);
    }

    /// <summary>
    /// Least-squares fit of V̄_a(t) = c + b·|κ(t)|² over the 10 ms bins of a dynamic segment: b is the coherent
    /// mean-potential curvature (K → ∞ prediction −σ_m²/2 − …).
    /// </summary>
    public static (double Offset, double Curvature) MeanPotentialCurvature(SegmentRecord record, int population)
    {
        ArgumentNullException.ThrowIfNull(record);
        var x = record.BinLatent.Select(k => k.Sum(v => v * v)).ToList();
        var y = record.BinMeanV.Select(v => v[population]).ToList();
        var (slope, intercept) = LineFit(x, y);
        return (intercept, slope);
    }

    /// <summary>
    /// Tuning along each neuron's preferred direction on a polar grid: <paramref name="grid"/>[radius][angle] holds
    /// the static records (the zero radius may repeat one record). The preferred angle is the grid angle closest to
    /// the direction of m_i (rank 2). Non-monotonicity index: fraction of neurons whose rate along it peaks strictly
    /// inside the radius range (spec §2.7.6).
    /// </summary>
    public static TuningSummary Tuning(BalancedNetwork network, IReadOnlyList<double> radii, IReadOnlyList<IReadOnlyList<SegmentRecord>> grid, int population, int groups = 4)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(radii);
        ArgumentNullException.ThrowIfNull(grid);
        var p = network.Parameters;
        if (p.Rank != 2)
        {
            throw new ArgumentException("tuning on a polar grid needs rank 2", nameof(network));
        }

        int angles = grid[^1].Count;
        var (lo, hi) = Range(p, population);
        int peaked = 0, counted = 0;
        double unexplained = 0;
        int unexplainedCount = 0;
        var loadNorm = new double[hi - lo];
        var curves = new double[hi - lo][];
        for (int i = lo; i < hi; i++)
        {
            var m = network.Loading(i);
            double angle = Math.Atan2(m[1], m[0]);
            int a = ((int)Math.Round(angle / (2 * Math.PI / angles)) % angles + angles) % angles;
            double[] curve = new double[radii.Count];
            for (int r = 0; r < radii.Count; r++)
            {
                var row = grid[r];
                curve[r] = row[row.Count == 1 ? 0 : a].Rate(i);
            }

            curves[i - lo] = curve;
            loadNorm[i - lo] = Math.Sqrt((m[0] * m[0]) + (m[1] * m[1]));
            if (curve.Max() > 0)
            {
                counted++;
                int arg = Array.IndexOf(curve, curve.Max());
                if (arg < curve.Length - 1)
                {
                    peaked++;
                }
            }

            double ridge = RidgeUnexplained(network, i, radii, grid);
            if (double.IsFinite(ridge))
            {
                unexplained += ridge;
                unexplainedCount++;
            }
        }

        var order = Enumerable.Range(0, hi - lo).OrderBy(k => loadNorm[k]).ToArray();
        var groupTuning = new List<double[]>();
        var groupLoad = new List<double>();
        for (int g = 0; g < groups; g++)
        {
            int from = g * order.Length / groups, to = (g + 1) * order.Length / groups;
            double[] mean = new double[radii.Count];
            for (int k = from; k < to; k++)
            {
                for (int r = 0; r < radii.Count; r++)
                {
                    mean[r] += curves[order[k]][r] / (to - from);
                }
            }

            groupTuning.Add(mean);
            groupLoad.Add(Enumerable.Range(from, to - from).Average(k => loadNorm[order[k]]));
        }

        return new TuningSummary(radii.ToArray(), counted > 0 ? (double)peaked / counted : double.NaN,
            unexplainedCount > 0 ? unexplained / unexplainedCount : double.NaN, groupTuning, groupLoad);
    }

    /// <summary>Ordinary least-squares line through (x, y).</summary>
    public static (double Slope, double Intercept) LineFit(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int n = x.Count;
        if (n < 2)
        {
            return (double.NaN, double.NaN);
        }

        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }

        double slope = sxy / sxx;
        return (slope, my - (slope * mx));
    }

    /// <summary>
    /// Fraction of a neuron's tuning variance (over the whole grid) left unexplained by the best ridge model
    /// r = exp(w·κ + b), fitted by least squares on log(r + 0.5 Hz) (a monotonic ridge through the escape nonlinearity).
    /// </summary>
    private static double RidgeUnexplained(BalancedNetwork network, int neuron, IReadOnlyList<double> radii, IReadOnlyList<IReadOnlyList<SegmentRecord>> grid)
    {
        var rows = new List<(double K0, double K1, double L)>();
        for (int r = 0; r < radii.Count; r++)
        {
            foreach (var rec in grid[r])
            {
                rows.Add((rec.MeanLatent[0], rec.MeanLatent[1], Math.Log(rec.Rate(neuron) + 0.5)));
            }
        }

        double mean = rows.Average(t => t.L);
        double total = rows.Sum(t => (t.L - mean) * (t.L - mean));
        if (total <= 0)
        {
            return double.NaN;
        }

        // Normal equations of L ≈ b + w0 κ0 + w1 κ1.
        double[] g = new double[9], rhs = new double[3];
        foreach (var (k0, k1, l) in rows)
        {
            double[] f = [1, k0, k1];
            for (int a = 0; a < 3; a++)
            {
                for (int b = 0; b <= a; b++)
                {
                    g[(a * 3) + b] += f[a] * f[b];
                }

                rhs[a] += f[a] * l;
            }
        }

        for (int a = 0; a < 3; a++)
        {
            g[(a * 3) + a] += 1e-9;
        }

        double[] w = CholeskySolve(g, rhs, 3, 1);
        double res = rows.Sum(t => Math.Pow(t.L - (w[0] + (w[1] * t.K0) + (w[2] * t.K1)), 2));
        return res / total;
    }

    /// <summary>Solves A X = B for symmetric positive-definite A (lower triangle used, row-major d×d), B d×k.</summary>
    private static double[] CholeskySolve(double[] a, double[] b, int d, int k)
    {
        var l = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = a[(i * d) + j];
                for (int q = 0; q < j; q++)
                {
                    s -= l[(i * d) + q] * l[(j * d) + q];
                }

                l[(i * d) + j] = i == j ? Math.Sqrt(Math.Max(s, 1e-300)) : s / l[(j * d) + j];
            }
        }

        var x = (double[])b.Clone();
        for (int c = 0; c < k; c++)
        {
            for (int i = 0; i < d; i++)
            {
                double s = x[(i * k) + c];
                for (int q = 0; q < i; q++)
                {
                    s -= l[(i * d) + q] * x[(q * k) + c];
                }

                x[(i * k) + c] = s / l[(i * d) + i];
            }

            for (int i = d - 1; i >= 0; i--)
            {
                double s = x[(i * k) + c];
                for (int q = i + 1; q < d; q++)
                {
                    s -= l[(q * d) + i] * x[(q * k) + c];
                }

                x[(i * k) + c] = s / l[(i * d) + i];
            }
        }

        return x;
    }
}
