"""The figures of chapters 10-11. Each function draws one figure and returns it, closed in pyplot: it shows
where the chapter glues or displays it, not a second time at the end of the cell.

Inputs are the tables of :mod:`lib.coding.accuracy` and :mod:`lib.coding.saliency` and the saliency maps of
:func:`lib.coding.attribution.analyse`; positions are 1-based.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from lib.coding import attribution, published, saliency


def _done(fig: Figure) -> Figure:
    fig.tight_layout()
    plt.close(fig)
    return fig


def table1(table: pd.DataFrame) -> Figure:
    """Paper B's Table 1 (:func:`lib.coding.accuracy.table1`) as horizontal bars: this book's rows (blue, with
    their SD over seeds) above the published accuracies (grey)."""
    fig, ax = plt.subplots(figsize=(8, 4))
    labels = [f"{m}\n{s}" for m, s in zip(table["method"], table["evaluated on / source"])]
    ours = table["method"].str.endswith("this book").sum()
    colors = ["tab:blue"] * ours + ["tab:gray"] * (len(table) - ours)
    ax.barh(labels, table["accuracy %"], xerr=table["SD %"].fillna(0), color=colors)
    ax.set_xlim(50, 100)
    ax.invert_yaxis()
    ax.set_xlabel("accuracy (%)")
    ax.tick_params(axis="y", labelsize=7)
    return _done(fig)


def mean_std(positions: pd.DataFrame, pearson_r: float) -> Figure:
    """Paper B's Figure 1: each position's mean against its SD (:func:`lib.coding.saliency.positional_stats`),
    the high positions starred; the title gives ``pearson_r`` beside the paper's."""
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.scatter(positions["mean"], positions["std"], s=12, color="tab:blue", label="position")
    high = positions[positions["high"]]
    ax.scatter(high["mean"], high["std"], marker="*", s=60, color="red", label="mean above 75th percentile")
    ax.set_xlabel(r"mean importance $\mu_j$")
    ax.set_ylabel(r"standard deviation $\sigma_j$")
    ax.set_title(f"Pearson r = {pearson_r:.3f} (paper: {published.PEARSON_R:.3f})")
    ax.legend(fontsize=8)
    return _done(fig)


def profile(positions: pd.DataFrame, n: int) -> Figure:
    """Paper B's Figure 2: the positional mean over ``n`` sequences with its 95% confidence band and ±1 SD,
    the 75th percentile of the means (dashed) and the positions above it (red)."""
    fig, ax = plt.subplots(figsize=(9, 3.5))
    x = positions.index
    ax.fill_between(x, positions["mean"] - positions["std"], positions["mean"] + positions["std"], color="tab:blue",
                    alpha=0.12, label="mean ± 1 SD")
    half = 1.96 * positions["std"] / np.sqrt(n)
    ax.fill_between(x, positions["mean"] - half, positions["mean"] + half, color="tab:blue", alpha=0.35,
                    label="95% confidence band of the mean")
    ax.plot(x, positions["mean"], color="tab:blue", lw=1)
    ax.axhline(positions.attrs["threshold"], color="red", ls="--", lw=1, label="75th percentile of the means")
    high = positions[positions["high"]]
    ax.scatter(high.index, high["mean"], color="red", s=8, zorder=3)
    ax.set_xlabel("position (nt)")
    ax.set_ylabel("importance")
    ax.set_xlim(1, len(x))
    ax.legend(fontsize=8, ncols=3, loc="upper center")
    return _done(fig)


def class_profiles(classes: pd.DataFrame) -> Figure:
    """Paper B's Figure 3: the class means (:func:`lib.coding.saliency.class_means`, top) and their
    difference, raw and of the profiles scaled to equal average (bottom), over the paper's regions."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5), sharex=True, height_ratios=[3, 2])
    top.plot(classes.index, classes["coding"], label="coding", color="tab:green")
    top.plot(classes.index, classes["intergenomic"], label="intergenomic", color="tab:purple")
    top.set_ylabel("mean importance")
    top.legend(fontsize=8)
    bottom.plot(classes.index, classes["delta"], color="black", label=r"$\delta = \mu_{coding} - \mu_{intergenomic}$")
    bottom.plot(classes.index, classes["relative delta"] * classes["intergenomic"].mean(), color="tab:orange",
                label=r"$\delta$ of profiles scaled to equal average")
    bottom.axhline(0, color="grey", lw=0.8)
    for first, last in published.REGIONS.values():
        for ax in (top, bottom):
            ax.axvspan(first, last, color="grey", alpha=0.12)
    spans = " and ".join(published.span(region) for region in published.REGIONS.values())
    bottom.set_xlabel(f"position (nt); shaded: the paper's regions {spans}")
    bottom.set_ylabel(r"$\delta$")
    bottom.legend(fontsize=8)
    return _done(fig)


def spectrum(importance: np.ndarray, labels: np.ndarray) -> Figure:
    """The mean power spectrum (:func:`lib.coding.saliency.spectrum`) of the importance maps (n, L) of each
    true class (``labels``), log scale, period 3 marked."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    for label, name, color in ((0, "coding", "tab:green"), (1, "intergenomic", "tab:purple")):
        spec = saliency.spectrum(importance[labels == label])
        ax.plot(1 / spec.index, spec.to_numpy(), label=name, color=color, lw=1)
    ax.axvline(1 / 3, color="red", ls="--", lw=1, label="period 3")
    ax.set_yscale("log")
    ax.set_xlabel("frequency (cycles per position)")
    ax.set_ylabel("mean normalised power")
    ax.legend(fontsize=8)
    return _done(fig)


def methods(result: dict[str, np.ndarray]) -> Figure:
    """The positional mean of plain gradients, Integrated Gradients and SmoothGrad on the sequences where they
    are compared (:func:`lib.coding.attribution.compared`), each scaled to its own average."""
    fig, ax = plt.subplots(figsize=(9, 3))
    for values, name in ((attribution.compared(result), "gradient"), (result["ig"], "Integrated Gradients"),
                         (result["smoothgrad"], "SmoothGrad")):
        profile_mean = values.mean(0)
        ax.plot(np.arange(1, len(profile_mean) + 1), profile_mean / profile_mean.mean(), label=name, lw=1)
    ax.set_xlabel("position (nt)")
    ax.set_ylabel("mean importance / its average")
    ax.legend(fontsize=8)
    return _done(fig)
