using LatentSpikes.Model;

namespace LatentSpikes.Simulation;

/// <summary>
/// Flat arrays an engine runs on, built once from a <see cref="LowRankNetwork"/> (the Nengo builder/simulator split).
/// Encoders are stored per latent as a column over all neurons, decoders per neuron as a row over latents, so a
/// spike costs one axpy per latent it changes: O(N·K), never N×N.
/// </summary>
internal sealed class CompiledNetwork
{
    public CompiledNetwork(LowRankNetwork network)
    {
        Network = network;
        N = network.NeuronCount;
        M = network.InputDimension;
        K = network.Latents.Count;
        int p = network.Populations.Count;
        PopulationOffsets = new int[p + 1];
        for (int i = 0; i < p; i++)
        {
            PopulationOffsets[i + 1] = PopulationOffsets[i] + network.Populations[i].Size;
        }

        PopulationOfNeuron = new int[N];
        Feedforward = new double[N * M];
        FeedforwardColumns = new double[M][];
        for (int d = 0; d < M; d++)
        {
            FeedforwardColumns[d] = new double[N];
        }

        Bias = new double[N];
        Mu = new double[N];
        EncoderColumns = new double[K][];
        for (int k = 0; k < K; k++)
        {
            EncoderColumns[k] = new double[N];
        }

        DecoderRows = new double[N * K];
        Priority = new int[p];
        for (int pi = 0; pi < p; pi++)
        {
            var pop = network.Populations[pi];
            int off = PopulationOffsets[pi];
            Priority[pi] = pop.Kind == PopulationKind.Inhibitory ? 0 : 1;
            for (int i = 0; i < pop.Size; i++)
            {
                int g = off + i;
                PopulationOfNeuron[g] = pi;
                pop.FeedforwardRow(i).CopyTo(Feedforward.AsSpan(g * M, M));
                for (int d = 0; d < M; d++)
                {
                    FeedforwardColumns[d][g] = pop.Feedforward(i, d);
                }

                Bias[g] = pop.Bias(i);
                Mu[g] = pop.SoftRefractory;
            }

            foreach (var (latent, enc) in pop.Encoders)
            {
                Array.Copy(enc, 0, EncoderColumns[network.LatentIndex(latent)], off, pop.Size);
            }
        }

        // Which latents each population's spikes move: its own readout and any cross readouts of it.
        var touched = new List<int>[p];
        for (int pi = 0; pi < p; pi++)
        {
            touched[pi] = [];
        }

        for (int k = 0; k < K; k++)
        {
            var l = network.Latents[k];
            int src = network.PopulationIndex(l.Source);
            touched[src].Add(k);
            int off = PopulationOffsets[src];
            for (int j = 0; j < l.Decoders.Count; j++)
            {
                DecoderRows[((off + j) * K) + k] = l.Decoders[j];
            }
        }

        LatentsOfPopulation = touched.Select(t => t.ToArray()).ToArray();
        PriorityClasses = Priority.Distinct().Order().ToArray();
    }

    public LowRankNetwork Network { get; }

    public int N { get; }

    public int M { get; }

    public int K { get; }

    public int[] PopulationOffsets { get; }

    public int[] PopulationOfNeuron { get; }

    /// <summary>F, row-major N×M.</summary>
    public double[] Feedforward { get; }

    /// <summary>F by input dimension: one column over all neurons (for vectorised drive).</summary>
    public double[][] FeedforwardColumns { get; }

    /// <summary>b_i = 1 − T_i.</summary>
    public double[] Bias { get; }

    public double[] Mu { get; }

    /// <summary>Encoder column per latent (0 where a population does not listen).</summary>
    public double[][] EncoderColumns { get; }

    /// <summary>Decoder of neuron j into latent k at [j·K + k] (0 unless the latent reads j's population).</summary>
    public double[] DecoderRows { get; }

    /// <summary>Latent indices each population's spikes change.</summary>
    public int[][] LatentsOfPopulation { get; }

    /// <summary>Spike priority of each population: 0 for inhibitory (fires first), 1 otherwise.</summary>
    public int[] Priority { get; }

    /// <summary>Distinct priorities in firing order.</summary>
    public int[] PriorityClasses { get; }
}
