"""Fetching an article by its URL, against a web server on 127.0.0.1 (never the network)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from geo.fetch import FetchError, PageCache, check_url, fetch_article

ARTICLE_HTML = """<!doctype html><html><head><title>Jets strike near a river town</title>
<meta property="og:site_name" content="Test Wire">
<meta property="article:published_time" content="2026-11-20T08:00:00Z"></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Jets strike near a river town</h1>
<p>Russian jets took off from the Hmeimim air base in Syria early on Friday and struck
targets near Palmyra, the defence ministry said in a statement read out on television.</p>
<p>Residents of the town described hearing several large blasts before dawn, and local
officials said that roads leading east out of the area had been closed for the day.</p>
</article><footer>Copyright Test Wire</footer></body></html>"""

NO_TEXT_HTML = "<!doctype html><html><head><title>x</title></head><body><div></div></body></html>"


class _Handler(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:  # keep pytest's output clean
        pass

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        if self.path == "/article.html":
            self._send(200, ARTICLE_HTML.encode(), "text/html; charset=utf-8")
        elif self.path == "/notes.txt":
            self._send(200, b"Strikes hit Palmyra on Friday, officials in Damascus said.\n",
                       "text/plain")
        elif self.path == "/missing":
            self._send(404, b"nope", "text/html")
        elif self.path == "/photo":
            self._send(200, b"\x89PNG\r\n\x1a\n" * 10, "image/png")
        elif self.path == "/empty.html":
            self._send(200, NO_TEXT_HTML.encode(), "text/html")
        elif self.path == "/huge.html":
            self._send(200, b"<p>" + b"a" * 300_000 + b"</p>", "text/html")
        elif self.path.startswith("/nominatim/"):  # an online geocoder that knows nothing
            self._send(200, b"[]", "application/json")
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, ARTICLE_HTML.encode(), "text/html")
        else:
            self._send(500, b"", "text/html")


@contextmanager
def serve() -> Iterator[str]:
    """The test site on a free port of 127.0.0.1, as its base address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve() as url:
        yield url


def test_a_page_is_fetched_extracted_and_kept_for_offline_use(site: str, tmp_path: Path
                                                              ) -> None:
    cache = PageCache(tmp_path / "pages")
    url = f"{site}/article.html"
    article, cached = fetch_article(url, cache=cache)
    assert not cached
    assert "Hmeimim" in article.text and "Palmyra" in article.text
    assert "Home" not in article.text and "Copyright" not in article.text
    assert article.url == url and article.title == "Jets strike near a river town"
    assert article.source == "Test Wire"
    assert article.doc_id.startswith("127.0.0.1-")
    # Offline now: the cache answers, and the server is not asked again.
    asked = len(_Handler.hits)
    again, cached = fetch_article(url, cache=cache, online=False)
    assert cached and again == article and len(_Handler.hits) == asked


def test_plain_text_pages_are_read_as_text(site: str) -> None:
    article, _ = fetch_article(f"{site}/notes.txt")
    assert article.text.startswith("Strikes hit Palmyra")


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/missing", "HTTP 404"),
        ("/photo", "not an HTML page (it is image/png)"),
        ("/empty.html", "no article text"),
        ("/huge.html", "over the 0.1 MB limit"),
        ("/slow", "no answer within 0.5 s"),
    ],
)
def test_every_failure_names_the_url(site: str, tmp_path: Path, path: str, problem: str
                                     ) -> None:
    cache = PageCache(tmp_path / "pages")
    url = f"{site}{path}"
    with pytest.raises(FetchError) as caught:
        fetch_article(url, cache=cache, timeout=0.5, max_bytes=100_000)
    assert str(caught.value).startswith(f"{url}: ")
    assert problem in str(caught.value)
    assert not list((tmp_path / "pages").glob("*.json"))  # a failure is not cached


def test_a_refused_connection_names_the_url(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/a.html"
    with pytest.raises(FetchError, match=f"^{url}: could not be fetched"):
        fetch_article(url, timeout=2)


def test_offline_and_not_cached_says_so(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="online switch is off"):
        fetch_article("https://example.org/a", cache=PageCache(tmp_path), online=False)


@pytest.mark.parametrize("url", ["", "example.org/a", "ftp://example.org/a", "file:///etc/passwd",
                                 "javascript:alert(1)", "http://"])
def test_only_web_addresses_are_asked_for(url: str) -> None:
    with pytest.raises(FetchError, match="not a web address"):
        check_url(url)


def test_a_damaged_cache_entry_is_fetched_again(site: str, tmp_path: Path) -> None:
    cache = PageCache(tmp_path)
    url = f"{site}/article.html"
    fetch_article(url, cache=cache)
    for meta in tmp_path.glob("*.json"):
        meta.write_text("{not json", encoding="utf-8")
    assert cache.get(url) is None
    _, cached = fetch_article(url, cache=cache)
    assert not cached and cache.get(url) is not None
