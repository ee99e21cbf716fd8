"""What chapter 01 reports about the built junction data set (:class:`lib.splicing.junctions.JunctionSet`).

Counts are junctions (rows); lengths are intron lengths in nt; shares are percentages.
"""

from __future__ import annotations

import pandas as pd

from lib.splicing import junctions, published

SPLITS = ("train", "test")


def counts(report: dict) -> pd.DataFrame:
    """Positives per split beside the paper's counts: before and after the ``max_len`` cap, and the negatives
    of each variant (as many as the capped positives). One row per split."""
    return pd.DataFrame({
        "paper": [published.TRAIN_POSITIVES, published.TEST_POSITIVES],
        "this book, all lengths": [report[name]["positives before cap"] for name in SPLITS],
        "this book, length <= max_len": [report[name]["positives"] for name in SPLITS],
        "negatives per variant": [report[name]["positives"] for name in SPLITS],
    }, index=pd.Index(["training positives (older release)", "test positives (novel in newer)"], name="split"))


def length_cap(report: dict) -> pd.DataFrame:
    """What the ``max_len`` cap did to each split's positives (columns: splits): counts before, removed and
    kept, and the shortest and longest intron kept (nt)."""
    return pd.DataFrame({name: {"positives before cap": report[name]["positives before cap"],
                                "removed by max_len": report[name]["removed by max_len"],
                                "kept": report[name]["positives"],
                                "shortest kept (nt)": report[name]["length range"][0],
                                "longest kept (nt)": report[name]["length range"][1]} for name in SPLITS})


def removed_share(report: dict, split: str = "train") -> float:
    """Percentage of ``split``'s positives that the ``max_len`` cap removed."""
    return 100 * report[split]["removed by max_len"] / report[split]["positives before cap"]


def shared_junctions(train: pd.DataFrame, test: pd.DataFrame) -> set[tuple]:
    """Junctions (chrom, start, end, strand) that appear in both tables, positives or negatives."""
    def keys(table: pd.DataFrame) -> set[tuple]:
        return set(table[junctions.KEY].itertuples(index=False, name=None))
    return keys(train) & keys(test)


def checks(data: junctions.JunctionSet, known: set[tuple]) -> pd.DataFrame:
    """:func:`lib.splicing.junctions.checks` of each split against the annotated junctions ``known``, indexed by
    (split, variant)."""
    return pd.concat({name: junctions.checks(getattr(data, name), known) for name in SPLITS}, names=["split"])


def problems(checked: pd.DataFrame, shared: set[tuple]) -> list[str]:
    """What is wrong with the data set according to :func:`checks` and :func:`shared_junctions` (empty: nothing):
    a share below 100%, a negative equal to an annotated junction, a junction in both splits, or a split whose
    variants differ in size."""
    found = []
    shares = checked.filter(like="%")
    if not (shares == 100).all().all():
        found.append(f"shares below 100%:\n{shares}")
    if not (checked["negatives equal to an annotated junction"] == 0).all():
        found.append("negatives equal to an annotated junction")
    if shared:
        found.append(f"{len(shared)} junctions in both splits")
    for name, table in checked.groupby(level="split"):
        if table["rows"].nunique() != 1:
            found.append(f"{name}: variants of different sizes {table['rows'].tolist()}")
    return found
