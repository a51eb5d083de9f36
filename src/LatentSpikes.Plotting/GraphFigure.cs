using LatentSpikes.Construction;
using LatentSpikes.Simulation;
using ScottPlot;

namespace LatentSpikes.Plotting;

/// <summary>
/// The figure of a compiled vector function or composition graph: one panel per node with its composed target
/// f(x(t)) and the simulated output latent y_node(t) over time, and a last panel with the input protocol.
/// </summary>
public static class GraphFigure
{
    /// <summary>Saves the figure as PNG.</summary>
    /// <param name="compiled">The compiled graph.</param>
    /// <param name="simulation">A run of its protocol (required: the figure shows the simulated outputs).</param>
    /// <param name="path">PNG file to write.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="heightPerPanel">Height of each panel in pixels.</param>
    public static void Save(CompiledGraph compiled, SimulationResult simulation, string path, int width = 1100, int heightPerPanel = 300)
    {
        ArgumentNullException.ThrowIfNull(compiled);
        ArgumentNullException.ThrowIfNull(simulation);
        ArgumentNullException.ThrowIfNull(path);
        var mp = new Multiplot();
        int panels = compiled.Nodes.Count + 1;
        mp.AddPlots(panels);
        double[] t = simulation.Times.ToArray();
        int m = compiled.Inputs.Count;
        var inputs = Enumerable.Range(0, m).Select(simulation.Input).ToArray();
        var errors = CompiledGraphTracking.Measure(compiled, simulation);
        for (int k = 0; k < compiled.Nodes.Count; k++)
        {
            var node = compiled.Nodes[k];
            var plot = mp.GetPlot(k);
            var x = new double[m];
            double[] f = new double[t.Length];
            for (int i = 0; i < t.Length; i++)
            {
                for (int d = 0; d < m; d++)
                {
                    x[d] = inputs[d][i];
                }

                f[i] = node.Target(x);
            }

            var s = plot.Add.ScatterLine(t, simulation.Latent(node.OutputLatent));
            s.Color = RunFigure.Excitatory.WithAlpha(0.6);
            s.LegendText = $"simulated {node.OutputLatent}(t)";
            var target = plot.Add.ScatterLine(t, f);
            target.Color = Colors.Black;
            target.LineWidth = 2;
            target.LegendText = $"target {node.Node.Description} (composed)";
            var e = errors[node.Node.Name];
            plot.Title($"{node.Node.Name}: depth {node.Depth}, {node.NeuronCount} neurons; max error {e.MaxError:G3} (predicted ≤ {node.PredictedError:G3}), rms {e.RmsError:G3}");
            plot.YLabel(node.OutputLatent);
            plot.ShowLegend(Alignment.UpperRight);
        }

        var bottom = mp.GetPlot(panels - 1);
        for (int d = 0; d < m; d++)
        {
            bottom.Add.ScatterLine(t, inputs[d]).LegendText = compiled.Inputs[d].Name + "(t)";
        }

        bottom.Title("input protocol");
        bottom.XLabel("time (τ)");
        bottom.YLabel("input");
        bottom.ShowLegend(Alignment.UpperRight);
        PlotOutput.SavePng(mp, path, width, heightPerPanel * panels);
    }
}
