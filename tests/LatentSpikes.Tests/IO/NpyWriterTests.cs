using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using LatentSpikes.IO;

namespace LatentSpikes.Tests.IO;

/// <summary>
/// The <c>.npy</c> writer against the NumPy format (NEP 1, version 1.0): magic, version, little-endian header length,
/// a Python dict literal with descr, fortran_order and shape, the data 64-byte aligned and in C order.
/// </summary>
public sealed partial class NpyWriterTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "latentspikes-npy-" + Guid.NewGuid().ToString("N"));

    public NpyWriterTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_streamed_2d_double_array_has_a_valid_header_and_its_data_in_c_order()
    {
        string path = Path.Combine(_dir, "a.npy");
        using (var w = new NpyWriter(path, NpyType.Float64, 2))
        {
            w.Append([1.5, -2.0]);
            w.Append([3.25, 4.0, double.MaxValue, -0.0]);
        }

        var (descr, fortran, shape, data) = Parse(File.ReadAllBytes(path));

        Assert.Equal("<f8", descr);
        Assert.False(fortran);
        Assert.Equal([3L, 2L], shape);
        double[] values = Enumerable.Range(0, 6).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(i * 8))).ToArray();
        Assert.Equal([1.5, -2.0, 3.25, 4.0, double.MaxValue, -0.0], values);
    }

    [Theory]
    [InlineData(NpyType.Int32, "<i4", 4)]
    [InlineData(NpyType.Int64, "<i8", 8)]
    public void Integer_arrays_have_their_dtype_and_width(NpyType type, string expected, int width)
    {
        string path = Path.Combine(_dir, "i.npy");
        using (var w = new NpyWriter(path, type))
        {
            w.Append([7, -1, int.MaxValue]);
        }

        var (descr, _, shape, data) = Parse(File.ReadAllBytes(path));

        Assert.Equal(expected, descr);
        Assert.Equal([3L], shape);
        Assert.Equal(3 * width, data.Length);
        long[] values = Enumerable.Range(0, 3)
            .Select(i => width == 8 ? BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(i * 8)) : BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(i * 4)))
            .ToArray();
        Assert.Equal([7L, -1L, int.MaxValue], values);
    }

    [Fact]
    public void An_empty_array_keeps_its_trailing_shape()
    {
        string path = Path.Combine(_dir, "e.npy");
        new NpyWriter(path, NpyType.Float64, 3).Dispose();

        var (_, _, shape, data) = Parse(File.ReadAllBytes(path));

        Assert.Equal([0L, 3L], shape);
        Assert.Empty(data);
    }

    [Fact]
    public void Elements_that_do_not_fill_whole_rows_are_an_error_and_appending_the_wrong_type_too()
    {
        var w = new NpyWriter(Path.Combine(_dir, "bad.npy"), NpyType.Float64, 2);
        w.Append([1.0, 2.0, 3.0]);
        Assert.Throws<InvalidOperationException>(() => w.Append([1]));
        var e = Assert.Throws<InvalidOperationException>(w.Dispose);
        Assert.Contains("whole rows", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Parses an .npy file as NumPy does (format 1.0), returning the header fields and the data bytes.</summary>
    internal static (string Descr, bool Fortran, long[] Shape, byte[] Data) Parse(byte[] file)
    {
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'], file[..6]);
        Assert.Equal([1, 0], file[6..8]);
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(8));
        int dataStart = 10 + headerLength;
        Assert.Equal(0, dataStart % 64);
        string header = Encoding.ASCII.GetString(file, 10, headerLength);
        Assert.EndsWith("\n", header, StringComparison.Ordinal);
        var m = HeaderPattern().Match(header);
        Assert.True(m.Success, header);
        long[] shape = m.Groups["shape"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        return (m.Groups["descr"].Value, m.Groups["fortran"].Value == "True", shape, file[dataStart..]);
    }

    [GeneratedRegex(@"^\{'descr': '(?<descr>[<>|][a-z][0-9]+)', 'fortran_order': (?<fortran>True|False), 'shape': \((?<shape>[0-9, ]*)\), \} *\n$")]
    private static partial Regex HeaderPattern();
}
