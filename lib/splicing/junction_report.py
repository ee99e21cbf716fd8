"""What chapter 01 reports about the built junction data set (:class:`lib.splicing.junctions.JunctionSet`).

Counts are junctions (rows); lengths are intron lengths in nt; shares are percentages.
"""

from __future__ import annotations

import json

import pandas as pd

from lib.data import sources
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


# Where the chromosomes' build_report.json counts each pair's introns: (older, newer, new in the newer).
README_COUNTS = {"canonical": ("old_v24_canonical", "new_all_transcripts", ("introns_new_not_in_old",)),
                 "releases": ("chr22_gencode_v24_gtf", "chr22_gencode_v31_gtf",
                              ("chr22_pair", "introns_new_not_in_old"))}


def pair_counts(contigs: tuple[str, ...] | None, flank: int, max_len: int | None, seed: int) -> pd.DataFrame:
    """The junctions each annotation pair of the ``chromosomes`` source gives (:data:`lib.data.sources.PAIRS`;
    data sets built with these parameters, cached), beside the counts its ``build_report.json`` measured when the
    data were built. ``contigs`` applies to the ``canonical`` pair (``releases`` is chr22). One row per pair:
    the releases, GT...AG introns of each (with the report's ``gt_ag``), junctions new in the newer release
    (the report counts every new intron > 30 nt, this book those reading GT...AG without N), and the positives
    of each split up to ``max_len``."""
    measured = json.loads((sources.chromosomes_dir() / "build_report.json").read_text())
    rows = []
    for pair, (older_key, newer_key, new_keys) in README_COUNTS.items():
        src = sources.get("chromosomes", pair)
        chosen = sources.PAIRS[pair][4] or contigs
        report = junctions.build(src, chosen, flank, max_len, seed, progress=lambda m: None).report
        older, newer = (report["releases"][label]["kept"] for label in src.releases)
        new = measured
        for key in new_keys:
            new = new[key]
        rows.append({"pair": pair, "older / newer": " / ".join(src.releases),
                     "contigs": "all" if chosen is None else ", ".join(chosen),
                     "older GT...AG introns": f"{older:,} (report: {measured[older_key]['gt_ag']:,})",
                     "newer GT...AG introns": f"{newer:,} (report: {measured[newer_key]['gt_ag']:,})",
                     "new in the newer": f"{report['novel test junctions before the length cap']:,} (report, any "
                                         f"dinucleotides: {new:,})",
                     "training positives <= max_len": report["train"]["positives"],
                     "test positives <= max_len": report["test"]["positives"]})
    return pd.DataFrame(rows).set_index("pair")
