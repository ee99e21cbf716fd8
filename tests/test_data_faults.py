"""Damaged inputs and failing services give one clear error naming the file, contig, URL or port (issue 22).

Every bad input is built here under ``tmp_path``; ``DNABOOK_SHARED_DATA`` and ``DNABOOK_CACHE`` point there. The
shared data in ``../shared/data`` is only read (and checked against its listings).
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from conftest import gtf_line, write_fasta, write_gtf

from lib import cache, paths
from lib.coding import genomic_benchmarks as gb
from lib.data import checksums, download, mirror, sources
from lib.data.download import DownloadError, Remote, fetch, listing_path
from lib.data.genome import Genome, GenomeError
from lib.data.sources import Source
from lib.errors import InputError, MissingInput
from lib.splicing import junctions

GOOD = b"ACGT" * 5000


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def write_dataset(folder, files: dict[str, bytes]):
    """A data set folder holding ``files`` and their SHA256SUMS (sha256sum's format)."""
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    (folder / "SHA256SUMS").write_text("".join(f"{sha256(data)}  {name}\n" for name, data in files.items()))
    return folder


@pytest.fixture
def shared(tmp_path, monkeypatch):
    """An offline data folder with a tiny grch38-slice, pointed at by DNABOOK_SHARED_DATA."""
    root = tmp_path / "shared"
    genome = write_fasta(tmp_path / "g.fa.gz", {"chr1": "ACGT" * 50})
    write_dataset(root / "grch38-slice", {"GRCh38.slice.fa.gz": genome.read_bytes(), "regions.bed": b"chr1\t0\t200\n"})
    monkeypatch.setenv("DNABOOK_SHARED_DATA", str(root))
    return root


# --- 1. the offline data sets are checked against their SHA256SUMS, once per cache -------------------------


def test_the_real_shared_data_sets_match_their_listings():
    real = paths.shared_data()
    for name in ("grch38-slice", "grch38-chromosomes", "ensembl-chr21-cdna", "genomic-benchmarks"):
        if not (real / name).is_dir():
            pytest.skip(f"no {name} in {real}")
        assert checksums.verify(real / name) == real / name
    assert sources.get("slice").genome == real / "grch38-slice" / "GRCh38.slice.fa.gz"
    assert gb.intervals_dir() == real / "genomic-benchmarks" / gb.DATASET


def test_a_modified_shared_file_is_refused_naming_it_and_both_digests(shared):
    genome = shared / "grch38-slice" / "GRCh38.slice.fa.gz"
    assert sources.slice_dir() == shared / "grch38-slice"
    listed = sha256(genome.read_bytes())
    with open(genome, "ab") as handle:
        handle.write(b"\n")
    found = sha256(genome.read_bytes())
    with pytest.raises(InputError) as err:
        sources.get("slice")
    message = str(err.value)
    assert str(genome) in message and listed[:16] in message and found[:16] in message
    assert "restore it" in message and "README.md" in message and "\n" not in message


def test_verification_is_recorded_in_the_cache_and_later_runs_only_stat(shared, isolated_cache, monkeypatch):
    hashed = []
    real_sha256 = checksums.sha256
    monkeypatch.setattr(checksums, "sha256", lambda path: hashed.append(path.name) or real_sha256(path))
    sources.slice_dir()
    assert sorted(hashed) == ["GRCh38.slice.fa.gz", "regions.bed"]
    record = json.loads((isolated_cache / "verified" / checksums.RECORD).read_text())
    bed = shared / "grch38-slice" / "regions.bed"
    assert record[str(bed.resolve())]["size"] == bed.stat().st_size

    sources.slice_dir()
    sources.get("slice")
    assert len(hashed) == 2, "a verified file was hashed again"

    stat = bed.stat()
    os.utime(bed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched: checked again
    sources.slice_dir()
    assert hashed[2:] == ["regions.bed"]


def test_a_listed_file_that_is_missing_is_named(shared):
    (shared / "grch38-slice" / "regions.bed").unlink()
    with pytest.raises(MissingInput, match=r"grch38-slice/regions.bed is missing \(.*SHA256SUMS lists it\)"):
        sources.slice_dir()


def test_the_cdna_and_the_benchmark_intervals_are_verified_where_located(tmp_path, monkeypatch):
    root = tmp_path / "shared"
    monkeypatch.setenv("DNABOOK_SHARED_DATA", str(root))
    cdna = write_dataset(root / "ensembl-chr21-cdna", {"transcriptome.chr21.fa.gz": b"one"})
    assert sources.chr21_cdna() == cdna / "transcriptome.chr21.fa.gz"
    (cdna / "transcriptome.chr21.fa.gz").write_bytes(b"two")
    with pytest.raises(InputError, match="transcriptome.chr21.fa.gz: its SHA-256 begins"):
        sources.chr21_cdna()

    bench = root / "genomic-benchmarks" / gb.DATASET  # no SHA256SUMS: the digests pinned in lib.data.checksums
    bench.mkdir(parents=True)
    (bench / "metadata.yaml").write_text("classes: changed\n")
    with pytest.raises(InputError, match=f"{gb.DATASET}/metadata.yaml: its SHA-256 begins .* but the digests pinned"):
        gb.intervals_dir()
    write_dataset(root / "bench-copy", {f"{gb.DATASET}/metadata.yaml": b"classes: changed\n"})
    os.replace(root / "bench-copy" / "SHA256SUMS", root / "genomic-benchmarks" / "SHA256SUMS")
    assert gb.intervals_dir() == bench  # a SHA256SUMS in the folder takes precedence


# --- 2. a truncated or unreadable genome FASTA --------------------------------------------------------------


@pytest.mark.parametrize("fault", ["cut in the middle", "read error while decompressing"])
def test_a_damaged_genome_is_a_genome_error_and_leaves_nothing(tmp_path, isolated_cache, monkeypatch, fault):
    good = write_fasta(tmp_path / "good.fa.gz", {"chr1": "ACGT" * 5000})
    path = tmp_path / "bad.fa.gz"
    if fault == "cut in the middle":
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    else:
        path.write_bytes(good.read_bytes())

        def failing_read(self, size=-1):
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(gzip.GzipFile, "read", failing_read)
    with pytest.raises(GenomeError, match=r"bad.fa.gz: cannot read the FASTA: truncated or corrupt file"):
        Genome(path)
    assert not [p for p in isolated_cache.rglob("*") if p.name.endswith(".part")]
    assert not any(isolated_cache.rglob("bad*"))


# --- 3. a truncated interval list of the benchmark ------------------------------------------------------------


def write_intervals(folder):
    for split in gb.SPLITS:
        for cls in gb.CLASSES:
            (folder / split).mkdir(parents=True, exist_ok=True)
            text = "id,region,start,end,strand\n" + "".join(f"{i},chr1,{i * 200},{i * 200 + 200},+\n"
                                                             for i in range(2000))
            with gzip.open(folder / split / f"{cls}.csv.gz", "wt") as handle:
                handle.write(text)
    return folder


def test_a_truncated_interval_list_names_the_file(tmp_path):
    folder = write_intervals(tmp_path / gb.DATASET)
    assert len(gb.read_intervals(folder)) == 4 * 2000
    damaged = folder / "test" / "intergenomic_seqs.csv.gz"
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    with pytest.raises(InputError, match=f"{damaged}: cannot read the interval list: truncated or corrupt"):
        gb.read_intervals(folder)
    damaged.unlink()
    with pytest.raises(MissingInput, match=f"{damaged}: interval list not found"):
        gb.read_intervals(folder)


# --- 4. a contig that is all N --------------------------------------------------------------------------------


def test_a_contig_without_a_called_base_is_refused_naming_file_and_contig(tmp_path):
    path = write_fasta(tmp_path / "g.fa.gz", {"chr1": "ACGT" * 100, "chr2": "N" * 500, "chr3": "acgt" * 10},
                       width=60)
    genome = Genome(path)
    assert genome.choose(["chr1", "chr3", "chr7"]) == (["chr1", "chr3"], ["chr7"])  # as before
    with pytest.raises(GenomeError) as err:
        genome.choose(["chr1", "chr2", "chr3"])
    message = str(err.value)
    assert str(path) in message and "contig chr2 has no called base" in message
    assert "leave it out with -p contigs=[chr1,chr3]" in message
    with pytest.raises(GenomeError, match="contig chr2 has no called base"):
        genome.choose(None)

    exons = [gtf_line("chr2", "exon", s + 1, e, "+", gene_id="G", transcript_id="T", gene_type="protein_coding")
             for s, e in [(0, 100), (200, 300)]]
    gtf = write_gtf(tmp_path / "a.gtf", exons)
    source = Source("toy", path, gtf, gtf, "old", "new")
    with pytest.raises(GenomeError, match=r"g.fa.gz: contig chr2 has no called base .*-p contigs=\[chr1\]"):
        junctions.assemble(source, ["chr1", "chr2"], 40, None, seed=0, progress=lambda m: None)


def test_a_called_base_past_the_first_mebibyte_counts(tmp_path):
    path = write_fasta(tmp_path / "late.fa.gz", {"chr1": "N" * 1_100_000 + "ACGT"}, width=60)
    assert Genome(path).choose(["chr1"]) == (["chr1"], [])


# --- 5. a run killed while building leaves a temporary folder; the next run removes it ------------------------


SLOW_BUILD = """
import sys, time
from lib import cache

def write(tmp):
    tmp.mkdir()
    (tmp / "genome.fa").write_text(">chr1\\n")
    print("writing", flush=True)
    time.sleep(120)

cache.built("genome", "slow", {}, "", write)
"""


def test_a_killed_build_leaves_nothing_for_long_and_live_builds_are_kept(tmp_path, isolated_cache):
    child = subprocess.Popen([sys.executable, "-c", SLOW_BUILD], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "DNABOOK_CACHE": str(isolated_cache)})
    try:
        assert child.stdout.readline() == "writing\n"
        folder = isolated_cache / "genome"
        (live,) = [p for p in folder.iterdir() if p.name.endswith(".part")]
        assert live.name.endswith(f"-{child.pid}.part")

        Genome(write_fasta(tmp_path / "a.fa.gz", {"chr1": "ACGT"}))  # a concurrent run in the same folder
        assert live.is_dir(), "the temporary folder of a live build was removed"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    old_style = folder / f".genome-old.{child.pid}.part"  # the names written before hosts were in them
    old_style.mkdir()
    elsewhere_fresh = folder / f".genome-x.otherhost-{child.pid}.part"
    elsewhere_old = folder / f".genome-y.otherhost-{child.pid}.part"
    elsewhere_fresh.write_text("another machine may still write this")
    elsewhere_old.write_text("left a week ago")
    week = time.time() - 7 * 24 * 3600
    os.utime(elsewhere_old, (week, week))

    Genome(write_fasta(tmp_path / "b.fa.gz", {"chr1": "ACGT"}))  # the next run
    assert not live.exists() and not old_style.exists() and not elsewhere_old.exists()
    assert elsewhere_fresh.exists()
    assert cache.remove_stale(folder) == []


# --- 6. a bad publisher listing is not kept -----------------------------------------------------------------------


@pytest.mark.parametrize("kind,bad", [("md5sums", b"<html>mirror error page</html>\n"), ("zenodo", b"{not json")])
def test_a_bad_listing_is_not_kept_and_a_fixed_mirror_is_read_again(server, tmp_path, kind, bad):
    server.files["/rel/x.gz"] = GOOD
    server.files["/rel/LISTING"] = bad
    r = Remote("test", server.url("/rel/x.gz"), None, "test file", "tiny", server.url("/rel/LISTING"), kind)
    kept = listing_path(tmp_path, r)
    with pytest.raises(DownloadError) as err:
        fetch(r, cache=tmp_path, progress=False)
    assert str(kept) in str(err.value) and "deleted" in str(err.value)
    assert not kept.exists()

    server.files["/rel/LISTING"] = (f"{md5(GOOD)}  x.gz\n".encode() if kind == "md5sums" else json.dumps(
        {"files": [{"key": "x.gz", "checksum": f"md5:{md5(GOOD)}"}]}).encode())  # the mirror is fixed
    assert fetch(r, cache=tmp_path, progress=False).read_bytes() == GOOD
    assert server.hits["/rel/LISTING"] == 2


# --- 7. a stalled transfer is not "could not reach" ---------------------------------------------------------------


@pytest.fixture
def stalling_server():
    """A server on 127.0.0.1 that accepts, then stalls: before answering (path /answer) or after the headers and
    part of the body (any other path), until the test ends."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)  # the accept loop checks for the end of the test this often
    done = threading.Event()

    def handle(conn):
        with conn:
            request = conn.recv(4096).decode("latin-1")
            if not request.startswith("GET /answer"):
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 20000\r\n\r\n" + GOOD[:1000])
            done.wait(10)

    def accept():
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.settimeout(None)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    done.set()
    thread.join(5)
    listener.close()


@pytest.mark.parametrize("path", ["/answer", "/body"])
def test_a_stalled_transfer_says_so_with_the_url(stalling_server, tmp_path, monkeypatch, path):
    monkeypatch.setattr(download, "TIMEOUT_S", 0.5)
    url = f"{stalling_server}{path}/x.gz"
    with pytest.raises(DownloadError) as err:
        fetch(Remote("test", url, sha256(GOOD), "test file", "tiny"), cache=tmp_path, progress=False)
    message = str(err.value)
    assert "stalled" in message and url in message and "Try again" in message
    assert "Could not reach" not in message
    assert list(tmp_path.iterdir()) == []


# --- 8. the DNABOOK_MIRROR setting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["notaurl", "http://", "ftp://example.org/x", "http://127.0.0.1:99999"])
def test_a_bad_mirror_setting_names_the_variable(tmp_path, monkeypatch, value):
    monkeypatch.setenv("DNABOOK_MIRROR", value)
    with pytest.raises(InputError, match=f"DNABOOK_MIRROR={value!r} is not a mirror's base URL"):
        fetch(Remote("test", "https://example.org/a/x.gz", sha256(GOOD), "test file", "tiny"), cache=tmp_path,
              progress=False)


def test_a_file_url_mirror_is_read_in_place(tmp_path, monkeypatch):
    folder = tmp_path / "mirror"
    (folder / "example.org" / "a").mkdir(parents=True)
    (folder / "example.org" / "a" / "x.gz").write_bytes(GOOD)
    (folder / "example.org" / "a" / "MD5SUMS").write_text(f"{md5(GOOD)}  x.gz\n")
    monkeypatch.setenv("DNABOOK_MIRROR", folder.as_uri())
    r = Remote("test", "https://example.org/a/x.gz?download=1", None, "test file", "tiny",
               "https://example.org/a/MD5SUMS")
    assert fetch(r, cache=tmp_path / "downloads", progress=False).read_bytes() == GOOD
    missing = Remote("other", "https://example.org/a/y.gz", sha256(GOOD), "test file", "tiny")
    with pytest.raises(DownloadError, match="the mirror folder has no such file"):
        fetch(missing, cache=tmp_path / "downloads", progress=False)


# --- 9. serving the mirror on a busy port -------------------------------------------------------------------------


def test_serving_on_a_busy_port_names_it(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        with pytest.raises(InputError, match=f"port {port} on 127.0.0.1 is already in use: pick another with "
                                             r"--port N, or --port 0 for any free port"):
            mirror.serve(tmp_path, port)
    with pytest.raises(MissingInput, match="no mirror folder at"):
        mirror.serve(tmp_path / "absent")


def test_a_bad_mirror_is_refused_before_any_chapter_runs(tmp_path):
    result = subprocess.run([sys.executable, "-m", "lib", "run", "--profile", "paper", "--only", "00", "--output-dir",
                             str(tmp_path / "out")], capture_output=True, text=True, cwd=paths.REPO, check=False,
                            env={**os.environ, "DNABOOK_MIRROR": "notaurl"})
    assert result.returncode == 2 and result.stderr.startswith("error: DNABOOK_MIRROR='notaurl'"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "out").exists()
