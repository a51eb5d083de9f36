using System.Globalization;
using LatentSpikes.Construction;
using LatentSpikes.Plotting;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;

namespace LatentSpikes.Cli;

/// <summary>
/// Writes a compiled vector function or composition graph: the spec, a verifying run of its protocol with each
/// output's tracking error against its composed target and the error the compiler predicts, and the figure.
/// </summary>
internal static class GraphOutput
{
    public static int Write(CompiledGraph compiled, string specPath, double? maxRate, bool simulate, bool plot, TextWriter stdout, TextWriter stderr)
    {
        var exp = compiled.Experiment;
        SimulationResult? run = null;
        IReadOnlyDictionary<string, TrackingError>? errors = null;
        if (simulate)
        {
            run = new ClockDrivenEngine().Run(exp);
            if (run.Status == SimulationStatus.Completed)
            {
                errors = CompiledGraphTracking.Measure(compiled, run);
            }
        }

        var header = new List<string>
        {
            "Written by `latentspikes compile` (seed 002, §2.7; issue 15): one Dale's-law E-I module per output; a node reads its parents' excitatory latents through its encoders (an inhibitory relay y_<name>_neg carries −y_<name> where a slope is negative).",
        };
        header.AddRange(compiled.Summary.Split(Environment.NewLine));
        var lines = new List<string>();
        foreach (var node in compiled.Nodes)
        {
            string line = $"{node.Node.Name}: predicted max error {Num(node.PredictedError)}";
            if (errors?[node.Node.Name] is { } e)
            {
                line += $"; simulated max {Num(e.MaxError)}, mean {Num(e.MeanError)}, rms {Num(e.RmsError)}";
            }

            lines.Add(line);
        }

        var rates = run is { Status: SimulationStatus.Completed } ? LatentSpikes.Analysis.NeuronRates.Measure(run) : null;
        if (run is not null)
        {
            lines.Add($"simulated sweep: clock engine, dt = {Num(exp.Settings.Dt)} τ, {run.Spikes.Count} spikes, {exp.Network.NeuronCount} neurons");
        }

        lines.Add($"{exp.Network.NeuronCount} neurons used (" + string.Join(", ", exp.Network.Populations.Select(p => $"{p.Name}: {p.Size}")) + ")");
        if (rates is not null)
        {
            lines.Add(CompileSummary.RateLine(rates, maxRate));
        }

        header.AddRange(lines);
        header.Add("Run it with: latentspikes simulate " + specPath.Replace('\\', '/'));
        string text = SpecWriter.Write(exp, header);
        string full = Path.GetFullPath(specPath);
        string? dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        string figure = Path.Combine(dir ?? ".", Path.GetFileNameWithoutExtension(full) + ".png");
        // Temporary files are removed whatever happens, so a failure leaves neither half-written nor stray files.
        string tmpSpec = full + ".tmp";
        string tmpFigure = figure + ".tmp.png";
        bool drawn = false;
        try
        {
            File.WriteAllText(tmpSpec, text);
            if (plot && run is { Status: SimulationStatus.Completed })
            {
                GraphFigure.Save(compiled, run, tmpFigure);
                File.Move(tmpFigure, figure, overwrite: true);
                drawn = true;
            }

            File.Move(tmpSpec, full, overwrite: true);
        }
        finally
        {
            File.Delete(tmpSpec);
            File.Delete(tmpFigure);
        }

        string summaryPath = CompileSummary.PathFor(full);
        CompileSummary.Write(summaryPath, exp, maxRate, compiled.Nodes.Select(n => new CompileSummary.Output(n.Node.Name, n.OutputLatent, n.PredictedError, errors?[n.Node.Name])).ToArray(), rates);
        stdout.WriteLine(compiled.Summary);
        foreach (string line in lines)
        {
            stdout.WriteLine(line);
        }

        stdout.WriteLine($"spec written to {full}");
        stdout.WriteLine($"summary written to {summaryPath}");
        if (drawn)
        {
            stdout.WriteLine($"figure written to {figure}");
        }

        if (run is not null && run.Status != SimulationStatus.Completed)
        {
            stderr.WriteLine($"warning: the compiled network's activity ran away: {run.StatusDetail}");
            return LatentSpikesApp.ExitExploded;
        }

        return 0;
    }

    private static string Num(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}
