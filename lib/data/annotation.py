"""GENCODE-style GTF annotation as a pandas table, and the introns it implies.

The reader is a vectorized pandas parse (a real GENCODE GTF, about 2.6 million lines, in well under 30 s on
2 cores: ``benchmarks/bench_gtf.py``). GTF coordinates (1-based, closed) become 0-based, half-open here.
Malformed input raises :class:`GTFError` naming the file and line.
"""

from __future__ import annotations

import csv
import gzip
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.errors import InputError

COLUMNS = ["chrom", "source", "feature", "start", "end", "score", "strand", "frame", "attributes"]
ATTRIBUTES = ("gene_id", "transcript_id", "gene_type", "gene_name", "transcript_type", "exon_number", "exon_id")


class GTFError(InputError):
    """A malformed GTF: the message names the file, the line and what was expected."""


def _header_lines(path: Path) -> int:
    """Number of leading comment lines (``#...``); raises GTFError for an unreadable (gzip) file."""
    opener = gzip.open if _is_gzip(path) else open
    count = 0
    try:
        with opener(path, "rt") as handle:
            for line in handle:
                if not line.startswith("#"):
                    break
                count += 1
    except (EOFError, gzip.BadGzipFile, zlib.error, UnicodeDecodeError) as err:
        raise GTFError(f"{path}: cannot read: truncated or corrupt file ({err})") from err
    return count


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def read_gtf(path: Path | str, attributes: tuple[str, ...] = ATTRIBUTES) -> pd.DataFrame:
    """Read a GTF (plain or gzip) into a table.

    Columns: ``chrom, source, feature, start, end, score, strand, frame`` (``start``/``end`` int64, 0-based
    half-open), then one column per name in ``attributes`` (string, quotes optional as in ``exon_number 1;``;
    missing where a line lacks it), and
    ``line``, the 1-based line number in the file (for error messages downstream).
    """
    path = Path(path)
    if not path.is_file():
        raise GTFError(f"{path}: GTF file not found")
    skip = _header_lines(path)
    try:
        table = pd.read_csv(
            path, sep="\t", header=None, names=COLUMNS, skiprows=skip, quoting=csv.QUOTE_NONE,
            skip_blank_lines=False, compression="gzip" if _is_gzip(path) else None, low_memory=False,
            dtype={"chrom": "category", "source": "category", "feature": "category", "score": str,
                   "strand": "category", "frame": str, "attributes": str},
        )
    except pd.errors.EmptyDataError as err:
        raise GTFError(f"{path}: no GTF records (the file is empty)") from err
    except pd.errors.ParserError as err:
        raise GTFError(f"{path}: malformed GTF (expected 9 tab-separated fields): {err}") from err
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise GTFError(f"{path}: cannot read: truncated or corrupt file ({err})") from err
    if table.empty:
        raise GTFError(f"{path}: no GTF records")
    table["line"] = np.arange(skip + 1, skip + 1 + len(table), dtype=np.int64)
    _check_fields(table, path)
    table["start"] -= 1
    raw = pa.array(table["attributes"])
    with ThreadPoolExecutor(max_workers=2) as pool:  # RE2 releases the GIL: one attribute per core
        for name, values in zip(attributes, pool.map(lambda name: _attribute(raw, name), attributes)):
            table[name] = values
    missing = table["gene_id"].isna() if "gene_id" in attributes else None
    if missing is not None and missing.any():
        _fail(path, table, missing, 'no gene_id attribute (expected key "value"; pairs)')
    return table.drop(columns="attributes")


def _attribute(raw: pa.Array, name: str) -> pd.Series:
    """Values of attribute ``name`` (quoted or not) in each raw attribute string; missing where absent."""
    found = pc.extract_regex(raw, f'(?:^|; ?){name} "?(?P<value>[^";]*)"?;')
    return pd.Series(pc.struct_field(found, [0]).to_pandas(), dtype="str")


def _fail(path: Path, table: pd.DataFrame, bad: pd.Series, what: str) -> None:
    rows = table.loc[bad, "line"]
    more = f" (and {len(rows) - 1} more lines)" if len(rows) > 1 else ""
    raise GTFError(f"{path}: line {rows.iloc[0]}: {what}{more}")


def _check_fields(table: pd.DataFrame, path: Path) -> None:
    """Validate field count, coordinates and strand; converts start/end to int64 in place."""
    short = table["attributes"].isna()
    if short.any():
        _fail(path, table, short, "expected 9 tab-separated fields")
    for column in ("start", "end"):
        numbers = pd.to_numeric(table[column], errors="coerce")
        bad = numbers.isna() | (numbers != numbers.round())
        if bad.any():
            _fail(path, table, bad, f"{column} is not a whole number ({table.loc[bad, column].iloc[0]!r})")
        table[column] = numbers.astype(np.int64)
    bad = (table["start"] < 1) | (table["end"] < table["start"])
    if bad.any():
        _fail(path, table, bad, "expected 1 <= start <= end")
    bad = ~table["strand"].isin(["+", "-", "."])
    if bad.any():
        _fail(path, table, bad, f"strand must be +, - or . (got {table.loc[bad, 'strand'].iloc[0]!r})")


def introns(gtf: pd.DataFrame) -> pd.DataFrame:
    """The introns between consecutive exons of every transcript.

    Returns one row per (transcript, intron): ``chrom, start, end, strand, gene_id, transcript_id,
    gene_type`` with 0-based half-open intron coordinates (``start`` = end of the upstream exon in genome
    order, ``end`` = start of the next exon). Exons that touch or overlap leave no intron.
    """
    exons = gtf.loc[gtf["feature"] == "exon", ["chrom", "start", "end", "strand", "gene_id", "transcript_id",
                                               "gene_type"]]
    exons = exons.sort_values(["transcript_id", "start"], kind="stable")
    same = exons["transcript_id"].to_numpy()[1:] == exons["transcript_id"].to_numpy()[:-1]
    upstream, downstream = exons.iloc[:-1][same], exons.iloc[1:][same]
    result = upstream[["chrom", "strand", "gene_id", "transcript_id", "gene_type"]].copy()
    result.insert(1, "start", upstream["end"].to_numpy())
    result.insert(2, "end", downstream["start"].to_numpy())
    result = result[result["end"] > result["start"]]
    return result.reset_index(drop=True)[["chrom", "start", "end", "strand", "gene_id", "transcript_id", "gene_type"]]
