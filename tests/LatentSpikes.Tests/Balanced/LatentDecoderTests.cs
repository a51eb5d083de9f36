using LatentSpikes.Balanced;
using LatentSpikes.Randomness;

namespace LatentSpikes.Tests.Balanced;

/// <summary>
/// The nested-cross-validation ridge decoder of κ (spec §2.7.8) on synthetic data where the answer is known: it must
/// equal a plain ridge fit computed the slow way, reach the theoretical R² of a linear signal in noise, and not
/// overfit noise features (which a fixed small penalty does).
/// </summary>
public sealed class LatentDecoderTests
{
    private static (double[][] X, double[][] Y) Synthetic(int n, int d, double noiseSd, ulong seed, bool signal = true)
    {
        ulong key = CounterRandom.StreamKey(seed, 0, 0, 0);
        ulong c = 0;
        var x = new double[n][];
        var y = new double[n][];
        for (int i = 0; i < n; i++)
        {
            x[i] = new double[d];
            for (int j = 0; j < d; j++)
            {
                // Non-standardised features (offset 3, scale 1 + j/d) exercise the per-fold standardisation.
                x[i][j] = 3 + ((1 + ((double)j / d)) * CounterRandom.Normal(key, c++));
            }

            // Two targets, each a fixed combination of the first four standardised features: signal variance 1 each.
            double z0 = (x[i][0] - 3) / 1, z1 = (x[i][1] - 3) / (1 + (1.0 / d)), z2 = (x[i][2] - 3) / (1 + (2.0 / d)), z3 = (x[i][3] - 3) / (1 + (3.0 / d));
            double s0 = signal ? (z0 + z1) / Math.Sqrt(2) : 0, s1 = signal ? (z2 - z3) / Math.Sqrt(2) : 0;
            y[i] = [s0 + (noiseSd * CounterRandom.Normal(key, c++)), s1 + (noiseSd * CounterRandom.Normal(key, c++))];
        }

        return (x, y);
    }

    [Fact]
    public void A_single_penalty_gives_exactly_the_plain_ridge_fit()
    {
        // The decoder builds every training set's normal equations from per-fold Gram matrices; a direct fit on the
        // raw rows (standardise on the training fold, solve the ridge system) must give the same R² to rounding.
        var (x, y) = Synthetic(200, 12, 0.8, 5);
        const double Ridge = 0.05;
        double expected = PlainRidgeR2(x, y, folds: 5, Ridge);
        var fit = LatentDecoder.Fit(x, y, folds: 5, ridges: [Ridge]);
        Assert.Equal(expected, fit.R2, 10);
        Assert.All(fit.Ridges, l => Assert.Equal(Ridge, l));
    }

    [Fact]
    public void Nested_cross_validation_reaches_the_theoretical_R2_of_a_linear_signal()
    {
        // Signal variance 1, noise variance 0.5² per target: the best possible R² is 1/(1 + 0.25) = 0.8. With 2000
        // samples and 40 features the out-of-sample loss of a well-chosen penalty is O(d/n) ≈ 2 % of the noise, and the
        // sampling error of R² is ≈ 0.01: accept 0.8 ± 0.03.
        var (x, y) = Synthetic(2000, 40, 0.5, 7);
        var fit = LatentDecoder.Fit(x, y);
        Assert.InRange(fit.R2, 0.77, 0.83);
        Assert.Equal(5, fit.Ridges.Count);
    }

    [Fact]
    public void Noise_features_do_not_fake_a_decoder_and_the_chosen_penalty_guards_against_overfitting()
    {
        // 150 pure-noise features and 300 samples: the fixed smallest penalty fits noise and predicts worse than the
        // mean (R² clearly negative), while the nested choice picks a large penalty and stays near 0.
        var (x, y) = Synthetic(300, 150, 1.0, 9, signal: false);
        var overfit = LatentDecoder.Fit(x, y, ridges: [1e-3]);
        var nested = LatentDecoder.Fit(x, y);
        Assert.True(overfit.R2 < -0.3, $"fixed small penalty R² = {overfit.R2:0.000}");
        Assert.InRange(nested.R2, -0.1, 0.05);
        Assert.All(nested.Ridges, l => Assert.True(l >= 1, $"chose λ = {l}"));
    }

    [Fact]
    public void The_result_does_not_depend_on_the_thread_count()
    {
        var (x, y) = Synthetic(400, 30, 0.7, 11);
        Assert.Equal(LatentDecoder.Fit(x, y, threads: 1), LatentDecoder.Fit(x, y, threads: 3), new DecoderFitComparer());
    }

    private sealed class DecoderFitComparer : IEqualityComparer<DecoderFit>
    {
        public bool Equals(DecoderFit? a, DecoderFit? b) => a is not null && b is not null && a.R2 == b.R2 && a.Ridges.SequenceEqual(b.Ridges);

        public int GetHashCode(DecoderFit obj) => obj.R2.GetHashCode();
    }

    /// <summary>Reference: k contiguous folds; standardise on the training rows; ridge (ZᵀZ + λ·m·I)w = Zᵀ(y − ȳ) by Gaussian elimination.</summary>
    private static double PlainRidgeR2(double[][] x, double[][] y, int folds, double ridge)
    {
        int n = x.Length, d = x[0].Length, rank = y[0].Length;
        double ssRes = 0, ssTot = 0;
        double[] yMean = Enumerable.Range(0, rank).Select(r => y.Average(row => row[r])).ToArray();
        for (int f = 0; f < folds; f++)
        {
            int from = f * n / folds, to = (f + 1) * n / folds;
            var train = Enumerable.Range(0, n).Where(i => i < from || i >= to).ToArray();
            double[] mu = Enumerable.Range(0, d).Select(j => train.Average(i => x[i][j])).ToArray();
            double[] sd = Enumerable.Range(0, d).Select(j => Math.Sqrt(train.Average(i => (x[i][j] - mu[j]) * (x[i][j] - mu[j])))).ToArray();
            double[] ty = Enumerable.Range(0, rank).Select(r => train.Average(i => y[i][r])).ToArray();
            for (int r = 0; r < rank; r++)
            {
                var a = new double[d, d + 1];
                foreach (int i in train)
                {
                    for (int j = 0; j < d; j++)
                    {
                        double zj = (x[i][j] - mu[j]) / sd[j];
                        for (int k = 0; k < d; k++)
                        {
                            a[j, k] += zj * (x[i][k] - mu[k]) / sd[k];
                        }

                        a[j, d] += zj * (y[i][r] - ty[r]);
                    }
                }

                for (int j = 0; j < d; j++)
                {
                    a[j, j] += ridge * train.Length;
                }

                double[] w = Gauss(a, d);
                for (int i = from; i < to; i++)
                {
                    double pred = ty[r];
                    for (int j = 0; j < d; j++)
                    {
                        pred += w[j] * (x[i][j] - mu[j]) / sd[j];
                    }

                    ssRes += (y[i][r] - pred) * (y[i][r] - pred);
                    ssTot += (y[i][r] - yMean[r]) * (y[i][r] - yMean[r]);
                }
            }
        }

        return 1 - (ssRes / ssTot);
    }

    private static double[] Gauss(double[,] a, int d)
    {
        for (int c = 0; c < d; c++)
        {
            for (int r = c + 1; r < d; r++)
            {
                double f = a[r, c] / a[c, c];
                for (int k = c; k <= d; k++)
                {
                    a[r, k] -= f * a[c, k];
                }
            }
        }

        var w = new double[d];
        for (int r = d - 1; r >= 0; r--)
        {
            double s = a[r, d];
            for (int k = r + 1; k < d; k++)
            {
                s -= a[r, k] * w[k];
            }

            w[r] = s / a[r, r];
        }

        return w;
    }
}
