using System.Buffers.Binary;
using LatentSpikes.Simulation;

namespace LatentSpikes.IO;

/// <summary>
/// A run's spikes in a temporary binary file (time as a double, population and neuron as int32: 16 bytes each), so the
/// HDF5 writers, which need the totals before they write, can make bounded-memory passes over them after the run.
/// </summary>
internal sealed class SpikeSpool : IDisposable
{
    private const int RecordBytes = 16;
    private readonly string _path;
    private readonly FileStream _stream;
    private readonly byte[] _buffer = new byte[RecordBytes * 4096];

    public SpikeSpool(string path)
    {
        _path = path;
        _stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
    }

    /// <summary>Spikes spooled so far.</summary>
    public long Count { get; private set; }

    /// <summary>Appends spikes with their times already rounded as in <c>spikes.csv</c>.</summary>
    public void Append(ReadOnlySpan<Spike> spikes)
    {
        int per = _buffer.Length / RecordBytes;
        for (int start = 0; start < spikes.Length; start += per)
        {
            var part = spikes.Slice(start, Math.Min(per, spikes.Length - start));
            for (int i = 0; i < part.Length; i++)
            {
                var b = _buffer.AsSpan(i * RecordBytes, RecordBytes);
                BinaryPrimitives.WriteDoubleLittleEndian(b, RunOutputWriter.CsvTime(part[i].Time));
                BinaryPrimitives.WriteInt32LittleEndian(b[8..], part[i].Population);
                BinaryPrimitives.WriteInt32LittleEndian(b[12..], part[i].Neuron);
            }

            _stream.Write(_buffer, 0, part.Length * RecordBytes);
        }

        Count += spikes.Length;
    }

    /// <summary>Reads every spike back in emission order, calling <paramref name="visit"/> with (time, population, neuron).</summary>
    public void ForEach(Action<double, int, int> visit)
    {
        _stream.Flush();
        _stream.Position = 0;
        int read;
        while ((read = ReadFull(_buffer)) > 0)
        {
            for (int o = 0; o + RecordBytes <= read; o += RecordBytes)
            {
                var b = _buffer.AsSpan(o, RecordBytes);
                visit(BinaryPrimitives.ReadDoubleLittleEndian(b), BinaryPrimitives.ReadInt32LittleEndian(b[8..]), BinaryPrimitives.ReadInt32LittleEndian(b[12..]));
            }
        }

        _stream.Position = _stream.Length;
    }

    public void Dispose()
    {
        _stream.Dispose();
        File.Delete(_path);
    }

    private int ReadFull(byte[] buffer)
    {
        int total = 0;
        int n;
        while (total < buffer.Length && (n = _stream.Read(buffer, total, buffer.Length - total)) > 0)
        {
            total += n;
        }

        return total;
    }
}

/// <summary>Record rows (time, inputs, latents; doubles) in a temporary binary file, for the NWB writer's chunked passes.</summary>
internal sealed class RecordSpool : IDisposable
{
    private readonly string _path;
    private readonly FileStream _stream;
    private readonly int _width;

    public RecordSpool(string path, int inputs, int latents)
    {
        _path = path;
        Inputs = inputs;
        Latents = latents;
        _width = 1 + inputs + latents;
        _stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
    }

    public int Inputs { get; }

    public int Latents { get; }

    /// <summary>Rows spooled so far.</summary>
    public long Count { get; private set; }

    public void Append(ReadOnlySpan<double> times, ReadOnlySpan<double> inputs, ReadOnlySpan<double> latents)
    {
        var row = new byte[_width * 8];
        for (int r = 0; r < times.Length; r++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(row, RunOutputWriter.CsvTime(times[r]));
            for (int d = 0; d < Inputs; d++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(row.AsSpan((1 + d) * 8), inputs[(r * Inputs) + d]);
            }

            for (int l = 0; l < Latents; l++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(row.AsSpan((1 + Inputs + l) * 8), latents[(r * Latents) + l]);
            }

            _stream.Write(row);
        }

        Count += times.Length;
    }

    /// <summary>
    /// Reads the rows back in blocks of at most <paramref name="rowsPerBlock"/>: (first row, rows, times, inputs,
    /// latents). The arrays are reused from block to block (so memory stays bounded), and only their first rows are valid.
    /// </summary>
    public void ForEachBlock(int rowsPerBlock, Action<long, int, double[], double[], double[]> visit)
    {
        _stream.Flush();
        _stream.Position = 0;
        var row = new byte[_width * 8];
        var t = new double[rowsPerBlock];
        var x = new double[rowsPerBlock * Inputs];
        var y = new double[rowsPerBlock * Latents];
        for (long first = 0; first < Count; first += rowsPerBlock)
        {
            int rows = (int)Math.Min(rowsPerBlock, Count - first);
            for (int r = 0; r < rows; r++)
            {
                _stream.ReadExactly(row);
                t[r] = BinaryPrimitives.ReadDoubleLittleEndian(row);
                for (int d = 0; d < Inputs; d++)
                {
                    x[(r * Inputs) + d] = BinaryPrimitives.ReadDoubleLittleEndian(row.AsSpan((1 + d) * 8));
                }

                for (int l = 0; l < Latents; l++)
                {
                    y[(r * Latents) + l] = BinaryPrimitives.ReadDoubleLittleEndian(row.AsSpan((1 + Inputs + l) * 8));
                }
            }

            visit(first, rows, t, x, y);
        }

        _stream.Position = _stream.Length;
    }

    public void Dispose()
    {
        _stream.Dispose();
        File.Delete(_path);
    }
}
