"""Flight paths: links of all articles merged per (origin, target), with their geometry.

:func:`infer_paths` is the entry point: roles (:mod:`geo.roles`), then links
(:mod:`geo.links`), then one :class:`FlightPath` per origin and target however many
articles report it, listing one :class:`Report` per article.

Confidence. Each report counts with its best link's confidence; reports of one outlet are
not independent, so an outlet counts once, with its best report; outlets combine as
independent witnesses, ``1 - prod(1 - c)``, so confidence grows with every further
outlet. An article whose outlet is unknown counts as an outlet of its own.

Dates. A path carries its articles' publication dates and every explicit date in its
evidence: "Aug. 16, 2016", "16 August", "2016-08-16", and a weekday ("Tuesday") read as
the latest such day on or before the publication date. Dates without a year, and
weekdays, need the publication date; without it they are left out.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import dateparser

from geo.geodesy import Route, geodesic_route
from geo.links import AREA_KM, Link, distance_km, link_places
from geo.models import (
    Article,
    Evidence,
    Feature,
    FlightPath,
    GazetteerEntry,
    MentionKind,
    Place,
    PlaceRole,
    Report,
    Role,
)
from geo.roles import RoleReading, read_roles
from geo.strikes.events import StrikeEvent, read_all_events

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

ROUTE_STEP_KM = 20.0
MAX_CONFIDENCE = 0.99
UNKNOWN_SOURCES = frozenset({"", "unknown"})

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
          r"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_DATE_RE = re.compile(
    rf"\b(?:{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?|{_DAY}\s+{_MONTH}(?:,?\s+{_YEAR})?|"
    rf"{_YEAR}-[01]\d-[0-3]\d)\b"
)
_HAS_YEAR_RE = re.compile(_YEAR)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_RE = re.compile(rf"\b({'|'.join(WEEKDAYS)})\b")
_YESTERDAY_RE = re.compile(r"\byesterday\b", re.IGNORECASE)

RouteFn = Callable[[tuple[float, float], tuple[float, float]], Route]
CountriesFn = Callable[[Sequence[tuple[float, float]]], tuple[str, ...]]


@dataclass(frozen=True)
class TransitCheck:
    """Countries the text says were flown over, against those the route crosses."""

    named: tuple[str, ...]
    on_route: tuple[str, ...]
    off_route: tuple[str, ...]

    @property
    def consistent(self) -> bool:
        return not self.off_route


def infer_paths(
    articles: Sequence[Article], places: Sequence[Place], *, nlp: Language | None = None
) -> tuple[tuple[PlaceRole, ...], tuple[FlightPath, ...]]:
    """Roles of the resolved places, and the flight paths the articles report."""
    roles, paths, _ = infer_strikes(articles, places, nlp=nlp)
    return roles, paths


def infer_strikes(
    articles: Sequence[Article], places: Sequence[Place], *, nlp: Language | None = None
) -> tuple[tuple[PlaceRole, ...], tuple[FlightPath, ...], tuple[StrikeEvent, ...]]:
    """Roles, flight paths and the strike events of each article."""
    if nlp is None:
        from geo.nlp import load_nlp  # cached; loaded only when roles are wanted

        nlp = load_nlp()
    readings = read_roles(articles, places, nlp)
    links = link_places(articles, readings)
    events = read_all_events(articles, readings)
    paths = build_paths(articles, links, readings, events=events)
    log.info("%d articles: %d links, %d paths, %d events", len(articles), len(links),
             len(paths), len(events))
    return tuple(r.role for r in readings), paths, events


def build_paths(
    articles: Sequence[Article],
    links: Sequence[Link],
    readings: Sequence[RoleReading],
    *,
    route: RouteFn | None = None,
    countries: CountriesFn | None = None,
    events: Sequence[StrikeEvent] | None = None,
) -> tuple[FlightPath, ...]:
    """One path per (origin, target), merging the links of every article; its actors and
    means come from the articles' strike events (read here when not given)."""
    route = route or _route
    countries = countries or countries_crossed
    by_id = {a.doc_id: a for a in articles}
    if events is None:
        events = read_all_events(articles, readings)
    doc_events: dict[str, list[StrikeEvent]] = defaultdict(list)
    for event in events:
        doc_events[event.doc_id].append(event)
    transit = _transit_readings(readings)
    groups: dict[tuple[str, str], list[Link]] = defaultdict(list)
    for link in links:
        groups[(link.origin.gazetteer_id, link.target.gazetteer_id)].append(link)
    paths: list[FlightPath] = []
    for group in groups.values():
        origin, target = group[0].origin, group[0].target
        line = route((origin.lat, origin.lon), (target.lat, target.lon))
        crossed = countries(line.points)
        reports = _reports(group, by_id, transit, crossed)
        dates = sorted({d for report in reports for d in _report_dates(report)})
        told = [e for link in group for e in doc_events.get(link.doc_id, ())
                if _tells_of(e, target)]
        paths.append(FlightPath(
            origin=origin, target=target, route=line.points,
            distance_km=round(line.distance_km, 1), bearing=round(line.initial_bearing, 1),
            countries=crossed, reports=reports, confidence=path_confidence(group, by_id),
            inferred=all(link.inferred for link in group), dates=tuple(dates),
            actors=tuple(dict.fromkeys(e.actor_country or e.actor for e in told if e.actor)),
            means=tuple(dict.fromkeys(m for e in told for m in e.means)),
            approximate=any(link.approximate for link in group),
        ))
    paths.sort(key=lambda p: (-p.confidence, p.origin.name, p.target.name))
    return tuple(paths)


def _tells_of(event: StrikeEvent, target: GazetteerEntry) -> bool:
    """Whether an article's event struck the path's target (or the same area of it)."""
    return any(t.entry.gazetteer_id == target.gazetteer_id
               or distance_km(t.entry, target) <= AREA_KM for t in event.targets)


def _route(origin: tuple[float, float], target: tuple[float, float]) -> Route:
    return geodesic_route(origin, target, step_km=ROUTE_STEP_KM)


def countries_crossed(points: Sequence[tuple[float, float]]) -> tuple[str, ...]:
    """ISO codes of the countries a route crosses, in order (the one call into borders)."""
    from geo.borders import countries_along  # reads Natural Earth once, on first use

    try:
        return countries_along(points)
    except (OSError, ValueError) as error:
        log.warning("countries along a route unknown: %s", error)
        return ()


def source_key(article: Article | None, doc_id: str) -> str:
    """The outlet an article counts for; an unknown outlet is its own."""
    source = article.source.strip().lower() if article else ""
    return f"doc:{doc_id}" if source in UNKNOWN_SOURCES else source


def path_confidence(links: Sequence[Link], articles: dict[str, Article]) -> float:
    """Best link per outlet, combined as independent witnesses (see module docstring)."""
    best: dict[str, float] = {}
    for link in links:
        key = source_key(articles.get(link.doc_id), link.doc_id)
        best[key] = max(best.get(key, 0.0), link.confidence)
    doubt = 1.0
    for confidence in best.values():
        doubt *= 1.0 - confidence
    return round(min(MAX_CONFIDENCE, 1.0 - doubt), 3)


def _transit_readings(readings: Iterable[RoleReading]) -> dict[str, list[RoleReading]]:
    """Per article, the countries read as flown over."""
    found: dict[str, list[RoleReading]] = defaultdict(list)
    for reading in readings:
        entry = reading.place.entry
        if reading.role.role is Role.TRANSIT and entry is not None and entry.country and (
                entry.feature is Feature.COUNTRY
                or reading.place.mention.kind is MentionKind.DEMONYM):
            found[reading.place.mention.doc_id].append(reading)
    return found


def _reports(links: Sequence[Link], articles: dict[str, Article],
             transit: dict[str, list[RoleReading]], crossed: tuple[str, ...]
             ) -> tuple[Report, ...]:
    by_doc: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        by_doc[link.doc_id].append(link)
    reports = []
    for doc_id, doc_links in by_doc.items():
        article = articles.get(doc_id)
        evidence: list[Evidence] = [e for link in sorted(doc_links, key=lambda k: -k.confidence)
                                    for e in link.evidence]
        for reading in transit.get(doc_id, ()):
            if reading.role.evidence is None or reading.place.entry is None:
                continue
            code = reading.place.entry.country
            verdict = "crossed by the route" if code in crossed else "not on the route"
            evidence.append(replace(reading.role.evidence,
                                    cue=f"transit: {reading.role.evidence.cue}; {code} {verdict}"))
        reports.append(Report(
            doc_id=doc_id,
            source=article.source if article else "unknown",
            published=article.published if article else None,
            evidence=_merge_evidence(evidence),
        ))
    reports.sort(key=lambda r: (r.published or dt.date.max, r.doc_id))
    return tuple(reports)


def _merge_evidence(evidence: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """One evidence per sentence, its cues joined, in the order first given."""
    merged: dict[tuple[str, int, int], Evidence] = {}
    for item in evidence:
        key = (item.doc_id, item.start, item.end)
        old = merged.get(key)
        if old is None:
            merged[key] = item
        elif item.cue and item.cue not in old.cue.split(" | "):
            merged[key] = replace(old, cue=f"{old.cue} | {item.cue}" if old.cue else item.cue)
    return tuple(merged.values())


def _report_dates(report: Report) -> set[dt.date]:
    dates = {report.published} if report.published else set()
    for evidence in report.evidence:
        dates.update(evidence_dates(evidence.sentence, report.published))
    return dates


def evidence_dates(text: str, published: dt.date | None) -> tuple[dt.date, ...]:
    """Explicit dates in a sentence, weekdays read against the publication date."""
    found: set[dt.date] = set()
    for match in _DATE_RE.finditer(text):
        date = _parse_date(match.group(), published)
        if date is not None:
            found.add(date)
    if published is not None:
        for match in _WEEKDAY_RE.finditer(text):
            back = (published.weekday() - WEEKDAYS.index(match.group(1))) % 7
            found.add(published - dt.timedelta(days=back))
        if _YESTERDAY_RE.search(text):
            found.add(published - dt.timedelta(days=1))
    return tuple(sorted(found))


def _parse_date(text: str, published: dt.date | None) -> dt.date | None:
    """A matched date; without a year it is the latest such day on or before publication."""
    has_year = bool(_HAS_YEAR_RE.search(text))
    if not has_year and published is None:
        return None
    settings: dict[str, object] = {"PREFER_DATES_FROM": "past",
                                   "REQUIRE_PARTS": ["day", "month"]}
    if published is not None:
        settings["RELATIVE_BASE"] = dt.datetime.combine(published, dt.time(23, 59))
    parsed = dateparser.parse(text.replace(".", " "), languages=["en"], settings=settings)
    return parsed.date() if parsed else None


def transit_check(path: FlightPath, roles: Iterable[PlaceRole]) -> TransitCheck:
    """Whether the countries the path's articles say were flown over are on its route."""
    docs = set(path.docs)
    named: list[str] = []
    for role in roles:
        place = role.place
        entry = place.entry
        if (role.role is Role.TRANSIT and place.mention.doc_id in docs and entry is not None
                and entry.country and (entry.feature is Feature.COUNTRY
                                       or place.mention.kind is MentionKind.DEMONYM)):
            named.append(entry.country)
    unique = tuple(dict.fromkeys(named))
    return TransitCheck(
        named=unique,
        on_route=tuple(c for c in unique if c in path.countries),
        off_route=tuple(c for c in unique if c not in path.countries),
    )


def path_notes(path: FlightPath, roles: Iterable[PlaceRole] = ()) -> tuple[str, ...]:
    """Plain-language caveats of a path, for the user."""
    notes = []
    if len(path.sources) == 1:
        notes.append(f"reported by one source only ({path.sources[0]})")
    if path.inferred:
        notes.append("base inferred from other reports of the same operation")
    check = transit_check(path, roles)
    if check.on_route:
        notes.append(f"text says it flew over {', '.join(check.on_route)}: on the route")
    if check.off_route:
        notes.append(f"text says it flew over {', '.join(check.off_route)}: NOT on the route")
    return tuple(notes)
