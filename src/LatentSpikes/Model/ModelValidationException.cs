namespace LatentSpikes.Model;

/// <summary>
/// A network or experiment that cannot be simulated as described. <see cref="Field"/> names the offending
/// field in spec notation (e.g. <c>populations[1].decoders[3]</c>) so a spec reader can point at its line.
/// </summary>
public sealed class ModelValidationException : Exception
{
    /// <summary>Creates the exception for one field.</summary>
    public ModelValidationException(string field, string message)
        : base($"{field}: {message}")
    {
        Field = field;
        Reason = message;
    }

    /// <summary>The offending field, in spec path notation.</summary>
    public string Field { get; }

    /// <summary>What is wrong with the field, without the field name.</summary>
    public string Reason { get; }
}
