namespace LatentSpikes.Tests;

/// <summary>
/// Test classes that must not share the process with parallel tests: allocation measurements
/// (<see cref="GC.GetTotalAllocatedBytes(bool)"/> counts every thread) and the figure runs, whose SkiaSharp SVG
/// rendering must not meet a garbage collection driven by other threads (see <c>PlotOutput</c>).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAlone
{
    /// <summary>The collection name.</summary>
    public const string Name = "Run alone";
}
