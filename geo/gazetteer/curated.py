"""The project's curated data files: ``data/aliases.csv`` and ``data/demonyms.csv``.

``aliases.csv`` (``name,gazetteer_id,lat,lon,country,feature,source,note[,kind]``): a row
with lat/lon defines a new place (``alias:<slug>``, its own name being the row's name); a
row without adds a name to a place of any source. Acronyms (two to four capitals: "UK",
"UAE") are stored as kind 'code', to be matched in capitals only; ``kind`` 'demonym' marks
an adjective ("European"), read like a nationality.

``demonyms.csv`` (``demonym,iso2,source``): adjectives and nouns of nationality, singular
and plural ("Syrian", "Syrians"), stored as names of kind 'demonym' of the country.

Every row names its source; a row that breaks these rules stops the build, naming the line.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from geo.gazetteer.admin import ADMIN_ID_PREFIX
from geo.gazetteer.airfields import stem
from geo.gazetteer.countries import country_id
from geo.gazetteer.records import CuratedDataError, NameRecord, PlaceRecord, usable
from geo.gazetteer.store import CURATED_SOURCE
from geo.models import Feature, GazetteerEntry

ALIAS_COLUMNS = ("name", "gazetteer_id", "lat", "lon", "country", "feature", "source", "note")
# What the optional ``kind`` column may say; blank is an alias (or a code, for an acronym).
ALIAS_KINDS = frozenset({"", "alias", "demonym"})
DEMONYM_COLUMNS = ("demonym", "iso2", "source")
_ACRONYM_RE = re.compile(r"[A-Z]{2,4}")
_AIRFIELDS = frozenset({Feature.AIRBASE, Feature.AIRPORT})
# A division's English name with its designation ("Kharkiv Oblast"): the press writes the
# bare name beside a word of its own ("the Kharkiv region"), so the bare name is one too.
_DESIGNATED_DIVISION_RE = re.compile(
    r"(?P<bare>.+?)\s+(?:Oblast|Province|Governorate|Krai|Prefecture|Voivodeship)")


def read_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """``(line, row)`` of a curated CSV file; every row names its source and a usable name
    in the first column, or the build stops naming the file and line."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(columns) - set(reader.fieldnames or ())
        if missing:
            raise CuratedDataError(f"{path}: missing columns {sorted(missing)}")
        rows = []
        for row in reader:
            clean = {k: (v or "").strip() for k, v in row.items() if k}
            if not any(clean.values()):
                continue
            line = reader.line_num
            if not clean["source"]:
                raise CuratedDataError(f"{path}:{line}: no source")
            first = clean[columns[0]]
            if not usable(first):
                raise CuratedDataError(f"{path}:{line}: unusable name {first!r}")
            rows.append((line, clean))
    return rows


def _entry(path: Path, line: int, row: dict[str, str]) -> GazetteerEntry:
    where = f"{path}:{line}"
    if not row["gazetteer_id"].startswith("alias:"):
        raise CuratedDataError(f"{where}: a new place needs an id alias:<slug>")
    try:
        lat, lon = float(row["lat"]), float(row["lon"])
        feature = Feature(row["feature"])
    except ValueError as exc:
        raise CuratedDataError(f"{where}: {exc}") from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise CuratedDataError(f"{where}: coordinates out of range")
    country = row["country"].upper()
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise CuratedDataError(f"{where}: country must be ISO alpha-2")
    return GazetteerEntry(row["gazetteer_id"], row["name"], lat, lon, country, feature,
                          source=CURATED_SOURCE)


AIRFIELD_ID_PREFIXES = ("icao:", "ourairports:")


def read_aliases(path: Path) -> tuple[list[PlaceRecord], list[NameRecord]]:
    """The places the file defines, and the names it adds (to its own places or others)."""
    rows = read_rows(path, ALIAS_COLUMNS)
    entries: dict[str, GazetteerEntry] = {}
    for line, row in rows:
        if row["lat"] or row["lon"]:
            if row["gazetteer_id"] in entries:
                raise CuratedDataError(f"{path}:{line}: {row['gazetteer_id']} defined twice")
            entries[row["gazetteer_id"]] = _entry(path, line, row)
    places = [PlaceRecord(e, ((e.name, "name"),)) for e in entries.values()]
    names: list[NameRecord] = []
    for line, row in rows:
        name, place_id = row["name"], row["gazetteer_id"]
        if not place_id:
            raise CuratedDataError(f"{path}: row {name!r} has no gazetteer_id")
        if row.get("kind", "") not in ALIAS_KINDS:
            raise CuratedDataError(f"{path}:{line}: kind {row['kind']!r} is not one of "
                                   f"{sorted(k for k in ALIAS_KINDS if k)}")
        kind = row.get("kind") or ("code" if _ACRONYM_RE.fullmatch(name) else "alias")
        names.append(NameRecord(place_id, name, kind))
        entry = entries.get(place_id)
        # An airfield's stem answers as the field's does: "at Etzion" for "Etzion Airbase",
        # whether the row defines the field or names one OurAirports holds.
        airfield = (entry.feature in _AIRFIELDS if entry is not None
                    else place_id.startswith(AIRFIELD_ID_PREFIXES))
        if airfield and stem(name):
            names.append(NameRecord(place_id, stem(name), "airfield_stem"))
        designated = _DESIGNATED_DIVISION_RE.fullmatch(name)
        if designated and place_id.startswith(ADMIN_ID_PREFIX):
            names.append(NameRecord(place_id, designated.group("bare"), "alt"))
    return places, names


def read_demonyms(path: Path) -> list[NameRecord]:
    """Each demonym as a name of its country."""
    names = []
    for line, row in read_rows(path, DEMONYM_COLUMNS):
        iso2 = row["iso2"].upper()
        if not re.fullmatch(r"[A-Z]{2}", iso2):
            raise CuratedDataError(f"{path}:{line}: iso2 {iso2!r} is not ISO alpha-2")
        names.append(NameRecord(country_id(iso2), row["demonym"], "demonym"))
    return names
