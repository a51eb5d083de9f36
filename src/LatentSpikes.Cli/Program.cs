using LatentSpikes.Cli;

return LatentSpikesApp.Run(args, Console.Out, Console.Error);
