"""GTF parsing speed at GENCODE scale: ``python benchmarks/bench_gtf.py [--lines 2600000]``.

Writes (once, cached) a synthetic gzip GTF with GENCODE's layout and attribute set, then times
:func:`lib.data.annotation.read_gtf` on it. Target: under 30 s for ~2.6 million lines on 2 cores.
"""

from __future__ import annotations

import lib  # noqa: F401  (first: pins the numerics before numpy and torch load; see lib.numerics)

# isort: split

import argparse
import gzip
import time

import numpy as np

from lib import paths
from lib.data.annotation import introns, read_gtf

TAIL = 'gene_status "KNOWN"; level 2; havana_gene "OTTHUMG00000000961.2";'


def write_synthetic_gtf(path, n_lines: int, seed: int = 0) -> None:
    """A GENCODE-like GTF of about ``n_lines`` lines: genes of 1-5 transcripts of 2-12 exons each."""
    rng = np.random.default_rng(seed)
    written, gene = 0, 0
    with gzip.open(path, "wt", compresslevel=1) as out:
        out.write("##description: synthetic GENCODE-like annotation for benchmarking\n##format: gtf\n")
        while written < n_lines:
            gene += 1
            chrom, strand = f"chr{gene % 22 + 1}", "+-"[gene % 2]
            start = 10_000 + gene * 50_000
            gid = f'gene_id "ENSG{gene:011d}.1"; gene_type "protein_coding"; gene_name "G{gene}"'
            out.write(f"{chrom}\tHAVANA\tgene\t{start}\t{start + 40_000}\t.\t{strand}\t.\t{gid}; {TAIL}\n")
            written += 1
            for t in range(rng.integers(1, 6)):
                tid = f'{gid}; transcript_id "ENST{gene:09d}{t:02d}.1"; transcript_type "protein_coding"'
                out.write(f"{chrom}\tHAVANA\ttranscript\t{start}\t{start + 40_000}\t.\t{strand}\t.\t{tid}; {TAIL}\n")
                written += 1
                bounds = np.sort(rng.choice(np.arange(start, start + 40_000, 10), rng.integers(2, 13) * 2, False))
                for e, (a, b) in enumerate(bounds.reshape(-1, 2), 1):
                    for feature in ("exon", "CDS"):
                        out.write(f"{chrom}\tHAVANA\t{feature}\t{a}\t{b}\t.\t{strand}\t.\t{tid}; exon_number {e}; "
                                  f'exon_id "ENSE{gene:09d}{t:02d}{e:02d}.1"; {TAIL}\n')
                        written += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2_600_000)
    args = parser.parse_args()
    path = paths.cache_dir("benchmarks") / f"synthetic_{args.lines}.gtf.gz"
    if not path.exists():
        start = time.perf_counter()
        tmp = path.with_suffix(".part")
        write_synthetic_gtf(tmp, args.lines)
        tmp.rename(path)
        print(f"wrote {paths.display(path)} in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    table = read_gtf(path)
    parse = time.perf_counter() - start
    start = time.perf_counter()
    junctions = introns(table)
    derive = time.perf_counter() - start
    print(f"read_gtf: {len(table):,} lines in {parse:.1f} s ({len(table) / parse:,.0f} lines/s); target < 30 s")
    print(f"introns:  {len(junctions):,} introns in {derive:.1f} s")


if __name__ == "__main__":
    main()
