using LatentSpikes.Analysis;
using LatentSpikes.Model;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;
using static LatentSpikes.Tests.Analysis.Batches;

namespace LatentSpikes.Tests.Analysis;

/// <summary>Seed 002 §3.3, Fig. 7: irregular firing puts the noise into the decoder nullspace, not into the readout.</summary>
public class NullspaceTests
{
    /// <summary>
    /// The two-neuron inhibitory network of Fig. 7 (authors' script): D = −0.5, E = F = 1, x = 4, 20 τ; unclipped,
    /// so V = F·x + E·y + b holds exactly (with the authors' clip the spiker's voltage lags by its leaky sum of
    /// overshoots, and neuron 1 fires now and then even without noise).
    /// </summary>
    private static Experiment TwoNeurons(string thresholds, double mu, double noise) => SpecReader.Parse($$"""
        name: fig7
        simulation: {dt: 0.01, duration: 20, seed: 13, clip_at_spike: false}
        input:
          - {kind: constant, value: 4}
        populations:
          - name: I
            kind: inhibitory
            thresholds: {{thresholds}}
            feedforward: [1, 1]
            decoders: -0.5
            encoders: {y_I: 1}
            mu: {{mu}}
            noise: {{noise}}
        """, "fig7").Experiment;

    [Fact]
    public void Fig7_noise_makes_the_nullspace_fluctuate_far_more_than_the_readout()
    {
        // Fig. 7d-f: thresholds 0.7 and 0.8, μ = 0.05, σ = 0.2; the steady state after 5 τ, over 10 trials.
        var trials = Batch(TwoNeurons("[0.7, 0.8]", 0.05, 0.2), 10);
        var report = Nullspace.Analyze(trials, 0, filterTau: 1.0, start: 5.0);
        Assert.Equal(1, report.DecoderDimensions);
        Assert.Equal(1, report.NullDimensions);

        // Measured: readout variance 0.083, nullspace variance 3.4 (ratio 40). The claim is "≫": a factor 10 is far
        // outside trial-to-trial scatter of a ratio estimated from 10 × 15 τ of activity, and far above the
        // noise-free ratio of 1 below.
        Assert.True(report.TopRatio > 10, $"nullspace/readout variance ratio {report.TopRatio:0.##}");
        Assert.Equal(report.NullspaceVariance, report.TopNullspaceVariance, 9); // one nullspace dimension
    }

    [Fact]
    public void Fig7_without_noise_one_neuron_fires_and_both_directions_carry_the_same_variance()
    {
        // Fig. 7a-c: thresholds 0.25 and 1.25, no noise, no soft refractory cost: only neuron 0 fires, so r = (r₁, 0)
        // and its variance splits evenly between the readout (1, 1)/√2 and the nullspace (1, −1)/√2.
        var trials = Batch(TwoNeurons("[0.25, 1.25]", 0, 0), 1);
        Assert.All(trials[0].Spikes.Where(s => s.Time > 5), s => Assert.Equal(0, s.Neuron));
        var report = Nullspace.Analyze(trials, 0, start: 5.0);
        Assert.True(report.ReadoutVariance > 0);
        Assert.Equal(1.0, report.TopRatio, 9);
    }

    [Fact]
    public void In_a_noisy_N20_population_noise_grows_the_nullspace_variance_and_barely_touches_the_readout()
    {
        // The Fig. 6 population (N = 20, D = −0.25, μ = 0.025) at x = −0.5: without noise three near-degenerate
        // neurons already alternate, so compare the same network with and without noise.
        var clean = Nullspace.Analyze(Batch(Fig6(0), 1), 0, start: 5.0);
        var noisy = Nullspace.Analyze(Batch(Fig6(0.05), 10), 0, start: 5.0);

        // Measured: readout variance 0.0042 → 0.0048 (+14 %), nullspace variance 0.27 → 1.8 (×6.5). Bounds: the
        // nullspace grows at least threefold while the readout grows by less than half.
        Assert.True(noisy.NullspaceVariance > 3 * clean.NullspaceVariance, $"nullspace variance {clean.NullspaceVariance:G3} → {noisy.NullspaceVariance:G3}");
        Assert.True(noisy.ReadoutVariance < 1.5 * clean.ReadoutVariance, $"readout variance {clean.ReadoutVariance:G3} → {noisy.ReadoutVariance:G3}");

        // Per dimension and along its top direction the nullspace still dominates the single readout direction.
        Assert.True(noisy.NullspaceVariancePerDimension > 10 * noisy.ReadoutVariancePerDimension);
        Assert.True(noisy.TopRatio > 50, $"top ratio {noisy.TopRatio:0.#}");
        Assert.InRange(noisy.TopNullspaceVariance, noisy.NullspaceVariancePerDimension, noisy.NullspaceVariance * (1 + 1e-12));
    }

    [Fact]
    public void Filtered_rates_with_the_membrane_time_constant_reproduce_the_recorded_latent()
    {
        // y = D·r with ṙ = −r + s (eq. 2.4, 2.9): the filter convention must match the engine's latents.
        var spec = TestData.LoadExampleUnclipped("fig2-inhibitory-boundary.yaml");
        var result = new ClockDrivenEngine().Run(spec.Experiment);
        var pop = spec.Experiment.Network.Populations[0];
        double[][] r = Nullspace.FilteredRates(SpikeTrains.OfPopulation(result, 0), result.Times, 1.0);
        double[] y = result.Latent("y_I");
        for (int j = 0; j < y.Length; j++)
        {
            double readout = Enumerable.Range(0, pop.Size).Sum(i => pop.Decoders[i] * r[j][i]);
            Assert.Equal(y[j], readout, 9);
        }
    }

    [Fact]
    public void Filtered_rate_of_one_spike_decays_with_the_filter_time_constant()
    {
        double[][] r = Nullspace.FilteredRates([[1.0]], [0.5, 1.0, 2.0, 3.0], tau: 0.5);
        Assert.Equal([0.0, 1.0, Math.Exp(-2), Math.Exp(-4)], r.Select(row => row[0]).ToArray(), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void Variance_along_the_decoder_and_across_it_is_split_exactly()
    {
        // Two neurons, decoder (1, 1): activity a·(1, 1) lies in the readout, b·(1, −1) in the nullspace.
        double[] a = [0, 1, 0, 1, 0, 1];
        double[] b = [0, 0, 2, 2, 0, 0];
        double[][] rates = a.Select((ai, j) => new[] { ai + b[j], ai - b[j] }).ToArray();
        var report = Nullspace.Analyze([rates], Enumerable.Range(0, 6).Select(j => (double)j).ToArray(), [new[] { 1.0, 1.0 }]);

        // Var(a)·|(1,1)|² = 0.25·2 and Var(b)·|(1,−1)|² = (8/9)·2, in the unit directions.
        Assert.Equal(0.5, report.ReadoutVariance, 12);
        Assert.Equal(16.0 / 9, report.NullspaceVariance, 12);
        Assert.Equal(16.0 / 9, report.TopNullspaceVariance, 9);
    }

    [Fact]
    public void Dependent_decoders_span_a_single_readout_dimension()
    {
        var basis = Nullspace.OrthonormalBasis([new[] { 1.0, 2.0, 2.0 }, new[] { -2.0, -4.0, -4.0 }, new[] { 0.0, 0.0, 1.0 }]);
        Assert.Equal(2, basis.Length);
        Assert.Equal([1.0 / 3, 2.0 / 3, 2.0 / 3], basis[0], new ToleranceComparer(1e-12));
        Assert.Equal(0.0, basis[0].Zip(basis[1], (x, y) => x * y).Sum(), 12);
        Assert.Equal(1.0, basis[1].Sum(x => x * x), 12);
    }

    private static Experiment Fig6(double noise) => SpecReader.Parse($$"""
        name: fig6
        simulation: {dt: 0.01, duration: 20, seed: 3}
        input:
          - {kind: constant, value: -0.5}
        populations:
          - name: I
            kind: inhibitory
            size: 20
            tangent:
              f: {polynomial: [0.5, 0, 1]}
              range: [-1, 1]
            decoders: -0.25
            mu: 0.025
            noise: {{noise}}
        """, "fig6").Experiment;

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
