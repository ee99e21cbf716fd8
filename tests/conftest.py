"""Shared fixtures: tiny genomes and annotations written by the tests, and an isolated cache."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Every test gets its own DNABOOK_CACHE, so nothing leaks between tests or into data/cache."""
    monkeypatch.setenv("DNABOOK_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def write_fasta(path: Path, records: dict[str, str], width: int = 10, gzipped: bool = True) -> Path:
    """Write ``records`` (name -> sequence) as FASTA with ``width`` letters a line."""
    text = "".join(f">{name} test contig\n" + "".join(seq[i : i + width] + "\n" for i in range(0, len(seq), width))
                   for name, seq in records.items())
    if gzipped:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


def gtf_line(chrom, feature, start, end, strand, **attrs) -> str:
    """One GTF line; ``start``/``end`` 1-based closed as in the file format."""
    text = " ".join(f'{k} "{v}";' if not isinstance(v, int) else f"{k} {v};" for k, v in attrs.items())
    return f"{chrom}\ttest\t{feature}\t{start}\t{end}\t.\t{strand}\t.\t{text}\n"


def write_gtf(path: Path, lines: list[str], header: bool = True) -> Path:
    text = ("##format: gtf\n" if header else "") + "".join(lines)
    if path.suffix == ".gz":
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path
