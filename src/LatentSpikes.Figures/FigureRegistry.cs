using LatentSpikes.Figures.Figures;

namespace LatentSpikes.Figures;

/// <summary>Thrown for a bad <c>--only</c> selection; the message is one line naming the problem and the known ids.</summary>
public sealed class FigureSelectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FigureSelectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public FigureSelectionException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public FigureSelectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Every figure of the paper that <c>latentspikes figures</c> knows, in the paper's order. Adding a figure is one
/// class implementing <see cref="IFigure"/> and one line here; a figure whose pieces are still being built is a
/// <see cref="PendingFigure"/> listing its claims, so the table shows it honestly as pending.
/// </summary>
public static class FigureRegistry
{
    /// <summary>All figures, in the paper's order.</summary>
    public static IReadOnlyList<IFigure> All { get; } =
    [
        new Fig02InhibitoryBoundary(),
        new Fig03ExcitatoryBoundary(),
        new Fig04EiCrossing(),
        new Fig05Saw(),
        new Fig06NoisyInhibitory(),
        new Fig07Nullspace(),
        new Fig08Balance(),
        new Fig09SoftBoundary(),
        new Fig10SlowSynapses(),
        new Fig11Nullclines(),
        new Fig12SlowEi(),
        new FigS1RandomBoundary(),
        new FigS2Irregularity(),
        new FigS3DifferenceOfConvex(),
        new FigKRankKComposition(),

        // Beyond the paper (issue 16): latent dynamics.
        new FigD1BistableSwitch(),
    ];

    /// <summary>The known ids, for messages.</summary>
    public static string KnownIds => string.Join(", ", All.Select(f => f.Id));

    /// <summary>The output folder of a figure: fig02 … fig12, figS1 … figS3.</summary>
    public static string FolderOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return int.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n)
            ? $"fig{n:00}"
            : "fig" + id;
    }

    /// <summary>
    /// The figures named by an <c>--only</c> list ("5,8", "S1", "fig05", case-insensitive, spaces allowed), in the
    /// paper's order; null or empty selects all.
    /// </summary>
    /// <exception cref="FigureSelectionException">For an empty item or an unknown id.</exception>
    public static IReadOnlyList<IFigure> Select(string? only)
    {
        if (string.IsNullOrWhiteSpace(only))
        {
            return All;
        }

        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (string raw in only.Split(','))
        {
            string item = raw.Trim();
            if (item.Length == 0)
            {
                throw new FigureSelectionException($"--only: empty figure id in '{only}' (known: {KnownIds})");
            }

            string id = Normalise(item);
            if (!All.Any(f => f.Id == id))
            {
                throw new FigureSelectionException($"--only: unknown figure '{item}' (known: {KnownIds})");
            }

            wanted.Add(id);
        }

        return All.Where(f => wanted.Contains(f.Id)).ToArray();
    }

    private static string Normalise(string item)
    {
        string s = item.ToUpperInvariant();
        if (s.StartsWith("FIG", StringComparison.Ordinal))
        {
            s = s[3..].TrimStart('.', ' ');
        }

        if (s.StartsWith('S'))
        {
            return s;
        }

        // "05" and "5" are the same figure.
        return int.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n)
            ? n.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : s;
    }
}

/// <summary>A figure whose pieces are not built yet: it writes nothing and lists its claims as pending.</summary>
/// <param name="id">Figure id.</param>
/// <param name="title">Title.</param>
/// <param name="pending">Its pending claims.</param>
public sealed class PendingFigure(string id, string title, IReadOnlyList<PendingClaim> pending) : IFigure
{
    /// <inheritdoc/>
    public string Id => id;

    /// <inheritdoc/>
    public string Title => title;

    /// <inheritdoc/>
    public IReadOnlyList<PendingClaim> Pending => pending;

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context) => [];
}
