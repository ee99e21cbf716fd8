"""The CNN's training recipe, searched on validation data only (chapter 10).

Paper B gives no optimiser, schedule, number of epochs or regularization. This search trains the CNN under a
base recipe and under a few changes of it, for :data:`SEEDS`, and ranks the candidates by their mean accuracy
on the *validation* sequences: the slice's held-out genome blocks (the ``test`` split of the slice table). It
never reads the real benchmark sequences, which stay the test set of Table 1. The winner's settings are copied
into the presets by hand; ``python -m lib search --model cnn`` reruns the search and writes :data:`RESULTS`,
which chapter 10 shows and checks against the preset.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from lib import choice, device, paths, recipe
from lib.coding import training

SEEDS = (0, 1)
BASE = {"cnn_epochs": 3, "cnn_lr": 1e-3, "cnn_batch_size": 64, "cnn_weight_decay": 0.0}
CANDIDATES: dict[str, dict] = {
    "base (3 epochs, lr 1e-3, batch 64)": {},
    "6 epochs": {"cnn_epochs": 6},
    "10 epochs": {"cnn_epochs": 10},
    "10 epochs, lr 3e-3": {"cnn_epochs": 10, "cnn_lr": 3e-3},
    "10 epochs, weight decay 0.05 (AdamW)": {"cnn_epochs": 10, "cnn_weight_decay": 0.05},
}
RESULTS = paths.NOTEBOOKS / "results" / "cnn_recipe_search.csv"


def candidate(P, change: dict):
    """Configuration ``P`` with the base recipe, then ``change``, applied, for :data:`SEEDS`."""
    return dataclasses.replace(P, seed=SEEDS[0], cnn_seeds=len(SEEDS), **{**BASE, **change})


def run(P, data, progress=print) -> pd.DataFrame:
    """Train every candidate for every seed on the train split of ``data`` (cached) and return one row per
    candidate: its settings, the mean and SD over seeds of the validation accuracy (%) and loss (nats per
    sequence, mean), the last epoch's training accuracy (%) and seconds per epoch. Sorted best first."""
    dev, (tokens, labels) = device.pick(P.device), data.arrays("test")
    rows = []
    for name, change in CANDIDATES.items():
        Q = candidate(P, change)
        progress(f"search: {name}")
        training.train_all(Q, data)
        found = []
        for seed in training.seeds(Q):
            model, history = training.trained(Q, data, seed)
            probs = training.probabilities(model, tokens, training.EVAL_BATCH, dev)
            found.append({"accuracy": 100 * float((probs.argmax(1) == labels).mean()),
                          "loss": float(-np.log(probs[np.arange(len(labels)), labels]).mean()),
                          "train": 100 * history[-1]["accuracy"], "seconds": np.mean([h["seconds"] for h in history])})
        found = pd.DataFrame(found)
        rows.append({"candidate": name, **{k: Q[k] for k in BASE},
                     "val accuracy % (mean)": found["accuracy"].mean(), "val accuracy % (sd)": found["accuracy"].std(),
                     "val loss (mean)": found["loss"].mean(), "train accuracy % (last epoch)": found["train"].mean(),
                     "seconds per epoch": found["seconds"].mean(), "seeds": len(SEEDS)})
    results = pd.DataFrame(rows)
    return results.sort_values("val accuracy % (mean)", ascending=False, kind="stable").reset_index(drop=True)


def winner(results: pd.DataFrame) -> choice.Choice:
    """The search's winner by the book's choice rule (:func:`lib.recipe.search_choice`): candidates in the
    order of :data:`CANDIDATES`, the base recipe first."""
    return recipe.search_choice(results, CANDIDATES, "val accuracy % (mean)", "val accuracy % (sd)", lower_is_better=False)


def preset_accepted(results: pd.DataFrame, P) -> tuple[str | None, choice.Choice]:
    """(the candidate with ``P``'s recipe, the search's choice). A preset is accepted when its candidate is
    tied with the best (``in choice.tied``): any candidate within the winner's seed noise, not one name."""
    return recipe.preset_candidate(results, P, BASE), winner(results)


def save(results: pd.DataFrame, path: Path = RESULTS) -> Path:
    """Write ``results`` to ``path`` (:func:`lib.recipe.save_search`)."""
    return recipe.save_search(results, path)
