"""First-level divisions (provinces, governorates, states) with a representative point.

Points and names come from the countries-states-cities database as
``countrystatecity-countries`` ships it (its point is the division's geocoded centre);
pycountry's ISO 3166-2 name of the same code is added as another name ("Ḩalab" for Aleppo).

The id is ``admin:<ISO2>.<ISO 3166-2 suffix>`` (``admin:SY.HL``). ``admin1`` holds the
GeoNames admin1 code of the division so that it compares with the ``admin1`` of GeoNames
places. GeoNames' own admin1 table is not packaged, so the code is inferred: from the most
populous GeoNames place of the same country whose name is the division's name and which lies
within ``_NAME_MATCH_KM`` (divisions named after their seat: Aleppo, Idlib, Hamadan), else by
a population-weighted vote of the GeoNames places within ``_VOTE_KM`` of the point. A
division's population is the sum of its GeoNames places' (cities500: a lower bound).

The database geocoded some divisions by their name and got their namesake city: New York
state sits on Manhattan, São Paulo state on the city, 200-300 km from the division's middle
where GeoNames and Wikipedia put it. A point within ``_AT_TOWN_KM`` of a town of the
division of at least ``_AT_TOWN_POPULATION`` is taken for such a geocode and replaced by the
middle of the span of the division's GeoNames places, where the division has its admin1
code to itself (England's counties share one code, and so one span).
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pycountry

from geo.gazetteer import csc
from geo.gazetteer.records import PlaceRecord, named
from geo.models import Feature, GazetteerEntry
from geo.normalize import name_key

log = logging.getLogger(__name__)

SOURCE = "countrystatecity"
_NAME_MATCH_KM = 250.0
_VOTE_KM = 60.0
_WIDE_VOTE_KM = 250.0
_EARTH_KM = 6371.0088
_AT_TOWN_KM = 5.0
_AT_TOWN_POPULATION = 50_000
# The span is taken between these quantiles of the places' latitudes and longitudes, so
# that a far islet (Chile's Juan Fernández) does not stretch it; and only over this many
# places at least.
_SPAN_QUANTILE = 0.05
_SPAN_MIN_PLACES = 10


@dataclass(frozen=True)
class _Town:
    lat: float
    lon: float
    population: int
    admin1: str


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


class _Admin1Guesser:
    """Infers a division's GeoNames admin1 code from GeoNames places (see module docstring)."""

    def __init__(self, cities: Sequence[PlaceRecord]) -> None:
        self._by_name: dict[tuple[str, str], _Town] = {}
        self._grid: dict[tuple[str, int, int], list[_Town]] = defaultdict(list)
        self._population: dict[tuple[str, str], int] = defaultdict(int)
        self._points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
        for record in cities:
            e = record.entry
            if not e.admin1:
                continue
            self._population[(e.country, e.admin1)] += e.population
            self._points[(e.country, e.admin1)].append((e.lat, e.lon))
            town = _Town(e.lat, e.lon, e.population, e.admin1)
            self._grid[(e.country, math.floor(e.lat), math.floor(e.lon))].append(town)
            key = (e.country, name_key(e.name))
            best = self._by_name.get(key)
            if best is None or town.population > best.population:
                self._by_name[key] = town

    def population(self, country: str, admin1: str) -> int:
        """The summed population of the GeoNames places of a division (a lower bound)."""
        return self._population.get((country, admin1), 0) if admin1 else 0

    def at_town(self, country: str, admin1: str, at: tuple[float, float]) -> bool:
        """True when a big town of the division lies at the point (a city's geocode)."""
        cell = self._grid.get((country, math.floor(at[0]), math.floor(at[1])), ())
        return any(t.admin1 == admin1 and t.population >= _AT_TOWN_POPULATION
                   and _km(at, (t.lat, t.lon)) <= _AT_TOWN_KM for t in cell)

    def span_middle(self, country: str, admin1: str, at: tuple[float, float]
                    ) -> tuple[float, float] | None:
        """The middle of the span of a division's places; longitudes are read around ``at``
        so that a division across the antimeridian (Alaska's Aleutians) stays whole."""
        points = self._points.get((country, admin1), [])
        if len(points) < _SPAN_MIN_PLACES:
            return None
        lats = sorted(lat for lat, _ in points)
        lons = sorted((lon - at[1] + 180.0) % 360.0 - 180.0 for _, lon in points)
        low = int(_SPAN_QUANTILE * (len(points) - 1))
        high = len(points) - 1 - low
        lon = at[1] + (lons[low] + lons[high]) / 2
        return (lats[low] + lats[high]) / 2, (lon + 180.0) % 360.0 - 180.0

    def guess(self, country: str, names: Sequence[str], at: tuple[float, float]) -> str:
        for name in names:
            town = self._by_name.get((country, name_key(name)))
            if town is not None and _km(at, (town.lat, town.lon)) <= _NAME_MATCH_KM:
                return town.admin1
        # Sparse divisions (inland Queensland) may have no place near their centre: widen.
        for radius_km, cells in ((_VOTE_KM, 1), (_WIDE_VOTE_KM, 3)):
            votes: dict[str, float] = defaultdict(float)
            cell_lat, cell_lon = math.floor(at[0]), math.floor(at[1])
            for dlat in range(-cells, cells + 1):
                for dlon in range(-cells, cells + 1):
                    for town in self._grid.get((country, cell_lat + dlat, cell_lon + dlon), ()):
                        km = _km(at, (town.lat, town.lon))
                        if km <= radius_km:
                            votes[town.admin1] += (town.population + 500) / (1.0 + km)
            if votes:
                return max(votes, key=lambda code: votes[code])
        return ""


ADMIN_ID_PREFIX = "admin:"


def admin_id(iso2: str, code: str) -> str:
    """The gazetteer id of a first-level division."""
    return f"{ADMIN_ID_PREFIX}{iso2.upper()}.{code}"


def _code(state: dict[str, Any]) -> str:
    iso = str(state.get("iso3166_2") or "")
    if "-" in iso:
        return iso.split("-", 1)[1]
    return str(state.get("state_code") or "")


def _pycountry_name(iso: str) -> str:
    subdivision = pycountry.subdivisions.get(code=iso) if iso else None
    return str(subdivision.name) if subdivision is not None else ""


def read_admins(cities: Sequence[PlaceRecord]) -> list[PlaceRecord]:
    """Every division with a point, keyed by ISO 3166-2 code where the database gives one."""
    guesser = _Admin1Guesser(cities)
    found: list[tuple[str, str, str, tuple[float, float], tuple[tuple[str, str], ...], str]] = []
    seen: set[str] = set()
    for state in csc.read_states():
        at = csc.point(state)
        iso2 = str(state.get("country_code") or "").upper()
        code = _code(state)
        if at is None or not iso2 or not code:
            continue
        gazetteer_id = admin_id(iso2, code)
        if gazetteer_id in seen:
            log.debug("duplicate division %s left out", gazetteer_id)
            continue
        seen.add(gazetteer_id)
        primary = str(state["name"])
        # The database's "native" field is not used: it holds stray words ("Saturday" for
        # Lusaka, "Public" for Rubanda); pycountry's ISO 3166-2 name is the reliable other.
        others = [(_pycountry_name(str(state.get("iso3166_2") or "")), "alt")]
        names = named(primary, others)
        if not names:
            continue
        admin1 = guesser.guess(iso2, [n for n, _ in names], at)
        found.append((gazetteer_id, primary, iso2, at, names, admin1))
    sharing = Counter((iso2, admin1) for *_, iso2, _, _, admin1 in found if admin1)
    records: list[PlaceRecord] = []
    for gazetteer_id, primary, iso2, at, names, admin1 in found:
        if admin1 and sharing[(iso2, admin1)] == 1 and guesser.at_town(iso2, admin1, at):
            middle = guesser.span_middle(iso2, admin1, at)
            if middle is not None:
                log.debug("division %s: a town's point %s, placed at %s", primary, at, middle)
                at = middle
        entry = GazetteerEntry(
            gazetteer_id=gazetteer_id,
            name=primary,
            lat=at[0],
            lon=at[1],
            country=iso2,
            feature=Feature.ADMIN,
            # Population ranks a division among its namesakes ("Queensland" the state, not
            # a hamlet), like a town's.
            population=guesser.population(iso2, admin1),
            admin1=admin1,
            source=SOURCE,
        )
        records.append(PlaceRecord(entry, names))
    log.info("first-level divisions: %d", len(records))
    return records
