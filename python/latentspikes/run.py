"""Runs: the output folder of ``latentspikes simulate`` as pandas/numpy objects."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np
import pandas as pd

from .errors import LatentSpikesError

__all__ = ["Run", "Spikes"]

_NPY = ("times.npy", "inputs.npy", "latents.npy", "spike_times.npy", "spike_populations.npy", "spike_neurons.npy")


@dataclass(frozen=True)
class Spikes:
    """The spikes of one population: parallel arrays in emission order (``trials`` only for multi-trial runs)."""

    population: str
    size: int
    times: np.ndarray
    neurons: np.ndarray
    trials: Optional[np.ndarray] = None

    def __len__(self) -> int:
        return int(self.times.shape[0])

    def __repr__(self) -> str:
        trials = f", {len(np.unique(self.trials))} trials" if self.trials is not None else ""
        return f"Spikes({self.population!r}: {len(self)} spikes of {self.size} neurons{trials})"

    def trains(self, trial: Optional[int] = None) -> list[np.ndarray]:
        """Spike times per neuron (a list of ``size`` arrays), e.g. for ``matplotlib.pyplot.eventplot``."""
        times, neurons = self.times, self.neurons
        if self.trials is not None:
            keep = self.trials == (0 if trial is None else trial)
            times, neurons = times[keep], neurons[keep]
        order = np.argsort(neurons, kind="stable")
        bounds = np.searchsorted(neurons[order], np.arange(self.size + 1))
        return [times[order][bounds[i]:bounds[i + 1]] for i in range(self.size)]

    def counts(self) -> np.ndarray:
        """Spikes per neuron (summed over trials)."""
        return np.bincount(self.neurons, minlength=self.size)


class Run:
    """A run directory written by ``latentspikes simulate`` (single run or ``--trials`` batch).

    Everything is read lazily from the files: :attr:`latents` (``latents.csv``, or the ``.npy`` arrays; for a
    batch ``latents-mean.csv``, the mean over trials), :attr:`spikes` (per population), :attr:`summary`
    (``summary.json``), :attr:`trials` (a batch's ``trials.csv``), and the paths of the other files.
    """

    def __init__(self, path: Union[str, os.PathLike], *, stdout: str = "", elapsed: Optional[float] = None):
        self.path = Path(path)
        if not (self.path / "summary.json").is_file():
            raise LatentSpikesError(f"{self.path}: not a run directory (no summary.json)")
        self.stdout = stdout
        self.elapsed = elapsed

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "Run":
        """Opens a run directory written by ``simulate`` (from Python or the command line)."""
        return cls(path)

    def __repr__(self) -> str:
        kind = f"{self.n_trials} trials" if self.is_batch else f"seed {self.seed}"
        return f"Run({self.name!r}, {kind}, {self.status}, {str(self.path)!r})"

    # -- summary --------------------------------------------------------------------------------------------

    @cached_property
    def summary(self) -> dict:
        """``summary.json`` as a dict."""
        return json.loads((self.path / "summary.json").read_text(encoding="utf-8"))

    @property
    def name(self) -> str:
        return str(self.summary.get("name", ""))

    @property
    def status(self) -> str:
        """``completed`` or ``exploded`` (for a batch: ``exploded`` if any trial ran away)."""
        if "status" in self.summary:
            return str(self.summary["status"])
        return "exploded" if self.trials is not None and (self.trials["status"] != "completed").any() else "completed"

    @property
    def exploded(self) -> bool:
        return self.status != "completed"

    @property
    def seed(self) -> Optional[int]:
        return self.summary.get("seed")

    @property
    def engine(self) -> Optional[str]:
        return self.summary.get("engine")

    @property
    def tau_ms(self) -> float:
        return float(self.summary.get("tau_ms", 10.0))

    @property
    def populations(self) -> list[str]:
        return [p["name"] for p in self.summary.get("populations", [])]

    @property
    def is_batch(self) -> bool:
        """True for a ``--trials`` batch (``trials.csv``)."""
        return (self.path / "trials.csv").is_file()

    @property
    def n_trials(self) -> int:
        return len(self.trials) if self.trials is not None else 1

    # -- files ----------------------------------------------------------------------------------------------

    def _file(self, name: str) -> Optional[Path]:
        p = self.path / name
        return p if p.exists() else None

    @property
    def files(self) -> list[str]:
        """The files in the run directory."""
        return sorted(p.name for p in self.path.iterdir() if not p.name.startswith("."))

    @property
    def spec_path(self) -> Optional[Path]:
        """``spec.yaml``: the simulated experiment with explicit weights."""
        return self._file("spec.yaml")

    @property
    def nwb_path(self) -> Optional[Path]:
        """``run.nwb`` (``formats=["nwb"]``), or None."""
        return self._file("run.nwb")

    @property
    def sonata_path(self) -> Optional[Path]:
        """``spikes.h5``, the SONATA spike report (``formats=["sonata"]``), or None."""
        return self._file("spikes.h5")

    @property
    def figure_path(self) -> Optional[Path]:
        """``latents.png`` (``latents-trial0.png`` for a batch), or None (``plot=False``)."""
        return self._file("latents.png") or self._file("latents-trial0.png")

    @property
    def analysis_path(self) -> Optional[Path]:
        """The ``analysis`` folder written by :func:`latentspikes.analyze`, or None."""
        return self._file("analysis")

    @property
    def spec(self):
        """The simulated spec (``spec.yaml``) as a :class:`~latentspikes.Spec`."""
        from .spec import Spec

        if self.spec_path is None:
            raise LatentSpikesError(f"{self.path}: no spec.yaml")
        return Spec(self.spec_path, validate=False)

    @cached_property
    def npy(self) -> dict[str, np.ndarray]:
        """The ``.npy`` arrays (``formats=["npy"]``) by file stem; empty if the run has none."""
        return {name[:-4]: np.load(self.path / name) for name in _NPY if (self.path / name).is_file()}

    # -- data -----------------------------------------------------------------------------------------------

    @cached_property
    def latents(self) -> pd.DataFrame:
        """Inputs ``x1..xM`` and latents (one column each), indexed by time ``t`` (τ).

        For a batch this is ``latents-mean.csv``: every latent averaged over the trials still running at t.
        """
        for name in ("latents.csv", "latents-mean.csv"):
            if (self.path / name).is_file():
                frame = pd.read_csv(self.path / name, float_precision="round_trip").set_index("t")
                # Inputs and latents are numbers even where a column happens to hold only integers (x1 = -1).
                values = [c for c in frame.columns if c != "trials"]
                frame[values] = frame[values].astype(np.float64)
                frame.index = frame.index.astype(np.float64)
                return frame
        if (self.path / "latents.npy").is_file():
            t = np.load(self.path / "times.npy")
            inputs = np.load(self.path / "inputs.npy")
            values = np.load(self.path / "latents.npy")
            columns = {f"x{i + 1}": inputs[:, i] for i in range(inputs.shape[1])}
            names = [latent["name"] for latent in self.summary.get("latents", [])]
            columns.update({names[k]: values[:, k] for k in range(values.shape[1])})
            return pd.DataFrame(columns, index=pd.Index(t, name="t"))
        raise LatentSpikesError(f"{self.path}: no latents.csv or latents.npy (simulate with formats including csv or npy)")

    @cached_property
    def spike_table(self) -> pd.DataFrame:
        """All spikes in one table: ``t``, ``population``, ``neuron`` (and ``trial`` first for a batch)."""
        if (self.path / "spikes.csv").is_file():
            return pd.read_csv(self.path / "spikes.csv", float_precision="round_trip",
                               dtype={"population": str}, keep_default_na=False)
        if (self.path / "spike_times.npy").is_file():
            names = self.populations
            pops = np.load(self.path / "spike_populations.npy")
            return pd.DataFrame({
                "t": np.load(self.path / "spike_times.npy"),
                "population": np.asarray(names, dtype=object)[pops] if len(pops) else np.array([], dtype=object),
                "neuron": np.load(self.path / "spike_neurons.npy"),
            })
        raise LatentSpikesError(f"{self.path}: no spikes.csv or spike_times.npy (simulate with formats including csv or npy)")

    @cached_property
    def spikes(self) -> dict[str, Spikes]:
        """Spikes per population (in spec order): ``run.spikes["I"].times``, ``.neurons``, ``.trains()``."""
        table = self.spike_table
        result: dict[str, Spikes] = {}
        for pop in self.summary.get("populations", []):
            rows = table[table["population"] == pop["name"]]
            result[pop["name"]] = Spikes(
                population=pop["name"],
                size=int(pop["size"]),
                times=rows["t"].to_numpy(dtype=np.float64),
                neurons=rows["neuron"].to_numpy(dtype=np.int64),
                trials=rows["trial"].to_numpy(dtype=np.int64) if "trial" in rows else None)
        return result

    @cached_property
    def trials(self) -> Optional[pd.DataFrame]:
        """A batch's ``trials.csv`` (one row per trial: status, duration, spikes and rates), else None."""
        path = self.path / "trials.csv"
        return pd.read_csv(path, float_precision="round_trip") if path.is_file() else None

    @cached_property
    def rates(self) -> Optional[pd.DataFrame]:
        """``rates.csv`` of the rate engine (``engine="rate"``), indexed by ``t``, else None."""
        path = self.path / "rates.csv"
        return pd.read_csv(path, float_precision="round_trip").set_index("t") if path.is_file() else None

    def to_xarray(self):
        """The run as an ``xarray.Dataset`` (needs python3-xarray): inputs and latents over ``t``, spike times and
        neuron indices per population over ``spike_<pop>``, the summary's fields as attributes."""
        try:
            import xarray as xr
        except ImportError as e:
            raise ImportError("Run.to_xarray needs xarray: apt install python3-xarray (or pip install xarray)") from e
        lat = self.latents
        variables: dict[str, Any] = {c: ("t", lat[c].to_numpy()) for c in lat.columns}
        for name, s in self.spikes.items():
            variables[f"spike_times_{name}"] = (f"spike_{name}", s.times)
            variables[f"spike_neurons_{name}"] = (f"spike_{name}", s.neurons)
            if s.trials is not None:
                variables[f"spike_trials_{name}"] = (f"spike_{name}", s.trials)
        attrs = {k: v for k, v in self.summary.items() if isinstance(v, (str, int, float))}
        ds = xr.Dataset(variables, coords={"t": lat.index.to_numpy()}, attrs=attrs)
        ds["t"].attrs["units"] = "tau"
        return ds

    def analyze(self, what=None, **options):
        """Analyses this run: ``latentspikes.analyze(self, what, **options)``."""
        from .api import analyze

        return analyze(self, what, **options)
