"""Progress: measured from the staging folder the engine streams into; tqdm if present, a text line otherwise."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap

import latentspikes as ls
from latentspikes import progress as progress_module
from latentspikes.api import _tail_time
from latentspikes.progress import Progress

from conftest import FIG2, ROOT


def test_tail_time_reads_the_last_complete_line(tmp_path):
    staging = tmp_path / ".run.partial-1-abc"
    staging.mkdir()
    (staging / "latents.csv").write_bytes(b"t,x1,y_I\n0,-1,0\n0.01,-1,-0.35\n0.02,-1,-0.6")  # last line incomplete
    assert _tail_time(tmp_path, ".run.partial-") == 0.01
    (staging / "latents.csv").write_bytes(b"t,x1,y_I\n")
    assert _tail_time(tmp_path, ".run.partial-") is None
    assert _tail_time(tmp_path / "missing", ".run.partial-") is None


def test_text_progress_without_tqdm(monkeypatch):
    monkeypatch.setattr(progress_module, "tqdm_available", lambda: False)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    values = iter([5.0, 10.0])
    bar = Progress("simulating x", total=20.0, enabled=True, delay=0.0, probe=lambda: next(values))
    bar.poll()
    assert "25.0% (5/20 τ)" in err.getvalue()
    bar.poll()
    assert "50.0% (10/20 τ)" in err.getvalue()
    bar.close(success=False)
    assert err.getvalue().rstrip().endswith("\x1b[K") and "stopped" in err.getvalue()


def test_tqdm_progress(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    bar = Progress("sweep s", unit="runs", enabled=True, delay=0.0)
    bar.poll()
    assert "sweep s" in err.getvalue() and "elapsed" in err.getvalue()
    bar.set(1, 4)  # a sweep's "[1/4]" line: the bar gets its total
    bar.poll()
    assert "1/4 runs" in err.getvalue() and "25%" in err.getvalue()
    bar.close()


def test_disabled_progress_is_silent(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    bar = Progress("quiet", total=1.0, enabled=False, delay=0.0, probe=lambda: 0.5)
    bar.poll()
    bar.close()
    assert err.getvalue() == ""


def test_works_without_tqdm_and_xarray(tmp_path):
    """On a machine with only numpy, pandas and PyYAML the package works; to_xarray says what to install."""
    script = textwrap.dedent(f"""
        import sys
        sys.modules["tqdm"] = None
        sys.modules["xarray"] = None
        import latentspikes as ls
        run = ls.simulate({str(FIG2)!r}, out={str(tmp_path / "run")!r}, duration=3, progress=True)
        print(len(run.latents))
        try:
            run.to_xarray()
        except ImportError as e:
            print(e)
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "301"
    assert "python3-xarray" in lines[1]


def test_progress_argument_reaches_the_bar(tmp_path, monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(Progress, "__init__", _eager(Progress.__init__))
    ls.simulate(FIG2, out=tmp_path / "a", duration=3, progress=True)
    assert "simulating fig2-inhibitory-boundary" in err.getvalue()
    err.truncate(0)
    ls.simulate(FIG2, out=tmp_path / "b", duration=3, progress=False)
    assert err.getvalue() == ""


def _eager(init):
    def wrapper(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.delay = 0.0  # draw from the first poll, so a short run shows its bar

    return wrapper
