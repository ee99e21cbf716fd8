"""Paper B's data layer: the interval rebuild, the archive reader, bad input, the slice recipe's block split."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import gtf_line, write_fasta, write_gtf

from lib.coding import genomic_benchmarks as gb
from lib.coding import windows as coding_windows
from lib.data import annotation, download
from lib.data.genome import Genome, reverse_complement

RNG = np.random.default_rng(7)
CHR1 = "".join(RNG.choice(list("ACGT"), 1000))
CHR2 = "".join(RNG.choice(list("ACGT"), 400)) + "N" * 100 + "".join(RNG.choice(list("ACGT"), 100))


@pytest.fixture
def reference(tmp_path):
    """chr1 with a + transcript (exons 100-250, 400-520) and a - transcript (exons 550-650, 700-820), both
    versioned; a transcript with an exon in chr2's N run; chr2 for intergenomic windows."""
    genome = Genome(write_fasta(tmp_path / "genome.fa.gz", {"chr1": CHR1, "chr2": CHR2}))
    lines = []
    for tid, chrom, strand, exons in [("ENST00000000001.3", "chr1", "+", [(100, 250), (400, 520)]),
                                      ("ENST00000000002.1", "chr1", "-", [(550, 650), (700, 820)]),
                                      ("ENST00000000003.2", "chr2", "+", [(150, 300), (420, 470)])]:
        for number, (start, end) in enumerate(exons, 1):
            lines.append(gtf_line(chrom, "exon", start + 1, end, strand, gene_id="ENSG1", transcript_id=tid,
                                  gene_type="protein_coding", exon_number=number))
    gtf = annotation.read_gtf(write_gtf(tmp_path / "genes.gtf", lines))
    return genome, gtf


def write_intervals(folder, rows):
    """The benchmark's interval-list layout: ``{split}/{class}.csv.gz`` with ``id,region,start,end,strand``."""
    table = pd.DataFrame(rows, columns=["split", "cls", "id", "region", "start", "end", "strand"])
    for split in gb.SPLITS:
        (folder / split).mkdir(parents=True, exist_ok=True)
        for cls in gb.CLASSES:
            part = table[(table["split"] == split) & (table["cls"] == cls)].drop(columns=["split", "cls"])
            with gzip.open(folder / split / f"{cls}.csv.gz", "wt") as handle:
                part.to_csv(handle, index=False)
    return folder


def test_rebuild_cuts_cdna_and_genome_like_loc2seq(reference, tmp_path):
    genome, gtf = reference
    plus_cdna = CHR1[100:250] + CHR1[400:520]  # exons joined 5'->3'
    minus_cdna = reverse_complement(CHR1[700:820]) + reverse_complement(CHR1[550:650])
    rows = [("train", "coding_seqs", 1, "ENST00000000001", 50, 250, "+"),  # version dropped, spans the junction
            ("test", "coding_seqs", 2, "ENST00000000002", 10, 210, "+"),
            ("train", "coding_seqs", 3, "ENST00000000001", 0, 200, "-"),  # strand '-': reverse complement
            ("train", "coding_seqs", 4, "ENST00000000099", 0, 200, "+"),  # not annotated
            ("train", "coding_seqs", 5, "ENST00000000002", 100, 300, "+"),  # past the 220-nt cDNA
            ("train", "coding_seqs", 6, "ENST00000000003", 0, 200, "+"),  # an exon in N
            ("train", "intergenomic_seqs", 1, "chr2", 10, 210, "+"),
            ("test", "intergenomic_seqs", 2, "2", 20, 220, "-"),  # Ensembl name: chr prefix added
            ("train", "intergenomic_seqs", 3, "chr2", 350, 550, "+"),  # reads N
            ("train", "intergenomic_seqs", 4, "chr9", 0, 200, "+"),  # contig absent
            ("train", "intergenomic_seqs", 5, "chr2", 500, 700, "+")]  # beyond the contig's end
    intervals = gb.read_intervals(write_intervals(tmp_path / "lists", rows))
    table, report = gb.rebuild(genome, gtf, intervals)

    seq = table.set_index(["split", "label", "id"])["seq"]
    assert seq[("train", 0, "1")] == plus_cdna[50:250]
    assert seq[("test", 0, "2")] == minus_cdna[10:210]
    assert seq[("train", 0, "3")] == reverse_complement(plus_cdna[0:200])
    assert seq[("train", 1, "1")] == CHR2[10:210]
    assert seq[("test", 1, "2")] == reverse_complement(CHR2[20:220])
    assert len(table) == 5
    footprint = table.set_index(["split", "label", "id"]).loc[("train", 0, "1"), ["chrom", "start", "end"]]
    assert tuple(footprint) == ("chr1", 150, 500)  # cDNA 50-250 -> genome 150-250 and 400-500
    assert report.loc[gb.REBUILT].tolist() == [3, 2]
    assert report.loc["transcript not in the annotation", "coding_seqs"] == 1
    assert report.loc["interval runs past the transcript's end (annotation release differs)", "coding_seqs"] == 1
    assert report.loc["transcript has exons in unknown (N) sequence", "coding_seqs"] == 1
    assert report.loc["interval reads N (sequence unknown here)", "intergenomic_seqs"] == 1
    assert report.loc["contig not in the genome", "intergenomic_seqs"] == 1
    assert report.loc["interval beyond the contig's end in this genome", "intergenomic_seqs"] == 1
    assert report.to_numpy().sum() == len(intervals)  # every interval accounted for


def test_minus_strand_pieces_map_cdna_back_to_the_genome(reference):
    _, gtf = reference
    tx = gb.transcripts(gtf)["ENST00000000002"]
    assert list(tx.starts) == [700, 550]  # transcript order on '-': 5' exon first
    assert tx.pieces(0, 120) == [(700, 820)]
    assert tx.pieces(110, 130) == [(640, 650), (700, 710)]
    assert tx.footprint(10, 210) == (560, 810)


def archive_bytes(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def good_files() -> dict[str, str]:
    top = gb.DATASET
    return {f"{top}/train/coding_seqs/0.txt": "ACGT" * 50, f"{top}/train/coding_seqs/10.txt": "acgn" * 50,
            f"{top}/train/intergenomic_seqs/0.txt": "T" * 200 + "\n", f"{top}/test/coding_seqs/3.txt": "G" * 200,
            f"{top}/test/intergenomic_seqs/7.txt": "C" * 200, f"{top}/README.md": "not a sequence"}


def test_archive_downloaded_from_local_server_read_once_and_cached(server, monkeypatch):
    zipped = archive_bytes(good_files())
    server.files["/records/1/files/demo.zip"] = zipped
    record = {"files": [{"key": "demo.zip", "checksum": f"md5:{hashlib.md5(zipped).hexdigest()}", "size": len(zipped)}]}
    server.files["/api/records/1"] = json.dumps(record).encode()  # the record's md5 listing, as Zenodo's API gives it
    fake = download.Remote(gb.REMOTE, server.url("/records/1/files/demo.zip?download=1"), None, "test", "tiny",
                           server.url("/api/records/1"), "zenodo")
    monkeypatch.setitem(download.REGISTRY, gb.REMOTE, fake)

    table = gb.load_archive()
    assert list(table.columns) == ["split", "label", "id", "seq"]
    assert table[["split", "label", "id"]].values.tolist() == [
        ["train", 0, "0"], ["train", 0, "10"], ["train", 1, "0"], ["test", 0, "3"], ["test", 1, "7"]]
    assert table["seq"].iloc[1] == "ACGN" * 50 and table["seq"].iloc[2] == "T" * 200
    monkeypatch.setattr(gb, "read_archive", lambda path: pytest.fail("the cached archive was read again"))
    again = gb.load_archive()
    pd.testing.assert_frame_equal(table, again)  # as computed, as loaded from the cache
    assert server.hits["/records/1/files/demo.zip"] == 1


@pytest.mark.parametrize("text, message", [("ACGT" * 49 + "ACG", "is 199 nt long, expected 200"),
                                           ("ACGT" * 49 + "ACGX", "letter 'X' at position 200")])
def test_archive_with_a_bad_sequence_names_the_file(tmp_path, text, message):
    files = good_files() | {f"{gb.DATASET}/test/coding_seqs/42.txt": text}
    path = tmp_path / "bad.zip"
    path.write_bytes(archive_bytes(files))
    with pytest.raises(gb.SequenceError, match=message) as err:
        gb.read_archive(path)
    assert f"bad.zip:{gb.DATASET}/test/coding_seqs/42.txt" in str(err.value)


def test_archive_without_the_layout_or_not_a_zip(tmp_path):
    (tmp_path / "empty.zip").write_bytes(archive_bytes({"other/file.txt": "A" * 200}))
    with pytest.raises(gb.SequenceError, match="no sequences in the benchmark's layout"):
        gb.read_archive(tmp_path / "empty.zip")
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(gb.SequenceError, match="not a readable zip"):
        gb.read_archive(tmp_path / "junk.zip")


def test_encode_tokens_and_bad_input():
    tokens = gb.encode(["ACGTN" * 40, "T" * 200])
    assert tokens.shape == (2, 200) and tokens.dtype == np.uint8
    assert tokens[0, :5].tolist() == [1, 2, 3, 4, 5] and set(tokens[1]) == {4}
    with pytest.raises(gb.SequenceError, match=r"train/coding_seqs/9: sequence is 201 nt long, expected 200"):
        gb.encode(["A" * 200, "A" * 201], names=["x", "train/coding_seqs/9"])
    with pytest.raises(gb.SequenceError, match=r"sequence 1: letter 'R' at position 3 is not one of A, C, G, T"):
        gb.encode(["A" * 200, "AAR" + "A" * 197])
    with pytest.raises(gb.SequenceError, match="letter 'a' at position 1"):
        gb.encode(["a" * 200])


def test_block_split_leaves_no_train_window_overlapping_a_test_window():
    rng = np.random.default_rng(0)
    starts = rng.integers(0, 50_000, 600)
    lengths = np.where(rng.random(600) < 0.2, rng.integers(200, 3000, 600), 200)  # some span introns
    windows = pd.DataFrame({"chrom": np.where(rng.random(600) < 0.5, "chr1", "chr2"), "start": starts,
                            "end": starts + lengths, "label": rng.integers(0, 2, 600)})
    split = coding_windows.block_split(windows, 2_000, 0.25, np.random.default_rng(1))
    train, test = windows[split == "train"], windows[split == "test"]
    assert len(train) and len(test) and split.isna().sum() > 0
    assert not coding_windows.overlaps(train, test).any()
    assert not coding_windows.overlaps(test, train).any()
    for label in (0, 1):
        share = (test["label"] == label).sum() / (windows["label"] == label).sum()
        assert 0.1 < share <= 0.25


def test_slice_recipe_on_a_toy_genome(tmp_path):
    rng = np.random.default_rng(3)
    contig = "".join(rng.choice(list("ACGT"), 60_000))
    genome = Genome(write_fasta(tmp_path / "toy.fa.gz", {"chr1": contig}, width=60))
    lines = []
    for g in range(6):  # six two-exon genes, alternating strands, one every 10 kb
        base, strand = 1_000 + 10_000 * g, "+-"[g % 2]
        for number, (start, end) in enumerate([(base, base + 700), (base + 2_000, base + 2_900)], 1):
            lines.append(gtf_line("chr1", "exon", start + 1, end, strand, gene_id=f"G{g}",
                                  transcript_id=f"ENST0000000001{g}.1", gene_type="protein_coding",
                                  exon_number=number))
        lines.append(gtf_line("chr1", "gene", base + 1, base + 2_900, strand, gene_id=f"G{g}",
                              gene_type="protein_coding"))
    gtf = annotation.read_gtf(write_gtf(tmp_path / "toy.gtf", lines))
    genes = gtf.loc[gtf["feature"] == "gene", ["chrom", "start", "end"]]
    table, report = coding_windows.slice_windows(genome, gtf, genes, np.arange(0, 1_400, 50), block_nt=5_000,
                                                 seed=0)
    assert set(table["split"]) == {"train", "test"}
    counts = table.groupby(["split", "label"]).size()
    assert counts["train", 0] == counts["train", 1] and counts["test", 0] == counts["test", 1]
    txs = gb.transcripts(gtf)
    pieces = coding_windows.genome_pieces(table, txs)
    pieces = pieces.assign(split=table.loc[pieces["row"], "split"].to_numpy())
    train, test = pieces[pieces["split"] == "train"], pieces[pieces["split"] == "test"]
    assert not coding_windows.overlaps(train, test).any()
    intergenomic = table[table["label"] == 1]
    assert not coding_windows.overlaps(intergenomic, genes).any()
    for row in table[table["label"] == 0].itertuples():
        assert row.seq == txs[row.region].cdna(genome)[row.region_start : row.region_start + 200]
    assert report.loc["balanced: train"].tolist() == [counts["train", 0]] * 2


def test_archive_source_checks_the_rebuild_against_the_archive(monkeypatch):
    from lib.coding import dataset

    real, _ = dataset.real_sequences()  # from the shared GRCh38 slice
    archive = real[["split", "label", "id", "seq"]].copy()
    archive.loc[0, "seq"] = "N" * 200  # one sequence that the rebuild does not match
    monkeypatch.setattr(gb, "load_archive", lambda: archive)
    data = dataset.load("archive", block_nt=100_000, seed=0)
    assert data.recipe_report is None and len(data.table) == len(real)
    assert int(data.real["matches_archive"].sum()) == len(real) - 1
    assert (data.real["held_out"] == (data.real["split"] == "test")).all()
    tokens, labels = data.arrays(real=True)
    assert len(tokens) == int((real["split"] == "test").sum()) and set(labels) == {0, 1}
    assert dataset.load("archive", block_nt=1, seed=5).key == data.key  # keyed by content only


CDNA = {"ENST00000000099": "".join(RNG.choice(list("ACGT"), 600)), "ENST00000000098": "ATG" + "GCA" * 110 + "TAA"}


def test_rebuild_takes_coding_rows_the_annotation_lacks_from_a_cdna_fasta(reference, tmp_path):
    genome, gtf = reference
    cdna = Genome(write_fasta(tmp_path / "cdna.fa.gz", CDNA))
    rows = [("train", "coding_seqs", 1, "ENST00000000001", 50, 250, "+"),  # from the genome and annotation
            ("test", "coding_seqs", 2, "ENST00000000099", 300, 500, "+"),  # from the cDNA
            ("train", "coding_seqs", 3, "ENST00000000099", 100, 300, "-"),
            ("train", "coding_seqs", 4, "ENST00000000099", 500, 700, "+"),  # past the cDNA's end
            ("train", "coding_seqs", 5, "ENST00000000077", 0, 200, "+")]  # in neither
    intervals = gb.read_intervals(write_intervals(tmp_path / "lists", rows))
    table, report = gb.rebuild(genome, gtf, intervals, cdna)

    rebuilt = table.set_index("id")
    assert rebuilt.loc["2", "seq"] == CDNA["ENST00000000099"][300:500]
    assert rebuilt.loc["3", "seq"] == reverse_complement(CDNA["ENST00000000099"][100:300])
    assert rebuilt["reference"].to_dict() == {"1": gb.REFERENCES[0], "2": gb.REFERENCES[1], "3": gb.REFERENCES[1]}
    assert rebuilt.loc["2", ["start", "end"]].isna().all()  # no genome footprint for a cDNA sequence
    assert report.loc[gb.REBUILT_CDNA, "coding_seqs"] == 2
    assert report.loc["interval runs past the transcript's end in the chr21 cDNA", "coding_seqs"] == 1
    assert report.loc["transcript not in the annotation", "coding_seqs"] == 1
    assert report.to_numpy().sum() == len(intervals)


def test_longest_orf_reads_one_strand_from_atg_to_stop():
    assert gb.longest_orf("CCATGAAATAGATGTAA") == 9  # ATG AAA TAG in frame 2; ATG TAA is 6
    assert gb.longest_orf(CDNA["ENST00000000098"]) == 336
    assert gb.longest_orf("ATGAAAAAA") == 0  # no stop: not an open reading frame here


def test_cdna_windows_skip_benchmark_intervals_shared_kmers_and_orfless_transcripts(tmp_path):
    orfless = "T" * 300  # not named by the benchmark, no ORF: skipped
    other = CDNA["ENST00000000099"]
    isoform = other[250:450] + "C" * 200  # shares a stretch with the benchmark sequence of ENST...99
    fasta = {**CDNA, "ENST00000000050": orfless, "ENST00000000051": "ATG" + "GCC" * 120 + "TGA" + isoform}
    cdna = Genome(write_fasta(tmp_path / "cdna.fa.gz", fasta))
    named = pd.DataFrame({"region": ["ENST00000000099"], "start": [300], "end": [500]})
    real = pd.Series([other[300:500]])
    starts = np.arange(0, 1000, 50)
    windows, counts = coding_windows.cdna_windows(cdna, named, np.random.default_rng(0), starts, 40, real)

    assert set(windows["region"]) <= {"ENST00000000099", "ENST00000000098", "ENST00000000051"}
    assert counts["cDNA transcripts named by the benchmark"] == 1
    assert counts[f"cDNA transcripts not named, ORF >= {coding_windows.MIN_ORF} nt"] == 2
    mine = windows[windows["region"] == "ENST00000000099"]
    assert len(mine) and (mine["region_start"] <= 100).all()  # windows starting at 150-400 overlap 300-500
    for seq in windows["seq"]:
        assert all(seq[i : i + coding_windows.SHARED_K] not in "".join(real) for i in range(200 - 24 + 1))
    assert counts[f"cDNA windows sharing a {coding_windows.SHARED_K}-mer with a real sequence"] > 0
    assert windows["seq"].is_unique and windows["chrom"].isna().all()
