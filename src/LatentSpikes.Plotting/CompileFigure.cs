using LatentSpikes.Construction;
using LatentSpikes.Simulation;
using ScottPlot;

namespace LatentSpikes.Plotting;

/// <summary>
/// The figure of a compiled function (seed 002, Fig. 5): the target f, the boundary crossing y_E* = q − p the network
/// holds, and a simulated excitatory readout on top; below, the two convex parts q and p of the difference-of-convex
/// split (one input) or the readout error over time (several inputs).
/// </summary>
public static class CompileFigure
{
    /// <summary>Saves the figure as PNG.</summary>
    /// <param name="compiled">The compiled network.</param>
    /// <param name="simulation">A run of the compiled spec's protocol, or null for the construction alone.</param>
    /// <param name="path">PNG file to write.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static void Save(CompiledFunction compiled, SimulationResult? simulation, string path, int width = 1100, int height = 850)
    {
        ArgumentNullException.ThrowIfNull(compiled);
        ArgumentNullException.ThrowIfNull(path);
        var mp = new Multiplot();
        mp.AddPlots(2);
        if (compiled.Ranges.Count == 1)
        {
            BuildOneInput(compiled, simulation, mp.GetPlot(0), mp.GetPlot(1));
        }
        else
        {
            BuildSeveralInputs(compiled, simulation, mp.GetPlot(0), mp.GetPlot(1));
        }

        PlotOutput.SavePng(mp, path, width, height);
    }

    private static void BuildOneInput(CompiledFunction c, SimulationResult? sim, Plot top, Plot bottom)
    {
        var (lo, hi) = c.Ranges[0];
        double[] xs = Enumerable.Range(0, 801).Select(i => lo + ((hi - lo) * i / 800.0)).ToArray();
        top.Title($"{c.Experiment.Name}: y_E computes the target (N_E = {c.Ei.Network.Populations[0].Size}, N_I = {c.Ei.Network.Populations[1].Size})");
        if (sim is not null)
        {
            var (tx, ty) = Thin(sim.Input(0), sim.Latent(c.Ei.Network.Populations[0].LatentName), sim.Times, FunctionCompiler.SettleTime);
            var s = top.Add.ScatterLine(tx, ty);
            s.Color = RunFigure.Excitatory.WithAlpha(0.55);
            s.LineWidth = 1;
            s.LegendText = $"simulated y_E(t) against x(t) ({sim.Engine} engine, dt = {sim.Experiment.Settings.Dt} τ)";
        }

        var target = top.Add.ScatterLine(xs, xs.Select(x => c.Target([x])).ToArray());
        target.Color = Colors.Black;
        target.LineWidth = 2;
        target.LegendText = "target f(x)";
        var crossing = top.Add.ScatterLine(xs, xs.Select(x => c.Ei.Crossing([x]).YE).ToArray());
        crossing.Color = Color.FromHex("#ffc20a");
        crossing.LineWidth = 2;
        crossing.LinePattern = LinePattern.Dashed;
        crossing.LegendText = "boundary crossing y_E* = q(x) − p(x)";
        top.XLabel("input x");
        top.YLabel("y_E");
        top.ShowLegend(Alignment.UpperRight);

        var q = bottom.Add.ScatterLine(xs, xs.Select(x => c.Ei.Decomposition.Q.Value([x])).ToArray());
        q.Color = RunFigure.Excitatory;
        q.LineWidth = 2;
        q.LegendText = $"q(x): convex, {c.Ei.Decomposition.Q.Pieces.Count} pieces = excitatory neurons";
        var p = bottom.Add.ScatterLine(xs, xs.Select(x => c.Ei.Decomposition.P.Value([x])).ToArray());
        p.Color = RunFigure.Inhibitory;
        p.LineWidth = 2;
        p.LegendText = $"p(x): convex, {c.Ei.Decomposition.P.Pieces.Count} pieces = inhibitory neurons";
        bottom.Title($"difference of convex functions: f = q − p ({c.Ei.Decomposition.Method})");
        bottom.XLabel("input x");
        bottom.YLabel("q, p");
        bottom.ShowLegend(Alignment.UpperLeft);
    }

    private static void BuildSeveralInputs(CompiledFunction c, SimulationResult? sim, Plot top, Plot bottom)
    {
        int m = c.Ranges.Count;
        top.Title($"{c.Experiment.Name}: y_E computes the target of {m} inputs (N_E = {c.Ei.Network.Populations[0].Size}, N_I = {c.Ei.Network.Populations[1].Size})");
        if (sim is null)
        {
            // Without a run there is no input trajectory to draw along; show the crossing error over a grid instead.
            var grid = DifferenceOfConvex.Grid(c.Ranges, m == 2 ? 41 : 11);
            double[] idx = Enumerable.Range(0, grid.Count).Select(i => (double)i).ToArray();
            top.Add.ScatterLine(idx, grid.Select(x => c.Target(x)).ToArray()).LegendText = "target f at grid point";
            top.Add.ScatterLine(idx, grid.Select(x => c.Ei.Crossing(x).YE).ToArray()).LegendText = "crossing y_E* at grid point";
            top.XLabel("grid point (first input slowest)");
            top.YLabel("y_E");
            top.ShowLegend(Alignment.UpperRight);
            bottom.Add.ScatterLine(idx, grid.Select(x => c.Ei.Crossing(x).YE - c.Target(x)).ToArray()).LegendText = "y_E* − f";
            bottom.XLabel("grid point");
            bottom.YLabel("error");
            bottom.ShowLegend(Alignment.UpperRight);
            return;
        }

        double[] t = sim.Times.ToArray();
        var inputs = Enumerable.Range(0, m).Select(sim.Input).ToArray();
        var x = new double[m];
        double[] f = new double[t.Length];
        double[] star = new double[t.Length];
        for (int i = 0; i < t.Length; i++)
        {
            for (int d = 0; d < m; d++)
            {
                x[d] = inputs[d][i];
            }

            f[i] = c.Target(x);
            star[i] = c.Ei.Crossing(x).YE;
        }

        double[] yE = sim.Latent(c.Ei.Network.Populations[0].LatentName);
        var s = top.Add.ScatterLine(t, yE);
        s.Color = RunFigure.Excitatory.WithAlpha(0.55);
        s.LegendText = $"simulated y_E(t) ({sim.Engine} engine)";
        var target = top.Add.ScatterLine(t, f);
        target.Color = Colors.Black;
        target.LineWidth = 2;
        target.LegendText = "target f(x(t))";
        var cross = top.Add.ScatterLine(t, star);
        cross.Color = Color.FromHex("#ffc20a");
        cross.LinePattern = LinePattern.Dashed;
        cross.LineWidth = 2;
        cross.LegendText = "boundary crossing y_E*(x(t))";
        top.XLabel("time (τ)");
        top.YLabel("y_E");
        top.ShowLegend(Alignment.UpperRight);
        for (int d = 0; d < m; d++)
        {
            bottom.Add.ScatterLine(t, inputs[d]).LegendText = $"x{d + 1}(t)";
        }

        bottom.Title("input protocol");
        bottom.XLabel("time (τ)");
        bottom.YLabel("input");
        bottom.ShowLegend(Alignment.UpperRight);
    }

    /// <summary>Samples from <paramref name="from"/> on, thinned to at most ~4000 points so the PNG stays light.</summary>
    private static (double[] X, double[] Y) Thin(double[] x, double[] y, IReadOnlyList<double> times, double from)
    {
        int first = 0;
        while (first < times.Count && times[first] < from)
        {
            first++;
        }

        int n = x.Length - first;
        int stride = Math.Max(1, n / 4000);
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = first; i < x.Length; i += stride)
        {
            xs.Add(x[i]);
            ys.Add(y[i]);
        }

        return (xs.ToArray(), ys.ToArray());
    }
}
