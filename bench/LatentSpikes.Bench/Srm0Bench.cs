using System.Diagnostics;
using System.Globalization;
using LatentSpikes.Srm0;

namespace LatentSpikes.Bench;

/// <summary>
/// `srm0 [N] [K] [layers] [threads]`: wall time of one seed-000 run, the spiking, generalised-rate and conventional
/// networks side by side (defaults: N = 32,000, K = 10, 3 hidden layers, 200 ms warm-up + 1 s, the target being
/// under a minute), then each network alone to show where the time goes. Prints the MADs as a sanity check.
/// </summary>
public static class Srm0Bench
{
    /// <summary>Runs the benchmark with the command-line arguments after `srm0`.</summary>
    public static void Run(string[] args)
    {
        int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
        int n = Arg(0, 32_000), k = Arg(1, 10), layers = Arg(2, 3), threads = Arg(3, 0);
        var network = new MultilayerNetwork(new MultilayerParameters { NeuronsPerLayer = n, Latents = k, HiddenLayers = layers }, 1);
        var options = new MultilayerRunOptions { Threads = threads };
        int steps = (int)Math.Round((options.WarmUpMs + options.DurationMs) / network.Neuron.Parameters.DtMs);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed 000: N = {n}, K = {k}, {layers} hidden layers, {steps} steps of {network.Neuron.Parameters.DtMs} ms, {network.Neuron.AgeBins} age bins, {(threads == 0 ? Environment.ProcessorCount : threads)} threads"));
        foreach (var which in new[] { Srm0Networks.All, Srm0Networks.Spiking, Srm0Networks.GeneralisedRate, Srm0Networks.ConventionalRate })
        {
            var sw = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var run = MultilayerSimulation.Run(network, options with { Networks = which });
            double seconds = sw.Elapsed.TotalSeconds;

            // CPU time too: on a shared machine the wall time also measures the other tenants.
            double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            double perNeuronStep = seconds * 1e9 / ((double)n * layers * steps);
            string extra = which == Srm0Networks.All
                ? string.Create(CultureInfo.InvariantCulture, $"MAD(SNN,GR) = {run.MeanAbsoluteDifference(Srm0Networks.Spiking, Srm0Networks.GeneralisedRate):0.0000}, MAD(SNN,CR) = {run.MeanAbsoluteDifference(Srm0Networks.Spiking, Srm0Networks.ConventionalRate):0.0000}, MAD(GR,CR) = {run.MeanAbsoluteDifference(Srm0Networks.GeneralisedRate, Srm0Networks.ConventionalRate):0.0000}")
                : string.Empty;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{which,-18} {seconds,7:0.00} s wall, {cpuSeconds,7:0.00} s CPU ({perNeuronStep,6:0.0} ns wall per neuron-step)  {extra}"));
        }
    }
}
