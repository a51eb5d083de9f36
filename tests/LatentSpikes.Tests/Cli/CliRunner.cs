using LatentSpikes.Cli;

namespace LatentSpikes.Tests.Cli;

/// <summary>Runs the command line in-process and captures what it prints.</summary>
internal static class CliRunner
{
    /// <summary>Exit code, standard output and standard error of one invocation.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = LatentSpikesApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Asserts stderr holds exactly one line, an error, and returns it.</summary>
    public static string AssertOneErrorLine(string stderr)
    {
        string[] lines = stderr.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{stderr}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        return lines[0];
    }
}
