"""Where paper A's training time goes, for one profile's data:
``python benchmarks/profile_training.py [--profile chromosomes] [--sequences 512]``.

For one autoencoder epoch and one BiLSTM-with-attention classifier epoch (the profile's sizes, ``--sequences``
training sequences drawn with the profile's seed, one torch thread as the workers train), prints:

- the padding the length buckets add: padded tokens against real tokens (``lib.splicing.tokens.buckets``);
- the ten torch operators with the most self CPU time (``torch.profiler``), and the share of the epoch spent
  outside torch operators (Python, data preparation);
- sequences per second.
"""

from __future__ import annotations

import lib  # noqa: F401  (first: pins the numerics before numpy and torch load; see lib.numerics)

# isort: split

import argparse
import time

import numpy as np
import torch
from torch.profiler import ProfilerActivity, profile

from lib import numerics
from lib.book import config
from lib.recipe import Recipe
from lib.splicing import experiments, train
from lib.splicing.models import Autoencoder
from lib.splicing.tokens import buckets, encode_all


def padding(tokens, batch_size: int, seed: int) -> tuple[int, int]:
    """(padded tokens, real tokens) of one epoch's length buckets."""
    lengths = np.array([len(t) for t in tokens])
    parts = buckets(lengths, batch_size, np.random.default_rng(seed))
    return int(sum(lengths[p].max() * len(p) for p in parts)), int(lengths.sum())


def profiled(label: str, run, n: int) -> None:
    start = time.perf_counter()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        run()
    seconds = time.perf_counter() - start
    events = prof.key_averages()
    in_ops = sum(e.self_cpu_time_total for e in events) / 1e6
    print(f"{label}: {n / seconds:,.1f} sequences/s ({seconds:.1f} s); torch operators {in_ops:.1f} s, "
          f"outside them {max(0.0, 1 - in_ops / seconds):.0%}")
    print(events.table(sort_by="self_cpu_time_total", row_limit=10, max_name_column_width=40))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="chromosomes")
    parser.add_argument("--sequences", type=int, default=512)
    args = parser.parse_args()
    P = config.resolve(args.profile)
    data = experiments.junction_data(P)
    rng = np.random.default_rng(P.seed)
    positives = data.split("train").query("label == 1")["seq"].tolist()
    seqs = [positives[i] for i in rng.choice(len(positives), min(args.sequences, len(positives)), replace=False)]
    tokens = encode_all(seqs)
    padded, real = padding(tokens, P.batch_size, P.seed)
    print(f"profile {P.profile}: {len(tokens)} training positives, mean length {real / len(tokens):.0f} nt; "
          f"length buckets of {P.batch_size}: {padded:,} padded tokens for {real:,} real ({padded / real - 1:.1%} "
          "padding)")
    cpu = torch.device("cpu")
    with numerics.fixed_threads(1):
        torch.manual_seed(P.seed)
        model = Autoencoder(P.ae_latent, P.embed_dim, P.packed)
        profiled("autoencoder epoch", lambda: train.fit_autoencoder(
            model, tokens, tokens[:8], Recipe(1, P.batch_size, P.lr, P.seed), cpu), len(tokens))
        table = data.split("train")
        rows = np.sort(rng.choice(len(table), min(args.sequences, len(table)), replace=False))
        labels = table["label"].to_numpy()[rows]
        both = encode_all(table["seq"].iloc[rows].tolist())
        clf = train.classifier("bilstm_attention", P.ae_latent // 2, P.embed_dim, P.seed, packed=P.packed)
        profiled("BiLSTM classifier epoch", lambda: train.fit_classifier(
            clf, both, labels, both[::8], labels[::8], Recipe(1, P.clf_batch_size, P.clf_lr, P.seed, patience=1),
            cpu), len(both))


if __name__ == "__main__":
    main()
