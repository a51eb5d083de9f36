using System.Globalization;
using System.Text;

namespace LatentSpikes.Sweeps;

/// <summary>Options of the SLURM scripts.</summary>
/// <param name="ArraySize">Array tasks (shards); each runs the runs whose index ≡ task (mod size).</param>
/// <param name="CpusPerTask">Cores per task; the task runs that many runs at once.</param>
/// <param name="Partition">Partition, or null for the cluster's default.</param>
/// <param name="Time">Time limit per task in a form sbatch accepts (e.g. 01:00:00), or null for the default.</param>
public sealed record SlurmOptions(int ArraySize, int CpusPerTask, string? Partition, string? Time);

/// <summary>
/// Writes a sweep's SLURM job array: <c>array.sbatch</c> (task i runs <c>sweep --shard i/n</c>), <c>merge.sbatch</c>
/// (runs <c>merge</c>) and <c>submit.sh</c>, which submits the array and the merge with <c>--dependency=afterok</c>
/// on it, so the merge starts once every task has succeeded. Logs go to <c>slurm/logs/</c>.
/// </summary>
public static class SlurmScripts
{
    /// <summary>Folder of the scripts inside the sweep's output directory.</summary>
    public const string Folder = "slurm";

    /// <summary>Writes the three scripts into <c>OUT/slurm/</c> and returns the path of submit.sh.</summary>
    /// <param name="plan">The sweep (its name names the jobs).</param>
    /// <param name="sweepFile">The sweep file, as the tasks will read it.</param>
    /// <param name="outDir">The sweep's output directory.</param>
    /// <param name="launcher">Shell words that start this same latentspikes binary, already quoted.</param>
    /// <param name="options">Array size, cores, partition and time limit.</param>
    public static string Write(SweepPlan plan, string sweepFile, string outDir, string launcher, SlurmOptions options)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ArraySize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CpusPerTask, 1);
        string dir = Path.GetFullPath(outDir);
        string folder = Path.Combine(dir, Folder);
        string logs = Path.Combine(folder, "logs");

        // The plan the tasks will run (docs/sweeps.md): refuses a folder that holds another sweep before any script is written.
        Directory.CreateDirectory(dir);
        SweepRunner.WriteOrCheckManifest(plan, dir);
        Directory.CreateDirectory(logs);
        string sweep = Quote(Path.GetFullPath(sweepFile));
        string quotedDir = Quote(dir);
        string job = new string(plan.Definition.Name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        int n = options.ArraySize;

        var array = Header($"ls-{job}", options, logs, "%A_%a.out", $"#SBATCH --array=0-{n - 1}\n");
        array.Append(CultureInfo.InvariantCulture, $"# Task i of {n} runs the sweep's runs with index ≡ i (mod {n}); a rerun of a task resumes it.\n");
        array.Append(CultureInfo.InvariantCulture, $"exec {launcher} sweep {sweep} --out {quotedDir} --shard \"$SLURM_ARRAY_TASK_ID/{n}\" --jobs \"${{SLURM_CPUS_PER_TASK:-1}}\"\n");
        Write(Path.Combine(folder, "array.sbatch"), array.ToString());

        var merge = Header($"ls-{job}-merge", options with { CpusPerTask = 1 }, logs, "merge-%j.out");
        merge.Append("# Combines the tasks' tables into results.csv, byte-identical to a local run of the whole sweep.\n");
        merge.Append(CultureInfo.InvariantCulture, $"exec {launcher} merge {quotedDir}\n");
        Write(Path.Combine(folder, "merge.sbatch"), merge.ToString());

        string submit = $$"""
            #!/usr/bin/env bash
            # Submits the sweep '{{plan.Definition.Name}}' ({{plan.Runs.Count}} runs) as a {{n}}-task job array, then the merge,
            # which waits for every task to succeed (afterok). Prints both job ids.
            set -euo pipefail
            here=$(cd "$(dirname "$0")" && pwd)
            array=$(sbatch --parsable "$here/array.sbatch")
            array=${array%%;*}
            merge=$(sbatch --parsable --dependency="afterok:$array" "$here/merge.sbatch")
            merge=${merge%%;*}
            echo "$array $merge"

            """;
        string submitPath = Path.Combine(folder, "submit.sh");
        Write(submitPath, submit.Replace("\r\n", "\n", StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(submitPath, File.GetUnixFileMode(submitPath) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return submitPath;
    }

    /// <summary>A word for a POSIX shell: single-quoted unless it is plainly safe.</summary>
    public static string Quote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+=:@%".Contains(c, StringComparison.Ordinal))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private static StringBuilder Header(string job, SlurmOptions options, string logs, string logName, string extra = "")
    {
        // sbatch wants the interpreter line first and reads #SBATCH lines only before the first command.
        var sb = new StringBuilder("#!/usr/bin/env bash\n").Append(extra);
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --job-name={job}\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --output={Path.Combine(logs, logName)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={options.CpusPerTask}\n");
        if (options.Partition is { } p)
        {
            sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --partition={p}\n");
        }

        if (options.Time is { } t)
        {
            sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --time={t}\n");
        }

        sb.Append("set -euo pipefail\n");
        return sb;
    }

    private static void Write(string path, string text) => File.WriteAllText(path, text, new UTF8Encoding(false));
}
