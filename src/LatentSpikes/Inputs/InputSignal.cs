using LatentSpikes.Model;
using LatentSpikes.Randomness;

namespace LatentSpikes.Inputs;

/// <summary>
/// One dimension of the filtered input x(t) (seed 002, eq. 2.3), in units of τ. Engines sample it on their time
/// grid and derive the feedforward drive c_t = (x_t − x_{t−1})/dt + x_{t−1}, so the filtered input follows the
/// prescribed trajectory exactly (App. G).
/// </summary>
public abstract record InputSignal
{
    /// <summary>Short kind name used in specs (e.g. <c>ramp</c>).</summary>
    public abstract string Kind { get; }

    /// <summary>Starts a sampler on a grid of step <paramref name="dt"/>; stochastic signals draw from <paramref name="streamKey"/>.</summary>
    public abstract SignalSampler Start(double dt, ulong streamKey);

    /// <summary>Checks the parameters; throws <see cref="ModelValidationException"/> naming the field under <paramref name="at"/>.</summary>
    public abstract void Validate(string at);

    /// <summary>Throws unless <paramref name="value"/> is finite.</summary>
    protected static void Finite(string field, double value) => LowRankNetwork.RequireFinite(field, value);
}

/// <summary>Samples an input signal at consecutive grid steps 0, 1, 2, … (stochastic signals carry state).</summary>
public abstract class SignalSampler
{
    /// <summary>The value at grid step <paramref name="index"/>; steps must be requested in increasing order.</summary>
    public abstract double At(long index);
}

/// <summary>A signal given as a function of time.</summary>
public abstract record DeterministicSignal : InputSignal
{
    /// <summary>The value at time <paramref name="t"/> (units of τ).</summary>
    public abstract double ValueAt(double t);

    /// <inheritdoc />
    public override SignalSampler Start(double dt, ulong streamKey) => new FunctionSampler(this, dt);

    private sealed class FunctionSampler(DeterministicSignal signal, double dt) : SignalSampler
    {
        public override double At(long index) => signal.ValueAt(index * dt);
    }
}

/// <summary>A constant input.</summary>
/// <param name="Value">The value.</param>
public sealed record ConstantSignal(double Value) : DeterministicSignal
{
    /// <inheritdoc />
    public override string Kind => "constant";

    /// <inheritdoc />
    public override double ValueAt(double t) => Value;

    /// <inheritdoc />
    public override void Validate(string at) => Finite($"{at}.value", Value);
}

/// <summary>A linear ramp from <paramref name="From"/> at <paramref name="StartTime"/> to <paramref name="To"/> at <paramref name="StopTime"/>, held outside.</summary>
/// <param name="From">Value before and at the start.</param>
/// <param name="To">Value at and after the stop.</param>
/// <param name="StartTime">Ramp start (τ).</param>
/// <param name="StopTime">Ramp end (τ).</param>
public sealed record RampSignal(double From, double To, double StartTime, double StopTime) : DeterministicSignal
{
    /// <inheritdoc />
    public override string Kind => "ramp";

    /// <inheritdoc />
    public override double ValueAt(double t)
    {
        if (t <= StartTime)
        {
            return From;
        }

        if (t >= StopTime)
        {
            return To;
        }

        return From + ((To - From) * (t - StartTime) / (StopTime - StartTime));
    }

    /// <inheritdoc />
    public override void Validate(string at)
    {
        Finite($"{at}.from", From);
        Finite($"{at}.to", To);
        Finite($"{at}.start", StartTime);
        Finite($"{at}.stop", StopTime);
        if (StopTime <= StartTime)
        {
            throw new ModelValidationException($"{at}.stop", $"must be after start ({StopTime} ≤ {StartTime})");
        }
    }
}

/// <summary>A piecewise-constant signal: <c>Values[k]</c> holds on [Times[k], Times[k+1]); before Times[0] it is <paramref name="Initial"/>.</summary>
/// <param name="Initial">Value before the first step.</param>
/// <param name="Times">Step times, strictly increasing (τ).</param>
/// <param name="Values">Value from each step time on.</param>
public sealed record StepsSignal(double Initial, IReadOnlyList<double> Times, IReadOnlyList<double> Values) : DeterministicSignal
{
    /// <inheritdoc />
    public override string Kind => "steps";

    /// <inheritdoc />
    public override double ValueAt(double t)
    {
        double v = Initial;
        for (int k = 0; k < Times.Count && Times[k] <= t; k++)
        {
            v = Values[k];
        }

        return v;
    }

    /// <inheritdoc />
    public override void Validate(string at)
    {
        Finite($"{at}.initial", Initial);
        Samples.Check(at, Times, Values, minimum: 1);
    }
}

/// <summary>Linear interpolation through (time, value) samples, held constant before the first and after the last.</summary>
/// <param name="Times">Sample times, strictly increasing (τ).</param>
/// <param name="Values">Sample values.</param>
public sealed record PiecewiseLinearSignal(IReadOnlyList<double> Times, IReadOnlyList<double> Values) : DeterministicSignal
{
    /// <inheritdoc />
    public override string Kind => "piecewise_linear";

    /// <inheritdoc />
    public override double ValueAt(double t)
    {
        if (t <= Times[0])
        {
            return Values[0];
        }

        int last = Times.Count - 1;
        if (t >= Times[last])
        {
            return Values[last];
        }

        int lo = 0, hi = last;
        while (hi - lo > 1)
        {
            int mid = (lo + hi) >> 1;
            if (Times[mid] <= t)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        double w = (t - Times[lo]) / (Times[hi] - Times[lo]);
        return Values[lo] + (w * (Values[hi] - Values[lo]));
    }

    /// <inheritdoc />
    public override void Validate(string at) => Samples.Check(at, Times, Values, minimum: 1);
}

/// <summary>A sinusoid offset + amplitude·sin(2π·frequency·t + phase).</summary>
/// <param name="Offset">Mean value.</param>
/// <param name="Amplitude">Amplitude.</param>
/// <param name="Frequency">Cycles per τ.</param>
/// <param name="Phase">Phase in radians.</param>
public sealed record SinusoidSignal(double Offset, double Amplitude, double Frequency, double Phase) : DeterministicSignal
{
    /// <inheritdoc />
    public override string Kind => "sinusoid";

    /// <inheritdoc />
    public override double ValueAt(double t) => Offset + (Amplitude * Math.Sin((2 * Math.PI * Frequency * t) + Phase));

    /// <inheritdoc />
    public override void Validate(string at)
    {
        Finite($"{at}.offset", Offset);
        Finite($"{at}.amplitude", Amplitude);
        Finite($"{at}.frequency", Frequency);
        Finite($"{at}.phase", Phase);
        if (Frequency < 0)
        {
            throw new ModelValidationException($"{at}.frequency", $"must be ≥ 0 (got {Frequency})");
        }
    }
}

/// <summary>
/// White-noise command: the feedforward drive is c(t) = mean + std·η(t) with η unit white noise, so the filtered
/// input x is its τ-low-pass (an Ornstein-Uhlenbeck process with time constant τ, stationary std std/√2),
/// integrated by Euler-Maruyama on the engine grid, starting at the mean.
/// </summary>
/// <param name="Mean">Mean drive.</param>
/// <param name="Std">Noise density of the drive.</param>
public sealed record WhiteNoiseSignal(double Mean, double Std) : InputSignal
{
    /// <inheritdoc />
    public override string Kind => "white";

    /// <inheritdoc />
    public override SignalSampler Start(double dt, ulong streamKey) => new Sampler(this, dt, streamKey);

    /// <inheritdoc />
    public override void Validate(string at)
    {
        Finite($"{at}.mean", Mean);
        Finite($"{at}.std", Std);
        if (Std < 0)
        {
            throw new ModelValidationException($"{at}.std", $"must be ≥ 0 (got {Std})");
        }
    }

    private sealed class Sampler(WhiteNoiseSignal s, double dt, ulong key) : SignalSampler
    {
        private double _x = s.Mean;
        private long _step;

        public override double At(long index)
        {
            while (_step < index)
            {
                _x += (dt * (s.Mean - _x)) + (s.Std * Math.Sqrt(dt) * CounterRandom.Normal(key, (ulong)_step));
                _step++;
            }

            return _x;
        }
    }
}

/// <summary>
/// An Ornstein-Uhlenbeck input trajectory with correlation time <paramref name="Tau"/> (τ units), stationary mean and
/// std, sampled exactly on the engine grid and started from its stationary distribution.
/// </summary>
/// <param name="Mean">Stationary mean.</param>
/// <param name="Std">Stationary standard deviation.</param>
/// <param name="Tau">Correlation time (τ).</param>
public sealed record OrnsteinUhlenbeckSignal(double Mean, double Std, double Tau) : InputSignal
{
    /// <inheritdoc />
    public override string Kind => "ou";

    /// <inheritdoc />
    public override SignalSampler Start(double dt, ulong streamKey) => new Sampler(this, dt, streamKey);

    /// <inheritdoc />
    public override void Validate(string at)
    {
        Finite($"{at}.mean", Mean);
        Finite($"{at}.std", Std);
        Finite($"{at}.tau", Tau);
        if (Std < 0)
        {
            throw new ModelValidationException($"{at}.std", $"must be ≥ 0 (got {Std})");
        }

        if (Tau <= 0)
        {
            throw new ModelValidationException($"{at}.tau", $"must be > 0 (got {Tau})");
        }
    }

    private sealed class Sampler : SignalSampler
    {
        private readonly OrnsteinUhlenbeckSignal _s;
        private readonly ulong _key;
        private readonly double _decay;
        private readonly double _kick;
        private double _x;
        private long _step;

        public Sampler(OrnsteinUhlenbeckSignal s, double dt, ulong key)
        {
            _s = s;
            _key = key;
            _decay = Math.Exp(-dt / s.Tau);
            _kick = s.Std * Math.Sqrt(1 - (_decay * _decay));
            _x = s.Mean + (s.Std * CounterRandom.Normal(key, ulong.MaxValue));
        }

        public override double At(long index)
        {
            while (_step < index)
            {
                _x = _s.Mean + ((_x - _s.Mean) * _decay) + (_kick * CounterRandom.Normal(_key, (ulong)_step));
                _step++;
            }

            return _x;
        }
    }
}

internal static class Samples
{
    public static void Check(string at, IReadOnlyList<double> times, IReadOnlyList<double> values, int minimum)
    {
        if (times.Count < minimum)
        {
            throw new ModelValidationException($"{at}.times", $"needs at least {minimum} entr{(minimum == 1 ? "y" : "ies")}");
        }

        if (times.Count != values.Count)
        {
            throw new ModelValidationException($"{at}.values", $"has {values.Count} entries but times has {times.Count}");
        }

        for (int k = 0; k < times.Count; k++)
        {
            LowRankNetwork.RequireFinite($"{at}.times[{k}]", times[k]);
            LowRankNetwork.RequireFinite($"{at}.values[{k}]", values[k]);
            if (k > 0 && times[k] <= times[k - 1])
            {
                throw new ModelValidationException($"{at}.times[{k}]", $"times must increase strictly ({times[k]} after {times[k - 1]})");
            }
        }
    }
}
