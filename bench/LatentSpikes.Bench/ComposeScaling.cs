using System.Diagnostics;
using System.Globalization;
using LatentSpikes.Analysis;
using LatentSpikes.Construction;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Bench;

/// <summary>
/// `compose-scaling` (issue 15): the tables of docs/compiler.md for composed networks. (1) depth × neurons per node →
/// predicted and simulated error of the deepest node of the chain g = x² + 0.2, h = 2 − sin(2g), k = 0.5·h² + 0.1;
/// (2) the rate cap → neurons used, measured per-neuron peak rate and error; (3) simulation cost of a rank-16 network
/// of N ≈ 10⁵ neurons (8 compiled E-I modules), per neuron-step, O(N·K) with no N×N matrix.
/// </summary>
public static class ComposeScaling
{
    private static readonly (string Name, string Function, string Input)[] Chain =
        [("g", "x^2 + 0.2", "x"), ("h", "2 - sin(2*g)", "g"), ("k", "0.5*h^2 + 0.1", "h")];

    /// <summary>Runs the study and prints the tables.</summary>
    public static void Run(string[] args)
    {
        bool onlyCost = args.Contains("--cost-only");
        if (!onlyCost)
        {
            DepthTable();
            RateTable();
        }

        CostRow();
    }

    private static FunctionGraph Graph(int depth, int neurons) => new(
        [new GraphInput("x", -1, 1)],
        Chain.Take(depth).Select(c =>
        {
            var f = ExpressionFunction.ParseNamed(c.Function, [c.Input]);
            return new GraphNode(c.Name, u => f.Value(u), [c.Input], neurons, c.Function);
        }).ToArray());

    private static void DepthTable()
    {
        Console.WriteLine("| depth | neurons per node | neurons in all | simulated dt | predicted max error (deepest) | simulated max | simulated rms |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (int depth in new[] { 1, 2, 3 })
        {
            foreach (int n in new[] { 8, 16, 32, 64 })
            {
                var c = GraphCompiler.Compile(Graph(depth, n), new CompileOptions { Tolerance = double.PositiveInfinity });
                var run = new ClockDrivenEngine().Run(c.Experiment);
                var last = c.Nodes[^1];
                var e = CompiledGraphTracking.Measure(c, run)[last.Node.Name];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {depth} | {n} | {c.Experiment.Network.NeuronCount} | {c.Experiment.Settings.Dt:G3} | {last.PredictedError:G3} | {e.MaxError:G3} | {e.RmsError:G3} |"));
            }
        }

        Console.WriteLine();
    }

    private static void RateTable()
    {
        Console.WriteLine("| network | --max-rate (spikes/τ) | neurons used | peak rate over ≥ 1 τ | max / mean whole-run rate | CV across neurons | max error (deepest) | predicted |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        var sine = ExpressionFunction.Parse("sin(3*x) + 1.2", 1);
        foreach (double? cap in new double?[] { null, 20, 10, 5, 2, 1 })
        {
            var c = FunctionCompiler.Compile(x => sine.Value(x), [(-1.0, 1.0)], new CompileOptions { Neurons = 20, MaxRate = cap });
            var run = new ClockDrivenEngine().Run(c.Experiment);
            var r = NeuronRates.Measure(run);
            var e = CompiledFunctionTracking.Measure(c, run);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| sin(3x) + 1.2, 20 pieces | {(cap is null ? "none" : cap.Value.ToString("G3", CultureInfo.InvariantCulture))} | {c.Experiment.Network.NeuronCount} | {r.PeakWindowRate:G3} | {r.Max:G3} / {r.Mean:G3} | {r.Cv:G3} | {e.MaxError:G3} | {c.MaxApproximationError + (GraphCompiler.JumpAllowance * c.Ei.Precision):G3} |"));
        }

        foreach (double? cap in new double?[] { null, 10, 2 })
        {
            var c = GraphCompiler.Compile(Graph(3, 24), new CompileOptions { MaxRate = cap });
            var run = new ClockDrivenEngine().Run(c.Experiment);
            var r = NeuronRates.Measure(run);
            var e = CompiledGraphTracking.Measure(c, run)["k"];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| depth-3 chain, 24 per node | {(cap is null ? "none" : cap.Value.ToString("G3", CultureInfo.InvariantCulture))} | {c.Experiment.Network.NeuronCount} | {r.PeakWindowRate:G3} | {r.Max:G3} / {r.Mean:G3} | {r.Cv:G3} | {e.MaxError:G3} | {c["k"].PredictedError:G3} |"));
        }

        Console.WriteLine();
    }

    private static void CostRow()
    {
        // Eight outputs of one input (K = 16 latents); the rate cap sets N, chosen so N lands near 10⁵.
        var functions = Enumerable.Range(0, 8).Select(p =>
        {
            string text = $"sin(3*x + {p * 0.7}) + 1.2";
            var f = ExpressionFunction.Parse(text, 1);
            return ($"f{p + 1}", (Func<double[], double>)(x => f.Value(x)), text);
        }).ToArray();
        var probe = GraphCompiler.CompileVector(functions, [(-1.0, 1.0)], new CompileOptions { Neurons = 20, MaxRate = 1 });
        double cap = probe.Experiment.Network.NeuronCount / 100_000.0;
        var c = GraphCompiler.CompileVector(functions, [(-1.0, 1.0)], new CompileOptions { Neurons = 20, MaxRate = cap, SweepDuration = 1 });
        var net = c.Experiment.Network;
        int steps = 2000;
        var exp = c.Experiment.WithSettings(c.Experiment.Settings with { Duration = steps * c.Experiment.Settings.Dt });
        var engine = new ClockDrivenEngine(1);
        double best = double.MaxValue;
        int spikes = 0;
        for (int rep = 0; rep < 3; rep++)
        {
            var sw = Stopwatch.StartNew();
            spikes = engine.Run(exp).Spikes.Count;
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rank-{net.Latents.Count} N = {net.NeuronCount} ({net.Populations.Count} populations), {steps} steps of dt = {exp.Settings.Dt:G3} τ, one thread: {best:0.000} s, {best * 1e9 / ((double)steps * net.NeuronCount):0.00} ns/neuron-step ({spikes} spikes)"));
    }
}
