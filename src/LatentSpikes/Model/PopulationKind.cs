namespace LatentSpikes.Model;

/// <summary>The sign class of a population under Dale's law (seed 002, eq. 2.11-2.13 and 2.22-2.24).</summary>
public enum PopulationKind
{
    /// <summary>Excitatory: decoders ≥ 0, encoders ≥ 0; its latent is non-negative.</summary>
    Excitatory,

    /// <summary>Inhibitory: decoders ≤ 0, encoders ≥ 0; its latent is non-positive. Wins spike ties.</summary>
    Inhibitory,

    /// <summary>No sign constraints (a generic low-rank population, e.g. a classic spike-coding network).</summary>
    Unsigned,
}
