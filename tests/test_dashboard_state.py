"""Tests for geo.dashboard_state: filters in the URL, safe highlighting, uploads, tables."""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pytest
import streamlit_folium
from hypothesis import given
from hypothesis import strategies as st
from test_render import (
    HOSTILE_SOURCE,
    IMG,
    REUTERS,
    SCRIPT,
    TEMPLATE_BREAK,
    sample_analysis,
    small_borders,
)

from geo.dashboard_state import (
    ALL_ROLES,
    FILTERED_OUT,
    SHOWN,
    Filters,
    Highlight,
    article_highlights,
    as_date,
    check_upload,
    component_links,
    context_of,
    date_bounds,
    decode_filters,
    encode_filters,
    folder_key,
    highlight_html,
    md_escape,
    path_rows,
    place_rows,
    prepare_for_st_folium,
    snap_confidence,
    timeline_days,
    timeline_spec,
    unique_doc_id,
    unplaced_groups,
)
from geo.models import Analysis, Article, Feature, GazetteerEntry, Role
from geo.offline import external_references, leaflet_js
from geo.render import ROLE_STYLES, build_map
from geo.strikes.events import DatePrecision, EventPlace, PlacePrecision, StrikeEvent
from geo.view import filter_analysis

SOURCES = ["ABC News", "BBC News", "CBC News"]
T = TypeVar("T")
SPAN = (dt.date(2016, 8, 16), dt.date(2017, 1, 18))


# --- filters <-> query parameters --------------------------------------------------------


def test_no_parameters_mean_no_restriction() -> None:
    assert decode_filters({}, sources=SOURCES, dates=SPAN) == Filters()
    assert encode_filters(Filters(), sources=SOURCES, dates=SPAN) == {}


def test_unselecting_a_source_round_trips() -> None:
    chosen = Filters(sources=frozenset({"ABC News", "CBC News"}))
    params = encode_filters(chosen, sources=SOURCES, dates=SPAN)
    assert params == {"source": ["ABC News", "CBC News"]}
    assert decode_filters(params, sources=SOURCES, dates=SPAN) == chosen


def test_every_filter_round_trips() -> None:
    chosen = Filters(
        sources=frozenset({"BBC News"}),
        roles=frozenset({Role.BASE, Role.TARGET}),
        start=dt.date(2016, 9, 1),
        end=dt.date(2016, 12, 31),
        min_confidence=0.65,
        tiles=True,
    )
    params = encode_filters(chosen, sources=SOURCES, dates=SPAN)
    assert params == {
        "source": ["BBC News"],
        "role": ["base", "target"],
        "from": ["2016-09-01"],
        "to": ["2016-12-31"],
        "conf": ["0.65"],
        "tiles": ["1"],
    }
    assert decode_filters(params, sources=SOURCES, dates=SPAN) == chosen


def test_none_selected_is_kept_as_an_empty_parameter() -> None:
    nothing = Filters(sources=frozenset(), roles=frozenset())
    params = encode_filters(nothing, sources=SOURCES)
    assert params == {"source": [""], "role": [""]}
    assert decode_filters(params, sources=SOURCES) == nothing


def test_junk_in_the_url_is_ignored() -> None:
    params = {
        "source": ["BBC News", "Nobody's Wire"],
        "role": ["base", "bogus"],
        "from": ["yesterday"],
        "to": ["2016-13-45"],
        "conf": ["nan"],
        "tiles": ["maybe"],
    }
    got = decode_filters(params, sources=SOURCES, dates=SPAN)
    assert got == Filters(sources=frozenset({"BBC News"}), roles=frozenset({Role.BASE}))


def test_a_link_naming_only_unknown_sources_shows_everything() -> None:
    got = decode_filters({"source": ["Elsewhere Times"]}, sources=SOURCES)
    assert got.sources is None


def test_dates_are_clamped_ordered_and_the_full_span_dropped() -> None:
    got = decode_filters({"from": ["2018-01-01"], "to": ["2016-09-01"]}, sources=SOURCES,
                         dates=SPAN)
    assert (got.start, got.end) == (dt.date(2016, 9, 1), None)  # 2018 clamps to the end
    full = decode_filters({"from": ["2000-01-01"], "to": ["2030-01-01"]}, sources=SOURCES,
                          dates=SPAN)
    assert full.date_range is None


@pytest.mark.parametrize(
    ("raw", "snapped"), [(-3.0, 0.0), (0.62, 0.6), (0.63, 0.65), (7.0, 1.0), (float("inf"), 0.0)]
)
def test_confidence_snaps_to_the_slider_grid(raw: float, snapped: float) -> None:
    assert snap_confidence(raw) == snapped


def _every(chosen: frozenset[T] | None, universe: Sequence[T]) -> set[T]:
    return set(universe) if chosen is None else set(chosen)


@given(
    sources=st.none() | st.frozensets(st.sampled_from(SOURCES)),
    roles=st.none() | st.frozensets(st.sampled_from(ALL_ROLES)),
    conf=st.integers(0, 20),
    tiles=st.booleans(),
)
def test_encode_then_decode_keeps_the_view(
    sources: frozenset[str] | None, roles: frozenset[Role] | None, conf: int, tiles: bool
) -> None:
    chosen = Filters(sources=sources, roles=roles, min_confidence=conf / 20, tiles=tiles)
    back = decode_filters(encode_filters(chosen, sources=SOURCES), sources=SOURCES)
    # "All of them" may be spelt as None or as the full set: the view is the same.
    assert _every(back.sources, SOURCES) == _every(chosen.sources, SOURCES)
    assert _every(back.roles, ALL_ROLES) == _every(chosen.roles, ALL_ROLES)
    assert back.min_confidence == snap_confidence(conf / 20)
    assert back.tiles == tiles


def test_date_bounds_of_the_sample() -> None:
    assert date_bounds(sample_analysis()) == (dt.date(2024, 4, 13), dt.date(2024, 4, 20))


# --- safe text ---------------------------------------------------------------------------


def test_highlight_escapes_text_and_labels() -> None:
    text = f"Jets left {SCRIPT} Hmeimim for {IMG} and {TEMPLATE_BREAK}."
    start = text.index("Hmeimim")
    out = highlight_html(
        text,
        [Highlight(start, start + 7, "#1f4e9c", f'base "x" {IMG}'),
         Highlight(0, 4, "red;background:url(http://x)", "bad colour")],
    )
    assert "<script>" not in out and "<img" not in out
    assert html.escape(SCRIPT) in out
    assert 'title="base &quot;x&quot; &lt;img' in out
    assert ">Hmeimim</span>" in out
    assert "url(" not in out  # a colour that is not #rrggbb never reaches the style
    assert external_references(out) == []


def test_highlight_drops_overlaps_and_out_of_range_spans() -> None:
    text = "Deir ez-Zor and Aleppo"
    spans = [
        Highlight(0, 11, "#c0201a", "a"),
        Highlight(5, 7, "#1f4e9c", "inside: dropped"),
        Highlight(16, 22, "#1f4e9c", "b"),
        Highlight(20, 99, "#1f4e9c", "past the end: dropped"),
    ]
    out = highlight_html(text, spans)
    assert out.count("<span") == 2
    assert re.sub(r"<[^>]+>", "", out) == text


def test_article_highlights_use_role_colours_and_mark_unplaced() -> None:
    view = filter_analysis(sample_analysis())
    marks = article_highlights(view, "a2")
    colours = {m.color for m in marks}
    assert ROLE_STYLES[Role.BASE].color in colours
    assert ROLE_STYLES[Role.TARGET].color in colours
    assert any(m.dashed and m.label == "not placed" for m in marks)
    assert all(m.start < m.end for m in marks)


def test_md_escape_defuses_links_images_and_directives() -> None:
    text = "![x](http://evil/p.png) [click](javascript:alert(1)) :red[big] $x$ *b*"
    out = md_escape(text)
    assert "![" not in out and "](" not in out
    assert ":red[" not in out and "*b*" not in out


def test_context_window_points_at_the_mention() -> None:
    text = "x" * 300 + "Aleppo" + "y" * 300
    snippet, start, end = context_of(text, 300, 306)
    assert snippet[start:end] == "Aleppo"
    assert snippet.startswith("…") and snippet.endswith("…")


# --- uploads -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "size", "ok"),
    [
        ("story.txt", 10, True),
        ("Story.HTML", 10, True),
        ("page.htm", 10, True),
        ("../../etc/passwd", 10, False),
        ("C:\\temp\\evil.exe", 10, False),
        ("report.pdf", 10, False),
        ("notes.txt.sh", 10, False),
        ("empty.txt", 0, False),
        ("huge.txt", 5 * 1024 * 1024 + 1, False),
        ("edge.txt", 5 * 1024 * 1024, True),
    ],
)
def test_check_upload(name: str, size: int, ok: bool) -> None:
    assert (check_upload(name, size) is None) is ok


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        (None, None),
        (float("nan"), None),
        (pd.NaT, None),
        (pd.Timestamp("2016-08-16"), dt.date(2016, 8, 16)),
        (dt.datetime(2016, 8, 16, 23, 59), dt.date(2016, 8, 16)),
        (dt.date(2017, 1, 18), dt.date(2017, 1, 18)),
        ("2017-01-18", dt.date(2017, 1, 18)),
        ("next week", None),
        (3, None),
    ],
)
def test_as_date_reads_edited_cells(cell: object, day: dt.date | None) -> None:
    assert as_date(cell) == day


def test_folder_key_changes_with_any_article(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one")
    (tmp_path / "notes.pdf").write_text("ignored")
    sub = tmp_path / "more"
    sub.mkdir()
    (sub / "b.html").write_text("<p>two</p>")
    first = folder_key(tmp_path)
    assert [name for name, _, _ in first] == ["a.txt", "more/b.html"]
    (tmp_path / "a.txt").write_text("one, longer")
    assert folder_key(tmp_path) != first
    (tmp_path / "manifest.csv").write_text("file,source,title,published,url\n")
    assert len(folder_key(tmp_path)) == 3
    assert folder_key(tmp_path / "missing") == ()


def test_unique_doc_id() -> None:
    assert unique_doc_id("story", set()) == "story"
    assert unique_doc_id("story", {"story", "story-2"}) == "story-3"


# --- tables ------------------------------------------------------------------------------


def test_place_rows_follow_the_filters() -> None:
    everything = place_rows(filter_analysis(sample_analysis()))
    names = {(r["Name"], r["Role"]) for r in everything}
    assert ("Kyiv", ROLE_STYLES[Role.TARGET].label) in names
    kyiv = next(r for r in everything if r["Name"] == "Kyiv")
    assert kyiv["Mentions"] == 2 and kyiv["Sources"] == f"{REUTERS}, {HOSTILE_SOURCE}"
    assert kyiv["Gazetteer id"] == "geonames:703448"
    only_reuters = place_rows(filter_analysis(sample_analysis(), sources={REUTERS}))
    assert {r["Name"] for r in only_reuters} == {"Hmeimim Air Base", "Kyiv", "Tehran", "Moscow"}


def test_path_rows() -> None:
    rows = path_rows(filter_analysis(sample_analysis()), {"SY": "Syria"})
    assert len(rows) == 3
    first = rows[0]  # the path two sources report comes first
    assert (first["Origin"], first["Target"]) == ("Hmeimim Air Base", "Kyiv")
    assert first["Countries crossed"] == "Syria, TR, UA"
    assert isinstance(first["km"], int) and first["km"] > 1000
    assert first["Reports"] == 2


def test_unplaced_groups() -> None:
    groups = unplaced_groups(filter_analysis(sample_analysis()))
    assert [g.name for g in groups] == ["Nowhere"]
    assert groups[0].docs == ("a2",)


# --- Leaflet for st_folium, with no network ----------------------------------------------


def test_st_folium_is_given_only_inline_libraries() -> None:
    m = prepare_for_st_folium(build_map(sample_analysis(), borders=small_borders()))
    links = component_links(m)
    assert links, "st_folium must still be given Leaflet to load"
    assert all(url.startswith("data:") for url in links)
    leaflet = base64.b64decode(links[0].split(",", 1)[1]).decode("utf-8")
    assert leaflet == leaflet_js()
    # What st_folium itself puts in the component's page: no address beyond the machine.
    m.get_root().render()
    m.render()
    header = streamlit_folium._get_header(m)
    assert external_references(header) == []
    assert "cdn" not in header.lower()
    # The standalone page of the same map is still self-contained.
    assert external_references(m.get_root().render()) == []


def test_folium_defaults_are_left_alone_for_other_maps() -> None:
    import folium

    prepare_for_st_folium(build_map(sample_analysis(), borders=small_borders()))
    assert any(url.startswith("https://") for _, url in folium.Map.default_js)


# --- the strike timeline -------------------------------------------------------------------


def _event(doc_id: str, source: str, days: Sequence[dt.date], *targets: str) -> StrikeEvent:
    places = tuple(
        EventPlace(GazetteerEntry(f"t:{t}", t, 36.0, 37.0, "SY", Feature.CITY), t,
                   PlacePrecision.SITE)
        for t in targets
    )
    return StrikeEvent(doc_id=doc_id, source=source, published=days[-1] if days else None,
                       actor="", actor_country="", means=(), origin=None, targets=places,
                       dates=tuple(days), date_precision=DatePrecision.DAY, evidence=(),
                       confidence=0.8)


def _timeline_analysis() -> Analysis:
    d1, d2 = dt.date(2016, 8, 16), dt.date(2016, 8, 18)
    articles = (Article("a", "x", source="Wire A", published=d1),
                Article("b", "y", source="Wire B", published=d2))
    events = (_event("a", "Wire A", [d1], "Aleppo", "Idlib"),
              _event("b", "Wire B", [d1, d2], "Aleppo"),
              _event("b", "Wire B", [d2], "<b>Deir</b>"))
    return Analysis(articles=articles, places=(), events=events)


def test_the_timeline_counts_strikes_by_day_and_follows_the_filters() -> None:
    analysis = _timeline_analysis()
    days = timeline_days(analysis, filter_analysis(analysis))
    assert [(d.day.day, d.status, d.strikes) for d in days] == [
        (16, SHOWN, 2), (18, SHOWN, 2)]
    assert days[0].targets == ("Aleppo", "Idlib")
    assert days[0].sources == ("Wire A", "Wire B")
    # Wire B unselected: its strikes stay on the timeline, greyed as the map drops them.
    view = filter_analysis(analysis, sources={"Wire A"})
    days = timeline_days(analysis, view)
    assert {(d.day.day, d.status, d.strikes) for d in days} == {
        (16, SHOWN, 1), (16, FILTERED_OUT, 1), (18, FILTERED_OUT, 2)}
    # A date range filters articles by publication, and the timeline agrees with the map.
    view = filter_analysis(analysis, date_range=(None, dt.date(2016, 8, 17)))
    assert {d.status for d in timeline_days(analysis, view) if d.day.day == 18} == {
        FILTERED_OUT}


def test_without_events_the_timeline_reads_the_paths_dates() -> None:
    analysis = sample_analysis()
    assert not analysis.events
    days = timeline_days(analysis, filter_analysis(analysis))
    assert days and all(d.status == SHOWN for d in days)
    assert sum(d.strikes for d in days) >= len(analysis.paths)
    assert {d.day for d in days} <= {day for p in analysis.paths for day in p.dates} | {
        r.published for p in analysis.paths for r in p.reports}


def test_the_timeline_chart_is_plain_vega_lite_data() -> None:
    analysis = _timeline_analysis()
    days = timeline_days(analysis, filter_analysis(analysis))
    spec = timeline_spec(days, selected=(dt.date(2016, 8, 17), None))
    shade, bars = spec["layer"]
    assert shade["data"]["values"] == [{"start": "2016-08-17", "end": "2016-08-19"}]
    values = bars["data"]["values"]
    assert [v["day"] for v in values] == ["2016-08-16", "2016-08-18"]
    assert values[1]["targets"] == "Aleppo, <b>Deir</b>"  # data for Vega's text, not markup
    # The axis runs over the strikes' days and the span given, to the end of its last day.
    assert bars["encoding"]["x"]["scale"]["domain"] == [
        {"year": 2016, "month": 8, "date": 16, "utc": True},
        {"year": 2016, "month": 8, "date": 19, "utc": True}]
    wide = timeline_spec(days, span=(dt.date(2016, 8, 1), dt.date(2016, 9, 30)))
    assert wide["layer"][-1]["encoding"]["x"]["scale"]["domain"][1]["month"] == 10
    assert list(timeline_spec(days)["layer"]) == [bars]  # no range chosen: no shading
    # Nothing in the spec is an address the browser would be asked to load.
    import json

    text = json.dumps(spec)
    assert "url" not in spec["layer"][1]["data"] and text.count("https://") == 1
