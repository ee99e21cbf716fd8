"""lib.splicing.ig_figures: each of chapter 05's figures draws two labelled site panels from toy windows."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from lib.splicing import ig_figures
from lib.splicing.ig_summary import SiteWindows


@pytest.fixture
def windows():
    rng = np.random.default_rng(0)
    n, width = 6, 12
    bases = np.eye(4)[rng.integers(0, 4, size=(n, 2 * width))]
    return SiteWindows({site: rng.normal(size=(n, 2 * width)) for site in ("donor", "acceptor")},
                       {site: bases for site in ("donor", "acceptor")}, np.arange(n) % 2 == 0)


@pytest.mark.parametrize("draw, lines, ylabel", [
    (ig_figures.mean_profiles, 0, "mean attribution"),
    (ig_figures.class_profiles, 2, "mean attribution"),
    (ig_figures.nucleotide_profiles, 4, "mean attribution where the base is present"),
])
def test_profiles_draw_one_panel_per_site(windows, draw, lines, ylabel):
    fig = draw(windows)
    try:
        assert isinstance(fig, Figure)
        donor, acceptor = fig.axes
        assert donor.get_title().startswith("donor (exon | intron)")
        assert acceptor.get_title().startswith("acceptor (intron | exon)")
        assert donor.get_ylabel() == ylabel and donor.get_xlabel() == "position relative to the site"
        assert len(donor.lines) == lines + 1  # the profiles and the grey line at the site
        if lines:
            assert [t.get_text() for t in donor.get_legend().get_texts()][:2] in (["positive", "negative"],
                                                                                   ["A", "C"])
    finally:
        plt.close(fig)


def test_mean_profile_bars_are_the_mean_attribution(windows):
    fig = ig_figures.mean_profiles(windows)
    try:
        heights = [bar.get_height() for bar in fig.axes[1].patches]
        assert heights == pytest.approx(windows.attributions["acceptor"].mean(axis=0).tolist())
    finally:
        plt.close(fig)


def test_logos_zoom_on_the_sites():
    n, width, zoom = 4, 8, 3
    g = np.zeros((n, 2 * width, 4))
    g[:, :, 2] = 1  # G everywhere, with attribution 1.0 in the positives only: one G per position in each logo
    windows = SiteWindows({site: np.ones((n, 2 * width)) for site in ("donor", "acceptor")},
                          {site: g for site in ("donor", "acceptor")}, np.arange(n) < 2)
    fig = ig_figures.logos(windows, zoom=zoom)
    try:
        donor, acceptor = fig.axes
        assert [t.get_text() for t in donor.get_xticklabels()] == ["-3", "-2", "-1", "1", "2", "3"]
        assert acceptor.get_title() == "acceptor (intron | exon), positives"
        assert donor.get_ylabel() == "attribution"
        assert len(donor.patches) == 2 * zoom  # one letter glyph per shown position
        assert donor.get_ylim()[1] >= 1.0
    finally:
        plt.close(fig)
