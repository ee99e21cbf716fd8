"""Numerics: one CPU code path for every machine, so the same parameters give the same weights anywhere.

Trained weights depend on which CPU kernels run: torch picks vectorized kernels by CPU (ATen's capability),
MKL picks BLAS kernels by CPU vendor and instruction set, oneDNN JIT-compiles its kernels for the CPU and
blocks them by its cache sizes, and parallel reductions depend on the thread count. Twenty epochs of training
turn those last-bit differences into other models. Measured on this book's models
(``benchmarks/numerics_settings.py`` trains them under each setting and prints weight digests; ``make
numerics-check`` reruns every chapter), each of these changed the weights:

============================  =====================================================================
setting                       pinned value, and why
============================  =====================================================================
``ATEN_CPU_CAPABILITY``       ``avx2``: every x86-64 CPU since 2013 (Intel) / 2015 (AMD) has it; an
                              AVX-512 machine would otherwise run other kernels
``MKL_CBWR``                  ``COMPATIBLE``: the only branch of MKL's conditional numerical
                              reproducibility that Intel documents as identical on Intel and non-Intel
                              CPUs (the AVX2 branch falls back to automatic dispatch on AMD: measured)
oneDNN                        off (``torch.backends.mkldnn``): its kernels follow the CPU's instruction
                              set and cache sizes, so LSTMs and convolutions run on ATen + MKL instead
threads                       fixed (:data:`THREADS`, ``DNABOOK_THREADS``): 1, 2 and 4 threads gave
                              three different CNNs
OpenBLAS, NumPy               ``OPENBLAS_CORETYPE=Haswell`` and NumPy's AVX-512 dispatch off, for the
                              scikit-learn models (same reasoning; not testable on an AVX2-only CPU)
============================  =====================================================================

Settings that made no difference once these are pinned (so they are left alone): ``MKL_ENABLE_INSTRUCTIONS``,
``ONEDNN_MAX_CPU_ISA``, MKL's ``STRICT`` flag.

What pinning does not remove: a difference between real CPUs that these settings do not reach. The committed
chapters 00-04 were first made pinned on an AMD EPYC (Zen 3, AVX2) and rerun pinned on an Intel Xeon (AVX-512,
AMX): data and design values were identical, but chapter 02's autoencoder losses moved by up to 0.004 nats per
base, about as much as another seed moves them (seed sd 0.0005-0.0015). Some kernel still differs between the
two CPUs, not found yet. ``benchmarks/op_digests.py`` digests every torch operation of one training step of each
model and names the first that differs between two runs; on one AMD EPYC it showed that one thread instead of
two changes only MKL's GEMMs (and one sigmoid element at a thread boundary), and native numerics change only the
GEMMs (and the convolution gradients built on them), while every elementwise op, softmax, cross-entropy,
batch norm and the convolution's forward pass gave identical bits. Paper A's models already train on one thread,
so the thread split is not the cross-vendor cause for them; a run of that script on an Intel CPU with this torch
build would name the kernel. So choices made from trained results follow :mod:`lib.choice`, the regression
tolerances of :mod:`lib.book.regression` are derived from measured seed spreads, and the chapters state their
claims over seeds.

The mode is chosen by ``DNABOOK_NUMERICS``: ``pinned`` (default) or ``native`` (every library picks its
fastest kernels for this CPU: 1.7 to 3.4 times faster for the LSTMs and 5 to 6 times for the CNN on 2 cores,
``benchmarks/bench_numerics.py``, but the numbers may differ from the committed ones by the tolerances the
book states). :func:`pin_environment` runs when ``lib`` is imported, before numpy or torch load; torch's
run-time switches are set by :func:`configure_torch`, called by :mod:`lib.device` when it is imported.
On a GPU, cuDNN and cuBLAS are put in their deterministic modes in both modes.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MODES = ("pinned", "native")
THREADS = 2  # pinned thread count (the committed outputs were made on 2 cores); DNABOOK_THREADS overrides

# Environment read by the numeric libraries when they load. Thread counts are added by pin_environment().
PINNED_ENV = {
    "ATEN_CPU_CAPABILITY": "avx2",
    "MKL_CBWR": "COMPATIBLE",
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
}
THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
# Libraries that read the pinned variables when they load: pinning after them is too late.
_EARLY = ("torch", "numpy")


def mode() -> str:
    """``pinned`` or ``native``, from ``DNABOOK_NUMERICS`` (default ``pinned``)."""
    value = os.environ.get("DNABOOK_NUMERICS", "pinned").strip().lower() or "pinned"
    if value not in MODES:
        raise ValueError(f"DNABOOK_NUMERICS={value!r} is not a numerics mode; use one of: {', '.join(MODES)}")
    return value


def threads() -> int:
    """The pinned thread count: ``DNABOOK_THREADS`` if set (a positive integer), else :data:`THREADS`."""
    text = os.environ.get("DNABOOK_THREADS", str(THREADS))
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"DNABOOK_THREADS={text!r} is not a positive integer")
    return int(text)


def pin_environment() -> None:
    """In ``pinned`` mode, set :data:`PINNED_ENV` and the thread counts in ``os.environ`` (overriding what the
    user set: a half-pinned run is worse than none). Must run before numpy or torch is imported; raises
    ``RuntimeError`` naming the library otherwise. Child processes (papermill and nbval kernels) inherit it."""
    if mode() != "pinned":
        return
    wanted = {**PINNED_ENV, **{name: str(threads()) for name in THREAD_ENV}}
    if all(os.environ.get(k) == v for k, v in wanted.items()):
        return
    loaded = [name for name in _EARLY if name in sys.modules]
    if loaded:
        raise RuntimeError(
            f"numerics: {' and '.join(loaded)} already imported before lib, too late to pin the CPU code path; "
            "import lib first, or set DNABOOK_NUMERICS=native to run unpinned")
    os.environ.update(wanted)


def configure_torch() -> None:
    """torch's run-time switches: oneDNN off and a fixed thread count (pinned mode); deterministic algorithms
    (warning only where torch has none) and deterministic cuDNN / cuBLAS in both modes."""
    import torch

    if mode() == "pinned":
        torch.backends.mkldnn.enabled = False
        torch.set_num_threads(threads())
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), or the platform's processor string elsewhere."""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe() -> dict[str, Any]:
    """What produced the numbers: mode, CPU model, torch's kernel capability and threads, oneDNN on/off, MKL's
    reproducibility branch. Imports torch."""
    import torch

    return {"mode": mode(), "cpu": cpu_model(), "torch": torch.__version__,
            "capability": torch.backends.cpu.get_cpu_capability(), "threads": torch.get_num_threads(),
            "onednn": bool(torch.backends.mkldnn.enabled), "mkl_cbwr": os.environ.get("MKL_CBWR", "AUTO")}


def fingerprint() -> str:
    """A cache-key component for results computed with torch: ``pinned-t<threads>`` (the same on every
    machine), or ``native-<capability>-<cpu model>-t<threads>`` (results of this machine only)."""
    if mode() == "pinned":
        return f"pinned-t{threads()}"
    import torch

    return f"native-{torch.backends.cpu.get_cpu_capability()}-{cpu_model()}-t{torch.get_num_threads()}"


@contextmanager
def fixed_threads(count: int | None) -> Iterator[None]:
    """torch runs on ``count`` CPU threads inside the block (``None``: unchanged), restored after. A step that
    sets its own thread count (a profile knob) gives the same results on any machine with that knob."""
    import torch

    previous = torch.get_num_threads()
    if count:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
