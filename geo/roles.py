"""The part each resolved place plays in its article, read from its sentence's parse.

A place is a *base* when aircraft take off, fly or operate from it or are stationed at it,
a *target* when strikes land on, in or against it, *transit* when aircraft fly over it or
through its airspace, and a *mention* otherwise (where talks are held, a capital standing
for its government, where a spokesman spoke).

How a role is read
------------------
Only sentences that hold a resolved place and a cue are parsed: a text block (a line of
the article body) holding a place is cut into rough sentences, and those with a strike,
flight, launch or base word (``CUE_RE``, the cue table's words in their inflections) are
parsed, adjacent ones together (``CUE_NEIGHBOURS`` more either side, none by default: a
sentence without a cue word cannot give a role, and "the aircraft took off from X" next
to the targets' sentence has its own). A place in no such stretch is a mention without a
parse. spaCy's parse splits each stretch into sentences. From the head token of each
place's mention we walk up the dependency tree to the first *cue* word that governs it
and read the role off the relation that reaches the cue (the preposition under it, or the
object/subject arc).
Walking the tree rather than a window of words is what lets "took off from Hamedan to
strike Aleppo" and "Aleppo was struck by bombers based at Hamedan" both come out right.
The walk stops at a clause boundary (a ``ccomp``, ``advcl``, ``relcl`` ... arc), so a cue
in another clause never claims the place.

The cue table (lemmas or lower-case words; "take off" is a verb with its particle)
-------------------------------------------------------------------------------------
=========== ============================================ =================================
kind        words                                        role of the governed place
=========== ============================================ =================================
strike      strike, airstrike, bomb, bombing, hit,       target through an object or
            target, attack, raid, shell, pound, assault, on/in/against/at/over/of...;
            destroy
                                                         base through from / out of;
                                                         the subject or agent: mention
flight      take off, depart, launch, fly, operate,      base through from / out of;
            stage, scramble, sortie, run                 transit through over / through /
                                                         across; base through to + a base
                                                         noun ("flew bombers to the base")
station     base, station, deploy, redeploy, position,   base through at/in/near/... or
            park, land, relocate                         "X-based", when what is stationed
                                                         is an aircraft or an operation
aircraft    aircraft, plane, warplane, jet, bomber,      base through from / out of;
            fighter, helicopter, drone, Su-34, F-16 ...  transit through over
operation   mission, sortie, flight, run, operation      base through from; transit
                                                         through over; target through
                                                         against / on
base noun   base, airbase, airfield, airport, airstrip   marks the place as a base site;
                                                         a base unless a later cue says
                                                         otherwise
airspace    airspace                                     transit ("Iraqi airspace")
passage     overfly, cross, transit, pass, traverse      transit through an object or
                                                         over / through / across
support     support, escort, cover, accompany, protect   marks a base's aircraft as
                                                         supporting another strike
locator     north, south, ..., southwest; km, miles      "175 miles southwest of Tehran":
                                                         a reference point, never a base
=========== ============================================ =================================

What is not a strike
--------------------
A cue that would give a base or a target gives a plain mention (cue says why) when it is

- *hypothetical*: the cue verb, or a verb above it, has a modal ("could strike", "may have
  been heading"), an "if"/"whether", or is a request or plan ("asked whether its jets
  could pass"); see ``IRREALIS_WORDS``;
- a *request or plan*: under ask, request, consider, plan, threaten ("asked if missiles
  could pass through their airspace");
- a *relocation*: "from" or "to" under deploy, move, relocate, transfer, ferry, send
  ("bombers were deployed from X to Y"); "deployed at X" still says where aircraft are based;
- a *return*: under return, or a verb with "back"/"home" ("landed back at X", "returned to
  France");
- an *interception*: a flight verb whose purpose is to intercept or shoot down ("scrambled
  from X to intercept"); an escort stays a supporting base, as above.

A text block that is the caption of a file picture ("File photo: ...", "FILE - ...") is
not parsed; its places are mentions. Launch verbs (fire, launch) take their target through
at / on / against / into / towards, and a launcher ("destroyers in the eastern
Mediterranean fired ...", and named warships: "USS Porter and USS Ross in the eastern
Mediterranean fired ...", ``geo.areas.ship_mentions``) places the launch at its sea or
area, a base for linking; "missiles aimed at X" strike X. A country or nation's adjective
on what flew or struck ("from a Russian submarine", "US strikes", "Iran's missiles") names
whose it was, not where it came from ("a Turkish base" still places the base). Of two
prepositions on the way up, the one nearest the place decides a launch: in "launched from
the waters of the X against the Y plant" Y is struck even where the parse hangs it under X.

Confidence is that of the rule that fired: 0.9 for a verb cue with the right preposition,
0.85 for a noun cue, 0.7 for weaker readings (copula, deployment to a base), 0.6 for a
place that only names a base site, 0.6 for a plain mention and 0.8 for a mention that is
an actor, a qualifier ("al-Bab, Aleppo province") or a locator.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from geo.areas import ship_mentions
from geo.models import Article, Evidence, Feature, MentionKind, Place, PlaceRole, Role

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

log = logging.getLogger(__name__)


class Cue(StrEnum):
    STRIKE = "strike"
    FLIGHT = "flight"
    STATION = "station"
    AIRCRAFT = "aircraft"
    OPERATION = "operation"
    BASE_NOUN = "base noun"
    AIRSPACE = "airspace"
    PASSAGE = "passage"


# The cue table (see the module docstring). Order matters only for words in two rows:
# the first kind listed wins, so "run" is a flight verb and "raid" a strike.
CUE_WORDS: dict[Cue, frozenset[str]] = {
    Cue.STRIKE: frozenset({
        "strike", "airstrike", "air-strike", "bomb", "bombing", "bombard", "bombardment",
        "hit", "target", "attack", "raid", "airraid", "shell", "shelling", "pound",
        "assault", "blitz", "destroy",
    }),
    Cue.FLIGHT: frozenset({
        "take off", "takeoff", "take-off", "depart", "launch", "fly", "operate", "stage",
        "scramble", "sortie", "run", "lift off", "fire", "originate", "leave",
    }),
    Cue.STATION: frozenset({
        "base", "station", "deploy", "redeploy", "position", "park", "land", "relocate",
    }),
    Cue.AIRCRAFT: frozenset({
        "aircraft", "airplane", "plane", "warplane", "jet", "bomber", "fighter",
        "fighter-bomber", "helicopter", "drone", "gunship", "interceptor", "missile", "rocket",
        "projectile", "pilot", "aircrew", "airman", "squadron",
    }),
    Cue.OPERATION: frozenset({"mission", "sortie", "flight", "run", "operation"}),
    Cue.BASE_NOUN: frozenset({
        "base", "airbase", "air-base", "airfield", "air-field", "airport", "airstrip",
    }),
    Cue.AIRSPACE: frozenset({"airspace", "air-space"}),
    Cue.PASSAGE: frozenset({"overfly", "cross", "transit", "pass", "traverse"}),
}
# Launch verbs: "fired missiles at X" makes X a target; so does "missiles aimed at X".
LAUNCH_WORDS = frozenset({"fire", "launch", "aim"})
LAUNCH_TARGET_PREPS = frozenset({"at", "on", "against", "into", "toward", "towards"})
# Ships and other launchers: "destroyers in the Red Sea fired ..." puts the launch there.
LAUNCHER_WORDS = frozenset({
    "destroyer", "warship", "ship", "submarine", "carrier", "frigate", "cruiser", "vessel",
    "launcher", "battery",
})
LAUNCHER_PREPS = frozenset({"in", "off", "at", "near", "from"})
# Who struck flew from a ship: "Navy aircraft attacked X", "jets from the carrier USS Y hit
# Z", "Sea Harriers from HMS Hermes": X and Z are no targets of the report's land base.
CARRIER_WORDS = frozenset({"navy", "naval", "carrier", "carriers", "carrier-based",
                           "carrier-borne", "ship-based", "shipborne"})
# Where a missile or drone came down is where it struck: "the strikes landed at X", "a drone
# crashed in Y", "the missile fell near Z" (an aircraft that lands at X is based there).
IMPACT_WORDS = frozenset({"land", "crash", "explode", "fall", "impact", "slam", "smash",
                          "come down"})
IMPACT_PREPS = frozenset({"in", "at", "on", "near", "inside", "into", "onto", "outside",
                          "around"})
PROJECTILE_WORDS = frozenset({
    "missile", "rocket", "drone", "projectile", "shell", "bomb", "strike", "airstrike",
    "warhead", "munition", "uav", "debris", "fragment", "interceptor",
})
# Flights that are no strike: a place under these is a mention (see "What is not a strike").
RELOCATION_WORDS = frozenset({
    "deploy", "redeploy", "relocate", "move", "transfer", "ferry", "send", "shift",
    "withdraw", "evacuate", "rotate", "reposition", "head", "arrive",
})
RELOCATION_PREPS = frozenset({"from", "out of", "to", "into"})
RETURN_WORDS = frozenset({"return"})
RETURN_ADVERBS = frozenset({"back", "home"})
INTERCEPT_WORDS = frozenset({"intercept", "shoot", "down", "chase", "engage"})
# Modals and verbs that make what is under them a possibility, request or plan.
MODAL_WORDS = frozenset({"could", "would", "might", "may", "can", "should", "must"})
IRREALIS_WORDS = frozenset({
    "ask", "request", "consider", "plan", "threaten", "propose", "want", "seek", "weigh",
    "mull", "prepare", "contemplate", "standby", "ready",
})
IRREALIS_MARKS = frozenset({"if", "whether", "unless"})
# A flight told as a comparison did not happen: "a flight equivalent to flying from X to
# bomb Y".
COMPARISON_WORDS = frozenset({"equivalent", "comparable", "akin", "tantamount"})
# A bombing of these is a bomb left there, not one dropped: "the bombing of a nightclub".
VENUE_WORDS = frozenset({"nightclub", "discotheque", "disco", "club", "pub", "bar", "cafe",
                         "café"})
# Words that make a bombing or an attack one on the ground.
GROUND_ATTACK_WORDS = frozenset({
    "terrorist", "terror", "suicide", "car", "truck", "roadside", "knife", "gun", "grenade",
    "arson", "letter", "parcel",
})
# Verbs that report what happened: a modal above them ("can confirm") is not the event's.
REPORTING_WORDS = frozenset({"say", "confirm", "tell", "report", "announce", "state", "add",
                             "claim", "note"})
# The caption of a file (archive) picture tells of another day: its block is not read.
# A caption of the reported operation itself ("Caption: a bomber during the strike") is.
_CAPTION_RE = re.compile(
    r"\W*(?:FILE\b\s*[:\-–—]|.{0,40}?\b(?:file|archive)\s+(?:photo|picture|image|"
    r"footage)\b)", re.IGNORECASE)
SUPPORT_WORDS = frozenset({"support", "escort", "cover", "accompany", "protect", "assist"})
# Words that make "X of/from <place>" a reference point rather than the place itself.
LOCATOR_WORDS = frozenset({
    "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
    "north-east", "north-west", "south-east", "south-west", "km", "kilometres",
    "kilometers", "kilometre", "kilometer", "mile", "miles", "mi",
})
# Aircraft type designations ("Tu-22M3", "Su-34", "F-16", "MiG-29") are aircraft words.
_DESIGNATION_RE = re.compile(r"^[A-Z][A-Za-z]{0,3}-\d+[A-Z0-9]*s?$")  # "F-111s" too

FROM_PREPS = frozenset({"from", "out of"})
TARGET_PREPS = frozenset({
    "on", "in", "against", "at", "near", "around", "over", "into", "inside", "across",
    "outside", "upon", "of", "onto", "throughout", "including",
})
TRANSIT_PREPS = frozenset({"over", "through", "across", "via"})
STATION_PREPS = frozenset({"at", "in", "on", "near", "inside", "to", "into", "within"})
BASE_SITE_PREPS = frozenset({"in", "inside", "at", "near", "of", "on", "within", "outside"})
OBJECT_DEPS = frozenset({"dobj", "nsubjpass", "compound", "amod", "poss", "nmod", "npadvmod",
                         "attr", "oprd"})
MODIFIER_DEPS = frozenset({"compound", "amod", "poss", "nmod", "npadvmod", "appos"})
ACTOR_DEPS = frozenset({"nsubj", "agent", "csubj"})
# Arcs that leave the place's clause: a cue above them speaks about something else.
CLAUSE_DEPS = frozenset({"ccomp", "advcl", "relcl", "parataxis", "csubj", "csubjpass",
                         "xcomp", "pcomp", "dep"})

STRONG, NOUN, WEAK, SITE, PLAIN, SURE_MENTION = 0.9, 0.85, 0.7, 0.6, 0.6, 0.8
# Blocks longer than this are cut at sentence punctuation before parsing (cost, max_length).
MAX_BLOCK_CHARS = 5000
_BLOCK_RE = re.compile(r"[^\n]+")
_ROUGH_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")
AREA_FEATURES = (Feature.COUNTRY, Feature.ADMIN, Feature.REGION)
# The one airfield of an article that "the base" refers back to.
BACK_REFERRED_FEATURES = (Feature.AIRBASE, Feature.AIRPORT)
# Words for a site named after its name ("the X compound in Y"): Y only locates X when X
# is a known site (a town's name before "barracks" leaves Y struck).
SITE_WORDS = frozenset({"compound", "complex", "facility", "plant", "refinery", "site", "barrack",
                        "reactor", "depot", "camp", "barracks", "oilfield", "field", "port",
                        "terminal", "centre", "center"})
SITE_FEATURES = (Feature.FACILITY, Feature.AIRBASE, Feature.AIRPORT)
SITE_QUALIFIER_PREPS = frozenset({"in", "near", "outside"})
# Words for a division named after a place ("the X District of Y", "the X area of Y").
DIVISION_WORDS = frozenset({"district", "province", "governorate", "region", "area",
                            "county", "subdistrict", "countryside", "suburb", "outskirts"})
# Feature cues of the extractor (``Mention.cue``) that make a mention an area.
AREA_CUES = frozenset({"province", "governorate", "region", "district"})


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article as the parse split it, with its place in the article."""

    doc_id: str
    start: int
    end: int
    text: str
    paragraph: int  # index of the text block (line) it is in
    index: int  # order among the article's parsed sentences


@dataclass(frozen=True)
class RoleReading:
    """A place's role with what linking needs beyond ``PlaceRole``."""

    role: PlaceRole
    sentence: Sentence | None
    # The aircraft flying from this base supported (escorted, covered) another strike.
    support: bool = False
    # A target struck by aircraft or missiles from a ship ("Navy jets attacked X").
    carrier: bool = False

    @property
    def place(self) -> Place:
        return self.role.place


@dataclass
class _Walk:
    """What the walk up the tree has seen so far."""

    role: Role | None = None
    confidence: float = PLAIN
    cue: str = ""
    base_site: bool = False
    located: bool = False  # passed a locator ("southwest of"): a reference point
    support: bool = False
    carrier: bool = False  # struck from a ship (see CARRIER_WORDS)
    # The preposition nearest the place (not "of"): "launched from the waters of the X
    # against the Y plant" hangs "against" under "waters"; Y is still struck.
    inner_prep: str = ""
    # The preposition above a base noun the place names ("and at a base near X").
    site_prep: str = ""


# Any form of a cue word (a superset of CUE_WORDS, SUPPORT_WORDS and the launch words):
# a sentence without one cannot give a base, target or transit role, so it is not parsed.
CUE_RE = re.compile(
    r"\b(?:air-?strik|strik|struck|bomb|shell|hit|target|attack|raid|pounded|pounding|"
    r"assault|blitz|destroy|take off|taking off|took off|taken off|takes off|takeoff|take-off|"
    r"depart(?!ments?\b)|launch|fl(?:y|ie|ew|ight|own)|operat|scrambl|sortie|fire[sd]?\b|firing|based|bases?\b|"
    r"originat|"
    r"station|deploy|redeploy|relocat|air-?craft|airplane|plane|warplane|jet|bomber|"
    r"fighter|helicopter|drone|gunship|interceptor|mission|air-?base|air-?field|airport|"
    r"airstrip|air-?space|overfl|transit|missile|rocket|[A-Z][A-Za-z]{0,3}-\d)",
    re.IGNORECASE)
# Sentences either side of a cue sentence that are parsed with it.
CUE_NEIGHBOURS = 0


def block_spans(article: Article) -> list[tuple[int, int]]:
    """The (start, end) offsets of the text blocks of the article body, in order."""
    spans: list[tuple[int, int]] = []
    for start, end in article.body_ranges():
        for match in _BLOCK_RE.finditer(article.text, start, end):
            if not match.group().strip():
                continue
            spans.extend(_cut_long(article.text, match.start(), match.end()))
    return spans


def _cut_long(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut a block longer than MAX_BLOCK_CHARS at sentence punctuation."""
    if end - start <= MAX_BLOCK_CHARS:
        yield start, end
        return
    piece_start = start
    for gap in _ROUGH_SENTENCE_RE.finditer(text, start, end):
        if gap.start() - piece_start >= MAX_BLOCK_CHARS:
            yield piece_start, gap.start()
            piece_start = gap.end()
    while end - piece_start > MAX_BLOCK_CHARS:  # no punctuation: cut hard
        yield piece_start, piece_start + MAX_BLOCK_CHARS
        piece_start += MAX_BLOCK_CHARS
    if piece_start < end:
        yield piece_start, end


def read_roles(
    articles: Sequence[Article], places: Sequence[Place], nlp: Language
) -> tuple[RoleReading, ...]:
    """The role of every resolved place, article by article, in text order."""
    by_doc: dict[str, list[Place]] = defaultdict(list)
    for place in places:
        if place.resolved:
            by_doc[place.mention.doc_id].append(place)
    readings: list[RoleReading] = []
    for article in articles:
        doc_places = sorted(by_doc.get(article.doc_id, ()), key=lambda p: p.mention.start)
        if doc_places:
            readings.extend(read_article_roles(article, doc_places, nlp))
    return tuple(readings)


def cue_stretches(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The stretches of ``text[start:end]`` worth parsing: its rough sentences with a cue
    word, each with ``CUE_NEIGHBOURS`` sentences either side, adjacent ones joined."""
    bounds: list[tuple[int, int]] = []
    piece = start
    for gap in _ROUGH_SENTENCE_RE.finditer(text, start, end):
        bounds.append((piece, gap.start()))
        piece = gap.end()
    if piece < end:
        bounds.append((piece, end))
    keep = [False] * len(bounds)
    for n, (s, e) in enumerate(bounds):
        if CUE_RE.search(text, s, e):
            for m in range(max(0, n - CUE_NEIGHBOURS), min(len(bounds), n + CUE_NEIGHBOURS + 1)):
                keep[m] = True
    stretches: list[tuple[int, int]] = []
    for n, (s, e) in enumerate(bounds):
        if not keep[n]:
            continue
        if stretches and n > 0 and keep[n - 1]:
            stretches[-1] = (stretches[-1][0], e)
        else:
            stretches.append((s, e))
    return stretches


def read_article_roles(
    article: Article, places: Sequence[Place], nlp: Language
) -> list[RoleReading]:
    """Roles of one article's resolved places; only the stretches of text around a cue
    that hold a place are parsed (see "How a role is read")."""
    blocks = block_spans(article)
    pieces: list[tuple[int, int, int]] = []  # (block, start, end), in text order
    wanted: dict[int, list[Place]] = defaultdict(list)  # piece index -> its places
    homeless: list[Place] = []
    stretches: dict[int, list[tuple[int, int]]] = {}
    for place in places:
        index = next((i for i, (s, e) in enumerate(blocks)
                      if s <= place.mention.start and place.mention.end <= e), None)
        if index is None or _CAPTION_RE.match(article.text, *blocks[index]):
            homeless.append(place)
            continue
        if index not in stretches:
            stretches[index] = cue_stretches(article.text, *blocks[index])
        found = next(((s, e) for s, e in stretches[index]
                      if s <= place.mention.start and place.mention.end <= e), None)
        if found is None:
            homeless.append(place)
            continue
        key = (index, *found)
        if key not in pieces:
            pieces.append(key)
        wanted[pieces.index(key)].append(place)
    order = sorted(range(len(pieces)), key=lambda i: pieces[i][1])
    ships = [(ship.start, ship.end) for ship in ship_mentions(article.text)] if pieces else []
    disable = [name for name in ("ner",) if name in nlp.pipe_names]
    docs = nlp.pipe((article.text[pieces[i][1]:pieces[i][2]] for i in order), disable=disable)
    readings: list[RoleReading] = []
    backrefs: list[tuple[Sentence, str]] = []
    sentence_count = 0
    for piece_index, doc in zip(order, docs, strict=True):
        block_index, offset, _ = pieces[piece_index]
        sentences = {sent.start: Sentence(
            article.doc_id, offset + sent.start_char, offset + sent.end_char, sent.text,
            block_index, sentence_count + n) for n, sent in enumerate(doc.sents)}
        sentence_count += len(sentences)
        launchers = frozenset(tok.i for tok in doc if any(
            start <= offset + tok.idx < end for start, end in ships))
        spans = _place_spans(doc, offset, wanted[piece_index])
        by_token = {tok.i: place for place in wanted[piece_index]
                    if (hit := spans.get(id(place))) is not None for tok in hit}
        for place in wanted[piece_index]:
            span = spans.get(id(place))
            if span is None:
                homeless.append(place)
                continue
            walk = _read_place(span, place, by_token, launchers)
            sentence = sentences[span.sent.start]
            evidence = Evidence(article.doc_id, sentence.text, sentence.start, sentence.end,
                                walk.cue)
            role = PlaceRole(place, walk.role or Role.MENTION, round(walk.confidence, 3),
                             evidence)
            readings.append(RoleReading(role, sentence, walk.support, walk.carrier))
        backrefs += [(sentences[tok.sent.start], cue) for tok in doc
                     if (cue := _unnamed_base(tok, by_token))]
    readings += _back_referred_bases(backrefs, readings)
    for place in homeless:
        log.debug("%s: no parsed sentence holds %r", article.doc_id, place.mention.text)
        readings.append(RoleReading(PlaceRole(place, Role.MENTION, 0.3), None))
    readings.sort(key=lambda r: r.place.mention.start)
    return readings


def _unnamed_base(token: Token, places: dict[int, Place]) -> str:
    """The cue of a flight from a base the sentence does not name ("took off from the air
    base that was hit"), or ""."""
    if Cue.BASE_NOUN not in cue_kinds(token) or token.dep_ != "pobj":
        return ""
    if not any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in token.children):
        return ""
    if any(c.dep_ in ("compound", "nmod", "appos", "amod", "poss") and (
            c.i in places or c.pos_ == "PROPN") for c in token.children):
        return ""  # "the Shayrat base", "the Iranian base": named or placed
    prep, verb = token.head, token.head.head
    flew = (verb.pos_ == "VERB" and Cue.FLIGHT in cue_kinds(verb)) or (
        verb.pos_ in ("NOUN", "PROPN") and Cue.AIRCRAFT in cue_kinds(verb))  # "jets from the base"
    if prep.lower_ not in FROM_PREPS or not flew:
        return ""
    word = " ".join([verb.text, *(c.text for c in verb.children if c.dep_ == "prt")])
    return f"{word} {prep.lower_} the {token.text}"


def _back_referred_bases(backrefs: Sequence[tuple[Sentence, str]],
                         readings: Sequence[RoleReading]) -> list[RoleReading]:
    """"The base" a flight left from, in an article that names one airfield: that airfield,
    read as a base in the back-reference's sentence."""
    if not backrefs:
        return []
    fields = {r.place.entry.gazetteer_id: r.place for r in readings
              if r.place.entry is not None and r.place.entry.feature in BACK_REFERRED_FEATURES}
    if len(fields) != 1:
        return []
    (place,) = fields.values()
    found = []
    for sentence, cue in backrefs:
        evidence = Evidence(sentence.doc_id, sentence.text, sentence.start, sentence.end,
                            f"{cue} ({place.mention.text})")
        found.append(RoleReading(PlaceRole(place, Role.BASE, WEAK, evidence), sentence))
    return found


def _place_spans(doc: Doc, offset: int, places: Sequence[Place]) -> dict[int, Span]:
    """The token span of each place's mention, keyed by ``id(place)``."""
    spans: dict[int, Span] = {}
    for place in places:
        span = doc.char_span(place.mention.start - offset, place.mention.end - offset,
                             alignment_mode="expand")
        if span is not None and len(span):
            spans[id(place)] = span
    return spans


def cue_key(token: Token) -> str:
    """The word a cue table is looked up by: the lemma, with a verb's particle."""
    lemma = token.lemma_.lower()
    particles = [c.lower_ for c in token.children if c.dep_ == "prt"]
    return f"{lemma} {particles[0]}" if particles else lemma


def cue_kinds(token: Token) -> tuple[Cue, ...]:
    """The cue kinds a token belongs to (a word may be in two rows: "base", "run")."""
    forms = {cue_key(token), token.lower_, token.lemma_.lower()}
    if token.lower_.endswith("s"):
        forms.add(token.lower_[:-1])  # "bases" is lemmatised to "basis"
    kinds = tuple(kind for kind, words in CUE_WORDS.items() if forms & words)
    if not kinds and _DESIGNATION_RE.match(token.text):
        return (Cue.AIRCRAFT,)
    # "take" without "off" is no flight; "base" as a verb is a station, as a noun a site.
    if Cue.FLIGHT in kinds and token.lemma_.lower() == "take" and "take off" not in forms:
        kinds = tuple(k for k in kinds if k is not Cue.FLIGHT)
    if token.pos_ in ("NOUN", "PROPN"):
        kinds = tuple(k for k in kinds if k is not Cue.STATION)
    else:
        kinds = tuple(k for k in kinds if k is not Cue.BASE_NOUN)
    return kinds


def _prep_word(prep: Token) -> str:
    """A preposition as read: "out" with an "of" under it is "out of"."""
    word = prep.lower_
    if word == "out" and any(c.lower_ == "of" for c in prep.children):
        return "out of"
    return word


def _is_aircraftish(token: Token) -> bool:
    kinds = cue_kinds(token)
    return Cue.AIRCRAFT in kinds or Cue.OPERATION in kinds or Cue.STRIKE in kinds


def _about_aircraft(verb: Token) -> bool:
    """Whether a station verb ("based", "stationed") is said of aircraft or operations."""
    if verb.dep_ in ("acl", "amod") and _is_aircraftish(verb.head):
        return True
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass", "dobj") and any(
                _is_aircraftish(t) for t in (child, *child.conjuncts)):
            return True
    return False


def _supports(cue: Token, aircraft: Token | None) -> bool:
    """Whether the aircraft read at this cue supported another strike."""
    if (aircraft is not None and aircraft.dep_ in ("nsubj", "nsubjpass")
            and aircraft.head.lemma_.lower() in SUPPORT_WORDS):
        return True
    return any(c.lemma_.lower() in SUPPORT_WORDS and c.dep_ in ("advcl", "xcomp", "conj")
               for c in cue.children)


def _read_place(span: Span, place: Place, others: dict[int, Place],
                launchers: frozenset[int] = frozenset()) -> _Walk:
    """Walk from the mention's head up the tree to the cue that decides its role."""
    assert place.entry is not None
    walk = _Walk()
    # The mention's own cue ("Hmeimim air base") makes it a base site; the entry's feature
    # alone does not, so a misresolved name is no base without a cue in its sentence.
    walk.base_site = place.mention.cue in ("airbase", "airfield", "airport")
    root = span.root
    is_area = _is_area(place) or (root.dep_ in ("compound", "amod", "nmod")
                                  and root.head.lemma_.lower() in AREA_CUES)
    own = {tok.i for tok in span}
    near = {i: p for i, p in others.items() if i not in own}
    child: Token = span.root
    aircraft: Token | None = None
    for _ in range(60):  # a parse is a tree, but never trust a loop to end
        head = child.head
        if head.i == child.i:
            break
        arc = child.dep_
        # "from somewhere near X" is no clause, though "somewhere" hangs as a pcomp
        adverbial = arc == "pcomp" and child.pos_ in ("ADV", "ADP")
        if (arc in CLAUSE_DEPS and not adverbial) or (arc == "conj" and (
                child.pos_ in ("VERB", "AUX") or head.pos_ in ("VERB", "AUX"))):
            break
        if child.lower_ in ("of", "from") and head.lower_ in LOCATOR_WORDS:
            walk.located = True
        if child.lower_ in SITE_QUALIFIER_PREPS and (named := _named_site(head, near)):
            # "the Bab al-Azizia compound in Tripoli": the town says where the site is
            return _settle(walk, Role.MENTION, SURE_MENTION, f"qualifier of {named}")
        if is_area and child.lower_ == "of" and (named := _named_division(head, near)):
            # "the Jisr al-Shughur District of Idlib": Idlib only says where the district is
            return _settle(walk, Role.MENTION, SURE_MENTION, f"qualifier of {named}")
        if head.i in near:
            other = near[head.i]
            if arc == "conj" or (arc == "appos" and not is_area):
                child = head
                continue  # a list or apposition of places shares one role
            return _settle(walk, Role.MENTION, SURE_MENTION, f"qualifier of {other.mention.text}")
        prep = _prep_of(child, arc)
        if prep in FROM_PREPS and walk.inner_prep in LAUNCH_TARGET_PREPS:
            prep = walk.inner_prep
        elif prep and prep != "of" and not walk.inner_prep:
            walk.inner_prep = prep
        if walk.base_site and not walk.site_prep and head.pos_ == "ADP":
            walk.site_prep = head.lower_
        if child.i == root.i and _names_owner(place, arc, head):
            return _settle(walk, Role.MENTION, SURE_MENTION, f"actor of {head.text}")
        step = _Step(head, arc, prep, place, near, launchers)
        if _no_strike(walk, step):
            return walk
        if _at_cue(walk, step):
            if walk.role in (Role.BASE, Role.TARGET) and (why := _irrealis(head)):
                return _settle(walk, Role.MENTION, SURE_MENTION, f"{why} ({walk.cue})")
            if walk.role is Role.BASE:
                walk.support = _supports(head, aircraft or (
                    head if Cue.AIRCRAFT in cue_kinds(head) else None))
            return _finish(walk)
        if Cue.AIRCRAFT in cue_kinds(head):
            aircraft = head
        child = head
    if walk.base_site and _launched_at(span, walk.site_prep):
        # "fired missiles at the X air base ..., and at a base near Y": the parse hangs the
        # second "at" elsewhere, but the sentence's launch took it.
        return _finish(_settle(walk, Role.TARGET, WEAK, f"{walk.site_prep} a base"))
    if walk.base_site:
        return _finish(_settle(walk, Role.BASE, SITE, walk.cue or "air base"))
    return walk


def _named_site(word: Token, places: dict[int, Place]) -> str:
    """The site a site word carries as its name when the name is a known site or airfield
    ("Bab al-Azizia" of "the Bab al-Azizia compound"), or ""."""
    if word.lemma_.lower() not in SITE_WORDS:
        return ""
    for child in word.children:
        entry = places[child.i].entry if child.i in places else None
        if child.dep_ in ("compound", "nmod") and entry is not None and (
                entry.feature in SITE_FEATURES):
            return places[child.i].mention.text
    return ""


def _named_division(word: Token, places: dict[int, Place]) -> str:
    """The place a division word carries as its name ("Jisr al-Shughur" of "the Jisr
    al-Shughur District"), or ""."""
    if word.lemma_.lower() not in DIVISION_WORDS:
        return ""
    named = [places[c.i] for c in word.children if c.i in places
             and c.dep_ in ("compound", "nmod") and places[c.i].mention.kind is not
             MentionKind.DEMONYM]
    return named[0].mention.text if named else ""


def _launched_at(span: Span, prep: str) -> bool:
    """Whether a launch or strike verb of the span's sentence takes targets through ``prep``."""
    if prep not in LAUNCH_TARGET_PREPS:
        return False
    return any(tok.pos_ == "VERB" and (tok.lemma_.lower() in LAUNCH_WORDS
                                       or Cue.STRIKE in cue_kinds(tok))
               and any(c.dep_ == "prep" and c.lower_ == prep for c in tok.children)
               for tok in span.sent)


def _names_owner(place: Place, arc: str, head: Token) -> bool:
    """A country or demonym modifying what flew or struck names whose it was, not where:
    "from a Russian submarine", "US strikes", "Iran's missiles" (but "a Turkish base")."""
    assert place.entry is not None
    if arc not in ("amod", "compound", "poss", "nmod") or head.pos_ not in ("NOUN", "PROPN"):
        return False
    if place.mention.kind is not MentionKind.DEMONYM and place.entry.feature is not Feature.COUNTRY:
        return False
    kinds = cue_kinds(head)
    # "Iranian targets" are in Iran: a target noun is no strike here.
    strike = Cue.STRIKE in kinds and head.lemma_.lower() != "target"
    return head.lemma_.lower() in LAUNCHER_WORDS or Cue.AIRCRAFT in kinds or strike


@dataclass(frozen=True)
class _Step:
    """One arc of the walk: the head reached, the arc into it, the preposition if any."""

    head: Token
    arc: str
    prep: str
    place: Place
    others: dict[int, Place]
    launchers: frozenset[int] = frozenset()  # tokens of named warships ("USS Porter")

    @property
    def via_prep(self) -> bool:
        return bool(self.prep)

    @property
    def word(self) -> str:
        particles = [c.text for c in self.head.children if c.dep_ == "prt"]
        return " ".join([self.head.text, *particles])

    def cue(self) -> str:
        return f"{self.word} {self.prep}".strip()


def _prep_of(child: Token, arc: str) -> str:
    if arc == "agent":
        return "by"
    return _prep_word(child) if arc == "prep" else ""


def _is_area(place: Place) -> bool:
    """A country, province or region: such a place beside a town only qualifies it."""
    feature = place.entry.feature if place.entry else None
    return feature in AREA_FEATURES or place.mention.cue in AREA_CUES


def _settle(walk: _Walk, role: Role, confidence: float, cue: str) -> _Walk:
    walk.role, walk.confidence, walk.cue = role, confidence, cue
    return walk


def _finish(walk: _Walk) -> _Walk:
    """Apply the locator rule: a reference point is no base and a weaker target."""
    if not walk.located:
        return walk
    if walk.role is Role.BASE:
        return _settle(walk, Role.MENTION, SURE_MENTION, f"locator ({walk.cue})")
    if walk.role is Role.TARGET:
        walk.confidence *= 0.7
    return walk


def _no_strike(walk: _Walk, step: _Step) -> bool:
    """A relocation, return or interception at ``step.head``: the place is a mention."""
    head = step.head
    lemma = head.lemma_.lower()
    if head.pos_ not in ("VERB", "NOUN", "AUX"):
        return False
    if (lemma in RELOCATION_WORDS and head.pos_ == "VERB" and step.prep in RELOCATION_PREPS
            and not (step.prep in FROM_PREPS and _then_struck(head))):
        why = "relocation"
    elif (step.prep in RELOCATION_PREPS and Cue.AIRCRAFT in cue_kinds(head)
          and head.dep_ in ("dobj", "nsubjpass") and head.head.pos_ == "VERB"
          and head.head.lemma_.lower() in RELOCATION_WORDS):
        why = "relocation"  # "moved its bombers from X"
    elif lemma in RETURN_WORDS or any(c.lower_ in RETURN_ADVERBS and c.dep_ in (
            "advmod", "prt", "npadvmod") for c in head.children):
        why = "return"
    elif Cue.FLIGHT in cue_kinds(head) and any(
            c.dep_ in ("xcomp", "advcl") and c.lemma_.lower() in INTERCEPT_WORDS
            for c in head.children):
        why = "interception"
    else:
        return False
    _settle(walk, Role.MENTION, SURE_MENTION, f"{why} ({step.cue()})")
    walk.base_site = False
    return True


def _then_struck(verb: Token) -> bool:
    """Whether what was sent from a place went on to strike: "jets deployed from X struck
    Y" is a sortie from X, "bombers deployed from X to Y" a move."""
    return any(c.dep_ in ("conj", "xcomp", "advcl") and Cue.STRIKE in cue_kinds(c)
               for c in verb.children)


def _irrealis(verb: Token) -> str:
    """Why the event at this cue is only possible, asked for or planned ("" when real)."""
    token: Token | None = verb
    for _ in range(12):
        if token is None:
            break
        if token is not verb and token.lemma_.lower() in REPORTING_WORDS:
            break  # "I can confirm the base was attacked": the modal is the speaker's
        if any(c.dep_ == "aux" and c.lower_ in MODAL_WORDS for c in token.children):
            return "hypothetical"
        if any(c.dep_ == "mark" and c.lower_ in IRREALIS_MARKS for c in token.children):
            return "hypothetical"
        if token is not verb and token.lemma_.lower() in IRREALIS_WORDS:
            return f"{token.lemma_.lower()}ed, not done"
        if token is not verb and token.lemma_.lower() in COMPARISON_WORDS:
            return "a comparison, not done"
        if token is not verb and _standing_by(token):
            return "on standby, not done"  # "crews are on standby to start bombing X"
        if token.head.i == token.i:
            break
        token = token.head
    return ""


def _standing_by(verb: Token) -> bool:
    """Whether a plan word hangs beside the verb rather than above it ("are ready to")."""
    near = [c for c in verb.children if c.dep_ in ("attr", "acomp", "advmod")]
    near += [g for c in verb.children if c.dep_ == "prep" for g in c.children]
    return any(t.lemma_.lower() in IRREALIS_WORDS for t in near)


def _at_cue(walk: _Walk, step: _Step) -> bool:
    """Read the role at ``step.head`` if it is a cue; True when the role is decided."""
    kinds = cue_kinds(step.head)
    if Cue.STRIKE in kinds and _at_strike(walk, step):
        return True
    if (step.head.lemma_.lower() in LAUNCH_WORDS and step.head.pos_ == "VERB" and (
            step.prep in LAUNCH_TARGET_PREPS or (step.arc == "dobj" and not step.prep
                                                 and walk.inner_prep in LAUNCH_TARGET_PREPS))):
        # also "launched tens of missiles at X", the "at" hung on the missiles
        _settle(walk, Role.TARGET, STRONG, step.cue())  # "fired missiles at X"
        return True
    if _at_launcher(step):
        _settle(walk, Role.BASE, STRONG, step.cue())  # as sure as "launched from X"
        return True
    if _impact(step):
        _settle(walk, Role.TARGET, STRONG, step.cue())  # "a drone crashed in X"
        return True
    if not kinds and step.prep in TARGET_PREPS and any(
            c.dep_ in ("amod", "compound") and c.tag_ in ("VBN", "VBD")
            and Cue.STRIKE in cue_kinds(c) for c in step.head.children):
        # "bombed positions near X" with "bombed" parsed as a modifier of "positions"
        _settle(walk, Role.TARGET, WEAK, f"{step.head.text} {step.prep}")
        return True
    if {Cue.FLIGHT, Cue.OPERATION, Cue.AIRCRAFT} & set(kinds) and _at_flight(walk, step, kinds):
        return True
    if Cue.STATION in kinds and _about_aircraft(step.head) and (
            step.prep in STATION_PREPS or step.arc in ("npadvmod", "compound", "advmod")):
        _settle(walk, Role.BASE, STRONG, step.cue())
        return True
    if (step.head.lemma_.lower() in RELOCATION_WORDS | CUE_WORDS[Cue.STATION]
            and step.prep in FROM_PREPS and _then_struck(step.head)):
        _settle(walk, Role.BASE, STRONG, step.cue())  # "jets deployed from X struck Y"
        return True
    if Cue.BASE_NOUN in kinds and _at_base_noun(walk, step):
        return True
    if Cue.AIRSPACE in kinds and (step.arc in MODIFIER_DEPS or step.prep == "of"):
        _settle(walk, Role.TRANSIT, NOUN, step.head.text)
        return True
    if Cue.PASSAGE in kinds and (step.prep in TRANSIT_PREPS or step.arc == "dobj"):
        _settle(walk, Role.TRANSIT, NOUN, step.cue())
        return True
    if (step.head.pos_ == "VERB" and step.prep in TARGET_PREPS
            and any(c.dep_ in ("dobj", "nsubjpass") and Cue.STRIKE in cue_kinds(c)
                    for c in step.head.children)):
        # "carried out strikes on X", "conducted raids in X", "the airstrikes were carried
        # out on X": the place hangs on the verb
        _settle(walk, Role.TARGET, NOUN, f"{step.head.text} strikes {step.prep}")
        return True
    if (step.head.lemma_ == "include" and step.arc == "dobj"
            and any(c.dep_ == "nsubj" and Cue.STRIKE in cue_kinds(c)
                    for c in step.head.children)):
        # "the targets included drone sites and an airport in X"
        _settle(walk, Role.TARGET, WEAK, f"targets {step.head.text}")
        return True
    if step.head.lemma_ == "be" and step.prep in ("in", "at", "near", "around"):
        # "ISIS targets were in Aleppo"
        subjects = [c for c in step.head.children if c.dep_ == "nsubj"]
        if any(Cue.STRIKE in cue_kinds(s) for s in subjects):
            _settle(walk, Role.TARGET, WEAK, f"{subjects[0].text} {step.head.text} {step.prep}")
            return True
    return False


def _impact(step: _Step) -> bool:
    """Whether the place is where a missile, drone or strike came down ("landed at X")."""
    verb = step.head
    if (verb.pos_ != "VERB" or step.prep not in IMPACT_PREPS
            or not {verb.lemma_.lower(), cue_key(verb)} & IMPACT_WORDS):
        return False
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subjects and verb.dep_ == "conj":  # "a drone crashed and exploded in X"
        subjects = [c for c in verb.head.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subjects and verb.dep_ in ("relcl", "acl"):  # "the missile, which fell in X"
        subjects = [verb.head]
    if not subjects and verb.dep_ == "advcl":  # "missiles fired from A landed near X",
        # parsed with the landing under the firing: its subject is the firing's
        subjects = [c for c in verb.head.children if c.dep_ in ("nsubj", "nsubjpass")]
    return any(_is_projectile(t) for s in subjects for t in (s, *s.conjuncts))


def _is_projectile(token: Token) -> bool:
    forms = {token.lemma_.lower(), token.lower_, token.lower_.rstrip("s")}
    return bool(forms & PROJECTILE_WORDS)


def _at_launcher(step: _Step) -> bool:
    """Whether the place says where a launcher that fired was ("destroyers in the X fired")."""
    head = step.head
    if step.prep not in LAUNCHER_PREPS or (head.lemma_.lower() not in LAUNCHER_WORDS
                                           and head.i not in step.launchers):
        return False
    while head.dep_ == "conj" and head.head.i != head.i:
        head = head.head  # "USS Porter and USS Ross in the X fired": the first conjunct
    if head.dep_ in ("nsubj", "nsubjpass"):
        return Cue.FLIGHT in cue_kinds(head.head) or Cue.STRIKE in cue_kinds(head.head)
    # "fired from destroyers in the X"
    above = head.head
    return (head.dep_ == "pobj" and above.lower_ in FROM_PREPS
            and Cue.FLIGHT in cue_kinds(above.head))


def _at_strike(walk: _Walk, step: _Step) -> bool:
    if step.head.pos_ == "NOUN" and any(c.dep_ in ("amod", "compound")
                                        and c.lemma_.lower() in GROUND_ATTACK_WORDS
                                        for c in step.head.children):
        # "a terrorist bombing at the X", "a car bomb in Y": no aircraft struck there
        _settle(walk, Role.MENTION, SURE_MENTION, f"not from the air ({step.cue()})")
        return True
    if step.head.lemma_.lower() in ("bombing", "bomb", "blast") and any(
            c.dep_ == "prep" and any(g.lemma_.lower() in VENUE_WORDS for g in c.children)
            for c in step.head.children):
        # "the bombing of a West Berlin nightclub": a bomb left in a venue
        _settle(walk, Role.MENTION, SURE_MENTION, f"not from the air ({step.cue()})")
        return True
    if step.prep in FROM_PREPS:
        verb = step.head.head
        # "launched the attack from X" says where the launch was, as "launched from X" does
        launched = step.head.dep_ == "dobj" and verb.lemma_.lower() in LAUNCH_WORDS
        _settle(walk, Role.BASE, STRONG if launched else NOUN, step.cue())
        return True
    if (step.arc == "amod" and step.place.mention.kind is MentionKind.DEMONYM
            and step.head.lemma_.lower() != "target"):
        # "Syrian and Russian airstrikes": a demonym on a strike names who struck.
        _settle(walk, Role.MENTION, SURE_MENTION, f"actor of {step.word}")
        return True
    if step.prep in TARGET_PREPS or (not step.prep and step.arc in OBJECT_DEPS):
        _settle(walk, Role.TARGET, STRONG if step.head.pos_ == "VERB" else NOUN, step.cue())
        walk.carrier = _carrier_borne(step.head, step.launchers)
        return True
    if step.arc in ACTOR_DEPS or step.prep == "by":
        _settle(walk, Role.MENTION, SURE_MENTION, f"actor of {step.word}")
        return True
    return False


def _carrier_borne(cue: Token, launchers: frozenset[int]) -> bool:
    """Whether who struck at this cue flew from a ship: its subject, its agent or its
    "from" says so ("Navy aircraft attacked", "jets from the USS X"), here or on the verb
    it serves ("launched from the carrier to strike")."""
    token = cue
    for _ in range(3):
        flyers = [c for c in token.children if c.dep_ in ("nsubj", "agent") or (
            c.dep_ == "prep" and c.lower_ in (*FROM_PREPS, "by"))]
        if any(t.lower_ in CARRIER_WORDS or t.i in launchers
               for c in flyers for t in c.subtree):
            return True
        if (token.dep_ not in ("xcomp", "advcl", "conj", "acl") or token.head.i == token.i
                or any(c.dep_ in ("nsubj", "nsubjpass") for c in token.children)):
            break  # a verb with its own subject speaks for its own strikers
        token = token.head
    return False


def _at_flight(walk: _Walk, step: _Step, kinds: tuple[Cue, ...]) -> bool:
    is_flight_verb = Cue.FLIGHT in kinds and step.head.pos_ == "VERB"
    strength = STRONG if is_flight_verb else NOUN
    if step.prep in FROM_PREPS:
        _settle(walk, Role.BASE, strength, step.cue())
        return True
    if step.prep in TRANSIT_PREPS:
        _settle(walk, Role.TRANSIT, strength, step.cue())
        return True
    if Cue.OPERATION in kinds and step.prep in ("against", "on"):
        _settle(walk, Role.TARGET, NOUN, step.cue())
        return True
    if is_flight_verb and step.prep in ("to", "into") and walk.base_site:
        _settle(walk, Role.BASE, WEAK, step.cue())  # "flew four bombers to the air base"
        return True
    if (is_flight_verb and step.arc == "dobj" and step.head.lemma_.lower() == "leave"
            and _about_aircraft(step.head)):
        _settle(walk, Role.BASE, STRONG, step.cue())  # "twelve F-111s left RAF Lakenheath"
        return True
    if is_flight_verb and step.arc in ACTOR_DEPS:
        _settle(walk, Role.MENTION, SURE_MENTION, f"actor of {step.word}")
        return True
    return False


def _at_base_noun(walk: _Walk, step: _Step) -> bool:
    if step.prep in FROM_PREPS:
        walk.located = True  # "a base 30 km from X"
        return False
    if not (step.arc in MODIFIER_DEPS or step.prep in BASE_SITE_PREPS):
        return False
    if step.prep and _named_base(step.head, step.others):
        assert step.place.entry is not None
        if step.place.entry.feature is not Feature.COUNTRY:
            # "Hmeimim air base in Latakia": the named base is the base; its country
            # still says where the base is, anything finer only qualifies it.
            _settle(walk, Role.MENTION, SURE_MENTION, f"qualifier of {step.head.text}")
            return True
    walk.base_site = True
    walk.cue = walk.cue or step.head.text
    return False


def _named_base(base: Token, others: dict[int, Place]) -> bool:
    """Whether a base noun carries its own name ("Hmeimim air base", not "Iranian base")."""
    return any(c.dep_ in ("compound", "nmod", "appos") and c.i in others
               and others[c.i].mention.kind is not MentionKind.DEMONYM
               for c in base.children)
