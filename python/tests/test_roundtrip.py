"""Python reads exactly what the command line writes, and writes exactly what it would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
import yaml

import latentspikes as ls

from conftest import EXAMPLES, FIG2

DATA_FILES = ["latents.csv", "spikes.csv", "summary.json", "spec.yaml"]


def test_simulate_writes_what_the_cli_writes(tmp_path, cli):
    done = cli("simulate", FIG2, "--out", tmp_path / "cli", "--seed", 3, "--duration", 12, "--no-plot")
    assert done.returncode == 0, done.stderr
    run = ls.simulate(str(FIG2), out=tmp_path / "py", seed=3, duration=12)
    for name in DATA_FILES:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert run.files == sorted(DATA_FILES)
    assert run.figure_path is None and run.nwb_path is None


def test_run_load_reads_the_cli_files(tmp_path, cli):
    out = tmp_path / "cli"
    assert cli("simulate", EXAMPLES / "fig8-balanced-ei.yaml", "--out", out, "--duration", 4).returncode == 0
    run = ls.Run.load(out)
    expected = pd.read_csv(out / "latents.csv").set_index("t").astype(float)
    pd.testing.assert_frame_equal(run.latents, expected)
    header = (out / "latents.csv").read_text().splitlines()[0].split(",")
    assert run.latents.index.name == header[0] == "t" and list(run.latents.columns) == header[1:]
    table = pd.read_csv(out / "spikes.csv")
    pd.testing.assert_frame_equal(run.spike_table, table)
    assert run.summary == json.loads((out / "summary.json").read_text())
    assert list(run.spikes) == [p["name"] for p in run.summary["populations"]]
    for pop in run.summary["populations"]:
        s = run.spikes[pop["name"]]
        rows = table[table.population == pop["name"]]
        np.testing.assert_array_equal(s.times, rows.t.to_numpy())
        np.testing.assert_array_equal(s.neurons, rows.neuron.to_numpy())
        assert s.counts().tolist() == pop["spike_counts"]
        trains = s.trains()
        assert len(trains) == pop["size"] and sum(map(len, trains)) == len(s)
    assert run.figure_path == out / "latents.png"
    assert run.spec.name == "fig8-balanced-ei"


def test_npy_nwb_sonata(tmp_path):
    run = ls.simulate(EXAMPLES / "fig8-balanced-ei.yaml", out=tmp_path / "all", duration=4,
                      formats=["csv", "npy", "nwb", "sonata"])
    assert run.nwb_path.is_file() and run.sonata_path.is_file()
    npy_only = tmp_path / "npy"
    shutil.copytree(run.path, npy_only)
    for name in ("latents.csv", "spikes.csv"):
        (npy_only / name).unlink()
    from_npy = ls.Run.load(npy_only)
    pd.testing.assert_frame_equal(from_npy.latents, run.latents)
    pd.testing.assert_frame_equal(from_npy.spike_table.astype({"neuron": "int64"}), run.spike_table)
    np.testing.assert_array_equal(run.npy["latents"], run.latents[[c for c in run.latents if c.startswith("y_")]].to_numpy())
    tau = run.tau_ms
    with h5py.File(run.sonata_path, "r") as f:
        for name, s in run.spikes.items():
            np.testing.assert_allclose(f[f"spikes/{name}/timestamps"][:], s.times * tau)
            np.testing.assert_array_equal(f[f"spikes/{name}/node_ids"][:], s.neurons)
    with h5py.File(run.nwb_path, "r") as f:
        np.testing.assert_allclose(f["processing/latents/latents/timestamps"][:], run.latents.index * tau / 1000)


def test_dict_spec_runs_like_its_file(tmp_path):
    data = yaml.safe_load(FIG2.read_text())
    spec = ls.Spec(data)
    assert spec.report.startswith(str(spec.path)) and "ok" in spec.report
    a = ls.simulate(FIG2, out=tmp_path / "file", duration=8)
    b = spec.simulate(out=tmp_path / "dict", duration=8)
    for name in ("latents.csv", "spikes.csv"):
        assert (a.path / name).read_bytes() == (b.path / name).read_bytes()
    assert b.summary["spec"]["file"] == str(spec.path)


def test_json_spec(tmp_path):
    data = yaml.safe_load(FIG2.read_text())
    path = tmp_path / "fig2.json"
    path.write_text(json.dumps(data, indent=2))
    spec = ls.Spec(path)
    assert spec.data == data and spec.name == "fig2-inhibitory-boundary"
    a = ls.simulate(spec, out=tmp_path / "json", duration=5)
    b = ls.simulate(FIG2, out=tmp_path / "yaml", duration=5)
    assert (a.path / "latents.csv").read_bytes() == (b.path / "latents.csv").read_bytes()


def test_replace_and_field_paths(tmp_path):
    spec = ls.Spec(FIG2)
    short = spec.replace({"simulation.duration": 4, "input[0].stop": 4, "input[0].start": 1})
    assert short["simulation.duration"] == 4 and spec["simulation.duration"] == 30
    assert short.duration == 4.0 and short.name == spec.name
    run = short.simulate(out=tmp_path / "short")
    assert run.latents.index[-1] == 4.0 and len(run.latents) == 401
    noisy = spec.replace({"populations[0].noise": np.float64(0.1)}, name="noisy", validate=False)
    assert noisy.name == "noisy" and noisy.data["populations"][0]["noise"] == 0.1
    with pytest.raises(KeyError):
        spec.replace({"populations[3].noise": 0.1})


def test_relative_input_files_follow_the_spec(tmp_path):
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "stimulus.csv").write_text("0, -1\n2, 1\n")
    data = yaml.safe_load(FIG2.read_text())
    data["input"] = [{"kind": "piecewise_linear", "file": "stimulus.csv"}]
    data["simulation"]["duration"] = 3
    (folder / "net.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    from_file = ls.Spec(folder / "net.yaml")
    changed = from_file.replace({"simulation.seed": 5})  # written elsewhere, still finds stimulus.csv
    run = changed.simulate(out=tmp_path / "pl")
    assert run.latents["x1"].iloc[-1] == 1.0 and run.seed == 5


def test_trials_batch(tmp_path):
    run = ls.simulate(EXAMPLES / "fig6-noisy-inhibitory.yaml", out=tmp_path / "batch", trials=3, duration=3)
    assert run.is_batch and run.n_trials == 3 and run.status == "completed"
    pd.testing.assert_frame_equal(run.trials, pd.read_csv(run.path / "trials.csv"))
    s = run.spikes["I"]
    assert set(np.unique(s.trials)) == {0, 1, 2}
    assert run.trials["spikes_I"].tolist() == [int(np.sum(s.trials == k)) for k in range(3)]
    assert len(s.trains(trial=2)) == 50
    assert "trials" in run.latents.columns
    assert run.figure_path is None


def test_engines(tmp_path):
    event = ls.simulate(FIG2, out=tmp_path / "event", engine="event", duration=5)
    assert event.engine == "event" and len(event.spikes["I"]) > 0
    rate = ls.simulate(EXAMPLES / "fig10-slow-synapses.yaml", out=tmp_path / "rate", engine="rate", duration=3)
    assert rate.rates is not None and rate.rates.index.name == "t"


def test_compile(tmp_path):
    spec = ls.compile("sin(3*x) + 1.2", range=(-1, 1), neurons=20, out=tmp_path / "sine.yaml", duration=10)
    assert isinstance(spec, ls.CompiledSpec) and spec.path == tmp_path / "sine.yaml"
    assert spec.summary.startswith("y_E computes sin(3*x) + 1.2")
    assert spec.tracking is not None and 0 < spec.tracking["max"] < 0.5
    assert spec.figure_path is None
    assert "compiled" in ls.validate(spec)
    knots = ls.compile(knots=[(0, 0.15), (2, 0.15), (4, 1.75), (6, 0.15)], name="saw", out=tmp_path / "a.yaml",
                       simulate=False)
    text = ls.compile(knots="0:0.15,2:0.15,4:1.75,6:0.15", name="saw", out=tmp_path / "b.yaml", simulate=False)
    assert knots.tracking is None
    assert knots.text.replace("a.yaml", "b.yaml") == text.text
    run = ls.simulate(spec, out=tmp_path / "sine-run", duration=3)
    assert {"y_E", "y_I"} <= set(run.latents.columns)


def test_sweep(tmp_path):
    out = tmp_path / "sweep"
    table = ls.sweep(spec=FIG2, grid={"populations[0].noise": [0, 0.1]}, seeds=2,
                     zip={"simulation.duration": [6], "input[0].stop": [6]}, name="fig2-noise", out=out)
    pd.testing.assert_frame_equal(table, pd.read_csv(out / "results.csv"))
    assert table.attrs["path"] == str(out / "results.csv")
    assert len(table) == 4 and table["seed"].tolist() == [0, 1, 0, 1]
    assert (table["status"] == "completed").all()
    again = ls.sweep(spec=FIG2, grid={"populations[0].noise": [0, 0.1]}, seeds=2,
                     zip={"simulation.duration": [6], "input[0].stop": [6]}, name="fig2-noise", out=out)
    pd.testing.assert_frame_equal(again, table)
    from_file = ls.sweep(EXAMPLES / "sweeps" / "fig2-noise.yaml", out=tmp_path / "file", shard="5/6", jobs=1)
    assert len(from_file) == 4 and Path(from_file.attrs["path"]).parent.name == "parts"


def test_analyze(tmp_path):
    run = ls.simulate(EXAMPLES / "fig8-balanced-ei.yaml", out=tmp_path / "f8", duration=5)
    analysis = run.analyze(start=1, bin=0.5)
    assert analysis.path == run.path / "analysis" == run.analysis_path
    assert {"psth", "cv", "balance", "nullspace"} <= set(analysis.results)
    pd.testing.assert_frame_equal(analysis.tables["cv"], pd.read_csv(analysis.path / "cv.csv"))
    assert analysis["psth"]["start"] == 1
    assert analysis.figures == {}
    only = ls.analyze([run], "cv", out=tmp_path / "cv-only", start=1, min_intervals=3)
    assert set(only.results) == {"cv"}


def test_xarray(tmp_path):
    run = ls.simulate(FIG2, out=tmp_path / "x", duration=3)
    ds = run.to_xarray()
    np.testing.assert_array_equal(ds["y_I"].values, run.latents["y_I"].values)
    np.testing.assert_array_equal(ds["spike_times_I"].values, run.spikes["I"].times)
    assert ds.attrs["name"] == "fig2-inhibitory-boundary" and ds["t"].attrs["units"] == "tau"
