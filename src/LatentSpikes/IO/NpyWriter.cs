using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace LatentSpikes.IO;

/// <summary>Element types of the <c>.npy</c> files this project writes (always little-endian).</summary>
public enum NpyType
{
    /// <summary>IEEE double, NumPy <c>'&lt;f8'</c>.</summary>
    Float64,

    /// <summary>64-bit signed integer, NumPy <c>'&lt;i8'</c>.</summary>
    Int64,

    /// <summary>32-bit signed integer, NumPy <c>'&lt;i4'</c>.</summary>
    Int32,
}

/// <summary>
/// Writes one NumPy <c>.npy</c> array (format version 1.0, C order) row by row, so an array of any length streams to
/// disk without being held in memory. The leading dimension is only known at the end: the header is written with room
/// for any 64-bit shape and rewritten in place by <see cref="Dispose"/> (numpy ignores the padding spaces).
/// </summary>
public sealed class NpyWriter : IDisposable
{
    // 128 bytes (a multiple of 64, as the format asks, so the data is aligned) hold the magic, version, length and a
    // dict whose shape may have 20-digit dimensions; the longest dict here is well under 100 characters.
    private const int HeaderBytes = 128;
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    private readonly FileStream _stream;
    private readonly NpyType _type;
    private readonly long[] _trailing;
    private readonly long _rowElements;
    private readonly byte[] _buffer = new byte[1 << 16];
    private long _elements;
    private bool _disposed;

    /// <summary>Creates (or replaces) <paramref name="path"/> for an array of shape (rows, <paramref name="trailingShape"/>...).</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="type">Element type.</param>
    /// <param name="trailingShape">Every dimension after the first (empty for a 1-D array).</param>
    public NpyWriter(string path, NpyType type, params long[] trailingShape)
    {
        ArgumentNullException.ThrowIfNull(trailingShape);
        if (trailingShape.Any(d => d < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(trailingShape), "dimensions must be non-negative");
        }

        _type = type;
        _trailing = trailingShape;
        _rowElements = trailingShape.Aggregate(1L, (a, b) => a * b);
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _stream.Write(Header(0));
    }

    /// <summary>Elements written so far.</summary>
    public long Elements => _elements;

    /// <summary>Appends doubles (for a <see cref="NpyType.Float64"/> array), in C order.</summary>
    public void Append(ReadOnlySpan<double> values)
    {
        Require(_type == NpyType.Float64, "<f8");
        if (BitConverter.IsLittleEndian)
        {
            _stream.Write(MemoryMarshal.AsBytes(values));
        }
        else
        {
            for (int start = 0; start < values.Length; start += _buffer.Length / 8)
            {
                var part = values.Slice(start, Math.Min(_buffer.Length / 8, values.Length - start));
                for (int i = 0; i < part.Length; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(i * 8), part[i]);
                }

                _stream.Write(_buffer, 0, part.Length * 8);
            }
        }

        _elements += values.Length;
    }

    /// <summary>Appends integers to an <see cref="NpyType.Int32"/> or <see cref="NpyType.Int64"/> array, in C order.</summary>
    public void Append(ReadOnlySpan<int> values)
    {
        Require(_type != NpyType.Float64, "an integer type");
        if (_type == NpyType.Int32 && BitConverter.IsLittleEndian)
        {
            _stream.Write(MemoryMarshal.AsBytes(values));
            _elements += values.Length;
            return;
        }

        int width = _type == NpyType.Int64 ? 8 : 4;
        int perBuffer = _buffer.Length / width;
        for (int start = 0; start < values.Length; start += perBuffer)
        {
            var part = values.Slice(start, Math.Min(perBuffer, values.Length - start));
            for (int i = 0; i < part.Length; i++)
            {
                if (width == 8)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(i * 8), part[i]);
                }
                else
                {
                    BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(i * 4), part[i]);
                }
            }

            _stream.Write(_buffer, 0, part.Length * width);
        }

        _elements += values.Length;
    }

    /// <summary>Writes the final shape into the header and closes the file.</summary>
    /// <exception cref="InvalidOperationException">The elements written do not fill whole rows.</exception>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (_rowElements > 0 && _elements % _rowElements != 0)
            {
                throw new InvalidOperationException($"{_elements} elements do not fill whole rows of {_rowElements}");
            }

            _stream.Flush();
            _stream.Position = 0;
            _stream.Write(Header(_rowElements == 0 ? 0 : _elements / _rowElements));
        }
        finally
        {
            _stream.Dispose();
        }
    }

    /// <summary>Writes a whole 1-D or 2-D double array in one call.</summary>
    public static void Write(string path, ReadOnlySpan<double> values, params long[] trailingShape)
    {
        using var w = new NpyWriter(path, NpyType.Float64, trailingShape);
        w.Append(values);
    }

    /// <summary>The NumPy dtype string of <paramref name="type"/>.</summary>
    public static string Descr(NpyType type) => type switch
    {
        NpyType.Float64 => "<f8",
        NpyType.Int64 => "<i8",
        _ => "<i4",
    };

    private void Require(bool ok, string wanted)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"this array holds {Descr(_type)}, not {wanted}");
        }
    }

    private byte[] Header(long rows)
    {
        var dims = new[] { rows }.Concat(_trailing).Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray();
        // A 1-tuple needs its trailing comma in Python.
        string shape = dims.Length == 1 ? $"({dims[0]},)" : $"({string.Join(", ", dims)})";
        string dict = $"{{'descr': '{Descr(_type)}', 'fortran_order': False, 'shape': {shape}, }}";
        int dictBytes = HeaderBytes - Magic.Length - 2;
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(Magic.Length), (ushort)dictBytes);
        var text = Encoding.ASCII.GetBytes(dict.PadRight(dictBytes - 1) + "\n");
        if (text.Length != dictBytes)
        {
            throw new InvalidOperationException("npy header overflow");
        }

        text.CopyTo(header, Magic.Length + 2);
        return header;
    }
}
