using System.Globalization;
using LatentSpikes.Balanced;
using ScottPlot;

namespace LatentSpikes.Plotting;

/// <summary>
/// The seed-001 K sweep: the relative fall of the E and I rates from κ = 0 to |κ| = radius against the in-degree K on
/// a log axis, simulation (markers) beside the finite-K mean field (lines). "Constant global activity" is the K → ∞
/// end of the curves.
/// </summary>
public static class KSweepFigure
{
    /// <summary>Saves the figure as PNG.</summary>
    /// <param name="report">The sweep.</param>
    /// <param name="path">PNG file to write.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static void Save(KSweepReport report, string path, int width = 900, int height = 600)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(path);
        if (report.Rows.Count == 0)
        {
            throw new ArgumentException("no rows to draw", nameof(report));
        }

        var plot = new Plot();
        double[] logK = report.Rows.Select(r => Math.Log10(r.K)).ToArray();
        var colours = new[] { RunFigure.Excitatory, RunFigure.Inhibitory };
        string[] names = ["E", "I"];
        for (int a = 0; a < 2; a++)
        {
            int pop = a;
            var mf = plot.Add.Scatter(logK, report.Rows.Select(r => 100 * r.MeanFieldDrop(pop)).ToArray(), colours[a]);
            mf.LegendText = $"ν_{names[a]}, mean field";
            mf.LineWidth = 2;
            mf.MarkerSize = 0;
            var simulated = report.Rows.Where(r => r.Simulated).ToArray();
            if (simulated.Length > 0)
            {
                var sim = plot.Add.ScatterPoints(simulated.Select(r => Math.Log10(r.K)).ToArray(), simulated.Select(r => 100 * r.SimDrop(pop)).ToArray(), colours[a]);
                sim.LegendText = $"ν_{names[a]}, simulation";
                sim.MarkerSize = 9;
            }
        }

        var zero = plot.Add.HorizontalLine(0, 1, Colors.Gray, LinePattern.Dashed);
        zero.LegendText = "constant global activity (K → ∞)";
        plot.Axes.Bottom.SetTicks(logK, report.Rows.Select(r => r.K.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.XLabel("in-degree K (log scale)");
        plot.YLabel($"rate fall 1 − ν(|κ| = {report.Radius:0.##})/ν(0)  (%)");
        plot.Title("Seed 001: constant global activity is a large-K statement");
        plot.ShowLegend(Alignment.UpperRight);
        PlotOutput.SavePng(plot, path, width, height);
    }
}
