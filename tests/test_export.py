"""Tests for geo.export: HTML, GeoJSON, CSV and KML of a hand-built analysis."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from test_render import (
    GUAM,
    HAWAII,
    HMEIMIM,
    HOSTILE_SOURCE,
    IMG,
    KYIV,
    REUTERS,
    SCRIPT,
    sample_analysis,
    small_borders,
)

from geo.export import CREDIT, CSV_COLUMNS, export, export_bytes
from geo.models import Analysis
from geo.offline import external_references
from geo.render import default_borders
from geo.view import filter_analysis

KML_NS = {"k": "http://www.opengis.net/kml/2.2"}
WHEN = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)


def _geojson(**kwargs: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(export_bytes(sample_analysis(), "geojson", **kwargs))
    return data


def _walk_positions(coords: Any) -> list[list[float]]:
    if coords and isinstance(coords[0], int | float):
        return [coords]
    return [p for c in coords for p in _walk_positions(c)]


# --- HTML -----------------------------------------------------------------------------


def test_html_export_is_self_contained(tmp_path: Path) -> None:
    out = export(
        sample_analysis(), tmp_path / "brief.html", title="Night strikes", borders=small_borders(),
        exported=WHEN,
    )
    html = out.read_text(encoding="utf-8")
    assert external_references(html) == []
    assert "Leaflet 1.9.3" in html and "L.map(" in html
    assert "<title>Night strikes</title>" in html
    assert CREDIT in html
    assert "2024-05-01 12:30 UTC" in html
    assert "Reuters (1 article)" in html
    assert "Evil Wire &lt;script&gt;alert(1)&lt;/script&gt; (1 article)" in html
    assert "geo-legend" in html


def test_html_export_escapes_hostile_title_and_text(tmp_path: Path) -> None:
    out = export(
        sample_analysis(), tmp_path / "x.html", title=f"T {SCRIPT}{IMG}", borders=small_borders()
    )
    html = out.read_text(encoding="utf-8")
    assert SCRIPT not in html and IMG not in html and "<img" not in html
    assert "<title>T &lt;script&gt;" in html


def test_html_export_with_real_borders_stays_small(tmp_path: Path) -> None:
    if default_borders() is None:
        pytest.skip("no country outlines available (geo.borders or data/build missing)")
    out = export(sample_analysis(), tmp_path / "full.html", title="Seeds")
    size = out.stat().st_size
    assert size < 3 * 1024 * 1024, size
    assert external_references(out.read_text(encoding="utf-8")) == []


# --- GeoJSON --------------------------------------------------------------------------


def test_geojson_is_an_rfc7946_feature_collection() -> None:
    data = _geojson()
    assert data["type"] == "FeatureCollection"
    assert "crs" not in data
    kinds = {f["geometry"]["type"] for f in data["features"]}
    assert kinds == {"Point", "LineString", "MultiLineString"}
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        for lon, lat in _walk_positions(feature["geometry"]["coordinates"]):
            assert -180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0


def test_geojson_points_are_lon_lat_with_properties() -> None:
    data = _geojson()
    kyiv = next(
        f for f in data["features"]
        if f["geometry"]["type"] == "Point" and f["properties"]["gazetteer_id"] == KYIV.gazetteer_id
    )
    assert kyiv["geometry"]["coordinates"] == [KYIV.lon, KYIV.lat]
    props = kyiv["properties"]
    for key in ("name", "role", "confidence", "gazetteer_id", "country", "feature", "docs",
                "sources"):
        assert key in props
    assert props["role"] == "target"
    assert props["docs"] == ["a1", "a2"]
    assert props["sources"] == [REUTERS, HOSTILE_SOURCE]


def test_geojson_paths_split_at_antimeridian() -> None:
    data = _geojson()
    paths = [f for f in data["features"] if f["properties"]["kind"] == "flight_path"]
    assert len(paths) == 3
    pacific = next(f for f in paths if f["properties"]["origin_id"] == GUAM.gazetteer_id)
    assert pacific["geometry"]["type"] == "MultiLineString"
    first, second = pacific["geometry"]["coordinates"]
    assert first[0] == pytest.approx([GUAM.lon, GUAM.lat])
    assert second[-1] == pytest.approx([HAWAII.lon, HAWAII.lat])
    assert abs(first[-1][0]) == 180.0 and abs(second[0][0]) == 180.0
    assert first[-1][1] == pytest.approx(second[0][1])
    props = pacific["properties"]
    for key in ("origin", "target", "distance_km", "bearing", "countries", "docs", "sources",
                "dates", "confidence", "inferred", "evidence"):
        assert key in props
    assert props["dates"] == ["2024-04-20"]
    syria = next(f for f in paths if f["properties"]["target_id"] == KYIV.gazetteer_id)
    assert syria["geometry"]["type"] == "LineString"
    assert syria["geometry"]["coordinates"][0] == pytest.approx([HMEIMIM.lon, HMEIMIM.lat])


def test_geojson_respects_source_filter() -> None:
    data = _geojson(sources=[REUTERS])
    origins = {f["properties"].get("origin_id") for f in data["features"]}
    assert GUAM.gazetteer_id not in origins
    assert all(HOSTILE_SOURCE not in f["properties"]["sources"] for f in data["features"])


# --- CSV ------------------------------------------------------------------------------


def test_csv_rows_for_place_roles_and_paths() -> None:
    raw = export_bytes(sample_analysis(), "csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert list(rows[0].keys()) == CSV_COLUMNS
    places = [r for r in rows if r["type"] == "place"]
    paths = [r for r in rows if r["type"] == "flight_path"]
    assert len(places) == len(filter_analysis(sample_analysis()).roles) == 9
    assert len(paths) == 3
    kyiv = next(r for r in places if r["as_written"] == "Kiev")
    assert (kyiv["role"], kyiv["source"], kyiv["doc_id"]) == ("target", HOSTILE_SOURCE, "a2")
    assert float(kyiv["lat"]) == KYIV.lat and float(kyiv["lon"]) == KYIV.lon
    pacific = next(r for r in paths if r["origin_id"] == GUAM.gazetteer_id)
    assert pacific["sources"] == HOSTILE_SOURCE
    assert float(pacific["distance_km"]) > 6000


def test_csv_defuses_spreadsheet_formulas() -> None:
    analysis = sample_analysis()
    evil = analysis.articles[0].__class__("a1", "t", source="=HYPERLINK(\"x\")")
    raw = export_bytes(analysis.__class__(articles=(evil,), places=analysis.places,
                                          roles=analysis.roles), "csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert {r["source"] for r in rows if r["doc_id"] == "a1"} == {"'=HYPERLINK(\"x\")"}


# --- KML ------------------------------------------------------------------------------


def test_kml_parses_and_has_placemarks(tmp_path: Path) -> None:
    out = export(sample_analysis(), tmp_path / "brief.kml", title=f"KML {SCRIPT}")
    root = ET.parse(out).getroot()
    placemarks = root.findall(".//k:Placemark", KML_NS)
    names = [p.findtext("k:name", namespaces=KML_NS) for p in placemarks]
    assert "Kyiv" in names and "Hmeimim Air Base" in names
    assert "Andersen AFB -> Hickam Field" in names
    assert len(placemarks) == len(_geojson()["features"])
    assert root.findtext("k:Document/k:name", namespaces=KML_NS) == f"KML {SCRIPT}"
    pacific = placemarks[names.index("Andersen AFB -> Hickam Field")]
    assert pacific.find("k:MultiGeometry", KML_NS) is not None
    for placemark in placemarks:
        # Google Earth shows descriptions as HTML: article text must arrive escaped.
        description = placemark.findtext("k:description", default="", namespaces=KML_NS)
        assert "<script" not in description and "<img" not in description
    first = root.find(".//k:Point/k:coordinates", KML_NS)
    assert first is not None and first.text is not None
    lon, lat, _ = (float(v) for v in first.text.split(","))
    assert -180 <= lon <= 180 and -90 <= lat <= 90


# --- paths, formats, atomic writes ------------------------------------------------------


def test_unknown_suffix_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"brief\.docx"):
        export(sample_analysis(), tmp_path / "brief.docx", title="x")
    with pytest.raises(ValueError, match="unknown export format"):
        export_bytes(sample_analysis(), "docx")


def test_refuses_directories_and_missing_folders(tmp_path: Path) -> None:
    folder = tmp_path / "maps.html"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="directory"):
        export(sample_analysis(), folder, title="x")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        export(sample_analysis(), tmp_path / "nope" / "a.geojson", title="x")


def test_writes_atomically_and_replaces(tmp_path: Path) -> None:
    out = tmp_path / "a.geojson"
    out.write_text("old")
    export(sample_analysis(), out, title="x")
    assert json.loads(out.read_text())["type"] == "FeatureCollection"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.geojson"]


def test_failed_export_leaves_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "a.csv"
    out.write_text("old")

    def boom(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("boom")

    monkeypatch.setattr("geo.export._csv", boom)
    with pytest.raises(RuntimeError):
        export(sample_analysis(), out, title="x")
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


@pytest.mark.parametrize("fmt", ["html", "geojson", "csv", "kml", ".KML"])
def test_export_bytes_every_format(fmt: str) -> None:
    data = export_bytes(sample_analysis(), fmt, title="t", borders=small_borders())
    assert isinstance(data, bytes) and data


def test_interrupted_write_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "a.kml"
    out.write_text("old")

    def fail_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("geo.export.os.replace", fail_replace)
    with pytest.raises(OSError, match="disk full"):
        export(sample_analysis(), out, title="x")
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.kml"]


# --- the HTML export's time control -------------------------------------------------------


def test_html_export_has_a_time_control_over_dated_layers(tmp_path: Path) -> None:
    out = export(sample_analysis(), tmp_path / "t.html", title="T", borders=small_borders())
    page = out.read_text(encoding="utf-8")
    assert 'class="geo-time"' in page and "geo-time-slider" in page and "geo-time-play" in page
    tagged = re.findall(r"geoTimeline = window\.geoTimeline \|\| \[\]\)\.push\(\{\s*layer: (\w+),"
                        r"\s*group: (\w+),\s*days: (\[.*?\])\}\)", page)
    days = {d for _, _, ds in tagged for d in json.loads(ds)}
    assert days == {"2024-04-13", "2024-04-20"}
    # Three paths (lines and arrowheads) and the dated bases and targets; the plain
    # mention (Moscow) is context, not an event.
    assert len(tagged) >= 3 + 5
    assert external_references(page) == []


def test_the_dashboard_map_has_no_time_tags() -> None:
    from geo.render import build_map

    page = build_map(sample_analysis(), borders=small_borders()).get_root().render()
    assert "days: [" not in page and '"timeTags":true' not in page


# --- slides through export ------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_slide_formats_through_export(tmp_path: Path, suffix: str) -> None:
    out = export(sample_analysis(), tmp_path / f"brief{suffix}", title="Slide",
                 borders=small_borders(), exported=WHEN)
    head = out.read_bytes()[:8]
    assert head.startswith({".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}[suffix])


def test_crowded_dated_targets_cluster_and_still_follow_the_time_control(tmp_path: Path) -> None:
    from test_render import _place, _role

    from geo.models import Analysis, Article, Feature, GazetteerEntry, Role
    from geo.render import CLUSTER_OPERATIONAL_OVER

    day = dt.date(2024, 4, 13)
    n = CLUSTER_OPERATIONAL_OVER + 5
    articles = tuple(Article(f"c{i}", "t", source="Wire", published=day) for i in range(n))
    roles = tuple(
        _role(_place(f"c{i}", f"T{i}", GazetteerEntry(f"x:{i}", f"Target {i}", 30 + i / 50,
                                                       40 + i / 50, "SY", Feature.CITY)),
              Role.TARGET, 0.8, "Strikes hit it.")
        for i in range(n)
    )
    crowd = Analysis(articles=articles, places=tuple(r.place for r in roles), roles=roles)
    page = export_bytes(crowd, "html", title="Crowd", borders=small_borders()).decode("utf-8")
    assert '"labelClass":"geo-label-target","timeTags":true' in page
    assert page.count('["2024-04-13"]') == n
    assert external_references(page) == []


# --- strike events in the data exports (the seeds: Russian raids on Syria, from Iran) ----


def _seed_geojson(analysis: Analysis, **kwargs: Any) -> list[dict[str, Any]]:
    data = json.loads(export_bytes(analysis, "geojson", **kwargs))
    return [f["properties"] | {"geometry": f["geometry"]} for f in data["features"]]


def test_geojson_holds_the_struck_places_with_actor_means_dates_and_sources(
        seed_analysis: Analysis) -> None:
    features = _seed_geojson(seed_analysis)
    struck = {f["name"]: f for f in features if f["kind"] == "strike_event"}
    assert {"Aleppo", "Idlib", "Deir ez-Zor"} <= set(struck)
    aleppo = struck["Aleppo"]
    assert aleppo["geometry"]["type"] == "Point"
    lon, lat = aleppo["geometry"]["coordinates"]
    assert 35.5 < lat < 37 and 36.5 < lon < 37.5  # (lon, lat), as RFC 7946 wants
    assert "RU" in aleppo["actor_country"] and aleppo["means"]
    assert "2016-08-16" in aleppo["dates"] and aleppo["sources"]
    # "from Iran": an origin known only as a country is an approximate one, a dashed line.
    lines = [f for f in features if f["kind"] == "approximate_origin"]
    assert lines and all(f["dashed"] and f["geometry"]["type"] == "LineString" for f in lines)
    assert {f["origin"] for f in lines} == {"Iran"}


def test_event_exports_follow_the_source_filter(seed_analysis: Analysis) -> None:
    everyone = {f["name"] for f in _seed_geojson(seed_analysis) if f["kind"] == "strike_event"}
    bbc_only = [f for f in _seed_geojson(seed_analysis, sources={"BBC News"})
                if f["kind"] == "strike_event"]
    assert "Al Bāb" in everyone
    assert [f["name"] for f in bbc_only] == ["Al Bāb"]
    assert bbc_only[0]["sources"] == ["BBC News"]


def test_csv_and_kml_hold_the_strike_events(seed_analysis: Analysis) -> None:
    rows = list(csv.DictReader(io.StringIO(
        export_bytes(seed_analysis, "csv").decode("utf-8-sig"))))
    events = {r["name"]: r for r in rows if r["type"] == "strike_event"}
    assert {"Aleppo", "Idlib", "Deir ez-Zor", "Al Bāb"} <= set(events)
    assert events["Al Bāb"]["actor_country"] == "RU"
    assert events["Al Bāb"]["dates"] == "2016-12-01"
    assert events["Al Bāb"]["means"] and events["Al Bāb"]["sources"] == "BBC News"
    assert events["Aleppo"]["origin_approximate"] == "True"

    root = ET.fromstring(export_bytes(seed_analysis, "kml"))
    folders = {f.findtext("k:name", namespaces=KML_NS): f
               for f in root.iterfind(".//k:Folder", KML_NS)}
    marks = [p.findtext("k:name", namespaces=KML_NS)
             for p in folders["Strike events"].iterfind("k:Placemark", KML_NS)]
    assert "Struck: Aleppo" in marks and "Iran (approximate) -> Aleppo" in marks
    balloon = folders["Strike events"].findtext("k:Placemark/k:description", namespaces=KML_NS)
    assert "Actor:" in balloon and "Means:" in balloon and "Dates:" in balloon
