using System.Globalization;
using LatentSpikes.IO;
using LatentSpikes.Model;
using LatentSpikes.Plotting;
using LatentSpikes.Specs;
using LatentSpikes.Srm0;

namespace LatentSpikes.Cli;

/// <summary>
/// <c>latentspikes validate</c> and <c>simulate</c> for an SRM0 layer-stack spec (seed 000, a spec with an
/// <c>srm0</c> section): the same commands as for a low-rank LIF spec, writing outputs.csv, spikes.csv,
/// summary.json, spec.yaml and outputs.png.
/// </summary>
internal static class LayerStackRun
{
    /// <summary>The files a layer-stack run writes; a rerun into the same folder replaces or removes each of them.</summary>
    public static readonly string[] OutputFiles = [.. LayerStackRunWriter.DataFiles, "outputs.png"];

    /// <summary>Prints a one-line summary of a valid spec.</summary>
    public static int Validate(LoadedLayerStackSpec loaded, TextWriter stdout)
    {
        var e = loaded.Experiment;
        stdout.WriteLine($"{loaded.File}: ok — '{e.Name}': {Describe(e)}");
        return 0;
    }

    /// <summary>Applies the command-line overrides (dt and duration in ms here), runs and writes the run directory.</summary>
    public static int Simulate(LoadedLayerStackSpec loaded, ulong? seed, double? dtMs, double? durationMs, string? outDir, bool plot, string engine, int trials, TextWriter stdout, TextWriter stderr)
    {
        // The LIF engines and trial sets do not apply: the three SRM0 networks have their own simulation.
        if (engine != Engines.EngineCatalog.Clock)
        {
            throw new SpecException("command line", 0, "--engine", "an srm0 layer stack has its own simulation; --engine applies to low-rank LIF specs only");
        }

        if (trials != 1)
        {
            throw new SpecException("command line", 0, "--trials", "an srm0 layer stack runs one spike realisation; set srm0.simulation.trial to choose it");
        }

        var e = loaded.Experiment;
        e = e with
        {
            Seed = seed ?? e.Seed,
            Network = e.Network with { Neuron = e.Network.Neuron with { DtMs = dtMs ?? e.Network.Neuron.DtMs } },
            Run = e.Run with { DurationMs = durationMs ?? e.Run.DurationMs },
        };
        try
        {
            e.Validate();
        }
        catch (ModelValidationException x)
        {
            throw new SpecException("command line", 0, x.Field switch { "dt" => "--dt", "duration" => "--duration", _ => x.Field }, x.Reason);
        }

        string dir = outDir ?? Path.Combine("out", e.Name);
        stderr.WriteLine($"simulating {e.Name}: {Describe(e)}");
        var run = e.Simulate();
        using (var staged = new StagedDirectory(dir))
        {
            LayerStackRunWriter.WriteAll(e, run, new RunProvenance(loaded.File, loaded.Hash), staged.StagingPath);
            if (plot)
            {
                LayerStackFigure.Save(run, $"{e.Name}: {e.Network.HiddenLayers} {(e.Network.Model == LayerNeuronModel.Lif ? "LIF" : "SRM0")} layer(s) of N = {e.Network.NeuronsPerLayer}, K = {e.Network.Latents} (seed {e.Seed})", staged.File("outputs.png"));
            }

            staged.Commit(OutputFiles);
        }

        var networks = LayerStackRunWriter.Simulated(run);
        stdout.WriteLine($"{e.Name}: {Num(e.Run.DurationMs)} ms recorded after {Num(e.Run.WarmUpMs)} ms warm-up, {string.Join(", ", networks.Select(LayerStackRunWriter.Key))}");
        foreach (var x in networks)
        {
            stdout.WriteLine($"  {LayerStackRunWriter.Key(x)}: mean |y| = {Num(run.MeanAbsoluteOutput(x))}, layer rates {string.Join(" / ", run.LayerRatesHz(x).Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))} Hz");
        }

        for (int a = 0; a < networks.Count; a++)
        {
            for (int b = a + 1; b < networks.Count; b++)
            {
                stdout.WriteLine($"  MAD({LayerStackRunWriter.Key(networks[a])}, {LayerStackRunWriter.Key(networks[b])}) = {Num(run.MeanAbsoluteDifference(networks[a], networks[b]))}");
            }
        }

        stdout.WriteLine($"outputs written to {Path.GetFullPath(dir)}");
        return 0;
    }

    private static string Describe(LayerStackExperiment e)
    {
        var p = e.Network;
        string networks = string.Join(", ", new[] { Srm0Networks.Spiking, Srm0Networks.GeneralisedRate, Srm0Networks.ConventionalRate }
            .Where(x => (e.Run.Networks & x) != 0).Select(LayerStackRunWriter.Key));
        string model = p.Model == LayerNeuronModel.Lif ? $"LIF (τ_v = {Num(p.Lif.MembraneTauMs)} ms, V_r = {Num(p.Lif.ResetPotential)})" : "SRM0";
        string spread = p.IsHeterogeneous ? $", heterogeneous (σ_ϑ = {Num(p.ThresholdSpread)}, σ_γ = {Num(p.GainSpread)})" : string.Empty;
        return $"{model} layer stack{spread}, {p.HiddenLayers} hidden layer(s) of N = {p.NeuronsPerLayer}, K = {p.Latents} latent(s), networks {networks}, " +
               $"dt = {Num(p.Neuron.DtMs)} ms, {Num(e.Run.WarmUpMs)} ms warm-up + {Num(e.Run.DurationMs)} ms recorded, seed {e.Seed}";
    }

    private static string Num(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
