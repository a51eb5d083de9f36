using LatentSpikes.Model;
using LatentSpikes.Rate;
using LatentSpikes.Simulation;

namespace LatentSpikes.Engines;

/// <summary>What an engine can do, so callers choose by capability instead of by name.</summary>
[Flags]
public enum EngineCapabilities
{
    /// <summary>Nothing beyond <see cref="IEngine.Run(Experiment, IProgress{double}?, CancellationToken)"/>.</summary>
    None = 0,

    /// <summary>Emits spikes (the rate twin does not: it records per-neuron rates instead).</summary>
    Spikes = 1,

    /// <summary>Streams records and spikes to an <see cref="IRecordingSink"/> while it runs (bounded memory).</summary>
    Streaming = 2,

    /// <summary>Spike times are exact, off the dt grid (records still lie on it).</summary>
    ExactSpikeTimes = 4,

    /// <summary>Records per-neuron rates (<see cref="SimulationResult.RatesFlat"/>).</summary>
    Rates = 8,

    /// <summary>The trial index keys its noise: different trials of one seed differ.</summary>
    Trials = 16,
}

/// <summary>One engine of the catalog: its name, what it supports and how to make it.</summary>
/// <param name="Name">The name used by <c>--engine</c> and by sweep files.</param>
/// <param name="Summary">One line for help texts.</param>
/// <param name="Capabilities">What the engine can do.</param>
/// <param name="Factory">Makes the engine for (threads, trial); threads 0 uses every core.</param>
/// <param name="Check">Null when the engine can run the experiment, else the one-line reason it cannot.</param>
public sealed record EngineEntry(
    string Name,
    string Summary,
    EngineCapabilities Capabilities,
    Func<int, ulong, IEngine> Factory,
    Func<Experiment, string?> Check)
{
    /// <summary>Whether the engine has every capability in <paramref name="capabilities"/>.</summary>
    public bool Has(EngineCapabilities capabilities) => (Capabilities & capabilities) == capabilities;

    /// <summary>Makes the engine for one trial.</summary>
    /// <param name="threads">Worker threads inside one run (0: every core); results do not depend on it.</param>
    /// <param name="trial">Trial index keying the random streams.</param>
    public IEngine Create(int threads = 0, ulong trial = 0) => Factory(threads, trial);

    /// <summary>
    /// Runs trials 0..<paramref name="trials"/>−1 of <paramref name="experiment"/>. The clock engine goes through
    /// <see cref="BatchedEngine"/> (which splits cores between trials and steps); other engines run one trial per
    /// worker. Results do not depend on <paramref name="threads"/>.
    /// </summary>
    /// <param name="experiment">What to simulate.</param>
    /// <param name="trials">How many trials (≥ 1).</param>
    /// <param name="threads">Worker threads (0: every core; 1: one trial after another).</param>
    /// <param name="cancellationToken">Stops the runs between steps.</param>
    public IReadOnlyList<SimulationResult> RunTrials(Experiment experiment, int trials, int threads = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        if (Name == EngineCatalog.Clock)
        {
            return new BatchedEngine(threads).Run(experiment, trials, cancellationToken: cancellationToken).Trials;
        }

        var runs = new SimulationResult[trials];
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = threads == 0 ? Environment.ProcessorCount : threads,
            CancellationToken = cancellationToken,
        };
        Parallel.For(0, trials, options, r => runs[r] = Create(1, (ulong)r).Run(experiment, null, cancellationToken));
        return runs;
    }
}

/// <summary>
/// Every simulation engine of the toolkit, keyed by name: the one place the CLI, sweeps and analyses find engines
/// (a new engine is one class implementing <see cref="IEngine"/> plus one line in <see cref="All"/>; docs/architecture.md).
/// </summary>
public static class EngineCatalog
{
    /// <summary>Name of the fixed-step engine with the paper's rules (the default).</summary>
    public const string Clock = "clock";

    /// <summary>Name of the exact event-driven engine.</summary>
    public const string Event = "event";

    /// <summary>Name of the rate twin (§4).</summary>
    public const string Rate = "rate";

    /// <summary>The engines, the default first.</summary>
    public static IReadOnlyList<EngineEntry> All { get; } =
    [
        new(Clock, "the paper's fixed-step rules, the default", EngineCapabilities.Spikes | EngineCapabilities.Streaming | EngineCapabilities.Trials,
            (threads, trial) => new ClockDrivenEngine(threads, trial), _ => null),
        new(Event, "exact spike times", EngineCapabilities.Spikes | EngineCapabilities.Streaming | EngineCapabilities.ExactSpikeTimes | EngineCapabilities.Trials,
            (_, trial) => new EventDrivenEngine(trial), exp => EventDrivenEngine.Supports(exp, out string reason) ? null : reason),
        new(Rate, "the rate twin of §4, writes rates.csv", EngineCapabilities.Rates,
            (_, _) => new RateEngine(), _ => null),
    ];

    /// <summary>The engines' names, the default first.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(e => e.Name).ToArray();

    /// <summary>The names as a help text lists them: "clock, event, rate".</summary>
    public static string NameList => string.Join(", ", Names);

    /// <summary>The engine called <paramref name="name"/>, or false.</summary>
    public static bool TryGet(string? name, out EngineEntry entry)
    {
        entry = All.FirstOrDefault(e => e.Name == name)!;
        return entry is not null;
    }

    /// <summary>The engine called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No engine has that name.</exception>
    public static EngineEntry Get(string name) =>
        TryGet(name, out var entry) ? entry : throw new ArgumentException($"unknown engine '{name}' (known: {NameList})", nameof(name));
}
