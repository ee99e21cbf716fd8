"""Claims about trained models, made over seeds.

A model trained with one seed is one draw; a claim about "the model" is a statement over the seeds the profile
trains. Two rules, used by the chapters and the scorecard alike:

- An **effect** (initialized minus random accuracy, say) is a paired difference per seed, reported as its mean
  with a 95% t confidence interval; it *holds* when the interval lies above zero, *fails* when it lies below,
  and is *undecided at this precision* when it contains zero.
- A **finding** (where attribution peaks, say) is checked on each seed's model; it *holds* on every seed,
  *fails* on every seed, or is *mixed*, reported as "k of n seeds".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

HOLDS, FAILS, UNDECIDED, MIXED = "holds", "fails", "undecided at this precision", "mixed"


def paired_effect(treated: Sequence[float], control: Sequence[float], confidence: float = 0.95) -> dict:
    """The paired difference ``treated - control`` over seeds (same order): ``mean``, ``sd``, ``n``, the t
    confidence interval ``low``/``high`` (NaN for fewer than 2 seeds), ``positive`` (how many seeds have a
    difference above zero) and ``verdict`` (:data:`HOLDS`, :data:`FAILS` or :data:`UNDECIDED`)."""
    a, b = np.asarray(treated, float), np.asarray(control, float)
    if a.shape != b.shape or a.ndim != 1 or len(a) == 0:
        raise ValueError(f"paired_effect needs two equal-length, non-empty sequences; got {a.shape} and {b.shape}")
    diff = a - b
    n, mean = len(diff), float(diff.mean())
    sd = float(diff.std(ddof=1)) if n > 1 else float("nan")
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n)) if n > 1 else float("nan")
    low, high = mean - half, mean + half
    verdict = HOLDS if low > 0 else FAILS if high < 0 else UNDECIDED
    return {"mean": mean, "sd": sd, "n": n, "low": low, "high": high, "positive": int((diff > 0).sum()),
            "verdict": verdict}


def agreement(holds: Sequence[bool]) -> dict:
    """A finding checked per seed: ``k`` seeds where it holds, of ``n``, and ``verdict`` (:data:`HOLDS` on
    every seed, :data:`FAILS` on none, :data:`MIXED` otherwise)."""
    flags = [bool(h) for h in holds]
    if not flags:
        raise ValueError("agreement needs at least one seed")
    k = sum(flags)
    return {"k": k, "n": len(flags), "verdict": HOLDS if k == len(flags) else FAILS if k == 0 else MIXED}


def effect_text(effect: dict, unit: str = "points") -> str:
    """``+2.5 points (95% CI -1.0 to +6.0, 3 seeds; 2 of 3 positive): undecided at this precision``."""
    if effect["n"] < 2:
        return f"{effect['mean']:+.1f} {unit} (1 seed: no interval)"
    return (f"{effect['mean']:+.1f} {unit} (95% CI {effect['low']:+.1f} to {effect['high']:+.1f}, {effect['n']} "
            f"seeds; {effect['positive']} of {effect['n']} positive): {effect['verdict']}")
