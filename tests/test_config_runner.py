"""lib.book.config (presets, validation), lib.device and the chapter runner (python -m lib run)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import nbformat
import pytest

from lib import device, paths
from lib.book import config, runner


def test_resolve_applies_overrides():
    cfg = config.resolve("smoke", {"seed": 7, "contigs": None, "ae_latents": [4, 8]})
    assert cfg.seed == 7 and cfg.contigs is None and cfg.ae_latents == (4, 8) and cfg.profile == "smoke"
    assert dict(cfg)["max_len"] == 500 and cfg.as_dict()["ae_latents"] == [4, 8]


def test_every_preset_is_valid_and_complete():
    for name, values in config.PRESETS.items():
        assert set(values) == set(config.KNOBS) - {"profile"}, name
        assert config.resolve(name).profile == name


@pytest.mark.parametrize(("overrides", "message"), [
    ({"ae_epochs": "abc"}, "ae_epochs='abc': allowed: an integer >= 1"),
    ({"ae_epochs": 0}, "ae_epochs=0: allowed: an integer >= 1"),
    ({"ae_epochs": 2.5}, "ae_epochs=2.5: allowed: an integer >= 1"),
    ({"gb_source": "zip"}, "gb_source='zip': allowed: one of: slice, chromosomes, archive"),
    ({"packed": "yes"}, "packed='yes': allowed: true or false"),
    ({"max_len": None}, "max_len=None: must be set (allowed: an integer >= 10 and <= 3000000)"),
    ({"clf_seeds": 3}, "clf_seeds=3: expected a non-empty list of integers"),
    ({"converge_acc": 1.5}, "converge_acc=1.5: allowed: a number >= 0 and <= 1"),
    ({"contigs": [1, 2]}, "contigs=[1, 2]: expected a contig name or a list of them"),
    ({"ig_steps": 500}, "ig_max_steps=400: must be at least ig_steps (500)"),
    ({"ae_latent": 33}, "ae_latent=33: must be even"),
    ({"epochz": 3}, "unknown knob(s) epochz"),
    ({"profile": "paper"}, "unknown knob(s) profile"),
])
def test_bad_values_are_refused_in_one_line(overrides, message):
    with pytest.raises(config.ConfigError) as error:
        config.resolve("default", overrides)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_unknown_profile_is_refused():
    with pytest.raises(config.ConfigError, match="profile='huge': unknown; choose one of: smoke, default, paper"):
        config.resolve("huge")


def test_null_means_all_where_allowed_and_a_string_is_one_contig():
    assert config.resolve("smoke", {"gb_max_per_class": None}).gb_max_per_class is None
    assert config.resolve("default", {"contigs": "chr20"}).contigs == ("chr20",)
    assert config.resolve("default", {"contigs": "chr20,chr21"}).contigs == ("chr20", "chr21")
    assert config.resolve("default", {"lr": "1e-3"}).lr == 1e-3  # YAML reads 1e-3 as text


def test_config_is_read_only():
    cfg = config.resolve("default")
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.seed = 3
    with pytest.raises(KeyError):
        cfg["nope"]


def test_describe_names_every_knob_and_marks_overrides():
    text = config.describe(config.resolve("default", {"max_len": 500}))
    assert all(name in text for name in config.KNOBS[1:])
    assert "* max_len" in text and "chapters 00-05" in text


def test_device_choice(monkeypatch):
    assert device.pick("cpu").type == "cpu"
    monkeypatch.setenv("DNABOOK_DEVICE", "cpu")
    assert device.pick("auto").type == "cpu"
    if not device.torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="no CUDA device"):
            device.pick("cuda")


def test_every_chapter_takes_the_whole_configuration():
    """Each chapter's parameters cell holds exactly ``profile`` and ``overrides``, and its code resolves them
    with :func:`lib.book.config.resolve`: whatever the runner passes reaches every chapter alike."""
    import papermill

    for notebook in runner.chapters():
        assert set(papermill.inspect_notebook(str(notebook))) == {"profile", "overrides"}, notebook.name
        code = "".join(c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code")
        assert code.count("config.resolve(profile, overrides)") == 1, notebook.name


def test_an_override_reaches_every_chapter(monkeypatch, tmp_path):
    executed = {}
    monkeypatch.setattr(runner, "_execute", lambda nb, out, params, cfg, log_cells=False: executed.update({nb.stem: (params, cfg)}))
    runner.run("smoke", None, {"max_len": 250}, tmp_path)
    assert sorted(executed) == [nb.stem for nb in runner.chapters()]
    for params, cfg in executed.values():
        assert params == {"profile": "smoke", "overrides": {"max_len": 250}}
        assert cfg.max_len == 250 and config.resolve(**params) == cfg


def test_overrides_parse_as_yaml():
    assert runner.parse_overrides(["seed=3", "contigs=[chr1, chr2]", "source=slice", "gb_max_per_class=null"]) == {
        "seed": 3, "contigs": ["chr1", "chr2"], "source": "slice", "gb_max_per_class": None}
    with pytest.raises(SystemExit, match="expects key=value"):
        runner.parse_overrides(["seed"])


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "lib", "run", *args], capture_output=True, text=True,
                          cwd=paths.REPO, check=False)


def test_cli_refuses_bad_values_before_any_chapter_runs(tmp_path):
    for args, message in ((["--profile", "huge"], "error: profile='huge': unknown"),
                          (["-p", "epochz=3"], "error: unknown knob(s) epochz"),
                          (["-p", "ae_epochs=abc"], "error: ae_epochs='abc': allowed: an integer >= 1"),
                          (["-p", "contigs=chrZ"], "error: contigs=['chrZ']: chrZ not in the slice genome"),
                          (["--only", "99"], "no chapter numbered 99")):
        result = run_cli(*args, "--output-dir", str(tmp_path / "out"))
        assert result.returncode != 0 and message in result.stderr, (args, result.stderr[-500:])
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "out").exists()  # nothing ran


def test_dry_run_prints_the_configuration_and_runs_nothing(tmp_path):
    result = run_cli("--profile", "smoke", "-p", "max_len=300", "--only", "01,05", "--dry-run", "--output-dir",
                     str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "* max_len" in result.stdout and "300" in result.stdout
    assert "chapters: 01_splice_junctions, 05_integrated_gradients" in result.stdout
    assert not (tmp_path / "out").exists()


def test_smoke_run_of_chapter_00_with_override(tmp_path):
    result = run_cli("--profile", "smoke", "--only", "00", "-p", "contigs=[chr9]", "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "without encryption" not in result.stderr  # the kernel talks over IPC sockets, not plain TCP (issue 22)
    nb = nbformat.read(tmp_path / "00_genome_and_annotations.ipynb", as_version=4)
    assert nb.metadata.papermill.parameters == {"profile": "smoke", "overrides": {"contigs": ["chr9"]}}
    assert nb.metadata.dnabook.config == config.resolve("smoke", {"contigs": ["chr9"]}).as_dict()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "contigs: chr9" in text


def _stdout(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_every_chapter_runs_in_the_smoke_profile_and_an_override_reaches_each(tmp_path):
    """All chapters run in ``smoke`` with ``max_len=300``; every one records it, chapters 01-04 print it, and the
    cache holds a single junction data set: chapters 01-05 all built or read the same, capped one."""
    out = tmp_path / "out"
    result = run_cli("--profile", "smoke", "-p", "max_len=300", "--output-dir", str(out))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert sorted(p.name for p in out.glob("*.ipynb")) == [p.name for p in runner.chapters()]
    for path in sorted(out.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata.dnabook.config["max_len"] == 300, path.name
        if path.name[:2] in {"01", "02", "03", "04"}:
            assert "max_len 300" in _stdout(nb), path.name
    assert len(list((tmp_path / "cache" / "junctions").glob("slice-*"))) == 1
