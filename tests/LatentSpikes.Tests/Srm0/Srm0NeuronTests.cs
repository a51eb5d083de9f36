using LatentSpikes.Model;
using LatentSpikes.Randomness;
using LatentSpikes.Srm0;

namespace LatentSpikes.Tests.Srm0;

/// <summary>
/// Seed 000 checklist items 1-3 and 5 (§1.8) for one SRM0 neuron with escape noise: the stationary rate, the ISI
/// distribution, probability conservation of the age density, its agreement with a PSTH over many trials, and the
/// memoryless limit.
/// </summary>
public class Srm0NeuronTests
{
    private static readonly Srm0Neuron Default = new(new Srm0NeuronParameters());

    [Fact]
    public void Stationary_rate_with_absolute_refractoriness_only_approaches_the_continuous_formula_as_dt_shrinks()
    {
        // Continuous time: A₀ = 1/(Δ_abs + 1/f(h)). The discrete neuron's mean ISI is Δ_abs − dt + dt/P with
        // P = 1 − e^{−f·dt}, i.e. Δ_abs + 1/f − dt/2 + O(dt²): the relative error is ≈ A₀·dt/2, first order in dt.
        foreach (double h in new[] { -1.0, 1.0, 2.5 })
        {
            double previous = double.PositiveInfinity;
            foreach (double dtMs in new[] { 1.0, 0.1, 0.01 })
            {
                var neuron = new Srm0Neuron(new Srm0NeuronParameters { DtMs = dtMs, RelativeRefractoryDepth = 0 });
                double continuous = 1 / ((neuron.Parameters.AbsoluteRefractoryMs * 1e-3) + (1 / neuron.Hazard(h)));
                double error = Math.Abs(StationaryGain.RateHz(neuron, h) / continuous - 1);
                double predicted = continuous * dtMs * 1e-3 / 2;
                Assert.InRange(error, 0.8 * predicted, 1.2 * predicted);
                Assert.True(error < previous / 5, $"h = {h}: error {error} at dt = {dtMs} ms did not fall with dt");
                previous = error;
            }

            Assert.True(previous < 1e-3, $"h = {h}: still {previous} off at dt = 0.01 ms");
        }
    }

    [Fact]
    public void Stationary_gain_reproduces_the_reference_values_of_the_spec()
    {
        // [PROTO] values of §1.5, printed to two decimals, and g'(b = 1) = 14.55 Hz/Δu from §1.3: the same discrete
        // definition must give them to within that rounding.
        var gain = new StationaryGain(Default);
        double[] h = [-1, 0, 0.5, 1, 1.5, 2, 3];
        double[] g = [3.41, 8.55, 13.10, 19.42, 27.67, 37.83, 63.92];
        for (int i = 0; i < h.Length; i++)
        {
            Assert.Equal(g[i], StationaryGain.RateHz(Default, h[i]), 0.0101);
            Assert.Equal(StationaryGain.RateHz(Default, h[i]), gain.Evaluate(h[i]), 1e-9);
        }

        Assert.Equal(14.55, StationaryGain.SlopeHz(Default, 1.0), 0.0101);
    }

    [Fact]
    public void Spiking_neuron_ISIs_follow_the_exact_interval_distribution_and_their_mean_is_one_over_the_gain()
    {
        const double h = 1.0;
        const int neurons = 200, steps = 5000;
        var pop = new SpikingSrm0Population(Default, neurons, seed: 7, trial: 0, layer: 0);
        var last = new int[neurons];
        Array.Fill(last, -1);
        var intervals = new List<int>();
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < neurons; i++)
            {
                if (pop.Step(i, h, (ulong)t))
                {
                    // The first spike ends the start-up period, not an inter-spike interval.
                    if (last[i] >= 0)
                    {
                        intervals.Add(t - last[i]);
                    }

                    last[i] = t;
                }
            }
        }

        // χ² against P(T = n) = S_n·P_n, tail beyond 80 steps pooled, bins with < 5 expected merged into their neighbour.
        const int max = 80;
        var p = StationaryGain.IntervalDistribution(Default, h, max);
        var observed = new double[max + 2];
        foreach (int n in intervals)
        {
            observed[Math.Min(n, max + 1)]++;
        }

        var expected = new double[max + 2];
        double total = intervals.Count;
        for (int n = 1; n <= max; n++)
        {
            expected[n] = p[n] * total;
        }

        expected[max + 1] = total * (1 - p.Sum());
        double chi2 = 0, eAcc = 0, oAcc = 0;
        int bins = 0;
        for (int n = 1; n <= max + 1; n++)
        {
            eAcc += expected[n];
            oAcc += observed[n];
            if (eAcc >= 5 || n == max + 1)
            {
                if (eAcc > 0)
                {
                    chi2 += (oAcc - eAcc) * (oAcc - eAcc) / eAcc;
                    bins++;
                }

                eAcc = oAcc = 0;
            }
        }

        // Absolutely refractory bins have P = 0 and neither expected nor observed intervals: the test would see any spike there.
        Assert.DoesNotContain(intervals, n => n <= Default.FirstExcitableIndex);
        int df = bins - 1;
        Assert.True(chi2 < df + (5 * Math.Sqrt(2.0 * df)), $"χ² = {chi2:F1} with {df} degrees of freedom");

        double mean = intervals.Average();
        double sd = Math.Sqrt(intervals.Average(n => (n - mean) * (n - mean)));
        double exact = 1 / (StationaryGain.RateHz(Default, h) * Default.Dt);
        Assert.True(Math.Abs(mean - exact) < 4 * sd / Math.Sqrt(intervals.Count), $"mean ISI {mean:F3} steps vs 1/g = {exact:F3} over {intervals.Count} intervals");
    }

    [Fact]
    public void Age_density_conserves_probability_to_1e12_at_every_step_and_never_goes_negative()
    {
        const int units = 40, steps = 3000;
        var pop = new AgeDensityPopulation(Default, units);
        ulong key = CounterRandom.StreamKey(3, 0, 99, 0);
        double worst = 0;
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < units; i++)
            {
                // Potentials from silent to saturating (f·dt up to ~5·10⁴), clipped ones included.
                double h = -25 + (50 * CounterRandom.Uniform(key, (ulong)((t * units) + i)));
                double fired = pop.Step(i, h);
                // A probability, up to the rounding of summing ≤ 40 bins (a few ulp above 1 when everything fires).
                Assert.InRange(fired, 0.0, 1 + 1e-12);
                worst = Math.Max(worst, Math.Abs(pop.TotalProbability(i) - 1));
                foreach (double m in pop.AgeDistribution(i))
                {
                    Assert.True(m >= 0, "negative probability mass");
                }
            }
        }

        Assert.True(worst < 1e-12, $"probability drifted by {worst:E2}");
    }

    [Fact]
    public void Without_refractoriness_the_expected_activity_is_the_stationary_gain_at_every_step()
    {
        // η ≡ 0: every age has the same hazard, so A·dt = 1 − e^{−f(h)dt} whatever the history, which is g(h)·dt.
        var neuron = new Srm0Neuron(Srm0NeuronParameters.Memoryless);
        var pop = new AgeDensityPopulation(neuron, 1);
        ulong key = CounterRandom.StreamKey(4, 0, 99, 0);
        for (int t = 0; t < 500; t++)
        {
            double h = -3 + (6 * CounterRandom.Uniform(key, (ulong)t));
            double a = pop.Step(0, h) / neuron.Dt;
            double g = StationaryGain.RateHz(neuron, h);
            Assert.True(Math.Abs(a - g) <= 1e-12 * g, $"A = {a}, g = {g} at h = {h}");
        }
    }

    [Fact]
    public void PSTH_over_many_trials_matches_the_expected_activity_within_sampling_noise_and_the_stationary_gain_does_not()
    {
        // §1.8 item 3: one neuron, a frozen OU potential h(t) = b + z(t) (τ_m = 10 ms, std 1), R trials. The PSTH
        // differs from A(t) only by binomial noise, so E|PSTH − A| = √(2/π)·√(A·dt(1 − A·dt)/R)/dt at each step.
        const int trials = 20_000, steps = 300;
        double dt = Default.Dt;
        var spiking = new SpikingSrm0Population(Default, trials, seed: 11, trial: 0, layer: 0);
        var density = new AgeDensityPopulation(Default, 1);
        var gain = new StationaryGain(Default);
        ulong key = CounterRandom.StreamKey(5, 0, 99, 0);
        double lambda = Math.Exp(-1.0 / 10.0), z = CounterRandom.Normal(key, 0);
        double madA = 0, madG = 0, predicted = 0;
        for (int t = 0; t < steps; t++)
        {
            double h = 1.0 + z;
            int count = 0;
            for (int r = 0; r < trials; r++)
            {
                count += spiking.Step(r, h, (ulong)t) ? 1 : 0;
            }

            double psth = count / (trials * dt);
            double p = density.Step(0, h);
            madA += Math.Abs(psth - (p / dt));
            madG += Math.Abs(psth - gain.Evaluate(h));
            predicted += Math.Sqrt(2 / Math.PI) * Math.Sqrt(p * (1 - p) / trials) / dt;
            z = (lambda * z) + (Math.Sqrt(1 - (lambda * lambda)) * CounterRandom.Normal(key, (ulong)t + 1));
        }

        madA /= steps;
        madG /= steps;
        predicted /= steps;

        // A mean of 300 |Gaussians| (unit std ratio 0.75) has a relative std of ≈ 4.4 %: ±15 % is > 3σ.
        Assert.InRange(madA / predicted, 0.85, 1.15);

        // [PROTO] the memoryless gain misses the PSTH by 3.1-3.5 Hz against ≈ 0.8 Hz of noise: memory matters.
        Assert.True(madG > 3 * predicted, $"MAD to g(h(t)) = {madG:F2} Hz, noise level {predicted:F2} Hz");
    }

    [Fact]
    public void Bad_neuron_parameters_are_rejected_with_the_field_named()
    {
        Assert.Equal("dt", Assert.Throws<ModelValidationException>(() => new Srm0Neuron(new Srm0NeuronParameters { DtMs = -1 })).Field);
        Assert.Equal("abs_refractory", Assert.Throws<ModelValidationException>(() => new Srm0Neuron(new Srm0NeuronParameters { AbsoluteRefractoryMs = 40 })).Field);
        Assert.Equal("eta0", Assert.Throws<ModelValidationException>(() => new Srm0Neuron(new Srm0NeuronParameters { RelativeRefractoryDepth = double.NaN })).Field);
        Assert.Equal("age_memory", Assert.Throws<ModelValidationException>(() => new Srm0Neuron(new Srm0NeuronParameters { AgeMemoryMs = 1 })).Field);
    }
}
