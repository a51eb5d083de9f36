namespace LatentSpikes.Construction.Expressions;

/// <summary>
/// A formula that cannot be parsed or resolved. The message is one line,
/// <c>expression 'x^^2': column 3: unexpected '^'</c>, so a spec reader can show it behind the field's location.
/// </summary>
public sealed class ExpressionException : Exception
{
    /// <summary>Creates the exception for a problem at a 1-based column of the expression text.</summary>
    /// <param name="text">The expression as written.</param>
    /// <param name="column">1-based column of the problem (one past the end for an unexpected end).</param>
    /// <param name="reason">What is wrong, without location.</param>
    public ExpressionException(string text, int column, string reason)
        : base(Format(text, column, reason))
    {
        Text = text;
        Column = column;
        Reason = reason;
    }

    /// <summary>The expression text.</summary>
    public string Text { get; }

    /// <summary>1-based column of the problem.</summary>
    public int Column { get; }

    /// <summary>What is wrong, without the expression and the column.</summary>
    public string Reason { get; }

    private static string Format(string text, int column, string reason)
    {
        // Error messages are one line: a block scalar in YAML may have brought line breaks along.
        string flat = text.Replace('\r', ' ').Replace('\n', ' ').Replace('\t', ' ');
        if (flat.Length > 200)
        {
            // A long formula (up to the length limit) would drown the message; the column still locates the problem.
            flat = string.Concat(flat.AsSpan(0, 60), "…");
        }

        return $"expression '{flat}': column {column}: {reason}";
    }
}
