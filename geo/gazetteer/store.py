"""Read access to the built gazetteer: batched name lookups against SQLite, opened read-only.

Nothing is loaded into Python at open time; every lookup is one indexed query per batch
of keys, so opening takes milliseconds and memory stays that of SQLite's page cache.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from geo.gazetteer.paths import default_gazetteer_path
from geo.gazetteer.schema import PLACE_COLUMNS, SCHEMA_VERSION, TABLES
from geo.models import Feature, GazetteerEntry

# Well under SQLite's smallest default limit of bound parameters (999).
_BATCH = 500
_HOW_TO_BUILD = "run `make setup` or `python -m geo build-gazetteer`"
_PLACE_SELECT = ", ".join(f"p.{c.strip()}" for c in PLACE_COLUMNS.split(","))
# Keys whose candidates (or lack of any) are kept between lookups: an archive's articles
# share most of their names, and building the entries again costs more than the query.
LOOKUP_CACHE_KEYS = 100_000
# How long a read waits for another process's write lock before giving up: long enough for
# a short write, short enough that a held lock ends the run with a message, not a hang.
BUSY_TIMEOUT_S = 5.0


class GazetteerError(RuntimeError):
    """The gazetteer file is missing, unreadable or not a gazetteer."""


@dataclass(frozen=True)
class Candidate:
    """A gazetteer entry a name can refer to, with the stored name it matched and its kind.

    ``kind`` is one of 'name', 'alt', 'alias', 'keyword', 'airfield_stem', 'demonym',
    'code'; a 'code' ("US", "OIHS") should only count where the text has it in capitals.
    """

    entry: GazetteerEntry
    matched: str
    kind: str

    @property
    def curated(self) -> bool:
        """True when the project's alias table says the name means this place."""
        return self.kind == "alias" or self.entry.source == CURATED_SOURCE


# The ``source`` of the places ``data/aliases.csv`` defines.
CURATED_SOURCE = "aliases.csv"


def _entry(row: tuple[object, ...]) -> GazetteerEntry:
    gazetteer_id, name, lat, lon, country, feature, population, admin1, source = row
    return GazetteerEntry(
        gazetteer_id=str(gazetteer_id), name=str(name), lat=float(str(lat)),
        lon=float(str(lon)), country=str(country), feature=Feature(str(feature)),
        population=int(str(population)), admin1=str(admin1), source=str(source),
    )


def _is_locked(exc: sqlite3.Error) -> bool:
    """True when another connection holds a lock: nothing is wrong with the file itself."""
    return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _locked_message(path: Path) -> str:
    # Rebuilding would be the wrong advice here: the file is fine, only busy.
    return (f"gazetteer {path} is locked by another process (still locked after "
            f"{BUSY_TIMEOUT_S:g} s); try again when that process has finished")


def _batches(values: Iterable[str]) -> Iterator[list[str]]:
    unique = sorted({v for v in values if v})
    for start in range(0, len(unique), _BATCH):
        yield unique[start:start + _BATCH]


class Gazetteer:
    """The offline gazetteer; use ``Gazetteer.open(path)``, and ``close()`` or ``with``."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, str], tuple[Candidate, ...]] = OrderedDict()
        self.path = path

    @classmethod
    def open(cls, path: Path | str | None = None) -> Gazetteer:
        """Open a built gazetteer read-only (default: ``default_gazetteer_path()``)."""
        target = Path(path) if path is not None else default_gazetteer_path()
        if not target.is_file():
            raise GazetteerError(f"gazetteer {target} is missing: {_HOW_TO_BUILD}")
        try:
            conn = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True,
                                   check_same_thread=False, timeout=BUSY_TIMEOUT_S)
        except sqlite3.Error as exc:
            raise GazetteerError(f"gazetteer {target} is unreadable ({exc}): {_HOW_TO_BUILD}"
                                 ) from exc
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            missing = sorted(set(TABLES) - tables)
            if missing:
                raise GazetteerError(f"gazetteer {target} is corrupt (no table "
                                     f"{', '.join(missing)}): {_HOW_TO_BUILD}")
            version = conn.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if version is None or version[0] != SCHEMA_VERSION:
                raise GazetteerError(f"gazetteer {target} has another schema version "
                                     f"({version[0] if version else 'none'}): {_HOW_TO_BUILD}")
        except sqlite3.Error as exc:
            conn.close()
            if _is_locked(exc):
                raise GazetteerError(_locked_message(target)) from exc
            raise GazetteerError(f"gazetteer {target} is corrupt or unreadable ({exc}): "
                                 f"{_HOW_TO_BUILD}") from exc
        except GazetteerError:
            conn.close()
            raise
        return cls(conn, target)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Gazetteer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple[object, ...]]:
        try:
            with self._lock:
                return self._conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            if _is_locked(exc):
                raise GazetteerError(_locked_message(self.path)) from exc
            raise GazetteerError(f"gazetteer {self.path}: {exc}: {_HOW_TO_BUILD}") from exc

    def _lookup(self, column: str, values: Iterable[str]) -> dict[str, list[Candidate]]:
        wanted = {v for v in values if v}
        found: dict[str, list[Candidate]] = {}
        with self._lock:
            for value in list(wanted):
                cached = self._cache.get((column, value))
                if cached is not None:
                    self._cache.move_to_end((column, value))
                    wanted.discard(value)
                    if cached:
                        found[value] = list(cached)
        fetched: dict[str, list[Candidate]] = defaultdict(list)
        for batch in _batches(wanted):
            marks = ", ".join("?" * len(batch))
            rows = self._query(
                f"SELECT n.{column}, n.name, n.kind, {_PLACE_SELECT} FROM names n "
                f"JOIN places p ON p.id = n.place_id WHERE n.{column} IN ({marks}) "
                "ORDER BY p.population DESC, p.id", batch)
            for row in rows:
                fetched[str(row[0])].append(Candidate(_entry(row[3:]), str(row[1]),
                                                      str(row[2])))
        with self._lock:
            for value in wanted:
                self._cache[(column, value)] = tuple(fetched.get(value, ()))
            while len(self._cache) > LOOKUP_CACHE_KEYS:
                self._cache.popitem(last=False)
        found.update(fetched)
        return found

    def lookup(self, keys: Iterable[str]) -> dict[str, list[Candidate]]:
        """Candidates of each ``name_key`` that has any, most populous first."""
        return self._lookup("key", keys)

    def lookup_skeleton(self, skels: Iterable[str]) -> dict[str, list[Candidate]]:
        """Candidates of each ``skeleton`` that has any, most populous first."""
        return self._lookup("skel", skels)

    def get(self, gazetteer_id: str) -> GazetteerEntry | None:
        """The entry of an id, or None."""
        rows = self._query(f"SELECT {PLACE_COLUMNS} FROM places WHERE id = ?", (gazetteer_id,))
        return _entry(rows[0]) if rows else None

    def country(self, iso2: str) -> GazetteerEntry | None:
        """The country entry of an ISO alpha-2 code, or None."""
        return self.get(f"country:{iso2.strip().upper()}")

    def names_of(self, gazetteer_id: str) -> list[tuple[str, str]]:
        """Every stored ``(name, kind)`` of an entry."""
        rows = self._query("SELECT name, kind FROM names WHERE place_id = ? ORDER BY key",
                           (gazetteer_id,))
        return [(str(n), str(k)) for n, k in rows]

    def entries_in(self, country: str, features: Iterable[Feature]
                   ) -> list[tuple[str, GazetteerEntry]]:
        """``(name_key, entry)`` for every name of the country's entries of these features."""
        wanted = sorted({Feature(f).value for f in features})
        if not wanted:
            return []
        marks = ", ".join("?" * len(wanted))
        rows = self._query(
            f"SELECT n.key, {_PLACE_SELECT} FROM places p JOIN names n ON n.place_id = p.id "
            f"WHERE p.country = ? AND p.feature IN ({marks}) ORDER BY n.key, p.id",
            (country.strip().upper(), *wanted))
        return [(str(row[0]), _entry(row[1:])) for row in rows]

    def meta(self) -> dict[str, str]:
        """The build's metadata (schema version, build time, package versions, counts)."""
        return {str(k): str(v) for k, v in self._query("SELECT key, value FROM meta")}
