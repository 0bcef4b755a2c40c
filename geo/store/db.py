"""The analysis store: every analysed article, its places and roles, in one DuckDB file.

One row per document id in ``articles``, with the key of what it was analysed from (its
text and facts, and the analysis version: code, curated data, gazetteer); ``places`` and
``roles`` are flat columns for queries (the dashboard's filters and aggregates);
``articles.state`` keeps the per-article stage exactly (``geo.store.codec``), so that
merging paths across articles reads the store instead of re-analysing anything. Merged
paths are cached per store generation (bumped by every write).

DuckDB's rule applies: one process writes a file, or many read it. A writer opens it,
writes in one transaction per batch and closes it; readers open it read-only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from geo.errors import StoreError
from geo.models import Analysis, Article, FlightPath
from geo.stage import ArticleAnalysis
from geo.store.codec import CodecError, decode, encode

log = logging.getLogger(__name__)

DEFAULT_STORE_PATH = Path("data/build/analysis.duckdb")
SCHEMA_VERSION = "1"
# Articles read back at a time: bounded memory for a store of any size.
READ_CHUNK = 256

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS articles (
    doc_id VARCHAR PRIMARY KEY, key VARCHAR NOT NULL, version VARCHAR NOT NULL,
    seq BIGINT NOT NULL, source VARCHAR, title VARCHAR, published DATE, url VARCHAR,
    path VARCHAR, text VARCHAR, body VARCHAR, n_places INTEGER, n_strike_roles INTEGER,
    ingested_at TIMESTAMP, state VARCHAR);
CREATE TABLE IF NOT EXISTS places (
    doc_id VARCHAR, seq BIGINT, "start" INTEGER, "end" INTEGER, text VARCHAR, kind VARCHAR,
    found_by VARCHAR, name VARCHAR, lat DOUBLE, lon DOUBLE, country VARCHAR,
    feature VARCHAR, gazetteer_id VARCHAR, confidence DOUBLE, reason VARCHAR,
    role VARCHAR, role_confidence DOUBLE, source VARCHAR, published DATE);
CREATE INDEX IF NOT EXISTS places_doc ON places (doc_id);
CREATE TABLE IF NOT EXISTS merged (generation BIGINT, state VARCHAR);
"""


def article_key(article: Article, version: str) -> str:
    """What an analysis of this article depends on: its text and facts, and the version."""
    digest = hashlib.sha256()
    for part in (version, article.doc_id, article.text, article.source, article.title,
                 article.published.isoformat() if article.published else "", article.url):
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


class AnalysisStore:
    """A DuckDB analysis store (a file, or in memory for tests)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, path: Path | None,
                 read_only: bool) -> None:
        self._conn = conn
        self.path = path
        self.read_only = read_only

    @classmethod
    def open(cls, path: Path | str, *, read_only: bool = False) -> AnalysisStore:
        """Open (a writer: create) the store at ``path``; ``StoreError`` names the file."""
        path = Path(path)
        if read_only and not path.is_file():
            raise StoreError(f"{path}: no analysis store here (make one with "
                             "`python -m geo ingest PATH... --store FILE`)")
        try:
            if not read_only:
                path.parent.mkdir(parents=True, exist_ok=True)
            conn = duckdb.connect(str(path), read_only=read_only)
        except (duckdb.Error, OSError) as error:
            raise StoreError(f"{path}: cannot open the analysis store: "
                             f"{_first_line(error)}") from error
        store = cls(conn, path, read_only)
        store._prepare()
        return store

    @classmethod
    def memory(cls) -> AnalysisStore:
        store = cls(duckdb.connect(":memory:"), None, False)
        store._prepare()
        return store

    def _prepare(self) -> None:
        try:
            if not self.read_only:
                self._conn.execute(_SCHEMA)
                self._conn.execute("INSERT INTO meta VALUES ('schema', ?), ('generation', '0') "
                                   "ON CONFLICT DO NOTHING", [SCHEMA_VERSION])
            found = self._meta("schema")
        except duckdb.Error as error:
            raise StoreError(f"{self.path}: not an analysis store: "
                             f"{_first_line(error)}") from error
        if found != SCHEMA_VERSION:
            raise StoreError(f"{self.path}: analysis store schema {found!r}, this version "
                             f"of geo reads {SCHEMA_VERSION!r}: ingest into a new file")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> AnalysisStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    @property
    def generation(self) -> int:
        return int(self._meta("generation") or 0)

    # -- writing -------------------------------------------------------------------------

    def keys(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """The stored analysis key of each of these documents that the store has."""
        ids = list(dict.fromkeys(doc_ids))
        if not ids:
            return {}
        rows = self._conn.execute(
            "SELECT doc_id, key FROM articles WHERE doc_id IN (SELECT unnest(?))", [ids]
        ).fetchall()
        return {str(doc): str(key) for doc, key in rows}

    def changed(self, articles: Sequence[Article], version: str) -> list[Article]:
        """The articles the store lacks, or holds from other text, facts or version."""
        stored = self.keys(a.doc_id for a in articles)
        return [a for a in articles if stored.get(a.doc_id) != article_key(a, version)]

    def put(self, analyses: Sequence[ArticleAnalysis], version: str) -> None:
        """Keep these analyses, replacing any earlier one of the same document."""
        if not analyses:
            return
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        first_seq = int(self._conn.execute(
            "SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]) + 1  # type: ignore[index]
        article_rows: list[dict[str, Any]] = []
        place_rows: list[dict[str, Any]] = []
        for seq, item in enumerate(analyses, start=first_seq):
            article_rows.append(_article_row(item, version, seq, now))
            place_rows.extend(_place_rows(item, seq))
        ids = [row["doc_id"] for row in article_rows]
        new_articles = pa.Table.from_pylist(article_rows, schema=_ARTICLE_SCHEMA)
        new_places = pa.Table.from_pylist(place_rows, schema=_PLACE_SCHEMA)
        conn = self._conn
        conn.execute("BEGIN TRANSACTION")
        try:
            conn.execute("DELETE FROM places WHERE doc_id IN (SELECT unnest(?))", [ids])
            conn.execute("DELETE FROM articles WHERE doc_id IN (SELECT unnest(?))", [ids])
            conn.register("new_articles", new_articles)
            conn.register("new_places", new_places)
            conn.execute("INSERT INTO articles BY NAME SELECT * FROM new_articles")
            conn.execute("INSERT INTO places BY NAME SELECT * FROM new_places")
            conn.execute("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
                         "WHERE key = 'generation'")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.unregister("new_articles")
            conn.unregister("new_places")

    # -- reading -------------------------------------------------------------------------

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM articles").fetchone()[0])  # type: ignore[index]

    def stale(self, version: str) -> int:
        """How many stored articles were analysed by another version than ``version``."""
        row = self._conn.execute("SELECT count(*) FROM articles WHERE version <> ?",
                                 [version]).fetchone()
        return int(row[0]) if row else 0

    def analyses(self, doc_ids: Sequence[str] | None = None, *,
                 strike_roles_only: bool = False) -> Iterator[ArticleAnalysis]:
        """The stored per-article stage: of these documents in this order, else of all in
        the order they were stored. ``strike_roles_only`` skips articles with no base,
        target or transit (all that merging paths needs). Read a chunk at a time."""
        columns = "doc_id, source, title, published, url, path, text, body, state"
        only = " AND n_strike_roles > 0" if strike_roles_only else ""
        if doc_ids is None:
            cursor = self._conn.execute(
                f"SELECT {columns} FROM articles WHERE true{only} ORDER BY seq")
            while rows := cursor.fetchmany(READ_CHUNK):
                yield from (_analysis(row) for row in rows)
            return
        for start in range(0, len(doc_ids), READ_CHUNK):
            chunk = list(doc_ids[start:start + READ_CHUNK])
            found = {str(row[0]): row for row in self._conn.execute(
                f"SELECT {columns} FROM articles WHERE doc_id IN (SELECT unnest(?)){only}",
                [chunk]).fetchall()}
            yield from (_analysis(found[d]) for d in chunk if d in found)

    def analysis(self, doc_ids: Sequence[str] | None = None) -> Analysis:
        """The merged analysis of these documents (default: the whole store)."""
        from geo.stage import merge

        return merge(self.analyses(doc_ids))

    def paths(self) -> tuple[FlightPath, ...]:
        """The flight paths of the whole store, merged once per store generation."""
        generation = self.generation
        row = self._conn.execute("SELECT state FROM merged WHERE generation = ?",
                                 [generation]).fetchone()
        if row is not None:
            return tuple(decode(str(row[0])))
        from geo.stage import merge

        paths = merge(self.analyses(strike_roles_only=True)).paths
        if not self.read_only:
            self._conn.execute("DELETE FROM merged")
            self._conn.execute("INSERT INTO merged VALUES (?, ?)", [generation, encode(paths)])
        return paths

    def query(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """A read query over the store's tables, as a pandas frame (for the dashboard)."""
        return self._conn.execute(sql, list(params)).df()


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _article_row(item: ArticleAnalysis, version: str, seq: int, now: dt.datetime
                 ) -> dict[str, Any]:
    article = item.article
    strike_roles = sum(1 for r in item.readings if r.role.role.value != "mention")
    return {
        "doc_id": article.doc_id, "key": article_key(article, version), "version": version,
        "seq": seq, "source": article.source, "title": article.title,
        "published": article.published, "url": article.url, "path": article.path,
        "text": article.text, "body": json.dumps(article.body),
        "n_places": len(item.places), "n_strike_roles": strike_roles, "ingested_at": now,
        "state": encode((item.places, item.readings)),
    }


def _place_rows(item: ArticleAnalysis, seq: int) -> Iterator[dict[str, Any]]:
    article = item.article
    roles = {(r.place.mention.start, r.place.mention.end): r.role for r in item.readings}
    for place in item.places:
        mention, entry = place.mention, place.entry
        role = roles.get((mention.start, mention.end))
        yield {
            "doc_id": mention.doc_id, "seq": seq, "start": mention.start, "end": mention.end,
            "text": mention.text, "kind": mention.kind.value, "found_by": mention.found_by,
            "name": entry.name if entry else None, "lat": entry.lat if entry else None,
            "lon": entry.lon if entry else None, "country": entry.country if entry else None,
            "feature": entry.feature.value if entry else None,
            "gazetteer_id": entry.gazetteer_id if entry else None,
            "confidence": place.confidence, "reason": place.reason,
            "role": role.role.value if role else None,
            "role_confidence": role.confidence if role else None,
            "source": article.source, "published": article.published,
        }


def _analysis(row: Sequence[Any]) -> ArticleAnalysis:
    doc_id, source, title, published, url, path, text, body, state = row
    article = Article(doc_id=doc_id, text=text, source=source or "unknown", title=title or "",
                      published=published, url=url or "", path=path or "",
                      body=tuple(tuple(pair) for pair in json.loads(body or "[]")))
    try:
        places, readings = decode(state)
    except (CodecError, TypeError, ValueError) as error:
        raise StoreError(f"stored analysis of {doc_id!r} cannot be read ({error}): "
                         "re-ingest it") from error
    return ArticleAnalysis(article, tuple(places), tuple(readings))


def _schemas() -> tuple[Any, Any]:
    articles = pa.schema([
        ("doc_id", pa.string()), ("key", pa.string()), ("version", pa.string()),
        ("seq", pa.int64()), ("source", pa.string()), ("title", pa.string()),
        ("published", pa.date32()), ("url", pa.string()), ("path", pa.string()),
        ("text", pa.string()), ("body", pa.string()), ("n_places", pa.int32()),
        ("n_strike_roles", pa.int32()), ("ingested_at", pa.timestamp("us")),
        ("state", pa.string()),
    ])
    places = pa.schema([
        ("doc_id", pa.string()), ("seq", pa.int64()), ("start", pa.int32()),
        ("end", pa.int32()), ("text", pa.string()), ("kind", pa.string()),
        ("found_by", pa.string()), ("name", pa.string()), ("lat", pa.float64()),
        ("lon", pa.float64()), ("country", pa.string()), ("feature", pa.string()),
        ("gazetteer_id", pa.string()), ("confidence", pa.float64()), ("reason", pa.string()),
        ("role", pa.string()), ("role_confidence", pa.float64()), ("source", pa.string()),
        ("published", pa.date32()),
    ])
    return articles, places


_ARTICLE_SCHEMA, _PLACE_SCHEMA = _schemas()
