"""Choosing an article's places together rather than one name at a time.

A reader places a name by the article around it. The resolver's first pass places each
name on its own evidence; what it places confidently then shapes the second pass:

* **spatial minimality**: a reading near the article's confident places is favoured
  ("Newcastle" among New South Wales towns is the one in New South Wales);
* **admin containment**: a town inside a division the article names, and a division that
  holds the article's other places, are favoured ("Nelson" in a story that names BC);
* **datelines** ("WASHINGTON —", "BEIRUT (AP) —", "SALEM, Ore. —") name a city, and the
  story's other places are read around it;
* **anchored names**: "X near Y", "X, 50 km north of Y", "Y's X", "the Y suburb of X" put X
  close to Y;
* **one sense per name**: a name keeps, throughout the article, the place it got where the
  article is surest, unless the text qualifies a second mention on its own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from geo.extract import Extraction
from geo.models import Feature, GazetteerEntry, Place
from geo.normalize import name_key

EARTH_RADIUS_KM = 6371.0088
# Spatial coherence: a candidate near the article's confidently placed names gains up to
# PROXIMITY_WEIGHT, decaying with distance over PROXIMITY_KM.
PROXIMITY_WEIGHT = 3.0
PROXIMITY_KM = 300.0
# A town inside a division the article names, or a division holding its places: a
# little below a qualifier ("X, Syria", 5), as the text says it less directly.
ADMIN_WEIGHT = 4.0
# "X near Y": as strong as a qualifier, and tighter than the article-wide pull.
ANCHORED_WEIGHT = 5.0
ANCHORED_KM = 100.0
# A dateline names a city; it asks for one as "the city of X" does, a little less firmly.
DATELINE_CITY_BONUS = 3.0
# A dateline standing alone doubles the resolver's population prior (POPULATION_WEIGHT).
DATELINE_POPULATION_WEIGHT = 0.7

AREA_FEATURES = (Feature.COUNTRY, Feature.ADMIN, Feature.REGION)

# A dateline opens the text or a line: a place in capitals, or any place before an
# agency's name, then a dash ("WASHINGTON —", "SALEM, Ore. —", "Beirut (AP) -").
_DATELINE_START_RE = re.compile(r"(?m)^|(?<=[.!?] )")
# A dateline's place starts at most this far before a mention in it (its 40 characters).
_DATELINE_REACH = 45
_DATELINE_RE = re.compile(
    r"[ \t]*(?P<place>[^\W\d_][^\n,(—–]{0,40}?)"
    r"(?:,[ \t]+(?P<area>[^\W\d_][\w.' ]{0,20}?))?"
    r"[ \t]*(?P<agency>\([^()\n]{1,30}\))?[ \t]*(?:—|–|--|-)[ \t]"
)
_NEAR_UNITS = r"(?:km|kms|kilometres|kilometers|miles|mi)"
_COMPASS = r"(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)"
# Between X and Y when X lies near Y: "X near Y", "X, 50 km north of Y", "X outside Y".
_X_NEAR_Y_RE = re.compile(
    r"^,?[ \u00A0](?:(?:just|about|some)[ \u00A0])?"
    r"(?:near|outside(?: of)?|close to|on the outskirts of|a suburb of|a (?:town|village|"
    r"city|suburb|district|neighbou?rhood) (?:near|outside|of)|"
    rf"(?:(?:about|some|around)[ \u00A0])?[\d.,]+[ \u00A0-]?{_NEAR_UNITS}(?:[ \u00A0]\(?[\d.,]+"
    rf"[ \u00A0]?{_NEAR_UNITS}\)?)?[ \u00A0]{_COMPASS}[ \u00A0]of|{_COMPASS} of)"
    r"(?:[ \u00A0]the)?[ \u00A0]$",
    re.IGNORECASE,
)
# Between Y and X when X lies in or near Y: "Y's X", "the Y suburb of X".
_Y_HOLDS_X_RE = re.compile(
    r"^(?:['\u2019]s|[ \u00A0](?:suburbs?|neighbou?rhoods?|districts?|boroughs?|towns?|"
    r"villages?)(?:[ \u00A0]of)?)[ \u00A0]$",
    re.IGNORECASE,
)


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance, accurate enough to compare candidates (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def datelines(text: str, extractions: Sequence[Extraction]) -> dict[int, bool]:
    """Index of each extraction that is a dateline's place -> whether it stands alone.

    A dateline opens a line or follows a headline's full stop. Standing alone
    ("WASHINGTON —", not "SALEM, Ore. —"), it is a city the outlet expects every reader
    to know: the population prior counts twice.
    """
    # Only where a mention could be a dateline's place: the line or sentence it opens.
    openings = set()
    for extraction in extractions:
        at = extraction.mention.start
        # With a start position, "^" still matches only at a real line start.
        breaks = [m.end() for m in _DATELINE_START_RE.finditer(
            text, max(0, at - _DATELINE_REACH), at)]
        if breaks:
            openings.add(breaks[-1])
    spans = []
    for opening in sorted(openings):
        match = _DATELINE_RE.match(text, opening)
        if match is None:
            continue
        place = match.group("place").strip()
        letters = [c for c in place if c.isalpha()]
        # Capitals, or an agency's name after it: a heading or a sentence is neither.
        if letters and (all(c.isupper() for c in letters) or match.group("agency")):
            start = match.start("place")
            spans.append((start, start + len(place), not match.group("area")))
    found: dict[int, bool] = {}
    for i, extraction in enumerate(extractions):
        m = extraction.mention
        for start, end, alone in spans:
            if start <= m.start and m.end <= end:
                found[i] = alone
    return found


def anchored(text: str, extractions: Sequence[Extraction]) -> dict[int, int]:
    """Index of a mention -> index of the mention it is said to lie near or inside."""
    found: dict[int, int] = {}
    for i in range(len(extractions) - 1):
        first, second = extractions[i].mention, extractions[i + 1].mention
        gap = text[first.end:second.start]
        if _X_NEAR_Y_RE.match(gap):
            found.setdefault(i, i + 1)
        elif _Y_HOLDS_X_RE.match(gap):
            found.setdefault(i + 1, i)
    return found


@dataclass(frozen=True)
class Anchor:
    """A confidently placed name that the article's other names should sit near."""

    key: str
    entry: GazetteerEntry


@dataclass(frozen=True)
class DocumentContext:
    """What the first pass settled about an article, for choosing its places together.

    ``near`` maps a mention's index to the entry of the place the text anchors it to.
    """

    anchors: tuple[Anchor, ...] = ()
    near: dict[int, GazetteerEntry] = field(default_factory=dict)
    # Indices of the names whose first reading is a country or division ("California").
    areas: frozenset[int] = frozenset()
    # Index of a dateline's place -> whether it stands alone (``datelines``).
    dateline: dict[int, bool] = field(default_factory=dict)

    # Derived once: division -> the names (keys) of anchors that are it or lie in it.
    _named: dict[tuple[str, str], set[str]] = field(init=False, repr=False, compare=False)
    _held: dict[tuple[str, str], set[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A name said ten times is one anchor, not ten (and ten times the distances).
        object.__setattr__(self, "anchors", tuple(dict.fromkeys(self.anchors)))
        named: dict[tuple[str, str], set[str]] = {}
        held: dict[tuple[str, str], set[str]] = {}
        for a in self.anchors:
            if not a.entry.admin1:
                continue
            area = (a.entry.country, a.entry.admin1)
            if a.entry.feature == Feature.ADMIN:
                named.setdefault(area, set()).add(a.key)
            elif a.entry.feature not in AREA_FEATURES:
                held.setdefault(area, set()).add(a.key)
        object.__setattr__(self, "_named", named)
        object.__setattr__(self, "_held", held)

    def names_admin(self, area: tuple[str, str], key: str) -> bool:
        """Whether another of the article's confident names is this division."""
        return bool(self._named.get(area, set()) - {key})

    def holds_places(self, area: tuple[str, str], key: str) -> bool:
        """Whether another of the article's confident places lies in this division."""
        return bool(self._held.get(area, set()) - {key})

    @property
    def empty(self) -> bool:
        """Nothing settled yet: no candidate can gain anything from the context."""
        return not (self.anchors or self.near or self.dateline)


def bonus(entry: GazetteerEntry, key: str, index: int, context: DocumentContext,
          *, big_town: bool = False, seats: frozenset[tuple[str, str]] = frozenset(),
          own_text: bool = False) -> tuple[float, list[str]]:
    """Score units that the article's settled places give one candidate, and why.

    A town inside a division the article names gains nothing when the name was first read
    as a country or division ("California" in a list of states is the state, not the
    Missouri town) or can be a big town ("Atlanta" beside "Texas" is still Atlanta). A
    division that holds the article's places gains nothing over its seat of the same
    name (``seats``: the divisions a town of the name lies in): "Homs" beside Rastan is
    still the city. A division the article names under another name ("Wash."), or a
    county of it, is what a bare mention means; not where the mention's ``own_text``
    decides it (a qualifier, "X, Y").
    """
    names_an_area = big_town or index in context.areas
    score = 0.0
    reasons: list[str] = []
    others = [a for a in context.anchors if a.key != key]
    if others:
        nearest = min(km_between(entry.lat, entry.lon, a.entry.lat, a.entry.lon)
                      for a in others)
        closeness = math.exp(-nearest / PROXIMITY_KM)
        score += PROXIMITY_WEIGHT * closeness
        if closeness > 0.5:
            reasons.append("near the article's other places")
    area = (entry.country, entry.admin1)
    if (not names_an_area and entry.admin1 and entry.feature not in AREA_FEATURES
            and context.names_admin(area, key)):
        score += ADMIN_WEIGHT
        reasons.append("in a division the article names")
    if (entry.feature == Feature.ADMIN and entry.admin1 and area not in seats
            and context.holds_places(area, key)):
        score += ADMIN_WEIGHT
        reasons.append("holds the article's other places")
    if (not own_text and entry.feature == Feature.ADMIN and entry.admin1
            and context.names_admin(area, key)):
        # "CAMP MURRAY, Wash. —" then "Washington": the division the article already
        # names under another name ("Wash.", "Ga.") is the one meant, and so is a county
        # of it ("Boone County" beside "Kentucky").
        score += ADMIN_WEIGHT
        reasons.append("of a division the article names")
    anchor = context.near.get(index)
    if anchor is not None:
        if anchor.feature == Feature.ADMIN:
            inside = (entry.country == anchor.country and entry.admin1 == anchor.admin1
                      and entry.feature not in AREA_FEATURES)
            closeness = 1.0 if inside else 0.0
        else:
            closeness = math.exp(-km_between(entry.lat, entry.lon, anchor.lat, anchor.lon)
                                 / ANCHORED_KM)
        score += ANCHORED_WEIGHT * closeness
        if closeness > 0.5:
            reasons.append(f"anchored to {anchor.name}")
    if index in context.dateline and entry.feature == Feature.CITY:
        score += DATELINE_CITY_BONUS
        if context.dateline[index]:
            score += DATELINE_POPULATION_WEIGHT * math.log10(entry.population + 1)
        reasons.append("dateline")
    return score, reasons


def one_sense(places: Sequence[Place], qualified: set[int],
              keys: Sequence[str] | None = None) -> list[Place]:
    """A name keeps one place per article: the one it got where the article is surest,
    a mention its own text decided first, then the most confident.

    ``qualified`` holds the indices of places whose own text decided them (a qualifier,
    a feature cue, "X, Y", an anchor): those keep their reading. ``keys`` are the places'
    name keys where the caller has them.
    """
    keys = keys if keys is not None else [name_key(p.mention.text) for p in places]
    best: dict[str, Place] = {}
    surest: dict[str, tuple[bool, float]] = {}
    for i, place in enumerate(places):
        if place.entry is None:
            continue
        key = keys[i]
        # What the text itself decided is surer than any bare mention's prior.
        sureness = (i in qualified, place.confidence)
        if key not in surest or sureness > surest[key]:
            best[key], surest[key] = place, sureness
    out = []
    for i, place in enumerate(places):
        winner = best.get(keys[i]) if place.entry is not None else None
        if (winner is None or i in qualified or winner.entry == place.entry
                or winner.mention.kind != place.mention.kind):
            out.append(place)
            continue
        assert winner.entry is not None
        out.append(replace(place, entry=winner.entry, confidence=winner.confidence,
                           reason=f"{winner.reason}, as where the article names it surest",
                           candidates=(winner.entry, *(c for c in place.candidates
                                                       if c != winner.entry))))
    return out
