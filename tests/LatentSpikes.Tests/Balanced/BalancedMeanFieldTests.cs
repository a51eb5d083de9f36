using LatentSpikes.Balanced;
using LatentSpikes.Model;

namespace LatentSpikes.Tests.Balanced;

public class BalancedMeanFieldTests
{
    private static readonly BalancedParameters Defaults = new();

    [Fact]
    public void Balance_solution_of_the_defaults_is_5_and_15_Hz()
    {
        double[] nu = BalancedMeanField.BalanceRates(Defaults);
        Assert.Equal(5.0, nu[0], 12);
        Assert.Equal(15.0, nu[1], 12);
    }

    [Fact]
    public void Calibrated_thresholds_match_the_spec()
    {
        // Spec §2.3: θ_E = −1.276, θ_I = −2.656 (continuous-time σ_d); the discrete-time σ_d² = ΣJ²ν·dt/(1 − λ²)
        // differs by O(dt/τ) ≈ 1e−3 relative, far below the 5e−3 tolerance.
        double[] theta = BalancedMeanField.Thresholds(Defaults);
        Assert.Equal(-1.276, theta[0], 0.005);
        Assert.Equal(-2.656, theta[1], 0.005);
    }

    [Theory]
    [InlineData(0.25, -0.026, -0.020)]
    [InlineData(0.5, -0.107, -0.082)]
    [InlineData(1.0, -0.462, -0.330)]
    [InlineData(1.25, -0.782, -0.521)]
    public void Balance_limit_mean_potential_matches_the_spec_table(double radius, double muE, double muI)
    {
        // Spec §2.5.2 (K → ∞). Tolerance 0.01: the discrete-time τ̃ = dt/(1 − λ) shifts τ by dt/2τ ≈ 1–2.5%, which
        // moves σ_q² and hence μ by ≤ 1% of the value.
        double[] theta = BalancedMeanField.Thresholds(Defaults);
        var s = BalancedMeanField.SolveBalanceLimit(Defaults, theta, radius * radius);
        Assert.Equal(muE, s.MeanInput[0], 0.01);
        Assert.Equal(muI, s.MeanInput[1], 0.01);
    }

    [Fact]
    public void Balance_limit_obeys_the_exponential_closed_form()
    {
        // μ_a(κ) − μ_a(0) = −[σ_m²|κ|² + σ_q²(κ) − σ_q²(0)]/2 and the quenched fixed point
        // σ_q,a² = Σ_b J_ab² τ̃_a² ν_b² (e^{σ_q,b² + σ_m²|κ|²} − 1)(1 − p_b): both must hold to solver precision.
        var p = Defaults;
        double[] theta = BalancedMeanField.Thresholds(p);
        var s = BalancedMeanField.SolveBalanceLimit(p, theta, 1.0);
        double m2 = p.LoadingSd * p.LoadingSd;
        for (int a = 0; a < 2; a++)
        {
            Assert.Equal(-(m2 + s.QuenchedVariance[a]) / 2, s.MeanInput[a], 1e-8);
            double q = 0;
            for (int b = 0; b < 2; b++)
            {
                double fpc = (double)(p.Size(b) - p.K) / (p.Size(b) - 1);
                q += p.J(a, b) * p.J(a, b) * p.EffectiveTau(a) * p.EffectiveTau(a) * s.Rates[b] * s.Rates[b] * double.ExpM1(s.QuenchedVariance[b] + m2) * fpc;
            }

            Assert.Equal(q, s.QuenchedVariance[a], 1e-8);
        }
    }

    [Theory]
    [InlineData(100, 0.5, 4.66, 15.29, -0.18, -0.06)]
    [InlineData(100, 1.0, 3.88, 16.34, -0.76, -0.25)]
    [InlineData(400, 1.0, 3.79, 15.32, -0.74, -0.31)]
    public void Finite_K_solution_matches_the_prototype_mean_field(int k, double radius, double nuE, double nuI, double vE, double vI)
    {
        // Spec §2.6 [PROTO] MF columns (p fixed: N_E = 20K, N_I = 5K). Tolerances 0.05 Hz and 0.02 Δ cover the
        // prototype's two-decimal rounding plus the continuous-vs-discrete τ difference.
        var p = new BalancedParameters { K = k, ExcitatoryCount = 20 * k, InhibitoryCount = 5 * k };
        double[] theta = BalancedMeanField.Thresholds(p);
        var s = BalancedMeanField.Solve(p, theta, radius * radius);
        Assert.Equal(nuE, s.Rates[0], 0.05);
        Assert.Equal(nuI, s.Rates[1], 0.05);
        Assert.Equal(vE, s.MeanInput[0], 0.02);
        Assert.Equal(vI, s.MeanInput[1], 0.02);
    }

    [Fact]
    public void Finite_K_solution_at_zero_latent_is_the_balance_solution()
    {
        var p = new BalancedParameters { K = 100, ExcitatoryCount = 2000, InhibitoryCount = 500 };
        var s = BalancedMeanField.Solve(p, BalancedMeanField.Thresholds(p), 0);
        Assert.Equal(5.0, s.Rates[0], 1e-9);
        Assert.Equal(15.0, s.Rates[1], 1e-9);
        Assert.Equal(0.0, s.MeanInput[0], 1e-9);
    }

    [Fact]
    public void Rate_modulation_shrinks_with_K_while_the_mean_shift_converges()
    {
        // Spec §2.5.3 and checklist 3: the change of ν_E at |κ| = 1 falls with K once K ≳ 10³ (below that the
        // restoring term ln(ν/ν_bal) matters and the prototype MF itself is non-monotonic: −1.12, −1.21, −0.85 Hz at
        // K = 100, 400, 1600), and μ_E tends to the K → ∞ value.
        double previous = double.MaxValue;
        foreach (int k in new[] { 400, 1600, 6400, 25600 })
        {
            var p = new BalancedParameters { K = k, ExcitatoryCount = 20 * k, InhibitoryCount = 5 * k };
            var s = BalancedMeanField.Solve(p, BalancedMeanField.Thresholds(p), 1.0);
            double change = Math.Abs(s.Rates[0] - 5.0);
            Assert.True(change < previous, $"|Δν_E| = {change} at K = {k} did not fall");
            previous = change;
        }

        var big = new BalancedParameters { K = 25600, ExcitatoryCount = 20 * 25600, InhibitoryCount = 5 * 25600 };
        var th = BalancedMeanField.Thresholds(big);
        Assert.Equal(BalancedMeanField.SolveBalanceLimit(big, th, 1.0).MeanInput[0], BalancedMeanField.Solve(big, th, 1.0).MeanInput[0], 0.06);
    }

    [Fact]
    public void Unbalanced_control_rate_rises_by_the_latent_variance_factor()
    {
        // Spec §2.4: with weights J/K and no strong drive the mean input barely moves, so the rate rises toward the
        // feed-forward value ν(0)·exp(σ_m²|κ|²/2) = +38% at |κ| = 1. The O(1) recurrent feedback τ̃·ΣJΔν (net
        // inhibitory: ν_I rises too) damps that to ≈ +15%; the balanced network instead lowers ν_E and moves μ_E by
        // −0.76, where the control's μ_E moves by < 0.25 of that.
        var p = new BalancedParameters { K = 100, ExcitatoryCount = 2000, InhibitoryCount = 500, IsBalanced = false };
        var s = BalancedMeanField.Solve(p, BalancedMeanField.Thresholds(p), 1.0);
        var balanced = BalancedMeanField.Solve(p with { IsBalanced = true }, BalancedMeanField.Thresholds(p with { IsBalanced = true }), 1.0);
        double rise = (s.Rates[0] / 5.0) - 1;
        Assert.InRange(rise, 0.10, Math.Exp(p.LoadingSd * p.LoadingSd / 2) - 1);
        Assert.True(balanced.Rates[0] < 5.0);
        Assert.True(Math.Abs(s.MeanInput[0]) < 0.25 * Math.Abs(balanced.MeanInput[0]), $"control μ_E {s.MeanInput[0]} vs balanced {balanced.MeanInput[0]}");
    }

    [Fact]
    public void Quadrature_with_a_vanishing_refractory_period_reproduces_the_closed_form()
    {
        var exp = new BalancedParameters();
        var refr = exp with { Refractory = 1e-9 };
        double closed = BalancedMeanField.GaussianRate(exp, -1.2, 0.9);
        double quad = BalancedMeanField.GaussianRate(refr, -1.2, 0.9);
        Assert.Equal(closed, quad, closed * 1e-6);
        Assert.Equal(BalancedMeanField.TimeAveragedRateVariance(exp, -1.2, 0.6, 0.3), BalancedMeanField.TimeAveragedRateVariance(refr, -1.2, 0.6, 0.3), 1e-4);
    }

    [Fact]
    public void Refractoriness_makes_the_gain_saturate()
    {
        var p = new BalancedParameters { Refractory = 0.002 };
        double low = BalancedMeanField.GaussianRate(p, 2, 0.5), high = BalancedMeanField.GaussianRate(p, 12, 0.5);
        Assert.True(high < 1 / p.Refractory && high > 0.95 / p.Refractory, $"saturated rate {high}");
        Assert.True(low < high);
    }

    [Theory]
    [InlineData("K")]
    [InlineData("J")]
    [InlineData("dt")]
    public void Bad_parameters_name_the_field(string field)
    {
        var p = field switch
        {
            "K" => new BalancedParameters { K = 3000 },
            "J" => new BalancedParameters { Jei = 2 },
            _ => new BalancedParameters { Dt = 0.01 },
        };
        var e = Assert.Throws<ModelValidationException>(p.Validate);
        Assert.Equal(field, e.Field);
    }
}
