using System.Globalization;
using System.Text;
using LatentSpikes.Model;
using LatentSpikes.Plotting;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;
using ScottPlot;
using SkiaSharp;

namespace LatentSpikes.Figures;

/// <summary>
/// The shared pieces of every figure: the example specs (embedded from <c>examples/</c>), spec and CSV output, and the
/// drawing conventions (E red, I blue, black boundaries, panel letters in titles, SVG and PNG of the same layout).
/// </summary>
public static class FigureKit
{
    /// <summary>Most points drawn per line; the CSV files keep every sample.</summary>
    public const int MaxLinePoints = 3000;

    /// <summary>Colour of the target/boundary lines.</summary>
    public static readonly Color Boundary = Colors.Black.WithAlpha(0.8);

    /// <summary>Colour of the input trace.</summary>
    public static readonly Color Input = Colors.Gray.WithAlpha(0.6);

    /// <summary>Loads an example spec by file name (e.g. <c>fig2-inhibitory-boundary.yaml</c>).</summary>
    /// <exception cref="ArgumentException">When no such example is embedded.</exception>
    public static LoadedSpec Example(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        string resource = "LatentSpikes.Figures.Examples." + fileName;
        using var stream = typeof(FigureKit).Assembly.GetManifestResourceStream(resource)
                           ?? throw new ArgumentException($"no example '{fileName}' is embedded (examples/*.yaml)", nameof(fileName));
        using var reader = new StreamReader(stream);
        return SpecReader.Parse(reader.ReadToEnd(), "examples/" + fileName);
    }

    /// <summary>Names of the embedded examples.</summary>
    public static IReadOnlyList<string> ExampleNames() =>
        typeof(FigureKit).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("LatentSpikes.Figures.Examples.", StringComparison.Ordinal))
            .Select(n => n["LatentSpikes.Figures.Examples.".Length..])
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>Writes the exact experiment that produced a panel as a spec file (readable by <c>simulate</c>).</summary>
    public static void WriteSpec(FigureContext context, string name, Experiment experiment, string origin)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(experiment);
        string text = SpecWriter.Write(experiment, [$"Written by `latentspikes figures`{(context.Quick ? " --quick" : string.Empty)}: {origin}."]);
        System.IO.File.WriteAllText(context.File(name), text);
    }

    /// <summary>Writes columns of equal length as CSV (invariant culture, round-trip numbers).</summary>
    public static void WriteCsv(FigureContext context, string name, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<double>> columns)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(columns);
        if (headers.Count != columns.Count)
        {
            throw new ArgumentException($"{headers.Count} headers for {columns.Count} columns", nameof(headers));
        }

        int rows = columns.Count == 0 ? 0 : columns.Max(c => c.Count);
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', headers));
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns.Count; c++)
            {
                if (c > 0)
                {
                    sb.Append(',');
                }

                if (r < columns[c].Count)
                {
                    sb.Append(columns[c][r].ToString("R", CultureInfo.InvariantCulture));
                }
            }

            sb.AppendLine();
        }

        System.IO.File.WriteAllText(context.File(name), sb.ToString());
    }

    /// <summary>Writes a run's spikes as CSV (time, population, neuron).</summary>
    public static void WriteSpikes(FigureContext context, string name, SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var spikes = result.Spikes;
        WriteCsv(context, name, ["time", "population", "neuron"],
        [
            spikes.Select(s => s.Time).ToArray(),
            spikes.Select(s => (double)s.Population).ToArray(),
            spikes.Select(s => (double)s.Neuron).ToArray(),
        ]);
    }

    /// <summary>Writes a run's input and latents as CSV (time, x1…, latents…).</summary>
    public static void WriteTrace(FigureContext context, string name, SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var net = result.Experiment.Network;
        var headers = new List<string> { "time" };
        var columns = new List<IReadOnlyList<double>> { result.Times };
        for (int d = 0; d < net.InputDimension; d++)
        {
            headers.Add($"x{d + 1}");
            columns.Add(result.Input(d));
        }

        foreach (var l in net.Latents)
        {
            headers.Add(l.Name);
            columns.Add(result.Latent(l.Name));
        }

        WriteCsv(context, name, headers, columns);
    }

    /// <summary>A multiplot on a rows × columns grid (the paper's panel layout).</summary>
    public static (Multiplot Multiplot, Plot[] Panels) Grid(int rows, int columns)
    {
        var mp = new Multiplot();
        mp.AddPlots(rows * columns);
        mp.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        var panels = mp.GetPlots();
        foreach (var p in panels)
        {
            p.Axes.Title.Label.FontSize = 15;
            p.Axes.Left.Label.FontSize = 13;
            p.Axes.Bottom.Label.FontSize = 13;
            p.Legend.FontSize = 11;
        }

        return (mp, panels);
    }

    /// <summary>Saves a figure as PNG now and queues its SVG (same layout) for <see cref="FigureContext.RenderDeferred"/>; both named after the figure folder.</summary>
    public static void Save(FigureContext context, Multiplot multiplot, string baseName, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(multiplot);
        PlotOutput.SavePng(multiplot, context.File(baseName + ".png"), width, height);
        string svg = context.File(baseName + ".svg");
        context.Defer(() => PlotOutput.SaveSvg(multiplot, svg, width, height));
    }

    /// <summary>Adds a line, thinned evenly to at most <see cref="MaxLinePoints"/> points.</summary>
    public static ScottPlot.Plottables.Scatter Line(Plot plot, IReadOnlyList<double> x, IReadOnlyList<double> y, Color colour, string? legend = null, float width = 1.2f, LinePattern? pattern = null)
    {
        ArgumentNullException.ThrowIfNull(plot);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int n = Math.Min(x.Count, y.Count);
        int step = Math.Max(1, (int)Math.Ceiling(n / (double)MaxLinePoints));
        var xs = new List<double>(n / step + 1);
        var ys = new List<double>(n / step + 1);
        for (int i = 0; i < n; i += step)
        {
            xs.Add(x[i]);
            ys.Add(y[i]);
        }

        var s = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
        s.Color = colour;
        s.LineWidth = width;
        s.MarkerSize = 0;
        if (pattern is { } p)
        {
            s.LinePattern = p;
        }

        if (legend is not null)
        {
            s.LegendText = legend;
        }

        return s;
    }

    /// <summary>A spike raster of one run: one row per neuron (populations stacked), coloured by Dale class.</summary>
    public static void Raster(Plot plot, SimulationResult result, double from = 0, double to = double.PositiveInfinity)
    {
        ArgumentNullException.ThrowIfNull(plot);
        ArgumentNullException.ThrowIfNull(result);
        var net = result.Experiment.Network;
        int row = 0;
        for (int p = 0; p < net.Populations.Count; p++)
        {
            var pop = net.Populations[p];
            var spikes = result.Spikes.Where(s => s.Population == p && s.Time >= from && s.Time <= to).ToArray();
            if (spikes.Length > 0)
            {
                int offset = row;
                var m = plot.Add.Markers(
                    spikes.Select(s => s.Time).ToArray(),
                    spikes.Select(s => (double)(offset + s.Neuron)).ToArray(),
                    MarkerShape.VerticalBar,
                    size: Math.Clamp(300f / Math.Max(1, net.NeuronCount), 3f, 9f),
                    color: RunFigure.ColorOf(pop.Kind));
                m.LegendText = $"{pop.Name} ({pop.Kind.ToString().ToLowerInvariant()})";
            }

            row += pop.Size;
        }

        plot.YLabel("neuron");
        plot.XLabel("time (τ)");
        plot.Axes.SetLimitsY(-1, Math.Max(1, row));
    }

    /// <summary>Labels a panel with its letter and a short title.</summary>
    public static void Panel(Plot plot, string letter, string title, string xLabel, string yLabel)
    {
        ArgumentNullException.ThrowIfNull(plot);
        plot.Title($"{letter}   {title}");
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
    }

    /// <summary>Evenly spaced points on [from, to].</summary>
    public static double[] Linspace(double from, double to, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        return Enumerable.Range(0, count).Select(i => from + ((to - from) * i / (count - 1))).ToArray();
    }

    /// <summary>Runs one trial on the clock engine and fails loudly if it did not complete (a figure never plots a broken run).</summary>
    public static SimulationResult Simulate(Experiment experiment, ulong trial = 0, bool allowExplosion = false)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var result = new ClockDrivenEngine(threads: 1, trial: trial).Run(experiment);
        if (!allowExplosion && result.Status != SimulationStatus.Completed)
        {
            throw new InvalidOperationException($"{experiment.Name}: the run did not complete: {result.StatusDetail}");
        }

        return result;
    }

    /// <summary>The same experiment with other settings (duration, seed, …).</summary>
    public static Experiment With(Experiment experiment, Func<SimulationSettings, SimulationSettings> change)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(change);
        return experiment.WithSettings(change(experiment.Settings));
    }

    /// <summary>
    /// The experiment under the authors' rank-1 step loop (<c>run_spiking_net</c>): the clip at spikes follows their
    /// rule per network type (<c>clip_at_spike: auto</c>) and the voltages start at V = 0.
    /// </summary>
    public static Experiment AuthorsRule(Experiment experiment) =>
        With(experiment, s => s with { ClipAtSpike = null, VoltageStart = VoltageStart.Zero });

    /// <summary>A copy of a population with another soft refractory cost μ and noise σ (everything else unchanged).</summary>
    public static Model.Population WithMuAndNoise(Model.Population population, double mu, double noise)
    {
        ArgumentNullException.ThrowIfNull(population);
        var rows = Enumerable.Range(0, population.Size).Select(i => population.FeedforwardRow(i).ToArray()).ToArray();
        return new Model.Population(population.Name, population.Kind, rows, population.Thresholds.ToArray(), population.Decoders.ToArray(),
            population.Encoders.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), mu, noise, population.Synapse, population.RefractoryPeriod);
    }

    /// <summary>A copy of an experiment whose populations are mapped by <paramref name="change"/>.</summary>
    public static Experiment MapPopulations(Experiment experiment, Func<Model.Population, Model.Population> change, string name)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(change);
        var net = experiment.Network;
        var network = new LowRankNetwork(net.Populations.Select(change).ToArray(), net.CrossReadouts, net.Delays);
        return Rebuild(experiment, network, name);
    }

    /// <summary>A copy of an experiment with another network, name or initial latents (inputs, settings and stimulation kept).</summary>
    public static Experiment Rebuild(Experiment experiment, LowRankNetwork? network = null, string? name = null, IReadOnlyDictionary<string, double>? initial = null, IReadOnlyList<Inputs.InputSignal>? inputs = null)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        return new Experiment(network ?? experiment.Network, inputs ?? experiment.Inputs, experiment.Settings, experiment.Injections,
            initial ?? experiment.InitialLatents, name ?? experiment.Name, experiment.Description);
    }
}
