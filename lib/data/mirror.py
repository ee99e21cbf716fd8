"""A local mirror of the papers' downloads, made from the offline data, for rehearsing the ``paper`` profile.

:func:`build` writes into a folder the files of :data:`lib.data.download.REGISTRY` under their real names,
formats and layout (``HOST/PATH`` of each URL, as ``DNABOOK_MIRROR`` expects), with the publishers' checksum
listings beside them; :func:`serve` serves such a folder on 127.0.0.1. ``python -m lib mirror build DIR`` and
``python -m lib mirror serve DIR`` do the same from the command line.

What each file is made of (``$SHARED`` is ``DNABOOK_SHARED_DATA``):

- ``release_20/gencode.v20.annotation.gtf.gz``: the slice's OLDER annotation
  (``$SHARED/grch38-slice/gencode.v24-canonical.slice.gtf.gz``); ``release_26/gencode.v26.annotation.gtf.gz``:
  its NEWER one (``gencode.all-transcripts.slice.gtf.gz``). Both get GENCODE's header lines (description,
  provenance, contact, format, date; the dates are approximate release dates) plus a ``##rehearsal:`` line that
  says what the file really is, the source column ``ENSEMBL``, and GENCODE's attributes in GENCODE's order:
  ``gene_id, transcript_id, gene_type, gene_status, gene_name, transcript_type, transcript_status,
  transcript_name, exon_number, exon_id, level`` (each on the lines where GENCODE has it). The slice lacks some
  values; they are filled in as follows: ``transcript_type`` = the gene's ``gene_type``; ``gene_status`` and
  ``transcript_status`` = ``KNOWN``; ``level`` = 2; ``transcript_name`` = ``<gene_name>-<nnn>``, the
  transcripts of a gene numbered from 001 in file order (GENCODE's style of those releases). ``exon_id`` is
  written only where the slice has one (the older annotation has none; no Ensembl id is made up).
- ``release_26/GRCh38.primary_assembly.genome.fa.gz``: the slice genome (contigs chr2, chr9, chr17, chr20; ``N``
  outside the real spans) as plain-gzip FASTA with GENCODE's header lines (``>chr2 2``), 60 letters a line.
- ``release_20/MD5SUMS`` and ``release_26/MD5SUMS``: ``<md5>  <file name>`` for the files of each release.
- ``zenodo.org/records/16605299/files/demo_coding_vs_intergenomic_seqs_v0.zip``: the benchmark's zip layout,
  ``demo_coding_vs_intergenomic_seqs/{train,test}/{coding_seqs,intergenomic_seqs}/<id>.txt``, one file per real
  benchmark sequence that can be rebuilt offline (:func:`lib.coding.dataset.real_sequences`: whatever that
  table holds), and ``zenodo.org/api/records/16605299``: the record as Zenodo's REST API returns it (JSON,
  ``files`` with ``key``, ``size``, ``checksum`` ``md5:<hex>``).

The build is deterministic (gzip time 0, fixed zip timestamps): building twice gives identical bytes.
"""

from __future__ import annotations

import errno
import gzip
import json
import re
import threading
import zipfile
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pooch

from lib.data import download, sources
from lib.errors import InputError, MissingInput

RELEASES = {"gencode_v20_gtf": (20, 76, "2014-04-25"), "gencode_v26_gtf": (26, 88, "2017-03-14")}
ATTRIBUTE_ORDER = ("gene_id", "transcript_id", "gene_type", "gene_status", "gene_name", "transcript_type",
                   "transcript_status", "transcript_name", "exon_number", "exon_id", "level")
_GENE_ONLY = ("gene_id", "gene_type", "gene_status", "gene_name", "level")  # GENCODE's gene lines
_UNQUOTED = ("exon_number", "level")
_PAIR = re.compile(r'\s*(\w+)\s+"?([^";]*)"?\s*;?')
ZIP_TIME = (2025, 7, 30, 0, 0, 0)  # the benchmark repository's commit date (see its README in $SHARED)
GZIP_LEVEL = 6


def local_path(folder: Path, url: str) -> Path:
    """Where the mirror in ``folder`` keeps ``url``: ``folder/HOST/PATH`` (query dropped)."""
    parts = urlsplit(url)
    return Path(folder) / parts.hostname / parts.path.lstrip("/")


def md5(path: Path) -> str:
    """The MD5 hex digest of a file (pooch's, as :mod:`lib.data.download` checks it)."""
    return pooch.file_hash(str(path), alg="md5")


def build(folder: Path | str) -> list[Path]:
    """Write the mirror into ``folder`` (see the module docstring); returns the paths written, data files
    first, then the checksum listings."""
    folder = Path(folder)
    slice_folder = sources.slice_dir()
    inputs = {"gencode_v20_gtf": slice_folder / "gencode.v24-canonical.slice.gtf.gz",
              "gencode_v26_gtf": slice_folder / "gencode.all-transcripts.slice.gtf.gz"}
    written = []
    for name, source in inputs.items():
        release, ensembl, date = RELEASES[name]
        written.append(_write_gtf(source, local_path(folder, download.REGISTRY[name].url), release, ensembl, date))
    written.append(_write_genome(slice_folder / "GRCh38.slice.fa.gz",
                                 local_path(folder, download.REGISTRY["grch38_fasta"].url)))
    bench = download.REGISTRY["genomic_benchmarks_coding_vs_intergenomic"]
    written.append(_write_zip(local_path(folder, bench.url)))
    return written + _write_listings(folder)


def gencode_attributes(feature: str, attrs: dict[str, str], transcript_name: str | None) -> str:
    """The attribute column of a GENCODE GTF line: ``attrs`` (from the slice) completed as the module docstring
    says, in GENCODE's order, values quoted except ``exon_number`` and ``level``."""
    filled = {**attrs, "gene_status": "KNOWN", "level": "2"}
    if feature != "gene":
        filled.setdefault("transcript_type", attrs.get("gene_type", ""))
        filled |= {"transcript_status": "KNOWN", "transcript_name": transcript_name or ""}
    names = _GENE_ONLY if feature == "gene" else ATTRIBUTE_ORDER
    if feature == "transcript":
        names = tuple(n for n in names if n not in ("exon_number", "exon_id"))
    return " ".join(f"{n} {filled[n]};" if n in _UNQUOTED else f'{n} "{filled[n]}";' for n in names if n in filled)


def _write_gtf(source: Path, target: Path, release: int, ensembl: int, date: str) -> Path:
    description = f"evidence-based annotation of the human genome (GRCh38), version {release} (Ensembl {ensembl})"
    rehearsal = (f"not GENCODE's file: a rehearsal copy built by lib.data.mirror from the GRCh38 slice's {source.name} "
                 "(contigs chr2, chr9, chr17, chr20), with GENCODE's layout and attribute set")
    header = [f"##description: {description}", "##provenance: GENCODE", "##contact: gencode-help@ebi.ac.uk",
              "##format: gtf", f"##date: {date}", f"##rehearsal: {rehearsal}"]
    names: dict[str, str] = {}
    per_gene: dict[str, int] = {}
    lines = []
    with gzip.open(source, "rt") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            attrs = {m[1]: m[2] for m in _PAIR.finditer(fields[8])}
            tid = attrs.get("transcript_id")
            if tid is not None and tid not in names:
                per_gene[attrs["gene_id"]] = per_gene.get(attrs["gene_id"], 0) + 1
                names[tid] = f"{attrs.get('gene_name', attrs['gene_id'])}-{per_gene[attrs['gene_id']]:03d}"
            fields[1] = "ENSEMBL"
            fields[8] = gencode_attributes(fields[2], attrs, names.get(tid))
            lines.append("\t".join(fields))
    return _gzip_text(target, "\n".join(header + lines) + "\n")


def _gzip_text(target: Path, text: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as raw, gzip.GzipFile("", "wb", GZIP_LEVEL, raw, mtime=0) as handle:
        handle.write(text.encode())
    return target


def _write_genome(source: Path, target: Path) -> Path:
    """The slice FASTA as GENCODE ships its genome: plain gzip, headers ``>chrN N``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(source, "rb") as reader, open(target, "wb") as raw, \
            gzip.GzipFile("", "wb", GZIP_LEVEL, raw, mtime=0) as writer:
        for line in reader:
            if line.startswith(b">"):
                name = line[1:].split()[0]
                line = b">" + name + b" " + name.removeprefix(b"chr") + b"\n"
            writer.write(line)
    return target


def _write_zip(target: Path) -> Path:
    """One ``<id>.txt`` per rebuilt real benchmark sequence, in the benchmark's layout."""
    from lib.coding import dataset  # pandas and the rebuild load only here
    from lib.coding import genomic_benchmarks as gb

    table = dataset.real_sequences()[0]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        folders = [f"{gb.DATASET}/"] + [f"{gb.DATASET}/{s}/" for s in gb.SPLITS] + [
            f"{gb.DATASET}/{s}/{c}/" for s in gb.SPLITS for c in gb.CLASSES]
        for name in folders:
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), b"")
        for row in table.itertuples(index=False):
            info = zipfile.ZipInfo(f"{gb.DATASET}/{row.split}/{gb.CLASSES[row.label]}/{row.id}.txt", ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, row.seq)
    tmp.replace(target)
    return target


def _write_listings(folder: Path) -> list[Path]:
    """GENCODE's ``MD5SUMS`` per release folder and Zenodo's API record, for the files the mirror holds."""
    listed: dict[str, dict[str, Path]] = {}
    for remote in download.REGISTRY.values():
        listed.setdefault(remote.checksums, {})[remote.filename] = local_path(folder, remote.url)
    written = []
    for url, files in listed.items():
        kind = next(r.checksums_kind for r in download.REGISTRY.values() if r.checksums == url)
        if kind == "md5sums":
            text = "".join(f"{md5(path)}  {name}\n" for name, path in sorted(files.items()))
        else:
            record = urlsplit(url).path.rstrip("/").rsplit("/", 1)[1]
            entries = [{"key": name, "size": path.stat().st_size, "checksum": f"md5:{md5(path)}",
                        "links": {"self": f"https://zenodo.org/records/{record}/files/{name}/content"}}
                       for name, path in sorted(files.items())]
            text = json.dumps({"id": int(record), "metadata": {"title": "rehearsal mirror (lib.data.mirror)"},
                               "files": entries}, indent=2) + "\n"
        path = local_path(folder, url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written


class _Quiet(SimpleHTTPRequestHandler):
    """Serves files of one folder (query strings ignored, as by SimpleHTTPRequestHandler), logging nothing."""

    def log_message(self, *args) -> None:
        pass


def serve(folder: Path | str, port: int = 0) -> tuple[str, Callable[[], None]]:
    """Serve ``folder`` on 127.0.0.1 (``port`` 0: any free port) from a background thread; returns the base
    URL (``http://127.0.0.1:<port>``, for ``DNABOOK_MIRROR``) and a function that stops the server.

    A missing folder raises :class:`MissingInput`; a port that is busy or cannot be used raises
    :class:`InputError` naming it (pick another, or ``--port 0`` for any free one)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MissingInput(f"no mirror folder at {folder}: build one with `python -m lib mirror build {folder}`")
    try:
        httpd = ThreadingHTTPServer(("127.0.0.1", port), partial(_Quiet, directory=str(folder)))
    except (OSError, OverflowError) as err:  # OverflowError: a port outside 0-65535
        reason = "is already in use" if getattr(err, "errno", None) == errno.EADDRINUSE else f"cannot be used ({err})"
        raise InputError(f"port {port} on 127.0.0.1 {reason}: pick another with --port N, or --port 0 for any "
                         "free port") from err
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()

    def stop() -> None:
        httpd.shutdown()
        httpd.server_close()
        thread.join()

    return f"http://127.0.0.1:{httpd.server_address[1]}", stop
