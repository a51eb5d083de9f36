// Over 500 lines on purpose: the Fig. 8f and Fig. S2 mistuning protocols share their job setup, engine runs and statistics.
using System.Collections.Concurrent;
using LatentSpikes.Engines;
using LatentSpikes.Geometry;
using LatentSpikes.Model;
using LatentSpikes.Randomness;
using LatentSpikes.Simulation;

namespace LatentSpikes.Analysis;

/// <summary>One trial of a mistuned network: how far its self-readouts stray from the boundary crossing.</summary>
/// <param name="MseE">Mean over the window of (y_E − y_E*)².</param>
/// <param name="MseI">Mean over the window of (y_I − y_I*)².</param>
/// <param name="MeanYE">Time-mean of y_E over the window.</param>
/// <param name="MeanYI">Time-mean of y_I over the window.</param>
public sealed record MistuningTrial(double MseE, double MseI, double MeanYE, double MeanYI)
{
    /// <summary>The latent MSE averaged over the two populations, the quantity of Fig. 8f.</summary>
    public double Mse => 0.5 * (MseE + MseI);
}

/// <summary>All trials at one mistuning angle, with their means and SEMs.</summary>
/// <param name="Angle">Angle θ between each cross-decoder and its self-decoder (degrees).</param>
/// <param name="Trials">One entry per trial, in trial order.</param>
public sealed record MistuningPoint(double Angle, IReadOnlyList<MistuningTrial> Trials)
{
    /// <summary>The average latent MSE ½(MSE_E + MSE_I) over trials.</summary>
    public TrialMean Mse => TrialMean.Of(Trials.Select(t => t.Mse).ToArray());

    /// <summary>MSE of y_E over trials.</summary>
    public TrialMean MseE => TrialMean.Of(Trials.Select(t => t.MseE).ToArray());

    /// <summary>MSE of y_I over trials.</summary>
    public TrialMean MseI => TrialMean.Of(Trials.Select(t => t.MseI).ToArray());

    /// <summary>Time-mean of y_E over trials (its distance from y_E* is the bias part of the MSE).</summary>
    public TrialMean MeanYE => TrialMean.Of(Trials.Select(t => t.MeanYE).ToArray());

    /// <summary>Time-mean of y_I over trials.</summary>
    public TrialMean MeanYI => TrialMean.Of(Trials.Select(t => t.MeanYI).ToArray());
}

/// <summary>Trial 0 at one angle over the whole run, against its reference (Fig. 8g).</summary>
/// <param name="Angle">Mistuning angle (degrees).</param>
/// <param name="Times">Recording times (τ).</param>
/// <param name="YE">Simulated y_E.</param>
/// <param name="YI">Simulated y_I.</param>
/// <param name="ReferenceYE">Boundary crossing y_E* at each time (NaN where there is none).</param>
/// <param name="ReferenceYI">Boundary crossing y_I* at each time (NaN where there is none).</param>
public sealed record MistuningExample(double Angle, double[] Times, double[] YE, double[] YI, double[] ReferenceYE, double[] ReferenceYI);

/// <summary>One trial of the authors' Fig. 8f scheme (<see cref="Mistuning.PerturbedSweep"/>).</summary>
/// <param name="Sigma">Relative perturbation σ of every decoder entry.</param>
/// <param name="AngleE">Angle between the excitatory self-decoder and the decoder the inhibitory neurons read E through (degrees).</param>
/// <param name="AngleI">Angle between the inhibitory self-decoder and the decoder the excitatory neurons read I through (degrees).</param>
/// <param name="MseE">Mean over the window of (y_E − ȳ_E)², ȳ the empirical operating point.</param>
/// <param name="MseI">Mean over the window of (y_I − ȳ_I)².</param>
public sealed record PerturbedTrial(double Sigma, double AngleE, double AngleI, double MseE, double MseI)
{
    /// <summary>The average decoder angle, the x axis of the authors' Fig. 8f.</summary>
    public double Angle => 0.5 * (AngleE + AngleI);

    /// <summary>The average latent MSE ½(MSE_E + MSE_I), the y axis of the authors' Fig. 8f.</summary>
    public double Mse => 0.5 * (MseE + MseI);
}

/// <summary>The authors' Fig. 8f sweep: every trial with its angles and MSE, and the operating point the MSE is measured from.</summary>
/// <param name="OperatingYE">Empirical operating point ȳ_E: the time- and trial-mean of y_E in the aligned network (σ = 0).</param>
/// <param name="OperatingYI">Empirical operating point ȳ_I.</param>
/// <param name="Start">Window start (τ); the window is (Start, Stop].</param>
/// <param name="Stop">Window end (τ).</param>
/// <param name="Trials">All trials, σ by σ (0 first, then the order given), trial by trial.</param>
public sealed record PerturbedSweep(double OperatingYE, double OperatingYI, double Start, double Stop, IReadOnlyList<PerturbedTrial> Trials)
{
    /// <summary>The trials at one σ.</summary>
    public IReadOnlyList<PerturbedTrial> At(double sigma) => Trials.Where(t => t.Sigma == sigma).ToArray();
}

/// <summary>The result of <see cref="Mistuning.Sweep"/>: latent MSE against mistuning angle (Fig. 8f).</summary>
/// <param name="Excitatory">Name of the excitatory population.</param>
/// <param name="Inhibitory">Name of the inhibitory population.</param>
/// <param name="Start">MSE window start (τ); the window is (Start, Stop].</param>
/// <param name="Stop">MSE window end (τ).</param>
/// <param name="Points">One point per angle, in the order given.</param>
/// <param name="Examples">Trial 0 of every angle, in the same order.</param>
public sealed record MistuningSweep(string Excitatory, string Inhibitory, double Start, double Stop, IReadOnlyList<MistuningPoint> Points, IReadOnlyList<MistuningExample> Examples)
{
    /// <summary>Trials per angle.</summary>
    public int Trials => Points.Count == 0 ? 0 : Points[0].Trials.Count;
}

/// <summary>
/// Mistuned cross-connections (seed 002, §3.5, eq. 3.5-3.12, Fig. 8e-g). A rank-2 E-I network reads each
/// population's spikes with one decoder, so the inhibitory neurons see exactly y_E and the excitatory neurons
/// exactly y_I. The rank-4 network gives the cross-connections their own decoders, W^IE = E^IE·(D^IE)ᵀ and
/// W^EI = E^EI·(D^EI)ᵀ, read out as two more latents y_IE = D^IE·r_E and y_EI = D^EI·r_I (eq. 3.7-3.8).
/// Here each cross-decoder is its self-decoder tilted by an angle θ into the self-decoder's nullspace,
/// D^IE = D^E + tan θ·|D^E|·u_E (likewise D^EI from D^I), with u a random unit vector orthogonal to D. Then
/// y_IE = y_E + tan θ·|D^E|·(u_E·r_E): the cross readout keeps the whole of its self readout, so the network's
/// boundaries and their crossing stay those of the rank-2 network, and only the nullspace fluctuations of the
/// irregular spiking (Fig. 7) reach the other population, with a weight growing as tan θ. This is what the
/// authors' sweep does (their perturbed decoders keep the mean decoder, so a homogeneous population's mean readout
/// is unchanged); a rotation that kept |D| instead would also shrink the signal by cos θ (eq. 3.12) and move the
/// crossing itself, mixing a deterministic shift into the noise the figure measures.
/// </summary>
/// <remarks>
/// u is a balanced random sign pattern (half the neurons +1, half −1, a zero for odd N) made orthogonal to D and
/// normalised: for homogeneous decoders it is already orthogonal and its non-zero entries all have the same size, so the
/// cross-decoders D·(1 ± tan θ·√(N/N')) (N' = 2⌊N/2⌋) keep Dale's law up to atan √(N'/N): 45° for even N, the largest
/// angle a tilt that changes every entry by the same amount allows. (A Gaussian direction would hit a sign flip at
/// about 20° for N = 50.) Larger angles, which would need a decoder of the wrong sign, are rejected. Directions are
/// drawn per trial from the counter-based streams (seed, trial, <see cref="CounterRandom.MistuningDomain"/>, population) and
/// are the same for every angle, so the angles are compared on the same network realisations and noise.
/// </remarks>
public static class Mistuning
{
    /// <summary>
    /// The rank-4 version of a rank-2 E-I network with every cross-decoder tilted by <paramref name="angleDegrees"/>
    /// (see the class summary). The excitatory population listens to y_E and to the new latent
    /// <c>y_&lt;E&gt;&lt;I&gt;</c> (named after the paper's y_EI: the inhibitory spikes as the E neurons see them), the
    /// inhibitory one to y_I and <c>y_&lt;I&gt;&lt;E&gt;</c>; encoders, inputs, stimulation, delays and settings are
    /// kept, and the cross latents start where their self latents start. At θ = 0 the cross readouts equal the
    /// self readouts and the network behaves exactly as the rank-2 one.
    /// </summary>
    /// <param name="experiment">A rank-2 E-I network (as <see cref="EiBoundaries.TryCreate"/> recognises it).</param>
    /// <param name="angleDegrees">Tilt θ in degrees, 0 ≤ θ &lt; 90, and small enough to keep Dale's law.</param>
    /// <param name="trial">Which trial's random directions to use.</param>
    /// <exception cref="ModelValidationException">When the network is not a rank-2 E-I network or θ is out of range.</exception>
    public static Experiment Build(Experiment experiment, double angleDegrees, ulong trial = 0)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var geometry = Rank2(experiment.Network);
        CheckAngle(angleDegrees);
        var net = experiment.Network;
        var e = geometry.Excitatory;
        var i = geometry.Inhibitory;
        ulong seed = experiment.Settings.Seed;
        double[] dIE = Tilt(e, Direction(seed, trial, net.PopulationIndex(e.Name), e.Decoders), angleDegrees);
        double[] dEI = Tilt(i, Direction(seed, trial, net.PopulationIndex(i.Name), i.Decoders), angleDegrees);
        string yIE = CrossLatentName(i, e);
        string yEI = CrossLatentName(e, i);
        var pops = net.Populations.Select(p => ReadThrough(p, ReferenceEquals(p, e) ? (i.LatentName, yEI) : (e.LatentName, yIE))).ToArray();
        var cross = new[] { new LatentReadout(yIE, e.Name, dIE), new LatentReadout(yEI, i.Name, dEI) };
        var initial = new Dictionary<string, double>(experiment.InitialLatents, StringComparer.Ordinal);
        if (experiment.InitialLatents.TryGetValue(e.LatentName, out double ye0))
        {
            initial[yIE] = ye0;
        }

        if (experiment.InitialLatents.TryGetValue(i.LatentName, out double yi0))
        {
            initial[yEI] = yi0;
        }

        return new Experiment(new LowRankNetwork(pops, cross, net.Delays), experiment.Inputs, experiment.Settings,
            experiment.Injections, initial, experiment.Name, experiment.Description);
    }

    /// <summary>
    /// The largest angle (degrees) whose tilt keeps every cross-decoder of trial <paramref name="trial"/> on the
    /// right side of Dale's law: 45° for homogeneous decoders.
    /// </summary>
    public static double MaxAngle(Experiment experiment, ulong trial = 0)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var geometry = Rank2(experiment.Network);
        var net = experiment.Network;
        double Of(Population p) => MaxTilt(p, Direction(experiment.Settings.Seed, trial, net.PopulationIndex(p.Name), p.Decoders));
        return Math.Min(Of(geometry.Excitatory), Of(geometry.Inhibitory));
    }

    /// <summary>
    /// The Fig. 8f sweep: for every angle, <paramref name="trials"/> trials of the mistuned network
    /// (<see cref="Build"/>, trial r with its own directions and noise), each scored by the mean squared distance of
    /// its self-readouts y_E and y_I from the boundary crossing (y_E*, y_I*) of the rank-2 network over the window
    /// (start, stop]. The crossing is evaluated at every recorded input x(t) (<see cref="EiBoundaries.Crossing"/>),
    /// with the thresholds of a stimulated population lowered by the current injected at t (its steady-state
    /// effect: leave a few τ after a switch out of the window, like the initial transient).
    /// </summary>
    /// <param name="experiment">A rank-2 E-I network with noise (without noise the spiking is regular and nothing is amplified).</param>
    /// <param name="anglesDegrees">Angles θ (degrees).</param>
    /// <param name="trials">Trials per angle (≥ 2).</param>
    /// <param name="start">Window start (τ); leave out the initial transient.</param>
    /// <param name="stop">Window end (τ); default the end of the run.</param>
    /// <param name="threads">Runs at once; 0 uses every core. Results do not depend on it.</param>
    /// <param name="cancellationToken">Stops the sweep.</param>
    /// <exception cref="ModelValidationException">When the network is not a rank-2 E-I network, an angle is out of
    /// range, the window is empty, or the rank-2 network has no stable crossing at some input in the window.</exception>
    /// <exception cref="InvalidOperationException">When a trial's activity ran away.</exception>
    public static MistuningSweep Sweep(
        Experiment experiment,
        IReadOnlyList<double> anglesDegrees,
        int trials,
        double start,
        double? stop = null,
        int threads = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(anglesDegrees);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        var geometry = Rank2(experiment.Network);
        if (anglesDegrees.Count == 0)
        {
            throw new ModelValidationException("angles", "give at least one mistuning angle");
        }

        if (trials < 2)
        {
            throw new ModelValidationException("trials", $"must be at least 2 for a standard error (got {trials})");
        }

        double end = stop ?? experiment.Settings.Duration;
        if (!double.IsFinite(start) || start < 0 || !double.IsFinite(end) || end <= start || end > experiment.Settings.Duration + (experiment.Settings.Dt / 2))
        {
            throw new ModelValidationException("window", $"({start}, {end}] must be non-empty and lie within the run (0, {experiment.Settings.Duration}] τ");
        }

        // Build every network first: a bad angle fails before any simulation.
        var jobs = new Experiment[anglesDegrees.Count * trials];
        for (int a = 0; a < anglesDegrees.Count; a++)
        {
            for (int r = 0; r < trials; r++)
            {
                jobs[(a * trials) + r] = Build(experiment, anglesDegrees[a], (ulong)r);
            }
        }

        var reference = new ReferenceCrossing(experiment, geometry);
        var results = new MistuningTrial[jobs.Length];

        // Failures are collected per run and the first in run order is thrown after the loop: a Parallel.For would
        // wrap them, and which thread fails first is not deterministic.
        var failures = new Exception?[jobs.Length];
        var examples = new MistuningExample[anglesDegrees.Count];
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = threads == 0 ? Environment.ProcessorCount : threads,
            CancellationToken = cancellationToken,
        };
        string ye = geometry.ExcitatoryLatent;
        string yi = geometry.InhibitoryLatent;
        Parallel.For(0, jobs.Length, options, k =>
        {
            int a = k / trials;
            int r = k % trials;

            // Trial r of every angle shares trial r's noise streams (and directions): a pure function of (angle, r).
            var run = EngineCatalog.Get(EngineCatalog.Clock).Create(1, (ulong)r).Run(jobs[k], null, cancellationToken);
            if (run.Status != SimulationStatus.Completed)
            {
                failures[k] = new InvalidOperationException($"the network mistuned by {anglesDegrees[a]}° ran away in trial {r}: {run.StatusDetail}");
                return;
            }

            double[] x = run.Input(0);
            double[] yE = run.Latent(ye);
            double[] yI = run.Latent(yi);
            var refE = new double[yE.Length];
            var refI = new double[yE.Length];
            double sumE = 0, sumI = 0, meanE = 0, meanI = 0;
            int count = 0;
            for (int j = 0; j < yE.Length; j++)
            {
                double t = run.Times[j];
                var c = reference.At(x[j], t);
                refE[j] = c?.YE ?? double.NaN;
                refI[j] = c?.YI ?? double.NaN;
                if (t > start && t <= end)
                {
                    if (c is null)
                    {
                        failures[k] = new ModelValidationException("window", $"the rank-2 network has no stable boundary crossing at x = {x[j]} (t = {t} τ), so the MSE has no reference there; choose a window where it has one");
                        return;
                    }

                    sumE += (yE[j] - c.YE) * (yE[j] - c.YE);
                    sumI += (yI[j] - c.YI) * (yI[j] - c.YI);
                    meanE += yE[j];
                    meanI += yI[j];
                    count++;
                }
            }

            if (count == 0)
            {
                failures[k] = new ModelValidationException("window", $"({start}, {end}] holds no recorded sample (record_every = {experiment.Settings.RecordEvery})");
                return;
            }

            results[k] = new MistuningTrial(sumE / count, sumI / count, meanE / count, meanI / count);
            if (r == 0)
            {
                examples[a] = new MistuningExample(anglesDegrees[a], [.. run.Times], yE, yI, refE, refI);
            }
        });

        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            throw failure;
        }

        var points = anglesDegrees.Select((angle, a) => new MistuningPoint(angle, results.Skip(a * trials).Take(trials).ToArray())).ToArray();
        return new MistuningSweep(geometry.Excitatory.Name, geometry.Inhibitory.Name, start, end, points, examples);
    }

    /// <summary>
    /// The authors' mistuning (their <c>fig-08-noisy-E-I-net.py</c>, panel f): all four decoder blocks are drawn
    /// independently as D·(1 + σ·ξ), ξ standard normal per entry, and clipped at zero (Dale's law): the self-decoders
    /// D^EE, D^II and the cross-decoders through which the other population reads each one, D^IE (I reads E) and
    /// D^EI (E reads I). The self-readouts y_E = D^EE·r_E, y_I = D^II·r_I are the latents scored. σ = 0 is the aligned
    /// rank-2 network. Draws come from the counter-based streams (seed, trial, <see cref="CounterRandom.MistuningDomain"/>,
    /// block 4 + b), so σ levels share their ξ per trial.
    /// </summary>
    /// <param name="experiment">A rank-2 E-I network.</param>
    /// <param name="sigma">Relative perturbation σ ≥ 0.</param>
    /// <param name="trial">Which trial's draws to use.</param>
    /// <returns>The rank-4 experiment and the two decoder angles (degrees).</returns>
    /// <exception cref="ModelValidationException">When the network is not a rank-2 E-I network or σ is negative or not finite.</exception>
    public static (Experiment Experiment, double AngleE, double AngleI) BuildPerturbed(Experiment experiment, double sigma, ulong trial = 0)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var geometry = Rank2(experiment.Network);
        if (!double.IsFinite(sigma) || sigma < 0)
        {
            throw new ModelValidationException("sigma", $"the decoder perturbation must be a finite σ ≥ 0 (got {sigma})");
        }

        var net = experiment.Network;
        var e = geometry.Excitatory;
        var i = geometry.Inhibitory;
        ulong seed = experiment.Settings.Seed;
        double[] Perturb(Population p, ulong block)
        {
            ulong key = CounterRandom.StreamKey(seed, trial, CounterRandom.MistuningDomain, 4 + block);
            var d = new double[p.Size];
            for (int j = 0; j < d.Length; j++)
            {
                d[j] = p.Decoders[j] * Math.Max(0, 1 + (sigma * CounterRandom.Normal(key, (ulong)j)));
            }

            return d;
        }

        double[] dEE = Perturb(e, 0), dIE = Perturb(e, 1), dII = Perturb(i, 2), dEI = Perturb(i, 3);
        string yIE = CrossLatentName(i, e);
        string yEI = CrossLatentName(e, i);
        var pops = net.Populations.Select(p => ReferenceEquals(p, e)
            ? WithDecoders(ReadThrough(p, (i.LatentName, yEI)), dEE)
            : WithDecoders(ReadThrough(p, (e.LatentName, yIE)), dII)).ToArray();
        var cross = new[] { new LatentReadout(yIE, e.Name, dIE), new LatentReadout(yEI, i.Name, dEI) };
        var initial = new Dictionary<string, double>(experiment.InitialLatents, StringComparer.Ordinal);
        if (experiment.InitialLatents.TryGetValue(e.LatentName, out double ye0))
        {
            initial[yIE] = ye0;
        }

        if (experiment.InitialLatents.TryGetValue(i.LatentName, out double yi0))
        {
            initial[yEI] = yi0;
        }

        var built = new Experiment(new LowRankNetwork(pops, cross, net.Delays), experiment.Inputs, experiment.Settings,
            experiment.Injections, initial, experiment.Name, experiment.Description);
        return (built, AngleBetween(dEE, dIE), AngleBetween(dII, dEI));
    }

    /// <summary>
    /// The authors' Fig. 8f measure: <paramref name="trials"/> trials of the aligned network (σ = 0) fix the empirical
    /// operating point (ȳ_E, ȳ_I), the time- and trial-mean of the self-readouts over (start, stop]; then every σ runs
    /// <paramref name="trials"/> trials of <see cref="BuildPerturbed"/>, each scored by the mean squared distance of
    /// y_E and y_I from that point over the window (their script uses the fixed point (1.9, 3.35) read off the aligned
    /// network). Unlike <see cref="Sweep"/>, which measures from the geometric crossing and tilts only the
    /// cross-decoders, the aligned MSE here is the readout variance alone.
    /// </summary>
    /// <param name="experiment">A rank-2 E-I network with noise.</param>
    /// <param name="sigmas">Relative perturbations σ; the aligned network (σ = 0) is always run first and its trials are
    /// scored too (against the point they define: their MSE is the readout variance).</param>
    /// <param name="trials">Trials per σ (≥ 2).</param>
    /// <param name="start">Window start (τ).</param>
    /// <param name="stop">Window end (τ); default the end of the run.</param>
    /// <param name="threads">Runs at once; 0 uses every core. Results do not depend on it.</param>
    /// <param name="cancellationToken">Stops the sweep.</param>
    /// <exception cref="ModelValidationException">When the network is not a rank-2 E-I network, a σ is invalid or the window is empty.</exception>
    /// <exception cref="InvalidOperationException">When a trial's activity ran away.</exception>
    public static PerturbedSweep PerturbedSweep(
        Experiment experiment,
        IReadOnlyList<double> sigmas,
        int trials,
        double start,
        double? stop = null,
        int threads = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(sigmas);
        var geometry = Rank2(experiment.Network);
        if (sigmas.Count == 0)
        {
            throw new ModelValidationException("sigma", "give at least one decoder perturbation σ");
        }

        if (trials < 2)
        {
            throw new ModelValidationException("trials", $"must be at least 2 (got {trials})");
        }

        double end = stop ?? experiment.Settings.Duration;
        if (!double.IsFinite(start) || start < 0 || !double.IsFinite(end) || end <= start || end > experiment.Settings.Duration + (experiment.Settings.Dt / 2))
        {
            throw new ModelValidationException("window", $"({start}, {end}] must be non-empty and lie within the run (0, {experiment.Settings.Duration}] τ");
        }

        double[] levels = [0.0, .. sigmas.Where(v => v != 0)];
        var jobs = new (Experiment Experiment, double AngleE, double AngleI)[levels.Length * trials];
        for (int a = 0; a < levels.Length; a++)
        {
            for (int r = 0; r < trials; r++)
            {
                jobs[(a * trials) + r] = BuildPerturbed(experiment, levels[a], (ulong)r);
            }
        }

        var traces = new (double[] YE, double[] YI)[jobs.Length];
        var failures = new Exception?[jobs.Length];
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = threads == 0 ? Environment.ProcessorCount : threads,
            CancellationToken = cancellationToken,
        };
        Parallel.For(0, jobs.Length, options, k =>
        {
            var run = EngineCatalog.Get(EngineCatalog.Clock).Create(1, (ulong)(k % trials)).Run(jobs[k].Experiment, null, cancellationToken);
            if (run.Status != SimulationStatus.Completed)
            {
                failures[k] = new InvalidOperationException($"the network with decoders perturbed by σ = {levels[k / trials]} ran away in trial {k % trials}: {run.StatusDetail}");
                return;
            }

            var ye = new List<double>();
            var yi = new List<double>();
            double[] latentE = run.Latent(geometry.ExcitatoryLatent);
            double[] latentI = run.Latent(geometry.InhibitoryLatent);
            for (int j = 0; j < latentE.Length; j++)
            {
                if (run.Times[j] > start && run.Times[j] <= end)
                {
                    ye.Add(latentE[j]);
                    yi.Add(latentI[j]);
                }
            }

            if (ye.Count == 0)
            {
                failures[k] = new ModelValidationException("window", $"({start}, {end}] holds no recorded sample");
                return;
            }

            traces[k] = ([.. ye], [.. yi]);
        });

        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            throw failure;
        }

        double pointE = 0, pointI = 0;
        for (int r = 0; r < trials; r++)
        {
            pointE += traces[r].YE.Average();
            pointI += traces[r].YI.Average();
        }

        pointE /= trials;
        pointI /= trials;
        var scored = new List<PerturbedTrial>();
        for (int k = 0; k < jobs.Length; k++)
        {
            var (ye, yi) = traces[k];
            double mseE = ye.Average(v => (v - pointE) * (v - pointE));
            double mseI = yi.Average(v => (v - pointI) * (v - pointI));
            scored.Add(new PerturbedTrial(levels[k / trials], jobs[k].AngleE, jobs[k].AngleI, mseE, mseI));
        }

        return new PerturbedSweep(pointE, pointI, start, end, scored);
    }

    /// <summary>The relative perturbation σ whose expected decoder angle is θ for homogeneous decoders: cos θ = 1/(1 + σ²).</summary>
    public static double SigmaForAngle(double angleDegrees)
    {
        CheckAngle(angleDegrees);
        return Math.Sqrt((1 / Math.Cos(angleDegrees * Math.PI / 180)) - 1);
    }

    /// <summary>The angle between two vectors in degrees (0 when either is zero).</summary>
    public static double AngleBetween(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        double dot = 0;
        for (int j = 0; j < a.Count; j++)
        {
            dot += a[j] * b[j];
        }

        double na = Norm(a), nb = Norm(b);
        return na > 0 && nb > 0 ? Math.Acos(Math.Clamp(dot / (na * nb), -1, 1)) * 180 / Math.PI : 0;
    }

    private static Population WithDecoders(Population p, double[] decoders)
    {
        var ff = new double[p.Size][];
        for (int j = 0; j < p.Size; j++)
        {
            ff[j] = p.FeedforwardRow(j).ToArray();
        }

        return new Population(p.Name, p.Kind, ff, p.Thresholds.ToArray(), decoders,
            p.Encoders.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), p.SoftRefractory, p.NoiseSigma, p.Synapse, p.RefractoryPeriod);
    }

    /// <summary>
    /// The unit nullspace direction u of a decoder for one trial: a balanced random sign pattern (half +1, half −1,
    /// one 0 for odd N, shuffled by a Fisher-Yates pass over the counter-based stream), minus its component along
    /// the decoder, normalised.
    /// </summary>
    /// <exception cref="ModelValidationException">When the population has fewer than two neurons (its decoder has no nullspace).</exception>
    public static double[] Direction(ulong seed, ulong trial, int population, IReadOnlyList<double> decoders)
    {
        ArgumentNullException.ThrowIfNull(decoders);
        int n = decoders.Count;
        var u = new double[n];
        for (int j = 0; j < n; j++)
        {
            u[j] = j < n / 2 ? 1 : (j < 2 * (n / 2) ? -1 : 0);
        }

        ulong key = CounterRandom.StreamKey(seed, trial, CounterRandom.MistuningDomain, (ulong)population);
        for (int j = n - 1; j > 0; j--)
        {
            int k = (int)(CounterRandom.Uniform(key, (ulong)j) * (j + 1));
            (u[j], u[k]) = (u[k], u[j]);
        }

        double norm = Norm(decoders);
        if (norm > 0)
        {
            double along = 0;
            for (int j = 0; j < n; j++)
            {
                along += u[j] * decoders[j] / norm;
            }

            for (int j = 0; j < n; j++)
            {
                u[j] -= along * decoders[j] / norm;
            }
        }

        double size = Norm(u);
        if (!(size > 1e-9))
        {
            throw new ModelValidationException("populations", $"a population of {n} neuron(s) has no decoder nullspace to mistune into; it needs at least two neurons");
        }

        for (int j = 0; j < n; j++)
        {
            u[j] /= size;
        }

        return u;
    }

    /// <summary>The name of the latent through which <paramref name="reader"/> sees <paramref name="source"/>'s spikes (the paper's y_IE for I reading E).</summary>
    public static string CrossLatentName(Population reader, Population source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        return Population.LatentNameOf(reader.Name + source.Name);
    }

    private static EiBoundaries Rank2(LowRankNetwork network)
    {
        if (network.CrossReadouts.Count > 0)
        {
            throw new ModelValidationException("latents", "mistuning starts from a rank-2 E-I network; this one already has cross readouts");
        }

        return EiBoundaries.TryCreate(network, out string reason)
            ?? throw new ModelValidationException("populations", $"mistuning needs a rank-2 E-I network: {reason}");
    }

    private static void CheckAngle(double angleDegrees)
    {
        if (!double.IsFinite(angleDegrees) || angleDegrees < 0 || angleDegrees >= 90)
        {
            throw new ModelValidationException("angles", $"a mistuning angle must be in [0, 90) degrees (got {angleDegrees})");
        }
    }

    private static double[] Tilt(Population p, double[] direction, double angleDegrees)
    {
        double t = Math.Tan(angleDegrees * Math.PI / 180);
        double norm = Norm(p.Decoders);
        var d = new double[p.Size];
        for (int j = 0; j < d.Length; j++)
        {
            d[j] = p.Decoders[j] + (t * norm * direction[j]);
            bool wrong = p.Kind == PopulationKind.Excitatory ? d[j] < 0 : d[j] > 0;
            if (wrong)
            {
                // A hair past the limit is rounding, not a sign flip; beyond it Dale's law would break.
                if (Math.Abs(d[j]) > 1e-12 * norm)
                {
                    throw new ModelValidationException("angles", $"tilting the decoders of '{p.Name}' by {angleDegrees}° would give neuron {j} a decoder of the wrong sign (Dale's law); at most {MaxTilt(p, direction):0.##}° is possible for this network");
                }

                d[j] = 0;
            }
        }

        return d;
    }

    private static double MaxTilt(Population p, double[] u)
    {
        // sign·(D_j + t·|D|·u_j) ≥ 0 bounds t only where the tilt pushes toward the wrong sign.
        double norm = Norm(p.Decoders);
        double sign = p.Kind == PopulationKind.Excitatory ? 1 : -1;
        double t = double.PositiveInfinity;
        for (int j = 0; j < u.Length; j++)
        {
            if (sign * u[j] < 0)
            {
                t = Math.Min(t, sign * p.Decoders[j] / (norm * -sign * u[j]));
            }
        }

        return Math.Atan(t) * 180 / Math.PI;
    }

    /// <summary>A population whose encoder on <c>Replace.Old</c> moves to the latent <c>Replace.New</c>.</summary>
    private static Population ReadThrough(Population p, (string Old, string New) replace)
    {
        var encoders = p.Encoders.ToDictionary(kv => kv.Key == replace.Old ? replace.New : kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var ff = new double[p.Size][];
        for (int j = 0; j < p.Size; j++)
        {
            ff[j] = p.FeedforwardRow(j).ToArray();
        }

        return new Population(p.Name, p.Kind, ff, p.Thresholds.ToArray(), p.Decoders.ToArray(), encoders, p.SoftRefractory, p.NoiseSigma, p.Synapse, p.RefractoryPeriod);
    }

    private static double Norm(IReadOnlyList<double> v)
    {
        double s = 0;
        foreach (double d in v)
        {
            s += d * d;
        }

        return Math.Sqrt(s);
    }

    /// <summary>
    /// The rank-2 crossing at (x, t): the geometry of the experiment with each stimulated population's thresholds
    /// lowered by the current injected at t. Cached per (x, current), since steps and stimulation take few values; a
    /// continuously varying (e.g. noisy) input takes a new value every step, so the cache stops growing at a bound.
    /// </summary>
    private sealed class ReferenceCrossing(Experiment experiment, EiBoundaries geometry)
    {
        private const int MaxCached = 100_000;
        private readonly ConcurrentDictionary<(double X, double ShiftE, double ShiftI), EiCrossing?> _cache = new();

        public EiCrossing? At(double x, double t)
        {
            double shiftE = 0, shiftI = 0;
            foreach (var inj in experiment.Injections)
            {
                if (t >= inj.Start && t < inj.Stop)
                {
                    if (inj.Population == geometry.Excitatory.Name)
                    {
                        shiftE += inj.Amplitude;
                    }
                    else
                    {
                        shiftI += inj.Amplitude;
                    }
                }
            }

            var key = (x, shiftE, shiftI);
            if (_cache.TryGetValue(key, out var known))
            {
                return known;
            }

            var crossing = Shifted(shiftE, shiftI).Crossing(x);
            if (_cache.Count < MaxCached)
            {
                _cache.TryAdd(key, crossing);
            }

            return crossing;
        }

        private EiBoundaries Shifted(double shiftE, double shiftI)
        {
            if (shiftE == 0 && shiftI == 0)
            {
                return geometry;
            }

            var pops = experiment.Network.Populations.Select(p =>
            {
                double shift = p.Name == geometry.Excitatory.Name ? shiftE : shiftI;
                var ff = new double[p.Size][];
                for (int j = 0; j < p.Size; j++)
                {
                    ff[j] = p.FeedforwardRow(j).ToArray();
                }

                return new Population(p.Name, p.Kind, ff, p.Thresholds.Select(th => th - shift).ToArray(), p.Decoders.ToArray(),
                    p.Encoders.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), p.SoftRefractory, p.NoiseSigma, p.Synapse, p.RefractoryPeriod);
            }).ToArray();
            return EiBoundaries.Create(new LowRankNetwork(pops, null, experiment.Network.Delays));
        }
    }
}
