"""Properties that must hold for any text: exact offsets, mentions inside the body, no crash.

The example tests elsewhere check what is found; these check what can never happen, on
text nobody would write by hand (combining marks, right-to-left runs, emoji, long runs of
capitals, stray hyphens and apostrophes, lines repeated as boilerplate). Geodesic routes
for identical ends, antipodes, the antimeridian and the poles have their own properties in
``test_geodesy.py``.
"""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from geo.extract import candidate_spans, extract
from geo.furniture import body_ranges
from geo.gazetteer import Gazetteer
from geo.models import Article
from geo.nlp import NER_PIPES

# Any character but NUL (the reader refuses NUL as binary) and lone surrogates (not text).
ANY_CHAR = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
# Pieces that reach the extractor's edge cases: names it knows, connectors, possessives,
# abbreviations with dots, case that changes length when folded ("İ", "ß"), marks that
# combine with the letter before, bidi controls, scripts without case, and page furniture.
PIECES = st.sampled_from([
    "Aleppo", "Syria", "Syria's", "Iran’s", "Deir ez-Zor", "Deir-ez Zor", "al-Bab", "Al-",
    "U.S.", "U.", "S.", "Ma'arrat al-Nu'man", "Ras al Ain", "HMEIMIM AIR BASE", "Hmeimim",
    "air base", "province", "the provinces of ", "Tu-22M3", "Col. ", "Gen ", "Bashar al-Assad",
    "İstanbul", "STRASSE", "Straße", "ǅ", "Ḥamā", "e\u0301", "A\u0300\u0301", "\u200f",
    "\u202e", "\u200b", "\ufeff", "حلب", "دمشق", "שלום", "🇸🇾", "👍🏽", "ＡＢＣ", "Ⅻ",
    "-", "\u2010", "\u2011", "'", "’", "ʼ", ".", ". ", ", ", " and ", " ", "  ", "\t",
    "\n", "\n\n", "\r", "\u2028", "\u00a0", "Source: Wire", "Home | World | Sport",
    "GMT 13:58 2016 Friday", "Share on Facebook", "AAAAAAAAAAAAAAAAAAAA", "X", "x",
])
NEWSY = st.lists(st.one_of(PIECES, st.text(ANY_CHAR, max_size=6)), max_size=40).map("".join)
# Lines drawn from a small pool, so some repeat 3+ times and read as boilerplate, some glued
# to the front of other lines (the furniture rule that moves a line's body start).
_LINE_POOL = st.sampled_from([
    "Example News", "Example News Jets struck Aleppo in Syria on Tuesday.", "  ",
    "Menu", "Example  News  Deir ez-Zor", "EXAMPLE NEWS", "Straße", "STRASSE Idlib",
    "Russian jets flew from Hmeimim air base and struck Idlib, Syria, the ministry said.",
])
LINES = st.lists(st.one_of(_LINE_POOL, NEWSY), max_size=12).map("\n".join)
TEXTS = st.one_of(st.text(ANY_CHAR, max_size=300), NEWSY, LINES)

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


def _check_mentions(article: Article, gazetteer: Gazetteer, nlp: Language) -> None:
    text = article.text
    with nlp.select_pipes(enable=NER_PIPES):  # as the pipeline parses: entities only
        doc = nlp(text)
    extractions = extract(article, gazetteer, doc)
    body = article.body_ranges()
    previous_end = 0
    for extraction in extractions:
        mention = extraction.mention
        assert 0 <= mention.start < mention.end <= len(text), mention
        assert text[mention.start:mention.end] == mention.text, mention
        assert mention.doc_id == article.doc_id
        assert any(start <= mention.start and mention.end <= end for start, end in body), (
            mention, body)
        # Mentions come in text order and never overlap.
        assert mention.start >= previous_end, extractions
        previous_end = mention.end


@PROPERTY_SETTINGS
@given(TEXTS)
@example("Jets struck Deir ez-Zor and al-Bab in Syria's north, the U.S. said.")
def test_extract_offsets_slice_the_text(gazetteer: Gazetteer, nlp: Language, text: str) -> None:
    _check_mentions(Article(doc_id="h", text=text), gazetteer, nlp)


@st.composite
def text_and_body(draw: st.DrawFn) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A text and any sorted, non-overlapping, non-empty ranges of it as its body."""
    text = draw(TEXTS.filter(bool))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=8))))
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    return text, tuple((start, end) for start, end in pairs if start < end)


@PROPERTY_SETTINGS
@given(text_and_body())
# A body that stops between "U.S" and its closing dot, or inside a name.
@example(("Jets from the U.S. struck Aleppo.", ((0, 17),)))
@example(("Jets struck Deir ez-Zor in Syria.", ((0, 17), (18, 33))))
def test_extract_stays_inside_the_body(
    gazetteer: Gazetteer, nlp: Language, case: tuple[str, tuple[tuple[int, int], ...]]
) -> None:
    text, body = case
    _check_mentions(Article(doc_id="h", text=text, body=body), gazetteer, nlp)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_body_ranges_are_sorted_disjoint_and_trimmed(text: str) -> None:
    ranges = body_ranges(text)
    previous_end = -1
    for start, end in ranges:
        assert 0 <= start < end <= len(text), ranges
        assert start > previous_end, ranges  # sorted, apart (a gap of furniture between)
        assert not text[start].isspace() and not text[end - 1].isspace(), ranges
        previous_end = end
    # Nothing that is only blank space is article text, and blank text has no body.
    if not text.strip():
        assert ranges == ()


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.data())
def test_candidate_spans_stay_inside_their_range(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    for s_start, s_end, tokens in candidate_spans(text, start, end):
        assert start <= s_start < s_end <= end, (s_start, s_end, start, end)
        assert tokens >= 1
