"""Hostile values for the configuration (issue 22): every one is refused before anything runs, in one line that
names the knob, the value and what is allowed."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from lib import paths
from lib.book import config, runner


def refused(overrides: list[str]) -> str:
    """The one-line error that ``-p`` ``overrides`` get, from reading them or from resolving them."""
    try:
        config.resolve("default", runner.parse_overrides(overrides))
    except SystemExit as error:
        message = str(error)
    except config.ConfigError as error:
        message = f"error: {error}"
    else:
        raise AssertionError(f"{overrides} were accepted")
    assert "\n" not in message, message
    return message


def accepted(overrides: list[str]) -> config.Config:
    return config.resolve("default", runner.parse_overrides(overrides))


# 1. seeds within what scikit-learn and numpy's RandomState take

def test_seed_and_clf_seeds_stop_at_numpy_random_states_limit():
    assert accepted(["seed=4294967295"]).seed == 2**32 - 1
    assert accepted(["clf_seeds=[0, 1, 4294967295]"]).clf_seeds == (0, 1, 2**32 - 1)
    assert refused(["seed=4294967296"]) == "error: seed=4294967296: allowed: an integer >= 0 and <= 4294967295"
    assert refused(["clf_seeds=[1, 4294967296]"]).startswith(
        "error: clf_seeds=4294967296: allowed: a list of distinct integers >= 0 and <= 4294967295")


def test_the_seed_bound_is_scikit_learns():
    """The bound is the real one: StratifiedKFold (chapter 01's controls) takes 2**32 - 1 and refuses 2**32."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    x, y = np.zeros((4, 1)), np.array([0, 1, 0, 1])
    list(StratifiedKFold(2, shuffle=True, random_state=config.SEED_MAX).split(x, y))
    with pytest.raises(ValueError):
        list(StratifiedKFold(2, shuffle=True, random_state=config.SEED_MAX + 1).split(x, y))


# 2. floats are finite

@pytest.mark.parametrize("text", [".inf", "-.inf", ".nan", "inf", "nan", "1e999", "Infinity"])
def test_floats_must_be_finite_in_p_text(text):
    assert refused([f"lr={text}"]).startswith("error: lr=")


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), "inf", ".inf", "nan", 10**400])
def test_floats_must_be_finite_from_yaml(value):
    for knob in ("lr", "clf_lr", "clf_weight_decay", "cnn_lr"):
        with pytest.raises(config.ConfigError, match=f"^{knob}=.*: allowed: a number >= 0"):
            config.resolve("default", {knob: value})


# 3. no repeats in lists

@pytest.mark.parametrize(("overrides", "message"), [
    (["contigs=[chr20, chr20]"], ("error: contigs=['chr20', 'chr20']: repeats chr20; allowed: a contig name or a "
                                  "list of distinct ones")),
    (["contigs=chr20,chr21,chr20"], "error: contigs=['chr20', 'chr21', 'chr20']: repeats chr20;"),
    (["contigs=[chr20, 20]"], "error: contigs=['chr20', '20']: repeats 20 (as chr20);"),
    (["clf_seeds=[0,0]"], "error: clf_seeds=[0, 0]: repeats 0; allowed: a list of distinct integers >= 0"),
    (["ae_latents=[8, 16, 8]"], "error: ae_latents=[8, 16, 8]: repeats 8; allowed: a list of distinct integers"),
])
def test_repeated_list_items_are_refused(overrides, message):
    assert refused(overrides).startswith(message)


def test_repeats_from_yaml_are_refused_too():
    with pytest.raises(config.ConfigError, match=r"^clf_seeds=\(3, 3\): repeats 3"):
        config.resolve("default", {"clf_seeds": (3, 3)})
    with pytest.raises(config.ConfigError, match="repeats chrM"):
        config.resolve("default", {"contigs": "chrM,chrM"})


# 4. upper bounds where a real limit exists

@pytest.mark.parametrize(("overrides", "message"), [
    (["workers=100000"], "error: workers=100000: allowed: an integer >= 1 and <= 64"),
    (["max_len=1000000000"], "error: max_len=1000000000: allowed: an integer >= 10 and <= 3000000"),
    (["ig_n=61"], "error: ig_n=61: must be even (half positives, half negatives)"),
    (["ig_seeds=6"], "error: ig_seeds=6: at most the number of clf_seeds (5;"),
    (["clf_seeds=[0, 1]", "ig_seeds=3"], "error: ig_seeds=3: at most the number of clf_seeds (2;"),
    (["saliency_compare_n=1001"], "error: saliency_compare_n=1001: at most saliency_n (1000;"),
])
def test_absurd_sizes_are_refused(overrides, message):
    assert refused(overrides).startswith(message)


def test_the_largest_sizes_allowed_still_resolve():
    cfg = accepted(["workers=64", "max_len=3000000", "ig_seeds=5", "saliency_compare_n=1000", "ig_n=62"])
    assert (cfg.workers, cfg.max_len, cfg.ig_seeds, cfg.saliency_compare_n, cfg.ig_n) == (64, 3_000_000, 5, 1000, 62)


# 5. -p values are read by the knob's kind, not as YAML 1.1

@pytest.mark.parametrize(("pair", "message"), [
    ("max_len=10:00", "error: max_len='10:00': allowed: an integer >= 10 and <= 3000000"),
    ("seed=0x10", "error: seed='0x10': allowed: an integer >= 0"),
    ("seed=0o10", "error: seed='0o10': allowed: an integer >= 0"),
    ("max_len=1_000", "error: max_len='1_000': allowed: an integer"),
    ("max_len=5e2", "error: max_len='5e2': allowed: an integer"),
    ("max_len=500.0", "error: max_len='500.0': allowed: an integer"),
    ("max_len=+500", "error: max_len='+500': allowed: an integer"),
    ("packed=yes", "error: packed='yes': allowed: true or false"),
    ("packed=on", "error: packed='on': allowed: true or false"),
    ("packed=True", "error: packed='True': allowed: true or false"),
    ("lr=1_0.5", "error: lr='1_0.5': allowed: a number >= 0"),
    ("lr=0x10", "error: lr='0x10': allowed: a number >= 0"),
    ("contigs=", ("error: contigs=: no value; write one after '=' (allowed: a contig name or a list of distinct "
                  "ones, or null (every contig of the source))")),
    ("max_len=", "error: max_len=: no value; write one after '=' (allowed: an integer >= 10"),
    ("source=", "error: source=: no value; write one after '=' (allowed: one of: slice, chromosomes, gencode)"),
    ("contigs=[chr2", ("error: contigs='[chr2': expected a contig name or a list of them, e.g. chr20 or "
                       "[chr20, chr21]")),
    ("contigs=chr2]", "error: contigs='chr2]': expected a contig name"),
    ("contigs=[chr2, [chr3]]", "error: contigs='[chr2, [chr3]]': expected a contig name"),
    ("contigs={a: 1}", "error: contigs='{a: 1}': expected a contig name"),
    ("contigs=chr1 chr2", "error: contigs='chr1 chr2': expected a contig name"),
    ("contigs=[]", "error: contigs='[]': expected a contig name"),
    ("clf_seeds=3", "error: clf_seeds='3': expected a non-empty list of integers, e.g. [1, 2]"),
    ("clf_seeds=[]", "error: clf_seeds='[]': expected a non-empty list of integers"),
    ("clf_seeds=[1,]", "error: clf_seeds='[1,]': expected a non-empty list of integers"),
    ("clf_seeds=[0x1, 2]", "error: clf_seeds='[0x1, 2]': expected a non-empty list of integers"),
    ("ae_latents=[8, 16", "error: ae_latents='[8, 16': expected a non-empty list of integers"),
    ("max_len=null", "error: max_len='null': allowed: an integer >= 10 and <= 3000000"),
    ("max_len=~", "error: max_len='~': allowed: an integer"),
    ("gb_max_per_class=Null", "error: gb_max_per_class='Null': allowed: an integer >= 1, or null (all of them)"),
    ("source=null", "error: source='null': allowed: one of: slice, chromosomes, gencode"),
    ("seed=" + "9" * 5000, "error: seed='999"),
])
def test_p_values_are_read_strictly(pair, message):
    assert refused([pair]).startswith(message)


def test_p_values_in_the_strict_forms_are_read():
    assert runner.parse_overrides([
        "seed=7", "max_len= 500 ", "lr=3e-3", "clf_lr=1.5E-2", "cnn_lr=.5", "clf_weight_decay=0", "packed=true",
        "contigs=chr20,chr21", "ae_latents=[8, 16]", "clf_seeds=[0,1]", "gb_max_per_class=null", "cnn_threads=2",
        "source=slice"]) == {
        "seed": 7, "max_len": 500, "lr": 0.003, "clf_lr": 0.015, "cnn_lr": 0.5, "clf_weight_decay": 0.0,
        "packed": True, "contigs": ["chr20", "chr21"], "ae_latents": [8, 16], "clf_seeds": [0, 1],
        "gb_max_per_class": None, "cnn_threads": 2, "source": "slice"}
    assert runner.parse_overrides(["contigs=[chr20]", "packed=false"]) == {"contigs": ["chr20"], "packed": False}
    assert runner.parse_overrides(["contigs=null"]) == {"contigs": None}


def test_unknown_knobs_keep_their_error():
    assert refused(["epochz=0x10"]).startswith("error: unknown knob(s) epochz; knobs: seed, device")
    assert refused(["profile=paper"]).startswith("error: unknown knob(s) profile;")


# 6. overrides arriving from papermill's YAML

@pytest.mark.parametrize("text", ["overrides: [1, 2]", "overrides: 3", "overrides: max_len", "overrides: true"])
def test_papermill_overrides_must_be_a_mapping(text):
    overrides = yaml.safe_load(text)["overrides"]
    with pytest.raises(config.ConfigError) as error:
        config.resolve("default", overrides)
    message = str(error.value)
    assert message.startswith(f"overrides={overrides!r}: expected a mapping of knob names to values, e.g. "
                              "{max_len: 500}") and "\n" not in message


@pytest.mark.parametrize(("text", "message"), [
    ("{lr: .inf}", "lr=inf: allowed: a number >= 0"),
    ("{lr: .nan}", "lr=nan: allowed: a number >= 0"),
    ("{lr: '1_0.5'}", "lr='1_0.5': allowed: a number >= 0"),
    ("{lr: 'inf'}", "lr='inf': allowed: a number >= 0"),
    ("{max_len: '500'}", "max_len='500': allowed: an integer >= 10"),
    ("{max_len: 500.0}", "max_len=500.0: allowed: an integer >= 10"),
    ("{packed: 1}", "packed=1: allowed: true or false"),
    ("{seed: 4294967296}", "seed=4294967296: allowed: an integer >= 0 and <= 4294967295"),
    ("{contigs: '[chr2'}", "contigs='[chr2': expected a contig name or a list of them"),
    ("{contigs: [chr2, chr2]}", "contigs=['chr2', 'chr2']: repeats chr2"),
    ("{clf_seeds: [0, 0]}", "clf_seeds=[0, 0]: repeats 0"),
    ("{contigs: {chr2: 1}}", "contigs={'chr2': 1}: expected a contig name"),
    ("{1: 2}", "unknown knob(s) 1;"),
])
def test_papermill_values_follow_the_same_rules(text, message):
    with pytest.raises(config.ConfigError) as error:
        config.resolve("default", yaml.safe_load(f"overrides: {text}")["overrides"])
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_papermill_values_that_are_fine_still_resolve():
    overrides = yaml.safe_load("overrides:\n  lr: 1e-3\n  clf_lr: 0.01\n  contigs: chr20,chr21")["overrides"]
    assert overrides["lr"] == "1e-3"  # YAML 1.1 reads it as text
    cfg = config.resolve("default", overrides)
    assert (cfg.lr, cfg.clf_lr, cfg.contigs) == (1e-3, 0.01, ("chr20", "chr21"))
    assert config.resolve("default", None) == config.resolve("default", {})


def test_a_profile_that_is_not_text_is_refused_in_one_line():
    with pytest.raises(config.ConfigError, match=r"^profile=\['paper'\]: unknown; choose one of"):
        config.resolve(["paper"])


# 7. the device is checked against this machine before any chapter runs

def test_cuda_without_cuda_is_refused_before_anything_runs(monkeypatch):
    import torch

    monkeypatch.delenv("DNABOOK_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(SystemExit, match=r"^error: device=cuda: torch sees no CUDA device on this machine; use "
                                         r"device=cpu"):
        runner.check_inputs(config.resolve("default", {"device": "cuda"}))
    runner.check_inputs(config.resolve("default", {"device": "cpu"}))
    runner.check_inputs(config.resolve("default", {"device": "auto"}))
    monkeypatch.setenv("DNABOOK_DEVICE", "cuda")
    with pytest.raises(SystemExit, match=r"^error: DNABOOK_DEVICE=cuda \(device=auto\): torch sees no CUDA device"):
        runner.check_inputs(config.resolve("default", {"device": "auto"}))
    runner.check_inputs(config.resolve("default", {"device": "cpu"}))  # an explicit device wins over the variable


def test_cuda_is_accepted_where_there_is_one(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    runner.check_inputs(config.resolve("default", {"device": "cuda"}))


# 8. the search and config commands: one line, no traceback

def lib_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib", *args], capture_output=True, text=True, cwd=paths.REPO,
                          check=False, timeout=300)


def test_search_with_a_bad_value_is_one_line_and_trains_nothing(isolated_cache):
    result = lib_cli("search", "-p", "max_len=-1")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: max_len=-1: allowed: an integer >= 10"), result.stderr
    assert "written" not in result.stdout
    assert not isolated_cache.exists() or not any(isolated_cache.rglob("*"))  # no model, no data set


@pytest.mark.parametrize(("args", "start"), [
    (["config", "-p", "max_len=-1"], "error: max_len=-1: allowed"),
    (["config", "-p", "contigs=[chr2"], "error: contigs='[chr2': expected a contig name"),
    (["config", "-p", "max_len=10:00"], "error: max_len='10:00': allowed"),
    (["config", "--profile", "huge"], "error: profile='huge': unknown"),
    (["search", "--model", "cnn", "-p", "lr=.inf"], "error: lr='.inf': allowed"),
])
def test_config_and_search_errors_are_one_line(args, start):
    result = lib_cli(*args)
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0 and len(lines) == 1 and lines[0].startswith(start), result.stderr


@pytest.mark.parametrize("command", ["search", "config"])
def test_main_itself_prints_one_line(command, capsys, monkeypatch):
    """The ``dnabook`` script calls :func:`lib.book.runner.main` without ``lib/__main__.py``'s catch."""
    monkeypatch.delenv("DNABOOK_DEBUG", raising=False)
    with pytest.raises(SystemExit) as stop:
        runner.main([command, "-p", "max_len=-1"])
    assert stop.value.code == 2
    assert capsys.readouterr().err == "error: max_len=-1: allowed: an integer >= 10 and <= 3000000\n"


def test_config_prints_the_paper_profile():
    result = lib_cli("config", "--profile", "paper")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("profile paper\n") and "max_len" in result.stdout and "3000" in result.stdout


# the presets are untouched

@pytest.mark.parametrize("profile", list(config.PRESETS))
def test_every_preset_resolves_to_its_own_values(profile):
    cfg = config.resolve(profile).as_dict()
    preset = {k: list(v) if isinstance(v, tuple) else v for k, v in config.PRESETS[profile].items()}
    assert cfg == {**preset, "profile": profile}
