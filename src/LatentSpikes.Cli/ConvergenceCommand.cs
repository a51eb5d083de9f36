using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LatentSpikes.IO;
using LatentSpikes.Model;
using LatentSpikes.Plotting;
using LatentSpikes.Specs;
using LatentSpikes.Srm0;

namespace LatentSpikes.Cli;

/// <summary>
/// <c>latentspikes convergence</c>: the seed-000 study (the abstract's Fig. 1E-F). For every layer size and seed, a
/// multilayer network of SRM0 neurons runs beside its generalised rate network and its conventional rate network with
/// the same weights and input; the MADs between their output membranes, the fitted log-log slope and the conventional
/// plateau go to stdout, convergence.csv, convergence.json and convergence.png.
/// </summary>
internal static class ConvergenceCommand
{
    /// <summary>The files the command writes; a rerun into the same folder replaces or removes each of them.</summary>
    public static readonly string[] OutputFiles = ["convergence.csv", "convergence.json", "convergence.png"];

    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var defaults = new ConvergenceSettings();
        var layers = new Option<int>("--layers") { Description = "Hidden layers L_h.", DefaultValueFactory = _ => defaults.Network.HiddenLayers };
        var latents = new Option<string>("--latents") { Description = "Latent factors K: a number, or sqrtN for K = ⌈√N⌉ (duplicate-free as N grows).", DefaultValueFactory = _ => "10" };
        var sizes = new Option<string[]>("--sizes")
        {
            Description = "Neurons per layer, e.g. '250 1000 4000' or 250,1000,4000.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => defaults.Sizes.Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray(),
        };
        var seeds = new Option<string[]>("--seeds")
        {
            Description = "Seeds, one run per size and seed.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => defaults.Seeds.Select(s => s.ToString(CultureInfo.InvariantCulture)).ToArray(),
        };
        var scaling = new Option<string>("--K-scaling") { Description = "How K grows with N: fixed (--latents), sqrt (K = ⌈√N⌉) or proportional (K = --K-fraction·N, which does not converge).", DefaultValueFactory = _ => "fixed" };
        var fraction = new Option<double>("--K-fraction") { Description = "K/N for --K-scaling proportional.", DefaultValueFactory = _ => 0.1 };
        var duration = new Option<double>("--duration") { Description = "Recorded time per run (ms).", DefaultValueFactory = _ => defaults.Run.DurationMs };
        var warmUp = new Option<double>("--warm-up") { Description = "Warm-up before recording (ms).", DefaultValueFactory = _ => defaults.Run.WarmUpMs };
        var dt = new Option<double>("--dt") { Description = "Time step (ms); the age memory stays 40 ms.", DefaultValueFactory = _ => defaults.Network.Neuron.DtMs };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0: all cores); results do not depend on it." };
        var model = new Option<string>("--neuron") { Description = "Neuron model: srm0 or lif (leaky integrate-and-fire with reset, escape noise on V).", DefaultValueFactory = _ => "srm0" };
        var tauV = new Option<double>("--tau-v") { Description = "LIF membrane time constant τ_v (ms).", DefaultValueFactory = _ => defaults.Network.Lif.MembraneTauMs };
        var vReset = new Option<double>("--v-reset") { Description = "LIF reset potential V_r (Δu).", DefaultValueFactory = _ => defaults.Network.Lif.ResetPotential };
        var thresholdSd = new Option<double>("--threshold-sd") { Description = "Per-neuron threshold spread σ_ϑ (Δu); 0: identical neurons." };
        var gainSd = new Option<double>("--gain-sd") { Description = "Per-neuron input-gain spread σ_γ (log-sd); 0: identical neurons." };
        var outDir = new Option<string>("--out") { Description = "Output directory.", DefaultValueFactory = _ => Path.Combine("out", "convergence") };
        var noPlot = new Option<bool>("--no-plot") { Description = "Skip convergence.png." };
        var command = new Command("convergence", "Seed 000: MAD between the output membranes of an SRM0 spiking network, its generalised rate network and a conventional rate network as N grows (Fig. 1E-F).")
        {
            layers, latents, scaling, fraction, sizes, seeds, duration, warmUp, dt, threads, model, tauV, vReset, thresholdSd, gainSd, outDir, noPlot,
        };
        command.SetAction(r => LatentSpikesApp.Guard(stderr, () =>
        {
            var settings = new ConvergenceSettings
            {
                Sizes = ParseList<int>(r.GetValue(sizes)!, "--sizes", s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : null),
                Seeds = ParseList<ulong>(r.GetValue(seeds)!, "--seeds", s => ulong.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong v) ? v : null),
                Latents = ParseLatents(r.GetValue(latents)!),
                Scaling = ParseScaling(r.GetValue(scaling)!),
                LatentFraction = r.GetValue(fraction),
                Network = defaults.Network with
                {
                    HiddenLayers = r.GetValue(layers),
                    Neuron = defaults.Network.Neuron with { DtMs = r.GetValue(dt) },
                    Model = ParseModel(r.GetValue(model)!),
                    Lif = new LifEscapeParameters { MembraneTauMs = r.GetValue(tauV), ResetPotential = r.GetValue(vReset) },
                    ThresholdSpread = r.GetValue(thresholdSd),
                    GainSpread = r.GetValue(gainSd),
                },
                Run = defaults.Run with { DurationMs = r.GetValue(duration), WarmUpMs = r.GetValue(warmUp) },
                Threads = r.GetValue(threads),
            };
            return Execute(settings, r.GetValue(outDir)!, !r.GetValue(noPlot), stdout, stderr);
        }));
        return command;
    }

    private static int Execute(ConvergenceSettings settings, string dir, bool plot, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            settings.Validate();
        }
        catch (ModelValidationException e)
        {
            throw Error(OptionOf(e.Field), e.Reason);
        }

        if (plot && settings.Sizes.Count < 2)
        {
            throw Error("--sizes", "give at least two sizes for the fitted slope and the figure (or --no-plot)");
        }

        string k = settings.LatentsLabel;
        var net = settings.Network;
        string neuron = (net.Model == LayerNeuronModel.Lif ? $"LIF (τ_v = {Num(net.Lif.MembraneTauMs)} ms, V_r = {Num(net.Lif.ResetPotential)})" : "SRM0") +
                        (net.IsHeterogeneous ? $", σ_ϑ = {Num(net.ThresholdSpread)}, σ_γ = {Num(net.GainSpread)}" : string.Empty);
        string what = $"{neuron}, {settings.Network.HiddenLayers} hidden layer(s), {k}, dt = {Num(settings.Network.Neuron.DtMs)} ms, " +
                      $"{Num(settings.Run.WarmUpMs)} ms warm-up + {Num(settings.Run.DurationMs)} ms recorded";
        stderr.WriteLine($"convergence: {settings.Sizes.Count * settings.Seeds.Count} runs ({what})");
        var points = ConvergenceStudy.Run(settings, (p, done, total) =>
            stderr.WriteLine($"  [{done}/{total}] N = {p.Neurons}, K = {p.Latents}, seed {p.Seed}: MAD(SNN, GR) = {Num(p.SpikingVsGeneralised)} ({p.Seconds:0.0} s)"));
        var fit = settings.Sizes.Count >= 2 ? ConvergenceFit.Of(points) : null;

        stdout.WriteLine($"seed 000 convergence: {what}");
        stdout.WriteLine("      N      K  seed  MAD(SNN,GR)  MAD(SNN,CR)  MAD(GR,CR)  MAD(SNN,GR)/|y_GR|  MAD·√(N/K)  rate L1 (Hz)");
        foreach (var p in points)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Neurons,7} {p.Latents,6} {p.Seed,5}  {p.SpikingVsGeneralised,11:0.0000}  {p.SpikingVsConventional,11:0.0000}  {p.GeneralisedVsConventional,10:0.0000}  {p.SpikingVsGeneralised / p.MeanAbsGeneralised,18:0.000}  {p.SpikingVsGeneralised * Math.Sqrt(p.Neurons / (double)p.Latents),10:0.000}  {p.LayerRatesHz[0],12:0.00}"));
        }

        if (fit is not null)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fitted log-log slope of MAD(SNN, GR) vs N: {fit.SpikingVsGeneralisedSlope:0.000} (theory √(K/N): {settings.TheorySlope:0.##} for {settings.LatentsLabel}{(settings.Scaling == LatentScaling.Proportional ? ", no convergence" : "")}); MAD(SNN, CR) slope {fit.SpikingVsConventionalSlope:0.000}"));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"conventional plateau: mean MAD(GR, CR) = {fit.ConventionalPlateau:0.0000}; MAD(SNN, GR)·√(N/K) = {fit.ScaledError:0.000}"));
        }

        using (var staged = new StagedDirectory(dir))
        {
            File.WriteAllText(staged.File("convergence.csv"), Csv(points));
            WriteJson(staged.File("convergence.json"), settings, points, fit);
            if (plot)
            {
                ConvergenceFigure.Save(points, $"seed 000, SRM0 spiking (SNN) vs generalised (GR) and conventional (CR) rate networks\n{what}", settings.Network.Neuron.DtMs, staged.File("convergence.png"));
            }

            staged.Commit(OutputFiles);
        }

        stdout.WriteLine($"outputs written to {Path.GetFullPath(dir)}");
        return 0;
    }

    private static string Csv(IReadOnlyList<ConvergencePoint> points)
    {
        var sb = new StringBuilder("neurons,latents,seed,mad_snn_gr,mad_snn_cr,mad_gr_cr,mean_abs_gr,rate_layer1_hz,seconds\n");
        foreach (var p in points)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{p.Neurons},{p.Latents},{p.Seed},{p.SpikingVsGeneralised:R},{p.SpikingVsConventional:R},{p.GeneralisedVsConventional:R},{p.MeanAbsGeneralised:R},{p.LayerRatesHz[0]:R},{p.Seconds:0.###}\n");
        }

        return sb.ToString();
    }

    private static void WriteJson(string path, ConvergenceSettings settings, IReadOnlyList<ConvergencePoint> points, ConvergenceFit? fit)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("model", "seed 000: SRM0 escape-noise multilayer network vs generalised and conventional rate networks");
        w.WriteNumber("hidden_layers", settings.Network.HiddenLayers);
        w.WriteString("neuron_model", settings.Network.Model.ToString().ToLowerInvariant());
        if (settings.Network.Model == LayerNeuronModel.Lif)
        {
            w.WriteNumber("tau_v_ms", settings.Network.Lif.MembraneTauMs);
            w.WriteNumber("v_reset", settings.Network.Lif.ResetPotential);
        }

        w.WriteNumber("threshold_sd", settings.Network.ThresholdSpread);
        w.WriteNumber("gain_sd", settings.Network.GainSpread);
        w.WriteString("k_scaling", settings.Scaling.ToString().ToLowerInvariant());
        if (settings.Scaling == LatentScaling.Proportional)
        {
            w.WriteNumber("k_fraction", settings.LatentFraction);
        }
        else if (settings.Scaling == LatentScaling.Fixed && settings.Latents is { } k)
        {
            w.WriteNumber("latents", k);
        }
        else
        {
            w.WriteString("latents", "sqrtN");
        }

        w.WriteNumber("theory_slope", settings.TheorySlope);

        w.WriteNumber("dt_ms", settings.Network.Neuron.DtMs);
        w.WriteNumber("warm_up_ms", settings.Run.WarmUpMs);
        w.WriteNumber("duration_ms", settings.Run.DurationMs);
        if (fit is not null)
        {
            w.WriteStartObject("fit");
            w.WriteNumber("slope_mad_snn_gr", fit.SpikingVsGeneralisedSlope);
            w.WriteNumber("intercept_mad_snn_gr", fit.SpikingVsGeneralisedIntercept);
            w.WriteNumber("slope_mad_snn_cr", fit.SpikingVsConventionalSlope);
            w.WriteNumber("plateau_mad_gr_cr", fit.ConventionalPlateau);
            w.WriteNumber("mad_snn_gr_times_sqrt_n_over_k", fit.ScaledError);
            w.WriteEndObject();
        }

        w.WriteStartArray("runs");
        foreach (var p in points)
        {
            w.WriteStartObject();
            w.WriteNumber("neurons", p.Neurons);
            w.WriteNumber("latents", p.Latents);
            w.WriteNumber("seed", p.Seed);
            w.WriteNumber("mad_snn_gr", p.SpikingVsGeneralised);
            w.WriteNumber("mad_snn_cr", p.SpikingVsConventional);
            w.WriteNumber("mad_gr_cr", p.GeneralisedVsConventional);
            w.WriteNumber("mean_abs_gr", p.MeanAbsGeneralised);
            w.WriteStartArray("layer_rates_hz");
            foreach (double r in p.LayerRatesHz)
            {
                w.WriteNumberValue(r);
            }

            w.WriteEndArray();
            w.WriteNumber("seconds", p.Seconds);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static LayerNeuronModel ParseModel(string text) => text.Trim().ToLowerInvariant() switch
    {
        "srm0" => LayerNeuronModel.Srm0,
        "lif" => LayerNeuronModel.Lif,
        _ => throw Error("--neuron", $"'{text}' is not one of srm0, lif"),
    };

    private static LatentScaling ParseScaling(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fixed" => LatentScaling.Fixed,
        "sqrt" or "sqrtn" => LatentScaling.Sqrt,
        "proportional" or "linear" => LatentScaling.Proportional,
        _ => throw Error("--K-scaling", $"'{text}' is not one of fixed, sqrt, proportional"),
    };

    private static int? ParseLatents(string text)
    {
        string t = text.Trim();
        if (t.Equals("sqrtN", StringComparison.OrdinalIgnoreCase) || t.Equals("sqrt", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int k) && k > 0
            ? k
            : throw Error("--latents", $"'{text}' is neither a positive number of latent factors nor sqrtN");
    }

    private static List<T> ParseList<T>(string[] items, string option, Func<string, T?> parse)
        where T : struct
    {
        var values = new List<T>();
        foreach (string item in items.SelectMany(s => s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            values.Add(parse(item) ?? throw Error(option, $"'{item}' is not a {(option == "--sizes" ? "positive layer size" : "seed (a non-negative integer)")}"));
        }

        return values.Count > 0 ? values : throw Error(option, "give at least one value");
    }

    private static string OptionOf(string field) => field switch
    {
        "neurons" => "--sizes",
        "latents" => "--latents",
        "latent_fraction" => "--K-fraction",
        "layers" => "--layers",
        "sizes" => "--sizes",
        "seeds" => "--seeds",
        "duration" => "--duration",
        "warm_up" => "--warm-up",
        "dt" or "age_memory" => "--dt",
        "threads" => "--threads",
        "tau_v" => "--tau-v",
        "v_reset" => "--v-reset",
        "threshold_sd" => "--threshold-sd",
        "gain_sd" => "--gain-sd",
        _ => field,
    };

    private static SpecException Error(string option, string reason) => new("command line", 0, option, reason);

    private static string Num(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
