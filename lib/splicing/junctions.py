"""Paper A's splice-junction data set (section 4.1), built from a genome and an older/newer annotation pair.

Positives are distinct introns (chrom, start, end, strand) of protein-coding genes, longer than 30 nt, reading
GT at the 5' end and AG at the 3' end on the transcript's strand. Training positives come from the older
release; test positives are the newer release's junctions that the older one lacks. Negatives, as many as
positives per split, are random GT...AG pairs on the same contig and strand, N-free, not an annotated junction,
in two variants:

- ``heuristic`` (the paper's): the acceptor is drawn uniformly among the AG sites whose distance from the donor
  falls in the positives' length range;
- ``length_matched`` (a control): the length is drawn from the positives' lengths and the acceptor is the AG
  site nearest to it.

Every row keeps the intron and ``flank`` exonic bases on each side, strand-oriented (5'->3' of the transcript).
Everything dropped along the way is counted in the build report, never silently lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lib import cache, paths
from lib.data.annotation import introns, read_gtf
from lib.data.genome import Genome, called_spans, missing_text, reverse_complement
from lib.data.sources import Source
from lib.splicing import published

KEY = ["chrom", "start", "end", "strand"]
VERSION = 1  # bump when the build logic changes: it is part of the cache key

COLUMNS = {
    "chrom": "contig, spelled as in the genome",
    "start": "intron start, 0-based (first intron base on the + strand)",
    "end": "intron end, 0-based exclusive",
    "strand": "transcript strand, + or -",
    "length": "intron length in nt (end - start)",
    "gene_id": "annotated gene (empty for negatives)",
    "label": "1 annotated junction, 0 negative",
    "split": "train (older release) or test (newer release's novel junctions)",
    "variant": "annotated, heuristic (paper's negatives) or length_matched (control negatives)",
    "flank": "exonic bases kept on each side of the intron",
    "seq": "flank + intron + flank, 5'->3' on the strand; upper-case ACGT",
}


# --------------------------------------------------------------------------------------------- positives


def annotated(genome: Genome, found: pd.DataFrame, contigs: list[str], flank: int) -> tuple[pd.DataFrame, dict]:
    """Distinct positive junctions of one release's introns (:func:`lib.data.annotation.introns`) and a
    report counting every junction set aside.

    Returns (table with ``KEY + [length, gene_id]``, report). Report keys, in filtering order:
    ``introns`` (transcript-level), ``distinct``, ``no gene_type``, ``not protein_coding``, ``30 nt or shorter``,
    ``contig not in genome``, ``other contig`` (outside the profile's contigs), ``beyond contig end`` (with
    flanks), ``contains N`` (with flanks), ``not GT...AG``, ``kept``.
    """
    report = {"introns": len(found)}
    # a junction annotated in a protein-coding and another gene counts as protein-coding: those rows go first
    first = found.sort_values("gene_type", key=lambda t: t != "protein_coding", kind="stable")
    found = first.drop_duplicates(KEY).copy()
    report["distinct"] = len(found)
    no_type = found["gene_type"].isna()
    report["no gene_type"] = int(no_type.sum())
    coding = found["gene_type"] == "protein_coding"
    report["not protein_coding"] = int((~no_type & ~coding).sum())
    found = found[coding]
    short = (found["end"] - found["start"]) <= published.MIN_INTRON_LENGTH
    report["30 nt or shorter"] = int(short.sum())
    found = found[~short]

    spelled = {raw: _spelling(genome, str(raw)) for raw in found["chrom"].unique()}
    found["chrom"] = found["chrom"].astype(str).map(spelled)
    report["contig not in genome"] = int(found["chrom"].isna().sum())
    found = found.dropna(subset=["chrom"])
    other = ~found["chrom"].isin(contigs)
    report["other contig"] = int(other.sum())
    found = found[~other]

    beyond = (found["start"] - flank < 0) | (found["end"] + flank > found["chrom"].map(genome.lengths))
    report["beyond contig end"] = int(beyond.sum())
    found = found[~beyond]
    seqs = _windows(genome, found, flank)
    has_n = seqs.str.contains("N", regex=False)
    report["contains N"] = int(has_n.sum())
    motif = (seqs.str[flank : flank + 2] == "GT") & (seqs.str[-flank - 2 : -flank if flank else None] == "AG")
    report["not GT...AG"] = int((~has_n & ~motif).sum())
    kept = found[~has_n & motif].assign(length=lambda t: t["end"] - t["start"])
    # a junction shared by two genes keeps the first gene id in file order
    kept = kept.sort_values(KEY, kind="stable").reset_index(drop=True)[[*KEY, "length", "gene_id"]]
    report["kept"] = len(kept)
    return kept, report


def _spelling(genome: Genome, name: str) -> str | None:
    try:
        return genome.contig(name)
    except ValueError:
        return None


def _windows(genome: Genome, table: pd.DataFrame, flank: int) -> pd.Series:
    """``flank + intron + flank`` of each row, strand-oriented (index kept). Rows must lie inside contigs."""
    out = pd.Series("", index=table.index, dtype=object)
    for chrom, group in table.groupby("chrom", sort=False):
        seq = genome.sequence(chrom)
        windows = [seq[s - flank : e + flank] for s, e in zip(group["start"], group["end"])]
        out[group.index] = [reverse_complement(w) if strand == "-" else w
                            for w, strand in zip(windows, group["strand"])]
    return out


def novel(newer: pd.DataFrame, older: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``newer`` whose junction (chrom, start, end, strand) is not in ``older``."""
    seen = pd.MultiIndex.from_frame(older[KEY])
    return newer[~pd.MultiIndex.from_frame(newer[KEY]).isin(seen)].reset_index(drop=True)


# --------------------------------------------------------------------------------------------- negatives


@dataclass
class _Sites:
    """Candidate splice sites of one contig and strand, as intron coordinates on the + strand.

    ``donors``/``acceptors``: sorted intron boundary positions whose dinucleotide reads GT/AG on the strand
    (+: GT at [s, s+2), AG at [e-2, e); -: the reverse complements, AC at [e-2, e) and CT at [s, s+2)).
    ``spans``: N-free runs (start, end), used to keep a window with its flanks free of N.
    """

    donors: np.ndarray  # + strand: candidate intron starts; - strand: candidate intron ends
    acceptors: np.ndarray  # + strand: candidate intron ends; - strand: candidate intron starts
    span_starts: np.ndarray
    span_ends: np.ndarray


def _sites(seq: str, strand: str) -> _Sites:
    b = np.frombuffer(seq.encode("ascii"), dtype=np.uint8)

    def pair(x: str, y: str) -> np.ndarray:
        return np.flatnonzero((b[:-1] == ord(x)) & (b[1:] == ord(y)))

    spans = np.array(called_spans(seq), dtype=np.int64).reshape(-1, 2)
    if strand == "+":
        donors, acceptors = pair("G", "T"), pair("A", "G") + 2
    else:
        donors, acceptors = pair("A", "C") + 2, pair("C", "T")
    return _Sites(donors, acceptors, spans[:, 0], spans[:, 1])


def _n_free(sites: _Sites, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """True where [lo, hi) lies inside one N-free span."""
    k = np.searchsorted(sites.span_starts, lo, side="right") - 1
    ok = k >= 0
    return ok & (hi <= sites.span_ends[np.clip(k, 0, None)]) & (lo >= 0)


def _draw(sites: _Sites, strand: str, want: np.ndarray, rng: np.random.Generator, matched: bool,
          lo_len: int, hi_len: int) -> tuple[np.ndarray, np.ndarray]:
    """One candidate (start, end) per entry of ``want`` (target lengths); -1 where none could be drawn."""
    n = len(want)
    donors, acceptors = sites.donors, sites.acceptors
    if len(donors) == 0 or len(acceptors) == 0:
        return np.full(n, -1), np.full(n, -1)
    donor = donors[rng.integers(0, len(donors), n)]
    sign = 1 if strand == "+" else -1  # on -, the acceptor lies upstream (smaller coordinate) of the donor
    if matched:
        target = donor + sign * want
        k = np.clip(np.searchsorted(acceptors, target), 1, len(acceptors) - 1)
        nearer = np.where(np.abs(acceptors[k - 1] - target) <= np.abs(acceptors[k] - target), k - 1, k)
        acceptor = acceptors[nearer]
    else:  # uniform among the acceptors whose distance is in [lo_len, hi_len]
        near, far = (donor + lo_len, donor + hi_len + 1) if strand == "+" else (donor - hi_len, donor - lo_len + 1)
        first, last = np.searchsorted(acceptors, near), np.searchsorted(acceptors, far)
        has = last > first
        pick = first + (rng.random(n) * np.maximum(last - first, 1)).astype(np.int64)
        acceptor = np.where(has, acceptors[np.clip(pick, 0, len(acceptors) - 1)], -1)
    start, end = (donor, acceptor) if strand == "+" else (acceptor, donor)
    length = end - start
    bad = (acceptor < 0) | (length < lo_len) | (length > hi_len)
    return np.where(bad, -1, start), np.where(bad, -1, end)


def negatives(genome: Genome, positives: pd.DataFrame, forbidden: set[tuple], flank: int, seed: int,
              matched: bool, sites: dict | None = None, max_rounds: int = 50) -> pd.DataFrame:
    """As many negatives as ``positives``, one per positive on the same contig and strand.

    Candidates must be GT...AG on the strand, have a length within [min, max] of the positives' lengths,
    be N-free with their flanks, lie inside the contig, and not be in ``forbidden`` (a set of KEY tuples:
    annotated junctions and negatives already drawn; it is updated in place). With ``matched`` the target
    length of each negative is the length of its positive; otherwise lengths are free within the range.
    ``sites`` caches the candidate sites per (contig, strand) between calls. Raises ``RuntimeError`` if some
    cannot be drawn in ``max_rounds`` rounds (too little sequence).
    """
    sites = {} if sites is None else sites
    rng = np.random.default_rng(seed)
    lo_len, hi_len = int(positives["length"].min()), int(positives["length"].max())
    drawn = []
    for (chrom, strand), group in positives.groupby(["chrom", "strand"], sort=True):
        if (chrom, strand) not in sites:
            sites[chrom, strand] = _sites(genome.sequence(chrom), strand)
        found = sites[chrom, strand]
        want = group["length"].to_numpy()
        chosen: list[tuple[int, int]] = []
        for _ in range(max_rounds):
            need = len(want) - len(chosen)
            if need == 0:
                break
            start, end = _draw(found, strand, rng.permutation(want)[:need], rng, matched, lo_len, hi_len)
            ok = (start >= 0) & _n_free(found, start - flank, end + flank)
            for s, e in zip(start[ok].tolist(), end[ok].tolist()):
                key = (chrom, s, e, strand)
                if key not in forbidden and len(chosen) < len(want):
                    forbidden.add(key)
                    chosen.append((s, e))
        if len(chosen) < len(want):
            raise RuntimeError(f"could draw only {len(chosen)} of {len(want)} negatives on {chrom} {strand}")
        drawn.append(pd.DataFrame({"chrom": chrom, "start": [s for s, _ in chosen], "end": [e for _, e in chosen],
                                   "strand": strand}))
    table = pd.concat(drawn, ignore_index=True)
    table["length"] = table["end"] - table["start"]
    table["gene_id"] = None
    return table


# --------------------------------------------------------------------------------------------- the build


@dataclass
class JunctionSet:
    """The built data set: ``train`` and ``test`` tables (columns :data:`COLUMNS`) and the build report."""

    train: pd.DataFrame
    test: pd.DataFrame
    report: dict

    def split(self, name: str, negatives: str = "heuristic") -> pd.DataFrame:
        """Positives plus one negative variant (``heuristic`` or ``length_matched``) of split ``name``."""
        table = {"train": self.train, "test": self.test}[name]
        return table[table["variant"].isin(["annotated", negatives])].reset_index(drop=True)


def build(source: Source, contigs: list[str] | None, flank: int, max_len: int | None, seed: int,
          progress=print) -> JunctionSet:
    """:func:`assemble`'s data set, built once and then read from the cache (:func:`lib.cache.cached`: the folder
    ``$DNABOOK_CACHE/junctions/<source>-<key>`` holding ``train.parquet``, ``test.parquet`` and ``report.json``).
    The key covers the inputs' identities (name, size, modification time) and every parameter."""
    inputs = [cache.file_identity(p) for p in (source.genome, *source.releases.values())]
    params = {"version": VERSION, "source": source.name, "inputs": inputs, "contigs": contigs and list(contigs),
              "flank": flank, "max_len": max_len, "seed": seed}

    def load(folder: Path) -> JunctionSet:
        progress(f"loading the cached data set {paths.display(folder)}")
        return JunctionSet(pd.read_parquet(folder / "train.parquet"), pd.read_parquet(folder / "test.parquet"),
                           json.loads((folder / "report.json").read_text()))

    return cache.cached("junctions", source.name, params, "",
                        lambda: assemble(source, contigs, flank, max_len, seed, progress), _save, load)


def assemble(source: Source, contigs: list[str] | None, flank: int, max_len: int | None, seed: int,
             progress=print) -> JunctionSet:
    """The train/test junction tables of ``source`` and the build report, computed (no cache).

    ``contigs``: contig names to use (``None``: all of the genome's). ``max_len``: longest intron kept
    (``None``: no cap). ``seed`` draws the negatives. ``progress`` receives one message per step.
    """
    genome = Genome(source.genome)
    chosen, missing = genome.choose(contigs)
    report: dict = {"releases": {}, "parameters": {"contigs": chosen, "flank": flank, "max_len": max_len,
                                                   "seed": seed, "source": source.name}}
    if missing:  # reported (chapter 01 prints it), only when some are missing: other reports stay as they were
        report["parameters"]["missing contigs"] = missing
        progress(missing_text(missing, chosen))
    tables, forbidden = {}, set()
    for label, path in source.releases.items():
        progress(f"reading {label}: {paths.display(path)}")
        found = introns(read_gtf(path))
        tables[label], report["releases"][label] = annotated(genome, found, chosen, flank)
        forbidden |= _keys(found, genome)
    older, newer = (tables[label] for label in source.releases)
    splits = {"train": older, "test": novel(newer, older)}
    report["novel test junctions before the length cap"] = len(splits["test"])
    out, sites = {}, {}
    for offset, (name, positives) in enumerate(splits.items()):
        capped = positives if max_len is None else positives[positives["length"] <= max_len]
        report[name] = {"positives before cap": len(positives), "removed by max_len": len(positives) - len(capped),
                        "positives": len(capped), "length range": [int(capped["length"].min()),
                                                                   int(capped["length"].max())]}
        parts = [capped.assign(label=1, variant="annotated")]
        for variant_seed, (variant, matched) in enumerate([("heuristic", False), ("length_matched", True)]):
            progress(f"drawing {len(capped):,} {variant} negatives for {name}")
            drawn = negatives(genome, capped, forbidden, flank, seed * 1000 + offset * 10 + variant_seed, matched,
                              sites)
            parts.append(drawn.assign(label=0, variant=variant))
        table = pd.concat(parts, ignore_index=True).assign(split=name, flank=flank)
        table["seq"] = _windows(genome, table, flank)
        out[name] = table[list(COLUMNS)]
    return JunctionSet(out["train"], out["test"], report)


def unlabeled(source: Source, data: JunctionSet, contigs: list[str] | None, flank: int, max_len: int | None,
              total: int, seed: int, held_out: set[tuple] = frozenset()) -> list[str]:
    """``total`` extra unlabeled sequences for pretraining the autoencoder, none of them from the test split.

    First every distinct annotated intron of both releases, of any gene type, longer than 30 nt and at most
    ``max_len``, N-free, on the chosen contigs, as ``flank + intron + flank`` strand-oriented, that is not a row
    of ``data`` and not in ``held_out`` (KEY tuples kept to measure reconstruction); then genomic windows, to
    reach ``total``: stretches of the genome's called (N-free) runs with the lengths of ``data``'s training positives (drawn
    with ``seed``), on a random strand, overlapping no test row (flanks included). Introns come sorted by KEY,
    so the list depends on the inputs and ``seed`` alone."""
    genome = Genome(source.genome)
    chosen, _ = genome.choose(contigs)
    found = pd.concat([introns(read_gtf(path))[KEY] for path in source.releases.values()]).drop_duplicates()
    found["chrom"] = found["chrom"].astype(str).map({c: _spelling(genome, c) for c in found["chrom"].astype(str)
                                                     .unique()})
    found = found.dropna(subset=["chrom"])
    length = found["end"] - found["start"]
    found = found[found["chrom"].isin(chosen) & (length > published.MIN_INTRON_LENGTH)
                  & ((length <= max_len) if max_len is not None else True)
                  & (found["start"] - flank >= 0) & (found["end"] + flank <= found["chrom"].map(genome.lengths))]
    taken = set(pd.concat([data.train, data.test])[KEY].itertuples(index=False, name=None)) | set(held_out)
    found = found[[key not in taken for key in found[KEY].itertuples(index=False, name=None)]]
    found = found.sort_values(KEY, kind="stable").reset_index(drop=True)
    out = [s for s in _windows(genome, found, flank) if "N" not in s][:total]
    rng = np.random.default_rng(seed)
    lengths = data.train.query("label == 1")["seq"].str.len().to_numpy()
    test = {c: t for c, t in data.test.groupby("chrom")}
    spans = [(c, a, b) for c in chosen for a, b in called_spans(genome.sequence(c)) if b - a > max(lengths)]
    weights = np.array([b - a for _, a, b in spans], float)
    while len(out) < total:
        chrom, a, b = spans[rng.choice(len(spans), p=weights / weights.sum())]
        n = int(rng.choice(lengths))
        start = int(rng.integers(a, b - n + 1))
        rows = test.get(chrom)
        if rows is not None and ((rows["start"] - flank < start + n) & (rows["end"] + flank > start)).any():
            continue
        window = genome.sequence(chrom)[start: start + n]
        out.append(reverse_complement(window) if rng.random() < 0.5 else window)
    return out


def annotated_keys(source: Source) -> set[tuple]:
    """Every intron of both releases of ``source`` as KEY tuples (an independent re-read for checks)."""
    genome = Genome(source.genome)
    return set().union(*(_keys(introns(read_gtf(path)), genome) for path in source.releases.values()))


def _keys(found: pd.DataFrame, genome: Genome) -> set[tuple]:
    """KEY tuples of every intron in ``found`` (any gene type and length): negatives must avoid them all."""
    chrom = found["chrom"].astype(str).map({c: _spelling(genome, c) for c in found["chrom"].astype(str).unique()})
    keys = found[KEY].assign(chrom=chrom).dropna(subset=["chrom"])
    return set(keys.itertuples(index=False, name=None))


def _save(data: JunctionSet, folder: Path) -> None:
    """Write the tables and the report of ``data`` into the new folder ``folder``."""
    folder.mkdir(parents=True)
    for name in ("train", "test"):
        getattr(data, name).to_parquet(folder / f"{name}.parquet", index=False)
    (folder / "report.json").write_text(json.dumps(data.report, indent=2))


def checks(table: pd.DataFrame, annotated_keys: set[tuple] | None = None) -> pd.DataFrame:
    """Per variant of one split's table: rows, and the share (%) of rows whose sequence reads GT at the
    donor and AG at the acceptor, has the intron plus both flanks exactly, and holds no N; plus how many
    negatives coincide with an annotated junction (``annotated_keys``; default: the table's positives)."""
    flank = int(table["flank"].iloc[0])
    seq = table["seq"]
    frame = pd.DataFrame({
        "variant": table["variant"],
        "GT at donor %": seq.str[flank : flank + 2] == "GT",
        "AG at acceptor %": seq.str[-flank - 2 : -flank or None] == "AG",
        "length = intron + 2 flanks %": seq.str.len() == table["length"] + 2 * flank,
        "no N %": ~seq.str.contains("N", regex=False),
    })
    out = (100 * frame.groupby("variant").mean()).round(2)
    out.insert(0, "rows", table["variant"].value_counts())
    known = annotated_keys or set(table.loc[table["label"] == 1, KEY].itertuples(index=False, name=None))
    keys = table[KEY].itertuples(index=False, name=None)
    out["negatives equal to an annotated junction"] = (
        pd.Series([k in known for k in keys], index=table.index)[table["label"] == 0]
        .groupby(table["variant"]).sum().reindex(out.index).astype("Int64"))  # <NA> for the positives
    return out
