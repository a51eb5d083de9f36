using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace LatentSpikes.Specs;

/// <summary>
/// Reads the files a user names (specs, sweeps, input samples) within bounds: regular files only — a device such as
/// <c>/dev/zero</c>, a FIFO or a socket would block or never end — and no more than a given size, checked before the
/// file is read and enforced while reading (a file that grows, or a kernel file that reports size 0, cannot slip past).
/// </summary>
internal static partial class InputFile
{
    /// <summary>
    /// Refuses a path that is not a regular file (after following symbolic links) or that is larger than
    /// <paramref name="maxBytes"/>. The caller has checked that the path exists.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file is, for messages (e.g. "spec file").</param>
    /// <param name="maxBytes">The size limit.</param>
    /// <param name="problem">Why the file is refused.</param>
    public static bool IsAcceptable(string path, string what, long maxBytes, out string problem)
    {
        problem = string.Empty;
        if (Directory.Exists(path))
        {
            problem = $"is a directory, not a {what}";
            return false;
        }

        if (FileType(path) is { } type && type != RegularFile)
        {
            problem = $"is {Describe(type)}, not a regular file; give a {what}";
            return false;
        }

        long length;
        try
        {
            length = new FileInfo(path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read the {what}: {e.Message}";
            return false;
        }

        if (length > maxBytes)
        {
            problem = TooLarge(what, "is " + length.ToString("N0", CultureInfo.InvariantCulture) + " bytes", maxBytes);
            return false;
        }

        return true;
    }

    /// <summary>Reads a whole text file (UTF-8, BOM detected) of at most <paramref name="maxBytes"/> bytes.</summary>
    /// <exception cref="SpecException">Naming <paramref name="path"/> when the file is refused or cannot be read.</exception>
    public static string ReadText(string path, string what, long maxBytes)
    {
        if (!IsAcceptable(path, what, maxBytes, out string problem))
        {
            throw new SpecException(path, 0, string.Empty, problem);
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var bytes = new MemoryStream();
            var buffer = new byte[1 << 16];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                bytes.Write(buffer, 0, read);
                if (bytes.Length > maxBytes)
                {
                    throw new SpecException(path, 0, string.Empty, TooLarge(what, "grew while being read", maxBytes));
                }
            }

            bytes.Position = 0;
            using var reader = new StreamReader(bytes, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpecException(path, 0, string.Empty, $"cannot read the {what}: {e.Message.Replace('\n', ' ')}");
        }
    }

    private static string TooLarge(string what, string size, long maxBytes) =>
        $"{size}, beyond this tool's limit of {maxBytes >> 20} MiB for a {what}";

    private const int TypeMask = 0xF000;
    private const int RegularFile = 0x8000;

    private static string Describe(int type) => type switch
    {
        0x1000 => "a FIFO (named pipe)",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0xC000 => "a socket",
        0x4000 => "a directory",
        _ => "a special file",
    };

    /// <summary>The S_IFMT bits of the file (symbolic links followed), or null where they cannot be had.</summary>
    private static int? FileType(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            // Elsewhere the size bound on reading still stops a device that never ends.
            return null;
        }

        Span<byte> buffer = stackalloc byte[256];
        buffer.Clear();
        try
        {
            // statx(AT_FDCWD, path, flags 0 (follow links), STATX_TYPE, buffer): its layout is the same on every
            // architecture; stx_mode is the 16-bit field at offset 28.
            if (Statx(-100, path, 0, 1, ref MemoryMarshal.GetReference(buffer)) != 0)
            {
                return null;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        return BitConverter.ToUInt16(buffer[28..30]) & TypeMask;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte buffer);
}
