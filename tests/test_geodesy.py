"""Geodesic routes: distances against geographiclib, antimeridian, poles, degenerate ends."""

from __future__ import annotations

import itertools
import math

import pytest
from geographiclib.geodesic import Geodesic
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from shapely.geometry import shape

from geo.geodesy import (
    Route,
    densify,
    geodesic_route,
    split_at_antimeridian,
    to_geojson_geometry,
    unwrap_lons,
    wrap_lon,
)

GEOD = Geodesic.WGS84
HAMADAN = (35.2116, 48.6534)  # Hamadan (Nojeh) Air Base, OurAirports OIHS
ALEPPO = (36.2021, 37.1343)
HALF_MERIDIAN_KM = 20003.931458625  # pole to pole on WGS84


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.Inverse(*a, *b, Geodesic.DISTANCE)["s12"])


def same_lon(a: float, b: float) -> bool:
    """Equal longitudes up to whole turns (180 and -180 are the same meridian)."""
    difference = (a - b) % 360.0
    return min(difference, 360.0 - difference) < 1e-6


def assert_valid(route: Route) -> None:
    """Every point finite and on the globe, unwrapped longitudes continuous."""
    assert len(route.points) >= 2
    for lat, lon in route.points:
        assert math.isfinite(lat) and math.isfinite(lon)
        assert -90.0 <= lat <= 90.0
    for (_, lon_a), (_, lon_b) in itertools.pairwise(route.points):
        assert abs(lon_b - lon_a) <= 180.0 + 1e-9
    assert math.isfinite(route.distance_km) and route.distance_km >= 0.0
    assert 0.0 <= route.initial_bearing < 360.0


def test_hamadan_to_aleppo_matches_geographiclib() -> None:
    route = geodesic_route(HAMADAN, ALEPPO)
    expected = GEOD.Inverse(*HAMADAN, *ALEPPO)
    assert route.distance_km == pytest.approx(expected["s12"] / 1000.0, rel=1e-12)
    # Published great-circle figures put it at roughly a thousand kilometres.
    assert 1000.0 < route.distance_km < 1100.0
    assert route.initial_bearing == pytest.approx(expected["azi1"] % 360.0, abs=1e-9)
    assert 265.0 < route.initial_bearing < 285.0  # westward, a little north of west
    assert route.points[0] == HAMADAN
    assert route.points[-1] == ALEPPO
    # 1,048 km at <= 20 km steps.
    assert len(route.points) == math.ceil(expected["s12"] / 20_000.0) + 1
    assert_valid(route)


def test_step_controls_spacing() -> None:
    coarse = geodesic_route(HAMADAN, ALEPPO, step_km=200.0)
    assert len(coarse.points) == 7  # 1,048 km in 6 steps of 175 km
    for a, b in itertools.pairwise(coarse.points):
        assert metres_between(a, b) == pytest.approx(coarse.distance_km * 1000.0 / 6, abs=1e-3)


def test_points_lie_on_the_geodesic() -> None:
    route = geodesic_route(HAMADAN, ALEPPO, step_km=100.0)
    for point in route.points[1:-1]:
        # On the geodesic, the two legs add up to the whole.
        legs = metres_between(HAMADAN, point) + metres_between(point, ALEPPO)
        assert legs == pytest.approx(route.distance_km * 1000.0, abs=1e-3)


def test_pacific_route_is_continuous_and_splits_for_geojson() -> None:
    route = geodesic_route((10.0, 170.0), (10.0, -170.0))
    assert_valid(route)
    lons = [lon for _, lon in route.points]
    assert lons[0] == 170.0
    assert lons[-1] == pytest.approx(190.0)  # unwrapped: -170 + 360
    assert all(a < b for a, b in itertools.pairwise(lons))  # steadily east, no jump
    assert max(lons) > 180.0
    assert route.distance_km == pytest.approx(
        GEOD.Inverse(10.0, 170.0, 10.0, -170.0)["s12"] / 1000.0, rel=1e-12
    )

    parts = split_at_antimeridian(route.points)
    assert len(parts) == 2
    for part in parts:
        assert all(-180.0 <= lon <= 180.0 for _, lon in part)
    assert parts[0][-1][1] == 180.0 and parts[1][0][1] == -180.0
    assert parts[0][-1][0] == parts[1][0][0]  # they meet at the same latitude
    assert parts[0][0] == (10.0, 170.0) and parts[1][-1] == pytest.approx((10.0, -170.0))

    geometry = to_geojson_geometry(route.points)
    assert geometry["type"] == "MultiLineString"
    assert geometry["coordinates"][0][0] == [170.0, 10.0]  # lon, lat
    assert shape(geometry).is_valid


def test_tokyo_to_honolulu_crosses_the_antimeridian() -> None:
    route = geodesic_route((35.6762, 139.6503), (21.3069, -157.8583))
    assert_valid(route)
    assert route.points[-1][1] == pytest.approx(-157.8583 + 360.0)
    assert 6100.0 < route.distance_km < 6300.0
    assert len(split_at_antimeridian(route.points)) == 2


def test_westward_crossing_unwraps_below_minus_180() -> None:
    route = geodesic_route((-17.0, -178.0), (-17.5, 178.0))
    assert route.points[-1][1] == pytest.approx(178.0 - 360.0)
    parts = split_at_antimeridian(route.points)
    assert [part[-1][1] for part in parts[:-1]] == [-180.0]
    assert parts[1][0][1] == 180.0


def test_identical_ends() -> None:
    route = geodesic_route((33.5, 36.3), (33.5, 36.3))
    assert route.distance_km == 0.0
    assert route.points == ((33.5, 36.3), (33.5, 36.3))
    assert_valid(route)
    geometry = to_geojson_geometry(route.points)
    assert geometry == {"type": "LineString", "coordinates": [[36.3, 33.5], [36.3, 33.5]]}


@pytest.mark.parametrize(
    ("origin", "target"),
    [
        ((0.0, 0.0), (0.0, 180.0)),  # antipodes on the equator: via a pole
        ((0.0, 0.0), (0.0, -180.0)),
        ((90.0, 0.0), (-90.0, 0.0)),  # pole to pole
        ((90.0, 30.0), (-90.0, -50.0)),
        ((80.0, 0.0), (80.0, 180.0)),  # over the north pole
        ((-89.0, 170.0), (-89.0, -10.0)),  # over the south pole
        ((89.0, 170.0), (90.0, 0.0)),  # to a pole
        ((90.0, 30.0), (90.0, 100.0)),  # pole to itself
        ((10.0, 180.0), (50.0, 180.0)),  # along the antimeridian
        ((45.0, -180.0), (45.0, 180.0)),  # the same point, written twice
    ],
)
def test_edge_cases_give_valid_output(
    origin: tuple[float, float], target: tuple[float, float]
) -> None:
    route = geodesic_route(origin, target)
    assert_valid(route)
    expected = GEOD.Inverse(*origin, *target)["s12"] / 1000.0
    assert route.distance_km == pytest.approx(expected, abs=1e-6)
    assert metres_between(route.points[0], origin) < 1.0
    assert metres_between(route.points[-1], target) < 1.0
    geometry = shape(to_geojson_geometry(route.points))
    assert not geometry.is_empty
    minx, miny, maxx, maxy = geometry.bounds
    assert -180.0 <= minx <= maxx <= 180.0 and -90.0 <= miny <= maxy <= 90.0


def test_pole_to_pole_and_antipodes_are_half_a_meridian() -> None:
    assert geodesic_route((90.0, 0.0), (-90.0, 0.0)).distance_km == pytest.approx(
        HALF_MERIDIAN_KM, abs=1e-6
    )
    route = geodesic_route((0.0, 0.0), (0.0, 180.0))
    assert route.distance_km == pytest.approx(HALF_MERIDIAN_KM, abs=1e-6)
    # Over the pole the line is drawn up to it and down again, not across the map.
    assert (90.0, 0.0) in route.points and (90.0, 180.0) in route.points


@pytest.mark.parametrize(
    ("origin", "target", "step", "message"),
    [
        ((91.0, 0.0), (0.0, 0.0), 20.0, "91"),
        ((0.0, 0.0), (-90.5, 0.0), 20.0, "-90.5"),
        ((0.0, 181.0), (0.0, 0.0), 20.0, "181"),
        ((0.0, math.nan), (0.0, 0.0), 20.0, "nan"),
        ((0.0, 0.0), (math.inf, 0.0), 20.0, "inf"),
        ((0.0, 0.0, 0.0), (0.0, 0.0), 20.0, r"\(0.0, 0.0, 0.0\)"),
        ((0.0, 0.0), (1.0, 1.0), 0.0, "step_km.*0.0"),
        ((0.0, 0.0), (1.0, 1.0), -5.0, "-5.0"),
        ((0.0, 0.0), (0.0, 180.0), 0.01, "0.01"),  # two million points
    ],
)
def test_bad_input_is_refused_with_the_value(
    origin: tuple[float, ...], target: tuple[float, float], step: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        geodesic_route(origin, target, step_km=step)  # type: ignore[arg-type]


def test_wrong_types_are_refused() -> None:
    with pytest.raises(TypeError, match="'north'"):
        geodesic_route(("north", 0.0), (0.0, 0.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="None"):
        geodesic_route(None, (0.0, 0.0))  # type: ignore[arg-type]


def test_split_handles_wrapped_and_unwrapped_input_alike() -> None:
    unwrapped = [(0.0, 179.0), (1.0, 181.0)]
    wrapped = [(0.0, 179.0), (1.0, -179.0)]
    expected = [[(0.0, 179.0), (0.5, 180.0)], [(0.5, -180.0), (1.0, -179.0)]]
    assert split_at_antimeridian(unwrapped) == expected
    assert split_at_antimeridian(wrapped) == expected


def test_split_keeps_lines_that_stay_on_one_side() -> None:
    assert split_at_antimeridian([(0.0, 10.0), (1.0, 20.0)]) == [[(0.0, 10.0), (1.0, 20.0)]]
    assert split_at_antimeridian([(0.0, 179.0), (1.0, 180.0), (2.0, 179.0)]) == [
        [(0.0, 179.0), (1.0, 180.0), (2.0, 179.0)]
    ]
    assert split_at_antimeridian([(0.0, 180.0), (5.0, 180.0)]) == [[(0.0, 180.0), (5.0, 180.0)]]
    assert split_at_antimeridian([]) == []
    assert split_at_antimeridian([(1.0, 190.0)]) == [[(1.0, -170.0)]]


def test_split_at_a_vertex_on_the_antimeridian() -> None:
    parts = split_at_antimeridian([(0.0, 179.0), (1.0, 180.0), (2.0, 181.0)])
    assert parts == [[(0.0, 179.0), (1.0, 180.0)], [(1.0, -180.0), (2.0, -179.0)]]


def test_split_a_line_going_round_twice() -> None:
    line = [(0.0, float(lon)) for lon in range(0, 721, 90)]
    parts = split_at_antimeridian(line)
    assert len(parts) == 3
    for part in parts:
        assert all(-180.0 <= lon <= 180.0 for _, lon in part)


def test_unwrap_and_wrap() -> None:
    assert unwrap_lons([(0.0, 170.0), (0.0, -170.0), (0.0, -150.0)]) == [
        (0.0, 170.0),
        (0.0, 190.0),
        (0.0, 210.0),
    ]
    assert [wrap_lon(x) for x in (190.0, -190.0, 180.0, -180.0, 540.0, 0.0)] == [
        -170.0,
        170.0,
        180.0,
        -180.0,
        180.0,
        0.0,
    ]


def test_densify_follows_the_geodesic_and_keeps_unwrapped_longitudes() -> None:
    dense = densify([(10.0, 170.0), (10.0, -170.0)], step_km=100.0)
    assert len(dense) == 23
    assert dense[-1] == pytest.approx((10.0, 190.0))
    assert max(lat for lat, _ in dense) > 10.1  # the geodesic bulges poleward
    assert densify([(1.0, 2.0), (1.0, 2.1)], step_km=100.0) == [(1.0, 2.0), (1.0, 2.1)]


def test_geojson_of_no_points_is_refused() -> None:
    with pytest.raises(ValueError, match="none"):
        to_geojson_geometry([])


latitudes = st.one_of(
    st.floats(min_value=-90.0, max_value=90.0, allow_nan=False),
    st.sampled_from([-90.0, 90.0, 0.0]),
)
longitudes = st.one_of(
    st.floats(min_value=-180.0, max_value=180.0, allow_nan=False),
    st.sampled_from([-180.0, 180.0, 0.0]),
)
points = st.tuples(latitudes, longitudes)


@settings(max_examples=300, deadline=None)
@given(points, points, st.floats(min_value=5.0, max_value=3000.0))
# Found by Hypothesis: from a pole, geographiclib's unrolled longitudes may start a turn away.
@example((-90.0, 0.0), (89.99999999999999, 152.53125), 5.0)
def test_routes_hold_for_any_endpoints(
    origin: tuple[float, float], target: tuple[float, float], step_km: float
) -> None:
    route = geodesic_route(origin, target, step_km=step_km)
    assert_valid(route)
    assert metres_between(route.points[0], origin) < 1.0
    assert metres_between(route.points[-1], target) < 1.0
    expected = GEOD.Inverse(*origin, *target)
    assert route.distance_km == pytest.approx(expected["s12"] / 1000.0, rel=1e-12, abs=1e-9)
    for a, b in itertools.pairwise(route.points):
        assert metres_between(a, b) <= step_km * 1000.0 + 1e-3

    parts = split_at_antimeridian(route.points)
    assert parts
    for part in parts:
        assert len(part) >= 2
        assert all(-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0 for lat, lon in part)
    geometry = to_geojson_geometry(route.points)
    assert geometry["type"] == ("LineString" if len(parts) == 1 else "MultiLineString")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(latitudes, st.floats(-1000.0, 1000.0)), min_size=2, max_size=8))
def test_split_parts_stay_in_range_and_keep_every_point(line: list[tuple[float, float]]) -> None:
    assume(all(math.isfinite(lon) for _, lon in line))
    parts = split_at_antimeridian(line)
    kept = [point for part in parts for point in part]
    for part in parts:
        assert len(part) >= 2
        assert all(-180.0 <= lon <= 180.0 for _, lon in part)
    for lat, lon in line:
        assert any(lat == k_lat and same_lon(lon, k_lon) for k_lat, k_lon in kept)
