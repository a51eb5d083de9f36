namespace LatentSpikes.Srm0;

/// <summary>
/// The stationary gain g(h) of the discrete SRM0 neuron under constant input h (seed 000, §1.5): the renewal rate
/// 1/(dt·E[T]) with E[T] = Σ_{a=1}^{L−1} S_a + S_L/P_L, S_1 = 1, S_{a+1} = S_a(1 − P_a). It uses the neuron's own
/// P_a, so it reproduces the spiking neuron exactly for constant input: the best memoryless rate model. Tabulated
/// with linear interpolation for the conventional rate network.
/// </summary>
public sealed class StationaryGain
{
    /// <summary>Default grid spacing of the table (Δu), the spec's 10⁻³.</summary>
    public const double DefaultStep = 1e-3;

    private readonly double[] _table;
    private readonly double _lo;
    private readonly double _inverseStep;

    /// <summary>Tabulates the gain of <paramref name="neuron"/> over its clipped potential range.</summary>
    public StationaryGain(Srm0Neuron neuron, double step = DefaultStep)
        : this(neuron, h => RateHz(neuron, h), step)
    {
    }

    private StationaryGain(Srm0Neuron neuron, Func<double, double> rateHz, double step)
    {
        ArgumentNullException.ThrowIfNull(neuron);
        if (!(step > 0) || !double.IsFinite(step))
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "the grid step must be > 0");
        }

        Neuron = neuron;
        double clip = neuron.Parameters.PotentialClip;
        _lo = -clip;
        int n = (int)Math.Ceiling(2 * clip / step) + 1;
        _inverseStep = 1 / step;
        _table = new double[n + 1];
        for (int i = 0; i < n; i++)
        {
            _table[i] = rateHz(_lo + (i * step));
        }

        // One guard entry so that interpolation at the top edge never reads past the end.
        _table[n] = _table[n - 1];
    }

    /// <summary>The gain of the LIF variant, g(h) = <see cref="LifEscapeNeuron.StationaryRateHz"/>, tabulated the same way.</summary>
    public static StationaryGain Of(LifEscapeNeuron neuron, double step = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(neuron);
        return new StationaryGain(neuron.Escape, neuron.StationaryRateHz, step);
    }

    /// <summary>The neuron tabulated (for LIF: its escape function, whose clip bounds the table).</summary>
    public Srm0Neuron Neuron { get; }

    /// <summary>g(h) by linear interpolation in the table (Hz); h is clipped like the neuron's potential.</summary>
    public double Evaluate(double h)
    {
        double clip = Neuron.Parameters.PotentialClip;
        h = h > clip ? clip : (h < -clip ? -clip : h);
        double x = (h - _lo) * _inverseStep;
        int i = (int)x;
        if (i >= _table.Length - 1)
        {
            return _table[^1];
        }

        double frac = x - i;
        return _table[i] + (frac * (_table[i + 1] - _table[i]));
    }

    /// <summary>The exact stationary rate g(h) = 1/(dt·E[T]) (Hz).</summary>
    public static double RateHz(Srm0Neuron neuron, double h) => 1 / (neuron.Dt * MeanInterval(neuron, h));

    /// <summary>E[T], the mean inter-spike interval in steps under constant input h.</summary>
    public static double MeanInterval(Srm0Neuron neuron, double h)
    {
        ArgumentNullException.ThrowIfNull(neuron);
        double c = neuron.EscapeFactor(h);
        int last = neuron.AgeBins - 1;
        double survivor = 1;
        double sum = 0;
        for (int j = 0; j < last; j++)
        {
            sum += survivor;
            survivor *= 1 - neuron.SpikeProbability(c, j);
        }

        return sum + (survivor / neuron.SpikeProbability(c, last));
    }

    /// <summary>P(T = n) = S_n·P_n for n = 1..<paramref name="maxInterval"/>: the exact ISI distribution in steps.</summary>
    public static double[] IntervalDistribution(Srm0Neuron neuron, double h, int maxInterval)
    {
        ArgumentNullException.ThrowIfNull(neuron);
        double c = neuron.EscapeFactor(h);
        var p = new double[maxInterval + 1];
        double survivor = 1;
        for (int n = 1; n <= maxInterval; n++)
        {
            double hazard = neuron.SpikeProbability(c, Math.Min(n, neuron.AgeBins) - 1);
            p[n] = survivor * hazard;
            survivor *= 1 - hazard;
        }

        return p;
    }

    /// <summary>g'(h) by a central difference of the exact rate (Hz per Δu); sets the decoder gain c_dec = 1/g'(b).</summary>
    public static double SlopeHz(Srm0Neuron neuron, double h)
    {
        const double delta = 1e-4;
        return (RateHz(neuron, h + delta) - RateHz(neuron, h - delta)) / (2 * delta);
    }
}
