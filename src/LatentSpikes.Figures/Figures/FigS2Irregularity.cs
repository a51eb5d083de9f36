using LatentSpikes.Analysis;
using LatentSpikes.Plotting;
using ScottPlot;

namespace LatentSpikes.Figures.Figures;

/// <summary>
/// Fig. S2 (App. F): irregular firing comes from the recurrence, not from the injected noise. The N = 20 population of
/// examples/figS2-irregularity.yaml at constant input, rerun over a noise sweep next to its feedforward variant
/// (recurrent weights removed, same self-resets); the spike-count CV of one neuron over trials is far higher with
/// recurrence at small noise. Beside it, the authors' own settings (examples/figS2-authors.yaml: N = 50, dt = 0.001 τ,
/// 7.5 τ counted from V = 0, neuron 12, their clip at spikes) with and without the clip, which is the rule that sets
/// their CV.
/// </summary>
public sealed class FigS2Irregularity : IFigure
{
    /// <summary>
    /// Start of the project's count window (1 τ, leaving out the fall onto the boundary). The authors' script counts
    /// instead every spike of the whole 7.5 τ run from V = 0 (<see cref="AuthorsNeuron"/>, examples/figS2-authors.yaml).
    /// </summary>
    public const double Start = 1.0;

    /// <summary>The neuron whose count CV the authors' script reports (<c>nrn_nr = 12</c>).</summary>
    public const int AuthorsNeuron = 12;

    /// <summary>Noise levels of the authors' panel (their sweep is 0 … 0.2 in steps of 0.02).</summary>
    public static readonly double[] AuthorsSigmas = [0.02, 0.1, 0.2];

    /// <summary>The noise level of the example and of the claim.</summary>
    public const double ClaimSigma = 0.05;

    /// <summary>
    /// The count CV that the authors' step loop, with its clip at spikes, gives for the project's Fig. S2 network
    /// (examples/figS2-irregularity.yaml, σ = 0.05, counted over (1, 6], the busiest neuron): 0.59-0.60 by running
    /// their code (issue 18); without the clip both codes give 0.50-0.52.
    /// </summary>
    public const double AuthorsCv = 0.595;

    /// <inheritdoc/>
    public string Id => "S2";

    /// <inheritdoc/>
    public string Title => "Irregularity comes from the recurrence: spike-count CV against noise";

    /// <inheritdoc/>
    public IReadOnlyList<PendingClaim> Pending => [];

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var exp = FigureKit.Example("figS2-irregularity.yaml").Experiment;
        double[] sigmas = context.Pick(new[] { 0.01, 0.02, ClaimSigma, 0.1, 0.2, 0.5 }, new[] { 0.02, ClaimSigma });
        int trials = context.Pick(500, 40);
        var sweep = Irregularity.RecurrentVsFeedforward(exp, sigmas, trials, Start, threads: context.Threads, cancellationToken: context.CancellationToken);
        context.Report(0.9);
        var authors = FigureKit.Example("figS2-authors.yaml").Experiment;
        double[] authorsSigmas = context.Pick(AuthorsSigmas, [ClaimSigma]);
        int authorsTrials = context.Pick(300, 60);
        var clipped = Irregularity.RecurrentVsFeedforward(authors, authorsSigmas, authorsTrials, 0, focus: (0, AuthorsNeuron), threads: context.Threads, cancellationToken: context.CancellationToken);
        var unclipped = Irregularity.RecurrentVsFeedforward(FigureKit.With(authors, s => s with { ClipAtSpike = false }), authorsSigmas, authorsTrials, 0,
            focus: (0, AuthorsNeuron), threads: context.Threads, cancellationToken: context.CancellationToken);
        context.Report(0.95);
        FigureKit.WriteSpec(context, "spec-authors.yaml", authors, $"examples/figS2-authors.yaml (swept over σ = {string.Join(", ", authorsSigmas)}, {authorsTrials} trials each; also run with clip_at_spike: false)");
        FigureKit.WriteCsv(context, "panel-cv-authors.csv", ["sigma", "cv_recurrent_clip", "cv_feedforward_clip", "cv_recurrent_noclip", "cv_feedforward_noclip"],
            [authorsSigmas, clipped.Points.Select(p => p.RecurrentCv).ToArray(), clipped.Points.Select(p => p.FeedforwardCv).ToArray(),
             unclipped.Points.Select(p => p.RecurrentCv).ToArray(), unclipped.Points.Select(p => p.FeedforwardCv).ToArray()]);
        var example = FigureKit.Simulate(exp);
        var feedforward = FigureKit.Simulate(NetworkVariants.Feedforward(exp));
        FigureKit.WriteSpec(context, "spec.yaml", exp, $"examples/figS2-irregularity.yaml (swept over σ = {string.Join(", ", sigmas)}, {trials} trials each)");
        FigureKit.WriteSpec(context, "spec-feedforward.yaml", NetworkVariants.Feedforward(exp), "the feedforward variant of examples/figS2-irregularity.yaml (recurrent weights removed, self-resets kept)");
        FigureKit.WriteCsv(context, "panel-cv.csv", ["sigma", "cv_recurrent", "cv_feedforward"],
            [sweep.Points.Select(p => p.Sigma).ToArray(), sweep.Points.Select(p => p.RecurrentCv).ToArray(), sweep.Points.Select(p => p.FeedforwardCv).ToArray()]);
        FigureKit.WriteSpikes(context, "spikes-recurrent.csv", example);
        FigureKit.WriteSpikes(context, "spikes-feedforward.csv", feedforward);

        var (mp, panels) = FigureKit.Grid(1, 4);
        double[] logSigma = sweep.Points.Select(p => Math.Log10(p.Sigma)).ToArray();
        var rec = panels[0].Add.Scatter(logSigma, sweep.Points.Select(p => p.RecurrentCv).ToArray(), RunFigure.Inhibitory);
        rec.LegendText = "recurrent";
        rec.LineWidth = 2;
        var ff = panels[0].Add.Scatter(logSigma, sweep.Points.Select(p => p.FeedforwardCv).ToArray(), Colors.Gray);
        ff.LegendText = "feedforward";
        ff.LineWidth = 2;
        panels[0].ShowLegend(Alignment.UpperRight);
        FigureKit.Panel(panels[0], "a", $"Spike-count CV of neuron {sweep.Neuron} ({trials} trials)", "log10 noise σ", "spike-count CV");
        FigureKit.Raster(panels[1], example);
        panels[1].Title($"b   Recurrent network, σ = {exp.Network.Populations[0].NoiseSigma}");
        FigureKit.Raster(panels[2], feedforward);
        panels[2].Title("c   Feedforward variant, same noise");
        FigureKit.Line(panels[3], authorsSigmas, clipped.Points.Select(p => p.RecurrentCv).ToArray(), RunFigure.Inhibitory, "recurrent, clip (authors)", 2);
        FigureKit.Line(panels[3], authorsSigmas, unclipped.Points.Select(p => p.RecurrentCv).ToArray(), RunFigure.Inhibitory, "recurrent, no clip", 1.2f, LinePattern.Dashed);
        FigureKit.Line(panels[3], authorsSigmas, clipped.Points.Select(p => p.FeedforwardCv).ToArray(), Colors.Gray, "feedforward, clip", 2);
        panels[3].ShowLegend(Alignment.UpperRight);
        FigureKit.Panel(panels[3], "d", $"Authors' settings (N = 50, neuron {AuthorsNeuron}, {authorsTrials} trials)", "noise σ", "spike-count CV");
        FigureKit.Save(context, mp, "figS2", 1900, 550);

        var point = sweep.Points.First(p => p.Sigma == ClaimSigma);
        // Unclipped, with the figure's own rule for the focus neuron (the busiest one), as the old default measured it.
        var noClip = Irregularity.RecurrentVsFeedforward(FigureKit.With(exp, s => s with { ClipAtSpike = false }), sigmas[0] == ClaimSigma ? [ClaimSigma] : [sigmas[0], ClaimSigma], trials, Start,
            threads: context.Threads, cancellationToken: context.CancellationToken).Points[^1];
        var authorsLow = clipped.Points[0];
        var authorsLowNoClip = unclipped.Points[0];

        // Sampling error of a count CV over R trials is about CV/√(2R).
        double tolerance = 3 * AuthorsCv / Math.Sqrt(2.0 * trials);
        double clipError = 3 * authorsLow.RecurrentCv * Math.Sqrt(2.0 / (2.0 * authorsTrials));
        return
        [
            new ClaimResult(Id, "a", $"Authors' measure: count CV of the recurrent network at σ = {ClaimSigma} under their clip rule (clip_at_spike auto; the authors' loop gives 0.59-0.60 here); the unclipped model gives {noClip.RecurrentCv:0.###}",
                ClaimResult.Fmt(point.RecurrentCv, "0.###"), $"{AuthorsCv} ± {tolerance:0.###} (3 sampling errors)", Math.Abs(point.RecurrentCv - AuthorsCv) <= tolerance),
            ClaimResult.AtLeast(Id, "a", $"The clip raises the count CV at dt = 0.01 τ: CV with clip − CV without (without: {noClip.RecurrentCv:0.###})",
                point.RecurrentCv - noClip.RecurrentCv, context.Pick(0.05, 0.0), context.Pick("by at least 0.05 (measured 0.12 over 500 trials)", "positive (quick run: few trials)")),
            ClaimResult.AtLeast(Id, "d", $"Authors' settings (N = 50, dt = 0.001 τ, 7.5 τ from V = 0, neuron {AuthorsNeuron}, σ = {authorsLow.Sigma}): recurrent CV / feedforward CV (recurrent {authorsLow.RecurrentCv:0.###})",
                authorsLow.RecurrentCv / authorsLow.FeedforwardCv, 3, "≫ 1: at least three times"),
            ClaimResult.AtMost(Id, "d", $"At the authors' dt = 0.001 τ the overshoot the clip removes is ten times smaller: |CV clip − CV no clip| at σ = {authorsLow.Sigma} ({authorsLow.RecurrentCv:0.###} vs {authorsLowNoClip.RecurrentCv:0.###})",
                Math.Abs(authorsLow.RecurrentCv - authorsLowNoClip.RecurrentCv), clipError, "within 3 sampling errors of the difference"),
            ClaimResult.AtLeast(Id, "a", $"At small noise (σ = {ClaimSigma}) the recurrent network fires far more irregularly than the feedforward one: CV recurrent / CV feedforward (CV recurrent {point.RecurrentCv:0.###})", point.RecurrentCv / point.FeedforwardCv, 3, "≫ 1: at least three times"),
        ];
    }
}
