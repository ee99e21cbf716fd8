"""The inputs each profile's ``source`` names: a genome and an older/newer annotation pair.

- ``slice``: the real GRCh38 slice in ``$DNABOOK_SHARED_DATA/grch38-slice`` (offline; the ``default`` profile).
  Paper B's data also read the Ensembl cDNA of chromosome 21 beside it (:func:`chr21_cdna`).
- ``gencode``: the papers' inputs, GENCODE release 20 (older) and 26 (newer) with GRCh38, downloaded through
  :mod:`lib.data.download` (the ``paper`` profile).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lib import paths


@dataclass(frozen=True)
class Source:
    """A genome FASTA and two annotation releases of it (paths on disk), with labels for tables."""

    name: str
    genome: Path
    older: Path
    newer: Path
    older_label: str
    newer_label: str

    @property
    def releases(self) -> dict[str, Path]:
        """Release label -> GTF path, older first."""
        return {self.older_label: self.older, self.newer_label: self.newer}


def slice_dir() -> Path:
    """The GRCh38 slice folder; a clear error when it is missing."""
    folder = paths.shared_data() / "grch38-slice"
    if not (folder / "GRCh38.slice.fa.gz").is_file():
        raise FileNotFoundError(
            f"the GRCh38 slice is not at {folder}: set DNABOOK_SHARED_DATA to the folder that holds "
            "grch38-slice/ and genomic-benchmarks/ (default: ../shared/data beside the repository)"
        )
    return folder


def chr21_cdna() -> Path:
    """The Ensembl cDNA of every chr21 transcript (``$DNABOOK_SHARED_DATA/ensembl-chr21-cdna``); a clear error
    when it is missing."""
    path = paths.shared_data() / "ensembl-chr21-cdna" / "transcriptome.chr21.fa.gz"
    if not path.is_file():
        raise FileNotFoundError(f"the chr21 cDNA is not at {path}: set DNABOOK_SHARED_DATA to the folder that "
                                "holds ensembl-chr21-cdna/ (default: ../shared/data beside the repository)")
    return path


def get(name: str) -> Source:
    """The :class:`Source` called ``name`` (``slice`` or ``gencode``); downloads happen here for ``gencode``."""
    if name == "slice":
        folder = slice_dir()
        return Source("slice", folder / "GRCh38.slice.fa.gz", folder / "gencode.v24-canonical.slice.gtf.gz",
                      folder / "gencode.all-transcripts.slice.gtf.gz", "v24 canonical", "all transcripts")
    if name == "gencode":
        from lib.data import download  # imported here: pooch pulls in tqdm.auto, noisy inside a notebook

        return Source("gencode", download.fetch("grch38_fasta"), download.fetch("gencode_v20_gtf"),
                      download.fetch("gencode_v26_gtf"), "v20", "v26")
    raise ValueError(f"unknown data source {name!r}; choose 'slice' or 'gencode'")
