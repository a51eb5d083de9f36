namespace LatentSpikes.Randomness;

/// <summary>
/// Which normal deviates the membrane noise draws. Both are pure functions of (seed, trial, neuron, step) through the
/// same counter hash; they differ in the map from hash bits to a deviate, so they give different realisations.
/// </summary>
public enum NoiseStreamKind
{
    /// <summary>
    /// The default (issue 19): <see cref="InverseNormal"/> on the hash's high 32 bits, a branch-free inverse CDF
    /// that runs sixteen lanes per AVX-512 instruction.
    /// </summary>
    Fast,

    /// <summary>The stream of earlier versions (<see cref="Ziggurat"/> on all 64 bits), for byte-identical reruns.</summary>
    Legacy,
}
