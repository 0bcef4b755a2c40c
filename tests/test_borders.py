"""Countries along routes and the base-map outlines, on synthetic squares and Natural Earth."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point, box, shape

from geo.borders import (
    Borders,
    borders_geojson,
    countries_along,
    country_at,
    load_borders,
    write_borders_geojson,
)
from geo.geodesy import geodesic_route
from geo.naturalearth import CountryShape

HAMADAN = (35.2116, 48.6534)
ALEPPO = (36.2021, 37.1343)
HMEIMIM = (35.40, 35.95)
AL_BAB = (36.37, 37.52)
MOSCOW = (55.7558, 37.6173)
DAMASCUS = (33.5138, 36.2765)
SIZE_LIMIT = 1_500_000


def square(
    iso2: str, min_lon: float, min_lat: float, max_lon: float, max_lat: float
) -> CountryShape:
    geometry = box(min_lon, min_lat, max_lon, max_lat)
    point = geometry.representative_point()
    return CountryShape(iso2, iso2 + "X", iso2, (iso2,), geometry, (point.y, point.x), 1)


@pytest.fixture(scope="module")
def toy() -> Borders:
    """AA | BB side by side, CC a tiny square the line along lat 0.5 grazes, and a country
    DD split by the antimeridian as Natural Earth splits Fiji and Russia."""
    return Borders(
        [
            square("AA", 0.0, 0.0, 1.0, 1.0),
            square("BB", 1.0, 0.0, 2.0, 1.0),
            square("CC", 2.5, 0.499, 2.505, 0.6),  # ~0.55 km of the line along lat 0.5
            square("DD", 179.0, 10.0, 180.0, 11.0),
            square("DD", -180.0, 10.0, -179.0, 11.0),
        ]
    )


def test_toy_order_and_direction(toy: Borders) -> None:
    assert toy.countries_along([(0.5, 0.5), (0.5, 1.5)]) == ("AA", "BB")
    assert toy.countries_along([(0.5, 1.5), (0.5, 0.5)]) == ("BB", "AA")
    assert toy.countries_along([(0.5, 0.5), (0.5, 1.5), (0.5, 0.6)]) == ("AA", "BB", "AA")


def test_toy_slivers_are_ignored_but_not_the_ends(toy: Borders) -> None:
    assert toy.countries_along([(0.5, 1.5), (0.5, 3.0)]) == ("BB",)
    assert toy.countries_along([(0.5, 1.5), (0.5, 3.0)], sliver_km=0.1) == ("BB", "CC")
    # A route that starts or ends in a country counts it, however short.
    assert toy.countries_along([(0.5, 2.502), (0.5, 3.0)]) == ("CC",)
    assert toy.countries_along([(0.5, 0.5), (0.5, 0.5)]) == ("AA",)
    assert toy.countries_along([(0.5, 5.0), (0.5, 6.0)]) == ()
    assert toy.countries_along([]) == ()


def test_toy_antimeridian_unwrapped_and_wrapped(toy: Borders) -> None:
    unwrapped = [(10.5, 179.5), (10.5, 180.5)]
    wrapped = [(10.5, 179.5), (10.5, -179.5)]
    assert toy.countries_along(unwrapped) == ("DD",)
    assert toy.countries_along(wrapped) == ("DD",)
    assert toy.country_at(10.5, 180.5) == "DD"


def test_toy_country_at(toy: Borders) -> None:
    assert toy.country_at(0.5, 0.5) == "AA"
    assert toy.country_at(0.5, 1.5) == "BB"
    assert toy.country_at(0.5, 1.0) in {"AA", "BB"}  # on the shared border
    assert toy.country_at(5.0, 5.0) is None
    with pytest.raises(ValueError, match="95"):
        toy.country_at(95.0, 0.0)


@pytest.fixture(scope="module")
def world() -> Borders:
    return load_borders()


def test_load_is_cached(world: Borders) -> None:
    assert load_borders() is world
    assert len(world) > 200
    assert world.build_seconds < 10.0


def test_hamadan_to_aleppo_crosses_iran_iraq_syria(world: Borders) -> None:
    route = geodesic_route(HAMADAN, ALEPPO)
    assert world.countries_along(route.points) == ("IR", "IQ", "SY")
    # Just the two ends: densified along the geodesic first, so the same answer.
    assert world.countries_along([HAMADAN, ALEPPO]) == ("IR", "IQ", "SY")
    assert countries_along(route.points) == ("IR", "IQ", "SY")


def test_hmeimim_to_al_bab_stays_in_syria(world: Borders) -> None:
    route = geodesic_route(HMEIMIM, AL_BAB)
    assert world.countries_along(route.points) == ("SY",)


def test_moscow_to_damascus_crosses_several_countries(world: Borders) -> None:
    crossed = world.countries_along(geodesic_route(MOSCOW, DAMASCUS).points)
    assert len(set(crossed)) > 2
    assert crossed[0] == "RU" and crossed[-1] == "SY"
    assert {"UA", "TR"} <= set(crossed)
    assert all(a != b for a, b in itertools.pairwise(crossed))


def test_routes_over_the_antimeridian(world: Borders) -> None:
    # Chukotka: Russian land on both sides of 180.
    route = geodesic_route((65.0, 175.0), (66.0, -172.0))
    assert route.points[-1][1] > 180.0
    assert world.countries_along(route.points) == ("RU",)
    # Tokyo to Honolulu: Japan, then ocean, then Hawaii.
    route = geodesic_route((35.6762, 139.6503), (21.3069, -157.8583))
    assert world.countries_along(route.points) == ("JP", "US")


@pytest.mark.parametrize(
    ("lat", "lon", "iso2"),
    [
        (51.5074, -0.1278, "GB"),
        (48.8566, 2.3522, "FR"),
        (33.5138, 36.2765, "SY"),
        (35.6892, 51.3890, "IR"),
        (33.3152, 44.3661, "IQ"),
        (55.7558, 37.6173, "RU"),
        (-35.2809, 149.1300, "AU"),
        (38.9072, -77.0369, "US"),
        (-15.7939, -47.8828, "BR"),
        (50.4501, 30.5234, "UA"),
        (35.0, -40.0, None),  # mid-Atlantic
    ],
)
def test_country_at_capitals(world: Borders, lat: float, lon: float, iso2: str | None) -> None:
    assert world.country_at(lat, lon) == iso2
    assert country_at(lat, lon) == iso2


@pytest.fixture(scope="module")
def outlines() -> dict[str, Any]:
    return borders_geojson()


def test_borders_geojson_is_valid_lonlat_geojson(outlines: dict[str, Any]) -> None:
    assert outlines["type"] == "FeatureCollection"
    features = outlines["features"]
    assert len(features) > 200
    codes = [f["properties"]["iso2"] for f in features]
    assert len(codes) == len(set(codes))  # one feature per country
    for feature in features:
        assert feature["type"] == "Feature"
        assert len(feature["properties"]["iso2"]) == 2 and feature["properties"]["name"]
        geometry = feature["geometry"]
        assert geometry["type"] in {"Polygon", "MultiPolygon"}
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for polygon in polygons:
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1]
                for lon, lat in ring:
                    assert -180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0
            # RFC 7946 right-hand rule: exterior rings counter-clockwise.
            assert _signed_area(polygon[0]) > 0.0


def _signed_area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


def test_borders_geojson_puts_longitude_first(outlines: dict[str, Any]) -> None:
    by_code = {f["properties"]["iso2"]: f for f in outlines["features"]}
    iran = shape(by_code["IR"]["geometry"])
    min_x, min_y, max_x, max_y = iran.bounds
    assert 43.0 < min_x < 45.0 and 63.0 < max_x < 64.0  # longitudes
    assert 24.0 < min_y < 26.0 and 39.0 < max_y < 40.5  # latitudes
    assert shape(by_code["FR"]["geometry"]).contains(Point(2.3522, 48.8566))
    assert by_code["FR"]["properties"]["name"] == "France"
    # Small island states survive simplification.
    assert {"MT", "SG", "BH"} <= set(by_code)


def test_borders_geojson_size(outlines: dict[str, Any]) -> None:
    size = len(json.dumps(outlines, separators=(",", ":"), ensure_ascii=False).encode())
    assert size < SIZE_LIMIT


def test_coarser_tolerance_is_smaller() -> None:
    coarse = borders_geojson(tolerance_deg=0.2)
    assert len(json.dumps(coarse)) < SIZE_LIMIT / 2
    with pytest.raises(ValueError, match="-1"):
        borders_geojson(tolerance_deg=-1.0)
    with pytest.raises(ValueError, match="nan"):
        borders_geojson(tolerance_deg=math.nan)


def test_write_borders_geojson(tmp_path: Path, outlines: dict[str, Any]) -> None:
    target = tmp_path / "data" / "build" / "borders.geojson"
    size = write_borders_geojson(target)
    assert size == target.stat().st_size < SIZE_LIMIT
    assert json.loads(target.read_text(encoding="utf-8")) == outlines
    assert list(target.parent.iterdir()) == [target]  # no temporary left behind
