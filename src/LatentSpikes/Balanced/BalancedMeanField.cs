namespace LatentSpikes.Balanced;

/// <summary>One mean-field solution of the balanced network at a latent radius |κ| (spec §2.4).</summary>
/// <param name="Rates">Population rates ν_a (Hz), E then I.</param>
/// <param name="MeanInput">O(1) mean input μ_a relative to the κ = 0 calibration (units of Δ): the predicted V̄_a.</param>
/// <param name="TemporalVariance">Shot-noise variance σ²_d,a of each neuron's potential.</param>
/// <param name="QuenchedVariance">Across-neuron variance σ²_q,a of the time-averaged recurrent input.</param>
/// <param name="LatentRadiusSquared">|κ|² at which the solution holds.</param>
/// <param name="Gain">Population-averaged gain ⟨φ'⟩_a (Hz per Δ), which sets the mode-B latent dynamics.</param>
public sealed record MeanFieldSolution(
    IReadOnlyList<double> Rates,
    IReadOnlyList<double> MeanInput,
    IReadOnlyList<double> TemporalVariance,
    IReadOnlyList<double> QuenchedVariance,
    double LatentRadiusSquared,
    IReadOnlyList<double> Gain)
{
    /// <summary>Predicted across-neuron variance of V in population a: σ_d² + σ_q² + σ_m²|κ|² (instantaneous, no shared-input correction).</summary>
    public double AcrossNeuronVariance(int population, double loadingSd) =>
        TemporalVariance[population] + QuenchedVariance[population] + (loadingSd * loadingSd * LatentRadiusSquared);

    /// <summary>Predicted variance of the log time-averaged rate across neurons (exponential case): ŝ² = σ_q² + σ_m²|κ|².</summary>
    public double LogRateVariance(int population, double loadingSd) =>
        QuenchedVariance[population] + (loadingSd * loadingSd * LatentRadiusSquared);
}

/// <summary>
/// Mean-field theory of the balanced network (spec §2.4): the balance solution, threshold calibration, the finite-K
/// self-consistent rates with the quenched-variance fixed point, and the K → ∞ limit. Input statistics across neurons
/// and time are Gaussian; the exponential escape neuron has closed forms, the refractory one is integrated numerically
/// with the effective rate φ/(1 + t_ref·φ). Everything is in discrete time (τ̃ = dt/(1 − λ)) to match the simulation.
/// </summary>
public static class BalancedMeanField
{
    private const int QuadraturePoints = 121;
    private const double QuadratureHalfWidth = 7.0;
    private static readonly (double Z, double W)[] Quadrature = BuildQuadrature();

    /// <summary>The balance solution: Σ_b J_ab ν_b + J_a0 ν₀ = 0 (the O(√K) mean inputs cancel).</summary>
    public static double[] BalanceRates(BalancedParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        double det = (p.Jee * p.Jii) - (p.Jei * p.Jie);
        double be = -p.JeExternal * p.ExternalRate, bi = -p.JiExternal * p.ExternalRate;
        if (Math.Abs(det) < 1e-12)
        {
            return [double.NaN, double.NaN];
        }

        return [((be * p.Jii) - (p.Jei * bi)) / det, ((p.Jee * bi) - (p.Jie * be)) / det];
    }

    /// <summary>Mean input μ_a = g·τ̃_a(J_a0 ν₀ + Σ_b J_ab ν_b): the potential's mean, before the threshold.</summary>
    public static double MeanInput(BalancedParameters p, IReadOnlyList<double> rates, int a)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(rates);
        return p.CouplingGain * p.EffectiveTau(a) * ((p.JExternal(a) * p.ExternalRate) + (p.J(a, 0) * rates[0]) + (p.J(a, 1) * rates[1]));
    }

    /// <summary>Shot-noise variance σ²_d,a = (g²/K)·Σ_b J_ab² ν_b·dt/(1 − λ_a²) of an AR(1) potential driven by Poisson spikes.</summary>
    public static double TemporalVariance(BalancedParameters p, IReadOnlyList<double> rates, int a)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(rates);
        double lambda = p.Leak(a);
        double g2k = p.CouplingGain * p.CouplingGain / p.K;
        return g2k * ((p.J(a, 0) * p.J(a, 0) * rates[0]) + (p.J(a, 1) * p.J(a, 1) * rates[1])) * p.Dt / (1 - (lambda * lambda));
    }

    /// <summary>
    /// Escape rate φ_eff(V − θ): r₀e^{V−θ} (with <see cref="BalancedParameters.ExactStepClosure"/> the per-step
    /// probability as a rate, (1 − e^{−r₀e^{V−θ}·dt})/dt), divided by 1 + t_ref·φ with refractoriness (Hz).
    /// </summary>
    public static double EffectiveRate(BalancedParameters p, double u)
    {
        ArgumentNullException.ThrowIfNull(p);
        double phi = p.EscapeRate * Math.Exp(u);
        if (p.ExactStepClosure)
        {
            phi = -double.ExpM1(-phi * p.Dt) / p.Dt;
        }

        return p.Refractory > 0 ? phi / (1 + (p.Refractory * phi)) : phi;
    }

    /// <summary>Population rate E_z[φ_eff(u + s·z)] for a Gaussian input of mean u (relative to threshold) and variance s².</summary>
    public static double GaussianRate(BalancedParameters p, double u, double variance)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Refractory == 0 && !p.ExactStepClosure)
        {
            return p.EscapeRate * Math.Exp(u + (variance / 2));
        }

        double s = Math.Sqrt(Math.Max(variance, 0)), sum = 0;
        foreach (var (z, w) in Quadrature)
        {
            sum += w * EffectiveRate(p, u + (s * z));
        }

        return sum;
    }

    /// <summary>
    /// Across-neuron variance of the time-averaged rate r̄(x) = E_z[φ_eff(u + x + σ_d z)] for x ~ N(0, ŝ²):
    /// ν²(e^{ŝ²} − 1) in the exponential case.
    /// </summary>
    public static double TimeAveragedRateVariance(BalancedParameters p, double u, double temporalVariance, double staticVariance)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Refractory == 0 && !p.ExactStepClosure)
        {
            double nu = GaussianRate(p, u, temporalVariance + staticVariance);
            return nu * nu * double.ExpM1(staticVariance);
        }

        double s = Math.Sqrt(Math.Max(staticVariance, 0)), m1 = 0, m2 = 0;
        foreach (var (x, w) in Quadrature)
        {
            double r = GaussianRate(p, u + (s * x), temporalVariance);
            m1 += w * r;
            m2 += w * r * r;
        }

        return Math.Max(0, m2 - (m1 * m1));
    }

    /// <summary>
    /// Thresholds θ_a calibrated from the K → ∞ mean field at κ = 0 so that μ_a(κ = 0) = 0 (spec §2.3): then the
    /// finite-K rates at κ = 0 are the balance rates and the O(1) mean potential sits at 0.
    /// </summary>
    public static double[] Thresholds(BalancedParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        double[] nu = BalanceRates(p);
        double[] sd = [TemporalVariance(p, nu, 0), TemporalVariance(p, nu, 1)];
        double[] theta = new double[2];
        double[] sq = new double[2];
        // σ_q at κ = 0 vanishes for fixed in-degree with the exponential neuron; with refractoriness it can too, but
        // iterate anyway so that a non-zero fixed point would be found.
        for (int it = 0; it < 200; it++)
        {
            for (int a = 0; a < 2; a++)
            {
                theta[a] = -SolveMeanForRate(p, nu[a], sd[a] + sq[a]);
            }

            double[] next = QuenchedVarianceUpdate(p, [-theta[0], -theta[1]], sd, sq, [0, 0]);
            double change = Math.Abs(next[0] - sq[0]) + Math.Abs(next[1] - sq[1]);
            sq = next;
            if (change < 1e-14)
            {
                break;
            }
        }

        return theta;
    }

    /// <summary>
    /// The finite-K mean field at latent radius |κ|: Newton on ln ν (finite-difference Jacobian) with the quenched
    /// variance solved by damped iteration at every evaluation (spec §2.4, [PROTO] solver).
    /// </summary>
    public static MeanFieldSolution Solve(BalancedParameters p, double[] thresholds, double radiusSquared) =>
        Solve(p, thresholds, radiusSquared, [radiusSquared, radiusSquared]);

    /// <summary>
    /// The finite-K mean field when E and I see latent inputs of different size: population a's latent input has
    /// variance σ_m²·<paramref name="radiusSquaredPerPopulation"/>[a]. A latent moving at frequency ω reaches the
    /// potentials through membranes of different τ_a, so E and I see |κ̃_a|² = |κ|²/(1 + ω²τ_a²): the mode-B
    /// oscillation is such a case (docs/seed-001.md, "Mode-B amplitude gap").
    /// </summary>
    public static MeanFieldSolution Solve(BalancedParameters p, double[] thresholds, double[] radiusSquaredPerPopulation)
    {
        ArgumentNullException.ThrowIfNull(radiusSquaredPerPopulation);
        if (radiusSquaredPerPopulation.Length != 2)
        {
            throw new ArgumentException("give one |κ|² per population (E, I)", nameof(radiusSquaredPerPopulation));
        }

        return Solve(p, thresholds, radiusSquaredPerPopulation[0], radiusSquaredPerPopulation);
    }

    private static MeanFieldSolution Solve(BalancedParameters p, double[] thresholds, double radiusSquared, double[] perPopulation)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(thresholds);
        double[] u = BalanceRates(p).Select(x => Math.Log(x)).ToArray();
        double[] sq = new double[2];
        for (int it = 0; it < 100; it++)
        {
            double[] g = Residual(p, thresholds, perPopulation, u, ref sq);
            if (Math.Abs(g[0]) + Math.Abs(g[1]) < 1e-12)
            {
                break;
            }

            const double h = 1e-7;
            var jac = new double[2, 2];
            for (int c = 0; c < 2; c++)
            {
                double[] up = (double[])u.Clone();
                up[c] += h;
                double[] sqc = (double[])sq.Clone();
                double[] gp = Residual(p, thresholds, perPopulation, up, ref sqc);
                jac[0, c] = (gp[0] - g[0]) / h;
                jac[1, c] = (gp[1] - g[1]) / h;
            }

            double det = (jac[0, 0] * jac[1, 1]) - (jac[0, 1] * jac[1, 0]);
            double d0 = ((jac[1, 1] * g[0]) - (jac[0, 1] * g[1])) / det;
            double d1 = ((jac[0, 0] * g[1]) - (jac[1, 0] * g[0])) / det;
            // Damp large steps: far from the solution the √K-strong feedback makes the linearisation overshoot.
            double scale = Math.Min(1, 0.5 / Math.Max(Math.Abs(d0), Math.Abs(d1)));
            u[0] -= scale * d0;
            u[1] -= scale * d1;
        }

        double[] rates = u.Select(x => Math.Exp(x)).ToArray();
        Residual(p, thresholds, perPopulation, u, ref sq);
        return Describe(p, thresholds, radiusSquared, perPopulation, rates, sq);
    }

    /// <summary>
    /// The K → ∞ limit: rates pinned at the balance solution, the mean input μ_a(κ) defined implicitly by
    /// E[φ_a(μ_a + m·κ + σ_a z)] = ν_a^bal. For the exponential neuron μ_a(κ) − μ_a(0) = −[σ_m²|κ|² + Δσ_q²]/2.
    /// </summary>
    public static MeanFieldSolution SolveBalanceLimit(BalancedParameters p, double[] thresholds, double radiusSquared)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(thresholds);
        double[] nu = BalanceRates(p);
        double[] sd = [TemporalVariance(p, nu, 0), TemporalVariance(p, nu, 1)];
        double[] sq = new double[2];
        double[] rel = new double[2];
        double m2 = p.LoadingSd * p.LoadingSd * radiusSquared;
        double[] m2s = [m2, m2];
        for (int it = 0; it < 2000; it++)
        {
            for (int a = 0; a < 2; a++)
            {
                rel[a] = SolveMeanForRate(p, nu[a], sd[a] + sq[a] + m2);
            }

            double[] next = QuenchedVarianceUpdate(p, rel, sd, sq, m2s);
            double change = Math.Abs(next[0] - sq[0]) + Math.Abs(next[1] - sq[1]);
            sq = next;
            if (change < 1e-13)
            {
                break;
            }
        }

        double[] mu = [rel[0] + thresholds[0], rel[1] + thresholds[1]];
        double[] gain = [Gain(p, rel[0], sd[0] + sq[0] + m2), Gain(p, rel[1], sd[1] + sq[1] + m2)];
        return new MeanFieldSolution(nu, mu, sd, sq, radiusSquared, gain);
    }

    /// <summary>
    /// Expected time-averaged rate of a neuron of population a whose latent input is x = m·κ, averaged over its
    /// quenched input: ν_a(κ)·exp(x − σ_m²|κ|²/2) for the exponential neuron, so ln E[r|x] has slope 1/Δ in x.
    /// </summary>
    public static double ConditionalRate(BalancedParameters p, MeanFieldSolution s, double[] thresholds, int a, double x)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(thresholds);
        return GaussianRate(p, s.MeanInput[a] - thresholds[a] + x, s.TemporalVariance[a] + s.QuenchedVariance[a]);
    }

    /// <summary>
    /// Integrates the mode-B mean-field latent dynamics from κ₀ over <paramref name="steps"/> steps:
    /// τ_s dκ/dt = −κ + A·g(|κ|²)·Σ_a w_a κ̃_a (+ input), where κ̃_a is κ low-pass filtered by population a's
    /// membrane (τ_a dκ̃_a/dt = κ − κ̃_a: the latent input reaches the rates through V), w_a = N_a⟨φ'⟩_a/Σ_b N_b⟨φ'⟩_b
    /// at κ = 0, and g = ⟨φ'⟩(κ)/⟨φ'⟩(0) is <paramref name="gainScale"/> (1 when null: the K → ∞ exponential case,
    /// where balance pins ⟨φ'⟩ and the dynamics are exactly linear). For latents slow compared with τ_a this is the
    /// spec's τ_s dκ/dt = −κ + Σ_nm κ⟨φ'⟩. Steps are ordered as in the simulation.
    /// </summary>
    public static double[][] LatentTrajectory(BalancedParameters p, double[] initial, int steps, Func<int, double[]>? input = null, Func<double, double>? gainScale = null)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(initial);
        int r = p.Rank;
        var a = p.LatentMatrix ?? throw new ArgumentException("mode B needs a latent matrix", nameof(p));
        double lambda = Math.Exp(-p.Dt / p.LatentTau);
        double[] nu = BalanceRates(p);
        double[] w = [p.ExcitatoryCount * nu[0], p.InhibitoryCount * nu[1]];
        double wsum = w[0] + w[1];
        if (p.Refractory > 0 || p.ExactStepClosure)
        {
            var s0 = Solve(p, Thresholds(p), 0);
            w = [p.ExcitatoryCount * s0.Gain[0], p.InhibitoryCount * s0.Gain[1]];
            wsum = w[0] + w[1];
        }

        double[] leak = [p.Leak(0), p.Leak(1)];
        // The network starts at κ = 0, so the membranes have seen κ = 0 so far.
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

            for (int i = 0; i < r; i++)
            {
                mix[i] = ((w[0] * filtered[0][i]) + (w[1] * filtered[1][i])) / wsum;
            }

            double[]? inp = input?.Invoke(t);
            double scale = gainScale?.Invoke(mix.Sum(v => v * v)) ?? 1;
            for (int i = 0; i < r; i++)
            {
                double drive = inp?[i] ?? 0;
                for (int j = 0; j < r; j++)
                {
                    drive += scale * a[(i * r) + j] * mix[j];
                }

                // Exact exponential integration of the leak with the drive held over the step (as in the simulation).
                next[i] = (lambda * k[i]) + ((1 - lambda) * drive);
            }

            result[t + 1] = next;
        }

        return result;
    }

    /// <summary>
    /// The finite-K mode-B gain scale g(|κ|²) = ⟨φ'⟩(κ)/⟨φ'⟩(0), size-weighted over E and I (the populations' shares
    /// of (1/N)Σ_j n_j S_j), tabulated on |κ|² ∈ [0, <paramref name="maxRadiusSquared"/>] and interpolated linearly
    /// (held constant beyond). At small K and large |κ| the quenched-variance fixed point can vanish; from the first
    /// radius without a solution on, the gain is held at the last solvable one (the mean field says nothing there).
    /// Throws when not even κ = 0 has a solution.
    /// </summary>
    public static Func<double, double> GainScale(BalancedParameters p, double[] thresholds, double maxRadiusSquared, int points = 41)
    {
        ArgumentNullException.ThrowIfNull(p);
        double[] table = new double[points];
        for (int i = 0; i < points; i++)
        {
            var s = Solve(p, thresholds, maxRadiusSquared * i / (points - 1));
            table[i] = ((p.ExcitatoryCount * s.Gain[0]) + (p.InhibitoryCount * s.Gain[1])) / p.NeuronCount;
            if (!double.IsFinite(table[i]))
            {
                if (i == 0)
                {
                    throw new Model.ModelValidationException("K", $"the finite-K mean field has no solution at κ = 0 for K = {p.K}");
                }

                for (int j = i; j < points; j++)
                {
                    table[j] = table[i - 1];
                }

                break;
            }
        }

        double g0 = table[0];
        return r2 =>
        {
            double x = Math.Clamp(r2 / maxRadiusSquared, 0, 1) * (points - 1);
            int i = Math.Min((int)x, points - 2);
            double f = x - i;
            return (((1 - f) * table[i]) + (f * table[i + 1])) / g0;
        };
    }

    private static MeanFieldSolution Describe(BalancedParameters p, double[] thresholds, double radiusSquared, double[] perPopulation, double[] rates, double[] sq)
    {
        double[] sd = [TemporalVariance(p, rates, 0), TemporalVariance(p, rates, 1)];
        double[] m2 = [p.LoadingSd * p.LoadingSd * perPopulation[0], p.LoadingSd * p.LoadingSd * perPopulation[1]];
        double[] mu = [MeanInput(p, rates, 0), MeanInput(p, rates, 1)];
        double[] gain = [Gain(p, mu[0] - thresholds[0], sd[0] + sq[0] + m2[0]), Gain(p, mu[1] - thresholds[1], sd[1] + sq[1] + m2[1])];
        return new MeanFieldSolution(rates, mu, sd, sq, radiusSquared, gain);
    }

    /// <summary>ln ν − ln(model rate given ν); updates the quenched variance for these rates in place.</summary>
    private static double[] Residual(BalancedParameters p, double[] thresholds, double[] radiusSquared, double[] logRates, ref double[] sq)
    {
        double[] nu = [Math.Exp(logRates[0]), Math.Exp(logRates[1])];
        double[] sd = [TemporalVariance(p, nu, 0), TemporalVariance(p, nu, 1)];
        double[] rel = [MeanInput(p, nu, 0) - thresholds[0], MeanInput(p, nu, 1) - thresholds[1]];
        double[] m2 = [p.LoadingSd * p.LoadingSd * radiusSquared[0], p.LoadingSd * p.LoadingSd * radiusSquared[1]];
        for (int it = 0; it < 2000; it++)
        {
            // The quenched variance is evaluated at the candidate rates ν (the mean set so that the population rate
            // is ν), not at the model rate: at the solution both agree, and away from it the model rate grows like
            // e^{σ_q²/2}, which would make the inner iteration run away before Newton has moved ν.
            double[] relAtRates = [SolveMeanForRate(p, nu[0], sd[0] + sq[0] + m2[0]), SolveMeanForRate(p, nu[1], sd[1] + sq[1] + m2[1])];
            double[] next = QuenchedVarianceUpdate(p, relAtRates, sd, sq, m2);
            double change = Math.Abs(next[0] - sq[0]) + Math.Abs(next[1] - sq[1]);
            sq = next;
            if (change < 1e-14)
            {
                break;
            }
        }

        return [logRates[0] - Math.Log(GaussianRate(p, rel[0], sd[0] + sq[0] + m2[0])), logRates[1] - Math.Log(GaussianRate(p, rel[1], sd[1] + sq[1] + m2[1]))];
    }

    /// <summary>
    /// One damped step of σ²_q,a = K·(g/K)²·τ̃_a²·Σ_b J_ab²·(N_b − K)/(N_b − 1)·Var_b(r̄): the across-neuron variance
    /// of a fixed-in-degree sum of K time-averaged rates sampled without replacement (τ̃²Σ J²(1 − p)Var when g = √K).
    /// </summary>
    private static double[] QuenchedVarianceUpdate(BalancedParameters p, double[] rel, double[] sd, double[] sq, double[] m2)
    {
        double[] var = new double[2];
        for (int b = 0; b < 2; b++)
        {
            var[b] = TimeAveragedRateVariance(p, rel[b], sd[b], sq[b] + m2[b]);
        }

        double g2k = p.CouplingGain * p.CouplingGain / p.K;
        double[] next = new double[2];
        for (int a = 0; a < 2; a++)
        {
            double tau = p.EffectiveTau(a), sum = 0;
            for (int b = 0; b < 2; b++)
            {
                double fpc = (double)(p.Size(b) - p.K) / (p.Size(b) - 1);
                sum += p.J(a, b) * p.J(a, b) * fpc * var[b];
            }

            double target = g2k * tau * tau * sum;
            next[a] = double.IsFinite(target) ? (0.5 * sq[a]) + (0.5 * target) : 1e6;
        }

        return next;
    }

    /// <summary>The mean input u (relative to threshold) at which a Gaussian input of variance s² gives rate ν.</summary>
    private static double SolveMeanForRate(BalancedParameters p, double rate, double variance)
    {
        if (p.Refractory == 0 && !p.ExactStepClosure)
        {
            return Math.Log(rate / p.EscapeRate) - (variance / 2);
        }

        if (rate * p.Refractory >= 1)
        {
            throw new Model.ModelValidationException("refractory", $"a rate of {rate:0.###} Hz is unreachable with a refractory period of {p.Refractory} s");
        }

        double lo = -60, hi = 60;
        for (int i = 0; i < 200; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (GaussianRate(p, mid, variance) < rate)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return 0.5 * (lo + hi);
    }

    /// <summary>⟨φ'⟩ for a Gaussian input: ν for the exponential neuron (Δ = 1), a central difference otherwise.</summary>
    private static double Gain(BalancedParameters p, double u, double variance)
    {
        const double h = 1e-5;
        return (GaussianRate(p, u + h, variance) - GaussianRate(p, u - h, variance)) / (2 * h);
    }

    private static (double, double)[] BuildQuadrature()
    {
        // The trapezoid rule on a wide uniform grid is spectrally accurate for Gaussian integrals of smooth functions.
        var q = new (double, double)[QuadraturePoints];
        double h = 2 * QuadratureHalfWidth / (QuadraturePoints - 1), norm = 0;
        for (int i = 0; i < QuadraturePoints; i++)
        {
            double z = -QuadratureHalfWidth + (i * h);
            q[i] = (z, Math.Exp(-z * z / 2));
            norm += q[i].Item2;
        }

        for (int i = 0; i < QuadraturePoints; i++)
        {
            q[i].Item2 /= norm;
        }

        return q;
    }
}
