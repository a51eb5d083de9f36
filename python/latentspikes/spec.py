"""Specs: a network and its simulation, from a YAML/JSON file or a Python dict, checked by the engine."""

from __future__ import annotations

import atexit
import copy
import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import yaml

from .errors import SpecError

__all__ = ["Spec", "SpecSource", "set_path", "get_path"]

SpecSource = Union["Spec", str, os.PathLike, Mapping[str, Any]]

_SCRATCH: Optional[Path] = None
_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _scratch() -> Path:
    """A folder for specs built from dicts; removed when Python exits."""
    global _SCRATCH
    if _SCRATCH is None or not _SCRATCH.is_dir():
        _SCRATCH = Path(tempfile.mkdtemp(prefix="latentspikes-specs-"))
        atexit.register(shutil.rmtree, _SCRATCH, True)
    return _SCRATCH


def _plain(value: Any) -> Any:
    """Converts numpy scalars and arrays (and tuples) to plain Python values YAML can write."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy arrays and scalars
        return _plain(value.tolist())
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


def _tokens(path: str) -> list[Union[str, int]]:
    tokens: list[Union[str, int]] = []
    pos = 0
    text = path.strip()
    while pos < len(text):
        if text[pos] == ".":
            pos += 1
            continue
        m = _PATH_TOKEN.match(text, pos)
        if not m:
            raise KeyError(f"{path}: not a field path (write e.g. populations[0].noise)")
        tokens.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    if not tokens:
        raise KeyError(f"'{path}' is not a field path")
    return tokens


def get_path(data: Any, path: str) -> Any:
    """The value at a field path in spec notation (``populations[0].noise``, ``input.amplitude``)."""
    node = data
    for token in _tokens(path):
        node = node[token]
    return node


def set_path(data: dict, path: str, value: Any) -> None:
    """Sets a field path in place, creating missing mappings (a list index must exist), as sweep files do."""
    tokens = _tokens(path)
    node: Any = data
    for i, token in enumerate(tokens[:-1]):
        nxt = tokens[i + 1]
        if isinstance(token, int):
            if not isinstance(node, list) or token >= len(node):
                raise KeyError(f"{path}: there is no element [{token}]")
            node = node[token]
        else:
            if not isinstance(node, dict):
                raise KeyError(f"{path}: '{token}' is not inside a mapping")
            if token not in node or node[token] is None:
                if isinstance(nxt, int):
                    raise KeyError(f"{path}: '{token}' is not a list with element [{nxt}]")
                node[token] = {}
            node = node[token]
    last = tokens[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            raise KeyError(f"{path}: there is no element [{last}]")
        node[last] = _plain(value)
    else:
        if not isinstance(node, dict):
            raise KeyError(f"{path}: '{last}' is not inside a mapping")
        node[last] = _plain(value)


class Spec:
    """A spec (docs/spec.md): from a YAML or JSON file, a dict, or YAML text (:meth:`from_yaml`).

    ``Spec(source)`` checks the spec with the engine (``latentspikes validate``) unless ``validate=False``; a
    problem raises :class:`SpecError` with the engine's file, line and field. A spec built from a dict is written
    to a temporary YAML file for the engine; relative ``file:`` paths of its inputs are resolved against
    ``base_dir`` (the folder of the file it came from, or the current directory).

    Attributes:
        path: the file the engine reads.
        data: the spec as a dict (a copy; change a spec with :meth:`replace`).
        name: the experiment name (``out/<name>`` is the default output folder).
        report: the engine's validation report, once validated.
    """

    def __init__(self, source: SpecSource, *, validate: bool = True, base_dir: Optional[os.PathLike] = None):
        self.report: Optional[str] = None
        self._data: Optional[dict] = None
        if isinstance(source, Spec):
            self.path = source.path
            self.base_dir = source.base_dir
            self._data = copy.deepcopy(source._data)
            self._from_dict = source._from_dict
            self.report = source.report
        elif isinstance(source, Mapping):
            self.base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
            self._data = _plain(dict(source))
            self._from_dict = True
            self.path = self._write_scratch()
        elif isinstance(source, (str, os.PathLike)):
            self.path = Path(source)
            self.base_dir = self.path.resolve().parent
            self._from_dict = False
        else:
            raise TypeError(f"a spec is a file path, a dict or a Spec, not {type(source).__name__}")
        if validate and self.report is None:
            self.validate()

    # -- construction -------------------------------------------------------------------------------------

    @classmethod
    def from_file(cls, path: Union[str, os.PathLike], *, validate: bool = True) -> "Spec":
        """A spec file (YAML or JSON)."""
        return cls(Path(path), validate=validate)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, validate: bool = True,
                  base_dir: Optional[os.PathLike] = None) -> "Spec":
        """A spec given as a dict (the same structure as the YAML file)."""
        return cls(data, validate=validate, base_dir=base_dir)

    @classmethod
    def from_yaml(cls, text: str, *, validate: bool = True, base_dir: Optional[os.PathLike] = None) -> "Spec":
        """A spec given as YAML (or JSON) text; written as it is, so the engine's line numbers match ``text``."""
        data = yaml.safe_load(text)
        if not isinstance(data, dict):
            raise SpecError("<text>: the spec's root must be a mapping", file="<text>",
                            problem="the spec's root must be a mapping")
        spec = cls.__new__(cls)
        spec.report = None
        spec.base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
        spec._data = data
        spec._from_dict = True
        # The text as given (so the engine's line numbers are the text's), unless relative input files must be
        # made absolute first.
        relative = spec._absolute_files(copy.deepcopy(data)) != data
        spec.path = spec._write_scratch(None if relative else text)
        if validate:
            spec.validate()
        return spec

    def _write_scratch(self, text: Optional[str] = None) -> Path:
        if text is None:
            text = self.to_yaml()
        name = str((self._data or {}).get("name") or "experiment")
        safe = re.sub(r"[^A-Za-z0-9_.\-]", "_", name).lstrip(".") or "experiment"
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        folder = _scratch() / digest
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{safe}.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    # -- contents -------------------------------------------------------------------------------------------

    @property
    def data(self) -> dict:
        """The spec as a dict (a deep copy)."""
        return copy.deepcopy(self._load())

    def _load(self) -> dict:
        if self._data is None:
            try:
                text = self.path.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise SpecError(f"{self.path}: spec file not found", file=str(self.path),
                                problem="spec file not found") from None
            try:
                loaded = yaml.safe_load(text)
            except yaml.YAMLError as e:
                mark = getattr(e, "problem_mark", None)
                line = mark.line + 1 if mark is not None else None
                where = f"{self.path}:{line}" if line else str(self.path)
                raise SpecError(f"{where}: not valid YAML/JSON: {e}", file=str(self.path), line=line,
                                problem=f"not valid YAML/JSON: {e}") from None
            if not isinstance(loaded, dict):
                raise SpecError(f"{self.path}: the spec's root must be a mapping", file=str(self.path),
                                problem="the spec's root must be a mapping")
            self._data = loaded
        return self._data

    @property
    def name(self) -> str:
        """The experiment name (``experiment`` when the spec has none)."""
        return str(self._load().get("name") or "experiment")

    @property
    def text(self) -> str:
        """The text the engine reads."""
        return self.path.read_text(encoding="utf-8")

    @property
    def duration(self) -> Optional[float]:
        """``simulation.duration`` (τ), or None (an SRM0 layer stack, or not a number)."""
        sim = self._load().get("simulation")
        value = sim.get("duration") if isinstance(sim, dict) else None
        return float(value) if isinstance(value, (int, float)) else None

    def __getitem__(self, path: str) -> Any:
        """The value at a field path: ``spec["populations[0].decoders"]``."""
        return copy.deepcopy(get_path(self._load(), path))

    def to_yaml(self) -> str:
        """The spec as YAML (block style, keys in their original order)."""
        data = self._absolute_files(copy.deepcopy(self._load()))
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)

    def to_dict(self) -> dict:
        """The spec as a dict (a deep copy)."""
        return self.data

    def _absolute_files(self, data: dict) -> dict:
        """Input ``file:`` paths made absolute against ``base_dir``, so the spec reads the same from anywhere."""
        inputs = data.get("input")
        for item in (inputs if isinstance(inputs, list) else [inputs]):
            if isinstance(item, dict) and isinstance(item.get("file"), str) and not os.path.isabs(item["file"]):
                item["file"] = str((Path(self.base_dir) / item["file"]).resolve())
        return data

    # -- operations -----------------------------------------------------------------------------------------

    def validate(self) -> str:
        """Checks the spec with the engine; returns its report, raises :class:`SpecError` for a bad spec."""
        from .engine import run_engine

        done = run_engine(["validate", str(self.path)])
        self.report = done.stdout.strip()
        return self.report

    def replace(self, changes: Optional[Mapping[str, Any]] = None, /, *, validate: bool = True,
                **fields: Any) -> "Spec":
        """A new spec with fields changed, by field path as in sweep files.

        ``spec.replace({"populations[0].noise": 0.1, "simulation.duration": 5})``; plain top-level names can be
        given as keywords too (``spec.replace(name="quiet")``).
        """
        data = copy.deepcopy(self._load())
        for path, value in {**(dict(changes) if changes else {}), **fields}.items():
            set_path(data, path, value)
        return Spec(data, validate=validate, base_dir=self.base_dir)

    def save(self, path: Union[str, os.PathLike]) -> "Spec":
        """Writes the spec to ``path`` (the file's own text if it came from a file) and returns that file's Spec."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if self._from_dict:
            target.write_text(self.to_yaml(), encoding="utf-8")
        else:
            shutil.copyfile(self.path, target)
        saved = Spec(target, validate=False)
        saved.report = self.report
        return saved

    def simulate(self, **options: Any):
        """Runs the spec: ``latentspikes.simulate(self, **options)``."""
        from .api import simulate

        return simulate(self, **options)

    def __repr__(self) -> str:
        origin = "dict" if self._from_dict else "file"
        return f"Spec({self.name!r}, {origin}: {str(self.path)!r})"
