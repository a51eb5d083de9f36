using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Science;

/// <summary>Seed 002, §2.5 and Fig. 3: a rank-1 excitatory population forms an unstable, repellent boundary.</summary>
public class ExcitatoryBoundaryTests
{
    [Fact]
    public void Started_below_the_boundary_the_latent_leaks_to_zero_without_a_spike()
    {
        var spec = TestData.LoadExample("fig3-excitatory-boundary.yaml");
        var e = spec.Experiment;
        var exp = new Experiment(e.Network, e.Inputs, e.Settings, initialLatents: new Dictionary<string, double> { ["y_E"] = 1.2 });
        var result = new ClockDrivenEngine().Run(exp);
        Assert.Equal(SimulationStatus.Completed, result.Status);
        Assert.Empty(result.Spikes);
        double[] y = result.Latent("y_E");
        int at5 = (int)Math.Round(5 / e.Settings.Dt);
        Assert.Equal(1.2 * Math.Exp(-5), y[at5], 9);
        Assert.True(y[^1] < 1e-4);
    }

    [Fact]
    public void Started_beyond_the_boundary_the_activity_explodes_and_the_run_is_stopped_and_reported()
    {
        var spec = TestData.LoadExample("fig3-excitatory-boundary.yaml");
        var result = new ClockDrivenEngine().Run(spec.Experiment);
        Assert.Equal(SimulationStatus.Exploded, result.Status);
        Assert.Contains("ran away", result.StatusDetail, StringComparison.Ordinal);
        Assert.Contains("'E'", result.StatusDetail, StringComparison.Ordinal);
        // Detected one runaway window after onset, not looped on to the end of the 10 τ run.
        Assert.InRange(result.SimulatedDuration, 0.9, 1.5);
        double[] y = result.Latent("y_E");
        Assert.True(y[^1] > 10 * 1.6, $"the latent should have grown far beyond its start, got {y[^1]}");
        Assert.True(y.Zip(y.Skip(1)).Count(p => p.Second < p.First) < y.Length / 10, "the latent grows almost every step");
    }

    [Fact]
    public void A_latent_limit_stops_runaway_growth_of_any_kind()
    {
        var spec = TestData.LoadExample("fig3-excitatory-boundary.yaml");
        var exp = spec.Experiment.WithSettings(spec.Experiment.Settings with { RunawayWindow = 0, LatentLimit = 5 });
        var result = new ClockDrivenEngine().Run(exp);
        Assert.Equal(SimulationStatus.Exploded, result.Status);
        Assert.Contains("exceeds the limit", result.StatusDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(0.0)]
    public void A_soft_refractory_cost_turns_a_self_exciting_neuron_from_runaway_into_regular_firing(double mu)
    {
        // One excitatory neuron with bias b = 1.5 (T = −0.5). Each spike moves its own V by E·D − μ (eq. 2.26).
        // Without μ the self-excitation E·D = 0.1 keeps it above threshold: it fires every step and runs away.
        // With μ = 2 the reset −1.9 sends it back, and it recovers to threshold in ≈ ln(2.4/0.5) ≈ 1.6 τ.
        var pop = new Population("E", PopulationKind.Excitatory, [[0.0]], [-0.5], [0.1],
            new Dictionary<string, double[]> { ["y_E"] = [1.0] }, softRefractory: mu);
        var exp = new Experiment(new LowRankNetwork([pop]), [new ConstantSignal(0)], new SimulationSettings { Dt = 0.01, Duration = 10 });
        var result = new ClockDrivenEngine().Run(exp);
        if (mu == 0)
        {
            Assert.Equal(SimulationStatus.Exploded, result.Status);
            return;
        }

        Assert.Equal(SimulationStatus.Completed, result.Status);
        var t = result.Spikes.Select(s => s.Time).ToArray();
        Assert.InRange(t.Length, 5, 8);
        var intervals = t.Zip(t.Skip(1)).Select(p => p.Second - p.First).ToArray();
        Assert.All(intervals, i => Assert.InRange(i, 1.2, 1.8));
    }
}
