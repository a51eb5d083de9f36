using LatentSpikes.Construction;
using LatentSpikes.Engines;
using LatentSpikes.Geometry;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Conformance;

/// <summary>
/// One engine under test: how to make it, and what it promises. Every engine runs the same suite below (the Nengo
/// pattern: one test suite for every backend); engine-specific claims (dt → 0 convergence, batched ≡ single) live
/// beside it.
/// </summary>
/// <param name="Name">Engine name, shown in the test name.</param>
/// <param name="Create">Makes the engine for (threads, trial).</param>
/// <param name="StepOvershoot">
/// How far (per unit |y|) a readout may pass its threshold before the spike lands: dt for a clock-driven engine (one
/// Euler step of leak), 0 for an exact event-driven one.
/// </param>
public sealed record EngineUnderTest(string Name, Func<int, ulong, IEngine> Create, Func<double, double> StepOvershoot)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>Runs one trial of a batch through <see cref="BatchedEngine"/>, so the batched path passes the suite too.</summary>
internal sealed class BatchedTrialEngine(int threads, ulong trial) : IEngine
{
    public string Name => BatchedEngine.Name;

    public SimulationResult Run(Experiment experiment, IProgress<double>? progress = null, CancellationToken cancellationToken = default) =>

        // A batch of three trials starting two before the wanted one: the wanted trial must not depend on its neighbours.
        new BatchedEngine(threads).Run(experiment, 3, trial >= 2 ? trial - 2 : 0, null, cancellationToken).Trials[trial >= 2 ? 2 : (int)trial];
}

/// <summary>The conformance suite every engine passes.</summary>
public class EngineConformanceTests
{
    /// <summary>Every engine of the toolkit.</summary>
    public static TheoryData<EngineUnderTest> Engines => new()
    {
        new EngineUnderTest("clock", (threads, trial) => new ClockDrivenEngine(threads, trial), dt => dt),
        new EngineUnderTest("batched", (threads, trial) => new BatchedTrialEngine(threads, trial), dt => dt),
        new EngineUnderTest("event", (threads, trial) => new EventDrivenEngine(trial), _ => 0),
    };

    /// <summary>
    /// Every engine of <see cref="EngineCatalog"/> plus the batched path, for the rules that hold whether or not an
    /// engine spikes: the record grid, determinism and the explosion report. The rate twin needs noise (β), so these
    /// rules run on noisy variants of the examples.
    /// </summary>
    public static TheoryData<EngineUnderTest> CatalogEngines
    {
        get
        {
            var data = new TheoryData<EngineUnderTest>(EngineCatalog.All.Select(e => new EngineUnderTest(e.Name, (threads, trial) => e.Create(threads, trial), dt => dt)));
            data.Add(new EngineUnderTest("batched", (threads, trial) => new BatchedTrialEngine(threads, trial), dt => dt));
            return data;
        }
    }

    private const double BoundaryDecoder = -0.35;

    [Theory]
    [MemberData(nameof(CatalogEngines))]
    public void Records_lie_on_the_record_grid(EngineUnderTest engine)
    {
        var noisy = WithNoise(TestData.LoadExampleUnclipped("fig2-inhibitory-boundary.yaml").Experiment, 0.2, duration: 3);
        var exp = noisy.WithSettings(noisy.Settings with { RecordEvery = 7 });
        var result = engine.Create(0, 0).Run(exp);
        Assert.Equal(SimulationStatus.Completed, result.Status);
        Assert.Equal((exp.Settings.StepCount / 7) + 1, result.Times.Count);
        for (int r = 0; r < result.Times.Count; r++)
        {
            Assert.Equal(r * 7 * exp.Settings.Dt, result.Times[r], 1e-9);
        }

        Assert.Equal(result.Times.Count * exp.Network.Latents.Count, result.LatentsFlat.Count);
    }

    [Theory]
    [MemberData(nameof(CatalogEngines))]
    public void The_same_run_twice_is_identical_and_streams_what_it_holds(EngineUnderTest engine)
    {
        var exp = WithNoise(TestData.LoadExampleUnclipped("fig2-inhibitory-boundary.yaml").Experiment, 0.2, duration: 4);
        var a = engine.Create(0, 0).Run(exp);
        var b = engine.Create(0, 0).Run(exp);
        Assert.Equal(a.Spikes, b.Spikes);
        Assert.Equal(a.LatentsFlat, b.LatentsFlat);

        // Streaming is part of IEngine: the sink receives the same rows, whichever engine runs.
        var sink = new CollectingSink();
        var streamed = engine.Create(0, 0).Run(exp, sink);
        Assert.Equal(a.Times, sink.Times);
        Assert.Equal(a.LatentsFlat, sink.Latents);
        Assert.Equal(a.Spikes, sink.Spikes);
        Assert.Equal(a.Status, streamed.Status);
    }

    [Theory]
    [MemberData(nameof(CatalogEngines))]
    public void A_noisy_excitatory_boundary_alone_explodes_and_is_reported(EngineUnderTest engine)
    {
        // The rate twin saturates rather than firing in every step, so the guard it shares is the latent limit.
        var noisy = WithNoise(TestData.LoadExampleUnclipped("fig3-excitatory-boundary.yaml").Experiment, 0.2, duration: 20);
        var exp = noisy.WithSettings(noisy.Settings with { LatentLimit = 2 });
        var result = engine.Create(0, 0).Run(exp);
        Assert.True(result.Status == SimulationStatus.Exploded, $"{result.Status}: {result.StatusDetail}; max |y| = {result.LatentsFlat.Max(Math.Abs)}");
        Assert.Contains("ran away", result.StatusDetail, StringComparison.Ordinal);
        Assert.True(result.SimulatedDuration < exp.Settings.Duration);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Fig2_readout_stays_within_the_precision_band_of_its_own_boundary(EngineUnderTest engine)
    {
        var exp = TestData.LoadExampleUnclipped("fig2-inhibitory-boundary.yaml").Experiment;
        var result = engine.Create(0, 0).Run(exp);
        Assert.Equal(SimulationStatus.Completed, result.Status);
        var pop = exp.Network.Populations[0];
        double[] y = result.Latent("y_I");
        double[] x = result.Input(0);
        int checkedSamples = 0;
        for (int r = 0; r < y.Length; r++)
        {
            if (result.Times[r] < 1.0)
            {
                continue; // y starts at 0, above the boundary, and falls onto it within 1 τ
            }

            // Between spikes y decays towards 0, i.e. upwards towards the boundary; it can pass it by one step's
            // worth of decay before the spike lands (clock), or not at all (exact engines). 5 % slack for the input's
            // own motion during that step.
            double overshoot = engine.StepOvershoot(exp.Settings.Dt) * Math.Abs(y[r]) * 1.05;
            double boundary = PopulationBoundary.Evaluate(pop, [x[r]]).Y;
            Assert.InRange(y[r], boundary + BoundaryDecoder - overshoot - 1e-9, boundary + overshoot + 1e-9);
            checkedSamples++;
        }

        Assert.True(checkedSamples > 2500);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void The_latent_is_the_exponential_filter_of_the_recorded_spikes(EngineUnderTest engine)
    {
        // y(t) = y(0)·e^{−t} + Σ_spikes D_j·e^{−(t − t_s)}: the latent carries no information the spikes don't. A
        // noisy E-I network exercises both populations and cross latents.
        var exp = WithNoise(TestData.LoadExample("ei-rank2-quadratic.yaml").Experiment, 0.05, duration: 10);
        var result = engine.Create(0, 0).Run(exp);
        var net = exp.Network;
        for (int k = 0; k < net.Latents.Count; k++)
        {
            var latent = net.Latents[k];
            int source = net.PopulationIndex(latent.Source);
            double[] y = result.Latent(latent.Name);
            double y0 = exp.InitialLatents.TryGetValue(latent.Name, out double v) ? v : 0;
            var spikes = result.Spikes.Where(s => s.Population == source).ToList();
            int next = 0;
            double filtered = y0;
            double tPrev = 0;
            for (int r = 0; r < y.Length; r++)
            {
                double t = result.Times[r];
                filtered *= Math.Exp(-(t - tPrev));
                // The first record is the initial state, before any spike at t = 0 (an exact engine fires a neuron
                // that starts above threshold at t = 0 itself); later records include the spikes at their instant.
                while (r > 0 && next < spikes.Count && spikes[next].Time <= t + 1e-12)
                {
                    filtered += latent.Decoders[spikes[next].Neuron] * Math.Exp(-(t - spikes[next].Time));
                    next++;
                }

                tPrev = t;
                Assert.Equal(filtered, y[r], 1e-9 * (1 + Math.Abs(filtered)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_constant_input_holds_the_readout_at_the_boundary_with_the_rate_the_leak_requires(EngineUnderTest engine)
    {
        // Holding y near the boundary b against its decay ẏ = −y needs |ȳ|/|D| spikes per τ, with ȳ ≈ b + D/2 the
        // middle of the precision band (the sawtooth between b + D and b).
        var pop = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0.5, 0, 1]), 10, -1, 1, [-0.05]).Population;
        var exp = new Experiment(new LowRankNetwork([pop]), [new ConstantSignal(0.3)], new SimulationSettings { ClipAtSpike = false, Dt = 0.001, Duration = 20, Seed = 1 },
            initialLatents: new Dictionary<string, double> { ["y_I"] = -0.59 });
        var result = engine.Create(0, 0).Run(exp);
        double b = PopulationBoundary.Evaluate(pop, [0.3]).Y;
        double expected = Math.Abs(b - 0.025) / 0.05;

        // 2 %: the sawtooth is not exactly linear (exponential decay over a band of width |D| ≪ |b|), plus the
        // discrete count over 20 τ.
        Assert.Equal(expected, result.MeanRatePerTau(0) * pop.Size, expected * 0.02);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void The_rank2_EI_network_tracks_its_boundary_crossing(EngineUnderTest engine)
    {
        var exp = TestData.LoadExample("ei-rank2-quadratic.yaml").Experiment;
        var result = engine.Create(0, 0).Run(exp);
        Assert.Equal(SimulationStatus.Completed, result.Status);
        double[] yE = result.Latent("y_E");
        double[] x = result.Input(0);
        var errors = Enumerable.Range(0, yE.Length).Where(r => result.Times[r] > 5).Select(r => yE[r] - (1.5 - (x[r] * x[r]))).ToArray();

        // The example's comment: within the 1/16 error of five tangent points plus the spike jump D_E = 0.05.
        Assert.True(errors.Max(Math.Abs) < 0.0625 + 0.05 + 0.03, $"max |y_E − (1.5 − x²)| = {errors.Max(Math.Abs):G3}");
        Assert.True(Math.Abs(errors.Average()) < 0.05, $"mean error {errors.Average():G3}");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void An_excitatory_boundary_alone_explodes_and_is_reported(EngineUnderTest engine)
    {
        var exp = TestData.LoadExampleUnclipped("fig3-excitatory-boundary.yaml").Experiment;
        var result = engine.Create(0, 0).Run(exp);
        Assert.Equal(SimulationStatus.Exploded, result.Status);
        Assert.Contains("ran away", result.StatusDetail, StringComparison.Ordinal);
        Assert.True(result.SimulatedDuration < exp.Settings.Duration);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void The_seed_and_trial_fix_the_noise(EngineUnderTest engine)
    {
        var exp = WithNoise(TestData.LoadExampleUnclipped("fig2-inhibitory-boundary.yaml").Experiment, 0.2, duration: 8);
        var a = engine.Create(0, 0).Run(exp);
        var b = engine.Create(0, 0).Run(exp);
        var otherTrial = engine.Create(0, 1).Run(exp);
        var otherSeed = engine.Create(0, 0).Run(exp.WithSettings(exp.Settings with { Seed = exp.Settings.Seed + 1 }));
        Assert.Equal(a.Spikes, b.Spikes);
        Assert.Equal(a.LatentsFlat, b.LatentsFlat);
        Assert.NotEqual(a.Spikes, otherTrial.Spikes);
        Assert.NotEqual(a.Spikes, otherSeed.Spikes);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Results_do_not_depend_on_the_thread_count(EngineUnderTest engine)
    {
        // Large enough for the clock engine's parallel path; short, as only identity matters.
        var pop = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction([0.5, 0, 1]), ClockDrivenEngine.ParallelThreshold + 5, -1, 1, [-0.35], noiseSigma: 0.3).Population;
        var exp = new Experiment(new LowRankNetwork([pop]), [new RampSignal(-1, 1, 0, 0.4)], new SimulationSettings { ClipAtSpike = false, Dt = 0.01, Duration = 0.4, Seed = 5 });
        var one = engine.Create(1, 0).Run(exp);
        var two = engine.Create(2, 0).Run(exp);
        Assert.NotEmpty(one.Spikes);
        Assert.Equal(one.Spikes, two.Spikes);
        Assert.Equal(one.LatentsFlat, two.LatentsFlat);
    }

    private static Experiment WithNoise(Experiment exp, double sigma, double duration)
    {
        var pops = exp.Network.Populations.Select(p => new Population(
            p.Name, p.Kind, Enumerable.Range(0, p.Size).Select(i => Enumerable.Range(0, p.InputDimension).Select(d => p.Feedforward(i, d)).ToArray()).ToArray(),
            p.Thresholds.ToArray(), p.Decoders.ToArray(), p.Encoders.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()), p.SoftRefractory, sigma, p.Synapse, p.RefractoryPeriod)).ToList();
        return new Experiment(new LowRankNetwork(pops, exp.Network.CrossReadouts, exp.Network.Delays), exp.Inputs,
            exp.Settings with { Duration = duration }, exp.Injections, exp.InitialLatents, exp.Name, exp.Description);
    }

    /// <summary>Collects what a run streams.</summary>
    private sealed class CollectingSink : IRecordingSink
    {
        public List<double> Times { get; } = [];

        public List<double> Latents { get; } = [];

        public List<Spike> Spikes { get; } = [];

        public void WriteRecords(ReadOnlySpan<double> times, ReadOnlySpan<double> inputs, ReadOnlySpan<double> latents)
        {
            Times.AddRange(times);
            Latents.AddRange(latents);
        }

        public void WriteSpikes(ReadOnlySpan<Spike> spikes) => Spikes.AddRange(spikes);
    }
}
