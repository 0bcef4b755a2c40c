"""Extraction on sentences of our own: spans, spellings, negatives, cues."""

from __future__ import annotations

import pytest
from spacy.language import Language

from geo.extract import Extraction, airfield_designation, candidate_spans, extract
from geo.gazetteer import Gazetteer
from geo.models import Article, Feature, MentionKind


def run(text: str, gazetteer: Gazetteer, nlp: Language | None) -> list[Extraction]:
    article = Article(doc_id="t", text=text)
    return extract(article, gazetteer, nlp(text) if nlp is not None else None)


def texts(extractions: list[Extraction]) -> list[str]:
    return [e.mention.text for e in extractions]


def test_candidate_spans_cover_connectors_hyphens_and_possessives() -> None:
    text = "Syria’s Deir-ez Zor and al-Bab, near Ras al Ain."
    spans = {text[s:e] for s, e, _ in candidate_spans(text, 0, len(text))}
    assert {"Syria", "Deir-ez Zor", "al-Bab", "Ras al Ain"} <= spans
    assert "Syria’s" not in spans


@pytest.mark.parametrize(
    "spelling", ["Deir ez-Zor", "Deir-ez Zor", "Deir el-Zour", "Dayr az Zawr", "Deir al-Zor"]
)
def test_every_spelling_of_deir_ez_zor(spelling: str, gazetteer: Gazetteer,
                                       nlp: Language) -> None:
    found = run(f"Jets struck targets in {spelling} on Monday.", gazetteer, nlp)
    assert texts(found) == [spelling]
    assert any(c.entry.country == "SY" for c in found[0].candidates)


@pytest.mark.parametrize("spelling", ["Hmeimim", "Khmeimim", "Hmeimeem"])
def test_every_spelling_of_hmeimim(spelling: str, gazetteer: Gazetteer, nlp: Language) -> None:
    found = run(f"The jets flew from the {spelling} air base in Syria.", gazetteer, nlp)
    assert spelling in texts(found)
    mention = next(e for e in found if e.mention.text == spelling)
    assert mention.mention.cue == "airbase"


def test_offsets_are_exact(gazetteer: Gazetteer, nlp: Language) -> None:
    text = "Bombers hit Aleppo, Idlib and Deir ez-Zor; Syria’s army held al-Bab."
    for extraction in run(text, gazetteer, nlp):
        mention = extraction.mention
        assert text[mention.start:mention.end] == mention.text


@pytest.mark.parametrize(
    ("text", "not_a_place"),
    [
        ("Syrian President Bashar al-Assad met envoys.", "Assad"),
        ("Secretary of State John Kerry called Moscow.", "Kerry"),
        ("Andrew Tabler, a Syria expert, said so.", "Tabler"),
        ("The Islamic State group lost ground.", "Islamic State"),
        ("Fighters of Jabhat al-Nusra withdrew.", "Nusra"),
        ("The Tehran Times said Rouhani welcomed it.", "Tehran"),
        ("Mr. Assad must step down, they said.", "Assad"),
    ],
)
def test_people_and_organisations_are_not_places(text: str, not_a_place: str,
                                                 gazetteer: Gazetteer, nlp: Language) -> None:
    assert not any(not_a_place in t for t in texts(run(text, gazetteer, nlp)))


def test_common_words_and_designations_are_not_places(gazetteer: Gazetteer,
                                                      nlp: Language) -> None:
    text = "If confirmed, Tu-22M3 and Su-34 bombers flew. For now the West waits."
    assert texts(run(text, gazetteer, nlp)) == []


def test_demonyms_are_marked(gazetteer: Gazetteer, nlp: Language) -> None:
    found = run("Syrian and Russian jets struck the town.", gazetteer, nlp)
    assert [(e.mention.text, e.mention.kind) for e in found] == [
        ("Syrian", "demonym"), ("Russian", "demonym")]


def test_province_cue_spreads_over_a_list(gazetteer: Gazetteer, nlp: Language) -> None:
    text = "They struck in the provinces of Aleppo, Deir ez-Zor and Idlib."
    cues = {e.mention.text: e.mention.cue for e in run(text, gazetteer, nlp)}
    assert cues == {"Aleppo": "province", "Deir ez-Zor": "province", "Idlib": "province"}


def test_codes_count_only_in_capitals(gazetteer: Gazetteer, nlp: Language) -> None:
    assert "US" in texts(run("The US said so.", gazetteer, nlp))
    assert texts(run("Tell Us more.", gazetteer, nlp)) == []


def test_furniture_outside_body_is_not_read(gazetteer: Gazetteer, nlp: Language) -> None:
    text = "Jets struck Aleppo.\nQatar spending $500m a week"
    article = Article(doc_id="t", text=text, body=((0, 19),))
    assert texts(extract(article, gazetteer, nlp(text))) == ["Aleppo"]


def test_without_the_model_the_gazetteer_reads_alone(gazetteer: Gazetteer) -> None:
    found = run("Jets struck Aleppo and Deir ez-Zor in Syria.", gazetteer, None)
    assert texts(found) == ["Aleppo", "Deir ez-Zor", "Syria"]


def test_a_continent_adjective_after_the_is_a_mention(gazetteer: Gazetteer, nlp: Language) -> None:
    found = run("It would lift the competitiveness of the European air transport industry.",
                gazetteer, nlp)
    assert [(e.mention.text, e.mention.kind) for e in found] == [
        ("European", MentionKind.DEMONYM)]



def test_a_two_letter_word_inside_a_name_is_no_place(gazetteer: Gazetteer, nlp: Language) -> None:
    # "La" would be an alternate name of Los Angeles, embedded in the event "La Niña".
    text = "A weak La Niña is forecast for the season."
    found = extract(Article("t", text), gazetteer, nlp(text), embedded=True)
    assert "La" not in [e.mention.text for e in found]


@pytest.mark.parametrize("text", ["Most Northeast Georgia school systems wait.",
                                  "Metro police in Nashville said so."])
def test_a_direction_or_kind_of_area_alone_is_no_place(gazetteer: Gazetteer, nlp: Language,
                                                       text: str) -> None:
    found = [e.mention.text for e in run(text, gazetteer, nlp)]
    assert "Northeast" not in found and "Metro" not in found
    assert found  # Georgia, Nashville


# Military airfields in the forms the press writes them (issue 10, item 6).
@pytest.mark.parametrize(
    ("text", "mention", "icao"),
    [
        ("The B-2s took off from Whiteman Air Force Base in Missouri.",
         "Whiteman Air Force Base", "icao:KSZL"),
        ("The F-15s flew from Seymour Johnson AFB overnight.", "Seymour Johnson AFB",
         "icao:KGSB"),
        ("Tornados left RAF Akrotiri on Cyprus at dawn.", "RAF Akrotiri", "icao:LCRA"),
        ("Navy jets launched from Naval Air Station Sigonella in Sicily.",
         "Naval Air Station Sigonella", "icao:LICZ"),
        ("Drones hit the Shayrat airfield near Homs.", "Shayrat", "ourairports:OS65"),
        ("Twelve F-111s left Royal Air Force Base Lakenheath that night.",
         "Royal Air Force Base Lakenheath", "icao:EGUL"),
        # a bare airfield name where aircraft are or leave from
        ("The first manned raids were flown from Incirlik on Wednesday.", "Incirlik",
         "icao:LTAG"),
        # an airport named without the city it serves, as the press writes it
        ("Snow closed runways at Heathrow overnight.", "Heathrow", "icao:EGLL"),
        ("Passengers waited for hours at Gatwick airport.", "Gatwick", "icao:EGKK"),
        ("Tankers took off from Diego Garcia before dawn.", "Diego Garcia", "icao:FJDG"),
        ("Rockets fell near Balad air base north of Baghdad.", "Balad", "icao:ORBD"),
    ],
)
def test_airfield_forms_reach_the_airfield(text: str, mention: str, icao: str,
                                           gazetteer: Gazetteer, nlp: Language) -> None:
    found = {e.mention.text: e for e in run(text, gazetteer, nlp)}
    assert mention in found, texts(list(found.values()))
    candidates = found[mention].candidates
    assert icao in {c.entry.gazetteer_id for c in candidates}
    # Written as an airfield, it is the airfield, not the census place named after it.
    if "Air Force Base" in mention:
        assert all(c.entry.feature in (Feature.AIRBASE, Feature.AIRPORT) for c in candidates)


def test_an_organisation_read_over_an_airfield_does_not_hide_its_island(
        gazetteer: Gazetteer, nlp: Language) -> None:
    found = texts(run("Tornados left RAF Akrotiri on Cyprus at dawn.", gazetteer, nlp))
    assert "Cyprus" in found


@pytest.mark.parametrize(
    ("text", "not_a_place"),
    [
        ("The Royal Air Force said its jets were back.", "Royal Air Force"),
        ("The MoD said two Typhoons took part.", "MoD"),
        ("A spokesman for the IDF declined to comment.", "IDF"),
    ],
)
def test_forces_and_ministries_are_not_places(text: str, not_a_place: str,
                                              gazetteer: Gazetteer, nlp: Language) -> None:
    assert not_a_place not in texts(run(text, gazetteer, nlp))


def test_airfield_designation() -> None:
    assert airfield_designation("RAF Lakenheath") == "Lakenheath"
    assert airfield_designation("Whiteman AFB") == "Whiteman"
    assert airfield_designation("Naval Air Station Sigonella") == "Sigonella"
    assert airfield_designation("Al Udeid Air Base") == "Al Udeid"
    assert airfield_designation("Aleppo") == ""
    assert airfield_designation("Air Base") == ""


# Strategic sites (data/sites.csv): a facility cue asks for the site.
@pytest.mark.parametrize(
    ("text", "mention", "site"),
    [
        ("Bombers struck the Fordow site before dawn.", "Fordow",
         "site:fordow-fuel-enrichment-plant"),
        ("Jets hit the Natanz nuclear site twice.", "Natanz",
         "site:natanz-fuel-enrichment-plant"),
        ("Drones set fire to the Ras Tanura oil terminal.", "Ras Tanura",
         "site:ras-tanura-refinery-and-terminal"),
        ("Warplanes bombed the port of Hodeidah on Tuesday.", "Hodeidah",
         "site:port-of-hodeidah"),
        ("Drones from Yemen hit the Abqaiq plant in Saudi Arabia.", "Abqaiq",
         "site:abqaiq-oil-processing-facility"),
    ],
)
def test_sites_are_found_with_their_cue(text: str, mention: str, site: str,
                                        gazetteer: Gazetteer, nlp: Language) -> None:
    found = {e.mention.text: e for e in run(text, gazetteer, nlp)}
    assert mention in found, texts(list(found.values()))
    assert site in {c.entry.gazetteer_id for c in found[mention].candidates}
    if mention != "Fordow":
        assert found[mention].mention.cue == "facility"


# Towns of a report's own countries, whatever the small model calls their names.
@pytest.mark.parametrize(
    ("text", "town", "country"),
    [
        ("Israeli jets struck Jabalia and Khan Younis in Gaza overnight.", "Khan Younis", "PS"),
        ("Russian jets bombed Saraqeb, a town in Idlib province of Syria.", "Saraqeb", "SY"),
        ("US jets hit Al Qaim in Anbar, Iraq, near the Syrian border.", "Al Qaim", "IQ"),
    ],
)
def test_a_town_of_the_reports_country_is_taken(text: str, town: str, country: str,
                                                gazetteer: Gazetteer, nlp: Language) -> None:
    found = {e.mention.text: e for e in run(text, gazetteer, nlp)}
    assert town in found, texts(list(found.values()))
    assert any(c.entry.country == country for c in found[town].candidates)


def _labelled(text: str, name: str, label: str) -> list[tuple[int, int, str]]:
    start = text.index(name)
    return [(start, start + len(name), label)]


def test_a_town_the_model_calls_a_person_is_taken_where_a_place_is_expected(
        gazetteer: Gazetteer) -> None:
    text = "Syrian and Russian jets struck Saraqeb on Monday."
    article = Article(doc_id="t", text=text)
    found = extract(article, gazetteer, _labelled(text, "Saraqeb", "PERSON"))
    assert "Saraqeb" in texts(found)


def test_a_surname_that_is_a_town_of_the_reports_country_is_not_taken(
        gazetteer: Gazetteer) -> None:
    # The same town, labelled a person where nothing before it expects a place.
    text = "Syrian police arrested Deen and Saraqeb on Monday."
    article = Article(doc_id="t", text=text)
    found = extract(article, gazetteer, _labelled(text, "Saraqeb", "PERSON"))
    assert "Saraqeb" not in texts(found)


def test_a_plural_cue_after_a_list_makes_each_name_an_air_base(gazetteer: Gazetteer,
                                                               nlp: Language) -> None:
    found = run("Drones struck the Engels and Morozovsk air bases in Russia.", gazetteer, nlp)
    cues = {e.mention.text: e.mention.cue for e in found}
    assert cues.get("Engels") == "airbase" and cues.get("Morozovsk") == "airbase"
    assert all(any(c.entry.feature is Feature.AIRBASE for c in e.candidates)
               for e in found if e.mention.text in ("Engels", "Morozovsk"))


def test_a_plural_cue_after_one_name_is_no_airfield_of_it(gazetteer: Gazetteer,
                                                          nlp: Language) -> None:
    found = run("Staff at UK airports will strike for 48 hours.", gazetteer, nlp)
    assert [e.mention.cue for e in found if e.mention.text == "UK"] == [""]


def test_a_list_of_places_read_as_one_organisation_is_still_places(
        gazetteer: Gazetteer) -> None:
    text = "Syrian officials said Turkish drones struck Qamishli and Kobani on Monday."
    article = Article(doc_id="t", text=text)
    found = texts(extract(article, gazetteer, _labelled(text, "Qamishli and Kobani", "ORG")))
    assert {"Qamishli", "Kobani"} <= set(found)
    # A real organisation's name keeps its veto.
    text = "Officials of Damascus University said so."
    article = Article(doc_id="t", text=text)
    assert "Damascus" not in texts(extract(article, gazetteer,
                                           _labelled(text, "Damascus University", "ORG")))


def test_a_plural_site_word_after_a_list_makes_each_name_a_site(
        gazetteer: Gazetteer, nlp: Language) -> None:
    text = "B-2 bombers struck the Fordow and Natanz nuclear sites in Iran on Sunday."
    found = {e.mention.text: e for e in run(text, gazetteer, nlp)}
    assert {"Fordow", "Natanz"} <= set(found), texts(list(found.values()))
    for name in ("Fordow", "Natanz"):
        assert found[name].mention.cue == "facility"
        assert any(c.entry.feature is Feature.FACILITY for c in found[name].candidates)


@pytest.mark.parametrize(
    ("text", "mention", "place"),
    [
        ("The drones took off from Iraqi Kurdistan at night.", "Iraqi Kurdistan",
         "alias:kurdistan-region"),
        ("Missiles hit the Mezzeh military airport in Damascus.", "Mezzeh",
         "alias:mezzeh-military-airport"),
    ],
)
def test_curated_places_of_strike_reports(text: str, mention: str, place: str,
                                          gazetteer: Gazetteer, nlp: Language) -> None:
    found = {e.mention.text: e for e in run(text, gazetteer, nlp)}
    assert mention in found, texts(list(found.values()))
    assert place in {c.entry.gazetteer_id for c in found[mention].candidates}


def test_a_venue_is_not_the_town_of_its_name(gazetteer: Gazetteer, nlp: Language) -> None:
    found = texts(run("A bomb went off at the La Belle Discotheque in Berlin.", gazetteer, nlp))
    assert "La Belle" not in found and "Berlin" in found


def test_a_weapon_is_not_the_town_of_its_name(gazetteer: Gazetteer, nlp: Language) -> None:
    found = texts(run("Destroyers fired Tomahawk missiles at the airfield in Syria.", gazetteer,
                      nlp))
    assert "Tomahawk" not in found and "Syria" in found


def test_an_unknown_spelling_before_air_base_is_kept_for_the_resolver(
        gazetteer: Gazetteer, nlp: Language) -> None:
    found = {e.mention.text: e for e in run("Jets took off from the Sharyat air base in Syria.",
                                            gazetteer, nlp)}
    assert "Sharyat" in found and found["Sharyat"].mention.cue == "airbase"
    # a common word before "air base" is no unknown airfield to respell
    iranian = [e for e in run("An Iranian air base was hit.", gazetteer, nlp)
               if e.mention.text == "Iranian"]
    assert all(e.mention.found_by != "airfield cue" for e in iranian)


def test_a_misspelt_name_listed_between_places_is_read_by_its_skeleton(
        gazetteer: Gazetteer, nlp: Language) -> None:
    found = {e.mention.text: e for e in run(
        "Bombers struck targets near Aleppo, Dier ez Zor and Idlib on Tuesday.", gazetteer, nlp)}
    assert "Dier ez Zor" in found, list(found)
    assert any(c.entry.name == "Deir ez-Zor" for c in found["Dier ez Zor"].candidates)


def test_a_town_of_the_articles_country_after_strikes_on_is_a_place(
        gazetteer: Gazetteer, nlp: Language) -> None:
    found = texts(run("In Syria, the airstrikes were carried out on Khan Sheikhoun at dawn.",
                      gazetteer, nlp))
    assert "Khan Sheikhoun" in found


def test_an_airfield_named_after_a_man_is_still_the_airfield_after_from(
        gazetteer: Gazetteer, nlp: Language) -> None:
    text = ("Bomber pilots from Whiteman carried out the raid. The base honours Lieutenant "
            "George Whiteman, killed in the attack on Pearl Harbor.")
    found = {e.mention.text: e for e in run(text, gazetteer, nlp)}
    assert "Whiteman" in found
    assert "icao:KSZL" in {c.entry.gazetteer_id for c in found["Whiteman"].candidates}
    assert "Harbor" not in found and "Pearl" not in found


def test_a_stem_the_article_writes_as_an_airfield_elsewhere_may_be_the_field(
        gazetteer: Gazetteer, nlp: Language) -> None:
    # One sense per name: the bare first "Engels" may be the base of "the Engels air base".
    found = run("Engels was quiet. Drones hit the Engels air base again.", gazetteer, nlp)
    first = next(e for e in found if e.mention.start == 0)
    assert "ourairports:RU-8602" in {c.entry.gazetteer_id for c in first.candidates}
    alone = next(e for e in run("Engels was quiet on Monday.", gazetteer, nlp)
                 if e.mention.start == 0)
    assert all(c.kind != "airfield_stem" for c in alone.candidates)
