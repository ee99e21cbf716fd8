"""lib.splicing.ig_summary: chapter 05's numbers on toy attributions whose answers are known by construction."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from lib.splicing import ig_summary
from lib.splicing.attribution import positions

FLANK, WIDTH = 3, 4
# flank exon + intron + flank exon; the intron starts with GT and ends with AG
ROWS = pd.DataFrame({"seq": ["CCA" + "GTAAAG" + "GCC", "TTC" + "GTCCCCAG" + "ATT", "AAA" + "GTGCAG" + "TTT"],
                     "length": [6, 8, 6], "label": [1, 0, 1]})


def toy_run(relative_deltas, steps):
    """One seed's run: every row's attribution sums to 1 over its bases, so its relative delta is the delta."""
    values = [np.full(len(s), 1 / len(s)) for s in ROWS["seq"]]
    return values, np.array(relative_deltas, float), np.array(steps)


def test_site_sample_keeps_only_the_chosen_rows_and_aligns_their_bases():
    sample = ig_summary.SiteSample.of(ROWS, FLANK, WIDTH)
    assert sample.positive.tolist() == [True, False, True]
    assert sample.bases["donor"].shape == (3, 2 * WIDTH, 4)
    values = [np.arange(len(s), dtype=float) for s in ROWS["seq"]]
    windows = sample.windows(values, np.array([False, True, True]))
    assert windows.positive.tolist() == [False, True]
    x = positions(WIDTH)
    assert windows.attributions["donor"][0, x == 1].item() == FLANK  # intron +1 is sequence index FLANK
    assert windows.attributions["acceptor"][0, x == 1].item() == FLANK + 8  # exon +1 after an 8-nt intron
    assert np.isnan(windows.attributions["donor"][0, 0])  # before the sequence start
    g = windows.bases["donor"][:, x == 1, 2]  # G at intron +1 in every row
    assert g.tolist() == [[1.0], [1.0]]


def test_describe_sample_names_profile_device_seeds_and_sample():
    P = SimpleNamespace(profile="smoke", device="cpu", ig_steps=20, ig_max_steps=160)
    assert ig_summary.describe_sample(P, ROWS, "autoencoder-initialized BiLSTM + attention", [0, 1]) == (
        "profile 'smoke' on cpu: autoencoder-initialized BiLSTM + attention, seeds [0, 1]; 3 test sequences "
        "(2 positives); 20 steps (up to 160); window 40 nt")


def test_convergence_judges_seeds_by_their_converged_positives():
    positive = ROWS["label"].to_numpy() == 1
    runs = {0: toy_run([0.5, 0.0, 0.5], [4, 2, 4]),  # no positive converged
            1: toy_run([0.0, 0.5, 0.5], [2, 4, 2]),  # one of two positives
            2: toy_run([0.0, 0.5, 0.0], [2, 4, 2])}  # both positives
    kept = ig_summary.converged(runs, tolerance=0.01)
    assert {s: k.tolist() for s, k in kept.items()} == {0: [False, True, False], 1: [True, False, False],
                                                         2: [True, False, True]}
    assert ig_summary.positives_converged(kept, positive) == {0: 0, 1: 1, 2: 2}
    assert ig_summary.judged_seeds(kept, positive, minimum=1) == [1, 2]
    assert ig_summary.judged_seeds(kept, positive, minimum=2) == [2]
    assert ig_summary.shown_seed([1, 2], [0, 1, 2]) == 1  # the first judged seed, whichever converged most
    assert ig_summary.shown_seed([], [0, 1, 2]) == 0

    table = ig_summary.convergence_table(runs, kept, positive, {0: 0.5, 1: 0.75, 2: 1.0}, first_steps=2)
    assert table.index.name == "seed"
    assert table.loc[1].to_dict() == {"test accuracy of the model %": 75.0, "sequences converged": 1,
                                      "positives converged": 1, "median |delta| / sum |attribution|": 0.5,
                                      "sequences given more steps": 1, "most steps used": 4}
    glued = ig_summary.convergence_glue(table, len(ROWS), [1, 2], 2, 0.01, 1)
    assert glued == {"ig_delta": "5.0e-01", "ig_converged": "4 of 9", "ig_refined": 4, "ig_most_steps": 4,
                     "ig_tolerance": "0.01", "ig_judged_minimum": 1, "ig_judged": "1, 2", "ig_shown": 2}
    assert ig_summary.convergence_glue(table, len(ROWS), [], 2, 0.01, 1)["ig_judged"] == "none"


def planted_windows(n=4, width=10):
    """Half positives, half negatives; all attribution on intron +1 at the donor (1.0) and on -2 at the acceptor
    (-2.0 for positives, -1.0 for negatives). The bases cycle A, C, G, T along each window, so G sits at the
    donor's +1 and A at the acceptor's -2."""
    x = positions(width)
    positive = np.arange(n) < n // 2
    attributions = {site: np.zeros((n, 2 * width)) for site in ("donor", "acceptor")}
    attributions["donor"][:, x == 1] = 1.0
    attributions["acceptor"][:, x == -2] = np.where(positive, -2.0, -1.0)[:, None]
    cycle = np.eye(4)[np.arange(2 * width) % 4]
    bases = {site: np.broadcast_to(cycle, (n, 2 * width, 4)).copy() for site in attributions}
    return ig_summary.SiteWindows(attributions, bases, positive)


def test_findings_per_seed_table_and_glue():
    stats = ig_summary.seed_statistics(planted_windows())
    assert stats["converged_positives"] == 2
    assert stats["peak"] == {"donor": 1, "acceptor": -2}
    assert stats["top_base"] == {"donor +1": ("G", 1.0), "donor +2": ("A", 0.0), "acceptor -2": ("A", -2.0),
                                 "acceptor -1": ("A", 0.0)}
    # each base occurs at 5 of the 20 positions: G's mean at the donor is 1.0 / 5, A's at the acceptor -2.0 / 5
    assert stats["base_means"] == {"donor": {"A": 0.0, "C": 0.0, "G": 0.2, "T": 0.0},
                                   "acceptor": {"A": -0.4, "C": 0.0, "G": 0.0, "T": 0.0}}
    table = ig_summary.findings_table({3: stats})
    assert table.index.tolist() == [3] and table.index.name == "seed"
    assert table.loc[3, "top logo letter, acceptor -2"] == "A (-2.0000)"
    assert table.loc[3, "share within ±5 nt, donor %"] == 100.0
    assert table.loc[3, "G/C minus A/T, whole windows"] == pytest.approx(0.2 / 4 + 0.4 / 4)
    glued = ig_summary.findings_glue({3: stats, 5: stats})
    assert glued == {
        "ig_peak_donor": "+1, +1", "ig_peak_acceptor": "-2, -2",
        "ig_logo_donor": "seed 3: G (+1.0000) then A (+0.0000); seed 5: G (+1.0000) then A (+0.0000)",
        "ig_logo_acceptor": "seed 3: A (-2.0000) then A (+0.0000); seed 5: A (-2.0000) then A (+0.0000)",
        "ig_gc": "seed 3: donor G/C +0.1000, A/T +0.0000, acceptor G/C +0.0000, A/T -0.2000; "
                 "seed 5: donor G/C +0.1000, A/T +0.0000, acceptor G/C +0.0000, A/T -0.2000",
        "ig_n_seeds": 2}
    assert ig_summary.findings_glue({}) == {"ig_peak_donor": "-", "ig_peak_acceptor": "-",
                                            "ig_logo_donor": "no seed judged", "ig_logo_acceptor": "no seed judged",
                                            "ig_gc": "no seed judged", "ig_n_seeds": 0}
    assert ig_summary.findings_table({}).empty


def test_baseline_comparison_separates_classes_at_gt_ag():
    zero, shuffled = planted_windows(), planted_windows()
    x = positions(10)
    shuffled.attributions["donor"][:, -1] = 3.0  # +10, far from the site: only the "> 5 nt away" column moves
    shuffled.attributions["donor"][~shuffled.positive, np.flatnonzero(x == 1)[0]] = 0.0  # negatives lose +1
    table = ig_summary.baseline_comparison({"zero": zero, "shuffled": shuffled})
    assert table.index.names == ["baseline", "site", "class"]
    assert table.loc[("zero", "donor", "positive"), "mean attribution at GT/AG"] == 0.5  # +1: 1.0, +2: 0.0
    assert table.loc[("zero", "acceptor", "positive"), "mean attribution at GT/AG"] == -1.0  # -2: -2.0, -1: 0.0
    assert table.loc[("zero", "acceptor", "negative"), "mean attribution at GT/AG"] == -0.5
    assert table.loc[("zero", "donor", "negative"), "converged sequences"] == 2
    assert table.loc[("zero", "donor", "positive"), "mean |attribution| > 5 nt away"] == 0.0
    assert table.loc[("shuffled", "donor", "positive"), "mean |attribution| > 5 nt away"] == pytest.approx(3 / 10)
    # zero: positives (0.5 - 1.0) / 2, gap ((0.5 - 0.5) + (-1.0 + 0.5)) / 2; shuffled gap ((0.5 - 0) - 0.5) / 2
    assert ig_summary.baseline_glue(table) == {"gtag_gap_zero": "-0.250", "gtag_pos_zero": "-0.250",
                                               "gtag_pos_shuffled": "-0.250", "gtag_gap_shuffled": "+0.000"}
