#!/usr/bin/python3
"""Python read-back of a run written with --format csv,npy,nwb,sonata (issues 9 and 14).

Usage: readback.py SPEC -- COMMAND...   (COMMAND runs the latentspikes CLI, e.g. dotnet run --project src/LatentSpikes.Cli --no-build --)

Simulates SPEC once, then checks with the readers users have: every .npy equals the CSV it mirrors (numpy); the NWB
file has the fields the NWB 2.x schema requires (h5py), opens in the NWB reference reader pynwb (put
../shared/tools/pynwb/src on PYTHONPATH) with every unit's spike times and the latents equal to the CSVs, and passes
pynwb's validator with no error; the SONATA report equals spikes.csv. Converted times (s in NWB, ms in SONATA) must be
exactly the double nearest the decimal product of the CSV text and the unit factor: no float noise. Exits non-zero
with a one-line reason on the first mismatch.
"""
import csv
import json
from decimal import Decimal
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np


def fail(message):
    print(f"readback: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def main():
    if "--" not in sys.argv:
        fail("usage: readback.py SPEC -- COMMAND...")
    split = sys.argv.index("--")
    spec, command = sys.argv[1], sys.argv[split + 1:]
    out = tempfile.mkdtemp(prefix="latentspikes-readback-")
    run = subprocess.run(command + ["simulate", spec, "--out", out, "--no-plot", "--format", "csv,npy,nwb,sonata"],
                         capture_output=True, text=True)
    check(run.returncode in (0, 3), f"simulate exited {run.returncode}: {run.stderr.strip()}")

    summary = json.load(open(os.path.join(out, "summary.json")))
    tau_ms = summary["tau_ms"]
    pops = [p["name"] for p in summary["populations"]]
    sizes = [p["size"] for p in summary["populations"]]

    # CSVs, parsed with the csv module (round-trip formatted doubles parse exactly).
    with open(os.path.join(out, "latents.csv")) as f:
        rows = list(csv.reader(f))
    header, lat = rows[0], np.array(rows[1:], dtype=float).reshape(len(rows) - 1, len(rows[0]))
    m = sum(1 for h in header if h.startswith("x") and h[1:].isdigit())
    with open(os.path.join(out, "spikes.csv")) as f:
        spk = list(csv.reader(f))[1:]
    st = np.array([float(r[0]) for r in spk])
    # Exact unit conversions from the CSV text: the writers promise the double nearest the decimal product.
    tau = Decimal(repr(float(tau_ms)))
    st_seconds = np.array([float(Decimal(r[0]) * tau / 1000) for r in spk])
    st_ms = np.array([float(Decimal(r[0]) * tau) for r in spk])
    with open(os.path.join(out, "latents.csv")) as f:
        record_seconds = np.array([float(Decimal(r[0]) * tau / 1000) for r in list(csv.reader(f))[1:]])
    sp = np.array([pops.index(r[1]) for r in spk], dtype=np.int32)
    sn = np.array([int(r[2]) for r in spk], dtype=np.int32)
    check(len(spk) == summary["total_spikes"], "spikes.csv rows != summary total_spikes")

    # NumPy: exact equality with the CSV.
    load = lambda name: np.load(os.path.join(out, name))
    times, inputs, latents = load("times.npy"), load("inputs.npy"), load("latents.npy")
    check(times.dtype == np.float64 and times.shape == (lat.shape[0],), f"times.npy {times.dtype} {times.shape}")
    check(np.array_equal(times, lat[:, 0]), "times.npy != latents.csv t")
    check(inputs.shape == (lat.shape[0], m) and np.array_equal(inputs, lat[:, 1:1 + m]), "inputs.npy != latents.csv x columns")
    check(latents.shape == (lat.shape[0], lat.shape[1] - 1 - m) and np.array_equal(latents, lat[:, 1 + m:]), "latents.npy != latents.csv")
    check(np.array_equal(load("spike_times.npy"), st), "spike_times.npy != spikes.csv t")
    check(load("spike_populations.npy").dtype == np.int32 and np.array_equal(load("spike_populations.npy"), sp), "spike_populations.npy")
    check(load("spike_neurons.npy").dtype == np.int32 and np.array_equal(load("spike_neurons.npy"), sn), "spike_neurons.npy")

    # NWB: required NWBFile fields (schema 2.x core/nwb.file.yaml) and typed objects.
    with h5py.File(os.path.join(out, "run.nwb"), "r") as f:
        attrs = {k: text(v) for k, v in f.attrs.items()}
        check(attrs.get("neurodata_type") == "NWBFile" and attrs.get("namespace") == "core", "root neurodata_type/namespace")
        check(attrs.get("nwb_version", "").startswith("2."), "nwb_version")
        for name in ["file_create_date", "identifier", "session_description", "session_start_time", "timestamps_reference_time"]:
            check(name in f and isinstance(f[name], h5py.Dataset), f"missing required dataset /{name}")
        for name in ["acquisition", "analysis", "processing", "stimulus/presentation", "stimulus/templates", "general"]:
            check(name in f and isinstance(f[name], h5py.Group), f"missing required group /{name}")
        check(f["file_create_date"].shape[0] >= 1, "file_create_date is empty")
        check("source_script" in f["general"] and "file_name" in f["general/source_script"].attrs, "spec text in /general/source_script")

        units = f["units"]
        check(text(units.attrs["neurodata_type"]) == "Units", "units neurodata_type")
        colnames = [text(c) for c in units.attrs["colnames"]]
        for col in colnames:
            check(col in units, f"units column {col} listed in colnames but missing")
        check(text(units["spike_times_index"].attrs["neurodata_type"]) == "VectorIndex", "spike_times_index type")
        check(f[units["spike_times_index"].attrs["target"]].name == "/units/spike_times", "spike_times_index target")
        check(text(units["id"].attrs["neurodata_type"]) == "ElementIdentifiers", "units/id type")
        index = units["spike_times_index"][:]
        spike_times = units["spike_times"][:]
        population = [text(p) for p in units["population"][:]]
        neuron = units["neuron"][:]
        check(len(index) == sum(sizes) and len(units["id"]) == sum(sizes), "one unit per neuron")
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        start = 0
        for u, end in enumerate(index):
            p = pops.index(population[u])
            check(offsets[p] + neuron[u] == u, f"unit {u} population/neuron columns")
            expected = st_seconds[(sp == p) & (sn == neuron[u])]
            check(np.array_equal(spike_times[start:end], expected), f"unit {u} spike times != spikes.csv (s, exactly)")
            start = end
        check(start == len(st), "units hold every spike")

        series = f["processing/latents/latents"]
        check(text(series.attrs["neurodata_type"]) == "TimeSeries", "latents TimeSeries type")
        check("unit" in series["data"].attrs, "TimeSeries data needs a unit attribute")
        check(np.array_equal(series["data"][:], latents), "NWB latents != latents.csv")
        check(np.array_equal(series["timestamps"][:], record_seconds), "NWB latent timestamps != latents.csv t (s, exactly)")
        check(f["session_start_time"].id != f["timestamps_reference_time"].id, "session_start_time and timestamps_reference_time are one object")
        check("specifications" in f and "core" in f["specifications"], "no cached schema in /specifications")
        if m > 0:
            check(np.array_equal(f["stimulus/presentation/inputs/data"][:], inputs), "NWB inputs != latents.csv x")

    # The NWB reference reader: pynwb opens the file, its units and latents equal the CSVs, its validator is silent.
    try:
        import pynwb
    except ImportError as e:
        fail(f"pynwb cannot be imported ({e}); put ../shared/tools/pynwb/src on PYTHONPATH")
    nwb_path = os.path.join(out, "run.nwb")
    with pynwb.NWBHDF5IO(nwb_path, "r") as io:
        nwb = io.read()
        table = nwb.units.to_dataframe()
        check(len(table) == sum(sizes), f"pynwb: {len(table)} units, expected {sum(sizes)}")
        for u, row in enumerate(table.itertuples()):
            p = pops.index(row.population)
            expected = st_seconds[(sp == p) & (sn == row.neuron)]
            check(np.array_equal(np.asarray(row.spike_times, dtype=float), expected), f"pynwb: unit {u} spike times != spikes.csv")
        series = nwb.processing["latents"]["latents"]
        check(np.array_equal(series.data[:], latents), "pynwb: latents != latents.csv")
        check(np.array_equal(series.timestamps[:], record_seconds), "pynwb: latent timestamps != latents.csv t")
        if m > 0:
            check(np.array_equal(nwb.stimulus["inputs"].data[:], inputs), "pynwb: inputs != latents.csv x")
    errors, status = pynwb.validate(paths=[nwb_path])
    check(status == 0 and len(errors) == 0, f"pynwb.validate: status {status}, {len(errors)} error(s): {'; '.join(str(e) for e in errors)[:300]}")

    # The HDF5 C tools read both files too (h5py uses the same library, but h5dump walks every object).
    for name in ["run.nwb", "spikes.h5"]:
        dump = subprocess.run(["h5dump", "-H", os.path.join(out, name)], capture_output=True, text=True)
        check(dump.returncode == 0, f"h5dump cannot read {name}: {dump.stderr.strip()[:200]}")

    # SONATA: /spikes/<population>/{timestamps (ms), node_ids}, sorted by time.
    with h5py.File(os.path.join(out, "spikes.h5"), "r") as f:
        for p, name in enumerate(pops):
            g = f["spikes"][name]
            sorting = h5py.check_enum_dtype(g.attrs.get_id("sorting").dtype)
            check(sorting is not None and sorting.get("by_time") == g.attrs["sorting"], f"SONATA {name} sorting attribute")
            check(text(g["timestamps"].attrs["units"]) == "ms", f"SONATA {name} units")
            check(np.array_equal(g["timestamps"][:], st_ms[sp == p]), f"SONATA {name} timestamps != spikes.csv (ms, exactly)")
            check(g["node_ids"].dtype == np.uint64 and np.array_equal(g["node_ids"][:], sn[sp == p]), f"SONATA {name} node_ids")

    print(f"readback: ok ({spec}: {len(st)} spikes, {lat.shape[0]} records; npy, NWB (h5py and pynwb, validated) and SONATA equal the CSVs)")


main()
