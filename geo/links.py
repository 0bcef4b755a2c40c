"""Which base each strike target was flown from: links within an article, then across.

Within an article (:func:`link_article`) a target is linked to

1. every base named in its own sentence ("took off from X to strike Y and Z"),
2. else the nearest base of its paragraph,
3. else the article's only base (an article that tells one operation),
4. else, when the article names several bases, the nearest one in the text.

A base read as *supporting* ("Fighter jets from Syria's Hmeimeem base supported the
bombers") is linked to the targets of the operation it supported: those of the nearest
primary base, or the targets of its own sentence. A country (or province) read as a base
("an Iranian air base", "a base in Iran") stands for the article's resolved base in that
country when there is one.

Origins are air bases, airports, or cities named with a base cue; targets are cities,
provinces, air bases, airports and other sites. A country is a target only where the
article names nothing finer, and only of a base in its own or a neighbouring sentence
(``approximate``).

An *area origin* is a country, province or sea that the text says a launch came from
("missiles launched from the Belgorod region", "destroyers in the eastern Mediterranean
fired", "launched from Iran") and that stands for no resolved base. It is linked to the
targets of its own sentence, or of its paragraph, or, when its cue is a launch verb and
the article names no other base, to the targets of the paragraphs either side (not a
list of strikes further on); such a link is
``approximate`` and starts at the area's point nearest the target
(:func:`geo.strikes.origins.nearest_point`). A noun cue ("strikes from Iran" in a title)
never reaches beyond its sentence, and an area that stands for nothing keeps the
article waiting for completion from other reports (below).

A place read as a base only because it names a base ("a base near Erbil") is no origin
when its sentence reads a target or the article strikes it: in "missiles hit X air base
and a base near Y", both are struck.

Across articles (:func:`complete_links`): an article with targets but whose base is only
a country ("one of its bases" in Iran) is linked, ``inferred``, to the base that other
articles of the same operation place in that country: they share a target and were
published within ``window_days`` of it (or a date is unknown).

Before completion, end points are made comparable across articles
(:func:`canonical_links`): a city origin becomes the air base within ``SNAP_KM`` of it that
the resolver offered or another report names ("a base near the city of Hamedan" is the
Hamedan air base), and a province and the same-named city are one target area.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from geographiclib.geodesic import Geodesic

from geo.models import Article, Evidence, Feature, GazetteerEntry, Role
from geo.normalize import name_key
from geo.roles import RoleReading

log = logging.getLogger(__name__)

AIRFIELD_FEATURES = frozenset({Feature.AIRBASE, Feature.AIRPORT})
ORIGIN_FEATURES = AIRFIELD_FEATURES | {Feature.CITY}
TARGET_FEATURES = frozenset({Feature.CITY, Feature.ADMIN, Feature.AIRBASE, Feature.AIRPORT,
                             Feature.FACILITY, Feature.OTHER})
# Places that, read as a base, only say in which country the base is.
BASE_AREA_FEATURES = frozenset({Feature.COUNTRY, Feature.ADMIN})
# Areas a launch can be read from (an area origin, see the module docstring).
AREA_ORIGIN_FEATURES = frozenset({Feature.COUNTRY, Feature.ADMIN, Feature.REGION})
# Confidence of a role read from a base noun alone ("a base near X"): see geo.roles.
SITE_CONFIDENCE = 0.6
LAUNCH_CUE_CONFIDENCE = 0.9

# How sure each linking rule is; a link's confidence is this times its two roles'.
RULE_CONFIDENCE = {
    "same sentence": 1.0,
    "same paragraph": 0.85,
    "only base of the article": 0.75,
    "nearest base of the article": 0.5,
    "support": 0.75,
    "inferred": 0.6,
}
SNAP_KM = 50.0
AREA_PARAGRAPHS = 2
AREA_KM = 150.0
WINDOW_DAYS = 4
# Words that name a kind of area, not the area: "Aleppo province" is the area "Aleppo".
AREA_WORDS = frozenset({"province", "governorate", "region", "district", "city", "town",
                        "muhafazat", "area", "oblast", "state"})
_GEOD = Geodesic.WGS84


@dataclass(frozen=True)
class Link:
    """One article's claim that aircraft flew from ``origin`` to strike ``target``."""

    doc_id: str
    origin: GazetteerEntry
    target: GazetteerEntry
    confidence: float
    rule: str
    evidence: tuple[Evidence, ...]
    inferred: bool = False
    support: bool = False
    # The origin is an area, drawn from its point nearest the target.
    approximate: bool = False


@dataclass(frozen=True)
class Pending:
    """An article's targets whose base it names only as a country (or province)."""

    doc_id: str
    targets: tuple[RoleReading, ...]
    areas: tuple[RoleReading, ...]


@dataclass(frozen=True)
class _Base:
    origin: GazetteerEntry
    reading: RoleReading
    note: str = ""
    area: bool = False  # an area origin (see the module docstring)


def distance_km(a: GazetteerEntry, b: GazetteerEntry) -> float:
    """Geodesic distance between two gazetteer entries."""
    return float(_GEOD.Inverse(a.lat, a.lon, b.lat, b.lon)["s12"]) / 1000.0


def _feature(reading: RoleReading) -> Feature | None:
    entry = reading.place.entry
    return entry.feature if entry else None


def _index(reading: RoleReading) -> int:
    return reading.sentence.index if reading.sentence else -1


def _paragraph(reading: RoleReading) -> int:
    return reading.sentence.paragraph if reading.sentence else -1


def _role_evidence(reading: RoleReading, label: str, note: str = "") -> Evidence | None:
    evidence = reading.role.evidence
    if evidence is None:
        return None
    cue = f"{label}: {evidence.cue or reading.role.role.value}"
    return replace(evidence, cue=f"{cue}; {note}" if note else cue)


def link_article(readings: Sequence[RoleReading]) -> tuple[list[Link], Pending | None]:
    """Links of one article's bases to its targets, and its targets still without a base."""
    targets = [r for r in readings if r.role.role is Role.TARGET
               and _feature(r) in TARGET_FEATURES and r.sentence is not None]
    struck = {_index(t) for t in targets}
    struck_ids = {t.place.entry.gazetteer_id for t in targets if t.place.entry is not None}
    bases = [_Base(r.place.entry, r) for r in readings if r.role.role is Role.BASE
             and _feature(r) in ORIGIN_FEATURES and r.place.entry is not None
             and not _struck_site(r, struck, struck_ids)]
    areas = [r for r in readings if r.role.role is Role.BASE
             and _feature(r) in BASE_AREA_FEATURES and r.sentence is not None]
    standing = _areas_as_bases(areas, bases)
    bases += standing
    launch_areas = _launch_areas(readings, {id(b.reading) for b in standing})
    primary = [b for b in bases if not b.reading.support]
    support = [b for b in bases if b.reading.support]
    links: list[Link] = []
    linked: dict[str, set[str]] = defaultdict(set)  # origin id -> target ids
    unlinked: list[RoleReading] = []
    area_linked: list[RoleReading] = []
    for target in targets:
        # A target struck from a ship is no target of a land base; a sea can still be its origin.
        chosen, rule = _bases_for(target, primary) if not target.carrier else ([], "")
        near_area, area_rule = _area_for(target, launch_areas, primary)
        if near_area is not None and rule not in ("same sentence",) and (
                area_rule == "same sentence" or not chosen or rule != "same paragraph"):
            chosen, rule = [near_area], area_rule
            area_linked.append(target)
        if not chosen:
            unlinked.append(target)
        for base in chosen:
            link = _link(base, target, rule)
            if link is not None:
                links.append(link)
                linked[base.origin.gazetteer_id].add(target.place.entry.gazetteer_id
                                                      if target.place.entry else "")
    for base in support:
        links.extend(_support_links(base, primary, targets, linked))
    if not targets:
        links += _country_links(readings, primary + launch_areas)
    pending = None
    waiting = unlinked + area_linked  # an area origin yields to a base other reports name
    if waiting and not primary and areas:
        pending = Pending(waiting[0].place.mention.doc_id, tuple(waiting), tuple(areas))
    return _drop_covering(_dedupe(links)), pending


def _drop_covering(links: list[Link]) -> list[Link]:
    """Without the links to a province that holds a finer target of the same origin:
    "strikes on Idlib province ... hit Jisr al-Shughur" is one route, to the town. A region
    with no division code (the Kurdistan Region) holds the finer targets within AREA_KM."""
    finer = [k for k in links if k.target.feature not in BASE_AREA_FEATURES]

    def holds(area: Link, town: Link) -> bool:
        if area.origin.gazetteer_id != town.origin.gazetteer_id:
            return False
        if area.target.admin1:
            return (town.target.country, town.target.admin1) == (area.target.country,
                                                                 area.target.admin1)
        return (town.target.country == area.target.country
                and distance_km(area.target, town.target) <= AREA_KM)

    return [k for k in links if not (
        k.target.feature is Feature.ADMIN and any(holds(k, town) for town in finer))]


def covered_areas(links: Iterable[Link]) -> set[tuple[str, str]]:
    """(country, first-level division) of each linked target: a province holding one is
    no target of its own (see ``_drop_covering``)."""
    return {(k.target.country, k.target.admin1) for k in links if k.target.admin1}


def _country_links(readings: Sequence[RoleReading], bases: Sequence[_Base]) -> list[Link]:
    """A country struck where the article names nothing finer ("took off from X to strike
    targets in Syria"), linked only to a base of its own sentence or the next one either
    side within a paragraph's reach ("... air strikes against Libya. Aircraft flying from
    X struck five targets"), and ``approximate``."""
    found = []
    for target in readings:
        cue = target.role.evidence.cue if target.role.evidence else ""
        if (target.role.role is not Role.TARGET or _feature(target) is not Feature.COUNTRY
                or target.sentence is None or cue.endswith(" of")):
            continue  # "targets of the Islamic State of Iraq": whose targets, not where
        # A base inside the struck country says nothing of a route to it.
        abroad = [b for b in bases if b.origin.country != _country(target)]
        near = [b for b in abroad if _index(b.reading) == _index(target)] or [
            b for b in abroad if abs(_index(b.reading) - _index(target)) == 1
            and abs(_paragraph(b.reading) - _paragraph(target)) <= 1]
        for base in near:
            rule = "same sentence" if _index(base.reading) == _index(target) else "same paragraph"
            link = _link(base, target, rule)
            if link is not None:
                found.append(replace(link, approximate=True))
    return found


def _country(reading: RoleReading) -> str:
    return reading.place.entry.country if reading.place.entry else ""


def _struck_site(reading: RoleReading, struck: set[int], struck_ids: set[str]) -> bool:
    """A place that is a base only by naming one, in a sentence that reads a target or
    struck elsewhere in the article ("an airport in Abs ..." then "strikes hit the
    airport in Abs")."""
    entry = reading.place.entry
    return reading.role.confidence <= SITE_CONFIDENCE and (
        _index(reading) in struck or (entry is not None and entry.gazetteer_id in struck_ids))


def _launch_areas(readings: Sequence[RoleReading], standing: set[int]) -> list[_Base]:
    """Areas read as where a launch came from, standing for no resolved base."""
    found = []
    for reading in readings:
        entry = reading.place.entry
        cue = reading.role.evidence.cue if reading.role.evidence else ""
        if (reading.role.role is Role.BASE and entry is not None and reading.sentence
                and entry.feature in AREA_ORIGIN_FEATURES and id(reading) not in standing
                and not reading.support and (cue.endswith((" from", " out of"))
                                             or " in" in cue or " off" in cue)):
            found.append(_Base(entry, reading, f"{reading.place.mention.text}: an area",
                               area=True))
    return found


def _area_for(target: RoleReading, areas: Sequence[_Base], primary: Sequence[_Base]
              ) -> tuple[_Base | None, str]:
    """The area origin of a target: of its sentence, its paragraph, or the article's only
    launch area when the article has no other base (launch verbs only)."""
    if not areas:
        return None, ""
    same = [a for a in areas if _index(a.reading) == _index(target)]
    if same:
        return same[0], "same sentence"
    verbs = [a for a in areas if a.reading.role.confidence >= LAUNCH_CUE_CONFIDENCE]
    para = [a for a in verbs if _paragraph(a.reading) == _paragraph(target)]
    if para:
        return _nearest(target, para)[0], "same paragraph"
    # Beyond its paragraph only to the next one either side: a launch told in one
    # paragraph says nothing of strikes a report lists further on ("strikes on the X
    # regions involved cruise missiles, drones ...").
    if not primary and len({a.origin.gazetteer_id for a in verbs}) == 1:
        # the area's reading nearest the target: a launch may be told twice
        nearest = min(verbs, key=lambda a: abs(_paragraph(a.reading) - _paragraph(target)))
        if abs(_paragraph(nearest.reading) - _paragraph(target)) <= AREA_PARAGRAPHS:
            return nearest, "only base of the article"
    return None, ""


def _areas_as_bases(areas: Sequence[RoleReading], bases: Sequence[_Base]) -> list[_Base]:
    """Country bases that stand for the article's resolved base in that country."""
    found: list[_Base] = []
    for area in areas:
        assert area.place.entry is not None
        same = [b for b in bases if b.origin.country == area.place.entry.country
                and b.origin.feature in ORIGIN_FEATURES]
        if same:
            nearest = min(same, key=lambda b: abs(_index(b.reading) - _index(area)))
            note = f"{area.place.mention.text} stands for {nearest.origin.name}"
            found.append(_Base(nearest.origin, area, note))
    return found


def _bases_for(target: RoleReading, primary: Sequence[_Base]) -> tuple[list[_Base], str]:
    """The bases a target is linked to, and the rule that chose them."""
    if not primary:
        return [], ""
    same_sentence = [b for b in primary if _index(b.reading) == _index(target)]
    if same_sentence:
        return same_sentence, "same sentence"
    same_paragraph = [b for b in primary if _paragraph(b.reading) == _paragraph(target)]
    if same_paragraph:
        return _nearest(target, same_paragraph), "same paragraph"
    origins = {b.origin.gazetteer_id for b in primary}
    if len(origins) == 1:
        # The sentence that names the base itself is the best evidence of it.
        named = [b for b in primary if not b.note] or list(primary)
        best = max(named, key=lambda b: (b.reading.role.confidence, -_index(b.reading)))
        return [best], "only base of the article"
    return _nearest(target, primary), "nearest base of the article"


def _nearest(target: RoleReading, bases: Sequence[_Base]) -> list[_Base]:
    """The bases closest to the target in sentences; on a tie, the earlier ones."""
    def distance(base: _Base) -> tuple[int, int]:
        gap = _index(base.reading) - _index(target)
        return abs(gap), 0 if gap <= 0 else 1

    best = min(distance(b) for b in bases)
    return [b for b in bases if distance(b) == best]


def _link(base: _Base, target: RoleReading, rule: str, *, support: bool = False) -> Link | None:
    origin, entry = base.origin, target.place.entry
    if entry is None or origin.gazetteer_id == entry.gazetteer_id:
        return None
    if base.area:
        if entry.country and entry.country == origin.country:
            return None  # a launch from the target's own country says nothing of a route
        from geo.strikes.origins import nearest_point

        origin = nearest_point(origin, entry)
    confidence = RULE_CONFIDENCE[rule] * base.reading.role.confidence * target.role.confidence
    evidence = [e for e in (_role_evidence(base.reading, "base", base.note),
                            _role_evidence(target, "target", rule)) if e is not None]
    return Link(target.place.mention.doc_id, origin, entry, round(confidence, 3), rule,
                tuple(evidence), support=support, approximate=base.area)


def _support_links(base: _Base, primary: Sequence[_Base], targets: Sequence[RoleReading],
                   linked: dict[str, set[str]]) -> list[Link]:
    """A supporting base flew for the targets of the operation it supported."""
    own = [t for t in targets if _index(t) == _index(base.reading)]
    chosen = list(own)
    if primary:
        supported = min(primary, key=lambda b: abs(_index(b.reading) - _index(base.reading)))
        wanted = linked.get(supported.origin.gazetteer_id, set())
        chosen += [t for t in targets if t.place.entry is not None
                   and t.place.entry.gazetteer_id in wanted]
    elif not own:
        chosen = list(targets)
    links = [_link(base, t, "support", support=True) for t in chosen]
    return [link for link in links if link is not None]


def _dedupe(links: Iterable[Link]) -> list[Link]:
    """One link per (origin, target, rule kind) of an article, keeping all its evidence."""
    merged: dict[tuple[str, str, bool], Link] = {}
    for link in links:
        key = (link.origin.gazetteer_id, link.target.gazetteer_id, link.support)
        old = merged.get(key)
        if old is None:
            merged[key] = link
            continue
        best = old if old.confidence >= link.confidence else link
        evidence = tuple(dict.fromkeys((*best.evidence, *old.evidence, *link.evidence)))
        merged[key] = replace(best, evidence=evidence)
    return list(merged.values())


def area_keys(entry: GazetteerEntry, *texts: str) -> frozenset[str]:
    """Name keys of a place with kind-of-area words dropped ("Aleppo province" -> aleppo)."""
    keys = set()
    for text in (entry.name, *texts):
        words = [w for w in name_key(text).split() if w not in AREA_WORDS]
        if words:
            keys.add(" ".join(words))
    return frozenset(keys)


def _target_areas(readings: Sequence[RoleReading]) -> dict[str, GazetteerEntry]:
    """Map each target entry id to the entry standing for its area (a city over a province).

    A province and a city are one area when they share a country and a name key and lie
    within ``AREA_KM``; the city is kept as the point a route should end at.
    """
    entries: dict[str, GazetteerEntry] = {}
    keys: dict[str, frozenset[str]] = defaultdict(frozenset)
    for reading in readings:
        entry = reading.place.entry
        if reading.role.role is Role.TARGET and entry and entry.feature in TARGET_FEATURES:
            entries[entry.gazetteer_id] = entry
            keys[entry.gazetteer_id] |= area_keys(entry, reading.place.mention.text)
    parent = {gid: gid for gid in entries}

    def root(gid: str) -> str:
        while parent[gid] != gid:
            parent[gid] = parent[parent[gid]]
            gid = parent[gid]
        return gid

    ids = sorted(entries)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            ea, eb = entries[a], entries[b]
            if (ea.country == eb.country and keys[a] & keys[b]
                    and Feature.ADMIN in (ea.feature, eb.feature)
                    and distance_km(ea, eb) <= AREA_KM):
                parent[root(a)] = root(b)
    groups: dict[str, list[GazetteerEntry]] = defaultdict(list)
    for gid in ids:
        groups[root(gid)].append(entries[gid])
    chosen: dict[str, GazetteerEntry] = {}
    for members in groups.values():
        best = min(members, key=lambda e: (e.feature is Feature.ADMIN, -e.population,
                                           e.gazetteer_id))
        for member in members:
            chosen[member.gazetteer_id] = best
    return chosen


def _airfields(readings: Sequence[RoleReading], links: Sequence[Link]) -> list[GazetteerEntry]:
    """Air bases and airports that are origins of links or offered for a base's name."""
    found = {link.origin.gazetteer_id: link.origin for link in links
             if link.origin.feature in AIRFIELD_FEATURES}
    for reading in readings:
        if reading.role.role is Role.BASE:
            for candidate in reading.place.candidates:
                if candidate.feature in AIRFIELD_FEATURES:
                    found.setdefault(candidate.gazetteer_id, candidate)
    return list(found.values())


def _snap(origin: GazetteerEntry, airfields: Sequence[GazetteerEntry]) -> GazetteerEntry | None:
    """The air base nearest a city origin, within SNAP_KM and in the same country."""
    near = [(distance_km(origin, a), a) for a in airfields if a.country == origin.country]
    near = [(d, a) for d, a in near if d <= SNAP_KM]
    if not near:
        return None
    return min(near, key=lambda item: (item[1].feature is not Feature.AIRBASE, item[0]))[1]


def canonical_links(links: Sequence[Link], readings: Sequence[RoleReading]) -> list[Link]:
    """Links with comparable end points across articles (see the module docstring)."""
    airfields = _airfields(readings, links)
    areas = _target_areas(readings)
    result: list[Link] = []
    for link in links:
        origin, note = link.origin, ""
        if link.approximate:
            pass  # an area's point nearest the target: no air base to snap to
        elif origin.feature not in AIRFIELD_FEATURES:
            snapped = _snap(origin, airfields)
            if snapped is not None:
                note = (f"origin: {origin.name} read as {snapped.name}, the air base "
                        f"{distance_km(origin, snapped):.0f} km from it")
                origin = snapped
            else:
                note = f"origin: the city {origin.name}, named with a base cue; no air base " \
                       "was resolved near it"
        target = areas.get(link.target.gazetteer_id, link.target)
        if target.gazetteer_id != link.target.gazetteer_id:
            note = "; ".join(filter(None, (note, f"target: {link.target.name} taken as the "
                                                 f"area of {target.name}")))
        if origin.gazetteer_id == target.gazetteer_id:
            continue
        evidence = link.evidence
        if note and evidence:
            first = evidence[0]
            evidence = (replace(first, cue=f"{first.cue}; {note}"), *evidence[1:])
        result.append(replace(link, origin=origin, target=target, evidence=evidence))
    return _dedupe_across(result)


def _dedupe_across(links: Iterable[Link]) -> list[Link]:
    merged: dict[tuple[str, str, str, bool, bool], Link] = {}
    for link in links:
        key = (link.doc_id, link.origin.gazetteer_id, link.target.gazetteer_id, link.support,
               link.inferred)
        old = merged.get(key)
        if old is None or link.confidence > old.confidence:
            evidence = (*link.evidence, *(old.evidence if old else ()))
            merged[key] = replace(link, evidence=tuple(dict.fromkeys(evidence)))
        else:
            merged[key] = replace(old, evidence=tuple(dict.fromkeys((*old.evidence,
                                                                     *link.evidence))))
    return list(merged.values())


def _close_in_time(a: dt.date | None, b: dt.date | None, window_days: int) -> bool:
    return a is None or b is None or abs((a - b).days) <= window_days


def complete_links(
    pending: Sequence[Pending],
    links: Sequence[Link],
    articles: Sequence[Article],
    readings: Sequence[RoleReading],
    *,
    window_days: int = WINDOW_DAYS,
) -> list[Link]:
    """Inferred links for articles that name their base only as a country."""
    published = {a.doc_id: a.published for a in articles}
    areas = _target_areas(readings)
    direct = [link for link in links if not link.inferred and not link.support]
    inferred: list[Link] = []
    for item in pending:
        countries = {r.place.entry.country for r in item.areas if r.place.entry}
        wanted = {areas.get(t.place.entry.gazetteer_id, t.place.entry).gazetteer_id
                  for t in item.targets if t.place.entry}
        votes: dict[str, set[str]] = defaultdict(set)
        scores: dict[str, float] = defaultdict(float)
        origins: dict[str, GazetteerEntry] = {}
        for link in direct:
            if (link.doc_id != item.doc_id and link.origin.country in countries
                    and link.target.gazetteer_id in wanted
                    and _close_in_time(published.get(link.doc_id),
                                       published.get(item.doc_id), window_days)):
                votes[link.origin.gazetteer_id].add(link.doc_id)
                scores[link.origin.gazetteer_id] += link.confidence
                origins[link.origin.gazetteer_id] = link.origin
        if not votes:
            log.debug("%s: no other report places its base", item.doc_id)
            continue
        best = max(votes, key=lambda gid: (len(votes[gid]), scores[gid], gid))
        inferred.extend(_inferred(item, origins[best], sorted(votes[best]), areas))
    return inferred


def _inferred(item: Pending, origin: GazetteerEntry, docs: Sequence[str],
              areas: dict[str, GazetteerEntry]) -> list[Link]:
    area = max((r for r in item.areas if r.place.entry
                and r.place.entry.country == origin.country),
               key=lambda r: r.role.confidence)
    note = (f"base completed as {origin.name} from {', '.join(docs)}, which place the same "
            f"operation's base in {origin.country}")
    links = []
    for target in item.targets:
        assert target.place.entry is not None
        entry = areas.get(target.place.entry.gazetteer_id, target.place.entry)
        if entry.gazetteer_id == origin.gazetteer_id:
            continue
        confidence = RULE_CONFIDENCE["inferred"] * area.role.confidence * target.role.confidence
        evidence = [e for e in (_role_evidence(area, "base country", note),
                                _role_evidence(target, "target", "inferred")) if e]
        links.append(Link(item.doc_id, origin, entry, round(confidence, 3), "inferred",
                          tuple(evidence), inferred=True))
    return _dedupe(links)


def link_places(
    articles: Sequence[Article],
    readings: Sequence[RoleReading],
    *,
    window_days: int = WINDOW_DAYS,
) -> tuple[Link, ...]:
    """Every base-to-target link of the articles, direct and inferred."""
    by_doc: dict[str, list[RoleReading]] = defaultdict(list)
    for reading in readings:
        by_doc[reading.place.mention.doc_id].append(reading)
    direct: list[Link] = []
    pending: list[Pending] = []
    for article in articles:
        links, waiting = link_article(by_doc.get(article.doc_id, []))
        direct.extend(links)
        if waiting is not None:
            pending.append(waiting)
    direct = canonical_links(direct, readings)
    inferred = complete_links(pending, direct, articles, readings, window_days=window_days)
    # An article's area origin gives way to the base that other reports place in it.
    completed = {(link.doc_id, link.origin.country) for link in inferred}
    direct = [link for link in direct
              if not (link.approximate and (link.doc_id, link.origin.country) in completed)]
    return tuple(direct + inferred)
