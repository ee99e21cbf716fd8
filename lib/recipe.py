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

from lib import choice

SCHEDULES = ("constant", "cosine")
PRECISIONS = ("fp32", "bf16")


@dataclass(frozen=True)
class Recipe:
    """How a model is trained. ``seed`` fixes the initialization, the batch order and dropout; ``patience``
    stops training after that many epochs without a better validation score (``None``: every epoch runs);
    ``weight_decay`` is AdamW's decoupled decay (0: plain Adam); ``schedule`` is ``"constant"`` or ``"cosine"``
    (the learning rate falls from ``lr`` to 0 along a half cosine over ``epochs``, stepped per batch);
    ``precision`` is ``"fp32"`` or ``"bf16"`` (the training steps' forward pass and loss under bfloat16 autocast,
    :func:`autocast`; weights, optimizer state and every evaluation stay float32)."""

    epochs: int
    batch_size: int
    lr: float
    seed: int
    patience: int | None = None
    weight_decay: float = 0.0
    schedule: str = "constant"
    precision: str = "fp32"

    def __post_init__(self):
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule={self.schedule!r}: choose one of {', '.join(SCHEDULES)}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision={self.precision!r}: choose one of {', '.join(PRECISIONS)}")

    def as_key(self) -> dict[str, Any]:
        """The recipe as a plain dict, for cache keys; ``precision`` only where it is not float32, so the models
        trained before the knob existed keep their keys."""
        key = asdict(self)
        if self.precision == "fp32":
            del key["precision"]
        return key


def autocast(precision: str, device: torch.device):
    """The context a training step's forward pass and loss run in: bfloat16 autocast on ``device``'s type for
    ``"bf16"`` (matrix products in bfloat16, float32 accumulation; torch's autocast op lists), nothing for
    ``"fp32"``."""
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bf16")


def optimizer(parameters, recipe: Recipe, steps_per_epoch: int):
    """(AdamW optimizer, scheduler stepped once per batch) for ``recipe``: AdamW with ``recipe.weight_decay``
    (identical to Adam at 0) and the ``recipe.schedule`` learning rate over ``recipe.epochs * steps_per_epoch``
    batches."""
    opt = torch.optim.AdamW(parameters, lr=recipe.lr, weight_decay=recipe.weight_decay)
    total = max(1, recipe.epochs * steps_per_epoch)
    if recipe.schedule == "cosine":
        return opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total)
    return opt, torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1.0)


def search_choice(results: pd.DataFrame, order, score: str, sd: str, lower_is_better: bool) -> choice.Choice:
    """The winner of a recipe search (:mod:`lib.choice`): ``results`` has one row per candidate (column
    ``candidate``, its mean ``score`` over ``seeds`` runs and their sd ``sd``); ``order`` names the candidates,
    the base recipe first, so a change replaces the base only when it wins by more than the margin."""
    rows = results.set_index("candidate")
    scores = {name: choice.Score(float(row[score]), float(row[sd]), int(row["seeds"])) for name, row in rows.iterrows()}
    return choice.choose(scores, [c for c in order if c in scores], lower_is_better)


def preset_candidate(results: pd.DataFrame, P, knobs) -> str | None:
    """The candidate of a recipe search's ``results`` whose settings (``knobs``: column names) are ``P``'s, or
    ``None``."""
    for _, row in results.iterrows():
        if all(P[k] == (row[k].item() if hasattr(row[k], "item") else row[k]) for k in knobs):
            return row["candidate"]
    return None


def save_search(results: pd.DataFrame, path: Path) -> Path:
    """Write a recipe search's ``results`` as CSV (6 significant digits) to ``path``; returns it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    results.to_csv(path, index=False, float_format="%.6g")
    return path
