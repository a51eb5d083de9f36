using System.Collections.Concurrent;

namespace LatentSpikes.IO;

/// <summary>
/// Writes a run's outputs into a hidden sibling directory and moves them into place only on
/// <see cref="Commit"/>, so a failed run never leaves partial output behind. While it exists it holds an exclusive
/// lock on the target (a hidden <c>.NAME.lock</c> file beside it), so two processes writing one output folder cannot
/// both succeed: the second stops at once with a one-line error. Holding the lock also proves that any other staging
/// folder of the same target belongs to a run that died (e.g. <c>kill -9</c>), so those are removed.
/// </summary>
public sealed class StagedDirectory : IDisposable
{
    /// <summary>Every staged directory not yet disposed, for <see cref="AbandonAll"/>.</summary>
    private static readonly ConcurrentDictionary<StagedDirectory, byte> Live = new();

    private readonly object _gate = new();
    private readonly FileStream _lock;
    private readonly string _lockPath;
    private bool _committed;
    private bool _disposed;

    /// <summary>Takes the target's lock and creates the staging directory beside <paramref name="target"/>.</summary>
    /// <exception cref="IOException">When another process holds the target's lock.</exception>
    public StagedDirectory(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        Target = Path.GetFullPath(target);
        string parent = Path.GetDirectoryName(Target) ?? ".";
        string name = Path.GetFileName(Target);
        Directory.CreateDirectory(parent);
        _lockPath = Path.Combine(parent, $".{name}.lock");
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix; the kernel drops it when a process dies.
            _lock = new FileStream(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new IOException($"another process is writing '{Target}' (its lock {_lockPath} is held); wait for it to finish or choose another output path");
        }

        foreach (string stale in Directory.EnumerateDirectories(parent, $".{name}.partial-*"))
        {
            Directory.Delete(stale, recursive: true);
        }

        StagingPath = Path.Combine(parent, $".{name}.partial-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(StagingPath);
        Live[this] = 0;
    }

    /// <summary>
    /// Removes the staging folder and lock of every live staged directory (a commit under way finishes first). For a
    /// process that is being stopped by a signal (Ctrl-C, SIGTERM), whose <c>finally</c> blocks will not run: the
    /// command line calls it from its signal handler, so an interrupted run leaves nothing behind.
    /// </summary>
    public static void AbandonAll()
    {
        foreach (var staged in Live.Keys)
        {
            staged.Dispose();
        }
    }

    /// <summary>The final output directory.</summary>
    public string Target { get; }

    /// <summary>Where files are written until committed.</summary>
    public string StagingPath { get; }

    /// <summary>Path of a file inside the staging directory.</summary>
    public string File(string name) => Path.Combine(StagingPath, name);

    /// <summary>
    /// Moves every staged file into the target directory (created if needed), replacing same-named files.
    /// Files (or folders) named in <paramref name="owned"/> that this run did not produce are removed, so an output
    /// folder never mixes files of two runs (e.g. an old figure after a run without one).
    /// </summary>
    public void Commit(params string[] owned)
    {
        ArgumentNullException.ThrowIfNull(owned);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            MoveIntoPlace(owned);
        }
    }

    private void MoveIntoPlace(string[] owned)
    {
        Directory.CreateDirectory(Target);
        foreach (string name in owned)
        {
            string stale = Path.Combine(Target, name);
            if (!System.IO.File.Exists(Path.Combine(StagingPath, name)) && System.IO.File.Exists(stale))
            {
                System.IO.File.Delete(stale);
            }
            else if (!Directory.Exists(Path.Combine(StagingPath, name)) && Directory.Exists(stale))
            {
                Directory.Delete(stale, recursive: true);
            }
        }

        foreach (string f in Directory.GetFiles(StagingPath))
        {
            System.IO.File.Move(f, Path.Combine(Target, Path.GetFileName(f)), overwrite: true);
        }

        Directory.Delete(StagingPath, recursive: true);
        _committed = true;
    }

    /// <summary>Deletes the staging directory unless committed, then releases and removes the lock.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Live.TryRemove(this, out _);
            try
            {
                if (!_committed && Directory.Exists(StagingPath))
                {
                    Directory.Delete(StagingPath, recursive: true);
                }
            }
            finally
            {
                // Unlinked while still held, so no other process can lock this file after we let go of it.
                System.IO.File.Delete(_lockPath);
                _lock.Dispose();
            }
        }
    }
}
