using LatentSpikes.Model;

namespace LatentSpikes.Simulation;

/// <summary>
/// An experiment's current injections as the engines apply them, written once for the clock, event and rate runs:
/// window j adds its amplitude to every neuron of its population for t in [start, stop); levels sum in the order the
/// spec lists the windows (so every engine gets bit-identical levels).
/// </summary>
internal sealed class InjectionSchedule
{
    private readonly (int Population, double Amplitude, double Start, double Stop)[] _windows;

    /// <summary>Resolves the windows' populations.</summary>
    public InjectionSchedule(Experiment experiment) =>
        _windows = experiment.Injections.Select(j => (experiment.Network.PopulationIndex(j.Population), j.Amplitude, j.Start, j.Stop)).ToArray();

    /// <summary>Sets <paramref name="levels"/>[p] to the summed amplitude of population p's windows that contain <paramref name="t"/>.</summary>
    public void LevelsAt(double t, Span<double> levels)
    {
        levels.Clear();
        for (int j = 0; j < _windows.Length; j++)
        {
            var (pop, amplitude, start, stop) = _windows[j];
            if (t >= start && t < stop)
            {
                levels[pop] += amplitude;
            }
        }
    }

    /// <summary>The first window start or stop after <paramref name="t"/>, or +∞ (the event engine's breakpoints).</summary>
    public double NextEdgeAfter(double t)
    {
        double next = double.PositiveInfinity;
        foreach (var (_, _, start, stop) in _windows)
        {
            if (start > t)
            {
                next = Math.Min(next, start);
            }

            if (stop > t)
            {
                next = Math.Min(next, stop);
            }
        }

        return next;
    }
}
