"""Throughput pinned vs native numerics: ``python benchmarks/bench_numerics.py``.

What pinning the CPU code path (``lib.numerics``) costs. On the CPU, with the ``default`` profile's data, it times
one epoch of the autoencoder (padded, at most 256 training positives) and of the BiLSTM+attention classifier
(padded, at most 512 training sequences, validated on 64), one epoch of the saliency CNN (2,048 random 200-nt
sequences, batch 64, 1 torch thread as the book's ``cnn_threads``; after one warm-up epoch) and Integrated
Gradients (50 steps) on 8 test sequences with an untrained classifier. Rates are sequences per second
(``seq/s``) and nucleotides per second (``nt/s``).

The numerics are fixed when torch loads, so each mode runs in its own subprocess (``--worker``, started with
``DNABOOK_NUMERICS=pinned`` or ``native``) that prints one JSON line; this process imports neither torch nor
``lib`` (importing ``lib`` would pin its environment, which the native worker would inherit).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

SIZES = {"full": {"ae": 256, "clf": 512, "cnn": 2048, "ig": 8}, "quick": {"ae": 32, "clf": 64, "cnn": 256, "ig": 2}}
UNITS = {"autoencoder epoch": ("seq/s", "nt/s"), "classifier epoch": ("seq/s", "nt/s"), "CNN epoch": ("seq/s",),
         "IG, 50 steps": ("seq/s",)}


def worker(quick: bool) -> dict:
    """Rates of every loop in this process's numerics mode: ``{"describe": ..., "rates": {loop: [seq/s, nt/s?]}}``."""
    import lib  # noqa: F401  (first: pins the environment before numpy and torch load)

    # isort: split
    import numpy as np
    import torch
    from bench_cnn import bench_training
    from bench_paper_a import epoch_rate

    from lib import numerics
    from lib.book import config
    from lib.coding.model import SEQ_LEN
    from lib.splicing import attribution, experiments, train
    from lib.splicing.models import Autoencoder
    from lib.splicing.tokens import encode_all

    n, cpu = SIZES["quick" if quick else "full"], torch.device("cpu")
    P = config.resolve("default")
    sets = experiments.classifier_data(P)
    positives = encode_all(sets.tables["train"].query("label == 1")["seq"])[: n["ae"]]
    tokens, labels = sets.tokens["train"][: n["clf"]], sets.labels["train"][: n["clf"]]
    validation = (sets.tokens["val"][:64], sets.labels["val"][:64])
    rates = {}
    train.seed_everything(0)
    rates["autoencoder epoch"] = epoch_rate(Autoencoder(P.ae_latent, P.embed_dim, False), positives, None,
                                            P.batch_size, cpu)
    classifier = train.classifier("bilstm_attention", P.ae_latent // 2, P.embed_dim, 0, packed=False)
    rates["classifier epoch"] = epoch_rate(classifier, tokens, labels, P.batch_size, cpu, validation)
    rng = np.random.default_rng(0)
    cnn_tokens = rng.integers(1, 5, (n["cnn"], SEQ_LEN)).astype(np.uint8)
    with numerics.fixed_threads(1):
        rates["CNN epoch"] = bench_training(cnn_tokens, rng.integers(0, 2, n["cnn"]), cpu, 1, 64)[:1]
    untrained = train.classifier("bilstm_attention", P.ae_latent // 2, P.embed_dim, 0, packed=False)
    start = time.perf_counter()
    attribution.integrated_gradients(untrained, sets.tokens["test"][: n["ig"]], steps=50,
                                     internal_batch_size=P.ig_internal_batch, device=cpu)
    rates["IG, 50 steps"] = (n["ig"] / (time.perf_counter() - start),)
    return {"describe": numerics.describe(), "rates": rates}


def run_mode(mode: str, quick: bool) -> dict:
    """Run the worker under ``DNABOOK_NUMERICS=mode``; its last stdout line is the JSON result."""
    command = [sys.executable, os.path.abspath(__file__), "--worker"] + (["--quick"] if quick else [])
    done = subprocess.run(command, env={**os.environ, "DNABOOK_NUMERICS": mode}, capture_output=True, text=True,
                          check=False)
    if done.returncode:
        sys.exit(f"{mode} worker failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help="internal: time this process's mode, print JSON")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke check")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.quick)))
        return
    results = {mode: run_mode(mode, args.quick) for mode in ("pinned", "native")}
    for mode, result in results.items():
        print(f"{mode:>6}: " + ", ".join(f"{k} {v}" for k, v in result["describe"].items() if k != "mode"))
    print(f"{'loop':<20} {'unit':<6} {'pinned':>12} {'native':>12} {'native/pinned':>14}")
    for loop, units in UNITS.items():
        for i, unit in enumerate(units):
            pinned, native = (results[mode]["rates"][loop][i] for mode in ("pinned", "native"))
            print(f"{loop:<20} {unit:<6} {pinned:>12,.1f} {native:>12,.1f} {native / pinned:>14.2f}")


if __name__ == "__main__":
    main()
