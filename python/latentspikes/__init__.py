"""latentspikes: low-rank spiking neural networks from Python, computed by the LatentSpikes C# engine.

>>> import latentspikes as ls
>>> run = ls.simulate("examples/fig2-inhibitory-boundary.yaml", out="runs/fig2")
>>> run.latents.head()            # pandas DataFrame indexed by t (τ): x1, y_I
>>> run.spikes["I"].times         # numpy arrays per population

Every computation runs in the engine (``latentspikes`` on the command line); this package writes specs, starts
the engine, and reads its output files. See docs/python.md.
"""

from .api import Analysis, CompiledSpec, analyze, compile, simulate, sweep, validate
from .engine import Engine, find_engine
from .errors import (EngineError, EngineNotFoundError, LatentSpikesError, RunawayWarning, SpecError,
                     SweepFailedError)
from .run import Run, Spikes
from .spec import Spec

__version__ = "0.1.0"

__all__ = [
    "Analysis", "CompiledSpec", "Engine", "EngineError", "EngineNotFoundError", "LatentSpikesError", "Run",
    "RunawayWarning", "Spec", "SpecError", "Spikes", "SweepFailedError", "analyze", "compile", "find_engine",
    "simulate", "sweep", "validate", "__version__",
]
