"""The values that flow through the pipeline: articles, mentions, places, roles, paths.

Every type here is a frozen dataclass so each pipeline step is a pure function of values.
Coordinates are always ``(lat, lon)`` in these types; GeoJSON and shapely, which want
``(lon, lat)``, are converted at their edge (``geo/geodesy.py``, ``geo/export.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Article:
    """One article's text as read, with the span that holds the article proper.

    ``text`` is exactly what offsets refer to. ``body`` lists the ``(start, end)`` ranges
    of ``text`` that are article text; everything outside them is page furniture (menus,
    comment forms, "related" lists, image file names) and yields no places.
    """

    doc_id: str
    text: str
    source: str = "unknown"
    title: str = ""
    published: dt.date | None = None
    url: str = ""
    path: str = ""
    body: tuple[tuple[int, int], ...] = ()

    def body_ranges(self) -> tuple[tuple[int, int], ...]:
        """The article-text ranges, or the whole text when none were marked."""
        return self.body or ((0, len(self.text)),)


@dataclass(frozen=True)
class LoadProblem:
    """A file that could not be read as an article, and why (shown to the user)."""

    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


class MentionKind(StrEnum):
    TOPONYM = "toponym"
    DEMONYM = "demonym"
    # A place name inside an organisation's ("Pakistan" of "Pakistan Army"): read only when
    # asked for (the gold corpora count these), never drawn on maps.
    EMBEDDED = "embedded"


@dataclass(frozen=True)
class Mention:
    """A span of an article's text that names a place: ``text == article.text[start:end]``."""

    doc_id: str
    start: int
    end: int
    text: str
    kind: MentionKind = MentionKind.TOPONYM
    # What found it: "ner", "gazetteer", "ner+gazetteer", "fuzzy", "alias".
    found_by: str = "gazetteer"
    # A feature cue read next to the mention ("air base", "province"), normalised.
    cue: str = ""


class Feature(StrEnum):
    COUNTRY = "country"
    ADMIN = "admin"
    CITY = "city"
    AIRBASE = "airbase"
    AIRPORT = "airport"
    REGION = "region"
    # A strategic site: nuclear site, refinery, oil terminal, plant, depot, port, dam
    # (data/sites.csv).
    FACILITY = "facility"
    OTHER = "other"


@dataclass(frozen=True)
class GazetteerEntry:
    """One place of the gazetteer: what a mention can resolve to.

    ``gazetteer_id`` is ``geonames:<id>`` for GeoNames places, ``icao:<code>`` (or
    ``ourairports:<ident>`` where there is no ICAO code) for airfields, ``country:<ISO2>``
    for countries, ``admin:<ISO2>.<code>`` for first-level divisions, ``alias:<key>`` for
    rows of ``data/aliases.csv`` that add a place, ``online:<provider>:<id>`` for answers
    of the online geocoder, ``pin:<name key>`` for coordinates a user pinned.
    """

    gazetteer_id: str
    name: str
    lat: float
    lon: float
    country: str  # ISO 3166-1 alpha-2, "" where none (seas, regions)
    feature: Feature
    population: int = 0
    admin1: str = ""
    source: str = ""


@dataclass(frozen=True)
class Place:
    """A mention resolved to a gazetteer entry, with how sure the resolver is (0..1)."""

    mention: Mention
    entry: GazetteerEntry | None
    confidence: float
    # Why this entry won, for the user ("qualifier 'Syria'", "air base cue", "population").
    reason: str = ""
    candidates: tuple[GazetteerEntry, ...] = ()

    @property
    def resolved(self) -> bool:
        return self.entry is not None


class Role(StrEnum):
    BASE = "base"
    TARGET = "target"
    TRANSIT = "transit"
    MENTION = "mention"


@dataclass(frozen=True)
class Evidence:
    """The sentence of an article that supports a role or a path, and the cue in it."""

    doc_id: str
    sentence: str
    start: int
    end: int
    cue: str = ""


@dataclass(frozen=True)
class PlaceRole:
    """The part a resolved place plays in one article."""

    place: Place
    role: Role
    confidence: float
    evidence: Evidence | None = None


@dataclass(frozen=True)
class Report:
    """One article's backing of a flight path."""

    doc_id: str
    source: str
    published: dt.date | None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class FlightPath:
    """A base linked to a strike target along the geodesic between them."""

    origin: GazetteerEntry
    target: GazetteerEntry
    # (lat, lon) points densified along the great circle; may cross the antimeridian.
    route: tuple[tuple[float, float], ...]
    distance_km: float
    bearing: float
    countries: tuple[str, ...]
    reports: tuple[Report, ...]
    confidence: float
    inferred: bool = False
    dates: tuple[dt.date, ...] = ()
    # Who struck and with what, as the reports name them (geo.strikes.events).
    actors: tuple[str, ...] = ()
    means: tuple[str, ...] = ()
    # The origin is an area drawn from its point nearest the target (dashed on maps).
    approximate: bool = False

    @property
    def docs(self) -> tuple[str, ...]:
        return tuple(r.doc_id for r in self.reports)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.source for r in self.reports))


@dataclass(frozen=True)
class Analysis:
    """Everything the pipeline learnt from a set of articles."""

    articles: tuple[Article, ...]
    places: tuple[Place, ...]
    roles: tuple[PlaceRole, ...] = ()
    paths: tuple[FlightPath, ...] = ()
    problems: tuple[LoadProblem, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    # Strike events of each article (geo.strikes.events.StrikeEvent); merged into
    # incidents by geo.strikes.incidents.
    events: tuple[Any, ...] = ()
