using LatentSpikes.Randomness;

namespace LatentSpikes.Balanced;

/// <summary>
/// A built balanced E-I network: connectivity, latent loadings m_i (centred within each population so the latent
/// input never moves a population mean), mode-B readout loadings n_i, and thresholds calibrated from the mean field.
/// </summary>
public sealed class BalancedNetwork
{
    private BalancedNetwork(BalancedParameters p, FixedInDegreeConnectivity c, double[] thresholds, double[] m, double[]? n, double recurrentScale)
    {
        Parameters = p;
        Connectivity = c;
        Thresholds = thresholds;
        Loadings = m;
        Readout = n;
        LoadingCovarianceScale = recurrentScale;
    }

    /// <summary>The parameters it was built from.</summary>
    public BalancedParameters Parameters { get; }

    /// <summary>The sparse random connectivity.</summary>
    public FixedInDegreeConnectivity Connectivity { get; }

    /// <summary>Thresholds θ_E, θ_I (units of Δ), calibrated so that the K → ∞ mean potential at κ = 0 is 0.</summary>
    public IReadOnlyList<double> Thresholds { get; }

    /// <summary>Latent loadings m, row-major N×R.</summary>
    internal double[] Loadings { get; }

    /// <summary>Mode-B readout loadings n (row-major N×R), or null in mode A.</summary>
    internal double[]? Readout { get; }

    /// <summary>Mode B: 1/(mean gain at κ = 0) used to turn the target latent matrix A into Σ_nm = A/⟨φ'⟩.</summary>
    public double LoadingCovarianceScale { get; }

    /// <summary>Loading vector m_i.</summary>
    public ReadOnlySpan<double> Loading(int neuron) => Loadings.AsSpan(neuron * Parameters.Rank, Parameters.Rank);

    /// <summary>Population of neuron i (0 = E, 1 = I).</summary>
    public int PopulationOf(int neuron) => neuron < Parameters.ExcitatoryCount ? 0 : 1;

    /// <summary>Builds the network of <paramref name="p"/> (validated first); independent of <paramref name="threads"/>.</summary>
    public static BalancedNetwork Create(BalancedParameters p, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(p);
        p.Validate();
        // The network is the same whatever closure its mean field uses: θ from the closed-form (exponential) closure.
        double[] theta = BalancedMeanField.Thresholds(p with { ExactStepClosure = false });
        var conn = FixedInDegreeConnectivity.Create(p, threads);
        int n = p.NeuronCount, r = p.Rank;
        double[] m = new double[n * r];
        for (int i = 0; i < n; i++)
        {
            ulong key = CounterRandom.StreamKey(p.Seed, 0, CounterRandom.BalancedDomain, BalancedStreams.Loadings + (ulong)i);
            for (int d = 0; d < r; d++)
            {
                m[(i * r) + d] = p.LoadingSd * CounterRandom.Normal(key, (ulong)d);
            }
        }

        CentreWithinPopulations(p, m);
        double[]? readout = null;
        double scale = 0;
        if (p.LatentMatrix is { } a)
        {
            // Stein's lemma: (1/N)Σ_j n_j φ(m_j·κ + …) → Σ_nm κ ⟨φ'⟩ with ⟨φ'⟩ the size-weighted gain of E and I at
            // κ = 0, so n = Σ_nm m/σ_m² with Σ_nm = A/⟨φ'⟩ gives mean-field latent dynamics τ_s dκ/dt = −κ + Aκ.
            var s0 = BalancedMeanField.Solve(p, theta, 0);
            double gain = ((p.ExcitatoryCount * s0.Gain[0]) + (p.InhibitoryCount * s0.Gain[1])) / n;
            scale = 1 / gain;
            readout = new double[n * r];
            double sm2 = p.LoadingSd * p.LoadingSd;
            for (int i = 0; i < n; i++)
            {
                for (int row = 0; row < r; row++)
                {
                    double v = 0;
                    for (int c = 0; c < r; c++)
                    {
                        v += a[(row * r) + c] * m[(i * r) + c];
                    }

                    readout[(i * r) + row] = v * scale / sm2;
                }
            }
        }

        return new BalancedNetwork(p, conn, theta, m, readout, scale);
    }

    private static void CentreWithinPopulations(BalancedParameters p, double[] m)
    {
        int r = p.Rank;
        foreach (var (lo, hi) in new[] { (0, p.ExcitatoryCount), (p.ExcitatoryCount, p.NeuronCount) })
        {
            for (int d = 0; d < r; d++)
            {
                double mean = 0;
                for (int i = lo; i < hi; i++)
                {
                    mean += m[(i * r) + d];
                }

                mean /= hi - lo;
                for (int i = lo; i < hi; i++)
                {
                    m[(i * r) + d] -= mean;
                }
            }
        }
    }
}
