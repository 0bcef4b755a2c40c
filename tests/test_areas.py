"""Area origins: outlines of countries and seas, their points nearest a target, ships."""

from __future__ import annotations

from pathlib import Path

import pytest
from geographiclib.geodesic import Geodesic

from geo.areas import is_sea, nearest_point, outline, sea_of_ship, ship_mentions
from geo.gazetteer import Gazetteer
from geo.gazetteer.records import CuratedDataError
from geo.gazetteer.seas import read_sea_rows, sea_id
from geo.models import Feature, GazetteerEntry, Mention, Place

RED_SEA = GazetteerEntry("region:red-sea", "Red Sea", 22.0, 38.0, "", Feature.REGION)
MEDITERRANEAN = GazetteerEntry("region:mediterranean-sea", "Mediterranean Sea", 35.0, 18.0,
                               "", Feature.REGION)
SAUDI_ARABIA = GazetteerEntry("country:SA", "Saudi Arabia", 24.0, 45.0, "SA", Feature.COUNTRY)
IDLIB_PROVINCE = GazetteerEntry("admin:SY.10", "Idlib", 35.8, 36.6, "SY", Feature.ADMIN)
SANAA = (15.35, 44.21)
LATAKIA = (35.52, 35.79)
BAGHDAD = (33.31, 44.36)
HEADER = "name,other_names,members,polygon,source\n"


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(Geodesic.WGS84.Inverse(a[0], a[1], b[0], b[1])["s12"]) / 1000


def test_a_sea_origin_starts_off_the_targets_coast_not_in_its_middle() -> None:
    start = nearest_point(RED_SEA, *SANAA)
    # Off Yemen's coast (about 140 km from Sanaa), far nearer than the sea's centre.
    assert km(start, SANAA) < 200 < km((RED_SEA.lat, RED_SEA.lon), SANAA)
    assert 42.5 < start[1] < 43.6


def test_the_mediterranean_off_syria_for_a_syrian_target() -> None:
    start = nearest_point(MEDITERRANEAN, *LATAKIA)
    assert km(start, LATAKIA) < 20


def test_a_country_origin_starts_at_its_border_nearest_the_target() -> None:
    start = nearest_point(SAUDI_ARABIA, *BAGHDAD)
    border_to_target = km(start, BAGHDAD)
    assert border_to_target < 450 < km((SAUDI_ARABIA.lat, SAUDI_ARABIA.lon), BAGHDAD)
    shape = outline(SAUDI_ARABIA)
    assert shape is not None and shape.distance(shape.boundary) == 0


def test_a_target_inside_the_area_is_its_own_nearest_point() -> None:
    riyadh = (24.71, 46.68)
    assert nearest_point(SAUDI_ARABIA, *riyadh) == riyadh


def test_a_province_keeps_its_point() -> None:
    assert outline(IDLIB_PROVINCE) is None
    assert nearest_point(IDLIB_PROVINCE, *BAGHDAD) == (IDLIB_PROVINCE.lat, IDLIB_PROVINCE.lon)


def test_sea_water_leaves_out_the_land() -> None:
    water = outline(RED_SEA)
    assert water is not None
    from shapely.geometry import Point

    assert water.contains(Point(38.0, 21.0))  # mid-sea
    assert not water.contains(Point(39.2, 21.5))  # Jeddah, on land


def test_every_sea_row_is_a_region_of_the_gazetteer(gazetteer: Gazetteer) -> None:
    for row in read_sea_rows(Path("data/seas.csv")):
        entry = gazetteer.get(row.gazetteer_id)
        assert entry is not None, row.name
        assert is_sea(entry)
        water = outline(entry)
        assert water is not None and not water.is_empty


def test_a_sea_the_regions_table_lacks_is_found_by_name(gazetteer: Gazetteer) -> None:
    found = gazetteer.lookup(["gulf of oman"])["gulf of oman"]
    assert sea_id("Gulf of Oman") in {c.entry.gazetteer_id for c in found}


@pytest.mark.parametrize(
    ("polygon", "problem"),
    [
        ("10 10; 20 20", "3 vertices"),
        ("10 10; 20 x; 30 10", "lon lat"),
        ("0 0; 10 10; 10 0; 0 10", "crosses itself"),
        ("0 0; 200 10; 10 0", "out of range"),
    ],
)
def test_a_bad_sea_polygon_names_file_and_problem(tmp_path: Path, polygon: str,
                                                  problem: str) -> None:
    path = tmp_path / "seas.csv"
    path.write_text(HEADER + f'Some Sea,,IR,"{polygon}",IHO S-23\n', encoding="utf-8")
    with pytest.raises(CuratedDataError, match=problem) as caught:
        read_sea_rows(path)
    assert str(path) in str(caught.value)


def test_ship_mentions() -> None:
    text = ("Missiles were fired from the destroyer USS Carney. The frigate Admiral Essen "
            "of the Black Sea Fleet and HMS Diamond joined.")
    names = [ship.name for ship in ship_mentions(text)]
    assert names == ["USS Carney", "Admiral Essen", "HMS Diamond"]
    for ship in ship_mentions(text):
        assert text[ship.start:ship.end] == ship.name


def _place(text: str, name: str, entry: GazetteerEntry, nth: int = 0) -> Place:
    start = -1
    for _ in range(nth + 1):
        start = text.index(name, start + 1)
    return Place(Mention("t", start, start + len(name), name), entry, 0.9)


GULF_OF_ADEN = GazetteerEntry("region:gulf-of-aden", "Gulf of Aden", 12.0, 48.0, "",
                              Feature.REGION)


def test_a_ship_is_in_the_sea_its_sentence_names() -> None:
    text = ("The Gulf of Aden was calm. Cruise missiles were fired from USS Carney in the Red "
            "Sea at targets in Yemen.")
    places = [_place(text, "Gulf of Aden", GULF_OF_ADEN), _place(text, "Red Sea", RED_SEA)]
    ship = ship_mentions(text)[0]
    found = sea_of_ship(text, ship, places)
    assert found is not None and found.entry == RED_SEA


def test_a_ship_takes_its_paragraphs_sea_then_the_articles_only_sea() -> None:
    text = ("Warships gathered in the Red Sea.\n\nLater, USS Carney fired at targets in "
            "Yemen.")
    places = [_place(text, "Red Sea", RED_SEA)]
    ship = ship_mentions(text)[0]
    found = sea_of_ship(text, ship, places)
    assert found is not None and found.entry == RED_SEA
    assert sea_of_ship(text, ship, []) is None


def test_a_ship_between_two_seas_of_other_paragraphs_is_in_neither() -> None:
    text = ("Warships gathered in the Red Sea.\n\nUSS Carney fired at targets in Yemen."
            "\n\nTankers waited in the Gulf of Aden.")
    places = [_place(text, "Red Sea", RED_SEA), _place(text, "Gulf of Aden", GULF_OF_ADEN)]
    assert sea_of_ship(text, ship_mentions(text)[0], places) is None
