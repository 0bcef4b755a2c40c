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
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
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
        for record in cities:
            e = record.entry
            if not e.admin1:
                continue
            self._population[(e.country, e.admin1)] += e.population
            town = _Town(e.lat, e.lon, e.population, e.admin1)
            self._grid[(e.country, math.floor(e.lat), math.floor(e.lon))].append(town)
            key = (e.country, name_key(e.name))
            best = self._by_name.get(key)
            if best is None or town.population > best.population:
                self._by_name[key] = town

    def population(self, country: str, admin1: str) -> int:
        """The summed population of the GeoNames places of a division (a lower bound)."""
        return self._population.get((country, admin1), 0) if admin1 else 0

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
    records: list[PlaceRecord] = []
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
