using LatentSpikes.Construction;
using LatentSpikes.Inputs;
using LatentSpikes.Model;

namespace LatentSpikes.Bench;

/// <summary>The benchmark workloads: the paper's networks at the sizes the targets name.</summary>
public static class BenchNetworks
{
    private static readonly double[] BoundaryCoefficients = [0.5, 0, 1];

    /// <summary>
    /// Rank-1 inhibitory population tangent to y = −x² − ½ on [−1, 1] (the Fig. 2/6 family) with decoders −0.35,
    /// white current noise σ and a constant input x = −0.5.
    /// </summary>
    public static Experiment Rank1(int n, double sigma, double duration, ulong seed = 1)
    {
        var pop = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction(BoundaryCoefficients), n, -1, 1, [-0.35], 0.0, sigma).Population;
        return new Experiment(new LowRankNetwork([pop]), [new ConstantSignal(-0.5)], Settings(duration, seed));
    }

    /// <summary>
    /// The <see cref="Rank1"/> network with a slow synapse (§4.1), started on its boundary. Every neuron at threshold
    /// fires, so the decoders shrink as 0.35·50/N to keep the charge per step comparable across sizes.
    /// </summary>
    public static Experiment Rank1Slow(int n, double sigma, double duration, SynapseKernel kernel, ulong seed = 1)
    {
        double decoder = -0.35 * Math.Min(1.0, 50.0 / n);
        var pop = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction(BoundaryCoefficients), n, -1, 1, [decoder], 0.0, sigma)
            .Population.WithSynapse(kernel, 0.0);
        return new Experiment(new LowRankNetwork([pop]), [new ConstantSignal(-0.5)], Settings(duration, seed),
            initialLatents: new Dictionary<string, double> { ["y_I"] = -0.8 });
    }

    /// <summary>
    /// The Fig. S2 workload (App. F): 20 inhibitory neurons tangent to y = −x² − ½, constant x = −0.5, noise σ,
    /// 5 τ at dt = 0.01 τ, starting on the boundary.
    /// </summary>
    public static Experiment FigS2Trials(double sigma, ulong seed = 1)
    {
        var pop = TangentConstruction.Build1D("I", PopulationKind.Inhibitory, new PolynomialFunction(BoundaryCoefficients), 20, -1, 1, [-0.1], 0.0, sigma).Population;
        return new Experiment(new LowRankNetwork([pop]), [new ConstantSignal(-0.5)], Settings(5, seed),
            initialLatents: new Dictionary<string, double> { ["y_I"] = -0.75 });
    }

    /// <summary>
    /// Rank-2 E-I network built as in §2.7 / App. E with p(x) = x² + ½ and q(x) = 2: inhibitory boundary
    /// y_I = −p(x) − 2·y_E (tangent points over x, encoders E^II = 1, E^IE = 2), excitatory boundary
    /// y_E = −q(x) − y_I (E^EE = E^EI = 1), so y_E = q − p = 1.5 − x². Stable by eq. 2.41 (2 &gt; 1); decoders follow
    /// the App. D heuristic D_I/D_E ≈ y_I*/y_E* at x = −0.5. N/2 neurons per population, noise σ.
    /// </summary>
    public static Experiment Rank2(int n, double sigma, double duration, ulong seed = 1)
    {
        int half = Math.Max(1, n / 2);
        double[] xs = Enumerable.Range(0, half).Select(i => half == 1 ? 0.0 : -1 + (2.0 * i / (half - 1))).ToArray();
        var ffI = xs.Select(x => new[] { 2 * x }).ToArray();
        var thI = xs.Select(x => (x * x) - 0.5).ToArray();
        var ffE = xs.Select(_ => new[] { 0.0 }).ToArray();
        var thE = xs.Select(_ => -2.0).ToArray();
        var inh = new Population("I", PopulationKind.Inhibitory, ffI, thI, Fill(half, -0.26),
            new Dictionary<string, double[]> { ["y_I"] = Fill(half, 1.0), ["y_E"] = Fill(half, 2.0) }, 0.0, sigma);
        var exc = new Population("E", PopulationKind.Excitatory, ffE, thE, Fill(half, 0.1),
            new Dictionary<string, double[]> { ["y_E"] = Fill(half, 1.0), ["y_I"] = Fill(half, 1.0) }, 0.0, sigma);
        return new Experiment(new LowRankNetwork([exc, inh]), [new ConstantSignal(-0.5)], Settings(duration, seed));
    }

    private static SimulationSettings Settings(double duration, ulong seed) =>
        new() { Dt = 0.01, Duration = duration, Seed = seed, RunawayWindow = 0, RecordEvery = 1 };

    private static double[] Fill(int n, double value) => Enumerable.Repeat(value, n).ToArray();
}
