"""Strategic sites: ``data/sites.csv``.

Strike reports name sites no registry package places: nuclear sites ("Fordow"), refineries
and oil terminals ("Ras Tanura refinery"), plants, depots, ports, dams and bridges. Each
row is one site: ``name``, ``aliases`` (``|``-separated press names), ``lat``, ``lon``,
``country`` (ISO alpha-2), ``kind`` (one of ``SITE_KINDS``) and its ``source``.

Sites are places of feature ``facility``. Aliases are stored as alternate names, so a
town of the same name ("Hodeidah", the city) still wins a bare mention on its population,
while a facility cue ("the port of Hodeidah", "Natanz nuclear site") asks for the site.

The id is ``site:<name key>`` (``site:fordow-fuel-enrichment-plant``).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from geo.gazetteer.curated import read_rows
from geo.gazetteer.records import CuratedDataError, PlaceRecord, named
from geo.models import Feature, GazetteerEntry
from geo.normalize import name_key

log = logging.getLogger(__name__)

COLUMNS = ("name", "aliases", "lat", "lon", "country", "kind", "source")
SITE_KINDS = frozenset({"nuclear", "oil", "industrial", "military", "port", "dam", "bridge",
                        "depot", "power"})
SOURCE = "sites.csv"


def site_id(name: str) -> str:
    """The gazetteer id of a site of this name."""
    return f"site:{name_key(name).replace(' ', '-')}"


def read_sites(path: Path) -> list[PlaceRecord]:
    """The sites of ``path``; a malformed row stops the build, naming the file and line."""
    records: list[PlaceRecord] = []
    seen: set[str] = set()
    for number, row in read_rows(path, COLUMNS):
        line = f"{path}:{number}"
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except ValueError as exc:
            raise CuratedDataError(f"{line}: lat/lon must be numbers ({exc})") from exc
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise CuratedDataError(f"{line}: coordinates out of range ({lat}, {lon})")
        country = row["country"].upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise CuratedDataError(f"{line}: country {row['country']!r} is not ISO alpha-2")
        if row["kind"] not in SITE_KINDS:
            raise CuratedDataError(f"{line}: kind {row['kind']!r} is not one of "
                                   f"{sorted(SITE_KINDS)}")
        gazetteer_id = site_id(row["name"])
        if gazetteer_id in seen:
            raise CuratedDataError(f"{line}: site {row['name']!r} defined twice")
        seen.add(gazetteer_id)
        entry = GazetteerEntry(gazetteer_id=gazetteer_id, name=row["name"], lat=lat, lon=lon,
                               country=country, feature=Feature.FACILITY, source=SOURCE)
        aliases = [(a, "alt") for a in row["aliases"].split("|") if a.strip()]
        records.append(PlaceRecord(entry, named(row["name"], aliases)))
    log.info("strategic sites: %d", len(records))
    return records
