"""Shared fixtures: the repository, its examples, and the engine the package found (the tests need it built:
``dotnet build src/LatentSpikes.Cli -c Release``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import latentspikes as ls

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FIG2 = EXAMPLES / "fig2-inhibitory-boundary.yaml"


@pytest.fixture(scope="session")
def engine() -> ls.Engine:
    """The located engine; a missing engine fails the suite with the package's own instructions."""
    return ls.find_engine()


@pytest.fixture(scope="session")
def cli(engine):
    """Runs the engine directly (as a user would on the command line); returns the CompletedProcess."""

    def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
        return subprocess.run([*engine.command, *map(str, args)], capture_output=True, text=True, cwd=cwd)

    return run
