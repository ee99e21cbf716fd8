"""lib.splicing.junctions on a hand-made genome where every filter case is planted at a known place."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import gtf_line, write_fasta, write_gtf

from lib.data.genome import Genome
from lib.data.sources import Source
from lib.splicing import junctions

FLANK = 40


def plant(seq: list[str], at: int, text: str) -> None:
    seq[at : at + len(text)] = list(text)


def transcript(tid, gene, strand, exons, gene_type="protein_coding", chrom="chr1"):
    """GTF lines of one transcript; ``exons`` 0-based half-open."""
    attrs = {"gene_id": gene, "transcript_id": tid}
    if gene_type:
        attrs["gene_type"] = gene_type
    return [gtf_line(chrom, "exon", s + 1, e, strand, **attrs) for s, e in exons]


@pytest.fixture
def toy(tmp_path):
    """A 20 kb random contig with planted splice sites, and an older/newer annotation pair.

    Positive introns (0-based): + [1100,1400), + [1500,2000), - [5100,5600) in both releases; the newer
    release adds + [1100,1700) and + [1800,2000). Each other case is set aside for one stated reason.
    """
    rng = np.random.default_rng(1)
    seq = list(rng.choice(list("ACGT"), 20_000))
    for start, end in [(1100, 1400), (1500, 2000), (8100, 8500), (9100, 9400), (10100, 10120), (1100, 1700),
                       (1800, 2000), (19850, 19975), (12100, 12400)]:
        plant(seq, start, "GT")
        plant(seq, end - 2, "AG")
    plant(seq, 5100, "CT")  # the - strand intron [5100, 5600) reads GT...AG on its strand
    plant(seq, 5598, "AC")
    plant(seq, 11100, "CC")  # not GT...AG
    plant(seq, 11398, "AG")
    plant(seq, 12200, "N")  # an intron crossing N
    genome = write_fasta(tmp_path / "toy.fa.gz", {"chr1": "".join(seq)}, width=60)
    common = [
        *transcript("T1", "G1", "+", [(1000, 1100), (1400, 1500), (2000, 2100)]),
        *transcript("T2", "G2", "-", [(5000, 5100), (5600, 5700)]),
        *transcript("T3", "G3", "+", [(8000, 8100), (8500, 8600)], gene_type="lncRNA"),
        *transcript("T4", "G4", "+", [(9000, 9100), (9400, 9500)], gene_type=None),
        *transcript("T5", "G5", "+", [(10000, 10100), (10120, 10200)]),
        *transcript("T6", "G6", "+", [(11000, 11100), (11400, 11500)]),
        *transcript("T7", "G7", "+", [(12000, 12100), (12400, 12500)]),
        *transcript("T8", "G8", "+", [(100, 200), (500, 600)], chrom="chrX"),
        *transcript("T9", "G9", "+", [(19800, 19850), (19975, 20000)]),
    ]
    older = write_gtf(tmp_path / "old.gtf", common)
    newer = write_gtf(tmp_path / "new.gtf", common + transcript("T1b", "G1", "+", [(1000, 1100), (1700, 1800),
                                                                                  (2000, 2100)]))
    return Source("toy", genome, older, newer, "old", "new")


def keys(table):
    return set(table[junctions.KEY].itertuples(index=False, name=None))


def test_positives_and_report(toy):
    data = junctions.build(toy, None, FLANK, None, seed=0, progress=lambda m: None)
    old = data.report["releases"]["old"]
    assert {k: old[k] for k in ["no gene_type", "not protein_coding", "30 nt or shorter", "contig not in genome",
                                "beyond contig end", "contains N", "not GT...AG", "kept"]} == {
        "no gene_type": 1, "not protein_coding": 1, "30 nt or shorter": 1, "contig not in genome": 1,
        "beyond contig end": 1, "contains N": 1, "not GT...AG": 1, "kept": 3}
    train = data.train[data.train["label"] == 1]
    assert keys(train) == {("chr1", 1100, 1400, "+"), ("chr1", 1500, 2000, "+"), ("chr1", 5100, 5600, "-")}
    minus = train[train["strand"] == "-"].iloc[0]
    assert minus["seq"] == Genome(toy.genome).fetch("chr1", 5100 - FLANK, 5600 + FLANK, "-")
    assert minus["seq"][FLANK : FLANK + 2] == "GT" and minus["seq"][-FLANK - 2 : -FLANK] == "AG"


def test_novelty_split_keeps_only_new_junctions(toy):
    data = junctions.build(toy, None, FLANK, None, seed=0, progress=lambda m: None)
    test = data.test[data.test["label"] == 1]
    assert keys(test) == {("chr1", 1100, 1700, "+"), ("chr1", 1800, 2000, "+")}
    assert not keys(test) & keys(data.train)


@pytest.mark.parametrize("variant", ["heuristic", "length_matched"])
def test_negatives_are_gtag_in_range_unannotated_balanced(toy, variant):
    data = junctions.build(toy, None, FLANK, None, seed=0, progress=lambda m: None)
    annotated = junctions.annotated_keys(toy)
    for table in (data.train, data.test):
        pos, neg = table[table["label"] == 1], table[table["variant"] == variant]
        assert len(neg) == len(pos) and (neg["label"] == 0).all()
        assert neg["length"].between(pos["length"].min(), pos["length"].max()).all()
        assert not keys(neg) & annotated
        assert (neg["seq"].str[FLANK : FLANK + 2] == "GT").all()
        assert (neg["seq"].str[-FLANK - 2 : -FLANK] == "AG").all()
        assert not neg["seq"].str.contains("N").any()
        assert sorted(neg["strand"]) == sorted(pos["strand"])  # one negative per positive, same strand
    assert not keys(data.train[data.train.label == 0]) & keys(data.test[data.test.label == 0])


def test_length_matched_negatives_follow_positive_lengths(toy):
    data = junctions.build(toy, None, FLANK, None, seed=0, progress=lambda m: None)
    pos = np.sort(data.train.loc[data.train["label"] == 1, "length"].to_numpy())
    neg = np.sort(data.train.loc[data.train["variant"] == "length_matched", "length"].to_numpy())
    assert np.abs(pos - neg).max() <= 40  # the nearest AG site to the target length is a few nt away


def test_negatives_are_seeded(toy):
    first = junctions.assemble(toy, None, FLANK, None, seed=3, progress=lambda m: None)
    again = junctions.assemble(toy, None, FLANK, None, seed=3, progress=lambda m: None)
    other = junctions.assemble(toy, None, FLANK, None, seed=4, progress=lambda m: None)
    assert first.train.equals(again.train) and first.test.equals(again.test)
    assert not first.train.equals(other.train)


def test_max_len_removes_and_reports(toy):
    data = junctions.build(toy, None, FLANK, 450, seed=0, progress=lambda m: None)
    assert data.report["train"] == {"positives before cap": 3, "removed by max_len": 2, "positives": 1,
                                    "length range": [300, 300]}
    assert data.train["length"].max() <= 450


def test_cache_is_reused(toy):
    messages = []
    built = junctions.build(toy, None, FLANK, None, seed=0, progress=messages.append)
    loaded = junctions.build(toy, None, FLANK, None, seed=0, progress=messages.append)
    assert messages[-1].startswith("loading the cached data set")
    for name in ("train", "test"):  # parquet reads the negatives' empty gene_id back as NaN, in a string dtype
        tables = [getattr(data, name).fillna({"gene_id": ""}) for data in (loaded, built)]
        pd.testing.assert_frame_equal(*tables, check_dtype=False)
    assert loaded.report == built.report


def test_checks_table(toy):
    data = junctions.build(toy, None, FLANK, None, seed=0, progress=lambda m: None)
    checked = junctions.checks(data.train, junctions.annotated_keys(toy))
    assert (checked.filter(like="%") == 100).all().all()
    assert checked.loc["heuristic", "negatives equal to an annotated junction"] == 0


def test_one_feature_accuracy_sees_a_length_shortcut_and_not_noise():
    from lib.splicing.shortcuts import one_feature_accuracy

    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 200)
    separable = np.where(y == 1, rng.normal(2.0, 0.1, 400), rng.normal(3.0, 0.1, 400))
    noise = rng.normal(0, 1, 400)
    assert one_feature_accuracy(separable, y, seed=0)[0] > 0.97
    assert abs(one_feature_accuracy(noise, y, seed=0)[0] - 0.5) < 0.1
