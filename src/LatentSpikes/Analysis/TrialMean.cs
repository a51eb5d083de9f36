namespace LatentSpikes.Analysis;

/// <summary>A scalar averaged over trials with its standard error (sample SD/√R; NaN for one trial).</summary>
/// <param name="Mean">Mean over trials.</param>
/// <param name="Sem">Standard error of the mean.</param>
/// <param name="Trials">Number of trials R.</param>
public sealed record TrialMean(double Mean, double Sem, int Trials)
{
    /// <summary>Mean and SEM of one value per trial.</summary>
    public static TrialMean Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("at least one trial is needed", nameof(values));
        }

        var ms = TrialStatistics.AcrossTrials(values.Select(v => (IReadOnlyList<double>)[v]).ToArray());
        return new TrialMean(ms.Mean[0], ms.Sem[0], ms.Trials);
    }
}
