"""The coding-vs-intergenomic benchmark's recipe applied to a genome and its annotation.

Genomic Benchmarks built ``demo_coding_vs_intergenomic_seqs`` from random 200-nt windows of human transcripts
(Ensembl cDNA) and random 200-nt windows of intergenomic sequence, balanced, split 75/25. Here, on any genome:

- coding: windows of the cDNA (exons joined 5'->3') of every transcript of a gene type that Ensembl puts in
  its cDNA file (protein-coding, pseudogene, IG and TR genes; not ncRNA) whose exons all read real sequence.
  The benchmark's coding windows lie mostly near the 5' end of their transcripts, largely in the coding
  sequence (chapter 10 measures this on its interval lists), so window starts are drawn
  from the benchmark's own coding starts (``reference_starts``) that fit the transcript, ``per_transcript``
  draws each; identical windows (repeated draws, isoforms sharing exons) are kept once;
- intergenomic: windows tiling the called (non-N) sequence outside every annotated gene, one random phase per
  gene-free stretch;
- windows sharing a genome base with ``exclude`` (e.g. the rebuilt real benchmark sequences, kept as a test
  set) dropped;
- a 75/25 split by genomic blocks (:func:`block_split`): no training window overlaps a test window;
- optionally, more coding training windows cut from a FASTA of cDNA (:func:`cdna_windows`, the chr21 cDNA in
  ``default``) added to the train split;
- each split balanced by subsampling the larger class.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.coding.genomic_benchmarks import CLASSES, SEQ_LEN, Transcript, longest_orf, transcripts
from lib.data.genome import Genome, GenomeError, called_spans

CDNA_GENE_TYPES = ("protein_coding", "IG_", "TR_", "pseudogene")  # a gene type containing one of these
COLUMNS = ["region", "region_start", "chrom", "start", "end", "seq"]
MIN_ORF = 300  # nt: a cDNA transcript the benchmark does not name counts as coding with an ORF this long
SHARED_K = 24  # a cDNA window sharing a k-mer this long with an excluded sequence counts as overlapping it


def cdna_gene_type(gene_type: str) -> bool:
    """Whether Ensembl's cDNA file (``cdna.all``) holds transcripts of genes of this type."""
    return isinstance(gene_type, str) and any(part in gene_type for part in CDNA_GENE_TYPES)


def coding_windows(genome: Genome, txs: dict[str, Transcript], rng: np.random.Generator,
                   reference_starts: np.ndarray, per_transcript: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """200-nt windows of each eligible transcript's cDNA, their starts drawn (with replacement) from the
    ``reference_starts`` (cDNA positions) that fit in it, ``per_transcript`` draws a transcript. Columns
    ``COLUMNS`` (``region`` the transcript id, ``region_start`` the cDNA position, ``start, end`` the genome
    footprint); also counts of the transcripts used and skipped."""
    reference_starts = np.sort(np.asarray(reference_starts))
    counts = {"transcripts of cDNA gene types": 0, "transcripts with exons in N": 0,
              "transcripts shorter than 200 nt": 0, "transcripts off the genome": 0}
    rows = []
    for tid in sorted(txs):
        tx = txs[tid]
        if not cdna_gene_type(tx.gene_type):
            continue
        counts["transcripts of cDNA gene types"] += 1
        try:
            cdna = tx.cdna(genome)
        except GenomeError:
            counts["transcripts off the genome"] += 1
            continue
        if "N" in cdna:
            counts["transcripts with exons in N"] += 1
            continue
        if len(cdna) < SEQ_LEN:
            counts["transcripts shorter than 200 nt"] += 1
            continue
        for start in draw_starts(len(cdna), reference_starts, rng, per_transcript):
            first, end = tx.footprint(start, start + SEQ_LEN)
            rows.append((tid, start, tx.chrom, first, end, cdna[start : start + SEQ_LEN]))
    return pd.DataFrame(rows, columns=COLUMNS), counts


def draw_starts(length: int, reference_starts: np.ndarray, rng: np.random.Generator, draws: int) -> list[int]:
    """Distinct window starts for a cDNA of ``length`` nt: ``draws`` draws (with replacement) from the sorted
    ``reference_starts`` that leave room for a 200-nt window; none when no start fits."""
    fitting = reference_starts[: np.searchsorted(reference_starts, length - SEQ_LEN, side="right")]
    return np.unique(rng.choice(fitting, draws)).tolist() if len(fitting) else []


def cdna_windows(cdna: Genome, named: pd.DataFrame, rng: np.random.Generator, reference_starts: np.ndarray,
                 per_transcript: int, exclude: pd.Series) -> tuple[pd.DataFrame, dict[str, int]]:
    """Coding windows of a FASTA of transcript cDNA (``cdna``, one record per unversioned transcript id) that
    share no base with the benchmark sequences cut from it and no :data:`SHARED_K`-mer with ``exclude``.

    The FASTA gives no biotype, so a transcript counts as one Ensembl puts in its cDNA file when the benchmark
    names it (``named``: the benchmark's coding intervals, ``region, start, end``) or when its longest
    ATG-to-stop reading frame is at least :data:`MIN_ORF` nt (protein-coding-like; long non-coding RNAs rarely
    have one). Window starts are drawn as in :func:`coding_windows`; a window overlapping a named interval of
    its own transcript (cDNA positions) is dropped, and so is one sharing a k-mer with a sequence of
    ``exclude`` (isoforms share exons). Columns ``COLUMNS`` (``region`` the transcript id, ``region_start``
    the cDNA position; the genome footprint ``chrom, start, end`` is unknown: missing) and counts of the
    transcripts and windows (name -> count)."""
    reference_starts = np.sort(np.asarray(reference_starts))
    named = named[named["region"].isin(cdna.lengths)]
    taken = named.groupby("region")[["start", "end"]].agg(list)
    shared = {seq[i : i + SHARED_K] for seq in exclude for i in range(len(seq) - SHARED_K + 1)}
    counts = {"cDNA transcripts": len(cdna.lengths), "cDNA transcripts named by the benchmark": 0,
              f"cDNA transcripts not named, ORF >= {MIN_ORF} nt": 0, "cDNA windows drawn": 0,
              "cDNA windows overlapping a benchmark interval": 0,
              f"cDNA windows sharing a {SHARED_K}-mer with a real sequence": 0, "cDNA windows, distinct": 0}
    rows = []
    for tid in sorted(cdna.lengths):
        seq = cdna.sequence(tid)
        if tid in taken.index:
            counts["cDNA transcripts named by the benchmark"] += 1
        elif longest_orf(seq) >= MIN_ORF:
            counts[f"cDNA transcripts not named, ORF >= {MIN_ORF} nt"] += 1
        else:
            continue
        spans = list(zip(*taken.loc[tid])) if tid in taken.index else []
        for start in draw_starts(len(seq), reference_starts, rng, per_transcript):
            window = seq[start : start + SEQ_LEN]
            counts["cDNA windows drawn"] += 1
            if any(start < end and first < start + SEQ_LEN for first, end in spans):
                counts["cDNA windows overlapping a benchmark interval"] += 1
            elif "N" in window or any(window[i : i + SHARED_K] in shared for i in range(SEQ_LEN - SHARED_K + 1)):
                counts[f"cDNA windows sharing a {SHARED_K}-mer with a real sequence"] += 1
            else:
                rows.append((tid, start, None, pd.NA, pd.NA, window))
    windows = pd.DataFrame(rows, columns=COLUMNS).drop_duplicates("seq")  # isoforms share windows
    counts["cDNA windows, distinct"] = len(windows)
    return windows, counts


def merge_intervals(starts: np.ndarray, ends: np.ndarray) -> list[tuple[int, int]]:
    """The union of half-open intervals as sorted, disjoint (start, end) pairs."""
    merged: list[list[int]] = []
    for start, end in sorted(zip(starts.tolist(), ends.tolist())):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def subtract(spans: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Parts of the sorted disjoint ``spans`` outside the sorted disjoint ``holes``."""
    out = []
    for start, end in spans:
        for hole_start, hole_end in holes:
            if hole_end <= start or hole_start >= end:
                continue
            if hole_start > start:
                out.append((start, hole_start))
            start = max(start, hole_end)
            if start >= end:
                break
        if start < end:
            out.append((start, end))
    return out


def intergenomic_windows(genome: Genome, genes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """200-nt windows tiling the called sequence outside every interval in ``genes`` (``chrom, start, end``).
    Columns ``COLUMNS``."""
    rows = []
    for chrom in genome.lengths:
        seq = genome.sequence(chrom)
        on = genes[genes["chrom"].astype(str).map(lambda c: _spelled(genome, c)) == chrom]
        free = subtract(called_spans(seq), merge_intervals(on["start"].to_numpy(), on["end"].to_numpy()))
        for start, end in free:
            if end - start < SEQ_LEN:
                continue
            phase = start + int(rng.integers(0, min(SEQ_LEN, end - start - SEQ_LEN + 1)))
            for left in range(phase, end - SEQ_LEN + 1, SEQ_LEN):
                rows.append((chrom, left, chrom, left, left + SEQ_LEN, seq[left : left + SEQ_LEN]))
    return pd.DataFrame(rows, columns=COLUMNS)


def _spelled(genome: Genome, chrom: str) -> str | None:
    try:
        return genome.contig(chrom)
    except GenomeError:
        return None


def overlaps(windows: pd.DataFrame, others: pd.DataFrame) -> np.ndarray:
    """For each row of ``windows`` (``chrom, start, end``), whether it overlaps any row of ``others``."""
    hit = np.zeros(len(windows), dtype=bool)
    for chrom, group in others.groupby(others["chrom"].astype(str)):
        group = group.sort_values("start")
        starts, reach = group["start"].to_numpy(), np.maximum.accumulate(group["end"].to_numpy())
        mine = (windows["chrom"].astype(str) == chrom).to_numpy()
        before = np.searchsorted(starts, windows.loc[mine, "end"].to_numpy(), side="left")
        hit[mine] = (before > 0) & (reach[np.maximum(before - 1, 0)] > windows.loc[mine, "start"].to_numpy())
    return hit


def genome_pieces(table: pd.DataFrame, txs: dict[str, Transcript]) -> pd.DataFrame:
    """The genome bases of each window as intervals: columns ``row`` (index label in ``table``), ``chrom,
    start, end``. Coding rows (label 0, ``region`` a transcript id in ``txs``) give one interval per exon
    piece; intergenomic rows their own span."""
    rows = []
    for index, label, region, region_start, chrom, start, end in zip(
            table.index, table["label"], table["region"], table["region_start"], table["chrom"], table["start"],
            table["end"]):
        if label == 0:
            rows.extend((index, chrom, s, e) for s, e in txs[region].pieces(region_start, region_start + SEQ_LEN))
        else:
            rows.append((index, chrom, start, end))
    return pd.DataFrame(rows, columns=["row", "chrom", "start", "end"])


def block_split(windows: pd.DataFrame, block_nt: int, test_fraction: float,
                rng: np.random.Generator) -> pd.Series:
    """``train`` / ``test`` for each window (``chrom, start, end, label``) by genomic block, or missing for a
    window whose footprint spans a train block and a test block (dropped, so no two windows of different
    splits overlap).

    The genome is cut into blocks of ``block_nt`` nt; blocks are visited in a random order and one goes to
    test while that keeps each class's test share (windows counted by the block of their first base) at most
    ``test_fraction``.
    """
    first = windows["start"].to_numpy() // block_nt
    last = (windows["end"].to_numpy() - 1) // block_nt
    chrom = windows["chrom"].astype(str).to_numpy()
    labels = windows["label"].to_numpy()
    per_block = pd.crosstab([chrom, first], labels).reindex(columns=[0, 1], fill_value=0)
    totals = per_block.sum().to_numpy()
    order = rng.permutation(len(per_block))
    test_blocks, in_test = set(), np.zeros(2, dtype=np.int64)
    for i in order:
        counts = per_block.iloc[i].to_numpy()
        if np.all(in_test + counts <= test_fraction * totals):
            test_blocks.add(per_block.index[i])
            in_test += counts
    n_test = np.array([sum((c, b) in test_blocks for b in range(f, e + 1))
                       for c, f, e in zip(chrom, first, last)])
    split = pd.Series(pd.NA, index=windows.index, dtype="string")
    split[n_test == last - first + 1] = "test"
    split[n_test == 0] = "train"
    return split


def balance(table: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Within each split, subsample every class to the smaller class's count (rows keep their order)."""
    kept = []
    for _, group in table.groupby("split", sort=False):
        size = group["label"].value_counts().reindex([0, 1], fill_value=0).min()
        for _, part in group.groupby("label"):
            kept.append(part.iloc[np.sort(rng.choice(len(part), size, replace=False))])
    return pd.concat(kept)


def slice_windows(genome: Genome, gtf: pd.DataFrame, genes: pd.DataFrame, reference_starts: np.ndarray, *,
                  block_nt: int, seed: int, per_transcript: int = 10, test_fraction: float = 0.25,
                  exclude: pd.DataFrame | None = None,
                  extra_coding: tuple[pd.DataFrame, dict[str, int]] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The balanced, block-split coding vs intergenomic windows of ``genome`` (see the module docstring).

    ``gtf`` gives the transcripts (:func:`lib.data.annotation.read_gtf`), ``genes`` the spans to keep
    intergenomic windows out of (``chrom, start, end``; e.g. the gene lines of every annotation at hand),
    ``reference_starts`` the cDNA starts of the benchmark's coding intervals,
    ``exclude`` windows (as :func:`lib.coding.genomic_benchmarks.rebuild` returns them, transcripts from ``gtf``)
    whose bases no window may share, ``extra_coding`` more coding windows for the train split and their counts
    (as :func:`cdna_windows` returns them). Returns the table (``split, label, id`` + ``COLUMNS``) and the count of
    windows after each step, per class (rows: steps).
    """
    rng = np.random.default_rng(seed)
    txs = transcripts(gtf)
    coding, skipped = coding_windows(genome, txs, rng, reference_starts, per_transcript)
    intergenomic = intergenomic_windows(genome, genes, rng)
    steps: dict[str, tuple[int | None, int | None]] = {name: (count, None) for name, count in skipped.items()}
    steps["windows drawn"] = (len(coding), len(intergenomic))
    coding = coding.drop_duplicates("seq")
    steps["distinct windows"] = (len(coding), len(intergenomic))
    table = pd.concat([coding.assign(label=0), intergenomic.assign(label=1)], ignore_index=True)
    if exclude is not None and len(exclude):
        mine = genome_pieces(table, txs)
        hit = mine.loc[overlaps(mine, genome_pieces(exclude, txs)), "row"].unique()
        table = table.drop(index=hit)
        steps["not overlapping the excluded intervals"] = _per_class(table)
    table = table.assign(split=block_split(table, block_nt, test_fraction, rng)).dropna(subset=["split"])
    steps["inside one split's blocks"] = _per_class(table)
    if extra_coding is not None:
        extra, counts = extra_coding
        steps |= {name: (count, None) for name, count in counts.items()}
        table = pd.concat([table, extra.assign(label=0, split="train")], ignore_index=True)
        steps["with the cDNA windows in train"] = _per_class(table)
    table = balance(table, rng)
    for split in ("train", "test"):
        steps[f"balanced: {split}"] = _per_class(table[table["split"] == split])
    table = table.sort_values(["split", "label", "chrom", "start"], key=_split_first, kind="stable")
    table = table.assign(id=np.arange(len(table)).astype(str)).reset_index(drop=True)
    report = pd.DataFrame.from_dict(steps, orient="index", columns=list(CLASSES)).astype("Int64")
    return table[["split", "label", "id", *COLUMNS]], report


def _per_class(table: pd.DataFrame) -> tuple[int, int]:
    counts = table["label"].value_counts()
    return int(counts.get(0, 0)), int(counts.get(1, 0))


def _split_first(column: pd.Series) -> pd.Series:
    return column.map({"train": 0, "test": 1}) if column.name == "split" else column
