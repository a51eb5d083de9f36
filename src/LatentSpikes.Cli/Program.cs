using System.Runtime.InteropServices;
using LatentSpikes.Cli;
using LatentSpikes.IO;

// Ctrl-C and SIGTERM end the process without running finally blocks: remove the staging folders and locks of the
// run being written first, so an interrupted run leaves nothing behind, then let the signal end the process.
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Abandon);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Abandon);

return LatentSpikesApp.Run(args, Console.Out, Console.Error);

static void Abandon(PosixSignalContext context)
{
    StagedDirectory.AbandonAll();
    Console.Error.WriteLine($"error: interrupted ({context.Signal}); the run's unfinished outputs were removed");
}
