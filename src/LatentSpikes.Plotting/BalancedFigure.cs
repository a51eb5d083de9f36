using LatentSpikes.Balanced;
using ScottPlot;

namespace LatentSpikes.Plotting;

/// <summary>
/// The seed-001 report figure: simulation (markers, thin lines) against mean field (thick or dashed lines). Mode A:
/// coherent mean-potential fluctuations V̄_a(t) against μ_a(κ(t)), mean-V shift and rates against |κ|, and the
/// projection law. Mode B: the latent trajectory against the mean-field latent dynamics.
/// </summary>
public static class BalancedFigure
{
    /// <summary>Saves the figure as PNG.</summary>
    public static void Save(BalancedReport report, string path, int width = 1000, int height = 1100)
    {
        if (report?.Tuning is not null && height == 1100)
        {
            // One more panel: keep the others at their usual height.
            height = 1375;
        }

        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(path);
        var mp = new Multiplot();
        if (report.Mode == "A")
        {
            mp.AddPlots(report.Tuning is null ? 4 : 5);
            DrawDynamic(mp.GetPlot(0), report);
            DrawShift(mp.GetPlot(1), report);
            DrawRates(mp.GetPlot(2), report);
            DrawProjection(mp.GetPlot(3), report);
            if (report.Tuning is { } tuning)
            {
                DrawTuning(mp.GetPlot(4), tuning);
            }
        }
        else
        {
            mp.AddPlots(2);
            DrawLatent(mp.GetPlot(0), report);
            DrawMeanVTrace(mp.GetPlot(1), report);
        }

        PlotOutput.SavePng(mp, path, width, height);
    }

    private static Color Pop(int a) => a == 0 ? RunFigure.Excitatory : RunFigure.Inhibitory;

    private static string Name(int a) => a == 0 ? "E" : "I";

    private static void DrawDynamic(Plot plot, BalancedReport r)
    {
        var p = r.Parameters;
        plot.Title($"Seed 001 mode A: N = {p.NeuronCount}, K = {p.K}, {(p.IsBalanced ? "balanced" : "unbalanced control")}: coherent mean-potential fluctuations");
        double[] t = [.. r.SeriesTime];
        for (int a = 0; a < 2; a++)
        {
            double offset = r.Radii[0].SimMeanV[a];
            var sim = plot.Add.ScatterLine(t, r.SeriesMeanV.Select(v => v[a] - offset).ToArray());
            sim.Color = Pop(a).WithAlpha(0.6);
            sim.LineWidth = 1;
            sim.LegendText = $"V̄_{Name(a)}(t) − V̄_{Name(a)}(κ=0), simulation";
            var mf = plot.Add.ScatterLine(t, r.SeriesMeanFieldV.Select(v => v[a]).ToArray());
            mf.Color = Pop(a);
            mf.LineWidth = 2.5f;
            mf.LinePattern = LinePattern.Dashed;
            mf.LegendText = $"μ_{Name(a)}(κ(t)), finite-K mean field";
        }

        plot.XLabel("time in the dynamic segment (s)");
        plot.YLabel("mean potential (Δ)");
        plot.ShowLegend(Alignment.LowerLeft);
    }

    private static void DrawShift(Plot plot, BalancedReport r)
    {
        double[] radii = r.Radii.Select(x => x.Radius).ToArray();
        double[] fine = Enumerable.Range(0, 26).Select(i => i * 0.05).ToArray();
        var theta = r.Thresholds;
        var mfFine = fine.Select(k => BalancedMeanField.Solve(r.Parameters, theta, k * k)).ToArray();
        var limFine = fine.Select(k => BalancedMeanField.SolveBalanceLimit(r.Parameters, theta, k * k)).ToArray();
        for (int a = 0; a < 2; a++)
        {
            double offset = r.Radii[0].SimMeanV[a];
            var sim = plot.Add.ScatterPoints(radii, r.Radii.Select(x => x.SimMeanV[a] - offset).ToArray());
            sim.Color = Pop(a);
            sim.MarkerSize = 10;
            sim.LegendText = $"{Name(a)} simulation";
            var mf = plot.Add.ScatterLine(fine, mfFine.Select(s => s.MeanInput[a]).ToArray());
            mf.Color = Pop(a);
            mf.LineWidth = 2;
            mf.LegendText = $"{Name(a)} finite-K mean field";
            var lim = plot.Add.ScatterLine(fine, limFine.Select(s => s.MeanInput[a]).ToArray());
            lim.Color = Pop(a).WithAlpha(0.5);
            lim.LinePattern = LinePattern.Dotted;
            lim.LegendText = $"{Name(a)} K → ∞";
        }

        plot.XLabel("latent radius |κ|");
        plot.YLabel("mean-potential shift (Δ)");
        plot.ShowLegend(Alignment.LowerLeft);
    }

    private static void DrawRates(Plot plot, BalancedReport r)
    {
        double[] radii = r.Radii.Select(x => x.Radius).ToArray();
        double[] fine = Enumerable.Range(0, 26).Select(i => i * 0.05).ToArray();
        var mfFine = fine.Select(k => BalancedMeanField.Solve(r.Parameters, r.Thresholds, k * k)).ToArray();
        double[] bal = BalancedMeanField.BalanceRates(r.Parameters);
        for (int a = 0; a < 2; a++)
        {
            var sim = plot.Add.ScatterPoints(radii, r.Radii.Select(x => x.SimRates[a]).ToArray());
            sim.Color = Pop(a);
            sim.MarkerSize = 10;
            sim.LegendText = $"ν_{Name(a)} simulation";
            var mf = plot.Add.ScatterLine(fine, mfFine.Select(s => s.Rates[a]).ToArray());
            mf.Color = Pop(a);
            mf.LineWidth = 2;
            mf.LegendText = $"ν_{Name(a)} finite-K mean field";
            var line = plot.Add.HorizontalLine(bal[a]);
            line.Color = Pop(a).WithAlpha(0.4);
            line.LinePattern = LinePattern.Dotted;
        }

        plot.XLabel("latent radius |κ| (dotted: balance solution)");
        plot.YLabel("population rate (Hz)");
        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static void DrawProjection(Plot plot, BalancedReport r)
    {
        if (r.Projection is not { } fit)
        {
            return;
        }

        var pts = plot.Add.ScatterPoints(fit.BinX.ToArray(), fit.BinLogRate.ToArray());
        pts.Color = RunFigure.Excitatory;
        pts.MarkerSize = 9;
        pts.LegendText = $"E neurons at |κ| = {r.Radii[^1].Radius:0.##} (binned by x = m·κ), fitted slope {fit.Slope:0.000}";
        double x0 = fit.BinX.Min(), x1 = fit.BinX.Max();
        double c = fit.BinLogRate.Average() - fit.BinX.Average();
        var law = plot.Add.Line(x0, x0 + c, x1, x1 + c);
        law.Color = Colors.Black;
        law.LinePattern = LinePattern.Dashed;
        law.LegendText = "slope 1/Δ (projection law)";
        plot.XLabel("latent input x = m·κ (Δ)");
        plot.YLabel("ln E[r | x] (ln Hz)");
        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static void DrawTuning(Plot plot, TuningReport t)
    {
        plot.Title($"tuning, {t.ConditionSeconds:0.#} s per condition: non-monotonicity index {t.FittedNonMonotonicity:0.00}, median ρ² coeff. of ln r {t.MeanCurvature:0.00}");
        double[] rho = [.. t.Radii];
        Color[] shades = [Color.FromHex("#c6dbef"), Color.FromHex("#6baed6"), Color.FromHex("#2171b5"), Color.FromHex("#08306b")];
        for (int g = 0; g < t.GroupTuning.Count; g++)
        {
            var line = plot.Add.ScatterLine(rho, t.GroupTuning[g]);
            line.Color = shades[g % shades.Length];
            line.LineWidth = 2;
            line.MarkerSize = 7;
            line.LegendText = $"E neurons, |m| quartile {g + 1} (mean |m| = {t.GroupLoadings[g]:0.00})";
        }

        plot.XLabel("|κ| along each neuron's preferred direction");
        plot.YLabel("mean rate (Hz)");
        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static void DrawLatent(Plot plot, BalancedReport r)
    {
        var p = r.Parameters;
        plot.Title($"Seed 001 mode B: N = {p.NeuronCount}, K = {p.K}: recurrent latent dynamics, RMS error {r.LatentRmsError:0.000}");
        double[] t = [.. r.SeriesTime];
        Color[] colors = [Color.FromHex("#2c7a3f"), Color.FromHex("#8e44ad")];
        for (int d = 0; d < Math.Min(2, p.Rank); d++)
        {
            var sim = plot.Add.ScatterLine(t, r.SeriesLatent.Select(k => k[d]).ToArray());
            sim.Color = colors[d].WithAlpha(0.7);
            sim.LegendText = $"κ{d + 1} simulation";
            if (r.SeriesMeanFieldLatent.Count == t.Length)
            {
                var mf = plot.Add.ScatterLine(t, r.SeriesMeanFieldLatent.Select(k => k[d]).ToArray());
                mf.Color = colors[d];
                mf.LineWidth = 2.5f;
                mf.LinePattern = LinePattern.Dashed;
                mf.LegendText = $"κ{d + 1} mean field";
            }
        }

        plot.XLabel("time after release (s)");
        plot.YLabel("latent κ");
        plot.ShowLegend(Alignment.UpperRight);
    }

    private static void DrawMeanVTrace(Plot plot, BalancedReport r)
    {
        double[] t = [.. r.SeriesTime];
        for (int a = 0; a < 2; a++)
        {
            var sim = plot.Add.ScatterLine(t, r.SeriesMeanV.Select(v => v[a]).ToArray());
            sim.Color = Pop(a);
            sim.LegendText = $"V̄_{Name(a)}(t)";
        }

        plot.XLabel("time after release (s)");
        plot.YLabel("mean potential (Δ)");
        plot.ShowLegend(Alignment.LowerRight);
    }
}
