"""Training many models at once: a pool of worker processes, each training on one torch thread.

Paper A's LSTMs on a CPU spend most of their time in small per-step operations, which a second thread barely
speeds up: on 2 cores, two processes of one thread each train about 1.6 times as many models per minute as one
process of two threads (``benchmarks/bench_paper_a.py``). Every paper-A model trains on :data:`TRAIN_THREADS`
torch thread(s) wherever it runs, the main process or a worker, so where a model was trained never changes its
weights: the workers only fill the model cache, and the chapters then read it.

Workers are spawned, so a plain Python script that trains through this module must keep its top-level code under
``if __name__ == "__main__":`` (notebooks and pytest need nothing); or set the ``workers`` knob to 1.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

TRAIN_THREADS = 1

Call = tuple[Callable[..., Any], tuple]
PARENT_POLL_SECONDS = 0.5


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end this worker as soon as ``parent`` (the process that started it) is gone, so that
    killing a run never leaves workers training (a watch thread compares the parent pid every
    :data:`PARENT_POLL_SECONDS`; an orphan is re-parented and its ``getppid`` changes)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def run(calls: Sequence[Call], workers: int, progress: Callable[[str], None] = lambda message: None) -> None:
    """Run every ``(function, args)`` of ``calls`` for its side effect (a cached model), in ``workers`` spawned
    processes (in this process, in order, when ``workers`` is 1 or there is one call). Functions must be
    importable module-level functions; an error in a worker is raised here. A worker ends within a second when this
process dies (:func:`_die_with_parent`), even by SIGKILL. ``progress`` receives one message
    per finished call (for terminals: ``python -m lib search`` prints them)."""
    if workers <= 1 or len(calls) <= 1:
        for function, args in calls:
            function(*args)
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(function, *args) for function, args in calls]
        for done, future in enumerate(as_completed(futures), 1):
            future.result()
            progress(f"{done} of {len(futures)} models trained or found in the cache")
