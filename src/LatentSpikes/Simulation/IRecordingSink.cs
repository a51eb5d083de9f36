namespace LatentSpikes.Simulation;

/// <summary>
/// Receives a run's recordings in chunks while it runs, so a long run need not hold every spike and record in memory
/// (see <see cref="ClockDrivenEngine.Run(Model.Experiment, IRecordingSink, IProgress{double}?, CancellationToken)"/>).
/// Chunks arrive in order; the spans are only valid during the call.
/// </summary>
public interface IRecordingSink
{
    /// <summary>Receives consecutive record rows: their times (τ), inputs [row, dimension] and latents [row, latent], row-major.</summary>
    void WriteRecords(ReadOnlySpan<double> times, ReadOnlySpan<double> inputs, ReadOnlySpan<double> latents);

    /// <summary>Receives the next spikes, in emission order.</summary>
    void WriteSpikes(ReadOnlySpan<Spike> spikes);
}

/// <summary>Feeds an in-memory result to a sink, in the same chunks and order a streaming run would.</summary>
public static class RecordingReplay
{
    /// <summary>Records per chunk.</summary>
    public const int RecordChunk = 4096;

    /// <summary>Spikes per chunk.</summary>
    public const int SpikeChunk = 1 << 16;

    /// <summary>Sends every record and spike of <paramref name="result"/> to <paramref name="sink"/>.</summary>
    /// <exception cref="ArgumentException">The result was streamed, so it holds no recordings to replay.</exception>
    public static void Replay(SimulationResult result, IRecordingSink sink)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(sink);
        if (result.Streamed)
        {
            throw new ArgumentException("this result was streamed to a sink while it ran; it holds no recordings", nameof(result));
        }

        int m = result.Experiment.Network.InputDimension;
        int k = result.Experiment.Network.Latents.Count;
        double[] times = result.TimesArray;
        for (int r = 0; r < times.Length; r += RecordChunk)
        {
            int rows = Math.Min(RecordChunk, times.Length - r);
            sink.WriteRecords(times.AsSpan(r, rows), result.InputsArray.AsSpan(r * m, rows * m), result.LatentsArray.AsSpan(r * k, rows * k));
        }

        var buffer = new Spike[Math.Min(SpikeChunk, Math.Max(1, result.Spikes.Count))];
        for (int s = 0; s < result.Spikes.Count; s += buffer.Length)
        {
            int n = Math.Min(buffer.Length, result.Spikes.Count - s);
            for (int i = 0; i < n; i++)
            {
                buffer[i] = result.Spikes[s + i];
            }

            sink.WriteSpikes(buffer.AsSpan(0, n));
        }
    }
}
