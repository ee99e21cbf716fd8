"""The classifiers' training recipe, searched on validation data only (chapter 03).

Paper A gives no learning rate, batch size, schedule, regularization or stopping rule. This small search tries
one change at a time from a base recipe on the BiLSTM with attention (random initialization), for
:data:`SEEDS`, with early stopping on validation loss, and ranks the candidates by their best validation loss
(mean over the seeds). It never reads the test split: :func:`lib.splicing.experiments.trained_classifier`
trains on the training rows and stops on the validation rows. The winner's settings are copied into the
``default`` preset by hand; ``python -m lib search`` reruns the search and writes :data:`RESULTS`, which chapter
03 shows.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from lib import choice, paths, recipe, workers
from lib.splicing import experiments

KIND = "bilstm_attention"
SEEDS = (0, 1)
EPOCHS, PATIENCE = 20, 4  # budget of every candidate: long enough for the slowest to reach its best epoch
BASE = {"clf_lr": 3e-3, "clf_batch_size": 64, "clf_schedule": "constant", "clf_weight_decay": 0.0,
        "clf_dropout": 0.0}
CANDIDATES: dict[str, dict] = {
    "base (Adam, lr 3e-3, batch 64)": {},
    "lr 1e-2": {"clf_lr": 1e-2},
    "batch 32": {"clf_batch_size": 32},
    "cosine schedule, lr 1e-2": {"clf_lr": 1e-2, "clf_schedule": "cosine"},
    "dropout 0.3": {"clf_dropout": 0.3},
    "weight decay 0.05 (AdamW)": {"clf_weight_decay": 0.05},
}
RESULTS = paths.NOTEBOOKS / "results" / "recipe_search.csv"


def run(P, sets: experiments.ClassifierData, progress=print) -> pd.DataFrame:
    """Train every candidate of :data:`CANDIDATES` for every seed of :data:`SEEDS` on ``sets`` (cached) and
    return one row per candidate: its settings, the mean and spread over seeds of the lowest validation loss
    (nats per sequence), the validation accuracy at that epoch (%), the epoch it came at, and seconds per epoch.
    Sorted best first."""
    workers.run([(_job, (P, change, seed)) for change in CANDIDATES.values() for seed in SEEDS], P.workers, progress)
    rows = []
    for name, change in CANDIDATES.items():
        Q = _candidate(P, change)
        best = []
        for seed in SEEDS:
            progress(f"search: {name}, seed {seed}")
            _, history = experiments.trained_classifier(Q, KIND, False, seed, sets, None)
            epoch = min(history, key=lambda h: h["val_loss"])
            best.append({"loss": epoch["val_loss"], "accuracy": 100 * epoch["val_accuracy"],
                         "epoch": epoch["epoch"], "seconds": np.mean([h["seconds"] for h in history])})
        found = pd.DataFrame(best)
        rows.append({"candidate": name, **{k: Q[k] for k in BASE}, "best val loss (mean)": found["loss"].mean(),
                     "best val loss (sd)": found["loss"].std(ddof=1), "val accuracy % at best": found["accuracy"].mean(),
                     "best epoch (mean)": found["epoch"].mean(), "seconds per epoch": found["seconds"].mean(),
                     "seeds": len(SEEDS)})
    return pd.DataFrame(rows).sort_values("best val loss (mean)", kind="stable").reset_index(drop=True)


def _candidate(P, change: dict):
    return dataclasses.replace(P, clf_epochs=EPOCHS, patience=PATIENCE, **{**BASE, **change})


def _job(P, change: dict, seed: int) -> None:
    Q = _candidate(P, change)
    experiments.trained_classifier(Q, KIND, False, seed, experiments.classifier_data(Q), None)


def winner(results: pd.DataFrame) -> choice.Choice:
    """The search's winner by the book's choice rule (:func:`lib.recipe.search_choice`): candidates in the
    order of :data:`CANDIDATES`, the base recipe first."""
    return recipe.search_choice(results, CANDIDATES, "best val loss (mean)", "best val loss (sd)", lower_is_better=True)


def preset_accepted(results: pd.DataFrame, P) -> tuple[str | None, choice.Choice]:
    """(the candidate with ``P``'s recipe, the search's choice). A preset is accepted when its candidate is
    tied with the best (``in choice.tied``): any candidate within the winner's seed noise, not one name."""
    return recipe.preset_candidate(results, P, BASE), winner(results)


def save(results: pd.DataFrame, path: Path = RESULTS) -> Path:
    """Write ``results`` to ``path`` (:func:`lib.recipe.save_search`)."""
    return recipe.save_search(results, path)
