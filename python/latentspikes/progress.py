"""Progress display for long engine calls: a tqdm bar when tqdm is installed (a widget in Jupyter), otherwise one
updating line on a terminal's stderr.

The engine draws its own progress bar only on a terminal, so the package measures progress itself: a simulation
streams ``latents.csv`` into its staging folder as it runs (the clock engine), and the last time written there over
the duration is the fraction done; a sweep prints one ``[done/total]`` line per finished run. Runs that keep
everything in memory until the end (``--trials``, the event and rate engines) show the elapsed time only.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, Optional

__all__ = ["Progress", "tqdm_available"]


def tqdm_available() -> bool:
    """True if tqdm can be imported."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()  # type: ignore[attr-defined]
    except Exception:
        return False
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


class Progress:
    """A progress display that appears only once a call has taken ``delay`` seconds.

    ``probe`` returns the current value (same unit as ``total``) or None; :meth:`set` stores a value from another
    thread (a line the engine printed). :meth:`poll` is called from the waiting thread and draws.
    """

    def __init__(self, description: str, *, total: Optional[float] = None, unit: str = "τ",
                 enabled: Optional[bool] = None, delay: float = 1.0,
                 probe: Optional[Callable[[], Optional[float]]] = None):
        self.description = description
        self.total = total
        self.unit = unit
        self.enabled = (tqdm_available() or _stderr_is_terminal()) if enabled is None else bool(enabled)
        self.delay = delay
        self.probe = probe
        self._value: Optional[float] = None
        self._started = time.monotonic()
        self._bar = None
        self._text_shown = False

    def set(self, value: float, total: Optional[float] = None) -> None:
        """Records progress (thread-safe: plain assignments, drawn by :meth:`poll`)."""
        if total is not None:
            self.total = total
        self._value = value

    def poll(self) -> None:
        """Draws the current progress (creates the display after ``delay`` seconds)."""
        if not self.enabled or time.monotonic() - self._started < self.delay:
            return
        if self.probe is not None:
            try:
                value = self.probe()
            except OSError:
                value = None
            if value is not None:
                self._value = value
        self._draw()

    def close(self, success: bool = True) -> None:
        """Removes or completes the display."""
        if self._bar is not None:
            if success and self.total is not None:
                self._bar.n = self.total
                self._bar.refresh()
            self._bar.close()
            self._bar = None
        elif self._text_shown:
            end = "done" if success else "stopped"
            sys.stderr.write(f"\r{self.description}: {end} ({time.monotonic() - self._started:.1f} s)\033[K\n")
            sys.stderr.flush()
            self._text_shown = False

    def _draw(self) -> None:
        if tqdm_available():
            self._draw_tqdm()
        else:
            self._draw_text()

    def _draw_tqdm(self) -> None:
        if self._bar is not None and self._bar.total is None and self.total is not None:
            self._bar.close()  # the total became known (a sweep's first line): switch to a bar
            self._bar = None
        if self._bar is None:
            self._bar = _make_bar(self.description, self.total, self.unit)
        bar = self._bar
        if self.total is not None and bar.total != self.total:
            bar.total = self.total
        if self._value is not None:
            bar.n = min(self._value, self.total) if self.total is not None else self._value
        bar.refresh()

    def _draw_text(self) -> None:
        elapsed = time.monotonic() - self._started
        if self.total and self._value is not None:
            status = f"{100.0 * min(self._value / self.total, 1.0):5.1f}% ({self._value:g}/{self.total:g} {self.unit})"
        else:
            status = "running"
        sys.stderr.write(f"\r{self.description}: {status}, {elapsed:.0f} s\033[K")
        sys.stderr.flush()
        self._text_shown = True


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _make_bar(description: str, total: Optional[float], unit: str):
    fmt = ("{desc}: {percentage:3.0f}%|{bar}| {n:.6g}/{total:.6g} " + unit + " [{elapsed}<{remaining}]"
           if total is not None else "{desc}: {elapsed} elapsed")
    if _in_notebook():
        try:
            from tqdm.notebook import tqdm as notebook_tqdm

            return notebook_tqdm(total=total, desc=description, unit=unit, bar_format=fmt, leave=False)
        except Exception:  # no ipywidgets: the text bar works in a notebook too
            pass
    from tqdm import tqdm

    return tqdm(total=total, desc=description, unit=unit, bar_format=fmt, leave=False, file=sys.stderr)
