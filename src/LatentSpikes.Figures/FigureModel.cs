using System.Globalization;

namespace LatentSpikes.Figures;

/// <summary>One quantitative claim of the paper, checked against a measured value.</summary>
/// <param name="Figure">Figure id (e.g. "2", "S1").</param>
/// <param name="Panel">Panel(s) the claim belongs to (e.g. "d").</param>
/// <param name="Statement">The claim in words.</param>
/// <param name="Measured">The measured value, formatted for people.</param>
/// <param name="Expected">The criterion it must meet (e.g. "≥ 0.99"), with the reason for its tolerance.</param>
/// <param name="Pass">Whether the measured value meets the criterion.</param>
public sealed record ClaimResult(string Figure, string Panel, string Statement, string Measured, string Expected, bool Pass)
{
    /// <summary>A claim that holds when <paramref name="value"/> ≥ <paramref name="bound"/>.</summary>
    public static ClaimResult AtLeast(string figure, string panel, string statement, double value, double bound, string why, string format = "G4") =>
        new(figure, panel, statement, Fmt(value, format), $"≥ {Fmt(bound, format)} ({why})", value >= bound);

    /// <summary>A claim that holds when <paramref name="value"/> ≤ <paramref name="bound"/>.</summary>
    public static ClaimResult AtMost(string figure, string panel, string statement, double value, double bound, string why, string format = "G4") =>
        new(figure, panel, statement, Fmt(value, format), $"≤ {Fmt(bound, format)} ({why})", value <= bound);

    /// <summary>Formats a number for the claim table (invariant culture).</summary>
    public static string Fmt(double value, string format = "G4") => value.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>A claim whose measurement needs a piece that is not built yet; listed in the table as pending, never as a pass.</summary>
/// <param name="Figure">Figure id.</param>
/// <param name="Panel">Panel(s).</param>
/// <param name="Statement">The claim in words.</param>
/// <param name="Needs">What is missing.</param>
public sealed record PendingClaim(string Figure, string Panel, string Statement, string Needs);

/// <summary>What one figure produced: its files (relative to the output root) and its checked claims.</summary>
/// <param name="Id">Figure id.</param>
/// <param name="Title">Figure title.</param>
/// <param name="Folder">Its folder under the output root (e.g. "fig02").</param>
/// <param name="Files">Files written, relative to the output root.</param>
/// <param name="Claims">Checked claims.</param>
/// <param name="Pending">Claims not yet measurable.</param>
public sealed record FigureResult(string Id, string Title, string Folder, IReadOnlyList<string> Files, IReadOnlyList<ClaimResult> Claims, IReadOnlyList<PendingClaim> Pending)
{
    /// <summary>True when every checked claim passes.</summary>
    public bool AllPass => Claims.All(c => c.Pass);
}

/// <summary>
/// One of the paper's figures: a small function over the library's public API that simulates the figure's example
/// networks, draws the panels, writes the data behind them and measures the figure's claims.
/// </summary>
public interface IFigure
{
    /// <summary>Figure id as the paper numbers it: "2" … "12", "S1" … "S3".</summary>
    string Id { get; }

    /// <summary>Short title (the paper's caption heading).</summary>
    string Title { get; }

    /// <summary>Claims of this figure that cannot be measured yet.</summary>
    IReadOnlyList<PendingClaim> Pending { get; }

    /// <summary>Produces the figure into <see cref="FigureContext.Directory"/> and returns its claims.</summary>
    IReadOnlyList<ClaimResult> Run(FigureContext context);
}

/// <summary>Where and how a figure runs: output folder, reduced sizes, progress and the files it has written.</summary>
public sealed class FigureContext
{
    private readonly List<string> _files = [];
    private readonly List<Action> _deferred = [];

    /// <summary>Creates a context writing into <paramref name="directory"/> (created if missing).</summary>
    /// <param name="directory">The figure's own folder.</param>
    /// <param name="quick">Reduced sizes (fewer trials, shorter runs) for tests; the claims must still hold.</param>
    /// <param name="progress">Receives the fraction done, 0 … 1.</param>
    /// <param name="threads">Worker threads for trial batches; 0 uses every core. Results do not depend on it.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public FigureContext(string directory, bool quick, IProgress<double>? progress = null, int threads = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = directory;
        Quick = quick;
        Progress = progress;
        Threads = threads;
        CancellationToken = cancellationToken;
        System.IO.Directory.CreateDirectory(directory);
    }

    /// <summary>The figure's folder.</summary>
    public string Directory { get; }

    /// <summary>Reduced sizes for tests.</summary>
    public bool Quick { get; }

    /// <summary>Progress sink (fraction done).</summary>
    public IProgress<double>? Progress { get; }

    /// <summary>Worker threads for trial batches (0: all cores).</summary>
    public int Threads { get; }

    /// <summary>Cancellation.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Files written so far (full paths).</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>The full path of a file in the figure's folder, recorded as one of its outputs.</summary>
    public string File(string name)
    {
        string path = Path.Combine(Directory, name);
        lock (_files)
        {
            if (!_files.Contains(path))
            {
                _files.Add(path);
            }
        }

        return path;
    }

    /// <summary>
    /// Queues a render to run after the figure's simulations (see <see cref="RenderDeferred"/>): the SVG device of
    /// SkiaSharp can crash the process when a garbage collection driven by other threads' allocations lands inside
    /// its native calls, so SVGs are drawn when no simulation runs beside them.
    /// </summary>
    public void Defer(Action render)
    {
        ArgumentNullException.ThrowIfNull(render);
        lock (_deferred)
        {
            _deferred.Add(render);
        }
    }

    /// <summary>Runs the queued renders in order, once.</summary>
    public void RenderDeferred()
    {
        Action[] renders;
        lock (_deferred)
        {
            renders = [.. _deferred];
            _deferred.Clear();
        }

        foreach (var render in renders)
        {
            render();
        }
    }

    /// <summary>Chooses the full-run or the quick value.</summary>
    public T Pick<T>(T full, T quick) => Quick ? quick : full;

    /// <summary>Reports progress (clamped to 0 … 1).</summary>
    public void Report(double fraction) => Progress?.Report(Math.Clamp(fraction, 0, 1));
}
