# %% [markdown]
# # Fig. 2 and a compiled function, from Python
#
# A notebook-style script (`# %%` cells open as a notebook in Jupyter/VS Code with jupytext) that runs as a plain
# script too, from the repository root:
#
#     python3 python/examples/fig2.py [--out DIR] [--show]
#
# The LatentSpikes engine does the simulating; Python only plots. Writes DIR/fig2.png and DIR/compiled.png
# (default DIR: out/python-examples).

# %%
import argparse
import os
import sys
from pathlib import Path

import matplotlib

if __name__ == "__main__" and "--show" not in sys.argv and "ipykernel" not in sys.modules:
    matplotlib.use("Agg")  # headless: write files, open no window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import latentspikes as ls  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--out", default="out/python-examples", help="folder for the figures and runs")
parser.add_argument("--show", action="store_true", help="open the figures in a window")
args, _ = parser.parse_known_args(None if __name__ == "__main__" else [])
out = Path(args.out)
examples = Path(__file__).resolve().parents[2] / "examples" if "__file__" in globals() else Path("examples")

# %% [markdown]
# ## Fig. 2: a rank-1 inhibitory population forms a stable boundary
#
# Ten inhibitory neurons have thresholds tangent to y = −f(x), f(x) = x² + ½; every spike moves the readout y by
# D = −0.35. The input holds at x = −1, then ramps to 1, and y tracks the boundary inside the precision band
# [−f(x) + D, −f(x)], each input value coded by a single neuron.

# %%
spec = ls.Spec(examples / "fig2-inhibitory-boundary.yaml")
run = ls.simulate(spec, out=out / "fig2")
print(run, "-", run.summary["total_spikes"], "spikes")
lat = run.latents  # DataFrame indexed by t (τ): x1, y_I
weights = run.spec.data["populations"][0]  # spec.yaml holds explicit weights
F = np.array(weights["feedforward"])[:, 0]
T = np.array(weights["thresholds"])
E = np.array(weights["encoders"]["y_I"])
D = weights["decoders"][0]


def f(x):
    return x ** 2 + 0.5


# %%
fig, axes = plt.subplots(3, 2, figsize=(10, 7), gridspec_kw={"width_ratios": [1, 1.6], "height_ratios": [1, 2, 2]})
gs = axes[0, 0].get_gridspec()
for ax in axes[:, 0]:
    ax.remove()
space = fig.add_subplot(gs[:, 0])
xs = np.linspace(-1.2, 1.2, 200)
for i in range(len(T)):
    space.plot(xs, (T[i] - F[i] * xs) / E[i], color="0.8", lw=0.8)  # neuron i's threshold: E·y + F·x = T
space.fill_between(xs, -f(xs) + D, -f(xs), color="tab:blue", alpha=0.15, label="precision band")
space.plot(xs, -f(xs), color="k", lw=1.5, label="boundary y = −f(x)")
space.plot(lat["x1"], lat["y_I"], color="tab:blue", lw=1, label="trajectory")
space.set(xlim=(-1.2, 1.2), ylim=(-2.5, 0.3), xlabel="input x", ylabel="latent y", title="input-output space")
space.legend(loc="lower center", fontsize=8)

axes[0, 1].plot(lat.index, lat["x1"], color="k")
axes[0, 1].set(ylabel="x", title="Fig. 2d: input, readout and spikes")
axes[1, 1].fill_between(lat.index, -f(lat["x1"]) + D, -f(lat["x1"]), color="tab:blue", alpha=0.15)
axes[1, 1].plot(lat.index, -f(lat["x1"]), color="k", lw=1)
axes[1, 1].plot(lat.index, lat["y_I"], color="tab:blue", lw=1)
axes[1, 1].set(ylabel="y", ylim=(-2.5, 0.1))
axes[2, 1].eventplot(run.spikes["I"].trains(), colors="tab:blue", linelengths=0.8)
axes[2, 1].set(xlabel="time (τ)", ylabel="neuron", xlim=axes[1, 1].get_xlim())
fig.tight_layout()
out.mkdir(parents=True, exist_ok=True)
fig.savefig(out / "fig2.png", dpi=120)
print("wrote", out / "fig2.png")

# %% [markdown]
# ## A compiled function
#
# `compile` builds a Dale's-law E-I network whose excitatory latent y_E computes a target f(x) (§2.7); the spec
# it writes simulates its own sweep of x over the range.

# %%
target = "sin(3*x) + 1.2"
compiled = ls.compile(target, range=(-1, 1), neurons=20, out=out / "compiled.yaml", name="compiled-sine")
print(compiled.summary)
print("simulated tracking error:", compiled.tracking)
sine = ls.simulate(compiled, out=out / "compiled")
lat = sine.latents.loc[2:]  # after the 2 τ the latents need to settle

# %%
fig, (top, raster) = plt.subplots(2, 1, figsize=(8, 6), sharex=True, gridspec_kw={"height_ratios": [2, 1]})
x = lat["x1"].to_numpy()
top.plot(x, np.sin(3 * x) + 1.2, color="k", lw=1.5, label=f"target f(x) = {target}")
top.plot(x, lat["y_E"], color="tab:red", lw=1, label="excitatory latent y_E")
top.set(ylabel="y_E", title=f"compiled network: {compiled.summary.split(':')[1].split(',')[0].strip()}")
top.legend(fontsize=8)
offset = 0
for name, color in (("E", "tab:red"), ("I", "tab:blue")):
    s = sine.spikes[name]
    keep = s.times >= 2
    at_x = np.interp(s.times[keep], lat.index, x)  # a spike at time t happened at input x(t)
    raster.scatter(at_x, s.neurons[keep] + offset, s=1, color=color, label=name)
    offset += s.size
raster.set(xlabel="input x", ylabel="neuron (E, then I)")
raster.legend(fontsize=8, markerscale=5)
fig.tight_layout()
fig.savefig(out / "compiled.png", dpi=120)
print("wrote", out / "compiled.png")

if args.show:
    plt.show()
