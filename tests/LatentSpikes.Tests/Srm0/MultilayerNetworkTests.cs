using LatentSpikes.Model;
using LatentSpikes.Srm0;

namespace LatentSpikes.Tests.Srm0;

/// <summary>
/// Seed 000 checklist items 4-8 (§1.8) for the multilayer network: unbiasedness of one layer (1/√R), the memoryless
/// limit GR ≡ CR, the reference MADs and their fall with N, the conventional plateau, duplicate-freeness, and
/// reproducibility independent of threads.
/// </summary>
public class MultilayerNetworkTests
{
    [Fact]
    public void One_layer_average_over_spike_realisations_converges_to_the_generalised_rate_network_as_one_over_root_R()
    {
        // With one hidden layer the output is linear in the spikes, which given the shared input are independent
        // Bernoulli events with the GR's probabilities: E[y_SNN] = y_GR exactly, so averaging R realisations leaves
        // only noise falling as 1/√R (no floor, which an O(dt) mismatch between the two definitions would create).
        var network = new MultilayerNetwork(new MultilayerParameters { NeuronsPerLayer = 400, Latents = 5, HiddenLayers = 1 }, seed: 3);
        var options = new MultilayerRunOptions { WarmUpMs = 100, DurationMs = 300, Threads = 1 };
        var gr = MultilayerSimulation.Run(network, options with { Networks = Srm0Networks.GeneralisedRate }).Outputs(Srm0Networks.GeneralisedRate);
        int[] counts = [1, 4, 16, 64, 256];
        var sum = gr.Select(row => new double[row.Length]).ToArray();
        var mads = new List<double>();
        for (int r = 0; r < counts[^1]; r++)
        {
            var y = MultilayerSimulation.Run(network, options with { Networks = Srm0Networks.Spiking, Trial = (ulong)r }).Outputs(Srm0Networks.Spiking);
            for (int k = 0; k < y.Count; k++)
            {
                for (int t = 0; t < y[k].Length; t++)
                {
                    sum[k][t] += y[k][t];
                }
            }

            if (counts.Contains(r + 1))
            {
                var mean = sum.Select(row => row.Select(v => v / (r + 1)).ToArray()).ToArray();
                mads.Add(MultilayerRun.MeanAbsoluteDifference(mean, gr));
            }
        }

        double slope = ConvergenceStudy.FitLogLog(counts.Select(c => (double)c).ToArray(), mads.ToArray()).Slope;

        // Each MAD averages ~150 independent samples (1500 values, correlation time τ_m = 10 steps): ≈ 6 % noise,
        // hence a slope error ≈ 0.03 over a factor 256 in R; ±0.1 is > 3σ.
        Assert.InRange(slope, -0.6, -0.4);
        Assert.True(mads[^1] < mads[0] / 10, $"MAD fell only from {mads[0]:F4} to {mads[^1]:F4} for R = 1 → 256");
    }

    [Fact]
    public void Without_refractoriness_the_generalised_and_conventional_networks_coincide()
    {
        // LNP limit (§1.8 item 5): with η ≡ 0 both networks compute g(h)·dt per unit, up to the table's linear
        // interpolation (relative error ≈ Δh²/8 = 10⁻⁷ for g ∝ e^h); the default refractory neuron differs by ~0.2.
        var memoryless = new MultilayerParameters { NeuronsPerLayer = 300, Latents = 5, HiddenLayers = 2, Neuron = Srm0NeuronParameters.Memoryless };
        var options = new MultilayerRunOptions { WarmUpMs = 50, DurationMs = 300, Threads = 1, Networks = Srm0Networks.GeneralisedRate | Srm0Networks.ConventionalRate };
        var lnp = MultilayerSimulation.Run(new MultilayerNetwork(memoryless, 1), options);
        double same = lnp.MeanAbsoluteDifference(Srm0Networks.GeneralisedRate, Srm0Networks.ConventionalRate);
        Assert.True(same < 1e-5, $"MAD(GR, CR) = {same:E2} without memory");

        var refractory = MultilayerSimulation.Run(new MultilayerNetwork(memoryless with { Neuron = new Srm0NeuronParameters() }, 1), options);
        Assert.True(refractory.MeanAbsoluteDifference(Srm0Networks.GeneralisedRate, Srm0Networks.ConventionalRate) > 0.05);
    }

    [Fact]
    public void Spiking_network_approaches_the_generalised_rate_network_like_root_K_over_N_and_not_the_conventional_one()
    {
        // [PROTO] §1.7 (K = 10, 3 hidden layers, seeds 1 and 2): MAD(SNN, GR) = 0.434/0.434 at N = 250 and
        // 0.200/0.198 at N = 1000, MAD(GR, CR) ≈ 0.19, layer-1 rate ≈ 24.4 Hz. Our random streams differ from the
        // prototype's, so we allow the seed-to-seed spread (≤ 10 %) twice over: ±20 %; the rate to ±1 Hz.
        var small = Run(250);
        var large = Run(1000);
        double snnGr = large.MeanAbsoluteDifference(Srm0Networks.Spiking, Srm0Networks.GeneralisedRate);
        double grCr = large.MeanAbsoluteDifference(Srm0Networks.GeneralisedRate, Srm0Networks.ConventionalRate);
        double snnCr = large.MeanAbsoluteDifference(Srm0Networks.Spiking, Srm0Networks.ConventionalRate);
        Assert.InRange(snnGr, 0.8 * 0.2, 1.2 * 0.2);
        Assert.InRange(small.MeanAbsoluteDifference(Srm0Networks.Spiking, Srm0Networks.GeneralisedRate), 0.8 * 0.434, 1.2 * 0.434);
        Assert.InRange(grCr, 0.8 * 0.19, 1.2 * 0.19);
        Assert.InRange(large.LayerRatesHz(Srm0Networks.Spiking)[0], 23.4, 25.4);

        // Four times the neurons halve the error (√(K/N)); the prototype's ratio over this step was 2.17.
        double ratio = small.MeanAbsoluteDifference(Srm0Networks.Spiking, Srm0Networks.GeneralisedRate) / snnGr;
        Assert.InRange(ratio, 1.6, 2.7);

        // The conventional network is further away: spike noise and the memory effect are independent errors, so
        // they add in quadrature (MAD ∝ std for Gaussian errors); ±15 % covers the non-Gaussian tails.
        double quadrature = Math.Sqrt((snnGr * snnGr) + (grCr * grCr));
        Assert.InRange(snnCr, 0.85 * quadrature, 1.15 * quadrature);

        static MultilayerRun Run(int n) => MultilayerSimulation.Run(new MultilayerNetwork(new MultilayerParameters { NeuronsPerLayer = n }, 1));
    }

    [Fact]
    public void Results_depend_on_the_seed_and_trial_but_not_on_the_thread_count()
    {
        // 2500 neurons: three chunks per layer, so two threads really split the work.
        var network = new MultilayerNetwork(new MultilayerParameters { NeuronsPerLayer = 2500, Latents = 4, HiddenLayers = 2 }, seed: 9);
        var options = new MultilayerRunOptions { WarmUpMs = 10, DurationMs = 40 };
        var one = MultilayerSimulation.Run(network, options with { Threads = 1 });
        var two = MultilayerSimulation.Run(network, options with { Threads = 2 });
        foreach (var kind in new[] { Srm0Networks.Spiking, Srm0Networks.GeneralisedRate, Srm0Networks.ConventionalRate })
        {
            for (int k = 0; k < 4; k++)
            {
                Assert.Equal(one.Outputs(kind)[k], two.Outputs(kind)[k]);
            }

            Assert.Equal(one.LayerRatesHz(kind), two.LayerRatesHz(kind));
        }

        var otherTrial = MultilayerSimulation.Run(network, options with { Trial = 1 });
        Assert.Equal(one.Outputs(Srm0Networks.GeneralisedRate)[0], otherTrial.Outputs(Srm0Networks.GeneralisedRate)[0]);
        Assert.NotEqual(one.Outputs(Srm0Networks.Spiking)[0], otherTrial.Outputs(Srm0Networks.Spiking)[0]);

        var otherSeed = MultilayerSimulation.Run(new MultilayerNetwork(network.Parameters, 10), options);
        Assert.NotEqual(one.Outputs(Srm0Networks.GeneralisedRate)[0], otherSeed.Outputs(Srm0Networks.GeneralisedRate)[0]);
    }

    [Fact]
    public void Encoders_are_column_centred_and_duplicate_free_only_when_K_grows()
    {
        // §1.8 item 8: the largest |cos| between encoding rows is ≈ √(4 ln N / K) for K = √N and falls with N,
        // while at fixed K = 3 near-duplicates appear (|cos| → 1).
        double Cos(int n, int k) => new MultilayerNetwork(new MultilayerParameters { NeuronsPerLayer = n, Latents = k, HiddenLayers = 1 }, 2).MaxRowCosine(0, 100_000);
        double c256 = Cos(256, 16), c4096 = Cos(4096, 64);
        Assert.True(c4096 < c256, $"max |cos| {c256:F3} (N = 256) → {c4096:F3} (N = 4096) did not fall");
        Assert.InRange(c4096, 0.3, 1.3 * Math.Sqrt(4 * Math.Log(4096) / 64));
        Assert.True(Cos(4096, 3) > 0.99);

        var e = new MultilayerNetwork(new MultilayerParameters { NeuronsPerLayer = 500, Latents = 7, HiddenLayers = 1 }, 2).Encoder(0);
        for (int k = 0; k < 7; k++)
        {
            double sum = 0;
            for (int i = 0; i < 500; i++)
            {
                sum += e[(i * 7) + k];
            }

            Assert.True(Math.Abs(sum) < 1e-12, $"column {k} sums to {sum}");
        }
    }

    [Fact]
    public void Bad_network_parameters_are_rejected_with_the_field_named()
    {
        Assert.Equal("latents", Assert.Throws<ModelValidationException>(() => new MultilayerNetwork(new MultilayerParameters { NeuronsPerLayer = 5, Latents = 6 }, 1)).Field);
        Assert.Equal("layers", Assert.Throws<ModelValidationException>(() => new MultilayerNetwork(new MultilayerParameters { HiddenLayers = 0 }, 1)).Field);
        Assert.Equal("neurons", Assert.Throws<ModelValidationException>(() => new MultilayerNetwork(new MultilayerParameters { NeuronsPerLayer = 0 }, 1)).Field);
        Assert.Equal("duration", Assert.Throws<ModelValidationException>(() =>
            MultilayerSimulation.Run(new MultilayerNetwork(new MultilayerParameters { NeuronsPerLayer = 10, Latents = 2 }, 1), new MultilayerRunOptions { DurationMs = 0 })).Field);
        Assert.Equal(32, MultilayerParameters.SqrtLatents(1024));
        Assert.Equal(33, MultilayerParameters.SqrtLatents(1025));
    }
}
