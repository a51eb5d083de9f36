using System.Globalization;
using LatentSpikes.Engines;
using LatentSpikes.IO;
using LatentSpikes.Model;
using LatentSpikes.Plotting;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;

namespace LatentSpikes.Cli;

/// <summary>
/// <c>simulate --trials R</c>: R independent noisy trials of one spec (trial r keyed by its index, so trial r equals a
/// single run of trial r), written in long format by <see cref="TrialsWriter"/>, with trial 0's figure.
/// </summary>
internal static class TrialsRun
{
    /// <summary>Files a trials run owns in its output directory (and an <c>analysis</c> folder of an earlier run).</summary>
    public static readonly string[] OutputFiles = [.. TrialsWriter.Files, "latents-trial0.png", "analysis"];

    /// <summary>
    /// Refuses, before anything is allocated, a trial count whose recorded latents alone would outgrow
    /// <see cref="LatentSpikesApp.TrialsMemoryLimit"/> (every trial is held until the batch is written).
    /// </summary>
    public static void CheckMemory(Experiment exp, int trials)
    {
        var s = exp.Settings;
        double records = (s.StepCount / s.RecordEvery) + 1.0;
        double bytes = trials * records * (1 + exp.Network.InputDimension + exp.Network.Latents.Count) * sizeof(double);
        if (bytes > LatentSpikesApp.TrialsMemoryLimit)
        {
            throw new SpecException(
                "command line",
                0,
                "--trials",
                string.Create(CultureInfo.InvariantCulture, $"{trials} trials of {records:N0} records would hold {bytes / (1L << 30):0.#} GiB of latents in memory (limit {LatentSpikesApp.TrialsMemoryLimit >> 30} GiB); use fewer trials, a coarser simulation.record_every, or a sweep over seeds (docs/sweeps.md)"));
        }
    }

    public static int Run(Experiment exp, EngineEntry engine, int trials, RunProvenance provenance, string dir, bool plot, TextWriter stdout, TextWriter stderr)
    {
        var results = engine.RunTrials(exp, trials);

        using (var staged = new StagedDirectory(dir))
        {
            TrialsWriter.WriteAll(results, 0, provenance, staged.StagingPath);
            if (plot)
            {
                RunFigure.Save(results[0], staged.File("latents-trial0.png"));
            }

            staged.Commit(OutputFiles);
        }

        int exploded = results.Count(r => r.Status == SimulationStatus.Exploded);
        int nonFinite = results.Count(r => r.Status == SimulationStatus.NonFinite);
        stdout.WriteLine($"{exp.Name}: {trials} trials of {exp.Settings.Duration.ToString("0.###", CultureInfo.InvariantCulture)} τ ({results[0].Engine} engine), {results.Sum(r => (long)r.Spikes.Count)} spikes, {exploded} exploded{(nonFinite > 0 ? $", {nonFinite} non-finite" : string.Empty)}");
        for (int p = 0; p < exp.Network.Populations.Count; p++)
        {
            var pop = exp.Network.Populations[p];
            double mean = results.Average(r => r.MeanRateHz(p));
            stdout.WriteLine($"  {pop.Name} ({pop.Kind.ToString().ToLowerInvariant()}, N = {pop.Size}): mean rate {mean.ToString("0.##", CultureInfo.InvariantCulture)} Hz over trials");
        }

        stdout.WriteLine($"outputs written to {Path.GetFullPath(dir)}");
        if (exploded + nonFinite > 0)
        {
            stderr.WriteLine($"warning: {exploded + nonFinite} of {trials} trials ran away or turned non-finite; first: {results.First(r => r.Status != SimulationStatus.Completed).StatusDetail}");
            return LatentSpikesApp.ExitExploded;
        }

        return 0;
    }
}
