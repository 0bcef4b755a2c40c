"""Countries: Natural Earth's names, with names from pycountry and GeoNames.

A country's point is, first, a surveyed one from ``data/country_points.csv`` (the United
States: USGS's centre of the contiguous states). Else it follows GeoNames' own point
(``data/geonames_country_points.csv``: Canada 60.1 N 113.6 W, Japan at Tokyo), what
GeoNames-based gazetteers and annotators use, and the conventional centre of the
countries-states-cities database (Russia 60 N 100 E; Wikipedia's are often close to it):
where the two lie less than ``MIDWAY_KM`` apart the country is placed midway, within 100
miles (161 km) of both, else at GeoNames' point. Natural Earth's label point (placed for
cartography, Russia's at 58 N 45 E) is the last resort. On the four dev corpora, GeoNames'
points are what the TR-News and GWN annotators used (for 16 countries more than 161 km from
the database's), the database's centres are closer to GeoVirus's Wikipedia points
(Australia, Zambia, Niger, Mali), and no point serves both for Canada, where LGL (60 N
96 W) and GeoVirus (60 N 95 W) differ from GeoNames' by 1,030 km.

When several Natural Earth units share an ISO code (France and Clipperton Island), the most
populous is the country and the others are left out, so that a small territory's name never
moves a country's point.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pycountry
from geographiclib.geodesic import Geodesic

from geo.gazetteer import csc
from geo.gazetteer.geonames import read_country_names
from geo.gazetteer.records import CuratedDataError, PlaceRecord, named
from geo.models import Feature, GazetteerEntry
from geo.naturalearth import CountryShape, read_admin0

log = logging.getLogger(__name__)

# Two conventions' points closer than twice 161 km: the midpoint is within 161 km of both.
MIDWAY_KM = 320.0


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


def midway(geonames: tuple[float, float], centre: tuple[float, float] | None
           ) -> tuple[float, float]:
    """GeoNames' point, or the midpoint where the database's ``centre`` is near enough that
    the midpoint lies within 161 km of both conventions."""
    if centre is None or Geodesic.WGS84.Inverse(*geonames, *centre)["s12"] / 1000 >= MIDWAY_KM:
        return geonames
    half_lon = ((centre[1] - geonames[1] + 180.0) % 360.0 - 180.0) / 2
    return ((geonames[0] + centre[0]) / 2,
            (geonames[1] + half_lon + 180.0) % 360.0 - 180.0)


def read_countries(points: Path | None = None,
                   geonames_points: Path | None = None) -> list[PlaceRecord]:
    """One record per ISO alpha-2 code known to Natural Earth, pycountry or the csc database."""
    surveyed = read_country_points(points) if points is not None else {}
    gn_points = read_country_points(geonames_points) if geonames_points is not None else {}
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
        centre = csc.point(csc_record) if csc_record else None
        if iso2 in gn_points:
            centre = midway(gn_points[iso2], centre)
        centre = surveyed.get(iso2) or centre
        if centre is None and shape is None:
            log.debug("country %s has no point; left out", iso2)
            continue
        own = list(shape.names) if shape is not None else []
        population = shape.population if shape is not None else gn_population
        if centre is not None:
            (lat, lon) = centre
            source = ("country_points" if iso2 in surveyed
                      else "geonames_country_points" if iso2 in gn_points
                      else "countrystatecity")
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
