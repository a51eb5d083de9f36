using LatentSpikes.Model;

namespace LatentSpikes.Simulation;

/// <summary>One spike.</summary>
/// <param name="Step">Grid step at which it was emitted.</param>
/// <param name="Time">Emission time (τ).</param>
/// <param name="Population">Population index.</param>
/// <param name="Neuron">Neuron index within its population.</param>
public readonly record struct Spike(long Step, double Time, int Population, int Neuron);

/// <summary>How a run ended.</summary>
public enum SimulationStatus
{
    /// <summary>The full duration was simulated.</summary>
    Completed,

    /// <summary>The run was stopped because activity ran away (see <see cref="SimulationResult.StatusDetail"/>).</summary>
    Exploded,

    /// <summary>
    /// The run was stopped because its state (a voltage, current or latent) turned NaN or infinite, e.g. an input
    /// times a weight that overflows; see <see cref="SimulationResult.StatusDetail"/>.
    /// </summary>
    NonFinite,
}

/// <summary>The status words written to summary.json, trials.csv and results tables.</summary>
public static class SimulationStatusText
{
    /// <summary>"completed", "exploded" or "non_finite".</summary>
    public static string ToText(this SimulationStatus status) => status switch
    {
        SimulationStatus.Completed => "completed",
        SimulationStatus.Exploded => "exploded",
        _ => "non_finite",
    };

    /// <summary>The status a word names, or null for an unknown word.</summary>
    public static SimulationStatus? Parse(string text) => text switch
    {
        "completed" => SimulationStatus.Completed,
        "exploded" => SimulationStatus.Exploded,
        "non_finite" => SimulationStatus.NonFinite,
        _ => null,
    };
}

/// <summary>Recorded output of one run: inputs and latents on the record grid, every spike, and how the run ended.</summary>
public sealed class SimulationResult
{
    internal SimulationResult(
        Experiment experiment,
        string engine,
        long stepsSimulated,
        double[] times,
        double[] inputs,
        double[] latents,
        List<Spike> spikes,
        int[][] spikeCounts,
        SimulationStatus status,
        string statusDetail,
        bool streamed = false,
        double[]? rates = null)
    {
        Experiment = experiment;
        Engine = engine;
        StepsSimulated = stepsSimulated;
        TimesArray = times;
        InputsArray = inputs;
        LatentsArray = latents;
        Streamed = streamed;
        Spikes = spikes;
        SpikeCounts = spikeCounts;
        Status = status;
        StatusDetail = statusDetail;
        RatesFlat = rates;
    }

    /// <summary>The simulated experiment.</summary>
    public Experiment Experiment { get; }

    /// <summary>Name of the engine that produced the result.</summary>
    public string Engine { get; }

    /// <summary>Steps actually simulated (fewer than planned if the run exploded).</summary>
    public long StepsSimulated { get; }

    /// <summary>Simulated time (τ).</summary>
    public double SimulatedDuration => StepsSimulated * Experiment.Settings.Dt;

    /// <summary>
    /// True when the run sent its records and spikes to an <see cref="IRecordingSink"/> as it went: then
    /// <see cref="Times"/>, <see cref="InputsFlat"/>, <see cref="LatentsFlat"/> and <see cref="Spikes"/> are empty, and
    /// only the spike counts and the status describe the run here.
    /// </summary>
    public bool Streamed { get; }

    /// <summary>Record times (τ).</summary>
    public IReadOnlyList<double> Times => TimesArray;

    /// <summary>Recorded inputs, row-major [record, dimension].</summary>
    public IReadOnlyList<double> InputsFlat => InputsArray;

    /// <summary>Recorded latents, row-major [record, latent].</summary>
    public IReadOnlyList<double> LatentsFlat => LatentsArray;

    /// <summary>Total number of spikes (also right for a <see cref="Streamed"/> run).</summary>
    public long TotalSpikes => SpikeCounts.Sum(c => c.Sum(n => (long)n));

    internal double[] TimesArray { get; }

    internal double[] InputsArray { get; }

    internal double[] LatentsArray { get; }

    /// <summary>All spikes in emission order.</summary>
    public IReadOnlyList<Spike> Spikes { get; }

    /// <summary>Spike count per population and neuron.</summary>
    public IReadOnlyList<int[]> SpikeCounts { get; }

    /// <summary>
    /// Per-neuron firing rates (spikes per τ) on the record grid, row-major [record, neuron] with the neurons of all
    /// populations in order; set by rate engines (whose <see cref="Spikes"/> are empty), null for spiking engines.
    /// </summary>
    public IReadOnlyList<double>? RatesFlat { get; }

    /// <summary>How the run ended.</summary>
    public SimulationStatus Status { get; }

    /// <summary>Human-readable explanation of <see cref="Status"/>.</summary>
    public string StatusDetail { get; }

    /// <summary>The recorded trajectory of one latent.</summary>
    public double[] Latent(string name)
    {
        int k = Experiment.Network.LatentIndex(name);
        if (k < 0)
        {
            throw new ArgumentException($"no latent called '{name}'", nameof(name));
        }

        return Column(LatentsFlat, Experiment.Network.Latents.Count, k);
    }

    /// <summary>The recorded trajectory of input dimension <paramref name="dimension"/>.</summary>
    public double[] Input(int dimension) => Column(InputsFlat, Experiment.Network.InputDimension, dimension);

    /// <summary>The recorded rate (spikes per τ) of one neuron; only for results of a rate engine.</summary>
    /// <exception cref="InvalidOperationException">The result holds spikes, not rates.</exception>
    public double[] NeuronRate(int population, int neuron)
    {
        var pops = Experiment.Network.Populations;
        var rates = RatesFlat ?? throw new InvalidOperationException($"the {Engine} engine records spikes, not rates");
        int offset = pops.Take(population).Sum(p => p.Size);
        return Column(rates, Experiment.Network.NeuronCount, offset + neuron);
    }

    /// <summary>Mean firing rate of a population in spikes per τ per neuron (time-averaged rates for a rate engine).</summary>
    public double MeanRatePerTau(int population)
    {
        if (RatesFlat is { } rates)
        {
            int size = Experiment.Network.Populations[population].Size;
            int offset = Experiment.Network.Populations.Take(population).Sum(p => p.Size);
            int n = Experiment.Network.NeuronCount;
            double sum = 0;
            for (int r = 0; r < Times.Count; r++)
            {
                for (int i = 0; i < size; i++)
                {
                    sum += rates[(r * n) + offset + i];
                }
            }

            return Times.Count == 0 ? 0 : sum / Times.Count / size;
        }

        int[] counts = SpikeCounts[population];
        return SimulatedDuration <= 0 ? 0 : counts.Sum() / (double)counts.Length / SimulatedDuration;
    }

    /// <summary>Mean firing rate of a population in Hz, using τ in ms from the settings.</summary>
    public double MeanRateHz(int population) => MeanRatePerTau(population) * 1000.0 / Experiment.Settings.TauMs;

    private double[] Column(IReadOnlyList<double> flat, int width, int column)
    {
        if (Streamed)
        {
            throw new InvalidOperationException("this run was streamed to its output files; read the trajectories from there");
        }

        var col = new double[Times.Count];
        for (int r = 0; r < col.Length; r++)
        {
            col[r] = flat[(r * width) + column];
        }

        return col;
    }
}
