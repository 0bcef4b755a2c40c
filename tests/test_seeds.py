"""The seeds' acceptance: every named place found and placed, no person, org or furniture.

True spots are public facts: GeoNames (cities), OurAirports (OIHS Nojeh / Hamadan Air Base;
OSLK, whose field Hmeimim Air Base shares), and Wikipedia for governorate centres.
"""

from __future__ import annotations

import pytest
from geographiclib.geodesic import Geodesic

from geo.models import Analysis, Article, Place

CITY_KM = 25.0
PROVINCE_KM = 75.0
TRUE_SPOTS = {
    "Hamedan": (34.7992, 48.5146),
    "Hamedan air base": (35.2116, 48.6534),
    "Aleppo": (36.2012, 37.1612),
    "Aleppo province": (36.2333, 37.6000),
    "Idlib": (35.9306, 36.6339),
    "Idlib province": (35.8333, 36.6667),
    "Deir ez-Zor": (35.3359, 40.1408),
    "Deir ez-Zor province": (35.2000, 40.2500),
    "Hmeimim": (35.4011, 35.9487),
    "al-Bab": (36.3705, 37.5157),
    "Astana": (51.1801, 71.4460),
}
# (document, how the seed spells it, which true spot it names)
EXPECTED = [
    ("001", "Khamandan", "Hamedan air base"),
    ("002", "Hamedan", "Hamedan"),
    ("003", "Hamedan", "Hamedan"),
    ("000", "Aleppo", "Aleppo province"),
    ("001", "Aleppo", "Aleppo"),
    ("002", "Aleppo", "Aleppo"),
    ("003", "Aleppo", "Aleppo"),
    ("004", "Aleppo", "Aleppo"),
    ("001", "Idlib", "Idlib"),
    ("002", "Idlib", "Idlib"),
    ("003", "Idlib", "Idlib"),
    ("001", "Deir-ez Zor", "Deir ez-Zor"),
    ("002", "Deir el-Zour", "Deir ez-Zor"),
    ("003", "Deir ez-Zor", "Deir ez-Zor"),
    ("001", "Hmeimeem", "Hmeimim"),
    ("004", "Hmeimim", "Hmeimim"),
    ("004", "al-Bab", "al-Bab"),
    ("004", "Astana", "Astana"),
]
NOT_PLACES = [
    "Bashar al-Assad", "Bashar Assad", "John Kerry", "John F. Kerry", "Andrew Tabler",
    "Islamic State", "Jabhat al-Nusra", "Jabhat al Nusra", "Hezbollah", "Tehran Times",
    "Washington Institute for Near East Policy", "Recep Tayyip Erdogan", "Sergey Lavrov",
    "Syrian Observatory of Human Rights", "Mr. Assad",
]
FURNITURE = ["Qatar", "Kenya", "Sydney", "Bangladesh", "بيروت", ".jpg", "Add ISIS as an interest"]


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(Geodesic.WGS84.Inverse(a[0], a[1], b[0], b[1])["s12"]) / 1000


def places_of(analysis: Analysis, prefix: str) -> list[Place]:
    return [p for p in analysis.places if p.mention.doc_id.startswith(prefix)]


def article(analysis: Analysis, prefix: str) -> Article:
    return next(a for a in analysis.articles if a.doc_id.startswith(prefix))


@pytest.mark.parametrize(("doc", "spelling", "spot"), EXPECTED)
def test_every_seed_place_is_found_and_placed(seed_analysis: Analysis, doc: str,
                                              spelling: str, spot: str) -> None:
    found = [p for p in places_of(seed_analysis, doc) if p.mention.text == spelling]
    assert found, f"{spelling!r} not found in {doc}"
    # One of its mentions lies at the true spot: a province within 75 km, else 25 km.
    limit = PROVINCE_KM if spot.endswith("province") else CITY_KM
    distances = [km((p.entry.lat, p.entry.lon), TRUE_SPOTS[spot]) for p in found if p.entry]
    assert distances and min(distances) <= limit, (spelling, doc, distances)


def test_every_mention_slices_its_text(seed_analysis: Analysis) -> None:
    texts = {a.doc_id: a.text for a in seed_analysis.articles}
    for place in seed_analysis.places:
        mention = place.mention
        assert texts[mention.doc_id][mention.start:mention.end] == mention.text


@pytest.mark.parametrize("name", NOT_PLACES)
def test_no_mention_inside_a_person_or_organisation(seed_analysis: Analysis,
                                                    name: str) -> None:
    for art in seed_analysis.articles:
        start = art.text.find(name)
        while start >= 0:
            end = start + len(name)
            inside = [p.mention.text for p in places_of(seed_analysis, art.doc_id)
                      if p.mention.start < end and start < p.mention.end]
            assert not inside, f"{inside} inside {name!r} in {art.doc_id}"
            start = art.text.find(name, end)


@pytest.mark.parametrize("marker", FURNITURE)
def test_no_mention_in_page_furniture(seed_analysis: Analysis, marker: str) -> None:
    for art in seed_analysis.articles:
        position = art.text.find(marker)
        if position < 0:
            continue
        line_start = art.text.rfind("\n", 0, position) + 1
        line_end = art.text.find("\n", position)
        line_end = len(art.text) if line_end < 0 else line_end
        inside = [p.mention.text for p in places_of(seed_analysis, art.doc_id)
                  if line_start <= p.mention.start < line_end]
        assert not inside, f"{inside} in furniture line {art.text[line_start:line_end]!r}"


def test_demonyms_are_marked(seed_analysis: Analysis) -> None:
    syrian = [p for p in seed_analysis.places if p.mention.text == "Syrian"]
    assert syrian and all(p.mention.kind == "demonym" for p in syrian)
    assert all(p.entry is not None and p.entry.country == "SY" for p in syrian)


def test_gazetteer_ids_and_confidence(seed_analysis: Analysis) -> None:
    hmeimim = [p for p in places_of(seed_analysis, "004") if p.mention.text == "Hmeimim"]
    assert hmeimim[0].entry is not None and hmeimim[0].entry.feature == "airbase"
    khamandan = [p for p in places_of(seed_analysis, "001") if p.mention.text == "Khamandan"]
    assert khamandan[0].entry is not None
    assert khamandan[0].entry.gazetteer_id == "icao:OIHS"
    exact = [p for p in places_of(seed_analysis, "003") if p.mention.text == "Hamedan"]
    # A fuzzy match is less sure than an exact one.
    assert khamandan[0].confidence < exact[0].confidence
