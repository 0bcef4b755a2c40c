"""Area origins: the outline of a country or sea, its point nearest a target, and ships.

The press often names an area, not a base, as where a strike came from: "jets took off
from bases in Saudi Arabia", "cruise missiles fired from destroyers in the Red Sea". Such
a path is drawn from the point of the area nearest its target (a sea's stretch off the
target's coast, not the sea's middle) and marked approximate.

What to call (all pure, given gazetteer entries and text; outlines are (lon, lat)):

- :func:`outline` ``(area) -> geometry | None``: a country's Natural Earth outline (the
  data ``geo.borders`` draws), a sea's or gulf's water (``data/seas.csv`` less Natural
  Earth land), else None: provinces keep their point (no packaged admin-1 outlines).
- :func:`nearest_point` ``(area, lat, lon) -> (lat, lon)``: the point of the area's
  outline nearest the target; the target itself when it lies inside; the area's own point
  when it has no outline.
- :func:`is_sea` ``(entry) -> bool``: a sea or gulf with an outline.
- :func:`ship_mentions` ``(text) -> [Ship]``: named warships ("the destroyer USS Carney",
  "HMS Diamond", "the frigate Admiral Essen").
- :func:`sea_of_ship` ``(text, ship, places) -> Place | None``: the sea the text puts a
  ship in: a sea of the ship's own sentence (after it first: "USS Carney in the Red Sea"),
  else the nearest sea of its paragraph, else the article's only sea.

``geo.strikes.origins`` asks :func:`outline` first and falls back to its own country
outlines, so an origin read as a sea or country starts where this module says.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from geo.gazetteer.paths import DATA_DIR
from geo.models import Feature, GazetteerEntry, Place

log = logging.getLogger(__name__)

SEAS = DATA_DIR / "seas.csv"
# Hull prefixes of navies the news names ships by, and the nouns that introduce a name.
_SHIP_PREFIX = r"USS|USNS|HMS|HMCS|HMAS|HMNZS|INS|FS|ITS|ESPS|TCG|HNLMS|HDMS|KRI|IRIS|RFS"
_SHIP_NOUN = (r"destroyer|frigate|cruiser|corvette|submarine|aircraft[ -]carrier|carrier|"
              r"warship|battleship|patrol ship|missile ship|guided-missile destroyer")
# A word of a ship's name, or an initial ("USS Harry S. Truman"); a full stop ends it.
_NAME_WORD = r"(?:[A-Z]\.|[A-Z][\w'\u2019-]*)"
_NAME = rf"{_NAME_WORD}(?:[ \u00A0](?:of[ \u00A0]|de[ \u00A0])?{_NAME_WORD})*"
_SHIP_RE = re.compile(
    rf"\b(?:(?P<prefix>{_SHIP_PREFIX})[ \u00A0]+(?P<name1>{_NAME})"
    rf"|(?:{_SHIP_NOUN})[ \u00A0]+(?:the[ \u00A0]+)?(?P<name2>{_NAME}))")
_SENTENCE_END_RE = re.compile(r"[.!?][\"'\u201D\u2019)]*\s+(?=[\"'\u201C\u2018(]?[A-Z0-9])")
_PARAGRAPH_RE = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Ship:
    """A named warship in an article: ``text[start:end] == name`` (prefix included)."""

    start: int
    end: int
    name: str


@functools.cache
def _land() -> tuple[BaseGeometry, ...]:
    from geo.borders import load_borders  # the polygons the route checks use, read once

    return load_borders().land()


@functools.cache
def _countries() -> dict[str, BaseGeometry]:
    from geo.borders import load_borders

    return load_borders().outlines()


@functools.cache
def _sea_rows() -> dict[str, BaseGeometry]:
    """Each sea's bounding polygon by gazetteer id (empty when the table is absent)."""
    from geo.gazetteer.seas import read_sea_rows

    if not SEAS.is_file():
        return {}
    return {row.gazetteer_id: row.polygon for row in read_sea_rows(SEAS)}


@functools.cache
def _sea_water(gazetteer_id: str) -> BaseGeometry | None:
    from geo.gazetteer.seas import water

    polygon = _sea_rows().get(gazetteer_id)
    return None if polygon is None else water(polygon, _land())


def is_sea(entry: GazetteerEntry) -> bool:
    """True for a sea or gulf whose outline ``data/seas.csv`` holds."""
    return entry.feature is Feature.REGION and entry.gazetteer_id in _sea_rows()


def outline(area: GazetteerEntry) -> BaseGeometry | None:
    """The outline of an area, (lon, lat): a country's land or a sea's water; None for
    anything else (a province, a city, a region without outline)."""
    if is_sea(area):
        return _sea_water(area.gazetteer_id)
    if area.feature is Feature.COUNTRY and area.country:
        try:
            return _countries().get(area.country)
        except (OSError, ValueError) as error:
            log.warning("country outlines unavailable: %s", error)
    return None


def nearest_point(area: GazetteerEntry, lat: float, lon: float) -> tuple[float, float]:
    """The point (lat, lon) of the area nearest the target at (lat, lon).

    A target inside the area is its own nearest point; an area without an outline
    answers with its own point.
    """
    shape = outline(area)
    if shape is None or shape.is_empty:
        return area.lat, area.lon
    target = Point(lon, lat)
    if shape.contains(target):
        return lat, lon
    near, _ = nearest_points(shape, target)
    return round(near.y, 4), round(near.x, 4)


def ship_mentions(text: str) -> list[Ship]:
    """The named warships of a text, in order ("USS Carney", "the frigate Admiral Essen")."""
    ships = []
    for match in _SHIP_RE.finditer(text):
        if match.group("prefix"):
            start, end = match.start("prefix"), match.end("name1")
        else:
            start, end = match.start("name2"), match.end("name2")
        ships.append(Ship(start, end, text[start:end]))
    return ships


def _span_of(pattern: re.Pattern[str], text: str, offset: int) -> tuple[int, int]:
    """The (start, end) of the sentence or paragraph of ``text`` holding ``offset``."""
    start, end = 0, len(text)
    for boundary in pattern.finditer(text):
        if boundary.end() <= offset:
            start = boundary.end()
        elif boundary.start() >= offset:
            end = boundary.start() + 1
            break
    return start, end


def sea_of_ship(text: str, ship: Ship, places: Sequence[Place]) -> Place | None:
    """The sea the text puts a ship in, among the article's resolved places, or None.

    A sea of the ship's sentence comes first, one after the ship before one ahead of it
    ("USS Carney in the Red Sea"); then the sea of its paragraph nearest the ship; then
    the article's only sea.
    """
    seas = [p for p in places if p.entry is not None and is_sea(p.entry)]
    if not seas:
        return None
    s_start, s_end = _span_of(_SENTENCE_END_RE, text, ship.start)
    in_sentence = [p for p in seas if s_start <= p.mention.start < s_end]
    if in_sentence:
        after = [p for p in in_sentence if p.mention.start >= ship.end]
        return after[0] if after else in_sentence[-1]
    p_start, p_end = _span_of(_PARAGRAPH_RE, text, ship.start)
    in_paragraph = [p for p in seas if p_start <= p.mention.start < p_end]
    if in_paragraph:
        return min(in_paragraph, key=lambda p: abs(p.mention.start - ship.start))
    if len({p.entry.gazetteer_id for p in seas if p.entry is not None}) == 1:
        return seas[0]
    return None
