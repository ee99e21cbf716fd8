"""Shared fixtures: tiny genomes and annotations written by the tests, an isolated cache, and a local HTTP
server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import lib  # noqa: F401  (first: pins the numerics before any test imports numpy or torch; see lib.numerics)

# isort: split

import gzip
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest


@pytest.fixture
def token_batch():
    """Five paper-A token sequences of lengths 30, 12, 7, 30 and 1, padded to 30: (tokens (5, 30), lengths (5,))."""
    import torch

    from lib.splicing.tokens import PAD

    torch.manual_seed(0)
    lengths = torch.tensor([30, 12, 7, 30, 1])
    tokens = torch.randint(0, 4, (5, 30))
    for row, n in enumerate(lengths):
        tokens[row, n:] = PAD
    return tokens, lengths


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Every test gets its own DNABOOK_CACHE, so nothing leaks between tests or into data/cache."""
    monkeypatch.setenv("DNABOOK_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def write_fasta(path: Path, records: dict[str, str], width: int = 10, gzipped: bool = True) -> Path:
    """Write ``records`` (name -> sequence) as FASTA with ``width`` letters a line."""
    text = "".join(f">{name} test contig\n" + "".join(seq[i : i + width] + "\n" for i in range(0, len(seq), width))
                   for name, seq in records.items())
    if gzipped:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


def gtf_line(chrom, feature, start, end, strand, **attrs) -> str:
    """One GTF line; ``start``/``end`` 1-based closed as in the file format."""
    text = " ".join(f'{k} "{v}";' if not isinstance(v, int) else f"{k} {v};" for k, v in attrs.items())
    return f"{chrom}\ttest\t{feature}\t{start}\t{end}\t.\t{strand}\t.\t{text}\n"


def write_gtf(path: Path, lines: list[str], header: bool = True) -> Path:
    text = ("##format: gtf\n" if header else "") + "".join(lines)
    if path.suffix == ".gz":
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


class Server:
    """What the local server serves (path -> body), how (``truncated``), and the requests it got."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.truncated: set[str] = set()
        self.hits: Counter[str] = Counter()
        self.base = ""

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@pytest.fixture
def server():
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = urlsplit(self.path).path  # the query string (?download=1) is ignored
            state.hits[path] += 1
            body = state.files.get(path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            # A truncated response announces more bytes than it sends, then closes (HTTP/1.0).
            extra = 1000 if path in state.truncated else 0
            self.send_header("Content-Length", str(len(body) + extra))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()
