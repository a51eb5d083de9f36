using LatentSpikes.Construction;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Model;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;
using Xunit.Abstractions;

namespace LatentSpikes.Tests.Compiler;

/// <summary>
/// Issue 15: vector functions (P E-I modules on the same inputs) and composition graphs (modules reading each other's
/// excitatory latents through Dale's-law encoders, with an inhibitory relay for negative slopes). Every output must
/// track its composed target within the error the compiler predicts for it.
/// </summary>
public class GraphCompilerTests(ITestOutputHelper output)
{
    private static GraphNode Node(string name, string function, string[] inputs, int? neurons = null)
    {
        var f = ExpressionFunction.ParseNamed(function, inputs);
        return new(name, u => f.Value(u), inputs, neurons, function);
    }

    private static FunctionGraph Graph(params GraphNode[] nodes) => new([new GraphInput("x", -1, 1)], nodes);

    private IReadOnlyDictionary<string, TrackingError> RunAndCheck(CompiledGraph c)
    {
        var run = new ClockDrivenEngine().Run(c.Experiment);
        Assert.Equal(SimulationStatus.Completed, run.Status);
        var errors = CompiledGraphTracking.Measure(c, run);
        foreach (var node in c.Nodes)
        {
            var e = errors[node.Node.Name];
            output.WriteLine($"{node.Node.Name}: predicted {node.PredictedError:G3}, max {e.MaxError:G3}, mean {e.MeanError:G3}, rms {e.RmsError:G3}, neurons {node.NeuronCount}, relay {node.Relay?.Size ?? 0}");
        }

        foreach (var node in c.Nodes)
        {
            var e = errors[node.Node.Name];
            Assert.True(e.MaxError <= node.PredictedError, $"{node.Node.Name}: max |y − target| = {e.MaxError:G3} > predicted {node.PredictedError:G3}");
        }

        return errors;
    }

    [Fact]
    public void Every_output_of_a_vector_function_tracks_its_target_within_the_predicted_error()
    {
        // Polar to Cartesian of a bounded angle, shifted to be non-negative: (r cos θ + 1, r sin θ + 1).
        string[] vars = ["x1", "x2"];
        var fs = new[] { "x1*cos(x2) + 1", "x1*sin(x2) + 1" }
            .Select((e, p) =>
            {
                var f = ExpressionFunction.ParseNamed(e, vars);
                return ($"f{p + 1}", (Func<double[], double>)(u => f.Value(u)), e);
            })
            .ToArray();
        var c = GraphCompiler.CompileVector(fs, [(0.2, 1.0), (-1.0, 1.0)], new CompileOptions { Neurons = 72 });
        Assert.Equal(["y_f1", "y_f2"], c.Nodes.Select(n => n.OutputLatent));
        Assert.Equal(4, c.Experiment.Network.Populations.Count);
        RunAndCheck(c);
    }

    [Fact]
    public void A_depth_3_composition_tracks_the_composed_function()
    {
        var c = GraphCompiler.Compile(
            Graph(
                Node("g", "x^2 + 0.2", ["x"], 24),
                Node("h", "2 - sin(2*g)", ["g"], 24),
                Node("k", "0.5*h^2 + 0.1", ["h"], 24)),
            new CompileOptions());
        Assert.Equal([1, 2, 3], c.Nodes.Select(n => n.Depth));
        RunAndCheck(c);
    }
}
