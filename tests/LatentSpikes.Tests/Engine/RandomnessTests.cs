using LatentSpikes.Inputs;
using LatentSpikes.Randomness;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Engine;

public class RandomnessTests
{
    [Fact]
    public void Counter_based_normals_have_the_moments_and_tails_of_a_standard_normal()
    {
        ulong key = CounterRandom.StreamKey(42, 0, CounterRandom.NeuronNoiseDomain, 3);
        const int n = 2_000_000;
        double sum = 0, sum2 = 0, sum4 = 0;
        int beyond3 = 0, beyond4 = 0;
        for (ulong i = 0; i < n; i++)
        {
            double z = CounterRandom.Normal(key, i);
            sum += z;
            sum2 += z * z;
            sum4 += z * z * z * z;
            beyond3 += Math.Abs(z) > 3 ? 1 : 0;
            beyond4 += Math.Abs(z) > 4 ? 1 : 0;
        }

        double mean = sum / n, variance = (sum2 / n) - (mean * mean);
        Assert.InRange(mean, -0.003, 0.003);
        Assert.InRange(variance, 0.995, 1.005);
        Assert.InRange(sum4 / n, 2.97, 3.03);
        Assert.InRange(beyond3 / (double)n, 0.0027 * 0.93, 0.0027 * 1.07); // P(|z| > 3) = 0.0026998
        Assert.InRange(beyond4 / (double)n, 6.334e-5 * 0.7, 6.334e-5 * 1.3);
    }

    [Fact]
    public void Neighbouring_streams_and_counters_are_uncorrelated()
    {
        ulong k0 = CounterRandom.StreamKey(1, 0, CounterRandom.NeuronNoiseDomain, 0);
        ulong k1 = CounterRandom.StreamKey(1, 0, CounterRandom.NeuronNoiseDomain, 1);
        const int n = 200_000;
        double across = 0, lag1 = 0;
        for (ulong i = 0; i < n; i++)
        {
            across += CounterRandom.Normal(k0, i) * CounterRandom.Normal(k1, i);
            lag1 += CounterRandom.Normal(k0, i) * CounterRandom.Normal(k0, i + 1);
        }

        Assert.InRange(across / n, -0.01, 0.01);
        Assert.InRange(lag1 / n, -0.01, 0.01);
    }

    [Fact]
    public void The_vectorised_noise_kernel_gives_exactly_the_scalar_numbers()
    {
        const int n = 1003;
        var keys = Enumerable.Range(0, n).Select(i => CounterRandom.StreamKey(9, 1, CounterRandom.NeuronNoiseDomain, (ulong)i)).ToArray();
        for (ulong step = 1; step < 40; step++)
        {
            var v = new double[n];
            NeuronKernels.AddNoise(v, keys, step, 0.3);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(0.3 * CounterRandom.Normal(keys[i], step), v[i]);
            }
        }
    }

    [Theory]
    [InlineData(1003, 1, true, 17, NoiseStreamKind.Legacy)]
    [InlineData(1003, 1, true, 17, NoiseStreamKind.Fast)]
    [InlineData(64, 2, false, -1, NoiseStreamKind.Fast)]
    [InlineData(7, 3, true, 6, NoiseStreamKind.Legacy)]
    [InlineData(7, 3, true, 6, NoiseStreamKind.Fast)]
    public void The_step_kernel_equals_a_naive_scalar_step_bit_for_bit(int n, int m, bool noisy, int resetAt, NoiseStreamKind stream)
    {
        var rng = new Random(5);
        double[] Rand(int len) => Enumerable.Range(0, len).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var bias = Rand(n);
        var ff = Enumerable.Range(0, m).Select(_ => Rand(n + 3)).ToArray();
        var enc = new[] { Rand(n + 3), Rand(n + 3) };
        var keys = Enumerable.Range(0, n + 3).Select(i => CounterRandom.StreamKey(4, 0, CounterRandom.NeuronNoiseDomain, (ulong)i)).ToArray();
        var drive = Rand(m);
        var v = Rand(n);
        var reference = (double[])v.Clone();
        double[] jumps = [0.3, -0.7];
        double scale = noisy ? 0.1 : 0;
        for (ulong step = 1; step <= 20; step++)
        {
            var got = NeuronKernels.StepSegment(v, bias, ff, 3, drive, 0.2, 0.01, jumps, enc, resetAt, 0.4, keys, step, scale, stream);

            // App. G, one neuron at a time: leak and drive, latent jumps, the spiker's μ, noise; then the first arg-max.
            for (int i = 0; i < n; i++)
            {
                double d = bias[i] + 0.2;
                for (int k = 0; k < m; k++)
                {
                    d += ff[k][3 + i] * drive[k];
                }

                double x = reference[i] + (0.01 * (d - reference[i]));
                x += jumps[0] * enc[0][3 + i];
                x += jumps[1] * enc[1][3 + i];
                if (i == resetAt)
                {
                    x -= 0.4;
                }

                if (noisy)
                {
                    x += scale * CounterRandom.NoiseNormal(keys, 3 + i, step, stream);
                }

                reference[i] = x;
            }

            int expectedAt = Array.IndexOf(reference, reference.Max());
            Assert.Equal(reference, v);
            Assert.Equal((reference[expectedAt], expectedAt), got);
        }
    }

    [Fact]
    public void Stochastic_inputs_have_their_stated_statistics()
    {
        var ou = new OrnsteinUhlenbeckSignal(0.5, 0.2, 1.0).Start(0.01, CounterRandom.StreamKey(3, 0, CounterRandom.InputDomain, 0));
        var white = new WhiteNoiseSignal(-1.0, 0.4).Start(0.01, CounterRandom.StreamKey(3, 0, CounterRandom.InputDomain, 1));
        var a = Enumerable.Range(0, 400_000).Select(i => ou.At(i)).ToArray();
        var b = Enumerable.Range(0, 400_000).Select(i => white.At(i)).Skip(1000).ToArray();
        Assert.InRange(a.Average(), 0.47, 0.53);
        Assert.InRange(Std(a), 0.18, 0.22);
        Assert.InRange(b.Average(), -1.05, -0.95);
        Assert.InRange(Std(b), 0.4 / Math.Sqrt(2) * 0.9, 0.4 / Math.Sqrt(2) * 1.1); // τ-low-pass of white noise
    }

    [Fact]
    public void Deterministic_inputs_take_their_defined_values()
    {
        Assert.Equal(0.25, new RampSignal(-1, 1, 1, 5).ValueAt(3.5), 12);
        Assert.Equal(-1, new RampSignal(-1, 1, 1, 5).ValueAt(0.2));
        var steps = new StepsSignal(0.1, [1, 2], [0.5, -0.5]);
        Assert.Equal(0.1, steps.ValueAt(0.99));
        Assert.Equal(0.5, steps.ValueAt(1.0));
        Assert.Equal(-0.5, steps.ValueAt(7));
        var pwl = new PiecewiseLinearSignal([0, 2, 3], [0, 1, -1]);
        Assert.Equal(0.5, pwl.ValueAt(1), 12);
        Assert.Equal(0, pwl.ValueAt(2.5), 12);
        Assert.Equal(-1, pwl.ValueAt(10));
        Assert.Equal(1.5, new SinusoidSignal(1, 0.5, 0.25, 0).ValueAt(1), 12);
    }

    private static double Std(double[] v)
    {
        double m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / v.Length);
    }
}
