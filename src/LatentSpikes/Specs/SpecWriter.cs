using System.Globalization;
using System.Text;
using LatentSpikes.Inputs;
using LatentSpikes.Model;
using LatentSpikes.Randomness;

namespace LatentSpikes.Specs;

/// <summary>
/// Writes any <see cref="Experiment"/> as a spec with explicit weights, readable by <see cref="SpecReader"/>: compiled
/// or programmatically built networks become ordinary files a user can inspect, edit and simulate.
/// Numbers are written in round-trip form, so reading the file back gives the same experiment.
/// </summary>
public static class SpecWriter
{
    /// <summary>The spec text, with optional comment lines at the top.</summary>
    public static string Write(Experiment experiment, IEnumerable<string>? headerComments = null)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var sb = new StringBuilder();
        foreach (string line in headerComments ?? [])
        {
            sb.Append("# ").AppendLine(line);
        }

        var s = experiment.Settings;
        sb.Append("name: ").AppendLine(Quote(experiment.Name));
        if (!string.IsNullOrEmpty(experiment.Description))
        {
            sb.Append("description: ").AppendLine(Quote(experiment.Description));
        }

        sb.AppendLine("simulation:");
        sb.Append("  dt: ").AppendLine(Num(s.Dt));
        sb.Append("  duration: ").AppendLine(Num(s.Duration));
        sb.Append("  seed: ").AppendLine(s.Seed.ToString(CultureInfo.InvariantCulture));
        sb.Append("  tau_ms: ").AppendLine(Num(s.TauMs));
        sb.Append("  record_every: ").AppendLine(s.RecordEvery.ToString(CultureInfo.InvariantCulture));
        sb.Append("  runaway_window: ").AppendLine(Num(s.RunawayWindow));
        sb.Append("  latent_limit: ").AppendLine(Num(s.LatentLimit));
        if (s.VoltageStart == VoltageStart.Zero)
        {
            sb.AppendLine("  initial_voltage: zero");
        }

        if (s.NoiseStream == NoiseStreamKind.Legacy)
        {
            sb.AppendLine("  noise_stream: legacy");
        }

        if (s.ClipAtSpike is { } clip)
        {
            sb.Append("  clip_at_spike: ").AppendLine(clip ? "true" : "false");
        }

        sb.AppendLine("input:");
        foreach (var signal in experiment.Inputs)
        {
            sb.Append("  - ").AppendLine(Signal(signal));
        }

        sb.AppendLine("populations:");
        foreach (var p in experiment.Network.Populations)
        {
            sb.Append("  - name: ").AppendLine(p.Name);
            sb.Append("    kind: ").AppendLine(p.Kind.ToString().ToLowerInvariant());
            sb.Append("    size: ").AppendLine(p.Size.ToString(CultureInfo.InvariantCulture));
            sb.AppendLine("    feedforward:");
            for (int i = 0; i < p.Size; i++)
            {
                sb.Append("      - ").AppendLine(List(p.FeedforwardRow(i).ToArray()));
            }

            sb.Append("    thresholds: ").AppendLine(List(p.Thresholds));
            sb.Append("    decoders: ").AppendLine(List(p.Decoders));
            sb.AppendLine("    encoders:");
            foreach (var (latent, enc) in p.Encoders.OrderBy(kv => experiment.Network.LatentIndex(kv.Key)))
            {
                sb.Append("      ").Append(latent).Append(": ").AppendLine(List(enc));
            }

            sb.Append("    mu: ").AppendLine(Num(p.SoftRefractory));
            sb.Append("    noise: ").AppendLine(Num(p.NoiseSigma));
            if (!p.Synapse.IsDelta)
            {
                sb.Append("    synapse: {kind: ").Append(p.Synapse.Kind == SynapseKind.Square ? "square" : "exponential")
                  .Append(", tau: ").Append(Num(p.Synapse.Tau)).AppendLine("}");
            }

            if (p.RefractoryPeriod != 0)
            {
                sb.Append("    refractory: ").AppendLine(Num(p.RefractoryPeriod));
            }

            if (p.Rate is { } rate && (rate.Beta is not null || rate.SynapseTau is not null))
            {
                var fields = new List<string>();
                if (rate.Beta is { } beta)
                {
                    fields.Add("beta: " + Num(beta));
                }

                if (rate.SynapseTau is { } tauS)
                {
                    fields.Add("tau_s: " + Num(tauS));
                }

                sb.Append("    rate: {").Append(string.Join(", ", fields)).AppendLine("}");
            }
        }

        if (experiment.Network.CrossReadouts.Count > 0)
        {
            sb.AppendLine("latents:");
            foreach (var l in experiment.Network.CrossReadouts)
            {
                sb.Append("  - {name: ").Append(l.Name).Append(", source: ").Append(l.Source).Append(", decoders: ").Append(List(l.Decoders)).AppendLine("}");
            }
        }

        if (experiment.Network.Delays.Count > 0)
        {
            sb.AppendLine("delays:");
            foreach (var d in experiment.Network.Delays)
            {
                sb.Append("  - {from: ").Append(d.From).Append(", to: ").Append(d.To).Append(", delay: ").Append(Num(d.Delay)).AppendLine("}");
            }
        }

        if (experiment.Injections.Count > 0)
        {
            sb.AppendLine("stimulation:");
            foreach (var j in experiment.Injections)
            {
                sb.Append("  - {population: ").Append(j.Population).Append(", amplitude: ").Append(Num(j.Amplitude))
                  .Append(", start: ").Append(Num(j.Start)).Append(", stop: ").Append(Num(j.Stop)).AppendLine("}");
            }
        }

        if (experiment.InitialLatents.Count > 0)
        {
            sb.AppendLine("initial:");
            foreach (var (latent, value) in experiment.InitialLatents.OrderBy(kv => experiment.Network.LatentIndex(kv.Key)))
            {
                sb.Append("  ").Append(latent).Append(": ").AppendLine(Num(value));
            }
        }

        return sb.ToString();
    }

    private static string Signal(InputSignal signal) => signal switch
    {
        ConstantSignal c => $"{{kind: constant, value: {Num(c.Value)}}}",
        RampSignal r => $"{{kind: ramp, from: {Num(r.From)}, to: {Num(r.To)}, start: {Num(r.StartTime)}, stop: {Num(r.StopTime)}}}",
        StepsSignal st => $"{{kind: steps, initial: {Num(st.Initial)}, times: {List(st.Times)}, values: {List(st.Values)}}}",
        PiecewiseLinearSignal pl => $"{{kind: piecewise_linear, times: {List(pl.Times)}, values: {List(pl.Values)}}}",
        SinusoidSignal sn => $"{{kind: sinusoid, offset: {Num(sn.Offset)}, amplitude: {Num(sn.Amplitude)}, frequency: {Num(sn.Frequency)}, phase: {Num(sn.Phase)}}}",
        WhiteNoiseSignal w => $"{{kind: white, mean: {Num(w.Mean)}, std: {Num(w.Std)}}}",
        OrnsteinUhlenbeckSignal ou => $"{{kind: ou, mean: {Num(ou.Mean)}, std: {Num(ou.Std)}, tau: {Num(ou.Tau)}}}",
        _ => throw new NotSupportedException($"input kind '{signal.Kind}' has no spec form"),
    };

    private static string List(IEnumerable<double> values) => "[" + string.Join(", ", values.Select(Num)) + "]";

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    internal static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
