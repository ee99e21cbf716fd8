"""The offline data sets checked against their SHA-256 listings, once per cache.

Each data set folder under ``$DNABOOK_SHARED_DATA`` ships a ``SHA256SUMS`` file in ``sha256sum``'s format
(``<hex>  <name>``, names relative to the folder). :func:`verify` checks every file it lists, so that a modified,
damaged or truncated input is an error naming the file instead of silently different results.

Hashing happens once per cache: each verified file is recorded in ``$DNABOOK_CACHE/verified/sha256.json`` under
its path with its size, modification time and digest, and later calls (later runs with the same cache) only stat
the files. A file whose size or modification time changed is hashed again. (A file changed in place while keeping
both would not be noticed; the cache keys of :func:`lib.cache.file_identity` make the same assumption.)

``genomic-benchmarks/`` ships no ``SHA256SUMS``: its data files are checked against the digests pinned in
:data:`PINNED` (those of the verbatim copy of the benchmark's folder that the book was made with). A
``SHA256SUMS`` in the folder, if one is added later, takes precedence.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from lib import cache, paths
from lib.errors import InputError, MissingInput

LISTING = "SHA256SUMS"
RECORD = "sha256.json"  # in $CACHE/verified

_DATASET = "demo_coding_vs_intergenomic_seqs"
# Data set folder name -> (file name relative to the folder -> SHA-256), for data sets that ship no SHA256SUMS.
PINNED: dict[str, dict[str, str]] = {
    "genomic-benchmarks": {
        f"{_DATASET}/metadata.yaml": "5e2fa15fb365ef09b8c05db3c49c78c952bc3b78d349138cdc3b1155968f8b28",
        f"{_DATASET}/test/coding_seqs.csv.gz": "a691325db74c7a60667ec554180a4a0abae6698163590b3738076157ec8795e6",
        f"{_DATASET}/test/intergenomic_seqs.csv.gz": "d6c8adff76b78650c28272789539878a7b449fd810244e0e356095f5efe146f2",
        f"{_DATASET}/train/coding_seqs.csv.gz": "ad92694e4e4fedb8d7c65f40acc09846c813ab888306708716904768138199b5",
        f"{_DATASET}/train/intergenomic_seqs.csv.gz":
            "5fab0e675ed84de90891e76c7dbb62c0d5818dae6102dfed5f702d5727b1c70f",
    },
}

_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](.+)")


def parse(text: str, where: Path) -> dict[str, str]:
    """A ``sha256sum`` listing -> file name -> lower-case hex digest; a line of another form is an error naming
    ``where`` and the line number (blank lines are skipped)."""
    found = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.fullmatch(line.rstrip())
        if match is None:
            raise InputError(f"{where}: line {number} is not '<sha256>  <file name>': {line[:80]!r}; restore the "
                             f"listing from the data set's source (see {where.parent / 'README.md'})")
        found[match[2]] = match[1].lower()
    return found


def listing(folder: Path) -> tuple[dict[str, str], str]:
    """The digests the data set ``folder`` must have (file name -> SHA-256) and where they come from (for
    messages): its ``SHA256SUMS``, else :data:`PINNED`; :class:`MissingInput` when there is neither."""
    path = folder / LISTING
    if path.is_file():
        return parse(path.read_text(), path), str(path)
    if folder.name in PINNED:
        return PINNED[folder.name], f"the digests pinned for {folder.name} in lib/data/checksums.py"
    raise MissingInput(f"{path} is missing, so the data set {folder} cannot be verified: restore the folder "
                       f"from its source (see {folder / 'README.md'})")


def sha256(path: Path) -> str:
    """The SHA-256 hex digest of a file, read a MiB at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def verify(folder: Path | str) -> Path:
    """Check every file the listing of the data set ``folder`` names (:func:`listing`) and return ``folder``.

    A file recorded as verified with its current size and modification time is not read again (see the module
    docstring). A listed file that is missing raises :class:`MissingInput`; one whose digest differs raises
    :class:`InputError` naming it, both digests' first 16 hex digits, and what to do.
    """
    folder = Path(folder)
    expected, where = listing(folder)
    record = _load()
    verified = {}
    for name, digest in expected.items():
        path = folder / name
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise MissingInput(f"{path} is missing ({where} lists it): restore it from the data set's source "
                               f"(see {folder / 'README.md'})") from None
        key = str(path.resolve())
        identity = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
        if record.get(key) == identity:
            continue
        found = sha256(path)
        if found != digest:
            raise InputError(f"{path}: its SHA-256 begins {found[:16]} but {where} lists {digest[:16]}: the file "
                             f"was modified or damaged; restore it from the data set's source "
                             f"(see {folder / 'README.md'}) and run again")
        verified[key] = identity
    if verified:
        _save(verified)
    return folder


def _record_path() -> Path:
    return paths.cache_dir("verified") / RECORD


def _load() -> dict[str, dict]:
    """The files verified so far in this cache (resolved path -> size, mtime_ns, sha256); empty when the record
    is missing or unreadable (the files are then hashed again)."""
    try:
        record = json.loads(_record_path().read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _save(verified: dict[str, dict]) -> None:
    """Add ``verified`` to the record, replacing the file in one step (:func:`lib.cache.write_atomic`; two runs
    writing at once may lose an entry: that file is then hashed again next time, nothing worse)."""
    text = json.dumps(_load() | verified, indent=1, sort_keys=True) + "\n"
    cache.write_atomic(_record_path(), lambda tmp: tmp.write_text(text))
