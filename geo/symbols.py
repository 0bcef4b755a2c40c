"""What a map draws: one symbol per place and role, with its label's priority and its days.

Both the interactive map (:mod:`geo.render`) and the slide image (:mod:`geo.slide`) draw
from :func:`map_symbols`, so they agree on which places get a symbol, which label wins
where labels collide, and what a time control shows on which day.

Two folds keep the map from saying the same thing twice:

- a first-level division and a place of the same name and country that play the same
  role ("strikes in Idlib" read as the governorate in one article and the city in
  another) become one symbol at the place's point, with both in its popup;
- a place drawn as a base, target or transit point is not drawn again as a mere mention;
  the mention joins the operational symbol's popup.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from geo.models import Analysis, Feature, FlightPath, GazetteerEntry, Role
from geo.normalize import name_key
from geo.view import PlaceSummary, place_summaries

OPERATIONAL = (Role.BASE, Role.TARGET, Role.TRANSIT)
# Label importance by role: what a briefer must read first wins a collision.
_ROLE_WEIGHT = {Role.TARGET: 400.0, Role.BASE: 390.0, Role.TRANSIT: 200.0, Role.MENTION: 0.0}
# A path's distance label ranks between transit points and mentions.
PATH_LABEL_PRIORITY = 150.0
# A strike's actor and date: just below a path's distance, above the base map's names.
EVENT_LABEL_PRIORITY = 140.0
# Mentioned places are labelled only from this zoom on (they cluster below it anyway).
MENTION_LABEL_ZOOM = 7


@dataclass(frozen=True)
class MapSymbol:
    """One symbol on the map: where it stands, its role, and every summary folded into it."""

    entry: GazetteerEntry  # the point drawn (a place's own point over its division's)
    role: Role
    parts: tuple[PlaceSummary, ...]  # the drawn summary first, then what was folded in
    priority: float  # higher wins a label collision
    days: tuple[dt.date, ...]  # event days (paths' dates, else the articles'), sorted

    @property
    def label(self) -> str:
        return self.entry.name

    @property
    def label_zoom(self) -> int:
        """The lowest zoom at which the label is shown."""
        return MENTION_LABEL_ZOOM if self.role is Role.MENTION else 0

    @property
    def docs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d for p in self.parts for d in p.docs))

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for p in self.parts for s in p.sources))


def _priority(role: Role, parts: Iterable[PlaceSummary]) -> float:
    items = list(parts)
    docs = len({d for p in items for d in p.docs})
    confidence = max(p.confidence for p in items)
    # More reports and a surer reading rank higher within a role; never across roles.
    return _ROLE_WEIGHT[role] + min(90.0, 20.0 * math.log2(1 + docs)) + 10.0 * confidence


def _path_days(paths: Iterable[FlightPath]) -> dict[str, set[dt.date]]:
    days: dict[str, set[dt.date]] = {}
    for path in paths:
        dates = set(path.dates) or {r.published for r in path.reports if r.published}
        for entry in (path.origin, path.target):
            days.setdefault(entry.gazetteer_id, set()).update(dates)
    return days


def path_days(path: FlightPath) -> tuple[dt.date, ...]:
    """The days a path's strikes happened: dates read from the reports, else publication."""
    dates = set(path.dates) or {r.published for r in path.reports if r.published}
    return tuple(sorted(dates))


def _same_name_key(entry: GazetteerEntry) -> tuple[str, str]:
    return (name_key(entry.name), entry.country)


def map_symbols(view: Analysis) -> list[MapSymbol]:
    """The symbols of a filtered analysis (see :func:`geo.view.filter_analysis`).

    In first-seen order of (role, name); the renderer decides what is drawn on top.
    """
    summaries = place_summaries(view)
    published = {a.doc_id: a.published for a in view.articles}
    by_path = _path_days(view.paths)

    # Fold each operational division into a same-named place of the same role.
    groups: dict[tuple[Role, str, str], list[PlaceSummary]] = {}
    for item in summaries:
        groups.setdefault((item.role, *_same_name_key(item.entry)), []).append(item)

    def ordered(items: list[PlaceSummary]) -> list[PlaceSummary]:
        # A division is drawn at its own point only when no place shares its name.
        return sorted(items, key=lambda s: s.entry.feature is Feature.ADMIN)

    operational_keys: dict[tuple[str, str], tuple[Role, str, str]] = {}
    operational_ids: dict[str, tuple[Role, str, str]] = {}
    for key, items in groups.items():
        if key[0] in OPERATIONAL:
            # The first operational role seen for a name keeps its mentions.
            operational_keys.setdefault(key[1:], key)
            for item in items:
                operational_ids.setdefault(item.entry.gazetteer_id, key)

    folded_mentions: dict[tuple[Role, str, str], list[PlaceSummary]] = {}
    out: list[MapSymbol] = []
    for key, items in groups.items():
        role = key[0]
        if role is Role.MENTION:
            kept: list[PlaceSummary] = []
            for item in items:
                home = operational_ids.get(item.entry.gazetteer_id) or operational_keys.get(
                    key[1:]
                )
                if home is not None:
                    folded_mentions.setdefault(home, []).append(item)
                else:
                    kept.append(item)
            items = kept
            if not items:
                continue
            # Same-named mentions are folded only when one is a division.
            if not any(i.entry.feature is Feature.ADMIN for i in items):
                for item in items:
                    out.append(_symbol(role, [item], published, by_path))
                continue
        parts = ordered(items)
        if not any(p.entry.feature is Feature.ADMIN for p in parts):
            for item in parts:
                out.append(_symbol(role, [item], published, by_path))
            continue
        out.append(_symbol(role, parts, published, by_path))

    if folded_mentions:
        out = [
            _with_mentions(symbol, folded_mentions.get(_key_of(symbol), []))
            for symbol in out
        ]
    return out


def _key_of(symbol: MapSymbol) -> tuple[Role, str, str]:
    return (symbol.role, *_same_name_key(symbol.parts[0].entry))


def _with_mentions(symbol: MapSymbol, mentions: list[PlaceSummary]) -> MapSymbol:
    if not mentions or symbol.role is Role.MENTION:
        return symbol
    # Only the first symbol of a key takes the mentions (keys are unique per role).
    return MapSymbol(
        entry=symbol.entry,
        role=symbol.role,
        parts=symbol.parts + tuple(m for m in mentions if m not in symbol.parts),
        priority=symbol.priority,
        days=symbol.days,
    )


def _symbol(
    role: Role,
    parts: list[PlaceSummary],
    published: dict[str, dt.date | None],
    by_path: dict[str, set[dt.date]],
) -> MapSymbol:
    days: set[dt.date] = set()
    for part in parts:
        days.update(by_path.get(part.entry.gazetteer_id, ()))
    if not days:
        days = {d for p in parts for doc in p.docs if (d := published.get(doc)) is not None}
    return MapSymbol(
        entry=parts[0].entry,
        role=role,
        parts=tuple(parts),
        priority=_priority(role, parts),
        days=tuple(sorted(days)),
    )
