"""Fetch an article's web page by its address, once, and keep it for offline use.

The dashboard's URL box calls :func:`fetch_article`. A page is fetched with a timeout and
a size cap, kept in a cache folder (``data/cache/pages`` beside the geocode cache, or
``$GEO_PAGE_CACHE``) and read as an uploaded HTML file would be (trafilatura). A page in
the cache is read from there, so a link fetched once opens with no network. Every failure
is a :class:`FetchError` whose message names the address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from geo.articles import ReadLimits, article_from_bytes
from geo.geocache import default_cache_path
from geo.models import Article, LoadProblem

log = logging.getLogger(__name__)

PAGE_CACHE_ENV = "GEO_PAGE_CACHE"
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
USER_AGENT = "geo-conflict-mapper (article fetch; +contact in README)"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain",)
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A page could not be had; the message names its address and says why."""

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(f"{url}: {problem}")
        self.url = url
        self.problem = problem


@dataclass(frozen=True)
class FetchedPage:
    """One page as the server sent it (after redirects)."""

    url: str  # as asked for
    final_url: str
    content_type: str
    body: bytes
    fetched_at: str  # ISO timestamp, UTC

    @property
    def is_html(self) -> bool:
        return self.content_type in _HTML_TYPES


def default_page_cache() -> Path:
    """``$GEO_PAGE_CACHE``, else ``pages/`` beside the geocode cache."""
    return Path(os.environ.get(PAGE_CACHE_ENV) or Path(default_cache_path()).parent / "pages")


class PageCache:
    """Fetched pages in a folder: ``<digest>.body`` and ``<digest>.json`` per address."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def _stem(self, url: str) -> Path:
        return self.folder / hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]

    def get(self, url: str) -> FetchedPage | None:
        stem = self._stem(url)
        try:
            meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
            body = stem.with_suffix(".body").read_bytes()
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or meta.get("url") != url:
            return None
        return FetchedPage(url, str(meta.get("final_url") or url),
                           str(meta.get("content_type") or ""), body,
                           str(meta.get("fetched_at") or ""))

    def put(self, page: FetchedPage) -> None:
        """Keep ``page``; a cache that cannot be written costs a warning, not the page."""
        stem = self._stem(page.url)
        meta = {"url": page.url, "final_url": page.final_url,
                "content_type": page.content_type, "fetched_at": page.fetched_at}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Body first, metadata last: a half-written entry has no .json and is not read.
            for suffix, data in ((".body", page.body),
                                 (".json", json.dumps(meta).encode("utf-8"))):
                tmp = stem.with_suffix(suffix + ".tmp")
                tmp.write_bytes(data)
                tmp.replace(stem.with_suffix(suffix))
        except OSError as err:
            log.warning("could not keep %s in the page cache %s: %s", page.url, self.folder, err)


def check_url(url: str) -> str:
    """``url`` stripped, or a FetchError when it is no http(s) address."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError(url or "(empty)", "not a web address (http:// or https://)")
    return url


def _media_type(header: str) -> str:
    return header.split(";", 1)[0].strip().lower()


def download(url: str, *, timeout: float = DEFAULT_TIMEOUT_S,
             max_bytes: int = DEFAULT_MAX_BYTES, session: Any = None) -> FetchedPage:
    """GET ``url``: an HTML or plain-text page of at most ``max_bytes`` within ``timeout``
    seconds in all (a server that drips bytes is cut off too)."""
    import requests  # only when a page is fetched: the dashboard's start-up need not pay

    http = session or requests
    deadline = time.monotonic() + timeout
    try:
        reply = http.get(url, timeout=(timeout, timeout), stream=True,
                         headers={"User-Agent": USER_AGENT,
                                  "Accept": "text/html,application/xhtml+xml,text/plain"})
    except requests.Timeout as err:
        raise FetchError(url, f"no answer within {timeout:g} s") from err
    except requests.RequestException as err:
        raise FetchError(url, f"could not be fetched ({type(err).__name__})") from err
    with reply:
        if reply.status_code >= 400:
            raise FetchError(url, f"the server answered HTTP {reply.status_code} "
                                  f"{reply.reason or ''}".rstrip())
        media = _media_type(reply.headers.get("Content-Type", ""))
        if media not in _HTML_TYPES + _TEXT_TYPES:
            raise FetchError(url, f"not an HTML page (it is {media or 'of no stated type'})")
        declared = reply.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(url, _too_big(int(declared), max_bytes))
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in reply.iter_content(_CHUNK):
                chunks.append(chunk)
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(url, _too_big(size, max_bytes, at_least=True))
                if time.monotonic() > deadline:
                    raise FetchError(url, f"the page took over {timeout:g} s to arrive")
        except requests.RequestException as err:
            raise FetchError(url, f"the page was cut off ({type(err).__name__})") from err
    return FetchedPage(url, str(reply.url or url), media, b"".join(chunks),
                       dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))


def _too_big(size: int, limit: int, *, at_least: bool = False) -> str:
    more = "over " if at_least else ""
    return f"the page is {more}{size / 1e6:.1f} MB, over the {limit / 1e6:.1f} MB limit"


def page_article(page: FetchedPage, *, limits: ReadLimits | None = None) -> Article:
    """The article of a fetched page, read as an uploaded file; a FetchError names the URL
    when the page holds no article text."""
    parts = urlsplit(page.url)
    digest = hashlib.sha256(page.url.encode("utf-8")).hexdigest()[:8]
    suffix = ".html" if page.is_html else ".txt"
    name = f"{parts.hostname or 'page'}-{digest}{suffix}"  # article_from_bytes makes it safe
    read = article_from_bytes(name, page.body, url=page.url, limits=limits or ReadLimits())
    if isinstance(read, LoadProblem):
        raise FetchError(page.url, read.problem)
    return read


def fetch_article(url: str, *, cache: PageCache | None = None, online: bool = True,
                  timeout: float = DEFAULT_TIMEOUT_S, max_bytes: int = DEFAULT_MAX_BYTES,
                  session: Any = None) -> tuple[Article, bool]:
    """The article at ``url`` and whether it came from the cache.

    From the cache when it holds the page, else fetched (only when ``online``) and kept.
    """
    url = check_url(url)
    cached = cache.get(url) if cache is not None else None
    if cached is not None:
        return page_article(cached, limits=ReadLimits(max_bytes=max_bytes)), True
    if not online:
        raise FetchError(url, "not in the page cache, and the online switch is off")
    page = download(url, timeout=timeout, max_bytes=max_bytes, session=session)
    article = page_article(page, limits=ReadLimits(max_bytes=max_bytes))
    if cache is not None:  # only a page that gave an article is worth keeping
        cache.put(page)
    return article, False
