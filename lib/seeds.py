"""Claims about trained models, made over seeds.

A model trained with one seed is one draw; a claim about "the model" is a statement over the seeds the profile
trains. Two rules, used by the chapters and the scorecard alike:

- An **effect** (initialized minus random accuracy, say) is a paired difference per seed, reported as its mean
  with a 95% t confidence interval; it *holds* when the interval lies above zero, *fails* when it lies below,
  and is *undecided at this precision* when it contains zero, or when the edge nearest zero lies within the
  drift band of zero (:data:`DRIFT_SE` standard errors of the mean). Another CPU trains every seed's model
  anew, which moves a mean over ``n`` seeds about as much as drawing ``n`` new seeds would: by a difference
  whose sd is ``sqrt(2)`` standard errors. The band is :data:`lib.choice.MARGIN` times that sd, the rule the
  book's choices use (measured: an AMD EPYC against an Intel Xeon moved the epochs-saved effect's upper bound by
  3.4 epochs, 2.5 standard errors; the band is 2.8). A verdict decided by less is decided by the machine, not by
  the data.
- A **finding** (where attribution peaks, say) is checked on each seed's model; it *holds* on every seed,
  *fails* on every seed, or is *mixed*, reported as "k of n seeds".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from lib import choice

HOLDS, FAILS, UNDECIDED, MIXED = "holds", "fails", "undecided at this precision", "mixed"
DRIFT_SE = choice.MARGIN * math.sqrt(2)  # the drift band of an effect's interval edges, in standard errors


def paired_effect(treated: Sequence[float], control: Sequence[float], confidence: float = 0.95) -> dict:
    """The paired difference ``treated - control`` over seeds (same order): ``mean``, ``sd``, ``n``, the t
    confidence interval ``low``/``high`` (NaN for fewer than 2 seeds), ``positive`` (how many seeds have a
    difference above zero), ``band`` (the drift band, :data:`DRIFT_SE` standard errors; NaN for one seed) and
    ``verdict`` (:data:`HOLDS` when ``low`` clears zero by more than the band, :data:`FAILS` when ``high`` does
    on the other side, else :data:`UNDECIDED`)."""
    a, b = np.asarray(treated, float), np.asarray(control, float)
    if a.shape != b.shape or a.ndim != 1 or len(a) == 0:
        raise ValueError(f"paired_effect needs two equal-length, non-empty sequences; got {a.shape} and {b.shape}")
    diff = a - b
    n, mean = len(diff), float(diff.mean())
    sd = float(diff.std(ddof=1)) if n > 1 else float("nan")
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n)) if n > 1 else float("nan")
    low, high = mean - half, mean + half
    band = DRIFT_SE * sd / math.sqrt(n) if n > 1 else float("nan")
    verdict = HOLDS if low > band else FAILS if high < -band else UNDECIDED
    return {"mean": mean, "sd": sd, "n": n, "low": low, "high": high, "band": band,
            "positive": int((diff > 0).sum()), "verdict": verdict}


def agreement(holds: Sequence[bool]) -> dict:
    """A finding checked per seed: ``k`` seeds where it holds, of ``n``, and ``verdict`` (:data:`HOLDS` on
    every seed, :data:`FAILS` on none, :data:`MIXED` otherwise)."""
    flags = [bool(h) for h in holds]
    if not flags:
        raise ValueError("agreement needs at least one seed")
    k = sum(flags)
    return {"k": k, "n": len(flags), "verdict": HOLDS if k == len(flags) else FAILS if k == 0 else MIXED}


def effect_text(effect: dict, unit: str = "points") -> str:
    """``+2.5 points (95% CI -1.0 to +6.0, 3 seeds; 2 of 3 positive; drift band ±2.9): undecided at this
    precision``."""
    if effect["n"] < 2:
        return f"{effect['mean']:+.1f} {unit} (1 seed: no interval)"
    return (f"{effect['mean']:+.1f} {unit} (95% CI {effect['low']:+.1f} to {effect['high']:+.1f}, {effect['n']} "
            f"seeds; {effect['positive']} of {effect['n']} positive; drift band ±{effect['band']:.1f}): "
            f"{effect['verdict']}")


def pooled_sd(groups: Sequence[Sequence[float]]) -> tuple[float, int]:
    """The pooled seed-to-seed sd of several groups of per-seed values that share one noise level (each group:
    one quantity over seeds), and its degrees of freedom ``sum(n_i - 1)``: (NaN, 0) when no group has two
    values. Pooling estimates a spread far better than any one group of a few seeds does."""
    arrays = [np.asarray(g, float) for g in groups]
    arrays = [a[~np.isnan(a)] for a in arrays]
    df = sum(len(a) - 1 for a in arrays if len(a) > 1)
    if df == 0:
        return float("nan"), 0
    return float(np.sqrt(sum(((a - a.mean()) ** 2).sum() for a in arrays if len(a) > 1) / df)), int(df)


def sd_upper_factor(df: int, confidence: float = 0.95) -> float:
    """How much larger than an sd estimated with ``df`` degrees of freedom the true sd may be, at
    ``confidence`` (chi-square bound ``sqrt(df / chi2.ppf(1 - confidence, df))``: 4.4 for 2, 2.4 for 4, 1.4 for
    20)."""
    if df < 1:
        raise ValueError(f"an sd needs at least 1 degree of freedom, got {df}")
    return float(np.sqrt(df / stats.chi2.ppf(1 - confidence, df)))
