using LatentSpikes.Analysis;
using LatentSpikes.Construction;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Model;
using LatentSpikes.Simulation;
using ScottPlot;

namespace LatentSpikes.Figures.Figures;

/// <summary>
/// Rank-K composition (issue 15, beyond the paper's rank 2): (a) a vector function, polar to Cartesian coordinates of a
/// bounded angle shifted to be non-negative, as two E-I modules on the same inputs; (b) the depth-3 composition
/// k(h(g(x))), each stage an E-I module reading the previous stage's excitatory latent through its encoders, with an
/// inhibitory relay carrying −g where h falls with g (Dale's law); (c) the same chain with every neuron capped at
/// 2 spikes per τ. Claims: each output tracks its target within the compiler's predicted error, the neurons used, the
/// spikes per output unit against the construction's estimate, Dale's law and the rate cap.
/// </summary>
public sealed class FigKRankKComposition : IFigure
{
    private static readonly string[] PolarOutputs = ["x1*cos(x2) + 1", "x1*sin(x2) + 1"];

    /// <inheritdoc/>
    public string Id => "K";

    /// <inheritdoc/>
    public string Title => "Rank-K composition: vector functions and composed E-I modules";

    /// <inheritdoc/>
    public IReadOnlyList<PendingClaim> Pending => [];

    /// <summary>The depth-3 chain g = x² + 0.2, h = 2 − sin(2g), k = 0.5·h² + 0.1 on x ∈ [−1, 1].</summary>
    public static FunctionGraph Chain(int neurons)
    {
        (string Name, string Function, string Input)[] chain = [("g", "x^2 + 0.2", "x"), ("h", "2 - sin(2*g)", "g"), ("k", "0.5*h^2 + 0.1", "h")];
        return new FunctionGraph(
            [new GraphInput("x", -1, 1)],
            chain.Select(c =>
            {
                var f = ExpressionFunction.ParseNamed(c.Function, [c.Input]);
                return new GraphNode(c.Name, u => f.Value(u), [c.Input], neurons, c.Function);
            }).ToArray());
    }

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        double sweep = context.Quick ? 20 : 40;
        string[] vars = ["x1", "x2"];
        var outputs = PolarOutputs.Select((e, p) =>
        {
            var f = ExpressionFunction.ParseNamed(e, vars);
            return ($"f{p + 1}", (Func<double[], double>)(u => f.Value(u)), e);
        }).ToArray();
        var polar = GraphCompiler.CompileVector(outputs, [(0.2, 1.0), (-1.0, 1.0)], new CompileOptions { Neurons = 72, SweepDuration = sweep, Name = "figK-polar" });
        var chain = GraphCompiler.Compile(Chain(24), new CompileOptions { SweepDuration = sweep, Name = "figK-depth3" });
        var capped = GraphCompiler.Compile(Chain(24), new CompileOptions { SweepDuration = sweep, MaxRate = FunctionCompiler.DefaultMaxRate, Name = "figK-depth3-capped" });
        var runs = new[] { polar, chain, capped }.Select(c => FigureKit.Simulate(c.Experiment)).ToArray();
        context.Report(0.8);
        FigureKit.WriteSpec(context, "figK-polar.yaml", polar.Experiment, "the two-output vector function of panel a");
        FigureKit.WriteSpec(context, "figK-depth3.yaml", chain.Experiment, "the depth-3 composition of panel b");
        FigureKit.WriteSpec(context, "figK-depth3-capped.yaml", capped.Experiment, "the depth-3 composition with --max-rate 2 of panel c");

        var errors = new[] { polar, chain, capped }.Select((c, i) => CompiledGraphTracking.Measure(c, runs[i])).ToArray();
        var (mp, panels) = FigureKit.Grid(1, 3);
        Draw(panels[0], polar, runs[0]);
        FigureKit.Panel(panels[0], "a", "vector function: (r cos θ + 1, r sin θ + 1)", "time (τ)", "output latents");
        Draw(panels[1], chain, runs[1]);
        FigureKit.Panel(panels[1], "b", "depth 3: k(h(g(x))), relay y_g_neg = −y_g", "time (τ)", "output latents");
        Draw(panels[2], capped, runs[2]);
        FigureKit.Panel(panels[2], "c", $"depth 3 with every neuron ≤ {FunctionCompiler.DefaultMaxRate:G3} spikes/τ ({capped.Experiment.Network.NeuronCount} neurons)", "time (τ)", "output latents");
        FigureKit.Save(context, mp, "figK", 1800, 560);
        WriteTraces(context, "panel-a-polar.csv", polar, runs[0]);
        WriteTraces(context, "panel-b-depth3.csv", chain, runs[1]);
        WriteTraces(context, "panel-c-depth3-capped.csv", capped, runs[2]);

        var claims = new List<ClaimResult>();
        foreach (var (c, e, panel) in new[] { (polar, errors[0], "a"), (chain, errors[1], "b"), (capped, errors[2], "c") })
        {
            foreach (var node in c.Nodes)
            {
                claims.Add(ClaimResult.AtMost(Id, panel, $"{node.OutputLatent} = {node.Node.Description} (depth {node.Depth}, {node.NeuronCount} neurons) tracks its composed target: max |error| (rms {e[node.Node.Name].RmsError:G3})", e[node.Node.Name].MaxError, node.PredictedError, "the compiler's predicted error"));
            }
        }

        // Spikes per output unit: the module's spikes per τ over its output, against the construction's estimate of
        // the rate that holds the crossing against the leak, y_E*/D_E + |y_I*|/|D_I| (App. D).
        foreach (var node in chain.Nodes)
        {
            var (measured, estimate) = SpikesPerUnit(chain, node, runs[1]);
            claims.Add(new ClaimResult(Id, "b", $"{node.Node.Name}: spikes per τ per unit of output, measured against the leak-holding estimate y_E*/D_E + |y_I*|/|D_I| (measured {measured:G3})", ClaimResult.Fmt(measured / estimate, "G3"), "in [0.7, 1.5] × the estimate (input motion adds spikes, the spike grid removes some)", measured / estimate is >= 0.7 and <= 1.5));
        }

        double minEncoder = chain.Experiment.Network.Populations.Min(p => p.Encoders.Values.SelectMany(v => v).Min());
        claims.Add(new ClaimResult(Id, "b", "h reads g through the inhibitory relay g_neg where it falls with g; every encoder is ≥ 0 (Dale's law: each weight has its presynaptic sign)", $"relay {chain["g"].Relay?.Name ?? "none"} ({chain["g"].Relay?.Size ?? 0} neuron(s)), min encoder {minEncoder:G3}", "a relay exists and min encoder ≥ 0", chain["g"].Relay is not null && minEncoder >= 0));
        var rates = NeuronRates.Measure(runs[2]);
        var uncapped = NeuronRates.Measure(runs[1]);
        claims.Add(ClaimResult.AtMost(Id, "c", $"with the rate cap no neuron fires faster than {FunctionCompiler.DefaultMaxRate:G3} spikes/τ over any ≥ 1 τ stretch ({capped.Experiment.Network.NeuronCount} neurons instead of {chain.Experiment.Network.NeuronCount}, whose peak is {uncapped.PeakWindowRate:G3})", rates.PeakWindowRate, FunctionCompiler.DefaultMaxRate, "the cap"));
        return claims;
    }

    private static (double Measured, double Estimate) SpikesPerUnit(CompiledGraph c, CompiledNode node, SimulationResult run)
    {
        var net = c.Experiment.Network;
        int pe = net.PopulationIndex(node.Module.Excitatory.Name), pi = net.PopulationIndex(node.Module.Inhibitory.Name);
        double from = FunctionCompiler.SettleTime;
        long spikes = run.Spikes.LongCount(s => s.Time > from && (s.Population == pe || s.Population == pi));
        double[] y = run.Latent(node.OutputLatent);
        double[] x = run.Input(0);
        double dtRecord = run.Times[1] - run.Times[0];
        double integral = 0, estimate = 0;
        var parents = node.Node.Inputs.Select(name => c.Nodes.FirstOrDefault(n => n.Node.Name == name)).ToArray();
        var q = node.Module.Decomposition.Q;
        for (int i = 0; i < y.Length; i++)
        {
            if (run.Times[i] <= from)
            {
                continue;
            }

            var u = parents.Select((p, d) => p is null ? x[i] : p.Target([x[i]])).ToArray();
            var (yE, yI) = node.Module.Crossing(u);
            integral += y[i] * dtRecord;
            estimate += ((yE / node.Module.Excitatory.Decoders[q.ActivePiece(u)]) + (Math.Abs(yI) / node.Module.Precision)) * dtRecord;
        }

        return (spikes / integral, estimate / integral);
    }

    private static void Draw(Plot plot, CompiledGraph c, SimulationResult run)
    {
        double[] t = run.Times.ToArray();
        var inputs = Enumerable.Range(0, c.Inputs.Count).Select(run.Input).ToArray();
        Color[] colours = [Colors.DarkOrange, Colors.SteelBlue, Colors.ForestGreen];
        for (int k = 0; k < c.Nodes.Count; k++)
        {
            var node = c.Nodes[k];
            FigureKit.Line(plot, t, run.Latent(node.OutputLatent), colours[k % colours.Length].WithAlpha(0.7), $"{node.OutputLatent} (spiking)", 1.0f);
            FigureKit.Line(plot, t, Target(node, inputs, t.Length), Colors.Black, k == 0 ? "composed targets" : null, 1.6f, LinePattern.Dashed);
        }

        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static double[] Target(CompiledNode node, double[][] inputs, int n)
    {
        var x = new double[inputs.Length];
        var result = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int d = 0; d < inputs.Length; d++)
            {
                x[d] = inputs[d][i];
            }

            result[i] = node.Target(x);
        }

        return result;
    }

    private static void WriteTraces(FigureContext context, string name, CompiledGraph c, SimulationResult run)
    {
        var inputs = Enumerable.Range(0, c.Inputs.Count).Select(run.Input).ToArray();
        var headers = new List<string> { "t" };
        headers.AddRange(c.Inputs.Select(i => i.Name));
        var columns = new List<IReadOnlyList<double>> { run.Times.ToArray() };
        columns.AddRange(inputs);
        foreach (var node in c.Nodes)
        {
            headers.Add(node.OutputLatent);
            headers.Add(node.Node.Name + "_target");
            columns.Add(run.Latent(node.OutputLatent));
            columns.Add(Target(node, inputs, run.Times.Count));
        }

        FigureKit.WriteCsv(context, name, headers, columns);
    }
}
