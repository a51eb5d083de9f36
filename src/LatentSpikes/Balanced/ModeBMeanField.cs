namespace LatentSpikes.Balanced;

/// <summary>
/// Mode-B mean-field latent dynamics with the gain of each population evaluated at that population's own filtered
/// latent (issue 18, the mode-B amplitude gap; docs/seed-001.md). <see cref="BalancedMeanField.LatentTrajectory"/>
/// takes the finite-K gain at one radius, the E/I-weighted mix of the membrane-filtered latents, for both
/// populations. At the oscillator's frequency (ω ≈ 26 rad/s) the faster I membranes (τ_I = 10 ms) pass a latent
/// 9 % larger than the E membranes (τ_E = 20 ms) do, and at finite K a larger latent input to I lowers ν_E: with the
/// static rates solved at (|κ̃_E|², |κ̃_I|²) the mean field predicts the network's rates under a rotating latent to
/// 1.5 %, where the single radius is 7-10 % high. Here τ_s dκ/dt = −κ + A·Σ_a (N_a⟨φ'⟩_a(κ̃_E, κ̃_I)/Σ_b N_b⟨φ'⟩_b(0))·κ̃_a.
/// </summary>
public sealed class ModeBMeanField
{
    private readonly BalancedParameters _p;
    private readonly double[,,] _table;
    private readonly int _points;
    private readonly double _max;
    private readonly double _norm;

    /// <summary>Tabulates ⟨φ'⟩_E and ⟨φ'⟩_I on a <paramref name="points"/>² grid of (|κ̃_E|², |κ̃_I|²) ∈ [0, <paramref name="maxRadiusSquared"/>]².</summary>
    public ModeBMeanField(BalancedParameters p, double[] thresholds, double maxRadiusSquared, int points = 19)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(thresholds);
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 2);
        if (!(maxRadiusSquared > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxRadiusSquared), maxRadiusSquared, "must be > 0");
        }

        _p = p;
        _points = points;
        _max = maxRadiusSquared;
        _table = new double[points, points, 2];
        for (int i = 0; i < points; i++)
        {
            for (int j = 0; j < points; j++)
            {
                var s = BalancedMeanField.Solve(p, thresholds, [maxRadiusSquared * i / (points - 1), maxRadiusSquared * j / (points - 1)]);
                _table[i, j, 0] = s.Gain[0];
                _table[i, j, 1] = s.Gain[1];
            }
        }

        // Where the finite-K fixed point does not exist, hold the last solvable gain along each row (as GainScale does).
        for (int i = 0; i < points; i++)
        {
            for (int j = 0; j < points; j++)
            {
                for (int a = 0; a < 2; a++)
                {
                    if (!double.IsFinite(_table[i, j, a]))
                    {
                        _table[i, j, a] = j > 0 ? _table[i, j - 1, a] : (i > 0 ? _table[i - 1, j, a] : throw new Model.ModelValidationException("K", $"the finite-K mean field has no solution at κ = 0 for K = {p.K}"));
                    }
                }
            }
        }

        _norm = (p.ExcitatoryCount * _table[0, 0, 0]) + (p.InhibitoryCount * _table[0, 0, 1]);
    }

    /// <summary>⟨φ'⟩_a at (|κ̃_E|², |κ̃_I|²) by bilinear interpolation (held at the edge beyond the table).</summary>
    public double Gain(int population, double radiusSquaredE, double radiusSquaredI)
    {
        double x = Math.Clamp(radiusSquaredE / _max, 0, 1) * (_points - 1), y = Math.Clamp(radiusSquaredI / _max, 0, 1) * (_points - 1);
        int i = Math.Min((int)x, _points - 2), j = Math.Min((int)y, _points - 2);
        double fx = x - i, fy = y - j;
        return ((1 - fx) * (1 - fy) * _table[i, j, population]) + (fx * (1 - fy) * _table[i + 1, j, population]) +
               ((1 - fx) * fy * _table[i, j + 1, population]) + (fx * fy * _table[i + 1, j + 1, population]);
    }

    /// <summary>
    /// Integrates the latent from <paramref name="initial"/> over <paramref name="steps"/> steps, ordered as in the
    /// simulation and as <see cref="BalancedMeanField.LatentTrajectory"/> (membranes start at κ = 0).
    /// </summary>
    public double[][] Trajectory(double[] initial, int steps)
    {
        ArgumentNullException.ThrowIfNull(initial);
        int r = _p.Rank;
        var a = _p.LatentMatrix ?? throw new ArgumentException("mode B needs a latent matrix", nameof(initial));
        double lambda = Math.Exp(-_p.Dt / _p.LatentTau);
        double[] leak = [_p.Leak(0), _p.Leak(1)];
        double[][] filtered = [new double[r], new double[r]];
        var result = new double[steps + 1][];
        result[0] = (double[])initial.Clone();
        double[] mix = new double[r];
        for (int t = 0; t < steps; t++)
        {
            double[] k = result[t], next = new double[r];
            for (int pop = 0; pop < 2; pop++)
            {
                for (int i = 0; i < r; i++)
                {
                    filtered[pop][i] = (leak[pop] * filtered[pop][i]) + ((1 - leak[pop]) * k[i]);
                }
            }

            double rE = filtered[0].Sum(v => v * v), rI = filtered[1].Sum(v => v * v);
            double wE = _p.ExcitatoryCount * Gain(0, rE, rI) / _norm, wI = _p.InhibitoryCount * Gain(1, rE, rI) / _norm;
            for (int i = 0; i < r; i++)
            {
                mix[i] = (wE * filtered[0][i]) + (wI * filtered[1][i]);
            }

            for (int i = 0; i < r; i++)
            {
                double drive = 0;
                for (int j = 0; j < r; j++)
                {
                    drive += a[(i * r) + j] * mix[j];
                }

                next[i] = (lambda * k[i]) + ((1 - lambda) * drive);
            }

            result[t + 1] = next;
        }

        return result;
    }
}
