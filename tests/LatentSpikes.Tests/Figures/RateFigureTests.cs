using LatentSpikes.Figures;
using LatentSpikes.Figures.Figures;
using LatentSpikes.Geometry;
using LatentSpikes.Rate;

namespace LatentSpikes.Tests.Figures;

/// <summary>
/// The figures of §3.4-4 (Figs. 8-12) beyond their quick claims (which <see cref="FigureTests"/> checks): which claims
/// are measured and which stay pending (and why), and that the trial-parallel analyses they run give the same
/// numbers for any thread count.
/// </summary>
[Collection(RunAlone.Name)]
public sealed class RateFigureTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-ratefigures-" + Guid.NewGuid().ToString("N"));

    public RateFigureTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Figures_8_to_11_measure_every_claim_and_12b_alone_stays_pending()
    {
        foreach (string id in new[] { "8", "9", "10", "11" })
        {
            var figure = FigureRegistry.Select(id).Single();
            Assert.IsNotType<PendingFigure>(figure);
            Assert.Empty(figure.Pending);
        }

        var fig12 = FigureRegistry.Select("12").Single();
        var pending = Assert.Single(fig12.Pending);
        Assert.Equal("b", pending.Panel);
        Assert.Contains("saturates", pending.Needs, StringComparison.Ordinal);
    }

    [Fact]
    public void The_reason_12b_is_pending_holds_the_rate_twin_of_the_saw_network_cannot_reach_the_crossing()
    {
        // Eq. 4.6 caps each twin unit at 1/τ_s, so ȳ_E ≤ Σ D^E/τ_sE and |ȳ_I| ≤ Σ|D^I|/τ_sI; the crossing the saw asks
        // for lies above both ceilings over part of the input range, so the twin of this network cannot follow it
        // (Fig12SlowEi.Pending). Its spiking neurons get there by firing faster than 1/τ_s (overlapping pulses).
        var exp = FigureKit.Example("fig12a-slow-ei-saw.yaml").Experiment;
        var geometry = EiBoundaries.Create(exp.Network);
        double Ceiling(Model.Population p) => p.Decoders.Sum(Math.Abs) / RateTwin.SynapseTau(p, exp.Settings.Dt);
        double ceilingE = Ceiling(geometry.Excitatory);
        double ceilingI = Ceiling(geometry.Inhibitory);
        Assert.Equal(0.26, ceilingE, 2);
        Assert.Equal(2.82, ceilingI, 2);
        var crossings = FigureKit.Linspace(0, 10, 201).Select(geometry.Crossing).OfType<EiCrossing>().ToArray();
        Assert.Equal(1.75, crossings.Max(c => c.YE), 2);
        Assert.Equal(5.42, crossings.Max(c => -c.YI), 2);

        // After its initial transient (it starts at the crossing of x = 0) the twin stays under both ceilings.
        var twin = new RateEngine().Run(exp);
        var settled = Enumerable.Range(0, twin.Times.Count).Where(k => twin.Times[k] >= Fig12SlowEi.Settle).ToArray();
        Assert.True(settled.Max(k => twin.Latent(geometry.ExcitatoryLatent)[k]) <= ceilingE + 1e-9);
        Assert.True(settled.Max(k => -twin.Latent(geometry.InhibitoryLatent)[k]) <= ceilingI + 1e-9);
    }

    [Theory]
    [InlineData("8")]
    [InlineData("10")]
    public void A_figure_with_trial_batches_gives_the_same_claims_on_one_thread_and_on_two(string id)
    {
        var figure = FigureRegistry.Select(id).Single();
        var one = figure.Run(new FigureContext(Path.Combine(_dir, "one"), quick: true, threads: 1));
        var two = figure.Run(new FigureContext(Path.Combine(_dir, "two"), quick: true, threads: 2));
        Assert.Equal(one.Select(c => c.Measured), two.Select(c => c.Measured));
        Assert.Equal(one.Select(c => c.Statement), two.Select(c => c.Statement));
    }
}
