using LatentSpikes.Srm0;
using Xunit.Abstractions;

namespace LatentSpikes.Tests.Srm0;

/// <summary>
/// The LIF escape-noise variant of the layer stack (issue 18): its stationary gain, its generalised rate unit (age
/// density carrying V per age) against the PSTH of many spiking twins, the limit set by the pooled last age bin,
/// and the network's convergence.
/// </summary>
public class LifEscapeTests(ITestOutputHelper output)
{
    private static readonly Srm0NeuronParameters Escape = new();

    [Fact]
    public void Stationary_rate_matches_the_spiking_neuron()
    {
        var neuron = new LifEscapeNeuron(Escape, new LifEscapeParameters());
        const int n = 4000, steps = 3000;
        foreach (double h in new[] { 0.0, 1.0, 2.0 })
        {
            var pop = new SpikingLifPopulation(neuron, n, seed: 9, trial: 0, layer: 0);
            long count = 0;
            for (int t = 0; t < steps; t++)
            {
                for (int i = 0; i < n; i++)
                {
                    if (pop.Step(i, h, (ulong)t) && t >= 200)
                    {
                        count++;
                    }
                }
            }

            double rate = count / (n * (steps - 200) * neuron.Escape.Dt);
            double g = neuron.StationaryRateHz(h);

            // ≥ 1e5 spikes per h (4000 neurons × 2.8 s × ≥ 9.8 Hz): counting error < 0.4 %; ±1.5 % is > 3σ.
            output.WriteLine($"h = {h}: spiking {rate:F3} Hz, g(h) {g:F3} Hz");
            Assert.InRange(rate / g, 0.985, 1.015);
        }
    }

    [Fact]
    public void Generalised_rate_unit_is_the_trial_average_of_its_spiking_twins()
    {
        // One neuron, a frozen input, R independent spike realisations: the PSTH must equal the density's A(t) up to
        // binomial sampling noise, √(A·dt·(1 − A·dt)/R)/dt per step; its mean absolute value is ≈ 0.8 of that.
        var neuron = new LifEscapeNeuron(Escape, new LifEscapeParameters());
        const int trials = 20_000, steps = 600;
        var twins = new SpikingLifPopulation(neuron, trials, seed: 4, trial: 0, layer: 0);
        var unit = new LifAgeDensityPopulation(neuron, 1);
        double dt = neuron.Escape.Dt, mad = 0, predicted = 0;
        for (int t = 0; t < steps; t++)
        {
            double h = Input(t);
            double a = unit.Step(0, h);
            int count = 0;
            for (int i = 0; i < trials; i++)
            {
                count += twins.Step(i, h, (ulong)t) ? 1 : 0;
            }

            if (t >= 100)
            {
                mad += Math.Abs((count / (double)trials) - a) / dt;
                predicted += 0.798 * Math.Sqrt(a * (1 - a) / trials) / dt;
            }
        }

        output.WriteLine($"MAD(PSTH, A) = {mad / (steps - 100):F3} Hz; pure sampling noise predicts {predicted / (steps - 100):F3} Hz");
        Assert.InRange(mad / predicted, 0.85, 1.15);
    }

    [Fact]
    public void Pooling_the_last_age_bin_costs_order_leak_to_the_memory()
    {
        // The one approximation of the LIF density: ages ≥ L share their mass-weighted mean V. Against a reference
        // with L = 200 ms (pooling error e^{−198/10} ≈ 2·10⁻⁹), the error at L = 40 ms is below 10⁻³ relative and grows
        // as L shrinks (λ_v^{L − first}: e^{−0.8} at 10 ms).
        double Error(double memoryMs)
        {
            var reference = new LifAgeDensityPopulation(new LifEscapeNeuron(Escape with { AgeMemoryMs = 200 }, new LifEscapeParameters()), 1);
            var shortened = new LifAgeDensityPopulation(new LifEscapeNeuron(Escape with { AgeMemoryMs = memoryMs }, new LifEscapeParameters()), 1);
            double diff = 0, sum = 0;
            for (int t = 0; t < 1000; t++)
            {
                double a = reference.Step(0, Input(t)), b = shortened.Step(0, Input(t));
                if (t >= 200)
                {
                    diff += Math.Abs(a - b);
                    sum += a;
                }
            }

            return diff / sum;
        }

        double e10 = Error(10), e20 = Error(20), e40 = Error(40);
        output.WriteLine($"relative mean |A_L − A_200| at L = 10 / 20 / 40 ms: {e10:E2} / {e20:E2} / {e40:E2}");
        Assert.True(e40 < 1e-3, $"L = 40 ms: {e40:E2}");
        Assert.True(e10 > 3 * e20 && e20 > 3 * e40, $"the error does not fall with L: {e10:E2} / {e20:E2} / {e40:E2}");
    }

    [Fact]
    public void Lif_stack_converges_to_its_generalised_rate_network_like_one_over_root_N()
    {
        var settings = new ConvergenceSettings
        {
            Sizes = [250, 1000, 4000],
            Seeds = [1, 2],
            Network = new MultilayerParameters { HiddenLayers = 1, Model = LayerNeuronModel.Lif },
            Run = new MultilayerRunOptions { WarmUpMs = 100, DurationMs = 800 },
        };
        var points = ConvergenceStudy.Run(settings);
        var fit = ConvergenceFit.Of(points);
        foreach (var q in points)
        {
            output.WriteLine($"N = {q.Neurons}, seed {q.Seed}: MAD(SNN, GR) {q.SpikingVsGeneralised:F4}, MAD(SNN, CR) {q.SpikingVsConventional:F4}, MAD(GR, CR) {q.GeneralisedVsConventional:F4}");
        }

        output.WriteLine($"slope {fit.SpikingVsGeneralisedSlope:F3}, MAD·√(N/K) {fit.ScaledError:F3}, plateau {fit.ConventionalPlateau:F3}");
        Assert.InRange(fit.SpikingVsGeneralisedSlope, -0.6, -0.4);
        foreach (var q in points.Where(q => q.Neurons == 4000))
        {
            Assert.True(q.SpikingVsConventional > 1.5 * q.SpikingVsGeneralised, $"seed {q.Seed}: MAD(SNN, CR) {q.SpikingVsConventional:F4} vs MAD(SNN, GR) {q.SpikingVsGeneralised:F4}");
        }
    }

    /// <summary>A frozen input potential with slow and fast parts (Δu), step t of 1 ms.</summary>
    private static double Input(int t) => 1 + (0.8 * Math.Sin(2 * Math.PI * t / 50.0)) + (0.5 * Math.Sin(2 * Math.PI * t / 13.0));
}
