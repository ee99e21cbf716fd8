"""The papers' remote inputs, and a cached, verified download of each: ``fetch("gencode_v26_gtf")``.

Files land in ``$CACHE/downloads`` (see :mod:`lib.paths`). The download goes through pooch, which streams
into a temporary file in that folder and moves it under its final name only once it is complete and its
hash checked, so a file under its final name is always whole. A file already there is used as is, without
the network: on a machine without internet, copy the files there by hand.

Checksums: where a file's SHA-256 is not known in advance (``sha256=None``), the first download (or the
first use of a hand-copied file) records it in ``checksums.json`` in the download folder, and every later
call verifies the cached file against the recorded value.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pooch
import requests

from lib import paths

log = logging.getLogger(__name__)

CHECKSUMS = "checksums.json"


class DownloadError(RuntimeError):
    """A file could not be downloaded; the message names the file, the URL and what to do."""


@dataclass(frozen=True)
class Remote:
    """One remote input: where it lives and, when known, its SHA-256."""

    name: str
    url: str
    sha256: str | None
    description: str
    size_hint: str

    @property
    def filename(self) -> str:
        """The name the file is cached under: the last part of the URL's path (no query string)."""
        return PurePosixPath(urlsplit(self.url).path).name


_GENCODE = "https://ftp.ebi.ac.uk/pub/databases/gencode/Gencode_human"

# sha256=None for all four: checksum unknown: the first download records it (in checksums.json; this
# registry was written without internet access). size_hint values are rough estimates.
REGISTRY: dict[str, Remote] = {
    remote.name: remote
    for remote in (
        Remote(
            "gencode_v20_gtf",
            f"{_GENCODE}/release_20/gencode.v20.annotation.gtf.gz",
            None,
            "GENCODE release 20 gene annotation (GRCh38), GTF",
            "~40 MB",
        ),
        Remote(
            "gencode_v26_gtf",
            f"{_GENCODE}/release_26/gencode.v26.annotation.gtf.gz",
            None,
            "GENCODE release 26 gene annotation (GRCh38), GTF",
            "~40 MB",
        ),
        Remote(
            "grch38_fasta",
            f"{_GENCODE}/release_26/GRCh38.primary_assembly.genome.fa.gz",
            None,
            "GRCh38 primary assembly genome (GENCODE release 26), FASTA",
            "~0.8 GB",
        ),
        # The per-data-set zip that genomic-benchmarks 1.0.0 downloads from its Zenodo cloud cache:
        # src/genomic_benchmarks/loc2seq/cloud_caching.py (PyPI sdist genomic-benchmarks==1.0.0, and
        # github.com/ML-Bioinfo-CEITEC/genomic_benchmarks) builds
        # f"{record}/files/{name}_v{version}.zip?download=1" with record https://zenodo.org/records/16605299.
        # Older versions used the Google Drive file id 1cpXg0ULuTGF7h1_HTYvc6p8M-ee43t-v.
        Remote(
            "genomic_benchmarks_coding_vs_intergenomic",
            "https://zenodo.org/records/16605299/files/demo_coding_vs_intergenomic_seqs_v0.zip?download=1",
            None,
            "Genomic Benchmarks data set demo_coding_vs_intergenomic_seqs (version 0), zip",
            "~10 MB",
        ),
    )
}


def lookup(name: str) -> Remote:
    """The registry entry called ``name``; a :class:`KeyError` listing the known names otherwise."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown download {name!r}; known: {', '.join(sorted(REGISTRY))}") from None


def fetch(name_or_remote: str | Remote, *, cache: Path | None = None, progress: bool = True) -> Path:
    """The local path of a remote file, downloaded into ``cache`` (default ``$CACHE/downloads``) if needed.

    A cached file is returned without touching the network once it matches the expected SHA-256: the
    registry's, else the one recorded in ``checksums.json`` by its first download. A cached file that does
    not match (corrupted, truncated by hand) is deleted and downloaded again from the server. With no hash
    known at all, the file is taken as is and its hash recorded for next time.

    ``progress`` shows pooch's tqdm progress bar. Failures raise :class:`DownloadError`, which says what
    went wrong and, when the host cannot be reached, where to copy the file by hand.
    """
    remote = name_or_remote if isinstance(name_or_remote, Remote) else lookup(name_or_remote)
    folder = Path(cache) if cache is not None else paths.cache_dir("downloads")
    target = folder / remote.filename
    expected = remote.sha256 or _recorded(folder).get(remote.filename)

    if target.exists() and expected is not None and pooch.file_hash(str(target)) != expected:
        log.warning("%s does not match its SHA-256 %s: downloading it again", target, expected)
        target.unlink()
    if not target.exists():
        _download(remote, target, expected, progress, cache_is_default=cache is None)
    if expected is None:
        _record(folder, remote.filename, pooch.file_hash(str(target)))
    return target


def _download(
    remote: Remote, target: Path, expected: str | None, progress: bool, cache_is_default: bool
) -> None:
    """Download ``remote`` to ``target`` with pooch, turning its failures into :class:`DownloadError`."""
    what = f"{remote.filename} from {remote.url}"
    try:
        pooch.retrieve(
            remote.url,
            known_hash=f"sha256:{expected}" if expected else None,
            fname=target.name,
            path=target.parent,
            progressbar=progress,
        )
    except ValueError as exc:  # pooch's hash check; it has already deleted the download
        mismatch = re.search(r"but got (\w+)", str(exc))
        if mismatch is None:
            raise
        raise DownloadError(
            f"Downloaded {what} but its SHA-256 is wrong: expected {expected}, got {mismatch[1]}. "
            f"The file was removed; nothing was kept under {target}. If the file changed on the server "
            f"on purpose, update its sha256 in REGISTRY or delete its entry in {target.parent / CHECKSUMS}."
        ) from exc
    except requests.HTTPError as exc:
        response = exc.response
        raise DownloadError(
            f"Could not download {what}: the server answered HTTP {response.status_code} {response.reason}."
        ) from exc
    except requests.exceptions.ChunkedEncodingError as exc:  # requests' wrapper of urllib3 IncompleteRead
        raise DownloadError(
            f"The transfer of {what} was cut short (the connection closed before the whole file arrived); "
            f"nothing was kept under {target}. Try again."
        ) from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        elsewhere = (
            f", or set DNABOOK_CACHE to a folder whose downloads/ holds {remote.filename}"
            if cache_is_default
            else ""
        )
        raise DownloadError(
            f"Could not reach {urlsplit(remote.url).hostname} to download {what} ({type(exc).__name__}). "
            f"Download {remote.url} on a machine with internet and copy it to {target}{elsewhere}."
        ) from exc


def _recorded(folder: Path) -> dict[str, str]:
    """The SHA-256 values recorded in ``folder/checksums.json`` (file name -> hex digest)."""
    path = folder / CHECKSUMS
    return json.loads(path.read_text()) if path.exists() else {}


def _record(folder: Path, filename: str, sha256: str) -> None:
    """Record ``filename``'s SHA-256 in ``folder/checksums.json``, replacing the file in one step."""
    recorded = _recorded(folder) | {filename: sha256}
    tmp = folder / f"{CHECKSUMS}.tmp"
    tmp.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n")
    tmp.replace(folder / CHECKSUMS)
