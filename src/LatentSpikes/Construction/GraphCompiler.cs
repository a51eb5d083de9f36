// Over 500 lines on purpose: one compiler pipeline (read graph, order nodes, build modules, add Dale relays, emit the
// spec); the steps share private state and read top to bottom.
using System.Globalization;
using LatentSpikes.Model;
using LatentSpikes.Simulation;

namespace LatentSpikes.Construction;

/// <summary>An external input of a function graph and its range.</summary>
/// <param name="Name">Name used in node functions (e.g. <c>x</c>).</param>
/// <param name="Lo">Lower end of the range.</param>
/// <param name="Hi">Upper end of the range.</param>
public sealed record GraphInput(string Name, double Lo, double Hi);

/// <summary>One node of a function graph: a function of external inputs and of other nodes' outputs.</summary>
/// <param name="Name">Node name; its output is the latent <c>y_name</c>.</param>
/// <param name="Function">The node's function of its <paramref name="Inputs"/>, in that order.</param>
/// <param name="Inputs">Names of the external inputs and nodes the function reads.</param>
/// <param name="Neurons">Neuron budget N_E + N_I of the node's E-I module; null uses <see cref="CompileOptions.Neurons"/>.</param>
/// <param name="Description">How the function is shown (its formula).</param>
public sealed record GraphNode(string Name, Func<double[], double> Function, IReadOnlyList<string> Inputs, int? Neurons, string Description);

/// <summary>A composition of functions: external inputs with ranges and nodes that read them and each other.</summary>
/// <param name="Inputs">The external inputs; input dimension d of the network is <c>Inputs[d]</c>.</param>
/// <param name="Nodes">The nodes, in any order (they are compiled in dependency order).</param>
public sealed record FunctionGraph(IReadOnlyList<GraphInput> Inputs, IReadOnlyList<GraphNode> Nodes);

/// <summary>A compiled node: its module, its relay (if a reader needs −output), its derived ranges and errors.</summary>
/// <param name="Node">The node as given.</param>
/// <param name="Index">Its position in the graph's node list.</param>
/// <param name="Module">The E-I module computing it.</param>
/// <param name="Relay">Inhibitory relay whose latent carries −output, for readers with a negative slope in it; null when none reads so.</param>
/// <param name="RelayPrecision">|D| of the relay: the finest jump whose rate, max output/|D| per τ, stays within the construction's rate budget.</param>
/// <param name="InputBox">The range of each of the node's inputs (derived for node inputs, widened by their predicted error).</param>
/// <param name="OutputRange">The derived range of the node's output (on its input box, widened by its own predicted error).</param>
/// <param name="CrossingError">max |y_E* − f| of the module's boundary crossing over its input box.</param>
/// <param name="PredictedError">Predicted bound on |y_E(t) − target(x(t))|: the crossing error, 1.25 spike jumps and the parents' errors times the node's slope in them.</param>
/// <param name="NoiseAllowance">The part of <paramref name="PredictedError"/> due to current noise (0 without noise).</param>
/// <param name="Depth">1 for a node of external inputs only, 1 + the deepest parent otherwise.</param>
/// <param name="Target">The composed target as a function of the external inputs.</param>
public sealed record CompiledNode(
    GraphNode Node,
    int Index,
    EiModule Module,
    Population? Relay,
    double RelayPrecision,
    IReadOnlyList<(double Lo, double Hi)> InputBox,
    (double Lo, double Hi) OutputRange,
    double CrossingError,
    double PredictedError,
    double NoiseAllowance,
    int Depth,
    Func<double[], double> Target)
{
    /// <summary>The latent that carries the node's output, <c>y_name</c>.</summary>
    public string OutputLatent => Module.Excitatory.LatentName;

    /// <summary>
    /// Bound on |y_relay + y_node|: half the relay's jump (its threshold centres the band on −y_node) plus the largest
    /// single jump of y_node it must follow, |D_I| (the relay catches up one spike per step).
    /// </summary>
    public double RelayError => (RelayPrecision / 2) + Module.Precision;

    /// <summary>Neurons of the node's module and relay.</summary>
    public int NeuronCount => Module.Excitatory.Size + Module.Inhibitory.Size + (Relay?.Size ?? 0);
}

/// <summary>A compiled graph: one experiment in which every node is an E-I module reading its parents' latents.</summary>
/// <param name="Experiment">The network with a sweep protocol over the external inputs, started at the crossings.</param>
/// <param name="Inputs">The external inputs.</param>
/// <param name="Nodes">The compiled nodes in dependency order.</param>
/// <param name="Summary">A human-readable account, one line per node.</param>
public sealed record CompiledGraph(Experiment Experiment, IReadOnlyList<GraphInput> Inputs, IReadOnlyList<CompiledNode> Nodes, string Summary)
{
    /// <summary>The input box of the external inputs.</summary>
    public IReadOnlyList<(double Lo, double Hi)> Ranges => Inputs.Select(i => (i.Lo, i.Hi)).ToArray();

    /// <summary>A node by name.</summary>
    public CompiledNode this[string name] => Nodes.First(n => string.Equals(n.Node.Name, name, StringComparison.Ordinal));
}

/// <summary>
/// Compiles vector functions and composition graphs into one Dale's-law spiking network of rank 2·P (plus one rank for
/// each relay): every node is an E-I module (§2.7) whose boundaries live in the space of its own inputs. A node that
/// reads another node's output reads that node's excitatory latent through its encoders, so the composition is
/// computed by spikes. Encoders are ≥ 0 under Dale's law (the sign of a connection lives on the presynaptic decoder);
/// a boundary piece with a negative slope in a parent's output therefore reads an inhibitory relay population whose
/// latent carries −output (a rank-1 inhibitory boundary y_R = −y_parent, one neuron by default).
/// </summary>
public static class GraphCompiler
{
    /// <summary>Suffix of the inhibitory population of node <c>name</c>: <c>name_I</c>.</summary>
    public const string InhibitorySuffix = "_I";

    /// <summary>Suffix of the relay population carrying −output of node <c>name</c>: <c>name_neg</c>.</summary>
    public const string RelaySuffix = "_neg";

    /// <summary>Spike jumps the simulated readout may stray beyond the crossing (as in the single-function tests).</summary>
    public const double JumpAllowance = 1.25;

    /// <summary>Standard deviations of the crossing's noise jitter the predicted error allows for.</summary>
    public const double NoiseSigmas = 4;

    /// <summary>Compiles a vector function f: ℝᴹ → ℝᴾ: P independent modules on the same inputs, output p in <c>y_names[p]</c>.</summary>
    /// <param name="functions">(name, f, description) per output; every f reads all M inputs.</param>
    /// <param name="ranges">One (lo, hi) per input dimension.</param>
    /// <param name="options">Budget (per output), method, precision and protocol.</param>
    /// <exception cref="ModelValidationException">For an impossible request, naming <c>functions[p]</c> and the option.</exception>
    public static CompiledGraph CompileVector(IReadOnlyList<(string Name, Func<double[], double> F, string Description)> functions, IReadOnlyList<(double Lo, double Hi)> ranges, CompileOptions options)
    {
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(options);
        FunctionCompiler.CheckRanges(ranges);
        var names = ranges.Count == 1 ? new[] { "x" } : Enumerable.Range(1, ranges.Count).Select(d => "x" + d.ToString(CultureInfo.InvariantCulture)).ToArray();
        var graph = new FunctionGraph(
            ranges.Select((r, d) => new GraphInput(names[d], r.Lo, r.Hi)).ToArray(),
            functions.Select(f => new GraphNode(f.Name, f.F, names, null, f.Description)).ToArray());
        return Compile(graph, options, "functions");
    }

    /// <summary>Compiles a function graph into one network.</summary>
    /// <param name="graph">Inputs and nodes.</param>
    /// <param name="options">Default budget, method, precision and protocol.</param>
    /// <param name="nodeField">Field name of the node list in error messages (<c>nodes</c> in a graph file).</param>
    /// <exception cref="ModelValidationException">For a cycle, an unknown name, an underivable range, a function undefined on its derived input range, or any single-function refusal, naming the node's field.</exception>
    public static CompiledGraph Compile(FunctionGraph graph, CompileOptions options, string nodeField = "nodes")
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var order = CheckAndOrder(graph, nodeField);
        int m = graph.Inputs.Count;
        var ranges = graph.Inputs.Select(i => (i.Lo, i.Hi)).ToArray();
        var inputIndex = graph.Inputs.Select((inp, d) => (inp.Name, d)).ToDictionary(t => t.Name, t => t.d, StringComparer.Ordinal);
        var nodeIndex = graph.Nodes.Select((n, k) => (n.Name, k)).ToDictionary(t => t.Name, t => t.k, StringComparer.Ordinal);
        // Every module is built as if it were alone: its precision is the finest whose peak rate stays within the
        // construction's budget, a quarter of the one-spike-per-step ceiling 1/dt (see below for the shared ceiling).
        var compiled = new CompiledNode?[graph.Nodes.Count];
        foreach (int k in order)
        {
            compiled[k] = CompileNode(graph, k, options, nodeField, inputIndex, nodeIndex, compiled);
        }

        // Relays: an inhibitory population per node whose output some reader needs with a negative slope.
        var negated = new HashSet<string>(compiled.SelectMany(c => c!.Module.NegatedLatents), StringComparer.Ordinal);
        var nodes = new List<CompiledNode>();
        foreach (int k in order)
        {
            var c = compiled[k]!;
            if (negated.Contains(c.OutputLatent))
            {
                c = c with { Relay = Relay(c, m, options) };
            }

            nodes.Add(c);
        }

        var populations = new List<Population>();
        foreach (var c in nodes)
        {
            populations.Add(c.Module.Excitatory);
            populations.Add(c.Module.Inhibitory);
            if (c.Relay is not null)
            {
                populations.Add(c.Relay);
            }
        }

        // The clock engine fires at most one spike per step in the whole network, so the modules and relays share the
        // ceiling 1/dt: the written spec's time step is shortened until their summed peak rates fit the budget again.
        double totalRate = nodes.Sum(c => c.Module.PeakRatePerTau + (c.Relay is null ? 0 : c.OutputRange.Hi / c.RelayPrecision));
        double dt = Math.Min(options.Dt, RoundDown(EiConstruction.RateBudget / totalRate));
        var (inputs, settings, x0) = FunctionCompiler.Protocol(ranges, options with { Dt = dt });
        var initial = new Dictionary<string, double>(StringComparer.Ordinal);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int d = 0; d < m; d++)
        {
            values[graph.Inputs[d].Name] = x0[d];
        }

        foreach (var c in nodes)
        {
            var u = c.Node.Inputs.Select(name => values[name]).ToArray();
            var (yE, yI) = c.Module.Crossing(u);
            values[c.Node.Name] = yE;
            initial[c.OutputLatent] = yE;
            initial[c.Module.Inhibitory.LatentName] = yI;
            if (c.Relay is not null)
            {
                initial[c.Relay.LatentName] = -yE;
            }
        }

        var network = new LowRankNetwork(populations);
        string summary = string.Join(Environment.NewLine, nodes.Select(Describe))
            + Environment.NewLine
            + $"{network.NeuronCount} neurons in {populations.Count} populations (rank {populations.Count}); a = {options.A:G3}; built for dt = {Num(options.Dt)} τ, simulated at dt = {Num(dt)} τ (the modules share the one-spike-per-step ceiling); inputs {string.Join(", ", graph.Inputs.Select(i => $"{i.Name} ∈ [{Num(i.Lo)}, {Num(i.Hi)}]"))}";
        var experiment = new Experiment(network, inputs, settings, initialLatents: initial, name: options.Name, description: summary);
        return new CompiledGraph(experiment, graph.Inputs.ToArray(), nodes, summary);
    }

    private static string Describe(CompiledNode c)
    {
        string box = string.Join(", ", c.Node.Inputs.Select((name, d) => $"{name} ∈ [{Num(c.InputBox[d].Lo)}, {Num(c.InputBox[d].Hi)}]"));
        string relay = c.Relay is null ? string.Empty : $" + relay {c.Relay.Name} ({c.Relay.Size})";
        return $"{c.OutputLatent} = {c.Node.Description} on {box}: N_E = {c.Module.Excitatory.Size}, N_I = {c.Module.Inhibitory.Size}{relay}, " +
            $"|D_I| = {Num(c.Module.Precision)}, crossing error {Num(c.CrossingError)}, predicted error {Num(c.PredictedError)}, " +
            $"derived range [{Num(c.OutputRange.Lo)}, {Num(c.OutputRange.Hi)}], depth {c.Depth}";
    }

    /// <summary>Checks names and references and returns the nodes in dependency order; a cycle is refused.</summary>
    private static List<int> CheckAndOrder(FunctionGraph graph, string nodeField)
    {
        if (graph.Inputs.Count == 0)
        {
            throw new ModelValidationException("inputs", "give at least one external input with its range, e.g. inputs: {x: [-1, 1]}");
        }

        if (graph.Nodes.Count == 0)
        {
            throw new ModelValidationException(nodeField, "give at least one node");
        }

        FunctionCompiler.CheckRanges(graph.Inputs.Select(i => (i.Lo, i.Hi)).ToArray());
        var inputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in graph.Inputs)
        {
            if (!inputs.Add(i.Name))
            {
                throw new ModelValidationException($"inputs.{i.Name}", $"input '{i.Name}' is given twice");
            }
        }

        var nodes = new Dictionary<string, int>(StringComparer.Ordinal);
        var populationNames = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k < graph.Nodes.Count; k++)
        {
            var n = graph.Nodes[k];
            string at = $"{nodeField}[{k}]";
            if (!IsIdentifier(n.Name))
            {
                throw new ModelValidationException($"{at}.name", $"'{n.Name}' is not a valid name: use letters, digits and '_', starting with a letter (it names the latent y_{n.Name})");
            }

            if (inputs.Contains(n.Name))
            {
                throw new ModelValidationException($"{at}.name", $"'{n.Name}' is also an input name; give the node another name");
            }

            if (!nodes.TryAdd(n.Name, k))
            {
                throw new ModelValidationException($"{at}.name", $"node name '{n.Name}' is used twice");
            }

            foreach (string p in new[] { n.Name, n.Name + InhibitorySuffix, n.Name + RelaySuffix })
            {
                if (!populationNames.Add(p))
                {
                    throw new ModelValidationException($"{at}.name", $"'{n.Name}' clashes with the population '{p}' of another node (nodes use name, name{InhibitorySuffix} and name{RelaySuffix})");
                }
            }

            if (n.Neurons is < 2)
            {
                throw new ModelValidationException($"{at}.neurons", $"a node needs a budget of at least 2 neurons (got {n.Neurons})");
            }
        }

        for (int k = 0; k < graph.Nodes.Count; k++)
        {
            var n = graph.Nodes[k];
            if (n.Inputs.Count == 0)
            {
                throw new ModelValidationException($"{nodeField}[{k}].inputs", "a node needs at least one input");
            }

            for (int j = 0; j < n.Inputs.Count; j++)
            {
                string name = n.Inputs[j];
                if (!inputs.Contains(name) && !nodes.ContainsKey(name))
                {
                    throw new ModelValidationException($"{nodeField}[{k}].inputs[{j}]", $"unknown input or node '{name}' (inputs: {string.Join(", ", graph.Inputs.Select(i => i.Name))}; nodes: {string.Join(", ", graph.Nodes.Select(x => x.Name))})");
                }

                if (n.Inputs.Take(j).Contains(name, StringComparer.Ordinal))
                {
                    throw new ModelValidationException($"{nodeField}[{k}].inputs[{j}]", $"'{name}' is listed twice");
                }
            }
        }

        // Depth-first topological sort; a back edge is a cycle, reported along its path.
        var state = new int[graph.Nodes.Count];
        var order = new List<int>();
        var path = new List<int>();
        void Visit(int k)
        {
            if (state[k] == 2)
            {
                return;
            }

            if (state[k] == 1)
            {
                var cycle = path.Skip(path.IndexOf(k)).Append(k).Select(i => graph.Nodes[i].Name);
                throw new ModelValidationException($"{nodeField}[{k}].inputs", $"the graph has a cycle {string.Join(" → ", cycle)}; compositions must be acyclic (recurrent dynamics between nodes are not supported)");
            }

            state[k] = 1;
            path.Add(k);
            foreach (string name in graph.Nodes[k].Inputs)
            {
                if (nodes.TryGetValue(name, out int parent))
                {
                    Visit(parent);
                }
            }

            path.RemoveAt(path.Count - 1);
            state[k] = 2;
            order.Add(k);
        }

        for (int k = 0; k < graph.Nodes.Count; k++)
        {
            Visit(k);
        }

        return order;
    }

    private static CompiledNode CompileNode(FunctionGraph graph, int k, CompileOptions options, string nodeField, Dictionary<string, int> inputIndex, Dictionary<string, int> nodeIndex, CompiledNode?[] compiled)
    {
        var node = graph.Nodes[k];
        string at = $"{nodeField}[{k}]";
        int dims = node.Inputs.Count;
        var box = new (double Lo, double Hi)[dims];
        var variables = new ModuleVariable[dims];
        var parentTargets = new Func<double[], double>[dims];
        int depth = 1;
        for (int d = 0; d < dims; d++)
        {
            string name = node.Inputs[d];
            if (inputIndex.TryGetValue(name, out int xi))
            {
                box[d] = (graph.Inputs[xi].Lo, graph.Inputs[xi].Hi);
                variables[d] = ModuleVariable.External(xi);
                parentTargets[d] = x => x[xi];
            }
            else
            {
                var parent = compiled[nodeIndex[name]]!;
                box[d] = parent.OutputRange;
                if (!(box[d].Hi > box[d].Lo))
                {
                    throw new ModelValidationException($"{at}.inputs[{d}]", $"the range of node '{name}' cannot be derived: its output is constant ({Num(box[d].Lo)}) on its inputs, so it carries no signal; use a constant in the function instead");
                }

                variables[d] = ModuleVariable.FromLatent(parent.OutputLatent, Population.LatentNameOf(name + RelaySuffix));
                parentTargets[d] = parent.Target;
                depth = Math.Max(depth, parent.Depth + 1);
            }
        }

        var samples = FunctionCompiler.Samples(box);
        string Where(double[] u) => string.Join(", ", node.Inputs.Select((name, d) => $"{name} = {u[d].ToString("G4", CultureInfo.InvariantCulture)}"));
        string BoxText() => string.Join(", ", node.Inputs.Select((name, d) => $"{name} ∈ [{Num(box[d].Lo)}, {Num(box[d].Hi)}]"));
        bool readsNodes = variables.Any(v => v.ExternalIndex is null);
        foreach (var u in samples)
        {
            double v = node.Function(u);
            if (!double.IsFinite(v))
            {
                string why = readsNodes
                    ? $"{node.Name} is undefined on its derived input range {BoxText()}: {node.Name}({Where(u)}) = {v}; change the function or its parents' ranges"
                    : $"{node.Name}({Where(u)}) = {v} is not finite, so the node's range cannot be derived; the function must be finite on {BoxText()}";
                throw new ModelValidationException($"{at}.function", why);
            }
        }

        var options1 = options with { Neurons = node.Neurons ?? options.Neurons };
        int budget = options1.Neurons;
        var method = options.Method == CompileMethod.Auto ? (dims == 1 ? CompileMethod.PiecewiseLinear : CompileMethod.Smooth) : options.Method;
        if (method == CompileMethod.PiecewiseLinear && dims != 1)
        {
            throw new ModelValidationException("method", $"{node.Name} has {dims} inputs; the piecewise-linear split (Theorem 2) is for one input, use the smooth method");
        }

        try
        {
            foreach (var u in samples)
            {
                double v = node.Function(u);
                if (v < 0)
                {
                    throw new ModelValidationException("function", $"{node.Name}({Where(u)}) = {v:G4} < 0 on {BoxText()}: the excitatory latent is ≥ 0 under Dale's law; shift the function by a constant (e.g. '{node.Description} + {Math.Ceiling(-v * 10) / 10:G3}')");
                }
            }

            int minimum = FunctionCompiler.MinimumBudget(method, dims);
            if (budget < minimum)
            {
                throw new ModelValidationException("neurons", $"a budget of {budget} neurons is too small for {dims} input(s); give ≥ {minimum}");
            }

            var split = FunctionCompiler.Split(node.Function, box, budget, method);
            FunctionCompiler.CheckResolution(node.Function, box, samples, split, options1, node.Description, n => FunctionCompiler.Split(node.Function, box, n, method), minimum);
            var wiring = new ModuleWiring(node.Name, node.Name + InhibitorySuffix, graph.Inputs.Count, variables);
            var module = EiConstruction.BuildModule(split, samples, wiring, options.A, options.Precision, options.Dt, options.Noise, options.Mu, EiConstruction.RateBudget, options.MaxRate);
            double crossing = samples.Max(u => Math.Abs(module.Crossing(u).YE - node.Function(u)));

            // Predicted bound on |y_node(t) − target(x(t))|: the module's crossing error and spike jumps, plus each
            // parent's predicted error (and its relay's error where the node reads the relay) times the node's largest
            // slope in that parent over the box. Current noise of std σ makes each free voltage an OU process of
            // stationary std σ, which moves the E boundary by δ_E and the I boundary by δ_I (encoders 1) and so the
            // crossing by (δ_I − δ_E)/(a − 1): std √2·σ/(a − 1), allowed for up to 4 standard deviations. The derived
            // output range is the node's range on its box widened by the prediction (never below 0: the excitatory
            // latent cannot go there).
            double noise = NoiseSigmas * Math.Sqrt(2) * options.Noise / (options.A - 1);
            double predicted = crossing + (JumpAllowance * module.Precision) + noise;
            for (int d = 0; d < dims; d++)
            {
                if (variables[d].Latent is { } latent)
                {
                    var parent = compiled[nodeIndex[node.Inputs[d]]]!;
                    bool viaRelay = module.NegatedLatents.Contains(latent, StringComparer.Ordinal);
                    double slope = MaxSlope(node.Function, samples, d, box[d]);
                    predicted += slope * (parent.PredictedError + (viaRelay ? parent.RelayError : 0));
                    noise += slope * parent.NoiseAllowance;
                }
            }

            double lo = Math.Max(0, samples.Min(node.Function) - predicted), hi = samples.Max(node.Function) + predicted;
            double relayPrecision = options.Precision ?? Math.Max(hi * options.Dt / EiConstruction.RateBudget, 1e-9);
            double[] Compose(double[] x) => parentTargets.Select(t => t(x)).ToArray();
            return new CompiledNode(node, k, module, null, relayPrecision, box, (lo, hi), crossing, predicted, noise, depth, x => node.Function(Compose(x)));
        }

        catch (ModelValidationException e) when (!e.Field.StartsWith(nodeField, StringComparison.Ordinal))
        {
            throw new ModelValidationException($"{at}.{e.Field}", e.Reason);
        }
    }

    private static double MaxSlope(Func<double[], double> f, List<double[]> samples, int d, (double Lo, double Hi) range)
    {
        double h = 1e-4 * (range.Hi - range.Lo);
        double max = 0;
        foreach (var u in samples)
        {
            var a = (double[])u.Clone();
            var b = (double[])u.Clone();
            a[d] = Math.Max(range.Lo, u[d] - h);
            b[d] = Math.Min(range.Hi, u[d] + h);
            double fa = f(a), fb = f(b);
            if (b[d] > a[d] && double.IsFinite(fa) && double.IsFinite(fb))
            {
                max = Math.Max(max, Math.Abs(fb - fa) / (b[d] - a[d]));
            }
        }

        return max;
    }

    /// <summary>
    /// The relay of node c: an inhibitory rank-1 population reading y_c (encoder 1) and its own latent y_R (encoder 1)
    /// with threshold |D_R|/2, so y_R sits in the band [−y_c − |D_R|/2, −y_c + |D_R|/2] (the inhibitory boundary of
    /// Fig. 2 with a linear boundary −y_c). |D_R| is the finest jump whose rate, max y_c/|D_R| per τ, stays within the
    /// construction's rate budget.
    /// </summary>
    private static Population Relay(CompiledNode c, int m, CompileOptions options)
    {
        double dR = c.RelayPrecision;
        string name = c.Node.Name + RelaySuffix;
        int n = options.MaxRate is { } cap ? EiConstruction.Copies(c.OutputRange.Hi / dR, cap) : 1;
        double mu = n > 1 ? Math.Max(options.Mu, EiConstruction.TurnTakingCost * dR) : options.Mu;
        return new Population(
            name,
            PopulationKind.Inhibitory,
            Enumerable.Range(0, n).Select(_ => new double[m]).ToArray(),
            Enumerable.Repeat(dR / 2, n).ToArray(),
            Enumerable.Repeat(-dR, n).ToArray(),
            new Dictionary<string, double[]>(StringComparer.Ordinal) { [c.OutputLatent] = Enumerable.Repeat(1.0, n).ToArray(), [Population.LatentNameOf(name)] = Enumerable.Repeat(1.0, n).ToArray() },
            mu,
            options.Noise);
    }

    /// <summary>v rounded down to two significant digits (a readable time step that keeps the budget).</summary>
    private static double RoundDown(double v)
    {
        double unit = Math.Pow(10, Math.Floor(Math.Log10(v)) - 1);
        return Math.Floor((v / unit) + 1e-9) * unit;
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && char.IsAsciiLetter(name[0]) && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_');

    private static string Num(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}

/// <summary>Measures each node of a compiled graph against its composed target.</summary>
public static class CompiledGraphTracking
{
    /// <summary>
    /// Per node, compares y_node(t) with target(x(t)) on the recorded samples from <paramref name="from"/> on
    /// (default: after the settling period).
    /// </summary>
    /// <exception cref="ArgumentException">When the run ended before any sample could be compared.</exception>
    public static IReadOnlyDictionary<string, TrackingError> Measure(CompiledGraph compiled, SimulationResult result, double? from = null)
    {
        ArgumentNullException.ThrowIfNull(compiled);
        ArgumentNullException.ThrowIfNull(result);
        var errors = new Dictionary<string, TrackingError>(StringComparer.Ordinal);
        foreach (var node in compiled.Nodes)
        {
            errors[node.Node.Name] = CompiledFunctionTracking.Measure(result.Latent(node.OutputLatent), node.Target, compiled.Inputs.Count, result, from ?? FunctionCompiler.SettleTime);
        }

        return errors;
    }
}
