"""lib.data.genome: normalized, indexed FASTA access and its errors."""

from __future__ import annotations

import gzip

import pytest
from conftest import write_fasta

from lib.data.genome import Genome, GenomeError, called_spans, missing_text, reverse_complement

SEQ = "ACGTacgtNNRYacgtTTGCA"  # soft-masked letters, N and IUPAC codes


@pytest.fixture
def genome(tmp_path):
    return Genome(write_fasta(tmp_path / "g.fa.gz", {"chr1": SEQ, "MT": "ACGTACGT"}))


def test_fetch_normalizes_case_and_iupac(genome):
    assert genome.fetch("chr1", 0, len(SEQ)) == "ACGTACGTNNNNACGTTTGCA"
    assert genome.lengths == {"chr1": 21, "MT": 8}


def test_fetch_is_zero_based_half_open_and_strand_aware(genome):
    assert genome.fetch("chr1", 2, 6) == "GTAC"
    assert genome.fetch("chr1", 2, 6, "-") == "GTAC"[::-1].translate(str.maketrans("ACGT", "TGCA"))
    assert genome.fetch("chr1", 5, 5) == ""


def test_reverse_complement_keeps_n():
    assert reverse_complement("AACGTN") == "NACGTT"


def test_contig_names_are_matched_loosely(genome):
    assert genome.contig("1") == "chr1"
    assert genome.contig("chrM") == "MT"
    assert genome.fetch("1", 0, 4) == "ACGT"


def test_missing_contig_is_a_clear_error(genome):
    with pytest.raises(GenomeError, match=r"no contig 'chr7' \(contigs: chr1, MT\)"):
        genome.fetch("chr7", 0, 1)


def test_choose_splits_wanted_contigs_into_present_and_missing(genome):
    assert genome.choose(None) == (["chr1", "MT"], [])
    present, missing = genome.choose(["1", "chr2", "chrM", "chrX"])  # the paper's list against a smaller genome
    assert (present, missing) == (["chr1", "MT"], ["chr2", "chrX"])
    assert missing_text(missing, present) == ("2 of the 4 contigs asked for are not in this genome and are skipped: "
                                              "chr2, chrX; using chr1, MT")
    with pytest.raises(GenomeError, match=r"none of the contigs asked for \(chr2, chr3\) is in this genome"):
        genome.choose(["chr2", "chr3"])


@pytest.mark.parametrize("start,end", [(-1, 3), (18, 22), (5, 4)])
def test_coordinates_outside_a_contig_are_refused(genome, start, end):
    with pytest.raises(GenomeError, match=rf"chr1:{start}-{end} is outside chr1 \(0-21\)"):
        genome.fetch("chr1", start, end)


def test_bad_strand_is_refused(genome):
    with pytest.raises(GenomeError, match="strand must be"):
        genome.fetch("chr1", 0, 3, "+1")


def test_non_nucleotide_letter_names_file_and_line(tmp_path):
    path = write_fasta(tmp_path / "bad.fa.gz", {"chr1": "ACGTACGTAC" + "ACGXACGTAC"}, width=10)
    with pytest.raises(GenomeError, match=r"bad.fa.gz: line 3: 'X' is not a nucleotide code"):
        Genome(path)


def test_empty_gzip_is_refused(tmp_path):
    path = tmp_path / "empty.fa.gz"
    with gzip.open(path, "wt"):
        pass
    with pytest.raises(GenomeError, match="empty.fa.gz: no sequence found"):
        Genome(path)


def test_truncated_gzip_is_refused_and_leaves_no_file(tmp_path, isolated_cache):
    good = write_fasta(tmp_path / "good.fa.gz", {"chr1": "ACGT" * 5000})
    cut = tmp_path / "cut.fa.gz"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(GenomeError, match="cut.fa.gz: cannot read the FASTA: truncated or corrupt"):
        Genome(cut)
    assert not any(isolated_cache.rglob("cut*")), "a half-written genome was left in the cache"


def test_plain_fasta_without_header_is_refused(tmp_path):
    path = tmp_path / "noheader.fa"
    path.write_text("ACGT\n")
    with pytest.raises(GenomeError, match="line 1: expected a FASTA header"):
        Genome(path)


def test_prepared_copy_is_reused(tmp_path):
    path = write_fasta(tmp_path / "g.fa.gz", {"chr1": "ACGT"})
    first = Genome(path)
    mtime = first.path.stat().st_mtime_ns
    assert Genome(path).path.stat().st_mtime_ns == mtime


def test_called_spans():
    assert called_spans("NNACGNNNTTN") == [(2, 5), (8, 10)]
    assert called_spans("NNN") == []


def test_bad_letter_found_in_header_free_chunks(tmp_path, monkeypatch):
    """Large files are normalized a chunk at a time; the line number must survive chunking."""
    import lib.data.genome as module

    monkeypatch.setattr(module, "_CHUNK", 16)
    seq = "ACGT" * 30 + "ACGT*CGT" + "ACGT" * 10
    path = write_fasta(tmp_path / "chunky.fa.gz", {"chr1": seq}, width=8)
    with pytest.raises(GenomeError, match=r"chunky.fa.gz: line 17: '\*' is not a nucleotide code"):
        Genome(path)
    ok = write_fasta(tmp_path / "ok.fa.gz", {"chr1": "acgt" * 40, "chr2": "ACGTN" * 9}, width=8)
    assert Genome(ok).fetch("chr2", 0, 5) == "ACGTN" and Genome(ok).fetch("chr1", 0, 4) == "ACGT"
