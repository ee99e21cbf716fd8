"""The one training convention of the book, shared by both papers' models.

Every training function is ``fit(model, <training inputs>, <validation inputs>, recipe, device) -> history``
(``history``: one dict per epoch) and every prediction function is
``predict(model, inputs, batch_size, device) -> np.ndarray`` of shape (n,), the probability of class 1.
A :class:`Recipe` holds what the configuration decides about training.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import torch

SCHEDULES = ("constant", "cosine")


@dataclass(frozen=True)
class Recipe:
    """How a model is trained. ``seed`` fixes the initialization, the batch order and dropout; ``patience``
    stops training after that many epochs without a better validation score (``None``: every epoch runs);
    ``weight_decay`` is AdamW's decoupled decay (0: plain Adam); ``schedule`` is ``"constant"`` or ``"cosine"``
    (the learning rate falls from ``lr`` to 0 along a half cosine over ``epochs``, stepped per batch)."""

    epochs: int
    batch_size: int
    lr: float
    seed: int
    patience: int | None = None
    weight_decay: float = 0.0
    schedule: str = "constant"

    def __post_init__(self):
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule={self.schedule!r}: choose one of {', '.join(SCHEDULES)}")

    def as_key(self) -> dict[str, Any]:
        """The recipe as a plain dict, for cache keys."""
        return asdict(self)


def optimizer(parameters, recipe: Recipe, steps_per_epoch: int):
    """(AdamW optimizer, scheduler stepped once per batch) for ``recipe``: AdamW with ``recipe.weight_decay``
    (identical to Adam at 0) and the ``recipe.schedule`` learning rate over ``recipe.epochs * steps_per_epoch``
    batches."""
    opt = torch.optim.AdamW(parameters, lr=recipe.lr, weight_decay=recipe.weight_decay)
    total = max(1, recipe.epochs * steps_per_epoch)
    if recipe.schedule == "cosine":
        return opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total)
    return opt, torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1.0)


def search_winner(results: pd.DataFrame, knobs) -> dict[str, Any]:
    """The settings (``knobs``: column names) of the first row of a recipe search's ranked ``results``, as
    knob -> plain Python value."""
    best = results.iloc[0]
    return {k: (best[k].item() if hasattr(best[k], "item") else best[k]) for k in knobs}


def save_search(results: pd.DataFrame, path: Path) -> Path:
    """Write a recipe search's ``results`` as CSV (6 significant digits) to ``path``; returns it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    results.to_csv(path, index=False, float_format="%.6g")
    return path
