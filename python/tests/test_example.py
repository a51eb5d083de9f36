"""python/examples/fig2.py runs as a headless script and writes both figures."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT


def test_fig2_example_runs_headless(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    env.pop("DISPLAY", None)
    done = subprocess.run([sys.executable, str(ROOT / "python" / "examples" / "fig2.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    for name in ("fig2.png", "compiled.png"):
        png = tmp_path / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert (tmp_path / "fig2" / "latents.csv").is_file() and (tmp_path / "compiled.yaml").is_file()
    assert "simulated tracking error: {'max':" in done.stdout
