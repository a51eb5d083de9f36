using LatentSpikes.Model;

namespace LatentSpikes.Analysis;

/// <summary>
/// Modified copies of a network for controlled comparisons: the same network at another noise level, and its
/// feedforward variant with the recurrence switched off (seed 002, App. F, Fig. S2).
/// </summary>
/// <remarks>
/// Both rebuild every <see cref="Population"/> from its fields, so a field added to populations must be carried
/// over in <see cref="Copy"/>.
/// </remarks>
public static class NetworkVariants
{
    /// <summary>
    /// Most latents the feedforward variant may need, times the neuron count: the engine stores one encoder column of
    /// length N per latent, so this caps that at 128 MB.
    /// </summary>
    public const long MaxFeedforwardLatentCells = 16_000_000;

    /// <summary>The experiment with every population's white-noise std set to <paramref name="sigma"/>.</summary>
    public static Experiment WithNoise(Experiment experiment, double sigma)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var net = experiment.Network;
        var pops = net.Populations.Select(p => Copy(p, p.Name, p.Decoders.ToArray(), p.Encoders, p.SoftRefractory, sigma)).ToArray();
        return new Experiment(new LowRankNetwork(pops, net.CrossReadouts, net.Delays), experiment.Inputs, experiment.Settings,
            experiment.Injections, experiment.InitialLatents, experiment.Name, experiment.Description);
    }

    /// <summary>
    /// The self-reset of a neuron: the jump of its own voltage when it spikes, Σ_k E_ik·D_ki − μ over every latent its
    /// population's spikes move (the diagonal W_ii = E_i·D_i − μ of the paper, eq. 2.26).
    /// </summary>
    public static double SelfReset(LowRankNetwork network, int population, int neuron)
    {
        ArgumentNullException.ThrowIfNull(network);
        var pop = network.Populations[population];
        double jump = -pop.SoftRefractory;
        foreach (var latent in network.Latents)
        {
            if (string.Equals(latent.Source, pop.Name, StringComparison.Ordinal) && pop.Encoders.TryGetValue(latent.Name, out double[]? enc))
            {
                jump += enc[neuron] * latent.Decoders[neuron];
            }
        }

        return jump;
    }

    /// <summary>
    /// The feedforward variant of Fig. S2: every neuron keeps its input, bias, noise and its own instantaneous
    /// self-reset E_i·D_i − μ, but receives nothing from any other neuron. This is what the authors' script does
    /// (App. F: recurrent weights W_ij, i ≠ j, set to zero while the diagonal W_ii = E_i·D_i − μ stays). The
    /// one-spike-per-step rule still applies across the network, as in their code.
    /// </summary>
    /// <remarks>
    /// Realised without an N×N matrix: decoders become 0 (so no spike moves any latent or any other neuron) and the
    /// self-reset moves into the soft refractory cost, μ' = μ − E_i·D_i ≥ 0, which the engine applies to the spiker
    /// alone in the same step. μ is per population, so consecutive neurons with equal self-resets form one population
    /// (one for the usual homogeneous decoders); neuron order, and with it every noise stream, is unchanged. The
    /// variant's latents stay at 0 and mean nothing; initial latents are dropped (voltages start at F·x(0) + b), and
    /// cross readouts are dropped. A neuron whose self-reset is excitatory (E_i·D_i &gt; μ, as in an excitatory
    /// population without a soft refractory cost) would fire in every step without recurrent inhibition and is rejected.
    /// </remarks>
    /// <exception cref="ModelValidationException">When a self-reset is excitatory or the variant would be too large.</exception>
    public static Experiment Feedforward(Experiment experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var net = experiment.Network;
        var used = new HashSet<string>(net.Populations.Select(p => p.Name), StringComparer.Ordinal);
        var pops = new List<Population>();
        var groupsOf = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (int pi = 0; pi < net.Populations.Count; pi++)
        {
            var pop = net.Populations[pi];
            var groups = new List<string>();
            groupsOf[pop.Name] = groups;
            int start = 0;
            while (start < pop.Size)
            {
                double reset = SelfReset(net, pi, start);
                if (!(reset <= 0))
                {
                    throw new ModelValidationException($"populations[{pi}]", $"neuron {start} of '{pop.Name}' has an excitatory self-reset E·D − μ = {reset:G4}; without recurrent inhibition its feedforward variant would fire in every step (raise mu above E·D)");
                }

                int end = start + 1;
                while (end < pop.Size && SelfReset(net, pi, end) == reset)
                {
                    end++;
                }

                string name = start == 0 ? pop.Name : UniqueName(pop.Name + "_ff", used);
                groups.Add(name);
                pops.Add(Slice(pop, name, start, end, -reset));
                start = end;
            }
        }

        long cells = (long)pops.Count * net.NeuronCount;
        if (cells > MaxFeedforwardLatentCells)
        {
            throw new ModelValidationException("populations", $"the feedforward variant needs one latent per run of equal self-resets E·D − μ: {pops.Count} for {net.NeuronCount} neurons is too many ({cells} encoder entries > {MaxFeedforwardLatentCells}); use homogeneous decoders");
        }

        var injections = experiment.Injections
            .SelectMany(j => groupsOf[j.Population].Select(g => j with { Population = g }))
            .ToArray();
        return new Experiment(new LowRankNetwork(pops), experiment.Inputs, experiment.Settings, injections, null,
            experiment.Name, experiment.Description);
    }

    /// <summary>Neurons [start, end) of a population as a population of their own with zero decoders and soft refractory cost μ'.</summary>
    private static Population Slice(Population pop, string name, int start, int end, double mu)
    {
        int n = end - start;
        var ff = new double[n][];
        for (int i = 0; i < n; i++)
        {
            ff[i] = pop.FeedforwardRow(start + i).ToArray();
        }

        var thresholds = pop.Thresholds.Skip(start).Take(n).ToArray();
        var encoders = new Dictionary<string, double[]>(StringComparer.Ordinal) { [Population.LatentNameOf(name)] = new double[n] };
        // Kernel and refractory period kept: they set the firing rule (several spikes per step) and the ISI floor.
        return new Population(name, pop.Kind, ff, thresholds, new double[n], encoders, mu, pop.NoiseSigma, pop.Synapse, pop.RefractoryPeriod, pop.Rate);
    }

    /// <summary>A copy of a population with some fields replaced.</summary>
    private static Population Copy(Population pop, string name, double[] decoders, IReadOnlyDictionary<string, double[]> encoders, double mu, double noise)
    {
        var ff = new double[pop.Size][];
        for (int i = 0; i < pop.Size; i++)
        {
            ff[i] = pop.FeedforwardRow(i).ToArray();
        }

        return new Population(name, pop.Kind, ff, pop.Thresholds.ToArray(), decoders, encoders, mu, noise, pop.Synapse, pop.RefractoryPeriod, pop.Rate);
    }

    private static string UniqueName(string stem, HashSet<string> used)
    {
        for (int k = 1; ; k++)
        {
            string name = stem + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (used.Add(name))
            {
                return name;
            }
        }
    }
}
