using LatentSpikes.Specs;

namespace LatentSpikes.Tests;

/// <summary>Paths of files the test project copies next to its binaries.</summary>
internal static class TestData
{
    public static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "examples", name);

    public static LoadedSpec LoadExample(string name) => SpecReader.LoadFile(Example(name));

    /// <summary>
    /// An example's experiment with <c>clip_at_spike: false</c>: the idealised model whose voltages are exactly
    /// V = F·x + E·y + b (up to Euler error), which the tests of the boundary geometry and of the event-driven
    /// engine's exactness check. Rank-1 examples clip by default (the authors' rule, docs/spec.md).
    /// </summary>
    public static LoadedSpec LoadExampleUnclipped(string name)
    {
        var spec = LoadExample(name);
        return spec with { Experiment = Unclipped(spec.Experiment) };
    }

    /// <summary>The experiment with clipping at spikes switched off.</summary>
    public static Model.Experiment Unclipped(Model.Experiment experiment) =>
        experiment.WithSettings(experiment.Settings with { ClipAtSpike = false });
}
