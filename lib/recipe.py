"""The one training convention of the book, shared by both papers' models.

Every training function is ``fit(model, <training inputs>, <validation inputs>, recipe, device) -> history``
(``history``: one dict per epoch) and every prediction function is
``predict(model, inputs, batch_size, device) -> np.ndarray`` of shape (n,), the probability of class 1.
A :class:`Recipe` holds what the configuration decides about training.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Recipe:
    """How a model is trained. ``seed`` fixes the initialization, the batch order and dropout; ``patience``
    stops training after that many epochs without a better validation accuracy (``None``: every epoch runs)."""

    epochs: int
    batch_size: int
    lr: float
    seed: int
    patience: int | None = None

    def as_key(self) -> dict[str, Any]:
        """The recipe as a plain dict, for cache keys."""
        return asdict(self)
