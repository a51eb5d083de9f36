using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace LatentSpikes.Figures;

/// <summary>
/// Runs a selection of figures into DIR/figNN/ and writes the claim table DIR/claims.json and DIR/claims.md.
/// Figures run concurrently (each one is deterministic for its seeds, so the results do not depend on the order or
/// the number of threads).
/// </summary>
public static class FigureRunner
{
    /// <summary>Name of the JSON claim table.</summary>
    public const string ClaimsJson = "claims.json";

    /// <summary>Name of the Markdown claim table.</summary>
    public const string ClaimsMarkdown = "claims.md";

    /// <summary>Runs the figures and writes the claim tables; a figure that throws reports a failed claim naming the error.</summary>
    /// <param name="figures">The figures to run.</param>
    /// <param name="outDir">Output root.</param>
    /// <param name="quick">Reduced sizes.</param>
    /// <param name="progressFor">Progress sink per figure (may return null).</param>
    /// <param name="parallelism">Figures run at once; 0 uses every core.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public static IReadOnlyList<FigureResult> Run(
        IReadOnlyList<IFigure> figures,
        string outDir,
        bool quick,
        Func<IFigure, IProgress<double>?>? progressFor = null,
        int parallelism = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        Directory.CreateDirectory(outDir);
        var results = new ConcurrentDictionary<string, FigureResult>(StringComparer.Ordinal);
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };

        // Pending figures have nothing to run: start the real ones first.
        var order = figures.OrderBy(f => f is PendingFigure ? 1 : 0).ToArray();
        var made = new ConcurrentDictionary<string, Made>(StringComparer.Ordinal);
        Parallel.ForEach(order, options, figure =>
        {
            made[figure.Id] = Make(figure, outDir, quick, progressFor?.Invoke(figure), cancellationToken);
        });

        // SVGs are drawn after every simulation has finished, one at a time (FigureContext.Defer says why).
        foreach (var figure in order)
        {
            results[figure.Id] = Finish(figure, outDir, made[figure.Id]);
        }

        var ordered = figures.Select(f => results[f.Id]).ToArray();
        File.WriteAllText(Path.Combine(outDir, ClaimsJson), ToJson(ordered, quick));
        File.WriteAllText(Path.Combine(outDir, ClaimsMarkdown), ToMarkdown(ordered, quick));
        return ordered;
    }

    /// <summary>Runs one figure into its folder (emptied first, so stale files never mix with new ones).</summary>
    public static FigureResult RunOne(IFigure figure, string outDir, bool quick, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(figure);
        return Finish(figure, outDir, Make(figure, outDir, quick, progress, cancellationToken));
    }

    /// <summary>A figure's claims and context after its simulations, before its deferred renders.</summary>
    private sealed record Made(string Folder, FigureContext? Context, IReadOnlyList<ClaimResult> Claims);

    private static Made Make(IFigure figure, string outDir, bool quick, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        string folder = FigureRegistry.FolderOf(figure.Id);
        string dir = Path.Combine(outDir, folder);
        if (figure is PendingFigure)
        {
            return new Made(folder, null, []);
        }

        FigureContext? context = null;
        IReadOnlyList<ClaimResult> claims;
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            context = new FigureContext(dir, quick, progress, threads: 0, cancellationToken);
            claims = figure.Run(context);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A figure that cannot be made is a failed claim with its reason, not a crash of the whole table.
            claims = [Failed(figure, e)];
        }

        return new Made(folder, context, claims);
    }

    private static FigureResult Finish(IFigure figure, string outDir, Made made)
    {
        if (figure is PendingFigure)
        {
            return new FigureResult(figure.Id, figure.Title, made.Folder, [], [], figure.Pending);
        }

        var claims = made.Claims;
        try
        {
            made.Context?.RenderDeferred();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            claims = [.. claims, Failed(figure, e)];
        }

        made.Context?.Report(1.0);
        var files = (made.Context?.Files ?? []).Where(File.Exists).Select(f => Path.GetRelativePath(outDir, f).Replace('\\', '/')).ToArray();
        return new FigureResult(figure.Id, figure.Title, made.Folder, files, claims, figure.Pending);
    }

    private static ClaimResult Failed(IFigure figure, Exception e) =>
        new(figure.Id, "-", "The figure's simulations and analyses run to completion", e.Message.Replace('\n', ' '), "no error", false);

    /// <summary>The claim table as JSON.</summary>
    public static string ToJson(IReadOnlyList<FigureResult> results, bool quick)
    {
        ArgumentNullException.ThrowIfNull(results);
        var doc = new
        {
            quick,
            passed = results.Sum(r => r.Claims.Count(c => c.Pass)),
            failed = results.Sum(r => r.Claims.Count(c => !c.Pass)),
            pending = results.Sum(r => r.Pending.Count),
            figures = results.Select(r => new
            {
                id = r.Id,
                title = r.Title,
                folder = r.Folder,
                files = r.Files,
                claims = r.Claims.Select(c => new { panel = c.Panel, claim = c.Statement, measured = c.Measured, expected = c.Expected, pass = c.Pass }),
                pending = r.Pending.Select(p => new { panel = p.Panel, claim = p.Statement, needs = p.Needs }),
            }),
        };
        return JsonSerializer.Serialize(doc, JsonOptions);
    }

    /// <summary>The claim table as Markdown: paper claim → measured value → PASS / FAIL / PENDING.</summary>
    public static string ToMarkdown(IReadOnlyList<FigureResult> results, bool quick)
    {
        ArgumentNullException.ThrowIfNull(results);
        var sb = new StringBuilder();
        int pass = results.Sum(r => r.Claims.Count(c => c.Pass));
        int fail = results.Sum(r => r.Claims.Count(c => !c.Pass));
        int pending = results.Sum(r => r.Pending.Count);
        sb.AppendLine($"Claims: {pass} pass, {fail} fail, {pending} pending{(quick ? " (--quick: reduced sizes)" : string.Empty)}.");
        sb.AppendLine();
        sb.AppendLine("| Fig. | panel | paper claim | measured | criterion | result |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            foreach (var c in r.Claims)
            {
                sb.AppendLine($"| {r.Id} | {c.Panel} | {Cell(c.Statement)} | {Cell(c.Measured)} | {Cell(c.Expected)} | {(c.Pass ? "PASS" : "**FAIL**")} |");
            }

            foreach (var p in r.Pending)
            {
                sb.AppendLine($"| {r.Id} | {p.Panel} | {Cell(p.Statement)} | — | needs {Cell(p.Needs)} | PENDING |");
            }
        }

        return sb.ToString();
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');
}
