"""Choosing an article's places together: local news, datelines, anchored names, one sense.

Every sentence here is written for the test. Each pattern is checked both ways where it can
be: the name alone goes to its most populous namesake, and the article around it moves it.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from geo.coherence import Anchor, DocumentContext, anchored, bonus, datelines, one_sense
from geo.extract import Extraction, extract
from geo.gazetteer import Gazetteer
from geo.models import Article, Feature, GazetteerEntry, Mention, Place
from geo.resolve import resolve


def extractions(text: str, gazetteer: Gazetteer, nlp: Language) -> list[Extraction]:
    return extract(Article(doc_id="t", text=text), gazetteer, nlp(text))


def places(text: str, gazetteer: Gazetteer, nlp: Language) -> list[Place]:
    return resolve(text, extractions(text, gazetteer, nlp), gazetteer)


def placed(text: str, name: str, gazetteer: Gazetteer, nlp: Language, nth: int = 0
           ) -> GazetteerEntry:
    found = [p for p in places(text, gazetteer, nlp) if p.mention.text == name]
    entry = found[nth].entry
    assert entry is not None, f"{name!r} unplaced in {text!r}"
    return entry


# --- local news: the namesake the story's other places surround ---------------------------

@pytest.mark.parametrize(("alone", "among", "name", "country", "admin1"), [
    ("Fans cheered in Newcastle after the match.",
     "Fans cheered in Sunderland, Durham and Newcastle after the match.", "Newcastle", "GB",
     "ENG"),
    ("Voters queued in Perth as polls opened.",
     "Voters queued in Stirling, Dundee and Perth as polls opened.", "Perth", "GB", "SCT"),
    ("A crash closed the highway near Albany on Friday, police said.",
     "SALEM, Ore. — A crash closed the highway near Albany on Friday, police said.",
     "Albany", "US", "OR"),
])
def test_a_shared_name_goes_to_the_namesake_its_neighbours_surround(
        alone: str, among: str, name: str, country: str, admin1: str | None,
        gazetteer: Gazetteer, nlp: Language) -> None:
    lone = placed(alone, name, gazetteer, nlp)
    local = placed(among, name, gazetteer, nlp)
    assert (lone.country, lone.admin1) != (country, admin1 or lone.admin1)
    assert local.country == country
    if admin1:
        assert local.admin1 == admin1


def test_rare_names_only_the_gazetteer_found_anchor_when_they_agree(
        gazetteer: Gazetteer, nlp: Language) -> None:
    # The model calls neither town a place; two that lie together vouch for each other.
    pair = "Roads between Kelowna and Kamloops were shut, and a crew was sent to Nelson."
    lone = "Roads out of Kelowna were shut, and a crew was sent to Nelson."
    assert [p.mention.found_by for p in places(pair, gazetteer, nlp)][:2] == [
        "gazetteer", "gazetteer"]
    local = placed(pair, "Nelson", gazetteer, nlp)
    assert (local.country, local.admin1) == ("CA", "02")
    assert placed(lone, "Nelson", gazetteer, nlp).country != "CA"


@pytest.mark.parametrize(("alone", "among", "name", "country", "admin1"), [
    # The state named first by its abbreviation, then in full.
    ("Storms hit Georgia on Monday, and thousands lost power.",
     "ATLANTA, Ga. — Storms hit Georgia on Monday, and thousands lost power.",
     "Georgia", "US", "GA"),
    # A county of the state the story names.
    ("Boone County schools will close on Friday, officials said.",
     "Officials in Kentucky said Boone County schools will close on Friday.",
     "Boone County", "US", "KY"),
])
def test_a_division_the_article_names_holds_its_bare_namesakes(
        alone: str, among: str, name: str, country: str, admin1: str,
        gazetteer: Gazetteer, nlp: Language) -> None:
    lone = placed(alone, name, gazetteer, nlp)
    local = placed(among, name, gazetteer, nlp)
    assert (lone.country, lone.admin1) != (country, admin1)
    assert (local.country, local.admin1, local.feature) == (country, admin1, Feature.ADMIN)


def test_a_division_that_holds_the_storys_places_is_favoured() -> None:
    state = GazetteerEntry("admin:US.GA", "Georgia", 32.3, -83.1, "US", Feature.ADMIN,
                           admin1="GA")
    country = GazetteerEntry("country:GE", "Georgia", 42.0, 43.5, "GE", Feature.COUNTRY)
    town = GazetteerEntry("t", "Macon", 32.84, -83.63, "US", Feature.CITY, admin1="GA")
    context = DocumentContext(anchors=(Anchor("macon", town),))
    held, why = bonus(state, "georgia", 0, context)
    assert held > bonus(country, "georgia", 0, context)[0]
    assert "holds the article's other places" in why


def test_a_town_in_a_named_division_is_favoured_unless_the_name_is_a_big_towns() -> None:
    province = GazetteerEntry("admin:CA.BC", "British Columbia", 55.0, -125.0, "CA",
                              Feature.ADMIN, admin1="02")
    inside = GazetteerEntry("a", "Nelson", 49.5, -117.3, "CA", Feature.CITY, admin1="02")
    context = DocumentContext(anchors=(Anchor("bc", province),))
    small, why = bonus(inside, "nelson", 0, context)
    assert "in a division the article names" in why
    big, _ = bonus(inside, "nelson", 0, context, big_town=True)
    assert big < small
    # A name first read as a division ("California" in a list of states) gains nothing.
    listed, _ = bonus(inside, "nelson", 0, DocumentContext(
        anchors=(Anchor("bc", province),), areas=frozenset({0})))
    assert listed < small


@pytest.mark.parametrize(("text", "name", "country", "admin1"), [
    # A big town in the named division takes its pull over a bigger namesake elsewhere...
    ("VICTORIA - The British Columbia government will seize the land, officials said.",
     "VICTORIA", "CA", "02"),
    # ...while a small one does not ("Atlanta" beside "Texas" is still the Georgia city).
    ("Fans in Atlanta cheered, police in Texas said.", "Atlanta", "US", "GA"),
])
def test_a_named_division_pulls_big_towns_not_small_namesakes_of_big_ones(
        text: str, name: str, country: str, admin1: str, gazetteer: Gazetteer,
        nlp: Language) -> None:
    found = placed(text, name, gazetteer, nlp)
    assert (found.country, found.admin1) == (country, admin1)


# --- datelines ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "name", "alone"), [
    ("WASHINGTON — Officials met on Monday to discuss the budget.", "WASHINGTON", True),
    ("BEIRUT (AP) — Rockets struck a warehouse near the port on Sunday.", "BEIRUT", True),
    ("Beirut (AP) — Rockets struck a warehouse near the port on Sunday.", "Beirut", True),
    ("SALEM, Ore. — A crash closed the highway on Friday.", "SALEM", False),
    ("Storm ahead. TORONTO – Snow fell all day.", "TORONTO", True),
])
def test_datelines_are_read(text: str, name: str, alone: bool, gazetteer: Gazetteer,
                            nlp: Language) -> None:
    found = extractions(text, gazetteer, nlp)
    index = next(i for i, e in enumerate(found) if e.mention.text == name)
    assert datelines(text, found) == {index: alone}


@pytest.mark.parametrize("text", [
    "Beirut - a city of contrasts - hosted the talks.",  # no capitals, no agency
    "Officials in Washington met on Monday.",
])
def test_a_sentence_is_no_dateline(text: str, gazetteer: Gazetteer, nlp: Language) -> None:
    assert datelines(text, extractions(text, gazetteer, nlp)) == {}


def test_a_dateline_is_the_city_not_a_small_namesake(gazetteer: Gazetteer,
                                                     nlp: Language) -> None:
    washington = placed("WASHINGTON — Officials met on Monday.", "WASHINGTON", gazetteer, nlp)
    assert washington.feature == Feature.CITY and washington.admin1 == "DC"
    beirut = placed("BEIRUT (AP) — Rockets struck a warehouse near the port.", "BEIRUT",
                    gazetteer, nlp)
    assert beirut.country == "LB"
    salem = placed("SALEM, Ore. — A crash closed the highway.", "SALEM", gazetteer, nlp)
    assert salem.admin1 == "OR"


# --- anchored names ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "x", "y"), [
    ("Police found the car in Richmond, outside Melbourne, on Friday.", "Richmond",
     "Melbourne"),
    ("Police found the car in Melbourne's Richmond on Friday.", "Richmond", "Melbourne"),
    ("Police searched a house in Salem, 25 km north of Boston, on Friday.", "Salem", "Boston"),
    ("Shells fell on Rastan near Homs overnight.", "Rastan", "Homs"),
    # A big city after "the" is kept when it holds the next name (not "the West").
    ("Schools in the Boston suburb of Newton closed on Friday.", "Newton", "Boston"),
])
def test_anchored_constructions_are_read(text: str, x: str, y: str, gazetteer: Gazetteer,
                                         nlp: Language) -> None:
    found = extractions(text, gazetteer, nlp)
    names = [e.mention.text for e in found]
    assert anchored(text, found) == {names.index(x): names.index(y)}


@pytest.mark.parametrize(("anchored_text", "alone", "name", "country", "admin1"), [
    ("Police found the car in Richmond, outside Melbourne, on Friday.",
     "Police found the car in Richmond on Friday.", "Richmond", "AU", "07"),
    ("Police found the car in Melbourne's Richmond on Friday.",
     "Police found the car in Richmond on Friday.", "Richmond", "AU", "07"),
    ("Police searched a house in Salem, 25 km north of Boston, on Friday.",
     "Police searched a house in Salem on Friday.", "Salem", "US", "MA"),
    ("Schools in the Boston suburb of Newton closed on Friday.",
     "Schools in Newton closed on Friday.", "Newton", "US", "MA"),
])
def test_an_anchored_name_lies_near_itsAnchor(
        anchored_text: str, alone: str, name: str, country: str, admin1: str,
        gazetteer: Gazetteer, nlp: Language) -> None:
    near = placed(anchored_text, name, gazetteer, nlp)
    assert (near.country, near.admin1) == (country, admin1)
    assert (placed(alone, name, gazetteer, nlp).admin1) != admin1


# --- one sense per name ------------------------------------------------------------------

def _place(start: int, text: str, entry: GazetteerEntry, confidence: float) -> Place:
    return Place(Mention("t", start, start + len(text), text), entry, confidence, "r")


BASE = GazetteerEntry("icao:XXXX", "Shaykovka Air Base", 54.2, 34.4, "RU", Feature.AIRBASE)
VILLAGE = GazetteerEntry("geonames:1", "Shaykovka", 49.0, 37.0, "UA", Feature.CITY)


def test_a_name_keeps_the_place_it_got_where_the_article_is_surest() -> None:
    found = one_sense([_place(0, "Shaykovka", BASE, 0.9),
                       _place(50, "Shaykovka", VILLAGE, 0.3)], qualified=set())
    assert [p.entry for p in found] == [BASE, BASE]
    assert found[1].confidence == 0.9


def test_a_second_sense_the_text_qualifies_is_kept() -> None:
    found = one_sense([_place(0, "Shaykovka", BASE, 0.9),
                       _place(50, "Shaykovka", VILLAGE, 0.6)], qualified={0, 1})
    assert [p.entry for p in found] == [BASE, VILLAGE]


def test_what_the_text_decided_outranks_a_bare_mentions_prior() -> None:
    # "Shaykovka air base" (a cue) once, then "Shaykovka" alone, read surer as the village.
    found = one_sense([_place(0, "Shaykovka", BASE, 0.6),
                       _place(50, "Shaykovka", VILLAGE, 0.9)], qualified={0})
    assert [p.entry for p in found] == [BASE, BASE]


def test_one_sense_in_a_written_article(gazetteer: Gazetteer, nlp: Language) -> None:
    text = ("Jets took off from Hamadan air base in Iran on Tuesday. "
            "Residents said Hamadan had been busy with flights all week.")
    both = [p.entry for p in places(text, gazetteer, nlp) if p.mention.text == "Hamadan"]
    assert len(both) == 2 and both[0] == both[1]
    assert both[0] is not None and both[0].feature == Feature.AIRBASE


def test_a_province_holding_the_storys_places_does_not_displace_its_seat(
        gazetteer: Gazetteer, nlp: Language) -> None:
    homs = placed("Shells fell on Rastan near Homs overnight.", "Homs", gazetteer, nlp)
    assert homs.feature == Feature.CITY and homs.country == "SY"
