using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Engine;

/// <summary>
/// The event-driven engine against closed forms. With c = x + dx/dt the voltage between events is
/// V(t) = F·x(t) + b + A + a·e^{−t}, so spike times solve elementary equations (logarithms, Lambert W, arcsine).
/// Tolerances are 1e-12 relative to the spike time (the root finder's ulp-level bracket plus the rounding of a
/// few exponentials), except the sinusoid, whose documented voltage tolerance 1e-12 allows a time error of
/// 1e-12/V′ (V′ ≥ 0.1 here, so 1e-10).
/// </summary>
public class EventDrivenExactnessTests
{
    private static Population Single(string name, PopulationKind kind, double f, double threshold, double decoder, double mu = 0, double sigma = 0) =>
        new(name, kind, [[f]], [threshold], [decoder], new Dictionary<string, double[]> { [Population.LatentNameOf(name)] = [1.0] }, mu, sigma);

    private static SimulationResult Run(Population pop, InputSignal input, double duration, double? y0 = null, double dt = 0.01,
        IReadOnlyList<CurrentInjection>? injections = null)
    {
        var initial = y0 is null ? null : new Dictionary<string, double> { [pop.LatentName] = y0.Value };
        var exp = new Experiment(new LowRankNetwork([pop]), [input], new SimulationSettings { ClipAtSpike = false, Dt = dt, Duration = duration, RunawayWindow = 0 },
            injections, initial);
        return new EventDrivenEngine().Run(exp);
    }

    private static void AssertTime(double expected, double actual, double tolerance = 1e-12) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, expected), $"spike at {actual:R}, expected {expected:R} (error {actual - expected:E2})");

    /// <summary>Lambert W by Halley's iteration on w·e^w = z: branch 0 (w ≥ −1) or −1 (w ≤ −1), for z ≥ −1/e.</summary>
    private static double LambertW(double z, int branch)
    {
        double w = branch == 0 ? (z < 1 ? z : Math.Log(z)) : Math.Log(-z) - Math.Log(-Math.Log(-z));
        for (int i = 0; i < 100; i++)
        {
            double ew = Math.Exp(w);
            double f = (w * ew) - z;
            double next = w - (f / ((ew * (w + 1)) - ((w + 2) * f / ((2 * w) + 2))));
            if (Math.Abs(next - w) <= 1e-16 * Math.Max(1, Math.Abs(w)))
            {
                return next;
            }

            w = next;
        }

        return w;
    }

    [Fact]
    public void Constant_drive_gives_the_analytic_first_spike_and_interspike_interval()
    {
        // b = 1.5, y(0) = −1: V = 1.5 − e^{−t} reaches 1 at ln 2. The self-reset E·D − μ = −0.6 − 0.4 = −1 puts V at 0,
        // from where it relaxes to 1.5 and crosses after ln((1.5 − 0)/(1.5 − 1)) = ln 3 (the τ·ln(...) of the LIF).
        var pop = Single("I", PopulationKind.Inhibitory, 0.0, -0.5, -0.6, mu: 0.4);
        var result = Run(pop, new ConstantSignal(0), 20, y0: -1);
        var t = result.Spikes.Select(s => s.Time).ToArray();
        Assert.Equal(1 + (int)((20 - Math.Log(2)) / Math.Log(3)), t.Length);
        for (int n = 0; n < t.Length; n++)
        {
            AssertTime(Math.Log(2) + (n * Math.Log(3)), t[n]);
        }
    }

    [Fact]
    public void Recorded_latents_are_the_exact_exponential_filter_of_the_spikes_at_the_record_grid()
    {
        var pop = Single("I", PopulationKind.Inhibitory, 0.0, -0.5, -0.6, mu: 0.4);
        var result = Run(pop, new ConstantSignal(0), 10, y0: -1, dt: 0.01);
        double[] y = result.Latent("y_I");
        Assert.Equal(1001, y.Length);
        for (int r = 0; r < y.Length; r++)
        {
            double time = r * 0.01;
            Assert.Equal(time, result.Times[r], 12);
            double expected = -Math.Exp(-time) + result.Spikes.Where(s => s.Time <= time).Sum(s => -0.6 * Math.Exp(-(time - s.Time)));
            Assert.Equal(expected, y[r], 12);
        }

        // Spike.Step is the grid step (n − 1)·dt < t ≤ n·dt where the clock engine would emit it.
        Assert.All(result.Spikes, s => Assert.Equal((long)Math.Ceiling(s.Time / 0.01), s.Step));
    }

    [Fact]
    public void A_ramp_crosses_threshold_exactly_when_the_filtered_input_does()
    {
        // V = F·x + b with F = 1, b = 0.5: V = 1 at x = 0.5, reached at t = 5 on the ramp 0 → 1 over [0, 10].
        var pop = Single("I", PopulationKind.Inhibitory, 1.0, 0.5, -0.1);
        AssertTime(5.0, Run(pop, new RampSignal(0, 1, 0, 10), 6).Spikes[0].Time);
    }

    [Fact]
    public void A_ramp_with_a_decaying_transient_crosses_at_the_lambert_w_solution()
    {
        // Concave, rising: V − 1 = 0.1·s − 0.5 − e^{−s}, so u = s − 5 solves u·e^u = 10·e^{−5}: s = 5 + W₀(10·e^{−5}).
        var rising = Single("I", PopulationKind.Inhibitory, 1.0, 0.5, -0.1);
        AssertTime(5 + LambertW(10 * Math.Exp(-5), 0), Run(rising, new RampSignal(0, 1, 0, 10), 8, y0: -1).Spikes[0].Time);

        // Convex (a > 0): V − 1 = 0.1·s − 1.5 + e^{−s} first falls, then rises through 0 at s = 15 + W₀(−10·e^{−15}).
        var convex = Single("U", PopulationKind.Unsigned, 1.0, 1.5, -0.1);
        AssertTime(15 + LambertW(-10 * Math.Exp(-15), 0), Run(convex, new RampSignal(0, 10, 0, 100), 20, y0: 1).Spikes[0].Time);

        // Concave with a falling input: V − 1 = 0.5 − 0.1·s − e^{−s} rises to a peak and falls back; the first,
        // upward crossing is on the other branch, s = 5 + W₋₁(−10·e^{−5}).
        var peaked = Single("U", PopulationKind.Unsigned, 1.0, -0.5, -2.0);
        var result = Run(peaked, new RampSignal(0, -10, 0, 100), 3, y0: -1);
        AssertTime(5 + LambertW(-10 * Math.Exp(-5), -1), result.Spikes[0].Time);

        // With b = 1.2 the peak stays below threshold, 0.2 − 0.1·(ln 10 + 1) < 0: no spike at all.
        var below = Single("U", PopulationKind.Unsigned, 1.0, -0.2, -2.0);
        Assert.Empty(Run(below, new RampSignal(0, -10, 0, 100), 10, y0: -1).Spikes);
    }

    [Fact]
    public void A_step_in_the_input_fires_at_the_step_and_the_next_spike_follows_the_leak()
    {
        // V = x + 0.5 jumps from 0.5 to 1.2 at t = 3.3: a spike at exactly 3.3, the reset −0.3 leaves V = 0.9, and V
        // relaxes to 1.2, crossing again after ln((1.2 − 0.9)/(1.2 − 1)) = ln 1.5; from V = 1 − 0.3 the next interval
        // is ln((1.2 − 0.7)/(1.2 − 1)) = ln 2.5.
        var pop = Single("I", PopulationKind.Inhibitory, 1.0, 0.5, -0.3);
        var t = Run(pop, new StepsSignal(0, [3.3], [0.7]), 5).Spikes.Select(s => s.Time).ToArray();
        Assert.Equal(3, t.Length);
        AssertTime(3.3, t[0]);
        AssertTime(3.3 + Math.Log(1.5), t[1]);
        AssertTime(3.3 + Math.Log(1.5) + Math.Log(2.5), t[2]);
    }

    [Fact]
    public void A_current_injection_relaxes_the_voltage_exactly_inside_its_window()
    {
        // b = 0.5 and 1.0 injected over [2, 6): V = 0.5 + (1 − e^{−(t−2)}) reaches 1 at t = 2 + ln 2; none after 6.
        var pop = Single("I", PopulationKind.Inhibitory, 0.0, 0.5, -0.1);
        var spikes = Run(pop, new ConstantSignal(0), 10, injections: [new CurrentInjection("I", 1.0, 2.0, 6.0)]).Spikes;
        AssertTime(2 + Math.Log(2), spikes[0].Time);
        Assert.All(spikes, s => Assert.InRange(s.Time, 2.0, 6.0));
    }

    [Fact]
    public void A_sinusoid_crosses_at_the_arcsine_solution()
    {
        // V = 0.7 + 0.5·sin(ωt), ω = 2π·0.2: V = 1 where sin(ωt) = 0.6.
        var pop = Single("I", PopulationKind.Inhibitory, 1.0, 0.3, -0.1);
        double omega = 2 * Math.PI * 0.2;
        AssertTime(Math.Asin(0.6) / omega, Run(pop, new SinusoidSignal(0, 0.5, 0.2, 0), 3).Spikes[0].Time, 1e-10);
    }

    [Fact]
    public void A_sinusoid_peak_barely_above_threshold_is_not_stepped_over()
    {
        // The peak of V = b + 0.5·sin(ωt + φ) exceeds 1 by 1e-6 for only ±1.6e-3 τ around t = 1.255: between two points of
        // the dt = 0.01 grid, which the clock engine therefore misses. The crossing is at sin(ωt + φ) = (1 − b)/0.5.
        const double b = 0.5 + 1e-6;
        double omega = 2 * Math.PI * 0.2;
        double phase = (Math.PI / 2) - (omega * 1.255);
        var pop = Single("I", PopulationKind.Inhibitory, 1.0, 1 - b, -0.1);
        var input = new SinusoidSignal(0, 0.5, 0.2, phase);
        var spikes = Run(pop, input, 2).Spikes;
        Assert.Single(spikes);
        AssertTime((Math.Asin((1 - b) / 0.5) - phase) / omega, spikes[0].Time, 1e-7); // V′ ≈ 1.3e-3 at this shallow crossing

        var exp = new Experiment(new LowRankNetwork([pop]), [input], new SimulationSettings { ClipAtSpike = false, Dt = 0.01, Duration = 2 });
        Assert.Empty(new ClockDrivenEngine().Run(exp).Spikes);
    }
}
