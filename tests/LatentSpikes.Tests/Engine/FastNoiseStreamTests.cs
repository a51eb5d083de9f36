using System.Runtime.Intrinsics;
using LatentSpikes.Randomness;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Engine;

/// <summary>
/// The fast membrane-noise stream (issue 19): the inverse-CDF deviate's accuracy, its distribution (moments, tails,
/// Kolmogorov-Smirnov), independence of neighbouring neurons (two share one hash) and steps, and bit-equality of the
/// vector kernels with the scalar definition at every segment offset.
/// </summary>
public class FastNoiseStreamTests
{
    private static ulong[] Keys(int n, ulong seed = 42) =>
        Enumerable.Range(0, n).Select(i => CounterRandom.StreamKey(seed, 0, CounterRandom.NeuronNoiseDomain, (ulong)i)).ToArray();

    [Fact]
    public void The_inverse_cdf_is_within_its_stated_error_of_the_exact_quantile_out_to_the_far_tail()
    {
        double worst = 0;
        // t = (m + ½)·2⁻³¹ from the low 31 bits, on a log grid of m from the far tail (m = 0, t = 2⁻³²) to the centre.
        for (int k = 0; k <= 3100; k++)
        {
            uint m = k == 0 ? 0u : (uint)Math.Min(0x7FFFFFFF, Math.Pow(2, k / 100.0));
            double t = (m + 0.5) / 2147483648.0;
            double z = InverseNormal.Sample(m);
            double exact = ExactQuantile(t, z);
            if (exact > 0.5) // nearer 0 the reference erfc's own 1.2·10⁻⁷ dominates
            {
                worst = Math.Max(worst, Math.Abs(z - exact) / exact);
            }

            Assert.Equal(-z, InverseNormal.Sample(m | 0x80000000u)); // the sign bit mirrors exactly
        }

        Assert.True(worst < 1e-6, $"worst relative error {worst:E2}");
        Assert.InRange(InverseNormal.Sample(0u), 6.33, 6.35); // the largest deviate: t = 2⁻³² stays in the tail
    }

    [Fact]
    public void Fast_normals_have_the_moments_tails_and_distribution_of_a_standard_normal()
    {
        const int neurons = 1000, steps = 4000;
        var keys = Keys(neurons);
        double sum = 0, sum2 = 0, sum4 = 0;
        int beyond3 = 0, beyond4 = 0;
        var sample = new List<double>(100_000);
        for (int i = 0; i < neurons; i++)
        {
            for (ulong s = 0; s < steps; s++)
            {
                double z = CounterRandom.NoiseNormal(keys, i, s);
                sum += z;
                sum2 += z * z;
                sum4 += z * z * z * z;
                beyond3 += Math.Abs(z) > 3 ? 1 : 0;
                beyond4 += Math.Abs(z) > 4 ? 1 : 0;
                if (s % 40 == 0)
                {
                    sample.Add(z);
                }
            }
        }

        const double n = (double)neurons * steps;
        double mean = sum / n, variance = (sum2 / n) - (mean * mean);
        Assert.InRange(mean, -0.003, 0.003);
        Assert.InRange(variance, 0.995, 1.005);
        Assert.InRange(sum4 / n, 2.97, 3.03);
        Assert.InRange(beyond3 / n, 0.0027 * 0.95, 0.0027 * 1.05); // P(|z| > 3) = 0.0026998
        Assert.InRange(beyond4 / n, 6.334e-5 * 0.8, 6.334e-5 * 1.2);

        // Kolmogorov-Smirnov against Φ: D·√n < 1.63 is the 1 % critical value.
        sample.Sort();
        double d = 0;
        for (int k = 0; k < sample.Count; k++)
        {
            double f = NormalCdf(sample[k]);
            d = Math.Max(d, Math.Max(((k + 1.0) / sample.Count) - f, f - ((double)k / sample.Count)));
        }

        Assert.True(d * Math.Sqrt(sample.Count) < 1.63, $"KS statistic {d * Math.Sqrt(sample.Count):F3}");
    }

    [Fact]
    public void Neurons_sharing_a_hash_neighbouring_pairs_and_successive_steps_are_uncorrelated()
    {
        var keys = Keys(4, 7);
        const int n = 400_000;
        double pair = 0, nextPair = 0, lag1 = 0, squares = 0;
        for (ulong s = 0; s < n; s++)
        {
            double z0 = CounterRandom.NoiseNormal(keys, 0, s), z1 = CounterRandom.NoiseNormal(keys, 1, s);
            pair += z0 * z1;
            nextPair += z1 * CounterRandom.NoiseNormal(keys, 2, s);
            lag1 += z0 * CounterRandom.NoiseNormal(keys, 0, s + 1);
            squares += ((z0 * z0) - 1) * ((z1 * z1) - 1); // dependence beyond correlation, between the two halves
        }

        // Standard error 1/√n = 0.0016 (√2/√n for the squares).
        Assert.InRange(pair / n, -0.007, 0.007);
        Assert.InRange(nextPair / n, -0.007, 0.007);
        Assert.InRange(lag1 / n, -0.007, 0.007);
        Assert.InRange(squares / n, -0.012, 0.012);
    }

    [Theory]
    [InlineData(0, 1003)]
    [InlineData(1, 1003)]
    [InlineData(7, 40)]
    [InlineData(16, 33)]
    [InlineData(3, 1)]
    [InlineData(5, 0)]
    public void The_vector_kernel_gives_exactly_the_scalar_numbers_at_any_segment_offset(int offset, int length)
    {
        var keys = Keys(offset + length + 1, 9);
        for (ulong step = 1; step < 30; step++)
        {
            var v = new double[length];
            NeuronKernels.AddNoise(v, keys, offset, step, 0.3, NoiseStreamKind.Fast);
            for (int i = 0; i < length; i++)
            {
                Assert.Equal(0.3 * CounterRandom.NoiseNormal(keys, offset + i, step), v[i]);
            }
        }
    }

    [Fact]
    public void The_vector_inverse_cdfs_equal_the_scalar_one_bit_for_bit()
    {
        var rng = new Random(3);
        uint[] edges = [0u, 1u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 0x40000000u, 0x00FFFFFFu, 0x80000001u];
        for (int round = 0; round < 20_000; round++)
        {
            var bits = new uint[16];
            for (int l = 0; l < 16; l++)
            {
                // Small values of the low 31 bits reach the two tail branches.
                bits[l] = round < 1 ? edges[l % edges.Length] : rng.Next(4) == 0 ? (uint)rng.Next(1 << 22) | ((uint)rng.Next(2) << 31) : (uint)rng.NextInt64(1L << 32);
            }

            var wide = InverseNormal.Sample(Vector512.Create(bits));
            var half = InverseNormal.Sample(Vector256.Create(bits.AsSpan(0, 8)));
            for (int l = 0; l < 16; l++)
            {
                float scalar = InverseNormal.Sample(bits[l]);
                Assert.Equal(BitConverter.SingleToInt32Bits(scalar), BitConverter.SingleToInt32Bits(wide[l]));
                if (l < 8)
                {
                    Assert.Equal(BitConverter.SingleToInt32Bits(scalar), BitConverter.SingleToInt32Bits(half[l]));
                }
            }
        }
    }

    [Fact]
    public void The_legacy_stream_is_the_ziggurat_stream_of_earlier_versions()
    {
        var keys = Keys(40, 5);
        for (ulong step = 0; step < 50; step++)
        {
            var v = new double[37];
            NeuronKernels.AddNoise(v, keys, 3, step, 0.2, NoiseStreamKind.Legacy);
            for (int i = 0; i < v.Length; i++)
            {
                Assert.Equal(0.2 * CounterRandom.Normal(keys[3 + i], step), v[i]);
                Assert.Equal(CounterRandom.Normal(keys[3 + i], step), CounterRandom.NoiseNormal(keys, 3 + i, step, NoiseStreamKind.Legacy));
            }
        }
    }

    /// <summary>The exact quantile with two-sided tail probability t, by Newton steps on erfc from a close start.</summary>
    private static double ExactQuantile(double t, double start)
    {
        double z = Math.Max(start, 1e-9);
        for (int k = 0; k < 4; k++)
        {
            double tail = Erfc(z / Math.Sqrt(2)); // P(|Z| > z)
            double density = 2 * Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);
            z += (tail - t) / density;
        }

        return z;
    }

    private static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    /// <summary>Complementary error function (Numerical Recipes' erfcc, relative error below 1.2·10⁻⁷).</summary>
    private static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + (0.5 * z));
        double poly = -1.26551223 + (t * (1.00002368 + (t * (0.37409196 + (t * (0.09678418 + (t * (-0.18628806 + (t * (0.27886807 + (t * (-1.13520398 + (t * (1.48851587 + (t * (-0.82215223 + (t * 0.17087277)))))))))))))))));
        double r = t * Math.Exp((-z * z) + poly);
        return x >= 0 ? r : 2.0 - r;
    }
}
