"""Finding and running the C# engine (the ``latentspikes`` command line).

Every computation happens in the engine; this module starts it as a child process in its own process group,
collects its output, shows progress, and stops it (and its children) when Python is interrupted.

The engine is looked up in this order:

1. ``$LATENTSPIKES_CLI``: an executable, a ``LatentSpikes.Cli.dll`` (run with ``dotnet``), or a whole command
   (``"dotnet run --project src/LatentSpikes.Cli -c Release --"``);
2. ``latentspikes`` on ``PATH`` (the .NET tool, see README.md);
3. a built ``src/LatentSpikes.Cli/bin/{Release,Debug}/net10.0/LatentSpikes.Cli.dll`` in the LatentSpikes repository
   that holds the current directory or this package (the more recently built of the two), run with ``dotnet``;
   failing that, a published executable there (``bin/*/net10.0/RID/publish/LatentSpikes.Cli``, e.g. NativeAOT).
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from .errors import EngineError, EngineNotFoundError, RunawayWarning, SpecError
from .progress import Progress

__all__ = ["Engine", "find_engine", "EXIT_OK", "EXIT_SPEC_ERROR", "EXIT_EXPLODED", "EXIT_RUNS_FAILED"]

EXIT_OK = 0
EXIT_SPEC_ERROR = 1
EXIT_EXPLODED = 3
EXIT_RUNS_FAILED = 4

ENV_VAR = "LATENTSPIKES_CLI"
_CLI_PROJECT = Path("src") / "LatentSpikes.Cli"
_CONFIGURATIONS = ("Release", "Debug")
_TARGET = "net10.0"

# Seconds given to the engine after SIGINT, then after SIGTERM, before SIGKILL.
STOP_GRACE = 2.0

_cached: Optional["Engine"] = None


@dataclass(frozen=True)
class Engine:
    """How to start the engine: ``command`` is the argument list that precedes the subcommand."""

    command: tuple[str, ...]
    source: str

    def __str__(self) -> str:
        return f"{shlex.join(self.command)} ({self.source})"

    def version(self) -> str:
        """The engine's version string (``latentspikes --version``)."""
        return self.run(["--version"]).stdout.strip()

    def run(self, args: Sequence[str], *, cwd: Optional[os.PathLike] = None,
            progress: Optional[Progress] = None, on_stdout: Optional[Callable[[str], None]] = None,
            on_interrupt: Optional[Callable[[], None]] = None,
            ok: Sequence[int] = (EXIT_OK,)) -> "Completed":
        """Runs ``engine ARGS``; returns its exit code and output.

        Exit code 1 raises :class:`SpecError`; codes outside ``ok`` and 1 raise :class:`EngineError`. On
        ``KeyboardInterrupt`` (or any other exception) the engine's process group is stopped (SIGINT, then SIGTERM,
        then SIGKILL), ``on_interrupt`` is called to remove partial outputs, and the exception propagates.
        """
        argv = [*self.command, *[str(a) for a in args]]
        env = dict(os.environ)
        env.setdefault("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        env.setdefault("DOTNET_NOLOGO", "1")
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
                **_new_group())
        except OSError as e:
            raise EngineNotFoundError(f"could not start the engine {shlex.join(self.command)}: {e}") from e
        out_lines: list[str] = []
        err_lines: list[str] = []

        def pump(stream, sink: list[str], callback: Optional[Callable[[str], None]]) -> None:
            for raw in iter(stream.readline, b""):
                text = raw.decode("utf-8", errors="replace")
                sink.append(text)
                if callback is not None:
                    try:
                        callback(text.rstrip("\n"))
                    except Exception:  # a progress display must never break a run
                        pass
            stream.close()

        readers = [threading.Thread(target=pump, args=(proc.stdout, out_lines, on_stdout), daemon=True),
                   threading.Thread(target=pump, args=(proc.stderr, err_lines, None), daemon=True)]
        for t in readers:
            t.start()
        success = False
        try:
            while True:
                try:
                    code = proc.wait(timeout=0.2)
                    break
                except subprocess.TimeoutExpired:
                    if progress is not None:
                        progress.poll()
            for t in readers:
                t.join()
            success = True
        except BaseException:
            stop(proc)
            for t in readers:
                t.join(timeout=5)
            if on_interrupt is not None:
                on_interrupt()
            raise
        finally:
            if progress is not None:
                progress.close(success)
        done = Completed(argv, code, "".join(out_lines), "".join(err_lines), time.monotonic() - started)
        if code == EXIT_SPEC_ERROR:
            raise SpecError.from_stderr(done.stderr, code)
        if code not in ok:
            raise EngineError(
                f"the engine failed (exit code {code}): {_last_line(done.stderr) or _last_line(done.stdout)}",
                exit_code=code, stderr=done.stderr, stdout=done.stdout)
        return done


@dataclass
class Completed:
    """A finished engine call."""

    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    elapsed: float = field(default=0.0)

    def warnings(self) -> list[str]:
        """The engine's ``warning:`` lines (a run that ran away, ...)."""
        return [ln[len("warning: "):] for ln in self.stderr.splitlines() if ln.startswith("warning: ")]

    def warn_runaway(self) -> None:
        """Issues a :class:`RunawayWarning` for exit code 3."""
        if self.returncode == EXIT_EXPLODED:
            import warnings

            detail = "; ".join(self.warnings()) or "the activity ran away"
            warnings.warn(f"latentspikes: {detail}", RunawayWarning, stacklevel=3)


def _last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def _new_group() -> dict:
    """Popen arguments that start the child in its own process group (its own session on POSIX)."""
    if os.name == "posix":
        return {"start_new_session": True}
    return {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}


def stop(proc: subprocess.Popen, grace: float = STOP_GRACE) -> None:
    """Stops ``proc`` and every process in its group: SIGINT, SIGTERM, then SIGKILL, ``grace`` seconds apart.

    A second KeyboardInterrupt while waiting goes straight to SIGKILL; stopping always finishes.
    """
    if os.name != "posix":
        proc.kill()
        proc.wait()
        return
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            break
        try:
            proc.wait(timeout=grace if sig != signal.SIGKILL else None)
            break
        except subprocess.TimeoutExpired:
            continue
        except KeyboardInterrupt:
            _kill_group(proc)
            break
    # The engine is gone; make sure nothing it started outlives it.
    _kill_group(proc)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    while True:
        try:
            proc.wait()
            return
        except KeyboardInterrupt:
            continue


def repository_roots() -> list[Path]:
    """LatentSpikes repositories holding the current directory or this package (closest first)."""
    roots: list[Path] = []
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for d in (start, *start.parents):
            if (d / _CLI_PROJECT / "LatentSpikes.Cli.csproj").is_file():
                if d not in roots:
                    roots.append(d)
                break
    return roots


def find_engine(refresh: bool = False) -> Engine:
    """Locates the engine (see the module documentation for the order); the result is cached.

    Raises :class:`EngineNotFoundError` with instructions when there is none.
    """
    global _cached
    if _cached is not None and not refresh:
        return _cached
    _cached = _locate()
    return _cached


def _dotnet() -> Optional[str]:
    found = shutil.which("dotnet")
    if found:
        return found
    for candidate in (os.environ.get("DOTNET_ROOT"), str(Path.home() / ".dotnet"), "/usr/share/dotnet",
                      "/usr/lib/dotnet"):
        if candidate and (Path(candidate) / "dotnet").is_file():
            return str(Path(candidate) / "dotnet")
    return None


def _locate() -> Engine:
    searched: list[str] = []
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        words = shlex.split(override)
        if len(words) == 1 and override.endswith(".dll"):
            if not Path(override).is_file():
                raise EngineNotFoundError(f"{ENV_VAR}={override}: no such file")
            dotnet = _dotnet()
            if dotnet is None:
                raise EngineNotFoundError(f"{ENV_VAR}={override} needs the .NET 10 runtime (dotnet), which is not on PATH")
            return Engine((dotnet, str(Path(override).resolve())), f"${ENV_VAR}")
        if Path(words[0]).is_file() or shutil.which(words[0]):
            return Engine(tuple(words), f"${ENV_VAR}")
        raise EngineNotFoundError(f"{ENV_VAR}={override}: '{words[0]}' is neither a file nor a command on PATH")
    searched.append(f"${ENV_VAR} (not set)")

    tool = shutil.which("latentspikes")
    if tool:
        return Engine((tool,), "latentspikes on PATH")
    searched.append("latentspikes on PATH")

    roots = repository_roots()
    for root in roots:
        candidates = [root / _CLI_PROJECT / "bin" / c / _TARGET / "LatentSpikes.Cli.dll" for c in _CONFIGURATIONS]
        built = [dll for dll in candidates if dll.is_file()]
        if built:
            # The most recent build (Release on a tie), so a fresh Debug build is not shadowed by an old Release.
            dll = max(built, key=lambda p: (p.stat().st_mtime, -candidates.index(p)))
            dotnet = _dotnet()
            if dotnet is None:
                raise EngineNotFoundError(
                    f"found the engine {dll}, but it needs the .NET 10 runtime (dotnet), which is not on PATH; "
                    "install the .NET 10 SDK (https://dot.net) or set LATENTSPIKES_CLI")
            return Engine((dotnet, str(dll)), f"built in {root}")
        searched.extend(str(dll) for dll in candidates)
        # A published executable (dotnet publish -r RID, self-contained or NativeAOT) needs no dotnet.
        published = sorted((p for c in _CONFIGURATIONS
                            for p in (root / _CLI_PROJECT / "bin" / c / _TARGET).glob("*/publish/LatentSpikes.Cli")
                            if p.is_file() and os.access(p, os.X_OK)), key=lambda p: p.stat().st_mtime, reverse=True)
        if published:
            return Engine((str(published[0]),), f"published in {root}")
        searched.append(str(root / _CLI_PROJECT / "bin" / "*" / _TARGET / "*" / "publish" / "LatentSpikes.Cli"))
    if not roots:
        searched.append("a LatentSpikes repository above the current directory or the package")

    build = (f"cd {shlex.quote(str(roots[0]))} && dotnet build src/LatentSpikes.Cli -c Release" if roots
             else "dotnet build src/LatentSpikes.Cli -c Release   (in the LatentSpikes repository)")
    raise EngineNotFoundError(
        "the LatentSpikes engine (the C# command line) was not found. Build it with\n"
        f"    {build}\n"
        "(needs the .NET 10 SDK), or install it as a .NET tool (`dotnet pack src/LatentSpikes.Cli -c Release`, "
        "then `dotnet tool install --global --add-source src/LatentSpikes.Cli/bin/Release LatentSpikes.Cli`), "
        f"or point {ENV_VAR} at a LatentSpikes.Cli.dll, an executable or a command. Searched: "
        + "; ".join(searched))


def run_engine(args: Sequence[str], **kwargs) -> Completed:
    """Runs ``latentspikes ARGS`` with the located engine (see :meth:`Engine.run`)."""
    return find_engine().run(args, **kwargs)
