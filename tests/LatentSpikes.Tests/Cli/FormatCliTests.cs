using LatentSpikes.IO;
using static LatentSpikes.Tests.Cli.CliRunner;

namespace LatentSpikes.Tests.Cli;

/// <summary><c>simulate --format</c>: which files a run writes, and one-line errors for formats it cannot write.</summary>
public sealed class FormatCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-format-cli-" + Guid.NewGuid().ToString("N"));

    public FormatCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Every_format_writes_its_files_and_a_rerun_with_fewer_formats_removes_the_others()
    {
        string spec = TestData.Example("fig2-inhibitory-boundary.yaml");
        string outDir = Path.Combine(_dir, "run");

        var all = Run("simulate", spec, "--out", outDir, "--no-plot", "--format", "csv,npy,nwb,sonata");
        Assert.Equal(0, all.Code);
        Assert.Equal([.. RunFormatNames.Files.Concat(["spec.yaml", "summary.json"]).Order(StringComparer.Ordinal)], Files(outDir));

        var csv = Run("simulate", spec, "--out", outDir, "--no-plot");
        Assert.Equal(0, csv.Code);
        Assert.Equal(["latents.csv", "spec.yaml", "spikes.csv", "summary.json"], Files(outDir));

        var npy = Run("simulate", spec, "--out", outDir, "--no-plot", "--format", "npy");
        Assert.Equal(0, npy.Code);
        Assert.Equal([.. RunOutputWriter.NpyFiles.Concat(["spec.yaml", "summary.json"]).Order(StringComparer.Ordinal)], Files(outDir));
    }

    /// <summary>The event engine runs in memory and is replayed into the same writers: its arrays equal its CSVs.</summary>
    [Fact]
    public void The_event_engine_writes_the_same_formats()
    {
        string outDir = Path.Combine(_dir, "event");
        var r = Run("simulate", TestData.Example("ei-rank2-quadratic.yaml"), "--engine", "event", "--out", outDir, "--format", "csv,npy,sonata");

        Assert.Equal(0, r.Code);
        Assert.True(File.Exists(Path.Combine(outDir, "latents.png")));
        Assert.True(File.Exists(Path.Combine(outDir, RunOutputWriter.SonataFile)));
        string[] csv = File.ReadAllLines(Path.Combine(outDir, "spikes.csv"))[1..];
        var (_, _, shape, data) = IO.NpyWriterTests.Parse(File.ReadAllBytes(Path.Combine(outDir, "spike_times.npy")));
        Assert.Equal([(long)csv.Length], shape);
        Assert.True(csv.Length > 0);
        for (int i = 0; i < csv.Length; i++)
        {
            double t = double.Parse(csv[i].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(t, BitConverter.ToDouble(data, i * 8));
        }
    }

    [Theory]
    [InlineData(new[] { "--format", "csv,parquet" }, "--format: unknown format 'parquet' (known: csv, npy, nwb, sonata")]
    [InlineData(new[] { "--format", "nwb", "--trials", "2" }, "--format: a multi-trial run (--trials > 1) writes csv only")]
    public void Formats_it_cannot_write_are_a_one_line_error_and_nothing_is_written(string[] options, string expected)
    {
        string outDir = Path.Combine(_dir, "bad");
        var r = Run(["simulate", TestData.Example("fig2-inhibitory-boundary.yaml"), "--out", outDir, "--no-plot", .. options]);

        Assert.Equal(1, r.Code);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    private static string[] Files(string dir) =>
        Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
}
