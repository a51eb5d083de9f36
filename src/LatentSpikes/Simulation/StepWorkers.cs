namespace LatentSpikes.Simulation;

/// <summary>
/// Dedicated worker threads that run one step's chunks and spin between steps. A step of a large network takes
/// ~0.1 ms, comparable to the wake-up latency of pooled threads, so <c>Parallel.For</c> per step wastes much of the
/// second core; spinning workers keep it. Chunk i always runs chunk body i, and chunks never share output, so
/// results do not depend on which thread runs what.
/// </summary>
internal sealed class StepWorkers : IDisposable
{
    private readonly Thread[] _threads;
    private readonly Action<int> _body;
    private volatile int _generation;
    private volatile bool _stopping;
    private int _pending;
    private Exception? _failure;

    /// <summary>Starts <paramref name="chunks"/> − 1 workers; the calling thread runs chunk 0.</summary>
    public StepWorkers(int chunks, Action<int> body)
    {
        _body = body;
        _threads = new Thread[chunks - 1];
        for (int w = 0; w < _threads.Length; w++)
        {
            int chunk = w + 1;
            _threads[w] = new Thread(() => Loop(chunk)) { IsBackground = true, Name = $"latentspikes-step-{chunk}" };
            _threads[w].Start();
        }
    }

    /// <summary>Runs every chunk of one step and returns when all are done.</summary>
    public void RunStep()
    {
        Volatile.Write(ref _pending, _threads.Length);
        _generation++;
        try
        {
            _body(0);
        }
        finally
        {
            var spin = default(SpinWait);
            while (Volatile.Read(ref _pending) > 0)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }

        if (_failure is { } failure)
        {
            throw new InvalidOperationException("a simulation worker failed", failure);
        }
    }

    /// <summary>Stops and joins the workers.</summary>
    public void Dispose()
    {
        _stopping = true;
        foreach (var t in _threads)
        {
            t.Join();
        }
    }

    private void Loop(int chunk)
    {
        int seen = 0;
        while (true)
        {
            var spin = default(SpinWait);
            while (_generation == seen)
            {
                if (_stopping)
                {
                    return;
                }

                spin.SpinOnce(sleep1Threshold: -1);
            }

            seen = _generation;
            try
            {
                _body(chunk);
            }
            catch (Exception e)
            {
                _failure ??= e;
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }
}
