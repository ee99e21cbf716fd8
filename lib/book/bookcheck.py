"""Checking the rendered book as a reader would: every page of ``_build/html`` in headless Chromium.

:func:`check` serves the HTML on 127.0.0.1 (an ephemeral port), opens every page in Debian's Chromium driven by
playwright, and reports as failures

- pages that do not load (an HTTP error, no title or no main content),
- script errors (uncaught exceptions and ``console.error`` messages),
- images that fail to load or decode (natural width 0),
- local requests (stylesheets, scripts, fonts, images) that fail,
- requests to any other host: they are blocked inside the browser (no other host name is even resolved), so
  the check needs no network and the book must render without one,
- links into the book whose page or anchor does not exist.

It saves full-page screenshots of the landing page and of the page with the most images.

Command line: ``python -m lib.book.bookcheck [--build]`` (see ``--help``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from playwright.sync_api import BrowserContext, ConsoleMessage, Request, Response, Route, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from lib import paths

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BOOK_SOURCES = ("_config.yml", "_toc.yml", "references.bib", "book", "notebooks")
WIDTH, HEIGHT, MAX_SHOT_HEIGHT = 1280, 900, 16_000
TIMEOUT_S = 60
# No proxy, and no host name resolved but the local server's (playwright already blocks the requests themselves).
CHROMIUM_ARGS = ["--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]

# Run in each page after its load event: wait for every image to decode, then collect what the check needs.
PAGE_SCRIPT = """async () => {
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
}"""


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
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
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


@dataclass
class Report:
    """What :func:`check` found."""

    pages: list[str] = field(default_factory=list)  # paths relative to the HTML root
    images: int = 0
    links: int = 0  # links into the book that were resolved (page and anchor)
    external: set[str] = field(default_factory=set)  # requests to other hosts (blocked, and failures)
    failures: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [(f"{len(self.pages)} pages, {self.images} images, {self.links} internal links checked in "
                  f"{self.seconds:.1f} s; {len(self.failures)} failures")]
        lines += [f"  FAIL {f}" for f in self.failures]
        lines += [f"  screenshot: {p}" for p in self.screenshots]
        return "\n".join(lines)


class _Tab:
    """One browser tab that records, for the page it is on, what went wrong: failed local requests, blocked
    requests to other hosts, and script errors."""

    def __init__(self, context: BrowserContext, base: str, report: Report) -> None:
        self.base, self.report, self.failed = base, report, []
        context.route("**/*", self._route)
        self.page = context.new_page()
        self.page.on("response", self._response)
        self.page.on("requestfailed", self._request_failed)
        self.page.on("pageerror", lambda error: self.failed.append(f"script error: {error}"))
        self.page.on("console", self._console)

    def local(self, url: str) -> bool:
        return url.startswith((self.base, "data:", "blob:", "about:"))

    def _route(self, route: Route) -> None:
        url = route.request.url
        if self.local(url):
            route.continue_()
        else:
            self.report.external.add(url)
            self.failed.append(f"request to another host (blocked): {url}")
            route.abort("blockedbyclient")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and self.local(response.url):
            self.failed.append(f"HTTP {response.status} for {response.url}")

    def _request_failed(self, request: Request) -> None:
        # A blocked request is reported by _route; an aborted one was cancelled by the page (e.g. a redirect).
        if self.local(request.url) and request.failure != "net::ERR_ABORTED":
            self.failed.append(f"{request.failure} for {request.url}")

    def _console(self, message: ConsoleMessage) -> None:
        # Chromium logs every failed resource as a console error too; those are reported from the request.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.failed.append(f"console error: {message.text}")

    def visit(self, url: str, redirects: bool = False) -> dict:
        """Open ``url`` (and, when it ``redirects``, wait for the page it leads to), run :data:`PAGE_SCRIPT`;
        returns its result with ``failed``, what went wrong on the way."""
        self.failed = []
        try:
            self.page.goto(url)
            if redirects:
                self.page.wait_for_url(lambda now: now != url)
        except PlaywrightError as error:
            return {"failed": [f"navigation failed: {error.message}"], "images": [], "links": [], "ids": [],
                    "url": url, "title": "", "main": False}
        return {**self.page.evaluate(PAGE_SCRIPT), "failed": self.failed}

    def screenshot(self, url: str, target: Path) -> None:
        """A full-page PNG of ``url`` (at most :data:`MAX_SHOT_HEIGHT` pixels high)."""
        self.visit(url)
        height = min(self.page.evaluate("document.documentElement.scrollHeight"), MAX_SHOT_HEIGHT)
        self.page.screenshot(path=target, full_page=True, clip={"x": 0, "y": 0, "width": WIDTH, "height": height})


def pages(html: Path) -> list[str]:
    """Every HTML page of the build (paths relative to ``html``), theme templates in ``_static`` excluded."""
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if not p.relative_to(html).parts[0].startswith("_"))


def _redirects(page: Path) -> bool:
    return 'http-equiv="refresh"' in page.read_text(errors="replace")[:2000].lower()


def _check_links(found: dict[str, dict], base: str, status: Callable[[str], int], report: Report) -> None:
    """Every link into the book must reach an existing file (``status`` of its URL is 200), and an anchor must
    exist on its page."""
    ids = {page: set(result["ids"]) for page, result in found.items()}
    checked: dict[str, int] = {}
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
            if target not in checked:
                checked[target] = status(base + parts.path.lstrip("/"))
            if checked[target] != 200:
                report.failures.append(f"{page}: link to a missing file (HTTP {checked[target]}): {href}")


def _visit_all(tab: _Tab, html: Path, base: str, screenshots: Path | None, report: Report) -> None:
    found: dict[str, dict] = {}
    for page in pages(html):
        result = found[page] = tab.visit(base + page, redirects=_redirects(html / page))
        report.pages.append(page)
        report.failures += [f"{page}: {f}" for f in result["failed"]]
        if not result["title"] or not result["main"]:
            report.failures.append(f"{page}: no title or no main content (loaded as {result['url']})")
        report.images += len(result["images"])
        report.failures += [f"{page}: image did not load: {i['src']}" for i in result["images"] if not i["ok"]]
    _check_links(found, base, lambda url: tab.page.request.head(url).status, report)
    if screenshots is not None:
        screenshots.mkdir(parents=True, exist_ok=True)
        landing = urlsplit(found["index.html"]["url"]).path.lstrip("/") if "index.html" in found else pages(html)[0]
        heavy = max(found, key=lambda p: len(found[p]["images"]))
        for name, page in (("landing", landing), (Path(heavy).stem, heavy)):
            target = screenshots / f"{name}.png"
            tab.screenshot(base + page, target)
            report.screenshots.append(target)


def check(html: Path, screenshots: Path | None = None, binary: str | None = None) -> Report:
    """Open every page of the built book ``html`` in headless Chromium and report what failed; save the
    screenshots into ``screenshots`` when given. Raises :class:`ChromiumNotFound` without a browser."""
    binary = binary or find_chromium()
    if not (html / "index.html").is_file():
        raise FileNotFoundError(f"no built book at {html}: run `make html` first")
    report, start = Report(), time.perf_counter()
    with serve(html) as base, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=binary, args=CHROMIUM_ARGS, timeout=TIMEOUT_S * 1000)
        context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, service_workers="block")
        context.set_default_timeout(TIMEOUT_S * 1000)
        _visit_all(_Tab(context, base, report), html, base, screenshots, report)
        browser.close()
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
    try:
        report = check(args.html, args.screenshots)
    except (ChromiumNotFound, FileNotFoundError) as error:
        sys.exit(f"error: {error}")
    print(report.summary())
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
