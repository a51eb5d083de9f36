using LatentSpikes.Geometry;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Tests.Geometry;

/// <summary>
/// The input-output geometry of a rank-1 population (seed 002, §2.2-2.3, Figs. 2b-c, 3b-c). Neuron i has voltage
/// V_i = F_i·x + E_i·y and fires at V_i = T_i (eq. 2.16), so with E_i &gt; 0 it is subthreshold below the line
/// y = (T_i − F_i·x)/E_i, and the population boundary is the lowest of these lines (eq. 2.17). The tests compute
/// that minimum themselves from the raw parameters, and check the convention against the engine.
/// </summary>
public sealed class RankOneGeometryTests
{
    [Fact]
    public void The_boundary_is_the_lowest_threshold_line_at_random_inputs()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            var pop = RandomPopulation(rng, rng.Next(1, 25), PopulationKind.Inhibitory);
            var g = new RankOneGeometry(pop);
            foreach (double x in LowerEnvelopeTests.Draw(rng, 50, -5, 5))
            {
                var (y, neuron) = LowestLine(pop, x);
                double tol = 1e-12 * Math.Max(1, Math.Abs(y));
                var b = g.Boundary(x);
                Assert.Equal(y, b.Y, tol);
                Assert.Equal(neuron, b.Neuron);
                Assert.Equal(y, g.Envelope.Evaluate(x), 1e-9 * Math.Max(1, Math.Abs(y)));
                Assert.Equal(y, g.ThresholdLine(neuron, x), tol);
                Assert.Equal(pop.Decoders[neuron], g.DecoderAt(x));
                Assert.Equal(y + pop.Decoders[neuron], g.ResetEdge(x), tol);
                Assert.True(g.IsSubthreshold(x, y - 1e-6));
                Assert.False(g.IsSubthreshold(x, y + 1e-6));
                Assert.False(g.IsSubthreshold(x, y)); // at threshold a neuron fires
            }
        }
    }

    [Fact]
    public void The_boundary_neurons_are_those_whose_line_is_lowest_somewhere_and_random_populations_hide_some()
    {
        // App. B: a rank-1 population with random (F_i, E_i, T_i) usually forms its boundary from a subset of neurons.
        var rng = new Random(11);
        int hidden = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            int n = rng.Next(2, 25);
            var pop = RandomPopulation(rng, n, PopulationKind.Inhibitory);
            var g = new RankOneGeometry(pop);
            double[] a = Enumerable.Range(0, n).Select(i => pop.Thresholds[i] / pop.Encoders[pop.LatentName][i]).ToArray();
            double[] b = Enumerable.Range(0, n).Select(i => -pop.Feedforward(i, 0) / pop.Encoders[pop.LatentName][i]).ToArray();
            int[] forming = LowerEnvelopeTests.FormingLines(a, b);
            Assert.Equal(forming, g.BoundaryNeurons);
            hidden += g.BoundaryNeurons.Count < n ? 1 : 0;

            // A hidden neuron's line lies above the boundary everywhere: it is never the one at threshold first.
            foreach (int i in Enumerable.Range(0, n).Except(forming))
            {
                foreach (double x in LowerEnvelopeTests.Draw(rng, 20, -20, 20))
                {
                    Assert.NotEqual(i, LowestLine(pop, x).Neuron);
                }
            }
        }

        Assert.True(hidden > 100, $"only {hidden} of 200 random populations had a neuron off the boundary");
    }

    [Fact]
    public void A_neuron_above_the_boundary_or_touching_it_at_one_point_does_not_form_it()
    {
        // Lines y = x, y = −x, y = ½ and y = 0: the boundary is −|x|, formed by neurons 0 and 1 only. Neuron 2 lies
        // above it everywhere, neuron 3 touches it only at the vertex x = 0 (it forms no piece of it).
        var pop = Explicit(PopulationKind.Inhibitory, f: [-1, 1, 0, 0], t: [0, 0, 0.5, 0], e: [1, 1, 1, 1]);
        var g = new RankOneGeometry(pop);
        Assert.Equal([0, 1], g.BoundaryNeurons);
        Assert.Equal((0.0, 0.0), g.BreakpointSpan);
        Assert.Equal(-2.0, g.Boundary(2).Y);
        Assert.Equal(1, g.Boundary(2).Neuron);
        Assert.Equal(0, g.Boundary(-2).Neuron);
    }

    [Fact]
    public void Proportional_weights_give_parallel_lines_despite_rounding()
    {
        // Neurons 0 and 1 have (F, E) = (1, 3) and (0.1, 0.3): parallel lines y = −x/3 and y = 1 − x/3, the second
        // above the first everywhere. Neuron 2 (y = −1 + 2x) cuts neuron 0's line at x = 3/7. The boundary is formed by
        // neurons 0 and 2, and the figure's window is the input range (no breakpoint at the rounding's x ≈ 10¹⁶).
        var pop = Explicit(PopulationKind.Inhibitory, f: [1, 0.1, -2], t: [0, 0.3, -1], e: [3, 0.3, 1]);
        var g = new RankOneGeometry(pop);
        Assert.Equal([0, 2], g.BoundaryNeurons);
        var span = g.BreakpointSpan!.Value;
        Assert.Equal(3.0 / 7, span.From, 12);
        Assert.Equal(3.0 / 7, span.To, 12);
        var (from, to) = LatentSpikes.Plotting.GeometryFigure.RankOneWindow(g, -1, 1);
        Assert.Equal(-1.2, from, 12);
        Assert.Equal(1.2, to, 12);
    }

    [Fact]
    public void Encoders_other_than_one_scale_the_threshold_line()
    {
        // E = 2, F = 1, T = 1: the neuron is at threshold where x + 2y = 1, i.e. y = (1 − x)/2.
        var pop = Explicit(PopulationKind.Inhibitory, f: [1], t: [1], e: [2]);
        var g = new RankOneGeometry(pop);
        Assert.Equal(0.5, g.Boundary(0).Y);
        Assert.Equal(-1.0, g.Boundary(3).Y);
        Assert.Null(g.BreakpointSpan);
        Assert.Equal(2.0, g.Encoder(0));
    }

    [Theory]
    [InlineData(-0.8, 0.3)]
    [InlineData(0.05, 0.3)]
    [InlineData(0.6, 0.05)]
    public void The_engine_fires_the_boundary_neuron_when_the_leaking_latent_reaches_the_boundary(double x, double below)
    {
        // Started at y0 below the (negative) boundary y_b of the Fig. 2 population, the latent leaks as y0·e^{−t} and
        // reaches y_b at t = ln(y0/y_b): the first spike must come from the neuron forming the boundary, at that time.
        var pop = TestData.LoadExample("fig2-inhibitory-boundary.yaml").Experiment.Network.Populations[0];
        AssertFirstSpike(pop, x, below);
    }

    [Fact]
    public void The_engine_agrees_with_the_geometry_for_random_populations()
    {
        var rng = new Random(5);
        int checkedCases = 0;
        while (checkedCases < 12)
        {
            var pop = RandomPopulation(rng, rng.Next(2, 12), PopulationKind.Inhibitory);
            double x = -2 + (4 * rng.NextDouble());
            if (new RankOneGeometry(pop).Boundary(x).Y > -0.3)
            {
                continue; // the inhibitory latent (≤ 0) reaches only a negative boundary, with room to start below it
            }

            AssertFirstSpike(pop, x, 0.2);
            checkedCases++;
        }
    }

    [Fact]
    public void Started_just_above_the_boundary_the_boundary_neuron_fires_at_once()
    {
        var pop = TestData.LoadExample("fig2-inhibitory-boundary.yaml").Experiment.Network.Populations[0];
        var g = new RankOneGeometry(pop);
        double x = -0.3;
        var (yb, neuron) = g.Boundary(x);
        var exp = Held(pop, x, yb + 0.01, duration: 0.05);
        var first = new ClockDrivenEngine().Run(exp).Spikes[0];
        Assert.Equal(1, first.Step);
        Assert.Equal(neuron, first.Neuron);
    }

    [Fact]
    public void Unsupported_populations_are_named_with_the_reason()
    {
        Assert.False(RankOneGeometry.Supports(Explicit(PopulationKind.Inhibitory, f: [1, 1], t: [0, 0], e: [1, 0]), out string zero));
        Assert.Equal("neuron 1 has encoder 0 onto y_I; the input-output picture needs every encoder > 0", zero);

        var twoInputs = new Population("I", PopulationKind.Inhibitory, [[1.0, 2.0]], [0.0], [-0.1], new Dictionary<string, double[]> { ["y_I"] = [1.0] });
        Assert.False(RankOneGeometry.Supports(twoInputs, out string dims));
        Assert.Equal("geometry figures need a 1-D input (this spec has 2 input dimensions)", dims);

        var coupled = new Population("I", PopulationKind.Inhibitory, [[1.0]], [0.0], [-0.1], new Dictionary<string, double[]> { ["y_I"] = [1.0], ["y_E"] = [2.0] });
        Assert.False(RankOneGeometry.Supports(coupled, out string others));
        Assert.Contains("listens to y_E besides its own latent y_I", others, StringComparison.Ordinal);
        Assert.Contains("listens to y_E besides", Assert.Throws<ArgumentException>(() => new RankOneGeometry(coupled)).Message, StringComparison.Ordinal);

        var elsewhere = new Population("I", PopulationKind.Inhibitory, [[1.0]], [0.0], [-0.1], new Dictionary<string, double[]> { ["y_E"] = [2.0] });
        Assert.False(RankOneGeometry.Supports(elsewhere, out string instead));
        Assert.Contains("listens to y_E instead of its own latent y_I", instead, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PopulationBoundary.Evaluate(coupled, [0.0]));

        Assert.True(RankOneGeometry.Supports(Explicit(PopulationKind.Excitatory, f: [1], t: [0], e: [1]), out string none));
        Assert.Equal(string.Empty, none);
    }

    /// <summary>The lowest threshold line at x and its neuron (lowest index on ties), from the raw parameters.</summary>
    internal static (double Y, int Neuron) LowestLine(Population pop, double x)
    {
        double best = double.PositiveInfinity;
        int at = -1;
        for (int i = 0; i < pop.Size; i++)
        {
            double y = (pop.Thresholds[i] - (pop.Feedforward(i, 0) * x)) / pop.Encoders[pop.LatentName][i];
            if (y < best)
            {
                (best, at) = (y, i);
            }
        }

        return (best, at);
    }

    internal static Population RandomPopulation(Random rng, int n, PopulationKind kind)
    {
        double[] f = LowerEnvelopeTests.Draw(rng, n, -3, 3);
        double[] t = LowerEnvelopeTests.Draw(rng, n, -2, 1);
        double[] e = LowerEnvelopeTests.Draw(rng, n, 0.2, 2);
        return Explicit(kind, f, t, e);
    }

    internal static Population Explicit(PopulationKind kind, double[] f, double[] t, double[] e)
    {
        string name = kind == PopulationKind.Excitatory ? "E" : "I";
        double d = kind == PopulationKind.Excitatory ? 0.1 : -0.1;
        return new Population(name, kind, f.Select(v => new[] { v }).ToArray(), t, Enumerable.Repeat(d, t.Length).ToArray(),
            new Dictionary<string, double[]> { [Population.LatentNameOf(name)] = e });
    }

    private static void AssertFirstSpike(Population pop, double x, double below)
    {
        var (yb, neuron) = new RankOneGeometry(pop).Boundary(x);
        Assert.True(yb < -below, $"the boundary {yb} at x = {x} must be negative for an inhibitory latent to reach it");
        double y0 = yb - below;
        var exp = Held(pop, x, y0, duration: 3);
        var result = new ClockDrivenEngine().Run(exp);
        Assert.NotEmpty(result.Spikes);
        var first = result.Spikes[0];
        Assert.Equal(neuron, first.Neuron);

        // The latent decays exactly (e^{−dt} per step) but the voltage by Euler steps (1 − dt), which moves the
        // crossing by a factor dt/−ln(1 − dt) ≈ 1 − dt/2; one step of grid resolution on top.
        double expected = Math.Log(y0 / yb);
        double dt = exp.Settings.Dt;
        Assert.InRange(first.Time, (expected * (1 - dt)) - dt, (expected * (1 + dt)) + dt);
    }

    private static Experiment Held(Population pop, double x, double y0, double duration) =>
        new(new LowRankNetwork([pop]), [new ConstantSignal(x)], new SimulationSettings { Dt = 0.001, Duration = duration },
            initialLatents: new Dictionary<string, double> { [pop.LatentName] = y0 });
}
