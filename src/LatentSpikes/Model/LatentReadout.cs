namespace LatentSpikes.Model;

/// <summary>
/// One latent variable y_k = Σ_j D_kj r_j read out from one source population (eq. 2.9, 2.33-2.34). Every
/// population owns the readout <c>y_{name}</c> with its own decoders; a cross readout reads the same spikes with
/// different decoders, which is how the rank-4 "mistuned" E-I network of §3.5 is described.
/// </summary>
/// <param name="Name">Latent name used by encoders and outputs.</param>
/// <param name="Source">Name of the population whose spikes are read out.</param>
/// <param name="Decoders">One decoder per source neuron.</param>
public sealed record LatentReadout(string Name, string Source, IReadOnlyList<double> Decoders);
