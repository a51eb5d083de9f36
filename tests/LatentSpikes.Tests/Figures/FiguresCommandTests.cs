using System.Text.Json;
using LatentSpikes.Figures;
using static LatentSpikes.Tests.Cli.CliRunner;

namespace LatentSpikes.Tests.Figures;

/// <summary><c>latentspikes figures</c>: --only parsing, errors, outputs and the claim table.</summary>
[Collection(RunAlone.Name)]
public sealed class FiguresCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-figures-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("5,8", new[] { "5", "8" })]
    [InlineData(" 8 , 5 ", new[] { "5", "8" })]
    [InlineData("fig05,figS1", new[] { "5", "S1" })]
    [InlineData("s2,12,02", new[] { "2", "12", "S2" })]
    [InlineData("5,5", new[] { "5" })]
    public void Only_selects_figures_in_paper_order(string only, string[] ids) =>
        Assert.Equal(ids, FigureRegistry.Select(only).Select(f => f.Id));

    [Fact]
    public void No_selection_means_every_figure() =>
        Assert.Equal(FigureRegistry.All, FigureRegistry.Select(null));

    [Theory]
    [InlineData("13")]
    [InlineData("S9")]
    [InlineData("five")]
    [InlineData("5,,8")]
    public void A_bad_selection_names_the_problem_and_the_known_ids(string only)
    {
        var e = Assert.Throws<FigureSelectionException>(() => FigureRegistry.Select(only));
        Assert.Contains(FigureRegistry.KnownIds, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_figure_on_the_command_line_is_a_one_line_error_listing_known_ids()
    {
        var (code, _, err) = Run("figures", "--only", "5,42", "--out", _dir, "--quick");
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("unknown figure '42'", err, StringComparison.Ordinal);
        Assert.Contains("known: 2, 3, 4", err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir));
    }

    [Fact]
    public void Quick_run_writes_figures_and_the_claim_table()
    {
        var (code, stdout, err) = Run("figures", "--only", "2,S3,12", "--out", _dir, "--quick", "--strict");
        Assert.True(code == 0, err);
        Assert.Contains("Fig. 2: pass", stdout, StringComparison.Ordinal);
        Assert.Contains("Fig. 12: pass (3/3 claims, 1 pending)", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "fig02", "fig02.png")));
        Assert.True(File.Exists(Path.Combine(_dir, "figS3", "figS3.svg")));
        Assert.True(File.Exists(Path.Combine(_dir, "fig02", "spec.yaml")));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "claims.json")));
        var figures = json.RootElement.GetProperty("figures").EnumerateArray().Select(f => f.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(new[] { "2", "12", "S3" }, figures);
        Assert.Equal(0, json.RootElement.GetProperty("failed").GetInt32());
        Assert.True(json.RootElement.GetProperty("quick").GetBoolean());
        string md = File.ReadAllText(Path.Combine(_dir, "claims.md"));
        Assert.Contains("| 2 |", md, StringComparison.Ordinal);
        Assert.Contains("PENDING", md, StringComparison.Ordinal);
    }
}
