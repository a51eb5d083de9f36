using System.Globalization;
using System.Text.Json;
using LatentSpikes.Cli;
using LatentSpikes.Specs;
using LatentSpikes.Srm0;
using static LatentSpikes.Tests.Cli.CliRunner;

namespace LatentSpikes.Tests.Srm0;

/// <summary>
/// Seed-000 layer stacks from a spec: the <c>srm0</c> section reads into the same network the C# API builds, writes
/// back to an equal experiment, and runs through <c>latentspikes validate</c> and <c>simulate</c>; bad input is a
/// one-line error naming the field.
/// </summary>
public sealed class LayerStackSpecTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>A small stack that runs in well under a second: 2 layers of 300 neurons, K = 4, 300 ms.</summary>
    private const string Small = """
        name: small-stack
        srm0:
          neurons: 300
          latents: 4
          layers: 2
          neuron: {rho0: 10, eta0: 3}
          simulation: {warm_up: 50, duration: 300, seed: 7}
          record: {spike_sample: 300}
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-srm0-spec-" + Guid.NewGuid().ToString("N"));

    public LayerStackSpecTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void The_example_reads_into_the_spec_defaults_of_seed_000()
    {
        var e = LayerStackSpec.LoadFile(TestData.Example("srm0-three-layers.yaml")).Experiment;

        // The example writes every default out, so it must equal the C# defaults with N = 2000 and a 20-neuron sample.
        var expected = new LayerStackExperiment
        {
            Name = "srm0-three-layers",
            Description = e.Description,
            Network = new MultilayerParameters { NeuronsPerLayer = 2000 },
            Seed = 1,
            Run = new MultilayerRunOptions { SpikeSample = 20 },
        };
        Assert.Equal(expected, e);
        Assert.True(LayerStackSpec.IsLayerStackFile(TestData.Example("srm0-three-layers.yaml")));
        Assert.False(LayerStackSpec.IsLayerStackFile(TestData.Example("fig2-inhibitory-boundary.yaml")));
    }

    [Fact]
    public void Writing_and_reading_back_gives_an_equal_experiment()
    {
        var e = new LayerStackExperiment
        {
            Name = "round-trip.v2",
            Description = "two \"quoted\" lines\nof text",
            Network = new MultilayerParameters
            {
                NeuronsPerLayer = 1234,
                Latents = 7,
                HiddenLayers = 5,
                Bias = 0.8,
                EncoderScale = 1.3,
                MembraneTauMs = 12.5,
                DecoderGain = 0.0612345678901,
                LatentStd = 0.7,
                Neuron = new Srm0NeuronParameters
                {
                    DtMs = 0.5,
                    Rho0Hz = 12.1,
                    Threshold = 0.1,
                    DeltaU = 1.1,
                    AbsoluteRefractoryMs = 1.5,
                    RelativeRefractoryDepth = 2.25,
                    RelativeRefractoryTauMs = 6.1,
                    AgeMemoryMs = 35,
                    PotentialClip = 15,
                },
            },
            Seed = 18_446_744_073_709_551_615,
            Run = new MultilayerRunOptions { WarmUpMs = 120, DurationMs = 777.5, Trial = 3, Networks = Srm0Networks.Spiking | Srm0Networks.ConventionalRate, Threads = 2, SpikeSample = 11 },
        };

        var back = LayerStackSpec.Parse(LayerStackSpec.Write(e), "round-trip.yaml").Experiment;

        Assert.Equal(e, back);
        Assert.Equal(LayerStackSpec.Write(e), LayerStackSpec.Write(back));
    }

    [Fact]
    public void The_LIF_variant_and_heterogeneous_neurons_write_and_read_back()
    {
        var e = new LayerStackExperiment
        {
            Network = new MultilayerParameters
            {
                NeuronsPerLayer = 300,
                Model = LayerNeuronModel.Lif,
                Lif = new LifEscapeParameters { MembraneTauMs = 7.5, ResetPotential = -0.5 },
                ThresholdSpread = 0.4,
                GainSpread = 0.2,
            },
        };
        string text = LayerStackSpec.Write(e);
        Assert.Contains("model: lif", text, StringComparison.Ordinal);
        Assert.Equal(e, LayerStackSpec.Parse(text, "lif.yaml").Experiment);

        // A homogeneous SRM0 stack writes none of the new keys, so its spec.yaml is unchanged.
        Assert.DoesNotContain("model:", LayerStackSpec.Write(new LayerStackExperiment()), StringComparison.Ordinal);
        Assert.DoesNotContain("threshold_sd", LayerStackSpec.Write(new LayerStackExperiment()), StringComparison.Ordinal);
    }

    [Fact]
    public void Latents_sqrtN_and_network_aliases_are_read()
    {
        var e = LayerStackSpec.Parse("srm0: {neurons: 1000, latents: sqrtN, networks: [snn, GR]}", "s.yaml").Experiment;
        Assert.Equal(32, e.Network.Latents);
        Assert.Equal(Srm0Networks.Spiking | Srm0Networks.GeneralisedRate, e.Run.Networks);
        Assert.Null(e.Network.DecoderGain);
    }

    /// <summary>Bad layer-stack specs: (srm0 section body, texts the one-line error must contain, split by |).</summary>
    public static TheoryData<string, string> BadSpecs => new()
    {
        { "neurons: 100\n  neuron: {rho0: 10, tau_abs: 2}", "srm0.neuron.tau_abs: unknown field|abs_refractory" },
        { "neurons: 100\n  latents: 200", ":4: srm0.latents: must be between 1 and the layer size 100, got 200" },
        { "neurons: 100\n  neuron:\n    rho0: -5", ":5: srm0.neuron.rho0: must be a finite number > 0" },
        { "neurons: 100\n  neuron: {eta0: -1}", "srm0.neuron.eta0: must be a finite number ≥ 0" },
        { "neurons: 100\n  neuron: {abs_refractory: 50}", "srm0.neuron.abs_refractory: (50 ms) must be shorter than the age memory" },
        { "neurons: 100\n  latents: many", "srm0.latents: expected a whole number of latent factors or sqrtN" },
        { "neurons: 0", "srm0.neurons: must be between 1 and 10⁸" },
        { "neurons: 100\nname2: x", "name2: unknown field" },
        { "latents: 4", "srm0: missing required field 'neurons'" },
        { "neurons: 100\n  networks: [spiking, rate]", "srm0.networks[1]: unknown network 'rate'" },
        { "neurons: 100\n  networks: [gr, generalised]", "srm0.networks[1]: network 'generalised' is listed twice" },
        { "neurons: 100\n  simulation: {duration: 0}", "srm0.simulation.duration: must be a finite number > 0 ms" },
        { "neurons: 100\n  simulation: {dt: 30}", "srm0.neuron.age_memory: must span 2 to 10⁶ time steps, got 40 ms at dt = 30 ms" },
        { "neurons: 100\n  record: {spike_sample: 101}", "srm0.record.spike_sample: (101) must not exceed the 100 neurons" },
        { "neurons: 100\n  input: {latent_std: -1}", "srm0.input.latent_std: must be a finite number ≥ 0" },
        { "neurons: 100\n  populations: []", "srm0.populations: unknown field" },
        { "neurons: 100\n  neuron: {model: izhikevich}", "srm0.neuron.model: expected srm0 or lif; got 'izhikevich'" },
        { "neurons: 100\n  neuron: {model: lif, tau_v: 0}", "srm0.neuron.tau_v: must be a finite number > 0 ms" },
        { "neurons: 100\n  neuron: {threshold_sd: -0.1}", "srm0.neuron.threshold_sd: must be between 0 and 10" },
        { "neurons: 100\n  neuron: {gain_sd: 3}", "srm0.neuron.gain_sd: must be between 0 and 2" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void A_bad_layer_stack_is_one_line_naming_the_field_and_nothing_is_written(string body, string expected)
    {
        string spec = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(spec, "name: bad\nsrm0:\n  " + body + "\n");
        string outDir = Path.Combine(_dir, "out");

        foreach (var r in new[] { Run("validate", spec), Run("simulate", spec, "--out", outDir) })
        {
            Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
            string line = Assert.Single(r.Err.Trim().Split('\n'));
            Assert.StartsWith($"error: {spec}:", line, StringComparison.Ordinal);
            foreach (string part in expected.Split('|'))
            {
                Assert.Contains(part, line, StringComparison.Ordinal);
            }
        }

        Assert.False(Directory.Exists(outDir), "nothing is written for a bad spec");
    }

    [Theory]
    [InlineData("--engine", "event", "--engine")]
    [InlineData("--trials", "2", "--trials")]
    [InlineData("--dt", "0", "--dt")]
    [InlineData("--duration", "-1", "--duration")]
    public void Options_that_do_not_fit_a_layer_stack_are_one_line_errors(string option, string value, string named)
    {
        string spec = Path.Combine(_dir, "small.yaml");
        File.WriteAllText(spec, Small);
        string outDir = Path.Combine(_dir, "out");
        var r = Run("simulate", spec, "--out", outDir, option, value);
        Assert.Equal(LatentSpikesApp.ExitSpecError, r.Code);
        Assert.Contains(named, Assert.Single(r.Err.Trim().Split('\n')), StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void A_low_rank_LIF_command_names_the_layer_stack_instead_of_listing_missing_fields()
    {
        var e = Assert.Throws<SpecException>(() => SpecReader.Parse(Small, "small.yaml"));
        Assert.Equal("srm0", e.Field);
        Assert.Equal(2, e.Line);
        Assert.Contains("SRM0 layer-stack spec", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_prints_a_one_line_summary()
    {
        var r = Run("validate", TestData.Example("srm0-three-layers.yaml"));
        Assert.Equal(0, r.Code);
        Assert.Contains("ok — 'srm0-three-layers': SRM0 layer stack, 3 hidden layer(s) of N = 2000, K = 10", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_names_the_LIF_model_and_the_spreads()
    {
        string spec = Path.Combine(_dir, "lif.yaml");
        Directory.CreateDirectory(_dir);
        File.WriteAllText(spec, "name: lif\nsrm0:\n  neurons: 50\n  neuron: {model: lif, tau_v: 8, threshold_sd: 0.4}\n");
        var r = Run("validate", spec);
        Assert.Equal(0, r.Code);
        Assert.Contains("'lif': LIF (τ_v = 8 ms, V_r = 0) layer stack, heterogeneous (σ_ϑ = 0.4, σ_γ = 0), 3 hidden layer(s)", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_writes_the_run_directory_and_its_numbers_are_those_of_the_CSharp_run()
    {
        string spec = Path.Combine(_dir, "small.yaml");
        File.WriteAllText(spec, Small);
        string outDir = Path.Combine(_dir, "run");

        var r = Run("simulate", spec, "--out", outDir, "--seed", "9");

        Assert.Equal(0, r.Code);
        Assert.Equal(
            new[] { "outputs.csv", "outputs.png", "spec.yaml", "spikes.csv", "summary.json" },
            Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(outDir, "outputs.png"))[..PngSignature.Length]);

        // The same experiment from C#, with the command-line seed: every number in the files must be this run's.
        var e = LayerStackSpec.Parse(Small, "small.yaml").Experiment with { Seed = 9 };
        var run = e.Simulate();
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var mad = summary.RootElement.GetProperty("mad");
        Assert.Equal(run.MeanAbsoluteDifference(Srm0Networks.Spiking, Srm0Networks.GeneralisedRate), mad.GetProperty("snn_gr").GetDouble());
        Assert.Equal(run.MeanAbsoluteDifference(Srm0Networks.Spiking, Srm0Networks.ConventionalRate), mad.GetProperty("snn_cr").GetDouble());
        Assert.Equal(run.MeanAbsoluteDifference(Srm0Networks.GeneralisedRate, Srm0Networks.ConventionalRate), mad.GetProperty("gr_cr").GetDouble());
        Assert.Equal(9UL, summary.RootElement.GetProperty("seed").GetUInt64());
        Assert.Contains(mad.GetProperty("snn_gr").GetDouble().ToString("G4", CultureInfo.InvariantCulture), r.Out, StringComparison.Ordinal);

        string[] outputs = File.ReadAllLines(Path.Combine(outDir, "outputs.csv"));
        Assert.Equal(1 + 300, outputs.Length);
        string[] header = outputs[0].Split(',');
        Assert.Equal(1 + (3 * 4), header.Length);
        Assert.Equal(["t_ms", "snn_y1"], header[..2]);
        string[] last = outputs[^1].Split(',');
        Assert.Equal(299.0, double.Parse(last[0], CultureInfo.InvariantCulture));
        int gr3 = Array.IndexOf(header, "gr_y3");
        Assert.Equal(run.Outputs(Srm0Networks.GeneralisedRate)[2][299], double.Parse(last[gr3], CultureInfo.InvariantCulture));

        // The sample is the whole layer here, so the sampled spikes must add up to the measured layer rates exactly.
        string[] spikes = File.ReadAllLines(Path.Combine(outDir, "spikes.csv"));
        Assert.Equal("t_ms,layer,neuron", spikes[0]);
        var rows = spikes[1..].Select(l => l.Split(',')).Select(c => (Layer: int.Parse(c[1], CultureInfo.InvariantCulture), Neuron: int.Parse(c[2], CultureInfo.InvariantCulture))).ToArray();
        var rates = run.LayerRatesHz(Srm0Networks.Spiking);
        for (int l = 0; l < 2; l++)
        {
            int count = rows.Count(x => x.Layer == l + 1);
            Assert.Equal(rates[l], count / (300 * 0.3), 9);
        }

        Assert.All(rows, x => Assert.InRange(x.Neuron, 0, 299));

        // spec.yaml is the experiment as run (with the command-line seed) and reads back to it.
        Assert.Equal(e, LayerStackSpec.LoadFile(Path.Combine(outDir, "spec.yaml")).Experiment);
    }

    [Fact]
    public void The_spike_sample_is_exactly_the_first_neurons_of_each_layer_whatever_its_size()
    {
        // A sample is a prefix: a larger sample keeps every spike of a smaller one, and nothing else about the run changes.
        var e = LayerStackSpec.Parse(Small, "small.yaml").Experiment;
        var few = (e with { Run = e.Run with { SpikeSample = 5 } }).Simulate();
        var all = e.Simulate();
        Assert.Equal(all.SampledSpikes.Where(s => s.Neuron < 5), few.SampledSpikes);
        Assert.Equal(all.Outputs(Srm0Networks.Spiking), few.Outputs(Srm0Networks.Spiking));
        Assert.NotEmpty(few.SampledSpikes);
        Assert.Empty((e with { Run = e.Run with { Networks = Srm0Networks.GeneralisedRate } }).Simulate().SampledSpikes);
    }
}
