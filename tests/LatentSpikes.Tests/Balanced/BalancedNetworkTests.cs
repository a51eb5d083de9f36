using LatentSpikes.Balanced;

namespace LatentSpikes.Tests.Balanced;

public class BalancedNetworkTests
{
    private static readonly BalancedParameters Small = new() { K = 20, ExcitatoryCount = 400, InhibitoryCount = 100, Seed = 7 };

    [Fact]
    public void Every_neuron_receives_exactly_K_distinct_inputs_from_each_population()
    {
        var net = BalancedNetwork.Create(Small, threads: 1);
        var c = net.Connectivity;
        int n = Small.NeuronCount;
        var incoming = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        for (int j = 0; j < n; j++)
        {
            var t = c.TargetsOf(j).ToArray();
            Assert.True(t.SequenceEqual(t.Order()), "outgoing lists are sorted");
            foreach (int i in t)
            {
                incoming[i].Add(j);
            }
        }

        foreach (var inputs in incoming)
        {
            Assert.Equal(Small.K, inputs.Count(j => j < Small.ExcitatoryCount));
            Assert.Equal(Small.K, inputs.Count(j => j >= Small.ExcitatoryCount));
            Assert.Equal(inputs.Count, inputs.Distinct().Count());
        }

        Assert.Equal(2L * Small.K * n, c.SynapseCount);
    }

    [Fact]
    public void Loadings_are_centred_within_each_population()
    {
        var net = BalancedNetwork.Create(Small, threads: 1);
        foreach (var (lo, hi) in new[] { (0, 400), (400, 500) })
        {
            for (int r = 0; r < 2; r++)
            {
                double mean = Enumerable.Range(lo, hi - lo).Average(i => net.Loading(i)[r]);
                Assert.Equal(0, mean, 1e-12);
            }
        }
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        var segments = new[] { LatentSegment.Static("a", 0.2, 0.05, [0.7, -0.3]) };
        SegmentRecord Run(int threads)
        {
            using var sim = new BalancedSimulation(BalancedNetwork.Create(Small, threads), threads, decoderNeurons: 10);
            return sim.Run(segments)[0];
        }

        var one = Run(1);
        var three = Run(3);
        Assert.Equal(one.SpikeCounts, three.SpikeCounts);
        Assert.Equal(one.MeanV, three.MeanV);
        Assert.Equal(one.AcrossNeuronVarianceV, three.AcrossNeuronVarianceV);
        Assert.True(one.SpikeCounts.Sum() > 0);
    }

    [Fact]
    public void A_different_seed_gives_a_different_network()
    {
        var a = BalancedNetwork.Create(Small, 1);
        var b = BalancedNetwork.Create(Small with { Seed = 8 }, 1);
        Assert.False(a.Connectivity.TargetsOf(0).SequenceEqual(b.Connectivity.TargetsOf(0)));
    }

    [Fact]
    public void Spike_rejection_bound_is_above_the_exponential_and_tight()
    {
        // The simulation skips the exact exponential when the uniform exceeds hazard·ExpUpperBound(v); that is exact
        // only if the bound never falls below e^v. The chord bound is at most ≈ 6.2% above (max of (1 + f)/2^f on [0, 1]).
        for (double v = -40; v <= 40; v += 0.0137)
        {
            double bound = BalancedSimulation.ExpUpperBound(v), exact = Math.Exp(v);
            Assert.True(bound >= exact, $"bound below e^{v}");
            Assert.True(bound <= exact * 1.062, $"bound loose at {v}");
        }

        Assert.Equal(double.PositiveInfinity, BalancedSimulation.ExpUpperBound(double.NaN));
    }
}
