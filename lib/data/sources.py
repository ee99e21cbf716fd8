"""The inputs each profile's ``source`` names: a genome and an older/newer annotation pair.

- ``slice``: the real GRCh38 slice in ``$DNABOOK_SHARED_DATA/grch38-slice`` (offline; the ``default`` profile).
  Paper B's data also read the Ensembl cDNA of chromosome 21 beside it (:func:`chr21_cdna`).
- ``chromosomes``: its superset in ``$DNABOOK_SHARED_DATA/grch38-chromosomes`` (chr21 and chr22 whole and pieces of
  chr1, chr2, chr9, chr17, chr19 and chr20; 92 Mb of real sequence; the scale tier). Two annotation pairs
  (:data:`PAIRS`): ``canonical``, the slice's pair extended to every contig (GENCODE v24 canonical transcripts
  against all transcripts of a 2019-2020 release), and ``releases``, the real GENCODE v24 and v31 GTFs of chr22,
  the paper's design (an older and a newer release) with real releases.
- ``gencode``: the papers' inputs, GENCODE release 20 (older) and 26 (newer) with GRCh38, downloaded through
  :mod:`lib.data.download` (the ``paper`` profile).

The offline folders are verified against their ``SHA256SUMS`` where they are located (:func:`slice_dir`,
:func:`chromosomes_dir`, :func:`chr21_cdna`; hashed once per cache, see :mod:`lib.data.checksums`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lib import paths
from lib.data import checksums
from lib.errors import MissingInput


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


# Annotation pairs of the ``chromosomes`` source: (older GTF, newer GTF, older label, newer label, contigs).
PAIRS: dict[str, tuple[str, str, str, str, tuple[str, ...] | None]] = {
    "canonical": ("gencode.v24-canonical.chromosomes.gtf.gz", "gencode.all-transcripts.chromosomes.gtf.gz",
                  "v24 canonical", "all transcripts", None),
    "releases": ("gencode.v24.chr22.gtf.gz", "gencode.v31.chr22.gtf.gz", "v24", "v31", ("chr22",)),
}


def _offline_dir(name: str, genome: str) -> Path:
    """The offline data folder ``$DNABOOK_SHARED_DATA/<name>``, verified (:func:`lib.data.checksums.verify`); a
    clear error naming what is missing or modified."""
    folder = paths.shared_data() / name
    if not (folder / genome).is_file():
        where = f"{folder} has no {genome}" if folder.is_dir() else f"{folder} does not exist"
        raise MissingInput(f"{where}: set DNABOOK_SHARED_DATA to the folder that holds {name}/ "
                                "(default: ../shared/data beside the repository)")
    return checksums.verify(folder)


def slice_dir() -> Path:
    """The GRCh38 slice folder; a clear error when it is missing."""
    return _offline_dir("grch38-slice", "GRCh38.slice.fa.gz")


def chromosomes_dir() -> Path:
    """The GRCh38 chromosomes folder (the slice's superset); a clear error when it is missing."""
    return _offline_dir("grch38-chromosomes", "GRCh38.chromosomes.fa.gz")


def chr21_cdna() -> Path:
    """The Ensembl cDNA of every chr21 transcript (``$DNABOOK_SHARED_DATA/ensembl-chr21-cdna``), verified; a
    clear error when it is missing or modified."""
    path = paths.shared_data() / "ensembl-chr21-cdna" / "transcriptome.chr21.fa.gz"
    if not path.is_file():
        raise MissingInput(f"the chr21 cDNA is not at {path}: set DNABOOK_SHARED_DATA to the folder that "
                                "holds ensembl-chr21-cdna/ (default: ../shared/data beside the repository)")
    checksums.verify(path.parent)
    return path


def get(name: str, pair: str = "canonical") -> Source:
    """The :class:`Source` called ``name`` (``slice``, ``chromosomes`` or ``gencode``); ``pair`` picks the
    annotation pair of ``chromosomes`` (a key of :data:`PAIRS`; the others have one pair). Downloads happen here
    for ``gencode``."""
    if name == "chromosomes":
        if pair not in PAIRS:
            raise ValueError(f"unknown annotation pair {pair!r}; choose one of {', '.join(PAIRS)}")
        folder = chromosomes_dir()
        older, newer, older_label, newer_label, _ = PAIRS[pair]
        label = "chromosomes" if pair == "canonical" else f"chromosomes-{pair}"
        return Source(label, folder / "GRCh38.chromosomes.fa.gz", folder / older, folder / newer, older_label,
                      newer_label)
    if name == "slice":
        folder = slice_dir()
        return Source("slice", folder / "GRCh38.slice.fa.gz", folder / "gencode.v24-canonical.slice.gtf.gz",
                      folder / "gencode.all-transcripts.slice.gtf.gz", "v24 canonical", "all transcripts")
    if name == "gencode":
        from lib.data import download  # imported here: pooch pulls in tqdm.auto, noisy inside a notebook

        return Source("gencode", download.fetch("grch38_fasta"), download.fetch("gencode_v20_gtf"),
                      download.fetch("gencode_v26_gtf"), "v20", "v26")
    raise ValueError(f"unknown data source {name!r}; choose 'slice', 'chromosomes' or 'gencode'")


def of(P) -> Source:
    """The source a resolved configuration names (``P.source`` with its annotation pair ``P.annotations``)."""
    return get(P.source, P.annotations)
