namespace LatentSpikes.Specs;

/// <summary>
/// The bounds every input is checked against before it is read, so that no file, spec, sweep or formula can make a
/// reader recurse, allocate or loop without limit (docs/spec.md, "Limits"). Each refusal is a one-line
/// <see cref="SpecException"/> (or <see cref="Construction.Expressions.ExpressionException"/> for a formula).
/// </summary>
public static class InputLimits
{
    /// <summary>Largest spec or sweep file, in bytes (16 MiB).</summary>
    public const long MaxSpecFileBytes = 16L << 20;

    /// <summary>Largest input samples file (<c>piecewise_linear</c> with <c>file:</c>), in bytes (64 MiB).</summary>
    public const long MaxSamplesFileBytes = 64L << 20;

    /// <summary>Deepest nesting of lists and mappings in a spec or sweep file (the root mapping is level 1).</summary>
    public const int MaxYamlDepth = 64;

    /// <summary>Most YAML nodes a spec or sweep may hold, counting every alias as the whole node it stands for.</summary>
    public const long MaxYamlNodes = 1_000_000;

    /// <summary>Longest formula (<c>expression:</c> in a spec, <c>compile --function</c>), in characters.</summary>
    public const int MaxExpressionLength = 4096;

    /// <summary>
    /// Deepest nesting of a formula: parentheses, function calls, signs and powers each open one level, and so does
    /// every operator of a chain such as <c>a + b + c</c> (which is read as <c>(a + b) + c</c>).
    /// </summary>
    public const int MaxExpressionDepth = 256;

    /// <summary>Most neurons in one population.</summary>
    public const int MaxPopulationNeurons = 2_000_000;

    /// <summary>Most neurons in a network, over all its populations.</summary>
    public const long MaxNetworkNeurons = 2_000_000;

    /// <summary><see cref="MaxPopulationNeurons"/> and <see cref="MaxNetworkNeurons"/> as written in messages.</summary>
    internal const string MaxNeuronsText = "2·10⁶";
}
