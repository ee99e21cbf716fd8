"""Genomic Benchmarks ``demo_coding_vs_intergenomic_seqs``: its archive, its rebuild from references, and its
recipe applied to a genome slice.

Label 0 is ``coding_seqs`` (200-nt windows of transcript cDNA), label 1 ``intergenomic_seqs`` (200-nt genome
windows outside genes): the benchmark's class order. Every sequence is 200 letters of A, C, G, T, N; anything
else raises :class:`SequenceError` naming where the sequence came from and what is wrong.

Three sources give one table layout, one row per sequence: ``split`` (train/test), ``label``, ``id``, ``seq``,
and where known ``region`` (transcript id or contig as the benchmark names it), ``region_start`` (the window's
start in it: a cDNA or a genome position) and the genome footprint ``chrom, start, end`` (0-based half-open;
for a cDNA window, from its first to its last base in the genome, introns included).

- :func:`read_archive` / :func:`load_archive`: the benchmark's own zip (the ``paper`` profile).
- :func:`rebuild`: the shipped interval lists cut from a genome and an annotation, with the benchmark's
  ``loc2seq`` semantics (``reference[region][start:end]``, reverse complement on ``-``).
- :func:`lib.coding.windows.slice_windows`: the benchmark's recipe on a genome and annotation (the
  GRCh38 slice in ``default``).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lib import cache, paths, vocab
from lib.data import checksums
from lib.data.genome import Genome, GenomeError, reverse_complement
from lib.errors import InputError, MissingInput

DATASET = "demo_coding_vs_intergenomic_seqs"
CLASSES = ("coding_seqs", "intergenomic_seqs")  # label 0, label 1
SPLITS = ("train", "test")
SEQ_LEN = 200
VOCAB = vocab.CODING_NAMES  # token ids 0-5 (lib.vocab, paper B's layout); 200-nt inputs never need the pad token
REMOTE = "genomic_benchmarks_coding_vs_intergenomic"  # lib.data.download.REGISTRY entry of the zip

_BAD_LETTER = re.compile(r"[^ACGTN]")
_MEMBER = re.compile(rf"(?:^|/)({'|'.join(SPLITS)})/({'|'.join(CLASSES)})/([^/]+)\.txt$")
_TOKENS = vocab.code_table(first=vocab.CODING_PAD + 1)


class SequenceError(InputError):
    """A sequence that is not 200 nt of A, C, G, T, N; the message names its file or id and the bad value."""


def check_sequence(seq: str, where: str) -> str:
    """``seq`` unchanged if it is 200 letters of A/C/G/T/N; else :class:`SequenceError` naming ``where``."""
    if len(seq) != SEQ_LEN:
        raise SequenceError(f"{where}: sequence is {len(seq)} nt long, expected {SEQ_LEN}")
    bad = _BAD_LETTER.search(seq)
    if bad:
        raise SequenceError(f"{where}: letter {bad.group()!r} at position {bad.start() + 1} is not one of "
                            "A, C, G, T, N")
    return seq


def encode(seqs: list[str] | pd.Series, names: list[str] | pd.Series | None = None) -> np.ndarray:
    """Token ids (``VOCAB`` index, A=1 ... N=5) of 200-nt sequences: uint8 array of shape (n, 200).

    Raises :class:`SequenceError` for the first sequence of another length or with another letter, naming it
    by ``names[i]`` (default: its row number).
    """
    seqs = list(seqs)
    names = list(names) if names is not None else [f"sequence {i}" for i in range(len(seqs))]
    lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
    for i in np.flatnonzero(lengths != SEQ_LEN)[:1]:
        check_sequence(seqs[i], names[i])
    if not seqs:
        return np.zeros((0, SEQ_LEN), dtype=np.uint8)
    raw = np.frombuffer("".join(seqs).encode("latin-1", errors="replace"), dtype=np.uint8)
    tokens = _TOKENS[raw].reshape(len(seqs), SEQ_LEN)
    for i in np.flatnonzero((tokens == vocab.UNKNOWN).any(axis=1))[:1]:
        check_sequence(seqs[i], names[i])
    return tokens


def row_names(table: pd.DataFrame) -> list[str]:
    """``split/class/id`` of each row, for error messages."""
    return [f"{s}/{CLASSES[label]}/{i}" for s, label, i in zip(table["split"], table["label"], table["id"])]


# --- the benchmark's archive ----------------------------------------------------------------------------


def read_archive(zip_path: Path | str) -> pd.DataFrame:
    """The sequences of the benchmark's zip: columns ``split, label, id, seq``, sorted.

    Members must follow the benchmark's layout, ``[<top>/]{train,test}/{coding_seqs,intergenomic_seqs}/<id>.txt``
    (one sequence a file; surrounding whitespace ignored, lower case read as upper case); other members are
    ignored. A sequence that is not 200 nt of A/C/G/T/N raises :class:`SequenceError` naming the member.
    """
    zip_path = Path(zip_path)
    rows = []
    try:
        with zipfile.ZipFile(zip_path) as archive:
            for member in archive.infolist():
                found = _MEMBER.search(member.filename)
                if member.is_dir() or not found:
                    continue
                seq = archive.read(member).decode("latin-1").strip().upper()
                check_sequence(seq, f"{zip_path.name}:{member.filename}")
                rows.append((found[1], CLASSES.index(found[2]), found[3], seq))
    except zipfile.BadZipFile as err:
        raise SequenceError(f"{zip_path}: not a readable zip archive ({err})") from err
    if not rows:
        raise SequenceError(f"{zip_path}: no sequences in the benchmark's layout "
                            f"({DATASET}/{{train,test}}/{{{','.join(CLASSES)}}}/<id>.txt)")
    table = pd.DataFrame(rows, columns=["split", "label", "id", "seq"])
    return _sorted(table)


def load_archive(progress: bool = False) -> pd.DataFrame:
    """The benchmark's archive, downloaded through :mod:`lib.data.download` (entry ``REMOTE``), read once
    and cached as parquet under ``$CACHE/genomic_benchmarks`` (:func:`lib.cache.cached`) keyed by the zip's
    name, size and time."""
    from lib.data import download  # imported here: pooch pulls in tqdm.auto, noisy inside a notebook

    zip_path = download.fetch(REMOTE, progress=progress)
    return cache.cached("genomic_benchmarks", "archive", cache.file_identity(zip_path), "parquet",
                        lambda: read_archive(zip_path), lambda table, tmp: table.to_parquet(tmp, index=False),
                        pd.read_parquet)


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    order = table["id"].map(lambda i: (0, int(i), "") if str(i).isdigit() else (1, 0, str(i)))
    table = table.assign(_split=table["split"].map(SPLITS.index), _order=order)
    table = table.sort_values(["_split", "label", "_order"]).drop(columns=["_split", "_order"])
    return table.reset_index(drop=True)


# --- the shipped interval lists and their rebuild from references -----------------------------------------


def intervals_dir() -> Path:
    """The benchmark's interval lists (``$DNABOOK_SHARED_DATA/genomic-benchmarks/<DATASET>``), verified with
    :func:`lib.data.checksums.verify` (its pinned digests: the folder ships no ``SHA256SUMS``)."""
    folder = paths.shared_data() / "genomic-benchmarks" / DATASET
    if not (folder / "metadata.yaml").is_file():
        raise MissingInput(f"the interval lists of {DATASET} are not at {folder}: set DNABOOK_SHARED_DATA")
    checksums.verify(folder.parent)
    return folder


def read_intervals(folder: Path | None = None) -> pd.DataFrame:
    """All interval lists: columns ``split, label, id, region, start, end, strand`` (0-based half-open).

    A list that is missing raises :class:`MissingInput`; one that cannot be read (a truncated or corrupt gzip, not
    CSV, columns missing) raises :class:`InputError` naming the file."""
    folder = Path(folder) if folder is not None else intervals_dir()
    parts = []
    for split in SPLITS:
        for label, cls in enumerate(CLASSES):
            part = _read_interval_list(folder / split / f"{cls}.csv.gz")
            parts.append(part.assign(split=split, label=label))
    table = pd.concat(parts, ignore_index=True)
    return table[["split", "label", "id", "region", "start", "end", "strand"]]


def _read_interval_list(path: Path) -> pd.DataFrame:
    """One interval list (``id,region,start,end,strand``), with errors that name ``path``."""
    if not path.is_file():
        raise MissingInput(f"{path}: interval list not found: restore the benchmark's folder (see "
                           f"{path.parent.parent.parent / 'README.md'}) or set DNABOOK_SHARED_DATA")
    try:
        part = pd.read_csv(path, dtype={"id": str, "region": str})
    except (EOFError, zlib.error, OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise InputError(f"{path}: cannot read the interval list: truncated or corrupt file ({err}); restore it "
                         f"from the benchmark's source (see {path.parent.parent.parent / 'README.md'})") from err
    missing = [c for c in ("id", "region", "start", "end", "strand") if c not in part.columns]
    if missing:
        raise InputError(f"{path}: the interval list lacks the column(s) {', '.join(missing)} (expected "
                         "id,region,start,end,strand); restore it from the benchmark's source")
    return part


@dataclass(frozen=True)
class Transcript:
    """A transcript's exons in transcript order (5'->3'), 0-based half-open genome coordinates."""

    transcript_id: str  # without the version suffix, as the benchmark names it
    chrom: str
    strand: str
    starts: np.ndarray
    ends: np.ndarray
    gene_type: str

    def cdna(self, genome: Genome) -> str:
        """The exons' sequence joined 5'->3' on the transcript's strand (raises GenomeError off the genome)."""
        return "".join(genome.fetch(self.chrom, s, e, self.strand) for s, e in zip(self.starts, self.ends))

    def pieces(self, start: int, end: int) -> list[tuple[int, int]]:
        """The genome intervals (0-based half-open, ascending) holding cDNA positions ``[start, end)``."""
        bounds = np.concatenate([[0], np.cumsum(self.ends - self.starts)])
        found = []
        for i in range(len(self.starts)):
            lo, hi = max(start, bounds[i]), min(end, bounds[i + 1])
            if lo >= hi:
                continue
            if self.strand == "+":
                found.append((int(self.starts[i] + lo - bounds[i]), int(self.starts[i] + hi - bounds[i])))
            else:
                found.append((int(self.ends[i] - (hi - bounds[i])), int(self.ends[i] - (lo - bounds[i]))))
        return sorted(found)

    def footprint(self, start: int, end: int) -> tuple[int, int]:
        """Genome span (0-based half-open) from the first to the last base of cDNA positions ``[start, end)``."""
        found = self.pieces(start, end)
        return found[0][0], found[-1][1]


def transcripts(gtf: pd.DataFrame) -> dict[str, Transcript]:
    """Every transcript of a GTF table (:func:`lib.data.annotation.read_gtf`), keyed by its unversioned id."""
    exons = gtf.loc[gtf["feature"] == "exon", ["transcript_id", "chrom", "start", "end", "strand", "gene_type"]]
    exons = exons.assign(tid=exons["transcript_id"].str.replace(r"\.\d+$", "", regex=True),
                         order=np.where(exons["strand"] == "-", -exons["start"], exons["start"]))
    found = {}
    for tid, group in exons.sort_values(["tid", "order"]).groupby("tid", sort=True):
        first = group.iloc[0]
        found[tid] = Transcript(tid, str(first["chrom"]), str(first["strand"]), group["start"].to_numpy(),
                                group["end"].to_numpy(), str(first["gene_type"]))
    return found


REFERENCES = ("GRCh38 slice", "chr21 cDNA", "GRCh38 chromosomes")  # the ``reference`` a real sequence was cut from
CDNA = REFERENCES[1]
REBUILT_CDNA = f"rebuilt from the {CDNA}"
REBUILT = f"rebuilt from the {REFERENCES[0]}"


def rebuilt_from(reference: str) -> str:
    """The rebuild outcome of a sequence cut from ``reference`` (one of :data:`REFERENCES`)."""
    return f"rebuilt from the {reference}"


def rebuild(genome: Genome, gtf: pd.DataFrame, intervals: pd.DataFrame, cdna: Genome | None = None,
            genome_name: str = REFERENCES[0]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cut every interval the references cover, as the benchmark's ``loc2seq`` does from its own.

    Coding rows (label 0): ``region`` is an unversioned transcript id, positions are in its cDNA (exons joined
    5'->3'): ``cdna[start:end]``, reverse-complemented when ``strand`` is ``-``. The cDNA comes from the
    annotation's exons on the genome when every exon reads real (non-N) sequence, else from ``cdna`` (a FASTA of
    transcript sequences named by unversioned id, e.g. the chr21 cDNA) when it holds the transcript.
    Intergenomic rows (label 1): ``genome[region][start:end]`` (``17`` and ``chr17`` alike), reverse-complemented
    on ``-``; a window reading N is not covered.

    Returns the rebuilt table (``split, label, id, reference, region, region_start, chrom, start, end,
    gene_type, seq``; ``reference`` ``genome_name`` (the genome's name, one of :data:`REFERENCES`) or
    :data:`CDNA`, ``region_start`` the interval's start in its
    region, ``chrom, start, end`` its genome footprint, missing (``<NA>``) for a sequence from ``cdna``) and the
    outcome of every interval: counts per outcome (rows) and class.
    """
    known = transcripts(gtf)
    cdnas: dict[str, str | None] = {}
    rows, outcomes = [], []
    for row in intervals.itertuples(index=False):
        if row.label == 0:
            outcome, found = _rebuild_coding(genome, known, cdnas, row, genome_name)
            if found is None and cdna is not None and row.region in cdna.lengths:
                outcome, found = _rebuild_from_cdna(cdna, row)
        else:
            outcome, found = _rebuild_intergenomic(genome, row, genome_name)
        outcomes.append(outcome)
        if found is not None:
            rows.append(found)
    table = pd.DataFrame(rows, columns=["split", "label", "id", "reference", "region", "region_start", "chrom",
                                        "start", "end", "gene_type", "seq"])
    table = _sorted(table.astype({"region_start": "int64", "start": "Int64", "end": "Int64"}))
    names = intervals["label"].map(lambda i: CLASSES[i]).to_numpy()
    counts = pd.DataFrame({"outcome": outcomes, "class": names}).value_counts()
    report = counts.unstack("class", fill_value=0).reindex(columns=list(CLASSES), fill_value=0)
    return table, report.sort_values(list(CLASSES), ascending=False)


def _rebuild_coding(genome, known, cdnas, row, name):
    tx = known.get(row.region)
    if tx is None:
        return "transcript not in the annotation", None
    if tx.transcript_id not in cdnas:
        try:
            cdnas[tx.transcript_id] = tx.cdna(genome)
        except GenomeError:
            cdnas[tx.transcript_id] = None
    cdna = cdnas[tx.transcript_id]
    if cdna is None:
        return "transcript on a contig the genome lacks", None
    if "N" in cdna:
        return "transcript has exons in unknown (N) sequence", None
    if row.end > len(cdna):
        return "interval runs past the transcript's end (annotation release differs)", None
    seq = cdna[row.start : row.end]
    seq = _strand(seq, row.strand)
    start, end = tx.footprint(row.start, row.end)
    return rebuilt_from(name), (row.split, 0, row.id, name, row.region, row.start, tx.chrom, start, end, tx.gene_type,
                     check_sequence(seq, f"{row.split}/{CLASSES[0]}/{row.id}"))


def _rebuild_from_cdna(cdna: Genome, row):
    if row.end > cdna.lengths[row.region]:
        return "interval runs past the transcript's end in the chr21 cDNA", None
    seq = _strand(cdna.fetch(row.region, row.start, row.end), row.strand)
    return REBUILT_CDNA, (row.split, 0, row.id, CDNA, row.region, row.start, "chr21", pd.NA, pd.NA, None,
                          check_sequence(seq, f"{row.split}/{CLASSES[0]}/{row.id}"))


def _rebuild_intergenomic(genome, row, name):
    try:
        chrom = genome.contig(row.region)
    except GenomeError:
        return "contig not in the genome", None
    if row.end > genome.lengths[chrom]:
        return "interval beyond the contig's end in this genome", None
    seq = genome.fetch(chrom, row.start, row.end)
    if "N" in seq:
        return "interval reads N (sequence unknown here)", None
    return rebuilt_from(name), (row.split, 1, row.id, name, row.region, row.start, chrom, row.start, row.end, None,
                     check_sequence(_strand(seq, row.strand), f"{row.split}/{CLASSES[1]}/{row.id}"))


def _strand(seq: str, strand: str) -> str:
    if strand not in ("+", "-"):
        raise SequenceError(f"strand must be '+' or '-', got {strand!r}")
    return reverse_complement(seq) if strand == "-" else seq


_STOPS = ("TAA", "TAG", "TGA")


def open_frame(seq: str) -> bool:
    """Whether some reading frame of ``seq`` has no stop codon (TAA, TAG, TGA) on this strand: true of
    almost every window inside a protein-coding sequence, of about 1 in 8 random 200-nt windows."""
    return any(all(seq[i : i + 3] not in _STOPS for i in range(frame, len(seq) - 2, 3)) for frame in range(3))


def longest_orf(seq: str) -> int:
    """Length (nt, stop codon included) of the longest ATG-to-stop reading frame on this strand of ``seq``; 0
    when there is none."""
    best = 0
    for frame in range(3):
        start = None
        for i in range(frame, len(seq) - 2, 3):
            codon = seq[i : i + 3]
            if start is None and codon == "ATG":
                start = i
            elif start is not None and codon in _STOPS:
                best, start = max(best, i + 3 - start), None
    return best


def composition(table: pd.DataFrame) -> pd.DataFrame:
    """Per class of ``table`` (``label, seq``): sequences, mean G+C fraction and share with an open frame."""
    features = pd.DataFrame({"class": table["label"].map(lambda i: CLASSES[i]),
                             "G+C": table["seq"].str.count("[GC]") / table["seq"].str.len(),
                             "open reading frame": table["seq"].map(open_frame)})
    return features.groupby("class").agg(sequences=("G+C", "size"), **{"mean G+C": ("G+C", "mean"),
                                         "share with an open frame": ("open reading frame", "mean")})
