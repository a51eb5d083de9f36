using LatentSpikes.Model;
using LatentSpikes.Randomness;

namespace LatentSpikes.Geometry;

/// <summary>The range an experiment's input covers, for choosing where to draw geometry.</summary>
/// <param name="Min">Smallest value of x on the grid.</param>
/// <param name="Max">Largest value of x on the grid.</param>
/// <param name="Initial">x at t = 0.</param>
/// <param name="Final">x at the last step (t = duration).</param>
public sealed record InputRange(double Min, double Max, double Initial, double Final);

/// <summary>
/// The input trajectory x(t) an experiment prescribes, sampled on the engine's grid without simulating the network.
/// Stochastic inputs use the engine's streams (trial 0), so the values equal those of a run with the same seed.
/// </summary>
public static class InputProtocol
{
    /// <summary>At most this many grid points are visited; longer runs are sampled with a stride.</summary>
    public const long MaxSamples = 2_000_000;

    /// <summary>The range of input dimension <paramref name="dimension"/> over [0, duration].</summary>
    public static InputRange Range(Experiment experiment, int dimension)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentOutOfRangeException.ThrowIfNegative(dimension);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(dimension, experiment.Inputs.Count);
        var s = experiment.Settings;
        long steps = s.StepCount;
        var sampler = experiment.Inputs[dimension].Start(s.Dt, CounterRandom.StreamKey(s.Seed, 0, CounterRandom.InputDomain, (ulong)dimension));

        // Samplers only move forward (stochastic ones integrate every skipped step), so a stride is safe; it only
        // risks missing extremes of very short excursions in runs longer than MaxSamples steps.
        long stride = Math.Max(1, (steps + MaxSamples - 1) / MaxSamples);
        double initial = sampler.At(0);
        double min = initial;
        double max = initial;
        double last = initial;
        for (long n = stride; n <= steps; n += stride)
        {
            last = sampler.At(n);
            min = Math.Min(min, last);
            max = Math.Max(max, last);
        }

        if (steps % stride != 0)
        {
            last = sampler.At(steps);
            min = Math.Min(min, last);
            max = Math.Max(max, last);
        }

        return new InputRange(min, max, initial, last);
    }
}
