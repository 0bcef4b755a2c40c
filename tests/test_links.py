"""Links from bases to targets, within an article and completed across articles."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from spacy.language import Language

from geo.links import Link, link_places
from geo.models import Article, Feature, GazetteerEntry, Mention, MentionKind, Place
from geo.nlp import load_nlp
from geo.roles import read_roles

# Invented gazetteer rows (test data only): name -> (id, feature, country, lat, lon).
ENTRIES = {
    "Hamedan air base": ("t:hamedan-ab", Feature.AIRBASE, "IR", 35.2, 48.6),
    "Hamedan": ("t:hamedan", Feature.CITY, "IR", 34.8, 48.5),
    "Hmeimim": ("t:hmeimim", Feature.AIRBASE, "SY", 35.4, 35.9),
    "Aleppo province": ("t:aleppo-adm", Feature.ADMIN, "SY", 36.1, 37.4),
    "Aleppo": ("t:aleppo", Feature.CITY, "SY", 36.2, 37.2),
    "Idlib": ("t:idlib", Feature.CITY, "SY", 35.9, 36.6),
    "Homs": ("t:homs", Feature.CITY, "SY", 34.7, 36.7),
    "Hama": ("t:hama", Feature.CITY, "SY", 35.1, 36.8),
    "Iran": ("t:IR", Feature.COUNTRY, "IR", 32.0, 53.0),
    "Iranian": ("t:IR", Feature.COUNTRY, "IR", 32.0, 53.0),
    "Syrian": ("t:SY", Feature.COUNTRY, "SY", 35.0, 38.0),
    "Russia": ("t:RU", Feature.COUNTRY, "RU", 60.0, 90.0),
    "Kurdistan Region": ("t:krg", Feature.ADMIN, "IQ", 36.4, 44.4),
    "Erbil": ("t:erbil", Feature.CITY, "IQ", 36.2, 44.0),
}
DEMONYMS = {"Iranian", "Syrian"}
# First-level divisions of the rows that have one (test data only).
ADMIN1 = {"Aleppo province": "01", "Aleppo": "01"}


def make_places(doc_id: str, text: str) -> list[Place]:
    """Longest names first, as a resolver would; "Aleppo province" is one admin mention."""
    places: list[Place] = []
    taken: set[int] = set()
    for name in sorted(ENTRIES, key=len, reverse=True):
        gid, feature, country, lat, lon = ENTRIES[name]
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?!\w)", text):
            if taken & set(range(match.start(), match.end())):
                continue
            taken.update(range(match.start(), match.end()))
            kind = MentionKind.DEMONYM if name in DEMONYMS else MentionKind.TOPONYM
            cue = "airbase" if name.endswith("air base") else ""
            mention = Mention(doc_id, match.start(), match.start() + len(name.split(" air")[0]),
                              name.split(" air")[0], kind, cue=cue)
            entry = GazetteerEntry(gid, name, lat, lon, country, feature,
                                   admin1=ADMIN1.get(name, ""))
            places.append(Place(mention, entry, 0.9))
    return sorted(places, key=lambda p: p.mention.start)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


def links_of(nlp: Language, *texts: str | tuple[str, dt.date | None]) -> tuple[Link, ...]:
    articles, places = [], []
    for n, item in enumerate(texts):
        text, published = item if isinstance(item, tuple) else (item, None)
        doc_id = f"d{n}"
        articles.append(Article(doc_id, text, source=f"outlet {n}", published=published))
        places += make_places(doc_id, text)
    return link_places(articles, read_roles(articles, places, nlp))


def pairs(links: tuple[Link, ...]) -> set[tuple[str, str]]:
    return {(link.origin.gazetteer_id, link.target.gazetteer_id) for link in links}


def test_took_off_from_x_to_strike_y_and_z(nlp: Language) -> None:
    links = links_of(nlp, "Bombers took off from Hmeimim to strike Homs and Hama.")
    assert pairs(links) == {("t:hmeimim", "t:homs"), ("t:hmeimim", "t:hama")}
    assert all(link.rule == "same sentence" and not link.inferred for link in links)


def test_base_named_after_its_targets(nlp: Language) -> None:
    text = "Homs and Hama were bombed by jets that had taken off from Hmeimim."
    assert pairs(links_of(nlp, text)) == {("t:hmeimim", "t:homs"), ("t:hmeimim", "t:hama")}


def test_base_in_one_paragraph_targets_in_another(nlp: Language) -> None:
    text = "Russia has jets stationed at Hmeimim.\n\nIS was targeted in Homs on Monday."
    links = links_of(nlp, text)
    assert pairs(links) == {("t:hmeimim", "t:homs")}
    assert links[0].rule == "only base of the article"


def test_base_with_no_target_gives_no_link(nlp: Language) -> None:
    assert links_of(nlp, "Russia has jets stationed at Hmeimim.") == ()


def test_target_with_no_base_gives_no_link(nlp: Language) -> None:
    assert links_of(nlp, "Russian jets struck Homs and Hama.") == ()


def test_no_places_no_links(nlp: Language) -> None:
    assert links_of(nlp, "Nothing happened today.", "") == ()


def test_two_operations_in_one_article(nlp: Language) -> None:
    text = ("Bombers took off from Hamedan air base to strike Aleppo. "
            "In a separate raid, jets stationed at Hmeimim hit Homs.")
    assert pairs(links_of(nlp, text)) == {("t:hamedan-ab", "t:aleppo"),
                                          ("t:hmeimim", "t:homs")}


def test_supporting_base_flies_for_the_supported_targets(nlp: Language) -> None:
    text = ("Bombers took off from Hamedan air base to strike Aleppo and Idlib.\n"
            "Fighter jets from Hmeimim supported the bombers.")
    links = links_of(nlp, text)
    support = {(link.origin.gazetteer_id, link.target.gazetteer_id)
               for link in links if link.support}
    assert support == {("t:hmeimim", "t:aleppo"), ("t:hmeimim", "t:idlib")}
    assert ("t:hamedan-ab", "t:aleppo") in pairs(links)


def test_country_only_base_is_completed_from_another_article(nlp: Language) -> None:
    day = dt.date(2016, 8, 16)
    named = ("Bombers took off from Hamedan air base to strike Aleppo.", day)
    vague = ("Russian warplanes took off from an Iranian air base to strike Aleppo and Idlib.",
             day + dt.timedelta(days=1))
    links = links_of(nlp, named, vague)
    inferred = [link for link in links if link.inferred]
    assert {(link.doc_id, link.origin.gazetteer_id, link.target.gazetteer_id)
            for link in inferred} == {("d1", "t:hamedan-ab", "t:aleppo"),
                                      ("d1", "t:hamedan-ab", "t:idlib")}
    assert all("d0" in link.evidence[0].cue for link in inferred)


def test_completion_needs_a_close_date_and_the_same_country(nlp: Language) -> None:
    named = ("Bombers took off from Hamedan air base to strike Aleppo.", dt.date(2016, 8, 16))
    later = ("Warplanes took off from an Iranian air base to strike Aleppo.", dt.date(2017, 1, 1))
    assert not [link for link in links_of(nlp, named, later) if link.inferred]
    elsewhere = "Warplanes took off from a Syrian air base to strike Aleppo."
    assert not [link for link in links_of(nlp, named, elsewhere) if link.inferred]


def test_city_named_as_a_base_becomes_the_nearby_air_base(nlp: Language) -> None:
    city = "The bombing runs from a base near the city of Hamedan hit Aleppo province."
    airbase = "Bombers took off from Hamedan air base to strike Aleppo."
    links = links_of(nlp, city, airbase)
    assert pairs(links) == {("t:hamedan-ab", "t:aleppo")}
    from_city = next(link for link in links if link.doc_id == "d0")
    assert "Hamedan read as Hamedan air base" in from_city.evidence[0].cue
    assert "Aleppo province taken as the area of Aleppo" in from_city.evidence[0].cue


def test_city_origin_without_air_base_says_so(nlp: Language) -> None:
    links = links_of(nlp, "The bombing runs from a base near the city of Hamedan hit Homs.")
    assert pairs(links) == {("t:hamedan", "t:homs")}
    assert "no air base was resolved" in links[0].evidence[0].cue


def test_area_origin_is_approximate_and_drawn_from_the_area(nlp: Language) -> None:
    links = links_of(nlp, "Missiles launched from Iran struck Aleppo on Monday.")
    assert pairs(links) == {("t:IR", "t:aleppo")}
    (link,) = links
    assert link.approximate and link.origin.feature is Feature.COUNTRY


def test_country_origin_starts_at_its_point_nearest_the_target() -> None:
    from geo.strikes.origins import nearest_point

    iran = GazetteerEntry("country:IR", "Iran", 32.4, 53.7, "IR", Feature.COUNTRY)
    asad = GazetteerEntry("t:asad", "Ain al-Asad", 33.80, 42.44, "IQ", Feature.AIRBASE)
    origin = nearest_point(iran, asad)
    assert origin.gazetteer_id == "country:IR"
    # On Iran's western border, hundreds of km nearer than its centre.
    assert 44.0 < origin.lon < 47.5 and 32.0 < origin.lat < 35.5


def test_area_without_outline_keeps_its_point() -> None:
    from geo.strikes.origins import nearest_point

    sea = GazetteerEntry("region:x", "Some Sea", 10.0, 10.0, "", Feature.REGION)
    target = GazetteerEntry("t:x", "X", 12.0, 12.0, "XX", Feature.CITY)
    assert nearest_point(sea, target) == sea


def test_area_origin_gives_way_to_a_base_other_reports_name(nlp: Language) -> None:
    day = dt.date(2016, 8, 16)
    links = links_of(nlp, ("Bombers took off from Iran to strike Aleppo and Idlib.", day),
                     ("Bombers took off from the Hamedan air base to strike Aleppo.", day))
    assert ("t:IR", "t:aleppo") not in pairs(links)
    assert ("t:hamedan-ab", "t:aleppo") in pairs(links)
    assert any(link.inferred and link.doc_id == "d0" for link in links)


def test_noun_cue_area_reaches_no_further_than_its_sentence(nlp: Language) -> None:
    text = "Russia stages strikes from Iran\n\nJets struck Aleppo on Tuesday."
    assert pairs(links_of(nlp, text)) == set()


def test_struck_base_site_is_no_origin(nlp: Language) -> None:
    text = "Missiles hit Aleppo and a base near Homs on Monday."
    assert pairs(links_of(nlp, text)) == set()


def test_origin_and_targets_in_neighbouring_sentences(nlp: Language) -> None:
    text = ("Six bombers struck Aleppo and Idlib overnight, the ministry said. "
            "The aircraft had taken off from Hmeimim shortly before.")
    assert pairs(links_of(nlp, text)) == {("t:hmeimim", "t:aleppo"), ("t:hmeimim", "t:idlib")}


def test_they_and_the_bombers_refer_back(nlp: Language) -> None:
    text = ("Russian jets struck Homs on Monday.\n\nThey took off from Hmeimim.\n\n"
            "On Tuesday the same aircraft bombed Hama.")
    assert pairs(links_of(nlp, text)) == {("t:hmeimim", "t:homs"), ("t:hmeimim", "t:hama")}


def test_relocation_and_return_give_no_path(nlp: Language) -> None:
    text = ("Four bombers were deployed from Hmeimim to Hamedan on Monday. "
            "Jets that struck Aleppo later returned to Hmeimim.")
    assert pairs(links_of(nlp, text)) == set()


def test_a_country_is_struck_only_when_nothing_finer_is_and_its_base_is_near(
        nlp: Language) -> None:
    only = links_of(nlp, "Russian jets took off from Hmeimim and struck targets in Iran.")
    assert pairs(only) == {("t:hmeimim", "t:IR")}
    assert all(link.approximate for link in only)
    finer = links_of(nlp, "Russian jets took off from Hmeimim and struck targets in Iran. "
                          "Their bombs also hit Idlib.")
    assert pairs(finer) == {("t:hmeimim", "t:idlib")}
    # the base in the next sentence: "... strikes on Iran. The jets flew from X."
    next_one = links_of(nlp, "Strikes hit Iran overnight.\nThe jets flew from Hmeimim.")
    assert pairs(next_one) == {("t:hmeimim", "t:IR")}
    # a base inside the struck country draws no route to it
    inside = links_of(nlp, "Jets took off from Hmeimim and struck targets in Syrian towns.")
    assert pairs(inside) == set()
    apart = links_of(nlp, "Jets took off from Hmeimim on Monday.\nTalks went on.\n"
                          "Later, strikes hit Iran.")
    assert pairs(apart) == set()


def test_a_site_named_as_a_base_but_struck_elsewhere_is_no_origin(nlp: Language) -> None:
    links = links_of(nlp, "Jets took off from Hamedan air base to strike Idlib.\n"
                          "Officials said the airport in Aleppo was used by the militants.\n"
                          "Later, the strikes hit the airport in Aleppo and Homs.")
    assert ("t:aleppo", "t:homs") not in pairs(links)


def test_targets_struck_from_a_ship_are_not_the_land_bases(nlp: Language) -> None:
    text = ("Bombers took off from Hamedan air base. Navy jets from a carrier struck Homs, "
            "and the bombers hit Aleppo.")
    assert pairs(links_of(nlp, text)) == {("t:hamedan-ab", "t:aleppo")}


def test_a_province_holding_a_struck_town_is_no_target_of_its_own(nlp: Language) -> None:
    text = "Jets from Hmeimim struck Aleppo province on Monday. They hit Aleppo and Homs."
    assert pairs(links_of(nlp, text)) == {("t:hmeimim", "t:aleppo"), ("t:hmeimim", "t:homs")}
    alone = "Jets from Hmeimim struck Aleppo province on Monday."
    assert pairs(links_of(nlp, alone)) == {("t:hmeimim", "t:aleppo-adm")}


def test_a_launch_area_reaches_the_targets_two_paragraphs_on(nlp: Language) -> None:
    text = ("Missiles were launched from Iran overnight.\n\nAir defences were active.\n\n"
            "One missile hit Homs.")
    links = links_of(nlp, text)
    assert pairs(links) == {("t:IR", "t:homs")} and links[0].approximate
    far = ("Missiles were launched from Iran overnight.\n\nAir defences were active.\n\n"
           "The day was calm.\n\nOne missile hit Homs.")
    assert pairs(links_of(nlp, far)) == set()


def test_a_region_without_a_division_code_holds_the_towns_near_it(nlp: Language) -> None:
    text = "Missiles launched from Iran struck the Kurdistan Region and hit Erbil."
    assert pairs(links_of(nlp, text)) == {("t:IR", "t:erbil")}
