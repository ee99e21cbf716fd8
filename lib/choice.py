"""Choices taken from trained results, made so that seed noise cannot flip them.

The book picks things from trained results: the autoencoder variant that feeds chapters 03-05, the best latent
size, the classifier that Integrated Gradients explains, the architecture of the learning curves, the winners of
the recipe searches. Two candidates whose scores differ by less than the seed-to-seed noise are a tie, and a
tie must not be broken by noise (another seed, another CPU). One rule, used for every such choice:

- Every candidate has a score: a mean over ``n`` seeds and the seed-to-seed sd of one run (:class:`Score`).
- The noise of the difference between two candidates is ``sqrt(sd_a**2 / n_a + sd_b**2 / n_b)`` (independent
  runs; for one seed each with a shared sd, ``sqrt(2) * sd``).
- A candidate is **tied with the best** when its gap to the best score is at most :data:`MARGIN` times that noise
  (or when the noise is unknown: one seed and no sd).
- The choice is the **first tied candidate in a declared order**, whose first entry is the declared default (the
  paper's own variant or model). So a candidate replaces the default only when it beats it by more than the
  margin, and among candidates within the margin of each other the declared order decides, not the noise.

The choice flips only if a gap crosses its threshold; :attr:`Choice.closest` says how far the nearest such
crossing is, in units of its noise, and the chapters print it with the rule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

MARGIN = 2.0  # a candidate beats another only by more than this many sd of the noise of their difference


@dataclass(frozen=True)
class Score:
    """A candidate's score: ``mean`` over ``n`` seeds and ``sd``, the seed-to-seed standard deviation of one
    run's score (NaN when unknown). Same unit as the score (a loss in nats, an accuracy in %)."""

    mean: float
    sd: float
    n: int = 1

    @classmethod
    def of(cls, values: Sequence[float], sd: float | None = None) -> Score:
        """The mean of per-seed ``values``, with their sample sd (or ``sd`` when given: a spread measured
        elsewhere, for one run per candidate)."""
        values = np.asarray(values, float)
        if values.size == 0:
            raise ValueError("a score needs at least one value")
        spread = float(values.std(ddof=1)) if sd is None and values.size > 1 else sd
        return cls(float(values.mean()), float("nan") if spread is None else float(spread), int(values.size))

    @property
    def se(self) -> float:
        """Standard error of :attr:`mean`."""
        return self.sd / math.sqrt(self.n)


def noise(a: Score, b: Score) -> float:
    """The seed noise (sd) of ``a.mean - b.mean`` for independent runs."""
    return math.hypot(a.se, b.se)


@dataclass(frozen=True)
class Choice:
    """The outcome of :func:`choose`. ``gaps``: candidate -> how much worse than the best (score units, >= 0);
    ``noises``: candidate -> noise of that gap (sd); ``tied``: the candidates within the margin of the best, in
    the declared order."""

    chosen: str
    best: str
    order: tuple[str, ...]
    scores: dict[str, Score]
    gaps: dict[str, float]
    noises: dict[str, float]
    tied: tuple[str, ...]
    margin: float
    lower_is_better: bool

    @property
    def default(self) -> str:
        return self.order[0]

    @property
    def decided(self) -> bool:
        """The best candidate beats every other by more than the margin: the order at the top is a result."""
        return len(self.tied) == 1

    @property
    def closest(self) -> tuple[str, float] | None:
        """(candidate, distance) of the candidate closest to crossing the tie threshold: ``distance`` is
        ``|gap / noise - margin|`` in noise sds. ``None`` when no candidate other than the best has a known
        noise."""
        calls = {c: abs(self.gaps[c] / self.noises[c] - self.margin) for c in self.order
                 if c != self.best and self.noises[c] > 0}
        if not calls:
            return None
        name = min(calls, key=calls.get)
        return name, calls[name]

    def rule(self) -> str:
        better = "lower" if self.lower_is_better else "higher"
        return (f"rule ({better} is better): a candidate within {self.margin:g} sd of the noise of its difference "
                f"from the best counts as tied with it, and the first tied candidate in the declared order "
                f"({', '.join(map(str, self.order))}) is chosen")

    def text(self, fmt: str = ".4f") -> str:
        """One paragraph for the chapter: the choice, the scores, the tie set, the margin and the rule."""
        scores = ", ".join(f"{c} {self.scores[c].mean:{fmt}}" for c in self.order)
        if self.chosen == self.best:
            how = "the best score" + (", beating every other by more than the margin" if self.decided else "")
        else:
            how = f"tied with the best ({self.best}) and first in the declared order"
        closest = self.closest
        near = ("" if closest is None else f"; the closest call is {closest[0]} (gap {self.gaps[closest[0]]:{fmt}}, "
                f"{closest[1]:.1f} noise sd from the threshold of {self.margin:g} sd)")
        return (f"chosen: {self.chosen} ({how}); scores: {scores}; tied with the best: "
                f"{', '.join(map(str, self.tied))}{near}. The {self.rule()}.")


def choose(scores: Mapping[str, Score], order: Sequence[str], lower_is_better: bool = True,
           margin: float = MARGIN) -> Choice:
    """Choose among ``scores`` (candidate -> :class:`Score`) by the module's rule; ``order`` lists every
    candidate, the declared default first. Raises ``ValueError`` when the candidates and the order differ or a
    score is not finite."""
    order = tuple(order)
    if set(order) != set(scores) or len(order) != len(scores):
        raise ValueError(f"the declared order {list(order)} must list each candidate {sorted(map(str, scores))} once")
    bad = [c for c in order if not math.isfinite(scores[c].mean)]
    if bad:
        raise ValueError(f"candidates without a finite score: {bad}")
    sign = 1.0 if lower_is_better else -1.0
    best = min(order, key=lambda c: (sign * scores[c].mean, order.index(c)))
    gaps = {c: sign * (scores[c].mean - scores[best].mean) for c in order}
    noises = {c: noise(scores[c], scores[best]) for c in order}
    tied = tuple(c for c in order if c == best or not gaps[c] > margin * noises[c])  # NaN noise: tied
    return Choice(tied[0], best, order, dict(scores), gaps, noises, tied, margin, lower_is_better)
