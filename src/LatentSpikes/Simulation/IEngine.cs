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
}
