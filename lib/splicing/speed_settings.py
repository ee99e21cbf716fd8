"""Settings chosen for speed where paper A states nothing (batch size, precision), checked for what they change.

The ``paper`` profile trains with larger batches and under bfloat16 autocast (issue 23: the only way to fit it in
a day on one GPU). Neither is a setting of the paper, so the book shows on the ``default`` data that they leave the
results inside seed noise:

- :func:`learning_rates`: the learning rate that goes with a batch ``factor`` times larger, chosen on validation data
  only (the autoencoder's held-out training positives; the classifiers' validation split) among the base rate
  times :data:`LR_SCALES`, by the book's choice rule (:mod:`lib.choice`; ties go to the unchanged rate);
- :func:`outcomes` and :func:`paired`: chapter 02's chosen variant and its autoencoders' lowest held-out loss, and
  every Table 1 run, for a profile and for the same profile with the settings changed, paired by seed. A change is
  **inside seed noise** when the mean paired difference is smaller than the seed-to-seed sd of one run of the
  base (what drawing another seed moves a result by; <=), and the 95% interval of the difference is reported beside it.

``python benchmarks/paired_settings.py`` runs them and prints the tables; the How-to-rerun page shows the result.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from lib import choice, seeds, workers
from lib.splicing import experiments

LR_SCALES = (1, 2, 4)  # learning rate multipliers tried with a larger batch: unchanged first, then sqrt and linear
LR_KIND = "bilstm_attention"  # the classifier whose validation loss picks the classifiers' rate (the paper's best)


def scaled(P, factor: int, ae_lr: float | None = None, clf_lr: float | None = None, same_steps: bool = False):
    """``P`` with both batch sizes ``factor`` times larger and the given learning rates (default: unchanged); with
    ``same_steps`` also every epoch count and the patience ``factor`` times larger, so that the models take as many
    optimizer steps as ``P``'s (what a larger batch needs where an epoch is a few steps, as on the ``default``
    data; at the papers' sizes an epoch is thousands of steps)."""
    more = factor if same_steps else 1
    return dataclasses.replace(
        P, batch_size=P.batch_size * factor, clf_batch_size=P.clf_batch_size * factor,
        lr=P.lr if ae_lr is None else ae_lr, clf_lr=P.clf_lr if clf_lr is None else clf_lr,
        ae_epochs=P.ae_epochs * more, clf_epochs=P.clf_epochs * more, patience=P.patience * more,
        ae_addition_epochs=None if P.ae_addition_epochs is None else P.ae_addition_epochs * more)


def _ae_job(P, seed: int) -> None:
    experiments.autoencoder(P, P.ae_latent, None, seed)


def _clf_job(P, seed: int) -> None:
    experiments.trained_classifier(P, LR_KIND, False, seed, experiments.classifier_data(P), None)


def learning_rates(P, factor: int, progress=print) -> tuple[pd.DataFrame, choice.Choice, choice.Choice]:
    """Validation scores of every rate of :data:`LR_SCALES` at batches ``factor`` times ``P``'s, for the
    autoencoder (paper variant, size ``ae_latent``, lowest held-out loss, nats/base) and for the random-init
    :data:`LR_KIND` classifier (lowest validation loss, nats/sequence), over the seeds ``P.clf_seeds``. Returns
    (one row per model and rate: mean and sd over seeds; the autoencoder's choice; the classifiers' choice). The
    test split is never read."""
    candidates = {scale: scaled(P, factor, P.lr * scale, P.clf_lr * scale) for scale in LR_SCALES}
    workers.run([(job, (Q, seed)) for Q in candidates.values() for job in (_ae_job, _clf_job)
                 for seed in P.clf_seeds], P.workers, progress)
    data = experiments.junction_data(P)
    rows = []
    for scale, Q in candidates.items():
        sets = experiments.classifier_data(Q, data)
        ae = [min(h["held_out_loss"] for h in experiments.autoencoder(Q, Q.ae_latent, data, seed).history)
              for seed in P.clf_seeds]
        clf = [min(h["val_loss"] for h in experiments.trained_classifier(Q, LR_KIND, False, seed, sets, None)[1])
               for seed in P.clf_seeds]
        for model, values, lr, batch in (("autoencoder", ae, Q.lr, Q.batch_size),
                                         (LR_KIND, clf, Q.clf_lr, Q.clf_batch_size)):
            rows.append({"model": model, "lr scale": scale, "lr": lr, "batch": batch,
                         "best validation loss (mean)": float(np.mean(values)),
                         "best validation loss (sd)": float(np.std(values, ddof=1)) if len(values) > 1 else np.nan,
                         "seeds": len(values)})
    table = pd.DataFrame(rows)

    def chosen(model: str) -> choice.Choice:
        part = table[table["model"] == model]
        scores = {f"x{int(r['lr scale'])}": choice.Score(r["best validation loss (mean)"],
                                                         r["best validation loss (sd)"], int(r["seeds"]))
                  for _, r in part.iterrows()}
        return choice.choose(scores, [f"x{s}" for s in LR_SCALES])

    return table, chosen("autoencoder"), chosen(LR_KIND)


def random_init_outcomes(P) -> dict:
    """:func:`outcomes` of the random-init classifiers alone (no autoencoder trains): Table 1's random-init runs of
    every kind and seed."""
    experiments.train_classifiers(P, [(kind, False, seed, 1.0) for kind in reversed(experiments.LABELS)
                                      for seed in P.clf_seeds])
    sets = experiments.classifier_data(P)
    runs = [{"model": kind, "init": "random", "seed": seed,
             "test accuracy %": 100 * experiments.classifier_run(P, kind, False, seed, sets, None)[2]["accuracy"]}
            for kind in experiments.LABELS for seed in P.clf_seeds]
    return {"variant": None, "ae_loss": None, "runs": pd.DataFrame(runs)}


def outcomes(P) -> dict:
    """What the settings could change, for profile ``P`` (trained in ``P.workers`` processes, or read from the
    cache): chapter 02's chosen variant, the lowest held-out loss of that variant's autoencoder per seed (nats/base),
    and Table 1's runs (one row per model, initialization and seed)."""
    data = experiments.junction_data(P)
    experiments.train_autoencoders(P, data)
    variant = experiments.chosen_variant(P, data).chosen
    losses = {seed: min(h["held_out_loss"] for h in experiments.autoencoder(P, P.ae_latent, data, seed, variant).history)
              for seed in P.clf_seeds}
    runs, _ = experiments.table1_runs(P, experiments.classifier_data(P, data), experiments.encoders(P, data))
    return {"variant": variant, "ae_loss": losses, "runs": runs}


def paired(base: dict, changed: dict) -> pd.DataFrame:
    """Paired differences (changed minus base, by seed) of two :func:`outcomes` (``changed`` may be a
    :func:`random_init_outcomes`): the autoencoder's lowest held-out loss (nats/base) and each Table 1 cell of
    ``changed``'s test accuracy (points). One row per quantity: the base's mean and
    seed sd of one run, the changed mean, the paired difference (:func:`lib.seeds.paired_effect`: mean, 95%
    interval) and ``inside seed noise`` (|mean difference| <= the base's seed sd)."""
    pairs = []
    if changed["ae_loss"] is not None:
        pairs.append(("autoencoder held-out loss (nats/base)", list(base["ae_loss"].values()),
                      [changed["ae_loss"][s] for s in base["ae_loss"]]))
    keyed = {name: o["runs"].set_index(["model", "init", "seed"])["test accuracy %"] for name, o in
             (("base", base), ("changed", changed))}
    for (kind, init), group in keyed["changed"].groupby(level=["model", "init"], sort=False):
        group = keyed["base"].loc[group.index]
        label = f"{experiments.LABELS[kind]}, {init} init: test accuracy (%)"
        pairs.append((label, group.tolist(), keyed["changed"].loc[group.index].tolist()))
    rows = []
    for quantity, before, after in pairs:
        effect = seeds.paired_effect(after, before)
        sd = float(np.std(before, ddof=1)) if len(before) > 1 else np.nan
        rows.append({"quantity": quantity, "base mean": float(np.mean(before)), "base seed sd": sd,
                     "changed mean": float(np.mean(after)), "difference": effect["mean"], "95% low": effect["low"],
                     "95% high": effect["high"], "seeds": effect["n"],
                     "inside seed noise": bool(abs(effect["mean"]) <= sd)})
    return pd.DataFrame(rows).set_index("quantity")
