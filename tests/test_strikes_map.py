"""The map's strike-events layer: struck places with actor and date, escaped popups."""

from __future__ import annotations

import datetime as dt

import folium

from geo.models import Analysis, Evidence, Feature, GazetteerEntry
from geo.render import EVENTS_LAYER, add_events_layer, build_map
from geo.strikes.events import DatePrecision, EventPlace, PlacePrecision, StrikeEvent

TARGET = GazetteerEntry("t:bab", "al-Bab", 36.37, 37.52, "SY", Feature.CITY)
IRAN = GazetteerEntry("country:IR", "Iran", 36.0, 45.0, "IR", Feature.COUNTRY)


def event(source: str = "Outlet <A>", origin: EventPlace | None = None) -> StrikeEvent:
    return StrikeEvent(
        doc_id="d1", source=source, published=dt.date(2017, 1, 11), actor="Turkish",
        actor_country="TR", means=("F-16 <jets>",), origin=origin,
        targets=(EventPlace(TARGET, "al-Bab", PlacePrecision.TOWN),),
        dates=(dt.date(2017, 1, 10),), date_precision=DatePrecision.DAY,
        evidence=(Evidence("d1", "Jets <b>struck</b> al-Bab.", 0, 24, "struck"),),
        confidence=0.7)


def test_struck_place_popup_says_actor_means_dates_sources_escaped() -> None:
    m = folium.Map(tiles=None)
    group = add_events_layer(m, [event()])
    assert group is not None
    html = m.get_root().render()
    assert "Turkish" in html and "2017-01-10" in html and "(day)" in html
    # Popups travel as JSON strings in the page's script: "&" is written \u0026 there.
    assert "F-16 \\u0026lt;jets\\u0026gt;" in html and "Outlet \\u0026lt;A\\u0026gt;" in html
    assert "<b>struck" not in html and "\\u0026lt;b\\u0026gt;struck" in html


def test_approximate_origin_is_a_dashed_line() -> None:
    m = folium.Map(tiles=None)
    add_events_layer(m, [event(origin=EventPlace(IRAN, "Iran", PlacePrecision.COUNTRY,
                                                 approximate=True))])
    html = m.get_root().render()
    assert '"dashArray": "6 6"' in html and "Iran (approximate)" in html


def test_filters_leave_no_layer() -> None:
    m = folium.Map(tiles=None)
    assert add_events_layer(m, [event()], sources={"Other"}) is None
    assert add_events_layer(m, [event()], min_confidence=0.9) is None


def test_build_map_draws_the_analysis_events() -> None:
    analysis = Analysis(articles=(), places=(), events=(event(),))
    html = build_map(analysis, borders={"type": "FeatureCollection", "features": []},
                     city_names=False).get_root().render()
    assert EVENTS_LAYER in html and "Struck: al-Bab (town)" in html
