"""Projected run time of the full ``paper`` profile on a device: ``python benchmarks/project_paper.py
[--device auto] [--batches 3]``.

The projection multiplies the work of every training and attribution loop at the papers' data sizes by the
throughput of that loop measured here, on ``--device``, with the ``paper`` preset's model sizes:

- throughput: seconds per batch of ``--batches`` training batches (after one warm-up batch) of each model,
  on real sequences of the lengths the paper's data would have: the GRCh38 slice's junctions built with the
  ``paper`` preset's flank and ``max_len`` (positives and heuristic negatives); sequences per second of
  Integrated Gradients at ``ig_steps`` on the BiLSTM with attention in evaluation mode (cuDNN on a GPU); the
  CNN's sequences per second of training and of each saliency method;
- work: paper A's 290,502 training junctions (the autoencoders train on them; the classifiers on them plus as
  many negatives), ``ae_epochs`` epochs for each autoencoder of chapter 02 (the latent sweep, the variants at
  ``ae_latent``, with twice the sequences for "more data", and the best variant for every further seed),
  ``clf_epochs`` epochs for each of chapter 03's 3 x 2 x ``len(clf_seeds)`` classifiers (an upper bound:
  early stopping ends most runs sooner; chapter 03's learning curves and chapter 04 are not counted), IG on
  ``ig_seeds`` x ``ig_n`` sequences at ``ig_steps`` (a lower bound: sequences that do not converge double
  their steps); paper B's 75,000 training sequences for ``cnn_seeds`` x ``cnn_epochs`` and the saliency
  sequences of chapter 11.

Prints each loop's measured rate and projected hours, and the total. Nothing is asserted.
"""

from __future__ import annotations

import lib  # noqa: F401  (first: pins the numerics before numpy and torch load; see lib.numerics)

# isort: split

import argparse
import time

import numpy as np
import torch

from lib import device as devices
from lib.book import config
from lib.coding import attribution as saliency
from lib.coding import published as paper_b
from lib.coding import training as cnn
from lib.coding.model import SEQ_LEN, SimpleSaliencyCNN
from lib.data import sources
from lib.recipe import Recipe
from lib.splicing import attribution, experiments, junctions, train
from lib.splicing import published as paper_a
from lib.splicing.models import Autoencoder
from lib.splicing.tokens import encode_all

BENCHMARK_TRAIN = 75_000  # paper B: the benchmark's training sequences


def timed(run, device: torch.device) -> float:
    """Seconds that ``run()`` takes, the GPU's queued work included."""
    start = time.perf_counter()
    run()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def seconds_per_sequence(fit, tokens, batch: int, batches: int, device: torch.device) -> float:
    """Seconds per training sequence of ``fit(tokens)`` (one epoch) over ``batches`` batches after a warm-up."""
    fit(tokens[:batch])
    return timed(lambda: fit(tokens[: batch * batches]), device) / (batch * batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    parser.add_argument("--batches", type=int, default=3, help="training batches timed per model")
    parser.add_argument("--ig-internal-batch", type=int, help="interpolated inputs per IG pass (default: the "
                        "paper preset's 2,048 on a GPU; 256 on a CPU, where 2,048 needs more than 24 GiB at these "
                        "lengths)")
    args = parser.parse_args()
    device = devices.pick(args.device)
    P = config.resolve("paper")
    data = junctions.build(sources.get("slice"), None, P.flank, P.max_len, P.seed, progress=lambda m: None)
    table = data.split("train", P.negatives).sample(frac=1.0, random_state=0)
    tokens = encode_all(table["seq"])
    positives = encode_all(table.loc[table["label"] == 1, "seq"])
    labels = table["label"].to_numpy()
    n, batches = paper_a.TRAIN_POSITIVES, args.batches
    print(f"device {device}; paper profile sizes: embedding {P.embed_dim}, latents {list(P.ae_latents)}, batch "
          f"{P.batch_size}; sequence lengths from the slice's junctions (mean {table['seq'].str.len().mean():.0f} nt)")
    hours: dict[str, float] = {}

    def report(loop: str, per_item: float, items: float) -> None:
        hours[loop] = per_item * items / 3600
        print(f"{loop:<58} {1 / per_item:10,.1f} per s  x {items:14,.0f} = {hours[loop]:8.1f} h")

    one = Recipe(1, P.batch_size, P.lr, 0)
    for latent in P.ae_latents:
        model = Autoencoder(latent, P.embed_dim, P.packed)
        per = seconds_per_sequence(lambda t, m=model: train.fit_autoencoder(m, t, t[:8], one, device), positives,
                                   P.batch_size, batches, device)
        # the sweep's model; at ae_latent also the other variants ("more data" trains on twice the sequences) and
        # the best variant for every further seed
        models = 1 + (len(experiments.AE_VARIANTS) + len(P.clf_seeds) - 1) * (latent == P.ae_latent)
        report(f"autoencoder, latent {latent}: {models} models x {P.ae_epochs} epochs", per, models * P.ae_epochs * n)
    recipe = Recipe(1, P.clf_batch_size, P.clf_lr, 0, patience=1)
    val = (tokens[:8], labels[:8])
    for kind in experiments.LABELS:
        model = train.classifier(kind, P.ae_latent // 2, P.embed_dim, 0, packed=P.packed)
        per = seconds_per_sequence(lambda t, m=model: train.fit_classifier(m, t, labels[: len(t)], *val, recipe, device),
                                   tokens, P.clf_batch_size, batches, device)
        runs = 2 * len(P.clf_seeds)
        report(f"classifier {kind}: {runs} runs x {P.clf_epochs} epochs (at most)", per, runs * P.clf_epochs * 2 * n)
    model = train.classifier("bilstm_attention", P.ae_latent // 2, P.embed_dim, 0, packed=P.packed).eval()
    sample = tokens[:4]
    internal = args.ig_internal_batch or (P.ig_internal_batch if device.type == "cuda" else 256)
    per = timed(lambda: attribution.integrated_gradients(model, sample, None, P.ig_steps, internal, P.batch_size,
                                                         device), device) / len(sample)
    report(f"IG, {P.ig_steps} steps: {P.ig_seeds} models x {P.ig_n} sequences (at least)", per, P.ig_seeds * P.ig_n)

    rng = np.random.default_rng(0)
    cnn_tokens = rng.integers(1, 5, (P.cnn_batch_size * (batches + 1), SEQ_LEN)).astype(np.uint8)
    cnn_labels = rng.integers(0, 2, len(cnn_tokens))
    net = SimpleSaliencyCNN()
    per = seconds_per_sequence(
        lambda t: cnn.fit(net, t, cnn_labels[: len(t)], Recipe(1, P.cnn_batch_size, P.cnn_lr, 0), device),
        cnn_tokens, P.cnn_batch_size, batches, device)
    report(f"CNN: {P.cnn_seeds} models x {P.cnn_epochs} epochs", per, P.cnn_seeds * P.cnn_epochs * BENCHMARK_TRAIN)
    net.eval()
    maps = {"gradient": (lambda x: saliency.gradient_importance(net, x, device),
                         P.saliency_n + 2 * paper_b.PER_CLASS),
            f"IG, {P.saliency_ig_steps} steps": (lambda x: saliency.integrated_gradients_importance(
                net, x, device, P.saliency_ig_steps), P.saliency_compare_n),
            f"SmoothGrad, {P.saliency_smoothgrad_samples} samples": (lambda x: saliency.smoothgrad_importance(
                net, x, device, P.saliency_smoothgrad_samples), P.saliency_compare_n)}
    for method, (run, count) in maps.items():
        per = timed(lambda run=run: run(cnn_tokens), device) / len(cnn_tokens)
        report(f"CNN saliency, {method}: {P.cnn_seeds} models x {count} sequences", per, P.cnn_seeds * count)
    print(f"{'total':<58} {'':>10}           {'':>14}   {sum(hours.values()):8.1f} h "
          f"({sum(hours.values()) / 24:.1f} days)")


if __name__ == "__main__":
    main()
