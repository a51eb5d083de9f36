using LatentSpikes.Balanced;
using Xunit.Abstractions;

namespace LatentSpikes.Tests.Balanced;

/// <summary>
/// The mode-B amplitude gap (issue 18; docs/seed-001.md, "Mode-B amplitude gap"): the single-radius mean field put
/// the oscillator's amplitude 27 % above the network because it takes E's and I's gain at one mixed filtered radius,
/// while at the oscillator's frequency the I membranes pass a larger latent than the E membranes; the amplitude is
/// so sensitive to the loop gain (d ln|κ|/d ln G ≈ 4.4) that the resulting few per cent of gain make the gap.
/// </summary>
public sealed class ModeBGapTests(ITestOutputHelper output)
{
    private const double Period = 0.244;

    [Fact]
    public void Under_a_rotating_latent_the_rates_follow_each_population_s_own_filtered_radius()
    {
        // Mode-A network (κ imposed): κ(t) = ρ(cos ωt, sin ωt) at the oscillator's frequency. E and I see
        // |κ̃_a| = ρ/√(1 + ω²τ_a²): 0.978 and 1.065 at ρ = 1.1. Measured: ν_E 3.52 Hz; per-population mean field
        // 3.57 (+1.4 %); one radius at the E/I-weighted mix (the old closure) 3.80 (+7.7 %).
        var p = new BalancedParameters();
        double[] theta = BalancedMeanField.Thresholds(p);
        using var sim = new BalancedSimulation(BalancedNetwork.Create(p));
        const double rho = 1.1;
        double w = 2 * Math.PI / Period;
        double fe = rho / Math.Sqrt(1 + Math.Pow(w * p.TauE, 2)), fi = rho / Math.Sqrt(1 + Math.Pow(w * p.TauI, 2));
        var rot = sim.RunSegment(new LatentSegment("rotating", 3.0, 0.5, t => [rho * Math.Cos(w * t), rho * Math.Sin(w * t)]));
        var perPopulation = BalancedMeanField.Solve(p, theta, [fe * fe, fi * fi]);
        double mix = ((p.ExcitatoryCount * 5 * fe) + (p.InhibitoryCount * 15 * fi)) / ((p.ExcitatoryCount * 5.0) + (p.InhibitoryCount * 15.0));
        var single = BalancedMeanField.Solve(p, theta, mix * mix);
        output.WriteLine($"ν_E: network {rot.Rates[0]:F3}, per-population MF {perPopulation.Rates[0]:F3}, single radius {single.Rates[0]:F3} Hz");
        Assert.InRange(rot.Rates[0] / perPopulation.Rates[0], 0.97, 1.03);
        Assert.True(single.Rates[0] > 1.05 * rot.Rates[0], $"single radius {single.Rates[0]:F3} vs network {rot.Rates[0]:F3}");

        // With equal radii the new overload is the old solver.
        Assert.Equal(BalancedMeanField.Solve(p, theta, 0.81).Rates[0], BalancedMeanField.Solve(p, theta, [0.81, 0.81]).Rates[0]);
    }

    [Fact]
    public void The_per_population_mean_field_removes_most_of_the_oscillator_amplitude_gap()
    {
        // N = 10⁴, K = 400, seed 1: network 0.988, single radius 1.258 (+27 %), per population 1.055 (+7 %). Seeds
        // 2 and 3 give 0.960 and 0.883 (the per-population field stays within +20 %; the single radius is 28-42 % high).
        var r = BalancedExperiment.Run(new BalancedParameters { LatentMatrix = BalancedExperiment.OscillatorMatrix }, conditionSeconds: 1.0, dynamicSeconds: 3.0);
        output.WriteLine($"mean |κ|: network {r.LatentAmplitude[0]:F3}, per-population MF {r.LatentAmplitude[1]:F3}, single radius {r.LatentAmplitudeSingleRadius:F3}");
        Assert.InRange(r.LatentAmplitude[1] / r.LatentAmplitude[0], 0.95, 1.15);
        Assert.True(r.LatentAmplitudeSingleRadius > 1.2 * r.LatentAmplitude[0], $"single radius {r.LatentAmplitudeSingleRadius:F3}");
    }

    [Fact]
    public void The_oscillator_amplitude_is_four_times_as_sensitive_as_the_loop_gain()
    {
        // Why a few per cent of gain matter: scaling the mean field's gain by 0.95 moves the amplitude from 1.26 to
        // 1.00, d ln|κ|/d ln G ≈ 4.4.
        var p = new BalancedParameters { LatentMatrix = BalancedExperiment.OscillatorMatrix };
        var theta = BalancedMeanField.Thresholds(p);
        var g = BalancedMeanField.GainScale(p, theta, 2.25);
        int steps = (int)Math.Round(3.0 / p.Dt);
        double Amp(double c) => BalancedMeanField.LatentTrajectory(p, [1, 0], steps, gainScale: r2 => c * g(r2)).Skip(steps / 2).Average(k => Math.Sqrt(k.Sum(v => v * v)));
        double sensitivity = Math.Log(Amp(1.0) / Amp(0.95)) / -Math.Log(0.95);
        output.WriteLine($"d ln|κ| / d ln G = {sensitivity:F2}");
        Assert.InRange(sensitivity, 3.5, 5.5);
    }
}
