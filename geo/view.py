"""What a map, an export or the dashboard shows: one filter and one grouping for all.

:func:`filter_analysis` narrows an :class:`Analysis` to chosen sources, roles, dates and a
confidence floor; :func:`place_summaries` folds the per-article place-roles into one item
per place and role, which is what a map marker or a GeoJSON point stands for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from geo.models import (
    Analysis,
    Article,
    Feature,
    FlightPath,
    GazetteerEntry,
    Place,
    PlaceRole,
    Role,
)

DateRange = tuple[dt.date | None, dt.date | None]


def _in_range(day: dt.date | None, date_range: DateRange | None) -> bool:
    # Undated articles stay: dropping them would hide evidence just for lacking a date.
    if date_range is None or day is None:
        return True
    start, end = date_range
    return (start is None or day >= start) and (end is None or day <= end)


def effective_roles(analysis: Analysis) -> tuple[PlaceRole, ...]:
    """The place-roles, plus a MENTION role for each resolved place that has none.

    The role step may leave plain mentions out; they still belong on the map.
    """
    has_role = {r.place for r in analysis.roles}
    extra = tuple(
        PlaceRole(place=p, role=Role.MENTION, confidence=p.confidence)
        for p in analysis.places
        if p.resolved and p not in has_role
    )
    return tuple(_as_shown(r) for r in analysis.roles) + extra


def _as_shown(role: PlaceRole) -> PlaceRole:
    """A country read as a base or target ("Iranian bases", "strikes in Syria") is shown as
    a mention: a symbol at its centre would claim a launch site or impact point there.
    Flight paths still use such readings (a base country completes a link)."""
    entry = role.place.entry
    if (entry is not None and entry.feature in (Feature.COUNTRY, Feature.REGION)
            and role.role in (Role.BASE, Role.TARGET)):
        return PlaceRole(role.place, Role.MENTION, role.confidence, role.evidence)
    return role


def _narrow_path(
    path: FlightPath, sources: Collection[str] | None, date_range: DateRange | None
) -> FlightPath | None:
    kept = tuple(
        r
        for r in path.reports
        if (sources is None or r.source in sources) and _in_range(r.published, date_range)
    )
    if not kept:
        return None
    if len(kept) == len(path.reports) and date_range is None:
        return path
    kept_days = {r.published for r in kept}
    # A date only a dropped report gave goes with it; dates read from the text stay.
    dropped_days = {r.published for r in path.reports if r not in kept} - kept_days
    dates = tuple(d for d in path.dates if d not in dropped_days and _in_range(d, date_range))
    return dataclasses.replace(path, reports=kept, dates=dates)


def filter_analysis(
    analysis: Analysis,
    *,
    sources: Collection[str] | None = None,
    roles: Collection[Role] | None = None,
    min_confidence: float = 0.0,
    date_range: DateRange | None = None,
) -> Analysis:
    """The part of ``analysis`` the chosen sources, roles, dates and confidence back.

    ``None`` means "all". A place-role stays when its article's source is selected, its
    role is selected and its confidence reaches ``min_confidence``. A flight path stays
    when any of its reports is from a selected source (its reports are narrowed to those)
    and its confidence reaches ``min_confidence``; ``roles`` does not touch paths. A strike
    event stays when its article does and its confidence reaches ``min_confidence``.
    Undated articles and reports pass any ``date_range``.
    """
    wanted_roles = None if roles is None else {Role(r) for r in roles}
    articles: tuple[Article, ...] = tuple(
        a
        for a in analysis.articles
        if (sources is None or a.source in sources) and _in_range(a.published, date_range)
    )
    kept_docs = {a.doc_id for a in articles}
    known_docs = {a.doc_id for a in analysis.articles}

    def doc_kept(doc_id: str) -> bool:
        # A doc the analysis does not list cannot be judged by source: keep it unless
        # a source filter is on.
        return doc_id in kept_docs or (doc_id not in known_docs and sources is None)

    place_roles = tuple(
        r
        for r in effective_roles(analysis)
        if doc_kept(r.place.mention.doc_id)
        and (wanted_roles is None or r.role in wanted_roles)
        and r.confidence >= min_confidence
    )
    with_role = {r.place for r in place_roles}
    # A resolved place keeps only with a kept role: otherwise filtering the result again
    # would hand it a made-up MENTION role (see effective_roles).
    places: tuple[Place, ...] = tuple(
        p
        for p in analysis.places
        if doc_kept(p.mention.doc_id)
        and p.confidence >= min_confidence
        and (p in with_role or not p.resolved)
    )
    paths = tuple(
        narrowed
        for p in analysis.paths
        if p.confidence >= min_confidence
        and (narrowed := _narrow_path(p, sources, date_range)) is not None
    )
    # A strike event stands or falls with its article, as the article's places do.
    events = tuple(e for e in analysis.events
                   if doc_kept(e.doc_id) and e.confidence >= min_confidence)
    return dataclasses.replace(
        analysis, articles=articles, places=places, roles=place_roles, paths=paths,
        events=events,
    )


@dataclass(frozen=True)
class PlaceSummary:
    """One place in one role, over every article that gives it that role."""

    entry: GazetteerEntry
    role: Role
    confidence: float  # the highest over its articles
    docs: tuple[str, ...]
    sources: tuple[str, ...]
    names: tuple[str, ...]  # how the articles wrote it
    evidence: tuple[str, ...]  # supporting sentences, first seen first


def place_summaries(analysis: Analysis) -> list[PlaceSummary]:
    """Place-roles grouped by (gazetteer entry, role), in first-seen order.

    Pass the result of :func:`filter_analysis`, whose roles include plain mentions.
    """
    source_of = {a.doc_id: a.source for a in analysis.articles}
    groups: dict[tuple[str, Role], list[PlaceRole]] = {}
    entries: dict[str, GazetteerEntry] = {}
    for pr in analysis.roles:
        entry = pr.place.entry
        if entry is None:
            continue
        entries[entry.gazetteer_id] = entry
        groups.setdefault((entry.gazetteer_id, pr.role), []).append(pr)
    out = []
    for (gid, role), items in groups.items():
        docs = tuple(dict.fromkeys(pr.place.mention.doc_id for pr in items))
        out.append(
            PlaceSummary(
                entry=entries[gid],
                role=role,
                confidence=max(pr.confidence for pr in items),
                docs=docs,
                sources=tuple(dict.fromkeys(source_of.get(d, "unknown") for d in docs)),
                names=tuple(dict.fromkeys(pr.place.mention.text for pr in items)),
                evidence=tuple(
                    dict.fromkeys(pr.evidence.sentence for pr in items if pr.evidence)
                ),
            )
        )
    return out


def source_of_doc(analysis: Analysis) -> dict[str, str]:
    """Each article's source, by doc id."""
    return {a.doc_id: a.source for a in analysis.articles}
