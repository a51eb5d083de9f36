using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LatentSpikes.Construction;
using LatentSpikes.Construction.Expressions;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LatentSpikes.Specs;

// The spec reader, part 3: populations with explicit weights, their rate twin, synapse, feedforward and encoders.
public static partial class SpecReader
{
    /// <summary>
    /// Refuses a population of <paramref name="count"/> neurons beyond the limits per population or, after the
    /// <paramref name="before"/> neurons of the populations read so far, in total; checked before anything is built.
    /// </summary>
    private static void CheckNeuronCount(SpecNode at, long count, long before, string what)
    {
        if (count > InputLimits.MaxPopulationNeurons)
        {
            throw at.Error($"{what} is beyond this tool's limit of {InputLimits.MaxNeuronsText} neurons per population");
        }

        if (before + count > InputLimits.MaxNetworkNeurons)
        {
            throw at.Error($"{what}, which makes {(before + count).ToString(CultureInfo.InvariantCulture)} neurons in the network, beyond this tool's limit of {InputLimits.MaxNeuronsText} in total");
        }
    }

    private static Population ReadPopulation(SpecNode node, int index, int inputDimension, Dictionary<string, IReadOnlyList<TangentPoint>> tangents, long before)
    {
        var m = node.AsMap(PopulationKeys);
        string name = m.Required("name").AsString();
        var kindNode = m.Required("kind");
        var kind = kindNode.AsString() switch
        {
            "excitatory" or "e" => PopulationKind.Excitatory,
            "inhibitory" or "i" => PopulationKind.Inhibitory,
            "unsigned" => PopulationKind.Unsigned,
            string other => throw kindNode.Error($"unknown kind '{other}'{CaseHint(other, PopulationKinds)}; use excitatory, inhibitory or unsigned"),
        };
        int? size = null;
        if (m.Optional("size") is { } sizeNode)
        {
            size = sizeNode.AsInt();
            if (size < 1)
            {
                throw sizeNode.Error($"must be a positive number of neurons (got {size})");
            }

            CheckNeuronCount(sizeNode, size.Value, before, $"{size} neurons");
        }

        double mu = m.Double("mu", 0.0);
        double noise = m.Double("noise", 0.0);
        var synapse = ReadSynapse(m.Optional("synapse"));
        double refractory = m.Double("refractory", 0.0);
        string own = Population.LatentNameOf(name);

        var tangentNode = m.Optional("tangent");
        var randomNode = m.Optional("random");
        if (tangentNode is not null && randomNode is not null)
        {
            throw randomNode.Error("give one of 'tangent', 'random' or 'feedforward' and 'thresholds', not several");
        }

        if ((tangentNode ?? randomNode) is { } constructedNode)
        {
            string how = tangentNode is not null ? "tangent" : "random";
            foreach (string explicitKey in new[] { "feedforward", "thresholds" })
            {
                if (m.Optional(explicitKey) is { } clash)
                {
                    throw clash.Error($"give either '{how}' (constructed) or 'feedforward' and 'thresholds' (explicit), not both");
                }
            }

            ConstructedPopulation built;
            try
            {
                built = tangentNode is not null
                    ? ReadTangent(m, node, tangentNode, name, kind, size, inputDimension, mu, noise, before)
                    : ReadRandom(m, node, constructedNode, name, kind, size, inputDimension, mu, noise);
            }
            catch (ModelValidationException e)
            {
                throw new ModelValidationException($"populations[{index}].{e.Field}", e.Reason);
            }

            var p = built.Population;
            if (built.TangentPoints.Count > 0)
            {
                tangents[name] = built.TangentPoints;
            }

            string drawnBy = tangentNode is not null ? "set to 1 by the tangent construction" : "drawn by the random construction";
            var extra = ReadEncoders(m.Optional("encoders"), p.Size, own, allowOwn: false, drawnBy);
            if (extra.Count == 0)
            {
                return synapse.IsDelta && refractory == 0 ? p : p.WithSynapse(synapse, refractory);
            }

            var encoders = p.Encoders.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            foreach (var (k, v) in extra)
            {
                encoders[k] = v;
            }

            return new Population(name, kind, Enumerable.Range(0, p.Size).Select(i => p.FeedforwardRow(i).ToArray()).ToArray(), p.Thresholds.ToArray(), p.Decoders.ToArray(), encoders, mu, noise, synapse, refractory);
        }

        var thresholdsNode = m.Optional("thresholds") ?? throw node.Error("give either 'tangent' or 'random' (constructed) or 'feedforward' and 'thresholds' (explicit)");
        double[] thresholds = thresholdsNode.AsDoubles();
        if (size is not null && size != thresholds.Length)
        {
            throw thresholdsNode.Error($"has {thresholds.Length} entries but size is {size}");
        }

        int n = thresholds.Length;
        if (n == 0)
        {
            throw thresholdsNode.Error("a population needs at least one neuron");
        }

        CheckNeuronCount(thresholdsNode, n, before, $"{n} neurons");

        var ffNode = m.Required("feedforward");
        var ff = ReadFeedforward(ffNode, n, inputDimension);
        var dec = m.Required("decoders").AsScalarOrList(n);
        var enc = ReadEncoders(m.Optional("encoders"), n, own, allowOwn: true, string.Empty);
        if (!enc.ContainsKey(own) && m.Optional("encoders") is null)
        {
            enc[own] = Enumerable.Repeat(1.0, n).ToArray();
        }

        return new Population(name, kind, ff, thresholds, dec, enc, mu, noise, synapse, refractory);
    }

    /// <summary>The rate twin's settings (§4.2-4.4): <c>rate: {beta: β, tau_s: τ_s}</c>, both optional and &gt; 0.</summary>
    private static RateParameters? ReadRate(SpecNode? node)
    {
        if (node is null)
        {
            return null;
        }

        var rm = node.AsMap(RateKeys);
        double? Positive(string key)
        {
            if (rm.Optional(key) is not { } valueNode)
            {
                return null;
            }

            double v = valueNode.AsDouble();
            return double.IsFinite(v) && v > 0 ? v : throw valueNode.Error($"must be a finite number > 0 (got {v})");
        }

        return new RateParameters(Positive("beta"), Positive("tau_s"));
    }

    /// <summary>
    /// A synaptic kernel (§4.1): <c>delta</c> (the default), or <c>{kind: square, tau: τ_s}</c> /
    /// <c>{kind: exponential, tau: τ_s}</c>. The sign of τ_s is checked with the model, which names the field.
    /// </summary>
    private static SynapseKernel ReadSynapse(SpecNode? node)
    {
        if (node is null)
        {
            return SynapseKernel.Delta;
        }

        const string Forms = "use delta, {kind: square, tau: ...} or {kind: exponential, tau: ...}";
        if (node.IsScalar)
        {
            string name = node.AsString();
            return name switch
            {
                "delta" => SynapseKernel.Delta,
                "square" or "exponential" => throw node.Error($"a {name} synapse needs its time constant: write {{kind: {name}, tau: ...}} (tau in units of τ)"),
                _ => throw node.Error($"unknown synapse '{name}'; {Forms}"),
            };
        }

        if (!node.IsMap)
        {
            throw node.Error($"expected a synapse; {Forms}");
        }

        var sm = node.AsMap(SynapseKeys);
        var kindNode = sm.Required("kind");
        string kind = kindNode.AsString();
        switch (kind)
        {
            case "delta":
                if (sm.Optional("tau") is { } tauNode)
                {
                    throw tauNode.Error("a delta synapse has no time constant; remove tau or use kind: square or exponential");
                }

                return SynapseKernel.Delta;
            case "square":
                return SynapseKernel.Square(sm.Required("tau").AsDouble());
            case "exponential":
                return SynapseKernel.Exponential(sm.Required("tau").AsDouble());
            default:
                throw kindNode.Error($"unknown synapse kind '{kind}'; use delta, square or exponential");
        }
    }

    private static double[][] ReadFeedforward(SpecNode node, int n, int inputDimension)
    {
        var rows = node.AsList();
        if (rows.Count != n)
        {
            throw node.Error($"has {rows.Count} rows for {n} neurons");
        }

        var ff = new double[n][];
        for (int i = 0; i < n; i++)
        {
            ff[i] = rows[i].IsScalar ? [rows[i].AsDouble()] : rows[i].AsDoubles();
            if (ff[i].Length != inputDimension)
            {
                throw rows[i].Error($"has {ff[i].Length} weight(s) but the input has {inputDimension} dimension(s)");
            }
        }

        return ff;
    }

    private static Dictionary<string, double[]> ReadEncoders(SpecNode? node, int n, string own, bool allowOwn, string ownSetBy)
    {
        var result = new Dictionary<string, double[]>(StringComparer.Ordinal);
        if (node is null)
        {
            return result;
        }

        if (node.Node is not YamlMappingNode map)
        {
            throw node.Error("expected a mapping from latent name to encoder value(s), e.g. {y_I: 1}");
        }

        var keys = map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? string.Empty).ToArray();
        var em = node.AsMap(keys);
        foreach (string key in keys)
        {
            var child = em.Required(key);
            if (!allowOwn && key == own)
            {
                throw child.Error($"the encoder onto the population's own latent is {ownSetBy}");
            }

            result[key] = child.AsScalarOrList(n);
        }

        return result;
    }
}
