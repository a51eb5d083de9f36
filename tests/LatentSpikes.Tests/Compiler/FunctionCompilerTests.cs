using LatentSpikes.Construction;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Model;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;

namespace LatentSpikes.Tests.Compiler;

/// <summary>
/// Seed 002, §2.7 and Fig. 5: compiled E-I networks whose excitatory latent computes a target function. Readouts are
/// held to the spike-jump precision: y_E sits on the E boundary and each E spike lifts it by D_E ≤ |D_I|, so the
/// simulated readout stays within about one jump of the boundary crossing y_E*.
/// </summary>
public class FunctionCompilerTests
{
    private static readonly double[] SawX = [0, 2, 4, 6, 8, 10];
    private static readonly double[] SawY = [0.15, 0.15, 1.75, 0.15, 1.75, 0.15];

    [Fact]
    public void The_papers_saw_compiles_to_three_E_and_three_I_neurons_and_y_E_tracks_it_within_the_spike_precision()
    {
        var c = FunctionCompiler.CompileKnots(SawX, SawY, new CompileOptions { Name = "saw" });
        Assert.Equal(3, c.Ei.Network.Populations[0].Size);
        Assert.Equal(3, c.Ei.Network.Populations[1].Size);
        Assert.True(c.MaxApproximationError < 1e-9, "Theorem 2 is exact for piecewise-linear targets");

        var run = new ClockDrivenEngine().Run(c.Experiment);
        Assert.Equal(SimulationStatus.Completed, run.Status);
        var x = run.Input(0);
        Assert.Equal(0, x.Where((_, i) => run.Times[i] >= FunctionCompiler.SettleTime).Min(), 1e-9);
        Assert.Equal(10, x.Max(), 1e-9);

        var err = CompiledFunctionTracking.Measure(c, run);

        // One spike moves the E boundary by at most the precision |D_I|; the leak between the turn-taking spikes
        // adds a fraction of it at the kinks, hence 1.25 jumps as the band.
        Assert.True(err.MaxError <= 1.25 * c.Ei.Precision, $"max |y_E − f| = {err.MaxError:G3}, precision {c.Ei.Precision:G3}");
        Assert.True(err.MeanError <= 0.5 * c.Ei.Precision, $"mean |y_E − f| = {err.MeanError:G3}, precision {c.Ei.Precision:G3}");
        Assert.True(err.Samples > 3000);
    }

    [Fact]
    public void A_smooth_non_convex_function_compiles_and_tracks_its_target()
    {
        var f = ExpressionFunction.Parse("sin(3*x) + 1.2", 1);
        var c = FunctionCompiler.Compile(x => f.Value(x), [(-1.0, 1.0)], new CompileOptions { Neurons = 20 });
        var err = CompiledFunctionTracking.Measure(c, new ClockDrivenEngine().Run(c.Experiment));
        Assert.True(c.MaxApproximationError < 0.02, $"crossing error {c.MaxApproximationError:G3}");
        Assert.True(err.MaxError <= c.MaxApproximationError + (1.25 * c.Ei.Precision), $"max |y_E − f| = {err.MaxError:G3}");
        Assert.True(err.MeanError <= c.MaxApproximationError + (0.5 * c.Ei.Precision), $"mean |y_E − f| = {err.MeanError:G3}");
    }

    [Fact]
    public void The_smooth_method_compiles_the_same_non_convex_function_through_Theorem_1()
    {
        var f = ExpressionFunction.Parse("sin(3*x) + 1.2", 1);
        var c = FunctionCompiler.Compile(x => f.Value(x), [(-1.0, 1.0)], new CompileOptions { Neurons = 24, Method = CompileMethod.Smooth });
        Assert.StartsWith("smooth", c.Ei.Decomposition.Method, StringComparison.Ordinal);
        var err = CompiledFunctionTracking.Measure(c, new ClockDrivenEngine().Run(c.Experiment));
        Assert.True(err.MaxError <= c.MaxApproximationError + (1.25 * c.Ei.Precision), $"max |y_E − f| = {err.MaxError:G3}, crossing error {c.MaxApproximationError:G3}");
    }

    [Fact]
    public void A_function_of_two_inputs_compiles_from_a_delegate_and_tracks_its_target()
    {
        // The C# API: any Func<double[], double>.
        static double F(double[] x) => (x[0] * x[0]) + (0.5 * Math.Sin(2 * x[1])) + 1;
        var c = FunctionCompiler.Compile(F, [(-1.0, 1.0), (-1.0, 1.0)], new CompileOptions { Neurons = 50 });
        Assert.Equal(2, c.Experiment.Network.InputDimension);
        var run = new ClockDrivenEngine().Run(c.Experiment);
        var err = CompiledFunctionTracking.Measure(c, run);
        Assert.True(err.MaxError <= c.MaxApproximationError + (1.25 * c.Ei.Precision), $"max |y_E − f| = {err.MaxError:G3}, crossing error {c.MaxApproximationError:G3}");
        Assert.True(err.MeanError < 0.06, $"mean |y_E − f| = {err.MeanError:G3}");

        // Both inputs really vary during the protocol, so the test covers the 2-D map, not a 1-D slice.
        Assert.True(run.Input(1).Max() - run.Input(1).Min() > 1.9);
    }

    [Fact]
    public void The_error_falls_as_the_neuron_budget_grows()
    {
        var f = ExpressionFunction.Parse("sin(3*x) + 1.2", 1);
        double previous = double.PositiveInfinity;
        var simulated = new List<double>();
        foreach (int n in new[] { 6, 10, 18, 34 })
        {
            var c = FunctionCompiler.Compile(x => f.Value(x), [(-1.0, 1.0)], new CompileOptions { Neurons = n, Precision = 0.02, Dt = 0.0005, SweepDuration = 20 });

            // The crossing error of a piecewise-linear interpolant falls as (spacing)² ∝ 1/N².
            Assert.True(c.MaxApproximationError < previous / 2.2, $"N = {n}: crossing error {c.MaxApproximationError:G3} after {previous:G3}");
            previous = c.MaxApproximationError;
            simulated.Add(CompiledFunctionTracking.Measure(c, new ClockDrivenEngine().Run(c.Experiment)).RmsError);
        }

        // The simulated error follows until it reaches the spike precision (0.02), so compare the ends.
        Assert.True(simulated[^1] < simulated[0] / 3, $"simulated rms error by budget: {string.Join(", ", simulated.Select(e => e.ToString("G3")))}");
        Assert.True(simulated[1] < simulated[0], $"simulated rms error by budget: {string.Join(", ", simulated.Select(e => e.ToString("G3")))}");
    }

    [Fact]
    public void The_compiled_experiment_round_trips_through_a_spec_file_and_simulates_identically()
    {
        var c = FunctionCompiler.CompileKnots(SawX, SawY, new CompileOptions { Name = "saw", SweepDuration = 10 });
        string text = SpecWriter.Write(c.Experiment, ["test"]);
        var loaded = SpecReader.Parse(text, "saw.yaml").Experiment;
        var a = new ClockDrivenEngine().Run(c.Experiment);
        var b = new ClockDrivenEngine().Run(loaded);
        Assert.Equal(a.Spikes, b.Spikes);
        Assert.Equal(a.LatentsFlat, b.LatentsFlat);
    }

    [Fact]
    public void Non_finite_target_values_are_refused_in_one_line()
    {
        var e = Assert.Throws<ModelValidationException>(() => FunctionCompiler.Compile(x => 1 / x[0], [(-1.0, 1.0)], new CompileOptions()));
        Assert.Equal("function", e.Field);
        Assert.Contains("not finite", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(2.0, 1.0)]
    [InlineData(double.NaN, 1.0)]
    public void An_empty_or_non_finite_range_is_refused_in_one_line(double lo, double hi)
    {
        var e = Assert.Throws<ModelValidationException>(() => FunctionCompiler.Compile(x => 1, [(lo, hi)], new CompileOptions()));
        Assert.StartsWith("range[0]", e.Field, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_budget_too_small_to_resolve_the_function_is_refused_with_a_suggested_size()
    {
        var f = ExpressionFunction.Parse("sin(20*x) + 1.1", 1);
        var e = Assert.Throws<ModelValidationException>(() => FunctionCompiler.Compile(x => f.Value(x), [(0.0, 3.0)], new CompileOptions { Neurons = 8 }));
        Assert.Equal("neurons", e.Field);
        Assert.Contains("try ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);

        // The suggestion is honest: that many neurons does resolve it.
        int suggested = int.Parse(e.Message.Split("try ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        var ok = FunctionCompiler.Compile(x => f.Value(x), [(0.0, 3.0)], new CompileOptions { Neurons = suggested });
        Assert.True(ok.MaxApproximationError <= FunctionCompiler.DefaultRelativeTolerance * 2.0);
        Assert.Throws<ModelValidationException>(() => FunctionCompiler.Compile(x => f.Value(x), [(0.0, 3.0)], new CompileOptions { Neurons = suggested - 1 }));
    }

    [Fact]
    public void A_negative_target_is_refused_with_the_shift_that_fixes_it()
    {
        var e = Assert.Throws<ModelValidationException>(() => FunctionCompiler.Compile(x => x[0], [(-1.0, 1.0)], new CompileOptions()));
        Assert.Contains("Dale's law", e.Message, StringComparison.Ordinal);
        Assert.Contains("+ 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_budget_below_one_neuron_per_population_is_refused()
    {
        var e = Assert.Throws<ModelValidationException>(() => FunctionCompiler.Compile(x => 1 + (x[0] * x[0]), [(-1.0, 1.0)], new CompileOptions { Neurons = 1 }));
        Assert.Equal("neurons", e.Field);
    }
}
