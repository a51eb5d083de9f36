using System.CommandLine;
using System.Globalization;
using LatentSpikes.Geometry;
using LatentSpikes.Inputs;
using LatentSpikes.IO;
using LatentSpikes.Model;
using LatentSpikes.Plotting;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;

namespace LatentSpikes.Cli;

/// <summary>
/// <c>latentspikes geometry SPEC</c>: the paper's geometry figures for a spec. Every rank-1 population with a 1-D
/// input gets <c>geometry-&lt;pop&gt;.png</c> (input-output space, Figs. 2b-c, 3b-c); a rank-2 E-I network gets
/// <c>geometry-ei-plane.png</c> (the (y_E, |y_I|) plane at one input, Fig. 4c-d, f) and
/// <c>geometry-ei-function.png</c> (the crossing point against the input, Fig. 5). Populations that fit neither are
/// reported and skipped; when nothing can be drawn the command fails (exit 1) with one line. Figures are staged and
/// moved into place together, like <c>simulate</c>'s outputs. Exit 3 when a simulation drawn in a figure exploded
/// (the figures are still written, as for <c>simulate</c>).
/// </summary>
internal static class GeometryCommand
{
    /// <summary>File of the E-I plane figure.</summary>
    public const string EiPlaneFile = "geometry-ei-plane.png";

    /// <summary>File of the E-I input-output function figure.</summary>
    public const string EiFunctionFile = "geometry-ei-function.png";

    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var spec = new Argument<string>("spec") { Description = "Spec file (YAML or JSON)." };
        var outDir = new Option<string?>("--out") { Description = "Output directory (default: out/<spec name>-geometry)." };
        var x = new Option<double?>("--x") { Description = "Input at which the E-I plane is drawn (default: the input at the end of the spec's protocol)." };
        var duration = new Option<double?>("--duration") { Description = "Override simulation.duration (units of τ) of the simulated trajectories." };
        var noSimulation = new Option<bool>("--no-simulation") { Description = "Draw the geometry only, without simulated trajectories." };
        var command = new Command("geometry", "Draw the paper's geometry figures of a spec: rank-1 boundaries in input-output space (Figs. 2-3), E-I boundaries and their crossing (Figs. 4-5).")
        {
            spec, outDir, x, duration, noSimulation,
        };
        command.SetAction(r => LatentSpikesApp.Guard(stderr, () =>
        {
            var loaded = SpecReader.LoadFile(r.GetValue(spec)!);
            var exp = WithDuration(loaded.Experiment, r.GetValue(duration));
            double? planeX = r.GetValue(x);
            if (planeX is { } px && !double.IsFinite(px))
            {
                throw new SpecException("command line", 0, "--x", $"must be a finite number (got {px})");
            }

            string dir = r.GetValue(outDir) ?? Path.Combine("out", exp.Name + "-geometry");
            return Draw(exp, loaded.File, dir, planeX, !r.GetValue(noSimulation), stdout, stderr);
        }));
        return command;
    }

    private static Experiment WithDuration(Experiment exp, double? duration)
    {
        if (duration is not { } d)
        {
            return exp;
        }

        try
        {
            return exp.WithSettings(exp.Settings with { Duration = d });
        }
        catch (ModelValidationException e)
        {
            throw new SpecException("command line", 0, e.Field == "simulation.duration" ? "--duration" : e.Field, e.Reason);
        }
    }

    private static int Draw(Experiment exp, string file, string dir, double? planeX, bool simulate, TextWriter stdout, TextWriter stderr)
    {
        var net = exp.Network;
        var rankOne = new List<RankOneGeometry>();
        var skipped = new List<string>();
        var ei = EiBoundaries.TryCreate(net, out string eiReason);
        IReadOnlyList<string> moduleNotes = [];
        var modules = ei is null ? EiModules.Find(net, out moduleNotes) : [];
        var inModule = new HashSet<string>(modules.SelectMany(m => new[] { m.Name, m.Name + "_I" }), StringComparer.Ordinal);
        foreach (var pop in net.Populations)
        {
            if (inModule.Contains(pop.Name) || (modules.Count > 0 && pop.Name.EndsWith("_neg", StringComparison.Ordinal)))
            {
                continue;
            }

            if (RankOneGeometry.Supports(pop, out string reason))
            {
                rankOne.Add(new RankOneGeometry(pop));
            }
            else if (ei is null || (pop != ei.Excitatory && pop != ei.Inhibitory))
            {
                // A population that listens to other latents can only be drawn as part of an E-I network; say why
                // that failed, unless the input dimension already rules out every figure.
                string why = pop.InputDimension != 1 || PopulationBoundary.IsRank1Alone(pop)
                    ? reason
                    : $"listens to {string.Join(", ", pop.Encoders.Keys.Where(k => k != pop.LatentName).Order(StringComparer.Ordinal))} {(pop.Encoders.ContainsKey(pop.LatentName) ? "besides" : "instead of")} its own latent, so it is drawn only as part of a rank-2 E-I network, and {eiReason}";
                skipped.Add($"population '{pop.Name}': {why}");
            }
        }

        skipped.AddRange(moduleNotes);
        if (rankOne.Count == 0 && ei is null && modules.Count == 0)
        {
            throw new SpecException(file, 0, string.Empty, $"nothing to draw: {string.Join("; ", skipped)}");
        }

        if (planeX is not null && ei is null)
        {
            stderr.WriteLine("warning: --x is used only by the E-I plane figure, and this network is not a rank-2 E-I network");
        }

        foreach (string s in skipped)
        {
            stderr.WriteLine($"warning: {s}; skipped");
        }

        var protocol = InputProtocol.Range(exp, 0);
        var engine = new ClockDrivenEngine();
        SimulationResult? run = simulate ? engine.Run(exp) : null;
        var exploded = new List<string>();
        if (run is { Status: SimulationStatus.Exploded })
        {
            exploded.Add($"the simulation of the spec's protocol: {run.StatusDetail}");
        }

        var lines = new List<string>();
        var produced = new List<string>();
        using (var staged = new StagedDirectory(dir))
        {
            foreach (var g in rankOne)
            {
                var pop = g.Population;
                string name = $"geometry-{pop.Name}.png";
                GeometryFigure.SaveRankOne(g, protocol.Min, protocol.Max, run, staged.File(name),
                    $"{exp.Name}: population {pop.Name} ({pop.Kind.ToString().ToLowerInvariant()}, N = {pop.Size}) in input-output space");
                produced.Add(name);
                lines.Add($"{name}: {pop.Name} ({pop.Kind.ToString().ToLowerInvariant()}, N = {pop.Size}), boundary formed by {g.BoundaryNeurons.Count} of {pop.Size} neurons"
                          + (run is null ? string.Empty : $"; simulated {Num(run.SimulatedDuration)} τ, {run.SpikeCounts[net.PopulationIndex(pop.Name)].Sum()} spikes"));
            }

            if (ei is not null)
            {
                double x = planeX ?? protocol.Final;
                SimulationResult? planeRun = null;
                if (simulate)
                {
                    // The same network, settings, stimulation and initial latents; only the input is held at x.
                    var held = new Experiment(net, [new ConstantSignal(x)], exp.Settings, exp.Injections, exp.InitialLatents, exp.Name, exp.Description);
                    planeRun = engine.Run(held);
                    if (planeRun.Status == SimulationStatus.Exploded)
                    {
                        exploded.Add($"the simulation at constant x = {Num(x)}: {planeRun.StatusDetail}");
                    }
                }

                GeometryFigure.SaveEiPlane(ei, x, planeRun, staged.File(EiPlaneFile), $"{exp.Name}: E and I boundaries at input x = {Num(x)}");
                produced.Add(EiPlaneFile);
                var c = ei.Crossing(x);
                lines.Add($"{EiPlaneFile}: x = {Num(x)}, " + (c is null
                    ? "no stable crossing with y_E ≥ 0 and y_I ≤ 0"
                    : $"crossing {ei.ExcitatoryLatent}* = {Num(c.YE)}, {ei.InhibitoryLatent}* = {Num(c.YI)} (E neuron {c.ExcitatoryNeuron}, I neuron {c.InhibitoryNeuron})"));

                GeometryFigure.SaveEiFunction(ei, protocol.Min, protocol.Max, run, staged.File(EiFunctionFile), x,
                    $"{exp.Name}: crossing point of the E and I boundaries against the input");
                produced.Add(EiFunctionFile);
                lines.Add($"{EiFunctionFile}: crossing over x in [{Num(protocol.Min)}, {Num(protocol.Max)}]"
                          + (run is null ? string.Empty : $", with the simulated protocol ({Num(run.SimulatedDuration)} τ)"));
            }

            foreach (var module in modules)
            {
                // Each module against its own input: an input column's protocol range, or the range the parent's
                // latent covered in the simulated protocol.
                double lo, hi;
                if (module.InputDimension >= 0)
                {
                    var r = InputProtocol.Range(exp, module.InputDimension);
                    (lo, hi) = (r.Min, r.Max);
                }
                else if (run is not null)
                {
                    double[] y = run.Latent(module.Input);
                    (lo, hi) = (y.Min(), y.Max());
                }
                else
                {
                    stderr.WriteLine($"warning: module '{module.Name}' reads {module.Input}, whose range comes from the simulation; skipped with --no-simulation");
                    continue;
                }

                string name = $"geometry-{module.Name}-ei-function.png";
                GeometryFigure.SaveEiFunction(module.Geometry, lo, hi, null, staged.File(name), null,
                    $"{exp.Name}: module {module.Name}, crossing of its E and I boundaries against {module.Input}");
                produced.Add(name);
                string plane = $"geometry-{module.Name}-ei-plane.png";
                double mid = 0.5 * (lo + hi);
                GeometryFigure.SaveEiPlane(module.Geometry, mid, null, staged.File(plane), $"{exp.Name}: module {module.Name}, E and I boundaries at {module.Input} = {Num(mid)}");
                produced.Add(plane);
                var c = module.Geometry.Crossing(mid);
                lines.Add($"{name}, {plane}: module {module.Name} against {module.Input} in [{Num(lo)}, {Num(hi)}]" + (c is null ? ", no stable crossing at the midpoint" : $"; at {module.Input} = {Num(mid)} the crossing is y_{module.Name}* = {Num(c.YE)}"));
            }

            // Geometry figures of an earlier run into the same folder that this run did not redraw are removed, so
            // the folder never mixes two specs' figures.
            string target = Path.GetFullPath(dir);
            var owned = produced.ToList();
            if (Directory.Exists(target))
            {
                owned.AddRange(Directory.GetFiles(target, "geometry-*.png").Select(Path.GetFileName).OfType<string>());
            }

            staged.Commit(owned.Distinct(StringComparer.Ordinal).ToArray());
        }

        foreach (string line in lines)
        {
            stdout.WriteLine(line);
        }

        stdout.WriteLine($"outputs written to {Path.GetFullPath(dir)}");
        if (exploded.Count > 0)
        {
            stderr.WriteLine($"warning: activity ran away in {string.Join("; and in ", exploded)}; trajectories are drawn up to there");
            return LatentSpikesApp.ExitExploded;
        }

        return 0;
    }

    private static string Num(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
