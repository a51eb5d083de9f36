using System.CommandLine;
using System.Globalization;
using LatentSpikes.Geometry;
using LatentSpikes.IO;
using LatentSpikes.Model;
using LatentSpikes.Plotting;
using LatentSpikes.Rate;
using LatentSpikes.Specs;

namespace LatentSpikes.Cli;

/// <summary>
/// <c>latentspikes nullclines SPEC [--x X] [--beta B1,B2,...] [--trials R]</c>: the soft boundaries of a spec's rate
/// twin at one input (seed 002, §4.2-4.4). A rank-2 E-I network gets its two nullclines in the (ȳ_E, |ȳ_I|) plane with
/// every fixed point, its Jacobian eigenvalues and stability, and the spiking boundaries dotted (Fig. 11c-f;
/// <c>nullclines.json</c>, <c>nullclines.csv</c>, <c>nullclines.png</c>). Every population that listens only to its own
/// latent gets its 1-D drift dȳ/dt against ȳ, the rank-1 nullcline being its zero (Fig. 9e-f, 11a-b;
/// <c>soft_boundary.json</c>, <c>soft_boundary.csv</c>, <c>soft-&lt;pop&gt;.png</c>), with <c>--trials</c> noisy spiking
/// trials averaged on top. Exit 1 with one line for a spec that has neither, or a missing β.
/// </summary>
internal static class NullclinesCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var spec = new Argument<string>("spec") { Description = "Spec file (YAML or JSON)." };
        var outDir = new Option<string?>("--out") { Description = "Output directory (default: out/<spec name>-nullclines)." };
        var x = new Option<double?>("--x") { Description = "The constant input (default: the input at the end of the spec's protocol)." };
        var beta = new Option<string?>("--beta") { Description = "Comma-separated sigmoid steepnesses β, one set of nullclines each, as Fig. 11e (default: each population's rate.beta, or 1.702/noise)." };
        var trials = new Option<int>("--trials") { Description = "Rank-1 populations: noisy spiking trials from evenly spread starting latents, averaged into the drift (Fig. 9e); 0 draws the prediction only.", DefaultValueFactory = _ => 0 };
        var noPlot = new Option<bool>("--no-plot") { Description = "Skip the PNG figures." };
        var command = new Command("nullclines", "Soft boundaries of a spec's rate twin at one input (§4.2-4.4): E-I nullclines and fixed points (Fig. 11), rank-1 drift curves (Fig. 9e).")
        {
            spec, outDir, x, beta, trials, noPlot,
        };
        command.SetAction(r => LatentSpikesApp.Guard(stderr, () =>
        {
            var loaded = SpecReader.LoadFile(r.GetValue(spec)!);
            var exp = loaded.Experiment;
            double[]? betas = ParseBetas(r.GetValue(beta));
            int count = r.GetValue(trials);
            if (count < 0)
            {
                throw Option("--trials", $"must be ≥ 0 (got {count})");
            }

            if (exp.Network.InputDimension != 1)
            {
                throw Option("spec", $"nullclines are drawn at one input value; this spec has {exp.Network.InputDimension} input dimensions");
            }

            double at = r.GetValue(x) ?? InputProtocol.Range(exp, 0).Final;
            if (!double.IsFinite(at))
            {
                throw Option("--x", $"must be a finite number (got {at})");
            }

            string dir = r.GetValue(outDir) ?? Path.Combine("out", exp.Name + "-nullclines");
            return Draw(exp, at, betas, count, dir, !r.GetValue(noPlot), stdout);
        }));
        return command;
    }

    private static int Draw(Experiment exp, double x, double[]? betas, int trials, string dir, bool plot, TextWriter stdout)
    {
        var net = exp.Network;
        var ei = net.CrossReadouts.Count == 0 ? EiBoundaries.TryCreate(net, out _) : null;
        var rankOne = Enumerable.Range(0, net.Populations.Count).Where(p => PopulationBoundary.IsRank1Alone(net.Populations[p])).ToArray();
        if (ei is null && rankOne.Length == 0)
        {
            EiBoundaries.TryCreate(net, out string reason);
            throw Option("spec", $"nothing to draw: no population listens only to its own latent, and the network is not a rank-2 E-I network ({reason})");
        }

        using var staged = new StagedDirectory(dir);
        var owned = new List<string>();
        if (ei is not null)
        {
            var sets = (betas ?? [double.NaN]).Select(b =>
            {
                var system = double.IsNaN(b) ? new EiNullclines(net, exp.Settings.Dt) : new EiNullclines(net, exp.Settings.Dt, b, b);
                return system.Compute(x);
            }).ToArray();
            owned.AddRange(RateWriter.WriteNullclines(sets, ei.ExcitatoryLatent, ei.InhibitoryLatent, staged.StagingPath));
            if (plot)
            {
                RateFigures.SaveNullclines(sets, ei, staged.File("nullclines.png"), $"{exp.Name}: E-I rate twin nullclines at x = {Num(x)}");
                owned.Add("nullclines.png");
            }

            foreach (var set in sets)
            {
                string points = set.FixedPoints.Count == 0
                    ? "no fixed point"
                    : string.Join("; ", set.FixedPoints.Select(f => $"({Num(f.YE)}, {Num(f.YI)}) {f.Kind.ToString().ToLowerInvariant()}"));
                stdout.WriteLine($"  β_E = {Num(set.BetaE)}, β_I = {Num(set.BetaI)}: fixed points (y_E, y_I) {points}");
            }

            if (ei.Crossing(x) is { } crossing)
            {
                stdout.WriteLine($"  spiking boundaries cross at ({Num(crossing.YE)}, {Num(crossing.YI)}), {(crossing.Stable ? "stable" : "unstable")}");
            }
        }

        var boundaries = new List<SoftBoundary>();
        foreach (int p in rankOne)
        {
            var pop = net.Populations[p];
            double hard = PopulationBoundary.Evaluate(pop, [x]).Y;
            double span = Math.Max(1.0, 10 * pop.Decoders.Max(Math.Abs));
            double lo = (double.IsFinite(hard) ? hard : 0) - span;
            double hi = (double.IsFinite(hard) ? hard : 0) + span;
            foreach (double b in betas ?? [double.NaN])
            {
                var boundary = SoftBoundaries.Measure(exp, p, x, lo, hi, trials, beta: double.IsNaN(b) ? null : b);
                boundaries.Add(boundary);
                string file = betas is { Length: > 1 } ? $"soft-{pop.Name}-beta{Num(boundary.Beta)}.png" : $"soft-{pop.Name}.png";
                if (plot)
                {
                    RateFigures.SaveSoftBoundary(boundary, staged.File(file));
                    owned.Add(file);
                }

                stdout.WriteLine($"  {pop.Name}: β = {Num(boundary.Beta)}, τ_s = {Num(boundary.SynapseTau)}: drift zero(s) at {string.Join(", ", boundary.FixedPoints.Select(Num))}; hard boundary {Num(hard)}" +
                                 (trials > 0 ? $"; {trials} trials, RMS deviation {Num(boundary.RmsError)} over a drift range {Num(boundary.DriftRange)}" : string.Empty));
            }
        }

        if (boundaries.Count > 0)
        {
            owned.AddRange(RateWriter.WriteSoftBoundaries(boundaries, staged.StagingPath));
        }

        staged.Commit([.. owned]);
        stdout.WriteLine($"nullclines of {exp.Name} at x = {Num(x)} written to {Path.GetFullPath(dir)}");
        return 0;
    }

    private static double[]? ParseBetas(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var list = new List<double>();
        foreach (string item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v <= 0)
            {
                throw Option("--beta", $"'{item}' is not a sigmoid steepness (a finite number > 0)");
            }

            list.Add(v);
        }

        return list.Count > 0 ? [.. list] : throw Option("--beta", "give at least one β");
    }

    private static SpecException Option(string option, string problem) => new("command line", 0, option, problem);

    private static string Num(double v) => double.IsFinite(v) ? v.ToString("0.####", CultureInfo.InvariantCulture) : "n/a";
}
