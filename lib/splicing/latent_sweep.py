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


def best_latent(lowest_losses: dict[int, float], replicate_losses: list[float]) -> dict:
    """Which latent size reconstructs best, judged against the seed-to-seed spread.

    ``lowest_losses``: latent size -> lowest held-out loss of the sweep (one seed each); ``replicate_losses``: the
    lowest held-out loss of one size trained with several seeds. Returns ``best`` (the size with the lowest
    loss), ``gap`` (nats: second lowest minus lowest), ``seed_sd`` (sample sd of the replicates; NaN for fewer
    than 2) and ``decided``: the gap exceeds twice the seed sd, so the order is not seed noise."""
    order = sorted(lowest_losses, key=lowest_losses.get)
    gap = lowest_losses[order[1]] - lowest_losses[order[0]] if len(order) > 1 else float("nan")
    sd = float(np.std(replicate_losses, ddof=1)) if len(replicate_losses) > 1 else float("nan")
    return {"best": order[0], "gap": float(gap), "seed_sd": sd, "decided": bool(gap > 2 * sd)}


def order_text(decided: bool) -> str:
    """How the gap between the two best sizes compares with the seed spread, in words (:func:`best_latent`)."""
    if decided:
        return "more than twice the seed-to-seed standard deviation: the order is a result"
    return ("less than twice the seed-to-seed standard deviation: at this precision the sizes do not differ, and "
            "which one comes out lowest is seed noise")
