using System.Diagnostics;
using System.Globalization;
using LatentSpikes.Construction;
using LatentSpikes.Simulation;

namespace LatentSpikes.Bench;

/// <summary>
/// `compile-scaling`: how the compiled networks' error falls with the neuron budget (seed 002, §2.7), at sizes beyond
/// the unit tests. Prints a Markdown table for docs/compiler.md: the boundary-crossing error (the construction alone)
/// and the simulated readout's error (clock engine), for a smooth non-convex 1-D target and a 2-D target.
/// </summary>
public static class CompileScaling
{
    /// <summary>Runs the study and prints the table.</summary>
    public static void Run()
    {
        var cases = new (string Name, Func<double[], double> F, (double, double)[] Ranges, int[] Budgets)[]
        {
            ("sin(3x) + 1.2 on [−1, 1]", x => Math.Sin(3 * x[0]) + 1.2, [(-1.0, 1.0)], [6, 10, 20, 40, 80, 160, 320]),
            ("x1² + 0.5·sin(2·x2) + 1 on [−1, 1]²", x => (x[0] * x[0]) + (0.5 * Math.Sin(2 * x[1])) + 1, [(-1.0, 1.0), (-1.0, 1.0)], [18, 32, 72, 128, 288, 512]),
        };
        foreach (double dt in new[] { 0.002, 0.0005 })
        {
            Console.WriteLine($"dt = {dt} τ (spike precision: the finest the time step supports)");
            Console.WriteLine();
            Console.WriteLine("| target | neurons (N_E + N_I) | crossing error max\\|y_E* − f\\| | precision \\|D_I\\| | simulated max\\|y_E − f\\| | simulated rms | run time |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var (name, f, ranges, budgets) in cases)
            {
                foreach (int n in budgets)
                {
                    var c = FunctionCompiler.Compile(f, ranges, new CompileOptions { Neurons = n, Dt = dt, Tolerance = double.PositiveInfinity });
                    var sw = Stopwatch.StartNew();
                    var run = new ClockDrivenEngine().Run(c.Experiment);
                    double seconds = sw.Elapsed.TotalSeconds;
                    var e = CompiledFunctionTracking.Measure(c, run);
                    int ne = c.Ei.Network.Populations[0].Size, ni = c.Ei.Network.Populations[1].Size;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {name} | {ne + ni} ({ne} + {ni}) | {c.MaxApproximationError:G3} | {c.Ei.Precision:G3} | {e.MaxError:G3} | {e.RmsError:G3} | {seconds:0.00} s |"));
                }
            }

            Console.WriteLine();
        }
    }
}
