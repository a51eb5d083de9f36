#!/usr/bin/python3
"""Brian2 side of the `peers` benchmark: the benchmark's low-rank networks as Brian NeuronGroups.

Usage (Debian's python3-brian 2.5.1, i.e. /usr/bin/python3):
    /usr/bin/python3 bench/peers/brian_lowrank.py '{"network": "rank1", "n": 10000, "target": "cython"}'
Prints one JSON line: timings (s), spike counts and the mean latent readouts over the second half of the timed run.

Config keys (JSON object in argv[1]; defaults in DEFAULTS):
  network   "rank1": inhibitory population tangent to y = -x^2 - 1/2 on [-1, 1], D = -0.35 (BenchNetworks.Rank1);
            "rank2": E-I network of section 2.7 with p(x) = x^2 + 1/2, q = 2, N/2 neurons each (BenchNetworks.Rank2)
  n, duration (tau), sigma, x (constant input), seed
  model     "summed":  the recurrence through a NeuronGroup of K latents, Synapses of N*K connections
                       (neurons -> latents on spikes, latents -> neurons as a summed variable);
            "linked":  the same latents, read by each neuron through K linked variables (no summed variable;
                       the default: as fast, and the threshold sees the latents after this step's decay,
                       where the summed variable is computed before it);
            "dense":   all-to-all Synapses with W_ij = E_i.D_j (N^2 connections; small N only)
  target    "numpy" | "cython" | "cpp_standalone" | "auto" (Brian's default choice)
  threads   OpenMP threads for cpp_standalone
  repeats   timed runs (best is reported); 0 times only the first run ("first result" mode)
  warmup    length (tau) of the first run, which triggers code generation (timed separately as first_run_s)
  build_dir cpp_standalone project directory (reused so unchanged files are not recompiled)

Semantics differ from the paper's clock-driven rule on purpose (this is how Brian runs the model): every neuron
above threshold spikes in a step (no one-spike-per-step, no inhibition-first), and a spike's recurrent input lands
after the threshold check of the same step, i.e. before the next leak, not with it. Spike counts and latent
readouts are therefore comparable only loosely.

Units: tau = 10 ms, dt = 0.01 tau; voltages dimensionless with threshold 1 and bias b = 1 - T (App. C).
"""
import json
import os
import sys
import time

T_START = time.perf_counter()

DEFAULTS = dict(network="rank1", n=1000, duration=10.0, sigma=0.1, x=-0.5, seed=1, model="linked",
                target="cython", threads=1, repeats=2, warmup=0.1, build_dir="/tmp/latentspikes-brian-standalone")


def network_parameters(network, n, x):
    """
    Per-neuron parameters, the same numbers as bench/LatentSpikes.Bench/BenchNetworks.cs builds, and the initial
    latents y0 one inhibitory decoder inside the boundary at input x: no neuron starts at threshold (a start on the
    boundary puts every neuron near the tangent point within noise of threshold, which Brian fires all at once)
    """
    import numpy as np
    if network == "rank1":
        xs = np.array([-1 + 2.0 * i / (n - 1) for i in range(n)]) if n > 1 else np.zeros(1)
        f = 0.5 + xs ** 2
        F = 2 * xs                       # f'(x_i)
        T = F * xs - f                   # the tangent line F x + E y = T at (x_i, -f(x_i)), E = 1
        enc = np.ones((1, n))            # E_i per latent (K = 1)
        dec = np.full(n, -0.35)
        lat = np.zeros(n, dtype=int)     # the latent each neuron's spikes move
        return dict(F=F, b=1 - T, mu=np.zeros(n), enc=enc, dec=dec, lat=lat, inhibitory=np.ones(n, bool), k=1,
                    y0=np.array([-(0.5 + x * x) - 0.35]))
    if network == "rank2":
        half = max(1, n // 2)
        xs = np.array([-1 + 2.0 * i / (half - 1) for i in range(half)]) if half > 1 else np.zeros(1)
        # Population order as in BenchNetworks.Rank2: E first, then I. Latents: 0 = y_E, 1 = y_I.
        F = np.concatenate([np.zeros(half), 2 * xs])
        T = np.concatenate([np.full(half, -2.0), xs ** 2 - 0.5])
        enc = np.array([np.concatenate([np.ones(half), np.full(half, 2.0)]),     # E on y_E: E^EE = 1, E^IE = 2
                        np.concatenate([np.ones(half), np.ones(half)])])        # E on y_I: E^EI = 1, E^II = 1
        dec = np.concatenate([np.full(half, 0.1), np.full(half, -0.26)])
        lat = np.concatenate([np.zeros(half, int), np.ones(half, int)])
        inhibitory = np.concatenate([np.zeros(half, bool), np.ones(half, bool)])
        return dict(F=F, b=1 - T, mu=np.zeros(2 * half), enc=enc, dec=dec, lat=lat, inhibitory=inhibitory, k=2,
                    y0=np.array([2 - (0.5 + x * x), -2 - (2 - (0.5 + x * x)) - 0.26]))  # y_E = q - p, y_I = -q - y_E
    raise SystemExit(f"unknown network '{network}' (use rank1 or rank2)")


def mean_latents(spike_i, spike_t, p, t0, t1):
    """Time average over [t0, t1] (tau) of y_k(t) = sum over spikes of D_j exp(-(t - t_s)), the exact readout."""
    import numpy as np
    w = t1 - t0
    out = p["y0"] * (np.exp(-t0) - np.exp(-t1))  # the initial latents, decaying
    before = spike_t < t0
    inside = (spike_t >= t0) & (spike_t <= t1)
    contrib = np.zeros_like(spike_t)
    contrib[before] = np.exp(-(t0 - spike_t[before])) * (1 - np.exp(-w))
    contrib[inside] = 1 - np.exp(-(t1 - spike_t[inside]))
    np.add.at(out, p["lat"][spike_i], p["dec"][spike_i] * contrib)
    return (out / w).tolist()


def main():
    cfg = dict(DEFAULTS)
    if len(sys.argv) > 1:
        cfg.update(json.loads(sys.argv[1]))
    t_import = time.perf_counter()
    import numpy as np
    import brian2 as b2
    from brian2 import ms, NeuronGroup, Synapses, SpikeMonitor, Network, defaultclock, prefs
    import_s = time.perf_counter() - t_import

    b2.BrianLogger.log_level_warn()
    n, target, model = int(cfg["n"]), cfg["target"], cfg["model"]
    standalone = target == "cpp_standalone"
    if standalone:
        b2.set_device("cpp_standalone", directory=cfg["build_dir"], build_on_run=False)
        # 0 = no OpenMP: plain sequential code for one thread (OpenMP with one thread only adds overhead).
        prefs.devices.cpp_standalone.openmp_threads = int(cfg["threads"]) if int(cfg["threads"]) > 1 else 0
    elif target != "auto":
        prefs.codegen.target = target
    b2.seed(int(cfg["seed"]))

    t_setup = time.perf_counter()
    p = network_parameters(cfg["network"], n, float(cfg["x"]))
    n = len(p["F"])
    k = p["k"]
    tau = 10 * ms
    defaultclock.dt = 0.01 * tau
    namespace = dict(tau=tau, c=float(cfg["x"]))  # constant input: c_t = x
    params = """
F : 1 (constant)
b : 1 (constant)
mu : 1 (constant)
sigma : 1 (constant)
"""
    if model == "summed":
        # Integrated form V = u + sum_k E_k y_k (eq. 2.10): u carries leak, drive and noise; the recurrent part comes
        # from the K latents. du/dt = (-u + F c + b)/tau and dy/dt = -y/tau give dV/dt = (-V + F c + b)/tau exactly.
        neurons = NeuronGroup(n, "du/dt = (-u + F*c + b)/tau + sigma*sqrt(2/tau)*xi : 1\nrec : 1\n" + params,
                              threshold="u + rec >= 1", reset="u -= mu", method="euler", namespace=namespace)
        latents = NeuronGroup(k, "dy/dt = -y/tau : 1", method="exact", namespace=namespace)
        to_latents = Synapses(neurons, latents, "w : 1 (constant)", on_pre="y_post += w")
        to_latents.connect(i=np.arange(n), j=p["lat"])
        to_latents.w = p["dec"]
        from_latents = Synapses(latents, neurons, "w : 1 (constant)\nrec_post = w*y_pre : 1 (summed)")
        pre = np.repeat(np.arange(k), n)
        post = np.tile(np.arange(n), k)
        from_latents.connect(i=pre, j=post)
        from_latents.w = p["enc"][pre, post]
        neurons.u = p["F"] * float(cfg["x"]) + p["b"]
        latents.y = p["y0"]
        objects = [neurons, latents, to_latents, from_latents]
        synapse_count = n + n * k
    elif model == "linked":
        # The same integrated form, but each neuron reads the latents through linked variables (index k for all
        # neurons) instead of a summed variable over N*K synapses; only neurons -> latents are Synapses.
        reads = "".join(f"y{l} : 1 (linked)\ne{l} : 1 (constant)\n" for l in range(k))
        recurrent_input = " + ".join(f"e{l}*y{l}" for l in range(k))
        neurons = NeuronGroup(n, "du/dt = (-u + F*c + b)/tau + sigma*sqrt(2/tau)*xi : 1\n" + reads + params,
                              threshold=f"u + {recurrent_input} >= 1", reset="u -= mu", method="euler", namespace=namespace)
        latents = NeuronGroup(k, "dy/dt = -y/tau : 1", method="exact", namespace=namespace)
        for l in range(k):
            setattr(neurons, f"y{l}", b2.linked_var(latents, "y", index=np.full(n, l)))
            setattr(neurons, f"e{l}", p["enc"][l])
        to_latents = Synapses(neurons, latents, "w : 1 (constant)", on_pre="y_post += w")
        to_latents.connect(i=np.arange(n), j=p["lat"])
        to_latents.w = p["dec"]
        neurons.u = p["F"] * float(cfg["x"]) + p["b"]
        latents.y = p["y0"]
        objects = [neurons, latents, to_latents]
        synapse_count = n
    elif model == "dense":
        neurons = NeuronGroup(n, "dv/dt = (-v + F*c + b)/tau + sigma*sqrt(2/tau)*xi : 1\n" + params,
                              threshold="v >= 1", reset="v -= mu", method="euler", namespace=namespace)
        recurrent = Synapses(neurons, neurons, "w : 1 (constant)", on_pre="v_post += w")
        pre = np.repeat(np.arange(n), n)
        post = np.tile(np.arange(n), n)
        recurrent.connect(i=pre, j=post)  # all-to-all including i = j (the self-reset E_i D_i)
        recurrent.w = p["enc"][p["lat"][pre], post] * p["dec"][pre]
        neurons.v = p["F"] * float(cfg["x"]) + p["b"] + p["y0"] @ p["enc"]  # V = F x + E y0 + b (eq. 2.10)
        objects = [neurons, recurrent]
        synapse_count = n * n
    else:
        raise SystemExit(f"unknown model '{model}' (use summed, linked or dense)")
    neurons.F = p["F"]
    neurons.b = p["b"]
    neurons.mu = p["mu"]
    neurons.sigma = float(cfg["sigma"])
    monitor = SpikeMonitor(neurons)
    net = Network(objects + [monitor])
    setup_s = time.perf_counter() - t_setup

    duration = float(cfg["duration"])
    runs = []
    result = dict(engine="brian2-" + target, version=b2.__version__, model=model, network=cfg["network"], n=n, k=k,
                  synapses=synapse_count, duration=duration, import_s=import_s, setup_s=setup_s)
    warmup = float(cfg["warmup"])
    if standalone:
        net.run(warmup * tau)  # as in runtime mode: the first step's synchronous burst stays out of the counts
        # Wall-clock timer around the timed run only (Brian's own loop timer is CPU time without OpenMP, which
        # leaves out time the process waits for a core, unlike every other number in the comparison).
        b2.device.headers.append("<chrono>")
        b2.device.insert_code("before_network_run", "{ const auto peers_t0 = std::chrono::steady_clock::now();")
        b2.device.insert_code("after_network_run", 'std::ofstream("results/peers_wall.txt") << '
                              "std::chrono::duration<double>(std::chrono::steady_clock::now() - peers_t0).count(); }")
        net.run(duration * tau)
        t0 = time.perf_counter()
        b2.device.build(directory=cfg["build_dir"], compile=True, run=False, with_output=False)
        result["first_run_s"] = time.perf_counter() - t0  # code generation + g++ (make skips unchanged files)
        walls = []
        loop_timer = []
        for _ in range(int(cfg["repeats"])):
            t0 = time.perf_counter()
            b2.device.run(cfg["build_dir"], with_output=False, run_args=[])
            walls.append(time.perf_counter() - t0)
            with open(os.path.join(cfg["build_dir"], "results", "peers_wall.txt")) as f:
                runs.append(float(f.read()))
            loop_timer.append(b2.device._last_run_time)  # Brian's own: wall time with OpenMP, CPU time without
        result["binary_wall_s"] = min(walls)
        result["brian_loop_timer_s"] = min(loop_timer)
        t_end = warmup + duration
    else:
        t0 = time.perf_counter()
        net.run(warmup * tau)  # first run: code generation (and for cython, compilation unless cached)
        result["first_run_s"] = time.perf_counter() - t0
        t_end = warmup
        if int(cfg["repeats"]) == 0:  # "first result" mode: the first run is the whole measurement
            runs.append(result["first_run_s"])
            duration = result["duration"] = warmup
        for _ in range(int(cfg["repeats"])):
            t0 = time.perf_counter()
            net.run(duration * tau)
            runs.append(time.perf_counter() - t0)
            t_end += duration
    spike_i = np.asarray(monitor.i[:])
    spike_t = np.asarray(monitor.t[:] / tau)
    last = spike_t >= t_end - duration - 1e-9
    result["runs_s"] = runs
    result["run_s"] = min(runs)
    result["spikes"] = int(last.sum())
    result["spikes_inhibitory"] = int(p["inhibitory"][spike_i[last]].sum())
    result["latent_names"] = ["y_I"] if k == 1 else ["y_E", "y_I"]
    result["mean_latents"] = mean_latents(spike_i, spike_t, p, t_end - duration / 2, t_end)
    result["max_spikes_per_step"] = int(np.bincount(np.round(spike_t[last] / 0.01).astype(int)).max()) if last.any() else 0
    result["param_checksum"] = float(np.sum(p["F"]) + np.sum(p["b"]) + np.sum(p["enc"]) + np.sum(p["dec"]))
    result["total_s"] = time.perf_counter() - T_START
    print(json.dumps(result))


if __name__ == "__main__":
    main()
