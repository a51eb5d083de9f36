using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LatentSpikes.Randomness;

/// <summary>
/// Standard normal deviates from 32 random bits by a branch-free inverse CDF in single precision: z =
/// ±√2·erfinv(1 − t), where the low 31 bits give the two-sided tail probability t ∈ (0, 1] and the top bit the sign.
/// With q = t·(2 − t) = 1 − x² and L = log₂ q: for L ≥ −5/ln 2 (99.66 % of draws) a degree-7 polynomial in L
/// (refitted here to Giles' central branch, so no conversion to ln is needed); beyond, Giles' single-precision tail
/// branch in √w, w = −ln q ("Approximating the erfinv function", GPU Computing Gems, 2011), and for w ≥ 16
/// (|z| ≳ 5.3, where Giles' branch is fitted only to single precision's own reach) a refitted degree-4 polynomial.
/// Because t is built directly from the integer, not as 1 − x, the tail is not lost to cancellation: the largest
/// deviate is 6.34 (t = 2⁻³²). Relative error against the exact quantile ≤ 1·10⁻⁶ for |z| > 0.5 (FastNoiseStreamTests measures it).
/// </summary>
/// <remarks>
/// Every operation is an IEEE single-precision add, multiply, fused multiply-add, square root, conversion or bit
/// operation, in the same order in the scalar <see cref="Sample(uint)"/> and the vector
/// <see cref="Sample(Vector512{uint})"/> and <see cref="Sample(Vector256{uint})"/>, so a deviate is bit-identical
/// whichever path or hardware computes it.
/// </remarks>
public static class InverseNormal
{
    private const double Sqrt2 = 1.4142135623730951; // folded into the erfinv coefficients: z = √2·erfinv
    private const float TailProbScale = 4.65661287e-10f; // 2⁻³¹
    private const float TailProbHalf = 2.32830644e-10f; // 2⁻³², centres t in its bin so t > 0
    private const float Sqrt2F = 1.41421356f;
    private const float Ln2 = 0.693147181f;

    // log₂(1 + f) ≈ f·P(f) on f ∈ [√½ − 1, √2 − 1): least-squares fit, |error| ≤ 1.6·10⁻⁷.
    private const float L0 = -0.146203533f, L1 = 0.234209850f, L2 = -0.248821810f, L3 = 0.287075609f;
    private const float L4 = -0.360241979f, L5 = 0.480924040f, L6 = -0.721352756f, L7 = 1.44269490f;

    // Central branch: √2·erfinv(x)/x in L + 3.6 for L ∈ [−5/ln 2, 0], fitted to the exact quantile, ≤ 6·10⁻⁷.
    private const float A0 = -3.72379105e-08f, A1 = -4.99309692e-07f, A2 = 9.71769964e-07f, A3 = 7.09412780e-05f;
    private const float A4 = 0.000592386874f, A5 = -0.00282546226f, A6 = -0.241809770f, A7 = 2.12168407f;

    // Giles, tail branch (5 ≤ w < 16), in √w − 3.
    private const float B0 = (float)(-0.000200214257 * Sqrt2), B1 = (float)(0.000100950558 * Sqrt2), B2 = (float)(0.00134934322 * Sqrt2), B3 = (float)(-0.00367342844 * Sqrt2);
    private const float B4 = (float)(0.00573950773 * Sqrt2), B5 = (float)(-0.0076224613 * Sqrt2), B6 = (float)(0.00943887047 * Sqrt2), B7 = (float)(1.00167406 * Sqrt2), B8 = (float)(2.83297682 * Sqrt2);

    // Far tail (w ≥ 16, t ≲ 1.1·10⁻⁷): least-squares fit of erfinv(x)/x in √w − 4.3 over w ∈ [15.5, 22.5], 2·10⁻⁸.
    private const float C0 = (float)(0.000188888487 * Sqrt2), C1 = (float)(-0.000576618826 * Sqrt2), C2 = (float)(0.000625730492 * Sqrt2), C3 = (float)(1.01004541 * Sqrt2), C4 = (float)(4.14272404 * Sqrt2);

    private const float CentralLimit = -7.21347520f; // L at w = 5
    private const float FarLimit = 16f;

    /// <summary>A standard normal deviate from 32 random bits.</summary>
    public static float Sample(uint bits)
    {
        float t = MathF.FusedMultiplyAdd((int)(bits & 0x7FFFFFFFu), TailProbScale, TailProbHalf);
        float l = Log2(t * (2f - t));
        float c = l + 3.6f;
        float p = Fma(Fma(Fma(Fma(Fma(Fma(Fma(A0, c, A1), c, A2), c, A3), c, A4), c, A5), c, A6), c, A7);
        if (l < CentralLimit)
        {
            float w = l * -Ln2;
            float s = MathF.Sqrt(w);
            float d = s - 3f;
            p = Fma(Fma(Fma(Fma(Fma(Fma(Fma(Fma(B0, d, B1), d, B2), d, B3), d, B4), d, B5), d, B6), d, B7), d, B8);
            if (w >= FarLimit)
            {
                float e = s - 4.3f;
                p = Fma(Fma(Fma(Fma(C0, e, C1), e, C2), e, C3), e, C4);
            }
        }

        float z = p * (1f - t);
        return BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(z) ^ (int)(bits & 0x80000000u));
    }

    /// <summary>Sixteen deviates, lane by lane the same as <see cref="Sample(uint)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sample(Vector512<uint> bits)
    {
        var t = Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle((bits & Vector512.Create(0x7FFFFFFFu)).AsInt32()), Vector512.Create(TailProbScale), Vector512.Create(TailProbHalf));
        var l = Log2(t * (Vector512.Create(2f) - t));
        var c = l + Vector512.Create(3.6f);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(A0), c, Vector512.Create(A1));
        p = Vector512.FusedMultiplyAdd(p, c, Vector512.Create(A2));
        p = Vector512.FusedMultiplyAdd(p, c, Vector512.Create(A3));
        p = Vector512.FusedMultiplyAdd(p, c, Vector512.Create(A4));
        p = Vector512.FusedMultiplyAdd(p, c, Vector512.Create(A5));
        p = Vector512.FusedMultiplyAdd(p, c, Vector512.Create(A6));
        p = Vector512.FusedMultiplyAdd(p, c, Vector512.Create(A7));
        var tail = Vector512.LessThan(l, Vector512.Create(CentralLimit));
        if (tail != Vector512<float>.Zero)
        {
            // About one 16-lane group in twenty has a lane with t < 0.0034: a branch beats evaluating it always.
            var w = l * Vector512.Create(-Ln2);
            var s = Vector512.Sqrt(w);
            var d = s - Vector512.Create(3f);
            var pb = Vector512.FusedMultiplyAdd(Vector512.Create(B0), d, Vector512.Create(B1));
            pb = Vector512.FusedMultiplyAdd(pb, d, Vector512.Create(B2));
            pb = Vector512.FusedMultiplyAdd(pb, d, Vector512.Create(B3));
            pb = Vector512.FusedMultiplyAdd(pb, d, Vector512.Create(B4));
            pb = Vector512.FusedMultiplyAdd(pb, d, Vector512.Create(B5));
            pb = Vector512.FusedMultiplyAdd(pb, d, Vector512.Create(B6));
            pb = Vector512.FusedMultiplyAdd(pb, d, Vector512.Create(B7));
            pb = Vector512.FusedMultiplyAdd(pb, d, Vector512.Create(B8));
            var far = Vector512.GreaterThanOrEqual(w, Vector512.Create(FarLimit)) & tail;
            if (far != Vector512<float>.Zero)
            {
                var e = s - Vector512.Create(4.3f);
                var pc = Vector512.FusedMultiplyAdd(Vector512.Create(C0), e, Vector512.Create(C1));
                pc = Vector512.FusedMultiplyAdd(pc, e, Vector512.Create(C2));
                pc = Vector512.FusedMultiplyAdd(pc, e, Vector512.Create(C3));
                pc = Vector512.FusedMultiplyAdd(pc, e, Vector512.Create(C4));
                pb = Vector512.ConditionalSelect(far, pc, pb);
            }

            p = Vector512.ConditionalSelect(tail, pb, p);
        }

        var z = p * (Vector512.Create(1f) - t);
        return (z.AsUInt32() ^ (bits & Vector512.Create(0x80000000u))).AsSingle();
    }

    /// <summary>Eight (for hardware without AVX-512) deviates, lane by lane the same as <see cref="Sample(uint)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sample(Vector256<uint> bits)
    {
        var t = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle((bits & Vector256.Create(0x7FFFFFFFu)).AsInt32()), Vector256.Create(TailProbScale), Vector256.Create(TailProbHalf));
        var l = Log2(t * (Vector256.Create(2f) - t));
        var c = l + Vector256.Create(3.6f);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(A0), c, Vector256.Create(A1));
        p = Vector256.FusedMultiplyAdd(p, c, Vector256.Create(A2));
        p = Vector256.FusedMultiplyAdd(p, c, Vector256.Create(A3));
        p = Vector256.FusedMultiplyAdd(p, c, Vector256.Create(A4));
        p = Vector256.FusedMultiplyAdd(p, c, Vector256.Create(A5));
        p = Vector256.FusedMultiplyAdd(p, c, Vector256.Create(A6));
        p = Vector256.FusedMultiplyAdd(p, c, Vector256.Create(A7));
        var tail = Vector256.LessThan(l, Vector256.Create(CentralLimit));
        if (tail != Vector256<float>.Zero)
        {
            // About one 16-lane group in twenty has a lane with t < 0.0034: a branch beats evaluating it always.
            var w = l * Vector256.Create(-Ln2);
            var s = Vector256.Sqrt(w);
            var d = s - Vector256.Create(3f);
            var pb = Vector256.FusedMultiplyAdd(Vector256.Create(B0), d, Vector256.Create(B1));
            pb = Vector256.FusedMultiplyAdd(pb, d, Vector256.Create(B2));
            pb = Vector256.FusedMultiplyAdd(pb, d, Vector256.Create(B3));
            pb = Vector256.FusedMultiplyAdd(pb, d, Vector256.Create(B4));
            pb = Vector256.FusedMultiplyAdd(pb, d, Vector256.Create(B5));
            pb = Vector256.FusedMultiplyAdd(pb, d, Vector256.Create(B6));
            pb = Vector256.FusedMultiplyAdd(pb, d, Vector256.Create(B7));
            pb = Vector256.FusedMultiplyAdd(pb, d, Vector256.Create(B8));
            var far = Vector256.GreaterThanOrEqual(w, Vector256.Create(FarLimit)) & tail;
            if (far != Vector256<float>.Zero)
            {
                var e = s - Vector256.Create(4.3f);
                var pc = Vector256.FusedMultiplyAdd(Vector256.Create(C0), e, Vector256.Create(C1));
                pc = Vector256.FusedMultiplyAdd(pc, e, Vector256.Create(C2));
                pc = Vector256.FusedMultiplyAdd(pc, e, Vector256.Create(C3));
                pc = Vector256.FusedMultiplyAdd(pc, e, Vector256.Create(C4));
                pb = Vector256.ConditionalSelect(far, pc, pb);
            }

            p = Vector256.ConditionalSelect(tail, pb, p);
        }

        var z = p * (Vector256.Create(1f) - t);
        return (z.AsUInt32() ^ (bits & Vector256.Create(0x80000000u))).AsSingle();
    }

    /// <summary>log₂ of a positive normal float: exponent plus f·P(f) on the mantissa reduced to [√½, √2).</summary>
    private static float Log2(float x)
    {
        int bits = BitConverter.SingleToInt32Bits(x);
        int e = (bits >> 23) - 127;
        float m = BitConverter.Int32BitsToSingle((bits & 0x007FFFFF) | 0x3F800000); // x = m·2^e, m ∈ [1, 2)
        if (m >= Sqrt2F)
        {
            e += 1;
            m *= 0.5f;
        }

        float f = m - 1f;
        float y = Fma(Fma(Fma(Fma(Fma(Fma(Fma(L0, f, L1), f, L2), f, L3), f, L4), f, L5), f, L6), f, L7);
        return Fma(y, f, e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Log2(Vector512<float> x)
    {
        var bits = x.AsInt32();
        var e = Vector512.ShiftRightArithmetic(bits, 23) - Vector512.Create(127);
        var m = ((bits & Vector512.Create(0x007FFFFF)) | Vector512.Create(0x3F800000)).AsSingle();
        var high = Vector512.GreaterThanOrEqual(m, Vector512.Create(Sqrt2F));
        e -= high.AsInt32(); // a true lane is −1
        var f = Vector512.ConditionalSelect(high, m * Vector512.Create(0.5f), m) - Vector512.Create(1f);
        var y = Vector512.FusedMultiplyAdd(Vector512.Create(L0), f, Vector512.Create(L1));
        y = Vector512.FusedMultiplyAdd(y, f, Vector512.Create(L2));
        y = Vector512.FusedMultiplyAdd(y, f, Vector512.Create(L3));
        y = Vector512.FusedMultiplyAdd(y, f, Vector512.Create(L4));
        y = Vector512.FusedMultiplyAdd(y, f, Vector512.Create(L5));
        y = Vector512.FusedMultiplyAdd(y, f, Vector512.Create(L6));
        y = Vector512.FusedMultiplyAdd(y, f, Vector512.Create(L7));
        return Vector512.FusedMultiplyAdd(y, f, Vector512.ConvertToSingle(e));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Log2(Vector256<float> x)
    {
        var bits = x.AsInt32();
        var e = Vector256.ShiftRightArithmetic(bits, 23) - Vector256.Create(127);
        var m = ((bits & Vector256.Create(0x007FFFFF)) | Vector256.Create(0x3F800000)).AsSingle();
        var high = Vector256.GreaterThanOrEqual(m, Vector256.Create(Sqrt2F));
        e -= high.AsInt32(); // a true lane is −1
        var f = Vector256.ConditionalSelect(high, m * Vector256.Create(0.5f), m) - Vector256.Create(1f);
        var y = Vector256.FusedMultiplyAdd(Vector256.Create(L0), f, Vector256.Create(L1));
        y = Vector256.FusedMultiplyAdd(y, f, Vector256.Create(L2));
        y = Vector256.FusedMultiplyAdd(y, f, Vector256.Create(L3));
        y = Vector256.FusedMultiplyAdd(y, f, Vector256.Create(L4));
        y = Vector256.FusedMultiplyAdd(y, f, Vector256.Create(L5));
        y = Vector256.FusedMultiplyAdd(y, f, Vector256.Create(L6));
        y = Vector256.FusedMultiplyAdd(y, f, Vector256.Create(L7));
        return Vector256.FusedMultiplyAdd(y, f, Vector256.ConvertToSingle(e));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Fma(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
}
