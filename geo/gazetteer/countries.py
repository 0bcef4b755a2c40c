"""Countries: Natural Earth's names, with names from pycountry and GeoNames.

A country's point is, first, the one ``data/country_points.csv`` gives: GeoNames' own
country points (Canada 60.1 N 113.6 W, Japan at Tokyo), which are what GeoNames-based
gazetteers and annotators use, and for the United States USGS's centre of the contiguous
states. Else the conventional centre of the countries-states-cities database (Russia
60 N 100 E), else Natural Earth's label point (placed for cartography, Russia's at
58 N 45 E). The database's centres put 1,352 of 1,751 country mentions of the four dev
corpora within 161 km of the annotators' point, the label points 985; GeoNames' points
differ from the database's by more than 161 km for 16 countries, and they are what the
TR-News and GWN annotators used (Wikipedia's, GeoVirus's, and LGL's older GeoNames
points for Canada, at 60 N 95-96 W, lose by it).

When several Natural Earth units share an ISO code (France and Clipperton Island), the most
populous is the country and the others are left out, so that a small territory's name never
moves a country's point.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pycountry

from geo.gazetteer import csc
from geo.gazetteer.geonames import read_country_names
from geo.gazetteer.records import CuratedDataError, PlaceRecord, named
from geo.models import Feature, GazetteerEntry
from geo.naturalearth import CountryShape, read_admin0

log = logging.getLogger(__name__)


def country_id(iso2: str) -> str:
    """The gazetteer id of a country."""
    return f"country:{iso2.upper()}"


def _pycountry_names(iso2: str) -> list[str]:
    country = pycountry.countries.get(alpha_2=iso2)
    if country is None:
        return []
    fields = ("common_name", "name", "official_name")
    return [str(getattr(country, f)) for f in fields if getattr(country, f, None)]


def read_country_points(path: Path) -> dict[str, tuple[float, float]]:
    """Curated country points (``iso2,lat,lon,source,note``) that replace the database's."""
    points: dict[str, tuple[float, float]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                if not row["source"].strip():
                    raise ValueError("no source")
                points[row["iso2"].strip().upper()] = (float(row["lat"]), float(row["lon"]))
            except (KeyError, ValueError, AttributeError) as err:
                raise CuratedDataError(f"{path}:{line}: {err}") from err
    return points


def read_countries(points: Path | None = None) -> list[PlaceRecord]:
    """One record per ISO alpha-2 code known to Natural Earth, pycountry or the csc database."""
    surveyed = read_country_points(points) if points is not None else {}
    shapes: dict[str, CountryShape] = {}
    for unit in read_admin0():
        if unit.iso2 not in shapes or unit.population > shapes[unit.iso2].population:
            shapes[unit.iso2] = unit
    geonames = read_country_names()
    csc_countries = {str(c["iso2"]).upper(): c for c in csc.read_countries() if c.get("iso2")}
    codes = set(shapes) | {str(c.alpha_2) for c in pycountry.countries} | set(csc_countries)

    records = []
    for iso2 in sorted(codes):
        shape = shapes.get(iso2)
        gn_name, gn_population = geonames.get(iso2, ("", 0))
        csc_record = csc_countries.get(iso2, {})
        centre = surveyed.get(iso2) or (csc.point(csc_record) if csc_record else None)
        if centre is None and shape is None:
            log.debug("country %s has no point; left out", iso2)
            continue
        own = list(shape.names) if shape is not None else []
        population = shape.population if shape is not None else gn_population
        if centre is not None:
            (lat, lon) = centre
            source = "country_points" if iso2 in surveyed else "countrystatecity"
        elif shape is not None:
            (lat, lon), source = shape.label_point, "naturalearth"
        candidates = own + _pycountry_names(iso2) + [gn_name, str(csc_record.get("name") or "")]
        candidates = [c for c in candidates if c]
        if not candidates:
            continue
        names = named(candidates[0], ((c, "alt") for c in candidates[1:]))
        entry = GazetteerEntry(
            gazetteer_id=country_id(iso2),
            name=names[0][0] if names else candidates[0],
            lat=lat,
            lon=lon,
            country=iso2,
            feature=Feature.COUNTRY,
            population=population or gn_population,
            source=source,
        )
        records.append(PlaceRecord(entry, names))
    log.info("countries: %d", len(records))
    return records
