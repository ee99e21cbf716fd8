"""Checking the rendered book as a reader would: every page of ``_build/html`` in headless Chromium.

:func:`check` serves the HTML on 127.0.0.1 (an ephemeral port), opens every page in headless Chromium, driven
over the Chrome DevTools Protocol (tornado's websocket client; no browser-automation package), and reports

- pages that do not load (an HTTP error, no title or no main content) or raise a script error,
- images that fail to load or decode,
- local requests (stylesheets, scripts, fonts, images) that fail,
- links into the book whose page or anchor does not exist.

Requests to any other host are blocked inside the browser (and no other host name is even resolved), and
listed rather than counted as failures: the check needs no network, and shows what a reader without one
would miss. It saves
full-page screenshots of the landing page and of the page with the most images.

Command line: ``python -m lib.book.bookcheck [--build]`` (see ``--help``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from lib import paths

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BOOK_SOURCES = ("_config.yml", "_toc.yml", "book", "notebooks")
WIDTH, HEIGHT, MAX_SHOT_HEIGHT = 1280, 900, 16_000
TIMEOUT_S = 60

# Run in each page after its load event: wait for every image to decode, then collect what the check needs.
PAGE_SCRIPT = """(async () => {
  const images = Array.from(document.images);
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  return {
    url: location.href,
    title: document.title,
    main: Boolean(document.querySelector('main, article, [role=main]')),
    images: images.map(img => ({src: img.currentSrc || img.src, ok: img.complete && img.naturalWidth > 0})),
    links: Array.from(document.querySelectorAll('a[href]'), a => a.href),
    ids: Array.from(document.querySelectorAll('[id], a[name]'), e => e.id || e.name),
  };
})()"""


class ChromiumNotFound(RuntimeError):
    """No Chromium or Chrome binary was found; the message says what to install."""


def find_chromium() -> str:
    """The browser binary: ``$DNABOOK_CHROMIUM`` if set, else the first of :data:`CHROMIUM_NAMES` on PATH."""
    explicit = os.environ.get("DNABOOK_CHROMIUM")
    if explicit:
        if shutil.which(explicit):
            return shutil.which(explicit)
        raise ChromiumNotFound(f"DNABOOK_CHROMIUM={explicit!r} is not an executable file")
    for name in CHROMIUM_NAMES:
        if shutil.which(name):
            return shutil.which(name)
    raise ChromiumNotFound(
        "the rendered-book check needs headless Chromium and none was found on PATH "
        f"(looked for {', '.join(CHROMIUM_NAMES)}): install Debian's `chromium` package "
        "(`sudo apt-get install chromium`), or set DNABOOK_CHROMIUM to a Chromium or Chrome binary")


def stale(html: Path, repo: Path = paths.REPO) -> bool:
    """Whether ``html`` is missing or older than any of the book's sources (config, TOC, pages, notebooks)."""
    stamp = html / ".buildinfo"
    if not stamp.is_file():
        return True
    sources = [repo / name for name in BOOK_SOURCES if (repo / name).is_file()]
    sources += [p for name in BOOK_SOURCES if (repo / name).is_dir() for p in (repo / name).rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in sources) > stamp.stat().st_mtime


def build(repo: Path = paths.REPO) -> None:
    """``jupyter-book build --warningiserror`` of ``repo`` into ``repo/_build/html``; raises with the build's
    output when it fails."""
    exe = Path(sys.executable).with_name("jupyter-book")
    command = [str(exe) if exe.is_file() else "jupyter-book", "build", str(repo), "--warningiserror", "--quiet"]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"jupyter-book build failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` over HTTP on 127.0.0.1 at an ephemeral port; yields the base URL."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _local_get(url: str, method: str = "GET") -> tuple[int, bytes]:
    """Status and body of a request to a loopback URL, with any proxy settings ignored."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(urllib.request.Request(url, method=method), timeout=TIMEOUT_S) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


class DevTools:
    """A minimal Chrome DevTools Protocol client on one page target: commands and event handlers."""

    def __init__(self, ws) -> None:
        self.ws, self.next_id = ws, 0
        self.pending: dict[int, asyncio.Future] = {}
        self.handlers: dict[str, Callable[[dict], None]] = {}
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        while (message := await self.ws.read_message()) is not None:
            data = json.loads(message)
            if "id" in data:
                future = self.pending.pop(data["id"])
                if "error" in data:
                    future.set_exception(RuntimeError(f"DevTools error: {data['error']}"))
                else:
                    future.set_result(data.get("result", {}))
            elif data.get("method") in self.handlers:
                self.handlers[data["method"]](data.get("params", {}))
        for future in self.pending.values():
            future.set_exception(RuntimeError("the browser closed the DevTools connection"))

    async def send(self, method: str, **params) -> dict:
        """Send one command and wait for its result."""
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        await self.ws.write_message(json.dumps({"id": self.next_id, "method": method, "params": params}))
        return await asyncio.wait_for(future, TIMEOUT_S)

    def on(self, method: str, handler: Callable[[dict], None]) -> None:
        self.handlers[method] = handler


@asynccontextmanager
async def chromium(binary: str) -> AsyncIterator[DevTools]:
    """Headless Chromium with a fresh profile and no background networking; yields a client on its tab."""
    from tornado.websocket import websocket_connect

    with tempfile.TemporaryDirectory(prefix="bookcheck-", ignore_cleanup_errors=True) as profile:
        log_path = Path(profile) / "chromium.log"
        log = open(log_path, "wb")
        process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
             "--hide-scrollbars", f"--window-size={WIDTH},{HEIGHT}",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=log, stderr=subprocess.STDOUT)
        try:
            port_file, deadline = Path(profile) / "DevToolsActivePort", time.monotonic() + TIMEOUT_S
            while not (port_file.is_file() and port_file.read_text().count("\n") >= 1):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Chromium did not start: {log_path.read_text()[-2000:]}")
                await asyncio.sleep(0.1)
            port = int(port_file.read_text().split()[0])
            targets = json.loads(_local_get(f"http://127.0.0.1:{port}/json/list")[1])
            page = next(t for t in targets if t["type"] == "page")
            ws = await websocket_connect(page["webSocketDebuggerUrl"], max_message_size=512 * 2**20)
            tab = DevTools(ws)
            try:
                yield tab
            finally:
                ws.close()
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


@dataclass
class Report:
    """What :func:`check` found."""

    pages: list[str] = field(default_factory=list)  # paths relative to the HTML root
    images: int = 0
    links: int = 0  # links into the book that were resolved (page and anchor)
    external: set[str] = field(default_factory=set)  # blocked requests to other hosts
    failures: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [f"{len(self.pages)} pages, {self.images} images, {self.links} internal links checked in "
                 f"{self.seconds:.1f} s; {len(self.failures)} failures"]
        lines += [f"  FAIL {f}" for f in self.failures]
        lines += [f"  blocked external request (not needed to render): {u}" for u in sorted(self.external)]
        lines += [f"  screenshot: {p}" for p in self.screenshots]
        return "\n".join(lines)


class _Visitor:
    """Opens pages in one tab and records, per page, failed local requests and blocked external ones."""

    def __init__(self, tab: DevTools, base: str, report: Report) -> None:
        self.tab, self.base, self.report = tab, base, report
        self.urls: dict[str, str] = {}  # request id -> URL
        self.failed: list[str] = []
        self.loads: list[asyncio.Future] = []
        tab.on("Fetch.requestPaused", self._paused)
        tab.on("Network.requestWillBeSent", lambda p: self.urls.__setitem__(p["requestId"], p["request"]["url"]))
        tab.on("Network.responseReceived", self._response)
        tab.on("Network.loadingFailed", self._failed)
        tab.on("Page.loadEventFired", self._loaded)
        tab.on("Runtime.exceptionThrown", lambda p: self.failed.append(
            f"script error: {p['exceptionDetails'].get('exception', {}).get('description', p['exceptionDetails'])}"))

    def local(self, url: str) -> bool:
        return url.startswith(self.base) or url.startswith(("data:", "blob:", "about:"))

    def _paused(self, params: dict) -> None:
        url = params["request"]["url"]
        if self.local(url):
            asyncio.ensure_future(self.tab.send("Fetch.continueRequest", requestId=params["requestId"]))
        else:
            self.report.external.add(url)
            asyncio.ensure_future(self.tab.send("Fetch.failRequest", requestId=params["requestId"],
                                                errorReason="BlockedByClient"))

    def _response(self, params: dict) -> None:
        response = params["response"]
        if response["url"] == self.base + "favicon.ico":
            return  # the browser asks for it on its own when a page names no icon; no page refers to it
        if self.local(response["url"]) and response["status"] >= 400:
            self.failed.append(f"HTTP {response['status']} for {response['url']}")

    def _failed(self, params: dict) -> None:
        url = self.urls.get(params["requestId"], "?")
        if self.local(url) and not params.get("canceled"):
            self.failed.append(f"{params['errorText']} for {url}")

    def _loaded(self, params: dict) -> None:
        waiting = [f for f in self.loads if not f.done()]
        if waiting:
            waiting[0].set_result(True)

    async def start(self) -> None:
        for domain in ("Page", "Network", "Runtime"):
            await self.tab.send(f"{domain}.enable")
        await self.tab.send("Fetch.enable", patterns=[{"urlPattern": "*"}])

    async def visit(self, url: str, loads: int = 1) -> dict:
        """Open ``url``, wait for ``loads`` load events (2 for a redirecting page), run :data:`PAGE_SCRIPT`;
        returns its result with ``failed``, the failed local requests and script errors on the way."""
        self.failed = []
        self.loads = [asyncio.get_running_loop().create_future() for _ in range(loads)]
        navigation = await self.tab.send("Page.navigate", url=url)
        if navigation.get("errorText"):
            return {"failed": [f"navigation failed: {navigation['errorText']}"], "images": [], "links": [],
                    "ids": [], "url": url, "title": "", "main": False}
        await asyncio.wait_for(asyncio.gather(*self.loads), TIMEOUT_S)
        result = await self.tab.send("Runtime.evaluate", expression=PAGE_SCRIPT, awaitPromise=True,
                                     returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed on {url}: {result['exceptionDetails']}")
        return {**result["result"]["value"], "failed": list(self.failed)}

    async def screenshot(self, url: str, target: Path) -> None:
        """A full-page PNG of ``url`` (at most :data:`MAX_SHOT_HEIGHT` pixels high)."""
        await self.visit(url)
        size = (await self.tab.send("Page.getLayoutMetrics"))["cssContentSize"]
        height = min(int(size["height"]) + 1, MAX_SHOT_HEIGHT)
        await self.tab.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=height, deviceScaleFactor=1,
                            mobile=False)
        shot = await self.tab.send("Page.captureScreenshot", format="png")
        await self.tab.send("Emulation.clearDeviceMetricsOverride")
        target.write_bytes(base64.b64decode(shot["data"]))


def pages(html: Path) -> list[str]:
    """Every HTML page of the build (paths relative to ``html``), theme templates in ``_static`` excluded."""
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if not p.relative_to(html).parts[0].startswith("_"))


def _redirects(page: Path) -> bool:
    return 'http-equiv="refresh"' in page.read_text(errors="replace")[:2000].lower()


async def _check(html: Path, base: str, binary: str, screenshots: Path | None, report: Report) -> None:
    found: dict[str, dict] = {}
    async with chromium(binary) as tab:
        visitor = _Visitor(tab, base, report)
        await visitor.start()
        for page in pages(html):
            result = await visitor.visit(base + page, loads=2 if _redirects(html / page) else 1)
            found[page] = result
            report.pages.append(page)
            report.failures += [f"{page}: {f}" for f in result["failed"]]
            if not result["title"] or not result["main"]:
                report.failures.append(f"{page}: no title or no main content (loaded as {result['url']})")
            report.images += len(result["images"])
            report.failures += [f"{page}: image did not load: {i['src']}" for i in result["images"] if not i["ok"]]
        _check_links(found, base, report)
        if screenshots is not None:
            screenshots.mkdir(parents=True, exist_ok=True)
            landing = urlsplit(found["index.html"]["url"]).path.lstrip("/") if "index.html" in found else pages(html)[0]
            heavy = max(found, key=lambda p: len(found[p]["images"]))
            for name, page in (("landing", landing), (Path(heavy).stem, heavy)):
                target = screenshots / f"{name}.png"
                await visitor.screenshot(base + page, target)
                report.screenshots.append(target)


def _check_links(found: dict[str, dict], base: str, report: Report) -> None:
    """Every link into the book must reach an existing file, and an anchor must exist on its page."""
    ids = {page: set(result["ids"]) for page, result in found.items()}
    status: dict[str, int] = {}
    for page, result in found.items():
        for href in result["links"]:
            if not href.startswith(base):
                continue  # another site, or mailto: and the like: not followed (no network)
            parts = urlsplit(href)
            target = unquote(parts.path).lstrip("/") or "index.html"
            if target.endswith("/"):
                target += "index.html"
            report.links += 1
            if target in ids:
                if parts.fragment and unquote(parts.fragment) not in ids[target]:
                    report.failures.append(f"{page}: link to a missing anchor: {href}")
                continue
            if target not in status:
                status[target] = _local_get(urljoin(base, parts.path), method="HEAD")[0]
            if status[target] != 200:
                report.failures.append(f"{page}: link to a missing file (HTTP {status[target]}): {href}")


def check(html: Path, screenshots: Path | None = None, binary: str | None = None) -> Report:
    """Open every page of the built book ``html`` in headless Chromium and report what failed; save the
    screenshots into ``screenshots`` when given. Raises :class:`ChromiumNotFound` without a browser."""
    binary = binary or find_chromium()
    if not (html / "index.html").is_file():
        raise FileNotFoundError(f"no built book at {html}: run `make html` first")
    report, start = Report(), time.perf_counter()
    with serve(html) as base:
        asyncio.run(_check(html, base, binary, screenshots, report))
    report.seconds = time.perf_counter() - start
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.book.bookcheck", description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=paths.REPO / "_build" / "html", help="the built book")
    parser.add_argument("--screenshots", type=Path, default=paths.REPO / "_build" / "screenshots")
    parser.add_argument("--build", action="store_true", help="build the HTML first if it is missing or stale")
    args = parser.parse_args(argv)
    if args.build and stale(args.html):
        build()
    report = check(args.html, args.screenshots)
    print(report.summary())
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
