"""Finding the place names of an article, with exact character offsets.

Two readers vote. The gazetteer reader proposes every run of capitalised words (with the
connectors names use: "Deir ez-Zor", "al-Bab", "Ras al Ain") whose lookup key names a
place; it finds what the NER model mislabels (Hmeimim as NORP, al-Bab as ORG) or cuts short
("Deir" of "Deir ez-Zor"). spaCy's NER vetoes what is a person's or an organisation's name
("Bashar al-Assad", "Tehran Times", "Islamic State") and vouches for places the gazetteer
cannot spell ("Khamandan"), which the resolver then matches loosely.

The model is nine tenths of the cost, so it reads only where it can change the answer:
windows of a few words around names the gazetteer cannot decide alone (a small town that
may be a surname, a name beside other capitalised words, a common word, an unknown name
after "in" or before "air base"). A well-known place standing alone ("Syria", "Aleppo")
is taken on the gazetteer's word, vouched for by its context.

Only the article's body ranges are read: page furniture yields no places.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc
from wordfreq import zipf_frequency

from geo.gazetteer import Candidate, Gazetteer
from geo.gazetteer.organisations import organisation_keys
from geo.models import Article, Feature, Mention, MentionKind
from geo.nlp import Entity
from geo.normalize import ARABIC_ARTICLES, name_key, skeleton

# Words that may stand inside a multi-word name in lower case.
NAME_CONNECTORS = frozenset(
    {"of", "the", "de", "del", "della", "di", "da", "do", "dos", "das", "du", "des", "la",
     "le", "les", "los", "las", "von", "van", "der", "den", "am", "im", "upon", "on", "sur",
     "en", "y", "e", "and"}
) | ARABIC_ARTICLES
MAX_NAME_TOKENS = 6

# A word: letters with apostrophes or digits inside ("Ma'arrat", "Nu'man").
_WORD_RE = re.compile(r"[^\W\d_](?:[^\W_]|['\u2019\u02BC](?=[^\W\d_]))*")
_POSSESSIVE_RE = re.compile(r"['\u2019]s$", re.IGNORECASE)
# What may stand between two words of one name.
_NAME_GAP_RE = re.compile(r"^(?: |-|\u2010|\u2011|\. ?)$")

# Words that make a mention a strategic site ("Natanz nuclear site", "the port of
# Hodeidah"), read as the cue "facility".
_FACILITY_CUE = (
    r"nuclear[ -](?:site|facility|plant|complex|reactor|power[ -]plant)|"
    r"(?:uranium |fuel )?enrichment[ -](?:site|facility|plant)|heavy[ -]water reactor|"
    r"(?:uranium )?conversion (?:facility|plant)|"
    r"(?:oil |gas )?refinery|(?:oil|gas|fuel|export) terminal|(?:oil|fuel|gas) (?:depot|facility)|"
    r"(?:fuel|ammunition|arms|weapons) depot|power[ -](?:plant|station)|port|dam|"
    r"(?:oil|gas)[ -]?field|barracks|compound|"
    r"(?:processing |industrial |military )?(?:plant|facility|complex|site)"
)
_FACILITY_CUE_RE = re.compile(rf"^(?:{_FACILITY_CUE})$", re.IGNORECASE)
# Plural site words, read after a list ("the Fordow and Natanz nuclear sites").
_FACILITY_PLURAL = (
    r"(?:(?:nuclear |oil |gas |enrichment |military |industrial |power |fuel )?"
    r"(?:sites|facilities|plants|refineries|terminals|depots|complexes|ports|stations)"
    r"|(?:oil|gas)[ -]?fields)"
)
_FACILITY_PLURAL_RE = re.compile(rf"^{_FACILITY_PLURAL}$", re.IGNORECASE)
_SINGULAR = {"sites": "site", "facilities": "facility", "plants": "plant",
             "refineries": "refinery", "terminals": "terminal", "depots": "depot",
             "complexes": "complex", "ports": "port", "stations": "station",
             "fields": "field", "oilfields": "oilfield", "gasfields": "gasfield"}
# Feature cues read beside a mention, and the feature each one asks for.
_CUE_AFTER_RE = re.compile(
    r"[ \u00A0]+(?P<cue>air[ -]?bases?|air[ -]?fields?|military air[ -]?(?:field|port)s?|"
    r"air[ -]?ports?|"
    rf"base|provinces?|governorates?|region|district|state|city|town|village|{_FACILITY_PLURAL}|"
    rf"{_FACILITY_CUE})\b",
    re.IGNORECASE,
)
_CUE_BEFORE_RE = re.compile(
    r"\b(?P<cue>provinces?|governorates?|regions?|districts?|city|town|village|port)"
    r"[ \u00A0]+of[ \u00A0]+(?:the[ \u00A0]+)?$",
    re.IGNORECASE,
)
# How the press writes an airfield around its name: "RAF Lakenheath", "Naval Air Station
# Sigonella", "Whiteman AFB", "Al Udeid Air Force Base". A name so written is an airfield
# whatever the model calls it, and its bare name is looked up among airfields.
_AIRFIELD_PREFIX_RE = re.compile(
    r"^(?:RAF|NAS|NAF|MCAS|Royal Air Force(?: Base| Station)?|Naval Air Station|"
    r"Naval Air Facility|Naval Station|"
    r"Marine Corps Air Station|Joint Base|Air Base)[ \u00A0]+(?=\S)")
_AIRFIELD_SUFFIX_RE = re.compile(
    r"(?<=\S)[ \u00A0]+(?:Air Force Base|Air Force Station|AFB|Air Base|Airbase|Air Field|"
    r"Airfield|Army Air Field|Air Station|Naval Air Station|NAS|International Airport|"
    r"Military Airport|Airport|AB)$")
AIRFIELD_FEATURES = frozenset({Feature.AIRBASE, Feature.AIRPORT})
_LIST_GAP_RE = re.compile(r"^(?:,? and |, |,? or )$")
_LIST_SPLIT_RE = re.compile(r",? and |, |,? or ")
# A plural airfield cue after a list covers each name of it: "Engels, Shaykovka and
# Morozovsk air bases".
_PLURAL_CUE_RE = re.compile(
    r"(?:bases|fields|ports|sites|facilities|plants|refineries|terminals|depots|complexes|"
    r"stations)$", re.IGNORECASE)
_LIST_END_RE = re.compile(r"[\w'\u2019.-](?:,? and |, |,? or )$")
_LIST_WORD = r"(?:(?:al|el|ad|ar|as|az|ash)-)?[A-Z][\w'\u2019-]*"
_LIST_PLURAL_CUE_RE = re.compile(
    rf"(?:(?:,? and |, |,? or ){_LIST_WORD}(?:[ -]{_LIST_WORD}){{0,3}}){{1,4}}"
    r"[ \u00A0]+(?P<cue>air[ -]?bases|air[ -]?fields|airports|military air[ -]?fields|"
    rf"{_FACILITY_PLURAL})\b")
CUE_FEATURES: dict[str, Feature] = {
    "airbase": Feature.AIRBASE,
    "airfield": Feature.AIRBASE,
    "base": Feature.AIRBASE,
    "airport": Feature.AIRPORT,
    "province": Feature.ADMIN,
    "governorate": Feature.ADMIN,
    "region": Feature.ADMIN,
    "district": Feature.ADMIN,
    "state": Feature.ADMIN,
    "city": Feature.CITY,
    "town": Feature.CITY,
    "village": Feature.CITY,
    "facility": Feature.FACILITY,
}

# NER labels that vouch for a place, and those whose names are not places.
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
BLOCKING_LABELS = frozenset({"PERSON", "ORG", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"})
# Names of times and amounts are never places ("Saturday", "Easter").
NON_PLACE_LABELS = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL",
                              "ORDINAL"})
# Words that name a direction or a kind of area: a part of a name, never one alone
# ("the Southern Poverty Law Center", "Central Park").
GENERIC_WORDS = frozenset(
    {"north", "south", "east", "west", "northern", "southern", "eastern", "western",
     "northeast", "northwest", "southeast", "southwest", "northeastern", "northwestern",
     "southeastern", "southwestern", "metro", "downtown", "uptown", "midtown",
     "central", "centre", "center", "middle", "upper", "lower", "greater", "far", "new",
     "old", "great", "little", "grand", "lakes", "public", "city", "state", "county"}
)
# Titles that make the next capitalised word a person.
_HONORIFIC_RE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Col|Gen|Lt|Sgt|Capt|Maj|President|Minister|Secretary|Sen|Rep|Gov)"
    r"\.?[ \u00A0]+$"
)
# A name followed by "-<digit>" is a designation: "Tu-22M3", "Su-34", "F-16".
_DESIGNATION_RE = re.compile(r"[-\u2010\u2011]?\d")
# Punctuation standing apart inside an entity: it joins two names, not the parts of one.
_NOT_ONE_NAME_RE = re.compile(r"\s[-\u2013\u2014,;:/]|[-\u2013\u2014,;:/]\s")
_THE_START_RE = re.compile(r"the ", re.IGNORECASE)
_THE_BEFORE_RE = re.compile(r"\bthe[ \u00A0]$", re.IGNORECASE)
# "the Chicago suburb of Oak Park": after "the", a place that holds the next one.
_HOLDS_NEXT_RE = re.compile(
    r"[ \u00A0](?:suburbs?|neighbou?rhoods?|districts?|boroughs?|towns?|villages?)"
    r"[ \u00A0]of[ \u00A0]")
# A capitalised word just before or after a name makes it part of a longer one, maybe a
# person's or an organisation's ("President Assad", "Syria Times", "University of Aleppo").
_WORD_BEFORE_RE = re.compile(
    r"(?P<word>[^\W\d_][\w'\u2019.-]*)[ \u00A0-]+(?:(?:of|for|the|and|de)[ \u00A0]+)?$")
_WORD_AFTER_RE = re.compile(
    r"(?:['\u2019]s)?[ \u00A0-]+(?:(?:of|for|and)[ \u00A0]+)?(?P<word>[^\W\d_])")
# An unknown name after these words is likely a place worth the model's look ("in X", "the
# port city of X", "Israel's X": a town of the article's countries is read so).
_LOCATIVE_BEFORE_RE = re.compile(
    r"\b(?:(?:in|near|at|from|to|into|outside|around|across|over|towards?)"
    r"[ \u00A0]+(?:the[ \u00A0]+)?|(?:city|town|village|port|capital)[ \u00A0]+of[ \u00A0]+"
    r"|\b[A-Z][a-z]+['\u2019]s[ \u00A0]+)$")
_STRIKE_BEFORE_RE = re.compile(
    r"\b(?:struck|strikes? on|hit|hits|bombed|bombing|shelled|shelling|attacked|targeted|"
    r"raided|pounded|stormed|captured|seized|retook)[ \u00A0]+(?:the[ \u00A0]+)?$")
_LIST_BEFORE_RE = re.compile(r"(?:,? and |, |,? or )$")
_STRUCK_ON_BEFORE_RE = re.compile(
    r"\b(?:air-?strikes?|strikes|raids|attacks|bombings?)\b[\w ]{0,30}?[ \u00A0](?:on|against)"
    r"[ \u00A0]+(?:the[ \u00A0]+)?$", re.IGNORECASE)
_LIST_GAP_AFTER_RE = re.compile(r",? and |, |,? or ")
# A capitalised name the gazetteer lacks, written before an airfield word.
_CUED_AIRFIELD_RE = re.compile(
    r"(?<![\w'-])(?P<name>[A-Z][a-z][\w'-]*(?:[ \u00A0-][A-Z][a-z][\w'-]*)?)"
    r"(?=[ \u00A0]+(?:[Aa]ir[ \u00A0-]?[Bb]ase|[Aa]irbase|[Aa]ir[ \u00A0-]?[Ff]ield)\b)")
AIRFIELD_CUE = "airfield cue"
# The generic last word of a longer name ("Pearl Harbor"): a place name
# before or after it is part of that name, not the place itself.
GENERIC_TAILS = frozenset({"Harbor", "Harbour"})
_GENERIC_TAIL_AFTER_RE = re.compile(r"[ \u00A0](?:" + "|".join(sorted(GENERIC_TAILS)) + r")\b")
_CAPITALISED_BEFORE_RE = re.compile(r"(?<![.!?:]\s)\b[A-Z][a-z]+[ \u00A0]$")
_WEAPON_AFTER_RE = re.compile(
    r"[ \u00A0]+(?:(?:cruise|ballistic|anti-ship|land-attack|air-defen[cs]e)[ \u00A0]+)?"
    r"(?:missiles?|rockets?|batter(?:y|ies)|interceptors?)\b", re.IGNORECASE)
# A name that "bomber" follows names the aircraft type ("the Vulcan bomber", "a Lancaster
# bomber"), unless it is a well-known place or an airfield ("the Engels bombers").
_BOMBER_AFTER_RE = re.compile(r"[ \u00A0]+(?:strategic[ \u00A0]+)?bombers?\b",
                              re.IGNORECASE)
# A name that a venue's word follows names the venue ("the La Belle Discotheque", "the
# Pulse Nightclub"), not the town of that name.
_VENUE_AFTER_RE = re.compile(
    r"[ \u00A0]+(?:Disco|Discotheque|Discoth\u00e8que|Nightclub|Night Club|Cafe|Caf\u00e9|"
    r"Restaurant|Cinema|Theatre|Theater|Casino|Pizzeria|Bar)\b")
# Where aircraft are or leave from: "took off from Incirlik", "jets at Lakenheath" make an
# airfield's bare name worth reading as the airfield.
_STAGING_BEFORE_RE = re.compile(r"\b(?:from|at)[ \u00A0]+$")
_SENTENCE_END_RE = re.compile(r"(?:^|[.!?:;\"'\u201C\u2018(\n]|\n\s*[-*\u2022]?)\s*$")
# Population from which a city alone is evidence enough, with no NER support.
STRONG_POPULATION = 100_000
# From this population a town of a country the article names is taken even where the
# model calls its name a person's or an organisation's.
FOCUS_TOWN_POPULATION = 20_000
# ... unless its name is also an English word ("Furnace", a Massachusetts namesake).
FOCUS_TOWN_MAX_ZIPF = 3.0
# Words more frequent than this (Zipf scale) are common English words first.
COMMON_WORD_ZIPF = 4.3
EMBEDDED = "embedded"
# A well-known place standing alone needs no model; its mention says why it was taken.
BY_CONTEXT = "gazetteer+context"
# Words read either side of a name the model must judge. Its token features reach four
# tokens either side; with five words its verdicts match a whole-text reading (the dev
# corpora score the same, `make evaluate`).
WINDOW_WORDS = 5
# Capitalised words this frequent open sentences ("In", "But"); they do not join a name.
FUNCTION_WORD_ZIPF = 5.0
# A curated strategic site (data/sites.csv) is as well known as an air base.
STRONG_FEATURES = frozenset({Feature.COUNTRY, Feature.ADMIN, Feature.AIRBASE, Feature.REGION,
                             Feature.FACILITY})


@dataclass(frozen=True)
class Extraction:
    """A mention with the gazetteer candidates its name matched (empty when none did)."""

    mention: Mention
    candidates: tuple[Candidate, ...] = ()
    # How the name matched: "key" (exact lookup key), "skeleton" (transliteration-folded)
    # or "" (not matched: a name the NER vouched for that the gazetteer cannot spell).
    matched_by: str = "key"


@dataclass
class _Span:
    start: int
    end: int
    tokens: int
    key: str
    candidates: list[Candidate] = field(default_factory=list)
    matched_by: str = "key"


def _words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    words = []
    for match in _WORD_RE.finditer(text, start, end):
        w_start, w_end = match.span()
        possessive = _POSSESSIVE_RE.search(match.group())
        if possessive:
            w_end -= len(possessive.group())
        words.append((w_start, w_end))
    return words


@functools.lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    """How common a word is in English (Zipf scale). wordfreq's small list agrees with the
    large one on every word above the thresholds used here and loads ten times faster."""
    return float(zipf_frequency(word.lower(), "en", wordlist="small"))


def is_rare_name(surface: str) -> bool:
    """True when no word of the name is common English ("Kelowna", not "Clever")."""
    words = _WORD_RE.findall(surface)
    return bool(words) and all(_zipf(w) < FOCUS_TOWN_MAX_ZIPF for w in words)


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def candidate_spans(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """Every run of words in ``text[start:end]`` that could be a name: (start, end, tokens)."""
    words = _words(text, start, end)
    spans: list[tuple[int, int, int]] = []
    for i, (w_start, w_end) in enumerate(words):
        first = text[w_start:w_end]
        opens_name = _capitalised(first) or (
            first.lower() in ARABIC_ARTICLES
            and i + 1 < len(words)
            and text[w_end:words[i + 1][0]] in ("-", "\u2010", "\u2011")
            and _capitalised(text[words[i + 1][0]:words[i + 1][1]])
        )
        if not opens_name:
            continue
        last_end = w_end
        for j in range(i, min(i + MAX_NAME_TOKENS, len(words))):
            if j > i:
                gap = text[words[j - 1][1]:words[j][0]]
                if not _NAME_GAP_RE.match(gap):
                    break
                word = text[words[j][0]:words[j][1]]
                if not _capitalised(word) and word.lower() not in NAME_CONNECTORS:
                    break
            last_end = words[j][1]
            if _capitalised(text[words[j][0]:last_end]):
                span_end = last_end
                # "U.S." keeps its closing dot, unless the dot lies outside the range read
                # (a mention never reaches into page furniture).
                if last_end - words[j][0] == 1 and last_end < end and text[last_end] == ".":
                    span_end += 1
                spans.append((w_start, span_end, j - i + 1))
    return spans


def _written_as_airfield(text: str, span: _Span) -> bool:
    """True where an airfield cue follows the name, "from"/"at" precede it, or it has words."""
    return (span.tokens > 1 or CUE_FEATURES.get(_cue(text, span.start, span.end)) in (
        Feature.AIRBASE, Feature.AIRPORT) or bool(_STAGING_BEFORE_RE.search(
            text, max(0, span.start - 12), span.start)))


def _aircraft_type(text: str, span: _Span) -> bool:
    """True for a name that "bomber" follows and that is no well-known place or airfield:
    "the Vulcan bomber", "a Lancaster bomber" (but "the Engels bombers")."""
    return bool(_BOMBER_AFTER_RE.match(text, span.end)) and not any(
        c.kind == "demonym" or c.entry.feature in STRONG_FEATURES | AIRFIELD_FEATURES
        or c.entry.population >= STRONG_POPULATION for c in span.candidates)


def _usable(candidates: Sequence[Candidate], text: str, span: _Span,
            airfield_named: bool) -> list[Candidate]:
    """Candidates the surface form may really mean.

    Codes ("US", "OIHS") count only where the text writes them in capitals; an airfield's
    stem or keyword ("Hamadan" of "Hamadan Air Base") only where ``airfield_named``: the
    article writes that name as an airfield here or elsewhere.
    """
    surface = text[span.start:span.end]
    usable = []
    for candidate in candidates:
        if candidate.kind == "code" and not surface.isupper():
            continue
        if candidate.kind in ("airfield_stem", "keyword") and not airfield_named:
            continue
        usable.append(candidate)
    return usable


def _longest_first(spans: Iterable[_Span]) -> list[_Span]:
    chosen: list[_Span] = []
    taken: list[tuple[int, int]] = []
    for span in sorted(spans, key=lambda s: (-s.tokens, -(s.end - s.start), s.start)):
        if any(span.start < t_end and t_start < span.end for t_start, t_end in taken):
            continue
        chosen.append(span)
        taken.append((span.start, span.end))
    return sorted(chosen, key=lambda s: s.start)



def _entities(ner: Doc | Sequence[Entity] | None) -> list[Entity]:
    """The model's entities as (start, end, label), read once per article."""
    if ner is None:
        return []
    if isinstance(ner, Doc):
        return [(ent.start_char, ent.end_char, ent.label_) for ent in ner.ents]
    return list(ner)


def _entity_at(entities: Sequence[Entity], start: int, end: int) -> list[Entity]:
    return [e for e in entities if e[0] < end and start < e[1]]


def _person_words(text: str, entities: Sequence[Entity]) -> set[str]:
    """Words of multi-word person names, so a later bare "Assad" stays a person."""
    words: set[str] = set()
    for start, end, label in entities:
        if label != "PERSON":
            continue
        if _NOT_ONE_NAME_RE.search(text, start, end):
            continue  # "Trump - Wisconsin": a misread run of two names, not one person's
        names = [text[w_start:w_end] for w_start, w_end in _words(text, start, end)]
        if len(names) > 1:
            # Acronyms are not name parts: "Henry Lazenby US-based" misread as one person.
            words.update(name.lower() for name in names
                         if _capitalised(name) and not name.isupper())
    return words


def _is_strong(candidates: Sequence[Candidate]) -> bool:
    """A name that is a well-known place: a country, division, air base, region, curated
    name or demonym, or the own name of a big city. A big city's alternate name is not
    enough ("Hamas" is one of Hamm's; "Passover" one of Mountain City's)."""
    for candidate in candidates:
        entry = candidate.entry
        if entry.feature in STRONG_FEATURES or candidate.curated or candidate.kind == "demonym":
            return True
        if entry.population >= STRONG_POPULATION and candidate.kind != "alt":
            return True
    return False


def _is_demonym(candidates: Sequence[Candidate]) -> bool:
    return bool(candidates) and all(c.kind == "demonym" for c in candidates)


def _accept(text: str, span: _Span, entities: Sequence[Entity],
            person_words: set[str], focus: frozenset[str] = frozenset()) -> str | None:
    """How the span is vouched for ("ner+gazetteer", "gazetteer"), or None to drop it.

    ``focus`` are the countries the article names; a town of theirs is taken even where
    the model calls its name a person's or an organisation's (see ``_focus_town``).
    """
    surface = text[span.start:span.end]
    if _HONORIFIC_RE.search(text[max(0, span.start - 20):span.start]):
        return None
    if _HONORIFIC_RE.match(surface + " ") or _DESIGNATION_RE.match(text, span.end):
        return None  # "Col." itself; "Tu-22M3", "Su-34" are aircraft, not places
    if span.tokens == 1 and surface.lower() in GENERIC_WORDS:
        return None
    if span.key in organisation_keys():
        return None  # "Royal Air Force", "MoD": a force or a ministry, never a place
    if _VENUE_AFTER_RE.match(text, span.end):
        return None
    if span.tokens == 1 and (_GENERIC_TAIL_AFTER_RE.match(text, span.end) or (
            surface in GENERIC_TAILS and _CAPITALISED_BEFORE_RE.search(
                text, max(0, span.start - 30), span.start))):
        return None  # "Pearl" and "Harbor" of "Pearl Harbor", a name the gazetteer lacks
    if _WEAPON_AFTER_RE.match(text, span.end) and not any(
            c.kind == "demonym" or c.entry.feature in (Feature.COUNTRY, Feature.ADMIN)
            or c.entry.population >= STRONG_POPULATION for c in span.candidates):
        return None  # "Tomahawk missiles", "Patriot batteries": a weapon, not the town
    if _names_airfield(surface, span.candidates):
        supported = any(label in PLACE_LABELS and label != "NORP"
                        for _, _, label in _entity_at(entities, span.start, span.end))
        return "ner+gazetteer" if supported else "gazetteer"
    national = any(c.kind == "demonym" or c.entry.feature == Feature.COUNTRY
                   for c in span.candidates)
    letters = len(surface.replace(".", ""))
    if letters <= 2 and not (national or surface.isupper()
                             or any(c.curated for c in span.candidates)):
        return None  # "La" of "La Niña" names nothing, even inside a name; "Md." does
    entities = _entity_at(entities, span.start, span.end)
    if any(label in NON_PLACE_LABELS for _, _, label in entities):
        return None
    for e_start, e_end, label in entities:
        wider = e_start < span.start or e_end > span.end
        if label in BLOCKING_LABELS and wider:
            # "Pakistan" of "Pakistan Army" still names the place; "Assad" of a person not.
            if label in ("ORG", "EVENT") and _is_strong(span.candidates):
                return EMBEDDED
            return None
    # NORP vouches for nationalities only: "Western" is NORP but names no place.
    place_support = any(label in PLACE_LABELS and (label != "NORP" or national)
                        for _, _, label in entities)
    blocked_exactly = any(label in BLOCKING_LABELS for _, _, label in entities)
    if (any(c.kind == "airfield_stem" for c in span.candidates)
            and _STAGING_BEFORE_RE.search(text, max(0, span.start - 12), span.start)):
        return "gazetteer"  # "pilots from Whiteman": the field, though named after a man
    if surface.lower() in person_words and not place_support:
        return None
    if surface.isupper() and letters <= 4 and not any(
            c.kind == "code" or c.matched.isupper() for c in span.candidates):
        return None  # "BA" is not "Ba", Fiji: capitals make an acronym of a name
    strong = _is_strong(span.candidates)
    common = (span.tokens == 1 and not national and not surface.isupper()
              and _zipf(surface) >= COMMON_WORD_ZIPF)
    if common and (not strong or (
            _THE_BEFORE_RE.search(text, max(0, span.start - 5), span.start)
            and not _HOLDS_NEXT_RE.match(text, span.end))):
        return None  # "Republic" of "the Islamic Republic", "West" of "the West"
    if common and not place_support and _sentence_initial(text, span.start):
        return None  # "If confirmed, ...", "For now ..."
    if place_support:
        return "ner+gazetteer"
    focal = _focus_town(span, focus) and _zipf(surface) < FOCUS_TOWN_MAX_ZIPF
    if blocked_exactly:
        # The model calls the whole name a person or organisation; trust the gazetteer
        # only for a name that is a well-known place (al-Bab labelled ORG), or a town of
        # the article's countries ("Khan Younis" labelled PERSON in a Gaza report).
        return "gazetteer" if (strong and span.tokens <= 3) or focal else None
    if surface.isupper() and letters <= 4 and not any(c.kind == "code"
                                                      for c in span.candidates):
        return None  # an acronym the NER did not call a place ("IS", "ISIS"); "UAE" is one
    if not strong and not focal and all(c.kind == "alt" for c in span.candidates):
        return None  # only a hamlet's alternate name, and the model did not call it a place
    # A lone common word capitalised mid-sentence is a name ("a California malady").
    return "gazetteer"


def _focus_town(span: _Span, focus: frozenset[str]) -> bool:
    """A town or division of a country the article names, big enough to be news
    ("Saraqeb", "Al Qaim" in a Syria or Iraq report): the article's context, not the
    small model's reading of one name, says what it is."""
    return bool(focus) and any(
        c.entry.country in focus and c.entry.feature in (Feature.CITY, Feature.ADMIN)
        and c.entry.population >= FOCUS_TOWN_POPULATION and c.kind in ("name", "alt", "alias")
        for c in span.candidates)


def _placed_by_context(text: str, span: _Span, place_ends: set[int]) -> bool:
    """True where the words before a name expect a place: a preposition or a strike verb
    ("in Saraqeb", "struck Al Qaim"), or a list that another place name opens
    ("Jabalia and Khan Younis"); a surname ("arrested Deen and Villanueva") has neither."""
    before = text[max(0, span.start - 30):span.start]
    if _LOCATIVE_BEFORE_RE.search(before) or _STRIKE_BEFORE_RE.search(before):
        return True
    if _STRUCK_ON_BEFORE_RE.search(text, max(0, span.start - 50), span.start):
        return True  # "the airstrikes were carried out on Khan Sheikhoun"
    gap = _LIST_BEFORE_RE.search(before)
    return gap is not None and span.start - len(gap.group()) in place_ends


def focus_countries(spans: Iterable[_Span]) -> frozenset[str]:
    """The countries an article names: by name or nationality ("Syria", "Syrian"), or by a
    division that is the first reading of its name ("Idlib", "Anbar")."""
    found: set[str] = set()
    for span in spans:
        for candidate in span.candidates:
            entry = candidate.entry
            if entry.country and (entry.feature is Feature.COUNTRY
                                  or candidate.kind == "demonym"):
                found.add(entry.country)
        first = span.candidates[0].entry if span.candidates else None
        if first is not None and first.feature is Feature.ADMIN and first.country:
            found.add(first.country)
    return frozenset(found)


def _sentence_initial(text: str, start: int) -> bool:
    """True when a word opens a sentence, a line or a quotation (capitalised anyway)."""
    return bool(_SENTENCE_END_RE.search(text, max(0, start - 6), start))


def _cue(text: str, start: int, end: int) -> str:
    after = _CUE_AFTER_RE.match(text, end, min(len(text), end + 40))
    if after and not (_PLURAL_CUE_RE.search(after.group("cue"))
                      and not _LIST_END_RE.search(text, max(0, start - 40), start)):
        # A plural cue names airfields of each name only at a list's end ("Engels and
        # Morozovsk air bases"); "UK airports" are airports in the UK.
        return _canonical_cue(after.group("cue"))
    # The cue before a name ends in "of" or "of the": most names have neither, and the
    # regex would be tried at each of the forty characters before them.
    lead = text[max(0, start - 12):start].rstrip(" \u00A0").lower()
    before = (_CUE_BEFORE_RE.search(text, max(0, start - 40), start)
              if lead.endswith(("of", "the")) else None)
    if before:
        return _canonical_cue(before.group("cue"))
    listed = _LIST_PLURAL_CUE_RE.match(text, end, min(len(text), end + 120))
    if listed:
        return _canonical_cue(listed.group("cue"))
    return ""


def _canonical_cue(cue: str) -> str:
    if _FACILITY_CUE_RE.match(cue) or _FACILITY_PLURAL_RE.match(cue):
        return "facility"
    cue = re.sub(r"[ -]", "", cue.lower()).removeprefix("military")
    if cue.endswith(("bases", "fields", "ports")):
        cue = cue[:-1]  # "Engels and Morozovsk air bases": each is an air base
    cue = cue.removesuffix("s") if cue.endswith(("provinces", "governorates", "regions",
                                                  "districts")) else cue
    return "airfield" if cue == "airfield" else cue


def _spread_list_cues(text: str, mentions: list[Mention]) -> list[Mention]:
    """"the provinces of Aleppo, Deir-ez Zor and Idlib": the cue covers the whole list."""
    spread = list(mentions)
    for i in range(1, len(spread)):
        previous, current = spread[i - 1], spread[i]
        if previous.cue and not current.cue and _LIST_GAP_RE.match(
            text[previous.end:current.start]
        ) and CUE_FEATURES.get(previous.cue) == Feature.ADMIN:
            spread[i] = Mention(current.doc_id, current.start, current.end, current.text,
                                current.kind, current.found_by, previous.cue)
    return spread


@dataclass
class NameMatches:
    """The gazetteer's reading of one article, before the model.

    ``matched`` are the spans whose key names a place; ``model_windows`` the ``(start,
    end)`` ranges of the text the model must read to judge the rest.
    """

    article: Article
    matched: list[_Span]
    model_windows: list[tuple[int, int]]


def match_names(article: Article, gazetteer: Gazetteer, *, thorough: bool = False
                ) -> NameMatches:
    """Every capitalised run whose key names a place, and where the model must look.

    ``thorough`` has the model read the whole body: every name it knows is then reported,
    even one the gazetteer cannot place (for an online geocoder, or a user's pin).
    """
    text = article.text
    spans: list[_Span] = []
    for start, end in article.body_ranges():
        for s_start, s_end, tokens in candidate_spans(text, start, end):
            key = name_key(text[s_start:s_end])
            if key:
                spans.append(_Span(s_start, s_end, tokens, key))
    found = gazetteer.lookup({s.key for s in spans})
    matched = [s for s in spans if found.get(s.key)]
    # One sense per name: a stem written once as an airfield ("at Heathrow") may be the
    # field where it stands alone too ("while Heathrow and Gatwick reported delays").
    airfield_keys = {s.key for s in matched if _written_as_airfield(text, s)}
    for span in matched:
        span.candidates = _usable(found[span.key], text, span, span.key in airfield_keys)
        if airfield_designation(text[span.start:span.end]):
            # "Whiteman Air Force Base" is the field, not the census place named after it.
            fields = [c for c in span.candidates if c.entry.feature in AIRFIELD_FEATURES]
            span.candidates = fields or span.candidates
    matched = [s for s in matched if s.candidates]
    matched += _designated_airfields(text, [s for s in spans if not found.get(s.key)],
                                     gazetteer)
    matched += _named_with_cue(text, spans, matched, gazetteer)
    if thorough:
        return NameMatches(article, matched, list(article.body_ranges()))
    focal = [(s.start, s.end) for s in matched if _needs_model(text, s)]
    focal += [(s.start, s.end) for s in spans
              if not found.get(s.key) and _place_like_context(text, s)]
    return NameMatches(article, matched, _windows(text, focal, article.body_ranges()))


def airfield_designation(surface: str) -> str:
    """The bare name of an airfield written with its designation ("RAF Lakenheath",
    "Whiteman AFB" -> "Lakenheath", "Whiteman"), or '' when the name carries none."""
    bare = _AIRFIELD_SUFFIX_RE.sub("", _AIRFIELD_PREFIX_RE.sub("", surface, count=1), count=1)
    return bare if bare != surface and name_key(bare) else ""


def _designated_airfields(text: str, unknown: Sequence[_Span], gazetteer: Gazetteer
                          ) -> list[_Span]:
    """Spans no key names that are an airfield's designation around a name the gazetteer
    holds as an airfield's ("Naval Air Station Sigonella" -> Sigonella Navy Air Base)."""
    bare = {s.key: name_key(airfield_designation(text[s.start:s.end])) for s in unknown}
    bare = {key: inner for key, inner in bare.items() if inner}
    if not bare:
        return []
    found = gazetteer.lookup(set(bare.values()))
    spans = []
    for span in unknown:
        inner = bare.get(span.key)
        fields = [c for c in found.get(inner or "", ())
                  if c.entry.feature in AIRFIELD_FEATURES and c.kind != "code"]
        if fields:
            span.candidates = fields
            spans.append(span)
    return spans


def _named_with_cue(text: str, spans: Sequence[_Span], matched: Sequence[_Span],
                    gazetteer: Gazetteer) -> list[_Span]:
    """Sites whose name includes the facility cue that follows the mention: "Natanz
    nuclear site", "Ras Tanura oil terminal" (and regions named with "region"). The site
    joins the mention's candidates (the cue then asks the resolver for it); a span no key
    named before is returned, to be added."""
    phrases: dict[int, str] = {}
    wanted: dict[int, tuple[Feature, ...]] = {}
    for i, span in enumerate(spans):
        cue = _cue(text, span.start, span.end)
        if cue == "region":
            # "Iraq's Kurdistan region" is the curated "Kurdistan Region", not Iran's
            # Kurdistan province, whatever the capitals
            phrases[i] = name_key(f"{text[span.start:span.end]} region")
            wanted[i] = (Feature.ADMIN, Feature.REGION)
            continue
        if cue != "facility":
            continue
        words = _site_words(text, span.end)
        if words:
            phrases[i] = name_key(f"{text[span.start:span.end]} {words}")
            wanted[i] = (Feature.FACILITY,)
    if not phrases:
        return []
    found = gazetteer.lookup(set(phrases.values()))
    known = {id(s) for s in matched}
    added = []
    for i, key in phrases.items():
        sites = [c for c in found.get(key, ()) if c.entry.feature in wanted[i]]
        span = spans[i]
        if not sites:
            continue
        known_ids = {c.entry.gazetteer_id for c in span.candidates}
        fresh = [c for c in sites if c.entry.gazetteer_id not in known_ids]
        span.candidates = [*span.candidates, *fresh] if id(span) in known else sites
        if id(span) not in known:
            added.append(span)
    return added


def _site_words(text: str, end: int) -> str:
    """The site words that follow a name, directly or after a list, in the singular
    ("nuclear site" of "Fordow and Natanz nuclear sites")."""
    match = (_CUE_AFTER_RE.match(text, end, min(len(text), end + 40))
             or _LIST_PLURAL_CUE_RE.match(text, end, min(len(text), end + 120)))
    if match is None:
        return ""
    words = match.group("cue").split()
    words[-1] = _SINGULAR.get(words[-1].lower(), words[-1])
    return " ".join(words)


def _names_airfield(surface: str, candidates: Sequence[Candidate]) -> bool:
    """True for an airfield written with its designation ("Whiteman Air Force Base"): such
    a name is the airfield even where the model calls it an organisation or a person."""
    return bool(airfield_designation(surface)) and any(
        c.entry.feature in AIRFIELD_FEATURES for c in candidates)


def _needs_model(text: str, span: _Span) -> bool:
    """False where the model could not change the answer, or need not: a name refused
    whatever the model says ("He", "In"), or a well-known place standing alone."""
    joined = _joins_capitalised(text, span)
    readings: list[list[Entity]] = [[], [(span.start, span.end, "GPE")],
                                    [(span.start, span.end, "PERSON")]]
    if joined:  # it may lie inside an organisation's name
        readings.append([(span.start, span.end + 1, "ORG")])
    unread = _accept(text, span, readings[0], set())
    if all(_accept(text, span, reading, set()) == unread for reading in readings[1:]):
        return False
    if joined or not _is_strong(span.candidates):
        return True
    # Only the model can vouch for it ("U.S." could be a shouted "us").
    return unread is None


def _joins_capitalised(text: str, span: _Span) -> bool:
    """True when a capitalised word next to the name may make it part of a longer one."""
    after = _WORD_AFTER_RE.match(text, span.end, min(len(text), span.end + 40))
    if after and _capitalised(after.group("word")):
        return True
    before = _WORD_BEFORE_RE.search(text, max(0, span.start - 40), span.start)
    if before is None or not _capitalised(before.group("word")):
        return False
    word = before.group("word")
    # "In Syria", "But Aleppo": a sentence's first word, if a common one, joins no name.
    return not (_sentence_initial(text, before.start("word"))
                and _zipf(word) >= FUNCTION_WORD_ZIPF)


def _place_like_context(text: str, span: _Span) -> bool:
    """An unknown name where a place is expected: after "in", before "air base"."""
    surface = text[span.start:span.end]
    if span.tokens == 1 and _zipf(surface) >= COMMON_WORD_ZIPF:
        return False  # "in November", "in The"
    return bool(_cue(text, span.start, span.end)
                or _LOCATIVE_BEFORE_RE.search(text, max(0, span.start - 20), span.start))


def _windows(text: str, focal: Iterable[tuple[int, int]],
             body: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """``WINDOW_WORDS`` words either side of each focal span, within its body range, merged."""
    spans = [m.span() for m in _WORD_RE.finditer(text)]
    words = [start for start, _ in spans]
    ends = [end for _, end in spans]
    windows: list[tuple[int, int]] = []
    for start, end in focal:
        first = max(0, bisect.bisect_right(words, start) - 1 - WINDOW_WORDS)
        last = min(len(ends) - 1, bisect.bisect_left(ends, end) + WINDOW_WORDS)
        w_start, w_end = words[first], ends[last]
        range_start, range_end = next(((b, e) for b, e in body if b <= start < e),
                                      (0, len(text)))
        windows.append((max(w_start, range_start), min(w_end, range_end)))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def extract(article: Article, gazetteer: Gazetteer,
            ner: Doc | Sequence[Entity] | None = None, *, embedded: bool = False,
            matches: NameMatches | None = None) -> list[Extraction]:
    """The place mentions of one article's body, with their gazetteer candidates.

    ``ner`` is the model's reading: a spaCy ``Doc`` of ``article.text``, or the entities
    it found in ``matches.model_windows`` as ``(start, end, label)`` in article offsets.
    Without it the gazetteer reads alone, with stricter acceptance. ``embedded`` also
    returns the place names inside organisations' names, as kind EMBEDDED.
    """
    text = article.text
    if matches is None:
        matches = match_names(article, gazetteer, thorough=True)
    matched = matches.matched
    entities = _airfields_unblocked(text, _entities(ner), matched)
    model_read = [] if ner is None else matches.model_windows

    # Names the NER vouches for that no key matched: try the transliteration skeleton.
    ner_only = _ner_only_spans(text, article, entities, matched)
    cued = _cued_airfield_spans(text, article, [*matched, *ner_only])
    skeletons = {skeleton(text[s.start:s.end]): s for s in ner_only}
    by_skeleton = gazetteer.lookup_skeleton(k for k in skeletons if len(k.replace(" ", "")) >= 4)
    for skel, span in skeletons.items():
        if by_skeleton.get(skel):
            span.candidates = list(by_skeleton[skel])
            span.matched_by = "skeleton"
        else:
            span.matched_by = ""

    person_words = _person_words(text, entities)
    focus = focus_countries(matched)
    # Where names that may open a list of places end ("Competition" of a piano contest,
    # also a Missouri town, opens none).
    place_ends = {s.end for s in matched if _zipf(text[s.start:s.end]) < COMMON_WORD_ZIPF}
    # A name the article writes as a bomber's ("the Vulcan bomber") is that aircraft type
    # wherever it stands ("the Vulcan attack").
    aircraft_types = {s.key for s in matched if _aircraft_type(text, s)}
    extractions: list[Extraction] = []
    chosen = _longest_first(matched + ner_only + cued)
    mentions: list[Mention] = []
    kept: list[_Span] = []
    for span in chosen:
        found_by: str | None
        if span.matched_by == AIRFIELD_CUE:
            found_by = AIRFIELD_CUE
        elif span.matched_by:
            if span.key in aircraft_types:
                continue
            read = ner is None or _inside(span, model_read)
            found_by = _accept(text, span, entities, person_words,
                               focus if _placed_by_context(text, span, place_ends)
                               else frozenset())
            if found_by == "gazetteer" and not read:
                found_by = BY_CONTEXT
            if found_by is None or (found_by == EMBEDDED and not embedded):
                continue
            if span.matched_by == "skeleton":
                found_by = "ner+skeleton"
        else:
            found_by = "ner"
        if found_by == EMBEDDED:
            kind = MentionKind.EMBEDDED
        elif _is_demonym(span.candidates):
            kind = MentionKind.DEMONYM
        else:
            kind = MentionKind.TOPONYM
        mentions.append(Mention(article.doc_id, span.start, span.end, text[span.start:span.end],
                                kind, found_by, _cue(text, span.start, span.end)))
        kept.append(span)
    for mention, span in zip(_spread_list_cues(text, mentions), kept, strict=True):
        extractions.append(Extraction(mention, tuple(span.candidates), span.matched_by))
    return extractions


def _cued_airfield_spans(text: str, article: Article, known: Sequence[_Span]
                         ) -> list[_Span]:
    """Rare names no key matched right before "air base" or "airfield" ("Sharyat air
    base"): an airfield however spelt, left to the resolver's airfield spelling match."""
    spans = []
    for start, end in article.body_ranges():
        for match in _CUED_AIRFIELD_RE.finditer(text, start, end):
            m_start, m_end = match.span("name")
            if (not is_rare_name(match.group("name"))
                    or any(s.start < m_end and m_start < s.end for s in known)):
                continue
            span = _Span(m_start, m_end, len(match.group("name").split()),
                         name_key(match.group("name")))
            span.matched_by = AIRFIELD_CUE
            spans.append(span)
    return spans


def _airfields_unblocked(text: str, entities: Sequence[Entity], matched: Sequence[_Span]
                         ) -> list[Entity]:
    """The entities, less the organisation or person names the model read over an
    airfield's designated name ("RAF Akrotiri on Cyprus" as one ORG would hide Cyprus)
    or over a list of place names ("Qamishli and Kobani" as one ORG)."""
    fields = [(s.start, s.end) for s in matched
              if _names_airfield(text[s.start:s.end], s.candidates)]
    spans = {(s.start, s.end) for s in matched}
    return [e for e in entities if e[2] not in BLOCKING_LABELS or not (
        any(start < e[1] and e[0] < end for start, end in fields)
        or _lists_places(text, e, spans))]


def _lists_places(text: str, entity: Entity, spans: set[tuple[int, int]]) -> bool:
    """True when an entity is two or more gazetteer names joined as a list."""
    start, end, _ = entity
    if _THE_START_RE.match(text, start, end):
        start += 4  # "the Fordow and Natanz"
    parts, cursor = [], start
    for gap in _LIST_SPLIT_RE.finditer(text, start, end):
        parts.append((cursor, gap.start()))
        cursor = gap.end()
    parts.append((cursor, end))
    return len(parts) > 1 and all(part in spans for part in parts)


def _inside(span: _Span, windows: Sequence[tuple[int, int]]) -> bool:
    return any(start <= span.start and span.end <= end for start, end in windows)


def _listed_among(text: str, start: int, end: int, starts: set[int], ends: set[int]
                  ) -> bool:
    """A name between two known places of one list ("Aleppo, Dier ez Zor and Idlib"),
    whatever label the model gave it: a place, to be looked up by its skeleton."""
    before = _LIST_BEFORE_RE.search(text, max(0, start - 6), start)
    after = _LIST_GAP_AFTER_RE.match(text, end)
    return (before is not None and start - len(before.group()) in ends
            and after is not None and after.end() in starts)


def _ner_only_spans(text: str, article: Article, entities: Sequence[Entity],
                    matched: Sequence[_Span]) -> list[_Span]:
    spans = []
    starts = {s.start for s in matched}
    ends = {s.end for s in matched}
    for start, end, label in entities:
        listed = label in ("ORG", "PERSON") and _listed_among(text, start, end, starts, ends)
        if label not in ("GPE", "LOC", "FAC") and not listed:
            continue
        # Trim a leading article and a possessive ending: "the Gulf", "Iran's".
        if text[start:end].lower().startswith("the "):
            start += 4
        possessive = _POSSESSIVE_RE.search(text[start:end])
        if possessive:
            end -= len(possessive.group())
        if not any(b_start <= start and end <= b_end for b_start, b_end in article.body_ranges()):
            continue
        if any(s.start < end and start < s.end
               and not (listed and start <= s.start and s.end <= end) for s in matched):
            continue  # a listed name may hold a shorter key ("Zor" of "Dier ez Zor")
        if not text[start:start + 1].isupper() or any(c.isdigit() for c in text[start:end]):
            continue
        tokens = len(text[start:end].split())
        spans.append(_Span(start, end, tokens, name_key(text[start:end])))
    return spans
