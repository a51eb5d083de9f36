using LatentSpikes.Analysis;
using LatentSpikes.Geometry;
using LatentSpikes.Plotting;
using LatentSpikes.Simulation;
using ScottPlot;

namespace LatentSpikes.Figures.Figures;

/// <summary>
/// Fig. 8a-d: the noisy homogeneous E-I network (examples/fig8-balanced-ei.yaml, N_E = 50 + 1, N_I = 50). Active
/// neurons receive balanced excitatory and inhibitory input, the extra neuron E2 stays hyperpolarised, and stimulating
/// the inhibitory population lowers the activity of both populations (the paradoxical effect). The mistuning sweep
/// (8e-g) comes with the mistuning branch.
/// </summary>
public sealed class Fig08Balance : IFigure
{
    /// <summary>Start of the unstimulated window (after the input step at 0.5 τ and the transient).</summary>
    public const double Before = 2.0;

    /// <summary>Onset of the inhibitory stimulation in the example.</summary>
    public const double Stimulation = 12.5;

    /// <summary>Settling time after the stimulation onset before the stimulated rates are measured.</summary>
    public const double Resettle = 2.5;

    /// <inheritdoc/>
    public string Id => "8";

    /// <inheritdoc/>
    public string Title => "Irregular firing, balance and noise control in the rank-2 E-I network";

    /// <inheritdoc/>
    public IReadOnlyList<PendingClaim> Pending =>
    [
        new(Id, "e-g", "The MSE between boundary crossing and spiking readout rises with the mistuning angle between the E and cross decoders", "the mistuning sweep (branch mistune)"),
    ];

    /// <inheritdoc/>
    public IReadOnlyList<ClaimResult> Run(FigureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var exp = FigureKit.Example("fig8-balanced-ei.yaml").Experiment;
        int trials = context.Pick(10, 2);
        var batch = new BatchedEngine(context.Threads).Run(exp, trials, cancellationToken: context.CancellationToken);
        context.Report(0.7);
        if (batch.ExplodedCount > 0)
        {
            throw new InvalidOperationException($"Fig. 8: {batch.ExplodedCount} trial(s) exploded");
        }

        var run = batch.Trials[0];
        var net = exp.Network;
        var geometry = EiBoundaries.Create(net);
        double end = exp.Settings.Duration;
        var balance = Balance.Analyze(batch.Trials, Before, Stimulation);
        int e = net.PopulationIndex("E");
        int i = net.PopulationIndex("I");
        int e2 = net.Populations[e].Size - 1;
        var example = Balance.Currents(run, e, 0);
        var silent = Balance.Currents(run, e, e2);
        FigureKit.WriteSpec(context, "spec.yaml", exp, $"examples/fig8-balanced-ei.yaml ({trials} trials)");
        FigureKit.WriteTrace(context, "panel-c-latents.csv", run);
        FigureKit.WriteSpikes(context, "panel-c-spikes.csv", run);
        FigureKit.WriteCsv(context, "panel-d-currents.csv", ["time", "E0_excitatory", "E0_inhibitory", "E0_voltage", "E2_excitatory", "E2_inhibitory", "E2_voltage"],
            [example.Times, example.Excitatory, example.Inhibitory, example.Voltage, silent.Excitatory, silent.Inhibitory, silent.Voltage]);

        var (mp, panels) = FigureKit.Grid(2, 2);
        EiPanels.Plane(panels[0], geometry, 1, 0, 3);
        EiPanels.Trajectory(panels[0], run, geometry, Before, Stimulation);
        panels[0].Axes.SetLimits(0, 3, 0, 5);
        panels[0].ShowLegend(Alignment.UpperLeft);
        FigureKit.Panel(panels[0], "a", "Boundaries at x = 1 and spiking dynamics before stimulation", "excitatory latent y_E", "inhibitory latent |y_I|");
        FigureKit.Line(panels[1], run.Times, run.Latent(geometry.ExcitatoryLatent), RunFigure.Excitatory.WithAlpha(0.7), "y_E", 0.8f);
        FigureKit.Line(panels[1], run.Times, run.Latent(geometry.InhibitoryLatent).Select(v => -v).ToArray(), RunFigure.Inhibitory.WithAlpha(0.7), "|y_I|", 0.8f);
        var onset = panels[1].Add.VerticalLine(Stimulation);
        onset.LinePattern = LinePattern.Dashed;
        onset.Color = Colors.Gray;
        onset.LegendText = "I stimulated from here";
        panels[1].ShowLegend(Alignment.UpperRight);
        FigureKit.Panel(panels[1], "c", "Stimulating inhibition lowers both latents", "time (τ)", "latents y_E, |y_I|");
        FigureKit.Line(panels[2], example.Times, example.Excitatory, RunFigure.Excitatory, "excitatory input", 0.8f);
        FigureKit.Line(panels[2], example.Times, example.Inhibitory, RunFigure.Inhibitory, "inhibitory input", 0.8f);
        FigureKit.Line(panels[2], example.Times, example.Voltage, Colors.Black, "net (voltage, noise omitted)", 0.8f);
        panels[2].Axes.SetLimitsX(Before, Stimulation);
        panels[2].ShowLegend(Alignment.UpperRight);
        FigureKit.Panel(panels[2], "d", "Balanced inputs of an active E neuron", "time (τ)", "input current");
        FigureKit.Line(panels[3], example.Times, example.Voltage, RunFigure.Excitatory, "active E neuron", 0.8f);
        FigureKit.Line(panels[3], silent.Times, silent.Voltage, Color.FromHex("#e377c2"), "E2 (other boundary)", 1.2f);
        var threshold = panels[3].Add.HorizontalLine(1);
        threshold.LinePattern = LinePattern.Dashed;
        threshold.Color = Colors.Gray;
        threshold.LegendText = "threshold";
        panels[3].Axes.SetLimitsX(Before, Stimulation);
        panels[3].ShowLegend(Alignment.LowerRight);
        FigureKit.Panel(panels[3], "d", "Voltages: E2 stays hyperpolarised", "time (τ)", "voltage (noise omitted)");
        FigureKit.Save(context, mp, "fig08", 1400, 1000);

        double Rate(int population, double from, double to) =>
            batch.Trials.Average(t => t.Spikes.Count(s => s.Population == population && s.Time >= from && s.Time < to)) / (to - from) / net.Populations[population].Size;
        double eBefore = Rate(e, Before, Stimulation), eAfter = Rate(e, Stimulation + Resettle, end);
        double iBefore = Rate(i, Before, Stimulation), iAfter = Rate(i, Stimulation + Resettle, end);
        FigureKit.WriteCsv(context, "panel-bc-rates.csv", ["population", "rate_before", "rate_stimulated"], [new double[] { e, i }, new[] { eBefore, iBefore }, new[] { eAfter, iAfter }]);
        var e2Balance = balance.Neurons.First(n => n.Population == e && n.Neuron == e2);
        var activeE = balance.Neurons.Where(n => n.Population == e && !n.Silent).ToArray();
        double netToGross = activeE.Select(n => n.NetToGross).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
        return
        [
            ClaimResult.AtMost(Id, "b-c", $"Paradoxical effect: stimulating the I population lowers the I rate (stimulated / before; before {iBefore:0.###} spikes/τ per neuron)", iAfter / iBefore, 0.9, "a clear drop, > 10%"),
            ClaimResult.AtMost(Id, "b-c", $"… and the E rate (stimulated / before; before {eBefore:0.###} spikes/τ per neuron)", eAfter / eBefore, 0.9, "a clear drop, > 10%"),
            ClaimResult.AtMost(Id, "d", "Active E neurons receive balanced input: mean net-to-gross ratio ⟨|E + I|⟩ / ⟨E − I⟩ before stimulation", netToGross, 0.25, "excitation and inhibition cancel to within a quarter"),
            new ClaimResult(Id, "d", "The extra neuron E2 never fires and stays hyperpolarised (≥ 0.25 below threshold)", $"{e2Balance.Spikes} spikes, max V = {e2Balance.MaxVoltage:0.###}", "0 spikes, max V ≤ 0.75", e2Balance.Silent && e2Balance.Hyperpolarised),
        ];
    }
}
