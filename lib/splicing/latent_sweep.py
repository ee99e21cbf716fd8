"""Chapter 02's statistics: how well autoencoders of each latent size reconstruct, against what the base
composition alone achieves, and whether the best size stands out from the seed-to-seed spread.

Losses are cross-entropies in nats per base; accuracies are per-base shares (0-1) unless a column says %.
A history is :func:`lib.splicing.train.fit_autoencoder`'s: one dict per epoch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from lib import choice


def base_composition(seqs: Iterable[str]) -> pd.Series:
    """Share of each letter over all bases of ``seqs`` (index: letters, most frequent first; sums to 1)."""
    return pd.Series(list("".join(seqs))).value_counts(normalize=True)


def chance_loss(composition: pd.Series) -> float:
    """The entropy of ``composition`` (nats per base): the loss of a decoder that ignores the latent vector and
    predicts every base from the composition. Its per-base accuracy is ``composition.max()``."""
    return float(-(composition * composition.map(math.log)).sum())


def lowest_loss(history: list[dict]) -> float:
    """The lowest held-out loss over the epochs of a history."""
    return min(h["held_out_loss"] for h in history)


def sweep_table(histories: dict[int, list[dict]]) -> pd.DataFrame:
    """One row per latent size (index ``latent``; ``histories``: size -> history): final held-out loss and
    per-base accuracy (%), lowest held-out loss, epochs, mean seconds per epoch and mean nucleotides per second."""
    return pd.DataFrame([{"latent": latent, "held-out loss (nats/base)": history[-1]["held_out_loss"],
                          "held-out per-base accuracy %": 100 * history[-1]["held_out_accuracy"],
                          "lowest held-out loss": lowest_loss(history),
                          "epochs": len(history),
                          "s/epoch": sum(h["seconds"] for h in history) / len(history),
                          "nt/s": sum(h["nt_per_s"] for h in history) / len(history)}
                         for latent, history in histories.items()]).set_index("latent")


def latent_choice(lowest_losses: dict[int, float], seed_sd: float, paper_best: int) -> choice.Choice:
    """Which latent size reconstructs best, judged against the seed-to-seed spread (:mod:`lib.choice`).

    ``lowest_losses``: latent size -> lowest held-out loss of the sweep (one seed each); ``seed_sd``: the sd of
    that loss over seeds of one size (NaN when unknown). Ties go to the paper's best size ``paper_best`` when the
    sweep has it, then to the smaller size. ``Choice.decided``: the lowest beats every other size by more than
    the margin, so the order is not seed noise."""
    order = sorted(lowest_losses, key=lambda size: (size != paper_best, size))
    return choice.choose({size: choice.Score(loss, seed_sd) for size, loss in lowest_losses.items()}, order)


def runner_up_gap(picked: choice.Choice) -> float:
    """Nats by which the lowest loss beats the second lowest (NaN with one candidate)."""
    others = [gap for name, gap in picked.gaps.items() if name != picked.best]
    return min(others) if others else float("nan")


def order_text(decided: bool) -> str:
    """How the gap between the two best sizes compares with the seed noise, in words (:func:`latent_choice`)."""
    if decided:
        return (f"more than {choice.MARGIN:g} sd of the seed noise of a difference between two runs: the order is a "
                "result")
    return (f"within {choice.MARGIN:g} sd of the seed noise of a difference between two runs: at this precision the "
            "sizes do not differ, and which one comes out lowest is seed noise")


def position_profile(correct: list[np.ndarray], edge: int = 40) -> pd.DataFrame:
    """Reconstruction accuracy (%) by where a base sits: one row per offset 0..``edge``-1 counted from the 5'
    end (column ``from 5' end``) and from the 3' end (``from 3' end``), over the sequences of ``correct`` (one
    bool array per sequence, :func:`lib.splicing.train.reconstructed`) that are at least ``2 * edge`` long."""
    rows = [c for c in correct if len(c) >= 2 * edge]
    if not rows:
        raise ValueError(f"no sequence of at least {2 * edge} nt to profile")
    heads = np.stack([c[:edge] for c in rows])
    tails = np.stack([c[len(c) - edge:][::-1] for c in rows])
    return pd.DataFrame({"from 5' end": 100 * heads.mean(0), "from 3' end": 100 * tails.mean(0)},
                        index=pd.RangeIndex(edge, name="offset"))


def region_accuracy(correct: list[np.ndarray], edge: int = 40) -> dict[str, float]:
    """Reconstruction accuracy (%) of the first ``edge`` bases, the last ``edge`` bases and the bases between
    them, pooled over the sequences of ``correct`` that are at least ``2 * edge`` long."""
    rows = [c for c in correct if len(c) >= 2 * edge]
    parts = {"first bases": [c[:edge] for c in rows], "middle": [c[edge: len(c) - edge] for c in rows],
             "last bases": [c[len(c) - edge:] for c in rows]}
    return {name: 100 * float(np.concatenate(p).mean()) for name, p in parts.items()}


def length_profile(correct: list[np.ndarray], bins: int = 4) -> pd.DataFrame:
    """Reconstruction accuracy (%) per sequence-length quantile bin (``bins`` bins of about equal counts):
    columns ``sequences``, ``shortest``, ``longest`` (nt) and ``accuracy %`` (pooled over the bin's bases)."""
    lengths = np.array([len(c) for c in correct])
    order = np.argsort(lengths, kind="stable")
    rows = []
    for part in np.array_split(order, bins):
        rows.append({"sequences": len(part), "shortest": int(lengths[part].min()), "longest": int(lengths[part].max()),
                     "accuracy %": 100 * float(np.concatenate([correct[i] for i in part]).mean())})
    return pd.DataFrame(rows)


def variant_table(histories: dict[str, list[dict]], hits: dict[str, list[np.ndarray]], edge: int = 40) -> pd.DataFrame:
    """One row per autoencoder variant (``histories``: variant -> history; ``hits``: variant -> per-sequence
    reconstruction hits on the held-out positives): lowest and final held-out loss, final per-base accuracy %,
    and the accuracy % of the first ``edge`` bases, the middle and the last ``edge`` bases
    (:func:`region_accuracy`)."""
    return pd.DataFrame([{"variant": variant, "lowest held-out loss": lowest_loss(history),
                          "final held-out loss": history[-1]["held_out_loss"],
                          "held-out per-base accuracy %": 100 * history[-1]["held_out_accuracy"],
                          **{f"{name} %": value for name, value in region_accuracy(hits[variant], edge).items()}}
                         for variant, history in histories.items()]).set_index("variant")
