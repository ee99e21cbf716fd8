"""The data of paper B's chapters (10-11) for a profile: a training/test table and the real benchmark sequences.

- ``gb_source = "archive"`` (``paper``): the benchmark's own 100,000 sequences and train/test split, from its
  downloaded zip (:func:`lib.coding.genomic_benchmarks.load_archive`).
- ``gb_source = "slice"`` (``default``, ``smoke``): the benchmark's recipe on the GRCh38 slice
  (:func:`lib.coding.windows.slice_windows`), plus coding training windows from the chr21 cDNA
  (:func:`lib.coding.windows.cdna_windows`), windows sharing bases with the real sequences left out.
- ``gb_source = "chromosomes"`` (``chromosomes``, the scale tier): the same recipe on the chromosome-scale
  genome (the slice's superset: chr21 and chr22 whole) and its newer annotation.

Either way, the shipped interval lists that the genome (slice or chromosomes; the slice for the archive) or the
chr21 cDNA cover are rebuilt into real benchmark sequences with their true labels and split
(:func:`lib.coding.genomic_benchmarks.rebuild`): a real test set. Built tables are
cached under ``$CACHE/genomic_benchmarks`` (:func:`lib.cache.cached`) keyed by their inputs and parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lib import cache
from lib.coding import genomic_benchmarks as gb
from lib.coding import windows as coding_windows
from lib.data import annotation, sources
from lib.data.genome import Genome

FOLDER = "genomic_benchmarks"
TEST_FRACTION = 0.25
CDNA_PER_TRANSCRIPT = 10  # window starts drawn per chr21 cDNA transcript, as for the slice's transcripts


@dataclass(frozen=True)
class BenchmarkData:
    """``table``: the sequences to train and test on (``split, label, id, seq``, more columns for the slice).
    ``real``: the rebuilt real benchmark sequences, ``held_out`` True where no model here trained on them.
    ``rebuild_report``: outcome counts of the interval rebuild. ``recipe_report``: window counts after each
    step of the slice recipe (``None`` for the archive). ``key``: a digest of the table's content."""

    source: str
    table: pd.DataFrame
    real: pd.DataFrame
    rebuild_report: pd.DataFrame
    recipe_report: pd.DataFrame | None
    key: str

    def arrays(self, split: str | None = None, real: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Tokens (uint8, (n, 200)) and labels (int64, (n,)) of one split of the table (or of the held-out
        real sequences when ``real``)."""
        table = self.real[self.real["held_out"]] if real else self.table
        if split is not None:
            table = table[table["split"] == split]
        return gb.encode(table["seq"], gb.row_names(table)), table["label"].to_numpy(dtype=np.int64)


# gb_source -> the genome source (lib.data.sources) whose covered intervals are rebuilt, and its reference name
GENOMES = {"slice": ("slice", gb.REFERENCES[0]), "chromosomes": ("chromosomes", gb.REFERENCES[2]),
           "archive": ("slice", gb.REFERENCES[0])}


def load(source: str, *, block_nt: int, seed: int, max_per_class: int | None = None) -> BenchmarkData:
    """The data for ``gb_source`` = ``source`` ("slice", "chromosomes" or "archive"); ``block_nt``, ``seed`` and
    ``max_per_class`` (training windows per class, test a third of it; None: all) shape the recipe's table."""
    if source not in GENOMES:
        raise ValueError(f"unknown gb_source {source!r}; choose one of {', '.join(GENOMES)}")
    real, rebuild_report = real_sequences(GENOMES[source][0])
    if source == "archive":
        table, recipe_report = gb.load_archive(), None
        real = real.merge(table[["split", "label", "id", "seq"]].rename(columns={"seq": "archive_seq"}),
                          on=["split", "label", "id"], how="left")
        real = real.assign(matches_archive=real["seq"] == real["archive_seq"], held_out=real["split"] == "test")
        real = real.drop(columns="archive_seq")
    else:
        table, recipe_report = recipe_table(source, block_nt, seed)
        real = real.assign(held_out=True)
    table = cap(table, max_per_class, seed)
    digest = pd.util.hash_pandas_object(table[["split", "label", "seq"]], index=False).to_numpy()
    key = cache.key({"source": source, "content": int(digest.sum(dtype=np.uint64)), "rows": len(table)})
    return BenchmarkData(source, table, real, rebuild_report, recipe_report, key)


def _inputs(genome: str) -> tuple[sources.Source, Path, dict]:
    src, cdna = sources.get(genome), sources.chr21_cdna()
    folder = gb.intervals_dir()
    identity = {"genome": cache.file_identity(src.genome), "older": cache.file_identity(src.older),
                "newer": cache.file_identity(src.newer), "cdna": cache.file_identity(cdna),
                "intervals": [cache.file_identity(p) for p in sorted(folder.glob("*/*.csv.gz"))]}
    return src, cdna, identity


def real_sequences(genome: str = "slice") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The benchmark intervals that the genome source ``genome`` (``slice`` or ``chromosomes``; its newer
    annotation has Ensembl transcript ids) or the chr21 cDNA cover, rebuilt, and the outcome counts of the
    rebuild; cached."""
    src, cdna, identity = _inputs(genome)
    name = dict(GENOMES.values())[genome]

    def build() -> tuple[pd.DataFrame, pd.DataFrame]:
        return gb.rebuild(Genome(src.genome), annotation.read_gtf(src.newer), gb.read_intervals(), Genome(cdna),
                          name)

    params = {**identity, "version": 2, **({"genome": name} if genome != "slice" else {})}
    return cache.cached(FOLDER, "real", params, "d", build, _save_tables, _load_tables)


def recipe_table(genome: str, block_nt: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The recipe's table on the genome source ``genome`` (``slice`` or ``chromosomes``) with the chr21 cDNA's
    coding windows in its train split, and its step counts (cached); windows sharing bases with a real
    benchmark sequence excluded."""
    src, cdna, identity = _inputs(genome)
    params = {**identity, "block_nt": block_nt, "seed": seed, "test_fraction": TEST_FRACTION, "version": 4}

    def build() -> tuple[pd.DataFrame, pd.DataFrame]:
        newer, older = annotation.read_gtf(src.newer), annotation.read_gtf(src.older)
        genes = pd.concat([g.loc[g["feature"] == "gene", ["chrom", "start", "end"]] for g in (newer, older)])
        intervals = gb.read_intervals()
        coding = intervals[intervals["label"] == 0]
        real = real_sequences(genome)[0]
        from_cdna = coding_windows.cdna_windows(
            Genome(cdna), coding, np.random.default_rng([seed, 21]),
            coding["start"].to_numpy(), CDNA_PER_TRANSCRIPT, real["seq"])
        return coding_windows.slice_windows(Genome(src.genome), newer, genes, coding["start"].to_numpy(),
                                            block_nt=block_nt, seed=seed, test_fraction=TEST_FRACTION,
                                            exclude=real[real["reference"] != gb.CDNA],
                                            extra_coding=from_cdna)

    return cache.cached(FOLDER, genome, params, "d", build, _save_tables, _load_tables)


def _save_tables(tables: tuple[pd.DataFrame, pd.DataFrame], folder: Path) -> None:
    """A (table, report) pair as ``table.parquet`` (without index) and ``report.parquet`` in a new ``folder``."""
    table, report = tables
    folder.mkdir()
    table.to_parquet(folder / "table.parquet", index=False)
    report.to_parquet(folder / "report.parquet")


def _load_tables(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The (table, report) pair that :func:`_save_tables` wrote."""
    return pd.read_parquet(folder / "table.parquet"), pd.read_parquet(folder / "report.parquet")


def cap(table: pd.DataFrame, max_per_class: int | None, seed: int) -> pd.DataFrame:
    """At most ``max_per_class`` training rows per class and a third of that per test class, drawn with
    ``seed`` (row order kept); the table itself when ``max_per_class`` is None."""
    if max_per_class is None:
        return table
    rng = np.random.default_rng(seed)
    kept = []
    for (split, _), part in table.groupby(["split", "label"], sort=False):
        size = min(len(part), max_per_class if split == "train" else max(1, max_per_class // 3))
        kept.append(part.iloc[np.sort(rng.choice(len(part), size, replace=False))])
    return pd.concat(kept).reset_index(drop=True)
