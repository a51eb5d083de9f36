using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Analysis;

/// <summary>
/// Runs repeated trials of one experiment with the clock-driven engine: trial r uses trial index r, so its noise is
/// independent of every other trial's and identical to trial r of any other batch with the same seed. Trials run in
/// parallel, one engine thread each; the results do not depend on the thread count.
/// </summary>
public static class TrialRunner
{
    /// <summary>
    /// Runs trials <paramref name="firstTrial"/> … <paramref name="firstTrial"/> + <paramref name="count"/> − 1 and
    /// reduces each result as soon as it is done (so only the reductions are kept), returned in trial order.
    /// </summary>
    /// <param name="experiment">The experiment.</param>
    /// <param name="count">Number of trials.</param>
    /// <param name="reduce">Turns one trial's result into what is kept; called concurrently.</param>
    /// <param name="threads">Trials run at once; 0 uses every core.</param>
    /// <param name="firstTrial">Trial index of the first trial.</param>
    /// <param name="cancellationToken">Stops the batch.</param>
    public static T[] Run<T>(Experiment experiment, int count, Func<SimulationResult, T> reduce, int threads = 0, ulong firstTrial = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(reduce);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        var results = new T[count];
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = threads == 0 ? Environment.ProcessorCount : threads,
            CancellationToken = cancellationToken,
        };
        try
        {
            Parallel.For(0, count, options, r =>
            {
                var engine = new ClockDrivenEngine(threads: 1, trial: firstTrial + (ulong)r);
                results[r] = reduce(engine.Run(experiment, cancellationToken: cancellationToken));
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Callers see the exception a trial threw (e.g. a runaway report), as from a sequential loop.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }

        return results;
    }

    /// <summary>Runs <paramref name="count"/> trials and keeps every result.</summary>
    public static SimulationResult[] Run(Experiment experiment, int count, int threads = 0) =>
        Run(experiment, count, r => r, threads);
}
