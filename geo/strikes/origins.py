"""Where an area origin is drawn from: the point of the area nearest the target.

"Missiles launched from Iran at Ain al-Asad" says the launch came from Iran, not from
Iran's centre: the route is drawn from the stretch of Iran nearest the target and marked
approximate. The outlines are :mod:`geo.areas`' (countries from Natural Earth, seas and
gulfs from ``data/seas.csv``); an area without one (a province) keeps its own point.
"""

from __future__ import annotations

from dataclasses import replace

from geo import areas
from geo.models import GazetteerEntry


def nearest_point(area: GazetteerEntry, target: GazetteerEntry) -> GazetteerEntry:
    """The area as an origin at its point nearest the target (its own point without an
    outline, or when the target lies inside it); the entry keeps the area's id, so the
    reports of one area and target merge into one path."""
    lat, lon = areas.nearest_point(area, target.lat, target.lon)
    if (lat, lon) == (round(target.lat, 4), round(target.lon, 4)) or (lat, lon) == (
            target.lat, target.lon):
        return area
    return replace(area, lat=lat, lon=lon)
