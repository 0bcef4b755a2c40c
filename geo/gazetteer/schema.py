"""The SQLite layout of the gazetteer, shared by the builder and the reader.

``places``  one row per place: ``id`` (``geonames:<id>``, ``country:<ISO2>``,
            ``admin:<ISO2>.<code>``, ``icao:<code>``, ``ourairports:<ident>``,
            ``alias:<slug>``), ``name``, ``lat``, ``lon``, ``country`` (ISO alpha-2 or ''),
            ``feature`` (a ``geo.models.Feature`` value), ``population`` (0 where unknown),
            ``admin1`` (GeoNames admin1 code or ''), ``source`` (the source's short name).
``names``   one row per (``key``, ``place_id``): ``key`` = ``name_key(name)``, ``skel`` =
            ``skeleton(name)``, ``name`` as written by the source, and ``kind`` (see
            ``records.NAME_KINDS``). The primary key (key, place_id) is the key index and
            the dedupe rule; ``names_skel`` and ``names_place`` index the rest.
``meta``    ``key``/``value`` text pairs: schema version, build time, source package
            versions, data-file hashes, counts.
"""

from __future__ import annotations

SCHEMA_VERSION = "1"

TABLES = ("places", "names", "meta")

CREATE_TABLES = """
CREATE TABLE places (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    country TEXT NOT NULL,
    feature TEXT NOT NULL,
    population INTEGER NOT NULL,
    admin1 TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE TABLE names (
    key TEXT NOT NULL,
    skel TEXT NOT NULL,
    place_id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (key, place_id)
) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# Built after the rows are in, which is faster than keeping them up to date row by row.
CREATE_INDEXES = """
CREATE INDEX names_skel ON names(skel);
CREATE INDEX names_place ON names(place_id);
CREATE INDEX places_country_feature ON places(country, feature);
"""

PLACE_COLUMNS = "id, name, lat, lon, country, feature, population, admin1, source"
