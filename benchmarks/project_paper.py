"""Projected run time of a profile at the papers' data sizes (default: the ``paper`` profile):
``python benchmarks/project_paper.py [--profile paper] [-p knob=value ...] [--device auto] [--batches 3]
[--rates FILE] [--save-rates FILE]``.

The work of every loop comes from :func:`lib.budget.loops` (sequences x epochs x models at the papers' data sizes,
each loop marked as the paper's own or as one of the book's additions). Each loop's rate (sequences per second) is
read from ``--rates`` (a JSON file such as ``benchmarks/rates/h200-issue23.json``: measurements taken elsewhere,
each with its source) or, where the file has none, measured here on ``--device`` with the profile's settings
(batch sizes, ``precision``, model sizes):

- training: ``--batches`` batches (after one warm-up batch) of :func:`lib.splicing.train.fit_autoencoder` /
  ``fit_classifier`` on real sequences of the lengths the paper's data would have (the GRCh38 slice's junctions
  built with the profile's flank and ``max_len``, positives and heuristic negatives);
- evaluation: the autoencoder's held-out pass (:func:`lib.splicing.train.reconstruction`) and the classifiers'
  validation pass (``predict``) over the same number of sequences;
- the padding that length buckets add at the profile's autoencoder batch, for as many lengths as the paper's
  training positives, drawn from the slice's;
- Integrated Gradients at ``ig_steps`` on the BiLSTM with attention (``ig_internal_batch`` interpolated inputs per
  pass on a GPU; ``--ig-internal-batch`` or 256 on a CPU, where 2,048 needs more than 24 GiB at these lengths);
- paper B: the CNN's training and each saliency method.

Prints each loop's rate, where it came from and its projected hours, the totals of the paper's loops and of the
book's additions, and what chapter 02 would add if a remedy replaced the paper's autoencoder. ``--save-rates``
writes the rates used. Nothing is asserted.
"""

from __future__ import annotations

import lib  # noqa: F401  (first: pins the numerics before numpy and torch load; see lib.numerics)

# isort: split

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from lib import budget
from lib import device as devices
from lib.book import config, runner
from lib.coding import attribution as saliency
from lib.coding import training as cnn
from lib.coding.model import SEQ_LEN, SimpleSaliencyCNN
from lib.data import sources
from lib.recipe import Recipe
from lib.splicing import attribution, experiments, junctions, train
from lib.splicing import published as paper_a
from lib.splicing.models import Autoencoder
from lib.splicing.tokens import buckets, encode_all


def timed(run, device: torch.device) -> float:
    """Seconds that ``run()`` takes, the GPU's queued work included."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    run()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def padding(lengths: np.ndarray, batch: int) -> float:
    """Padded tokens over real tokens, minus 1, of the length buckets (:func:`lib.splicing.tokens.buckets`)."""
    padded = sum(len(index) * lengths[index].max() for index in buckets(lengths, batch, None))
    return padded / lengths.sum() - 1


def per_second(run, items, batch: int, batches: int, device: torch.device) -> float:
    """Sequences per second of ``run(items[:k])`` over ``batches`` batches of ``batch``, after a warm-up batch."""
    run(items[:batch])
    return batch * batches / timed(lambda: run(items[: batch * batches]), device)


def measure(P, needed: set[str], device: torch.device, batches: int, ig_internal: int | None) -> dict[str, float]:
    """Sequences per second of every rate key in ``needed`` (:mod:`lib.budget`), measured on ``device``."""
    data = junctions.build(sources.get("slice"), None, P.flank, P.max_len, P.seed, progress=lambda m: None)
    table = data.split("train", P.negatives).sample(frac=1.0, random_state=0)
    tokens, labels = encode_all(table["seq"]), table["label"].to_numpy()
    positives = encode_all(table.loc[table["label"] == 1, "seq"])
    print(f"measuring on {device}: sequence lengths from the slice's junctions at max_len {P.max_len} (mean "
          f"{table['seq'].str.len().mean():.0f} nt; positives {np.mean([len(t) for t in positives]):.0f} nt)")
    lengths = np.random.default_rng(0).choice([len(t) for t in positives], round((1 - budget.HELD_OUT) * paper_a.TRAIN_POSITIVES))
    print(f"padding of the length buckets at batch {P.batch_size}, for {len(lengths):,} lengths drawn from these "
          f"positives: {100 * padding(lengths, P.batch_size):.2f}% more tokens than the sequences hold")
    rates: dict[str, float] = {}
    one = Recipe(1, P.batch_size, P.lr, 0, precision=P.precision)
    for latent in P.ae_latents:
        if {budget.autoencoder_rate(latent), budget.autoencoder_rate(latent, True)} & needed:
            model = Autoencoder(latent, P.embed_dim, P.packed)
            rates[budget.autoencoder_rate(latent)] = per_second(
                lambda t, m=model: train.fit_autoencoder(m, t, t[:8], one, device), positives, P.batch_size, batches,
                device)
            rates[budget.autoencoder_rate(latent, True)] = per_second(
                lambda t, m=model: train.reconstruction(m.to(device), t, P.batch_size, device), positives,
                P.batch_size, batches, device)
    recipe = Recipe(1, P.clf_batch_size, P.clf_lr, 0, patience=1, precision=P.precision)
    for kind in experiments.LABELS:
        if {budget.classifier_rate(kind), budget.classifier_rate(kind, True)} & needed:
            model = train.classifier(kind, P.ae_latent // 2, P.embed_dim, 0, packed=P.packed)
            rates[budget.classifier_rate(kind)] = per_second(
                lambda t, m=model: train.fit_classifier(m, t, labels[: len(t)], t[:8], labels[:8], recipe, device),
                tokens, P.clf_batch_size, batches, device)
            rates[budget.classifier_rate(kind, True)] = per_second(
                lambda t, m=model: train.predict(m, t, P.clf_batch_size, device), tokens, P.clf_batch_size, batches,
                device)
    if "ig" in needed:
        model = train.classifier("bilstm_attention", P.ae_latent // 2, P.embed_dim, 0, packed=P.packed)
        internal = ig_internal or (P.ig_internal_batch if device.type == "cuda" else 256)
        sample = tokens[:4]
        rates["ig"] = len(sample) / timed(lambda: attribution.integrated_gradients(
            model, sample, None, P.ig_steps, internal, P.batch_size, device), device)
    rng = np.random.default_rng(0)
    cnn_tokens = rng.integers(1, 5, (P.cnn_batch_size * (batches + 1), SEQ_LEN)).astype(np.uint8)
    cnn_labels = rng.integers(0, 2, len(cnn_tokens))
    net = SimpleSaliencyCNN()
    if "cnn" in needed:
        rates["cnn"] = per_second(lambda t: cnn.fit(net, t, cnn_labels[: len(t)], Recipe(1, P.cnn_batch_size, P.cnn_lr,
                                                                                          0), device),
                                  cnn_tokens, P.cnn_batch_size, batches, device)
    net.eval()
    maps = {"saliency gradient": lambda x: saliency.gradient_importance(net, x, device),
            "saliency ig": lambda x: saliency.integrated_gradients_importance(net, x, device, P.saliency_ig_steps),
            "saliency smoothgrad": lambda x: saliency.smoothgrad_importance(net, x, device,
                                                                             P.saliency_smoothgrad_samples)}
    for key, run in maps.items():
        if key in needed:
            rates[key] = len(cnn_tokens) / timed(lambda run=run: run(cnn_tokens), device)
    return rates


def show(loops: list[budget.Loop], rates: dict[str, float], sources_of: dict[str, str]) -> float:
    """Print one line per loop and the totals; returns the total hours."""
    hours = budget.hours(loops, rates)
    print(f"\n{'loop':<74} {'part':<8} {'per s':>9} {'sequences':>14} {'hours':>7}  rate from")
    for loop in loops:
        print(f"{loop.name:<74} {loop.part:<8} {rates[loop.rate]:9,.1f} {loop.items:14,.0f} {hours[loop.name]:7.2f}  "
              f"{sources_of[loop.rate]}")
    for part in (budget.PAPER, budget.ADDITION):
        print(f"{'total, ' + part + ' loops':<74} {'':<8} {'':>9} {'':>14} "
              f"{sum(hours[x.name] for x in loops if x.part == part):7.2f}")
    total = sum(hours.values())
    print(f"{'total':<74} {'':<8} {'':>9} {'':>14} {total:7.2f}  ({total / 24:.2f} days)")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="paper")
    parser.add_argument("-p", dest="overrides", action="append", default=[], metavar="KNOB=VALUE")
    parser.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    parser.add_argument("--batches", type=int, default=3, help="training batches timed per model")
    parser.add_argument("--ig-internal-batch", type=int, help="interpolated inputs per IG pass when measured")
    parser.add_argument("--rates", type=Path, help="JSON of rates measured elsewhere (keys of lib.budget)")
    parser.add_argument("--save-rates", type=Path, help="write the rates used to this JSON file")
    args = parser.parse_args()
    P = config.resolve(args.profile, runner.parse_overrides(args.overrides))
    print(f"profile {P.profile}: batch {P.batch_size} (autoencoders) / {P.clf_batch_size} (classifiers), "
          f"{P.precision}, latents {list(P.ae_latents)}, {P.ae_epochs} autoencoder epochs (additions "
          f"{experiments.addition_epochs(P)}), classifiers up to {P.clf_epochs} epochs x seeds {list(P.clf_seeds)}, "
          f"encoder seeds {P.encoder_seeds or len(P.clf_seeds)}, IG {P.ig_seeds} x {P.ig_n} at {P.ig_steps} steps")
    loops = budget.loops(P)
    remedies = {v: budget.remedy_loops(P, v) for v in experiments.AE_VARIANTS if v != "paper"}
    needed = {loop.rate for loop in loops}
    rates, sources_of = {}, {}
    if args.rates:
        stored = json.loads(args.rates.read_text())
        differ = {k: (v, P[k]) for k, v in stored.get("settings", {}).items() if P[k] != v}
        if differ:
            parser.error(f"{args.rates} holds rates measured with other settings: " + ", ".join(
                f"{k}={v} (this profile: {mine})" for k, (v, mine) in differ.items()))
        for key, value in stored["rates"].items():
            if key in needed:
                rates[key] = float(value)
                sources_of[key] = f"{args.rates.name}: {stored.get('notes', {}).get(key, stored['source'])}"
        print(f"rates from {args.rates}: {stored['source']}")
    missing = needed - set(rates)
    if missing:
        device = devices.pick(args.device)
        measured = measure(P, missing, device, args.batches, args.ig_internal_batch)
        for key in missing:
            rates[key], sources_of[key] = measured[key], f"measured here on {device.type}"
    show(loops, rates, sources_of)
    for variant, extra in remedies.items():
        print(f"if chapter 02 chose {variant!r}: + {sum(budget.hours(extra, rates).values()):.2f} h")
    if args.save_rates:
        args.save_rates.write_text(json.dumps({"source": f"project_paper.py, profile {P.profile}",
                                               "rates": {k: rates[k] for k in sorted(rates)},
                                               "notes": {k: sources_of[k] for k in sorted(rates)}}, indent=1) + "\n")


if __name__ == "__main__":
    main()
