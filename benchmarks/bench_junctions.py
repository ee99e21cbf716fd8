"""Splice-junction data set build time: ``python benchmarks/bench_junctions.py [--scale full|slice]``.

``slice``: the offline GRCh38 slice with the ``default`` profile's parameters.
``full``: a synthetic genome and GENCODE-like annotation pair at GENCODE v20 scale (about 300,000 distinct
protein-coding junctions over 24 contigs, ~6,000 of them new in the newer release), built with the ``paper``
profile's parameters. Target: the full-scale build in under 60 s on 2 cores (genome preparation, done once
per genome, is timed apart).
"""

from __future__ import annotations

import lib  # noqa: F401  (first: pins the numerics before numpy and torch load; see lib.numerics)

# isort: split

import argparse
import itertools
import time
from pathlib import Path

import numpy as np

from lib import paths
from lib.book import config
from lib.data import sources
from lib.data.genome import Genome
from lib.data.sources import Source
from lib.splicing import junctions

GENES_PER_CONTIG, INTRONS_PER_GENE, CONTIGS = 1_250, 10, 24


def synthetic_source(folder: Path, seed: int = 0) -> Source:
    """Write (once) a random genome with planted GT...AG introns and two GTFs; returns their Source."""
    genome, older, newer = folder / "synthetic.fa", folder / "older.gtf", folder / "newer.gtf"
    source = Source("synthetic", genome, older, newer, "older", "newer")
    if newer.exists():
        return source
    rng = np.random.default_rng(seed)
    lines_old, lines_new = [], []
    with open(genome, "wb") as fasta:
        for c in range(1, CONTIGS + 1):
            chrom, layout, pos = f"chr{c}", [], 5_000
            for g in range(GENES_PER_CONTIG):
                introns = np.clip(rng.lognormal(np.log(900), 1.0, INTRONS_PER_GENE), 31, 200_000).astype(int)
                exons = []
                for length in [*introns, 0]:
                    exons.append((pos, pos + 150))
                    pos += 150 + length
                layout.append((f"{chrom}g{g}", "+-"[g % 2], exons))
                pos += 2_000
            seq = np.frombuffer(b"ACGT", np.uint8)[rng.integers(0, 4, pos + 5_000)]
            for gene, strand, exons in layout:
                for (_, a), (b, _) in itertools.pairwise(exons):  # intron [a, b)
                    donor, acceptor = (a, b - 2) if strand == "+" else (b - 2, a)
                    seq[donor : donor + 2] = np.frombuffer(b"GT" if strand == "+" else b"AC", np.uint8)
                    seq[acceptor : acceptor + 2] = np.frombuffer(b"AG" if strand == "+" else b"CT", np.uint8)
                lines_old += _gtf(chrom, gene, "t1", strand, exons)
                lines_new += _gtf(chrom, gene, "t1", strand, exons)
                if rng.random() < 0.2:  # an exon-skipping isoform: one new junction
                    skip = int(rng.integers(1, len(exons) - 1))
                    lines_new += _gtf(chrom, gene, "t2", strand, exons[:skip] + exons[skip + 1 :])
            width = 60
            body = np.concatenate([np.pad(seq, (0, -len(seq) % width), constant_values=ord("N")).reshape(-1, width),
                                   np.full((-(-len(seq) // width), 1), ord("\n"), np.uint8)], axis=1)
            fasta.write(f">{chrom}\n".encode() + body.tobytes())
    older.write_text("".join(lines_old))
    newer.write_text("".join(lines_new))
    return source


def _gtf(chrom, gene, tid, strand, exons) -> list[str]:
    attrs = f'gene_id "{gene}"; transcript_id "{gene}.{tid}"; gene_type "protein_coding";'
    return [f"{chrom}\tsyn\texon\t{s + 1}\t{e}\t.\t{strand}\t.\t{attrs}\n" for s, e in exons]


def timed_build(source: Source, params) -> None:
    start = time.perf_counter()
    Genome(source.genome)
    print(f"genome preparation (once per genome): {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    data = junctions.assemble(source, params.contigs if source.name != "synthetic" else None, params.flank,
                              params.max_len, params.seed, progress=lambda m: None)
    seconds = time.perf_counter() - start
    rows = len(data.train) + len(data.test)
    r = data.report
    print(f"positives: train {r['train']['positives before cap']:,} ({r['train']['positives']:,} <= max_len "
          f"{params.max_len}), test {r['test']['positives before cap']:,} ({r['test']['positives']:,})")
    print(f"build: {rows:,} rows (positives + 2 negative variants) in {seconds:.1f} s = {rows / seconds:,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["full", "slice"], default="full")
    args = parser.parse_args()
    if args.scale == "slice":
        timed_build(sources.get("slice"), config.resolve("default"))
        return
    folder = paths.cache_dir("benchmarks", "junctions-v20-scale")
    start = time.perf_counter()
    source = synthetic_source(folder)
    print(f"synthetic inputs ready in {time.perf_counter() - start:.1f} s ({paths.display(folder)})")
    timed_build(source, config.resolve("paper"))


if __name__ == "__main__":
    main()
