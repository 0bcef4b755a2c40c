"""Choosing the gazetteer entry each mention means, from the article's context.

Each candidate is scored from evidence a reader would use:

* the feature the text asks for ("Hamedan air base" wants an air base, "Aleppo province"
  a governorate) and the feature's prior (a bare country name is the country);
* a qualifier: "Idlib, Syria", "Khamandan air base in Iran", "Syria's Hmeimeem base";
* the article's country focus: the countries it names, weighted by how often;
* population, as a prior among same-named towns.

Scores become probabilities by a softmax; the raw confidence is the winner's probability
times the quality of the name match (exact key, transliteration skeleton, fuzzy), and the
confidence reported is that, calibrated on the gold corpora (``geo.calibration``).

A name that matched nothing but asks for an air base ("Khamandan air base in Iran") is
matched loosely (rapidfuzz) against the air bases of the qualifying country, at a lower
confidence. What stays unmatched is passed to the online geocoder when one is given.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from rapidfuzz import fuzz, process

from geo.calibration import default_calibration
from geo.coherence import (
    PROXIMITY_KM,
    Anchor,
    DocumentContext,
    anchored,
    datelines,
    km_between,
    one_sense,
)
from geo.coherence import bonus as coherence_bonus
from geo.extract import BY_CONTEXT, CUE_FEATURES, Extraction, is_rare_name
from geo.gazetteer import Candidate, Gazetteer
from geo.gazetteer.admin import ADMIN_ID_PREFIX
from geo.models import Feature, GazetteerEntry, Mention, MentionKind, Place
from geo.normalize import name_key

log = logging.getLogger(__name__)

# Quality of each kind of name match, a ceiling on the confidence.
MATCH_QUALITY = {"pin": 1.0, "key": 0.95, "skeleton": 0.8, "fuzzy": 0.65, "online": 0.7}
FUZZY_MIN_SCORE = 75.0
# Feature priors for a bare name, in score units (one unit ~ e in odds).
FEATURE_PRIOR = {
    Feature.COUNTRY: 6.0,
    # Below a city: a bare "Aleppo" or "Hamadan" is the city, not the same-named province;
    # a division's population still lifts it over small namesakes ("Queensland").
    Feature.ADMIN: -1.0,
    Feature.REGION: 1.5,
    Feature.CITY: 0.0,
    Feature.AIRBASE: -3.0,
    Feature.AIRPORT: -4.0,
    Feature.OTHER: -1.0,
}
CUE_BONUS = 6.0
CURATED_BONUS = 6.0
# A namesake town this big is what a bare division name most often means ("Washington").
BIG_TOWN_POPULATION = 100_000
QUALIFIER_BONUS = 5.0
# Estimated on the dev corpora (0, 0.5, 1, 1.5, 2, 3 tried): above 1 the article's country
# pulls a world city to a namesake hamlet (London, Ohio in a US story).
FOCUS_WEIGHT = 1.0
# The outlet's country counts as this many mentions of it in the focus: weak, so that the
# countries the text names still lead (0.5 to 2 score alike on the dev corpora).
HOME_MENTIONS = 1
POPULATION_WEIGHT = 0.7
PRIMARY_NAME_BONUS = 0.5
ANCHOR_CONFIDENCE = 0.75
# "Atlanta, Georgia": a reading in which the second name contains the first.
CONTAINMENT_BONUS = 8.0
AIRFIELD_FEATURES = (Feature.AIRBASE, Feature.AIRPORT)
AREA_NAME_FEATURES = (Feature.COUNTRY, Feature.ADMIN)
AREA_FEATURES = (Feature.COUNTRY, Feature.ADMIN, Feature.REGION)
# Kinds of name match that are what the place is called, or what the press calls it.
PRIMARY_KINDS = ("name", "alias", "code")
# "Paris and Henry County": readings of two names this close support each other, by this
# much (half a named division's pull, as nothing in the text ties them).
PAIR_KM = 30.0
PAIR_BONUS = 2.0
# A town placed at its division ("HOLLIDAY, Mo."): right town, coarse point.
UNLISTED_TOWN_CONFIDENCE = 0.5

# Words between a mention and the place that qualifies it: "X, Syria", "X in Iran".
_QUALIFIER_GAP_RE = re.compile(
    r"^(?:,|,? in|,? inside| near| of|,? northern| southern| eastern| western)"
    r"(?: the)?(?: (?:northern|southern|eastern|western|central))? $",
    re.IGNORECASE,
)
_CUE_WORDS_RE = re.compile(
    r"^ (?:air ?base|air ?field|airport|base|province|governorate|region|city|town)", re.I
)
_POSSESSIVE_GAP_RE = re.compile(r"^['\u2019]s $")


class OnlineLookup(Protocol):
    """What the resolver needs of the online geocoder (``geo.online.OnlineGeocoder``)."""

    def geocode(self, name: str, *, country_hint: str | None = None) -> GazetteerEntry | None:
        ...


@dataclass(frozen=True)
class _Scored:
    entry: GazetteerEntry
    score: float
    reason: str


def _country_of(candidates: Sequence[Candidate]) -> str | None:
    """The country a mention names outright (a country name or a demonym), if any."""
    for candidate in candidates:
        if candidate.entry.feature == Feature.COUNTRY:
            return candidate.entry.country
    return None


def document_focus(extractions: Sequence[Extraction]) -> Counter[str]:
    """How often the article names each country, by name or demonym."""
    focus: Counter[str] = Counter()
    for extraction in extractions:
        country = _country_of(extraction.candidates)
        if country:
            focus[country] += 1
    return focus


def qualifiers(text: str, extractions: Sequence[Extraction]) -> dict[int, str]:
    """Index of an extraction -> the ISO code of the country that qualifies it."""
    found: dict[int, str] = {}
    for i, extraction in enumerate(extractions):
        mention = extraction.mention
        if i + 1 < len(extractions):
            following = extractions[i + 1]
            gap = text[mention.end:following.mention.start]
            country = _country_of(following.candidates)
            if country and following.mention.kind.value == "toponym":
                gap = _CUE_WORDS_RE.sub("", gap)
                if _QUALIFIER_GAP_RE.match(gap):
                    found[i] = country
        if i > 0 and i not in found:
            previous = extractions[i - 1]
            country = _country_of(previous.candidates)
            gap = text[previous.mention.end:mention.start]
            if country and _POSSESSIVE_GAP_RE.match(gap):
                found[i] = country
    return found


def _score(candidate: Candidate, mention: Mention, qualifier: str | None,
           focus: Counter[str]) -> _Scored:
    entry = candidate.entry
    wanted = CUE_FEATURES.get(mention.cue)
    score = FEATURE_PRIOR.get(entry.feature, 0.0)
    reasons = []
    if wanted is not None and (entry.feature == wanted or (
            wanted in AIRFIELD_FEATURES and entry.feature in AIRFIELD_FEATURES)):
        # The text asked for this feature: its bare-name prior no longer applies.
        score = max(score, 0.0) + CUE_BONUS + (1.0 if entry.feature == wanted else 0.0)
        reasons.append(f"'{mention.cue}' cue")
    if qualifier and entry.country == qualifier:
        score += QUALIFIER_BONUS
        reasons.append(f"qualified by {qualifier}")
    total = sum(focus.values())
    if total and entry.country:
        share = focus[entry.country] / total
        score += FOCUS_WEIGHT * share
        if share:
            reasons.append(f"article names {entry.country}")
    score += POPULATION_WEIGHT * math.log10(entry.population + 1)
    if candidate.kind in ("name", "alias", "demonym"):
        score += PRIMARY_NAME_BONUS
    if candidate.curated:
        # The alias table says what the press means by the name ("White House").
        score += CURATED_BONUS
        reasons.append("curated alias")
    return _Scored(entry, score, ", ".join(reasons) or "population and feature prior")


def _softmax_best(scored: Sequence[_Scored]) -> tuple[_Scored, float]:
    top = max(s.score for s in scored)
    weights = [math.exp(s.score - top) for s in scored]
    best = max(range(len(scored)), key=lambda i: scored[i].score)
    return scored[best], weights[best] / sum(weights)


def _fuzzy_airfield(gazetteer: Gazetteer, mention: Mention, countries: Sequence[str]
                    ) -> tuple[GazetteerEntry, float] | None:
    """"Khamandan air base in Iran": the closest-spelled air field of the named country."""
    key = name_key(mention.text)
    wanted = CUE_FEATURES.get(mention.cue)
    for country in countries:
        choices = gazetteer.entries_in(country, AIRFIELD_FEATURES)
        if not choices:
            continue
        keys = [k for k, _ in choices]
        close = process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_SCORE,
                                limit=10)
        if close:
            # Equally close spellings: the feature the cue asked for wins (air base, not
            # the civil airport of the same town).
            _, score, index = max(close, key=lambda c: (c[1], choices[c[2]][1].feature == wanted))
            return choices[index][1], score / 100.0
    return None


def _is_anchor(place: Place, dateline: bool = False, seconded: bool = False) -> bool:
    """Sure enough to pull its neighbours: confidently placed, and vouched for by the model
    or by standing alone as a well-known place (a lone gazetteer match such as "Clever"
    may be a misread word), or ``seconded`` (see ``_seconded``). A dateline is a place by
    its position, whoever vouched."""
    if place.entry is None or place.entry.feature in (Feature.COUNTRY, Feature.REGION):
        return False
    return place.confidence >= ANCHOR_CONFIDENCE and (
        dateline or seconded or "ner" in place.mention.found_by
        or place.mention.found_by == BY_CONTEXT)


def _seconded(first: Sequence[Place]) -> set[int]:
    """Positions in ``first`` of names the gazetteer alone found, that no English word
    spells and that have one reading, with another confident place of the article within
    PROXIMITY_KM: "Kelowna" and "Penticton" vouch for each other, while a lone "Lombard"
    (of a bank's name) pulls nothing."""
    confident = [(i, p.entry) for i, p in enumerate(first)
                 if p.entry is not None and p.confidence >= ANCHOR_CONFIDENCE
                 and p.entry.feature not in (Feature.COUNTRY, Feature.REGION)]
    found = set()
    for i, entry in confident:
        place = first[i]
        if (place.mention.found_by != "gazetteer" or len(place.candidates) != 1
                or not is_rare_name(place.mention.text)):
            continue
        key = name_key(place.mention.text)
        if any(km_between(entry.lat, entry.lon, other.lat, other.lon) <= PROXIMITY_KM
               for j, other in confident
               if j != i and name_key(first[j].mention.text) != key):
            found.add(i)
    return found


def _context(first: Sequence[Place], index_of: Sequence[int], near: Mapping[int, int],
             dateline: Mapping[int, bool], seconded: set[int]) -> DocumentContext:
    """What the first pass settled: its anchors and the places the text anchors names to."""
    anchors = tuple(Anchor(name_key(p.mention.text), p.entry)
                    for n, (p, i) in enumerate(zip(first, index_of, strict=True))
                    if p.entry is not None and _is_anchor(p, i in dateline, n in seconded))
    chosen = {i: p.entry for p, i in zip(first, index_of, strict=True) if p.entry is not None}
    anchored_to = {i: chosen[j] for i, j in near.items()
                   if j in chosen and chosen[j].feature != Feature.COUNTRY}
    areas = frozenset(i for i, entry in chosen.items()
                      if entry.feature in (Feature.COUNTRY, Feature.ADMIN))
    return DocumentContext(anchors, anchored_to, areas, dict(dateline))


def _contains(outer: GazetteerEntry, inner: GazetteerEntry) -> bool:
    """True when ``outer`` is the country or first-level division ``inner`` lies in."""
    if outer.feature == Feature.COUNTRY:
        return outer.country == inner.country and inner.feature != Feature.COUNTRY
    return (outer.feature == Feature.ADMIN and outer.country == inner.country
            and bool(outer.admin1) and outer.admin1 == inner.admin1
            and inner.feature not in (Feature.ADMIN, Feature.COUNTRY))


def containment(text: str, extractions: Sequence[Extraction]) -> dict[int, set[str]]:
    """For "Atlanta, Georgia": the candidate ids of each mention that fit its neighbour.

    Where the name after a comma can be a division or country that contains a candidate of
    the name before it, both of those readings are favoured: Georgia the state, Atlanta
    the Georgian city; Paris the one in Texas after "Paris, Texas".
    """
    fitting: dict[int, set[str]] = {}
    for i in range(len(extractions) - 1):
        inner, outer = extractions[i], extractions[i + 1]
        if text[inner.mention.end:outer.mention.start] not in (", ", ","):
            continue
        for o in outer.candidates:
            if o.entry.feature not in (Feature.ADMIN, Feature.COUNTRY):
                continue
            for c in inner.candidates:
                if _contains(o.entry, c.entry):
                    fitting.setdefault(i, set()).add(c.entry.gazetteer_id)
                    fitting.setdefault(i + 1, set()).add(o.entry.gazetteer_id)
    return fitting


def _names_an_area(extraction: Extraction) -> bool:
    """True when the name can be a country or a first-level division (not a county)."""
    return any(c.entry.feature == Feature.COUNTRY
               or c.entry.gazetteer_id.startswith(ADMIN_ID_PREFIX)
               for c in extraction.candidates)


def paired(extractions: Sequence[Extraction], keys: Sequence[str]) -> dict[int, set[str]]:
    """For local news ("Paris and Henry County", "Palestine ... Anderson County"): the ids of
    each ambiguous name's town or county readings that lie within PAIR_KM of a reading of
    another name. Names that can be a country or a state neither gain nor lend such support
    ("California" has a village beside a Scottish Redding, "Texas" a Mexican town)."""
    def local(extraction: Extraction) -> list[GazetteerEntry]:
        return [c.entry for c in extraction.candidates
                if c.entry.feature in (Feature.CITY, Feature.ADMIN) and c.kind in PRIMARY_KINDS]

    usable = [i for i, e in enumerate(extractions) if not _names_an_area(e)]
    cells: dict[tuple[int, int], list[tuple[str, GazetteerEntry]]] = {}
    for i in usable:
        for entry in local(extractions[i]):
            cells.setdefault((math.floor(entry.lat), math.floor(entry.lon)), []).append(
                (keys[i], entry))
    found: dict[int, set[str]] = {}
    for i in usable:
        if len({c.entry for c in extractions[i].candidates}) < 2:
            continue
        for entry in local(extractions[i]):
            lat, lon = math.floor(entry.lat), math.floor(entry.lon)
            if any(key != keys[i] and km_between(entry.lat, entry.lon, other.lat, other.lon)
                   <= PAIR_KM
                   for dlat in (-1, 0, 1) for dlon in (-1, 0, 1)
                   for key, other in cells.get((lat + dlat, lon + dlon), ())):
                found.setdefault(i, set()).add(entry.gazetteer_id)
    return found


def unlisted_towns(text: str, extractions: Sequence[Extraction],
                   fitting: Mapping[int, set[str]]) -> dict[int, GazetteerEntry]:
    """For "HOLLIDAY, Mo." where no Holliday of the gazetteer lies in Missouri: the division.

    The text says the town is in the division after the comma; a namesake elsewhere is
    surely wrong, and the division is the best the gazetteer knows. Only where the name
    after the comma can be one division and no town, the name before it is no area itself
    ("Texas, Oklahoma"), and no list goes on after them ("Saipan, Guam, Alaska").
    """
    found: dict[int, GazetteerEntry] = {}
    for i in range(len(extractions) - 1):
        inner, outer = extractions[i], extractions[i + 1]
        if (i in fitting or inner.mention.kind != MentionKind.TOPONYM
                or text[inner.mention.end:outer.mention.start] not in (", ", ",")
                or any(c.entry.feature in AREA_FEATURES for c in inner.candidates)):
            continue
        after = text[outer.mention.end:outer.mention.end + 6]
        if after.startswith((",", " and ", " or ")):
            continue  # a list ("Saipan, Guam, Alaska")
        divisions = {c.entry: c.kind for c in outer.candidates
                     if c.entry.feature == Feature.ADMIN and c.kind in PRIMARY_KINDS}
        if len(divisions) != 1:
            continue
        division, kind = divisions.popitem()
        # A press abbreviation ("Mo.") is the division; a full name may be a town's
        # ("Sharon, Cornwall").
        if kind == "name" and any(c.entry.feature == Feature.CITY and c.kind in PRIMARY_KINDS
                                  for c in outer.candidates):
            continue
        found[i] = division
    return found


def _foreign_country(extraction: Extraction, focus: Counter[str]) -> bool:
    """True when the name can be a country the article names nowhere else, in an article
    that names or places some country (``focus`` leaves out the name's own mentions)."""
    return sum(focus.values()) > 0 and any(
        c.entry.feature == Feature.COUNTRY and not focus[c.entry.country]
        for c in extraction.candidates)


def _of_the_only_country(candidate: Candidate, focus: Counter[str]) -> bool:
    """True for a division, by its own name, of the one country the article's focus holds."""
    entry = candidate.entry
    return (entry.feature == Feature.ADMIN and candidate.kind in PRIMARY_KINDS
            and focus[entry.country] == sum(focus.values()))


def _choose(extraction: Extraction, qualifier: str | None, focus: Counter[str],
            fits: set[str] | None = None, context: DocumentContext | None = None,
            index: int = -1, key: str | None = None, pairs: set[str] | None = None) -> Place:
    mention = extraction.mention
    key = key if key is not None else name_key(mention.text)
    towns = [c.entry for c in extraction.candidates if c.entry.feature == Feature.CITY]
    seats = {(t.country, t.admin1) for t in towns}
    big_town = any(t.population >= BIG_TOWN_POPULATION for t in towns)
    # Towns that bear the name itself, not as an alternate ("Homs", not "Montana City").
    named_seats = frozenset((c.entry.country, c.entry.admin1) for c in extraction.candidates
                            if c.entry.feature == Feature.CITY and c.kind == "name")
    scored = []
    foreign = _foreign_country(extraction, focus)
    for candidate in extraction.candidates:
        base = _score(candidate, mention, qualifier, focus)
        if foreign and _of_the_only_country(candidate, focus):
            # "Georgia" in a story whose every place is American: the state. The country's
            # bare-name prior is for a name the article gives no other reading of.
            base = _Scored(base.entry, base.score + FEATURE_PRIOR[Feature.COUNTRY],
                           base.reason + ", a division of the article's only country")
        if candidate.entry.feature == Feature.ADMIN and not big_town and (
                candidate.entry.country, candidate.entry.admin1) not in seats:
            # No town of the name lies in the division, and none elsewhere is a city
            # ("Delaware", not the Ohio town; but "Washington" is still the capital): the
            # below-a-city prior, meant for a province named after its seat, is lifted.
            base = _Scored(base.entry, base.score - FEATURE_PRIOR[Feature.ADMIN], base.reason)
        if (candidate.kind == "airfield_stem" and mention.cue not in CUE_FEATURES
                and focus[candidate.entry.country]
                and not any(c.entry.country in focus and c.kind in PRIMARY_KINDS
                            and c.entry.feature not in AIRFIELD_FEATURES
                            for c in extraction.candidates)):
            # "at Heathrow" in a British story is the field of the article's country, not a
            # namesake town abroad; a place of the article's countries that bears the name
            # still wins ("Hamadan"), one that has it only as an alternate does not.
            base = _Scored(base.entry, base.score - FEATURE_PRIOR.get(candidate.entry.feature, 0.0)
                           + QUALIFIER_BONUS, base.reason + ", airfield of a country named")
        score, reason = base.score, base.reason
        if context is not None and not context.empty:
            # A big town of the name stops a small namesake, not another big one, from
            # taking a named division's pull ("Victoria" beside "British Columbia").
            big_namesake = big_town and candidate.entry.population < BIG_TOWN_POPULATION
            extra, why = coherence_bonus(candidate.entry, key, index, context,
                                         big_town=big_namesake, seats=named_seats,
                                         own_text=bool(fits or qualifier))
            score += extra
            reason = ", ".join([reason, *why])
        if pairs and not big_town and candidate.entry.gazetteer_id in pairs:
            # A big town of the name is what it means wherever a hamlet pairs up.
            score += PAIR_BONUS
            reason += ", beside a reading of another name"
        if fits and candidate.entry.gazetteer_id in fits:
            score += CONTAINMENT_BONUS
            reason += ", fits its neighbour (\"X, Y\")"
        scored.append(_Scored(base.entry, score, reason))
    best, probability = _softmax_best(scored)
    quality = MATCH_QUALITY.get(extraction.matched_by, MATCH_QUALITY["key"])
    others = tuple(dict.fromkeys(c.entry for c in extraction.candidates
                                 if c.entry != best.entry))
    return Place(mention, best.entry, round(quality * probability, 3), best.reason,
                 (best.entry, *others))


def _own_focus(extractions: Sequence[Extraction]) -> dict[str, Counter[str]]:
    """Per name, the countries it adds to the article's focus (left out when scoring it:
    "Georgia" said ten times in a US story must not make the story Georgian)."""
    own: dict[str, Counter[str]] = {}
    for extraction in extractions:
        country = _country_of(extraction.candidates)
        if country:
            own.setdefault(name_key(extraction.mention.text), Counter())[country] += 1
    return own


def resolve(
    text: str,
    extractions: Sequence[Extraction],
    gazetteer: Gazetteer,
    *,
    online: OnlineLookup | None = None,
    pins: Mapping[str, GazetteerEntry] | None = None,
    home: str | None = None,
) -> list[Place]:
    """One Place per extraction, resolved where the evidence allows (entry None otherwise).

    ``home`` is the ISO code of the outlet's country (``geo.outlets``), a weak prior: it
    counts as one more mention of that country in the article's focus.

    Two passes: the first places what its own evidence settles; its confident answers
    then shape the second (``geo.coherence``), which favours readings near them and in
    their divisions ("Edmonton, south of Cairns" is the Queensland suburb), reads
    datelines and anchored names, and counts their countries in the article's focus.
    Last, a name keeps one place through the article unless its own text decides it.
    """
    focus = document_focus(extractions)
    if home:
        focus[home] += HOME_MENTIONS
    own = _own_focus(extractions)
    qualified = qualifiers(text, extractions)
    fitting = containment(text, extractions)
    dateline = datelines(text, extractions)
    unlisted = unlisted_towns(text, extractions, fitting)
    near = anchored(text, extractions)

    keys = [name_key(e.mention.text) for e in extractions]
    pairs = paired(extractions, keys)
    left_out: dict[str, Counter[str]] = {}

    def focus_for(key: str) -> Counter[str]:
        if key not in left_out:
            left_out[key] = focus - own.get(key, Counter())
        return left_out[key]

    index_of = [i for i, e in enumerate(extractions) if e.candidates]
    opening = DocumentContext(dateline=dateline)
    first = [_choose(extractions[i], qualified.get(i), focus_for(keys[i]), fitting.get(i),
                     opening, i, keys[i])
             for i in index_of]
    seconded = _seconded(first)
    context = _context(first, index_of, near, dateline, seconded)
    settled = dict(zip(index_of, first, strict=True))
    focus = focus + Counter(p.entry.country
                            for n, (p, i) in enumerate(zip(first, index_of, strict=True))
                            if p.entry is not None and p.entry.country
                            and _is_anchor(p, i in dateline, n in seconded))
    left_out.clear()
    places: list[Place] = []
    decided: set[int] = set()
    scored: set[int] = set()
    for i, extraction in enumerate(extractions):
        mention = extraction.mention
        qualifier = qualified.get(i)
        if qualifier or i in fitting or i in context.near or mention.cue:
            decided.add(i)
        pinned = (pins or {}).get(keys[i])
        if pinned is not None:
            places.append(Place(mention, pinned, MATCH_QUALITY["pin"], "pinned by a user"))
            decided.add(i)
            continue
        division = unlisted.get(i)
        if division is not None:
            places.append(Place(mention, division, UNLISTED_TOWN_CONFIDENCE,
                                f"in {division.name} (\"X, Y\"), where the gazetteer has "
                                f"no {mention.text}", tuple(c.entry for c in
                                                            extraction.candidates)))
            decided.add(i)
            continue
        candidates = list(extraction.candidates)
        wanted = CUE_FEATURES.get(mention.cue)
        # "This Missouri air base" names the state the base is in: a name that is an
        # area is never respelt as an airfield.
        if wanted in AIRFIELD_FEATURES and not any(
                c.entry.feature in AIRFIELD_FEATURES or c.entry.feature in AREA_NAME_FEATURES
                for c in candidates):
            countries = [qualifier] if qualifier else [c for c, _ in focus.most_common(3)]
            fuzzy = _fuzzy_airfield(gazetteer, mention, countries)
            if fuzzy is not None:
                entry, similarity = fuzzy
                confidence = round(MATCH_QUALITY["fuzzy"] * similarity, 3)
                places.append(Place(mention, entry, confidence,
                                    f"spelled like {entry.name} ({similarity:.0%})",
                                    tuple(c.entry for c in candidates)))
                continue
        if candidates:
            scored.add(i)
            if len({c.entry for c in candidates}) == 1:
                # One reading: the article cannot change it (nor its probability, 1).
                places.append(settled[i])
                continue
            places.append(_choose(extraction, qualifier, focus_for(keys[i]), fitting.get(i),
                                  context, i, keys[i], pairs.get(i)))
            continue
        answer: GazetteerEntry | None = None
        if online is not None:
            hint = qualifier or (focus.most_common(1)[0][0] if focus else None)
            answer = online.geocode(mention.text, country_hint=hint)
        if answer is not None:
            places.append(Place(mention, answer, MATCH_QUALITY["online"], "online geocoder"))
        else:
            places.append(Place(mention, None, 0.0, "no gazetteer entry"))
    # Only what the scores chose is calibrated: the table is fitted on those; a fuzzy
    # match, an online answer and a pin keep the confidence their source states.
    calibration = default_calibration()
    return [replace(p, confidence=calibration(p.confidence)) if i in scored else p
            for i, p in enumerate(one_sense(places, decided, keys))]
