"""Which countries a route flies over, and a light country outline layer for the map.

Borders come from Natural Earth 10m admin-0 (:func:`geo.naturalearth.read_admin0`), so
everything here works offline. "Territory" means land: territorial waters (12 nm) are not
in Natural Earth admin-0, so a route over the sea between two coasts crosses no country.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import math
import os
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import shapely
from geographiclib.geodesic import Geodesic
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from geo.geodesy import (
    LatLon,
    check_latlon,
    densify,
    split_at_antimeridian,
    to_lonlat,
    wrap_lon,
)
from geo.naturalearth import CountryShape, read_admin0

log = logging.getLogger(__name__)

# Where setup writes the base-map outlines (`python -m geo build-borders`).
DEFAULT_BORDERS_PATH = Path(__file__).resolve().parent.parent / "data" / "build" / "borders.geojson"

# Crossings shorter than this are border slivers (a route grazing a corner), not overflight.
SLIVER_KM = 1.0
# Sparse input is densified along the geodesic first: a straight lon/lat segment is not the
# path flown, and over hundreds of km it can miss or invent a country.
_DENSIFY_KM = 20.0
_GEOD = Geodesic.WGS84


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    """The polygons of a geometry, repaired first (Natural Earth's Egypt is invalid)."""
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    return [
        part
        for part in shapely.get_parts(geometry)
        if isinstance(part, Polygon) and not part.is_empty
    ]


def _length_km(coords: Sequence[tuple[float, float]]) -> float:
    """Geodesic length of a (lon, lat) polyline, in km."""
    total = 0.0
    for (lon_a, lat_a), (lon_b, lat_b) in itertools.pairwise(coords):
        total += _GEOD.Inverse(lat_a, lon_a, lat_b, lon_b, Geodesic.DISTANCE)["s12"]
    return total / 1000.0


def _collapse(codes: Iterable[str | None]) -> tuple[str, ...]:
    """Drop empties and consecutive repeats, keeping order."""
    out: list[str] = []
    for code in codes:
        if code and (not out or out[-1] != code):
            out.append(code)
    return tuple(out)


class Borders:
    """Country polygons in an STRtree, for point-in-country and route-over-country queries."""

    def __init__(self, countries: Iterable[CountryShape]) -> None:
        started = time.perf_counter()
        polygons: list[Polygon] = []
        codes: list[str] = []
        self.names: dict[str, str] = {}
        for country in countries:
            # Units sharing an ISO code (France and Clipperton) stay separate parts of it.
            self.names.setdefault(country.iso2, country.name)
            for polygon in _polygons(country.geometry):
                polygons.append(polygon)
                codes.append(country.iso2)
        # One tree entry per polygon, not per country: a MultiPolygon's box (France with
        # its overseas parts) would cover half the world and defeat the index.
        shapely.prepare(polygons)
        self._polygons = polygons
        self._codes = codes
        self._tree = STRtree(polygons)
        self.build_seconds = time.perf_counter() - started
        log.debug("built borders of %d polygons in %.2fs", len(polygons), self.build_seconds)

    def __len__(self) -> int:
        return len(self.names)

    def outlines(self) -> dict[str, BaseGeometry]:
        """Each country's land as one (lon, lat) MultiPolygon of its repaired polygons."""
        parts: dict[str, list[Polygon]] = {}
        for polygon, code in zip(self._polygons, self._codes, strict=True):
            parts.setdefault(code, []).append(polygon)
        return {code: MultiPolygon(polygons) for code, polygons in parts.items()}

    def land(self) -> tuple[Polygon, ...]:
        return tuple(self._polygons)

    def country_at(self, lat: float, lon: float) -> str | None:
        """The ISO alpha-2 code of the country at a point, or None over sea or no-man's land."""
        lat, lon = check_latlon("point", (lat, lon), wrapped=False)
        ((x, y),) = to_lonlat([(lat, wrap_lon(lon))])
        hits = self._tree.query(Point(x, y), predicate="intersects")
        if len(hits) == 0:
            return None
        # On a shared border both sides match; the lowest index keeps the answer stable.
        return self._codes[int(min(hits))]

    def countries_along(
        self, points: Sequence[LatLon], *, sliver_km: float = SLIVER_KM
    ) -> tuple[str, ...]:
        """ISO alpha-2 codes of the countries the route passes over, in the order crossed.

        ``points`` are ``(lat, lon)``, longitudes wrapped or unwrapped. Crossings shorter
        than ``sliver_km`` are ignored, except that the countries of the two ends always
        count (a base is in its country however short the flight).
        """
        line = densify(points, step_km=_DENSIFY_KM)
        if not line:
            return ()
        first, last = line[0], line[-1]
        crossed: list[tuple[int, float, str]] = []
        for part_index, part in enumerate(split_at_antimeridian(line)):
            if len(part) < 2:
                continue
            path = LineString(to_lonlat(part))
            if path.length == 0.0:
                continue
            for hit in self._tree.query(path, predicate="intersects"):
                index = int(hit)
                pieces = shapely.get_parts(path.intersection(self._polygons[index]))
                for piece in pieces:
                    if not isinstance(piece, LineString) or piece.is_empty:
                        continue
                    coords = list(piece.coords)
                    if _length_km(coords) < sliver_km:
                        continue
                    # Pieces may come back reversed; the nearer end orders them.
                    where = min(path.project(Point(coords[0])), path.project(Point(coords[-1])))
                    crossed.append((part_index, where, self._codes[index]))
        crossed.sort(key=lambda item: (item[0], item[1]))
        codes = [self.country_at(*first), *(code for _, _, code in crossed)]
        codes.append(self.country_at(*last))
        return _collapse(codes)


@functools.cache
def load_borders() -> Borders:
    """The borders of every Natural Earth country, read once per process."""
    started = time.perf_counter()
    borders = Borders(read_admin0())
    log.info(
        "loaded borders of %d countries in %.2fs (index build %.2fs)",
        len(borders),
        time.perf_counter() - started,
        borders.build_seconds,
    )
    return borders


def countries_along(points: Sequence[LatLon]) -> tuple[str, ...]:
    """ISO alpha-2 codes of the countries a route passes over, in order (see Borders)."""
    return load_borders().countries_along(points)


def country_at(lat: float, lon: float) -> str | None:
    """ISO alpha-2 code of the country at a point, or None."""
    return load_borders().country_at(lat, lon)


def _ring(coords: Iterable[tuple[float, ...]], decimals: int) -> list[list[float]] | None:
    """A rounded GeoJSON ring, or None when rounding collapsed it."""
    ring: list[list[float]] = []
    for x, y, *_ in coords:
        point = [round(x, decimals), round(y, decimals)]
        if not ring or ring[-1] != point:
            ring.append(point)
    # A linear ring needs four positions, the first repeated last (RFC 7946 §3.1.6).
    if len(ring) < 4 or ring[0] != ring[-1]:
        return None
    return ring


def _geojson_polygons(geometry: BaseGeometry, decimals: int) -> list[list[list[list[float]]]]:
    polygons: list[list[list[list[float]]]] = []
    for polygon in _polygons(geometry):
        # RFC 7946 §3.1.6: exteriors counter-clockwise, holes clockwise.
        polygon = shapely.orient_polygons(polygon)
        exterior = _ring(polygon.exterior.coords, decimals)
        if exterior is None:
            continue
        holes = [_ring(hole.coords, decimals) for hole in polygon.interiors]
        polygons.append([exterior, *(hole for hole in holes if hole is not None)])
    return polygons


def borders_geojson(tolerance_deg: float = 0.05) -> dict[str, Any]:
    """Simplified country outlines as a GeoJSON FeatureCollection (lon/lat, properties
    ``iso2`` and ``name``), light enough to ship as the offline base map."""
    if not math.isfinite(tolerance_deg) or tolerance_deg < 0:
        raise ValueError(f"tolerance_deg must be a finite number >= 0, got {tolerance_deg!r}")
    # Keep about a tenth of the tolerance in the coordinates: finer digits are noise.
    decimals = (
        6 if tolerance_deg == 0 else max(1, min(6, math.ceil(-math.log10(tolerance_deg / 10))))
    )
    units: dict[str, list[CountryShape]] = {}
    for country in read_admin0():
        units.setdefault(country.iso2, []).append(country)
    features: list[dict[str, Any]] = []
    for iso2 in sorted(units):
        parts = units[iso2]
        # The most populous unit names the country ("France", not "Clipperton Island").
        main = max(parts, key=lambda c: (c.population, c.geometry.area))
        merged = MultiPolygon([p for c in parts for p in _polygons(c.geometry)])
        # Keeping topology keeps small island states as (coarse) shapes instead of nothing.
        simple = shapely.simplify(merged, tolerance_deg, preserve_topology=True)
        # Snap to the grid the JSON is rounded to, in GEOS, so that the rounding cannot
        # fold a small ring over itself (GEOS keeps the result valid; plain round() doesn't).
        simple = shapely.set_precision(simple, 10.0**-decimals)
        polygons = _geojson_polygons(simple, decimals)
        if not polygons:
            log.warning("outline of %s vanished at tolerance %s", iso2, tolerance_deg)
            continue
        geometry: dict[str, Any]
        if len(polygons) == 1:
            geometry = {"type": "Polygon", "coordinates": polygons[0]}
        else:
            geometry = {"type": "MultiPolygon", "coordinates": polygons}
        features.append(
            {
                "type": "Feature",
                "properties": {"iso2": iso2, "name": main.name},
                "geometry": geometry,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_borders_geojson(path: str | os.PathLike[str], tolerance_deg: float = 0.05) -> int:
    """Write :func:`borders_geojson` compactly to ``path``; return the size in bytes."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(borders_geojson(tolerance_deg), separators=(",", ":"), ensure_ascii=False)
    data = text.encode("utf-8")
    # Write then rename, so a reader (the HTML export) never sees half a file.
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".tmp") as handle:
        handle.write(data)
        temporary = Path(handle.name)
    temporary.replace(target)
    log.info("wrote %s (%d bytes, %d countries)", target, len(data), text.count('"iso2"'))
    return len(data)
