"""Strategic sites (data/sites.csv) and organisations (data/organisations.csv)."""

from __future__ import annotations

from pathlib import Path

import pytest
from shapely.geometry import Point
from shapely.ops import unary_union
from spacy.language import Language

from geo.gazetteer import Gazetteer
from geo.gazetteer.organisations import ORGANISATIONS, read_organisations
from geo.gazetteer.paths import DATA_DIR
from geo.gazetteer.records import CuratedDataError
from geo.gazetteer.sites import read_sites, site_id
from geo.models import Feature
from geo.naturalearth import read_admin0
from geo.normalize import name_key

SITES = DATA_DIR / "sites.csv"
HEADER = "name,aliases,lat,lon,country,kind,source\n"
# A coastal terminal or a dam may sit just off its country's Natural Earth outline.
OFFSHORE_DEGREES = 0.1


def test_every_site_lies_in_its_country() -> None:
    outlines: dict[str, list[object]] = {}
    for country in read_admin0():
        outlines.setdefault(country.iso2, []).append(country.geometry)
    for record in read_sites(SITES):
        entry = record.entry
        outline = unary_union(outlines[entry.country])
        gap = outline.distance(Point(entry.lon, entry.lat))
        assert gap <= OFFSHORE_DEGREES, f"{entry.name} lies {gap:.2f}° off {entry.country}"


def test_sites_are_facilities_in_the_gazetteer(gazetteer: Gazetteer) -> None:
    fordow = gazetteer.get(site_id("Fordow Fuel Enrichment Plant"))
    assert fordow is not None and fordow.feature is Feature.FACILITY
    assert fordow.country == "IR"
    found = gazetteer.lookup([name_key("Fordo")])[name_key("Fordo")]
    assert fordow in [c.entry for c in found]


def test_a_town_keeps_its_name_beside_its_port(gazetteer: Gazetteer) -> None:
    found = gazetteer.lookup([name_key("Hodeidah")])[name_key("Hodeidah")]
    features = {c.entry.feature for c in found}
    assert Feature.CITY in features and Feature.FACILITY in features


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("Somewhere,,10,20,IR,nuclear,\n", "no source"),
        ("Somewhere,,10,20,Iran,nuclear,Wikipedia\n", "ISO alpha-2"),
        ("Somewhere,,10,20,IR,castle,Wikipedia\n", "kind"),
        ("Somewhere,,north,20,IR,oil,Wikipedia\n", "numbers"),
        ("Somewhere,,95,20,IR,oil,Wikipedia\n", "out of range"),
    ],
)
def test_a_bad_site_row_names_file_and_problem(tmp_path: Path, row: str, problem: str) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(HEADER + row, encoding="utf-8")
    with pytest.raises(CuratedDataError, match=problem) as caught:
        read_sites(path)
    assert str(path) in str(caught.value)


def test_a_site_defined_twice_stops_the_build(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    row = "Somewhere,,10,20,IR,oil,Wikipedia\n"
    path.write_text(HEADER + row + row, encoding="utf-8")
    with pytest.raises(CuratedDataError, match="twice"):
        read_sites(path)


def test_organisations_file_reads_and_checks_kinds(tmp_path: Path) -> None:
    keys = read_organisations(ORGANISATIONS)
    assert {name_key("Royal Air Force"), name_key("MoD"), name_key("IDF")} <= keys
    bad = tmp_path / "organisations.csv"
    bad.write_text("name,kind,source\nThe Firm,company,Wikipedia\n", encoding="utf-8")
    with pytest.raises(CuratedDataError, match="kind"):
        read_organisations(bad)


def _paths(text: str, gazetteer: Gazetteer, nlp: Language) -> dict[tuple[str, str], bool]:
    from geo.models import Article
    from geo.pipeline import analyse

    analysis = analyse([Article(doc_id="s", text=text)], gazetteer=gazetteer, nlp=nlp)
    return {(p.origin.gazetteer_id, p.target.gazetteer_id): p.approximate
            for p in analysis.paths}


def test_a_struck_site_is_a_target_of_its_airfield(gazetteer: Gazetteer,
                                                     nlp: Language) -> None:
    text = ("Stealth bombers\n\nThe B-2 bombers took off from Whiteman Air Force Base in "
            "Missouri and struck the Fordow enrichment site.\n")
    paths = _paths(text, gazetteer, nlp)
    assert paths == {("icao:KSZL", site_id("Fordow Fuel Enrichment Plant")): False}


def test_a_country_origin_reaches_a_struck_port_approximately(gazetteer: Gazetteer,
                                                              nlp: Language) -> None:
    text = ("Coalition raid\n\nThe jets took off from bases in Saudi Arabia and bombed the "
            "port of Hodeidah.\n")
    paths = _paths(text, gazetteer, nlp)
    assert paths == {("country:SA", site_id("Port of Hodeidah")): True}
