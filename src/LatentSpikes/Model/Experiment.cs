using LatentSpikes.Inputs;
using LatentSpikes.Randomness;

namespace LatentSpikes.Model;

/// <summary>External current injected into every neuron of one population over [Start, Stop) (stimulation protocols, Fig. 8b-c).</summary>
/// <param name="Population">Target population name.</param>
/// <param name="Amplitude">Current in voltage units per τ (positive depolarises).</param>
/// <param name="Start">Window start (τ).</param>
/// <param name="Stop">Window end (τ).</param>
public sealed record CurrentInjection(string Population, double Amplitude, double Start, double Stop);

/// <summary>How the engines set the voltages at t = 0.</summary>
public enum VoltageStart
{
    /// <summary>V = F·x(0) + E·y(0) + b: the state fixed by the input and the initial latents (eq. 2.10).</summary>
    Integrated,

    /// <summary>V = 0 for every neuron (the authors' default when no V0, y0 or r0 is given).</summary>
    Zero,
}

/// <summary>How to simulate: time step, duration, seed and the engine's guard rails. Times are in units of τ.</summary>
public sealed record SimulationSettings
{
    /// <summary>Time step (τ). The paper uses 0.01 τ (0.1 ms at τ = 10 ms).</summary>
    public double Dt { get; init; } = 0.01;

    /// <summary>Simulated duration (τ).</summary>
    public double Duration { get; init; } = 1.0;

    /// <summary>Seed of every random stream (membrane noise, stochastic inputs).</summary>
    public ulong Seed { get; init; }

    /// <summary>Membrane time constant in ms, used only to report times in ms and rates in Hz.</summary>
    public double TauMs { get; init; } = 10.0;

    /// <summary>
    /// Clip the voltage of a neuron that spikes to the threshold before its reset. Null (the default, "auto")
    /// follows the authors' code per network type: their rank-1 step loop (<c>run_spiking_net</c>, one population
    /// with delta synapses, one spike per step) clips; their E-I, exponential- and square-synapse loops do not.
    /// See <see cref="Experiment.ClipsAtSpike"/> for the rule applied. Unclipped, V = F·x + E·y + b stays exact up
    /// to the Euler error.
    /// </summary>
    public bool? ClipAtSpike { get; init; }

    /// <summary>
    /// How the voltages start: from the integrated form V = F·x(0) + E·y(0) + b (the default), or at V = 0 for every
    /// neuron, as the authors' step loops do when given no initial state (their Fig. S2 counts spikes from there).
    /// </summary>
    public VoltageStart VoltageStart { get; init; }

    /// <summary>
    /// Which normal deviates the membrane noise draws: <see cref="NoiseStreamKind.Fast"/> (the default) or
    /// <see cref="NoiseStreamKind.Legacy"/>, the stream of versions before issue 19, for byte-identical reruns.
    /// </summary>
    public NoiseStreamKind NoiseStream { get; init; }

    /// <summary>Record latents and inputs every this many steps.</summary>
    public int RecordEvery { get; init; } = 1;

    /// <summary>
    /// A run is stopped as exploded when non-inhibitory neurons spike in every step, with no inhibitory spike in
    /// between, for this long (τ): runaway excitation at the one-spike-per-step ceiling. 0 disables the check.
    /// </summary>
    public double RunawayWindow { get; init; } = 1.0;

    /// <summary>A run is stopped as exploded when a latent's magnitude exceeds this.</summary>
    public double LatentLimit { get; init; } = 1e6;

    /// <summary>Number of grid steps.</summary>
    public long StepCount => (long)Math.Round(Duration / Dt);
}

/// <summary>
/// A complete, declarative description of one simulation: the network, its M-dimensional input, stimulation,
/// initial latents and settings. This is what a spec file describes and what every engine consumes.
/// </summary>
public sealed class Experiment
{
    /// <summary>Creates and validates an experiment.</summary>
    public Experiment(
        LowRankNetwork network,
        IReadOnlyList<InputSignal> inputs,
        SimulationSettings settings,
        IReadOnlyList<CurrentInjection>? injections = null,
        IReadOnlyDictionary<string, double>? initialLatents = null,
        string name = "experiment",
        string description = "")
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(settings);
        Network = network;
        Inputs = inputs.ToArray();
        Settings = settings;
        Injections = (injections ?? []).ToArray();
        InitialLatents = new Dictionary<string, double>(initialLatents ?? new Dictionary<string, double>(), StringComparer.Ordinal);
        Name = name;
        Description = description;
        Validate();
        ClipsAtSpike = Settings.ClipAtSpike ?? AuthorsClipRule(Network);
    }

    /// <summary>Experiment name (used in outputs).</summary>
    public string Name { get; }

    /// <summary>Free-text description.</summary>
    public string Description { get; }

    /// <summary>The network.</summary>
    public LowRankNetwork Network { get; }

    /// <summary>One signal per input dimension.</summary>
    public IReadOnlyList<InputSignal> Inputs { get; }

    /// <summary>Simulation settings.</summary>
    public SimulationSettings Settings { get; }

    /// <summary>Current injections.</summary>
    public IReadOnlyList<CurrentInjection> Injections { get; }

    /// <summary>Initial latent values by name (others start at 0); voltages start at V = F·x(0) + E·y(0) + b.</summary>
    public IReadOnlyDictionary<string, double> InitialLatents { get; }

    /// <summary>
    /// Whether the engines clip a spiking neuron's voltage to the threshold: the explicit
    /// <see cref="SimulationSettings.ClipAtSpike"/> if set, otherwise <see cref="AuthorsClipRule"/>.
    /// </summary>
    public bool ClipsAtSpike { get; }

    /// <summary>
    /// The authors' clip rule (wpodlaski/funcapprox-with-lowrank-EI-spikes, net_sim_code): a network of one
    /// population with delta synapses (their <c>run_spiking_net</c> with the one-spike-per-step rule) clips the
    /// spiker's voltage to the threshold; E-I networks (<c>run_EI_spiking_net</c>) and slow-synapse networks
    /// (square: <c>pw</c>; exponential: <c>run_exp_spiking_net</c>) do not.
    /// </summary>
    public static bool AuthorsClipRule(LowRankNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.Populations.Count == 1 && network.Populations[0].Synapse.IsDelta;
    }

    /// <summary>Returns a copy with different settings (e.g. a CLI override of seed or dt).</summary>
    public Experiment WithSettings(SimulationSettings settings) =>
        new(Network, Inputs, settings, Injections, InitialLatents, Name, Description);

    /// <summary>The longest transmission delay, in steps, that a run supports.</summary>
    public const long MaxDelaySteps = 10_000_000;

    /// <summary>
    /// A transmission delay as a whole number of steps: round(delay/dt), halves rounded up. The delay adds to the
    /// one-step latency of every spike, so a delay of d steps moves the target's voltage in step n + 1 + d.
    /// </summary>
    public static long DelaySteps(double delay, double dt) =>
        (long)Math.Min(Math.Round(delay / dt, MidpointRounding.AwayFromZero), long.MaxValue / 4);

    /// <summary>
    /// The rule for names that become default output folders (experiments, sweeps): a plain file name of letters,
    /// digits, '_', '-' and '.', not starting with '.', so it can never point outside the output folder.
    /// </summary>
    public static bool IsValidName(string name) =>
        name is { Length: > 0 and <= 200 } && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    private void Validate()
    {
        // The name becomes the default output folder: keep it a plain file name.
        if (!IsValidName(Name))
        {
            throw new ModelValidationException("name", $"'{Name}' is not a valid experiment name: use up to 200 letters, digits, '_', '-' and '.', not starting with '.' (it names the output folder)");
        }

        var s = Settings;
        LowRankNetwork.RequireFinite("simulation.dt", s.Dt);
        LowRankNetwork.RequireFinite("simulation.duration", s.Duration);
        LowRankNetwork.RequireFinite("simulation.tau_ms", s.TauMs);
        if (s.Dt <= 0)
        {
            throw new ModelValidationException("simulation.dt", $"must be > 0 (got {s.Dt})");
        }

        if (s.Dt > 0.1)
        {
            throw new ModelValidationException("simulation.dt", $"{s.Dt} τ is too coarse for Euler integration of the leak; use dt ≤ 0.1 τ (the paper uses 0.01 τ)");
        }

        if (s.Duration <= 0)
        {
            throw new ModelValidationException("simulation.duration", $"must be > 0 (got {s.Duration})");
        }

        if (s.StepCount < 1)
        {
            throw new ModelValidationException("simulation.duration", $"{s.Duration} τ is shorter than one time step (dt = {s.Dt} τ): nothing would be simulated");
        }

        if (s.StepCount > 2_000_000_000L)
        {
            throw new ModelValidationException("simulation.duration", $"needs {s.StepCount} steps; split the run (limit 2·10⁹ steps)");
        }

        if (s.TauMs <= 0)
        {
            throw new ModelValidationException("simulation.tau_ms", $"must be > 0 (got {s.TauMs})");
        }

        if (s.RecordEvery < 1)
        {
            throw new ModelValidationException("simulation.record_every", $"must be ≥ 1 (got {s.RecordEvery})");
        }

        if (!(s.RunawayWindow >= 0) || !double.IsFinite(s.RunawayWindow))
        {
            throw new ModelValidationException("simulation.runaway_window", $"must be ≥ 0 (got {s.RunawayWindow})");
        }

        if (!(s.LatentLimit > 0))
        {
            throw new ModelValidationException("simulation.latent_limit", $"must be > 0 (got {s.LatentLimit})");
        }

        for (int di = 0; di < Network.Delays.Count; di++)
        {
            // The delay line holds one latent vector per step of delay (capped at the run length, beyond which the
            // spikes never arrive): keep it to a sane size.
            long delaySteps = Math.Min(DelaySteps(Network.Delays[di].Delay, s.Dt), s.StepCount);
            if (delaySteps > MaxDelaySteps)
            {
                throw new ModelValidationException($"delays[{di}].delay", $"spans {delaySteps} steps of dt = {s.Dt}; at most {MaxDelaySteps} steps are supported (use a larger dt or a shorter delay)");
            }
        }

        if (Inputs.Count != Network.InputDimension)
        {
            throw new ModelValidationException("input", $"has {Inputs.Count} signal(s) but the feedforward weights expect {Network.InputDimension} input dimension(s)");
        }

        for (int m = 0; m < Inputs.Count; m++)
        {
            Inputs[m].Validate($"input[{m}]");
        }

        for (int j = 0; j < Injections.Count; j++)
        {
            var inj = Injections[j];
            string at = $"stimulation[{j}]";
            if (Network.PopulationIndex(inj.Population) < 0)
            {
                throw new ModelValidationException($"{at}.population", $"no population called '{inj.Population}' (known: {string.Join(", ", Network.Populations.Select(p => p.Name))})");
            }

            LowRankNetwork.RequireFinite($"{at}.amplitude", inj.Amplitude);
            LowRankNetwork.RequireFinite($"{at}.start", inj.Start);
            LowRankNetwork.RequireFinite($"{at}.stop", inj.Stop);
            if (inj.Stop <= inj.Start)
            {
                throw new ModelValidationException($"{at}.stop", $"must be after start ({inj.Stop} ≤ {inj.Start})");
            }
        }

        foreach (var (latent, value) in InitialLatents.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (Network.LatentIndex(latent) < 0)
            {
                throw new ModelValidationException($"initial.{latent}", $"no latent called '{latent}' (known: {string.Join(", ", Network.Latents.Select(l => l.Name))})");
            }

            LowRankNetwork.RequireFinite($"initial.{latent}", value);
        }
    }
}
