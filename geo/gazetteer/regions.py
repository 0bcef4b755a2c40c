"""Named regions and physical features: ``data/regions.csv``.

The news names areas no registry package places: "the Middle East", "the Gulf", "the
Golan Heights", "the Euphrates", "the Midwest". Each row names one, with other names,
adjectives ("Middle Eastern", kind 'demonym'), its member countries or US states
(``US-IL``), and its source. A row with a point keeps it (a sea, a strait, a river's
middle course); a row without one is placed from its members: the centroid of their
Natural Earth outlines for countries, the mean of their points for US states.

A region's population is its members' (for a sea, its shore countries'): it ranks the
region above same-named hamlets ("Middle East", a Baltimore neighbourhood) the way a
city's population does. A region of one country carries that country's code.

The id is ``region:<name key>`` (``region:middle-east``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

from shapely import unary_union
from shapely.geometry.base import BaseGeometry

from geo.gazetteer.curated import read_rows
from geo.gazetteer.records import CuratedDataError, PlaceRecord, named
from geo.models import Feature, GazetteerEntry
from geo.normalize import name_key

log = logging.getLogger(__name__)

COLUMNS = ("name", "other_names", "adjectives", "lat", "lon", "members", "source")
SOURCE = "regions.csv"


def read_regions(path: Path, countries: Sequence[PlaceRecord],
                 outlines: Mapping[str, BaseGeometry],
                 admins: Sequence[PlaceRecord]) -> list[PlaceRecord]:
    """The regions of ``path``; ``countries``, ``outlines`` and ``admins`` place members."""
    country_by_code = {c.entry.country: c.entry for c in countries}
    state_by_code = {f"{a.entry.country}-{a.entry.admin1}": a.entry for a in admins
                     if a.entry.country == "US" and a.entry.admin1}
    records = []
    for number, row in read_rows(path, COLUMNS):
        line = f"{path}:{number}"
        members = [m for m in row["members"].split("|") if m]
        unknown = [m for m in members
                   if m not in country_by_code and m not in state_by_code]
        if unknown:
            raise CuratedDataError(f"{line}: unknown members {unknown}")
        if row["lat"] and row["lon"]:
            lat, lon = float(row["lat"]), float(row["lon"])
        elif members:
            lat, lon = _members_point(members, outlines, state_by_code, line)
        else:
            raise CuratedDataError(f"{line}: a region needs a point or members")
        population = sum(
            (country_by_code.get(m) or state_by_code[m]).population for m in members)
        countries_of = {m.split("-")[0] for m in members}
        entry = GazetteerEntry(
            gazetteer_id=f"region:{name_key(row['name']).replace(' ', '-')}",
            name=row["name"],
            lat=round(lat, 4),
            lon=round(lon, 4),
            country=countries_of.pop() if len(countries_of) == 1 else "",
            feature=Feature.REGION,
            population=population,
            source=SOURCE,
        )
        others = [(n, "alt") for n in row["other_names"].split("|") if n]
        others += [(n, "demonym") for n in row["adjectives"].split("|") if n]
        records.append(PlaceRecord(entry, named(row["name"], others)))
    log.info("regions and physical features: %d", len(records))
    return records


def _members_point(members: Sequence[str], outlines: Mapping[str, BaseGeometry],
                   states: Mapping[str, GazetteerEntry], line: str) -> tuple[float, float]:
    if all(m in states for m in members):
        return (sum(states[m].lat for m in members) / len(members),
                sum(states[m].lon for m in members) / len(members))
    shapes = [outlines[m] for m in members if m in outlines]
    if len(shapes) != len(members):
        raise CuratedDataError(f"{line}: members without a Natural Earth outline")
    # Planar centroid in degrees: fine for regions that do not straddle the antimeridian.
    centre = unary_union(shapes).centroid
    return centre.y, centre.x
