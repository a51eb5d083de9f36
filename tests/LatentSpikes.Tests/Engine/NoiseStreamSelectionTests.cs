using LatentSpikes.Cli;
using LatentSpikes.Randomness;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;

namespace LatentSpikes.Tests.Engine;

/// <summary>Issue 19: the noise stream is chosen by spec or flag, recorded in spec.yaml, and decides the realisation.</summary>
public sealed class NoiseStreamSelectionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"ls-stream-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }

    [Fact]
    public void The_spec_field_selects_the_stream_round_trips_and_rejects_unknown_names()
    {
        string text = File.ReadAllText(TestData.Example("fig10-slow-synapses.yaml"));
        var fast = SpecReader.Parse(text, "fast.yaml").Experiment;
        Assert.Equal(NoiseStreamKind.Fast, fast.Settings.NoiseStream);
        var legacy = fast.WithSettings(fast.Settings with { NoiseStream = NoiseStreamKind.Legacy });
        string written = SpecWriter.Write(legacy);
        Assert.Contains("noise_stream: legacy", written, StringComparison.Ordinal);
        Assert.Equal(NoiseStreamKind.Legacy, SpecReader.Parse(written, "legacy.yaml").Experiment.Settings.NoiseStream);
        Assert.DoesNotContain("noise_stream", SpecWriter.Write(fast), StringComparison.Ordinal);

        var e = Assert.Throws<SpecException>(() => SpecReader.Parse(written.Replace("noise_stream: legacy", "noise_stream: zig", StringComparison.Ordinal), "bad.yaml"));
        Assert.Contains("expected fast or legacy", e.Message, StringComparison.Ordinal);

        // Same seed, different deviates: a noisy run's spikes differ between the streams, and each is reproducible.
        var engine = new ClockDrivenEngine(1);
        Assert.NotEqual(engine.Run(fast).Spikes, engine.Run(legacy).Spikes);
        Assert.Equal(engine.Run(legacy).Spikes, engine.Run(legacy).Spikes);
    }

    [Fact]
    public void The_rng_stream_flag_gives_the_legacy_run_of_the_spec_field_byte_for_byte()
    {
        string spec = TestData.Example("fig10-slow-synapses.yaml");
        string viaFlag = Path.Combine(_dir, "flag"), viaSpec = Path.Combine(_dir, "spec");
        Assert.Equal(0, LatentSpikesApp.Run(["simulate", spec, "--rng-stream", "legacy", "--duration", "5", "--out", viaFlag, "--no-plot"], new StringWriter(), new StringWriter()));
        string legacySpec = Path.Combine(_dir, "legacy.yaml");
        File.WriteAllText(legacySpec, File.ReadAllText(Path.Combine(viaFlag, "spec.yaml")));
        Assert.Contains("noise_stream: legacy", File.ReadAllText(legacySpec), StringComparison.Ordinal);
        Assert.Equal(0, LatentSpikesApp.Run(["simulate", legacySpec, "--out", viaSpec, "--no-plot"], new StringWriter(), new StringWriter()));
        Assert.Equal(File.ReadAllText(Path.Combine(viaFlag, "spikes.csv")), File.ReadAllText(Path.Combine(viaSpec, "spikes.csv")));

        var stderr = new StringWriter();
        Assert.Equal(LatentSpikesApp.ExitSpecError, LatentSpikesApp.Run(["simulate", spec, "--rng-stream", "zig", "--out", Path.Combine(_dir, "bad")], new StringWriter(), stderr));
        Assert.Contains("unknown stream 'zig' (known: fast, legacy)", stderr.ToString(), StringComparison.Ordinal);
    }
}
