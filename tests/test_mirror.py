"""`lib.data.mirror`: a mirror of the downloads made from the offline data, served on 127.0.0.1."""

from __future__ import annotations

import gzip
import json

import requests

from lib.coding import dataset
from lib.coding import genomic_benchmarks as gb
from lib.data import annotation, download, mirror
from lib.data.genome import Genome


def test_mirror_is_deterministic_and_fetchable(tmp_path, monkeypatch):
    first = mirror.build(tmp_path / "a")
    second = mirror.build(tmp_path / "b")
    assert [p.relative_to(tmp_path / "a") for p in first] == [p.relative_to(tmp_path / "b") for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second))

    url, stop = mirror.serve(tmp_path / "a")
    try:
        monkeypatch.setenv("DNABOOK_MIRROR", url)
        assert requests.get(f"{url}/zenodo.org/api/records/16605299?x=1", timeout=10).json()["files"][0]["key"] == (
            "demo_coding_vs_intergenomic_seqs_v0.zip")
        fetched = {name: download.fetch(name, cache=tmp_path / "downloads", progress=False)
                   for name in download.REGISTRY}
    finally:
        stop()
    recorded = json.loads((tmp_path / "downloads" / download.CHECKSUMS).read_text())
    assert sorted(recorded) == sorted(p.name for p in fetched.values())

    newer = annotation.read_gtf(fetched["gencode_v26_gtf"])
    assert newer.loc[newer["feature"] != "gene", "transcript_type"].notna().all()
    exons = newer[newer["feature"] == "exon"]
    assert exons["exon_id"].str.startswith("ENSE").all() and exons["gene_id"].str.startswith("ENSG").all()
    with gzip.open(fetched["gencode_v20_gtf"], "rt") as handle:
        assert handle.readline() == ("##description: evidence-based annotation of the human genome (GRCh38), "
                                     "version 20 (Ensembl 76)\n")
    assert list(Genome(fetched["grch38_fasta"]).lengths) == ["chr2", "chr9", "chr17", "chr20"]
    archive = gb.read_archive(fetched["genomic_benchmarks_coding_vs_intergenomic"])
    real = dataset.real_sequences()[0]
    assert archive[["split", "label", "id", "seq"]].equals(real[["split", "label", "id", "seq"]].reset_index(drop=True))


def test_gencode_attributes_in_gencode_order():
    attrs = {"gene_id": "G.1", "transcript_id": "T.1", "gene_type": "lncRNA", "gene_name": "X", "exon_number": "2"}
    line = mirror.gencode_attributes("exon", attrs, "X-001")
    assert line == ('gene_id "G.1"; transcript_id "T.1"; gene_type "lncRNA"; gene_status "KNOWN"; gene_name "X"; '
                    'transcript_type "lncRNA"; transcript_status "KNOWN"; transcript_name "X-001"; exon_number 2; '
                    "level 2;")
    assert mirror.gencode_attributes("gene", attrs, None) == ('gene_id "G.1"; gene_type "lncRNA"; '
                                                              'gene_status "KNOWN"; gene_name "X"; level 2;')
