"""Descriptive tables of a genome and its annotations (chapter 00)."""

from __future__ import annotations

import pandas as pd

from lib.data.annotation import introns
from lib.data.genome import Genome, called_spans
from lib.splicing import published
from lib.splicing.sites import dinucleotides


def genome_table(genome: Genome, contigs: list[str]) -> pd.DataFrame:
    """Per contig: length, called (non-N) and N bases, called share, and the called spans (1-based, closed)."""
    rows = []
    for name in contigs:
        spans = called_spans(genome.sequence(name))
        called = sum(end - start for start, end in spans)
        length = genome.lengths[name]
        rows.append({"contig": name, "length": length, "called bases": called, "N bases": length - called,
                     "called %": round(100 * called / length, 2),
                     "called spans": ", ".join(f"{s + 1:,}-{e:,}" for s, e in spans)})
    return pd.DataFrame(rows).set_index("contig")


def on_contigs(gtf: pd.DataFrame, genome: Genome, contigs: list[str]) -> tuple[pd.DataFrame, int]:
    """The GTF rows on ``contigs`` with contig names spelled as in the genome, and how many rows lie on
    contigs the genome does not have (reported, not silently dropped)."""
    spelled = {}
    for raw in gtf["chrom"].unique():
        try:
            spelled[raw] = genome.contig(str(raw))
        except ValueError:
            spelled[raw] = None
    chrom = gtf["chrom"].astype(str).map(spelled)
    missing = int(chrom.isna().sum())
    kept = gtf[chrom.isin(contigs)].copy()
    kept["chrom"] = chrom[kept.index]
    return kept, missing


def feature_counts(gtfs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Genes, transcripts and exons per release (columns: release labels)."""
    return pd.DataFrame({label: {"genes": gtf["gene_id"].nunique(),
                                 "transcripts": gtf["transcript_id"].nunique(),
                                 "exon lines": int((gtf["feature"] == "exon").sum())}
                         for label, gtf in gtfs.items()})


def gene_types(gtfs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Distinct genes per ``gene_type`` (rows) and release (columns), most frequent first."""
    counts = {label: gtf.drop_duplicates("gene_id")["gene_type"].fillna("(missing)").value_counts()
              for label, gtf in gtfs.items()}
    table = pd.DataFrame(counts).fillna(0).astype(int)
    return table.sort_values(list(table.columns)[::-1], ascending=False)


def coding_introns(gtf: pd.DataFrame) -> pd.DataFrame:
    """Distinct introns (chrom, start, end, strand) of protein-coding genes longer than 30 nt."""
    found = introns(gtf)
    long = found["end"] - found["start"] > published.MIN_INTRON_LENGTH
    found = found[(found["gene_type"] == "protein_coding") & long]
    return found.drop_duplicates(["chrom", "start", "end", "strand"]).reset_index(drop=True)


def motif_class(donor: pd.Series, acceptor: pd.Series) -> pd.Series:
    """``GT-AG``, ``GC-AG``, ``AT-AC`` or ``other`` for each donor/acceptor pair."""
    pair = donor + "-" + acceptor
    return pair.where(pair.isin(["GT-AG", "GC-AG", "AT-AC"]), "other")


def intron_qc(genome: Genome, gtfs: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Per release (rows): protein-coding introns > 30 nt, how many contain N, and the splice-motif classes
    of the N-free ones with the GT...AG share. Also returns each release's introns with their motif columns."""
    rows, detail = {}, {}
    for label, gtf in gtfs.items():
        found = coding_introns(gtf)
        found = found.join(dinucleotides(genome, found))
        found["motif"] = motif_class(found["donor"], found["acceptor"])
        clean = found[~found["has_n"]]
        classes = clean["motif"].value_counts()
        rows[label] = {"introns > 30 nt": len(found), "containing N": int(found["has_n"].sum()),
                       "N-free": len(clean),
                       **{m: int(classes.get(m, 0)) for m in ["GT-AG", "GC-AG", "AT-AC", "other"]},
                       "GT-AG share of N-free %": round(100 * classes.get("GT-AG", 0) / max(len(clean), 1), 2)}
        detail[label] = found
    return pd.DataFrame.from_dict(rows, orient="index"), detail
