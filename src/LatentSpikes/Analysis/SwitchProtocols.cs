using LatentSpikes.Construction;
using LatentSpikes.Inputs;
using LatentSpikes.Simulation;

namespace LatentSpikes.Analysis;

/// <summary>The hysteresis loop a ramp traces: the inputs where y_E crossed the barrier, and the run.</summary>
/// <param name="Up">Input at which y_E first rose above the barrier on the upward leg.</param>
/// <param name="Down">Input at which y_E first fell below it on the downward leg.</param>
/// <param name="Run">The spiking run (x ramps from the low end to the high end and back).</param>
/// <param name="UpwardEnd">Time at which the upward leg ends.</param>
public sealed record HysteresisLoop(double Up, double Down, SimulationResult Run, double UpwardEnd);

/// <summary>
/// The measurements of a bistable switch (issue 16): the hysteresis of a slow ramp and the noise-driven escape from
/// the low state. The state is read as "high" while y_E is above the unstable crossing (the barrier) of the design.
/// </summary>
public static class SwitchProtocols
{
    /// <summary>
    /// Ramps x from 1.8·x_down up to 1.8·x_up and back, each leg over <paramref name="sweep"/> τ after 10 τ at the low
    /// end, and reports where y_E crossed the barrier on each leg.
    /// </summary>
    /// <exception cref="InvalidOperationException">When the switch did not flip on a leg (the loop is not closed).</exception>
    public static HysteresisLoop Hysteresis(BistableSwitchNetwork network, double sweep, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(sweep, 0);
        const double hold = 10;
        double lo = 1.8 * network.SwitchDown;
        double hi = 1.8 * network.SwitchUp;
        var input = new PiecewiseLinearSignal([0, hold, hold + sweep, hold + (2 * sweep)], [lo, lo, hi, lo]);
        var run = new ClockDrivenEngine().Run(network.Experiment(input, duration: hold + (2 * sweep), seed: seed));
        var yE = run.Latent("y_E");
        var x = run.Input(0);
        double barrier = network.Design.Unstable;
        int first = Enumerable.Range(0, run.Times.Count).FirstOrDefault(r => run.Times[r] > hold && yE[r] > barrier, -1);
        int second = first < 0 ? -1 : Enumerable.Range(first, run.Times.Count - first).FirstOrDefault(r => run.Times[r] > hold + sweep && yE[r] < barrier, -1);
        if (second < 0)
        {
            throw new InvalidOperationException($"the switch did not flip {(first < 0 ? "up" : "down")} over x in [{lo:G3}, {hi:G3}]");
        }

        return new HysteresisLoop(x[first], x[second], run, hold + sweep);
    }

    /// <summary>
    /// Holds x at <paramref name="x"/> from the low state for <paramref name="horizon"/> τ in each of
    /// <paramref name="trials"/> noisy trials, and returns per trial the first time y_E crossed the barrier, or the
    /// horizon if it never did (a censored escape time). The mean of the uncensored times estimates the inverse
    /// switching rate.
    /// </summary>
    public static double[] EscapeTimes(BistableSwitchNetwork network, double x, double horizon, int trials, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        var batch = new BatchedEngine(threads).Run(network.Experiment(new ConstantSignal(x), duration: horizon), trials);
        double barrier = network.Design.Unstable;
        return batch.Trials.Select(run =>
        {
            var yE = run.Latent("y_E");
            int r = Enumerable.Range(0, run.Times.Count).FirstOrDefault(i => yE[i] > barrier, -1);
            return r < 0 ? horizon : run.Times[r];
        }).ToArray();
    }

    /// <summary>
    /// The switching rate (per τ) from censored escape times: escapes observed divided by the total time spent in the
    /// low state (the maximum-likelihood rate of an exponential escape process under censoring).
    /// </summary>
    public static double EscapeRate(IReadOnlyList<double> escapeTimes, double horizon)
    {
        ArgumentNullException.ThrowIfNull(escapeTimes);
        int escapes = escapeTimes.Count(t => t < horizon);
        double exposure = escapeTimes.Sum();
        return exposure > 0 ? escapes / exposure : double.NaN;
    }
}
