"""Chapter 05's numbers: the Integrated-Gradients attributions of every seed's model, summarised (paper A, 5.2).

:mod:`lib.splicing.attribution` computes attributions and the statistics of one model's windows; this module
turns the attributions of one sample of test rows by several seeds' models into what chapter 05 reports and
the scorecard judges: which sequences converged, which seeds are judged, which seed the figures show, the
findings of each judged seed, and the comparison of the zero and the shuffled baseline at GT/AG. The
``*_glue`` functions return ``{glue name: value}`` exactly as the chapter glues them.

A *run* is what :func:`lib.splicing.experiments.attributions` returns for one seed's model: (attributions,
one array (length,) per row; convergence deltas (n,); steps used per row (n,)). Seeds key every dict here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

import lib.device
from lib.splicing import attribution

WIDTH = 40  # nt on each side of a splice site in the windows, as in the paper's figures
NEAR = 5  # nt on each side of a site that count as "at the site"

Run = tuple[list[np.ndarray], np.ndarray, np.ndarray]


class SiteWindows(NamedTuple):
    """Donor and acceptor windows of some of the attributed sequences (the converged ones), in the argument
    order of :func:`lib.splicing.attribution.site_statistics`."""

    attributions: dict[str, np.ndarray]  # "donor"/"acceptor" -> (k, 2 * width), NaN outside a sequence
    bases: dict[str, np.ndarray]  # the same windows' one-hot bases (k, 2 * width, 4), columns A, C, G, T
    positive: np.ndarray  # bool (k,): true junctions


@dataclass(frozen=True)
class SiteSample:
    """The attributed rows, aligned on their splice sites: the one-hot bases of each window, built once."""

    lengths: np.ndarray  # intron length of each row (n,)
    positive: np.ndarray  # bool (n,): label 1
    bases: dict[str, np.ndarray]  # "donor"/"acceptor" -> one-hot (n, 2 * width, 4)
    flank: int  # exonic nt on each side of the intron in every sequence
    width: int

    @classmethod
    def of(cls, rows: pd.DataFrame, flank: int, width: int = WIDTH) -> SiteSample:
        """From rows with columns ``seq`` (flank + intron + flank letters), ``length`` (intron nt), ``label``."""
        lengths = rows["length"].to_numpy()
        bases = attribution.stack_windows([attribution.one_hot(s) for s in rows["seq"]], lengths, flank, width)
        return cls(lengths, rows["label"].to_numpy() == 1, bases, flank, width)

    def take(self, index: np.ndarray) -> SiteSample:
        """The rows at ``index`` (integer positions or a boolean mask), as a sample of their own."""
        return SiteSample(self.lengths[index], self.positive[index], {k: v[index] for k, v in self.bases.items()},
                          self.flank, self.width)

    def windows(self, values: list[np.ndarray], keep: np.ndarray) -> SiteWindows:
        """The windows of the rows where ``keep`` (bool (n,)) holds: attributions ``values`` (one array
        (length,) per row, all rows), their bases and labels. Only converged rows enter chapter 05's numbers."""
        stacked = attribution.stack_windows(values, self.lengths, self.flank, self.width)
        return SiteWindows({site: a[keep] for site, a in stacked.items()},
                           {site: b[keep] for site, b in self.bases.items()}, self.positive[keep])


def describe_sample(P, rows: pd.DataFrame, model: str, seeds: list[int], width: int = WIDTH) -> str:
    """The chapter's first line: profile, device, the attributed ``model`` (words) and its ``seeds``, the
    sample's size and the steps of the path."""
    return (f"profile {P.profile!r} on {lib.device.pick(P.device).type}: {model}, seeds {list(seeds)}; "
            f"{len(rows)} test sequences ({int(rows['label'].sum())} positives); {P.ig_steps} steps (up to "
            f"{P.ig_max_steps}); window {width} nt")


def converged(runs: dict[int, Run], tolerance: float) -> dict[int, np.ndarray]:
    """Seed -> bool (n,): the rows whose relative delta is within ``tolerance``
    (:func:`lib.splicing.attribution.converged`)."""
    return {seed: attribution.converged(values, deltas, tolerance) for seed, (values, deltas, _) in runs.items()}


def positives_converged(kept: dict[int, np.ndarray], positive: np.ndarray) -> dict[int, int]:
    """Seed -> how many positive rows converged."""
    return {seed: int((keep & positive).sum()) for seed, keep in kept.items()}


def judged_seeds(kept: dict[int, np.ndarray], positive: np.ndarray, minimum: int) -> list[int]:
    """The seeds whose IG converged on at least ``minimum`` positives, in seed order: only their findings are
    reported and judged. The bar is a small count, far below what a model's IG usually reaches, so that which
    seeds are judged does not follow the seed-to-seed (or CPU-to-CPU) spread of the convergence rate."""
    return [seed for seed, n in positives_converged(kept, positive).items() if n >= minimum]


def shown_seed(judged: list[int], attributed: list[int]) -> int:
    """The seed the figures show: the first judged seed (declared order: seed order), else the first
    attributed one."""
    return (judged or attributed)[0]


def convergence_table(runs: dict[int, Run], kept: dict[int, np.ndarray], positive: np.ndarray,
                      accuracy: dict[int, float], first_steps: int) -> pd.DataFrame:
    """One row per seed: the model's test accuracy (``accuracy``: seed -> fraction, shown in %), how many rows
    and positives converged, the median relative delta, how many rows needed more than ``first_steps`` steps
    and the most steps any row used."""
    positives = positives_converged(kept, positive)
    return pd.DataFrame({s: {
        "test accuracy of the model %": 100 * accuracy[s],
        "sequences converged": int(kept[s].sum()),
        "positives converged": positives[s],
        "median |delta| / sum |attribution|": np.median(attribution.relative_delta(values, deltas)),
        "sequences given more steps": int((steps > first_steps).sum()),
        "most steps used": int(steps.max())} for s, (values, deltas, steps) in runs.items()}).T.rename_axis("seed")


def convergence_glue(table: pd.DataFrame, n_rows: int, judged: list[int], shown: int, tolerance: float,
                     minimum: int) -> dict:
    """The convergence values chapter 05 glues, from :func:`convergence_table` (``n_rows`` rows attributed per
    seed), the judged seeds, the shown seed, the tolerance and the judged minimum of converged positives."""
    return {"ig_delta": f"{table['median |delta| / sum |attribution|'].median():.1e}",
            "ig_converged": f"{int(table['sequences converged'].sum())} of {n_rows * len(table)}",
            "ig_refined": int(table["sequences given more steps"].sum()),
            "ig_most_steps": int(table["most steps used"].max()),
            "ig_tolerance": f"{tolerance:g}",
            "ig_judged_minimum": minimum,
            "ig_judged": ", ".join(map(str, judged)) or "none",
            "ig_shown": shown}


def seed_statistics(windows: SiteWindows) -> dict:
    """:func:`lib.splicing.attribution.site_statistics` of one seed's converged windows, plus
    ``converged_positives`` (how many positives they hold): what the scorecard records per seed."""
    return {**attribution.site_statistics(*windows, near=NEAR), "converged_positives": int(windows.positive.sum())}


def _gc_minus_at(base_means: dict[str, dict[str, float]]) -> float:
    """Mean attribution of G and C minus that of A and T, over both sites' whole windows."""
    return np.mean([base_means[s][b] for s in base_means for b in "GC"]) - np.mean(
        [base_means[s][b] for s in base_means for b in "AT"])


def findings_table(per_seed: dict[int, dict]) -> pd.DataFrame:
    """One row per judged seed (``per_seed``: seed -> :func:`seed_statistics`): converged positives, peaks,
    share of |mean attribution| near the sites, the tallest logo letters at GT/AG and the G/C - A/T gap."""
    table = pd.DataFrame({s: {
        "positives converged": st["converged_positives"],
        "peak of |mean attribution|, donor": st["peak"]["donor"],
        "peak of |mean attribution|, acceptor": st["peak"]["acceptor"],
        f"share within ±{NEAR} nt, donor %": st["near_share"]["donor"],
        f"share within ±{NEAR} nt, acceptor %": st["near_share"]["acceptor"],
        **{f"top logo letter, {site}": f"{base} ({height:+.4f})" for site, (base, height) in st["top_base"].items()},
        "G/C minus A/T, whole windows": _gc_minus_at(st["base_means"])} for s, st in per_seed.items()}).T
    table.index.name = "seed"
    return table


def findings_glue(per_seed: dict[int, dict]) -> dict:
    """The findings chapter 05 glues (one value per judged seed, in seed order): peak positions, the tallest
    logo letters at the donor's +1 +2 and the acceptor's -2 -1, and the mean attribution of G/C and A/T."""
    def each(describe) -> str:
        return "; ".join(f"seed {s}: {describe(st)}" for s, st in per_seed.items()) or "no seed judged"

    def letters(site: str):
        return lambda st: " then ".join(f"{base} ({height:+.4f})" for key, (base, height) in st["top_base"].items()
                                        if key.split()[0] == site)

    def composition(st) -> str:
        return ", ".join(f"{site} G/C {np.mean([m['G'], m['C']]):+.4f}, A/T {np.mean([m['A'], m['T']]):+.4f}"
                         for site, m in st["base_means"].items())

    return {**{f"ig_peak_{site}": ", ".join(f"{st['peak'][site]:+d}" for st in per_seed.values()) or "-"
               for site in ("donor", "acceptor")},
            "ig_logo_donor": each(letters("donor")),
            "ig_logo_acceptor": each(letters("acceptor")),
            "ig_gc": each(composition),
            "ig_n_seeds": len(per_seed)}


def baseline_comparison(by_baseline: dict[str, SiteWindows], near: int = NEAR) -> pd.DataFrame:
    """Per baseline, site and class: the converged sequences, their mean attribution at the GT/AG positions
    (:data:`lib.splicing.attribution.SITE_LETTERS`) and their mean |attribution| more than ``near`` nt from
    the site. Indexed by (baseline, site, class)."""
    at_site = {}
    for site, position, _ in attribution.SITE_LETTERS.values():
        at_site.setdefault(site, []).append(position)
    table = []
    for baseline, (values, _, positive) in by_baseline.items():
        x = attribution.positions(values["donor"].shape[1] // 2)
        elsewhere = np.abs(x) > near
        for site, at in at_site.items():
            columns = [int(np.flatnonzero(x == p)[0]) for p in at]
            for label, mask in (("positive", positive), ("negative", ~positive)):
                window = values[site][mask]
                table.append({"baseline": baseline, "site": site, "class": label,
                              "converged sequences": int(mask.sum()),
                              "mean attribution at GT/AG": np.nanmean(window[:, columns]),
                              f"mean |attribution| > {near} nt away": np.nanmean(np.abs(window[:, elsewhere]))})
    return pd.DataFrame(table).set_index(["baseline", "site", "class"])


def baseline_glue(comparison: pd.DataFrame) -> dict:
    """From :func:`baseline_comparison` of the "zero" and "shuffled" baselines: the positives' mean attribution
    at GT/AG and its gap to the negatives', each averaged over the two sites."""
    gap = comparison["mean attribution at GT/AG"].unstack("class")
    difference = gap["positive"] - gap["negative"]
    return {"gtag_gap_zero": f"{difference.loc['zero'].mean():+.3f}",
            "gtag_pos_zero": f"{gap.loc['zero', 'positive'].mean():+.3f}",
            "gtag_pos_shuffled": f"{gap.loc['shuffled', 'positive'].mean():+.3f}",
            "gtag_gap_shuffled": f"{difference.loc['shuffled'].mean():+.3f}"}
