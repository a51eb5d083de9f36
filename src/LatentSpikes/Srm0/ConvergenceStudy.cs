using System.Collections.Concurrent;
using System.Diagnostics;
using LatentSpikes.Model;

namespace LatentSpikes.Srm0;

/// <summary>One run of the convergence study: the three output-membrane MADs at one (N, K, seed).</summary>
/// <param name="Neurons">Neurons per hidden layer N.</param>
/// <param name="Latents">Latent factors K.</param>
/// <param name="Seed">Seed of weights, input and spikes.</param>
/// <param name="SpikingVsGeneralised">MAD(SNN, GR): falls like √(K/N).</param>
/// <param name="SpikingVsConventional">MAD(SNN, CR): saturates at MAD(GR, CR).</param>
/// <param name="GeneralisedVsConventional">MAD(GR, CR): the memory effect, independent of N.</param>
/// <param name="MeanAbsGeneralised">mean |y^GR|, the scale of a normalised MAD.</param>
/// <param name="LayerRatesHz">Mean rate of each hidden layer of the spiking network (Hz).</param>
/// <param name="Seconds">Wall time of the run.</param>
public sealed record ConvergencePoint(
    int Neurons,
    int Latents,
    ulong Seed,
    double SpikingVsGeneralised,
    double SpikingVsConventional,
    double GeneralisedVsConventional,
    double MeanAbsGeneralised,
    IReadOnlyList<double> LayerRatesHz,
    double Seconds)
{
    /// <summary>Output membrane y_1(t) of the three networks (for the Fig. 1E-style traces): SNN, GR, CR.</summary>
    public IReadOnlyList<double[]> FirstOutput { get; init; } = [];
}

/// <summary>How the number of latent factors K grows with the layer size N.</summary>
public enum LatentScaling
{
    /// <summary>K fixed (<see cref="ConvergenceSettings.Latents"/>): MAD(SNN, GR) falls like √(K/N) ∝ N^−1/2.</summary>
    Fixed,

    /// <summary>K = ⌈√N⌉: MAD falls like N^−1/4.</summary>
    Sqrt,

    /// <summary>K = round(f·N) (<see cref="ConvergenceSettings.LatentFraction"/>): √(K/N) = √f is constant, so the spiking network does not converge.</summary>
    Proportional,
}

/// <summary>What the convergence study sweeps.</summary>
public sealed record ConvergenceSettings
{
    /// <summary>Neurons per hidden layer, one run per size and seed.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [250, 500, 1000, 2000, 4000, 8000, 16000, 32000];

    /// <summary>Seeds (≥ 1 per size).</summary>
    public IReadOnlyList<ulong> Seeds { get; init; } = [1, 2];

    /// <summary>Fixed K, or null for K = ⌈√N⌉ (with <see cref="LatentScaling.Fixed"/>; ignored by the other scalings).</summary>
    public int? Latents { get; init; } = 10;

    /// <summary>How K grows with N.</summary>
    public LatentScaling Scaling { get; init; } = LatentScaling.Fixed;

    /// <summary>K/N for <see cref="LatentScaling.Proportional"/>, in (0, 1].</summary>
    public double LatentFraction { get; init; } = 0.1;

    /// <summary>Everything else about the network (N and K are set per run).</summary>
    public MultilayerParameters Network { get; init; } = new();

    /// <summary>Protocol (warm-up, duration; networks and threads are set by the study).</summary>
    public MultilayerRunOptions Run { get; init; } = new();

    /// <summary>Worker threads (0: all cores). Results do not depend on it.</summary>
    public int Threads { get; init; }

    /// <summary>K for a layer of <paramref name="neurons"/>.</summary>
    public int LatentsFor(int neurons) => Scaling switch
    {
        LatentScaling.Sqrt => MultilayerParameters.SqrtLatents(neurons),
        LatentScaling.Proportional => Math.Max(1, (int)Math.Round(LatentFraction * neurons, MidpointRounding.AwayFromZero)),
        _ => Latents ?? MultilayerParameters.SqrtLatents(neurons),
    };

    /// <summary>The exponent of MAD(SNN, GR) ∝ N^exponent that √(K/N) predicts: −1/2 fixed, −1/4 for √N, 0 proportional.</summary>
    public double TheorySlope => Scaling switch
    {
        LatentScaling.Sqrt => -0.25,
        LatentScaling.Proportional => 0,
        _ => Latents is null ? -0.25 : -0.5,
    };

    /// <summary>A short description of K, e.g. "K = 10", "K = ⌈√N⌉", "K = 0.1·N".</summary>
    public string LatentsLabel => Scaling switch
    {
        LatentScaling.Sqrt => "K = ⌈√N⌉",
        LatentScaling.Proportional => $"K = {LatentFraction.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}·N",
        _ => Latents is { } k ? $"K = {k}" : "K = ⌈√N⌉",
    };

    /// <summary>Throws <see cref="ModelValidationException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (Sizes is null || Sizes.Count == 0)
        {
            throw new ModelValidationException("sizes", "give at least one layer size");
        }

        if (Seeds is null || Seeds.Count == 0 || Seeds.Distinct().Count() != Seeds.Count)
        {
            throw new ModelValidationException("seeds", "give at least one seed, each once");
        }

        if (Sizes.Distinct().Count() != Sizes.Count)
        {
            throw new ModelValidationException("sizes", "each size once");
        }

        if (Scaling == LatentScaling.Proportional && !(LatentFraction > 0 && LatentFraction <= 1))
        {
            throw new ModelValidationException("latent_fraction", $"K/N must be in (0, 1] (got {LatentFraction})");
        }

        if (Threads < 0)
        {
            throw new ModelValidationException("threads", $"must be ≥ 0 (0: all cores), got {Threads}");
        }

        foreach (int n in Sizes)
        {
            (Network with { NeuronsPerLayer = n, Latents = LatentsFor(n) }).Validate();
        }

        Run.Validate();
    }
}

/// <summary>
/// The convergence study of seed 000 (§1.6, the abstract's Fig. 1E-F): for every size and seed, the spiking,
/// generalised-rate and conventional-rate networks run side by side and their output membranes are compared. Runs go
/// in parallel, largest first; each result is independent of the thread count, so the study is too.
/// </summary>
public static class ConvergenceStudy
{
    /// <summary>Runs the sweep; <paramref name="onPoint"/> is called (serialised) as each run finishes, with the number done so far and the total.</summary>
    public static IReadOnlyList<ConvergencePoint> Run(ConvergenceSettings settings, Action<ConvergencePoint, int, int>? onPoint = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var jobs = settings.Sizes.SelectMany(n => settings.Seeds.Select(seed => (N: n, Seed: seed)))
            .OrderByDescending(j => (long)j.N * settings.LatentsFor(j.N)).ThenBy(j => j.N).ThenBy(j => j.Seed).ToArray();
        int threads = settings.Threads == 0 ? Environment.ProcessorCount : settings.Threads;

        // Whole runs in parallel; a run only splits its layers over threads when there are fewer runs than cores.
        int inner = Math.Max(1, threads / jobs.Length);
        var results = new ConvergencePoint[jobs.Length];
        int done = 0;
        var gate = new object();
        // Handed out one at a time in order (no range partitioning), so the largest runs really start first.
        var queue = Partitioner.Create(Enumerable.Range(0, jobs.Length), EnumerablePartitionerOptions.NoBuffering);
        Parallel.ForEach(queue, new ParallelOptions { MaxDegreeOfParallelism = threads }, j =>
        {
            var (n, seed) = jobs[j];
            var sw = Stopwatch.StartNew();
            var network = new MultilayerNetwork(settings.Network with { NeuronsPerLayer = n, Latents = settings.LatentsFor(n) }, seed);
            var run = MultilayerSimulation.Run(network, settings.Run with { Networks = Srm0Networks.All, Threads = inner, Trial = 0 });
            var point = new ConvergencePoint(
                n,
                network.Parameters.Latents,
                seed,
                run.MeanAbsoluteDifference(Srm0Networks.Spiking, Srm0Networks.GeneralisedRate),
                run.MeanAbsoluteDifference(Srm0Networks.Spiking, Srm0Networks.ConventionalRate),
                run.MeanAbsoluteDifference(Srm0Networks.GeneralisedRate, Srm0Networks.ConventionalRate),
                run.MeanAbsoluteOutput(Srm0Networks.GeneralisedRate),
                run.LayerRatesHz(Srm0Networks.Spiking).ToArray(),
                sw.Elapsed.TotalSeconds)
            {
                FirstOutput = [run.Outputs(Srm0Networks.Spiking)[0], run.Outputs(Srm0Networks.GeneralisedRate)[0], run.Outputs(Srm0Networks.ConventionalRate)[0]],
            };
            results[j] = point;
            lock (gate)
            {
                done++;
                onPoint?.Invoke(point, done, jobs.Length);
            }
        });

        return results.OrderBy(p => p.Neurons).ThenBy(p => p.Seed).ToArray();
    }

    /// <summary>Least-squares line through (ln x, ln y): y ≈ e^{intercept}·x^{slope}.</summary>
    public static (double Slope, double Intercept) FitLogLog(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count || x.Count < 2)
        {
            throw new ArgumentException("a log-log fit needs at least two (x, y) pairs");
        }

        if (x.Any(v => !(v > 0)) || y.Any(v => !(v > 0)))
        {
            throw new ArgumentException("a log-log fit needs positive values");
        }

        double mx = x.Average(Math.Log), my = y.Average(Math.Log);
        double sxy = 0, sxx = 0;
        for (int i = 0; i < x.Count; i++)
        {
            double dx = Math.Log(x[i]) - mx;
            sxy += dx * (Math.Log(y[i]) - my);
            sxx += dx * dx;
        }

        if (sxx == 0)
        {
            throw new ArgumentException("a log-log fit needs at least two different x values");
        }

        double slope = sxy / sxx;
        return (slope, my - (slope * mx));
    }
}

/// <summary>The fitted trends of a convergence study.</summary>
/// <param name="SpikingVsGeneralisedSlope">Slope of ln MAD(SNN, GR) against ln N (−1/2 at fixed K, −1/4 for K = √N).</param>
/// <param name="SpikingVsGeneralisedIntercept">Intercept of that fit: MAD ≈ e^{intercept}·N^{slope}.</param>
/// <param name="SpikingVsConventionalSlope">Slope of ln MAD(SNN, CR) against ln N (→ 0 as it saturates).</param>
/// <param name="ConventionalPlateau">Mean MAD(GR, CR) over all runs: where MAD(SNN, CR) saturates.</param>
/// <param name="ScaledError">Mean MAD(SNN, GR)·√(N/K): the constant C_L of MAD ≈ C_L·√(K/N).</param>
public sealed record ConvergenceFit(
    double SpikingVsGeneralisedSlope,
    double SpikingVsGeneralisedIntercept,
    double SpikingVsConventionalSlope,
    double ConventionalPlateau,
    double ScaledError)
{
    /// <summary>Fits the trends of <paramref name="points"/> (needs at least two sizes).</summary>
    public static ConvergenceFit Of(IReadOnlyList<ConvergencePoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        double[] n = points.Select(p => (double)p.Neurons).ToArray();
        var sg = ConvergenceStudy.FitLogLog(n, points.Select(p => p.SpikingVsGeneralised).ToArray());
        var sc = ConvergenceStudy.FitLogLog(n, points.Select(p => p.SpikingVsConventional).ToArray());
        return new ConvergenceFit(
            sg.Slope,
            sg.Intercept,
            sc.Slope,
            points.Average(p => p.GeneralisedVsConventional),
            points.Average(p => p.SpikingVsGeneralised * Math.Sqrt(p.Neurons / (double)p.Latents)));
    }
}
