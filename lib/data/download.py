"""The papers' remote inputs, and a download of each verified against its publisher's checksum:
``fetch("gencode_v26_gtf")``.

Files land in ``$CACHE/downloads`` (see :mod:`lib.paths`). The download goes through pooch, which streams
into a temporary file in that folder and moves it under its final name only once it is complete and its
hash checked, so a file under its final name is always whole.

Checksums come from the publishers, fetched with the download: GENCODE lists the MD5 of every file of a
release in the ``MD5SUMS`` file of its release folder (lines ``<md5>  <file name>``), and Zenodo's REST API
(``https://zenodo.org/api/records/<id>``) lists each file of a record with ``key`` (its name) and
``checksum`` (``md5:<hex>``). A file is downloaded only against its listed MD5; a mismatch is a
:class:`DownloadError` and nothing is kept. A copy of each listing stays in ``downloads/publisher-checksums/``
under its host and path, and once a file is verified its SHA-256 is recorded in ``checksums.json``: later
calls check the cached file against that record without the network.

On a machine without internet, copy the files into the download folder by hand together with their
publishers' listings (at the place in ``publisher-checksums/`` that the error message names): a hand-copied
file is verified against the listing before it is used, and refused when no listing is there.

``DNABOOK_MIRROR`` (a base URL, see :mod:`lib.paths`) fetches everything from a mirror that keeps the
publishers' layout: ``https://HOST/PATH?QUERY`` is read from ``$DNABOOK_MIRROR/HOST/PATH`` (query dropped).
``python -m lib mirror build DIR`` makes such a mirror from the offline data (:mod:`lib.data.mirror`); it is
served over HTTP (``python -m lib mirror serve DIR``) or read in place with a ``file:///DIR`` URL. A setting that
is not an ``http``, ``https`` (with a host) or ``file`` (with a path) URL is an error naming it.

A listing that cannot be parsed or does not list the file is not kept (a fixed mirror is read again next time).
A transfer that stalls (no data for :data:`TIMEOUT_S` seconds once the server answered) is reported as such, apart
from a server that cannot be reached.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pooch
import requests
import urllib3

from lib import paths
from lib.errors import InputError

log = logging.getLogger(__name__)

CHECKSUMS = "checksums.json"
LISTINGS = "publisher-checksums"  # folder in the download folder that keeps the publishers' listings
TIMEOUT_S = 30  # seconds without an answer (connecting) or without data (transferring) before giving up


class DownloadError(InputError, RuntimeError):
    """A file could not be downloaded or verified; the message names the file, the URL and what to do."""


def parse_md5sums(text: str) -> dict[str, str]:
    """A GENCODE ``MD5SUMS`` listing (lines ``<md5>  <file name>``, ``md5sum``'s format) -> file name -> MD5."""
    found = {}
    for line in text.splitlines():
        parts = line.split(maxsplit=1)
        if len(parts) == 2 and re.fullmatch(r"[0-9a-fA-F]{32}", parts[0]):
            found[PurePosixPath(parts[1].strip().lstrip("*")).name] = parts[0].lower()
    return found


def parse_zenodo(text: str) -> dict[str, str]:
    """A Zenodo record as its REST API returns it (JSON; ``files``: ``key``, ``checksum`` ``md5:<hex>``)
    -> file name -> MD5. Files listed with another algorithm are left out."""
    record = json.loads(text)
    return {f["key"]: f["checksum"].split(":", 1)[1].lower() for f in record.get("files", [])
            if str(f.get("checksum", "")).startswith("md5:")}


PARSERS: dict[str, Callable[[str], dict[str, str]]] = {"md5sums": parse_md5sums, "zenodo": parse_zenodo}


@dataclass(frozen=True)
class Remote:
    """One remote input: where it lives, and how it is verified: a SHA-256 known in advance, or the URL of its
    publisher's checksum listing (``checksums``) read by the parser ``checksums_kind`` (:data:`PARSERS`)."""

    name: str
    url: str
    sha256: str | None
    description: str
    size_hint: str
    checksums: str | None = None
    checksums_kind: str = "md5sums"

    def __post_init__(self):
        if self.sha256 is None and self.checksums is None:
            raise ValueError(f"download {self.name!r}: give its sha256 or the URL of its publisher's checksums")
        if self.checksums_kind not in PARSERS:
            raise ValueError(f"download {self.name!r}: checksums_kind {self.checksums_kind!r} is not one of "
                             f"{', '.join(PARSERS)}")

    @property
    def filename(self) -> str:
        """The name the file is cached under: the last part of the URL's path (no query string)."""
        return PurePosixPath(urlsplit(self.url).path).name


def mirror_base() -> str | None:
    """The ``DNABOOK_MIRROR`` setting (``None`` when unset or empty), checked: an ``http://`` or ``https://`` URL
    with a host (and a valid port, if any), or a ``file://`` URL with a path; else :class:`InputError` naming the
    variable and its value."""
    value = os.environ.get("DNABOOK_MIRROR", "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme in ("http", "https"):
        try:
            valid = bool(parts.hostname) and (parts.port is None or parts.port > 0)  # .port: ValueError if bad
        except ValueError:
            valid = False
    else:
        valid = parts.scheme == "file" and parts.path not in ("", "/")
    if not valid:
        raise InputError(f"DNABOOK_MIRROR={value!r} is not a mirror's base URL: expected http://HOST[:PORT][/PATH], "
                         "https://... or file:///FOLDER (the URL `python -m lib mirror serve DIR` prints, or the "
                         "folder `python -m lib mirror build DIR` wrote); unset it to use the publishers' servers")
    return value


def source_url(url: str) -> str:
    """Where ``url`` is fetched from: itself, or with ``DNABOOK_MIRROR`` set (:func:`mirror_base`),
    ``$DNABOOK_MIRROR/HOST/PATH`` (the query string dropped), so that a mirror keeps the publishers' layout."""
    mirror = mirror_base()
    if mirror is None:
        return url
    parts = urlsplit(url)
    return f"{mirror.rstrip('/')}/{parts.hostname}{parts.path}"


def listing_path(folder: Path, remote: Remote) -> Path:
    """Where the copy of ``remote``'s checksum listing is kept: ``folder/publisher-checksums/HOST/PATH``."""
    parts = urlsplit(remote.checksums)
    return folder / LISTINGS / parts.hostname / parts.path.lstrip("/")


_GENCODE = "https://ftp.ebi.ac.uk/pub/databases/gencode/Gencode_human"
_ZENODO_RECORD = "16605299"

# None of the SHA-256 values is known in advance (this registry was written without internet access): each file
# is verified against its publisher's MD5 listing. size_hint values are rough estimates.
REGISTRY: dict[str, Remote] = {
    remote.name: remote
    for remote in (
        Remote(
            "gencode_v20_gtf",
            f"{_GENCODE}/release_20/gencode.v20.annotation.gtf.gz",
            None,
            "GENCODE release 20 gene annotation (GRCh38), GTF",
            "~40 MB",
            f"{_GENCODE}/release_20/MD5SUMS",
        ),
        Remote(
            "gencode_v26_gtf",
            f"{_GENCODE}/release_26/gencode.v26.annotation.gtf.gz",
            None,
            "GENCODE release 26 gene annotation (GRCh38), GTF",
            "~40 MB",
            f"{_GENCODE}/release_26/MD5SUMS",
        ),
        Remote(
            "grch38_fasta",
            f"{_GENCODE}/release_26/GRCh38.primary_assembly.genome.fa.gz",
            None,
            "GRCh38 primary assembly genome (GENCODE release 26), FASTA",
            "~0.8 GB",
            f"{_GENCODE}/release_26/MD5SUMS",
        ),
        # The per-data-set zip that genomic-benchmarks 1.0.0 downloads from its Zenodo cloud cache:
        # src/genomic_benchmarks/loc2seq/cloud_caching.py (PyPI sdist genomic-benchmarks==1.0.0, and
        # github.com/ML-Bioinfo-CEITEC/genomic_benchmarks) builds
        # f"{record}/files/{name}_v{version}.zip?download=1" with record https://zenodo.org/records/16605299.
        # Older versions used the Google Drive file id 1cpXg0ULuTGF7h1_HTYvc6p8M-ee43t-v.
        Remote(
            "genomic_benchmarks_coding_vs_intergenomic",
            f"https://zenodo.org/records/{_ZENODO_RECORD}/files/demo_coding_vs_intergenomic_seqs_v0.zip?download=1",
            None,
            "Genomic Benchmarks data set demo_coding_vs_intergenomic_seqs (version 0), zip",
            "~10 MB",
            f"https://zenodo.org/api/records/{_ZENODO_RECORD}",
            "zenodo",
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

    A cached file whose SHA-256 matches the expected one (the registry's, else the one recorded in
    ``checksums.json`` when it was first verified) is returned without touching the network; one that does not
    match (corrupted, truncated by hand) is deleted and downloaded again. A file not verified yet (a first
    download, or a file copied by hand) is checked against the MD5 its publisher lists (:func:`publisher_md5`)
    and its SHA-256 recorded; a hand-copied file that does not match is deleted and downloaded again.

    ``progress`` shows pooch's tqdm progress bar. Failures raise :class:`DownloadError`, which says what
    went wrong and, when the host cannot be reached, where to copy the file (and its listing) by hand.
    """
    remote = name_or_remote if isinstance(name_or_remote, Remote) else lookup(name_or_remote)
    folder = Path(cache) if cache is not None else paths.cache_dir("downloads")
    target = folder / remote.filename
    expected = remote.sha256 or _recorded(folder).get(remote.filename)

    if target.exists() and expected is not None:
        if pooch.file_hash(str(target)) == expected:
            return target
        log.warning("%s does not match its SHA-256 %s: downloading it again", target, expected)
        target.unlink()
    if remote.sha256 is not None:
        _download(remote, source_url(remote.url), target, f"sha256:{remote.sha256}", progress, cache is None)
        return target
    md5 = publisher_md5(remote, folder, hand_copied=target.exists(), cache_is_default=cache is None)
    if target.exists() and pooch.file_hash(str(target), alg="md5") != md5:
        log.warning("%s does not match the MD5 %s its publisher lists: downloading it again", target, md5)
        target.unlink()
    if not target.exists():
        _download(remote, source_url(remote.url), target, f"md5:{md5}", progress, cache is None)
    _record(folder, remote.filename, pooch.file_hash(str(target)))
    return target


def publisher_md5(remote: Remote, folder: Path, hand_copied: bool = False, cache_is_default: bool = False) -> str:
    """The MD5 that ``remote``'s publisher lists for it, from the copy of the listing kept in ``folder``
    (:func:`listing_path`), else from the listing downloaded now (and kept). Raises :class:`DownloadError` when
    the listing cannot be had or does not list the file."""
    kept = listing_path(folder, remote)
    url = source_url(remote.checksums)
    if not kept.exists():
        kept.parent.mkdir(parents=True, exist_ok=True)
        logger, level = pooch.get_logger(), pooch.get_logger().level
        logger.setLevel(logging.WARNING)  # pooch would log the listing's SHA-256 and advise pinning it: noise here
        try:
            _download(remote, url, kept, None, False, cache_is_default, listing=True)
        except DownloadError as error:
            if not hand_copied:
                raise
            raise DownloadError(
                f"{folder / remote.filename} was copied by hand, but its publisher's checksums cannot be read to "
                f"verify it ({error}) It is not used unverified: copy {remote.checksums} to {kept} as well."
            ) from error
        finally:
            logger.setLevel(level)
    try:
        listed = PARSERS[remote.checksums_kind](kept.read_text())
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        kept.unlink(missing_ok=True)  # not kept: the next run reads the (fixed) listing again
        raise DownloadError(f"The checksum listing {kept} (from {url}) is not a readable {remote.checksums_kind} "
                            f"listing ({type(error).__name__}: {error}); that copy was deleted: fix the listing "
                            "at its source (or the mirror) and run again.") from error
    if remote.filename not in listed:
        kept.unlink(missing_ok=True)
        raise DownloadError(f"The publisher's checksums {url} (kept as {kept}, now deleted) do not list "
                            f"{remote.filename} (they list: {', '.join(sorted(listed)) or 'nothing'}); it cannot be "
                            "verified: fix the listing at its source (or the mirror) and run again.")
    return listed[remote.filename]


def _download(remote: Remote, url: str, target: Path, known_hash: str | None, progress: bool,
              cache_is_default: bool, listing: bool = False) -> None:
    """Download ``url`` to ``target`` with pooch (``known_hash`` ``alg:hex`` checked before the file takes its
    name), turning its failures into :class:`DownloadError`. ``listing``: ``url`` is ``remote``'s checksums."""
    what = f"{target.name} from {url}"
    local = urlsplit(url).scheme == "file"
    downloader = _copy_local if local else pooch.HTTPDownloader(progressbar=progress, timeout=TIMEOUT_S)
    try:
        pooch.retrieve(url, known_hash=known_hash, fname=target.name, path=target.parent, downloader=downloader)
    except FileNotFoundError as exc:
        if not local:
            raise
        raise DownloadError(f"Could not copy {what}: the mirror folder has no such file ({exc.filename}); "
                            "check DNABOOK_MIRROR and rebuild the mirror (python -m lib mirror build DIR).") from exc
    except ValueError as exc:  # pooch's hash check; it has already deleted the download
        mismatch = re.search(r"expected (\w+):(\w+) but got (\w+)", str(exc))
        if mismatch is None:
            raise
        algorithm, expected, got = mismatch.groups()
        fix = (f"If the file changed on the server on purpose, update its sha256 in REGISTRY or delete its entry in "
               f"{target.parent / CHECKSUMS}." if algorithm == "sha256" else
               f"The publisher lists MD5 {expected} for it in {source_url(remote.checksums)} (kept as "
               f"{listing_path(target.parent, remote)}; delete that copy if the listing changed since).")
        raise DownloadError(
            f"Downloaded {what} but its {algorithm.upper()} is wrong: expected {expected}, got {got}. "
            f"The file was removed; nothing was kept under {target}. {fix}"
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
        if _stalled(exc):
            raise DownloadError(
                f"The transfer of {what} stalled: the server was reached, then sent nothing for {TIMEOUT_S} s; "
                f"nothing was kept under {target}. Try again (later, or from another mirror)."
            ) from exc
        original = remote.checksums if listing else remote.url
        also = "" if listing else (f", together with its publisher's checksums {remote.checksums} copied to "
                                   f"{listing_path(target.parent, remote)}" if remote.checksums else "")
        elsewhere = (
            f", or set DNABOOK_CACHE to a folder whose downloads/ holds {remote.filename}"
            if cache_is_default and not listing
            else ""
        )
        raise DownloadError(
            f"Could not reach {urlsplit(url).hostname} to download {what} ({type(exc).__name__}). "
            f"Download {original} on a machine with internet and copy it to {target}{also}{elsewhere}."
        ) from exc


def _stalled(exc: requests.RequestException) -> bool:
    """Whether a requests failure is a read timeout once connected (a stalled transfer), not a failure to
    connect: requests raises ``ReadTimeout`` when the answer does not come, and a ``ConnectionError`` wrapping
    urllib3's ``ReadTimeoutError`` when the body stops arriving."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    if isinstance(exc, requests.ReadTimeout):
        return True
    return any(isinstance(arg, urllib3.exceptions.ReadTimeoutError) for arg in exc.args)


def _copy_local(url: str, output_file: str, pooch_instance=None) -> None:
    """pooch downloader for ``file://`` URLs (a mirror folder read in place): copy the file."""
    shutil.copyfile(url2pathname(urlsplit(url).path), output_file)


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
