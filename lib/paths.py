"""Where things live. Every path the code uses comes from here.

Three settings, all environment variables:

``DNABOOK_SHARED_DATA``
    Folder holding the offline data (``grch38-slice/``, ``genomic-benchmarks/``, ``ensembl-chr21-cdna/``).
    Default: ``../shared/data`` next to the repository.
``DNABOOK_CACHE``
    Folder for downloads and everything built from them (decompressed genomes, data sets,
    checkpoints). Default: ``data/cache`` inside the repository (git-ignored).
``DNABOOK_MIRROR``
    Base URL of a mirror of the downloads (:mod:`lib.data.download`): ``https://HOST/PATH?QUERY`` is then
    fetched from ``$DNABOOK_MIRROR/HOST/PATH``. Default: unset, the publishers' own servers.
    ``python -m lib mirror build DIR`` builds a rehearsal mirror from the offline data (:mod:`lib.data.mirror`).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
SCALE = NOTEBOOKS / "chromosomes"  # the scale tier's executed chapters (the ``chromosomes`` profile)
# Profiles whose plain runs are committed, and where: the ``default`` (CI) tier and the scale tier.
COMMITTED = {"default": NOTEBOOKS, "chromosomes": SCALE}


def shared_data() -> Path:
    """The offline data folder (``DNABOOK_SHARED_DATA``, default ``<repo>/../shared/data``)."""
    return Path(os.environ.get("DNABOOK_SHARED_DATA", REPO.parent / "shared" / "data")).expanduser()


def cache_dir(*parts: str) -> Path:
    """A folder under the cache (``DNABOOK_CACHE``, default ``<repo>/data/cache``), created if missing."""
    root = Path(os.environ.get("DNABOOK_CACHE", REPO / "data" / "cache")).expanduser()
    path = root.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def display(path: Path | str) -> str:
    """A path as a reader should see it in a notebook: relative to the shared data or the cache, never
    machine-local (``$SHARED/grch38-slice/x.gtf.gz``, ``$CACHE/genome/x.fa``)."""
    path = Path(path).resolve()
    for label, root in (("$SHARED", shared_data()), ("$CACHE", cache_dir()), ("$REPO", REPO)):
        try:
            return f"{label}/{path.relative_to(root.resolve())}"
        except ValueError:
            continue
    return path.name
