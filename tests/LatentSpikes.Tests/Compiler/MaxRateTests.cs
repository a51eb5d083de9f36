using LatentSpikes.Analysis;
using LatentSpikes.Construction;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Simulation;
using Xunit.Abstractions;

namespace LatentSpikes.Tests.Compiler;

/// <summary>
/// Issue 15, item 5: a compiled network whose every neuron stays under a biological rate. One neuron per boundary
/// piece fires at up to ≈ 125 spikes/τ; spreading each piece over copies that take turns (soft refractory cost)
/// keeps every neuron at or below the cap while the readout keeps its predicted accuracy.
/// </summary>
public class MaxRateTests(ITestOutputHelper output)
{
    [Fact]
    public void Without_a_cap_one_neuron_per_piece_fires_far_above_biological_rates()
    {
        var f = ExpressionFunction.Parse("sin(3*x) + 1.2", 1);
        var c = FunctionCompiler.Compile(x => f.Value(x), [(-1.0, 1.0)], new CompileOptions { Neurons = 20 });
        var rates = NeuronRates.Measure(new ClockDrivenEngine().Run(c.Experiment));
        output.WriteLine($"uncapped: {c.Experiment.Network.NeuronCount} neurons, peak {rates.PeakWindowRate:G3}, max {rates.Max:G3}");
        Assert.True(rates.PeakWindowRate > 20, $"peak {rates.PeakWindowRate:G3} spikes/τ");
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(5.0)]
    public void With_a_cap_no_neuron_exceeds_it_and_the_readout_keeps_its_predicted_accuracy(double cap)
    {
        var f = ExpressionFunction.Parse("sin(3*x) + 1.2", 1);
        var options = new CompileOptions { Neurons = 20, MaxRate = cap };
        var c = FunctionCompiler.Compile(x => f.Value(x), [(-1.0, 1.0)], options);
        var run = new ClockDrivenEngine().Run(c.Experiment);
        var rates = NeuronRates.Measure(run);
        var err = CompiledFunctionTracking.Measure(c, run);
        output.WriteLine($"cap {cap}: {c.Experiment.Network.NeuronCount} neurons, peak {rates.PeakWindowRate:G3}, max {rates.Max:G3}, mean {rates.Mean:G3}, CV {rates.Cv:G3}; error max {err.MaxError:G3}");
        Assert.True(rates.PeakWindowRate <= cap, $"a neuron fired at {rates.PeakWindowRate:G3} spikes/τ over ≥ 1 τ, above the cap {cap}");
        Assert.True(err.MaxError <= c.MaxApproximationError + (GraphCompiler.JumpAllowance * c.Ei.Precision), $"max |y_E − f| = {err.MaxError:G3}");

        // The neurons needed scale with the total rate over the cap: at least the peak rate / cap per population.
        Assert.True(c.Experiment.Network.NeuronCount >= c.Ei.PeakRatePerTau / cap, $"{c.Experiment.Network.NeuronCount} neurons for a peak of {c.Ei.PeakRatePerTau:G3} spikes/τ");
        Assert.Equal(20, c.Ei.Decomposition.Q.Pieces.Count + c.Ei.Decomposition.P.Pieces.Count);
    }

    [Fact]
    public void A_capped_composition_keeps_every_neuron_under_the_cap_and_every_output_within_its_prediction()
    {
        GraphNode Node(string name, string function, string input)
        {
            var fn = ExpressionFunction.ParseNamed(function, [input]);
            return new(name, u => fn.Value(u), [input], 24, function);
        }

        var graph = new FunctionGraph([new GraphInput("x", -1, 1)], [Node("g", "x^2 + 0.2", "x"), Node("h", "2 - sin(2*g)", "g"), Node("k", "0.5*h^2 + 0.1", "h")]);
        var c = GraphCompiler.Compile(graph, new CompileOptions { MaxRate = FunctionCompiler.DefaultMaxRate });
        Assert.True(c["g"].Relay!.Size > 1, "the relay is spread too");
        var run = new ClockDrivenEngine().Run(c.Experiment);
        var rates = NeuronRates.Measure(run);
        output.WriteLine($"{c.Experiment.Network.NeuronCount} neurons, peak {rates.PeakWindowRate:G3}, max {rates.Max:G3}");
        Assert.True(rates.PeakWindowRate <= FunctionCompiler.DefaultMaxRate, $"peak {rates.PeakWindowRate:G3} spikes/τ");
        var errors = CompiledGraphTracking.Measure(c, run);
        foreach (var node in c.Nodes)
        {
            Assert.True(errors[node.Node.Name].MaxError <= node.PredictedError, $"{node.Node.Name}: {errors[node.Node.Name].MaxError:G3} > {node.PredictedError:G3}");
        }
    }

    [Fact]
    public void The_rate_statistics_of_a_periodic_neuron_are_its_rate()
    {
        // One inhibitory neuron holding y_I at its threshold −0.1 against the leak fires periodically: each spike drops
        // y_I to −0.15 and the leak brings it back in ln(1.5) τ, a rate of 1/ln(1.5) ≈ 2.47 per τ.
        var spec = LatentSpikes.Specs.SpecReader.Parse("""
            simulation: {dt: 0.001, duration: 20, seed: 1}
            input: {kind: constant, value: 0}
            populations:
              - name: I
                kind: inhibitory
                thresholds: [-0.1]
                feedforward: [[0]]
                decoders: [-0.05]
                encoders: {y_I: 1}
            """, "periodic.yaml").Experiment;
        var run = new ClockDrivenEngine().Run(spec);
        var rates = NeuronRates.Measure(run, 1.0, from: 5);
        var times = SpikeTrains.OfPopulation(run, 0)[0].Where(t => t > 5).ToArray();
        double isi = (times[^1] - times[0]) / (times.Length - 1);
        Assert.True(times.Length > 5);
        Assert.Equal(1 / Math.Log(1.5), 1 / isi, 0.05);
        Assert.Equal(1 / isi, rates.PeakWindowRate, 0.02);
        Assert.Equal(0, rates.Cv, 9);
    }
}
