namespace LatentSpikes.Model;

/// <summary>
/// A low-rank spiking network: populations coupled only through latent readouts, so the connectivity is
/// W = E·Dᵀ (plus the diagonal soft-refractory term −μ) and is never materialised as an N×N matrix. Each population
/// has a synaptic kernel and refractory period, and population pairs may have transmission delays (seed 002, §4).
/// The constructor validates shapes, finiteness, references and Dale's law and throws
/// <see cref="ModelValidationException"/> naming the offending field.
/// </summary>
public sealed class LowRankNetwork
{
    /// <summary>Builds and validates a network.</summary>
    /// <param name="populations">The populations, in simulation order.</param>
    /// <param name="crossReadouts">Extra latent readouts with their own decoders (mistuned cross-connections).</param>
    /// <param name="delays">Transmission delays between populations (none: every spike arrives one step later).</param>
    public LowRankNetwork(IReadOnlyList<Population> populations, IReadOnlyList<LatentReadout>? crossReadouts = null, IReadOnlyList<TransmissionDelay>? delays = null)
    {
        ArgumentNullException.ThrowIfNull(populations);
        Populations = populations.ToArray();
        CrossReadouts = (crossReadouts ?? []).ToArray();
        Delays = (delays ?? []).ToArray();
        if (Populations.Count == 0)
        {
            throw new ModelValidationException("populations", "a network needs at least one population");
        }

        InputDimension = Populations[0].InputDimension;
        var latents = new List<LatentReadout>();
        foreach (var p in Populations)
        {
            latents.Add(new LatentReadout(p.LatentName, p.Name, p.Decoders));
        }

        latents.AddRange(CrossReadouts);
        Latents = latents;
        Validate();
    }

    /// <summary>The populations in simulation order.</summary>
    public IReadOnlyList<Population> Populations { get; }

    /// <summary>Cross readouts beyond each population's own latent.</summary>
    public IReadOnlyList<LatentReadout> CrossReadouts { get; }

    /// <summary>All latents: each population's own readout (in population order), then the cross readouts.</summary>
    public IReadOnlyList<LatentReadout> Latents { get; }

    /// <summary>Transmission delays between population pairs; a pair not listed has none.</summary>
    public IReadOnlyList<TransmissionDelay> Delays { get; }

    /// <summary>Input dimension M shared by all populations.</summary>
    public int InputDimension { get; }

    /// <summary>Total number of neurons.</summary>
    public int NeuronCount => Populations.Sum(p => p.Size);

    /// <summary>Index of a population by name, or −1.</summary>
    public int PopulationIndex(string name)
    {
        for (int i = 0; i < Populations.Count; i++)
        {
            if (string.Equals(Populations[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The transmission delay (τ) from population <paramref name="from"/> to <paramref name="to"/>; 0 if none is set.</summary>
    public double DelayBetween(string from, string to)
    {
        foreach (var d in Delays)
        {
            if (string.Equals(d.From, from, StringComparison.Ordinal) && string.Equals(d.To, to, StringComparison.Ordinal))
            {
                return d.Delay;
            }
        }

        return 0.0;
    }

    /// <summary>Index of a latent by name, or −1.</summary>
    public int LatentIndex(string name)
    {
        for (int k = 0; k < Latents.Count; k++)
        {
            if (string.Equals(Latents[k].Name, name, StringComparison.Ordinal))
            {
                return k;
            }
        }

        return -1;
    }

    private void Validate()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int pi = 0; pi < Populations.Count; pi++)
        {
            var p = Populations[pi];
            string at = $"populations[{pi}]";
            if (!IsIdentifier(p.Name))
            {
                throw new ModelValidationException($"{at}.name", $"'{p.Name}' is not a valid name: use letters, digits and '_', starting with a letter (it becomes a column name)");
            }

            if (!names.Add(p.Name))
            {
                throw new ModelValidationException($"{at}.name", $"population name '{p.Name}' is used twice");
            }

            if (p.Size < 1)
            {
                throw new ModelValidationException($"{at}.size", "a population needs at least one neuron");
            }

            if (p.InputDimension != InputDimension)
            {
                throw new ModelValidationException($"{at}.feedforward", $"has input dimension {p.InputDimension} but population '{Populations[0].Name}' has {InputDimension}; all populations see the same input");
            }

            if (p.Decoders.Count != p.Size)
            {
                throw new ModelValidationException($"{at}.decoders", $"has {p.Decoders.Count} entries for {p.Size} neurons");
            }

            for (int i = 0; i < p.Size; i++)
            {
                RequireFinite($"{at}.thresholds[{i}]", p.Thresholds[i]);
                for (int m = 0; m < InputDimension; m++)
                {
                    RequireFinite($"{at}.feedforward[{i}]", p.Feedforward(i, m));
                }
            }

            RequireFinite($"{at}.mu", p.SoftRefractory);
            if (p.SoftRefractory < 0)
            {
                throw new ModelValidationException($"{at}.mu", $"the soft refractory cost must be ≥ 0 (got {p.SoftRefractory}); a negative value would be self-excitation");
            }

            RequireFinite($"{at}.noise", p.NoiseSigma);
            if (p.NoiseSigma < 0)
            {
                throw new ModelValidationException($"{at}.noise", $"the noise std must be ≥ 0 (got {p.NoiseSigma})");
            }

            CheckSynapse(at, p);
            p.Rate?.Validate(at);
            CheckDecoders($"{at}.decoders", p.Kind, p.Name, p.Decoders);
            if (p.Encoders.Count == 0)
            {
                throw new ModelValidationException($"{at}.encoders", "a population must listen to at least one latent");
            }

            foreach (var (latent, enc) in p.Encoders.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                string eat = $"{at}.encoders.{latent}";
                if (!Latents.Any(l => string.Equals(l.Name, latent, StringComparison.Ordinal)))
                {
                    throw new ModelValidationException(eat, $"no latent called '{latent}' (known: {string.Join(", ", Latents.Select(l => l.Name))})");
                }

                if (enc.Length != p.Size)
                {
                    throw new ModelValidationException(eat, $"has {enc.Length} entries for {p.Size} neurons");
                }

                for (int i = 0; i < enc.Length; i++)
                {
                    RequireFinite($"{eat}[{i}]", enc[i]);
                    if (p.Kind != PopulationKind.Unsigned && enc[i] < 0)
                    {
                        throw new ModelValidationException($"{eat}[{i}]", $"Dale's law: encoders of the {Describe(p.Kind)} population '{p.Name}' must be ≥ 0 (got {enc[i]}); signs live on the decoders");
                    }
                }
            }
        }

        var latentNames = new HashSet<string>(Populations.Select(p => p.LatentName), StringComparer.Ordinal);
        for (int ci = 0; ci < CrossReadouts.Count; ci++)
        {
            var c = CrossReadouts[ci];
            string at = $"latents[{ci}]";
            if (!IsIdentifier(c.Name))
            {
                throw new ModelValidationException($"{at}.name", $"'{c.Name}' is not a valid name: use letters, digits and '_', starting with a letter (it becomes a column name)");
            }

            if (c.Name == "t" || (c.Name.Length > 1 && c.Name[0] == 'x' && c.Name[1..].All(char.IsAsciiDigit)))
            {
                throw new ModelValidationException($"{at}.name", $"'{c.Name}' is reserved for the time and input columns of latents.csv");
            }

            if (!latentNames.Add(c.Name))
            {
                throw new ModelValidationException($"{at}.name", $"latent name '{c.Name}' is used twice");
            }

            int src = PopulationIndex(c.Source);
            if (src < 0)
            {
                throw new ModelValidationException($"{at}.source", $"no population called '{c.Source}'");
            }

            var sp = Populations[src];
            if (c.Decoders.Count != sp.Size)
            {
                throw new ModelValidationException($"{at}.decoders", $"has {c.Decoders.Count} entries but source population '{sp.Name}' has {sp.Size} neurons");
            }

            CheckDecoders($"{at}.decoders", sp.Kind, sp.Name, c.Decoders);
        }

        CheckDelays();
    }

    private static void CheckSynapse(string at, Population p)
    {
        if (!p.Synapse.IsDelta)
        {
            RequireFinite($"{at}.synapse.tau", p.Synapse.Tau);
            if (p.Synapse.Tau <= 0)
            {
                throw new ModelValidationException($"{at}.synapse.tau", $"the synaptic time constant must be > 0 (got {p.Synapse.Tau}); use the delta synapse for instantaneous transmission");
            }
        }

        RequireFinite($"{at}.refractory", p.RefractoryPeriod);
        if (p.RefractoryPeriod < 0)
        {
            throw new ModelValidationException($"{at}.refractory", $"the absolute refractory period must be ≥ 0 (got {p.RefractoryPeriod})");
        }
    }

    private void CheckDelays()
    {
        var pairs = new HashSet<(string, string)>();
        for (int di = 0; di < Delays.Count; di++)
        {
            var d = Delays[di];
            string at = $"delays[{di}]";
            ArgumentNullException.ThrowIfNull(d);
            string known = string.Join(", ", Populations.Select(p => p.Name));
            if (PopulationIndex(d.From) < 0)
            {
                throw new ModelValidationException($"{at}.from", $"no population called '{d.From}' (known: {known})");
            }

            if (PopulationIndex(d.To) < 0)
            {
                throw new ModelValidationException($"{at}.to", $"no population called '{d.To}' (known: {known})");
            }

            RequireFinite($"{at}.delay", d.Delay);
            if (d.Delay < 0)
            {
                throw new ModelValidationException($"{at}.delay", $"a transmission delay must be ≥ 0 (got {d.Delay})");
            }

            if (!pairs.Add((d.From, d.To)))
            {
                throw new ModelValidationException($"{at}.to", $"the delay from '{d.From}' to '{d.To}' is given twice");
            }
        }
    }

    private static void CheckDecoders(string at, PopulationKind kind, string population, IReadOnlyList<double> decoders)
    {
        for (int i = 0; i < decoders.Count; i++)
        {
            double d = decoders[i];
            RequireFinite($"{at}[{i}]", d);
            if (kind == PopulationKind.Excitatory && d < 0)
            {
                throw new ModelValidationException($"{at}[{i}]", $"Dale's law: decoders of the excitatory population '{population}' must be ≥ 0 (got {d})");
            }

            if (kind == PopulationKind.Inhibitory && d > 0)
            {
                throw new ModelValidationException($"{at}[{i}]", $"Dale's law: decoders of the inhibitory population '{population}' must be ≤ 0 (got {d})");
            }
        }
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && char.IsAsciiLetter(name[0]) && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_');

    private static string Describe(PopulationKind kind) => kind switch
    {
        PopulationKind.Excitatory => "excitatory",
        PopulationKind.Inhibitory => "inhibitory",
        _ => "unsigned",
    };

    internal static void RequireFinite(string field, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ModelValidationException(field, $"must be a finite number (got {value})");
        }
    }
}
