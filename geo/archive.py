"""What the dashboard shows of a large analysis store, as aggregates the store computes.

A store of 100,000 articles holds millions of mentions: the browser gets at most
``MAX_MAP_PLACES`` places (those most mentioned under the filters, one symbol per place and
role), the timeline counts per day, the paths the store merged at its last write, and
tables of counts. Every figure is one DuckDB query over the ``places`` and ``articles``
tables, so the page opens in a second or two however many articles there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geo.models import (
    Analysis,
    Evidence,
    Feature,
    FlightPath,
    GazetteerEntry,
    Mention,
    MentionKind,
    Place,
    PlaceRole,
    Role,
)
from geo.store.db import AnalysisStore
from geo.view import DateRange, filter_analysis

# Each symbol costs the map's HTML and the browser; the most mentioned tell the story.
MAX_MAP_PLACES = 500


@dataclass(frozen=True)
class ArchiveFilters:
    """The dashboard's filters, as the store's queries take them."""

    sources: tuple[str, ...] | None = None  # None: every outlet
    roles: tuple[Role, ...] = tuple(Role)
    start: dt.date | None = None
    end: dt.date | None = None
    min_confidence: float = 0.0

    def where(self) -> tuple[str, list[Any]]:
        """The SQL condition on ``places`` and its parameters. Undated articles stay, as
        in ``geo.view``: dropping them would hide evidence for lacking a date."""
        clauses = ["gazetteer_id IS NOT NULL", "confidence >= ?",
                   "coalesce(role, 'mention') IN (SELECT unnest(?))"]
        params: list[Any] = [self.min_confidence, [r.value for r in self.roles]]
        if self.sources is not None:
            clauses.append("source IN (SELECT unnest(?))")
            params.append(list(self.sources))
        if self.start is not None:
            clauses.append("(published IS NULL OR published >= ?)")
            params.append(self.start)
        if self.end is not None:
            clauses.append("(published IS NULL OR published <= ?)")
            params.append(self.end)
        return " AND ".join(clauses), params


@dataclass(frozen=True)
class Overview:
    articles: int
    mentions: int
    sources: tuple[str, ...]
    first: dt.date | None
    last: dt.date | None


def overview(store: AnalysisStore) -> Overview:
    frame = store.query("SELECT count(*) AS n, min(published) AS first, max(published) AS last "
                        "FROM articles")
    sources = store.query("SELECT DISTINCT source FROM articles ORDER BY source")
    mentions = store.query("SELECT count(*) AS n FROM places WHERE gazetteer_id IS NOT NULL")
    return Overview(int(frame["n"][0]), int(mentions["n"][0]),
                    tuple(str(s) for s in sources["source"]),
                    _date(frame["first"][0]), _date(frame["last"][0]))


def _date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, float) and value != value):  # NaN / NaT
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def top_places(store: AnalysisStore, filters: ArchiveFilters, limit: int = MAX_MAP_PLACES
               ) -> Any:
    """One row per place and role: mentions, articles, best confidence, first and last
    date; the most mentioned first."""
    where, params = filters.where()
    return store.query(
        "SELECT gazetteer_id, coalesce(role, 'mention') AS role, any_value(name) AS name, "
        "any_value(lat) AS lat, any_value(lon) AS lon, any_value(country) AS country, "
        "any_value(feature) AS feature, count(*) AS mentions, "
        "count(DISTINCT doc_id) AS articles, max(confidence) AS confidence, "
        "min(published) AS first, max(published) AS last "
        f"FROM places WHERE {where} GROUP BY gazetteer_id, coalesce(role, 'mention') "
        "ORDER BY mentions DESC, gazetteer_id LIMIT ?", [*params, limit])


def daily_counts(store: AnalysisStore, filters: ArchiveFilters) -> Any:
    """Mentions per publication day and role (for the timeline)."""
    where, params = filters.where()
    return store.query(
        "SELECT published AS day, coalesce(role, 'mention') AS role, count(*) AS mentions "
        f"FROM places WHERE {where} AND published IS NOT NULL GROUP BY ALL ORDER BY day",
        params)


def latest_articles(store: AnalysisStore, filters: ArchiveFilters, limit: int = 200) -> Any:
    where, params = filters.where()
    return store.query(
        "SELECT a.doc_id, a.published, a.source, a.title, p.places FROM articles a JOIN "
        f"(SELECT doc_id, count(*) AS places FROM places WHERE {where} GROUP BY doc_id) p "
        "USING (doc_id) ORDER BY a.published DESC NULLS LAST, a.doc_id LIMIT ?",
        [*params, limit])


def map_analysis(store: AnalysisStore, filters: ArchiveFilters,
                 limit: int = MAX_MAP_PLACES) -> Analysis:
    """What the map draws: the top places as one representative place-role each, and the
    store's merged paths narrowed to the filters' outlets and dates."""
    rows = top_places(store, filters, limit)
    places: list[Place] = []
    roles: list[PlaceRole] = []
    for row in rows.itertuples(index=False):
        entry = GazetteerEntry(gazetteer_id=str(row.gazetteer_id), name=str(row.name),
                               lat=float(row.lat), lon=float(row.lon),
                               country=str(row.country or ""), feature=Feature(row.feature))
        mention = Mention(doc_id=f"{int(row.articles)} articles", start=0, end=0,
                          text=str(row.name), kind=MentionKind.TOPONYM)
        place = Place(mention, entry, float(row.confidence),
                      reason=f"{int(row.mentions):,} mentions in {int(row.articles):,} "
                             "articles")
        places.append(place)
        roles.append(PlaceRole(place, Role(row.role), float(row.confidence),
                               Evidence(mention.doc_id, place.reason, 0, 0)))
    paths: Sequence[FlightPath] = store.paths()
    dates: DateRange | None = (filters.start, filters.end) if (filters.start or filters.end) \
        else None
    view = filter_analysis(Analysis(articles=(), places=(), paths=tuple(paths)),
                           sources=filters.sources, date_range=dates,
                           min_confidence=filters.min_confidence)
    return Analysis(articles=(), places=tuple(places), roles=tuple(roles), paths=view.paths)
