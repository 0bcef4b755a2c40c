"""What each gazetteer source yields: places with their names, and names for known places.

Sources stay independent of SQLite; ``build.py`` turns these records into rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from geo.models import GazetteerEntry
from geo.normalize import is_latin, name_key

# The ``kind`` values of ``names`` rows, best first: when one place gets the same key
# twice, the row of the better kind is kept.
NAME_KINDS: tuple[str, ...] = (
    "name", "alias", "alt", "keyword", "airfield_stem", "demonym", "code",
)

# IATA-style codes (e.g. 'ALP', 'DEZ') that GeoNames lists among alternate names.
_CODE_RE = re.compile(r"[A-Z]{3,4}")


class CuratedDataError(ValueError):
    """A curated data file breaks its format; the message names the file and line."""


@dataclass(frozen=True)
class PlaceRecord:
    """A place a source knows, with its names as ``(name, kind)`` pairs, own name first."""

    entry: GazetteerEntry
    names: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class NameRecord:
    """A name for a place another source defines (demonyms, alias rows)."""

    place_id: str
    name: str
    kind: str


def is_code(name: str) -> bool:
    """True for all-caps 3-4 letter codes, which are not names to index as words."""
    return bool(_CODE_RE.fullmatch(name.strip()))


def usable(name: str) -> bool:
    """True when a name can be looked up: Latin script and a key of two or more characters."""
    return is_latin(name) and len(name_key(name)) > 1


def named(primary: str, others: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """``(name, kind)`` pairs: the primary as kind 'name', then the usable others, once each."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for name, kind in _chain(((primary, "name"),), others):
        name = name.strip()
        if name and name not in seen and usable(name):
            seen.add(name)
            out.append((name, kind))
    return tuple(out)


def _chain(*parts: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    for part in parts:
        yield from part
