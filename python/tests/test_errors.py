"""The engine's one-line errors become SpecError with file, line and field; nothing is written on an error."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
import yaml

import latentspikes as ls
from latentspikes import engine as engine_module
from latentspikes.errors import parse_error_line

from conftest import EXAMPLES, FIG2


@pytest.mark.parametrize("line, expected", [
    ("net.yaml:17: populations[0].decoders[2]: Dale's law: decoders of 'I' must be ≤ 0 (got 0.3)",
     ("net.yaml", 17, "populations[0].decoders[2]", "Dale's law: decoders of 'I' must be ≤ 0 (got 0.3)")),
    ("error: spec.yaml:3: simulation.dtt: unknown field (did you mean 'dt'?)",
     ("spec.yaml", 3, "simulation.dtt", "unknown field (did you mean 'dt'?)")),
    ("spec.yaml:2: not valid YAML/JSON: Duplicate key simulation",
     ("spec.yaml", 2, None, "not valid YAML/JSON: Duplicate key simulation")),
    ("missing.yaml: spec file not found", ("missing.yaml", None, None, "spec file not found")),
    ("command line: --range[0]: [1, 1] is empty; give lo < hi",
     ("command line", None, "--range[0]", "[1, 1] is empty; give lo < hi")),
    ("--engine: unknown engine 'warp' (known: clock, event, rate) (see --help)",
     ("command line", None, "--engine", "unknown engine 'warp' (known: clock, event, rate) (see --help)")),
    ("Unrecognized command or argument '--bogus'. (see --help)",
     (None, None, None, "Unrecognized command or argument '--bogus'. (see --help)")),
    ("sweep.yaml: run 1 (input[0].kind = constant): input[0].from: unknown field",
     ("sweep.yaml", None, None, "run 1 (input[0].kind = constant): input[0].from: unknown field")),
])
def test_parse_error_line(line, expected):
    assert parse_error_line(line) == expected


def _fig2() -> dict:
    return yaml.safe_load(FIG2.read_text())


def test_dict_spec_error_names_the_written_line_and_field():
    data = _fig2()
    data["populations"][0]["decoders"] = 0.3
    with pytest.raises(ls.SpecError) as info:
        ls.Spec(data)
    e = info.value
    assert e.field == "populations[0].decoders[0]"
    assert "Dale's law" in e.problem and "0.3" in e.problem
    assert e.exit_code == 1
    written = Path(e.file)
    assert written.name == "fig2-inhibitory-boundary.yaml" and written.is_file()
    assert written.read_text().splitlines()[e.line - 1].strip() == "decoders: 0.3"
    assert str(e) == f"{e.file}:{e.line}: {e.field}: {e.problem}"


def test_error_is_the_cli_line(tmp_path, cli):
    bad = tmp_path / "bad.yaml"
    bad.write_text(FIG2.read_text().replace("  dt: 0.01", "  dtt: 0.01"))
    expected = cli("validate", bad).stderr.strip()
    assert expected.startswith("error: ")
    with pytest.raises(ls.SpecError) as info:
        ls.Spec(bad)
    assert "error: " + str(info.value) == expected
    line = next(i for i, text in enumerate(bad.read_text().splitlines(), 1) if "dtt" in text)
    assert (info.value.file, info.value.line, info.value.field) == (str(bad), line, "simulation.dtt")
    assert "did you mean 'dt'" in info.value.problem
    # The same error from simulate, and nothing written.
    out = tmp_path / "never"
    with pytest.raises(ls.SpecError) as again:
        ls.simulate(bad, out=out)
    assert str(again.value) == str(info.value)
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["bad.yaml"]


def test_missing_file(tmp_path):
    with pytest.raises(ls.SpecError) as info:
        ls.Spec(tmp_path / "missing.yaml")
    assert info.value.file == str(tmp_path / "missing.yaml")
    assert info.value.line is None and info.value.field is None
    assert info.value.problem == "spec file not found"


def test_option_errors_name_the_option(tmp_path):
    with pytest.raises(ls.SpecError) as info:
        ls.simulate(FIG2, out=tmp_path / "a", engine="warp")
    assert (info.value.file, info.value.field) == ("command line", "--engine")
    with pytest.raises(ls.SpecError) as info:
        ls.simulate(FIG2, out=tmp_path / "b", trials=2, formats=["npy"])
    assert (info.value.file, info.value.field) == ("command line", "--format")
    assert "multi-trial" in info.value.problem
    with pytest.raises(ls.SpecError) as info:
        ls.compile("sqrt(x)", range=(1, 1), out=tmp_path / "c.yaml")
    assert (info.value.file, info.value.field) == ("command line", "--range[0]")
    with pytest.raises(ls.SpecError) as info:
        ls.compile("x +* 2", range=(-1, 1), out=tmp_path / "d.yaml")
    assert info.value.field == "--function"
    assert not any(tmp_path.iterdir())


def test_sweep_error_names_the_sweep_line(tmp_path):
    with pytest.raises(ls.SpecError) as info:
        ls.sweep(spec=FIG2, grid={"populations[0].noise": ["abc"]}, out=tmp_path / "s")
    e = info.value
    assert e.field == "populations[0].noise" and e.line is not None
    assert "expected a number" in e.problem
    assert "populations[0].noise" in Path(e.file).read_text().splitlines()[e.line - 1]


def test_runaway_is_a_warning_and_a_run(tmp_path):
    with pytest.warns(ls.RunawayWarning, match="ran away"):
        run = ls.simulate(EXAMPLES / "fig3-excitatory-boundary.yaml", out=tmp_path / "f3")
    assert run.exploded and run.status == "exploded"
    assert run.summary["status"] == "exploded"
    assert len(run.latents) > 0


def test_engine_not_found_says_how_to_build(monkeypatch, tmp_path):
    monkeypatch.delenv("LATENTSPIKES_CLI", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(engine_module, "repository_roots", lambda: [])
    with pytest.raises(ls.EngineNotFoundError) as info:
        ls.find_engine(refresh=True)
    message = str(info.value)
    assert "dotnet build src/LatentSpikes.Cli -c Release" in message and "LATENTSPIKES_CLI" in message
    monkeypatch.undo()
    ls.find_engine(refresh=True)


def test_env_override(monkeypatch, tmp_path, engine):
    dll = engine.command[-1]
    assert dll.endswith("LatentSpikes.Cli.dll")
    try:
        monkeypatch.setenv("LATENTSPIKES_CLI", dll)
        found = ls.find_engine(refresh=True)
        assert found.source == "$LATENTSPIKES_CLI" and found.command[-1] == dll
        monkeypatch.setenv("LATENTSPIKES_CLI", f"{engine.command[0]} {dll}")
        found = ls.find_engine(refresh=True)
        assert found.command == engine.command
        assert found.version().startswith("0.")
        run = ls.simulate(FIG2, out=tmp_path / "env", duration=2)
        assert run.summary["duration"] == 2
        monkeypatch.setenv("LATENTSPIKES_CLI", str(tmp_path / "nothing.dll"))
        with pytest.raises(ls.EngineNotFoundError, match="no such file"):
            ls.find_engine(refresh=True)
    finally:
        monkeypatch.undo()
        ls.find_engine(refresh=True)


def test_no_warning_for_a_good_run(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = ls.simulate(FIG2, out=tmp_path / "ok", duration=2)
    assert run.status == "completed" and os.path.isdir(run.path)


def test_docstring_examples():
    import doctest

    from latentspikes import errors

    assert doctest.testmod(errors).failed == 0


def _fake_repository(root: Path) -> Path:
    project = root / "src" / "LatentSpikes.Cli"
    project.mkdir(parents=True)
    (project / "LatentSpikes.Cli.csproj").write_text("<Project />")
    return project


def test_lookup_prefers_the_newer_build(monkeypatch, tmp_path):
    project = _fake_repository(tmp_path)
    dlls = {}
    for configuration, age in (("Release", 100), ("Debug", 10)):
        dll = project / "bin" / configuration / "net10.0" / "LatentSpikes.Cli.dll"
        dll.parent.mkdir(parents=True)
        dll.write_bytes(b"")
        os.utime(dll, (dll.stat().st_atime, dll.stat().st_mtime - age))
        dlls[configuration] = dll
    monkeypatch.delenv("LATENTSPIKES_CLI", raising=False)
    monkeypatch.setattr(engine_module.shutil, "which",
                        lambda name: "/usr/bin/dotnet" if name == "dotnet" else None)
    monkeypatch.setattr(engine_module, "repository_roots", lambda: [tmp_path])
    try:
        assert ls.find_engine(refresh=True).command[-1] == str(dlls["Debug"])
        os.utime(dlls["Release"])  # rebuilt now
        assert ls.find_engine(refresh=True).command[-1] == str(dlls["Release"])
    finally:
        monkeypatch.undo()
        ls.find_engine(refresh=True)


def test_lookup_finds_a_published_executable(monkeypatch, tmp_path, engine):
    project = _fake_repository(tmp_path)
    binary = project / "bin" / "Release" / "net10.0" / "linux-x64" / "publish" / "LatentSpikes.Cli"
    binary.parent.mkdir(parents=True)
    # Stands in for a NativeAOT binary: an executable that is the engine.
    binary.write_text("#!/bin/sh\nexec " + " ".join(f"'{w}'" for w in engine.command) + ' "$@"\n')
    binary.chmod(0o755)
    monkeypatch.delenv("LATENTSPIKES_CLI", raising=False)
    monkeypatch.setattr(engine_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(engine_module, "repository_roots", lambda: [tmp_path])
    try:
        found = ls.find_engine(refresh=True)
        assert found.command == (str(binary),) and found.source.startswith("published in")
        run = ls.simulate(FIG2, out=tmp_path / "aot", duration=2)
        assert run.status == "completed"
    finally:
        monkeypatch.undo()
        ls.find_engine(refresh=True)
