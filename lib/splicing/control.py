"""The position-aware control of Table 1: a logistic regression on one-hot bases in fixed windows around the
donor and the acceptor, on the same splits as the paper's classifiers.

It measures what the slice can teach a model that is told where the splice sites are: every sequence holds
``flank`` exonic bases, the intron and ``flank`` exonic bases, so the donor (exon|GT) and the acceptor (AG|exon)
sit at fixed distances from the two ends. A window of half-width ``w`` takes ``w`` bases on each side of a site
(positions -w..-1 before it, +1..+w after it, as in :func:`lib.splicing.attribution.positions`); the features
are the concatenated one-hot bases of the donor and the acceptor window (N: all zeros). Half-widths and the
regularization strength are chosen by cross-validation on the training rows alone (:func:`select`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from lib import vocab
from lib.splicing import attribution, train
from lib.splicing.ig_summary import WIDTH, SiteSample

HALF_WIDTHS = (5, 10, 20, 40)  # nt on each side of a site; at most the windows' WIDTH (and the flank)
STRENGTHS = (0.01, 0.1, 1.0)  # inverse L2 regularization strengths C tried first
STRENGTH_LIMITS = (1e-4, 1e4)  # the grid grows by a decade past an edge that wins, within these bounds


def features(sample: SiteSample, donor: int, acceptor: int) -> np.ndarray:
    """One-hot bases of the donor window (half-width ``donor``) and the acceptor window (``acceptor``):
    (n, 8 * (donor + acceptor)) floats, window positions 5'->3', bases A, C, G, T within a position."""
    if not 1 <= max(donor, acceptor) <= sample.width or min(donor, acceptor) < 1:
        raise ValueError(f"half-widths must be 1..{sample.width} nt, got donor={donor}, acceptor={acceptor}")
    w = sample.width
    parts = [sample.bases["donor"][:, w - donor: w + donor], sample.bases["acceptor"][:, w - acceptor: w + acceptor]]
    return np.nan_to_num(np.concatenate(parts, axis=1)).reshape(len(sample.positive), -1)


@dataclass
class Control:
    """A fitted control: half-widths (nt), regularization strength ``C`` and the scikit-learn model."""

    donor: int
    acceptor: int
    C: float
    model: LogisticRegression

    def probability(self, sample: SiteSample) -> np.ndarray:
        """Probability of a true junction for each row of ``sample`` (n,)."""
        return self.model.predict_proba(features(sample, self.donor, self.acceptor))[:, 1]

    def coefficients(self) -> pd.DataFrame:
        """The fitted weights as a table: index (site, position), columns A, C, G, T (log-odds per base)."""
        weights = self.model.coef_[0].reshape(-1, len(vocab.BASES))
        index = [(site, int(p)) for site, half in (("donor", self.donor), ("acceptor", self.acceptor))
                 for p in attribution.positions(half)]
        return pd.DataFrame(weights, index=pd.MultiIndex.from_tuples(index, names=["site", "position"]),
                            columns=list(vocab.BASES))


def fit(sample: SiteSample, donor: int, acceptor: int, C: float) -> Control:
    """Fit the control on every row of ``sample`` (labels: ``sample.positive``); deterministic (L-BFGS)."""
    model = LogisticRegression(C=C, max_iter=5000)
    model.fit(features(sample, donor, acceptor), sample.positive.astype(int))
    return Control(donor, acceptor, C, model)


def select(sample: SiteSample, seed: int, folds: int = 5) -> pd.DataFrame:
    """Every (donor half-width, acceptor half-width, C) of :data:`HALF_WIDTHS` x a grid of C, scored by
    ``folds``-fold stratified cross-validation (folds drawn with ``seed``) on ``sample``, which must hold
    training and validation rows only: the test split is never read. The grid of C starts as :data:`STRENGTHS`;
    while the best candidate's C is the grid's smallest or largest, the next decade beyond it is added (within
    :data:`STRENGTH_LIMITS`), so the chosen C is interior unless a limit is reached. Returns one row per candidate
    with the mean held-out log loss and accuracy over the folds, best (lowest loss) first."""
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    parts = list(splitter.split(np.zeros(len(sample.positive)), sample.positive))

    def scored(C: float) -> list[dict]:
        rows = []
        for donor, acceptor in itertools.product(HALF_WIDTHS, HALF_WIDTHS):
            fold_scores = [train.scores(fit(sample.take(fit_rows), donor, acceptor, C).probability(sample.take(held)),
                                        sample.positive[held]) for fit_rows, held in parts]
            rows.append({"donor half-width": donor, "acceptor half-width": acceptor, "C": C,
                         "cv loss": np.mean([f["loss"] for f in fold_scores]),
                         "cv accuracy %": 100 * np.mean([f["accuracy"] for f in fold_scores])})
        return rows

    rows = [row for C in STRENGTHS for row in scored(C)]
    while True:
        grid = pd.DataFrame(rows).sort_values("cv loss", kind="stable").reset_index(drop=True)
        best, tried = grid.loc[0, "C"], sorted(set(grid["C"]))
        beyond = best * 10 if best == tried[-1] else best / 10 if best == tried[0] else None
        if beyond is None or not STRENGTH_LIMITS[0] <= beyond <= STRENGTH_LIMITS[1]:
            return grid
        rows += scored(float(f"{beyond:.0e}"))


def chosen(grid: pd.DataFrame) -> dict:
    """The best candidate of :func:`select`'s grid as ``{donor, acceptor, C}`` (arguments of :func:`fit`)."""
    best = grid.iloc[0]
    return {"donor": int(best["donor half-width"]), "acceptor": int(best["acceptor half-width"]), "C": float(best["C"])}


def sample_of(rows: pd.DataFrame, flank: int) -> SiteSample:
    """The rows' site windows (``WIDTH`` nt on each side of both sites), for :func:`features`."""
    return SiteSample.of(rows, flank, WIDTH)
