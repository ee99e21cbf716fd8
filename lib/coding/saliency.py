"""The positional statistics of saliency maps in paper B (sections 3.4-3.5, Figures 1-3), a test of codon
periodicity, and the agreement of two attribution methods.

An importance map is float (N, L): I_j of each of N sequences at each of L positions
(:mod:`lib.coding.attribution`). Over the N sequences, mu_j and sigma_j (ddof 1) are the positional mean and
standard deviation. Positions are reported 1-based (j = 1..L) as in the paper; regions are closed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from lib.coding import published


def positional_stats(importance: np.ndarray, percentile: float = 75) -> pd.DataFrame:
    """Per position (index 1..L): ``mean`` mu_j, ``std`` sigma_j (ddof 1) and ``high`` (mu_j above the
    ``percentile``-th percentile of the L means)."""
    mean, std = importance.mean(0), importance.std(0, ddof=1)
    threshold = np.percentile(mean, percentile)
    table = pd.DataFrame({"mean": mean, "std": std, "high": mean > threshold},
                         index=pd.RangeIndex(1, importance.shape[1] + 1, name="position"))
    table.attrs["threshold"] = float(threshold)
    return table


def runs(mask: np.ndarray | pd.Series) -> list[tuple[int, int]]:
    """Maximal runs of True as 1-based closed (first, last) positions."""
    mask = np.asarray(mask, dtype=bool)
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int(s) + 1, int(e)) for s, e in zip(starts, ends)]


def summary(table: pd.DataFrame, importance: np.ndarray) -> dict[str, float | int]:
    """The Figure 1-2 statistics of :func:`positional_stats`' table: Pearson r of mean vs std, the number
    of high positions, of runs of them, and of positions whose mean exceeds the 75th percentile of all
    I values pooled (another reading of the paper's threshold)."""
    pooled = np.percentile(importance, 75)
    return {"pearson_r": float(stats.pearsonr(table["mean"], table["std"])[0]),
            "high_positions": int(table["high"].sum()),
            "high_regions": len(runs(table["high"])),
            "above_pooled_p75": int((table["mean"] > pooled).sum())}


def bootstrap_pearson_r(importance: np.ndarray, n_boot: int = 1000, seed: int = 0) -> tuple[float, float]:
    """A 95% interval for :func:`summary`'s Pearson r (positional mean against SD): r ± 1.96 standard errors,
    the standard error taken over ``n_boot`` resamplings of the sequences (rows of ``importance``, shape
    (N, L)). Centred on r because resampling sequences biases the replicates' r downwards (duplicated rows
    add noise to the positional means), which would shift a percentile interval."""
    rng = np.random.default_rng(seed)
    n = importance.shape[0]
    replicates = []
    for _ in range(n_boot):
        sample = importance[rng.integers(0, n, n)]
        replicates.append(np.corrcoef(sample.mean(0), sample.std(0, ddof=1))[0, 1])
    r = np.corrcoef(importance.mean(0), importance.std(0, ddof=1))[0, 1]
    half = 1.96 * float(np.std(replicates, ddof=1))
    return float(max(r - half, -1.0)), float(min(r + half, 1.0))


def class_means(importance: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """Per position (1..L): mean importance of class 0 (coding), class 1 (intergenomic), ``delta`` =
    mu_0 - mu_1 (> 0: coding-specific, < 0: intergenomic-specific), and ``relative delta``, the same
    difference after dividing each class's profile by its own average over positions (shape, not level)."""
    mu0, mu1 = importance[labels == 0].mean(0), importance[labels == 1].mean(0)
    return pd.DataFrame({"coding": mu0, "intergenomic": mu1, "delta": mu0 - mu1,
                         "relative delta": mu0 / mu0.mean() - mu1 / mu1.mean()},
                        index=pd.RangeIndex(1, importance.shape[1] + 1, name="position"))


def region_table(delta: pd.Series, regions: dict[str, tuple[int, int]] = published.REGIONS) -> pd.DataFrame:
    """For each named region (1-based closed positions), the mean delta and the share of its positions with
    delta > 0 (coding-specific), beside the same over all positions."""
    rows = {name: delta.loc[first:last] for name, (first, last) in regions.items()}
    rows["all positions"] = delta
    return pd.DataFrame({"mean delta": {k: v.mean() for k, v in rows.items()},
                         "share delta > 0": {k: (v > 0).mean() for k, v in rows.items()}})


def region_stats(classes: pd.DataFrame) -> pd.DataFrame:
    """:func:`region_table` of the ``delta`` and of the ``relative delta`` of a :func:`class_means` table, side
    by side (first column level: ``delta`` / ``relative delta``)."""
    return pd.concat({name: region_table(classes[name]) for name in ("delta", "relative delta")}, axis=1)


def power(importance: np.ndarray, frequencies: np.ndarray) -> np.ndarray:
    """Periodogram of each mean-centred profile at ``frequencies`` (cycles per position): (n, len(freqs))."""
    x = importance - importance.mean(1, keepdims=True)
    waves = np.exp(-2j * np.pi * np.outer(np.arange(x.shape[1]), frequencies))
    return np.abs(x @ waves) ** 2


def period3_ratio(importance: np.ndarray, band: tuple[float, float] = (0.28, 0.39)) -> np.ndarray:
    """Per sequence, the power of its saliency profile at period 3 (1/3 cycle per position) over the median
    power of nearby frequencies (``band``, leaving out 1/3 +- 0.01): about 1 without a 3-periodic component,
    larger when importance repeats with the codon period."""
    nearby = np.arange(band[0], band[1] + 1e-9, 0.0025)
    nearby = nearby[np.abs(nearby - 1 / 3) > 0.01]
    peak = power(importance, np.array([1 / 3]))[:, 0]
    return peak / np.maximum(np.median(power(importance, nearby), axis=1), 1e-30)


def spectrum(importance: np.ndarray) -> pd.Series:
    """Mean power spectrum of the mean-centred profiles, each normalised to unit mean power (index:
    period in positions, frequencies 1/L .. 1/2)."""
    x = importance - importance.mean(1, keepdims=True)
    power = np.abs(np.fft.rfft(x, axis=1)) ** 2
    power = power[:, 1:] / np.maximum(power[:, 1:].mean(1, keepdims=True), 1e-30)
    periods = x.shape[1] / np.arange(1, power.shape[1] + 1)
    return pd.Series(power.mean(0), index=pd.Index(periods, name="period"))


PERIOD3_FACTOR = 1.2  # "coding importance is more period-3 than intergenomic": median ratio at least 20% higher


def period3_test(ratio: np.ndarray, labels: np.ndarray) -> dict:
    """Codon periodicity of the importance profiles of one model: median period-3 ratio (:func:`period3_ratio`)
    of coding (label 0) and intergenomic (label 1) sequences, one-sided Mann-Whitney p (coding greater), and
    ``holds``: the coding median is at least :data:`PERIOD3_FACTOR` times the intergenomic one with p < 0.05."""
    coding, intergenomic = ratio[labels == 0], ratio[labels == 1]
    p = float(stats.mannwhitneyu(coding, intergenomic, alternative="greater").pvalue)
    c, i = float(np.median(coding)), float(np.median(intergenomic))
    return {"coding": c, "intergenomic": i, "p": p, "holds": bool(c > PERIOD3_FACTOR * i and p < 0.05),
            "share_coding": float((coding > 3).mean()), "share_intergenomic": float((intergenomic > 3).mean())}


def model_statistics(result: dict, seed: int) -> dict:
    """The statistics chapter 11 reports and the scorecard judges, for one model's
    :func:`lib.coding.attribution.analyse` ``result``
    (``seed`` seeds the bootstrap): ``r`` with its 95% interval ``r_low``/``r_high``, ``n`` sequences,
    ``length``, ``high_positions``, ``high_regions``, ``above_pooled``, ``high_runs`` (1-based runs of high
    positions), ``delta_positive_share`` (share of positions with δ > 0 in each region of Figure 3, keyed
    ``"20-100"`` and so on, and overall: ``all``),
    ``level_ratio`` (mean coding / intergenomic importance) and ``period3`` (:func:`period3_test`)."""
    importance = result["importance"]
    table = positional_stats(importance)
    numbers = summary(table, importance)
    low, high = bootstrap_pearson_r(importance, seed=seed)
    classes = class_means(result["class_importance"], result["class_labels"])
    shares = region_table(classes["delta"])["share delta > 0"]
    return {"r": numbers["pearson_r"], "r_low": low, "r_high": high, "n": int(importance.shape[0]),
            "length": int(importance.shape[1]), "high_positions": numbers["high_positions"],
            "high_regions": numbers["high_regions"], "above_pooled": numbers["above_pooled_p75"],
            "high_runs": runs(table["high"]),
            "delta_positive_share": {**{published.span(region): float(shares[name])
                                        for name, region in published.REGIONS.items()},
                                     "all": float(shares["all positions"])},
            "level_ratio": float(classes["coding"].mean() / classes["intergenomic"].mean()),
            "period3": period3_test(period3_ratio(importance), result["labels"])}


def agreement(reference: np.ndarray, other: np.ndarray) -> dict[str, float]:
    """How well ``other`` importance (n, L) agrees with ``reference``: mean and SD over sequences of the
    per-sequence Spearman correlation across positions; Pearson r of the positional means; Jaccard overlap of
    the positions above the 75th percentile of each positional mean."""
    ranks_a, ranks_b = stats.rankdata(reference, axis=1), stats.rankdata(other, axis=1)
    a = ranks_a - ranks_a.mean(1, keepdims=True)
    b = ranks_b - ranks_b.mean(1, keepdims=True)
    rho = (a * b).sum(1) / np.sqrt((a**2).sum(1) * (b**2).sum(1))
    mean_a, mean_b = reference.mean(0), other.mean(0)
    top_a, top_b = mean_a > np.percentile(mean_a, 75), mean_b > np.percentile(mean_b, 75)
    return {"per-sequence Spearman (mean)": float(rho.mean()),
            "per-sequence Spearman (SD)": float(rho.std(ddof=1)),
            "Pearson r of positional means": float(stats.pearsonr(mean_a, mean_b)[0]),
            "top-quartile Jaccard": float((top_a & top_b).sum() / (top_a | top_b).sum())}
