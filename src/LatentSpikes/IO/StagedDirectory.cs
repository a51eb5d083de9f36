namespace LatentSpikes.IO;

/// <summary>
/// Writes a run's outputs into a hidden sibling directory and moves them into place only on
/// <see cref="Commit"/>, so a failed run never leaves partial output behind.
/// </summary>
public sealed class StagedDirectory : IDisposable
{
    private bool _committed;

    /// <summary>Creates the staging directory beside <paramref name="target"/>.</summary>
    public StagedDirectory(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        Target = Path.GetFullPath(target);
        string parent = Path.GetDirectoryName(Target) ?? ".";
        Directory.CreateDirectory(parent);
        StagingPath = Path.Combine(parent, $".{Path.GetFileName(Target)}.partial-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(StagingPath);
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

    /// <summary>Deletes the staging directory unless committed.</summary>
    public void Dispose()
    {
        if (!_committed && Directory.Exists(StagingPath))
        {
            Directory.Delete(StagingPath, recursive: true);
        }
    }
}
