"""Exceptions and warnings raised by the latentspikes package.

The C# engine reports every problem with a spec or an option as one line,
``error: FILE:LINE: FIELD: message`` (line and field are left out when they do not apply).
:class:`SpecError` carries those parts as attributes.
"""

from __future__ import annotations

import re
from typing import Optional

__all__ = [
    "LatentSpikesError",
    "EngineNotFoundError",
    "SpecError",
    "EngineError",
    "SweepFailedError",
    "RunawayWarning",
    "parse_error_line",
]

# A field path in spec notation (populations[1].decoders[3], initial.y_E, input[0].file) or an option (--range[1]).
_FIELD = re.compile(r"^(--)?[A-Za-z_][A-Za-z0-9_\-]*(\[\d+\])*(\.[A-Za-z0-9_\-]+(\[\d+\])*)*$")
_WITH_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<rest>.*)$")
_WITHOUT_LINE = re.compile(r"^(?P<file>[^:]+): (?P<rest>.*)$")


class LatentSpikesError(Exception):
    """Base class of every error raised by this package."""


class EngineNotFoundError(LatentSpikesError):
    """The C# engine (the ``latentspikes`` command line) could not be found or started."""


class SpecError(LatentSpikesError, ValueError):
    """A bad spec, sweep file or option: the engine's one-line error (exit code 1).

    Attributes:
        message: the engine's line without the leading ``error: ``.
        file: the spec or sweep file (``"command line"`` for an option), or None if the line names none.
        line: 1-based line in ``file``, or None.
        field: the offending field (``populations[0].decoders[2]``) or option (``--seed``), or None.
        problem: what is wrong, without the location.
        exit_code: the engine's exit code.
        stderr: everything the engine wrote to stderr.
    """

    def __init__(self, message: str, *, file: Optional[str] = None, line: Optional[int] = None,
                 field: Optional[str] = None, problem: Optional[str] = None, exit_code: int = 1,
                 stderr: str = ""):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.problem = problem if problem is not None else message
        self.exit_code = exit_code
        self.stderr = stderr

    @classmethod
    def from_stderr(cls, stderr: str, exit_code: int = 1) -> "SpecError":
        """Builds the error from the engine's stderr (its last ``error:`` line)."""
        lines = [ln for ln in stderr.splitlines() if ln.startswith("error: ")]
        text = lines[-1][len("error: "):] if lines else (stderr.strip().splitlines() or ["unknown error"])[-1]
        file, line, field, problem = parse_error_line(text)
        return cls(text, file=file, line=line, field=field, problem=problem, exit_code=exit_code, stderr=stderr)


class EngineError(LatentSpikesError, RuntimeError):
    """The engine failed in an unexpected way (an exit code other than 0, 1 or 3, or unreadable output)."""

    def __init__(self, message: str, *, exit_code: Optional[int] = None, stderr: str = "", stdout: str = ""):
        super().__init__(message)
        self.exit_code = exit_code
        self.stderr = stderr
        self.stdout = stdout


class SweepFailedError(EngineError):
    """Some runs of a sweep failed (engine exit code 4); finished runs are kept and a rerun retries the rest."""


class RunawayWarning(UserWarning):
    """The simulated activity ran away (engine exit code 3); the outputs up to that point are written."""


def parse_error_line(text: str) -> tuple[Optional[str], Optional[int], Optional[str], str]:
    """Splits ``FILE:LINE: FIELD: problem`` into (file, line, field, problem); absent parts are None.

    >>> parse_error_line("net.yaml:17: populations[0].decoders[2]: Dale's law: must be <= 0")
    ('net.yaml', 17, 'populations[0].decoders[2]', "Dale's law: must be <= 0")
    >>> parse_error_line("command line: --seed: must be a number")
    ('command line', None, '--seed', 'must be a number')
    >>> parse_error_line("missing.yaml: spec file not found")
    ('missing.yaml', None, None, 'spec file not found')
    """
    if text.startswith("error: "):
        text = text[len("error: "):]
    text = text.strip()
    file: Optional[str] = None
    line: Optional[int] = None
    rest = text
    m = _WITH_LINE.match(text)
    if m:
        file, line, rest = m.group("file"), int(m.group("line")), m.group("rest")
    elif text.startswith("--"):
        # An option's own check ("--trials: must be >= 1 (got 0) (see --help)"): an error on the command line.
        file = "command line"
    else:
        m = _WITHOUT_LINE.match(text)
        # A location is a path or "command line", never a sentence ("Unrecognized command or argument 'x'").
        if m and (m.group("file") == "command line" or " " not in m.group("file")):
            file, rest = m.group("file"), m.group("rest")
    field: Optional[str] = None
    if file is not None and ": " in rest:
        head, tail = rest.split(": ", 1)
        if _FIELD.match(head):
            field, rest = head, tail
    return file, line, field, rest
