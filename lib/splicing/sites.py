"""Splice-site dinucleotides of introns, read from the genome on the transcript's strand."""

from __future__ import annotations

import pandas as pd

from lib.data.genome import Genome, reverse_complement


def dinucleotides(genome: Genome, introns: pd.DataFrame) -> pd.DataFrame:
    """Donor and acceptor dinucleotides of each intron.

    ``introns`` has ``chrom, start, end, strand`` (0-based half-open intron coordinates). Returns a table
    with the same index and columns ``donor`` (first two intron bases, 5'->3' on the strand), ``acceptor``
    (last two), ``has_n`` (the intron contains an N) and ``contig_found`` (False when the genome lacks the
    contig; then the other columns are empty). Introns beyond a contig's end raise :class:`GenomeError`.
    """
    rows = []
    for chrom, group in introns.groupby("chrom", observed=True, sort=False):
        try:
            seq = genome.sequence(chrom)
        except ValueError:  # GenomeError: contig not in this genome
            rows.append(pd.DataFrame({"donor": "", "acceptor": "", "has_n": False, "contig_found": False},
                                     index=group.index))
            continue
        donor, acceptor, has_n = [], [], []
        for start, end, strand in zip(group["start"], group["end"], group["strand"]):
            if end > len(seq):
                genome.fetch(chrom, start, end)  # raises a GenomeError naming the coordinates
            five, three = seq[start : start + 2], seq[end - 2 : end]
            if strand == "-":
                five, three = reverse_complement(three), reverse_complement(five)
            donor.append(five)
            acceptor.append(three)
            has_n.append("N" in seq[start:end])
        rows.append(pd.DataFrame({"donor": donor, "acceptor": acceptor, "has_n": has_n, "contig_found": True},
                                 index=group.index))
    columns = ["donor", "acceptor", "has_n", "contig_found"]
    return pd.concat(rows).reindex(introns.index) if rows else pd.DataFrame(columns=columns)
