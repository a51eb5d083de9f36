using System.CommandLine;
using LatentSpikes.Figures;
using LatentSpikes.Specs;
using Spectre.Console;

namespace LatentSpikes.Cli;

/// <summary>
/// <c>latentspikes figures [--out DIR] [--only 5,8] [--quick] [--strict]</c>: regenerates the paper's figures into
/// DIR/figNN/ (PNG, SVG, panel CSVs and the spec of every simulated network) and writes the claim table
/// DIR/claims.json and DIR/claims.md. Exit 0 even when a claim fails (the table says FAIL), unless --strict; exit 1
/// with one line for a bad option.
/// </summary>
internal static class FiguresCommand
{
    /// <summary>Exit code of <c>--strict</c> when a claim fails.</summary>
    public const int ExitClaimFailed = 1;

    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var outDir = new Option<string>("--out") { Description = "Output directory.", DefaultValueFactory = _ => Path.Combine("out", "figures") };
        var only = new Option<string?>("--only") { Description = $"Comma-separated figure ids (known: {FigureRegistry.KnownIds}); default all." };
        var quick = new Option<bool>("--quick") { Description = "Reduced sizes (fewer trials, shorter sweeps): well under a minute, for tests." };
        var strict = new Option<bool>("--strict") { Description = "Exit 1 when any claim fails." };
        var command = new Command("figures", "Regenerate the paper's figures (seed 002) with the data behind every panel, the specs that produced them and a table of the paper's claims against measured values.")
        {
            outDir, only, quick, strict,
        };
        command.SetAction(r => LatentSpikesApp.Guard(stderr, () =>
        {
            IReadOnlyList<IFigure> figures;
            try
            {
                figures = FigureRegistry.Select(r.GetValue(only));
            }
            catch (FigureSelectionException e)
            {
                throw new SpecException("command line", 0, "--only", e.Message["--only: ".Length..]);
            }

            return Run(figures, r.GetValue(outDir)!, r.GetValue(quick), r.GetValue(strict), stdout, stderr);
        }));
        return command;
    }

    private static int Run(IReadOnlyList<IFigure> figures, string dir, bool quick, bool strict, TextWriter stdout, TextWriter stderr)
    {
        bool interactive = !Console.IsOutputRedirected && ReferenceEquals(stdout, Console.Out);
        IReadOnlyList<FigureResult> results = [];
        if (interactive)
        {
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var tasks = figures.ToDictionary(f => f.Id, f => ctx.AddTask($"Fig. {f.Id}", maxValue: 1.0));
                    results = FigureRunner.Run(figures, dir, quick, f => new Progress<double>(v => tasks[f.Id].Value = v));
                    foreach (var t in tasks.Values)
                    {
                        t.Value = 1.0;
                    }
                });
        }
        else
        {
            results = FigureRunner.Run(figures, dir, quick);
        }

        int pass = results.Sum(r => r.Claims.Count(c => c.Pass));
        int fail = results.Sum(r => r.Claims.Count(c => !c.Pass));
        int pending = results.Sum(r => r.Pending.Count);
        foreach (var r in results)
        {
            string counts = r.Claims.Count == 0
                ? $"pending ({r.Pending.Count} claim{(r.Pending.Count == 1 ? string.Empty : "s")} pending)"
                : $"{(r.AllPass ? "pass" : "FAIL")} ({r.Claims.Count(c => c.Pass)}/{r.Claims.Count} claims{(r.Pending.Count > 0 ? $", {r.Pending.Count} pending" : string.Empty)})";
            stdout.WriteLine($"Fig. {r.Id}: {counts} — {r.Title}");
            foreach (var c in r.Claims.Where(c => !c.Pass))
            {
                stderr.WriteLine($"  FAIL Fig. {r.Id}{c.Panel}: {c.Statement}: measured {c.Measured}, expected {c.Expected}");
            }
        }

        stdout.WriteLine($"claims: {pass} pass, {fail} fail, {pending} pending; table in {Path.GetFullPath(Path.Combine(dir, FigureRunner.ClaimsMarkdown))}");
        return strict && fail > 0 ? ExitClaimFailed : 0;
    }
}
