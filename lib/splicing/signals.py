"""The known splice signals beyond GT/AG, and whether a model's evidence at them has the expected sign (chapter 05).

Every sequence of the data set reads GT at the donor and AG at the acceptor, so those four bases cannot tell a
junction from a negative; the consensus around them can. :data:`SIGNALS` lists the textbook ones (Burge, Tuschl
and Sharp 1999; the U2-type consensus MAG|GURAGU ... YYYYYYYYNCAG|G), in window coordinates
(:func:`lib.splicing.attribution.positions`: at the donor -1 is the last exon base and +1 the G of GT; at the
acceptor -1 is the G of AG, -3 the base before AG). For a true junction the consensus bases should push the
score towards "junction": a positive attribution, and a positive weight in the position-aware control.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from lib import vocab
from lib.splicing import attribution


class Signal(NamedTuple):
    name: str
    site: str  # "donor" or "acceptor"
    positions: tuple[int, ...]  # window coordinates
    consensus: str  # the bases expected there, e.g. "CT" for a pyrimidine


SIGNALS = (
    Signal("exon's last bases A|G (AG|GT), -2", "donor", (-2,), "A"),
    Signal("exon's last base G, -1", "donor", (-1,), "G"),
    Signal("intron +3, purine", "donor", (3,), "AG"),
    Signal("intron +4, A", "donor", (4,), "A"),
    Signal("intron +5, G", "donor", (5,), "G"),
    Signal("intron +6, T", "donor", (6,), "T"),
    Signal("polypyrimidine tract, -20 to -5", "acceptor", tuple(range(-20, -4)), "CT"),
    Signal("base before AG, -3, pyrimidine", "acceptor", (-3,), "CT"),
)


def _columns(signal: Signal, width: int) -> np.ndarray:
    coordinates = attribution.positions(width)
    return np.array([int(np.flatnonzero(coordinates == p)[0]) for p in signal.positions])


def _bases(signal: Signal) -> np.ndarray:
    return np.array([b in signal.consensus for b in vocab.BASES])


def control_weight(coefficients: pd.DataFrame, signal: Signal) -> float:
    """The control's log-odds weight of the consensus bases minus that of the other bases, averaged over the
    signal's positions (``coefficients``: :meth:`lib.splicing.control.Control.coefficients`); NaN when the
    control's window does not reach the signal."""
    if not all((signal.site, p) in coefficients.index for p in signal.positions):
        return float("nan")
    rows = coefficients.loc[[(signal.site, p) for p in signal.positions]].to_numpy()
    chosen = _bases(signal)
    return float((rows[:, chosen].mean(1) - rows[:, ~chosen].mean(1)).mean())


def attribution_means(windows, signal: Signal) -> tuple[float, float]:
    """Mean attribution at the signal's positions of true junctions carrying a consensus base, and of those
    carrying another base: (consensus, other), NaN where no junction does. ``windows``:
    :class:`lib.splicing.ig_summary.SiteWindows`."""
    width = windows.attributions[signal.site].shape[1] // 2
    cols = _columns(signal, width)
    values = windows.attributions[signal.site][windows.positive][:, cols]
    bases = windows.bases[signal.site][windows.positive][:, cols]  # (k, p, 4)
    consensus = bases[:, :, _bases(signal)].sum(-1) > 0
    other = bases[:, :, ~_bases(signal)].sum(-1) > 0
    return _mean(values[consensus]), _mean(values[other])


def _mean(values: np.ndarray) -> float:
    """The mean of the finite ``values``; NaN when there are none (no sequence carries such a base there)."""
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else float("nan")


def table(coefficients: pd.DataFrame, by_baseline: dict) -> pd.DataFrame:
    """One row per signal of :data:`SIGNALS`: the control's weight (:func:`control_weight`) and, per IG baseline
    of ``by_baseline`` (name -> SiteWindows), the mean attribution at consensus and at other bases among true
    junctions, and ``expected sign`` (consensus attribution above zero and above the other bases')."""
    rows = []
    for signal in SIGNALS:
        row = {"signal": signal.name, "site": signal.site, "consensus": "/".join(signal.consensus),
               "control weight": control_weight(coefficients, signal)}
        for name, windows in by_baseline.items():
            consensus, other = attribution_means(windows, signal)
            row[f"IG {name}: consensus"] = consensus
            row[f"IG {name}: other bases"] = other
            row[f"IG {name}: expected sign"] = bool(consensus > 0 and consensus > other)
        rows.append(row)
    return pd.DataFrame(rows).set_index("signal")
