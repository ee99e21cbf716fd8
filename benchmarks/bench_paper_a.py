"""Training throughput of paper A's models: ``python benchmarks/bench_paper_a.py [--profile default]``.

For the autoencoder and the BiLSTM-with-attention classifier, one epoch over the profile's training
sequences with padded and with packed batches (both exact, see ``lib.splicing.models.run_lstm``), on the CPU and, when
torch sees one, on the GPU. Prints sequences and nucleotides per second.
"""

from __future__ import annotations

import lib  # noqa: F401  (first: pins the numerics before numpy and torch load; see lib.numerics)

# isort: split

import argparse
import time

import numpy as np
import torch

from lib.book import config
from lib.recipe import Recipe
from lib.splicing import experiments, train
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="default")
    args = parser.parse_args()
    P = config.resolve(args.profile)
    sets = experiments.classifier_data(P)
    positives = encode_all(sets.tables["train"].query("label == 1")["seq"])
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    print(f"profile {P.profile}: {len(positives)} autoencoder sequences, {len(sets.tokens['train'])} classifier "
          f"sequences, mean length {np.mean([len(t) for t in sets.tokens['train']]):.0f} nt, "
          f"latent {P.ae_latent}, batch {P.batch_size}, torch threads {torch.get_num_threads()}")
    for device in devices:
        for packed in (False, True):
            mode = "packed" if packed else "padded"
            train.seed_everything(0)
            ae = epoch_rate(Autoencoder(P.ae_latent, P.embed_dim, packed), positives, None, P.batch_size, device)
            clf = epoch_rate(train.classifier("bilstm_attention", P.ae_latent // 2, P.embed_dim, 0, packed=packed),
                             sets.tokens["train"], sets.labels["train"], P.batch_size, device,
                             (sets.tokens["val"], sets.labels["val"]))
            print(f"{device.type:>4} {mode}: autoencoder {ae[0]:7.1f} seq/s {ae[1]:10,.0f} nt/s | "
                  f"BiLSTM+attention {clf[0]:7.1f} seq/s {clf[1]:10,.0f} nt/s")


if __name__ == "__main__":
    main()
