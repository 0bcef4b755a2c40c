"""Resolution from context: cues, qualifiers, focus, fuzzy air bases, pins, online."""

from __future__ import annotations

from spacy.language import Language

from geo.extract import extract
from geo.gazetteer import Gazetteer
from geo.models import Article, Feature, GazetteerEntry, Place
from geo.resolve import resolve


class CountingGeocoder:
    """Stands in for geo.online.OnlineGeocoder where only the resolver's use is tested."""

    def __init__(self, answer: GazetteerEntry | None) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str | None]] = []

    def geocode(self, name: str, *, country_hint: str | None = None) -> GazetteerEntry | None:
        self.asked.append((name, country_hint))
        return self.answer


def places(text: str, gazetteer: Gazetteer, nlp: Language, **options: object) -> list[Place]:
    article = Article(doc_id="t", text=text)
    return resolve(text, extract(article, gazetteer, nlp(text)), gazetteer, **options)  # type: ignore[arg-type]


def place(found: list[Place], text: str) -> Place:
    return next(p for p in found if p.mention.text == text)


def test_air_base_cue_picks_the_base_over_the_city(gazetteer: Gazetteer, nlp: Language) -> None:
    base = place(places("Bombers took off from Hamadan air base in Iran.", gazetteer, nlp),
                 "Hamadan")
    city = place(places("Officials in Hamadan, Iran, said so.", gazetteer, nlp), "Hamadan")
    assert base.entry is not None and base.entry.gazetteer_id == "icao:OIHS"
    assert city.entry is not None and city.entry.feature == Feature.CITY


def test_an_airport_named_without_its_city(gazetteer: Gazetteer, nlp: Language) -> None:
    found = places("Fog in England grounded planes at Heathrow on Monday, and flights at "
                   "Gatwick airport were late.", gazetteer, nlp)
    assert place(found, "Heathrow").entry.gazetteer_id == "icao:EGLL"  # type: ignore[union-attr]
    assert place(found, "Gatwick").entry.gazetteer_id == "icao:EGKK"  # type: ignore[union-attr]


def test_an_airfield_stem_of_the_article_country_beats_a_namesake_abroad(
        gazetteer: Gazetteer, nlp: Language) -> None:
    found = places("Fog in England delayed flights at Heathrow on Monday.", gazetteer, nlp)
    assert place(found, "Heathrow").entry.gazetteer_id == "icao:EGLL"  # type: ignore[union-attr]


def test_an_alternate_name_of_a_town_does_not_beat_the_airfield(gazetteer: Gazetteer,
                                                                nlp: Language) -> None:
    # An Istanbul quarter lists "Incirlik" among its alternate names; the base bears it.
    found = places("Tankers flew to Turkey. They took off from Incirlik.", gazetteer, nlp)
    assert place(found, "Incirlik").entry.gazetteer_id == "icao:LTAG"  # type: ignore[union-attr]


def test_a_town_of_the_article_country_beats_its_airfield_stem(gazetteer: Gazetteer,
                                                              nlp: Language) -> None:
    # Without "air base", "from Lakenheath" in a British story is the town, as with Hamadan.
    found = places("In England, jets took off from Lakenheath on Monday.", gazetteer, nlp)
    town = place(found, "Lakenheath").entry
    assert town is not None and town.feature == Feature.CITY and town.country == "GB"


def test_a_bare_airport_stem_without_a_cue_is_no_airport(gazetteer: Gazetteer,
                                                         nlp: Language) -> None:
    # Like "Hamadan", a stem alone, with no airfield cue nor "from"/"at", is not the field.
    found = places("Residents of Heathrow, Florida, met on Tuesday.", gazetteer, nlp)
    heathrow = place(found, "Heathrow").entry
    assert heathrow is not None and heathrow.feature == Feature.CITY and heathrow.country == "US"


def test_misspelt_base_is_matched_fuzzily_in_the_named_country(gazetteer: Gazetteer,
                                                               nlp: Language) -> None:
    found = places("The jets took off from Khamandan air base in Iran.", gazetteer, nlp)
    khamandan = place(found, "Khamandan")
    assert khamandan.entry is not None and khamandan.entry.gazetteer_id == "icao:OIHS"
    assert 0 < khamandan.confidence < 0.8


def test_province_cue_picks_the_governorate(gazetteer: Gazetteer, nlp: Language) -> None:
    found = place(places("Fighting spread across Idlib province.", gazetteer, nlp), "Idlib")
    assert found.entry is not None and found.entry.feature == Feature.ADMIN
    assert found.entry.country == "SY"


def test_qualifier_decides_between_namesakes(gazetteer: Gazetteer, nlp: Language) -> None:
    syria = place(places("Shelling hit Tripoli, Lebanon on Monday.", gazetteer, nlp), "Tripoli")
    libya = place(places("Shelling hit Tripoli, Libya on Monday.", gazetteer, nlp), "Tripoli")
    assert syria.entry is not None and syria.entry.country == "LB"
    assert libya.entry is not None and libya.entry.country == "LY"


def test_country_focus_decides_between_namesakes(gazetteer: Gazetteer, nlp: Language) -> None:
    text = ("Iraqi forces pushed on. Iraq said the army entered Ramadi. In Iraq, "
            "troops reached Tikrit.")
    found = place(places(text, gazetteer, nlp), "Tikrit")
    assert found.entry is not None and found.entry.country == "IQ"


def test_pins_win_over_the_gazetteer(gazetteer: Gazetteer, nlp: Language) -> None:
    pinned = GazetteerEntry("pin:aleppo", "Aleppo (pinned)", 36.0, 37.0, "SY", Feature.CITY)
    found = place(places("Jets struck Aleppo.", gazetteer, nlp, pins={"aleppo": pinned}),
                  "Aleppo")
    assert found.entry == pinned and found.confidence == 1.0


def test_online_geocoder_only_for_what_the_gazetteer_lacks(gazetteer: Gazetteer,
                                                          nlp: Language) -> None:
    answer = GazetteerEntry("online:nominatim:N1", "Qwertzabad", 30.0, 50.0, "IR", Feature.CITY)
    online = CountingGeocoder(answer)
    found = places("Jets struck Qwertzabad in Iran and then Aleppo.", gazetteer, nlp,
                   online=online)
    assert [name for name, _ in online.asked] == ["Qwertzabad"]
    assert online.asked[0][1] == "IR"
    assert place(found, "Qwertzabad").entry == answer


def test_unplaced_mentions_are_kept_without_an_entry(gazetteer: Gazetteer,
                                                     nlp: Language) -> None:
    found = places("Jets struck Qwertzabad in Iran.", gazetteer, nlp)
    unplaced = [p for p in found if p.entry is None]
    assert [p.mention.text for p in unplaced] == ["Qwertzabad"]
    assert unplaced[0].confidence == 0.0


def test_a_name_after_a_comma_contains_the_one_before(gazetteer: Gazetteer,
                                                      nlp: Language) -> None:
    found = places("The company has offices in Atlanta, Georgia and elsewhere.", gazetteer, nlp)
    georgia = place(found, "Georgia")
    assert georgia.entry is not None
    assert georgia.entry.feature == Feature.ADMIN and georgia.entry.country == "US"
    paris = place(places("A fair was held in Paris, Texas last week.", gazetteer, nlp), "Paris")
    assert paris.entry is not None and paris.entry.country == "US"


def test_a_division_beats_a_small_namesake_town_elsewhere(gazetteer: Gazetteer,
                                                           nlp: Language) -> None:
    found = place(places("The buyer is a Delaware limited liability company.", gazetteer, nlp),
                  "Delaware")
    assert found.entry is not None and found.entry.gazetteer_id == "admin:US.DE"


def test_a_province_named_after_its_seat_is_the_city(gazetteer: Gazetteer,
                                                     nlp: Language) -> None:
    found = place(places("Residents of Aleppo fled the shelling.", gazetteer, nlp), "Aleppo")
    assert found.entry is not None and found.entry.feature == Feature.CITY


def test_a_division_named_like_a_big_city_is_the_city(gazetteer: Gazetteer,
                                                      nlp: Language) -> None:
    found = place(places("Officials in Washington met on Monday.", gazetteer, nlp),
                  "Washington")
    assert found.entry is not None and found.entry.feature == Feature.CITY
    assert found.entry.admin1 == "DC"


def test_a_curated_alias_beats_a_populous_namesake(gazetteer: Gazetteer, nlp: Language) -> None:
    # GeoNames lists "White House" among Casablanca's names (Dar el Beida); the alias table
    # says what the press means.
    found = place(places("Officials at the White House said the talks would go on.",
                         gazetteer, nlp), "White House")
    assert found.entry is not None and found.entry.gazetteer_id == "alias:white-house"


def test_a_state_abbreviation_after_a_town_is_placed(gazetteer: Gazetteer, nlp: Language) -> None:
    found = place(places("A 55-year-old Severn, Md. man was arrested on Friday.", gazetteer, nlp),
                  "Md")
    assert found.entry is not None and found.entry.gazetteer_id == "admin:US.MD"


def test_a_historical_name_is_placed_at_its_successor(gazetteer: Gazetteer,
                                                      nlp: Language) -> None:
    found = place(places("Unlike in the days of the Soviet Union, trade is open.", gazetteer,
                         nlp), "Soviet Union")
    assert found.entry is not None and found.entry.gazetteer_id == "country:RU"


def test_a_town_the_gazetteer_lacks_in_its_named_division_is_placed_at_the_division(
        gazetteer: Gazetteer, nlp: Language) -> None:
    # The gazetteer's only Holliday is in Texas; the text says this one is in Missouri.
    found = place(places("A man from Holliday, Mo., was arrested on Friday.", gazetteer, nlp),
                  "Holliday")
    assert found.entry is not None and found.entry.gazetteer_id == "admin:US.MO"
    assert found.confidence == 0.5


def test_a_list_of_places_is_no_town_in_a_division(gazetteer: Gazetteer,
                                                   nlp: Language) -> None:
    found = place(places("Teams came from Saipan, Guam, Alaska and Hawaii.", gazetteer, nlp),
                  "Saipan")
    assert found.entry is not None and found.entry.feature == Feature.CITY


def test_confidence_is_calibrated_but_a_fuzzy_match_keeps_its_own(
        gazetteer: Gazetteer, nlp: Language) -> None:
    from geo.calibration import default_calibration

    table = default_calibration()
    found = places("Bombers took off from Hamadan air base in Iran.", gazetteer, nlp)
    assert {place(found, "Hamadan").confidence} <= {s.calibrated for s in table.steps}
    fuzzy = place(places("The jets took off from Khamandan air base in Iran.", gazetteer, nlp),
                  "Khamandan")
    assert fuzzy.confidence not in {s.calibrated for s in table.steps}


def test_a_division_written_with_its_designation_answers_to_its_bare_name(
        gazetteer: Gazetteer, nlp: Language) -> None:
    # The curated "Kharkiv Oblast" lends "Kharkiv" to the oblast, which a 'region' cue asks
    # for; the bare name alone is still the city.
    assert "admin:UA.63" in {c.entry.gazetteer_id for c in gazetteer.lookup(["kharkiv"])["kharkiv"]}
    region = place(places("Ukraine said drones struck the Kharkiv region overnight.",
                          gazetteer, nlp), "Kharkiv")
    assert region.entry is not None and region.entry.gazetteer_id == "admin:UA.63"
    city = place(places("Ukraine said sirens sounded in Kharkiv overnight.", gazetteer, nlp),
                 "Kharkiv")
    assert city.entry is not None and city.entry.feature is Feature.CITY


def test_a_division_of_the_article_s_only_country_beats_a_foreign_country_of_its_name(
        gazetteer: Gazetteer, nlp: Language) -> None:
    found = places("Wildfires burned across Georgia on Tuesday, U.S. officials said.",
                   gazetteer, nlp)
    georgia = place(found, "Georgia").entry
    assert georgia is not None and (georgia.feature, georgia.country) == (Feature.ADMIN, "US")


def test_the_country_keeps_its_name_where_the_article_names_other_countries(
        gazetteer: Gazetteer, nlp: Language) -> None:
    found = places("Russia moved troops towards Georgia, officials in Washington and "
                   "Moscow said.", gazetteer, nlp)
    georgia = place(found, "Georgia").entry
    assert georgia is not None and georgia.feature == Feature.COUNTRY
    assert georgia.country == "GE"


def test_a_state_cue_asks_for_the_division(gazetteer: Gazetteer, nlp: Language) -> None:
    found = places("Wildfires spread across Washington state. In Nigeria, the Governor of "
                   "Sokoto State, Aminu Tambuwal, met farmers.", gazetteer, nlp)
    washington, sokoto = place(found, "Washington").entry, place(found, "Sokoto").entry
    assert washington is not None and (washington.feature, washington.country) == (
        Feature.ADMIN, "US")
    assert sokoto is not None and (sokoto.feature, sokoto.country) == (Feature.ADMIN, "NG")


def test_two_local_names_whose_readings_lie_together_support_each_other(
        gazetteer: Gazetteer, nlp: Language) -> None:
    # Decatur, Alabama lies in Morgan County, Alabama; the other Decaturs and Morgan
    # Counties are each far from any reading of the other name.
    found = places("Crews from Decatur and Morgan County cleared the roads.", gazetteer, nlp)
    decatur, county = place(found, "Decatur").entry, place(found, "Morgan County").entry
    assert decatur is not None and (decatur.country, decatur.admin1) == ("US", "AL")
    assert county is not None and (county.country, county.admin1) == ("US", "AL")


def test_a_big_city_keeps_its_name_beside_a_namesake_pair(gazetteer: Gazetteer,
                                                         nlp: Language) -> None:
    found = places("Flights between Paris and London were cancelled on Monday.", gazetteer, nlp)
    assert place(found, "Paris").entry.country == "FR"  # type: ignore[union-attr]
    assert place(found, "London").entry.country == "GB"  # type: ignore[union-attr]
