// Over 500 lines on purpose: reading a run folder back (single runs and trial sets) rebuilds latents from spikes and
// checks every file against the summary; the readers share those row and number checks.
using System.Globalization;
using System.Text.Json;
using LatentSpikes.Model;
using LatentSpikes.Randomness;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;

namespace LatentSpikes.IO;

/// <summary>A run directory whose files are missing, inconsistent or malformed; the message is one line naming the file.</summary>
public sealed class RunDataException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The offending file or directory.</param>
    /// <param name="line">1-based line, or 0 when unknown.</param>
    /// <param name="problem">What is wrong.</param>
    public RunDataException(string file, int line, string problem)
        : base((line > 0 ? $"{file}:{line}: " : $"{file}: ") + problem.Replace('\n', ' '))
    {
    }
}

/// <summary>One trial read from a run directory.</summary>
/// <param name="Trial">Trial index (the key of its random streams): 0 for a single run, the batch index for <c>--trials</c>.</param>
/// <param name="Result">The trial.</param>
public sealed record StoredTrial(ulong Trial, SimulationResult Result);

/// <summary>
/// Reads a run directory written by <c>simulate</c> back into <see cref="SimulationResult"/>s, so analyses run the same
/// way on stored runs as on fresh ones. A single run (<see cref="RunWriter"/>) is read as it was written. A batch of
/// trials (<c>--trials R</c>, <see cref="TrialsWriter"/>) stores only spikes per trial; each trial's latents are rebuilt
/// from them (y = y(0)·e^{−t} + Σ D·e^{−(t − t_s)}, the engines' exact filter, equal to the recorded values up to
/// rounding) and its inputs from the input signals with the trial's random streams. The network comes from the run's
/// <c>spec.yaml</c>; for older runs without it, from the spec file named in <c>summary.json</c> if its hash still
/// matches, with the run's seed, dt and duration.
/// </summary>
public static class RunReader
{
    /// <summary>Reads a single run.</summary>
    /// <exception cref="RunDataException">When a file is missing or does not match the others, or the directory holds a batch.</exception>
    /// <exception cref="SpecException">When the stored spec cannot be read.</exception>
    public static SimulationResult Read(string directory)
    {
        var (summary, summaryPath) = Open(directory);
        if (summary.IsBatch)
        {
            throw new RunDataException(directory, 0, "holds a batch of trials (simulate --trials); read it with ReadTrials");
        }

        return ReadSingle(directory, summaryPath, summary);
    }

    /// <summary>Reads every trial of a run directory: one for a single run, R for a batch.</summary>
    /// <exception cref="RunDataException">When a file is missing or does not match the others.</exception>
    /// <exception cref="SpecException">When the stored spec cannot be read.</exception>
    public static IReadOnlyList<StoredTrial> ReadTrials(string directory)
    {
        var (summary, summaryPath) = Open(directory);
        return summary.IsBatch
            ? ReadBatch(directory, summaryPath, summary)
            : [new StoredTrial(0, ReadSingle(directory, summaryPath, summary))];
    }

    private sealed record Summary(string Engine, bool IsBatch, long Steps, SimulationStatus Status, string StatusDetail, ulong Seed, double Dt, double Duration, string SpecFile, string SpecHash);

    private static (Summary Summary, string Path) Open(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new RunDataException(directory, 0, System.IO.File.Exists(directory) ? "is a file, not a run directory" : "run directory not found");
        }

        string path = Path.Combine(directory, "summary.json");
        return (ReadSummary(path), path);
    }

    private static SimulationResult ReadSingle(string directory, string summaryPath, Summary summary)
    {
        var experiment = LoadExperiment(directory, summaryPath, summary);
        var (times, inputs, latents) = ReadLatents(Path.Combine(directory, "latents.csv"), experiment.Network, experiment.Settings.Dt);
        var spikes = ReadSpikes(Path.Combine(directory, "spikes.csv"), experiment, summary.Engine, batch: false)[0];
        return new SimulationResult(experiment, summary.Engine, summary.Steps, times, inputs, latents, spikes, Counts(experiment, spikes), summary.Status, summary.StatusDetail);
    }

    private static List<StoredTrial> ReadBatch(string directory, string summaryPath, Summary summary)
    {
        var experiment = LoadExperiment(directory, summaryPath, summary);
        var s = experiment.Settings;
        var net = experiment.Network;
        double[] grid = ReadMeanLatentTimes(Path.Combine(directory, "latents-mean.csv"), net, s.Dt);
        var rows = ReadTrialRows(Path.Combine(directory, "trials.csv"));
        var spikes = ReadSpikes(Path.Combine(directory, "spikes.csv"), experiment, summary.Engine, batch: true);
        foreach (ulong t in spikes.Where(kv => kv.Value.Count > 0).Select(kv => kv.Key))
        {
            if (!rows.Any(r => r.Trial == t))
            {
                throw new RunDataException(Path.Combine(directory, "spikes.csv"), 0, $"has spikes of trial {t}, which trials.csv does not list");
            }
        }

        var trials = new List<StoredTrial>(rows.Count);
        foreach (var (trial, status, duration) in rows)
        {
            long steps = (long)Math.Round(duration / s.Dt);
            double[] times = grid.Where(t => Math.Round(t / s.Dt) <= steps).ToArray();
            var trialSpikes = spikes.TryGetValue(trial, out var list) ? list : [];
            double[] inputs = Inputs(experiment, trial, times);
            double[] latents = net.Populations.All(p => p.Synapse.IsDelta)
                ? Latents(net, experiment.InitialLatents, times, trialSpikes)
                : SlowLatents(net, experiment.InitialLatents, s.Dt, times, trialSpikes);
            string detail = status == SimulationStatus.Completed ? "completed" : $"trial {trial} ran away at t = {duration.ToString("0.###", CultureInfo.InvariantCulture)} τ (see simulate's report)";
            var result = new SimulationResult(experiment, summary.Engine, steps, times, inputs, latents, trialSpikes, Counts(experiment, trialSpikes), status, detail);
            trials.Add(new StoredTrial(trial, result));
        }

        return trials;
    }

    /// <summary>The inputs of one trial at the recorded times, from the signals and the trial's random streams (as the engines draw them).</summary>
    private static double[] Inputs(Experiment experiment, ulong trial, double[] times)
    {
        var s = experiment.Settings;
        int m = experiment.Inputs.Count;
        var flat = new double[times.Length * m];
        for (int d = 0; d < m; d++)
        {
            var sampler = experiment.Inputs[d].Start(s.Dt, CounterRandom.StreamKey(s.Seed, trial, CounterRandom.InputDomain, (ulong)d));
            for (int j = 0; j < times.Length; j++)
            {
                flat[(j * m) + d] = sampler.At((long)Math.Round(times[j] / s.Dt));
            }
        }

        return flat;
    }

    /// <summary>Every latent at the recorded times: y_k(t) = y_k(0)·e^{−t} + Σ_{t_s ≤ t} D_k·e^{−(t − t_s)}, over the spikes of its source.</summary>
    private static double[] Latents(LowRankNetwork net, IReadOnlyDictionary<string, double> initial, double[] times, List<Spike> spikes)
    {
        int k = net.Latents.Count;
        var sources = net.Latents.Select(l => net.PopulationIndex(l.Source)).ToArray();
        var value = net.Latents.Select(l => initial.TryGetValue(l.Name, out double v) ? v : 0.0).ToArray();
        var flat = new double[times.Length * k];
        int next = 0;
        double last = 0;
        for (int j = 0; j < times.Length; j++)
        {
            double t = times[j];
            double decay = Math.Exp(-(t - last));
            last = t;
            for (int l = 0; l < k; l++)
            {
                value[l] *= decay;
            }

            // The record at t = 0 is the initial state (an event-engine spike at t = 0 shows from the next record on).
            // Spike and record times are multiples of dt for the clock engine; the tolerance keeps a spike at t in y(t).
            for (; j > 0 && next < spikes.Count && spikes[next].Time <= t + 1e-12; next++)
            {
                var sp = spikes[next];
                double weight = Math.Exp(-(t - sp.Time));
                for (int l = 0; l < k; l++)
                {
                    if (sources[l] == sp.Population)
                    {
                        value[l] += net.Latents[l].Decoders[sp.Neuron] * weight;
                    }
                }
            }

            Array.Copy(value, 0, flat, j * k, k);
        }

        return flat;
    }

    /// <summary>
    /// Every latent at the recorded times for a network with slow synapses, replayed on the step grid as the clock
    /// engine computes it (eq. 4.4-4.5, <see cref="Simulation.Transmission"/>): y ← y·e^{−dt} + Q(n), with Q(n) the charge
    /// the source's kernel delivers in step n from the spikes of steps ≤ n (square: dt/τ_s per whole step of the pulse and
    /// the remainder in the last; exponential: (1 − e^{−dt/τ_s})·e^{−(m−1)·dt/τ_s} in the m-th step; delta: all at once).
    /// </summary>
    private static double[] SlowLatents(LowRankNetwork net, IReadOnlyDictionary<string, double> initial, double dt, double[] times, List<Spike> spikes)
    {
        int k = net.Latents.Count;
        var kernels = net.Latents.Select(l => KernelWeights(net.Populations[net.PopulationIndex(l.Source)].Synapse, dt)).ToArray();
        var sources = net.Latents.Select(l => net.PopulationIndex(l.Source)).ToArray();
        var y = net.Latents.Select(l => initial.TryGetValue(l.Name, out double v) ? v : 0.0).ToArray();
        var pending = new double[k];
        var window = new double[k];
        var rings = kernels.Select(w => new double[w.FullSteps + 1]).ToArray();
        var flat = new double[times.Length * k];
        double decay = Math.Exp(-dt);
        long lastStep = times.Length == 0 ? 0 : (long)Math.Round(times[^1] / dt);
        var input = new double[k];
        int next = 0;
        int record = 0;
        for (long n = 0; n <= lastStep; n++)
        {
            if (n > 0)
            {
                Array.Clear(input);
                for (; next < spikes.Count && spikes[next].Step <= n; next++)
                {
                    var sp = spikes[next];
                    for (int l = 0; l < k; l++)
                    {
                        if (sources[l] == sp.Population && sp.Step == n)
                        {
                            input[l] += net.Latents[l].Decoders[sp.Neuron];
                        }
                    }
                }

                for (int l = 0; l < k; l++)
                {
                    var w = kernels[l];
                    double charge;
                    if (w.Exponential)
                    {
                        pending[l] = (pending[l] * w.Decay) + input[l];
                        charge = w.Gain * pending[l];
                    }
                    else
                    {
                        // The ring holds the spike sums of steps n − F … n; W is the sum over the F whole-weight
                        // steps n − F + 1 … n, and step n − F gets the tail weight. With F = 0 the tail is S(n) itself.
                        double[] ring = rings[l];
                        ring[(int)(n % ring.Length)] = input[l];
                        double tail = ring[(int)((n + 1) % ring.Length)];
                        window[l] += input[l] - tail;
                        charge = (w.FullWeight * window[l]) + (w.TailWeight * tail);
                    }

                    y[l] = (y[l] * decay) + charge;
                }
            }

            while (record < times.Length && (long)Math.Round(times[record] / dt) == n)
            {
                Array.Copy(y, 0, flat, record * k, k);
                record++;
            }
        }

        return flat;
    }

    /// <summary>The per-step charge weights of a kernel, exactly as <see cref="Simulation.Transmission"/> computes them.</summary>
    private static (bool Exponential, double Decay, double Gain, int FullSteps, double FullWeight, double TailWeight) KernelWeights(SynapseKernel kernel, double dt)
    {
        if (kernel.Kind == SynapseKind.Exponential)
        {
            double decay = Math.Exp(-dt / kernel.Tau);
            return (true, decay, 1.0 - decay, 0, 0, 0);
        }

        if (kernel.IsDelta)
        {
            return (false, 0, 0, 0, 0, 1.0);
        }

        double steps = kernel.Tau / dt;
        double nearest = Math.Round(steps);
        if (nearest >= 1 && Math.Abs(steps - nearest) <= 1e-9 * steps)
        {
            return (false, 0, 0, (int)Math.Min(nearest, int.MaxValue), 1.0 / nearest, 0.0);
        }

        if (steps < 1)
        {
            return (false, 0, 0, 0, 0, 1.0);
        }

        int full = (int)Math.Min(Math.Floor(steps), int.MaxValue);
        double weight = dt / kernel.Tau;
        return (false, 0, 0, full, weight, Math.Max(0.0, 1.0 - (full * weight)));
    }

    private static int[][] Counts(Experiment experiment, List<Spike> spikes)
    {
        var counts = experiment.Network.Populations.Select(p => new int[p.Size]).ToArray();
        foreach (var s in spikes)
        {
            counts[s.Population][s.Neuron]++;
        }

        return counts;
    }

    private static Summary ReadSummary(string path)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new RunDataException(path, 0, "not found; is this a directory written by latentspikes simulate?");
        }

        try
        {
            using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
            var root = doc.RootElement;
            var spec = root.GetProperty("spec");
            bool batch = root.TryGetProperty("trials", out _);
            var status = SimulationStatus.Completed;
            string detail = "completed";
            long steps = 0;
            if (!batch)
            {
                string text = root.GetProperty("status").GetString() ?? string.Empty;
                status = SimulationStatusText.Parse(text) ?? throw new RunDataException(path, 0, $"status: unknown status '{text}'");
                detail = root.GetProperty("status_detail").GetString() ?? string.Empty;
                steps = root.GetProperty("steps").GetInt64();
            }

            return new Summary(
                root.GetProperty("engine").GetString() ?? "clock",
                batch,
                steps,
                status,
                detail,
                root.GetProperty("seed").GetUInt64(),
                root.GetProperty("dt").GetDouble(),
                root.GetProperty("duration").GetDouble(),
                spec.GetProperty("file").GetString() ?? string.Empty,
                spec.GetProperty("sha256").GetString() ?? string.Empty);
        }
        catch (JsonException e)
        {
            throw new RunDataException(path, (int)(e.LineNumber ?? -1) + 1, $"not valid JSON: {e.Message}");
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new RunDataException(path, 0, $"lacks a field a run summary has, or has one of the wrong type ({e.Message})");
        }
    }

    private static Experiment LoadExperiment(string directory, string summaryPath, Summary summary)
    {
        string copy = Path.Combine(directory, RunWriter.SpecCopyFile);
        if (System.IO.File.Exists(copy))
        {
            return SpecReader.LoadFile(copy).Experiment;
        }

        // Runs written before the spec copy existed: the original spec, if it is unchanged, plus the run's settings.
        if (!System.IO.File.Exists(summary.SpecFile))
        {
            throw new RunDataException(directory, 0, $"cannot rebuild the network: no {RunWriter.SpecCopyFile} here and the spec '{summary.SpecFile}' named in summary.json is not found; rerun simulate");
        }

        var loaded = SpecReader.LoadFile(summary.SpecFile);
        if (!string.Equals(loaded.Hash, summary.SpecHash, StringComparison.OrdinalIgnoreCase))
        {
            throw new RunDataException(summaryPath, 0, $"cannot rebuild the network: the spec '{summary.SpecFile}' changed since the run (sha256 differs) and there is no {RunWriter.SpecCopyFile}; rerun simulate");
        }

        var s = loaded.Experiment.Settings with { Seed = summary.Seed, Dt = summary.Dt, Duration = summary.Duration };
        return loaded.Experiment.WithSettings(s);
    }

    /// <remarks>Times are written rounded to 10 decimals; they are read back as step·dt, the engine's exact value.</remarks>
    private static (double[] Times, double[] Inputs, double[] Latents) ReadLatents(string path, LowRankNetwork network, double dt)
    {
        int m = network.InputDimension;
        int k = network.Latents.Count;
        string[] expected = ["t", .. Enumerable.Range(1, m).Select(i => $"x{i}"), .. network.Latents.Select(l => l.Name)];
        var times = new List<double>();
        var inputs = new List<double>();
        var latents = new List<double>();
        foreach (var (line, cells) in Rows(path, string.Join(',', expected)))
        {
            times.Add(Math.Round(Number(cells[0], path, line) / dt) * dt);
            for (int d = 0; d < m; d++)
            {
                inputs.Add(Number(cells[1 + d], path, line));
            }

            for (int l = 0; l < k; l++)
            {
                latents.Add(Number(cells[1 + m + l], path, line));
            }
        }

        return times.Count == 0 ? throw new RunDataException(path, 0, "holds no samples") : (times.ToArray(), inputs.ToArray(), latents.ToArray());
    }

    /// <summary>The recording grid of a batch: the time column of its mean latents.</summary>
    private static double[] ReadMeanLatentTimes(string path, LowRankNetwork network, double dt)
    {
        string header = string.Join(',', ["t", .. Enumerable.Range(1, network.InputDimension).Select(i => $"x{i}"), .. network.Latents.Select(l => l.Name), "trials"]);
        var times = Rows(path, header).Select(r => Math.Round(Number(r.Cells[0], path, r.Line) / dt) * dt).ToArray();
        return times.Length == 0 ? throw new RunDataException(path, 0, "holds no samples") : times;
    }

    private static List<(ulong Trial, SimulationStatus Status, double Duration)> ReadTrialRows(string path)
    {
        var rows = new List<(ulong, SimulationStatus, double)>();
        foreach (var (line, cells) in Rows(path, null))
        {
            if (line == 1)
            {
                if (cells.Length < 3 || cells[0] != "trial" || cells[1] != "status" || cells[2] != "simulated_duration")
                {
                    throw new RunDataException(path, 1, "header does not start with 'trial,status,simulated_duration'");
                }

                continue;
            }

            var status = SimulationStatusText.Parse(cells[1]) ?? throw new RunDataException(path, line, $"unknown status '{cells[1]}'");
            rows.Add((Trial(cells[0], path, line), status, Number(cells[2], path, line)));
        }

        return rows.Count == 0 ? throw new RunDataException(path, 0, "lists no trials") : rows;
    }

    /// <summary>Spikes per trial (trial 0 for a single run), in emission order, with times as the engine made them.</summary>
    private static Dictionary<ulong, List<Spike>> ReadSpikes(string path, Experiment experiment, string engine, bool batch)
    {
        var pops = experiment.Network.Populations;
        double dt = experiment.Settings.Dt;

        // Clock-engine spikes sit on the grid (written rounded, read back as step·dt); event-engine spikes keep their
        // exact times, in the step n ≥ 1 with (n − 1)·dt < t ≤ n·dt.
        bool onGrid = engine != "event";
        var byTrial = new Dictionary<ulong, List<Spike>> { [0] = [] };
        var last = new Dictionary<ulong, double>();
        int offset = batch ? 1 : 0;
        foreach (var (line, cells) in Rows(path, batch ? "trial,t,population,neuron" : "t,population,neuron"))
        {
            ulong trial = batch ? Trial(cells[0], path, line) : 0;
            double t = Number(cells[offset], path, line);
            string name = cells[offset + 1];
            int p = experiment.Network.PopulationIndex(name);
            if (p < 0)
            {
                throw new RunDataException(path, line, $"no population called '{name}' in the run's network");
            }

            if (!int.TryParse(cells[offset + 2], NumberStyles.None, CultureInfo.InvariantCulture, out int neuron) || neuron >= pops[p].Size)
            {
                throw new RunDataException(path, line, $"neuron '{cells[offset + 2]}' is not an index of population '{name}' (size {pops[p].Size})");
            }

            if (last.TryGetValue(trial, out double previous) && t < previous)
            {
                throw new RunDataException(path, line, "spikes are not in time order");
            }

            last[trial] = t;
            long step = onGrid ? (long)Math.Round(t / dt) : Math.Max(1, (long)Math.Ceiling((t / dt) - 1e-9));
            if (!byTrial.TryGetValue(trial, out var list))
            {
                byTrial[trial] = list = [];
            }

            list.Add(new Spike(step, onGrid ? step * dt : t, p, neuron));
        }

        return byTrial;
    }

    /// <summary>The data rows of a CSV file as (line number, cells); the header must equal <paramref name="header"/> unless that is null (then it is returned as line 1).</summary>
    private static IEnumerable<(int Line, string[] Cells)> Rows(string path, string? header)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new RunDataException(path, 0, "not found; is this a directory written by latentspikes simulate?");
        }

        using var reader = new StreamReader(path);
        string? first = reader.ReadLine();
        int width;
        if (header is null)
        {
            string[] cells = (first ?? string.Empty).Split(',');
            width = cells.Length;
            yield return (1, cells);
        }
        else if (!string.Equals(first, header, StringComparison.Ordinal))
        {
            throw new RunDataException(path, 1, $"header '{first}' does not match the run's network (expected '{header}')");
        }
        else
        {
            width = header.Split(',').Length;
        }

        int line = 1;
        while (reader.ReadLine() is { } row)
        {
            line++;
            string[] cells = row.Split(',');
            if (cells.Length != width)
            {
                throw new RunDataException(path, line, $"has {cells.Length} columns, expected {width}");
            }

            yield return (line, cells);
        }
    }

    private static double Number(string cell, string path, int line) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v
            : throw new RunDataException(path, line, $"'{cell}' is not a number");

    private static ulong Trial(string cell, string path, int line) =>
        ulong.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v)
            ? v
            : throw new RunDataException(path, line, $"'{cell}' is not a trial index");
}
