"""The persistent geocoding cache: online answers, remembered misses and user pins.

One SQLite file (``data/cache/geocode.sqlite`` under the repository, or ``$GEO_CACHE``)
lets an offline run reuse every answer an online run got, including "not found", and keeps
the places a person pinned from the dashboard ("fix this mention").

Keys are ``geo.normalize.name_key`` of the name, so "Deir ez-Zor" and "Deir el-Zor" share
an answer. The cache never takes a run down: a corrupt file is moved aside and rebuilt, a
database locked past the busy timeout or an unwritable location skips that write with a
warning, and a cache that cannot be opened at all answers "not cached" to everything.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from geo.models import Feature, GazetteerEntry
from geo.normalize import name_key

log = logging.getLogger(__name__)

MEMORY = ":memory:"
CACHE_ENV = "GEO_CACHE"
DEFAULT_CACHE_PATH = Path(__file__).resolve().parent.parent / "data" / "cache" / "geocode.sqlite"
CORRUPT_SUFFIX = ".corrupt"
SCHEMA_VERSION = 1

_T = TypeVar("_T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    provider      TEXT NOT NULL,
    query_key     TEXT NOT NULL,
    country_hint  TEXT NOT NULL,
    query         TEXT NOT NULL,
    raw           TEXT NOT NULL,
    gazetteer_id  TEXT NOT NULL,
    name          TEXT NOT NULL,
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
    country       TEXT NOT NULL,
    feature       TEXT NOT NULL,
    population    INTEGER NOT NULL DEFAULT 0,
    admin1        TEXT NOT NULL DEFAULT '',
    created       TEXT NOT NULL,
    PRIMARY KEY (provider, query_key, country_hint)
);
CREATE TABLE IF NOT EXISTS misses (
    provider      TEXT NOT NULL,
    query_key     TEXT NOT NULL,
    country_hint  TEXT NOT NULL,
    query         TEXT NOT NULL,
    created       TEXT NOT NULL,
    PRIMARY KEY (provider, query_key, country_hint)
);
CREATE TABLE IF NOT EXISTS pins (
    name_key      TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    label         TEXT NOT NULL,
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
    country       TEXT NOT NULL,
    feature       TEXT NOT NULL,
    gazetteer_id  TEXT NOT NULL DEFAULT '',
    created       TEXT NOT NULL
);
"""

# SQLite's primary result codes (extended codes carry them in the low byte).
_CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


@dataclass(frozen=True)
class CachedAnswer:
    """What the cache holds for one query: an entry, or ``entry=None`` for a cached miss."""

    provider: str
    query_key: str
    country_hint: str
    entry: GazetteerEntry | None
    raw_json: str = ""
    created: str = ""

    @property
    def found(self) -> bool:
        return self.entry is not None

    @property
    def raw(self) -> Any:
        """The provider's reply as stored (``None`` for a miss)."""
        return json.loads(self.raw_json) if self.raw_json else None


@dataclass(frozen=True)
class Pin:
    """A name a person tied to a place; ``gazetteer_id`` is set when pinned to an entry."""

    key: str  # name_key of the pinned name
    name: str
    label: str
    lat: float
    lon: float
    country: str
    feature: Feature
    gazetteer_id: str = ""
    created: str = ""

    @property
    def entry(self) -> GazetteerEntry:
        """The pin as a gazetteer entry (``pin:<name key>`` when not tied to an entry)."""
        return GazetteerEntry(
            gazetteer_id=self.gazetteer_id or f"pin:{self.key}",
            name=self.label or self.name,
            lat=self.lat,
            lon=self.lon,
            country=self.country,
            feature=self.feature,
            source="pin",
        )


def default_cache_path() -> str:
    """``$GEO_CACHE`` when set, else ``data/cache/geocode.sqlite`` under the repository."""
    return os.environ.get(CACHE_ENV) or str(DEFAULT_CACHE_PATH)


def country_hint_key(country_hint: str | None) -> str:
    """The stored form of a country hint: upper-case ISO2, "" for none."""
    return (country_hint or "").strip().upper()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _is_corrupt(err: sqlite3.Error) -> bool:
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _CORRUPT_CODES
    text = str(err).lower()
    return any(sign in text for sign in ("not a database", "malformed", "integrity check"))


def _check_coordinates(lat: float, lon: float) -> None:
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError(f"coordinates out of range: lat={lat}, lon={lon}")


class GeocodeCache:
    """SQLite store of geocoder answers, misses and pins, safe to share between processes.

    Writes are one ``BEGIN IMMEDIATE`` transaction each, in WAL mode with a busy timeout,
    so concurrent writers wait for each other instead of losing rows. A connection is
    shared between threads (Streamlit reruns a script on new threads) behind a lock.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 busy_timeout: float = 5.0) -> None:
        self.path = str(path) if path is not None else default_cache_path()
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._warned: set[str] = set()
        self._open()

    # -- opening, recovery -------------------------------------------------------------

    @property
    def available(self) -> bool:
        """False when the cache could not be opened: every lookup then misses."""
        return self._conn is not None

    @property
    def in_memory(self) -> bool:
        return self.path == MEMORY

    def _connect(self, *, read_only: str = "") -> sqlite3.Connection:
        """A checked connection; ``read_only`` is a URI query such as ``mode=ro``."""
        target, uri = self.path, False
        if read_only:
            target, uri = f"{Path(self.path).resolve().as_uri()}?{read_only}", True
        conn = sqlite3.connect(target, timeout=self.busy_timeout, isolation_level=None,
                               check_same_thread=False, uri=uri)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            # Reading the schema is what makes SQLite notice a file that is no database.
            rows = conn.execute("PRAGMA quick_check").fetchall()
            if rows != [("ok",)]:
                raise sqlite3.DatabaseError(f"integrity check failed: {rows[:3]}")
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if read_only:
                return conn
            # Only a new file needs a write here, so a busy writer elsewhere cannot keep
            # this process from opening the cache.
            journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if not self.in_memory and journal != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            # Safe with WAL: a power cut may lose the last answers, never the file.
            conn.execute("PRAGMA synchronous = NORMAL")
            if not {"answers", "misses", "pins"} <= tables:
                # Two processes may create the schema at once: one transaction each.
                conn.executescript(f"BEGIN IMMEDIATE;\n{_SCHEMA}\n"
                                   f"PRAGMA user_version = {SCHEMA_VERSION};\nCOMMIT;")
        except BaseException:
            conn.close()
            raise
        return conn

    def _open(self) -> None:
        if not self.in_memory:
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                log.warning("geocode cache %s: cannot create its folder (%s); "
                            "running without a cache", self.path, err)
                return
        try:
            self._conn = self._connect()
        except sqlite3.Error as err:
            if _is_corrupt(err):
                self._rebuild(err)
            elif not self.in_memory and os.path.isfile(self.path):
                self._open_read_only(err)
            else:
                log.warning("geocode cache %s cannot be opened (%s); running without a cache",
                            self.path, err)

    def _open_read_only(self, err: sqlite3.Error) -> None:
        """Fall back to reading an existing cache we may not write (writes are skipped)."""
        again: sqlite3.Error | None = None
        # A WAL file needs its -shm beside it even to read; where that cannot be created,
        # only "immutable" (no locking, so nobody may write meanwhile) reads it.
        for query in ("mode=ro", "mode=ro&immutable=1"):
            try:
                self._conn = self._connect(read_only=query)
                break
            except sqlite3.Error as failed:
                again = failed
        else:
            log.warning("geocode cache %s cannot be opened (%s; read-only: %s); running "
                        "without a cache", self.path, err, again)
            return
        log.warning("geocode cache %s cannot be written (%s); reading it only, new answers "
                    "and pins will not be kept", self.path, err)

    def _rebuild(self, err: sqlite3.Error) -> None:
        """Move a corrupt file (and its WAL) aside and start an empty cache in its place."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self.in_memory:
            log.warning("in-memory geocode cache is corrupt (%s); starting afresh", err)
        else:
            aside = self.path + CORRUPT_SUFFIX
            log.warning("geocode cache %s is corrupt (%s); moved aside to %s and rebuilt empty",
                        self.path, err, aside)
            try:
                os.replace(self.path, aside)
                for extra in ("-wal", "-shm"):
                    # A stale WAL must not be replayed into the new database.
                    if os.path.exists(self.path + extra):
                        os.replace(self.path + extra, aside + extra)
            except OSError as move_err:
                log.warning("geocode cache %s cannot be moved aside (%s); running without a "
                            "cache", self.path, move_err)
                return
        try:
            self._conn = self._connect()
        except sqlite3.Error as again:
            log.warning("geocode cache %s cannot be rebuilt (%s); running without a cache",
                        self.path, again)

    def close(self) -> None:
        """Close the database; later lookups miss and writes are skipped."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GeocodeCache({self.path!r})"

    # -- guarded access ----------------------------------------------------------------

    def _read(self, what: str, fn: Callable[[sqlite3.Connection], _T], default: _T) -> _T:
        """Run a read; any database trouble logs a warning and gives ``default``."""
        with self._lock:
            if self._conn is None:
                return default
            try:
                return fn(self._conn)
            except sqlite3.Error as err:
                log.warning("geocode cache %s: %s failed (%s)", self.path, what, err)
                if _is_corrupt(err):
                    self._rebuild(err)
                return default

    def _write(self, what: str, fn: Callable[[sqlite3.Connection], None]) -> bool:
        """Run ``fn`` in one write transaction; False (and a warning) when it was skipped."""
        with self._lock:
            for attempt in (1, 2):
                conn = self._conn
                if conn is None:
                    self._warn_once("unavailable", "geocode cache %s unavailable: %s not stored",
                                    self.path, what)
                    return False
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        fn(conn)
                        conn.execute("COMMIT")
                    finally:
                        # A failed statement or COMMIT must not leave the transaction open.
                        _rollback(conn)
                    return True
                except sqlite3.Error as err:
                    if _is_corrupt(err) and attempt == 1:
                        self._rebuild(err)
                        continue  # one retry, into the rebuilt file
                    self._warn_once(str(err), "geocode cache %s: %s not stored (%s)",
                                    self.path, what, err)
                    return False
            return False

    def _warn_once(self, reason: str, message: str, *args: object) -> None:
        """Warn about a write problem the first time; a run of mentions repeats it."""
        if reason in self._warned:
            log.debug(message, *args)
        else:
            self._warned.add(reason)
            log.warning(message + " (further writes failing so are logged at debug level)",
                        *args)

    # -- answers -----------------------------------------------------------------------

    def get(self, provider: str, query: str,
            country_hint: str | None = None) -> CachedAnswer | None:
        """The cached answer: ``None`` when not cached, ``.entry is None`` for a cached miss."""
        key = name_key(query)
        hint = country_hint_key(country_hint)
        if not key:
            return None

        def fetch(conn: sqlite3.Connection) -> CachedAnswer | None:
            args = (provider, key, hint)
            row = conn.execute(
                "SELECT raw, gazetteer_id, name, lat, lon, country, feature, population, "
                "admin1, created FROM answers "
                "WHERE provider = ? AND query_key = ? AND country_hint = ?", args).fetchone()
            if row is not None:
                raw, gid, name, lat, lon, country, feature, population, admin1, created = row
                entry = GazetteerEntry(gazetteer_id=gid, name=name, lat=lat, lon=lon,
                                       country=country, feature=_feature(feature),
                                       population=population, admin1=admin1, source=provider)
                return CachedAnswer(provider, key, hint, entry, raw, created)
            miss = conn.execute(
                "SELECT created FROM misses "
                "WHERE provider = ? AND query_key = ? AND country_hint = ?", args).fetchone()
            if miss is not None:
                return CachedAnswer(provider, key, hint, None, "", miss[0])
            return None

        return self._read("lookup", fetch, None)

    def put(self, provider: str, query: str, country_hint: str | None,
            entry: GazetteerEntry | None, raw: object = None) -> bool:
        """Store an answer (``entry=None`` records "not found"); False when not stored."""
        key = name_key(query)
        hint = country_hint_key(country_hint)
        if not key:
            return False
        if entry is not None:
            _check_coordinates(entry.lat, entry.lon)
        raw_json = json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)
        created = _now()

        def store(conn: sqlite3.Connection) -> None:
            args = (provider, key, hint)
            # An answer and a miss for the same query exclude each other.
            conn.execute("DELETE FROM misses WHERE provider = ? AND query_key = ? "
                         "AND country_hint = ?", args)
            conn.execute("DELETE FROM answers WHERE provider = ? AND query_key = ? "
                         "AND country_hint = ?", args)
            if entry is None:
                conn.execute("INSERT INTO misses VALUES (?, ?, ?, ?, ?)",
                             (*args, query, created))
            else:
                conn.execute(
                    "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*args, query, raw_json, entry.gazetteer_id, entry.name, entry.lat,
                     entry.lon, entry.country, entry.feature.value, entry.population,
                     entry.admin1, created))

        return self._write(f"answer for {query!r}", store)

    def forget(self, provider: str, query: str, country_hint: str | None = None) -> bool:
        """Drop a cached answer or miss so the next online run asks again."""
        key, hint = name_key(query), country_hint_key(country_hint)

        def drop(conn: sqlite3.Connection) -> None:
            for table in ("answers", "misses"):
                conn.execute(f"DELETE FROM {table} WHERE provider = ? AND query_key = ? "
                             "AND country_hint = ?", (provider, key, hint))

        return self._write(f"forgetting {query!r}", drop)

    def count(self) -> int:
        """How many answers and misses are cached."""
        return self._read("count", lambda conn: int(conn.execute(
            "SELECT (SELECT count(*) FROM answers) + (SELECT count(*) FROM misses)"
        ).fetchone()[0]), 0)

    # -- pins --------------------------------------------------------------------------

    def pin(self, name: str, *, lat: float, lon: float, country: str = "",
            feature: Feature | str = Feature.OTHER, label: str = "") -> Pin | None:
        """Pin a name to coordinates (replacing any earlier pin); None when not stored."""
        return self._store_pin(name, lat=lat, lon=lon, country=country,
                               feature=_feature(feature), label=label, gazetteer_id="")

    def pin_to(self, name: str, entry: GazetteerEntry) -> Pin | None:
        """Pin a name to a gazetteer entry (its id and coordinates); None when not stored."""
        return self._store_pin(name, lat=entry.lat, lon=entry.lon, country=entry.country,
                               feature=entry.feature, label=entry.name,
                               gazetteer_id=entry.gazetteer_id)

    def _store_pin(self, name: str, *, lat: float, lon: float, country: str,
                   feature: Feature, label: str, gazetteer_id: str) -> Pin | None:
        key = name_key(name)
        if not key:
            raise ValueError(f"cannot pin {name!r}: the name has no lookup key")
        _check_coordinates(lat, lon)
        pin = Pin(key=key, name=name, label=label or name, lat=float(lat),
                  lon=float(lon), country=country_hint_key(country), feature=feature,
                  gazetteer_id=gazetteer_id, created=_now())

        def store(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT OR REPLACE INTO pins VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (pin.key, pin.name, pin.label, pin.lat, pin.lon, pin.country,
                          pin.feature.value, pin.gazetteer_id, pin.created))

        return pin if self._write(f"pin for {name!r}", store) else None

    def unpin(self, name: str) -> bool:
        """Remove the pin of a name; False when it could not be removed."""
        key = name_key(name)

        def drop(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM pins WHERE name_key = ?", (key,))

        return self._write(f"unpinning {name!r}", drop)

    def pins(self) -> list[Pin]:
        """Every pin, oldest first."""
        return self._read("listing pins", lambda conn: [
            _pin(row) for row in conn.execute(f"{_PIN_SELECT} ORDER BY created, rowid")
        ], [])

    def pin_for(self, name: str) -> Pin | None:
        """The pin of a name (matched by its name key), if a person set one."""
        key = name_key(name)
        if not key:
            return None
        return self._read("pin lookup", lambda conn: next(
            (_pin(row) for row in conn.execute(f"{_PIN_SELECT} WHERE name_key = ?", (key,))),
            None), None)

    def iter_answers(self, provider: str | None = None) -> Iterator[CachedAnswer]:
        """Every cached answer (not misses), e.g. to export the cached gazetteer."""
        sql = ("SELECT provider, query_key, country_hint, raw, gazetteer_id, name, lat, lon, "
               "country, feature, population, admin1, created FROM answers")
        args: tuple[str, ...] = ()
        if provider is not None:
            sql, args = sql + " WHERE provider = ?", (provider,)
        rows: list[tuple[Any, ...]] = self._read(
            "listing answers",
            lambda conn: conn.execute(sql + " ORDER BY created, rowid", args).fetchall(), [])
        for (prov, key, hint, raw, gid, name, lat, lon, country, feature, population, admin1,
             created) in rows:
            entry = GazetteerEntry(gazetteer_id=gid, name=name, lat=lat, lon=lon,
                                   country=country, feature=_feature(feature),
                                   population=population, admin1=admin1, source=prov)
            yield CachedAnswer(prov, key, hint, entry, raw, created)


_PIN_SELECT = ("SELECT name_key, name, label, lat, lon, country, feature, gazetteer_id, "
               "created FROM pins")


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error as err:
            log.debug("rollback failed: %s", err)


def _feature(value: Feature | str) -> Feature:
    try:
        return Feature(value)
    except ValueError:
        return Feature.OTHER


def _pin(row: tuple[Any, ...]) -> Pin:
    key, name, label, lat, lon, country, feature, gid, created = row
    return Pin(key=key, name=name, label=label, lat=lat, lon=lon, country=country,
               feature=_feature(feature), gazetteer_id=gid, created=created)

