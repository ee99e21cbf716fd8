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


def test_workers_end_when_their_parent_is_killed(tmp_path: Path):
    """SIGKILL of the process that started the workers (the chapter's kernel, when the runner dies) ends them:
    nothing keeps training and writing models."""
    import signal
    import subprocess
    import sys
    import time

    import psutil

    script = ("import time\nfrom lib import workers\nif __name__ == '__main__':\n"
              "    workers.run([(time.sleep, (120,)), (time.sleep, (120,))], 2)\n")
    (tmp_path / "train.py").write_text(script)
    parent = subprocess.Popen([sys.executable, str(tmp_path / "train.py")], cwd=Path(workers.__file__).parent.parent)
    try:
        deadline = time.monotonic() + 60
        while len(psutil.Process(parent.pid).children()) < 3 and time.monotonic() < deadline:  # 2 workers + tracker
            time.sleep(0.2)
        children = psutil.Process(parent.pid).children(recursive=True)
        assert len(children) >= 3, children
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, [p.cmdline() for p in alive]


def test_killing_the_runner_leaves_no_process_behind(tmp_path: Path):
    """The probe of issue 22: SIGKILL of ``python -m lib run`` while a chapter's workers train. Its kernel notices
    that its parent is gone, and the workers that the kernel started end with it; nothing keeps writing models."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil

    command = [sys.executable, "-m", "lib", "run", "--profile", "smoke", "--only", "02", "-p", "ae_epochs=400",
               "--output-dir", str(tmp_path / "out")]
    runner = subprocess.Popen(command, cwd=Path(workers.__file__).parent.parent, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ, "DNABOOK_CACHE": str(tmp_path / "cache")})
    try:
        deadline, tree = time.monotonic() + 240, []
        while time.monotonic() < deadline:  # wait until the kernel has started its two workers
            tree = psutil.Process(runner.pid).children(recursive=True)
            if sum("multiprocessing" in " ".join(p.cmdline()) for p in tree if p.is_running()) >= 2:
                break
            time.sleep(0.5)
        assert len(tree) >= 3, [p.cmdline() for p in tree]
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait()
    _, alive = psutil.wait_procs(tree, timeout=20)
    assert not alive, [p.cmdline() for p in alive]
