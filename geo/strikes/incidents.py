"""Reports of one strike across articles merged into one incident, as Airwars counts them.

Two events are one incident when they share a target within ``INCIDENT_KM`` and their
dates lie within ``INCIDENT_DAYS`` of each other (an event without dates matches on
place alone). Merging is transitive (union-find), so a chain of reports makes one
incident. Both windows are settings: ``GEO_INCIDENT_KM`` and ``GEO_INCIDENT_DAYS``.

An incident's confidence grows with its independent outlets, as a path's does: each
outlet counts once with its best report, ``1 - prod(1 - c)``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from geo.links import distance_km
from geo.models import Evidence
from geo.strikes.events import EventPlace, StrikeEvent

INCIDENT_KM = 10.0
INCIDENT_DAYS = 2
MAX_CONFIDENCE = 0.99


@dataclass(frozen=True)
class IncidentWindows:
    km: float = INCIDENT_KM
    days: int = INCIDENT_DAYS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> IncidentWindows:
        """The windows from ``GEO_INCIDENT_KM`` and ``GEO_INCIDENT_DAYS``; a bad value
        raises ``ValueError`` naming the variable."""
        env = os.environ if environ is None else environ
        try:
            km = float(env.get("GEO_INCIDENT_KM", INCIDENT_KM))
            days = int(env.get("GEO_INCIDENT_DAYS", INCIDENT_DAYS))
        except ValueError as err:
            raise ValueError(f"GEO_INCIDENT_KM / GEO_INCIDENT_DAYS: not a number ({err})") from err
        if km < 0 or days < 0:
            raise ValueError(f"GEO_INCIDENT_KM / GEO_INCIDENT_DAYS must not be negative, "
                             f"got {km}, {days}")
        return cls(km, days)


@dataclass(frozen=True)
class Incident:
    """One strike as every report of it tells it."""

    events: tuple[StrikeEvent, ...]
    confidence: float

    @property
    def targets(self) -> tuple[EventPlace, ...]:
        return tuple({t.entry.gazetteer_id: t for e in self.events for t in e.targets}.values())

    @property
    def origins(self) -> tuple[EventPlace, ...]:
        return tuple({e.origin.entry.gazetteer_id: e.origin for e in self.events
                      if e.origin is not None}.values())

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.source for e in self.events))

    @property
    def docs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.doc_id for e in self.events))

    @property
    def actors(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.actor for e in self.events if e.actor))

    @property
    def actor_countries(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.actor_country for e in self.events if e.actor_country))

    @property
    def means(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m for e in self.events for m in e.means))

    @property
    def dates(self) -> tuple[dt.date, ...]:
        return tuple(sorted({d for e in self.events for d in e.dates}))

    @property
    def date_precision(self) -> str:
        """The finest precision any report gives."""
        order = ("day", "week", "month")
        return min((e.date_precision.value for e in self.events), key=order.index)

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        return tuple(dict.fromkeys(ev for e in self.events for ev in e.evidence))

    @property
    def approximate(self) -> bool:
        return all(e.approximate for e in self.events)


def _same_strike(a: StrikeEvent, b: StrikeEvent, windows: IncidentWindows) -> bool:
    near = any(ta.entry.gazetteer_id == tb.entry.gazetteer_id
               or distance_km(ta.entry, tb.entry) <= windows.km
               for ta in a.targets for tb in b.targets)
    if not near:
        return False
    if not a.dates or not b.dates:
        return True
    return any(abs((da - db).days) <= windows.days for da in a.dates for db in b.dates)


def _confidence(events: Sequence[StrikeEvent]) -> float:
    best: dict[str, float] = {}
    for event in events:
        source = event.source.strip().lower()
        key = f"doc:{event.doc_id}" if source in ("", "unknown") else source
        best[key] = max(best.get(key, 0.0), event.confidence)
    doubt = 1.0
    for confidence in best.values():
        doubt *= 1.0 - confidence
    return round(min(MAX_CONFIDENCE, 1.0 - doubt), 3)


def merge_incidents(events: Sequence[StrikeEvent], windows: IncidentWindows | None = None
                    ) -> tuple[Incident, ...]:
    """The incidents of the events (see the module docstring), surest first."""
    windows = windows or IncidentWindows()
    parent = list(range(len(events)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(events)):
        for j in range(i + 1, len(events)):
            if root(i) != root(j) and _same_strike(events[i], events[j], windows):
                parent[root(j)] = root(i)
    groups: dict[int, list[StrikeEvent]] = {}
    for i, event in enumerate(events):
        groups.setdefault(root(i), []).append(event)
    incidents = [Incident(tuple(group), _confidence(group)) for group in groups.values()]
    incidents.sort(key=lambda inc: (-inc.confidence, inc.targets[0].entry.name
                                    if inc.targets else ""))
    return tuple(incidents)
