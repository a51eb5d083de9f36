"""Ctrl-C (KeyboardInterrupt) stops the engine and everything it started and leaves no output behind."""

from __future__ import annotations

import _thread
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import latentspikes as ls
from latentspikes.api import _tail_time

from conftest import FIG2, ROOT

LONG = 300_000  # τ of the Fig. 2 network: over 10 s of engine time, far longer than any test waits


@pytest.fixture(autouse=True)
def python_handles_sigint():
    """Ctrl-C raises KeyboardInterrupt here even if the test runner was started with SIGINT ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _engine_processes(marker: str) -> list[int]:
    """Pids of live processes whose command line mentions ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().split(") ", 1)[1][0]
        except OSError:
            continue
        if marker in cmdline and "LatentSpikes.Cli" in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the engine")
        time.sleep(0.05)


def _staging(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if ".partial-" in p.name]


def test_sigint_to_python_stops_the_engine_and_leaves_nothing(tmp_path):
    out = tmp_path / "long"
    script = textwrap.dedent(f"""
        import sys
        import latentspikes as ls
        try:
            ls.simulate({str(FIG2)!r}, out={str(out)!r}, duration={LONG}, progress=False)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(130)
        print("finished", flush=True)
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        # The engine is running once it streams into its staging folder.
        _wait_for(lambda: _tail_time(tmp_path, ".long.partial-") is not None)
        assert _engine_processes(str(out))
        started = time.monotonic()
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=30)
        stopped_in = time.monotonic() - started
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130 and stdout.strip() == "interrupted", stderr
    assert stopped_in < 10
    assert not out.exists()
    assert _staging(tmp_path) == []
    assert _engine_processes(str(out)) == []


def test_keyboard_interrupt_in_process(tmp_path):
    """As in Jupyter: the kernel's interrupt raises KeyboardInterrupt in the waiting thread."""
    out = tmp_path / "long"
    seen: list[float] = []

    def interrupt_when_streaming() -> None:
        _wait_for(lambda: _tail_time(tmp_path, ".long.partial-") is not None)
        time.sleep(0.3)
        seen.append(_tail_time(tmp_path, ".long.partial-"))  # progress is measurable while it runs
        _thread.interrupt_main()

    watcher = threading.Thread(target=interrupt_when_streaming, daemon=True)
    watcher.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        ls.simulate(FIG2, out=out, duration=LONG, progress=False)
    watcher.join()
    assert time.monotonic() - started < 30
    assert seen and 0 < seen[0] < LONG
    assert not out.exists() and _staging(tmp_path) == []
    assert _engine_processes(str(out)) == []


def test_interrupted_rerun_keeps_the_previous_run(tmp_path):
    """An interrupted rerun into an existing folder leaves the earlier complete run as it was."""
    out = tmp_path / "run"
    first = ls.simulate(FIG2, out=out, duration=5)
    before = {name: (out / name).read_bytes() for name in first.files}

    def interrupt() -> None:
        _wait_for(lambda: _tail_time(tmp_path, ".run.partial-") is not None)
        _thread.interrupt_main()

    threading.Thread(target=interrupt, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        ls.simulate(FIG2, out=out, duration=LONG, progress=False)
    assert {name: (out / name).read_bytes() for name in ls.Run(out).files} == before
    assert _staging(tmp_path) == []


def test_interrupted_sweep_keeps_finished_runs_and_resumes(tmp_path):
    out = tmp_path / "sweep"
    # A sweep keeps a run in memory until it is done, so the slow run is long enough to interrupt, not more.
    fields = dict(spec=FIG2, grid={"simulation.duration": [2, 50_000]}, name="slow", out=out, jobs=1)

    def interrupt() -> None:
        _wait_for(lambda: (out / "runs").is_dir() and any(
            not p.name.startswith(".") for p in (out / "runs").iterdir()))
        time.sleep(0.3)
        _thread.interrupt_main()

    threading.Thread(target=interrupt, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        ls.sweep(**fields, progress=False)
    runs = sorted(p.name for p in (out / "runs").iterdir())
    assert len(runs) == 1 and not runs[0].startswith(".")  # the finished run, no staging folder
    assert (out / "runs" / runs[0] / "result.json").is_file()
    assert not (out / "results.csv").exists()
    assert _engine_processes(str(out)) == []
