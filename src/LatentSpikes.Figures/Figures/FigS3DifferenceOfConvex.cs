using LatentSpikes.Construction;
using ScottPlot;

namespace LatentSpikes.Figures.Figures;

/// <summary>
/// Fig. S3 (App. E): any function is a difference of convex functions. Theorem 2 splits the saw of Fig. 5 exactly into
/// q (the positive slope changes) and p (the negative ones); Theorem 1 splits a smooth function as q = f + λ·g,
/// p = λ·g, sampled by tangent planes, with an error that shrinks as the square of the tangent spacing.
/// </summary>
public sealed class FigS3DifferenceOfConvex : IFigure
{
    /// <summary>Tangent points per convex function for the smooth example (and twice as many for the refinement).</summary>
    public const int SmoothPoints = 12;

    /// <inheritdoc/>
    public string Id => "S3";

    /// <inheritdoc/>
    public string Title => "Difference-of-convex decomposition of the target function";

    /// <inheritdoc/>
    public IReadOnlyList<PendingClaim> Pending => [];

    /// <summary>The smooth example target, f(x) = 1 + sin(x) on [0, 2π].</summary>
    public static double Smooth(double[] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return 1 + Math.Sin(x[0]);
    }

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var knots = Figures.Fig05Saw.SawKnots;
        var saw = Fig05Saw.Saw();
        var split = DifferenceOfConvex.FromKnots(knots.Select(k => k.X).ToArray(), knots.Select(k => k.Y).ToArray());
        (double, double)[] box = [(0, 2 * Math.PI)];
        var coarse = DifferenceOfConvex.Smooth(Smooth, box, SmoothPoints, SmoothPoints);
        var fine = DifferenceOfConvex.Smooth(Smooth, box, 2 * SmoothPoints, 2 * SmoothPoints);
        context.Report(0.5);
        double[] xs = FigureKit.Linspace(0, 10, 1001);
        double[] us = FigureKit.Linspace(0, 2 * Math.PI, 1001);
        FigureKit.WriteCsv(context, "panel-a-saw.csv", ["x", "f", "q", "p", "q_minus_p"],
            [xs, xs.Select(x => saw.Value([x])).ToArray(), xs.Select(x => split.Q.Value([x])).ToArray(), xs.Select(x => split.P.Value([x])).ToArray(), xs.Select(x => split.Value([x])).ToArray()]);
        FigureKit.WriteCsv(context, "panel-b-smooth.csv", ["x", "f", "q", "p", "q_minus_p", "q_minus_p_refined"],
            [us, us.Select(u => Smooth([u])).ToArray(), us.Select(u => coarse.Q.Value([u])).ToArray(), us.Select(u => coarse.P.Value([u])).ToArray(), us.Select(u => coarse.Value([u])).ToArray(), us.Select(u => fine.Value([u])).ToArray()]);

        var (mp, panels) = FigureKit.Grid(1, 2);
        FigureKit.Line(panels[0], xs, xs.Select(x => split.Q.Value([x])).ToArray(), Colors.DarkOrange, $"q (convex, {split.Q.Pieces.Count} pieces: E neurons)", 1.8f);
        FigureKit.Line(panels[0], xs, xs.Select(x => split.P.Value([x])).ToArray(), Colors.Purple, $"p (convex, {split.P.Pieces.Count} pieces: I neurons)", 1.8f);
        FigureKit.Line(panels[0], xs, xs.Select(x => saw.Value([x])).ToArray(), Colors.Black, "f = q − p (saw of Fig. 5)", 2.5f);
        panels[0].ShowLegend(Alignment.UpperLeft);
        FigureKit.Panel(panels[0], "a", "Theorem 2: piecewise-linear f, exact split", "input x", "function value");
        FigureKit.Line(panels[1], us, us.Select(u => coarse.Q.Value([u])).ToArray(), Colors.DarkOrange, $"q = f + λg ({SmoothPoints} tangents)", 1.8f);
        FigureKit.Line(panels[1], us, us.Select(u => coarse.P.Value([u])).ToArray(), Colors.Purple, $"p = λg ({SmoothPoints} tangents)", 1.8f);
        FigureKit.Line(panels[1], us, us.Select(u => Smooth([u])).ToArray(), Colors.Black, "f = 1 + sin x", 2.5f);
        FigureKit.Line(panels[1], us, us.Select(u => coarse.Value([u])).ToArray(), Colors.Gray, "q − p (tangent planes)", 1.5f, LinePattern.Dashed);
        panels[1].ShowLegend(Alignment.UpperLeft);
        FigureKit.Panel(panels[1], "b", "Theorem 1: smooth f, split through a convex g", "input x", "function value");
        FigureKit.Save(context, mp, "figS3", 1400, 600);

        double exact = xs.Max(x => Math.Abs(split.Value([x]) - saw.Value([x])));
        int positive = 0, negative = 0;
        for (int k = 1; k + 1 < knots.Length; k++)
        {
            double jump = ((knots[k + 1].Y - knots[k].Y) / (knots[k + 1].X - knots[k].X)) - ((knots[k].Y - knots[k - 1].Y) / (knots[k].X - knots[k - 1].X));
            positive += jump > 0 ? 1 : 0;
            negative += jump < 0 ? 1 : 0;
        }

        double errCoarse = us.Max(u => Math.Abs(coarse.Value([u]) - Smooth([u])));
        double errFine = us.Max(u => Math.Abs(fine.Value([u]) - Smooth([u])));
        return
        [
            ClaimResult.AtMost(Id, "a", "Theorem 2 splits a continuous piecewise-linear f exactly: max |q − p − f| on [0, 10]", exact, 1e-9, "exact up to rounding"),
            new ClaimResult(Id, "a", "q collects the positive slope changes and p the negative ones: pieces of (q, p), i.e. the N_E = N_I = 3 neurons of Fig. 5", $"({split.Q.Pieces.Count}, {split.P.Pieces.Count})", $"({1 + positive}, {1 + negative}): one plus the number of positive / negative slope changes", split.Q.Pieces.Count == 1 + positive && split.P.Pieces.Count == 1 + negative),
            ClaimResult.AtLeast(Id, "b", $"Theorem 1 with tangent planes: doubling the tangent points ({SmoothPoints} → {2 * SmoothPoints}) cuts the max error by the square of the spacing (error ratio; errors {errCoarse:0.###} → {errFine:0.####})", errCoarse / errFine, 3, "≈ 4 for an O(h²) error, 3 allows for the grid ends"),
        ];
    }
}
