using System.Numerics;
using DenseMatrix = MathNet.Numerics.LinearAlgebra.Matrix<double>;

namespace LatentSpikes.Balanced;

/// <summary>A cross-validated linear decoder of κ (spec §2.7.8).</summary>
/// <param name="R2">Out-of-sample R² = 1 − Σ|κ − κ̂|²/Σ|κ − κ̄|² over all test folds (κ̄ the mean over all bins).</param>
/// <param name="Ridges">The ridge penalty chosen by the inner cross-validation for each outer fold (λ, in units of the training-set size).</param>
/// <param name="Features">Decoder features (neurons).</param>
/// <param name="Samples">Samples (10 ms bins).</param>
/// <param name="Folds">Outer folds.</param>
public sealed record DecoderFit(double R2, IReadOnlyList<double> Ridges, int Features, int Samples, int Folds);

/// <summary>
/// Ridge-regression decoder of the latent κ from filtered spike trains, evaluated by nested cross-validation: the
/// bins are split into contiguous folds; for each test fold the ridge penalty is chosen by leave-one-fold-out
/// cross-validation on the other folds alone, the decoder is refitted on all of them with that penalty, and only then
/// tested. So the test fold never influences the penalty, and R² is an honest out-of-sample value. Features are
/// standardised on each training set. Every training set's normal equations come from per-fold sufficient
/// statistics (Gram matrices), so the data are read once whatever the number of folds and penalties; the fits run in
/// parallel and are each deterministic, so the result does not depend on the thread count.
/// </summary>
public static class LatentDecoder
{
    /// <summary>The penalties tried, λ in (XᵀX + λ·m·I)w = Xᵀy on standardised features (m training samples).</summary>
    public static readonly IReadOnlyList<double> DefaultRidges = [1e-3, 1e-2, 1e-1, 1, 10];

    /// <summary>Decodes κ from the <see cref="SegmentRecord.DecoderFeatures"/> of <paramref name="records"/>, in order.</summary>
    public static DecoderFit Fit(IReadOnlyList<SegmentRecord> records, int folds = 5, IReadOnlyList<double>? ridges = null, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(records);
        var x = records.SelectMany(r => r.DecoderFeatures).ToArray();
        var y = records.SelectMany(r => r.BinLatent.Take(r.DecoderFeatures.Count)).ToArray();
        return Fit(x, y, folds, ridges, threads);
    }

    /// <summary>Decodes <paramref name="y"/> (samples × outputs) from <paramref name="x"/> (samples × features), samples in time order.</summary>
    public static DecoderFit Fit(IReadOnlyList<double[]> x, IReadOnlyList<double[]> y, int folds = 5, IReadOnlyList<double>? ridges = null, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ridges ??= DefaultRidges;
        int n = x.Count;
        if (folds < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(folds), folds, "nested cross-validation needs at least 3 folds");
        }

        if (y.Count != n || ridges.Count == 0 || ridges.Any(l => !(l > 0)))
        {
            throw new ArgumentException("need as many targets as samples and at least one positive ridge penalty");
        }

        if (n < 4 * folds || x[0].Length == 0)
        {
            return new DecoderFit(double.NaN, [], n > 0 ? x[0].Length : 0, n, folds);
        }

        int d = x[0].Length, rank = y[0].Length;
        var blocks = Enumerable.Range(0, folds).Select(f => Block.Of(x, y, f * n / folds, (f + 1) * n / folds, d, rank)).ToArray();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };

        // Inner scores: the training set "all but folds f and g" is shared by outer fold f (testing on g) and outer
        // fold g (testing on f), so each unordered pair and penalty is fitted once.
        var pairs = new List<(int F, int G)>();
        for (int f = 0; f < folds; f++)
        {
            for (int g = f + 1; g < folds; g++)
            {
                pairs.Add((f, g));
            }
        }

        var inner = new double[folds, folds, ridges.Count]; // [outer f, inner test g, ridge]: squared error
        Parallel.For(0, pairs.Count * ridges.Count, parallel, job =>
        {
            var (f, g) = pairs[job / ridges.Count];
            int l = job % ridges.Count;
            var model = Model.Train(blocks.Where((_, b) => b != f && b != g).ToArray(), d, rank, ridges[l]);
            inner[f, g, l] = model.SquaredError(blocks[g]);
            inner[g, f, l] = model.SquaredError(blocks[f]);
        });

        var chosen = new double[folds];
        var testError = new double[folds];
        Parallel.For(0, folds, parallel, f =>
        {
            int best = 0;
            double bestError = double.PositiveInfinity;
            for (int l = 0; l < ridges.Count; l++)
            {
                double e = 0;
                for (int g = 0; g < folds; g++)
                {
                    e += g == f ? 0 : inner[f, g, l];
                }

                if (e < bestError)
                {
                    (best, bestError) = (l, e);
                }
            }

            chosen[f] = ridges[best];
            var model = Model.Train(blocks.Where((_, b) => b != f).ToArray(), d, rank, ridges[best]);
            testError[f] = model.SquaredErrorOn(x, y, f * n / folds, (f + 1) * n / folds);
        });

        double[] mean = new double[rank];
        foreach (var row in y)
        {
            for (int r = 0; r < rank; r++)
            {
                mean[r] += row[r] / n;
            }
        }

        double total = y.Sum(row => Enumerable.Range(0, rank).Sum(r => (row[r] - mean[r]) * (row[r] - mean[r])));
        return new DecoderFit(1 - (testError.Sum() / total), chosen, d, n, folds);
    }

    /// <summary>Sufficient statistics of one contiguous fold: count, Σx, Σy, Σxxᵀ (lower triangle), Σxyᵀ, Σy².</summary>
    private sealed class Block
    {
        public int Count;
        public required double[] SumX;
        public required double[] SumY;
        public required double[] Gram;
        public required double[] Cross;
        public required double[] SumYy;

        public static Block Of(IReadOnlyList<double[]> x, IReadOnlyList<double[]> y, int from, int to, int d, int rank)
        {
            var b = new Block { SumX = new double[d], SumY = new double[rank], Gram = new double[d * d], Cross = new double[d * rank], SumYy = new double[rank] };
            b.Count = to - from;
            for (int i = from; i < to; i++)
            {
                var xi = x[i];
                var yi = y[i];
                for (int j = 0; j < d; j++)
                {
                    double v = xi[j];
                    b.SumX[j] += v;
                    if (v != 0)
                    {
                        // Filtered spike trains are often exactly 0: skip those rows of the outer product.
                        Axpy(v, xi.AsSpan(0, j + 1), b.Gram.AsSpan(j * d, j + 1));
                    }

                    for (int r = 0; r < rank; r++)
                    {
                        b.Cross[(j * rank) + r] += v * yi[r];
                    }
                }

                for (int r = 0; r < rank; r++)
                {
                    b.SumY[r] += yi[r];
                    b.SumYy[r] += yi[r] * yi[r];
                }
            }

            return b;
        }
    }

    /// <summary>A fitted decoder κ̂ = c + Bᵀx (B: d × rank, row-major).</summary>
    private sealed class Model(double[] intercept, double[] weights, int d, int rank)
    {
        public static Model Train(Block[] train, int d, int rank, double ridge)
        {
            int m = train.Sum(b => b.Count);
            double[] mu = new double[d], ybar = new double[rank], sd = new double[d];
            var gram = new double[d * d];
            var cross = new double[d * rank];
            foreach (var b in train)
            {
                for (int j = 0; j < d; j++)
                {
                    mu[j] += b.SumX[j] / m;
                }

                for (int r = 0; r < rank; r++)
                {
                    ybar[r] += b.SumY[r] / m;
                }

                Axpy(1, b.Gram, gram);
                Axpy(1, b.Cross, cross);
            }

            // Centre and standardise: C = (G − m·μμᵀ)/(sd sdᵀ), rhs = (Σxyᵀ − m·μȳᵀ)/sd.
            for (int j = 0; j < d; j++)
            {
                double v = (gram[(j * d) + j] / m) - (mu[j] * mu[j]);
                sd[j] = v > 1e-12 ? Math.Sqrt(v) : 1;
            }

            for (int j = 0; j < d; j++)
            {
                for (int k = 0; k <= j; k++)
                {
                    gram[(j * d) + k] = (gram[(j * d) + k] - (m * mu[j] * mu[k])) / (sd[j] * sd[k]);
                }

                gram[(j * d) + j] += ridge * m;
                for (int r = 0; r < rank; r++)
                {
                    cross[(j * rank) + r] = (cross[(j * rank) + r] - (m * mu[j] * ybar[r])) / sd[j];
                }
            }

            double[] w = CholeskySolve(gram, cross, d, rank);
            double[] c = (double[])ybar.Clone();
            for (int j = 0; j < d; j++)
            {
                for (int r = 0; r < rank; r++)
                {
                    w[(j * rank) + r] /= sd[j];
                    c[r] -= w[(j * rank) + r] * mu[j];
                }
            }

            return new Model(c, w, d, rank);
        }

        /// <summary>Σ|y − c − Bᵀx|² over a block, from its sufficient statistics.</summary>
        public double SquaredError(Block b)
        {
            double sum = 0;
            for (int r = 0; r < rank; r++)
            {
                double c = intercept[r];
                double quad = 0, cross = 0, linear = 0;
                for (int j = 0; j < d; j++)
                {
                    double wj = weights[(j * rank) + r];
                    linear += wj * b.SumX[j];
                    cross += wj * b.Cross[(j * rank) + r];

                    // wᵀGw from the lower triangle: Σ_j w_j (G_jj w_j + 2 Σ_{k<j} G_jk w_k).
                    double row = 0;
                    var g = b.Gram.AsSpan(j * d, j);
                    for (int k = 0; k < j; k++)
                    {
                        row += g[k] * weights[(k * rank) + r];
                    }

                    quad += wj * ((b.Gram[(j * d) + j] * wj) + (2 * row));
                }

                sum += b.SumYy[r] - (2 * c * b.SumY[r]) - (2 * cross) + (b.Count * c * c) + (2 * c * linear) + quad;
            }

            return sum;
        }

        /// <summary>Σ|y − c − Bᵀx|² over samples [from, to), from the data themselves.</summary>
        public double SquaredErrorOn(IReadOnlyList<double[]> x, IReadOnlyList<double[]> y, int from, int to)
        {
            double sum = 0;
            for (int i = from; i < to; i++)
            {
                for (int r = 0; r < rank; r++)
                {
                    double pred = intercept[r];
                    for (int j = 0; j < d; j++)
                    {
                        pred += weights[(j * rank) + r] * x[i][j];
                    }

                    sum += (y[i][r] - pred) * (y[i][r] - pred);
                }
            }

            return sum;
        }
    }

    /// <summary>y += a·x, vectorised.</summary>
    private static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var av = new Vector<double>(a);
            for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                (new Vector<double>(y[i..]) + (av * new Vector<double>(x[i..]))).CopyTo(y[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int i = 0;
        var acc = Vector<double>.Zero;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= a.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                acc += new Vector<double>(a[i..]) * new Vector<double>(b[i..]);
            }
        }

        double s = Vector.Sum(acc);
        for (; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    /// <summary>Solves A X = B for symmetric positive-definite A (lower triangle, row-major d×d), B d×k; X row-major d×k.</summary>
    private static double[] CholeskySolve(double[] a, double[] b, int d, int k)
    {
        // MathNet's Cholesky; the ridge term λ·m on the diagonal of a standardised Gram matrix keeps A positive definite.
        var matrix = DenseMatrix.Build.Dense(d, d, (i, j) => i >= j ? a[(i * d) + j] : a[(j * d) + i]);
        var rhs = DenseMatrix.Build.Dense(d, k, (i, c) => b[(i * k) + c]);
        var x = matrix.Cholesky().Solve(rhs);
        var result = new double[d * k];
        for (int i = 0; i < d; i++)
        {
            for (int c = 0; c < k; c++)
            {
                result[(i * k) + c] = x[i, c];
            }
        }

        return result;
    }
}
