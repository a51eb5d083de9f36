using LatentSpikes.Engines;
using LatentSpikes.Geometry;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Analysis;

/// <summary>The current of the inhibition-stabilisation protocol.</summary>
/// <param name="Population">The stimulated population (the protocol's subject is the inhibitory one).</param>
/// <param name="Amplitude">Current injected into each of its neurons (voltage units per τ; positive depolarises).</param>
/// <param name="Onset">When the current switches on (τ); it stays on to the end of the run.</param>
public sealed record IsnStimulus(string Population, double Amplitude, double Onset);

/// <summary>What stimulating a population did to its own rate.</summary>
public enum IsnVerdict
{
    /// <summary>The rate moved against the current by more than two standard errors (e.g. fell under positive current): the paradoxical effect of an inhibition-stabilised network.</summary>
    Paradoxical,

    /// <summary>The rate moved with the current (e.g. rose under positive current) or did not change.</summary>
    NotParadoxical,

    /// <summary>The rate moved against the current, but by less than two standard errors: more trials or a larger current are needed.</summary>
    Inconclusive,
}

/// <summary>One population's rate before and during the stimulation.</summary>
/// <param name="Population">Population name.</param>
/// <param name="Kind">Its Dale class.</param>
/// <param name="Baseline">Rate in the baseline window (spikes per τ per neuron), over trials.</param>
/// <param name="Stimulated">Rate in the stimulus window.</param>
/// <param name="Change">Per-trial difference stimulated − baseline, over trials.</param>
public sealed record IsnRate(string Population, PopulationKind Kind, TrialMean Baseline, TrialMean Stimulated, TrialMean Change);

/// <summary>One latent readout before and during the stimulation, with the boundary-crossing prediction where there is one.</summary>
/// <param name="Latent">Latent name.</param>
/// <param name="Baseline">Time-mean in the baseline window, over trials.</param>
/// <param name="Stimulated">Time-mean in the stimulus window.</param>
/// <param name="Change">Per-trial difference, over trials.</param>
/// <param name="PredictedBaseline">The rank-2 crossing before the stimulation (NaN if not a rank-2 E-I network with a steady input).</param>
/// <param name="PredictedStimulated">The crossing with the stimulated population's thresholds lowered by the current.</param>
public sealed record IsnLatent(string Latent, TrialMean Baseline, TrialMean Stimulated, TrialMean Change, double PredictedBaseline, double PredictedStimulated);

/// <summary>The result of <see cref="IsnProtocol.Run"/>.</summary>
/// <param name="Stimulus">The injected current.</param>
/// <param name="BaselineStart">Baseline window start; the window is (BaselineStart, BaselineStop].</param>
/// <param name="BaselineStop">Baseline window end (τ).</param>
/// <param name="StimulusStart">Stimulus window start; the window is (StimulusStart, StimulusStop].</param>
/// <param name="StimulusStop">Stimulus window end (τ).</param>
/// <param name="Trials">Number of trials.</param>
/// <param name="Rates">Every population's rates.</param>
/// <param name="Latents">Every latent's readouts.</param>
/// <param name="Verdict">Whether the stimulated population responded paradoxically.</param>
/// <param name="Trajectory">Trial-averaged latents over the whole run (Fig. 8c, top).</param>
/// <param name="Psths">Every population's PSTH over the whole run.</param>
public sealed record IsnReport(
    IsnStimulus Stimulus,
    double BaselineStart,
    double BaselineStop,
    double StimulusStart,
    double StimulusStop,
    int Trials,
    IReadOnlyList<IsnRate> Rates,
    IReadOnlyList<IsnLatent> Latents,
    IsnVerdict Verdict,
    LatentAverages Trajectory,
    IReadOnlyList<Psth> Psths);

/// <summary>
/// The inhibition-stabilisation protocol (seed 002, §3.4, Fig. 8b-c; Sadeh &amp; Clopath 2021): inject a current into
/// every neuron of one population from an onset to the end of the run and compare each population's trial-averaged
/// rate and latent readouts in a baseline window before the onset with a stimulus window after it. In a rank-2 E-I
/// network a positive current into I moves the I boundary up, and the crossing slides down the excitatory boundary,
/// whose slope in the (y_E, |y_I|) plane is E^EE/E^EI ≥ 0: both y_E and |y_I| fall, so the inhibitory population
/// fires less although it was driven — the paradoxical effect that marks an inhibition-stabilised network. A
/// population that is stable on its own (an inhibitory population alone, or the network's feedforward variant)
/// fires more instead.
/// </summary>
public static class IsnProtocol
{
    /// <summary>
    /// Runs the protocol: <paramref name="trials"/> trials (a <see cref="BatchedEngine"/> batch) of the experiment
    /// with its own stimulation replaced by <paramref name="stimulus"/>. The verdict compares the stimulated
    /// population's per-trial rate change with its standard error: paradoxical when it moves against the current by
    /// more than 2 SEM.
    /// </summary>
    /// <param name="experiment">The network, input and settings; its <c>stimulation</c> is dropped.</param>
    /// <param name="stimulus">The current.</param>
    /// <param name="baseline">Baseline window (start, stop], before the onset.</param>
    /// <param name="response">Stimulus window (start, stop], after the onset (leave the transient out).</param>
    /// <param name="trials">Trials (≥ 2).</param>
    /// <param name="binWidth">PSTH bin width (τ) of the reported trajectories.</param>
    /// <param name="threads">Trials at once; 0 uses every core. Results do not depend on it.</param>
    /// <param name="cancellationToken">Stops the batch.</param>
    /// <exception cref="ModelValidationException">For an unknown population, a zero current or misplaced windows.</exception>
    /// <exception cref="InvalidOperationException">When a trial's activity ran away.</exception>
    public static IsnReport Run(
        Experiment experiment,
        IsnStimulus stimulus,
        (double Start, double Stop) baseline,
        (double Start, double Stop) response,
        int trials,
        double binWidth = 0.5,
        int threads = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(stimulus);
        var net = experiment.Network;
        int target = net.PopulationIndex(stimulus.Population);
        double duration = experiment.Settings.Duration;
        Validate(experiment, stimulus, baseline, response, trials, binWidth, target);

        var stimulated = new Experiment(net, experiment.Inputs, experiment.Settings,
            [new CurrentInjection(stimulus.Population, stimulus.Amplitude, stimulus.Onset, duration)],
            experiment.InitialLatents, experiment.Name, experiment.Description);
        var runs = EngineCatalog.Get(EngineCatalog.Clock).RunTrials(stimulated, trials, threads, cancellationToken).ToArray();
        int ran = Array.FindIndex(runs, t => t.Status != SimulationStatus.Completed);
        if (ran >= 0)
        {
            throw new InvalidOperationException($"trial {ran} ran away under the stimulation: {runs[ran].StatusDetail}");
        }

        var rates = net.Populations.Select((p, pi) =>
        {
            double[] before = runs.Select(r => Rate(r, pi, baseline.Start, baseline.Stop)).ToArray();
            double[] after = runs.Select(r => Rate(r, pi, response.Start, response.Stop)).ToArray();
            return new IsnRate(p.Name, p.Kind, TrialMean.Of(before), TrialMean.Of(after), TrialMean.Of(after.Select((v, r) => v - before[r]).ToArray()));
        }).ToArray();

        var predicted = Predict(experiment, stimulus, runs[0], baseline, response);
        var latents = net.Latents.Select(l =>
        {
            double[] before = runs.Select(r => WindowMean(r, l.Name, baseline.Start, baseline.Stop)).ToArray();
            double[] after = runs.Select(r => WindowMean(r, l.Name, response.Start, response.Stop)).ToArray();
            var (pb, ps) = predicted.TryGetValue(l.Name, out var p) ? p : (double.NaN, double.NaN);
            return new IsnLatent(l.Name, TrialMean.Of(before), TrialMean.Of(after), TrialMean.Of(after.Select((v, r) => v - before[r]).ToArray()), pb, ps);
        }).ToArray();

        var change = rates[target].Change;
        double against = -Math.Sign(stimulus.Amplitude) * change.Mean;
        // Two SEMs of the paired per-trial change: a paradoxical verdict by chance has odds of about 1 in 40.
        var verdict = against > 2 * change.Sem ? IsnVerdict.Paradoxical
            : against <= 0 ? IsnVerdict.NotParadoxical
            : IsnVerdict.Inconclusive;
        var psths = net.Populations.Select((_, pi) => TrialStatistics.Psth(runs, pi, binWidth)).ToArray();
        return new IsnReport(stimulus, baseline.Start, baseline.Stop, response.Start, response.Stop, trials, rates, latents, verdict,
            TrialStatistics.TrialAveragedLatents(runs), psths);
    }

    /// <summary>Mean rate of a population in (start, stop] (spikes per τ per neuron).</summary>
    private static double Rate(SimulationResult run, int population, double start, double stop)
    {
        int count = run.Spikes.Count(s => s.Population == population && s.Time > start && s.Time <= stop);
        return count / (stop - start) / run.Experiment.Network.Populations[population].Size;
    }

    private static double WindowMean(SimulationResult run, string latent, double start, double stop)
    {
        double[] y = run.Latent(latent);
        double sum = 0;
        int n = 0;
        for (int j = 0; j < y.Length; j++)
        {
            if (run.Times[j] > start && run.Times[j] <= stop)
            {
                sum += y[j];
                n++;
            }
        }

        return sum / n;
    }

    /// <summary>
    /// The rank-2 crossing before and with the current (thresholds of the stimulated population lowered by it), for
    /// a rank-2 E-I network whose input is the same constant in both windows; empty otherwise.
    /// </summary>
    private static Dictionary<string, (double Before, double After)> Predict(Experiment experiment, IsnStimulus stimulus, SimulationResult run, (double Start, double Stop) baseline, (double Start, double Stop) response)
    {
        var none = new Dictionary<string, (double, double)>(StringComparer.Ordinal);
        var geometry = EiBoundaries.TryCreate(experiment.Network, out _);
        if (geometry is null || experiment.Network.CrossReadouts.Count > 0)
        {
            return none;
        }

        double[] x = run.Input(0);
        var inWindows = x.Where((_, j) => (run.Times[j] > baseline.Start && run.Times[j] <= baseline.Stop) || (run.Times[j] > response.Start && run.Times[j] <= response.Stop)).ToArray();
        if (inWindows.Length == 0 || inWindows.Any(v => v != inWindows[0]))
        {
            return none;
        }

        var shifted = experiment.Network.Populations.Select(p =>
        {
            double shift = p.Name == stimulus.Population ? stimulus.Amplitude : 0;
            var ff = Enumerable.Range(0, p.Size).Select(j => p.FeedforwardRow(j).ToArray()).ToArray();
            return new Population(p.Name, p.Kind, ff, p.Thresholds.Select(t => t - shift).ToArray(), p.Decoders.ToArray(),
                p.Encoders.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), p.SoftRefractory, p.NoiseSigma, p.Synapse, p.RefractoryPeriod);
        }).ToArray();
        var before = geometry.Crossing(inWindows[0]);
        var after = EiBoundaries.Create(new LowRankNetwork(shifted, null, experiment.Network.Delays)).Crossing(inWindows[0]);
        none[geometry.ExcitatoryLatent] = (before?.YE ?? double.NaN, after?.YE ?? double.NaN);
        none[geometry.InhibitoryLatent] = (before?.YI ?? double.NaN, after?.YI ?? double.NaN);
        return none;
    }

    private static void Validate(Experiment experiment, IsnStimulus stimulus, (double Start, double Stop) baseline, (double Start, double Stop) response, int trials, double binWidth, int target)
    {
        var net = experiment.Network;
        double duration = experiment.Settings.Duration;
        if (target < 0)
        {
            throw new ModelValidationException("population", $"no population called '{stimulus.Population}' (known: {string.Join(", ", net.Populations.Select(p => p.Name))})");
        }

        if (!double.IsFinite(stimulus.Amplitude) || stimulus.Amplitude == 0)
        {
            throw new ModelValidationException("amplitude", $"the stimulation current must be a finite non-zero number (got {stimulus.Amplitude})");
        }

        if (!double.IsFinite(stimulus.Onset) || stimulus.Onset <= 0 || stimulus.Onset >= duration)
        {
            throw new ModelValidationException("onset", $"the stimulation must start inside the run (0, {duration}) τ (got {stimulus.Onset})");
        }

        if (trials < 2)
        {
            throw new ModelValidationException("trials", $"must be at least 2 for a standard error (got {trials})");
        }

        if (!(binWidth > 0) || !double.IsFinite(binWidth) || binWidth > duration)
        {
            throw new ModelValidationException("bin", $"the PSTH bin must be a positive number no longer than the run (got {binWidth})");
        }

        double slack = experiment.Settings.Dt / 2;
        if (!(baseline.Start >= 0) || !(baseline.Stop > baseline.Start) || baseline.Stop > stimulus.Onset + slack)
        {
            throw new ModelValidationException("baseline", $"the baseline window ({baseline.Start}, {baseline.Stop}] must be non-empty, start at ≥ 0 and end by the onset at {stimulus.Onset} τ");
        }

        if (!(response.Start >= stimulus.Onset - slack) || !(response.Stop > response.Start) || response.Stop > duration + slack)
        {
            throw new ModelValidationException("response", $"the stimulus window ({response.Start}, {response.Stop}] must be non-empty, start at or after the onset at {stimulus.Onset} τ and end within the run ({duration} τ)");
        }

        double step = experiment.Settings.Dt * experiment.Settings.RecordEvery;
        if (baseline.Stop - baseline.Start < step || response.Stop - response.Start < step)
        {
            throw new ModelValidationException("window", $"each window must hold at least one recorded sample (every {step} τ)");
        }
    }
}
