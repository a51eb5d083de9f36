using System.Globalization;
using System.Text.Json;
using LatentSpikes.IO;
using LatentSpikes.Simulation;
using PureHDF;

namespace LatentSpikes.Tests.IO;

/// <summary>
/// Issue 9: a run streamed to disk in chunks writes exactly the bytes of the in-memory run, in every format; the NWB
/// and SONATA files read back (through PureHDF's reader) to the run's spikes and latents.
/// </summary>
public sealed class RunFormatsTests : IDisposable
{
    private const RunFormats All = RunFormats.Csv | RunFormats.Npy | RunFormats.Nwb | RunFormats.Sonata;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-formats-" + Guid.NewGuid().ToString("N"));

    public RunFormatsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// Examples covering the delta path (fig2), the general slow-synapse path (fig10), an exploding run (fig3) and two
    /// populations with inputs (fig8). Chunks of 7 records and 5 spikes put many chunk boundaries inside each run.
    /// </summary>
    [Theory]
    [InlineData("fig2-inhibitory-boundary.yaml")]
    [InlineData("fig10-slow-synapses.yaml")]
    [InlineData("fig3-excitatory-boundary.yaml")]
    [InlineData("fig8-balanced-ei.yaml")]
    public void A_streamed_run_writes_the_same_bytes_as_the_in_memory_run(string example)
    {
        var loaded = TestData.LoadExample(example);
        var provenance = new RunProvenance(loaded.File, loaded.Hash);
        var inMemory = new ClockDrivenEngine().Run(loaded.Experiment);
        string expected = Subdir("memory");
        RunWriter.WriteAll(inMemory, provenance, expected, All);

        string actual = Subdir("streamed");
        var engine = new ClockDrivenEngine { RecordChunk = 7, SpikeChunk = 5 };
        SimulationResult streamed;
        using (var writer = new RunOutputWriter(loaded.Experiment, actual, All) { NwbSpikeBudget = 11, SonataSpikeBudget = 6 })
        {
            streamed = engine.Run(loaded.Experiment, writer);
            writer.Complete(streamed, provenance);
        }

        Assert.True(streamed.Streamed);
        Assert.Empty(streamed.Spikes);
        Assert.Empty(streamed.Times);
        Assert.Equal(inMemory.Spikes.Count, streamed.TotalSpikes);
        Assert.Equal(inMemory.Status, streamed.Status);
        Assert.Throws<InvalidOperationException>(() => streamed.Latent(loaded.Experiment.Network.Latents[0].Name));
        string[] names = Directory.GetFiles(expected).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal([.. RunFormatNames.Files.Concat(["spec.yaml", "summary.json"]).Order(StringComparer.Ordinal)], names);
        Assert.Equal(names, Directory.GetFiles(actual).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        foreach (string name in names)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(expected, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, name))), $"{example}: {name} differs");
        }
    }

    /// <summary>The writer's CSVs and summary equal what the original whole-result writers produce from the same result.</summary>
    [Fact]
    public void The_output_writer_reproduces_the_whole_result_csv_and_summary_writers()
    {
        var loaded = TestData.LoadExample("fig8-balanced-ei.yaml");
        var provenance = new RunProvenance(loaded.File, loaded.Hash);
        var result = new ClockDrivenEngine().Run(loaded.Experiment);
        string dir = Subdir("writer");
        RunWriter.WriteAll(result, provenance, dir);
        string reference = Subdir("reference");
        RunWriter.WriteLatents(result, Path.Combine(reference, "latents.csv"));
        RunWriter.WriteSpikes(result, Path.Combine(reference, "spikes.csv"));
        RunWriter.WriteSummary(result, provenance, Path.Combine(reference, "summary.json"));

        foreach (string name in new[] { "latents.csv", "spikes.csv", "summary.json" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(reference, name)), File.ReadAllText(Path.Combine(dir, name)));
        }
    }

    [Fact]
    public void The_nwb_file_has_the_required_metadata_and_reads_back_to_the_run()
    {
        var (result, dir) = WriteFig8(RunFormats.Nwb);
        var exp = result.Experiment;
        using var file = H5File.OpenRead(Path.Combine(dir, RunOutputWriter.NwbFile));
        double Seconds(double t) => Exact(t, exp.Settings.TauMs, 1000);

        Assert.Equal("NWBFile", file.Attribute("neurodata_type").Read<string>());
        Assert.Equal("core", file.Attribute("namespace").Read<string>());
        Assert.Equal("2.6.0", file.Attribute("nwb_version").Read<string>());
        foreach (string name in new[] { "identifier", "session_description", "session_start_time", "timestamps_reference_time" })
        {
            Assert.False(string.IsNullOrWhiteSpace(file.Dataset(name).Read<string>()), name);
        }

        Assert.Single(file.Dataset("file_create_date").Read<string[]>());
        foreach (string group in new[] { "acquisition", "analysis", "processing", "stimulus/presentation", "stimulus/templates", "general" })
        {
            Assert.True(file.LinkExists(group), group);
        }

        Assert.Contains("populations:", file.Dataset("general/source_script").Read<string>(), StringComparison.Ordinal);

        // Units: unit u = neuron n of population p in spec order; its spikes are spike_times[index[u-1]:index[u]].
        var units = file.Group("units");
        Assert.Equal("Units", units.Attribute("neurodata_type").Read<string>());
        Assert.Equal(["spike_times", "population", "neuron"], units.Attribute("colnames").Read<string[]>());
        Assert.Equal("VectorIndex", units.Dataset("spike_times_index").Attribute("neurodata_type").Read<string>());
        ulong[] index = units.Dataset("spike_times_index").Read<ulong[]>();
        double[] times = units.Dataset("spike_times").Read<double[]>();
        string[] population = units.Dataset("population").Read<string[]>();
        long[] neuron = units.Dataset("neuron").Read<long[]>();
        Assert.Equal(exp.Network.NeuronCount, index.Length);
        Assert.Equal(result.Spikes.Count, times.Length);
        int u = 0;
        ulong start = 0;
        for (int p = 0; p < exp.Network.Populations.Count; p++)
        {
            for (int n = 0; n < exp.Network.Populations[p].Size; n++, u++)
            {
                Assert.Equal(exp.Network.Populations[p].Name, population[u]);
                Assert.Equal(n, neuron[u]);
                double[] expected = result.Spikes.Where(s => s.Population == p && s.Neuron == n).Select(s => Seconds(s.Time)).ToArray();
                Assert.Equal(expected, times[(int)start..(int)index[u]]);
                start = index[u];
            }
        }

        var data = file.Dataset("processing/latents/latents/data");
        Assert.Equal([(ulong)result.Times.Count, (ulong)exp.Network.Latents.Count], data.Space.Dimensions);
        Assert.Equal(result.LatentsFlat, data.Read<double[]>());
        Assert.Equal(result.Times.Select(Seconds), file.Dataset("processing/latents/latents/timestamps").Read<double[]>());
        Assert.Equal(result.InputsFlat, file.Dataset("stimulus/presentation/inputs/data").Read<double[]>());
    }

    /// <summary>
    /// Issue 14: pynwb reads the schema a file declares from its cache (<c>/specifications</c>, pointed to by the root's
    /// <c>.specloc</c>); each cached source is the JSON text pynwb 2.3.0 writes, for the core version the file claims.
    /// (CI opens and validates the files with pynwb itself: .ci/readback.py.)
    /// </summary>
    [Fact]
    public void The_nwb_file_caches_the_schema_it_follows()
    {
        var (_, dir) = WriteFig8(RunFormats.Nwb);
        using var file = H5File.OpenRead(Path.Combine(dir, RunOutputWriter.NwbFile));
        Assert.True(file.AttributeExists(".specloc"));
        var specifications = file.Group("specifications");
        foreach (var (ns, version, sources) in new[]
        {
            ("core", "2.6.0-alpha", new[] { "nwb.base", "nwb.file", "nwb.misc", "nwb.ecephys" }),
            ("hdmf-common", "1.5.1", new[] { "base", "table", "sparse" }),
            ("hdmf-experimental", "0.2.0", new[] { "experimental", "resources" }),
        })
        {
            var group = specifications.Group(ns).Group(version);
            using var namespaceDoc = JsonDocument.Parse(group.Dataset("namespace").Read<string>());
            var declared = namespaceDoc.RootElement.GetProperty("namespaces")[0];
            Assert.Equal(ns, declared.GetProperty("name").GetString());
            Assert.Equal(version, declared.GetProperty("version").GetString());
            foreach (string source in sources)
            {
                using var doc = JsonDocument.Parse(group.Dataset(source).Read<string>());
                Assert.True(doc.RootElement.EnumerateObject().Any(), $"{ns}/{version}/{source} is empty");
            }
        }

        // The core schema defines the types the file uses.
        string core = specifications.Group("core").Group("2.6.0-alpha").Dataset("nwb.misc").Read<string>();
        Assert.Contains("\"Units\"", core, StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 14: converted times carry no float noise: each is the double nearest the exact decimal product of the
    /// written time (τ, 10 decimals) and the unit factor (τ_ms/1000 for s, τ_ms for ms), e.g. 0.0030 s, not
    /// 0.0030000000000000005. Checked against a product computed from the decimal text, not the writer's arithmetic.
    /// </summary>
    [Theory]
    [InlineData(0.3, 10.0, 1000)]
    [InlineData(12.345, 20.0, 1000)]
    [InlineData(0.7, 10.0, 1)]
    [InlineData(1234.5678901234, 12.5, 1000)]
    public void Converted_times_are_the_doubles_nearest_the_decimal_products(double t, double tauMs, int divisor)
    {
        double converted = RunOutputWriter.ConvertedTime(t, (decimal)tauMs / divisor);
        Assert.Equal(Exact(t, tauMs, divisor), converted);
    }

    [Fact]
    public void A_time_whose_plain_product_is_noisy_converts_to_its_decimal_value()
    {
        // 0.7 τ at τ = 10 ms: 0.7 * (10 / 1000.0) is 0.006999999999999999 in doubles; the writer gives 0.007 s.
        Assert.NotEqual(0.007, 0.7 * (10 / 1000.0));
        Assert.Equal(0.007, RunOutputWriter.ConvertedTime(0.7, 10m / 1000m));
    }

    /// <summary>The double nearest (written time as decimal text) × τ_ms / divisor, computed from text.</summary>
    private static double Exact(double t, double tauMs, int divisor)
    {
        decimal written = decimal.Parse(RunOutputWriter.CsvTime(t).ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
        decimal tau = decimal.Parse(tauMs.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.Parse((written * tau / divisor).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    [Fact]
    public void The_sonata_report_holds_each_population_s_spikes_in_ms_sorted_by_time()
    {
        var (result, dir) = WriteFig8(RunFormats.Sonata);
        using var file = H5File.OpenRead(Path.Combine(dir, RunOutputWriter.SonataFile));
        for (int p = 0; p < result.Experiment.Network.Populations.Count; p++)
        {
            var group = file.Group("spikes").Group(result.Experiment.Network.Populations[p].Name);
            var spikes = result.Spikes.Where(s => s.Population == p).ToArray();
            Assert.True(spikes.Length > 0);
            var timestamps = group.Dataset("timestamps");
            Assert.Equal("ms", timestamps.Attribute("units").Read<string>());
            Assert.Equal(spikes.Select(s => Exact(s.Time, result.Experiment.Settings.TauMs, 1)), timestamps.Read<double[]>());
            Assert.Equal(spikes.Select(s => (ulong)s.Neuron), group.Dataset("node_ids").Read<ulong[]>());
            Assert.Equal(H5DataTypeClass.Enumerated, group.Attribute("sorting").Type.Class);
        }
    }

    /// <summary>A streamed run keeps a copy for its figure only while it is small; past the limit the copy is dropped.</summary>
    [Theory]
    [InlineData(1_000_000, true)]
    [InlineData(10, false)]
    public void The_figure_copy_is_the_whole_run_or_nothing(int limit, bool kept)
    {
        var loaded = TestData.LoadExample("fig2-inhibitory-boundary.yaml");
        var inMemory = new ClockDrivenEngine().Run(loaded.Experiment);
        using var writer = new RunOutputWriter(loaded.Experiment, Subdir("figure"), RunFormats.None, keepForFigure: true) { FigureSpikes = limit };
        var streamed = new ClockDrivenEngine { RecordChunk = 100, SpikeChunk = 3 }.Run(loaded.Experiment, writer);
        writer.Complete(streamed, new RunProvenance(loaded.File, loaded.Hash));

        Assert.True(inMemory.Spikes.Count > 10);
        if (!kept)
        {
            Assert.Null(writer.FigureResult);
            return;
        }

        var figure = Assert.IsType<SimulationResult>(writer.FigureResult);
        Assert.False(figure.Streamed);
        Assert.Equal(inMemory.Spikes, figure.Spikes);
        Assert.Equal(inMemory.Times, figure.Times);
        Assert.Equal(inMemory.LatentsFlat, figure.LatentsFlat);
        Assert.Equal(inMemory.InputsFlat, figure.InputsFlat);
    }

    [Theory]
    [InlineData("csv", RunFormats.Csv)]
    [InlineData("npy, NWB,sonata", RunFormats.Npy | RunFormats.Nwb | RunFormats.Sonata)]
    [InlineData("csv,csv", RunFormats.Csv)]
    public void Format_lists_parse(string text, RunFormats expected) => Assert.Equal(expected, RunFormatNames.Parse(text));

    [Theory]
    [InlineData("hdf5", "unknown format 'hdf5'")]
    [InlineData("csv,", "unknown format ''")]
    public void Unknown_formats_are_named(string text, string message) =>
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => RunFormatNames.Parse(text)).Message, StringComparison.Ordinal);

    private (SimulationResult Result, string Dir) WriteFig8(RunFormats formats)
    {
        var loaded = TestData.LoadExample("fig8-balanced-ei.yaml");
        var result = new ClockDrivenEngine().Run(loaded.Experiment);
        string dir = Subdir(formats.ToString());
        using var writer = new RunOutputWriter(loaded.Experiment, dir, formats) { NwbSpikeBudget = 17, SonataSpikeBudget = 9 };
        RecordingReplay.Replay(result, writer);
        writer.Complete(result, new RunProvenance(loaded.File, loaded.Hash));
        return (result, dir);
    }

    private string Subdir(string name)
    {
        string dir = Path.Combine(_dir, name);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
