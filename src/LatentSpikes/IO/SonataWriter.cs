using LatentSpikes.Simulation;
using PureHDF;
using PureHDF.Selections;

namespace LatentSpikes.IO;

/// <summary>
/// Writes a SONATA spike report: <c>/spikes/&lt;population&gt;/timestamps</c> (float64, milliseconds, attribute
/// <c>units</c> = "ms") and <c>/spikes/&lt;population&gt;/node_ids</c> (uint64, the neuron's index within its
/// population), with the population group's <c>sorting</c> attribute = <c>by_time</c> (an HDF5 enum, as bmtk and
/// libsonata read it). Spikes are copied from the spool in one pass with a bounded buffer per population.
/// </summary>
internal static class SonataWriter
{
    /// <summary>Spikes buffered (over all populations) before they are written.</summary>
    public const int DefaultBudget = 1 << 20;

    public static void Write(string path, SimulationResult result, SpikeSpool spool, int budget = DefaultBudget)
    {
        var pops = result.Experiment.Network.Populations;
        decimal tauMs = (decimal)result.Experiment.Settings.TauMs;
        long[] totals = result.SpikeCounts.Select(c => c.Sum(n => (long)n)).ToArray();
        var times = new H5Dataset<double[]>[pops.Count];
        var ids = new H5Dataset<ulong[]>[pops.Count];
        var spikes = new H5Group();
        for (int p = 0; p < pops.Count; p++)
        {
            times[p] = new H5Dataset<double[]>(fileDims: [(ulong)totals[p]]);
            times[p].Attributes["units"] = "ms";
            ids[p] = new H5Dataset<ulong[]>(fileDims: [(ulong)totals[p]]);
            spikes[pops[p].Name] = new H5Group
            {
                ["timestamps"] = times[p],
                ["node_ids"] = ids[p],
                Attributes = new() { ["sorting"] = SonataSorting.by_time },
            };
        }

        var file = new H5File { ["spikes"] = spikes };
        using var writer = file.BeginWrite(path);
        int per = Math.Max(1, budget / Math.Max(1, pops.Count));
        var bufferTimes = pops.Select(_ => new double[per]).ToArray();
        var bufferIds = pops.Select(_ => new ulong[per]).ToArray();
        var filled = new int[pops.Count];
        var written = new long[pops.Count];
        void Flush(int p)
        {
            if (filled[p] == 0)
            {
                return;
            }

            // The buffers are reused: only their first filled[p] elements are written.
            var memory = new HyperslabSelection(0, (ulong)filled[p]);
            var selection = new HyperslabSelection((ulong)written[p], (ulong)filled[p]);
            writer.Write(times[p], bufferTimes[p], memorySelection: memory, fileSelection: selection);
            writer.Write(ids[p], bufferIds[p], memorySelection: memory, fileSelection: selection);
            written[p] += filled[p];
            filled[p] = 0;
        }

        spool.ForEach((t, p, neuron) =>
        {
            bufferTimes[p][filled[p]] = RunOutputWriter.ConvertedTime(t, tauMs);
            bufferIds[p][filled[p]] = (ulong)neuron;
            if (++filled[p] == per)
            {
                Flush(p);
            }
        });
        for (int p = 0; p < pops.Count; p++)
        {
            Flush(p);
        }
    }

    /// <summary>SONATA's sorting enum; the member names are the HDF5 enum names readers expect.</summary>
#pragma warning disable CA1707 // SONATA spells the names with underscores.
    private enum SonataSorting : byte
    {
        none = 0,
        by_id = 1,
        by_time = 2,
    }
#pragma warning restore CA1707
}
