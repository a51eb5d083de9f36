"""The commands: simulate, compile, sweep, analyze and validate, each one call of the engine."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import pandas as pd
import yaml

from .engine import EXIT_EXPLODED, EXIT_OK, EXIT_RUNS_FAILED, find_engine
from .errors import LatentSpikesError, SpecError, SweepFailedError
from .progress import Progress
from .run import Run
from .spec import Spec, SpecSource, _plain, _scratch

__all__ = ["simulate", "compile", "sweep", "analyze", "validate", "Analysis", "CompiledSpec"]

PathLike = Union[str, os.PathLike]
ENGINES = ("clock", "event", "rate")
FORMATS = ("csv", "npy", "nwb", "sonata")


def _as_spec(spec: SpecSource) -> Spec:
    # A path is not validated separately: the engine's simulate reports exactly what validate would.
    return spec if isinstance(spec, Spec) else Spec(spec, validate=False)


def _number(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def _formats(formats: Union[str, Iterable[str]]) -> str:
    items = [f.strip() for f in (formats.split(",") if isinstance(formats, str) else formats)]
    return ",".join(f for f in items if f)


def _entries(parent: Path, prefix: str) -> set[str]:
    try:
        return {p.name for p in parent.iterdir() if p.name.startswith(prefix)}
    except FileNotFoundError:
        return set()


class _Cleanup:
    """Removes what an interrupted engine call left behind: hidden staging folders created during the call and
    the target itself if it did not exist before (nothing is left half-written)."""

    def __init__(self, target: Path, staging_prefix: str, remove_target: bool = True, extra: Sequence[Path] = ()):
        self.target = target
        self.parent = target.parent
        self.prefix = staging_prefix
        self.before = _entries(self.parent, staging_prefix)
        self.existed = target.exists()
        self.remove_target = remove_target
        self.extra = list(extra)

    def __call__(self) -> None:
        for name in _entries(self.parent, self.prefix) - self.before:
            shutil.rmtree(self.parent / name, ignore_errors=True)
        if self.remove_target and not self.existed and self.target.exists():
            if self.target.is_dir():
                shutil.rmtree(self.target, ignore_errors=True)
            else:
                self.target.unlink(missing_ok=True)
        for path in self.extra:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists():
                path.unlink(missing_ok=True)


def _tail_time(staging_parent: Path, prefix: str) -> Optional[float]:
    """The time of the last complete line of the latents.csv being streamed into a staging folder."""
    best: Optional[float] = None
    for name in _entries(staging_parent, prefix):
        csv = staging_parent / name / "latents.csv"
        try:
            with open(csv, "rb") as f:
                f.seek(0, os.SEEK_END)
                size = f.tell()
                f.seek(max(0, size - 65536))
                chunk = f.read()
        except OSError:
            continue
        lines = chunk.split(b"\n")
        for line in reversed(lines[:-1]):  # the part after the last newline may be incomplete
            head = line.split(b",", 1)[0]
            try:
                t = float(head)
            except ValueError:
                continue
            best = t if best is None else max(best, t)
            break
    return best


# ---------------------------------------------------------------------------------------------------------------

def validate(spec: SpecSource) -> str:
    """Checks a spec with the engine; returns the report, raises :class:`SpecError` with file/line/field."""
    s = spec if isinstance(spec, Spec) else Spec(spec, validate=False)
    return s.validate()


def simulate(spec: SpecSource, *, out: Optional[PathLike] = None, engine: str = "clock",
             seed: Optional[int] = None, trials: int = 1, formats: Union[str, Iterable[str]] = "csv",
             dt: Optional[float] = None, duration: Optional[float] = None, plot: bool = False,
             progress: Optional[bool] = None) -> Run:
    """Simulates a spec and returns the :class:`Run` (``latentspikes simulate``).

    Args:
        spec: a :class:`Spec`, a spec file path or a dict.
        out: output directory (default ``out/<spec name>``, as the command line); a rerun replaces its files.
        engine: ``clock`` (the paper's fixed-step rules), ``event`` (exact spike times) or ``rate`` (the rate twin).
        seed, dt, duration: override ``simulation.seed``, ``.dt``, ``.duration``.
        trials: independent noisy trials (a batch: long-format spikes with a trial column, mean latents).
        formats: ``csv`` (default), ``npy``, ``nwb``, ``sonata``, as a list or comma-separated (single runs only).
        plot: also draw ``latents.png`` with the engine.
        progress: show progress (None: when tqdm is installed or stderr is a terminal, after one second).

    A bad spec or option raises :class:`SpecError` and writes nothing; a run whose activity ran away returns its
    Run (``run.exploded``) and issues a :class:`RunawayWarning`. Ctrl-C (KeyboardInterrupt) stops the engine and
    leaves no output folder behind.
    """
    s = _as_spec(spec)
    try:
        name = s.name
    except SpecError:
        name = None
    target = Path(out) if out is not None else Path("out") / (name or "experiment")
    args = ["simulate", str(s.path), "--out", str(target), "--engine", engine]
    if seed is not None:
        args += ["--seed", str(int(seed))]
    if dt is not None:
        args += ["--dt", _number(dt)]
    if duration is not None:
        args += ["--duration", _number(duration)]
    if trials != 1:
        args += ["--trials", str(int(trials))]
    fmt = _formats(formats)
    if fmt != "csv":
        args += ["--format", fmt]
    if not plot:
        args.append("--no-plot")

    staging = f".{target.name}.partial-"
    cleanup = _Cleanup(target.resolve(), staging)
    total = duration if duration is not None else (s.duration if name is not None else None)
    parent = target.resolve().parent
    streamed = engine == "clock" and trials == 1 and ("csv" in fmt.split(","))
    bar = Progress(f"simulating {name or target.name}", total=total, enabled=progress,
                   probe=(lambda: _tail_time(parent, staging)) if streamed and total else None)
    done = find_engine().run(args, progress=bar, on_interrupt=cleanup, ok=(EXIT_OK, EXIT_EXPLODED))
    done.warn_runaway()
    return Run(target, stdout=done.stdout, elapsed=done.elapsed)


class CompiledSpec(Spec):
    """The spec written by :func:`compile`, with the engine's report of the construction and its simulated check."""

    report_text: str = ""

    @property
    def summary(self) -> str:
        """The construction summary (first line of the engine's report)."""
        return self.report_text.splitlines()[0] if self.report_text else ""

    @property
    def tracking(self) -> Optional[dict]:
        """max, mean and rms of |y_E − f| over the simulated sweep (None with ``simulate=False``)."""
        m = re.search(r"max \|y_E − f\| = ([^,]+), mean ([^,]+), rms ([^ ]+)", self.report_text)
        if not m:
            return None
        return {"max": float(m.group(1)), "mean": float(m.group(2)), "rms": float(m.group(3))}

    @property
    def figure_path(self) -> Optional[Path]:
        """The construction figure ``<name>.png`` beside the spec (``plot=True``), or None."""
        p = self.path.with_suffix(".png")
        return p if p.is_file() else None


def compile(function: Optional[str] = None, range: Union[Sequence[float], Sequence[Sequence[float]], None] = None,
            neurons: Optional[int] = None, *, knots: Union[str, Iterable[Sequence[float]], None] = None,
            out: Optional[PathLike] = None, name: Optional[str] = None, a: Optional[float] = None,
            method: Optional[str] = None, precision: Optional[float] = None, dt: Optional[float] = None,
            duration: Optional[float] = None, noise: Optional[float] = None, mu: Optional[float] = None,
            tolerance: Optional[float] = None, seed: Optional[int] = None, simulate: bool = True,
            plot: bool = False, progress: Optional[bool] = None) -> CompiledSpec:
    """Compiles a target function into an E-I network spec whose excitatory latent computes it (``compile``).

    ``function`` is an expression of ``x`` (or ``x1..xM``) with ``range=(lo, hi)`` (a list of pairs for several
    inputs); or give ``knots`` (``"x:y,..."`` or ``[(x, y), ...]``) for a piecewise-linear target. The spec is
    written to ``out`` (default ``out/<name>.yaml``); the returned :class:`CompiledSpec` has the engine's
    ``tracking`` error. See docs/compiler.md for the options.
    """
    args = ["compile"]
    if function is not None:
        args += ["--function", function]
    if knots is not None:
        text = knots if isinstance(knots, str) else ",".join(f"{_number(float(x))}:{_number(float(y))}" for x, y in knots)
        args += ["--knots", text]
    if range is not None:
        pairs = [range] if len(range) == 2 and not isinstance(range[0], (list, tuple)) else range
        for lo, hi in pairs:  # type: ignore[misc]
            args += ["--range", _number(float(lo)), _number(float(hi))]
    options = {"--neurons": neurons, "--a": a, "--method": method, "--precision": precision, "--dt": dt,
               "--duration": duration, "--noise": noise, "--mu": mu, "--tolerance": tolerance, "--seed": seed,
               "--name": name}
    for option, value in options.items():
        if value is not None:
            args += [option, _number(value) if isinstance(value, float) else str(value)]
    target = Path(out) if out is not None else Path("out") / f"{name or 'compiled'}.yaml"
    args += ["--out", str(target)]
    if not simulate:
        args.append("--no-simulation")
    if not plot:
        args.append("--no-plot")
    full = target.resolve()
    cleanup = _Cleanup(full, full.name + ".tmp", remove_target=True,
                       extra=[full.with_suffix(".png.tmp.png")])
    bar = Progress(f"compiling {name or 'compiled'}", enabled=progress)
    done = find_engine().run(args, progress=bar, on_interrupt=cleanup, ok=(EXIT_OK, EXIT_EXPLODED))
    done.warn_runaway()
    spec = CompiledSpec(target, validate=False)
    spec.report_text = done.stdout.strip()
    return spec


def _sweep_file(sweep: Union[PathLike, Mapping[str, Any], None], fields: dict[str, Any]) -> tuple[Path, str]:
    """The sweep file to run and its name; a dict (or keywords) is written to a temporary file."""
    if sweep is not None and not isinstance(sweep, Mapping):
        path = Path(sweep)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            data = None
        name = data.get("name") if isinstance(data, dict) and data.get("name") else path.stem
        return path, str(name)
    data = dict(sweep) if sweep is not None else {}
    data.update({k: v for k, v in fields.items() if v is not None})
    if "spec" not in data:
        raise TypeError("sweep: give a sweep file, a dict, or spec=... with grid/zip/seeds")
    base = data["spec"]
    if isinstance(base, Spec):
        data["spec"] = str(base.path.resolve())
    elif isinstance(base, Mapping):
        data["spec"] = str(Spec(base, validate=False).path.resolve())
    else:
        data["spec"] = str(Path(base).resolve())
    data = _plain(data)
    name = str(data.get("name") or "sweep")
    data["name"] = name
    folder = Path(tempfile.mkdtemp(prefix="sweep-", dir=_scratch()))
    path = folder / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, default_flow_style=None), encoding="utf-8")
    return path, name


def sweep(sweep: Union[PathLike, Mapping[str, Any], None] = None, *, spec: Optional[SpecSource] = None,
          grid: Optional[Mapping[str, Sequence[Any]]] = None, zip: Optional[Mapping[str, Sequence[Any]]] = None,
          seeds: Union[int, Sequence[int], None] = None, engine: Optional[str] = None, trials: Optional[int] = None,
          metrics: Optional[Sequence[str]] = None, window: Optional[Sequence[float]] = None,
          name: Optional[str] = None, out: Optional[PathLike] = None, jobs: Optional[int] = None,
          shard: Optional[str] = None, progress: Optional[bool] = None) -> pd.DataFrame:
    """Runs a parameter sweep (``latentspikes sweep``) and returns its results table (one row per run).

    Give a sweep file (docs/sweeps.md), a dict with the same fields, or the fields as keywords:
    ``sweep(spec="examples/fig2-inhibitory-boundary.yaml", grid={"populations[0].noise": [0, 0.1]}, seeds=2)``.
    Runs go to ``out`` (default ``out/<sweep name>``); a rerun resumes. The table's ``attrs["path"]`` is the
    results file. Some failed runs raise :class:`SweepFailedError` (finished runs are kept). An interrupted sweep
    keeps its finished runs (rerun to resume) and removes the runs in flight.
    """
    fields = {"spec": spec, "grid": grid, "zip": zip, "seeds": seeds, "engine": engine, "trials": trials,
              "metrics": metrics, "window": window, "name": name}
    path, sweep_name = _sweep_file(sweep, fields if sweep is None or isinstance(sweep, Mapping) else {})
    target = Path(out) if out is not None else Path("out") / sweep_name
    args = ["sweep", str(path), "--out", str(target)]
    if jobs is not None:
        args += ["--jobs", str(int(jobs))]
    if shard is not None:
        args += ["--shard", str(shard)]
    runs = target.resolve() / "runs"
    staging_before = _entries(runs, ".")

    def cleanup() -> None:
        for entry in _entries(runs, ".") - staging_before:
            shutil.rmtree(runs / entry, ignore_errors=True)

    bar = Progress(f"sweep {sweep_name}", unit="runs", enabled=progress)

    def on_line(line: str) -> None:
        m = re.match(r"\[(\d+)/(\d+)\]", line)
        if m:
            bar.set(float(m.group(1)), float(m.group(2)))

    try:
        done = find_engine().run(args, progress=bar, on_stdout=on_line, on_interrupt=cleanup)
    except SweepFailedError:
        raise
    except LatentSpikesError as e:
        if getattr(e, "exit_code", None) == EXIT_RUNS_FAILED:
            raise SweepFailedError(str(e), exit_code=EXIT_RUNS_FAILED, stderr=getattr(e, "stderr", ""),
                                   stdout=getattr(e, "stdout", "")) from None
        raise
    m = re.search(r"results written to (.+)$", done.stdout, re.MULTILINE)
    table_path = Path(m.group(1).strip()) if m else target / "results.csv"
    table = pd.read_csv(table_path, float_precision="round_trip")
    table.attrs["path"] = str(table_path)
    table.attrs["out"] = str(target)
    return table


class Analysis:
    """The folder written by ``latentspikes analyze``: JSON results, CSV tables and PNG figures by file stem."""

    def __init__(self, path: PathLike, *, stdout: str = ""):
        self.path = Path(path)
        self.stdout = stdout

    def __repr__(self) -> str:
        return f"Analysis({sorted(self.results)}, {str(self.path)!r})"

    @cached_property
    def results(self) -> dict[str, Any]:
        """Every ``*.json`` file by stem: ``analysis.results["cv"]``."""
        return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.path.glob("*.json"))}

    @cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every ``*.csv`` file by stem as a DataFrame: ``analysis.tables["psth"]``."""
        return {p.stem: pd.read_csv(p, float_precision="round_trip") for p in sorted(self.path.glob("*.csv"))}

    @property
    def figures(self) -> dict[str, Path]:
        """Every ``*.png`` file by stem (``plot=True``)."""
        return {p.stem: p for p in sorted(self.path.glob("*.png"))}

    def __getitem__(self, name: str) -> Any:
        """``analysis["cv"]``: the JSON result of that analysis."""
        return self.results[name]


def analyze(runs: Union[Run, PathLike, Sequence[Union[Run, PathLike]]], what: Union[str, Sequence[str], None] = None,
            *, out: Optional[PathLike] = None, start: Optional[float] = None, stop: Optional[float] = None,
            plot: bool = False, progress: Optional[bool] = None, **options: Any) -> Analysis:
    """Analyses stored runs (``latentspikes analyze``): PSTH, CV, balance, nullspace (the default) or ``what``.

    ``runs`` is a :class:`Run`, a run directory, or a list of them (analysed as trials of one experiment).
    Further options are the command's, with ``_`` for ``-``: ``bin=0.5``, ``smooth=0.2``, ``filter_tau=1``,
    ``noise=[0, 0.1]``, ``trials=100``, ``neuron="E:3"``, ... Output goes to ``out`` (default
    ``RUN_DIR/analysis``).
    """
    items = [runs] if isinstance(runs, (Run, str, os.PathLike)) else list(runs)
    dirs = [str(r.path if isinstance(r, Run) else r) for r in items]
    if not dirs:
        raise TypeError("analyze: give at least one run")
    args = ["analyze", *dirs]
    if what is not None:
        args += ["--what", what if isinstance(what, str) else ",".join(what)]
    target = Path(out) if out is not None else Path(dirs[0]) / "analysis"
    args += ["--out", str(target)]
    if start is not None:
        args += ["--start", _number(start)]
    if stop is not None:
        args += ["--stop", _number(stop)]
    for key, value in options.items():
        if value is None or value is False:
            continue
        option = "--" + key.replace("_", "-")
        if value is True:
            args.append(option)
        elif isinstance(value, (list, tuple)):
            args += [option, ",".join(_number(v) if isinstance(v, float) else str(v) for v in value)]
        else:
            args += [option, _number(value) if isinstance(value, float) else str(value)]
    if not plot:
        args.append("--no-plot")
    staging = f".{target.name}.partial-"
    cleanup = _Cleanup(target.resolve(), staging)
    bar = Progress("analyzing", enabled=progress)
    done = find_engine().run(args, progress=bar, on_interrupt=cleanup)
    return Analysis(target, stdout=done.stdout)
