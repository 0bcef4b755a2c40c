"""US counties (second-level divisions) with a representative point, from ZIP code data.

Local news names counties ("Metcalfe County", "Plymouth Co.") and GeoNames' populated
places do not include them. The ``zipcodes`` package ships every US ZIP code with its county
and a coordinate (MIT; coordinates CC BY 4.0); a county's point is the mean of its ZIP
codes' points, which lies within the county for all but oddly shaped ones. A county's
population, which ranks it among its namesakes ("Orange County" of California before
Florida's), is the sum of the GeoNames places whose nearest ZIP code is in the county.

The id is ``county:US.<state>.<name key>``; ``admin1`` is the state's postal code, which is
the GeoNames admin1 code of US places.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import zipcodes

from geo.gazetteer.records import PlaceRecord, named
from geo.models import Feature, GazetteerEntry
from geo.normalize import name_key

log = logging.getLogger(__name__)

SOURCE = "zipcodes"
_COUNTY_SUFFIX = " County"


def read_counties(cities: Sequence[PlaceRecord]) -> list[PlaceRecord]:
    """One record per county with ZIP codes, named "X County" and "X Co."."""
    points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    spelled: dict[str, str] = {}  # one spelling per key: "DeKalb County" and "De Kalb County"
    for row in zipcodes.list_all():
        county, state = str(row.get("county") or ""), str(row.get("state") or "")
        if not (county.endswith(_COUNTY_SUFFIX) and state and row.get("lat")):
            continue  # parishes, boroughs and independent cities are left out
        county = spelled.setdefault(f"{state} {name_key(county)}", county)
        points[(state, county)].append((float(row["lat"]), float(row["long"])))
    populations = _populations(points, cities)
    records = []
    for (state, county), at in sorted(points.items()):
        lat = sum(p[0] for p in at) / len(at)
        lon = sum(p[1] for p in at) / len(at)
        short = county.removesuffix(_COUNTY_SUFFIX) + " Co."
        entry = GazetteerEntry(
            gazetteer_id=f"county:US.{state}.{name_key(county).replace(' ', '-')}",
            name=county,
            lat=round(lat, 5),
            lon=round(lon, 5),
            country="US",
            feature=Feature.ADMIN,
            population=populations.get((state, county), 0),
            admin1=state,
            source=SOURCE,
        )
        records.append(PlaceRecord(entry, named(county, [(short, "alt")])))
    log.info("US counties: %d", len(records))
    return records


def _populations(points: dict[tuple[str, str], list[tuple[float, float]]],
                 cities: Sequence[PlaceRecord]) -> dict[tuple[str, str], int]:
    """Each county's share of the GeoNames places of its state, by nearest ZIP code."""
    by_state: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    for (state, county), at in points.items():
        by_state[state].extend((county, lat, lon) for lat, lon in at)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    towns = [c.entry for c in cities if c.entry.country == "US"]
    for state, zips in by_state.items():
        here = [t for t in towns if t.admin1 == state]
        if not here:
            continue
        zip_lat = np.radians([z[1] for z in zips])
        zip_lon = np.radians([z[2] for z in zips])
        for town in here:
            lat, lon = np.radians(town.lat), np.radians(town.lon)
            # Squared equirectangular distance: ample to find the nearest ZIP point.
            nearest = int(np.argmin((zip_lat - lat) ** 2
                                    + ((zip_lon - lon) * np.cos(lat)) ** 2))
            totals[(state, zips[nearest][0])] += town.population
    return dict(totals)
