"""Chapter 05's figures (paper A, Figures 2-5): Integrated-Gradients profiles and logos around the splice sites.

Each function draws one figure of two panels, the donor (left) and the acceptor (right), from the converged
windows of one model (:class:`lib.splicing.ig_summary.SiteWindows`), and returns the matplotlib Figure; the
caller glues and closes it. Positions count from the site: -1 is the last base before it, +1 the first after.
"""

from __future__ import annotations

import logomaker
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lib import vocab
from lib.splicing import attribution
from lib.splicing.ig_summary import SiteWindows

SITE_TITLES = {"donor": "donor (exon | intron)", "acceptor": "acceptor (intron | exon)"}


def _profile_panels(windows: SiteWindows) -> tuple[Figure, list[tuple[Axes, str]], np.ndarray]:
    """A 12 x 3.4 inch figure of two panels sharing the y axis: (figure, [(axes, site)], positions (2w,))."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.4), sharey=True)
    x = attribution.positions(windows.attributions["donor"].shape[1] // 2)
    return fig, list(zip(axes, windows.attributions)), x


def _label(ax: Axes, site: str, ylabel: str, title_suffix: str = "") -> None:
    """Mark the site (a grey line at 0) and label a profile panel."""
    ax.axvline(0, color="grey", lw=0.8)
    ax.set(title=SITE_TITLES[site] + title_suffix, xlabel="position relative to the site", ylabel=ylabel)


def mean_profiles(windows: SiteWindows) -> Figure:
    """Figure 2: mean attribution per position over all the windows' sequences, as bars."""
    fig, panels, x = _profile_panels(windows)
    for ax, site in panels:
        ax.bar(x, np.nanmean(windows.attributions[site], axis=0), width=0.9, color="tab:blue")
        _label(ax, site, "mean attribution")
    fig.tight_layout()
    return fig


def class_profiles(windows: SiteWindows) -> Figure:
    """Figure 3: mean attribution per position of the positive and of the negative sequences."""
    fig, panels, x = _profile_panels(windows)
    for ax, site in panels:
        for mask, label, color in ((windows.positive, "positive", "tab:green"),
                                   (~windows.positive, "negative", "tab:red")):
            ax.plot(x, np.nanmean(windows.attributions[site][mask], axis=0), label=label, color=color, marker=".",
                    lw=1)
        _label(ax, site, "mean attribution")
    panels[0][0].legend()
    fig.tight_layout()
    return fig


def nucleotide_profiles(windows: SiteWindows) -> Figure:
    """Figure 4: per position, the positives' mean attribution where each base is present
    (:func:`lib.splicing.attribution.per_nucleotide`), one line per base."""
    fig, panels, x = _profile_panels(windows)
    pos = windows.positive
    for ax, site in panels:
        means = attribution.per_nucleotide(windows.attributions[site][pos], windows.bases[site][pos])
        for k, base in enumerate(vocab.BASES):
            ax.plot(x, means[:, k], label=base, marker=".", lw=1)
        _label(ax, site, "mean attribution where the base is present", ", positives")
    panels[0][0].legend(ncol=4)
    fig.tight_layout()
    return fig


def logos(windows: SiteWindows, zoom: int = 10) -> Figure:
    """Figure 5: logos of the positives' attribution-weighted bases
    (:func:`lib.splicing.attribution.logo_matrix`), ``zoom`` nt on each side of each site; letters below zero
    pushed the score towards "not a junction"."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.0))
    x = attribution.positions(windows.attributions["donor"].shape[1] // 2)
    pos = windows.positive
    for ax, site in zip(axes, windows.attributions):
        matrix = attribution.logo_matrix(windows.attributions[site][pos], windows.bases[site][pos])
        zoomed = pd.DataFrame(matrix, columns=list(vocab.BASES), index=x).loc[-zoom:zoom]
        logomaker.Logo(zoomed.reset_index(drop=True), ax=ax)
        ax.set_xticks(range(2 * zoom), [str(p) for p in zoomed.index])
        ax.axvline(zoom - 0.5, color="grey", lw=0.8)
        ax.set(title=SITE_TITLES[site] + ", positives", ylabel="attribution")
    fig.tight_layout()
    return fig
