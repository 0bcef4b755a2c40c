"""Places of strike reports as the real gazetteer resolves them, on reports written here."""

from __future__ import annotations

from geo.gazetteer import Gazetteer
from geo.models import Article, Feature
from geo.pipeline import analyse


def places_of(gazetteer: Gazetteer, text: str) -> dict[str, tuple[str, Feature, str]]:
    analysis = analyse([Article("r1", text)], gazetteer=gazetteer)
    return {p.mention.text: (p.entry.name, p.entry.feature, p.entry.country)
            for p in analysis.places if p.entry is not None}


def test_a_state_named_before_air_base_is_the_state_not_a_respelt_airport(
        gazetteer: Gazetteer) -> None:
    places = places_of(gazetteer, "Crews at this Missouri air base flew the B-2 bombers "
                                  "that struck Iran. The base lies south of Kansas City.")
    assert places["Missouri"][1] is Feature.ADMIN and places["Missouri"][2] == "US"


def test_a_town_written_as_the_port_city_of_is_read(gazetteer: Gazetteer) -> None:
    places = places_of(gazetteer, "Israel said a drone came down in the port city of Eilat.")
    assert places["Eilat"] == ("Eilat", Feature.CITY, "IL")


def test_an_oilfield_is_the_curated_site(gazetteer: Gazetteer) -> None:
    places = places_of(gazetteer, "RAF jets struck the Omar oilfield in eastern Syria.")
    assert places["Omar"] == ("Al-Omar oil field", Feature.FACILITY, "SY")


def test_a_name_written_as_a_bomber_is_the_aircraft_everywhere(gazetteer: Gazetteer) -> None:
    places = places_of(gazetteer, "The Vulcan bomber took off from Ascension Island. "
                                  "The Vulcan attack cut the runway at Port Stanley.")
    assert "Vulcan" not in places
    assert places["Ascension Island"][1] is Feature.AIRBASE


def test_curated_names_of_airfields_answer_by_their_stem(gazetteer: Gazetteer) -> None:
    places = places_of(gazetteer, "The F-16s took off from the Israeli base at Etzion.")
    assert places["Etzion"][1] is Feature.AIRPORT  # the field Taba airport now stands on
    places = places_of(gazetteer, "Tehran launched missiles at Iraq's Ain Assad air base.")
    assert places["Ain Assad"][:2] == ("Al Asad Air Base", Feature.AIRBASE)
    places = places_of(gazetteer, "EF-111s from RAF Heyford escorted the bombers.")
    assert places["RAF Heyford"][:2] == ("RAF Upper Heyford", Feature.AIRBASE)


def test_a_countrys_region_and_town_written_with_a_possessive(gazetteer: Gazetteer) -> None:
    places = places_of(gazetteer, "Turkish jets bombed camps in Iraq's Kurdistan region.")
    assert places["Kurdistan"][1:] == (Feature.ADMIN, "IQ")  # not Iran's Kurdistan province
    places = places_of(gazetteer, "A drone from Yemen hits Israel's Eilat.")
    assert places["Eilat"] == ("Eilat", Feature.CITY, "IL")


def test_barracks_named_after_a_town_is_the_curated_site(gazetteer: Gazetteer) -> None:
    places = places_of(gazetteer, "The F-111s hit the Aziziyah barracks in Tripoli.")
    assert places["Aziziyah"] == ("Bab al-Azizia", Feature.FACILITY, "LY")
