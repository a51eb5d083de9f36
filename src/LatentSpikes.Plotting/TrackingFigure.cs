using ScottPlot;

namespace LatentSpikes.Plotting;

/// <summary>The <c>analyze --what tracking</c> figure: one panel per output, its latent and its target over time.</summary>
public static class TrackingFigure
{
    /// <summary>Saves the figure as PNG.</summary>
    /// <param name="times">Recorded times (τ).</param>
    /// <param name="outputs">Per output: its name, the recorded latent and the target at the same times.</param>
    /// <param name="path">PNG file to write.</param>
    public static void Save(IReadOnlyList<double> times, IReadOnlyList<(string Name, double[] Latent, double[] Target)> outputs, string path)
    {
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(path);
        var mp = new Multiplot();
        mp.AddPlots(outputs.Count);
        double[] t = times.ToArray();
        for (int k = 0; k < outputs.Count; k++)
        {
            var (name, latent, target) = outputs[k];
            var plot = mp.GetPlot(k);
            var s = plot.Add.ScatterLine(t, latent);
            s.Color = RunFigure.Excitatory.WithAlpha(0.6);
            s.LegendText = "y_" + name + " (simulated)";
            var f = plot.Add.ScatterLine(t, target);
            f.Color = Colors.Black;
            f.LineWidth = 2;
            f.LegendText = "target";
            plot.Title($"{name}: latent against its target");
            plot.XLabel("time (τ)");
            plot.ShowLegend(Alignment.UpperRight);
        }

        PlotOutput.SavePng(mp, path, 1100, 280 * outputs.Count);
    }
}
