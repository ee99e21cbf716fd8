"""`lib.data.download` against a real HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import hashlib
import json
import socket

import pytest

from lib.data.download import (
    CHECKSUMS,
    REGISTRY,
    DownloadError,
    Remote,
    fetch,
    listing_path,
    lookup,
    parse_md5sums,
    parse_zenodo,
    source_url,
)

GOOD = b"ACGT" * 5000


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def remote(url: str, sha: str | None = None, name: str = "test", checksums: str | None = None,
           kind: str = "md5sums") -> Remote:
    return Remote(name, url, sha, "test file", "tiny", checksums, kind)


def unused_port() -> int:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
        fetch(remote(server.url("/short.gz"), sha256(GOOD)), cache=tmp_path, progress=False)
    assert "short.gz" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_http_error_names_the_status(server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404") as err:
        fetch(remote(server.url("/missing.gtf.gz"), sha256(GOOD)), cache=tmp_path, progress=False)
    assert server.url("/missing.gtf.gz") in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_unreachable_host_says_where_to_copy_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("DNABOOK_CACHE", str(tmp_path))
    r = remote(f"http://127.0.0.1:{unused_port()}/genome.fa.gz", sha256(GOOD))
    target = tmp_path / "downloads" / "genome.fa.gz"

    with pytest.raises(DownloadError) as err:
        fetch(r, progress=False)
    message = str(err.value)
    assert "Could not reach 127.0.0.1" in message
    assert f"copy it to {target}" in message and "DNABOOK_CACHE" in message
    assert not target.exists()

    target.write_bytes(GOOD)  # copied by hand: used without the network
    assert fetch(r, progress=False) == target


def test_publisher_md5_verifies_records_and_then_enforces(server, tmp_path):
    server.files["/rel/bench.zip"] = GOOD
    server.files["/rel/MD5SUMS"] = f"{'f' * 32}  other.gtf.gz\n{md5(GOOD)}  ./bench.zip\n".encode()
    r = remote(server.url("/rel/bench.zip?download=1"), checksums=server.url("/rel/MD5SUMS"))

    path = fetch(r, cache=tmp_path, progress=False)
    assert path.read_bytes() == GOOD
    assert json.loads((tmp_path / CHECKSUMS).read_text()) == {"bench.zip": sha256(GOOD)}
    assert listing_path(tmp_path, r).read_bytes() == server.files["/rel/MD5SUMS"]  # kept for offline checks
    fetch(r, cache=tmp_path, progress=False)  # verified by its recorded SHA-256: no network
    assert server.hits["/rel/bench.zip"] == 1 and server.hits["/rel/MD5SUMS"] == 1

    path.write_bytes(GOOD[:100])  # corrupted in the cache: downloaded again, checked against the kept listing
    assert fetch(r, cache=tmp_path, progress=False).read_bytes() == GOOD
    assert server.hits["/rel/bench.zip"] == 2 and server.hits["/rel/MD5SUMS"] == 1


def test_zenodo_record_lists_the_md5(server, tmp_path):
    record = {"id": 7, "files": [{"key": "set_v0.zip", "size": len(GOOD), "checksum": f"md5:{md5(GOOD)}"}]}
    server.files["/records/7/files/set_v0.zip"] = GOOD
    server.files["/api/records/7"] = json.dumps(record).encode()
    r = remote(server.url("/records/7/files/set_v0.zip?download=1"), checksums=server.url("/api/records/7"),
               kind="zenodo")
    assert fetch(r, cache=tmp_path, progress=False).read_bytes() == GOOD
    assert parse_zenodo(json.dumps(record)) == {"set_v0.zip": md5(GOOD)}


def test_md5_mismatch_raises_and_keeps_nothing(server, tmp_path):
    server.files["/rel/x.gtf.gz"] = b"changed on the server"
    server.files["/rel/MD5SUMS"] = f"{md5(GOOD)}  x.gtf.gz\n".encode()
    r = remote(server.url("/rel/x.gtf.gz"), checksums=server.url("/rel/MD5SUMS"))
    with pytest.raises(DownloadError, match=f"MD5 is wrong: expected {md5(GOOD)}, got {md5(b'changed on the server')}"
                       ) as err:
        fetch(r, cache=tmp_path, progress=False)
    assert "nothing was kept" in str(err.value) and server.url("/rel/x.gtf.gz") in str(err.value)
    assert [p.name for p in tmp_path.iterdir()] == ["publisher-checksums"]  # no file, no temp file, no record


def test_file_missing_from_the_listing(server, tmp_path):
    server.files["/rel/x.gtf.gz"] = GOOD
    server.files["/rel/MD5SUMS"] = f"{md5(GOOD)}  y.gtf.gz\n".encode()
    r = remote(server.url("/rel/x.gtf.gz"), checksums=server.url("/rel/MD5SUMS"))
    with pytest.raises(DownloadError, match="do not list x.gtf.gz .they list: y.gtf.gz"):
        fetch(r, cache=tmp_path, progress=False)
    assert server.hits["/rel/x.gtf.gz"] == 0 and not (tmp_path / "x.gtf.gz").exists()


def test_mirror_keeps_the_publishers_layout(server, tmp_path, monkeypatch):
    monkeypatch.setenv("DNABOOK_MIRROR", server.url("/mirror/"))
    assert source_url("https://example.org/a/b.gz?download=1") == server.url("/mirror/example.org/a/b.gz")
    server.files["/mirror/example.org/a/b.gz"] = GOOD
    server.files["/mirror/example.org/a/MD5SUMS"] = f"{md5(GOOD)}  b.gz\n".encode()
    r = remote("https://example.org/a/b.gz?download=1", checksums="https://example.org/a/MD5SUMS")
    assert fetch(r, cache=tmp_path, progress=False).read_bytes() == GOOD
    assert listing_path(tmp_path, r) == tmp_path / "publisher-checksums" / "example.org" / "a" / "MD5SUMS"
    monkeypatch.delenv("DNABOOK_MIRROR")
    assert source_url("https://example.org/a/b.gz?download=1") == "https://example.org/a/b.gz?download=1"


def test_hand_copied_file_is_verified_offline_only_with_its_listing(tmp_path):
    base = f"http://127.0.0.1:{unused_port()}"
    r = remote(f"{base}/rel/genome.fa.gz", checksums=f"{base}/rel/MD5SUMS")
    target = tmp_path / "genome.fa.gz"
    target.write_bytes(GOOD)  # copied by hand, without its listing: refused, not trusted
    with pytest.raises(DownloadError, match="copied by hand") as err:
        fetch(r, cache=tmp_path, progress=False)
    kept = listing_path(tmp_path, r)
    assert f"copy {base}/rel/MD5SUMS to {kept}" in str(err.value)
    assert not (tmp_path / CHECKSUMS).exists()

    kept.write_text(f"{md5(GOOD)}  genome.fa.gz\n")  # the listing copied as well: verified and recorded
    assert fetch(r, cache=tmp_path, progress=False) == target
    assert json.loads((tmp_path / CHECKSUMS).read_text()) == {"genome.fa.gz": sha256(GOOD)}

    (tmp_path / CHECKSUMS).unlink()
    target.write_bytes(b"not the genome")  # a wrong hand copy is dropped and downloaded again: unreachable here
    with pytest.raises(DownloadError, match="Could not reach 127.0.0.1"):
        fetch(r, cache=tmp_path, progress=False)
    assert not target.exists()


def test_remote_needs_a_checksum():
    with pytest.raises(ValueError, match="give its sha256 or the URL of its publisher's checksums"):
        remote("https://example.org/x.gz")
    assert parse_md5sums(f"{md5(GOOD)}  *x.gz\n\nnot a line\n") == {"x.gz": md5(GOOD)}


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="gencode_v26_gtf"):
        fetch("gencode_v99_gtf")


def test_registry_entries():
    assert lookup("grch38_fasta").filename == "GRCh38.primary_assembly.genome.fa.gz"
    bench = REGISTRY["genomic_benchmarks_coding_vs_intergenomic"]
    assert bench.filename == "demo_coding_vs_intergenomic_seqs_v0.zip"
    assert all(name == r.name and r.url.startswith("https://") for name, r in REGISTRY.items())
    assert bench.checksums == "https://zenodo.org/api/records/16605299" and bench.checksums_kind == "zenodo"
    assert lookup("grch38_fasta").checksums.endswith("/release_26/MD5SUMS")
    assert lookup("gencode_v20_gtf").checksums.endswith("/release_20/MD5SUMS")
