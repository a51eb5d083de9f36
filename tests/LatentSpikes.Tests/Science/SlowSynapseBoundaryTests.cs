using LatentSpikes.Geometry;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Science;

/// <summary>
/// Seed 002 §4.1-4.2 and Fig. 10a-c: the noisy inhibitory network (N = 50, D = −0.1, σ = 0.02, μ = 0.01) with slow
/// synapses, τ_s = 0.5 τ, "still closely follows the threshold boundary", with irregular firing and trial-to-trial
/// variability. The boundary becomes soft: a fixed point of the averaged dynamics (eq. 4.7, 4.9) rather than the hard
/// band [y_b + D, y_b] of the delta network (Fig. 2).
/// </summary>
/// <remarks>
/// Tolerances: the delta network keeps y inside that band, one decoder |D| = 0.1 wide (its mean offset is about D/2).
/// A soft boundary may sit "slightly" off the hard one (§4.1: its fixed point depends on τ_s) and noise blurs it (§4.2),
/// so we require, per trial, the time-averaged offset y − y_b to stay inside the band, [D, 0], and the RMS deviation
/// to stay below one decoder, |D|: coding at least as precise as the hard boundary. The observed values (offset
/// −0.02 to −0.04, RMS 0.02-0.045 over seeds) are well inside; a boundary that is not tracked (a lag of the ramp's
/// 0.08 per τ over τ_s, lost coding) or an explosion misses both by far.
/// </remarks>
public class SlowSynapseBoundaryTests
{
    private const double D = -0.1;

    private static (double Offset, double Rms, double Correlation) Tracking(SimulationResult result)
    {
        var pop = result.Experiment.Network.Populations[0];
        double[] y = result.Latent("y_I");
        double[] x = result.Input(0);
        var settled = Enumerable.Range(0, y.Length).Where(r => result.Times[r] >= 1.0).ToArray();
        double[] boundary = settled.Select(r => PopulationBoundary.Evaluate(pop, [x[r]]).Y).ToArray();
        double[] readout = settled.Select(r => y[r]).ToArray();
        double[] error = readout.Zip(boundary, (a, b) => a - b).ToArray();
        return (error.Average(), Math.Sqrt(error.Average(e => e * e)), Correlation(readout, boundary));
    }

    private static double Correlation(double[] a, double[] b)
    {
        double ma = a.Average();
        double mb = b.Average();
        double cov = a.Zip(b, (p, q) => (p - ma) * (q - mb)).Sum();
        return cov / Math.Sqrt(a.Sum(p => (p - ma) * (p - ma)) * b.Sum(q => (q - mb) * (q - mb)));
    }

    [Theory]
    [InlineData("exponential")]   // the authors' Fig. 10 script
    [InlineData("square")]        // the Fig. 10 caption
    public void Fig10_readout_tracks_the_softened_boundary_in_every_trial(string kind)
    {
        var spec = TestData.LoadExample("fig10-slow-synapses.yaml").Experiment;
        var pop = spec.Network.Populations[0];
        Assert.Equal(SynapseKernel.Exponential(0.5), pop.Synapse);
        Assert.Equal(D, pop.Decoders[0]);
        var kernel = kind == "square" ? SynapseKernel.Square(0.5) : pop.Synapse;
        var exp = new Experiment(new LowRankNetwork([pop.WithSynapse(kernel, 0)]), spec.Inputs, spec.Settings, spec.Injections, spec.InitialLatents);

        var trials = new List<SimulationResult>();
        for (ulong trial = 0; trial < 4; trial++)
        {
            var result = new ClockDrivenEngine(trial: trial).Run(exp);
            Assert.Equal(SimulationStatus.Completed, result.Status);
            var (offset, rms, correlation) = Tracking(result);
            Assert.True(offset >= D && offset <= 0, $"trial {trial}: mean offset {offset:0.0000} outside the delta band [{D}, 0]");
            Assert.True(rms <= Math.Abs(D), $"trial {trial}: RMS deviation {rms:0.0000} > |D| = {Math.Abs(D)}");
            // y_b spans [−1.5, −0.5] over the ramp; following it means a near-perfect correlation.
            Assert.True(correlation > 0.98, $"trial {trial}: correlation with the boundary {correlation:0.0000}");
            trials.Add(result);
        }

        // Slow synapses: several neurons fire in one step (App. G), and firing stays irregular — at the constant input
        // of the first 5 τ several neurons near the boundary share the spikes, and trials differ (Fig. 10b-c).
        Assert.All(trials, t => Assert.Contains(t.Spikes.GroupBy(s => s.Step), g => g.Count() > 1));
        Assert.All(trials, t => Assert.True(t.Spikes.Where(s => s.Time is > 1 and < 5).Select(s => s.Neuron).Distinct().Count() >= 3));
        Assert.NotEqual(trials[0].Spikes, trials[1].Spikes);
    }
}
