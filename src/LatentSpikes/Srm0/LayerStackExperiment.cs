using LatentSpikes.Model;

namespace LatentSpikes.Srm0;

/// <summary>
/// A complete seed-000 experiment as a spec describes it: an SRM0 layer stack (network and neuron parameters), the
/// seed of its weights, input and spikes, and the run protocol (which networks, how long, which spikes to keep).
/// The spec reader builds it from the <c>srm0</c> section; from C# it is an ordinary record.
/// </summary>
public sealed record LayerStackExperiment
{
    /// <summary>Experiment name (default output folder out/&lt;name&gt;).</summary>
    public string Name { get; init; } = "srm0-layer-stack";

    /// <summary>Free text describing the experiment.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>The layer stack: N, K, layers, bias, encoder, τ_m, decoder gain, latent input and the neuron.</summary>
    public MultilayerParameters Network { get; init; } = new();

    /// <summary>Seed of the encoders, the latent input and the spikes.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Warm-up, duration, trial, networks, threads and the spike sample.</summary>
    public MultilayerRunOptions Run { get; init; } = new();

    /// <summary>Throws <see cref="ModelValidationException"/> naming the first bad value (field names as in <see cref="MultilayerParameters"/>).</summary>
    public void Validate()
    {
        // The same rule as a LIF experiment's name: it becomes the default output folder, so keep it a plain file name.
        if (string.IsNullOrEmpty(Name) || Name[0] == '.' || !Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new ModelValidationException("name", $"'{Name}' is not a valid experiment name: use letters, digits, '_', '-' and '.', not starting with '.' (it names the output folder)");
        }

        ArgumentNullException.ThrowIfNull(Network);
        ArgumentNullException.ThrowIfNull(Run);
        Network.Validate();
        Run.Validate();
        if (Run.SpikeSample > Network.NeuronsPerLayer)
        {
            throw new ModelValidationException("spike_sample", $"({Run.SpikeSample}) must not exceed the {Network.NeuronsPerLayer} neurons of a layer");
        }
    }

    /// <summary>Builds the network and simulates it; reports progress in [0, 1].</summary>
    public MultilayerRun Simulate(IProgress<double>? progress = null)
    {
        Validate();
        return MultilayerSimulation.Run(new MultilayerNetwork(Network, Seed), Run, progress);
    }
}
