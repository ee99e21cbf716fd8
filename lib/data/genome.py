"""Genome access: a (gzip) FASTA turned once into a normalized, indexed copy read with pyfaidx.

Conventions: coordinates are 0-based, half-open; sequences are upper-case A, C, G, T, N (soft-masking
dropped, other IUPAC letters read as N). A letter that is not a nucleotide code is an error naming the file
and line. Contig names are matched loosely (``1`` finds ``chr1`` and the reverse; ``MT`` finds ``chrM``).
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import pyfaidx

from lib import cache
from lib.errors import InputError

_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")
_INVALID = 0x21  # "!" marks a byte that is not a nucleotide code in _NORMALIZE's output
_NORMALIZE = bytearray([_INVALID] * 256)
for _letter in b"ACGTN":
    _NORMALIZE[_letter] = _NORMALIZE[_letter + 32] = _letter
for _letter in b"RYKMSWBDHVU":  # IUPAC ambiguity codes (and U) read as N
    _NORMALIZE[_letter] = _NORMALIZE[_letter + 32] = ord("N")
for _byte in b"\n\r":
    _NORMALIZE[_byte] = _byte
_NORMALIZE = bytes(_NORMALIZE)
_CHUNK = 1 << 24  # bytes of decompressed text normalized at a time


class GenomeError(InputError):
    """Bad genome input or request: names the file, contig, line or coordinates and what was expected."""


def reverse_complement(seq: str) -> str:
    """Reverse complement of an upper-case A/C/G/T/N string."""
    return seq.translate(_COMPLEMENT)[::-1]


def _open_text(path: Path):
    """Binary reader for ``path``, gzip-decompressing when the file starts with the gzip magic bytes."""
    try:
        with open(path, "rb") as handle:
            magic = handle.read(2)
        return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")
    except OSError as err:
        raise GenomeError(f"{path}: cannot open the FASTA ({err})") from err


def _read(src, source: Path) -> bytes:
    """The next block of (decompressed) text of ``src``; a truncated or corrupt file (gzip's ``EOFError``,
    ``zlib.error``, ``BadGzipFile`` or another ``OSError`` while reading) is a :class:`GenomeError` naming
    ``source``."""
    try:
        return src.read(_CHUNK)
    except (EOFError, zlib.error, OSError) as err:  # gzip.BadGzipFile is an OSError
        raise GenomeError(f"{source}: cannot read the FASTA: truncated or corrupt file ({err}); restore it or "
                          "download it again") from err


def _normalize_block(block: bytes, path: Path, first_line: int) -> bytes:
    """Upper-case and N-convert a block of sequence lines; ``first_line`` is the file line of its first byte."""
    out = block.translate(_NORMALIZE)
    bad = out.find(_INVALID)
    if bad >= 0:
        line = first_line + block.count(b"\n", 0, bad)
        letter = block[bad : bad + 1].decode("latin-1")
        raise GenomeError(f"{path}: line {line}: {letter!r} is not a nucleotide code (expected A, C, G, T, N or IUPAC)")
    return out


def normalize_fasta(source: Path, target: Path) -> None:
    """Write ``source`` (plain or gzip FASTA) to ``target`` upper-cased, IUPAC letters as N, line layout kept.

    Written to a temporary name and renamed at the end, so a failed run leaves no half-written ``target`` and
    no temporary file (a killed one leaves the temporary file; :func:`Genome` builds inside a temporary folder
    that the next run removes, see :func:`lib.cache.write_atomic`). A truncated or corrupt source raises
    :class:`GenomeError` naming it.
    """
    tmp = target.with_name(target.name + ".part")
    line_no, contigs, pending = 1, 0, b""
    try:
        with _open_text(source) as src, open(tmp, "wb") as dst:
            while chunk := _read(src, source):
                chunk = pending + chunk
                cut = chunk.rfind(b"\n") + 1
                chunk, pending = chunk[:cut], chunk[cut:]
                if not chunk:  # no complete line yet (a line longer than a chunk)
                    continue
                line_no, found = _normalize_chunk(chunk, source, line_no, dst)
                contigs += found
            if pending:
                _, found = _normalize_chunk(pending + b"\n", source, line_no, dst)
                contigs += found
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if contigs == 0:
        tmp.unlink(missing_ok=True)
        raise GenomeError(f"{source}: no sequence found (expected FASTA records starting with '>')")
    os.replace(tmp, target)


def _normalize_chunk(chunk: bytes, source: Path, line_no: int, dst) -> tuple[int, int]:
    """Normalize whole lines in ``chunk`` starting at file line ``line_no``; returns (next line, headers seen)."""
    if line_no == 1 and not chunk.startswith(b">"):
        raise GenomeError(f"{source}: line 1: expected a FASTA header starting with '>'")
    headers = chunk.count(b"\n>") + chunk.startswith(b">")
    if not headers:
        dst.write(_normalize_block(chunk, source, line_no))
        return line_no + chunk.count(b"\n"), 0
    for line in chunk.splitlines(keepends=True):
        dst.write(line if line.startswith(b">") else _normalize_block(line, source, line_no))
        line_no += 1
    return line_no, headers


class Genome:
    """Random access to a genome FASTA.

    ``Genome(path)`` prepares (once, cached under ``$DNABOOK_CACHE/genome``, see :func:`lib.cache.built`) a
    decompressed, normalized copy with a faidx index, keyed by the source file's name, size and modification time.
    """

    def __init__(self, fasta: Path | str):
        self.source = Path(fasta)
        if not self.source.is_file():
            raise GenomeError(f"{self.source}: genome FASTA not found")
        stem = Path(re.sub(r"\.gz$", "", self.source.name)).stem
        self.path = cache.built("genome", stem, cache.file_identity(self.source), "", self._prepare) / "genome.fa"
        self._last: tuple[str | None, str] = (None, "")
        self._fasta = pyfaidx.Fasta(str(self.path), as_raw=True, sequence_always_upper=False, rebuild=False)

    def _prepare(self, folder: Path) -> None:
        """Write ``folder/genome.fa`` (normalized) and its faidx index ``genome.fa.fai``."""
        folder.mkdir()
        normalize_fasta(self.source, folder / "genome.fa")
        try:
            pyfaidx.Faidx(str(folder / "genome.fa"), rebuild=True).close()
        except pyfaidx.FastaIndexingError as err:
            raise GenomeError(f"{self.source}: cannot index the FASTA: {err}") from err

    @cached_property
    def lengths(self) -> dict[str, int]:
        """Contig name -> length in bases, in file order."""
        return {name: record.rlen for name, record in self._fasta.faidx.index.items()}

    def contig(self, name: str) -> str:
        """This genome's spelling of contig ``name`` (``1`` <-> ``chr1``, ``MT`` <-> ``chrM``)."""
        bare = name.removeprefix("chr")
        bare = "M" if bare == "MT" else bare
        for candidate in (name, f"chr{bare}", bare, "MT" if bare == "M" else bare):
            if candidate in self.lengths:
                return candidate
        shown = ", ".join(list(self.lengths)[:10]) + (" ..." if len(self.lengths) > 10 else "")
        raise GenomeError(f"{self.source.name}: no contig {name!r} (contigs: {shown})")

    def choose(self, wanted: Sequence[str] | None) -> tuple[list[str], list[str]]:
        """The contigs ``wanted`` split into those this genome has (its spelling, :meth:`contig`) and those it
        lacks (as asked); ``None`` wants every contig of the genome.

        A chosen contig with no called base (all N) is a :class:`GenomeError` naming the file and the contig and
        saying how to leave it out: nothing can be read from it, and every later step would fail on it."""
        if wanted is None:
            present, missing = list(self.lengths), []
        else:
            present, missing = [], []
            for name in wanted:
                try:
                    present.append(self.contig(name))
                except GenomeError:
                    missing.append(name)
            if not present:
                raise GenomeError(f"{self.source.name}: none of the contigs asked for ({', '.join(wanted)}) is in "
                                  f"this genome (contigs: {', '.join(list(self.lengths)[:10])})")
        empty = [name for name in present if not self.has_called_base(name)]
        if empty:
            rest = [name for name in present if name not in empty]
            fix = (f"leave {'it' if len(empty) == 1 else 'them'} out with -p contigs=[{','.join(rest)}]" if rest
                   else "choose other contigs with -p contigs=[...] or use another genome")
            raise GenomeError(f"{self.source}: contig{'s' if len(empty) > 1 else ''} {', '.join(empty)} "
                              f"{'have' if len(empty) > 1 else 'has'} no called base (every base is N), so no "
                              f"sequence can be read from {'them' if len(empty) > 1 else 'it'}: {fix}")
        return present, missing

    def has_called_base(self, chrom: str) -> bool:
        """Whether contig ``chrom`` holds a base that is not N (read a MiB at a time up to the first one)."""
        name = self.contig(chrom)
        length = self.lengths[name]
        return any(self.fetch(name, start, min(start + (1 << 20), length)).strip("N")
                   for start in range(0, length, 1 << 20))

    def fetch(self, chrom: str, start: int, end: int, strand: str = "+") -> str:
        """Sequence of ``chrom[start:end]`` (0-based, half-open), reverse-complemented on ``-``.

        Raises :class:`GenomeError` for an unknown contig, a bad strand, or coordinates outside the contig
        (never a silently shorter sequence).
        """
        name = self.contig(chrom)
        length = self.lengths[name]
        if not (0 <= start <= end <= length):
            raise GenomeError(f"{self.source.name}: {chrom}:{start}-{end} is outside {name} (0-{length})")
        if strand not in ("+", "-"):
            raise GenomeError(f"strand must be '+' or '-', got {strand!r}")
        seq = self._fasta[name][start:end] if end > start else ""
        return reverse_complement(seq) if strand == "-" else seq

    def sequence(self, chrom: str) -> str:
        """The whole contig as one string (for scanning; a large contig takes its length in memory).

        The last contig read is kept, so loops that go contig by contig read each one once."""
        name = self.contig(chrom)
        if self._last[0] != name:
            self._last = (name, self.fetch(name, 0, self.lengths[name]))
        return self._last[1]


def called_spans(seq: str) -> list[tuple[int, int]]:
    """Maximal runs of non-N bases in ``seq`` as (start, end), 0-based half-open."""
    return [m.span() for m in re.finditer(r"[^N]+", seq)]


def missing_text(missing: Sequence[str], present: Sequence[str]) -> str:
    """One line saying which contigs asked for the genome lacks, that they are skipped, and what is used."""
    return (f"{len(missing)} of the {len(missing) + len(present)} contigs asked for are not in this genome and are "
            f"skipped: {', '.join(missing)}; using {', '.join(present)}")
