"""lib.profiles, lib.device and the chapter runner (python -m lib run)."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from lib import device, paths, profiles, runner


def test_resolve_applies_overrides_and_ignores_none():
    params = profiles.resolve("smoke", seed=7, contigs=None)
    assert params.seed == 7 and params.contigs == ("chr20",) and params.profile == "smoke"


def test_unknown_profile_and_parameter_are_refused():
    with pytest.raises(ValueError, match="unknown profile 'huge'; choose one of: smoke, default, paper"):
        profiles.resolve("huge")
    with pytest.raises(ValueError, match="unknown parameter\\(s\\) epochz"):
        profiles.resolve("default", epochz=3)


def test_params_are_read_only():
    params = profiles.resolve("default")
    with pytest.raises(TypeError):
        params["seed"] = 3
    with pytest.raises(AttributeError, match="no parameter named 'nope'"):
        params.nope


def test_device_choice(monkeypatch):
    assert device.pick("cpu").type == "cpu"
    monkeypatch.setenv("DNABOOK_DEVICE", "cpu")
    assert device.pick("auto").type == "cpu"
    if not device.torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="no CUDA device"):
            device.pick("cuda")


def test_every_chapter_declares_profile_in_a_parameters_cell():
    for notebook in runner.chapters():
        assert "profile" in runner.declared_parameters(notebook), notebook.name


def test_overrides_parse_as_yaml():
    assert runner.parse_overrides(["seed=3", "contigs=[chr1, chr2]", "source=slice"]) == {
        "seed": 3, "contigs": ["chr1", "chr2"], "source": "slice"}
    with pytest.raises(SystemExit, match="expects key=value"):
        runner.parse_overrides(["seed"])


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "lib", "run", *args], capture_output=True, text=True,
                          cwd=paths.REPO)


def test_cli_refuses_unknown_profile_parameter_and_chapter():
    result = run_cli("--profile", "huge")
    assert result.returncode != 0 and "unknown profile 'huge'" in result.stderr
    result = run_cli("--only", "00", "-p", "epochz=3")
    assert result.returncode != 0 and "unknown parameter(s) epochz" in result.stderr
    result = run_cli("--only", "99")
    assert result.returncode != 0 and "no chapter numbered 99" in result.stderr


def test_smoke_run_of_chapter_00_with_override(tmp_path):
    result = run_cli("--profile", "smoke", "--only", "00", "-p", "contigs=[chr9]", "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    nb = nbformat.read(tmp_path / "00_genome_and_annotations.ipynb", as_version=4)
    assert nb.metadata.papermill.parameters == {"profile": "smoke", "contigs": ["chr9"]}
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "contigs: chr9" in text


def test_every_chapter_runs_in_the_smoke_profile(tmp_path):
    result = run_cli("--profile", "smoke", "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert sorted(p.name for p in tmp_path.glob("*.ipynb")) == [p.name for p in runner.chapters()]
