using LatentSpikes.Model;

namespace LatentSpikes.Simulation;

/// <summary>The trials of one batch, in trial order, with pooled statistics.</summary>
public sealed class BatchResult
{
    internal BatchResult(Experiment experiment, ulong firstTrial, SimulationResult[] trials)
    {
        Experiment = experiment;
        FirstTrial = firstTrial;
        Trials = trials;
    }

    /// <summary>The simulated experiment.</summary>
    public Experiment Experiment { get; }

    /// <summary>Trial index of <c>Trials[0]</c>; trial r of the batch has index FirstTrial + r.</summary>
    public ulong FirstTrial { get; }

    /// <summary>One result per trial.</summary>
    public IReadOnlyList<SimulationResult> Trials { get; }

    /// <summary>Number of trials that ran away (status <see cref="SimulationStatus.Exploded"/>).</summary>
    public int ExplodedCount => Trials.Count(t => t.Status == SimulationStatus.Exploded);

    /// <summary>
    /// The latent averaged over trials on the common recording grid. Trials that exploded end early; the average at
    /// each time uses the trials still running then.
    /// </summary>
    public double[] MeanLatent(string name)
    {
        int length = Trials.Max(t => t.Times.Count);
        var sum = new double[length];
        var count = new int[length];
        foreach (var t in Trials)
        {
            double[] y = t.Latent(name);
            for (int i = 0; i < y.Length; i++)
            {
                sum[i] += y[i];
                count[i]++;
            }
        }

        for (int i = 0; i < length; i++)
        {
            sum[i] /= count[i];
        }

        return sum;
    }

    /// <summary>Recording times of the longest trial (τ).</summary>
    public IReadOnlyList<double> Times => Trials.MaxBy(t => t.Times.Count)!.Times;

    /// <summary>Spike count of every neuron of a population in every trial: [trial][neuron].</summary>
    public int[][] SpikeCounts(int population) => Trials.Select(t => (int[])t.SpikeCounts[population].Clone()).ToArray();
}

/// <summary>
/// Runs many independent noisy trials of one experiment at once, spread over cores. Trial r uses the random streams
/// keyed by (seed, trial r, neuron, step), so trial r of a batch is bit-identical to a single
/// <see cref="ClockDrivenEngine"/> run with <c>trial: r</c>, and the batch does not depend on the thread count or on
/// how the trials are split (each trial is a pure function of its index). Trials are the unit of parallelism: for
/// the small networks trial batches are made of (Fig. S2: 500 trials of N = 20), a trial per core beats splitting
/// one step over cores, whose synchronisation costs more than the step itself.
/// </summary>
public sealed class BatchedEngine
{
    /// <summary>Creates the engine.</summary>
    /// <param name="threads">Worker threads; 0 uses every core. Results do not depend on it.</param>
    public BatchedEngine(int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
    }

    /// <summary>Worker threads.</summary>
    public int Threads { get; }

    /// <summary>Short engine name.</summary>
    public const string Name = "batched";

    /// <summary>Simulates trials <paramref name="firstTrial"/> … <paramref name="firstTrial"/> + <paramref name="trials"/> − 1.</summary>
    /// <param name="experiment">What to simulate.</param>
    /// <param name="trials">Number of trials (≥ 1).</param>
    /// <param name="firstTrial">Index of the first trial, so a large batch can be split into shards with the same results.</param>
    /// <param name="progress">Receives the fraction of finished trials.</param>
    /// <param name="cancellationToken">Stops the batch between steps.</param>
    public BatchResult Run(Experiment experiment, int trials, ulong firstTrial = 0, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        if (trials < 1)
        {
            throw new ModelValidationException("trials", $"must be ≥ 1 (got {trials})");
        }

        if (firstTrial > ulong.MaxValue - (ulong)trials)
        {
            throw new ModelValidationException("trials", $"trial indices {firstTrial} + {trials} overflow");
        }

        var results = new SimulationResult[trials];
        int done = 0;

        // Large networks already parallelise each step; give each trial those threads and run trials one by one.
        int perTrial = experiment.Network.NeuronCount >= ClockDrivenEngine.ParallelThreshold ? Threads : 1;
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = perTrial > 1 ? 1 : Threads,
            CancellationToken = cancellationToken,
        };
        Parallel.For(0, trials, options, r =>
        {
            results[r] = new ClockDrivenEngine(perTrial, firstTrial + (ulong)r).Run(experiment, null, cancellationToken);
            int finished = Interlocked.Increment(ref done);
            progress?.Report((double)finished / trials);
        });
        return new BatchResult(experiment, firstTrial, results);
    }
}
