"""Training throughput of paper A's models: ``python benchmarks/bench_paper_a.py [--profile default] [--device D]``.

For the autoencoder and the BiLSTM-with-attention classifier, one epoch over the profile's training sequences:

- on the CPU: padded batches through :mod:`lib.splicing.fused_lstm` (the default) and through ``nn.LSTM``
  itself, and packed batches (all exact, see ``lib.splicing.models.run_lstm``), on 1 and 2 torch threads; then
  the pool of :mod:`lib.workers`: four classifiers of three epochs each, trained by two processes of one thread,
  against the same four one after the other in this process;
- on a GPU (``--device cuda``): padded and packed batches.

Prints sequences and nucleotides per second.
"""

from __future__ import annotations

import lib  # noqa: F401  (first: pins the numerics before numpy and torch load; see lib.numerics)

# isort: split

import argparse
import time

import numpy as np
import torch

from lib import numerics, workers
from lib.book import config
from lib.recipe import Recipe
from lib.splicing import experiments, models, train
from lib.splicing.models import Autoencoder
from lib.splicing.tokens import encode_all


def epoch_rate(model, tokens, labels, batch_size: int, device: torch.device, validation=None) -> tuple[float, float]:
    """(sequences/s, nucleotides/s) of one training epoch (``validation``: (tokens, labels) for classifiers)."""
    start = time.perf_counter()
    if labels is None:
        train.fit_autoencoder(model, tokens, tokens[:8], Recipe(1, batch_size, 1e-3, 0), device)
    else:
        train.fit_classifier(model, tokens, labels, *validation, Recipe(1, batch_size, 1e-3, 0, patience=1), device)
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    return len(tokens) / seconds, sum(len(t) for t in tokens) / seconds


POOL_JOBS, POOL_EPOCHS = 4, 3  # classifiers trained by the pool measurement, and their epochs


def classifier_job(profile: str, seed: int) -> None:
    """:data:`POOL_EPOCHS` epochs of a BiLSTM + attention on ``profile``'s data, on one torch thread (a pool job)."""
    P = config.resolve(profile)
    sets = experiments.classifier_data(P)
    with numerics.fixed_threads(workers.TRAIN_THREADS):
        train.fit_classifier(train.classifier("bilstm_attention", P.ae_latent // 2, P.embed_dim, seed),
                             sets.tokens["train"], sets.labels["train"], sets.tokens["val"], sets.labels["val"],
                             Recipe(POOL_EPOCHS, P.clf_batch_size, P.clf_lr, seed), torch.device("cpu"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="default")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    args = parser.parse_args()
    P = config.resolve(args.profile)
    device = torch.device(args.device)
    sets = experiments.classifier_data(P)
    positives = encode_all(sets.tables["train"].query("label == 1")["seq"])
    print(f"profile {P.profile}: {len(positives)} autoencoder sequences, {len(sets.tokens['train'])} classifier "
          f"sequences, mean length {np.mean([len(t) for t in sets.tokens['train']]):.0f} nt, "
          f"latent {P.ae_latent}, batch {P.batch_size}")
    modes = [("padded, fused", False, True), ("padded, nn.LSTM", False, False), ("packed", True, False)]
    for threads in ((1, 2) if device.type == "cpu" else (None,)):
        for mode, packed, fused in (modes if device.type == "cpu" else [("padded", False, False), modes[2]]):
            models._FUSED_ON_CPU = fused
            with numerics.fixed_threads(threads):
                train.seed_everything(0)
                ae = epoch_rate(Autoencoder(P.ae_latent, P.embed_dim, packed), positives, None, P.batch_size, device)
                clf = epoch_rate(train.classifier("bilstm_attention", P.ae_latent // 2, P.embed_dim, 0, packed=packed),
                                 sets.tokens["train"], sets.labels["train"], P.clf_batch_size, device,
                                 (sets.tokens["val"], sets.labels["val"]))
            print(f"{device.type} {threads or ''} thread(s), {mode:<15}: autoencoder {ae[0]:7.1f} seq/s "
                  f"{ae[1]:10,.0f} nt/s | BiLSTM+attention {clf[0]:7.1f} seq/s {clf[1]:10,.0f} nt/s")
    models._FUSED_ON_CPU = True
    if device.type != "cpu":
        return
    for count in (1, 2):
        start = time.perf_counter()
        workers.run([(classifier_job, (P.profile, seed)) for seed in range(POOL_JOBS)], count)
        seconds = time.perf_counter() - start
        n = POOL_JOBS * POOL_EPOCHS * len(sets.tokens["train"])
        print(f"{POOL_JOBS} classifiers x {POOL_EPOCHS} epochs, {count} worker(s) of one thread: {seconds:.1f} s, "
              f"{n / seconds:.1f} seq/s (process starts included)")


if __name__ == "__main__":
    main()
