using LatentSpikes.Analysis;
using LatentSpikes.Model;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;

namespace LatentSpikes.Tests.Fidelity;

/// <summary>
/// The authors' step-loop rules (issue 18): the clip at spikes per network type, the V = 0 start, and their Fig. 8f
/// mistuning scheme.
/// </summary>
public sealed class AuthorsRuleTests
{
    private const string Base = """
        name: rule
        simulation: {dt: 0.01, duration: 1CLIP}
        input: {kind: constant, value: 0}
        populations:
          - {name: I, kind: inhibitory, thresholds: [0.5, 0.7], feedforward: [1, 1], decoders: -0.2SYN}
        """;

    private static Experiment Parse(string clip = "", string synapse = "", string second = "") => SpecReader.Parse(
        Base.Replace("CLIP", clip, StringComparison.Ordinal).Replace("SYN", synapse, StringComparison.Ordinal) + second, "rule").Experiment;

    [Fact]
    public void Auto_clips_exactly_the_networks_the_authors_run_spiking_net_clips()
    {
        Assert.True(Parse().ClipsAtSpike);
        Assert.Null(Parse().Settings.ClipAtSpike);
        Assert.True(Parse(", clip_at_spike: auto").ClipsAtSpike);
        Assert.False(Parse(", clip_at_spike: false").ClipsAtSpike);
        Assert.False(Parse(synapse: ", synapse: {kind: exponential, tau: 0.5}").ClipsAtSpike);
        Assert.False(Parse(synapse: ", synapse: {kind: square, tau: 0.1}").ClipsAtSpike);
        Assert.True(Parse(", clip_at_spike: true", ", synapse: {kind: square, tau: 0.1}").ClipsAtSpike);
        Assert.False(TestData.LoadExample("fig8-balanced-ei.yaml").Experiment.ClipsAtSpike);
        Assert.False(TestData.LoadExample("ei-rank2-quadratic.yaml").Experiment.ClipsAtSpike);
        Assert.True(TestData.LoadExample("figS2-irregularity.yaml").Experiment.ClipsAtSpike);
        Assert.True(TestData.LoadExample("figS2-authors.yaml").Experiment.ClipsAtSpike);
        Assert.Equal(VoltageStart.Zero, TestData.LoadExample("figS2-authors.yaml").Experiment.Settings.VoltageStart);
    }

    [Theory]
    [InlineData(", clip_at_spike: sometimes", "clip_at_spike: expected true, false or auto")]
    [InlineData(", initial_voltage: rest", "initial_voltage: expected integrated or zero")]
    public void Bad_rule_values_are_one_line_errors(string field, string message)
    {
        var e = Assert.Throws<SpecException>(() => Parse(field));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Single(e.Message.Split('\n'));
    }

    [Fact]
    public void The_rule_survives_a_round_trip_through_the_spec_writer()
    {
        foreach (string clip in new[] { "", ", clip_at_spike: false", ", clip_at_spike: true, initial_voltage: zero" })
        {
            var e = Parse(clip);
            var back = SpecReader.Parse(SpecWriter.Write(e), "back").Experiment;
            Assert.Equal(e.Settings.ClipAtSpike, back.Settings.ClipAtSpike);
            Assert.Equal(e.Settings.VoltageStart, back.Settings.VoltageStart);
        }
    }

    [Fact]
    public void Under_the_authors_rules_the_Fig2_train_is_their_step_loop_spike_for_spike()
    {
        // Fig. 2 (N = 10, noise-free, ramp) from V = 0 with the clip: the engine against a transcription of the
        // authors' run_spiking_net (one spike per step, argmax, V set to 1 after a spike).
        var exp = TestData.LoadExample("fig2-inhibitory-boundary.yaml").Experiment;
        exp = exp.WithSettings(exp.Settings with { ClipAtSpike = null, VoltageStart = VoltageStart.Zero });
        var reference = AuthorsLoop(exp, clip: true);
        var run = new ClockDrivenEngine().Run(exp);
        var engine = run.Spikes.Select(s => (s.Step, s.Neuron)).ToArray();
        Assert.True(reference.Count > 50, $"{reference.Count} spikes");
        Assert.Equal(reference, engine);

        // Without the clip the engine departs from their loop at the second spike.
        var unclipped = new ClockDrivenEngine().Run(exp.WithSettings(exp.Settings with { ClipAtSpike = false })).Spikes.Select(s => (s.Step, s.Neuron)).ToArray();
        int first = Enumerable.Range(0, Math.Min(unclipped.Length, reference.Count)).First(k => unclipped[k] != reference[k]);
        Assert.Equal(1, first);
    }

    [Fact]
    public void The_authors_8f_perturbation_keeps_Dale_and_its_angle_follows_sigma()
    {
        var exp = TestData.LoadExample("fig8f-authors.yaml").Experiment;
        var (aligned, a0, b0) = Mistuning.BuildPerturbed(exp, 0, 0);
        Assert.Equal(0, a0, 6);
        Assert.Equal(0, b0, 6);
        Assert.Equal(exp.Network.Populations[0].Decoders, aligned.Network.Populations[0].Decoders);
        Assert.Equal(4, aligned.Network.Latents.Count);

        // cos θ = 1/(1 + σ²) in expectation; 50 entries per block scatter the angle by a few degrees.
        double sigma = Mistuning.SigmaForAngle(20);
        var angles = Enumerable.Range(0, 20).Select(r => Mistuning.BuildPerturbed(exp, sigma, (ulong)r)).ToArray();
        Assert.InRange(angles.Average(t => (t.AngleE + t.AngleI) / 2), 18, 22);
        Assert.All(angles, t =>
        {
            Assert.All(t.Experiment.Network.Populations[0].Decoders, d => Assert.True(d >= 0));
            Assert.All(t.Experiment.Network.Populations[1].Decoders, d => Assert.True(d <= 0));
        });
        Assert.Throws<ModelValidationException>(() => Mistuning.BuildPerturbed(exp, -0.1, 0));
    }

    /// <summary>The authors' rank-1 loop (one population, delta synapses, one spike per step) in τ units.</summary>
    private static List<(long Step, int Neuron)> AuthorsLoop(Experiment exp, bool clip)
    {
        var pop = exp.Network.Populations[0];
        int n = pop.Size;
        double dt = exp.Settings.Dt;
        double[] e = pop.Encoders[pop.LatentName];
        var v = new double[n];
        var spikes = new List<(long, int)>();
        int last = -1;
        var input = exp.Inputs[0].Start(dt, 0);
        double xPrev = input.At(0);
        for (long t = 1; t < exp.Settings.StepCount + 1; t++)
        {
            double x = input.At(t);
            double c = ((x - xPrev) / dt) + xPrev;
            xPrev = x;
            int best = -1;
            for (int i = 0; i < n; i++)
            {
                double ff = (pop.FeedforwardRow(i)[0] * c) + pop.Bias(i);
                v[i] += dt * (-v[i] + ff);
                if (last >= 0)
                {
                    v[i] += (e[i] * pop.Decoders[last]) - (i == last ? pop.SoftRefractory : 0);
                }

                if (best < 0 || v[i] - 1 > v[best] - 1)
                {
                    best = i;
                }
            }

            last = -1;
            if (v[best] >= 1)
            {
                last = best;
                spikes.Add((t, best));
                if (clip)
                {
                    v[best] = 1;
                }
            }
        }

        return spikes;
    }
}
