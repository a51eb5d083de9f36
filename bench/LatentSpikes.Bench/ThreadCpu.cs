using System.Runtime.InteropServices;

namespace LatentSpikes.Bench;

/// <summary>
/// CPU time of the calling thread (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>): on a shared machine the
/// minimum over repetitions of this, unlike wall time, does not count the time the thread was not running.
/// </summary>
internal static partial class ThreadCpu
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>Nanoseconds of CPU the calling thread has used, or wall-clock nanoseconds where unavailable.</summary>
    public static double Nanoseconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out var ts) == 0)
        {
            return (ts.Seconds * 1e9) + ts.Nanoseconds;
        }

        return System.Diagnostics.Stopwatch.GetTimestamp() * (1e9 / System.Diagnostics.Stopwatch.Frequency);
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
