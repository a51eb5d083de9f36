using LatentSpikes.Analysis;
using LatentSpikes.Model;

namespace LatentSpikes.Tests.Analysis;

/// <summary>Seed 002 §3.4, Fig. 8b-c: stimulating the inhibitory population lowers both populations' activity.</summary>
public class IsnProtocolTests
{
    private static Experiment Fig8() => TestData.LoadExample("fig8-balanced-ei.yaml").Experiment;

    /// <summary>
    /// The Fig. 8 inhibitory population alone, with the excitatory feedback frozen at its mean: each I neuron's
    /// threshold is lowered by E^IE·y_E* = 2·2, the drive y_E gave it at the crossing, so it sits at the same operating
    /// point |y_I| = x − T = 3.5 but nothing excitatory reacts to it. The classic ISN control (clamped excitation):
    /// a rank-1 inhibitory population is stable on its own (§2.3), so driving it must raise its activity.
    /// </summary>
    private static Experiment ClampedExcitation()
    {
        var ex = Fig8();
        var i = ex.Network.Populations[1];
        var ff = Enumerable.Range(0, i.Size).Select(j => i.FeedforwardRow(j).ToArray()).ToArray();
        var alone = new Population("I", i.Kind, ff, i.Thresholds.Select((t, j) => t - (i.Encoders["y_E"][j] * 2.0)).ToArray(), i.Decoders.ToArray(),
            new Dictionary<string, double[]> { ["y_I"] = i.Encoders["y_I"] }, i.SoftRefractory, i.NoiseSigma);
        return new Experiment(new LowRankNetwork([alone]), ex.Inputs, ex.Settings, null, null, "clamped-excitation");
    }

    [Fact]
    public void Stimulating_inhibition_lowers_both_populations_rates_paradoxically()
    {
        // Measured with 10 trials: E 0.488 → 0.186 and I 0.446 → 0.284 spikes/τ per neuron (changes −0.30 ± 0.003 and
        // −0.16 ± 0.002). The assertions ask for a fall of at least a fifth of each baseline rate, far beyond the
        // trial-to-trial spread, and the paradoxical verdict (I falls by more than 2 SEM under positive current).
        var report = IsnProtocol.Run(Fig8(), new IsnStimulus("I", 1, 12.5), (2.5, 12.5), (15, 25), trials: 10);
        Assert.Equal(IsnVerdict.Paradoxical, report.Verdict);
        foreach (var rate in report.Rates)
        {
            Assert.True(rate.Baseline.Mean > 0.2, $"{rate.Population} baseline {rate.Baseline.Mean}");
            Assert.True(rate.Change.Mean < -0.2 * rate.Baseline.Mean, $"{rate.Population}: {rate.Baseline.Mean:0.###} → {rate.Stimulated.Mean:0.###}");
        }

        // The latents move as the boundary crossing predicts (Fig. 8b): from (2, −3.5) to (2/3, −11/6). The geometry
        // leaves out the soft refractory term μ·r_i (eq. 3.3), which lifts each neuron's effective threshold by μ
        // times its rate and so changes with the rates; measured, the shifts are 86 % (y_E: −1.14) and 73 % (y_I:
        // +1.21) of the predicted ones. The test asks for the predicted direction and 50-120 % of the size.
        foreach (var latent in report.Latents)
        {
            double predicted = latent.PredictedStimulated - latent.PredictedBaseline;
            Assert.InRange(latent.Change.Mean / predicted, 0.5, 1.2);
        }

        Assert.Equal(2, report.Latents[0].PredictedBaseline, 12);
        Assert.Equal(2.0 / 3, report.Latents[0].PredictedStimulated, 12);
        Assert.Equal(-3.5, report.Latents[1].PredictedBaseline, 12);
        Assert.Equal(-11.0 / 6, report.Latents[1].PredictedStimulated, 12);
    }

    [Fact]
    public void Without_excitatory_feedback_the_same_inhibitory_population_fires_more()
    {
        // Measured: 0.477 → 0.602 spikes/τ per neuron and y_I −3.59 → −4.51 (the rank-1 boundary moves from −3.5 to
        // −4.5). A rise of a tenth of the baseline is far outside the spread (SEM of the change < 0.001).
        var report = IsnProtocol.Run(ClampedExcitation(), new IsnStimulus("I", 1, 12.5), (2.5, 12.5), (15, 25), trials: 10);
        Assert.Equal(IsnVerdict.NotParadoxical, report.Verdict);
        var rate = Assert.Single(report.Rates);
        Assert.True(rate.Change.Mean > 0.1 * rate.Baseline.Mean, $"{rate.Baseline.Mean:0.###} → {rate.Stimulated.Mean:0.###}");
        Assert.InRange(Assert.Single(report.Latents).Change.Mean, -1.2, -0.6);
        Assert.True(double.IsNaN(report.Latents[0].PredictedBaseline)); // no E-I crossing to predict
    }

    [Fact]
    public void The_protocol_replaces_the_specs_stimulation_and_reports_trajectories()
    {
        // The example stimulates I by 1 from 12.5 τ; the protocol's current (by 0.5 from 10 τ) is the only one.
        var report = IsnProtocol.Run(Fig8(), new IsnStimulus("I", 0.5, 10), (2.5, 10), (12.5, 25), trials: 2, binWidth: 1);
        Assert.Equal(2, report.Trials);
        Assert.Equal(25, report.Psths[0].BinCentres.Length);
        Assert.Equal(["y_E", "y_I"], report.Trajectory.Names);

        // With 0.5 the crossing is y_E = (1.5 − 0.5)/0.75 = 4/3; the current of 1 at 12.5 τ would have added a second drop.
        Assert.Equal(4.0 / 3, report.Latents[0].PredictedStimulated, 12);
        Assert.InRange(report.Latents[0].Stimulated.Mean, 1.0, 1.5);
    }

    [Fact]
    public void Bad_requests_fail_with_one_line_naming_the_problem()
    {
        var exp = Fig8();
        var good = new IsnStimulus("I", 1, 12.5);
        (double, double) baseline = (2.5, 12.5), response = (15, 25);
        void Fails(string field, Action run) => Assert.Equal(field, Assert.Throws<ModelValidationException>(run).Field);
        Fails("population", () => IsnProtocol.Run(exp, good with { Population = "X" }, baseline, response, 2));
        Fails("amplitude", () => IsnProtocol.Run(exp, good with { Amplitude = 0 }, baseline, response, 2));
        Fails("onset", () => IsnProtocol.Run(exp, good with { Onset = 30 }, baseline, response, 2));
        Fails("trials", () => IsnProtocol.Run(exp, good, baseline, response, 1));
        Fails("baseline", () => IsnProtocol.Run(exp, good, (2.5, 14), response, 2));
        Fails("response", () => IsnProtocol.Run(exp, good, baseline, (10, 25), 2));
        Fails("response", () => IsnProtocol.Run(exp, good, baseline, (15, 26), 2));
        Fails("bin", () => IsnProtocol.Run(exp, good, baseline, response, 2, binWidth: 0));
        var capped = exp.WithSettings(exp.Settings with { LatentLimit = 3 });
        Assert.StartsWith("trial 0 ran away", Assert.Throws<InvalidOperationException>(() => IsnProtocol.Run(capped, good, baseline, response, 2)).Message, StringComparison.Ordinal);
    }
}
