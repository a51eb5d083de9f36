using LatentSpikes.Model;

namespace LatentSpikes.Simulation;

/// <summary>A simulation engine: turns an <see cref="Experiment"/> into a <see cref="SimulationResult"/>.</summary>
public interface IEngine
{
    /// <summary>Short engine name (as used by <c>--engine</c>).</summary>
    string Name { get; }

    /// <summary>Simulates one trial of the experiment.</summary>
    /// <param name="experiment">What to simulate.</param>
    /// <param name="progress">Receives the completed fraction in [0, 1] now and then.</param>
    /// <param name="cancellationToken">Stops the run between steps.</param>
    SimulationResult Run(Experiment experiment, IProgress<double>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Simulates one trial and sends every record and spike to <paramref name="sink"/> in order. An engine that can
    /// stream (bounded memory, <see cref="ClockDrivenEngine"/>) overrides this and returns a result with
    /// <see cref="SimulationResult.Streamed"/> set; by default the run is held in memory and replayed into the sink
    /// in the chunks a streaming run would use, so callers never need to know which kind they hold.
    /// </summary>
    /// <param name="experiment">What to simulate.</param>
    /// <param name="sink">Receives the recordings.</param>
    /// <param name="progress">Receives the completed fraction in [0, 1] now and then.</param>
    /// <param name="cancellationToken">Stops the run between steps.</param>
    SimulationResult Run(Experiment experiment, IRecordingSink sink, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var result = Run(experiment, progress, cancellationToken);
        RecordingReplay.Replay(result, sink);
        return result;
    }
}
