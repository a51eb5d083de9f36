using LatentSpikes.Model;

namespace LatentSpikes.Geometry;

/// <summary>One E-I module of a compiled rank-K network, seen against its own single input.</summary>
/// <param name="Name">The module (its excitatory population's name).</param>
/// <param name="Input">What the module's boundaries depend on: an input column <c>x1</c>… or another module's latent.</param>
/// <param name="InputDimension">The external input dimension (0-based) when <paramref name="Input"/> is one; else −1.</param>
/// <param name="Geometry">The module as a rank-2 E-I network of that one input (relay latents folded in as −parent).</param>
public sealed record EiModuleView(string Name, string Input, int InputDimension, EiBoundaries Geometry);

/// <summary>
/// Finds the E-I modules that <c>latentspikes compile</c> writes for vector functions and composition graphs
/// (populations <c>name</c> and <c>name_I</c>, relays <c>name_neg</c>) and rewrites each module with one input as a
/// rank-2 E-I network of that input, so its boundaries and crossing can be drawn against it (Figs. 4-5 for every module).
/// A module's input is either an external input dimension (its feedforward weights) or another module's excitatory
/// latent y_g, read directly (encoder w) or through the relay y_g_neg ≈ −y_g (encoder w, i.e. slope −w in y_g).
/// </summary>
public static class EiModules
{
    /// <summary>The modules with one input; modules of several inputs are listed in <paramref name="skipped"/>.</summary>
    public static IReadOnlyList<EiModuleView> Find(LowRankNetwork network, out IReadOnlyList<string> skipped)
    {
        ArgumentNullException.ThrowIfNull(network);
        var views = new List<EiModuleView>();
        var notes = new List<string>();
        var relays = network.Populations
            .Where(p => p.Kind == PopulationKind.Inhibitory && p.Name.EndsWith("_neg", StringComparison.Ordinal))
            .ToDictionary(p => p.LatentName, p => Population.LatentNameOf(p.Name[..^4]), StringComparer.Ordinal);
        foreach (var e in network.Populations.Where(p => p.Kind == PopulationKind.Excitatory))
        {
            int ii = network.PopulationIndex(e.Name + "_I");
            if (ii < 0 || network.Populations[ii].Kind != PopulationKind.Inhibitory)
            {
                continue;
            }

            var i = network.Populations[ii];
            var own = new HashSet<string>([e.LatentName, i.LatentName], StringComparer.Ordinal);
            var dims = Enumerable.Range(0, network.InputDimension).Where(d => Uses(e, d) || Uses(i, d)).ToArray();
            var latents = e.Encoders.Keys.Concat(i.Encoders.Keys).Where(k => !own.Contains(k))
                .Select(k => relays.TryGetValue(k, out var source) ? source : k).Distinct(StringComparer.Ordinal).ToArray();
            if (dims.Length + latents.Length != 1)
            {
                notes.Add($"module '{e.Name}' has {dims.Length + latents.Length} inputs ({string.Join(", ", dims.Select(d => "x" + (d + 1)).Concat(latents))}); its boundaries are drawn only for one input");
                continue;
            }

            string input = dims.Length == 1 ? "x" + (dims[0] + 1) : latents[0];
            var view = new LowRankNetwork([View(e, own, dims, input, relays), View(i, own, dims, input, relays)]);
            var geometry = EiBoundaries.TryCreate(view, out string reason);
            if (geometry is null)
            {
                notes.Add($"module '{e.Name}': {reason}");
                continue;
            }

            views.Add(new EiModuleView(e.Name, input, dims.Length == 1 ? dims[0] : -1, geometry));
        }

        skipped = notes;
        return views;
    }

    private static bool Uses(Population p, int d)
    {
        for (int n = 0; n < p.Size; n++)
        {
            if (p.Feedforward(n, d) != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The population with its one input as feedforward weight: F·x_d, or E(y_g) − E(y_g_neg) for a latent.</summary>
    private static Population View(Population p, HashSet<string> own, int[] dims, string input, Dictionary<string, string> relays)
    {
        var rows = new double[p.Size][];
        for (int n = 0; n < p.Size; n++)
        {
            double w = dims.Length == 1 ? p.Feedforward(n, dims[0]) : 0;
            foreach (var (latent, enc) in p.Encoders)
            {
                if (own.Contains(latent))
                {
                    continue;
                }

                w += relays.TryGetValue(latent, out var source) && source == input ? -enc[n] : enc[n];
            }

            rows[n] = [w];
        }

        var encoders = p.Encoders.Where(kv => own.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return new Population(p.Name, p.Kind, rows, p.Thresholds.ToArray(), p.Decoders.ToArray(), encoders, p.SoftRefractory, p.NoiseSigma);
    }
}
