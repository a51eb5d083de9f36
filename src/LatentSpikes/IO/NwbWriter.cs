using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LatentSpikes.Simulation;
using PureHDF;
using PureHDF.Selections;

namespace LatentSpikes.IO;

/// <summary>
/// Writes a run as an NWB 2.x file that pynwb opens: the required file metadata, a <c>units</c> table (one unit per
/// neuron: ragged <c>spike_times</c> in seconds with <c>spike_times_index</c>, plus <c>population</c> and
/// <c>neuron</c> columns), the latents as a TimeSeries in <c>/processing/latents</c>, the inputs as a TimeSeries in
/// <c>/stimulus/presentation</c>, the simulated spec as text in <c>/general/source_script</c> and the schema it follows
/// cached in <c>/specifications</c> (as pynwb caches it). Times are seconds (t[τ]·τ_ms/1000, converted without float
/// noise). Wall-clock dates are fixed at the Unix epoch and object ids are derived from the run, so the same run gives
/// the same bytes, like every other output.
/// </summary>
internal static class NwbWriter
{
    /// <summary>
    /// The NWB schema version the layout follows: the core schema cached in the file (2.6.0-alpha, as pynwb 2.3.0
    /// ships it) and the version string pynwb writes for it.
    /// </summary>
    public const string NwbVersion = "2.6.0";

    /// <summary>Simulated time zero; no wall-clock time is written so the file is reproducible.</summary>
    public const string Epoch = "1970-01-01T00:00:00+00:00";

    /// <summary>Spike times held in memory per pass over the spool (units are written in blocks of at most this many spikes).</summary>
    public const int DefaultSpikeBudget = 1 << 21;

    /// <summary>Record rows per block when copying the latents.</summary>
    private const int RecordBlock = 1 << 15;

    public static void Write(string path, SimulationResult result, RunProvenance provenance, SpikeSpool spikes, RecordSpool records, int spikeBudget = DefaultSpikeBudget)
    {
        var exp = result.Experiment;
        var net = exp.Network;
        var pops = net.Populations;
        decimal toSeconds = (decimal)exp.Settings.TauMs / 1000m;
        string identifier = Identifier(result, provenance);
        var ids = new ObjectIds(identifier);

        // One unit per neuron, population by population; unit u's spikes are spike_times[index[u-1]:index[u]].
        int units = pops.Sum(p => p.Size);
        var unitOffset = new int[pops.Count + 1];
        for (int p = 0; p < pops.Count; p++)
        {
            unitOffset[p + 1] = unitOffset[p] + pops[p].Size;
        }

        var unitEnd = new ulong[units];
        var unitPopulation = new string[units];
        var unitNeuron = new long[units];
        ulong running = 0;
        for (int p = 0; p < pops.Count; p++)
        {
            for (int n = 0; n < pops[p].Size; n++)
            {
                int u = unitOffset[p] + n;
                running += (ulong)result.SpikeCounts[p][n];
                unitEnd[u] = running;
                unitPopulation[u] = pops[p].Name;
                unitNeuron[u] = n;
            }
        }

        var spikeTimes = new H5Dataset<double[]>(fileDims: [running]);
        Typed(spikeTimes, "VectorData", "hdmf-common", ids.Next("units/spike_times"));
        spikeTimes.Attributes["description"] = "the spike times for each unit in seconds";
        spikeTimes.Attributes["resolution"] = (double)((decimal)exp.Settings.Dt * toSeconds);
        var spikeIndex = Typed(new H5Dataset(unitEnd), "VectorIndex", "hdmf-common", ids.Next("units/spike_times_index"));
        spikeIndex.Attributes["description"] = "Index for VectorData 'spike_times'";
        spikeIndex.Attributes["target"] = new H5ObjectReference(spikeTimes);
        var population = Typed(new H5Dataset(unitPopulation), "VectorData", "hdmf-common", ids.Next("units/population"));
        population.Attributes["description"] = "the population (from the spec) the neuron belongs to";
        var neuron = Typed(new H5Dataset(unitNeuron), "VectorData", "hdmf-common", ids.Next("units/neuron"));
        neuron.Attributes["description"] = "the neuron's index within its population (spikes.csv's neuron column)";
        var unitIds = Typed(new H5Dataset(Enumerable.Range(0, units).Select(u => (long)u).ToArray()), "ElementIdentifiers", "hdmf-common", ids.Next("units/id"));
        var unitsTable = Typed(
            new H5Group { ["id"] = unitIds, ["spike_times"] = spikeTimes, ["spike_times_index"] = spikeIndex, ["population"] = population, ["neuron"] = neuron },
            "Units", "core", ids.Next("units"));
        unitsTable.Attributes["colnames"] = new[] { "spike_times", "population", "neuron" };
        unitsTable.Attributes["description"] = "one unit per simulated neuron, populations in spec order";

        long rows = records.Count;
        var latentData = new H5Dataset<double[]>(fileDims: [(ulong)rows, (ulong)records.Latents]);
        var latentTimes = new H5Dataset<double[]>(fileDims: [(ulong)rows]);
        var latentSeries = TimeSeries(
            latentData, latentTimes, "a.u.", ids.Next("processing/latents/latents"),
            $"latent readouts y (columns: {string.Join(", ", net.Latents.Select(l => l.Name))}), sampled every {exp.Settings.RecordEvery} step(s) of dt = {Num(exp.Settings.Dt)} tau");
        var module = Typed(new H5Group { ["latents"] = latentSeries }, "ProcessingModule", "core", ids.Next("processing/latents"));
        module.Attributes["description"] = "latent variables of the low-rank network";

        H5Dataset<double[]>? inputData = null;
        H5Dataset<double[]>? inputTimes = null;
        var presentation = new H5Group();
        if (records.Inputs > 0)
        {
            inputData = new H5Dataset<double[]>(fileDims: [(ulong)rows, (ulong)records.Inputs]);
            inputTimes = new H5Dataset<double[]>(fileDims: [(ulong)rows]);
            presentation["inputs"] = TimeSeries(inputData, inputTimes, "a.u.", ids.Next("stimulus/presentation/inputs"), "feedforward inputs x (columns x1..xM)");
        }

        var sourceScript = new H5Dataset(File.ReadAllText(Path.Combine(Path.GetDirectoryName(path)!, RunWriter.SpecCopyFile)));
        sourceScript.Attributes["file_name"] = RunWriter.SpecCopyFile;
        var file = new H5File
        {
            ["file_create_date"] = new[] { Epoch },
            ["identifier"] = identifier,
            ["session_description"] = $"LatentSpikes simulation of '{exp.Name}' ({result.Engine} engine, seed {exp.Settings.Seed}, {Num(result.SimulatedDuration)} tau of tau = {Num(exp.Settings.TauMs)} ms, status {result.Status.ToText()})",
            // Two datasets over two string instances, not one value twice: PureHDF writes a repeated object as a
            // hard link to the first, and pynwb then finds no timestamps_reference_time of its own ("argument missing").
            ["session_start_time"] = new H5Dataset(new string(Epoch.AsSpan())),
            ["timestamps_reference_time"] = new H5Dataset(new string(Epoch.AsSpan())),
            ["acquisition"] = new H5Group(),
            ["analysis"] = new H5Group(),
            ["processing"] = new H5Group { ["latents"] = module },
            ["stimulus"] = new H5Group { ["presentation"] = presentation, ["templates"] = new H5Group() },
            ["general"] = new H5Group
            {
                ["source_script"] = sourceScript,
                ["experiment_description"] = $"simulated with latentspikes {RunWriter.ToolVersion} from {provenance.SpecFile} (sha256 {provenance.SpecHash})",
            },
            ["units"] = unitsTable,
        };
        var specifications = CachedSpecifications();
        file["specifications"] = specifications;
        Typed(file, "NWBFile", "core", ids.Next("/"));
        file.Attributes["nwb_version"] = NwbVersion;
        file.Attributes[".specloc"] = new H5ObjectReference(specifications);

        using var writer = file.BeginWrite(path);
        // Buffers are reused across blocks and written through a memory selection of their valid part, so the
        // garbage collector never holds a growing pile of large arrays.
        var seconds = new double[RecordBlock];
        records.ForEachBlock(RecordBlock, (first, n, t, x, y) =>
        {
            for (int r = 0; r < n; r++)
            {
                seconds[r] = RunOutputWriter.ConvertedTime(t[r], toSeconds);
            }

            var rowSelection = new HyperslabSelection((ulong)first, (ulong)n);
            writer.Write(latentTimes, seconds, memorySelection: new HyperslabSelection(0, (ulong)n), fileSelection: rowSelection);
            writer.Write(latentData, y, memorySelection: new HyperslabSelection(0, (ulong)(n * records.Latents)), fileSelection: new HyperslabSelection(2, [(ulong)first, 0], [(ulong)n, (ulong)records.Latents]));
            if (inputData is not null)
            {
                writer.Write(inputTimes!, seconds, memorySelection: new HyperslabSelection(0, (ulong)n), fileSelection: rowSelection);
                writer.Write(inputData, x, memorySelection: new HyperslabSelection(0, (ulong)(n * records.Inputs)), fileSelection: new HyperslabSelection(2, [(ulong)first, 0], [(ulong)n, (ulong)records.Inputs]));
            }
        });

        WriteSpikeTimes(writer, spikeTimes, spikes, unitOffset, unitEnd, toSeconds, spikeBudget);
    }

    /// <summary>
    /// Fills the ragged spike_times column unit by unit. The spool is in time order, not unit order, so units are
    /// taken in blocks holding at most <paramref name="budget"/> spikes (or one unit) and the spool is scanned once per block.
    /// </summary>
    private static void WriteSpikeTimes(H5NativeWriter writer, H5Dataset<double[]> spikeTimes, SpikeSpool spool, int[] unitOffset, ulong[] unitEnd, decimal toSeconds, int budget)
    {
        int units = unitEnd.Length;
        var cursor = new long[units];
        var blocks = new List<(int First, int Last)>();
        long largest = 0;
        for (int first = 0; first < units;)
        {
            ulong start = first == 0 ? 0 : unitEnd[first - 1];
            int last = first;
            while (last + 1 < units && unitEnd[last + 1] - start <= (ulong)budget)
            {
                last++;
            }

            blocks.Add((first, last));
            largest = Math.Max(largest, (long)(unitEnd[last] - start));
            first = last + 1;
        }

        // One buffer for every pass (the largest block: at most the budget, or one unit with more spikes than that).
        var buffer = new double[largest];
        foreach (var (lo, hi) in blocks)
        {
            ulong start = lo == 0 ? 0 : unitEnd[lo - 1];
            long count = (long)(unitEnd[hi] - start);
            if (count == 0)
            {
                continue;
            }

            for (int u = lo; u <= hi; u++)
            {
                cursor[u] = (long)((u == 0 ? 0 : unitEnd[u - 1]) - start);
            }

            spool.ForEach((t, p, n) =>
            {
                int u = unitOffset[p] + n;
                if (u >= lo && u <= hi)
                {
                    buffer[cursor[u]++] = RunOutputWriter.ConvertedTime(t, toSeconds);
                }
            });
            writer.Write(spikeTimes, buffer, memorySelection: new HyperslabSelection(0, (ulong)count), fileSelection: new HyperslabSelection(start, (ulong)count));
        }
    }

    /// <summary>
    /// The schema cache pynwb writes and reads back (<c>/specifications/&lt;namespace&gt;/&lt;version&gt;/&lt;source&gt;</c>,
    /// each a JSON text): NWB core 2.6.0-alpha, hdmf-common 1.5.1 and hdmf-experimental 0.2.0, embedded as resources
    /// named <c>NwbSchema/&lt;namespace&gt;__&lt;version&gt;__&lt;source&gt;.json</c>.
    /// </summary>
    private static H5Group CachedSpecifications()
    {
        const string prefix = "NwbSchema/";
        var assembly = typeof(NwbWriter).Assembly;
        var root = new H5Group();
        foreach (string resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            string[] parts = resource[prefix.Length..^".json".Length].Split("__");
            if (!root.TryGetValue(parts[0], out var ns))
            {
                root[parts[0]] = ns = new H5Group();
            }

            var nsGroup = (H5Group)ns;
            if (!nsGroup.TryGetValue(parts[1], out var version))
            {
                nsGroup[parts[1]] = version = new H5Group();
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            ((H5Group)version)[parts[2]] = new H5Dataset(reader.ReadToEnd());
        }

        return root;
    }

    private static H5Group TimeSeries(H5Dataset<double[]> data, H5Dataset<double[]> timestamps, string unit, string objectId, string description)
    {
        data.Attributes["conversion"] = 1.0;
        data.Attributes["offset"] = 0.0;
        data.Attributes["resolution"] = -1.0;
        data.Attributes["unit"] = unit;
        timestamps.Attributes["interval"] = 1;
        timestamps.Attributes["unit"] = "seconds";
        var group = Typed(new H5Group { ["data"] = data, ["timestamps"] = timestamps }, "TimeSeries", "core", objectId);
        group.Attributes["description"] = description;
        group.Attributes["comments"] = "no comments";
        return group;
    }

    private static T Typed<T>(T obj, string type, string ns, string objectId)
        where T : H5Object
    {
        obj.Attributes["neurodata_type"] = type;
        obj.Attributes["namespace"] = ns;
        obj.Attributes["object_id"] = objectId;
        return obj;
    }

    /// <summary>A file identifier unique to the spec, settings and engine of the run (and the same for a rerun).</summary>
    private static string Identifier(SimulationResult result, RunProvenance provenance)
    {
        var s = result.Experiment.Settings;
        string key = $"{provenance.SpecHash}|{s.Seed}|{Num(s.Dt)}|{Num(s.Duration)}|{result.Engine}";
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return $"latentspikes-{result.Experiment.Name}-seed{s.Seed}-{hash[..16]}";
    }

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Deterministic UUID-formatted object ids (hdmf expects one per typed object), derived from the identifier and the object's path.</summary>
    private sealed class ObjectIds(string identifier)
    {
        public string Next(string objectPath)
        {
            byte[] h = SHA256.HashData(Encoding.UTF8.GetBytes(identifier + "#" + objectPath));
            h[6] = (byte)((h[6] & 0x0F) | 0x40); // version 4 layout
            h[8] = (byte)((h[8] & 0x3F) | 0x80); // RFC 4122 variant
            string x = Convert.ToHexStringLower(h.AsSpan(0, 16));
            return $"{x[..8]}-{x[8..12]}-{x[12..16]}-{x[16..20]}-{x[20..32]}";
        }
    }
}
