"""What chapter 10 reports about its data (:class:`lib.coding.dataset.BenchmarkData`): counts per split and
class, the outcome of the interval rebuild, the classes' composition, and the texts the chapter glues.

Tables of sequences have the layout of :mod:`lib.coding.genomic_benchmarks` (``split, label, seq``, and
``region`` where known); class columns are named by :data:`lib.coding.genomic_benchmarks.CLASSES`.
"""

from __future__ import annotations

import pandas as pd

from lib.coding import genomic_benchmarks as gb

PAST_END = "interval runs past the transcript's end (annotation release differs)"  # a rebuild outcome
REAL = "real benchmark sequences (rebuilt)"  # the names of the sets in :func:`composition`
SPLIT_SET = "training data ({source}), {split} split"


def headline(profile: str, data) -> str:
    """Two lines: the profile and data source, then how many sequences the table and the real set hold."""
    return (f"profile {profile!r}: data source {data.source!r}\n"
            f"training and test sequences: {len(data.table):,}; real benchmark sequences rebuilt: "
            f"{len(data.real):,} ({int(data.real['held_out'].sum()):,} held out from training)")


def class_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Sequences per split (rows, sorted by name) and class (columns)."""
    return table.groupby(["split", "label"]).size().unstack("label").rename(columns=dict(enumerate(gb.CLASSES)))


def split_sizes(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`class_counts` with the splits in the benchmark's order (train, test)."""
    sizes = class_counts(table)
    return sizes.loc[[s for s in gb.SPLITS if s in sizes.index]]


def rebuild_outcomes(report: pd.DataFrame) -> pd.DataFrame:
    """The rebuild's outcome counts per class (``rebuild_report``) with a ``total`` row."""
    report = report.copy()
    report.loc["total"] = report.sum()
    return report


def describe_real(real: pd.DataFrame) -> str:
    """How many rebuilt sequences match the archive's (when ``real`` has ``matches_archive``: the archive
    source), then the real sequences per benchmark split and class."""
    lines = []
    if "matches_archive" in real:
        lines.append(f"rebuilt sequences identical to the archive's: {int(real['matches_archive'].sum()):,} "
                     f"of {len(real):,}")
    return "\n".join([*lines, "real sequences per benchmark split and class:", class_counts(real).to_string()])


def real_texts(data) -> dict[str, str]:
    """Chapter 10's glued counts of the real sequences: all (``real_n``), per class, the transcripts of the
    coding ones, and the coding intervals that run past their transcript's end (``real_past_end``)."""
    real, coding = data.real, data.real["label"] == 0
    return {"real_n": f"{len(real):,}", "real_coding": f"{int(coding.sum()):,}",
            "real_intergenomic": f"{int((real['label'] == 1).sum()):,}",
            "real_transcripts": f"{real.loc[coding, 'region'].nunique():,}",
            "real_past_end": f"{int(data.rebuild_report['coding_seqs'].get(PAST_END, 0)):,}"}


def coding_start_texts(intervals: pd.DataFrame) -> dict[str, str]:
    """``coding_start_median``: the median start (nt into the cDNA) of the benchmark's coding intervals
    (:func:`lib.coding.genomic_benchmarks.read_intervals`)."""
    return {"coding_start_median": f"{intervals.loc[intervals['label'] == 0, 'start'].median():,.0f}"}


def composition(data) -> pd.DataFrame:
    """:func:`lib.coding.genomic_benchmarks.composition` of the real sequences and of each split of the
    table, rows indexed by (set, class)."""
    table = data.table
    sets = {REAL: data.real, **{SPLIT_SET.format(source=data.source, split=split): table[table["split"] == split]
                                for split in ("train", "test")}}
    return pd.concat({name: gb.composition(part) for name, part in sets.items()}, names=["set"])


def composition_texts(composition: pd.DataFrame, source: str) -> dict[str, str]:
    """The share of coding sequences with an open reading frame, real (``real_orf``) and in the training
    split (``train_orf``), of the :func:`composition` table of data from ``source``, in whole percent."""
    share = composition.xs("coding_seqs", level="class")["share with an open frame"]
    train = SPLIT_SET.format(source=source, split="train")
    return {"real_orf": f"{100 * share[REAL]:.0f}%", "train_orf": f"{100 * share[train]:.0f}%"}


def training_texts(table: pd.DataFrame, block_nt: int) -> dict[str, str]:
    """Chapter 10's glued sizes of the training data: ``block_kb`` (the split's genome block, kb),
    ``n_train``, ``n_test`` and ``train_transcripts`` (transcripts of the coding training windows; ``n/a``
    for a table without regions)."""
    sizes = split_sizes(table)
    coding = table[(table["split"] == "train") & (table["label"] == 0)]
    return {"block_kb": f"{block_nt / 1000:g}", "n_train": f"{int(sizes.loc['train'].sum()):,}",
            "n_test": f"{int(sizes.loc['test'].sum()):,}",
            "train_transcripts": f"{coding['region'].nunique():,}" if "region" in coding else "n/a"}
