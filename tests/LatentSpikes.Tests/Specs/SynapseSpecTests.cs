using LatentSpikes.Model;
using LatentSpikes.Specs;

namespace LatentSpikes.Tests.Specs;

/// <summary>
/// The spec fields of §4 (per-population <c>synapse</c> and <c>refractory</c>, network-level <c>delays</c>): valid forms,
/// a writer/reader round trip, and hostile input, each rejected as one <c>file:line: field: problem</c> line.
/// </summary>
public sealed class SynapseSpecTests
{
    private const string Label = "spec.yaml";

    /// <summary>A valid E-I spec using every new field; each hostile test breaks one thing.</summary>
    private const string Slow = """
        name: slow
        simulation:
          dt: 0.01
          duration: 1
        input:
          - kind: constant
            value: 0
        populations:
          - name: E
            kind: excitatory
            thresholds: [0.5, 0.5]
            feedforward: [0.1, -0.1]
            decoders: 0.2
            encoders: {y_E: 1, y_I: 1}
            synapse: {kind: square, tau: 0.25}
            refractory: 0.02
          - name: I
            kind: inhibitory
            size: 3
            tangent:
              f: {polynomial: [0.5, 0, 1]}
              range: [-1, 1]
            decoders: -0.35
            encoders: {y_E: 2}
            synapse:
              kind: exponential
              tau: 0.5
        delays:
          - {from: E, to: I, delay: 0.1}
          - from: I
            to: I
            delay: 0.05
        """;

    [Fact]
    public void Every_new_field_is_read_into_the_model()
    {
        var exp = SpecReader.Parse(Slow, Label).Experiment;
        var e = exp.Network.Populations[0];
        var i = exp.Network.Populations[1];
        Assert.Equal(SynapseKernel.Square(0.25), e.Synapse);
        Assert.Equal(0.02, e.RefractoryPeriod);
        Assert.Equal(SynapseKernel.Exponential(0.5), i.Synapse);
        Assert.Equal(0.0, i.RefractoryPeriod);
        Assert.Equal(2.0, i.Encoders["y_E"][0]); // extra encoders of a constructed population survive the synapse
        Assert.Equal(new[] { new TransmissionDelay("E", "I", 0.1), new TransmissionDelay("I", "I", 0.05) }, exp.Network.Delays);
        Assert.Equal(0.1, exp.Network.DelayBetween("E", "I"));
        Assert.Equal(0.0, exp.Network.DelayBetween("I", "E"));
    }

    [Theory]
    [InlineData("synapse: {kind: square, tau: 0.25}", "synapse: delta")]
    [InlineData("synapse: {kind: square, tau: 0.25}", "synapse: {kind: delta}")]
    public void Delta_is_the_default_and_can_be_spelt_out(string from, string to)
    {
        var exp = SpecReader.Parse(Edit(Slow, from, to), Label).Experiment;
        Assert.True(exp.Network.Populations[0].Synapse.IsDelta);
        var plain = SpecReader.Parse(Edit(Slow, "    synapse: {kind: square, tau: 0.25}\n", string.Empty), Label).Experiment;
        Assert.Same(SynapseKernel.Delta, plain.Network.Populations[0].Synapse);
    }

    [Fact]
    public void The_writer_round_trips_kernels_refractory_periods_and_delays()
    {
        var original = SpecReader.Parse(Slow, Label).Experiment;
        string written = SpecWriter.Write(original);
        var again = SpecReader.Parse(written, "written.yaml").Experiment;
        Assert.Equal(original.Network.Populations.Select(p => (p.Synapse, p.RefractoryPeriod)), again.Network.Populations.Select(p => (p.Synapse, p.RefractoryPeriod)));
        Assert.Equal(original.Network.Delays, again.Network.Delays);
        Assert.Equal(written, SpecWriter.Write(again));

        // A delta network is written exactly as before: no synapse, refractory or delays keys.
        string plain = SpecWriter.Write(TestData.LoadExample("fig2-inhibitory-boundary.yaml").Experiment);
        Assert.DoesNotContain("synapse", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("refractory", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("delays", plain, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tau: 0.25", "tau: -0.25", "populations[0].synapse.tau", "the synaptic time constant must be > 0 (got -0.25); use the delta synapse for instantaneous transmission")]
    [InlineData("tau: 0.25", "tau: 0.0", "populations[0].synapse.tau", "the synaptic time constant must be > 0 (got 0); use the delta synapse for instantaneous transmission")]
    [InlineData("tau: 0.25", "tau: .nan", "populations[0].synapse.tau", "must be a finite number (got .nan)")]
    [InlineData("tau: 0.25", "tau: .inf", "populations[0].synapse.tau", "must be a finite number (got .inf)")]
    [InlineData("tau: 0.25", "tau: fast", "populations[0].synapse.tau", "expected a number; got 'fast'")]
    [InlineData("{kind: square, tau: 0.25}", "{kind: alpha, tau: 0.25}", "populations[0].synapse.kind", "unknown synapse kind 'alpha'; use delta, square or exponential")]
    [InlineData("{kind: square, tau: 0.25}", "{kind: Square, tau: 0.25}", "populations[0].synapse.kind", "unknown synapse kind 'Square'; use delta, square or exponential")]
    [InlineData("{kind: square, tau: 0.25}", "{kind: square}", "populations[0].synapse", "missing required field 'tau'")]
    [InlineData("{kind: square, tau: 0.25}", "{tau: 0.25}", "populations[0].synapse", "missing required field 'kind'")]
    [InlineData("{kind: square, tau: 0.25}", "{kind: delta, tau: 0.25}", "populations[0].synapse.tau", "a delta synapse has no time constant; remove tau or use kind: square or exponential")]
    [InlineData("{kind: square, tau: 0.25}", "square", "populations[0].synapse", "a square synapse needs its time constant: write {kind: square, tau: ...} (tau in units of τ)")]
    [InlineData("{kind: square, tau: 0.25}", "gaussian", "populations[0].synapse", "unknown synapse 'gaussian'; use delta, {kind: square, tau: ...} or {kind: exponential, tau: ...}")]
    [InlineData("{kind: square, tau: 0.25}", "[square, 0.25]", "populations[0].synapse", "expected a synapse; use delta, {kind: square, tau: ...} or {kind: exponential, tau: ...}")]
    [InlineData("refractory: 0.02", "refractory: -0.02", "populations[0].refractory", "the absolute refractory period must be ≥ 0 (got -0.02)")]
    [InlineData("refractory: 0.02", "refractory: .nan", "populations[0].refractory", "must be a finite number (got .nan)")]
    [InlineData("refractory: 0.02", "refractory: [0.02]", "populations[0].refractory", "expected a number; got a list")]
    public void A_bad_synapse_or_refractory_period_is_rejected_on_its_line(string from, string to, string field, string problem)
    {
        string spec = Edit(Slow, from, to);
        var e = Reject(spec);
        AssertAt(e, LineContaining(spec, to), field);
        Assert.Equal(problem, e.Problem);
    }

    [Fact]
    public void An_unknown_synapse_field_is_named_with_a_suggestion()
    {
        string spec = Edit(Slow, "{kind: square, tau: 0.25}", "{kind: square, tua: 0.25}");
        var e = Reject(spec);
        AssertAt(e, LineContaining(spec, "tua"), "populations[0].synapse.tua");
        Assert.StartsWith("unknown field (did you mean 'tau'?)", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_tau_in_a_block_synapse_points_at_its_own_line()
    {
        string spec = Edit(Slow, "      tau: 0.5\n", "      tau: -1\n");
        var e = Reject(spec);
        AssertAt(e, LineContaining(spec, "tau: -1"), "populations[1].synapse.tau");
    }

    [Theory]
    [InlineData("{from: E, to: I, delay: 0.1}", "{from: X, to: I, delay: 0.1}", "delays[0].from", "no population called 'X' (known: E, I)")]
    [InlineData("{from: E, to: I, delay: 0.1}", "{from: E, to: Q, delay: 0.1}", "delays[0].to", "no population called 'Q' (known: E, I)")]
    [InlineData("{from: E, to: I, delay: 0.1}", "{from: E, to: I, delay: -0.1}", "delays[0].delay", "a transmission delay must be ≥ 0 (got -0.1)")]
    [InlineData("{from: E, to: I, delay: 0.1}", "{from: E, to: I, delay: .nan}", "delays[0].delay", "must be a finite number (got .nan)")]
    [InlineData("{from: E, to: I, delay: 0.1}", "{from: E, to: I, delay: -.inf}", "delays[0].delay", "must be a finite number (got -.inf)")]
    [InlineData("{from: E, to: I, delay: 0.1}", "{from: E, to: I}", "delays[0]", "missing required field 'delay'")]
    public void A_bad_delay_is_rejected_on_its_line(string from, string to, string field, string problem)
    {
        string spec = Edit(Slow, from, to);
        var e = Reject(spec);
        AssertAt(e, LineContaining(spec, to), field);
        Assert.Equal(problem, e.Problem);
    }

    [Fact]
    public void A_pair_given_twice_is_rejected_at_the_second_entry()
    {
        string spec = Edit(Slow, "{from: E, to: I, delay: 0.1}", "{from: I, to: I, delay: 0.2}");
        var e = Reject(spec);
        AssertAt(e, LineContaining(spec, "    to: I"), "delays[1].to");
        Assert.Equal("the delay from 'I' to 'I' is given twice", e.Problem);
    }

    [Fact]
    public void A_delay_line_longer_than_supported_is_refused_but_a_delay_beyond_the_run_is_not()
    {
        // Spikes delayed beyond the end of the run never arrive, so the delay line is capped at the run length.
        string beyond = Edit(Slow, "delay: 0.1", "delay: 1000000");
        Assert.Equal(1e6, SpecReader.Parse(beyond, Label).Experiment.Network.Delays[0].Delay);

        string spec = Edit(beyond, "duration: 1", "duration: 200000");
        var e = Reject(spec);
        AssertAt(e, LineContaining(spec, "delay: 1000000"), "delays[0].delay");
        Assert.Equal("spans 20000000 steps of dt = 0.01; at most 10000000 steps are supported (use a larger dt or a shorter delay)", e.Problem);
    }

    [Fact]
    public void The_delays_must_be_a_list_of_mappings_with_known_keys()
    {
        string spec = Edit(Slow, "  - {from: E, to: I, delay: 0.1}", "  - {from: E, to: I, delay: 0.1, jitter: 0.01}");
        var e = Reject(spec);
        AssertAt(e, LineContaining(spec, "jitter"), "delays[0].jitter");
        Assert.StartsWith("unknown field", e.Problem, StringComparison.Ordinal);

        string notList = Slow[..Slow.IndexOf("delays:", StringComparison.Ordinal)] + "delays: 0.1\n";
        e = Reject(notList);
        AssertAt(e, LineContaining(notList, "delays: 0.1"), "delays");
        Assert.Equal("expected a list; got '0.1'", e.Problem);
    }

    [Fact]
    public void Model_validation_names_the_field_for_code_that_builds_networks_directly()
    {
        var pop = new Population("I", PopulationKind.Inhibitory, [[0.0]], [0.0], [-0.1], new Dictionary<string, double[]> { ["y_I"] = [1.0] },
            synapse: SynapseKernel.Exponential(double.NaN));
        var e = Assert.Throws<ModelValidationException>(() => new LowRankNetwork([pop]));
        Assert.Equal("populations[0].synapse.tau", e.Field);

        var ok = pop.WithSynapse(SynapseKernel.Delta, -1);
        e = Assert.Throws<ModelValidationException>(() => new LowRankNetwork([ok]));
        Assert.Equal("populations[0].refractory", e.Field);

        e = Assert.Throws<ModelValidationException>(() => new LowRankNetwork([pop.WithSynapse(SynapseKernel.Delta, 0)], delays: [new TransmissionDelay("I", "J", 0)]));
        Assert.Equal("delays[0].to", e.Field);
    }

    [Fact]
    public void Mutated_slow_synapse_specs_either_load_or_fail_with_a_one_line_spec_exception()
    {
        // Deterministic fuzzing of the new fields: single-character edits, truncations and line swaps. Nothing may
        // escape as another exception type (the CLI would print a stack trace).
        const string Tokens = "[]{}:,-'\"#. \n0123456789aeZ";
        var rng = new Random(20240610);
        var escaped = new List<string>();
        foreach (string original in new[] { Slow, File.ReadAllText(TestData.Example("fig10-slow-synapses.yaml")) })
        {
            for (int trial = 0; trial < 800; trial++)
            {
                string text = Mutate(original, rng, Tokens);
                try
                {
                    SpecReader.Parse(text, Label);
                }
                catch (SpecException e) when (!e.Message.Contains('\n', StringComparison.Ordinal))
                {
                    // A clean one-line rejection.
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    escaped.Add($"{e.GetType().Name}: {e.Message} for:\n{text}");
                }
            }
        }

        Assert.True(escaped.Count == 0, $"{escaped.Count} mutations escaped:\n{string.Join("\n----\n", escaped.Take(5))}");
    }

    private static string Mutate(string text, Random rng, string tokens)
    {
        int pos = rng.Next(text.Length);
        switch (rng.Next(4))
        {
            case 0:
                return text.Remove(pos, 1);
            case 1:
                return text.Insert(pos, tokens[rng.Next(tokens.Length)].ToString());
            case 2:
                return string.Concat(text.AsSpan(0, pos), tokens[rng.Next(tokens.Length)].ToString(), text.AsSpan(pos + 1));
            default:
                var lines = text.Split('\n');
                int a = rng.Next(lines.Length);
                int b = rng.Next(lines.Length);
                (lines[a], lines[b]) = (lines[b], lines[a]);
                return string.Join('\n', lines);
        }
    }

    private static SpecException Reject(string text)
    {
        var e = Assert.Throws<SpecException>(() => SpecReader.Parse(text, Label));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(Label, e.File);
        return e;
    }

    private static void AssertAt(SpecException e, int line, string field)
    {
        Assert.Equal(field, e.Field);
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"{Label}:{line}: {field}: ", e.Message, StringComparison.Ordinal);
    }

    private static string Edit(string text, string from, string to)
    {
        int first = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(first >= 0, $"template lacks '{from}'");
        Assert.True(text.IndexOf(from, first + 1, StringComparison.Ordinal) < 0, $"template has '{from}' more than once");
        return string.Concat(text.AsSpan(0, first), to, text.AsSpan(first + from.Length));
    }

    private static int LineContaining(string text, string marker)
    {
        string[] lines = text.Split('\n');
        var hits = Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains(marker, StringComparison.Ordinal)).ToArray();
        Assert.True(hits.Length == 1, $"expected exactly one line containing '{marker}', found {hits.Length}");
        return hits[0] + 1;
    }
}
