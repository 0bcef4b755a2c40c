"""Strike events read from one article: who struck, with what, from where, on what, when.

:func:`read_events` is a pure function of an article and its role readings (the
per-article stage): the links of :func:`geo.links.link_article` give one event per origin,
with every target linked to it; struck places no base is linked to give events without an
origin (grouped by paragraph), and a country struck where nothing finer is named gives an
``approximate`` one. Merging reports across articles is :mod:`geo.strikes.incidents`.

- **Actor**: the place read as the actor of a strike or flight cue ("Russian jets
  struck", "Turkish jets"), else a force of ``data/forces.csv`` named in the evidence
  ("the Israeli military", "the Pentagon"), else a demonym there; as written, with its
  country.
- **Means**: aircraft, drones, missiles as written ("Tu-95MS bombers", "Tomahawk cruise
  missiles"), read from the evidence sentences.
- **Dates** and their precision, as ACLED codes them: ``day`` when the evidence names a
  date, a weekday or "yesterday"; ``week`` ("last week", or only the publication date:
  strikes are reported within days); ``month`` ("last month").
- **Place precision**: ``site`` (an air base, airport or facility), ``town``,
  ``province``, ``country`` (also seas and regions).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from geo.links import TARGET_FEATURES, Link, covered_areas, link_article
from geo.models import Article, Evidence, Feature, GazetteerEntry, MentionKind, Role
from geo.roles import RoleReading

FORCES_PATH = Path(__file__).resolve().parents[2] / "data" / "forces.csv"
FORCES_COLUMNS = ("name", "country", "kind", "source")
# An event with no origin is as sure as its target's role, less this (no route to back it).
NO_ORIGIN_FACTOR = 0.75
SPEAKER_KINDS = frozenset({"ministry", "government"})

_DESIGNATION = r"[A-Z][A-Za-z]{0,3}-\d+[A-Z0-9]*(?:/[A-Z0-9]+)?"
_MODIFIER = (rf"(?:{_DESIGNATION}|Tomahawk|Kalibr|Shahed|Iskander|Storm Shadow|stealth|cruise|"
             r"ballistic|hypersonic|attack|strategic|long-range|fighter|suicide|kamikaze|"
             r"anti-ship|surface-to-surface|land-attack|guided|unmanned|[A-Z][a-z]+)")
_HEAD = (r"(?:bombers?|jets?|fighters?|warplanes?|aircraft|planes?|drones?|missiles?|"
         r"rockets?|helicopters?|gunships?|UAVs?|B-\d+s|F-\d+s)")
_MEANS_RE = re.compile(rf"\b(?:{_MODIFIER}(?:\s+(?:and|or)\s+|[\s-]+))*{_HEAD}\b")
_LEADING_CAPITAL_RE = re.compile(r"^(?:(?:The|A|An|On|Two|Three|Four|Five|Six|Seven|Eight|"
                                 r"Nine|Ten|Twelve|More|Several|Dozens|Some|Monday|Tuesday|"
                                 r"Wednesday|Thursday|Friday|Saturday|Sunday)\s+)+")
_SAID_ITS_RE = re.compile(r"\s+(?:said|says|announced|claimed|confirmed)\s+(?:that\s+)?"
                          r"(?:its|their)\b")
_LAST_WEEK_RE = re.compile(r"\b(?:last|past|this)\s+week\b", re.IGNORECASE)
_LAST_MONTH_RE = re.compile(r"\b(?:last|past)\s+month\b", re.IGNORECASE)


class PlacePrecision(StrEnum):
    SITE = "site"
    TOWN = "town"
    PROVINCE = "province"
    COUNTRY = "country"


class DatePrecision(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


_PRECISION = {
    Feature.AIRBASE: PlacePrecision.SITE, Feature.AIRPORT: PlacePrecision.SITE,
    Feature.OTHER: PlacePrecision.SITE, Feature.CITY: PlacePrecision.TOWN,
    Feature.ADMIN: PlacePrecision.PROVINCE, Feature.COUNTRY: PlacePrecision.COUNTRY,
    Feature.REGION: PlacePrecision.COUNTRY,
}


class ForcesFileError(ValueError):
    """``data/forces.csv`` is missing a column, a source or a country."""


@dataclass(frozen=True)
class Force:
    name: str
    country: str
    kind: str


@dataclass(frozen=True)
class EventPlace:
    """A place of an event: the entry, the words that named it, how precise it is."""

    entry: GazetteerEntry
    text: str
    precision: PlacePrecision
    approximate: bool = False


@dataclass(frozen=True)
class StrikeEvent:
    """One strike an article reports (see the module docstring)."""

    doc_id: str
    source: str
    published: dt.date | None
    actor: str  # as written ("Russian", "IDF"); "" when the text names none
    actor_country: str  # ISO 3166 alpha-2, "" when unknown
    means: tuple[str, ...]
    origin: EventPlace | None
    targets: tuple[EventPlace, ...]
    dates: tuple[dt.date, ...]
    date_precision: DatePrecision
    evidence: tuple[Evidence, ...]
    confidence: float

    @property
    def approximate(self) -> bool:
        """Whether the origin or a target is an area rather than a point."""
        return any(p.approximate for p in (*self.targets, *([self.origin] if self.origin
                                                             else [])))


def place_precision(entry: GazetteerEntry) -> PlacePrecision:
    return _PRECISION.get(entry.feature, PlacePrecision.SITE)


@functools.cache
def load_forces(path: Path = FORCES_PATH) -> tuple[Force, ...]:
    """The forces table: armed forces, ministries and armed groups, with their country."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as err:
        raise ForcesFileError(f"{path}: cannot read the forces table: {err}") from err
    with handle:
        reader = csv.DictReader(handle)
        missing = set(FORCES_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ForcesFileError(f"{path}: missing columns {sorted(missing)}")
        forces = []
        for row in reader:
            clean = {k: (v or "").strip() for k, v in row.items() if k}
            if not clean["name"]:
                continue
            if not clean["source"] or not re.fullmatch(r"[A-Z]{2}", clean["country"]):
                raise ForcesFileError(f"{path}:{reader.line_num}: a force needs a two-letter "
                                      f"country and a source, got {clean!r}")
            forces.append(Force(clean["name"], clean["country"], clean["kind"]))
    return tuple(sorted(forces, key=lambda f: -len(f.name)))  # longest name first


# Words after a force's name that make it the side struck ("Houthi targets").
_STRUCK_SIDE_RE = re.compile(
    r"[ \u00A0]+(?:targets?|positions?|sites?|strongholds?|militants?|fighters|camps?|"
    r"facilities|leaders?|territory|areas?)\b")


@functools.cache
def _forces_re(forces: tuple[Force, ...]) -> re.Pattern[str]:
    names = "|".join(re.escape(f.name) for f in forces)
    return re.compile(rf"(?<![\w-])(?:{names})(?![\w-])")


def means_of(sentences: Iterable[str]) -> tuple[str, ...]:
    """Aircraft, drones and missiles named in the sentences, as written, in order."""
    found: list[str] = []
    for sentence in sentences:
        for match in _MEANS_RE.finditer(sentence):
            text = _LEADING_CAPITAL_RE.sub("", match.group())
            if text.lower() not in {f.lower() for f in found}:
                found.append(text)
    return tuple(found)


def _actor(sentences: Sequence[RoleReading], texts: Sequence[str],
           forces: tuple[Force, ...]) -> tuple[str, str]:
    """(as written, country) of who struck, read from the evidence (module docstring)."""
    for reading in sentences:
        cue = reading.role.evidence.cue if reading.role.evidence else ""
        if cue.startswith("actor of") and reading.place.entry is not None:
            return reading.place.mention.text, reading.place.entry.country
    for reading in sentences:
        # "Russia said its bombers ...": the country that speaks of its own aircraft.
        if reading.sentence is not None and reading.place.entry is not None:
            after = reading.place.mention.end - reading.sentence.start
            if _SAID_ITS_RE.match(reading.sentence.text, after):
                return reading.place.mention.text, reading.place.entry.country
    # A ministry or government is more often the speaker ("the Pentagon said") than the
    # force that struck: it comes after the forces and the demonyms.
    speakers = tuple(f for f in forces if f.kind in SPEAKER_KINDS)
    fighting = tuple(f for f in forces if f.kind not in SPEAKER_KINDS)
    found = _force_in(texts, fighting)
    if found:
        return found
    # A demonym of the struck side ("a Saudi air base") names the target's owner.
    struck = {r.place.entry.country for r in sentences
              if r.role.role is Role.TARGET and r.place.entry is not None}
    for reading in sentences:
        entry = reading.place.entry
        if (reading.place.mention.kind is MentionKind.DEMONYM and entry
                and entry.country not in struck):
            return reading.place.mention.text, entry.country
    return _force_in(texts, speakers) or ("", "")


def _force_in(texts: Sequence[str], forces: tuple[Force, ...]) -> tuple[str, str] | None:
    if not forces:
        return None
    pattern = _forces_re(forces)
    by_name = {f.name: f for f in forces}
    for text in texts:
        for match in pattern.finditer(text):
            if _STRUCK_SIDE_RE.match(text, match.end()):
                continue  # "strikes against 36 Houthi targets": the side struck
            return match.group(), by_name[match.group()].country
    return None


def event_dates(texts: Sequence[str], published: dt.date | None
                ) -> tuple[tuple[dt.date, ...], DatePrecision]:
    """The dates the evidence gives the strike, and how precise they are."""
    from geo.paths import evidence_dates

    explicit = sorted({d for text in texts for d in evidence_dates(text, published)})
    if explicit:
        return tuple(explicit), DatePrecision.DAY
    joined = " ".join(texts)
    if published is not None and _LAST_MONTH_RE.search(joined):
        last_month = (published.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        return (last_month,), DatePrecision.MONTH
    if published is not None and _LAST_WEEK_RE.search(joined):
        return (published - dt.timedelta(days=7),), DatePrecision.WEEK
    return ((published,) if published else ()), DatePrecision.WEEK


def _event_place(reading: RoleReading, *, approximate: bool = False) -> EventPlace:
    assert reading.place.entry is not None
    entry = reading.place.entry
    return EventPlace(entry, reading.place.mention.text, place_precision(entry),
                      approximate or entry.feature in (Feature.COUNTRY, Feature.REGION))


def read_events(article: Article, readings: Sequence[RoleReading],
                forces: tuple[Force, ...] | None = None) -> tuple[StrikeEvent, ...]:
    """The strike events of one article (see the module docstring)."""
    forces = load_forces() if forces is None else forces
    readings = [r for r in readings if r.place.mention.doc_id == article.doc_id]
    links, _ = link_article(readings)
    by_sentence: dict[int, list[RoleReading]] = defaultdict(list)
    for reading in readings:
        if reading.sentence is not None:
            by_sentence[reading.sentence.index].append(reading)
    targets = {id(r): r for r in readings if r.role.role is Role.TARGET
               and r.place.entry is not None and r.sentence is not None}
    events: list[StrikeEvent] = []
    covered: set[str] = set()
    groups: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        groups[link.origin.gazetteer_id].append(link)
    for group in groups.values():
        struck = [r for r in targets.values() if r.place.entry is not None
                  and r.place.entry.gazetteer_id in {k.target.gazetteer_id for k in group}]
        origin_reading = next((r for r in readings if r.role.role is Role.BASE
                               and r.place.entry is not None
                               and r.place.entry.gazetteer_id == group[0].origin.gazetteer_id),
                              None)
        origin = EventPlace(group[0].origin, origin_reading.place.mention.text
                            if origin_reading else group[0].origin.name,
                            place_precision(group[0].origin), group[0].approximate)
        evidence = tuple(dict.fromkeys(e for link in group for e in link.evidence))
        events.append(_event(article, struck, origin, evidence, by_sentence, forces,
                             max(link.confidence for link in group), origin_reading))
        covered |= {k.target.gazetteer_id for k in group}
    held = covered_areas(links)
    loose = [r for r in targets.values() if r.place.entry is not None
             and r.place.entry.feature in TARGET_FEATURES
             and r.place.entry.gazetteer_id not in covered
             and not (r.place.entry.feature is Feature.ADMIN
                      and (r.place.entry.country, r.place.entry.admin1) in held)]
    struck_sentences = {r.sentence.index for r in targets.values() if r.sentence is not None
                        and r.place.entry is not None
                        and r.place.entry.feature in TARGET_FEATURES}
    if not struck_sentences:
        # A country struck where the article names nothing finer ("strikes on Syria").
        loose += [r for r in targets.values() if r.place.entry is not None
                  and r.place.entry.feature is Feature.COUNTRY and r.sentence is not None
                  and r.role.confidence >= 0.85]
    by_paragraph: dict[int, list[RoleReading]] = defaultdict(list)
    for reading in loose:
        assert reading.sentence is not None
        by_paragraph[reading.sentence.paragraph].append(reading)
    for group_readings in by_paragraph.values():
        unique = list({r.place.entry.gazetteer_id: r for r in group_readings
                       if r.place.entry is not None}.values())
        evidence = tuple(dict.fromkeys(r.role.evidence for r in group_readings
                                       if r.role.evidence is not None))
        confidence = max(r.role.confidence for r in group_readings) * NO_ORIGIN_FACTOR
        events.append(_event(article, unique, None, evidence, by_sentence, forces,
                             round(confidence, 3)))
    return tuple(e for e in events if e.targets)


def _origin_actor(reading: RoleReading | None, by_sentence: dict[int, list[RoleReading]]
                  ) -> tuple[str, str] | None:
    """Whose aircraft flew from the origin: the actor of its sentence's cue, else a country
    or demonym named before the base that is not the base's own ("Russia has jets stationed
    at Hmeimim air base inside Syria")."""
    if reading is None or reading.sentence is None or reading.place.entry is None:
        return None
    home = reading.place.entry.country
    before = [r for r in by_sentence.get(reading.sentence.index, ())
              if r.place.entry is not None and r.place.mention.start < reading.place.mention.start]
    for other in before:
        cue = other.role.evidence.cue if other.role.evidence else ""
        if cue.startswith("actor of") and other.place.entry is not None:
            return other.place.mention.text, other.place.entry.country
    for other in before:
        entry = other.place.entry
        if (entry is not None and entry.country and entry.country != home
                and other.role.role is Role.MENTION
                and (entry.feature is Feature.COUNTRY
                     or other.place.mention.kind is MentionKind.DEMONYM)):
            return other.place.mention.text, entry.country
    return None


def _event(article: Article, struck: Sequence[RoleReading], origin: EventPlace | None,
           evidence: tuple[Evidence, ...], by_sentence: dict[int, list[RoleReading]],
           forces: tuple[Force, ...], confidence: float,
           origin_reading: RoleReading | None = None) -> StrikeEvent:
    indices = sorted({r.sentence.index for r in struck if r.sentence is not None})
    # The origin's sentence too: "Israeli jets took off from X. They struck Y."
    starts = {e.start for e in evidence}
    indices += sorted({i for i, rs in by_sentence.items() if i not in indices
                       and any(r.sentence is not None and r.sentence.start in starts
                               for r in rs)})
    around = [r for i in indices for r in by_sentence.get(i, ())]
    texts = list(dict.fromkeys(e.sentence for e in evidence))
    actor, country = _origin_actor(origin_reading, by_sentence) or _actor(around, texts, forces)
    dates, precision = event_dates(texts, article.published)
    unique = list({r.place.entry.gazetteer_id: r for r in struck
                   if r.place.entry is not None}.values())
    return StrikeEvent(
        doc_id=article.doc_id, source=article.source, published=article.published,
        actor=actor, actor_country=country, means=means_of(texts), origin=origin,
        targets=tuple(_event_place(r) for r in sorted(unique, key=lambda r: r.place.mention.start)),
        dates=dates, date_precision=precision, evidence=evidence,
        confidence=round(confidence, 3))


def read_all_events(articles: Sequence[Article], readings: Sequence[RoleReading]
                    ) -> tuple[StrikeEvent, ...]:
    """The events of every article, in article order."""
    by_doc: dict[str, list[RoleReading]] = defaultdict(list)
    for reading in readings:
        by_doc[reading.place.mention.doc_id].append(reading)
    return tuple(e for a in articles for e in read_events(a, by_doc.get(a.doc_id, ())))
