using LatentSpikes.Analysis;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;
using static LatentSpikes.Tests.Analysis.Batches;

namespace LatentSpikes.Tests.Analysis;

/// <summary>Seed 002 §3.4, Fig. 8d: balanced excitatory and inhibitory input in active neurons, hyperpolarised silent ones.</summary>
public class BalanceTests
{
    [Theory]
    [InlineData(1.0, 5.0, 3, 4)]    // x = −1 before the ramp: I neurons 3 and 4 (tangent at x = 0.5, 1) are far from the state
    [InlineData(36.0, 40.0, 0, 1)]  // x = +1 after it: the mirror image
    public void In_the_noisy_rank2_EI_example_excitation_and_inhibition_cancel_and_track_each_other(double start, double stop, int silentA, int silentB)
    {
        var exp = NetworkVariants.WithNoise(TestData.LoadExample("ei-rank2-quadratic.yaml").Experiment, 0.05);
        var trials = Batch(exp, 4);
        var report = Balance.Analyze(trials, start, stop);
        var active = report.Neurons.Where(n => !n.Silent).ToArray();
        Assert.True(active.Length >= 2, $"{active.Length} active neurons");
        foreach (var n in active)
        {
            // Measured at σ = 0.05: E ≈ 3.4-3.6 and I ≈ −2.5 to −2.6, net/gross 0.15-0.17, E-I correlation −0.73 to
            // −0.81 (y_E and y_I move together along the boundary crossing). The bounds: both currents several
            // times the threshold scale yet cancelling to within a quarter of their gross size, and clearly
            // anticorrelated.
            string who = $"{exp.Network.Populations[n.Population].Name}[{n.Neuron}]";
            Assert.True(n.MeanExcitatory > 2 && n.MeanInhibitory < -2, $"{who}: E {n.MeanExcitatory:0.##}, I {n.MeanInhibitory:0.##}");
            Assert.True(n.NetToGross < 0.25, $"{who}: net/gross {n.NetToGross:0.###}");
            Assert.True(n.Correlation < -0.5, $"{who}: E-I correlation {n.Correlation:0.###}");
        }

        // The I neurons whose boundaries lie far from the crossing never fire and sit well below threshold.
        foreach (int i in new[] { silentA, silentB })
        {
            var n = report.Neurons.Single(b => b.Population == 1 && b.Neuron == i);
            Assert.True(n.Silent && n.Hyperpolarised, $"I[{i}]: silent {n.Silent}, max V {n.MaxVoltage:0.###}");
        }
    }

    [Fact]
    public void During_the_ramp_the_excitatory_neuron_receives_tracking_inhibition()
    {
        // The E neuron (F = 0): E = b + y_E rises and falls with y_E* = 3/2 − x², and I = y_I with y_I* = x² − 7/2
        // mirrors it, so the two currents are almost perfectly anticorrelated over the ramp (measured −0.96).
        var exp = NetworkVariants.WithNoise(TestData.LoadExample("ei-rank2-quadratic.yaml").Experiment, 0.05);
        var report = Balance.Analyze(Batch(exp, 2), 5, 35);
        var e = report.Neurons.Single(n => n.Population == 0);
        Assert.True(e.Correlation < -0.9, $"E-I correlation {e.Correlation:0.###}");
        Assert.True(e.NetToGross < 0.2, $"net/gross {e.NetToGross:0.###}");
    }

    [Fact]
    public void Fig8_active_neurons_are_balanced_and_the_extra_excitatory_neuron_is_silent_and_hyperpolarised()
    {
        // The example's network is the authors' Fig. 8 (N_E = 50 + E2, N_I = 50, μ = 0.5, σ = 0.15), before the
        // stimulation at 12.5 τ.
        var exp = TestData.LoadExample("fig8-balanced-ei.yaml").Experiment;
        var report = Balance.Analyze([new ClockDrivenEngine().Run(exp)], 2, 12.5);
        var e2 = report.Neurons.Single(n => n.Population == 0 && n.Neuron == 50);
        Assert.True(e2.Silent && e2.Hyperpolarised, $"E2: {e2.Spikes} spikes, max V {e2.MaxVoltage:0.###}");

        // E2 is the only hyperpolarised neuron: a homogeneous neuron that happens not to fire still reaches threshold.
        Assert.Equal(1, report.HyperpolarisedCount);
        foreach (var n in report.Neurons.Where(n => !n.Silent))
        {
            // At the crossing (y_E = 1.9, y_I = −3.35) an E neuron gets E = F·x + b + 1.25·y_E ≈ 4.4 and I ≈ −3.35 − μ·r;
            // an I neuron E = F·x + b + 2·y_E ≈ 4.3 and I ≈ −3.35 − μ·r: inputs four times the threshold that cancel to
            // about 1 (measured net/gross 0.06-0.10).
            Assert.True(n.MeanExcitatory > 3.5 && n.MeanInhibitory < -3, $"{n.Population}/{n.Neuron}: E {n.MeanExcitatory:0.##}, I {n.MeanInhibitory:0.##}");
            Assert.True(n.NetToGross < 0.15, $"{n.Population}/{n.Neuron}: net/gross {n.NetToGross:0.###}");
        }
    }

    [Fact]
    public void Fig8_example_stimulating_inhibition_lowers_both_populations_activity()
    {
        // Fig. 8b-c: the crossing moves from (y_E, |y_I|) = (1.9, 3.35) to (0.71, 2.1) when every I neuron receives a
        // current of 1 from 12.5 τ on; the paradoxical effect of an inhibition-stabilised network.
        var result = new ClockDrivenEngine().Run(TestData.LoadExample("fig8-balanced-ei.yaml").Experiment);
        double Mean(string latent, double a, double b) => result.Latent(latent).Where((_, j) => result.Times[j] > a && result.Times[j] <= b).Average();
        double yeBefore = Mean("y_E", 5, 12.5), yeAfter = Mean("y_E", 15, 25);
        double yiBefore = Mean("y_I", 5, 12.5), yiAfter = Mean("y_I", 15, 25);

        // Spiking keeps y within about one decoder of the crossing; the bounds are ±0.25 around the predicted values.
        Assert.InRange(yeBefore, 1.65, 2.15);
        Assert.InRange(yeAfter, 0.46, 0.96);
        Assert.InRange(-yiBefore, 3.1, 3.6);
        Assert.InRange(-yiAfter, 1.85, 2.35);
        Assert.True(result.Spikes.Count(s => s.Population == 1 && s.Time > 15) < result.Spikes.Count(s => s.Population == 1 && s.Time > 2.5 && s.Time <= 12.5));
    }

    [Fact]
    public void Reconstructed_voltage_reaches_threshold_exactly_where_the_engine_fires()
    {
        // V = F·x + E·y + b (eq. 2.10): a neuron spikes at step s when the engine's V_s ≥ 1. The latent recorded at s
        // already holds the spike, so V − E_i·D_i at s is the engine's V_s. Euler drift between the exactly decaying
        // latents and the engine's stepped voltage is O(dt²) per jump; one step of drive overshoots by at most
        // dt·|−V + F·x + b| ≈ 0.025.
        var exp = TestData.LoadExampleUnclipped("fig2-inhibitory-boundary.yaml").Experiment;
        var result = new ClockDrivenEngine().Run(exp);
        var pop = exp.Network.Populations[0];
        for (int i = 0; i < pop.Size; i++)
        {
            var trace = Balance.Currents(result, 0, i);
            var spikeSteps = result.Spikes.Where(s => s.Neuron == i && s.Time > 1).Select(s => (int)s.Step).ToHashSet();
            double selfJump = pop.Encoders["y_I"][i] * pop.Decoders[i];
            for (int j = 100; j < trace.Voltage.Length; j++)
            {
                Assert.Equal(trace.Voltage[j], trace.Excitatory[j] + trace.Inhibitory[j], 12);
                if (spikeSteps.Contains(j))
                {
                    Assert.InRange(trace.Voltage[j] - selfJump, 0.995, 1.03);
                }
                else
                {
                    Assert.True(trace.Voltage[j] < 1.01, $"neuron {i} at t = {trace.Times[j]}: V = {trace.Voltage[j]} without a spike");
                }
            }
        }
    }

    [Fact]
    public void Each_term_is_counted_by_its_sign_including_the_filtered_stimulation()
    {
        // One silent neuron (threshold 10): F·x = 2·(−0.5) = −1 is inhibitory, the bias b = 1 − 10 = −9 too; a
        // stimulation of +3 on [1, 2) enters filtered by the membrane, u ← u + dt·(3 − u).
        var pop = new Population("A", PopulationKind.Inhibitory, [[2.0]], [10.0], [-0.1], new Dictionary<string, double[]> { ["y_A"] = [1.0] });
        var exp = new Experiment(new LowRankNetwork([pop]), [new ConstantSignal(-0.5)], new SimulationSettings { ClipAtSpike = false, Dt = 0.01, Duration = 3 },
            [new CurrentInjection("A", 3.0, 1.0, 2.0)]);
        var result = new ClockDrivenEngine().Run(exp);
        Assert.Empty(result.Spikes);
        var trace = Balance.Currents(result, 0, 0);
        for (int j = 0; j < trace.Times.Length; j++)
        {
            // Steps whose previous time lies in [1, 2) add current: steps 101..200 (floating-point time of step 100 is 1).
            int on = Math.Clamp(j - 100, 0, 100);
            double u = 3 * (1 - Math.Pow(0.99, on)) * Math.Pow(0.99, Math.Max(0, j - 200));
            Assert.Equal(u, trace.Excitatory[j], 9);
            Assert.Equal(-10.0, trace.Inhibitory[j], 12);
        }

        var report = Balance.Analyze([result], 0.5, 3);
        var n = Assert.Single(report.Neurons);
        Assert.True(n.Silent && n.Hyperpolarised);
        Assert.True(double.IsNaN(n.Correlation), "I is constant, so E and I have no correlation");
    }
}
