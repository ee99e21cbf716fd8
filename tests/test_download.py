"""`lib.data.download` against a real HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import hashlib
import json
import socket

import pytest

from lib.data.download import CHECKSUMS, REGISTRY, DownloadError, Remote, fetch, lookup

GOOD = b"ACGT" * 5000


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def remote(url: str, sha: str | None = None, name: str = "test") -> Remote:
    return Remote(name, url, sha, "test file", "tiny")


def test_good_file_is_fetched_once_then_served_from_cache(server, tmp_path):
    server.files["/data/good.fa.gz"] = GOOD
    r = remote(server.url("/data/good.fa.gz?download=1"), sha256(GOOD))

    path = fetch(r, cache=tmp_path, progress=True)
    assert path == tmp_path / "good.fa.gz"
    assert path.read_bytes() == GOOD
    assert fetch(r, cache=tmp_path, progress=False) == path
    assert server.hits["/data/good.fa.gz"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.fa.gz"]  # no temp files, no record


def test_wrong_hash_raises_and_keeps_nothing(server, tmp_path):
    server.files["/good.txt"] = GOOD
    with pytest.raises(DownloadError, match=f"expected {'0' * 64}, got {sha256(GOOD)}") as err:
        fetch(remote(server.url("/good.txt"), "0" * 64), cache=tmp_path, progress=False)
    assert "removed" in str(err.value) and server.url("/good.txt") in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_truncated_transfer_raises_and_keeps_nothing(server, tmp_path):
    server.files["/short.gz"] = GOOD
    server.truncated.add("/short.gz")
    with pytest.raises(DownloadError, match="cut short") as err:
        fetch(remote(server.url("/short.gz")), cache=tmp_path, progress=False)
    assert "short.gz" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_http_error_names_the_status(server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404") as err:
        fetch(remote(server.url("/missing.gtf.gz")), cache=tmp_path, progress=False)
    assert server.url("/missing.gtf.gz") in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_unreachable_host_says_where_to_copy_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("DNABOOK_CACHE", str(tmp_path))
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    r = remote(f"http://127.0.0.1:{port}/genome.fa.gz", sha256(GOOD))
    target = tmp_path / "downloads" / "genome.fa.gz"

    with pytest.raises(DownloadError) as err:
        fetch(r, progress=False)
    message = str(err.value)
    assert "Could not reach 127.0.0.1" in message
    assert f"copy it to {target}" in message and "DNABOOK_CACHE" in message
    assert not target.exists()

    target.write_bytes(GOOD)  # copied by hand: used without the network
    assert fetch(r, progress=False) == target


def test_unknown_hash_is_recorded_and_then_enforced(server, tmp_path):
    server.files["/bench.zip"] = GOOD
    r = remote(server.url("/bench.zip"))

    path = fetch(r, cache=tmp_path, progress=False)
    assert json.loads((tmp_path / CHECKSUMS).read_text()) == {"bench.zip": sha256(GOOD)}
    fetch(r, cache=tmp_path, progress=False)
    assert server.hits["/bench.zip"] == 1

    path.write_bytes(GOOD[:100])  # corrupted in the cache: downloaded again
    assert fetch(r, cache=tmp_path, progress=False).read_bytes() == GOOD
    assert server.hits["/bench.zip"] == 2

    path.write_bytes(b"corrupt")  # and the server now serves something else: refused
    server.files["/bench.zip"] = b"changed"
    with pytest.raises(DownloadError, match=f"expected {sha256(GOOD)}, got {sha256(b'changed')}"):
        fetch(r, cache=tmp_path, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [CHECKSUMS]


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="gencode_v26_gtf"):
        fetch("gencode_v99_gtf")


def test_registry_entries():
    assert lookup("grch38_fasta").filename == "GRCh38.primary_assembly.genome.fa.gz"
    bench = REGISTRY["genomic_benchmarks_coding_vs_intergenomic"]
    assert bench.filename == "demo_coding_vs_intergenomic_seqs_v0.zip"
    assert all(name == r.name and r.url.startswith("https://") for name, r in REGISTRY.items())
