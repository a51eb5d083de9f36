using LatentSpikes.Engines;

namespace LatentSpikes.Tests.Engine;

/// <summary>The engine catalog: the one place engines are found by name, with what each supports.</summary>
public class EngineCatalogTests
{
    [Fact]
    public void The_catalog_lists_the_engines_default_first_and_makes_them_by_name()
    {
        Assert.Equal(["clock", "event", "rate"], EngineCatalog.Names);
        Assert.Equal("clock, event, rate", EngineCatalog.NameList);
        foreach (var entry in EngineCatalog.All)
        {
            Assert.Equal(entry.Name, entry.Create(1, 0).Name);
        }

        var e = Assert.Throws<ArgumentException>(() => EngineCatalog.Get("euler"));
        Assert.Contains("unknown engine 'euler' (known: clock, event, rate)", e.Message, StringComparison.Ordinal);
        Assert.False(EngineCatalog.TryGet(null, out _));
    }

    [Fact]
    public void Capabilities_say_what_each_engine_does()
    {
        Assert.True(EngineCatalog.Get("clock").Has(EngineCapabilities.Spikes | EngineCapabilities.Streaming | EngineCapabilities.Trials));
        Assert.True(EngineCatalog.Get("event").Has(EngineCapabilities.ExactSpikeTimes));
        Assert.True(EngineCatalog.Get("rate").Has(EngineCapabilities.Rates));
        Assert.False(EngineCatalog.Get("rate").Has(EngineCapabilities.Spikes));
    }

    [Fact]
    public void The_support_check_gives_the_event_engine_s_reason()
    {
        var exp = TestData.LoadExample("fig10-slow-synapses.yaml").Experiment;
        Assert.Null(EngineCatalog.Get("clock").Check(exp));
        Assert.False(string.IsNullOrEmpty(EngineCatalog.Get("event").Check(exp)));
    }

    [Theory]
    [InlineData("clock")]
    [InlineData("event")]
    public void Trials_from_the_catalog_equal_single_runs_of_each_trial(string name)
    {
        var noisy = TestData.LoadExample("fig6-noisy-inhibitory.yaml").Experiment;
        var exp = noisy.WithSettings(noisy.Settings with { Duration = 3 });
        var entry = EngineCatalog.Get(name);
        var trials = entry.RunTrials(exp, 3, threads: 2);
        for (int r = 0; r < 3; r++)
        {
            var single = entry.Create(1, (ulong)r).Run(exp);
            Assert.Equal(single.Spikes, trials[r].Spikes);
            Assert.Equal(single.LatentsFlat, trials[r].LatentsFlat);
        }

        Assert.NotEqual(trials[0].Spikes, trials[1].Spikes);
    }
}
