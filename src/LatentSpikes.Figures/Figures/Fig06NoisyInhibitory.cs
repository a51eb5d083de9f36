using LatentSpikes.Analysis;
using LatentSpikes.Geometry;
using LatentSpikes.Plotting;
using ScottPlot;

namespace LatentSpikes.Figures.Figures;

/// <summary>
/// Fig. 6: noise causes jittery boundaries and irregular firing (examples/fig6-noisy-inhibitory.yaml, N = 50). Without
/// noise one neuron codes each input value; with noise several neurons take turns and the spike trains differ between
/// trials, while the readout stays on the boundary.
/// </summary>
public sealed class Fig06NoisyInhibitory : IFigure
{
    /// <summary>Start of the measurements: the input ramp (the hold at x = −1 lies at the edge of the tangent range).</summary>
    public const double Settle = 5.0;

    /// <summary>Input bin width for counting the neurons that code one input value: the tangent-point spacing 2/49.</summary>
    public const double InputBin = 2.0 / 49;

    /// <inheritdoc/>
    public string Id => "6";

    /// <inheritdoc/>
    public string Title => "Noise causes jittery boundaries and irregular firing in the inhibitory population";

    /// <inheritdoc/>
    public IReadOnlyList<PendingClaim> Pending => [];

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var noisy = FigureKit.Example("fig6-noisy-inhibitory.yaml").Experiment;
        // The noise-free reference is the Fig. 2 setting: no noise and no soft refractory cost (μ alone already lets
        // a neighbour fire after the active neuron, since it raises the spiker's threshold by μ).
        var quiet = FigureKit.MapPopulations(noisy, p => FigureKit.WithMuAndNoise(p, 0, 0), noisy.Name + "-noise-free");
        var trial1 = FigureKit.Simulate(noisy, trial: 0);
        var trial2 = FigureKit.Simulate(noisy, trial: 1);
        context.Report(0.5);
        var clean = FigureKit.Simulate(quiet);
        var cleanAuthors = FigureKit.Simulate(FigureKit.AuthorsRule(quiet));
        context.Report(0.8);
        var pop = noisy.Network.Populations[0];
        var geometry = new RankOneGeometry(pop);
        FigureKit.WriteSpec(context, "spec.yaml", noisy, "examples/fig6-noisy-inhibitory.yaml (trials 0 and 1)");
        FigureKit.WriteSpec(context, "spec-noise-free.yaml", quiet, "examples/fig6-noisy-inhibitory.yaml with noise 0 and mu 0");
        FigureKit.WriteTrace(context, "panel-b-trial1.csv", trial1);
        FigureKit.WriteSpikes(context, "panel-c-trial1-spikes.csv", trial1);
        FigureKit.WriteSpikes(context, "panel-de-trial2-spikes.csv", trial2);
        FigureKit.WriteTrace(context, "noise-free.csv", clean);
        FigureKit.WriteSpikes(context, "noise-free-spikes.csv", clean);

        var (mp, panels) = FigureKit.Grid(2, 2);
        var t = trial1.Times;
        FigureKit.Line(panels[0], t, trial1.Input(0), FigureKit.Input, "input x");
        FigureKit.Line(panels[0], t, trial1.Input(0).Select(x => -((x * x) + 0.5)).ToArray(), FigureKit.Boundary, "boundary −x² − ½", 1.2f, LinePattern.Dashed);
        FigureKit.Line(panels[0], t, trial1.Latent(pop.LatentName), RunFigure.Inhibitory.WithAlpha(0.8), "y (trial 1)", 0.8f);
        panels[0].ShowLegend(Alignment.LowerRight);
        FigureKit.Panel(panels[0], "b", "Readout of the noisy network (N = 50, σ = 0.02)", "time (τ)", "x, latent y");
        FigureKit.Raster(panels[1], trial1);
        panels[1].Title("c   Spikes (trial 1): several neurons per input value");
        FigureKit.Raster(panels[2], trial2);
        panels[2].Title("d-e   Spikes of trial 2: different neurons, same readout");
        FigureKit.Raster(panels[3], clean);
        panels[3].Title("Noise-free network (σ = μ = 0): one neuron per input value");
        FigureKit.Save(context, mp, "fig06", 1400, 1000);

        double shareClean = Measures.BoundaryNeuronShare(clean, 0, Settle);
        double shareNoisy = Measures.BoundaryNeuronShare(trial1, 0, Settle);
        double shareAuthors = Measures.BoundaryNeuronShare(cleanAuthors, 0, Settle);
        double perBinClean = Measures.NeuronsPerInputBin(clean, 0, Settle, InputBin);
        double perBinNoisy = Measures.NeuronsPerInputBin(trial1, 0, Settle, InputBin);
        var (_, rmsClean) = Measures.BoundaryOffset(clean.Times, clean.Input(0), clean.Latent(pop.LatentName), geometry, Settle);
        var (_, rmsNoisy) = Measures.BoundaryOffset(t, trial1.Input(0), trial1.Latent(pop.LatentName), geometry, Settle);
        double overlap = SpikeOverlap(trial1, trial2, 0.05);
        FigureKit.WriteCsv(context, "measures.csv", ["noise", "boundary_neuron_share", "neurons_per_input_bin", "rms_distance_to_boundary"],
            [new double[] { 0, pop.NoiseSigma }, new[] { shareClean, shareNoisy }, new[] { perBinClean, perBinNoisy }, new[] { rmsClean, rmsNoisy }]);
        return
        [
            ClaimResult.AtLeast(Id, "c", "Without noise (σ = μ = 0) each input value is coded by one neuron: share of spikes from the neuron forming the boundary at that input, during the ramp", shareClean, 0.9, "all but spikes next to a breakpoint"),
            ClaimResult.AtMost(Id, "c", $"Authors' rule (clip at spike, V = 0 start), noise-free: the clip's lag (≈ rate × overshoot) exceeds the gap between neighbouring tangent lines, so neighbours share the coding: boundary-neuron share below the idealised {shareClean:0.###}", shareAuthors, shareClean - 0.1, "the claims here are for the unclipped model"),
            ClaimResult.AtLeast(Id, "c", $"With noise several neurons become active for any given input: distinct neurons firing per input bin of one tangent spacing (noise-free: {perBinClean:0.##})", perBinNoisy, 2 * perBinClean, "at least twice the noise-free count"),
            ClaimResult.AtMost(Id, "b", $"… at unchanged readout precision: RMS distance of y to the boundary with noise (noise-free: {rmsClean:0.###})", rmsNoisy, 1.5 * rmsClean, "within 1.5× the noise-free value"),
            ClaimResult.AtMost(Id, "d-e", "Spike trains vary from trial to trial: share of trial-1 spikes matched by a spike of the same neuron within ±0.05 τ in trial 2", overlap, 0.5, "most spikes are not repeated"),
        ];
    }

    /// <summary>Share of <paramref name="a"/>'s spikes that <paramref name="b"/> repeats (same neuron, within ±window).</summary>
    private static double SpikeOverlap(Simulation.SimulationResult a, Simulation.SimulationResult b, double window)
    {
        var byNeuron = b.Spikes.GroupBy(s => (s.Population, s.Neuron)).ToDictionary(g => g.Key, g => g.Select(s => s.Time).Order().ToArray());
        int matched = 0;
        foreach (var s in a.Spikes)
        {
            if (byNeuron.TryGetValue((s.Population, s.Neuron), out var times))
            {
                int i = Array.BinarySearch(times, s.Time - window);
                i = i < 0 ? ~i : i;
                if (i < times.Length && times[i] <= s.Time + window)
                {
                    matched++;
                }
            }
        }

        return a.Spikes.Count == 0 ? double.NaN : matched / (double)a.Spikes.Count;
    }
}
