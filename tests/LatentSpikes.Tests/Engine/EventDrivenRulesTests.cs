using System.Text.Json;
using LatentSpikes.Cli;
using LatentSpikes.Construction;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Engine;

/// <summary>The event engine's rules: simultaneous crossings, runaway detection, noise streams, unsupported input, the CLI switch.</summary>
[Collection(RunAlone.Name)]
public sealed class EventDrivenRulesTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-event-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static Population Single(string name, PopulationKind kind, double threshold, double decoder, double mu = 0, double sigma = 0, string? alsoListensTo = null)
    {
        var encoders = new Dictionary<string, double[]> { [Population.LatentNameOf(name)] = [1.0] };
        if (alsoListensTo is not null)
        {
            encoders[alsoListensTo] = [1.0];
        }

        return new Population(name, kind, [[0.0]], [threshold], [decoder], encoders, mu, sigma);
    }

    private static Experiment Build(IReadOnlyList<Population> pops, double duration, SimulationSettings? settings = null, InputSignal? input = null) =>
        new(new LowRankNetwork(pops), [input ?? new ConstantSignal(0)], (settings ?? new SimulationSettings { ClipAtSpike = false }) with { Duration = duration });

    [Fact]
    public void Identical_neurons_crossing_together_fire_one_at_a_time_lowest_index_first()
    {
        // Both relax from V = 0.5 to b = 1.2 and reach 1 at the same instant. Neuron 0 fires; its spike moves both
        // voltages down by 0.2, so neuron 1, re-evaluated, is below threshold and never fires.
        var pop = new Population("I", PopulationKind.Inhibitory, [[0.0], [0.0]], [-0.2, -0.2], [-0.2, -0.2],
            new Dictionary<string, double[]> { ["y_I"] = [1.0, 1.0] });
        var exp = new Experiment(new LowRankNetwork([pop]), [new ConstantSignal(0)], new SimulationSettings { ClipAtSpike = false, Duration = 10 },
            initialLatents: new Dictionary<string, double> { ["y_I"] = -0.7 });
        var spikes = new EventDrivenEngine().Run(exp).Spikes;
        Assert.True(spikes.Count > 5);
        Assert.All(spikes, s => Assert.Equal(0, s.Neuron));
        Assert.Equal(Math.Log(0.7 / 0.2), spikes[0].Time, 12);
    }

    [Fact]
    public void Inhibition_fires_first_even_when_an_excitatory_neuron_is_further_above_threshold()
    {
        // At t = 0 E sits at V = 1.9 and I at 1.2, both above threshold. I fires first (inhibition wins); its spike
        // (D = −0.5, E listens to y_I) takes E to 1.4 and I to 0.7; then E fires at the same instant (its reset
        // 0.01 − μ = −0.99 ends the burst).
        var e = Single("E", PopulationKind.Excitatory, -0.9, 0.01, mu: 1.0, alsoListensTo: "y_I");
        var i = Single("I", PopulationKind.Inhibitory, -0.2, -0.5);
        var spikes = new EventDrivenEngine().Run(Build([e, i], 0.5)).Spikes;
        Assert.Equal(1, spikes[0].Population);
        Assert.Equal(0.0, spikes[0].Time);
        // E still above threshold after I's spike: it fires at the same instant, without waiting for a time step.
        Assert.Equal(0, spikes[1].Population);
        Assert.Equal(0.0, spikes[1].Time);
    }

    [Fact]
    public void Within_a_class_the_neuron_furthest_above_threshold_fires_and_the_rest_are_re_evaluated()
    {
        // V(0) = [1.2, 1.9, 1.5], every spike moves all three down by 0.25: neuron 1 fires four times at t = 0
        // (1.9 → 0.9), after which the others (0.2 and 0.5) are below threshold. The clock engine spreads the same
        // four spikes over steps 1-4.
        var pop = new Population("I", PopulationKind.Inhibitory, [[0.0], [0.0], [0.0]], [-0.2, -0.9, -0.5], [-0.25, -0.25, -0.25],
            new Dictionary<string, double[]> { ["y_I"] = [1.0, 1.0, 1.0] });
        var exp = Build([pop], 0.1);
        var atZero = new EventDrivenEngine().Run(exp).Spikes.Where(s => s.Time == 0).ToArray();
        Assert.Equal(4, atZero.Length);
        Assert.All(atZero, s => Assert.Equal(1, s.Neuron));
        var clock = new ClockDrivenEngine().Run(exp).Spikes;
        Assert.Equal(atZero.Select(s => s.Neuron), clock.Take(4).Select(s => s.Neuron));
        Assert.Equal([1L, 2, 3, 4], clock.Take(4).Select(s => s.Step));
    }

    [Fact]
    public void An_exploding_excitatory_boundary_ends_with_the_runaway_status()
    {
        // Fig. 3, started beyond the boundary: every spike pushes the latent further out, all at t = 0.
        var spec = TestData.LoadExampleUnclipped("fig3-excitatory-boundary.yaml");
        var result = new EventDrivenEngine().Run(spec.Experiment);
        var clock = new ClockDrivenEngine().Run(spec.Experiment);
        Assert.Equal(clock.Status, result.Status);
        Assert.Equal(SimulationStatus.Exploded, result.Status);
        Assert.Contains("ran away", result.StatusDetail, StringComparison.Ordinal);
        Assert.Contains("'E'", result.StatusDetail, StringComparison.Ordinal);
        // The last record is the state at which the run was stopped: far beyond the start 1.6.
        Assert.True(result.Latent("y_E")[^1] > 10 * 1.6, $"y_E = {result.Latent("y_E")[^1]}");
    }

    [Fact]
    public void A_latent_limit_stops_runaway_growth()
    {
        var spec = TestData.LoadExampleUnclipped("fig3-excitatory-boundary.yaml");
        var exp = spec.Experiment.WithSettings(spec.Experiment.Settings with { RunawayWindow = 0, LatentLimit = 5 });
        var result = new EventDrivenEngine().Run(exp);
        Assert.Equal(SimulationStatus.Exploded, result.Status);
        Assert.Contains("exceeds the limit", result.StatusDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(0.0)]
    public void A_soft_refractory_cost_turns_a_self_exciting_neuron_from_runaway_into_exactly_regular_firing(double mu)
    {
        // b = 1.5 and self-reset E·D − μ = 0.1 − μ. With μ = 0 the neuron stays above threshold and fires without
        // end at t = 0. With μ = 2 its first spike (at t = 0, V = 1.5) leaves V = −0.4, so the next follows after
        // ln((1.5 + 0.4)/(1.5 − 1)) = ln 3.8; every later one resets from V = 1 to −0.9 and takes ln(2.4/0.5) = ln 4.8.
        var pop = Single("E", PopulationKind.Excitatory, -0.5, 0.1, mu: mu);
        var result = new EventDrivenEngine().Run(Build([pop], 10));
        if (mu == 0)
        {
            Assert.Equal(SimulationStatus.Exploded, result.Status);
            return;
        }

        Assert.Equal(SimulationStatus.Completed, result.Status);
        var t = result.Spikes.Select(s => s.Time).ToArray();
        Assert.Equal(2 + (int)((10 - Math.Log(3.8)) / Math.Log(4.8)), t.Length);
        Assert.Equal(0.0, t[0]);
        Assert.Equal(Math.Log(3.8), t[1], 12);
        Assert.All(t.Skip(1).Zip(t.Skip(2)), p => Assert.Equal(Math.Log(4.8), p.Second - p.First, 12));
    }

    [Fact]
    public void A_neuron_that_cannot_leave_threshold_is_stopped_even_with_the_runaway_window_off()
    {
        // An inhibitory neuron with decoder 0 stays above threshold after its spike: with delta synapses it would fire
        // endlessly at t = 0. The per-dt spike budget ends the run instead of hanging.
        var pop = Single("I", PopulationKind.Inhibitory, -0.5, 0.0);
        var result = new EventDrivenEngine().Run(Build([pop], 10, new SimulationSettings { ClipAtSpike = false, RunawayWindow = 0 }));
        Assert.Equal(SimulationStatus.Exploded, result.Status);
        Assert.Contains("more than 1000 spikes within one time step", result.StatusDetail, StringComparison.Ordinal);
        Assert.Equal(1001, result.Spikes.Count);
    }

    [Fact]
    public void A_network_whose_dense_weight_matrix_would_need_a_terabyte_runs_in_linear_memory()
    {
        // N = 400,000 (W = E·Dᵀ would be 1.28 TB): spikes act through the latents, a few arrays of length N hold the state.
        const int n = 400_000;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var pop = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0.5, 0, 1]), n, -1, 1, [-0.35]).Population;
        var exp = new Experiment(new LowRankNetwork([pop]), [new ConstantSignal(-0.5)], new SimulationSettings { ClipAtSpike = false, Dt = 0.01, Duration = 0.5 });
        var result = new EventDrivenEngine().Run(exp);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(SimulationStatus.Completed, result.Status);
        Assert.True(result.Spikes.Count >= 3, "y starts above the boundary: a burst at t = 0, then regular firing");
        // ~1 kB per neuron (construction, validation copies, compiled arrays, engine state) against 3.2 MB per dense row.
        Assert.True(allocated < 2048L * n, $"allocated {allocated / 1e6:0.0} MB for N = {n}: more than O(N)");
    }

    [Fact]
    public void Membrane_noise_uses_the_clock_engines_streams_so_the_two_engines_fire_almost_together()
    {
        // A neuron 0.1 below threshold fires only through noise. Both engines draw the same kick for each neuron
        // and step; they differ by O(dt) in between, so nearly every spike has a partner within two steps.
        var pop = Single("I", PopulationKind.Inhibitory, 0.1, -0.3, sigma: 0.3);
        var exp = Build([pop], 200, new SimulationSettings { ClipAtSpike = false, Dt = 0.01, Seed = 5 });
        var ev = new EventDrivenEngine().Run(exp);
        var clock = new ClockDrivenEngine().Run(exp);
        Assert.InRange(ev.Spikes.Count, 100, 400); // ≈160: the noise does drive it
        double[] ct = clock.Spikes.Select(s => s.Time).ToArray();
        int matched = ev.Spikes.Count(s => ct.Any(t => Math.Abs(t - s.Time) <= 0.02));
        Assert.True(matched >= 0.9 * ev.Spikes.Count, $"{matched} of {ev.Spikes.Count} spikes have a clock partner");
        Assert.Equal(ev.Spikes.Select(s => s.Time), new EventDrivenEngine().Run(exp).Spikes.Select(s => s.Time));
        Assert.NotEqual(ev.Spikes.Select(s => s.Time), new EventDrivenEngine(trial: 1).Run(exp).Spikes.Select(s => s.Time));
    }

    [Theory]
    [InlineData("white")]
    [InlineData("ou")]
    public void Stochastic_inputs_are_the_clock_engines_samples_at_the_record_grid(string kind)
    {
        InputSignal input = kind == "white" ? new WhiteNoiseSignal(0.5, 1.0) : new OrnsteinUhlenbeckSignal(0.5, 1.0, 0.5);
        var pop = new Population("I", PopulationKind.Inhibitory, [[1.0]], [0.1], [-0.3], new Dictionary<string, double[]> { ["y_I"] = [1.0] });
        var exp = Build([pop], 50, new SimulationSettings { ClipAtSpike = false, Seed = 9, RecordEvery = 3 }, input);
        var ev = new EventDrivenEngine().Run(exp);
        var clock = new ClockDrivenEngine().Run(exp);
        Assert.Equal(clock.Times, ev.Times);
        Assert.Equal(clock.Input(0), ev.Input(0));
        Assert.InRange(ev.Spikes.Count, 0.9 * clock.Spikes.Count, 1.1 * clock.Spikes.Count);
    }

    private sealed record CustomSignal : DeterministicSignal
    {
        public override string Kind => "custom";

        public override double ValueAt(double t) => Math.Tanh(t);

        public override void Validate(string at)
        {
        }
    }

    [Fact]
    public void An_input_kind_without_an_exact_form_is_refused_with_a_one_line_reason()
    {
        var pop = Single("I", PopulationKind.Inhibitory, 0.5, -0.1);
        var exp = new Experiment(new LowRankNetwork([pop]), [new CustomSignal()], new SimulationSettings { ClipAtSpike = false });
        Assert.False(EventDrivenEngine.Supports(exp, out string reason));
        Assert.Contains("input[0]", reason, StringComparison.Ordinal);
        Assert.Contains("'custom'", reason, StringComparison.Ordinal);
        var e = Assert.Throws<NotSupportedException>(() => new EventDrivenEngine().Run(exp));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("event engine: input[0]", e.Message, StringComparison.Ordinal);
        Assert.True(EventDrivenEngine.Supports(TestData.LoadExampleUnclipped("fig2-inhibitory-boundary.yaml").Experiment, out _));
    }

    [Fact]
    public void The_cli_runs_the_event_engine_on_request_and_rejects_unknown_engines_in_one_line()
    {
        string outDir = Path.Combine(_dir, "fig2");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = LatentSpikesApp.Run(["simulate", TestData.Example("fig2-inhibitory-boundary.yaml"), "--engine", "event", "--out", outDir, "--no-plot"], stdout, stderr);
        Assert.Equal(0, code);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Equal("event", summary.RootElement.GetProperty("engine").GetString());

        stderr = new StringWriter();
        string badDir = Path.Combine(_dir, "bad");
        code = LatentSpikesApp.Run(["simulate", TestData.Example("fig2-inhibitory-boundary.yaml"), "--engine", "warp", "--out", badDir], new StringWriter(), stderr);
        Assert.Equal(LatentSpikesApp.ExitSpecError, code);
        string[] lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("unknown engine 'warp' (known: clock, event, rate)", lines[0], StringComparison.Ordinal);
        Assert.False(Directory.Exists(badDir));
    }
}
