"""lib.numerics: the pinned environment reaches child processes, a late import is refused, native is left alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from lib import cache, numerics, paths


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in (*numerics.PINNED_ENV, *numerics.THREAD_ENV)}
    return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, cwd=paths.REPO, capture_output=True,
                          text=True, check=False)


def test_this_process_is_pinned():
    assert numerics.mode() == "pinned"
    for name, value in numerics.PINNED_ENV.items():
        assert os.environ[name] == value
    import torch

    import lib.device  # noqa: F401  (importing it configures torch, as every torch-using module of lib does)

    assert not torch.backends.mkldnn.enabled and torch.get_num_threads() == numerics.threads()
    assert numerics.describe()["mkl_cbwr"] == "COMPATIBLE"


def test_pinning_overrides_the_users_settings_and_describes_them():
    out = _python("import lib, lib.device, json; from lib import numerics; print(json.dumps(numerics.describe()))",
                  ATEN_CPU_CAPABILITY="default", MKL_CBWR="AUTO", OMP_NUM_THREADS="1", DNABOOK_THREADS="3")
    described = json.loads(out.stdout)
    assert described["mode"] == "pinned" and described["mkl_cbwr"] == "COMPATIBLE" and described["threads"] == 3
    assert described["onednn"] is False


def test_torch_imported_before_lib_is_refused_with_a_clear_message():
    out = _python("import torch, lib")
    assert out.returncode != 0 and "already imported before lib" in out.stderr and "DNABOOK_NUMERICS" in out.stderr


def test_native_mode_leaves_the_libraries_alone_and_caches_apart():
    out = _python("import torch, lib, lib.device, os; print(os.environ.get('MKL_CBWR'), torch.backends.mkldnn.enabled)",
                  DNABOOK_NUMERICS="native")
    assert out.stdout.split() == ["None", "True"]
    native_key = _python("import lib; from lib import cache; print(cache.key({'a': 1}))", DNABOOK_NUMERICS="native")
    assert native_key.stdout.strip() != cache.key({"a": 1})


@pytest.mark.parametrize(("name", "value"), [("DNABOOK_NUMERICS", "fast"), ("DNABOOK_THREADS", "0")])
def test_bad_settings_name_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        numerics.mode() if name == "DNABOOK_NUMERICS" else numerics.threads()
