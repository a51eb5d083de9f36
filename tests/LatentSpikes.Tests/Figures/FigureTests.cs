using System.Text.Json;
using LatentSpikes.Figures;

namespace LatentSpikes.Tests.Figures;

/// <summary>
/// Every figure's --quick path: its claims (the paper's quantitative statements, with the tolerances justified in each
/// figure) hold and its files exist.
/// </summary>
[Collection(RunAlone.Name)]
public sealed class FigureTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-figures-" + Guid.NewGuid().ToString("N"));

    public FigureTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    public static TheoryData<string> ImplementedFigures()
    {
        var data = new TheoryData<string>();
        foreach (var f in FigureRegistry.All.Where(f => f is not PendingFigure))
        {
            data.Add(f.Id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ImplementedFigures))]
    public void Quick_run_holds_every_claim_and_writes_figure_data_and_spec(string id)
    {
        var figure = FigureRegistry.Select(id).Single();
        var result = FigureRunner.RunOne(figure, _dir, quick: true);

        Assert.NotEmpty(result.Claims);
        var failed = result.Claims.Where(c => !c.Pass).Select(c => $"{c.Statement}: measured {c.Measured}, expected {c.Expected}").ToArray();
        Assert.True(failed.Length == 0, $"Fig. {id}: " + string.Join(" | ", failed));

        string folder = FigureRegistry.FolderOf(id);
        Assert.Contains($"{folder}/{folder}.png", result.Files);
        Assert.Contains($"{folder}/{folder}.svg", result.Files);
        Assert.Contains(result.Files, f => f.EndsWith(".csv", StringComparison.Ordinal));
        if (id != "S3")
        {
            // Fig. S3 is pure construction (no network is simulated); every other figure writes the specs it ran.
            Assert.Contains(result.Files, f => f.EndsWith(".yaml", StringComparison.Ordinal));
        }
        foreach (string file in result.Files)
        {
            Assert.True(new FileInfo(Path.Combine(_dir, file)).Length > 0, file);
        }

        byte[] png = File.ReadAllBytes(Path.Combine(_dir, folder, folder + ".png"));
        Assert.Equal(PngSignature, png[..8]);
        Assert.StartsWith("<?xml", File.ReadAllText(Path.Combine(_dir, folder, folder + ".svg")).TrimStart(), StringComparison.Ordinal);

        // Every spec a figure writes is an ordinary spec: it reads back and validates.
        foreach (string spec in result.Files.Where(f => f.EndsWith(".yaml", StringComparison.Ordinal)))
        {
            var loaded = LatentSpikes.Specs.SpecReader.LoadFile(Path.Combine(_dir, spec));
            Assert.NotNull(loaded.Experiment);
        }
    }

    [Fact]
    public void Every_figure_example_is_an_embedded_valid_spec()
    {
        var names = FigureKit.ExampleNames();
        Assert.Contains("fig2-inhibitory-boundary.yaml", names);
        Assert.Contains("fig12c-slow-ei-saw.yaml", names);
        foreach (string name in names)
        {
            Assert.NotNull(FigureKit.Example(name).Experiment);
        }

        var e = Assert.Throws<ArgumentException>(() => FigureKit.Example("nope.yaml"));
        Assert.Contains("nope.yaml", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quick_figure_is_deterministic()
    {
        var figure = FigureRegistry.Select("7").Single();
        var first = FigureRunner.RunOne(figure, Path.Combine(_dir, "a"), quick: true);
        var second = FigureRunner.RunOne(figure, Path.Combine(_dir, "b"), quick: true);
        Assert.Equal(first.Claims.Select(c => c.Measured), second.Claims.Select(c => c.Measured));
        Assert.Equal(
            File.ReadAllText(Path.Combine(_dir, "a", "fig07", "nullspace.csv")),
            File.ReadAllText(Path.Combine(_dir, "b", "fig07", "nullspace.csv")));
    }

    [Fact]
    public void A_failing_claim_is_listed_as_FAIL_and_a_throwing_figure_becomes_a_failed_claim()
    {
        var figures = new IFigure[] { new FakeFigure("2", pass: false), new ThrowingFigure() };
        var results = FigureRunner.Run(figures, _dir, quick: true, parallelism: 1);

        Assert.False(results[0].AllPass);
        var thrown = Assert.Single(results[1].Claims);
        Assert.False(thrown.Pass);
        Assert.Contains("no such network", thrown.Measured, StringComparison.Ordinal);
        string md = File.ReadAllText(Path.Combine(_dir, FigureRunner.ClaimsMarkdown));
        Assert.Contains("**FAIL**", md, StringComparison.Ordinal);
        Assert.Contains("Claims: 0 pass, 2 fail, 0 pending", md, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, FigureRunner.ClaimsJson)));
        Assert.Equal(2, json.RootElement.GetProperty("failed").GetInt32());
    }

    [Fact]
    public void Pending_figures_are_listed_as_pending_never_as_pass()
    {
        IFigure[] pending =
        [
            new PendingFigure("9", "a figure still being built", [new("9", "a", "a claim", "a missing piece")]),
            new PendingFigure("11", "another", [new("11", "e", "another claim", "another piece")]),
        ];
        var results = FigureRunner.Run(pending, _dir, quick: true);
        Assert.All(results, r => Assert.Empty(r.Claims));
        Assert.All(results, r => Assert.NotEmpty(r.Pending));
        string md = File.ReadAllText(Path.Combine(_dir, FigureRunner.ClaimsMarkdown));
        Assert.Contains("PENDING", md, StringComparison.Ordinal);
        Assert.DoesNotContain("| PASS |", md, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "fig09")));
    }

    private sealed class FakeFigure(string id, bool pass) : IFigure
    {
        public string Id => id;

        public string Title => "fake";

        public IReadOnlyList<PendingClaim> Pending => [];

        public IReadOnlyList<ClaimResult> Run(FigureContext context) =>
            [ClaimResult.AtLeast(Id, "a", "a claim", pass ? 1 : 0, 1, "test")];
    }

    private sealed class ThrowingFigure : IFigure
    {
        public string Id => "3";

        public string Title => "throws";

        public IReadOnlyList<PendingClaim> Pending => [];

        public IReadOnlyList<ClaimResult> Run(FigureContext context) => throw new InvalidOperationException("no such network");
    }
}
