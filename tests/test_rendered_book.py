"""The rendered book, checked as a reader would: every page, image and internal link in headless Chromium.

Chromium is required, not optional: without it these tests fail with a message naming what to install, so a
broken book can never pass `make test` unnoticed (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import pytest
import yaml

from lib import paths
from lib.book import bookcheck

HTML = paths.REPO / "_build" / "html"
SCREENSHOTS = paths.REPO / "_build" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> str:
    try:
        return bookcheck.find_chromium()
    except bookcheck.ChromiumNotFound as missing:
        message = str(missing)
    pytest.fail(message, pytrace=False)


def toc_pages() -> list[str]:
    """The HTML page of every document in ``_toc.yml``."""
    def files(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("file", "root"):
                    yield f"{value}.html"
                yield from files(value)
        elif isinstance(node, list):
            for item in node:
                yield from files(item)
    return list(files(yaml.safe_load((paths.REPO / "_toc.yml").read_text())))


def test_every_page_image_and_link_of_the_book_renders(browser):
    if bookcheck.stale(HTML):
        bookcheck.build()
    report = bookcheck.check(HTML, SCREENSHOTS, browser)
    print(report.summary())
    assert not report.failures, report.summary()
    assert set(toc_pages()) <= set(report.pages), set(toc_pages()) - set(report.pages)
    assert report.images >= 10 and report.links > 100, report.summary()
    assert report.screenshots[0].name == "landing.png"
    assert all(p.stat().st_size > 20_000 for p in report.screenshots), report.screenshots


def test_the_check_catches_broken_images_links_anchors_script_errors_and_other_hosts(browser, tmp_path):
    (tmp_path / "index.html").write_text(
        '<html><head><title>home</title><script src="https://cdn.example.com/lib.js"></script></head>'
        '<body><main id="top"><img src="missing.png"><a href="other.html#top">fine</a>'
        '<a href="other.html#nowhere">bad anchor</a><a href="gone.html">bad page</a>'
        '<a href="https://example.com/">elsewhere</a></main></body></html>')
    (tmp_path / "other.html").write_text('<html><head><title>other</title></head><body><main id="top">'
                                         '<a href="index.html#top">back</a></main></body></html>')
    (tmp_path / "empty.html").write_text("<html><body>no title, no main</body></html>")
    (tmp_path / "script.html").write_text('<html><head><title>script</title></head><body><main>'
                                          '<script>console.error("logged"); undefinedFunction();</script>'
                                          '</main></body></html>')
    report = bookcheck.check(tmp_path, binary=browser)
    failures = "\n".join(report.failures)
    assert report.pages == ["empty.html", "index.html", "other.html", "script.html"]
    assert "empty.html: no title or no main content" in failures
    assert "index.html: image did not load" in failures and "HTTP 404" in failures
    assert "index.html: request to another host (blocked): https://cdn.example.com/lib.js" in failures
    assert "missing anchor" in failures and "other.html#nowhere" in failures
    assert "missing file (HTTP 404)" in failures and "gone.html" in failures
    assert "script.html: console error: logged" in failures
    assert "script.html: script error:" in failures and "undefinedFunction" in failures
    assert len(report.failures) == 8, failures
    assert report.external == {"https://cdn.example.com/lib.js"}
