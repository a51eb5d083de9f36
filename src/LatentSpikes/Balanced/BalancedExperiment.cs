using System.Diagnostics;

namespace LatentSpikes.Balanced;

/// <summary>Simulation against mean field at one latent radius (averages over the angles of the static grid).</summary>
/// <param name="Radius">|κ|.</param>
/// <param name="SimMeanV">Simulated V̄_E, V̄_I.</param>
/// <param name="SimRates">Simulated ν_E, ν_I (Hz).</param>
/// <param name="SimVarianceV">Simulated across-neuron Var V, E and I.</param>
/// <param name="SimLogRateSd">Simulated sd of ln(time-averaged rate) over active neurons, E and I.</param>
/// <param name="SimMedianRate">Simulated median rate, E and I (Hz).</param>
/// <param name="SimFractionActive">Fraction of neurons that spiked, E and I.</param>
/// <param name="ProjectionSlope">Slope of ln E[r|x] against x = m·κ, E (NaN at κ = 0).</param>
/// <param name="MeanFieldMeanV">Finite-K mean field μ_E, μ_I.</param>
/// <param name="MeanFieldRates">Finite-K mean field ν_E, ν_I.</param>
/// <param name="MeanFieldVarianceV">Mean-field across-neuron variance σ_d² + σ_q² + σ_m²|κ|², E and I.</param>
/// <param name="MeanFieldLogRateSd">Mean-field sd of ln(time-averaged rate), √(σ_q² + σ_m²|κ|²), E and I.</param>
/// <param name="LimitMeanV">K → ∞ mean field μ_E, μ_I.</param>
public sealed record RadiusComparison(
    double Radius,
    double[] SimMeanV,
    double[] SimRates,
    double[] SimVarianceV,
    double[] SimLogRateSd,
    double[] SimMedianRate,
    double[] SimFractionActive,
    double ProjectionSlope,
    double[] MeanFieldMeanV,
    double[] MeanFieldRates,
    double[] MeanFieldVarianceV,
    double[] MeanFieldLogRateSd,
    double[] LimitMeanV);

/// <summary>The full seed-001 comparison of simulation with mean field (what <c>latentspikes balanced</c> writes).</summary>
public sealed class BalancedReport
{
    /// <summary>Model parameters.</summary>
    public required BalancedParameters Parameters { get; init; }

    /// <summary>"A" (imposed latent) or "B" (recurrent latent).</summary>
    public required string Mode { get; init; }

    /// <summary>Calibrated thresholds θ_E, θ_I.</summary>
    public required double[] Thresholds { get; init; }

    /// <summary>Simulated seconds.</summary>
    public double SimulatedSeconds { get; set; }

    /// <summary>Wall-clock seconds of the simulation (network build excluded).</summary>
    public double SimulationWallSeconds { get; set; }

    /// <summary>Wall-clock seconds to build the network.</summary>
    public double BuildWallSeconds { get; set; }

    /// <summary>Worker threads.</summary>
    public int Threads { get; set; }

    /// <summary>
    /// Dynamic segment: slope of the across-neuron Var V(t) against |κ(t)|² over the 10 ms bins, E and I. With the
    /// exponential escape neuron ln φ = V − θ, so this is how the log-rate distribution widens as κ moves (claim ii).
    /// </summary>
    public double[] DynamicVarianceSlope { get; set; } = [];

    /// <summary>The finite-K mean field's slope of Var V against |κ|² along the same trajectory, E and I.</summary>
    public double[] DynamicVarianceSlopeMeanField { get; set; } = [];

    /// <summary>Dynamic segment: mean pairwise 50 ms count correlation from the population counts, E and I (includes the κ-driven rate modulation).</summary>
    public double[] DynamicCorrelation { get; set; } = [];

    /// <summary>The same after regressing each window's population count on its mean |κ|²: the noise correlation while κ moves (claim iii).</summary>
    public double[] DynamicCorrelationDetrended { get; set; } = [];

    /// <summary>Mean ISI CV at κ = 0, E and I.</summary>
    public double[] IsiCv { get; set; } = [];

    /// <summary>Mean pairwise 50 ms count correlation at κ = 0, E and I.</summary>
    public double[] PairwiseCorrelation { get; set; } = [];

    /// <summary>Per static radius: simulation against mean field.</summary>
    public List<RadiusComparison> Radii { get; } = [];

    /// <summary>Dynamic segment: fitted V̄_a(t) = c + b|κ(t)|², b for E and I (simulation).</summary>
    public double[] DynamicCurvature { get; set; } = [];

    /// <summary>The same fit applied to the finite-K mean field μ_a(|κ(t)|), E and I.</summary>
    public double[] DynamicCurvatureMeanField { get; set; } = [];

    /// <summary>Cross-validated R² of the linear decoder of κ from 50 ms-filtered spikes.</summary>
    public double DecoderR2 { get; set; } = double.NaN;

    /// <summary>Neurons whose filtered spikes fed the decoder.</summary>
    public int DecoderNeurons { get; set; }

    /// <summary>Ridge penalty chosen by the inner cross-validation for each outer fold of the decoder.</summary>
    public double[] DecoderRidges { get; set; } = [];

    /// <summary>Mode B: RMS distance between the simulated latent and the mean-field latent dynamics.</summary>
    public double LatentRmsError { get; set; } = double.NaN;

    /// <summary>Why a mean-field comparison is missing (empty when complete).</summary>
    public string MeanFieldNote { get; set; } = string.Empty;

    /// <summary>Mode B: mean |κ| over the second half of the release, simulation then mean field (<see cref="ModeBMeanField"/>: each population's gain at its own filtered latent).</summary>
    public double[] LatentAmplitude { get; set; } = [];

    /// <summary>
    /// Mode B: the same for the earlier mean field that takes both populations' gain at one (E/I-mixed) radius,
    /// <see cref="BalancedMeanField.LatentTrajectory"/>; 27-35 % above the network (issue 18). NaN where it left the table.
    /// </summary>
    public double LatentAmplitudeSingleRadius { get; set; } = double.NaN;

    /// <summary>Mode B: oscillation period (s) from upward zero crossings of κ₁ in the second half, simulation then mean field (NaN if none).</summary>
    public double[] LatentPeriod { get; set; } = [];

    /// <summary>Time series for figures: bin times (s) of the dynamic segment (mode A) or release (mode B).</summary>
    public List<double> SeriesTime { get; } = [];

    /// <summary>Simulated V̄_E, V̄_I per bin.</summary>
    public List<double[]> SeriesMeanV { get; } = [];

    /// <summary>Mean-field μ_E, μ_I per bin (mode A).</summary>
    public List<double[]> SeriesMeanFieldV { get; } = [];

    /// <summary>Simulated κ per bin.</summary>
    public List<double[]> SeriesLatent { get; } = [];

    /// <summary>Mean-field κ per bin (mode B).</summary>
    public List<double[]> SeriesMeanFieldLatent { get; } = [];

    /// <summary>The long tuning protocol's result (spec §2.7.6), when it was run.</summary>
    public TuningReport? Tuning { get; set; }

    /// <summary>Projection law at the largest static radius, first angle: bin x and ln mean rate (E).</summary>
    public ProjectionFit? Projection { get; set; }
}

/// <summary>
/// The seed-001 protocol (spec §2.3): mode A runs static conditions |κ| ∈ {0, 0.5, 1} × 8 angles (first 150 ms of each
/// discarded) and a dynamic segment κ(t) = ρ(t)(cos 2πt, sin 2πt), ρ = 0.625(1 − cos πt); with 1 s conditions and
/// a 3 s dynamic segment that is the benchmark's 27 s. Mode B settles at κ = 0 and releases the recurrent latent
/// oscillator from κ = (1, 0), comparing it with the mean-field latent dynamics.
/// </summary>
public static class BalancedExperiment
{
    /// <summary>Static radii of mode A.</summary>
    public static readonly double[] StaticRadii = [0, 0.5, 1.0];

    /// <summary>
    /// Evenly spaced neurons whose 50 ms-filtered spikes feed the linear decoder of κ (mode A). At N = 10⁴ the
    /// out-of-sample R² grows from 0.90 (500 neurons, best penalty) to 0.92 (1000); beyond that the gain is small
    /// and the d×d normal equations get slow.
    /// </summary>
    public const int DecoderNeurons = 1000;

    /// <summary>Mode B: the finite-K gain is tabulated up to this |κ|² (|κ| = 1.5).</summary>
    public const double MeanFieldMaxRadiusSquared = 2.25;

    /// <summary>Angles per static radius.</summary>
    public const int Angles = 8;

    /// <summary>The mode-B default latent matrix: a rotation block plus decay (eigenvalues of A − I: −0.4 ± 2i).</summary>
    public static readonly double[] OscillatorMatrix = [0.6, -2.0, 2.0, 0.6];

    /// <summary>Runs the protocol and compares with the mean field.</summary>
    /// <param name="p">Parameters (mode B when <see cref="BalancedParameters.LatentMatrix"/> is set).</param>
    /// <param name="conditionSeconds">Duration of each static condition (s).</param>
    /// <param name="dynamicSeconds">Duration of the dynamic segment (mode A) or of the release (mode B), s.</param>
    /// <param name="threads">Worker threads (0: all cores).</param>
    /// <param name="progress">Called with a fraction done and a message.</param>
    /// <param name="tuningConditionSeconds">When &gt; 0, also run the long tuning protocol (<see cref="TuningProtocol"/>) with conditions of this length (s).</param>
    public static BalancedReport Run(BalancedParameters p, double conditionSeconds = 1.0, double dynamicSeconds = 3.0, int threads = 0, Action<double, string>? progress = null, double tuningConditionSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (!(conditionSeconds > 0.2) || !(dynamicSeconds > 0.1) || !double.IsFinite(conditionSeconds + dynamicSeconds))
        {
            throw new Model.ModelValidationException("duration", $"conditions must last more than 0.2 s and the dynamic segment more than 0.1 s (got {conditionSeconds} s, {dynamicSeconds} s)");
        }

        var sw = Stopwatch.StartNew();
        var net = BalancedNetwork.Create(p, threads);
        double[] theta = [.. net.Thresholds];
        var report = new BalancedReport { Parameters = p, Mode = p.LatentMatrix is null ? "A" : "B", Thresholds = theta, BuildWallSeconds = sw.Elapsed.TotalSeconds };
        progress?.Invoke(0, $"built N = {p.NeuronCount}, K = {p.K} ({net.Connectivity.SynapseCount} synapses) in {report.BuildWallSeconds:0.0} s");
        using (var sim = new BalancedSimulation(net, threads, decoderNeurons: p.LatentMatrix is null ? Math.Min(p.NeuronCount, DecoderNeurons) : 0))
        {
            report.Threads = sim.Threads;
            sw.Restart();
            _ = p.LatentMatrix is null
                ? RunModeA(net, sim, report, conditionSeconds, dynamicSeconds, progress, sw)
                : RunModeB(net, sim, report, conditionSeconds, dynamicSeconds, progress, sw);
        }

        if (tuningConditionSeconds > 0)
        {
            // A fresh simulation of the same network: the tuning grid starts from rest like the main protocol.
            sw.Restart();
            report.Tuning = TuningProtocol.Run(net, tuningConditionSeconds, threads, (f, m) => progress?.Invoke(f, m));
            report.SimulationWallSeconds += sw.Elapsed.TotalSeconds;
            report.SimulatedSeconds += tuningConditionSeconds * (1 + ((TuningProtocol.Radii.Length - 1) * TuningProtocol.Angles));
        }

        return report;
    }

    private static BalancedReport RunModeA(BalancedNetwork net, BalancedSimulation sim, BalancedReport report, double conditionSeconds, double dynamicSeconds, Action<double, string>? progress, Stopwatch sw)
    {
        var p = net.Parameters;
        double[] theta = report.Thresholds;
        var segments = new List<LatentSegment>();
        foreach (double r in StaticRadii)
        {
            for (int a = 0; a < Angles; a++)
            {
                double angle = 2 * Math.PI * a / Angles;
                segments.Add(LatentSegment.Static($"{r}", conditionSeconds, 0.15, [r * Math.Cos(angle), r * Math.Sin(angle)]));
            }
        }

        segments.Add(new LatentSegment("dynamic", dynamicSeconds, 0, t =>
        {
            double rho = 0.625 * (1 - Math.Cos(Math.PI * t));
            return [rho * Math.Cos(2 * Math.PI * t), rho * Math.Sin(2 * Math.PI * t)];
        }));
        if (p.Rank != 2)
        {
            throw new Model.ModelValidationException("rank", "mode A's protocol is a 2-D polar grid; use rank 2");
        }

        double total = (segments.Count - 1) * conditionSeconds + dynamicSeconds;
        double done = 0;
        var records = new List<SegmentRecord>();
        foreach (var seg in segments)
        {
            records.Add(sim.RunSegment(seg));
            done += seg.Duration;
            progress?.Invoke(done / total, $"{seg.Label}: {done:0.#}/{total:0.#} s simulated");
        }

        report.SimulationWallSeconds = sw.Elapsed.TotalSeconds;
        report.SimulatedSeconds = total;
        var baseline = records.Take(Angles).ToList();
        report.IsiCv = [baseline.Average(r => r.IsiCv[0]), baseline.Average(r => r.IsiCv[1])];
        report.PairwiseCorrelation = [Pooled(p, baseline, 0), Pooled(p, baseline, 1)];
        for (int ri = 0; ri < StaticRadii.Length; ri++)
        {
            double r = StaticRadii[ri];
            var recs = records.Skip(ri * Angles).Take(Angles).ToList();
            var mf = BalancedMeanField.Solve(p, theta, r * r);
            var lim = BalancedMeanField.SolveBalanceLimit(p, theta, r * r);
            var dist = new[] { BalancedAnalysis.Rates(p, recs, 0), BalancedAnalysis.Rates(p, recs, 1) };
            report.Radii.Add(new RadiusComparison(
                r,
                [recs.Average(x => x.MeanV[0]), recs.Average(x => x.MeanV[1])],
                [recs.Average(x => x.Rates[0]), recs.Average(x => x.Rates[1])],
                [recs.Average(x => x.AcrossNeuronVarianceV[0]), recs.Average(x => x.AcrossNeuronVarianceV[1])],
                [dist[0].LogSd, dist[1].LogSd],
                [dist[0].Median, dist[1].Median],
                [dist[0].FractionActive, dist[1].FractionActive],
                r > 0 ? recs.Average(x => BalancedAnalysis.ProjectionLaw(net, x, 0).Slope) : double.NaN,
                [mf.MeanInput[0], mf.MeanInput[1]],
                [mf.Rates[0], mf.Rates[1]],
                [mf.AcrossNeuronVariance(0, p.LoadingSd), mf.AcrossNeuronVariance(1, p.LoadingSd)],
                [Math.Sqrt(mf.LogRateVariance(0, p.LoadingSd)), Math.Sqrt(mf.LogRateVariance(1, p.LoadingSd))],
                [lim.MeanInput[0], lim.MeanInput[1]]));
            if (ri == StaticRadii.Length - 1)
            {
                report.Projection = BalancedAnalysis.ProjectionLaw(net, recs[0], 0);
            }
        }

        var dyn = records[^1];
        var (_, bE) = BalancedAnalysis.MeanPotentialCurvature(dyn, 0);
        var (_, bI) = BalancedAnalysis.MeanPotentialCurvature(dyn, 1);
        report.DynamicCurvature = [bE, bI];
        // Mean field along the trajectory: μ_a(|κ|²) tabulated on a grid and interpolated (the solve is smooth in |κ|²).
        double maxR2 = dyn.BinLatent.Max(k => (k[0] * k[0]) + (k[1] * k[1]));
        var table = Enumerable.Range(0, 33).Select(i => BalancedMeanField.Solve(p, theta, maxR2 * i / 32)).ToArray();
        var mfSeries = dyn.BinLatent.Select(k =>
        {
            double x = ((k[0] * k[0]) + (k[1] * k[1])) / maxR2 * 32;
            int i = Math.Min((int)x, 31);
            double f = x - i;
            return new[] { ((1 - f) * table[i].MeanInput[0]) + (f * table[i + 1].MeanInput[0]), ((1 - f) * table[i].MeanInput[1]) + (f * table[i + 1].MeanInput[1]) };
        }).ToList();
        var r2 = dyn.BinLatent.Select(k => (k[0] * k[0]) + (k[1] * k[1])).ToList();
        report.DynamicCurvatureMeanField = [BalancedAnalysis.LineFit(r2, mfSeries.Select(v => v[0]).ToList()).Slope, BalancedAnalysis.LineFit(r2, mfSeries.Select(v => v[1]).ToList()).Slope];
        var mfVar = r2.Select(x2 =>
        {
            double x = x2 / maxR2 * 32;
            int i = Math.Min((int)x, 31);
            double f = x - i;
            double At(int a) => ((1 - f) * table[i].AcrossNeuronVariance(a, p.LoadingSd)) + (f * table[i + 1].AcrossNeuronVariance(a, p.LoadingSd));
            return new[] { At(0), At(1) };
        }).ToList();
        report.DynamicVarianceSlope = [BalancedAnalysis.LineFit(r2, dyn.BinVarianceV.Select(v => v[0]).ToList()).Slope, BalancedAnalysis.LineFit(r2, dyn.BinVarianceV.Select(v => v[1]).ToList()).Slope];
        report.DynamicVarianceSlopeMeanField = [BalancedAnalysis.LineFit(r2, mfVar.Select(v => v[0]).ToList()).Slope, BalancedAnalysis.LineFit(r2, mfVar.Select(v => v[1]).ToList()).Slope];
        report.DynamicCorrelation = [BalancedAnalysis.PairwiseCorrelation(p, dyn, 0), BalancedAnalysis.PairwiseCorrelation(p, dyn, 1)];
        report.DynamicCorrelationDetrended = [BalancedAnalysis.DetrendedCorrelation(p, dyn, 0), BalancedAnalysis.DetrendedCorrelation(p, dyn, 1)];
        report.SeriesTime.AddRange(dyn.BinTimes);
        report.SeriesMeanV.AddRange(dyn.BinMeanV);
        report.SeriesMeanFieldV.AddRange(mfSeries);
        report.SeriesLatent.AddRange(dyn.BinLatent);
        var decoder = LatentDecoder.Fit(records, threads: sim.Threads);
        report.DecoderR2 = decoder.R2;
        report.DecoderNeurons = decoder.Features;
        report.DecoderRidges = [.. decoder.Ridges];
        return report;
    }

    private static BalancedReport RunModeB(BalancedNetwork net, BalancedSimulation sim, BalancedReport report, double settleSeconds, double releaseSeconds, Action<double, string>? progress, Stopwatch sw)
    {
        var p = net.Parameters;
        var settle = sim.RunSegment(new LatentSegment("settle", settleSeconds, 0.15, _ => new double[p.Rank], new double[p.Rank]));
        progress?.Invoke(settleSeconds / (settleSeconds + releaseSeconds), "settled at κ = 0");
        double[] k0 = new double[p.Rank];
        k0[0] = 1;
        var release = sim.RunSegment(new LatentSegment("release", releaseSeconds, 0, _ => new double[p.Rank], k0));
        progress?.Invoke(1, "released from κ = (1, 0)");
        report.SimulationWallSeconds = sw.Elapsed.TotalSeconds;
        report.SimulatedSeconds = settleSeconds + releaseSeconds;
        report.IsiCv = [.. settle.IsiCv];
        report.PairwiseCorrelation = [BalancedAnalysis.PairwiseCorrelation(p, settle, 0), BalancedAnalysis.PairwiseCorrelation(p, settle, 1)];
        var mf0 = BalancedMeanField.Solve(p, report.Thresholds, 0);
        report.Radii.Add(new RadiusComparison(0, [.. settle.MeanV], [.. settle.Rates], [.. settle.AcrossNeuronVarianceV], [double.NaN, double.NaN], [double.NaN, double.NaN],
            [double.NaN, double.NaN], double.NaN, [mf0.MeanInput[0], mf0.MeanInput[1]], [mf0.Rates[0], mf0.Rates[1]],
            [mf0.AcrossNeuronVariance(0, p.LoadingSd), mf0.AcrossNeuronVariance(1, p.LoadingSd)], [0, 0], [0, 0]));
        int steps = (int)Math.Round(releaseSeconds / p.Dt);
        // E and I see the latent through membranes of different τ: their gains are taken at their own filtered radii
        // (ModeBMeanField). The single-radius closure is kept for comparison: it overestimates the amplitude.
        var mf = new ModeBMeanField(p, report.Thresholds, MeanFieldMaxRadiusSquared).Trajectory(k0, steps);
        var single = BalancedMeanField.LatentTrajectory(p, k0, steps, gainScale: BalancedMeanField.GainScale(p, report.Thresholds, MeanFieldMaxRadiusSquared));
        if (!single.Any(k => k.Sum(v => v * v) > MeanFieldMaxRadiusSquared))
        {
            report.LatentAmplitudeSingleRadius = Amplitude(single.Skip(steps / 2));
        }

        int binSteps = (int)Math.Round(BalancedSimulation.BinWidth / p.Dt);
        double sq = 0;
        for (int b = 0; b < release.BinLatent.Count; b++)
        {
            var m = mf[Math.Min(mf.Length - 1, (b * binSteps) + (binSteps / 2))];
            report.SeriesMeanFieldLatent.Add(m);
            for (int r = 0; r < p.Rank; r++)
            {
                sq += Math.Pow(release.BinLatent[b][r] - m[r], 2);
            }
        }

        int half = release.BinLatent.Count / 2;
        report.LatentAmplitude = [Amplitude(release.BinLatent.Skip(half)), Amplitude(report.SeriesMeanFieldLatent.Skip(half))];
        report.LatentPeriod = [Period(release.BinLatent.Skip(half).ToList()), Period(report.SeriesMeanFieldLatent.Skip(half).ToList())];
        report.LatentRmsError = Math.Sqrt(sq / Math.Max(1, release.BinLatent.Count));
        if (mf.Any(k => k.Sum(v => v * v) > MeanFieldMaxRadiusSquared))
        {
            // Beyond |κ| = 1.5 the finite-K mean field was not tabulated (and at small K has no solution): no comparison.
            report.MeanFieldNote = $"the mean-field latent left |κ| ≤ {Math.Sqrt(MeanFieldMaxRadiusSquared):0.#}, where its gain is tabulated; no comparison";
            report.LatentRmsError = double.NaN;
            report.LatentAmplitude[1] = double.NaN;
            report.LatentPeriod[1] = double.NaN;
            report.SeriesMeanFieldLatent.Clear();
        }
        report.SeriesTime.AddRange(release.BinTimes);
        report.SeriesMeanV.AddRange(release.BinMeanV);
        report.SeriesLatent.AddRange(release.BinLatent);
        return report;
    }

    private static double Amplitude(IEnumerable<double[]> series) => series.Select(k => Math.Sqrt(k.Sum(v => v * v))).DefaultIfEmpty(double.NaN).Average();

    private static double Period(List<double[]> series)
    {
        // Upward zero crossings of κ₁, located by linear interpolation between bins.
        var crossings = new List<double>();
        for (int b = 1; b < series.Count; b++)
        {
            double a = series[b - 1][0], c = series[b][0];
            if (a < 0 && c >= 0)
            {
                crossings.Add((b - 1 + (a / (a - c))) * BalancedSimulation.BinWidth);
            }
        }

        return crossings.Count >= 2 ? (crossings[^1] - crossings[0]) / (crossings.Count - 1) : double.NaN;
    }

    private static double Pooled(BalancedParameters p, List<SegmentRecord> recs, int population)
    {
        var values = recs.Select(r => BalancedAnalysis.PairwiseCorrelation(p, r, population)).Where(double.IsFinite).ToList();
        return values.Count > 0 ? values.Average() : double.NaN;
    }
}
