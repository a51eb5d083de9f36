"""The README's install line works offline, and its one-liner runs on the installed package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from conftest import ROOT


def test_offline_install_and_readme_one_liner(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LATENTSPIKES_CLI", "PIP_INDEX_URL")}
    # A copy of python/, so the build's in-tree files (build/, *.egg-info) stay out of the repository.
    source = tmp_path / "python"
    shutil.copytree(ROOT / "python", source, ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__", ".pytest_cache", "tests"))
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-index", "--no-build-isolation", "--no-cache-dir", "-q",
         str(source)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    # A work folder that sees the repository's examples and built engine (as the repository root does), so the
    # README's line writes its out/ folder here rather than into the repository.
    work = tmp_path / "work"
    work.mkdir()
    (work / "src").symlink_to(ROOT / "src")
    (work / "examples").symlink_to(ROOT / "examples")
    line = ("import latentspikes as ls; r = ls.simulate('examples/fig2-inhibitory-boundary.yaml'); "
            "print(r.latents.head())")
    done = subprocess.run([str(python), "-c", line], capture_output=True, text=True, env=env, cwd=work, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:3] == ["x1", "y_I", "t"]
    assert (work / "out" / "fig2-inhibitory-boundary" / "latents.csv").is_file()
    where = subprocess.run([str(python), "-c", "import latentspikes; print(latentspikes.__file__)"],
                           capture_output=True, text=True, env=env, cwd=work)
    assert where.stdout.startswith(str(venv))
