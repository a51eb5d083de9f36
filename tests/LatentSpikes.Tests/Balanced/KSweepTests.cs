using LatentSpikes.Balanced;
using LatentSpikes.Model;

namespace LatentSpikes.Tests.Balanced;

/// <summary>
/// Seed 001's "constant global activity" is a large-K statement: the K sweep (simulation at N = 25·K beside the
/// finite-K mean field) shows the rate fall from κ = 0 to |κ| = 1 shrinking like 1/√K only beyond K ≈ 400.
/// </summary>
public sealed class KSweepTests
{
    private static readonly Lazy<KSweepReport> Sweep = new(() =>
        BalancedKSweep.Run(new BalancedParameters(), [100, 200], [1600, 6400, 25600, 102400], conditionSeconds: 0.6, angles: 4, threads: 2));

    [Fact]
    public void Simulated_rate_falls_agree_with_the_finite_K_mean_field()
    {
        // Measured at K = 100 / 200 (seeds 1 and 2, 0.6-1 s × 4 angles): E falls 23.9-25.7 / 22.2-26.4 % (mean field
        // 21.8 / 24.4 %), I rises 7.9-8.9 / 4.1-4.7 % (8.8 / 4.8 %). The E fall scatters by about 2 points between
        // seeds and durations; 6 points (E) and 3 points (I) leave about three such errors.
        foreach (var row in Sweep.Value.Rows.Where(r => r.Simulated))
        {
            Assert.InRange(row.SimDrop(0) - row.MeanFieldDrop(0), -0.06, 0.06);
            Assert.InRange(row.SimDrop(1) - row.MeanFieldDrop(1), -0.03, 0.03);

            // At these K the E rate falls by well over 10 %: the global activity is not constant at simulated sizes.
            Assert.True(row.SimDrop(0) > 0.1, $"K = {row.K}: E fall {row.SimDrop(0):P1}");
        }
    }

    [Fact]
    public void The_mean_field_rate_fall_vanishes_like_one_over_root_K_at_large_K()
    {
        var rows = Sweep.Value.Rows.Where(r => r.K >= 1600).ToArray();
        Assert.Equal(4, rows.Length);
        for (int j = 1; j < rows.Length; j++)
        {
            Assert.True(rows[j].MeanFieldDrop(0) < rows[j - 1].MeanFieldDrop(0), $"E fall does not shrink from K = {rows[j - 1].K} to {rows[j].K}");
        }

        // Four times K: the O(1/√K) mean-input shift halves (measured 16.4 / 9.4 / 4.9 / 2.5 %).
        Assert.InRange(rows[^2].MeanFieldDrop(0) / rows[^1].MeanFieldDrop(0), 1.7, 2.3);
        Assert.InRange(rows[^1].MeanFieldDrop(0), 0, 0.035);
        Assert.InRange(Math.Abs(rows[^1].MeanFieldDrop(1)), 0, 0.01);
    }

    [Fact]
    public void The_sweep_sizes_the_networks_and_rejects_bad_settings()
    {
        Assert.Equal((8000, 2000), BalancedKSweep.SizeFor(400));
        Assert.All(Sweep.Value.Rows, r => Assert.Equal(r.Simulated ? 25 * r.K : 0, r.Neurons));
        Assert.Throws<ModelValidationException>(() => BalancedKSweep.Run(new BalancedParameters(), [0], [], 1.0));
        Assert.Throws<ModelValidationException>(() => BalancedKSweep.Run(new BalancedParameters(), [10], [], 0.1));
        Assert.Throws<ModelValidationException>(() => BalancedKSweep.Run(new BalancedParameters { LatentMatrix = BalancedExperiment.OscillatorMatrix }, [10], [], 1.0));
    }
}
