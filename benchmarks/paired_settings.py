"""Do the paper profile's speed settings change results? Paired seed runs on a profile's data:
``python benchmarks/paired_settings.py [--profile default] [--factor 4] [--only lr,bf16,batch,both]
[--same-steps]``.

:mod:`lib.splicing.speed_settings` does the work; this prints its tables (markdown) and writes them as CSV to
``--out`` (default ``_build/paired_settings``):

- ``lr``: the learning rates that go with batches ``--factor`` times larger, chosen on validation data only;
- ``bf16``: the profile under bfloat16 autocast against float32;
- ``batch``: the profile with batches ``--factor`` times larger and the validated rates against the profile
  (``--same-steps``: with as many times the epochs and patience, so the same number of optimizer steps;
  ``--classifiers-only``: Table 1's random-init classifiers alone, on both sides; no autoencoder trains);
- ``both``: batches and bfloat16 together (what the ``paper`` preset uses) against the profile.

Each comparison trains chapter 02's autoencoders and Table 1's classifiers for every seed of the profile (cached
in ``$DNABOOK_CACHE``; the profile's own models are usually there from its chapters). On a CPU, bfloat16 autocast
runs ``nn.LSTM`` instead of the fused LSTM (``lib.splicing.models.run_lstm``), so those runs are slower than the
float32 ones; the numbers are CPU bfloat16's, not a GPU's. Nothing is asserted.
"""

from __future__ import annotations

import lib  # noqa: F401  (first: pins the numerics before numpy and torch load; see lib.numerics)

# isort: split

import argparse
import dataclasses
import time
from pathlib import Path

import pandas as pd

from lib import paths
from lib.book import config
from lib.splicing import speed_settings

STEPS = ("lr", "bf16", "batch", "both")


def show(title: str, table: pd.DataFrame, out: Path, name: str) -> None:
    print(f"\n### {title}\n")
    print(table.to_markdown(floatfmt=".4g"))
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / f"{name}.csv", float_format="%.6g")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="default")
    parser.add_argument("--factor", type=int, default=4, help="how many times larger the batches are")
    parser.add_argument("--only", default=",".join(STEPS), help=f"comma list of {', '.join(STEPS)}")
    parser.add_argument("--same-steps", action="store_true", help="with larger batches, as many more epochs (and "
                        "patience): the same number of optimizer steps")
    parser.add_argument("--classifiers-only", action="store_true", help="compare the random-init classifiers "
                        "alone (no autoencoder trains)")
    parser.add_argument("--out", type=Path, default=paths.REPO / "_build" / "paired_settings")
    args = parser.parse_args()
    steps = [s.strip() for s in args.only.split(",")]
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        parser.error(f"--only: unknown step(s) {', '.join(unknown)}; choose from {', '.join(STEPS)}")
    P = config.resolve(args.profile)
    start = time.perf_counter()
    print(f"profile {P.profile}: batch {P.batch_size} (autoencoder), {P.clf_batch_size} (classifiers), lr {P.lr:g} / "
          f"{P.clf_lr:g}, seeds {list(P.clf_seeds)}; batches x{args.factor}")
    ae_lr, clf_lr = P.lr, P.clf_lr
    if {"lr", "batch", "both"} & set(steps):
        table, ae, clf = speed_settings.learning_rates(P, args.factor, progress=lambda m: None)
        show(f"learning rate at batch x{args.factor} (validation data only)", table.set_index(["model", "lr scale"]),
             args.out, "learning_rates")
        print(f"\nchosen: autoencoder {ae.chosen} (tied: {', '.join(ae.tied)}), classifiers {clf.chosen} "
              f"(tied: {', '.join(clf.tied)})")
        ae_lr, clf_lr = P.lr * int(ae.chosen[1:]), P.clf_lr * int(clf.chosen[1:])
    comparisons = {"bf16": dataclasses.replace(P, precision="bf16"),
                   "batch": speed_settings.scaled(P, args.factor, ae_lr, clf_lr, args.same_steps),
                   "both": dataclasses.replace(speed_settings.scaled(P, args.factor, ae_lr, clf_lr, args.same_steps),
                                               precision="bf16")}
    base = None
    for step in (s for s in STEPS[1:] if s in steps):
        base = base or (speed_settings.random_init_outcomes if args.classifiers_only else speed_settings.outcomes)(P)
        Q = comparisons[step]
        changed = (speed_settings.random_init_outcomes if args.classifiers_only else speed_settings.outcomes)(Q)
        show(f"{step}: batch {Q.batch_size}/{Q.clf_batch_size}, lr {Q.lr:g}/{Q.clf_lr:g}, epochs {Q.ae_epochs}/"
             f"{Q.clf_epochs} (patience {Q.patience}), {Q.precision} against "
             f"the profile (variant chosen: {base['variant'] or 'not trained'} -> {changed['variant'] or 'not trained'})",
             speed_settings.paired(base, changed), args.out,
             f"paired_{step}" + ("_same_steps" if args.same_steps and step != "bf16" else "")
             + ("_classifiers" if args.classifiers_only else ""))
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
