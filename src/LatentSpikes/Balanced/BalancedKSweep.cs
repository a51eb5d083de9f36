namespace LatentSpikes.Balanced;

/// <summary>
/// One in-degree K of the K sweep: the rates at κ = 0 and at |κ| = <see cref="BalancedKSweep.Radius"/>, simulated
/// (if this K was simulated) and from the finite-K mean field.
/// </summary>
/// <param name="K">In-degree from each population.</param>
/// <param name="Neurons">Network size N of the simulation (N = 25·K: connection probability K/N_I = 0.2, as at the defaults); 0 when not simulated.</param>
/// <param name="SimRatesAtZero">Simulated ν_E, ν_I at κ = 0 (Hz; empty when not simulated).</param>
/// <param name="SimRatesAtRadius">Simulated ν_E, ν_I at |κ| = radius, averaged over the angles (Hz; empty when not simulated).</param>
/// <param name="MeanFieldRatesAtZero">Finite-K mean field ν_E, ν_I at κ = 0 (Hz).</param>
/// <param name="MeanFieldRatesAtRadius">Finite-K mean field ν_E, ν_I at |κ| = radius (Hz).</param>
public sealed record KSweepRow(int K, int Neurons, double[] SimRatesAtZero, double[] SimRatesAtRadius, double[] MeanFieldRatesAtZero, double[] MeanFieldRatesAtRadius)
{
    /// <summary>Whether this K was simulated.</summary>
    public bool Simulated => SimRatesAtZero.Length == 2;

    /// <summary>Simulated relative fall 1 − ν(|κ|)/ν(0) of population <paramref name="population"/> (NaN when not simulated).</summary>
    public double SimDrop(int population) => Simulated ? 1 - (SimRatesAtRadius[population] / SimRatesAtZero[population]) : double.NaN;

    /// <summary>Mean-field relative fall 1 − ν(|κ|)/ν(0) of population <paramref name="population"/>.</summary>
    public double MeanFieldDrop(int population) => 1 - (MeanFieldRatesAtRadius[population] / MeanFieldRatesAtZero[population]);
}

/// <summary>The K sweep: simulated and mean-field rows, in increasing K.</summary>
/// <param name="Radius">The latent radius |κ| compared with κ = 0.</param>
/// <param name="ConditionSeconds">Seconds per simulated condition (the first 0.15 s discarded).</param>
/// <param name="Angles">Angles of κ averaged at the radius.</param>
/// <param name="Rows">One row per K.</param>
public sealed record KSweepReport(double Radius, double ConditionSeconds, int Angles, IReadOnlyList<KSweepRow> Rows);

/// <summary>
/// Seed 001's "constant global activity" against the in-degree K. The claim is a K → ∞ statement: the balance rates
/// do not depend on κ, but at finite K the mean input moves by O(1/√K) with |κ|² and the rates with it. For every K
/// this runs the network (N = 25·K, so the connection probability stays 0.2) at κ = 0 and at |κ| = radius (several
/// angles) and solves the finite-K mean field at both; further K are solved in mean field only, up to sizes no
/// simulation here reaches. Thresholds are calibrated per K (<see cref="BalancedMeanField.Thresholds"/>).
/// </summary>
public static class BalancedKSweep
{
    /// <summary>The default radius: |κ| = 1, where the seed's claim is tested at K = 400.</summary>
    public const double Radius = 1.0;

    /// <summary>Seconds at κ = 0 before the first measured condition (the network starts from rest).</summary>
    public const double WarmUpSeconds = 0.5;

    /// <summary>Network size per K: N = 25·K (N_E = 20·K, N_I = 5·K).</summary>
    public static (int Excitatory, int Inhibitory) SizeFor(int k) => (20 * k, 5 * k);

    /// <summary>Runs the sweep.</summary>
    /// <param name="template">Everything but K and the sizes (balanced, exponential escape, mode A).</param>
    /// <param name="simulated">In-degrees to simulate and solve.</param>
    /// <param name="meanFieldOnly">Further in-degrees to solve in mean field only.</param>
    /// <param name="conditionSeconds">Seconds per condition (&gt; 0.25).</param>
    /// <param name="angles">Angles of κ at the radius (≥ 1).</param>
    /// <param name="radius">|κ| compared with 0.</param>
    /// <param name="threads">Worker threads (0: all cores); results do not depend on it.</param>
    /// <param name="progress">Called with a message after each simulated K.</param>
    /// <exception cref="Model.ModelValidationException">On a bad K, duration, angle count or radius.</exception>
    public static KSweepReport Run(
        BalancedParameters template,
        IReadOnlyList<int> simulated,
        IReadOnlyList<int> meanFieldOnly,
        double conditionSeconds = 1.0,
        int angles = 4,
        double radius = Radius,
        int threads = 0,
        Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(simulated);
        ArgumentNullException.ThrowIfNull(meanFieldOnly);
        if (template.LatentMatrix is not null || template.Rank != 2)
        {
            throw new Model.ModelValidationException("mode", "the K sweep imposes κ on a rank-2 network (mode A)");
        }

        if (simulated.Concat(meanFieldOnly).Any(k => k < 1 || k > 10_000_000))
        {
            throw new Model.ModelValidationException("K", "every K must be in 1 … 10⁷");
        }

        if (!(conditionSeconds > 0.25) || !double.IsFinite(conditionSeconds))
        {
            throw new Model.ModelValidationException("duration", $"conditions must last more than 0.25 s (got {conditionSeconds})");
        }

        if (angles < 1 || angles > 64)
        {
            throw new Model.ModelValidationException("angles", $"must be 1 … 64 (got {angles})");
        }

        if (!(radius > 0) || !double.IsFinite(radius))
        {
            throw new Model.ModelValidationException("radius", $"must be a positive |κ| (got {radius})");
        }

        var rows = new List<KSweepRow>();
        foreach (int k in simulated.Concat(meanFieldOnly).Distinct().Order())
        {
            bool simulate = simulated.Contains(k);
            var (ne, ni) = SizeFor(k);
            var p = template with { K = k, ExcitatoryCount = ne, InhibitoryCount = ni };
            double[] theta = BalancedMeanField.Thresholds(p with { ExactStepClosure = false });
            var mf0 = BalancedMeanField.Solve(p, theta, 0);
            var mf1 = BalancedMeanField.Solve(p, theta, radius * radius);
            double[] sim0 = [], sim1 = [];
            if (simulate)
            {
                var net = BalancedNetwork.Create(p, threads);
                using var sim = new BalancedSimulation(net, threads);

                // The network starts from rest: settle it at κ = 0 before the first measured condition.
                _ = sim.RunSegment(LatentSegment.Static("warm-up", WarmUpSeconds, 0.25, [0, 0]));
                var zero = sim.RunSegment(LatentSegment.Static("0", conditionSeconds, 0.15, [0, 0]));
                double e = 0, i = 0;
                for (int a = 0; a < angles; a++)
                {
                    double angle = 2 * Math.PI * a / angles;
                    var rec = sim.RunSegment(LatentSegment.Static($"{radius}", conditionSeconds, 0.15, [radius * Math.Cos(angle), radius * Math.Sin(angle)]));
                    e += rec.Rates[0];
                    i += rec.Rates[1];
                }

                sim0 = [zero.Rates[0], zero.Rates[1]];
                sim1 = [e / angles, i / angles];
                progress?.Invoke($"K = {k} (N = {ne + ni}): ν_E {sim0[0]:0.###} → {sim1[0]:0.###} Hz simulated, {mf0.Rates[0]:0.###} → {mf1.Rates[0]:0.###} Hz mean field");
            }

            rows.Add(new KSweepRow(k, simulate ? ne + ni : 0, sim0, sim1, [mf0.Rates[0], mf0.Rates[1]], [mf1.Rates[0], mf1.Rates[1]]));
        }

        return new KSweepReport(radius, conditionSeconds, angles, rows);
    }
}
