"""lib.data.annotation and lib.splicing.sites on a hand-made GTF whose introns are known."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
from conftest import gtf_line, write_fasta, write_gtf

from lib.data.annotation import GTFError, introns, read_gtf
from lib.data.genome import Genome
from lib.data.stats import coding_introns, on_contigs
from lib.splicing.sites import dinucleotides

PC = {"gene_id": "G1", "gene_type": "protein_coding", "gene_name": "ONE"}


def two_exon_gtf(path, strand="+"):
    """Transcript T1 with exons 11-20 and 61-70 (1-based): its intron is 0-based [20, 60)."""
    t = {**PC, "transcript_id": "T1"}
    return write_gtf(path, [
        gtf_line("chr1", "gene", 11, 70, strand, **PC),
        gtf_line("chr1", "transcript", 11, 70, strand, **t),
        gtf_line("chr1", "exon", 61, 70, strand, **t, exon_number=2),
        gtf_line("chr1", "exon", 11, 20, strand, **t, exon_number=1),
    ])


def test_read_gtf_converts_coordinates_and_parses_attributes(tmp_path):
    table = read_gtf(two_exon_gtf(tmp_path / "a.gtf.gz"))
    assert list(table["feature"]) == ["gene", "transcript", "exon", "exon"]
    exon = table.iloc[3]
    assert (exon["start"], exon["end"]) == (10, 20)
    assert exon["gene_type"] == "protein_coding" and exon["exon_number"] == "1"
    assert pd.isna(table.iloc[0]["transcript_id"])
    assert list(table["line"]) == [2, 3, 4, 5]


def test_introns_between_consecutive_exons(tmp_path):
    found = introns(read_gtf(two_exon_gtf(tmp_path / "a.gtf")))
    assert found[["chrom", "start", "end", "strand", "transcript_id"]].values.tolist() == [
        ["chr1", 20, 60, "+", "T1"]]


def test_dinucleotides_on_both_strands(tmp_path):
    seq = ["A"] * 80
    seq[20:22], seq[58:60] = "GT", "AG"  # + strand intron [20, 60) reads GT...AG
    genome = Genome(write_fasta(tmp_path / "g.fa.gz", {"chr1": "".join(seq)}))
    plus = introns(read_gtf(two_exon_gtf(tmp_path / "p.gtf")))
    assert dinucleotides(genome, plus)[["donor", "acceptor"]].values.tolist() == [["GT", "AG"]]
    minus = introns(read_gtf(two_exon_gtf(tmp_path / "m.gtf", strand="-")))
    # on "-" the donor is the reverse complement of the last two bases: AG -> CT
    assert dinucleotides(genome, minus)[["donor", "acceptor"]].values.tolist() == [["CT", "AC"]]


def test_coding_introns_keep_protein_coding_longer_than_30(tmp_path):
    t2 = {"gene_id": "G2", "gene_type": "lncRNA", "transcript_id": "T2"}
    path = two_exon_gtf(tmp_path / "a.gtf")
    with open(path, "a") as handle:
        handle.write(gtf_line("chr1", "exon", 1, 5, "+", **t2) + gtf_line("chr1", "exon", 36, 40, "+", **t2))
    assert len(introns(read_gtf(path))) == 2
    assert coding_introns(read_gtf(path))["transcript_id"].tolist() == ["T1"]


def test_rows_on_contigs_missing_from_the_genome_are_counted(tmp_path):
    genome = Genome(write_fasta(tmp_path / "g.fa.gz", {"1": "A" * 80}))
    path = two_exon_gtf(tmp_path / "a.gtf")
    with open(path, "a") as handle:
        handle.write(gtf_line("chrUn", "exon", 1, 5, "+", **PC, transcript_id="T9"))
    kept, missing = on_contigs(read_gtf(path), genome, ["1"])
    assert (len(kept), missing) == (4, 1)
    assert set(kept["chrom"]) == {"1"}


@pytest.mark.parametrize("line,message", [
    ("chr1\ttest\texon\t10\t20\t.\t+\n", r"line 3: expected 9 tab-separated fields"),
    ("chr1\ttest\texon\tten\t20\t.\t+\t.\tgene_id \"G\";\n", r"line 3: start is not a whole number \('ten'\)"),
    ("chr1\ttest\texon\t30\t20\t.\t+\t.\tgene_id \"G\";\n", r"line 3: expected 1 <= start <= end"),
    ("chr1\ttest\texon\t10\t20\t.\t*\t.\tgene_id \"G\";\n", r"line 3: strand must be \+, - or \. \(got '\*'\)"),
    ("chr1\ttest\texon\t10\t20\t.\t+\t.\ttranscript_id \"T\";\n", r"line 3: no gene_id attribute"),
    ("chr1\ttest\texon\t10\t20\t.\t+\t.\tgene_id \"G\";\textra\n", r"expected 9 tab-separated fields"),
])
def test_malformed_lines_name_file_and_line(tmp_path, line, message):
    good = gtf_line("chr1", "exon", 1, 5, "+", gene_id="G0")
    path = write_gtf(tmp_path / "bad.gtf", [good, line])
    with pytest.raises(GTFError, match=r"bad.gtf: .*" + message):
        read_gtf(path)


def test_empty_and_truncated_gzip_gtf(tmp_path):
    empty = tmp_path / "empty.gtf.gz"
    with gzip.open(empty, "wt"):
        pass
    with pytest.raises(GTFError, match="empty.gtf.gz: no GTF records"):
        read_gtf(empty)
    good = two_exon_gtf(tmp_path / "good.gtf.gz")
    cut = tmp_path / "cut.gtf.gz"
    cut.write_bytes(good.read_bytes()[:-12])
    with pytest.raises(GTFError, match="cut.gtf.gz: cannot read: truncated or corrupt"):
        read_gtf(cut)


def test_missing_file(tmp_path):
    with pytest.raises(GTFError, match="nope.gtf: GTF file not found"):
        read_gtf(tmp_path / "nope.gtf")
