namespace LatentSpikes.Srm0;

/// <summary>
/// Heterogeneous neuron parameters of a layer stack: neuron i sees its input potential as γ_i·h − δϑ_i, with a
/// threshold shift δϑ_i ~ N(0, σ_ϑ²) (Δu) and an input gain γ_i = exp(σ_γ·ξ_i − σ_γ²/2) (log-normal, mean 1), drawn
/// per neuron and layer from the seed. For SRM0 the shift is exactly a per-neuron threshold; for the LIF variant it
/// offsets the potential V relaxes to.
/// </summary>
public static class Heterogeneity
{
    /// <summary>γ for a standard normal draw <paramref name="normal"/> and log-sd <paramref name="gainSd"/>: mean 1 for any σ_γ.</summary>
    public static double InputGain(double gainSd, double normal) => Math.Exp((gainSd * normal) - (gainSd * gainSd / 2));
}

/// <summary>
/// The population-averaged gain of a heterogeneous layer, ḡ(h) = E[g(γ·h − δϑ)] over the parameter distribution of
/// <see cref="Heterogeneity"/>, and its slope ḡ'(h) = E[γ·g'(γ·h − δϑ)]. By Stein's lemma a layer's decoding
/// (K/(σ_E²N))·Σ_j E_jk·A_j tends to ḡ'·z_k as N → ∞ (the encoders are independent of the parameters), so
/// c_dec = 1/ḡ'(b) passes the latents on with unit gain; 1/g'(b) of the mean neuron would not (docs/seed-000.md).
/// The expectation is a tensor trapezoid rule over ±8 standard deviations, spectrally accurate for these smooth
/// Gaussian integrands.
/// </summary>
public sealed class PopulationGain
{
    private const double Span = 8.0;
    private const double DerivativeStep = 1e-4;
    private readonly Func<double, double> _rateHz;
    private readonly double[] _thresholdShift;
    private readonly double[] _thresholdWeight;
    private readonly double[] _gain;
    private readonly double[] _gainWeight;

    /// <summary>Averages <paramref name="rateHz"/> (the homogeneous g) over σ_ϑ = <paramref name="thresholdSd"/> and σ_γ = <paramref name="gainSd"/>.</summary>
    public PopulationGain(Func<double, double> rateHz, double thresholdSd, double gainSd, int nodes = 65)
    {
        ArgumentNullException.ThrowIfNull(rateHz);
        if (!(thresholdSd >= 0) || !(gainSd >= 0) || !double.IsFinite(thresholdSd) || !double.IsFinite(gainSd))
        {
            throw new ArgumentOutOfRangeException(nameof(thresholdSd), "the spreads must be finite and ≥ 0");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 3);
        _rateHz = rateHz;
        ThresholdSd = thresholdSd;
        GainSd = gainSd;
        (_thresholdShift, _thresholdWeight) = Nodes(thresholdSd, nodes, x => thresholdSd * x);
        (_gain, _gainWeight) = Nodes(gainSd, nodes, x => Heterogeneity.InputGain(gainSd, x));
    }

    /// <summary>σ_ϑ (Δu).</summary>
    public double ThresholdSd { get; }

    /// <summary>σ_γ (log-sd of the input gain).</summary>
    public double GainSd { get; }

    /// <summary>ḡ(h) = E[g(γ·h − δϑ)] (Hz).</summary>
    public double Mean(double h)
    {
        double sum = 0;
        for (int a = 0; a < _gain.Length; a++)
        {
            for (int b = 0; b < _thresholdShift.Length; b++)
            {
                sum += _gainWeight[a] * _thresholdWeight[b] * _rateHz((_gain[a] * h) - _thresholdShift[b]);
            }
        }

        return sum;
    }

    /// <summary>ḡ'(h) by a central difference of <see cref="Mean"/> (Hz per Δu); with no spread, exactly <see cref="StationaryGain.SlopeHz"/>'s formula.</summary>
    public double Slope(double h) => (Mean(h + DerivativeStep) - Mean(h - DerivativeStep)) / (2 * DerivativeStep);

    /// <summary>Trapezoid nodes on a standard normal over ±<see cref="Span"/>, mapped by <paramref name="map"/>; a single node at 0 without spread.</summary>
    private static (double[] Values, double[] Weights) Nodes(double sd, int nodes, Func<double, double> map)
    {
        if (sd == 0)
        {
            return ([map(0)], [1.0]);
        }

        var values = new double[nodes];
        var weights = new double[nodes];
        double step = 2 * Span / (nodes - 1), total = 0;
        for (int i = 0; i < nodes; i++)
        {
            double x = -Span + (i * step);
            values[i] = map(x);
            weights[i] = Math.Exp(-x * x / 2);
            total += weights[i];
        }

        // Normalise the weights (rather than use 1/√(2π)·step) so that a constant integrates to exactly 1.
        for (int i = 0; i < nodes; i++)
        {
            weights[i] /= total;
        }

        return (values, weights);
    }
}
