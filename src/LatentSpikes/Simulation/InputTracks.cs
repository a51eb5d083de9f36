using LatentSpikes.Inputs;

namespace LatentSpikes.Simulation;

/// <summary>
/// One input dimension as the event-driven engine sees it: a value at any time, and either a piecewise-linear
/// shape with known breakpoints (so the voltage between breakpoints is a·e^{−t} + linear(t) and crossings have
/// exact roots) or a smooth sinusoid with a bound on its second derivative (so crossings can be bracketed).
/// </summary>
internal abstract class InputTrack
{
    /// <summary>True for a sinusoid (smooth, no breakpoints); false for a piecewise-linear track.</summary>
    public virtual bool IsSinusoid => false;

    /// <summary>The exact value at <paramref name="t"/>; right-continuous at breakpoints.</summary>
    public abstract double Value(double t);

    /// <summary>The slope on [t, NextBreak(t)) for piecewise-linear tracks, the derivative at t for a sinusoid.</summary>
    public abstract double Slope(double t);

    /// <summary>The first breakpoint strictly after <paramref name="t"/>, or +∞.</summary>
    public abstract double NextBreak(double t);

    /// <summary>Called when the engine reaches one of this track's (or the shared grid's) breakpoints.</summary>
    public virtual void Enter(double t)
    {
    }

    /// <summary>The track of a signal, or null when the event engine has no exact form for its kind.</summary>
    public static InputTrack? Create(InputSignal signal, double dt, ulong streamKey) => signal switch
    {
        ConstantSignal c => new KnotTrack([0.0], [c.Value], jumps: false),
        RampSignal r => new KnotTrack([r.StartTime, r.StopTime], [r.From, r.To], jumps: false),
        StepsSignal s => StepsTrack(s),
        PiecewiseLinearSignal p => new KnotTrack(p.Times.ToArray(), p.Values.ToArray(), jumps: false),
        SinusoidSignal s => new SinusoidTrack(s),
        WhiteNoiseSignal or OrnsteinUhlenbeckSignal => new GridTrack(signal.Start(dt, streamKey), dt),
        _ => null,
    };

    private static KnotTrack StepsTrack(StepsSignal s)
    {
        // Value k holds on [Times[k], Times[k+1]); before Times[0] the initial value.
        var values = new double[s.Times.Count + 1];
        values[0] = s.Initial;
        for (int k = 0; k < s.Values.Count; k++)
        {
            values[k + 1] = s.Values[k];
        }

        return new KnotTrack(s.Times.ToArray(), values, jumps: true);
    }

    /// <summary>
    /// A piecewise-linear (or, with <c>jumps</c>, piecewise-constant) track given by knots: linear interpolation
    /// between knots and held outside; with jumps, Values[k+1] holds from Times[k] on and Values[0] before.
    /// </summary>
    private sealed class KnotTrack(double[] times, double[] values, bool jumps) : InputTrack
    {
        public override double Value(double t)
        {
            int k = Segment(t);
            if (jumps)
            {
                return values[k + 1];
            }

            if (k < 0)
            {
                return values[0];
            }

            if (k >= times.Length - 1)
            {
                return values[^1];
            }

            double w = (t - times[k]) / (times[k + 1] - times[k]);
            return values[k] + (w * (values[k + 1] - values[k]));
        }

        public override double Slope(double t)
        {
            if (jumps)
            {
                return 0;
            }

            int k = Segment(t);
            return k < 0 || k >= times.Length - 1 ? 0 : (values[k + 1] - values[k]) / (times[k + 1] - times[k]);
        }

        public override double NextBreak(double t)
        {
            int k = Segment(t);
            return k + 1 < times.Length ? times[k + 1] : double.PositiveInfinity;
        }

        /// <summary>The last knot index k with times[k] ≤ t, or −1.</summary>
        private int Segment(double t)
        {
            int lo = -1, hi = times.Length;
            while (hi - lo > 1)
            {
                int mid = (lo + hi) >> 1;
                if (times[mid] <= t)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }

    /// <summary>offset + A·sin(ω·t + φ): smooth, with |x″| ≤ |A|·ω².</summary>
    public sealed class SinusoidTrack(SinusoidSignal s) : InputTrack
    {
        public double Omega { get; } = 2 * Math.PI * s.Frequency;

        /// <summary>Bound on |x″| over all time.</summary>
        public double CurvatureBound => Math.Abs(s.Amplitude) * Omega * Omega;

        public override bool IsSinusoid => true;

        public override double Value(double t) => s.ValueAt(t);

        public override double Slope(double t) => s.Amplitude * Omega * Math.Cos((Omega * t) + s.Phase);

        public override double NextBreak(double t) => double.PositiveInfinity;
    }

    /// <summary>
    /// A stochastic signal sampled on the dt grid from the same counter-based stream as the clock engine and
    /// interpolated linearly between grid points: exactly the trajectory the clock engine's drive
    /// c_n = (x_n − x_{n−1})/dt + x_{n−1} makes the filtered input follow.
    /// </summary>
    private sealed class GridTrack : InputTrack
    {
        private readonly SignalSampler _sampler;
        private readonly double _dt;
        private long _step;
        private double _here;
        private double _next;

        public GridTrack(SignalSampler sampler, double dt)
        {
            _sampler = sampler;
            _dt = dt;
            _here = sampler.At(0);
            _next = sampler.At(1);
        }

        public override double Value(double t)
        {
            double start = _step * _dt;
            return t == start ? _here : _here + ((_next - _here) * (t - start) / _dt);
        }

        public override double Slope(double t) => (_next - _here) / _dt;

        public override double NextBreak(double t) => (_step + 1) * _dt;

        public override void Enter(double t)
        {
            // Grid times are computed as n·dt everywhere, so the comparison is exact.
            while ((_step + 1) * _dt <= t)
            {
                _step++;
                _here = _next;
                _next = _sampler.At(_step + 1);
            }
        }
    }
}
