"""Geodesic routes on the WGS84 ellipsoid, and their GeoJSON form.

Our API speaks ``(lat, lon)``; GeoJSON and shapely speak ``(lon, lat)``. The swap happens
only in :func:`to_lonlat`, which every writer of GeoJSON or shapely geometry goes through.

Routes keep *unwrapped* longitudes (179 is followed by 181, not -179) so a Leaflet polyline
is continuous across the antimeridian. GeoJSON wants longitudes in [-180, 180] and lines
cut at the antimeridian (RFC 7946 §3.1.9): :func:`split_at_antimeridian` does that.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from geographiclib.geodesic import Geodesic

log = logging.getLogger(__name__)

LatLon = tuple[float, float]

_GEOD = Geodesic.WGS84
_LINE_CAPS = Geodesic.STANDARD | Geodesic.DISTANCE_IN
# LONG_UNROLL makes Position() report longitudes continuous from lon1 (no wrap at ±180).
_POSITION_MASK = Geodesic.LATITUDE | Geodesic.LONGITUDE | Geodesic.LONG_UNROLL
# A guard against a tiny step turning a long route into millions of points.
MAX_POINTS = 200_000


@dataclass(frozen=True)
class Route:
    """Points densified along the geodesic from origin to target, with its length and bearing.

    ``points`` are ``(lat, lon)`` with unwrapped longitudes; the first is the origin and
    the last the target (its longitude possibly shifted by a multiple of 360).
    """

    points: tuple[LatLon, ...]
    distance_km: float
    initial_bearing: float  # degrees clockwise from true north, in [0, 360)


def check_latlon(name: str, point: object, *, wrapped: bool = True) -> LatLon:
    """Return ``point`` as a float pair or raise ValueError naming the offending value."""
    if not isinstance(point, Sequence) or isinstance(point, str):
        raise TypeError(f"{name} must be a (lat, lon) pair, got {point!r}")
    if len(point) != 2:
        raise ValueError(f"{name} must be a (lat, lon) pair, got {point!r}")
    lat, lon = point
    for label, value in (("latitude", lat), ("longitude", lon)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{name} {label} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{name} {label} must be finite, got {value!r}")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"{name} latitude must be within [-90, 90], got {lat!r}")
    if wrapped and not -180.0 <= lon <= 180.0:
        raise ValueError(f"{name} longitude must be within [-180, 180], got {lon!r}")
    return float(lat), float(lon)


def normalize_bearing(degrees: float) -> float:
    """Map an azimuth in degrees to [0, 360)."""
    bearing = degrees % 360.0
    # A tiny negative azimuth (-1e-15) would otherwise come back as exactly 360.0.
    return 0.0 if bearing >= 360.0 else bearing + 0.0  # + 0.0 turns -0.0 into 0.0


def wrap_lon(lon: float) -> float:
    """Map a longitude to [-180, 180], keeping 180 as 180 (not -180)."""
    if -180.0 <= lon <= 180.0:
        return lon
    wrapped = (lon + 180.0) % 360.0 - 180.0
    return 180.0 if wrapped == -180.0 and lon > 0 else wrapped


def _densify(origin: LatLon, target: LatLon, step_km: float) -> tuple[list[LatLon], float, float]:
    """Points every <= step_km along the geodesic, the length in metres and the azimuth.

    ``origin`` may carry an unwrapped longitude; the result continues from it.
    """
    lat1, lon1 = origin
    lat2, lon2 = target
    line = _GEOD.InverseLine(lat1, lon1, lat2, lon2, _LINE_CAPS)
    length_m: float = line.s13
    if length_m == 0.0:
        # Same place: keep the target's longitude within half a turn of the origin's.
        return [(lat1, lon1), (lat2, lon2 + 360.0 * round((lon1 - lon2) / 360.0))], 0.0, line.azi1
    segments = max(1, math.ceil(length_m / (step_km * 1000.0)))
    if segments + 1 > MAX_POINTS:
        raise ValueError(
            f"step_km={step_km!r} would give {segments + 1} points for a "
            f"{length_m / 1000.0:.1f} km route (limit {MAX_POINTS})"
        )
    points: list[LatLon] = [(lat1, lon1)]
    for i in range(1, segments):
        position = line.Position(length_m * i / segments, _POSITION_MASK)
        points.append((position["lat2"], position["lon2"]))
    if abs(lat2) == 90.0:
        # At a pole the longitude is arbitrary: arrive along the meridian travelled.
        end_lon = points[-1][1]
    else:
        end_lon = line.Position(length_m, _POSITION_MASK)["lon2"]
        # Remove float drift: the end is the target itself, up to whole turns.
        end_lon = lon2 + 360.0 * round((end_lon - lon2) / 360.0)
    points.append((lat2, end_lon))
    # From a pole, geographiclib's unrolled longitudes may start whole turns away from the
    # origin's: bring every step within half a turn (the end stays on the target's meridian).
    points = unwrap_lons(points)
    return (
        _through_poles(points, meridional=abs(math.sin(math.radians(line.azi1))) < 1e-12),
        length_m,
        line.azi1,
    )


def _through_poles(points: list[LatLon], *, meridional: bool) -> list[LatLon]:
    """Add pole corners where a meridional route passes a pole, so it draws right in lon/lat.

    Over a pole a meridional geodesic's longitude jumps by 180 degrees; drawn straight in
    lon/lat that jump would cut across the map at the last latitude reached, so the line is
    routed up to the pole, along the map's top (or bottom) edge and down again.
    """
    out: list[LatLon] = [points[0]]
    for (lat_a, lon_a), (lat_b, lon_b) in itertools.pairwise(points):
        if lon_a != lon_b:
            if abs(lat_a) == 90.0:
                out.append((lat_a, lon_b))
            elif abs(lat_b) == 90.0:
                out.append((lat_b, lon_a))
            elif meridional and abs(abs(lon_b - lon_a) - 180.0) < 1e-6:
                pole = math.copysign(90.0, lat_a + lat_b)
                out.extend([(pole, lon_a), (pole, lon_b)])
        out.append((lat_b, lon_b))
    return out


def geodesic_route(
    origin: tuple[float, float], target: tuple[float, float], *, step_km: float = 20.0
) -> Route:
    """The WGS84 geodesic from origin to target, densified every ``step_km`` or less."""
    start = check_latlon("origin", origin)
    end = check_latlon("target", target)
    if isinstance(step_km, bool) or not isinstance(step_km, int | float):
        raise TypeError(f"step_km must be a number, got {step_km!r}")
    if not math.isfinite(step_km) or step_km <= 0:
        raise ValueError(f"step_km must be a positive finite number, got {step_km!r}")
    points, length_m, azimuth = _densify(start, end, float(step_km))
    return Route(
        points=tuple(points),
        distance_km=length_m / 1000.0,
        initial_bearing=normalize_bearing(azimuth),
    )


def unwrap_lons(points: Iterable[LatLon]) -> list[LatLon]:
    """Shift longitudes by whole turns so that no step between neighbours exceeds 180 deg."""
    out: list[LatLon] = []
    for lat, lon in points:
        if out:
            previous = out[-1][1]
            lon = lon + 360.0 * round((previous - lon) / 360.0)
        out.append((lat, lon))
    return out


def densify(points: Iterable[LatLon], *, step_km: float = 20.0) -> list[LatLon]:
    """Follow the geodesic between consecutive points, adding points every <= step_km.

    Longitudes come back unwrapped (continuous); latitudes must be valid, longitudes any
    finite value. Segments already shorter than ``step_km`` are kept as they are.
    """
    line = unwrap_lons(check_latlon(f"point {i}", p, wrapped=False) for i, p in enumerate(points))
    if len(line) < 2:
        return line
    out: list[LatLon] = [line[0]]
    for a, b in itertools.pairwise(line):
        if _GEOD.Inverse(*a, *b, Geodesic.DISTANCE)["s12"] <= step_km * 1000.0:
            out.append(b)
            continue
        # Start from out[-1], not a, so the unwrapped longitudes stay continuous.
        segment, _, _ = _densify(out[-1], b, step_km)
        out.extend(segment[1:])
    return out


def _turn_of(lon: float) -> int:
    """How many whole turns to take off ``lon`` to bring it into [-180, 180]."""
    if -180.0 <= lon <= 180.0:
        return 0
    return math.floor((lon + 180.0) / 360.0)


def split_at_antimeridian(points: Iterable[LatLon]) -> list[list[LatLon]]:
    """Cut a (possibly unwrapped) line where it crosses ±180 and wrap each part into range.

    Each part is a list of ``(lat, lon)`` with lon in [-180, 180]; consecutive parts meet
    at the antimeridian (one ends on 180, the next starts on -180, or the reverse). The
    crossing latitude is interpolated linearly, which is exact enough for densified routes.
    """
    line = unwrap_lons(points)
    if not line:
        return []
    if len(line) == 1:
        lat, lon = line[0]
        return [[(lat, wrap_lon(lon))]]
    # Insert a point wherever a segment strictly crosses a meridian 180 + 360k, so every
    # segment then lies within one 360-degree cell.
    cut: list[LatLon] = [line[0]]
    for (lat_a, lon_a), (lat_b, lon_b) in itertools.pairwise(line):
        if lon_a != lon_b:
            low, high = sorted((lon_a, lon_b))
            k_first = math.floor((low - 180.0) / 360.0) + 1
            meridians = [180.0 + 360.0 * k for k in range(k_first, k_first + 3)]
            crossings = [m for m in meridians if low < m < high]
            if lon_b < lon_a:
                crossings.reverse()
            for meridian in crossings:
                t = (meridian - lon_a) / (lon_b - lon_a)
                cut.append((lat_a + t * (lat_b - lat_a), meridian))
        cut.append((lat_b, lon_b))
    # The cell of each segment, from its midpoint; a segment lying on a cell edge (a route
    # along the antimeridian itself) takes the cell of its neighbour.
    cells: list[int | None] = []
    for (_, lon_a), (_, lon_b) in itertools.pairwise(cut):
        middle = (lon_a + lon_b) / 2.0
        on_edge = lon_a == lon_b and (middle - 180.0) % 360.0 == 0.0
        cells.append(None if on_edge else math.floor((middle + 180.0) / 360.0))
    known = [c for c in cells if c is not None]
    fallback = known[0] if known else _turn_of(cut[0][1])
    resolved: list[int] = []
    for cell in cells:
        resolved.append(cell if cell is not None else (resolved[-1] if resolved else fallback))
    parts: list[list[LatLon]] = []
    current_cell: int | None = None
    for index, cell in enumerate(resolved):
        shift = 360.0 * cell
        if cell != current_cell:
            lat, lon = cut[index]
            parts.append([(lat, lon - shift)])
            current_cell = cell
        lat, lon = cut[index + 1]
        parts[-1].append((lat, lon - shift))
    # Clamp away float residue (180.00000000000003) so every part is strictly in range.
    return [[(lat, min(180.0, max(-180.0, lon))) for lat, lon in part] for part in parts]


def to_lonlat(points: Iterable[LatLon]) -> list[tuple[float, float]]:
    """The one place where ``(lat, lon)`` becomes ``(lon, lat)`` for GeoJSON and shapely."""
    return [(lon, lat) for lat, lon in points]


def to_geojson_geometry(points: Iterable[LatLon]) -> dict[str, Any]:
    """A GeoJSON LineString, or a MultiLineString when the line crosses the antimeridian."""
    parts = split_at_antimeridian(points)
    if not parts:
        raise ValueError("a GeoJSON line needs at least one point, got none")
    # A LineString needs two positions; a lone point becomes a zero-length line.
    parts = [part if len(part) > 1 else part * 2 for part in parts]
    coordinates = [[list(xy) for xy in to_lonlat(part)] for part in parts]
    if len(coordinates) == 1:
        return {"type": "LineString", "coordinates": coordinates[0]}
    return {"type": "MultiLineString", "coordinates": coordinates}
