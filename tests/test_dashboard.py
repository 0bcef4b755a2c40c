"""The dashboard script's logic, run headless through Streamlit's AppTest.

The first run analyses the bundled articles for real (spaCy, the gazetteer); later runs in
the same process hit Streamlit's caches. Fixes go to a temporary geocoding cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.gazetteer import Gazetteer
from geo.geocache import CACHE_ENV, GeocodeCache
from geo.normalize import name_key

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = str(ROOT / "dashboard.py")
TIMEOUT = 240  # the first run loads spaCy and analyses the seeds
SUMMARY = re.compile(
    r"\*\*(\d+)\*\* of (\d+) articles · \*\*(\d+)\*\* places · \*\*(\d+)\*\* flight paths"
)
BBC = "BBC News"
SEED_SOURCES = ["ABC News", "Arab Today", BBC, "CBC News", "The Washington Times"]


@pytest.fixture(autouse=True)
def _restore_main_module() -> Iterator[None]:
    """Put the real ``__main__`` back after each test.

    AppTest runs the script as ``__main__`` and leaves it in ``sys.modules``; a later test
    that spawns processes (multiprocessing re-imports ``__main__`` in the child) would then
    run the dashboard script there instead of pytest.
    """
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture
def geocache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh geocoding cache for the dashboard (never the developer's own), and a home
    of its own for anything Streamlit keeps there."""
    path = str(tmp_path / "geocode.sqlite")
    monkeypatch.setenv(CACHE_ENV, path)
    monkeypatch.setenv("HOME", str(tmp_path))
    yield path


def summary(at: AppTest) -> tuple[int, int, int, int]:
    for md in at.markdown:
        if found := SUMMARY.search(md.value):
            shown, total, places, paths = (int(g) for g in found.groups())
            return shown, total, places, paths
    raise AssertionError(f"no summary line in {[m.value for m in at.markdown]}")


def tables(at: AppTest) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The places and the flight-paths tables."""
    frames = [df.value for df in at.dataframe]
    places = next(f for f in frames if "Gazetteer id" in f.columns)
    paths = next(f for f in frames if "Countries crossed" in f.columns)
    return places, paths


def url_values(at: AppTest, name: str) -> list[str]:
    """A query parameter's values (AppTest gives a lone value as a plain string)."""
    value = at.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def keys(frame: pd.DataFrame, first: str, second: str) -> set[tuple[str, str]]:
    return set(zip(frame[first], frame[second], strict=True))


def no_trouble(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_seeds_and_the_sources_filter(gazetteer: Gazetteer, geocache: str) -> None:
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT).run()
    no_trouble(at)
    shown, total, n_places, n_paths = summary(at)
    assert shown == total == 5
    assert n_paths >= 4
    sources = at.multiselect(key="f_sources")
    assert sources.label == "Sources"
    assert sources.options == SEED_SOURCES and sources.value == SEED_SOURCES
    assert at.query_params == {} or "source" not in at.query_params
    assert [t.label for t in at.tabs][:3] == ["Places", "Flight paths", "Article reader"]
    assert at.tabs[3].label.startswith("Unplaced mentions")
    buttons = [getattr(b, "label", "") for b in at.get("download_button")]
    assert buttons == ["HTML map", "GeoJSON", "CSV", "KML", "Slide (PNG)"]

    places, paths = tables(at)
    assert len(paths) == n_paths and len(places) == n_places
    assert list(paths.columns[:5]) == ["Origin", "Target", "km", "Countries crossed", "Sources"]
    assert list(places.columns[:7]) == [
        "Name", "Role", "Mentions", "Sources", "Latitude", "Longitude", "Gazetteer id"
    ]
    bbc_only_places = keys(places[places["Sources"] == BBC], "Gazetteer id", "Role")
    bbc_only_paths = keys(paths[paths["Sources"] == BBC], "Origin", "Target")
    assert bbc_only_paths, "the BBC article alone reports a path in the seeds"

    at.multiselect(key="f_sources").unselect(BBC).run()
    no_trouble(at)
    assert url_values(at, "source") == [s for s in SEED_SOURCES if s != BBC]
    shown, total, _, n_paths_after = summary(at)
    assert (shown, total) == (4, 5)
    assert n_paths_after == n_paths - len(bbc_only_paths)
    places_after, paths_after = tables(at)
    kept_places = keys(places_after, "Gazetteer id", "Role")
    kept_paths = keys(paths_after, "Origin", "Target")
    assert bbc_only_places and not kept_places & bbc_only_places
    assert kept_paths == keys(paths, "Origin", "Target") - bbc_only_paths
    assert BBC not in " ".join(places_after["Sources"])


def test_the_url_sets_the_filters(gazetteer: Gazetteer, geocache: str) -> None:
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT)
    at.query_params["source"] = ["ABC News", "Nobody's Wire"]
    at.query_params["role"] = ["base", "target"]
    at.query_params["conf"] = "0.6"
    at.run()
    no_trouble(at)
    assert at.multiselect(key="f_sources").value == ["ABC News"]
    assert at.multiselect(key="f_roles").value == ["base", "target"]
    assert at.slider(key="f_conf").value == pytest.approx(0.6)
    assert summary(at)[:2] == (1, 5)
    places, _ = tables(at)
    assert set(places["Role"]) <= {"Base (launch site)", "Strike target"}
    assert set(places["Sources"]) == {"ABC News"}
    # The URL is rewritten to what is shown: the unknown source is gone.
    assert url_values(at, "source") == ["ABC News"]


def test_uploads_are_checked_and_analysed(gazetteer: Gazetteer, geocache: str) -> None:
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT).run()
    story = (
        b"Russian Tu-22M3 bombers took off from Mozdok and struck targets near Palmyra, "
        b"the ministry in Moscow said on Tuesday.\n"
    )
    at.file_uploader(key="uploads").set_value(
        [
            ("../../secret/story.txt", story, "text/plain"),
            ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "text/plain"),
            ("big.txt", b"a" * (5 * 1024 * 1024 + 1), "text/plain"),
        ]
    )
    at.run()
    no_trouble(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "binary file" in warnings and "over the 5\\.2 MB limit" in warnings
    shown, total, _, _ = summary(at)
    assert (shown, total) == (6, 6)
    # Its source was unknown: it joins the selected sources rather than hiding.
    sources = at.multiselect(key="f_sources")
    assert "unknown" in sources.options and "unknown" in sources.value
    places, _ = tables(at)
    assert "Palmyra" in " ".join(places["As written"])
    # The upload's name gave only a document id, never a path.
    assert not (ROOT / "secret").exists()


def _sample_app(cache_path: str) -> None:
    """The dashboard's panels on the hand-built analysis of test_render."""
    from test_render import sample_analysis

    import dashboard
    from geo.geocache import GeocodeCache

    dashboard.show(sample_analysis(), GeocodeCache(cache_path))


def test_panels_on_a_hand_built_analysis(tmp_path: Path) -> None:
    cache_path = str(tmp_path / "pins.sqlite")
    at = AppTest.from_function(_sample_app, args=(cache_path,), default_timeout=60).run()
    no_trouble(at)
    assert summary(at) == (2, 2, 7, 3)
    places, paths = tables(at)
    assert len(paths) == 3
    assert set(paths["Origin"]) == {"Hmeimim Air Base", "Andersen AFB"}
    assert paths.loc[0, "Reports"] == 2  # two sources report Hmeimim -> Kyiv: listed first
    assert "Kyiv" in set(places["Name"])
    # Roles filter: the paths stay (roles do not touch them), the places narrow.
    at.multiselect(key="f_roles").set_value(["base"]).run()
    places, paths = tables(at)
    assert set(places["Role"]) == {"Base (launch site)"} and len(paths) == 3
    assert url_values(at, "role") == ["base"]
    # Confidence filter: only paths at or above it remain.
    at.slider(key="f_conf").set_value(0.7).run()
    _, paths = tables(at)
    assert list(paths["Origin"]) == ["Hmeimim Air Base"]


def _hostile_app() -> None:
    """One article whose text, title and source try to inject markup."""
    import dashboard
    from geo.geocache import GeocodeCache
    from geo.models import (
        Analysis,
        Article,
        Feature,
        GazetteerEntry,
        Mention,
        Place,
        PlaceRole,
        Role,
    )

    text = (
        "<script>alert(1)</script> Jets left Hmeimim. <img src=x onerror=alert(2)> "
        "![pixel](http://198.51.100.7/p.png) ${alert(3)} Nowhereville was hit."
    )
    start = text.index("Hmeimim")
    hmeimim = GazetteerEntry("icao:OSLK", "Hmeimim Air Base", 35.401, 35.949, "SY",
                             Feature.AIRBASE)
    placed = Place(Mention("h1", start, start + 7, "Hmeimim"), hmeimim, 0.9)
    at = text.index("Nowhereville")
    unplaced = Place(Mention("h1", at, at + 12, "Nowhereville"), None, 0.0)
    article = Article("h1", text, source="<b>Wire</b> ![x](http://198.51.100.7/s.png)",
                      title="<i>Title</i>")
    analysis = Analysis(
        articles=(article,),
        places=(placed, unplaced),
        roles=(PlaceRole(placed, Role.BASE, 0.9),),
    )
    dashboard.show(analysis, GeocodeCache(":memory:"))


def test_untrusted_text_stays_text() -> None:
    at = AppTest.from_function(_hostile_app, default_timeout=60).run()
    no_trouble(at)
    bodies = [h.proto.body for h in at.get("html")]
    article = next(b for b in bodies if "Jets left" in b)
    assert "<script>" not in article and "<img" not in article
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert ">Hmeimim</span>" in article  # the placed name is marked
    assert "http://198.51.100.7" in article  # shown as text, never loaded
    # Markdown elsewhere (labels, captions) cannot carry an image or a link.
    for md in [*at.markdown, *at.caption, *at.expander]:
        text = str(getattr(md, "value", None) or getattr(md, "label", ""))
        assert "![" not in text and "](" not in text


def _fix_key(name: str) -> str:
    return hashlib.sha1(name_key(name).encode()).hexdigest()[:10]


def test_fixing_an_unplaced_mention_saves_a_pin(tmp_path: Path, gazetteer: Gazetteer) -> None:
    cache_path = str(tmp_path / "pins.sqlite")
    at = AppTest.from_function(_sample_app, args=(cache_path,), default_timeout=60).run()
    wid = _fix_key("Nowhere")
    at.number_input(key=f"fix_lat_{wid}").set_value(48.5)
    at.number_input(key=f"fix_lon_{wid}").set_value(35.25)
    at.text_input(key=f"fix_cc_{wid}").input("ua")
    at.button(key=f"fix_pin_{wid}").click().run()
    no_trouble(at)
    assert any("Saved a fix" in s.value for s in at.success)
    with GeocodeCache(cache_path) as cache:
        pin = cache.pin_for("Nowhere")
    assert pin is not None and (pin.lat, pin.lon, pin.country) == (48.5, 35.25, "UA")

    # Or pick a gazetteer entry found by searching for another name.
    at.text_input(key=f"fix_q_{wid}").input("Kyiv").run()
    pick = at.selectbox(key=f"fix_pick_{wid}")
    assert any("Kyiv" in str(o) for o in pick.options)
    at.button(key=f"fix_use_{wid}").click().run()
    no_trouble(at)
    with GeocodeCache(cache_path) as cache:
        pin = cache.pin_for("Nowhere")
    assert pin is not None and pin.gazetteer_id and "Kyiv" in pin.label


# --- the timeline, pasted articles and articles by their web address ----------------------


def timeline_values(at: AppTest) -> list[dict[str, object]]:
    chart = at.get("vega_lite_chart")
    assert len(chart) == 1, "one timeline"
    spec = json.loads(chart[0].proto.spec)
    values: list[dict[str, object]] = spec["layer"][-1]["data"]["values"]
    return values


def plain(markdown: str) -> str:
    """Markdown as the reader sees it: md_escape's backslashes gone."""
    return re.sub(r"\\(.)", r"\1", markdown)


def button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def test_the_timeline_and_the_map_follow_one_date_range(gazetteer: Gazetteer, geocache: str
                                                        ) -> None:
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT).run()
    no_trouble(at)
    values = timeline_values(at)
    assert values and {v["status"] for v in values} == {"shown"}
    assert sum(int(str(v["strikes"])) for v in values) >= 4
    assert any("Aleppo" in str(v["targets"]) for v in values)
    first, last = at.slider(key="t_dates").value
    assert (first, last) == at.session_state["f_dates"]
    # The timeline's slider narrows the sidebar's dates, and with them the map.
    at.slider(key="t_dates").set_value((first, dt.date(2016, 8, 31))).run()
    no_trouble(at)
    assert at.session_state["f_dates"] == (first, dt.date(2016, 8, 31))
    assert url_values(at, "to") == ["2016-08-31"]
    shown, total, _, _ = summary(at)
    assert shown < total == 5
    statuses = {(v["day"], v["status"]) for v in timeline_values(at)}
    assert ("2016-12-01", "filtered out") in statuses  # the BBC's December strike
    assert any(status == "shown" for _, status in statuses)
    # And the sidebar's date box drives the timeline's slider back.
    at.date_input(key="f_dates").set_value((first, last)).run()
    no_trouble(at)
    assert at.slider(key="t_dates").value == (first, last)
    assert summary(at)[:2] == (5, 5)


PASTED = (
    "Russian jets took off from the Hmeimim air base in Syria and struck targets near "
    "Palmyra early on Friday, the ministry in Moscow said. <img src=x onerror=alert(1)>\n"
)


def test_a_pasted_article_joins_the_map(gazetteer: Gazetteer, geocache: str) -> None:
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT).run()
    _, _, n_places, n_paths = summary(at)
    # Blank text is refused with a message that says what was wrong.
    button(at, "Add to the map").click().run()
    no_trouble(at)
    assert any("pasted text" in w.value and "no text" in w.value for w in at.warning)
    assert summary(at)[:2] == (5, 5)

    at.text_area(key="paste_text").input(PASTED)
    at.text_input(key="paste_source").input("Desk Wire")
    at.text_input(key="paste_title").input("Bombers over Palmyra")
    # (AppTest cannot set a date field inside a form; the browser test does.)
    button(at, "Add to the map").click().run()
    no_trouble(at)
    assert any("Bombers over Palmyra" in s.value for s in at.success)
    shown, total, places_after, paths_after = summary(at)
    assert (shown, total) == (6, 6)
    assert places_after > n_places and paths_after > n_paths
    places, paths = tables(at)
    pasted = paths[paths["Sources"] == "Desk Wire"]
    assert list(pasted["Origin"]) == ["Hmeimim Air Base"]  # its own path, to Palmyra
    assert "Desk Wire" in at.multiselect(key="f_sources").value
    assert "Desk Wire" in " ".join(places["Sources"])

    button(at, "Remove the pasted and fetched articles").click().run()
    no_trouble(at)
    assert summary(at)[:2] == (5, 5)


@pytest.fixture
def site() -> Iterator[str]:
    """A web server on 127.0.0.1 with one article page, a missing page and an image."""
    from test_fetch import serve

    with serve() as url:
        yield url


def test_an_article_by_its_address_is_fetched_kept_and_read_offline(
    gazetteer: Gazetteer, geocache: str, site: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    empty = tmp_path / "no-articles"
    empty.mkdir()
    monkeypatch.setenv("GEO_ARTICLES", str(empty))  # no seeds: only what is fetched
    monkeypatch.setenv("GEO_PAGE_CACHE", str(tmp_path / "pages"))
    monkeypatch.setenv("GEO_ONLINE", "0")
    # Offline, the box says why, and a page never fetched cannot be had.
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT).run()
    assert any("online switch is off" in c.value for c in at.caption)
    at.text_input(key="url_text").input(f"{site}/article.html")
    button(at, "Fetch the article").click().run()
    assert any(f"{site}/article.html" in plain(e.value) and "page cache" in plain(e.value)
               for e in at.error)

    # Online: fetched, extracted and kept; a failure names the address.
    monkeypatch.setenv("GEO_ONLINE", "1")
    monkeypatch.setenv("GEO_NOMINATIM_URL", f"{site}/nominatim")  # never the real one
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT).run()
    for path, problem in (("/missing", "HTTP 404"), ("/photo", "not an HTML page")):
        at.text_input(key="url_text").input(f"{site}{path}")
        button(at, "Fetch the article").click().run()
        assert any(f"{site}{path}: " in plain(e.value) and problem in plain(e.value)
                   for e in at.error)
    at.text_input(key="url_text").input(f"{site}/article.html")
    button(at, "Fetch the article").click().run()
    assert not at.exception
    assert any("fetched and kept" in s.value for s in at.success)
    assert summary(at)[:2] == (1, 1)
    _, paths = tables(at)
    assert list(paths["Origin"]) == ["Hmeimim Air Base"]
    assert list(paths["Sources"]) == ["Test Wire"]  # the page's own site name

    # Offline again, in a new session: the page comes from the cache.
    monkeypatch.setenv("GEO_ONLINE", "0")
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT).run()
    at.text_input(key="url_text").input(f"{site}/article.html")
    button(at, "Fetch the article").click().run()
    no_trouble(at)
    assert any("from the page cache" in s.value for s in at.success)
    assert summary(at)[:2] == (1, 1)


def test_a_restart_draws_from_the_analysis_the_launcher_prepared(
        gazetteer: Gazetteer, geocache: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The launcher reads the stored folder back before the first page; that page takes it
    (once) instead of merging again, and shows what the first server showed."""
    import streamlit as st

    from geo.dashboard_data import bundled_folder, bundled_key, prepare_bundled, take_prepared

    folder = tmp_path / "briefing"
    folder.mkdir()
    report = folder / "strike.txt"
    report.write_text("Russian Su-34 bombers took off from Hmeimim air base on Monday and "
                      "struck rebel positions near Idlib, the defence ministry said.\n",
                      encoding="utf-8")
    monkeypatch.setenv("GEO_ARTICLES", str(folder))
    assert bundled_folder() == folder
    assert not prepare_bundled()  # nothing stored yet: the first page analyses

    first = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT).run()
    no_trouble(first)
    st.cache_data.clear()  # a restarted server has no Streamlit cache of its own
    assert prepare_bundled()
    restarted = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT).run()
    no_trouble(restarted)
    assert take_prepared(bundled_key(folder, {})) is None  # the first page took it
    assert summary(restarted) == summary(first)
    assert summary(first)[3] == 1
    assert tables(restarted)[1].equals(tables(first)[1])

    report.write_text(report.read_text(encoding="utf-8") + "More follows.\n", encoding="utf-8")
    assert not prepare_bundled()  # an edited article is analysed by the page, with progress
