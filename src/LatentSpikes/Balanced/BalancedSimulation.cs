using LatentSpikes.Randomness;
using LatentSpikes.Simulation;

namespace LatentSpikes.Balanced;

/// <summary>
/// One stretch of simulated time with its own latent protocol. In mode A <see cref="Latent"/> is the imposed κ(t);
/// in mode B it is the external latent input u(t) of τ_s dκ/dt = −κ + (1/N)Σ n_j S_j + u, and κ starts from
/// <see cref="InitialLatent"/> when given. Statistics are taken after <see cref="Discard"/> seconds.
/// </summary>
/// <param name="Label">Name used in reports.</param>
/// <param name="Duration">Total duration (s), discard included.</param>
/// <param name="Discard">Initial transient excluded from all statistics (s).</param>
/// <param name="Latent">κ(t) (mode A) or u(t) (mode B), t in seconds from the segment start.</param>
/// <param name="InitialLatent">Mode B: κ at the segment start (null keeps the current κ).</param>
public sealed record LatentSegment(string Label, double Duration, double Discard, Func<double, double[]> Latent, IReadOnlyList<double>? InitialLatent = null)
{
    /// <summary>A static condition: κ held at <paramref name="kappa"/>.</summary>
    public static LatentSegment Static(string label, double duration, double discard, double[] kappa)
    {
        ArgumentNullException.ThrowIfNull(kappa);
        double[] k = (double[])kappa.Clone();
        return new LatentSegment(label, duration, discard, _ => k);
    }
}

/// <summary>What one segment produced (statistics over the recorded part, after the discard).</summary>
public sealed class SegmentRecord
{
    internal SegmentRecord(string label, int populations, int neurons, int rank)
    {
        Label = label;
        MeanV = new double[populations];
        AcrossNeuronVarianceV = new double[populations];
        Rates = new double[populations];
        IsiCv = new double[populations];
        SpikeCounts = new int[neurons];
        MeanLatent = new double[rank];
    }

    /// <summary>The segment's label.</summary>
    public string Label { get; }

    /// <summary>Recorded duration (s).</summary>
    public double RecordedDuration { get; internal set; }

    /// <summary>Time average of the population-mean potential V̄_a(t).</summary>
    public double[] MeanV { get; }

    /// <summary>Time average of the across-neuron variance Var_i V_i(t).</summary>
    public double[] AcrossNeuronVarianceV { get; }

    /// <summary>Population rates (Hz).</summary>
    public double[] Rates { get; }

    /// <summary>Mean over neurons (with ≥ 3 intervals) of the ISI coefficient of variation, per population.</summary>
    public double[] IsiCv { get; }

    /// <summary>Spike count of every neuron over the recorded part.</summary>
    public int[] SpikeCounts { get; }

    /// <summary>Time-averaged κ over the recorded part.</summary>
    public double[] MeanLatent { get; }

    /// <summary>Bin centres (s from the segment start) of the 10 ms time series.</summary>
    public List<double> BinTimes { get; } = [];

    /// <summary>Per bin: V̄_E, V̄_I averaged over the bin.</summary>
    public List<double[]> BinMeanV { get; } = [];

    /// <summary>Per bin: across-neuron variance of V in E and I.</summary>
    public List<double[]> BinVarianceV { get; } = [];

    /// <summary>Per bin: population rates (Hz).</summary>
    public List<double[]> BinRates { get; } = [];

    /// <summary>Per bin: κ averaged over the bin.</summary>
    public List<double[]> BinLatent { get; } = [];

    /// <summary>Population spike counts in consecutive 50 ms windows: [window][population].</summary>
    public List<int[]> WindowCounts { get; } = [];

    /// <summary>Per bin: 50 ms-filtered spike trains (Hz) of the decoder neurons.</summary>
    public List<double[]> DecoderFeatures { get; } = [];

    /// <summary>Time-averaged rate of neuron i (Hz).</summary>
    public double Rate(int neuron) => SpikeCounts[neuron] / RecordedDuration;
}

/// <summary>
/// Clock-driven simulation of the balanced network (spec §2.3, §2.8): V ← λV + (1−λ)m·κ + drive + jumps of the
/// previous step's spikes (one-step delay), then a Bernoulli spike with P = 1 − exp(−φ(V)dt). Each step runs in
/// one parallel phase: every worker first scatters the previous step's spikes into its own range of targets (the
/// outgoing lists are sorted, so a binary search finds the range), then updates its neurons. Every draw is a
/// counter-based function of (seed, neuron, step) and every sum is taken in a fixed order, so results do not depend
/// on the thread count.
/// </summary>
public sealed class BalancedSimulation : IDisposable
{
    /// <summary>Width of the recorded time-series bins (s).</summary>
    public const double BinWidth = 0.010;

    /// <summary>Width of the spike-count windows used for correlations (s).</summary>
    public const double CountWindow = 0.050;

    /// <summary>Time constant of the decoder's spike filter (s).</summary>
    public const double DecoderFilterTau = 0.050;

    private const int BlockSize = 256;

    private readonly BalancedNetwork _net;
    private readonly BalancedParameters _p;
    private readonly int _n;
    private readonly int _rank;
    private readonly double[] _v;
    private readonly double[] _input;
    private readonly ulong[] _keys;
    private readonly int[] _refractory;
    private readonly int _refractorySteps;
    private readonly int[] _lastSpike;
    private readonly long[] _isiSum;
    private readonly long[] _isiSquares;
    private readonly int[] _isiCount;
    private readonly (int Lo, int Hi)[] _blocks;
    private readonly double[] _blockSum;
    private readonly double[] _blockSquares;
    private readonly (int FirstBlock, int EndBlock)[] _chunks;
    private readonly int[][] _chunkSpikes;
    private readonly int[] _chunkSpikeCount;
    private readonly int[] _spikes;
    private readonly double[] _kappa;
    private readonly double[] _latentInput;
    private readonly double[] _leak;
    private readonly double[] _drive;
    private readonly double[] _weights;
    private readonly double[] _hazardScale;
    private readonly int[] _decoderIndex;
    private readonly double[] _decoderTrace;
    private readonly StepWorkers? _workers;
    private int _spikeCount;
    private long _step;
    private long _recordFrom;

    /// <summary>Prepares a simulation starting from V = 0 (the calibrated mean) and κ = 0.</summary>
    /// <param name="network">The network.</param>
    /// <param name="threads">Worker threads (0: all cores); results do not depend on it.</param>
    /// <param name="decoderNeurons">How many evenly spaced neurons feed the latent decoder (0: none).</param>
    public BalancedSimulation(BalancedNetwork network, int threads = 0, int decoderNeurons = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        _net = network;
        _p = network.Parameters;
        _n = _p.NeuronCount;
        _rank = _p.Rank;
        _v = new double[_n];
        _input = new double[_n];
        _keys = new ulong[_n];
        for (int i = 0; i < _n; i++)
        {
            _keys[i] = CounterRandom.StreamKey(_p.Seed, 0, CounterRandom.BalancedDomain, BalancedStreams.Spikes + (ulong)i);
        }

        _refractory = new int[_n];
        _refractorySteps = (int)Math.Round(_p.Refractory / _p.Dt);
        _lastSpike = new int[_n];
        Array.Fill(_lastSpike, -1);
        _isiSum = new long[_n];
        _isiSquares = new long[_n];
        _isiCount = new int[_n];
        var blocks = new List<(int, int)>();
        foreach (var (lo, hi) in new[] { (0, _p.ExcitatoryCount), (_p.ExcitatoryCount, _n) })
        {
            for (int b = lo; b < hi; b += BlockSize)
            {
                blocks.Add((b, Math.Min(hi, b + BlockSize)));
            }
        }

        _blocks = [.. blocks];
        _blockSum = new double[_blocks.Length];
        _blockSquares = new double[_blocks.Length];
        int chunkCount = Math.Clamp(threads > 0 ? threads : Environment.ProcessorCount, 1, _blocks.Length);
        _chunks = new (int, int)[chunkCount];
        for (int c = 0; c < chunkCount; c++)
        {
            _chunks[c] = (c * _blocks.Length / chunkCount, (c + 1) * _blocks.Length / chunkCount);
        }

        _chunkSpikes = _chunks.Select(c => new int[_blocks[c.EndBlock - 1].Hi - _blocks[c.FirstBlock].Lo]).ToArray();
        _chunkSpikeCount = new int[chunkCount];
        _spikes = new int[_n];
        _kappa = new double[_rank];
        _latentInput = new double[_rank];
        _leak = [_p.Leak(0), _p.Leak(1)];
        double g = _p.CouplingGain;
        // The DC drive enters per step like a mean spike input, g·J_a0·ν₀·dt, so its stationary value is
        // g·τ̃_a·J_a0·ν₀ exactly (see BalancedParameters.EffectiveTau).
        _drive = [g * _p.JeExternal * _p.ExternalRate * _p.Dt, g * _p.JiExternal * _p.ExternalRate * _p.Dt];
        _weights = new double[4];
        for (int a = 0; a < 2; a++)
        {
            for (int b = 0; b < 2; b++)
            {
                _weights[(a * 2) + b] = g * _p.J(a, b) / _p.K;
            }
        }

        _hazardScale = [_p.EscapeRate * _p.Dt * Math.Exp(-network.Thresholds[0]), _p.EscapeRate * _p.Dt * Math.Exp(-network.Thresholds[1])];
        _decoderIndex = new int[_n];
        Array.Fill(_decoderIndex, -1);
        int d = Math.Clamp(decoderNeurons, 0, _n);
        for (int q = 0; q < d; q++)
        {
            _decoderIndex[(int)((long)q * _n / d)] = q;
        }

        _decoderTrace = new double[d];
        Threads = chunkCount;
        if (chunkCount > 1)
        {
            _workers = new StepWorkers(chunkCount, RunChunk);
        }
    }

    /// <summary>Number of worker threads.</summary>
    public int Threads { get; }

    /// <summary>The current latent state κ.</summary>
    public IReadOnlyList<double> Latent => _kappa;

    /// <summary>Simulates the segments in order, continuing from the current state; reports (done, total) after each.</summary>
    public List<SegmentRecord> Run(IReadOnlyList<LatentSegment> segments, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var records = new List<SegmentRecord>(segments.Count);
        for (int s = 0; s < segments.Count; s++)
        {
            records.Add(RunSegment(segments[s]));
            progress?.Invoke(s + 1, segments.Count);
        }

        return records;
    }

    /// <summary>Simulates one segment.</summary>
    public SegmentRecord RunSegment(LatentSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (!(segment.Duration > 0) || !(segment.Discard >= 0) || segment.Discard >= segment.Duration)
        {
            throw new Model.ModelValidationException($"segment '{segment.Label}'", $"needs 0 ≤ discard < duration (got {segment.Discard} s of {segment.Duration} s)");
        }

        bool modeB = _net.Readout is not null;
        if (modeB && segment.InitialLatent is { } k0)
        {
            for (int r = 0; r < _rank; r++)
            {
                _kappa[r] = k0[r];
            }
        }

        int steps = (int)Math.Round(segment.Duration / _p.Dt);
        int discard = (int)Math.Round(segment.Discard / _p.Dt);
        int binSteps = Math.Max(1, (int)Math.Round(BinWidth / _p.Dt));
        int windowSteps = Math.Max(1, (int)Math.Round(CountWindow / _p.Dt));
        double decoderDecay = Math.Exp(-_p.Dt / DecoderFilterTau);
        double latentLeak = Math.Exp(-_p.Dt / _p.LatentTau);
        var rec = new SegmentRecord(segment.Label, 2, _n, _rank);
        int ne = _p.ExcitatoryCount;
        double[] binV = new double[2], binVar = new double[2], binLatent = new double[_rank];
        int[] binSpikes = new int[2], windowSpikes = new int[2];
        int inBin = 0, inWindow = 0;
        _recordFrom = _step + discard;
        for (int t = 0; t < steps; t++)
        {
            double[] u = segment.Latent(t * _p.Dt);
            if (u.Length != _rank)
            {
                throw new Model.ModelValidationException($"segment '{segment.Label}'", $"latent protocol returned {u.Length} values for rank {_rank}");
            }

            if (!modeB)
            {
                Array.Copy(u, _kappa, _rank);
            }

            // The latent input m_i·κ uses the κ of this step; (1 − λ_a) is folded in per population by the workers.
            Array.Copy(_kappa, _latentInput, _rank);
            if (_workers is null)
            {
                RunChunk(0);
            }
            else
            {
                _workers.RunStep();
            }

            _spikeCount = 0;
            for (int c = 0; c < _chunks.Length; c++)
            {
                Array.Copy(_chunkSpikes[c], 0, _spikes, _spikeCount, _chunkSpikeCount[c]);
                _spikeCount += _chunkSpikeCount[c];
            }

            if (modeB)
            {
                UpdateLatent(u, latentLeak);
            }

            if (_decoderTrace.Length > 0)
            {
                for (int q = 0; q < _decoderTrace.Length; q++)
                {
                    _decoderTrace[q] *= decoderDecay;
                }

                for (int s = 0; s < _spikeCount; s++)
                {
                    int q = _decoderIndex[_spikes[s]];
                    if (q >= 0)
                    {
                        _decoderTrace[q] += 1 / DecoderFilterTau;
                    }
                }
            }

            if (t >= discard)
            {
                Record(rec, binV, binVar, binLatent, binSpikes, windowSpikes, ne);
                inBin++;
                inWindow++;
                if (inBin == binSteps)
                {
                    double stepsInBin = binSteps;
                    rec.BinTimes.Add((t + 1 - (binSteps / 2.0)) * _p.Dt);
                    rec.BinMeanV.Add([binV[0] / stepsInBin, binV[1] / stepsInBin]);
                    rec.BinVarianceV.Add([binVar[0] / stepsInBin, binVar[1] / stepsInBin]);
                    rec.BinRates.Add([binSpikes[0] / (ne * binSteps * _p.Dt), binSpikes[1] / ((_n - ne) * binSteps * _p.Dt)]);
                    rec.BinLatent.Add(binLatent.Select(x => x / stepsInBin).ToArray());
                    if (_decoderTrace.Length > 0)
                    {
                        rec.DecoderFeatures.Add((double[])_decoderTrace.Clone());
                    }

                    Array.Clear(binV);
                    Array.Clear(binVar);
                    Array.Clear(binLatent);
                    Array.Clear(binSpikes);
                    inBin = 0;
                }

                if (inWindow == windowSteps)
                {
                    rec.WindowCounts.Add((int[])windowSpikes.Clone());
                    Array.Clear(windowSpikes);
                    inWindow = 0;
                }
            }

            _step++;
        }

        Finish(rec, steps - discard);
        return rec;
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose() => _workers?.Dispose();

    private void Record(SegmentRecord rec, double[] binV, double[] binVar, double[] binLatent, int[] binSpikes, int[] windowSpikes, int ne)
    {
        // Block sums are reduced in block order, so the statistics are independent of the chunking.
        double s0 = 0, q0 = 0, s1 = 0, q1 = 0;
        for (int b = 0; b < _blocks.Length; b++)
        {
            if (_blocks[b].Lo < ne)
            {
                s0 += _blockSum[b];
                q0 += _blockSquares[b];
            }
            else
            {
                s1 += _blockSum[b];
                q1 += _blockSquares[b];
            }
        }

        int ni = _n - ne;
        double m0 = s0 / ne, m1 = s1 / ni;
        double v0 = (q0 / ne) - (m0 * m0), v1 = (q1 / ni) - (m1 * m1);
        if (!double.IsFinite(m0) || !double.IsFinite(m1))
        {
            throw new InvalidOperationException("the membrane potential became non-finite");
        }

        rec.MeanV[0] += m0;
        rec.MeanV[1] += m1;
        rec.AcrossNeuronVarianceV[0] += v0;
        rec.AcrossNeuronVarianceV[1] += v1;
        binV[0] += m0;
        binV[1] += m1;
        binVar[0] += v0;
        binVar[1] += v1;
        for (int r = 0; r < _rank; r++)
        {
            rec.MeanLatent[r] += _kappa[r];
            binLatent[r] += _kappa[r];
        }

        int[] counts = rec.SpikeCounts;
        for (int s = 0; s < _spikeCount; s++)
        {
            int j = _spikes[s];
            counts[j]++;
            int pop = j < ne ? 0 : 1;
            binSpikes[pop]++;
            windowSpikes[pop]++;
        }
    }

    private void Finish(SegmentRecord rec, int recordedSteps)
    {
        rec.RecordedDuration = recordedSteps * _p.Dt;
        int ne = _p.ExcitatoryCount;
        for (int a = 0; a < 2; a++)
        {
            rec.MeanV[a] /= recordedSteps;
            rec.AcrossNeuronVarianceV[a] /= recordedSteps;
            int lo = a == 0 ? 0 : ne, hi = a == 0 ? ne : _n;
            long total = 0;
            double cvSum = 0;
            int cvCount = 0;
            for (int i = lo; i < hi; i++)
            {
                total += rec.SpikeCounts[i];
                if (_isiCount[i] >= 3)
                {
                    double mean = (double)_isiSum[i] / _isiCount[i];
                    double var = ((double)_isiSquares[i] / _isiCount[i]) - (mean * mean);
                    cvSum += Math.Sqrt(Math.Max(0, var)) / mean;
                    cvCount++;
                }
            }

            rec.Rates[a] = total / ((hi - lo) * rec.RecordedDuration);
            rec.IsiCv[a] = cvCount > 0 ? cvSum / cvCount : double.NaN;
        }

        for (int r = 0; r < _rank; r++)
        {
            rec.MeanLatent[r] /= recordedSteps;
        }

        Array.Clear(_isiSum);
        Array.Clear(_isiSquares);
        Array.Clear(_isiCount);
    }

    private void UpdateLatent(double[] externalInput, double leak)
    {
        // τ_s dκ/dt = −κ + (1/N)Σ_j n_j S_j + u: a spike is a δ of weight 1, so over one step the spike term is
        // (1/(N·dt))Σ_spiking n_j, integrated exactly with the leak like the mean-field ODE.
        double[] n = _net.Readout!;
        Span<double> drive = stackalloc double[_rank];
        for (int s = 0; s < _spikeCount; s++)
        {
            int j = _spikes[s];
            for (int r = 0; r < _rank; r++)
            {
                drive[r] += n[(j * _rank) + r];
            }
        }

        double scale = 1.0 / (_n * _p.Dt);
        for (int r = 0; r < _rank; r++)
        {
            _kappa[r] = (leak * _kappa[r]) + ((1 - leak) * ((drive[r] * scale) + externalInput[r]));
        }
    }

    private void RunChunk(int chunk)
    {
        var (firstBlock, endBlock) = _chunks[chunk];
        int lo = _blocks[firstBlock].Lo, hi = _blocks[endBlock - 1].Hi;
        Scatter(lo, hi);
        int ne = _p.ExcitatoryCount;
        int count = 0;
        int[] spikes = _chunkSpikes[chunk];
        for (int b = firstBlock; b < endBlock; b++)
        {
            var (blo, bhi) = _blocks[b];
            int pop = blo < ne ? 0 : 1;
            count = UpdateBlock(b, blo, bhi, pop, spikes, count);
        }

        _chunkSpikeCount[chunk] = count;
    }

    private void Scatter(int lo, int hi)
    {
        var conn = _net.Connectivity;
        int[] start = conn.Start, targets = conn.Targets, excEnd = conn.ExcitatoryEnd;
        int ne = _p.ExcitatoryCount;
        double[] input = _input;
        for (int s = 0; s < _spikeCount; s++)
        {
            int j = _spikes[s];
            int pre = j < ne ? 0 : 1;
            int a = start[j], mid = excEnd[j], z = start[j + 1];
            if (lo < ne)
            {
                double w = _weights[pre];
                int from = LowerBound(targets, a, mid, lo), to = LowerBound(targets, from, mid, hi);
                for (int e = from; e < to; e++)
                {
                    input[targets[e]] += w;
                }
            }

            if (hi > ne)
            {
                double w = _weights[2 + pre];
                int from = LowerBound(targets, mid, z, lo), to = LowerBound(targets, from, z, hi);
                for (int e = from; e < to; e++)
                {
                    input[targets[e]] += w;
                }
            }
        }
    }

    private static int LowerBound(int[] a, int lo, int hi, int value)
    {
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private int UpdateBlock(int block, int lo, int hi, int pop, int[] spikes, int count)
    {
        double leak = _leak[pop], drive = _drive[pop], hazard = _hazardScale[pop];
        int stepNow = (int)_step;
        ulong counter = (ulong)_step;
        bool recording = _step >= _recordFrom;
        double[] v = _v, input = _input, m = _net.Loadings;
        // m_i·κ enters as (1 − λ)·m_i·κ per step, so its stationary value is m_i·κ.
        double k0 = (1 - leak) * _latentInput[0], k1 = _rank > 1 ? (1 - leak) * _latentInput[1] : 0;
        double sum = 0, squares = 0;
        for (int i = lo; i < hi; i++)
        {
            double latent = _rank switch
            {
                1 => m[i] * k0,
                2 => (m[2 * i] * k0) + (m[(2 * i) + 1] * k1),
                _ => LatentInput(i, leak),
            };
            double vi = (leak * v[i]) + drive + latent + input[i];
            input[i] = 0;
            v[i] = vi;
            sum += vi;
            squares += vi * vi;
            if (_refractory[i] > 0)
            {
                _refractory[i]--;
                continue;
            }

            // P(spike) = 1 − exp(−h) ≤ h ≤ hazard·ExpUpperBound(v): a uniform above the cheap bound never spikes, so
            // the exact exponentials run only for the few candidates, and the outcome is the same as without the bound.
            double uni = CounterRandom.Uniform(_keys[i], counter);
            if (uni >= hazard * ExpUpperBound(vi))
            {
                continue;
            }

            double h = hazard * Math.Exp(vi);
            if (uni < h && uni < -double.ExpM1(-h))
            {
                spikes[count++] = i;
                _refractory[i] = _refractorySteps;
                if (recording)
                {
                    int last = _lastSpike[i];
                    if (last >= _recordFrom)
                    {
                        long isi = stepNow - last;
                        _isiSum[i] += isi;
                        _isiSquares[i] += isi * isi;
                        _isiCount[i]++;
                    }
                }

                _lastSpike[i] = stepNow;
            }
        }

        _blockSum[block] = sum;
        _blockSquares[block] = squares;
        return count;
    }

    /// <summary>
    /// An upper bound of e^v from exponent bits: 2^y ≤ 2^⌊y⌋·(1 + y − ⌊y⌋) (the chord of a convex function), at most
    /// 6.2% above, padded by 1e−12 against rounding. Outside |v| ≤ 700 it returns +∞ (never rejects).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static double ExpUpperBound(double v)
    {
        if (!(v > -700 && v < 700))
        {
            return double.PositiveInfinity;
        }

        double y = v * 1.4426950408889634;
        double floor = Math.Floor(y);
        return BitConverter.Int64BitsToDouble(((long)floor + 1023) << 52) * (1 + (y - floor)) * (1 + 1e-12);
    }

    private double LatentInput(int i, double leak)
    {
        double s = 0;
        for (int r = 0; r < _rank; r++)
        {
            s += _net.Loadings[(i * _rank) + r] * _latentInput[r];
        }

        return (1 - leak) * s;
    }
}
