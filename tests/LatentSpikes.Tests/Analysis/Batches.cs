using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Analysis;

/// <summary>Trials for the analysis tests: trial r of a batch is the clock engine's run with trial index r.</summary>
internal static class Batches
{
    public static SimulationResult[] Batch(Experiment experiment, int trials) => [.. new BatchedEngine().Run(experiment, trials).Trials];
}
