"""lib.workers: calls run in spawned worker processes (or in this one), and a worker's error reaches the caller."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib import workers


@pytest.mark.parametrize("count", [1, 2])
def test_every_call_runs_once(tmp_path: Path, count: int):
    calls = [(Path(tmp_path / f"{i}.txt").write_text, (f"model {i}",)) for i in range(3)]
    messages = []
    workers.run(calls, count, progress=messages.append)
    assert sorted(p.read_text() for p in tmp_path.iterdir()) == ["model 0", "model 1", "model 2"]
    assert len(messages) == (3 if count == 2 else 0)


def test_a_failing_call_raises_here(tmp_path: Path):
    calls = [(Path(tmp_path / "missing" / "x.txt").write_text, ("x",)), (Path(tmp_path / "y.txt").write_text, ("y",))]
    with pytest.raises(FileNotFoundError):
        workers.run(calls, 2, progress=lambda m: None)
