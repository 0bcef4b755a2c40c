"""Where an area origin is drawn from: the point of the area nearest the target.

"Missiles launched from Iran at Ain al-Asad" says the launch came from Iran, not from
Iran's centre: the route is drawn from the stretch of Iran nearest the target and marked
approximate. Countries have outlines (Natural Earth, already used for the base map);
an area without an outline here (a province, a sea) keeps its own point.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import replace

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points, unary_union

from geo.models import Feature, GazetteerEntry

log = logging.getLogger(__name__)


@functools.cache
def _country_outlines() -> dict[str, BaseGeometry]:
    from geo.naturalearth import read_admin0

    parts: dict[str, list[BaseGeometry]] = {}
    for country in read_admin0():
        parts.setdefault(country.iso2, []).append(country.geometry)
    return {code: unary_union(shapes) for code, shapes in parts.items()}


def area_outline(area: GazetteerEntry) -> BaseGeometry | None:
    """The outline of an area origin, (lon, lat), where one is known."""
    try:
        from geo import areas  # type: ignore[attr-defined]  # the areas module, when present
    except ImportError:
        areas = None
    if areas is not None and hasattr(areas, "outline"):
        found: BaseGeometry | None = areas.outline(area)
        if found is not None:
            return found
    if area.feature is Feature.COUNTRY and area.country:
        try:
            return _country_outlines().get(area.country)
        except (OSError, ValueError) as error:
            log.warning("country outlines unavailable: %s", error)
    return None


def nearest_point(area: GazetteerEntry, target: GazetteerEntry) -> GazetteerEntry:
    """The area as an origin at its point nearest the target (its own point without an
    outline); the entry keeps the area's id, so reports of one area and target merge."""
    outline = area_outline(area)
    if outline is None or outline.is_empty:
        return area
    point = Point(target.lon, target.lat)
    if outline.contains(point):
        return area
    near, _ = nearest_points(outline, point)
    return replace(area, lat=round(near.y, 4), lon=round(near.x, 4))
