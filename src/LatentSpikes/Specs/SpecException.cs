namespace LatentSpikes.Specs;

/// <summary>
/// A spec that cannot be read or describes an impossible model. The message is one line of the form
/// <c>file:line: field: problem</c>, ready to show to a user.
/// </summary>
public sealed class SpecException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">Spec file (or a label such as <c>&lt;built-in demo&gt;</c>).</param>
    /// <param name="line">1-based line, or 0 when unknown.</param>
    /// <param name="field">Field path, e.g. <c>populations[0].size</c>; empty for the whole document.</param>
    /// <param name="problem">What is wrong.</param>
    public SpecException(string file, int line, string field, string problem)
        : base(Format(file, line, field, problem))
    {
        File = file;
        Line = line;
        Field = field;
        Problem = problem;
    }

    /// <summary>The spec file.</summary>
    public string File { get; }

    /// <summary>1-based line, or 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>The offending field.</summary>
    public string Field { get; }

    /// <summary>The problem, without location.</summary>
    public string Problem { get; }

    private static string Format(string file, int line, string field, string problem)
    {
        string where = line > 0 ? $"{file}:{line}" : file;
        string text = string.IsNullOrEmpty(field) ? $"{where}: {problem}" : $"{where}: {field}: {problem}";
        return text.Replace('\n', ' ').Replace('\r', ' ');
    }
}
