"""lib.cache: one computation per key, nothing half-written after a failure, keys that follow the parameters."""

from __future__ import annotations

import json

import pytest

from lib import cache


def _json_cached(params, compute):
    return cache.cached("toy", "value", params, "json", compute,
                        save=lambda value, path: path.write_text(json.dumps(value)),
                        load=lambda path: json.loads(path.read_text()))


def test_a_value_is_computed_once_per_key():
    calls = []
    compute = lambda: calls.append(1) or {"x": len(calls)}
    assert _json_cached({"a": 1}, compute) == {"x": 1}
    assert _json_cached({"a": 1}, compute) == {"x": 1}  # loaded, not recomputed
    assert _json_cached({"a": 2}, compute) == {"x": 2}  # another key
    assert len(calls) == 2


def test_a_failed_computation_or_save_leaves_nothing():
    def broken_save(value, path):
        path.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        cache.cached("toy", "broken", {"a": 1}, "txt", lambda: 1, broken_save, lambda path: path.read_text())
    folder = cache.path("toy", "broken", {"a": 1}, "txt").parent
    assert not list(folder.iterdir())


def test_a_folder_is_built_once_and_lists_and_tuples_key_alike():
    made = []

    def write(folder):
        made.append(folder)
        folder.mkdir()
        (folder / "part.txt").write_text("ok")

    first = cache.built("toy", "folder", {"sizes": [1, 2]}, "", write)
    again = cache.built("toy", "folder", {"sizes": (1, 2)}, "", write)
    assert first == again and (first / "part.txt").read_text() == "ok" and len(made) == 1
    assert first.name.startswith("folder-") and "." not in first.name
