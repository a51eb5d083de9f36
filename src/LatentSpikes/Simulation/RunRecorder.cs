using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LatentSpikes.Model;

namespace LatentSpikes.Simulation;

/// <summary>
/// One run's recordings, shared by the clock, event and rate engines so the record grid, the spike counts, the
/// chunking and the sink flushing are written once: rows and spikes are held in memory, or, with a sink, handed on
/// in chunks of <see cref="RecordingReplay.RecordChunk"/> records and <see cref="RecordingReplay.SpikeChunk"/> spikes
/// (memory bounded however long the run). Engines decide <em>when</em> to record (on the grid t = r·record_every·dt,
/// plus the event engine's moment of explosion); the recorder decides where the data go.
/// </summary>
internal sealed class RunRecorder
{
    private readonly Experiment _exp;
    private readonly IRecordingSink? _sink;
    private readonly int _recordChunk;
    private readonly int _spikeChunk;
    private readonly List<double> _times;
    private readonly List<double> _xs;
    private readonly List<double> _ys;
    private readonly List<Spike> _spikes = [];

    /// <summary>Starts the recordings of a run.</summary>
    /// <param name="experiment">The run (sizes and record grid).</param>
    /// <param name="sink">Receives the chunks; null keeps everything for the result.</param>
    /// <param name="recordChunk">Records per chunk (streaming only).</param>
    /// <param name="spikeChunk">Spikes per chunk (streaming only).</param>
    public RunRecorder(Experiment experiment, IRecordingSink? sink, int recordChunk = RecordingReplay.RecordChunk, int spikeChunk = RecordingReplay.SpikeChunk)
    {
        _exp = experiment;
        _sink = sink;
        _recordChunk = sink is null ? int.MaxValue : Math.Max(1, recordChunk);
        _spikeChunk = sink is null ? int.MaxValue : Math.Max(1, spikeChunk);
        var s = experiment.Settings;
        long records = (s.StepCount / s.RecordEvery) + 1;
        long capacity = Math.Min(records, Math.Min(1 << 20, _recordChunk));
        _times = new List<double>((int)capacity);
        _xs = new List<double>((int)Math.Min(capacity * experiment.Network.InputDimension, 1 << 20));
        _ys = new List<double>((int)Math.Min(capacity * experiment.Network.Latents.Count, 1 << 20));
        Counts = experiment.Network.Populations.Select(p => new int[p.Size]).ToArray();
    }

    /// <summary>Spikes per neuron so far: [population][neuron].</summary>
    public int[][] Counts { get; }

    /// <summary>Appends one record row.</summary>
    public void Record(double t, ReadOnlySpan<double> inputs, ReadOnlySpan<double> latents)
    {
        _times.Add(t);
        _xs.AddRange(inputs);
        _ys.AddRange(latents);
        if (_times.Count >= _recordChunk)
        {
            FlushRecords();
        }
    }

    /// <summary>Appends one spike and counts it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Spike(long step, double t, int population, int neuron)
    {
        _spikes.Add(new Spike(step, t, population, neuron));
        Counts[population][neuron]++;
        if (_spikes.Count >= _spikeChunk)
        {
            FlushSpikes();
        }
    }

    /// <summary>
    /// The run's result: everything recorded, or (streaming) the last chunks flushed and counts only.
    /// </summary>
    /// <param name="engine">The engine's name.</param>
    /// <param name="simulated">Steps simulated.</param>
    /// <param name="status">How the run ended.</param>
    /// <param name="detail">One line on why.</param>
    /// <param name="rates">The rate twin's per-neuron rates, if recorded.</param>
    public SimulationResult Finish(string engine, long simulated, SimulationStatus status, string detail, double[]? rates = null)
    {
        if (_sink is null)
        {
            return new SimulationResult(_exp, engine, simulated, _times.ToArray(), _xs.ToArray(), _ys.ToArray(), _spikes, Counts, status, detail, rates: rates);
        }

        if (_times.Count > 0)
        {
            FlushRecords();
        }

        if (_spikes.Count > 0)
        {
            FlushSpikes();
        }

        return new SimulationResult(_exp, engine, simulated, [], [], [], [], Counts, status, detail, streamed: true, rates: rates);
    }

    private void FlushRecords()
    {
        _sink!.WriteRecords(CollectionsMarshal.AsSpan(_times), CollectionsMarshal.AsSpan(_xs), CollectionsMarshal.AsSpan(_ys));
        _times.Clear();
        _xs.Clear();
        _ys.Clear();
    }

    private void FlushSpikes()
    {
        _sink!.WriteSpikes(CollectionsMarshal.AsSpan(_spikes));
        _spikes.Clear();
    }
}
