using LatentSpikes.Geometry;
using LatentSpikes.Model;
using LatentSpikes.Simulation;
using ScottPlot;

namespace LatentSpikes.Plotting;

/// <summary>
/// The standard figure of a run (like the paper's Fig. 2d): input, latent readouts with the boundary of every
/// rank-1 population, and a spike raster, stacked on a shared time axis in units of τ.
/// </summary>
public static class RunFigure
{
    /// <summary>Colour of inhibitory populations and latents (blue, as in the paper).</summary>
    public static readonly Color Inhibitory = Color.FromHex("#1f5fa8");

    /// <summary>Colour of excitatory populations and latents (red, as in the paper).</summary>
    public static readonly Color Excitatory = Color.FromHex("#c0392b");

    /// <summary>Colour of unsigned populations.</summary>
    public static readonly Color Unsigned = Color.FromHex("#555555");

    /// <summary>Saves the figure as PNG.</summary>
    public static void Save(SimulationResult result, string path, int width = 1000, int height = 900)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(path);
        var multiplot = Build(result);
        PlotOutput.SavePng(multiplot, path, width, height);
    }

    /// <summary>The colour of a population kind.</summary>
    public static Color ColorOf(PopulationKind kind) => kind switch
    {
        PopulationKind.Inhibitory => Inhibitory,
        PopulationKind.Excitatory => Excitatory,
        _ => Unsigned,
    };

    private static Multiplot Build(SimulationResult result)
    {
        var exp = result.Experiment;
        var net = exp.Network;
        double[] t = result.Times.ToArray();
        var mp = new Multiplot();
        mp.AddPlots(3);
        var input = mp.GetPlot(0);
        var latent = mp.GetPlot(1);
        var raster = mp.GetPlot(2);

        input.Title($"{exp.Name}  ({result.Engine} engine, seed {exp.Settings.Seed}, dt = {exp.Settings.Dt} τ, τ = {exp.Settings.TauMs} ms)");
        for (int d = 0; d < net.InputDimension; d++)
        {
            var s = input.Add.ScatterLine(t, result.Input(d));
            s.LegendText = $"x{d + 1}";
            s.LineWidth = 1.5f;
        }

        input.YLabel("input x");
        input.ShowLegend(Alignment.UpperRight);

        for (int k = 0; k < net.Latents.Count; k++)
        {
            var l = net.Latents[k];
            var pop = net.Populations[net.PopulationIndex(l.Source)];
            var s = latent.Add.ScatterLine(t, result.Latent(l.Name));
            s.LegendText = l.Name;
            s.Color = k < net.Populations.Count ? ColorOf(pop.Kind) : ColorOf(pop.Kind).WithAlpha(0.5);
            s.LineWidth = 1f;
        }

        foreach (var pop in net.Populations.Where(PopulationBoundary.IsRank1Alone))
        {
            var boundary = new double[t.Length];
            var x = new double[net.InputDimension];
            for (int r = 0; r < t.Length; r++)
            {
                for (int d = 0; d < x.Length; d++)
                {
                    x[d] = result.InputsFlat[(r * x.Length) + d];
                }

                boundary[r] = PopulationBoundary.Evaluate(pop, x).Y;
            }

            var b = latent.Add.ScatterLine(t, boundary);
            b.LegendText = $"boundary of {pop.Name}";
            b.Color = Colors.Black.WithAlpha(0.7);
            b.LinePattern = LinePattern.Dashed;
            b.LineWidth = 1.2f;
        }

        latent.YLabel("latent y");
        latent.ShowLegend(Alignment.UpperRight);

        int row = 0;
        for (int p = 0; p < net.Populations.Count; p++)
        {
            var pop = net.Populations[p];
            var spikes = result.Spikes.Where(s => s.Population == p).ToArray();
            if (spikes.Length > 0)
            {
                int offset = row;
                var markers = raster.Add.Markers(
                    spikes.Select(s => s.Time).ToArray(),
                    spikes.Select(s => (double)(offset + s.Neuron)).ToArray(),
                    MarkerShape.VerticalBar,
                    size: Math.Clamp(400f / Math.Max(1, net.NeuronCount), 2f, 8f),
                    color: ColorOf(pop.Kind));
                markers.LegendText = $"{pop.Name} ({pop.Kind.ToString().ToLowerInvariant()})";
            }

            row += pop.Size;
        }

        raster.YLabel("neuron");
        raster.XLabel($"time (τ = {exp.Settings.TauMs} ms)");
        raster.Axes.SetLimitsY(-1, Math.Max(1, row));
        if (result.Spikes.Count > 0)
        {
            raster.ShowLegend(Alignment.UpperRight);
        }

        double tEnd = Math.Max(t[^1], exp.Settings.Dt);
        foreach (var plot in new[] { input, latent, raster })
        {
            plot.Axes.SetLimitsX(0, tEnd);
        }

        return mp;
    }
}
