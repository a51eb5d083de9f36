using LatentSpikes.Srm0;
using ScottPlot;

namespace LatentSpikes.Plotting;

/// <summary>
/// The figure of one SRM0 layer-stack run (seed 000): the first output membranes of every network simulated (spiking,
/// generalised rate, conventional rate) over time, and a raster of the sampled spiking neurons, layer by layer.
/// </summary>
public static class LayerStackFigure
{
    /// <summary>Saves the figure as PNG.</summary>
    /// <param name="run">The run.</param>
    /// <param name="title">Headline, e.g. the experiment name and size.</param>
    /// <param name="path">PNG file to write.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static void Save(MultilayerRun run, string title, string path, int width = 1100, int height = 1000)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(path);
        int k = run.Network.Parameters.Latents;
        int shown = Math.Min(k, 2);
        bool raster = run.Options.SpikeSample > 0 && (run.Networks & Srm0Networks.Spiking) != 0;
        var mp = new Multiplot();
        mp.AddPlots(shown + (raster ? 1 : 0));
        for (int q = 0; q < shown; q++)
        {
            Outputs(mp.GetPlot(q), run, q, q == 0 ? $"{title}\noutput membrane y{q + 1}(t)" : $"output membrane y{q + 1}(t)");
        }

        if (raster)
        {
            Raster(mp.GetPlot(shown), run);
        }

        PlotOutput.SavePng(mp, path, width, height);
    }

    private static void Outputs(Plot plot, MultilayerRun run, int q, string title)
    {
        plot.Title(title);
        (Srm0Networks Network, string Name, Color Colour, float Width)[] lines =
        [
            (Srm0Networks.Spiking, "SNN (spiking)", ConvergenceFigure.Spiking.WithAlpha(0.7), 1f),
            (Srm0Networks.GeneralisedRate, "GR (generalised rate)", ConvergenceFigure.Generalised, 2f),
            (Srm0Networks.ConventionalRate, "CR (conventional rate)", ConvergenceFigure.Conventional, 1.5f),
        ];
        double[] t = Enumerable.Range(0, run.RecordedSteps).Select(run.TimeMs).ToArray();
        foreach (var (network, name, colour, width) in lines.Where(l => (run.Networks & l.Network) != 0))
        {
            var line = plot.Add.ScatterLine(t, run.Outputs(network)[q]);
            line.Color = colour;
            line.LineWidth = width;
            line.LegendText = name;
            if (network == Srm0Networks.ConventionalRate)
            {
                line.LinePattern = LinePattern.Dashed;
            }
        }

        plot.XLabel("time after warm-up (ms)");
        plot.YLabel($"y{q + 1} (Δu)");
        plot.ShowLegend(Alignment.UpperRight);
    }

    private static void Raster(Plot plot, MultilayerRun run)
    {
        int sample = Math.Min(run.Options.SpikeSample, run.Network.Parameters.NeuronsPerLayer);
        int layers = run.Network.Parameters.HiddenLayers;
        plot.Title($"spikes of {sample} sampled neuron(s) per hidden layer (layer 1 at the bottom)");
        var palette = new ScottPlot.Palettes.Category10();
        for (int l = 0; l < layers; l++)
        {
            var spikes = run.SampledSpikes.Where(s => s.Layer == l).ToArray();
            if (spikes.Length == 0)
            {
                continue;
            }

            var marks = plot.Add.ScatterPoints(
                spikes.Select(s => run.TimeMs(s.Step)).ToArray(),
                spikes.Select(s => (double)((l * sample) + s.Neuron)).ToArray());
            marks.Color = palette.GetColor(l);
            marks.MarkerSize = 3;
            marks.MarkerShape = MarkerShape.VerticalBar;
            marks.LegendText = $"layer {l + 1}";
        }

        plot.Axes.SetLimitsX(0, run.TimeMs(run.RecordedSteps));
        plot.Axes.SetLimitsY(-1, layers * sample);
        plot.XLabel("time after warm-up (ms)");
        plot.YLabel("layer × sample + neuron");
        plot.ShowLegend(Alignment.UpperRight);
    }
}
