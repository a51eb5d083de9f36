using System.Globalization;
using System.Text;
using LatentSpikes.Model;
using LatentSpikes.Simulation;
using LatentSpikes.Specs;

namespace LatentSpikes.IO;

/// <summary>The file formats a run can be written in (any combination).</summary>
[Flags]
public enum RunFormats
{
    /// <summary>Nothing beyond <c>summary.json</c> and <c>spec.yaml</c>.</summary>
    None = 0,

    /// <summary><c>latents.csv</c> and <c>spikes.csv</c> (the default; what <c>analyze</c> reads).</summary>
    Csv = 1,

    /// <summary>NumPy arrays: <c>times.npy</c>, <c>inputs.npy</c>, <c>latents.npy</c>, <c>spike_times.npy</c>, <c>spike_populations.npy</c>, <c>spike_neurons.npy</c>.</summary>
    Npy = 2,

    /// <summary>An NWB 2.x file, <c>run.nwb</c> (units table and latents time series; see docs/formats.md).</summary>
    Nwb = 4,

    /// <summary>A SONATA spike report, <c>spikes.h5</c>.</summary>
    Sonata = 8,
}

/// <summary>Names and parsing of <see cref="RunFormats"/>.</summary>
public static class RunFormatNames
{
    /// <summary>Every format name, as accepted by <see cref="Parse"/>.</summary>
    public static readonly string[] Names = ["csv", "npy", "nwb", "sonata"];

    /// <summary>Every file any format may write into a run directory.</summary>
    public static readonly string[] Files =
        ["latents.csv", "spikes.csv", .. RunOutputWriter.NpyFiles, RunOutputWriter.NwbFile, RunOutputWriter.SonataFile];

    /// <summary>Parses a comma-separated list such as <c>csv,npy</c>.</summary>
    /// <exception cref="ArgumentException">An unknown or empty name; the message names it and lists the known ones.</exception>
    public static RunFormats Parse(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var formats = RunFormats.None;
        foreach (string raw in list.Split(','))
        {
            string name = raw.Trim().ToLowerInvariant();
            formats |= name switch
            {
                "csv" => RunFormats.Csv,
                "npy" => RunFormats.Npy,
                "nwb" => RunFormats.Nwb,
                "sonata" => RunFormats.Sonata,
                _ => throw new ArgumentException($"unknown format '{raw.Trim()}' (known: {string.Join(", ", Names)}; give a comma-separated list)"),
            };
        }

        return formats;
    }
}

/// <summary>
/// Writes a run directory as the run goes: an <see cref="IRecordingSink"/> that appends every chunk of records and
/// spikes to the chosen formats at once, keeping only per-latent running statistics (and, while the run is small,
/// a copy for the figure). <see cref="Complete"/> then writes <c>summary.json</c>, <c>spec.yaml</c> and the HDF5 files.
/// Memory stays bounded however long the run: CSV and <c>.npy</c> stream straight to disk, and NWB/SONATA, whose
/// layout needs the totals first, read the spikes back from a temporary spool in bounded passes.
/// </summary>
public sealed class RunOutputWriter : IRecordingSink, IDisposable
{
    /// <summary>The <c>.npy</c> files of <see cref="RunFormats.Npy"/>.</summary>
    public static readonly string[] NpyFiles = ["times.npy", "inputs.npy", "latents.npy", "spike_times.npy", "spike_populations.npy", "spike_neurons.npy"];

    /// <summary>The NWB file name.</summary>
    public const string NwbFile = "run.nwb";

    /// <summary>The SONATA spike report file name.</summary>
    public const string SonataFile = "spikes.h5";

    /// <summary>Runs with more spikes than this get no raster figure (it would be unreadable and its copy unbounded).</summary>
    public const int FigureSpikeLimit = 1_000_000;

    /// <summary>Runs with more records than this get no figure.</summary>
    public const int FigureRecordLimit = 1 << 20;

    private readonly Experiment _exp;
    private readonly string _directory;
    private readonly RunFormats _formats;
    private readonly int _m;
    private readonly int _k;
    private readonly string[] _populationNames;
    private readonly StreamWriter? _latentsCsv;
    private readonly StreamWriter? _spikesCsv;
    private readonly NpyWriter? _timesNpy;
    private readonly NpyWriter? _inputsNpy;
    private readonly NpyWriter? _latentsNpy;
    private readonly NpyWriter? _spikeTimesNpy;
    private readonly NpyWriter? _spikePopulationsNpy;
    private readonly NpyWriter? _spikeNeuronsNpy;
    private readonly SpikeSpool? _spikeSpool;
    private readonly RecordSpool? _recordSpool;
    private readonly double[] _latentSums;
    private readonly double[] _latentLast;
    private readonly StringBuilder _line = new(128);
    private readonly double[] _timeBuffer = new double[RecordingReplay.SpikeChunk];
    private readonly int[] _intBuffer = new int[RecordingReplay.SpikeChunk];
    private List<double>? _figureTimes;
    private List<double>? _figureInputs;
    private List<double>? _figureLatents;
    private List<Spike>? _figureSpikes;
    private bool _disposed;

    /// <summary>Opens the output files in <paramref name="directory"/> (which must exist).</summary>
    /// <param name="experiment">The experiment being run.</param>
    /// <param name="directory">Where to write.</param>
    /// <param name="formats">Which data formats to write.</param>
    /// <param name="keepForFigure">Keep an in-memory copy (up to <see cref="FigureSpikeLimit"/> spikes) for <see cref="FigureResult"/>.</param>
    public RunOutputWriter(Experiment experiment, string directory, RunFormats formats, bool keepForFigure = false)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(directory);
        _exp = experiment;
        _directory = directory;
        _formats = formats;
        var net = experiment.Network;
        _m = net.InputDimension;
        _k = net.Latents.Count;
        _populationNames = net.Populations.Select(p => p.Name).ToArray();
        _latentSums = new double[_k];
        _latentLast = new double[_k];
        if (keepForFigure)
        {
            (_figureTimes, _figureInputs, _figureLatents, _figureSpikes) = ([], [], [], []);
        }

        if (formats.HasFlag(RunFormats.Csv))
        {
            _latentsCsv = OpenText("latents.csv");
            _latentsCsv.WriteLine("t" + string.Concat(Enumerable.Range(1, _m).Select(i => $",x{i}").Concat(net.Latents.Select(l => "," + l.Name))));
            _spikesCsv = OpenText("spikes.csv");
            _spikesCsv.WriteLine("t,population,neuron");
        }

        if (formats.HasFlag(RunFormats.Npy))
        {
            _timesNpy = new NpyWriter(Path.Combine(directory, "times.npy"), NpyType.Float64);
            _inputsNpy = new NpyWriter(Path.Combine(directory, "inputs.npy"), NpyType.Float64, _m);
            _latentsNpy = new NpyWriter(Path.Combine(directory, "latents.npy"), NpyType.Float64, _k);
            _spikeTimesNpy = new NpyWriter(Path.Combine(directory, "spike_times.npy"), NpyType.Float64);
            _spikePopulationsNpy = new NpyWriter(Path.Combine(directory, "spike_populations.npy"), NpyType.Int32);
            _spikeNeuronsNpy = new NpyWriter(Path.Combine(directory, "spike_neurons.npy"), NpyType.Int32);
        }

        if (formats.HasFlag(RunFormats.Nwb) || formats.HasFlag(RunFormats.Sonata))
        {
            _spikeSpool = new SpikeSpool(Path.Combine(directory, ".spikes.spool"));
        }

        if (formats.HasFlag(RunFormats.Nwb))
        {
            _recordSpool = new RecordSpool(Path.Combine(directory, ".records.spool"), _m, _k);
        }
    }

    /// <summary>Spikes per pass when the NWB writer sorts spike times by unit; tests make it tiny to exercise several passes.</summary>
    internal int NwbSpikeBudget { get; init; } = NwbWriter.DefaultSpikeBudget;

    /// <summary>Spikes buffered by the SONATA writer; tests make it tiny.</summary>
    internal int SonataSpikeBudget { get; init; } = SonataWriter.DefaultBudget;

    /// <summary>The spike limit for the figure copy; tests lower it to exercise dropping the copy.</summary>
    internal int FigureSpikes { get; init; } = FigureSpikeLimit;

    /// <summary>Record rows received so far.</summary>
    public long Records { get; private set; }

    /// <summary>Spikes received so far.</summary>
    public long SpikeTotal { get; private set; }

    /// <summary>Each latent's last recorded value.</summary>
    public IReadOnlyList<double> LatentFinal => _latentLast;

    /// <summary>Each latent's mean over the records (summed in record order, as <see cref="Enumerable.Average(IEnumerable{double})"/> does).</summary>
    public IReadOnlyList<double> LatentMean => _latentSums.Select(s => Records == 0 ? double.NaN : s / Records).ToArray();

    /// <summary>
    /// After <see cref="Complete"/>: an in-memory copy of the run for its figure, or null if it was not kept or the
    /// run outgrew <see cref="FigureSpikeLimit"/> or <see cref="FigureRecordLimit"/>.
    /// </summary>
    public SimulationResult? FigureResult { get; private set; }

    /// <summary>The time written for a spike or record: rounded to 10 decimals, which removes float noise such as 0.30000000000000004.</summary>
    public static double CsvTime(double t) => Math.Round(t, 10);

    /// <summary>
    /// A written time (<see cref="CsvTime"/>, in τ) converted to another unit by <paramref name="factor"/> (e.g.
    /// τ_ms/1000 for seconds) in decimal arithmetic, so the converted value is the double nearest the exact decimal
    /// product: 0.3 τ at τ = 10 ms is 0.003 s, not 0.0030000000000000005.
    /// </summary>
    public static double ConvertedTime(double t, decimal factor) => (double)((decimal)CsvTime(t) * factor);

    /// <inheritdoc />
    public void WriteRecords(ReadOnlySpan<double> times, ReadOnlySpan<double> inputs, ReadOnlySpan<double> latents)
    {
        for (int r = 0; r < times.Length; r++)
        {
            for (int l = 0; l < _k; l++)
            {
                double y = latents[(r * _k) + l];
                _latentSums[l] += y;
                _latentLast[l] = y;
            }
        }

        if (_latentsCsv is not null)
        {
            for (int r = 0; r < times.Length; r++)
            {
                _line.Clear();
                _line.Append(Num(CsvTime(times[r])));
                for (int d = 0; d < _m; d++)
                {
                    _line.Append(',').Append(Num(inputs[(r * _m) + d]));
                }

                for (int l = 0; l < _k; l++)
                {
                    _line.Append(',').Append(Num(latents[(r * _k) + l]));
                }

                _latentsCsv.WriteLine(_line);
            }
        }

        if (_timesNpy is not null)
        {
            for (int start = 0; start < times.Length; start += _timeBuffer.Length)
            {
                int n = Math.Min(_timeBuffer.Length, times.Length - start);
                for (int i = 0; i < n; i++)
                {
                    _timeBuffer[i] = CsvTime(times[start + i]);
                }

                _timesNpy.Append(_timeBuffer.AsSpan(0, n));
            }

            _inputsNpy!.Append(inputs);
            _latentsNpy!.Append(latents);
        }

        _recordSpool?.Append(times, inputs, latents);
        Records += times.Length;
        if (_figureTimes is not null)
        {
            if (Records > FigureRecordLimit)
            {
                DropFigureCopy();
            }
            else
            {
                _figureTimes.AddRange(times);
                _figureInputs!.AddRange(inputs);
                _figureLatents!.AddRange(latents);
            }
        }
    }

    /// <inheritdoc />
    public void WriteSpikes(ReadOnlySpan<Spike> spikes)
    {
        if (_spikesCsv is not null)
        {
            foreach (var s in spikes)
            {
                _spikesCsv.Write(Num(CsvTime(s.Time)));
                _spikesCsv.Write(',');
                _spikesCsv.Write(_populationNames[s.Population]);
                _spikesCsv.Write(',');
                _spikesCsv.WriteLine(s.Neuron.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (_spikeTimesNpy is not null)
        {
            for (int start = 0; start < spikes.Length; start += _timeBuffer.Length)
            {
                var part = spikes.Slice(start, Math.Min(_timeBuffer.Length, spikes.Length - start));
                for (int i = 0; i < part.Length; i++)
                {
                    _timeBuffer[i] = CsvTime(part[i].Time);
                }

                _spikeTimesNpy.Append(_timeBuffer.AsSpan(0, part.Length));
                for (int i = 0; i < part.Length; i++)
                {
                    _intBuffer[i] = part[i].Population;
                }

                _spikePopulationsNpy!.Append(_intBuffer.AsSpan(0, part.Length));
                for (int i = 0; i < part.Length; i++)
                {
                    _intBuffer[i] = part[i].Neuron;
                }

                _spikeNeuronsNpy!.Append(_intBuffer.AsSpan(0, part.Length));
            }
        }

        _spikeSpool?.Append(spikes);
        SpikeTotal += spikes.Length;
        if (_figureSpikes is not null)
        {
            if (SpikeTotal > FigureSpikes)
            {
                DropFigureCopy();
            }
            else
            {
                _figureSpikes.AddRange(spikes);
            }
        }
    }

    /// <summary>
    /// Closes the streamed files and writes <c>summary.json</c>, <c>spec.yaml</c> and the NWB and SONATA files.
    /// </summary>
    /// <param name="result">The run's result (streamed or not): steps, status and spike counts.</param>
    /// <param name="provenance">Spec file and hash.</param>
    public void Complete(SimulationResult result, RunProvenance provenance)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(provenance);
        CloseStreams();
        if (result.TotalSpikes != SpikeTotal)
        {
            throw new InvalidOperationException($"the writer received {SpikeTotal} spikes but the run counted {result.TotalSpikes}");
        }

        RunWriter.WriteSummary(result, provenance, new RunStatistics(SpikeTotal, LatentFinal, LatentMean), Path.Combine(_directory, "summary.json"));
        RunWriter.WriteSpecCopy(result, provenance, Path.Combine(_directory, RunWriter.SpecCopyFile));
        if (_formats.HasFlag(RunFormats.Nwb))
        {
            NwbWriter.Write(Path.Combine(_directory, NwbFile), result, provenance, _spikeSpool!, _recordSpool!, NwbSpikeBudget);
        }

        if (_formats.HasFlag(RunFormats.Sonata))
        {
            SonataWriter.Write(Path.Combine(_directory, SonataFile), result, _spikeSpool!, SonataSpikeBudget);
        }

        if (_figureTimes is not null)
        {
            FigureResult = new SimulationResult(
                _exp, result.Engine, result.StepsSimulated, [.. _figureTimes], [.. _figureInputs!], [.. _figureLatents!], _figureSpikes!,
                result.SpikeCounts.ToArray(), result.Status, result.StatusDetail);
        }

        Dispose();
    }

    /// <summary>Closes every file and removes the temporary spools.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        CloseStreams();
        _spikeSpool?.Dispose();
        _recordSpool?.Dispose();
    }

    private void CloseStreams()
    {
        _latentsCsv?.Dispose();
        _spikesCsv?.Dispose();
        _timesNpy?.Dispose();
        _inputsNpy?.Dispose();
        _latentsNpy?.Dispose();
        _spikeTimesNpy?.Dispose();
        _spikePopulationsNpy?.Dispose();
        _spikeNeuronsNpy?.Dispose();
    }

    private void DropFigureCopy() => (_figureTimes, _figureInputs, _figureLatents, _figureSpikes) = (null, null, null, null);

    private StreamWriter OpenText(string name) =>
        new(Path.Combine(_directory, name), false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>What <c>summary.json</c> reports beyond the counts in the result: totals and per-latent final value and mean.</summary>
/// <param name="TotalSpikes">Spikes in the run.</param>
/// <param name="LatentFinal">Each latent's last recorded value.</param>
/// <param name="LatentMean">Each latent's mean over the records.</param>
public sealed record RunStatistics(long TotalSpikes, IReadOnlyList<double> LatentFinal, IReadOnlyList<double> LatentMean);
