"""The real dashboard in Debian's Chromium, with every request beyond loopback refused.

Starts the dashboard (``python -m geo dashboard``, as ``make run`` does) on a free port of
127.0.0.1, opens it, and checks that the map inside streamlit-folium's iframe draws the
seeds' places and flight paths (on the cold first open, after analysing them, and again
within 10 s on opening a shared view), that unselecting "BBC News" removes exactly what
only the BBC reported (and puts the choice in the URL), that the shared URL restores the
view, and that downloads hold the filtered view. Set
``GEO_SCREENSHOTS=docs`` to write the README screenshot there.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from chromium import (
    CHROMIUM,
    CHROMIUM_ARGS,
    STRUCK_EVENTS_JS,
    VISIBLE_LABELS_JS,
    requires_chromium,
)

from geo.gazetteer import Gazetteer
from geo.geocache import CACHE_ENV
from geo.offline import external_references
from geo.render import PATH_COLOR

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
# The bound from opening the page to the drawn map, checked on a running dashboard.
# The very first open of a fresh server also analyses the seeds (spaCy, roles, paths):
# about 7 s on an idle 2-CPU machine, more under load, so it gets a looser bound.
DRAW_LIMIT_S = float(os.environ.get("GEO_DRAW_LIMIT", "10"))
COLD_DRAW_LIMIT_S = float(os.environ.get("GEO_COLD_DRAW_LIMIT", "20"))
BBC = "BBC News"
SEED_SOURCES = ["ABC News", "Arab Today", BBC, "CBC News", "The Washington Times"]
SUMMARY = re.compile(r"(\d+) of (\d+) articles · (\d+) places · (\d+) flight paths")

pytestmark = [
    pytest.mark.browser,
    requires_chromium,
]

# What the map in the component's iframe shows: every layer with a popup (places and
# paths), read through DOMParser so nothing in the popups can load, and what was drawn.
_INSPECT = """
() => {
    const map = window.map;
    if (!map || !window.L) return null;
    const parser = new DOMParser();
    const field = (doc, label) => {
        for (const div of doc.querySelectorAll('div')) {
            const b = div.querySelector('b');
            if (b && b.textContent.trim() === label) {
                return div.textContent.slice(b.textContent.length).trim();
            }
        }
        return '';
    };
    const places = [], paths = [], events = [];
    // Markers inside a cluster are not on the map until it opens: ask the cluster.
    const layers = new Set();
    map.eachLayer(layer => {
        layers.add(layer);
        if (L.MarkerClusterGroup && layer instanceof L.MarkerClusterGroup) {
            layer.getLayers().forEach(child => layers.add(child));
        }
    });
    layers.forEach(layer => {
        const popup = layer.getPopup && layer.getPopup();
        if (!popup) return;
        const doc = parser.parseFromString(popup.getContent(), 'text/html');
        const title = doc.querySelector('h4').textContent;
        const sources = field(doc, 'Sources:').split(' · ')[0].split(', ').filter(s => s);
        if (title.startsWith('Struck:')) {  // the strike-events layer
            events.push({title, sources});
        } else if (layer instanceof L.Polyline) {
            paths.push({title, sources});
        } else {
            const role = field(doc, 'Role:').split('·')[0].trim();
            const id = (field(doc, 'Articles:').match(/id\\s+(\\S+)/) || [])[1];
            places.push({title, role, id, sources, visible: map.hasLayer(layer)});
        }
    });
    const svg = [...document.querySelectorAll('.leaflet-overlay-pane svg path')];
    return {
        places, paths, events,
        routes: svg.filter(p => p.getAttribute('stroke') === '%s').length,
        outlines: !!document.querySelector('.leaflet-overlay-pane canvas'),
        symbols: document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon svg').length,
        legend: !!document.querySelector('.geo-legend'),
        layers: [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
            .map(l => l.textContent.trim()),
    };
}
""" % PATH_COLOR  # noqa: UP031  (a JS body full of braces: %-format keeps it readable)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def dashboard_url(
    gazetteer: Gazetteer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The dashboard on 127.0.0.1, stopped after the module's tests."""
    with _dashboard(tmp_path_factory.mktemp("dashboard")) as url:
        yield url


@pytest.fixture(scope="module")
def online_dashboard(
    gazetteer: Gazetteer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """A dashboard with the online switch on and no bundled articles, and a web site on
    127.0.0.1 for it to fetch from (also its stand-in Nominatim): (dashboard, site)."""
    from test_fetch import serve

    tmp = tmp_path_factory.mktemp("online")
    (tmp / "no-articles").mkdir()
    with serve() as site:
        env = {"GEO_ONLINE": "1", "GEO_NOMINATIM_URL": f"{site}/nominatim",
               "GEO_ARTICLES": str(tmp / "no-articles"), "GEO_PAGE_CACHE": str(tmp / "pages")}
        with _dashboard(tmp, env) as url:
            yield url, site


@contextlib.contextmanager
def _dashboard(tmp: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    log_path = tmp / "streamlit.log"
    port = _free_port()
    # A home of its own for Streamlit's files, and the caches and store in tmp: a cold
    # start that leaves the user's own alone.
    home = tmp / "home"
    home.mkdir()
    env = {**os.environ, CACHE_ENV: str(tmp / "geocode.sqlite"), "HOME": str(home),
           **(extra_env or {})}
    # As `make run` starts it: the launcher prepares the first map, then runs Streamlit.
    command = [
        sys.executable, "-m", "geo", "dashboard",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited ({proc.returncode}):\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer in 60 s:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log_text = log_path.read_text(errors="replace")
    assert "Traceback" not in log_text, log_text


# Every URL that is not http(s) or ws(s) on loopback. Routing only these keeps the
# dashboard's own requests (hundreds of script chunks) out of Playwright's Python round
# trip, which otherwise adds about half a second to a page's first map.
BEYOND_LOOPBACK = re.compile(
    r"^(?!(?:https?|wss?)://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?(?:[/?#]|$))"
)


class Guard:
    """Refuses and records every request that leaves loopback; records websockets too."""

    def __init__(self) -> None:
        self.refused: list[str] = []
        self.sockets: list[str] = []
        self.errors: list[str] = []

    def route(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOOPBACK:
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()

    def install(self, context: Any) -> None:
        """Route the context's requests beyond loopback through :meth:`route`."""
        context.route(BEYOND_LOOPBACK, self.route)

    def watch(self, page: Any) -> None:
        page.on("websocket", lambda ws: self.sockets.append(ws.url))
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on(
            "console",
            lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error"
            else None,
        )


def _map_frame(page: Any) -> Any:
    handle = page.locator(MAP_FRAME).element_handle(timeout=30_000)
    return handle.content_frame()


def _summary(page: Any) -> tuple[int, int, int, int]:
    text = page.get_by_text(SUMMARY).first.inner_text(timeout=30_000)
    found = SUMMARY.search(text)
    assert found, text
    shown, total, places, paths = (int(g) for g in found.groups())
    return shown, total, places, paths


def _wait_for_map(page: Any, n_places: int, n_paths: int, timeout: float = 30.0) -> Any:
    """The map's contents, once it shows places and ``n_paths`` paths, every visible
    place drawn.

    ``n_places`` is the places table's count: the map draws at most that many symbols
    (a town and its same-named province that play one role are one symbol)."""
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        try:
            seen = _map_frame(page).evaluate(_INSPECT)
        except Exception:  # the iframe is being replaced by a rerun: look again
            seen = None
        if (
            seen
            and 0 < len(seen["places"]) <= n_places
            and len(seen["paths"]) == n_paths
            and seen["routes"] == n_paths
            and seen["symbols"] >= sum(p["visible"] for p in seen["places"])
        ):
            return seen
        time.sleep(0.1)
    raise AssertionError(f"map never showed {n_places} places and {n_paths} paths: {seen}")


def _place_keys(seen: Any) -> dict[tuple[str, str], set[str]]:
    return {(p["id"], p["role"]): set(p["sources"]) for p in seen["places"]}


def _path_keys(seen: Any) -> dict[str, set[str]]:
    return {p["title"]: set(p["sources"]) for p in seen["paths"]}


def test_dashboard_offline_filters_and_downloads(dashboard_url: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    shots = Path(os.environ.get("GEO_SCREENSHOTS") or tmp_path)
    guard = Guard()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1440, "height": 1350}, accept_downloads=True
            )
            guard.install(context)
            page = context.new_page()
            guard.watch(page)

            # -- first draw ------------------------------------------------------------
            started = time.monotonic()
            page.goto(dashboard_url)
            # A cold start analyses the seeds: the progress bar says so meanwhile.
            progress = page.locator('[data-testid="stProgress"]').first
            progress.wait_for(state="attached", timeout=30_000)
            progress_text = progress.inner_text()
            frame_locator = page.frame_locator(MAP_FRAME)
            frame_locator.locator(
                f'.leaflet-overlay-pane svg path[stroke="{PATH_COLOR}"]'
            ).first.wait_for(state="attached", timeout=30_000)
            frame_locator.locator(".leaflet-marker-pane .leaflet-marker-icon").first.wait_for(
                state="attached", timeout=30_000
            )
            first_draw = time.monotonic() - started
            print(f"first draw of the map: {first_draw:.1f} s; progress said {progress_text!r}")
            assert page.locator('[data-testid="stProgress"]').count() == 0  # gone when done

            shown, total, n_places, n_paths = _summary(page)
            assert shown == total == 5
            assert n_paths >= 4
            before = _wait_for_map(page, n_places, n_paths)
            assert before["legend"] and before["outlines"]  # country outlines, on their canvas
            assert "Country outlines" in before["layers"] and "Flight paths" in before["layers"]
            titles = " ".join(pl["title"] for pl in before["places"])
            for seed_place in ("Hmeimim", "Aleppo", "Idlib", "Deir ez-Zor", "Nojeh"):
                assert seed_place in titles
            assert page.locator('[data-testid="stException"]').count() == 0
            page.wait_for_timeout(500)  # let fitBounds and the tables settle
            page.screenshot(path=str(shots / "dashboard.png"))
            assert first_draw < COLD_DRAW_LIMIT_S, f"cold first draw took {first_draw:.1f} s"

            # -- unselect "BBC News" under "Sources" -----------------------------------
            sources = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Sources")
            sources.get_by_role("button", name=f"Remove {BBC}").click()
            page.get_by_text(SUMMARY).filter(has_text="4 of 5 articles").wait_for(
                timeout=30_000
            )
            _, _, n_places_after, n_paths_after = _summary(page)
            after = _wait_for_map(page, n_places_after, n_paths_after)
            places_before, paths_before = _place_keys(before), _path_keys(before)
            bbc_only_places = {k for k, s in places_before.items() if s == {BBC}}
            bbc_only_paths = {k for k, s in paths_before.items() if s == {BBC}}
            assert bbc_only_places and bbc_only_paths, "the seeds have BBC-only findings"
            assert set(_place_keys(after)) == set(places_before) - bbc_only_places
            assert set(_path_keys(after)) == set(paths_before) - bbc_only_paths
            assert all(BBC not in s for s in _place_keys(after).values())
            assert all(BBC not in s for s in _path_keys(after).values())
            shared_url = page.url
            assert parse_qs(urlsplit(shared_url).query)["source"] == [
                s for s in SEED_SOURCES if s != BBC
            ]

            # -- downloads hold the filtered view --------------------------------------
            with page.expect_download(timeout=30_000) as info:
                page.get_by_role("button", name="GeoJSON").click()
            geojson = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
            kinds = [f["properties"]["kind"] for f in geojson["features"]]
            assert kinds.count("place") == n_places_after
            assert kinds.count("flight_path") == n_paths_after
            assert all(BBC not in f["properties"]["sources"] for f in geojson["features"])
            with page.expect_download(timeout=30_000) as info:
                page.get_by_role("button", name="HTML map").click()
            assert info.value.suggested_filename == "geo-view.html"
            exported = Path(info.value.path()).read_text(encoding="utf-8")
            assert "L.map(" in exported and external_references(exported) == []

            # -- the URL restores the view ---------------------------------------------
            shared = context.new_page()
            guard.watch(shared)
            opened = time.monotonic()
            shared.goto(shared_url)
            _wait_for_map(shared, n_places_after, n_paths_after)
            draw = time.monotonic() - opened
            print(f"draw on opening a shared view: {draw:.1f} s")
            assert draw < DRAW_LIMIT_S
            assert _summary(shared)[:2] == (4, 5)
            shared_sources = shared.locator('[data-testid="stMultiSelect"]').filter(
                has_text="Sources"
            )
            assert shared_sources.get_by_role("button", name=f"Remove {BBC}").count() == 0
        finally:
            browser.close()

    assert guard.refused == [], f"requests beyond loopback: {guard.refused}"
    assert guard.sockets and all(urlsplit(u).hostname in LOOPBACK for u in guard.sockets)
    assert guard.errors == []


# --- the timeline, a pasted article, an article by its address ----------------------------

PASTED = (
    "Russian jets took off from the Hmeimim air base in Syria and struck targets near "
    "Palmyra early on Friday, the ministry in Moscow said. <img src=x onerror=alert(1)>\n"
)


@contextlib.contextmanager
def _browser(guard: Guard) -> Iterator[Any]:
    """A browser context that may reach loopback only."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1350})
            guard.install(context)
            yield context
        finally:
            browser.close()
    assert guard.refused == [], f"requests beyond loopback: {guard.refused}"
    assert guard.errors == []


def _open(context: Any, guard: Guard, url: str) -> Any:
    page = context.new_page()
    guard.watch(page)
    page.goto(url)
    return page


def _seen_sources(seen: Any) -> set[str]:
    return {s for item in [*seen["places"], *seen["paths"]] for s in item["sources"]}


def _map_until(page: Any, wanted: Any, timeout: float = 30.0) -> Any:
    """The map's contents once ``wanted(contents)`` holds."""
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        try:
            seen = _map_frame(page).evaluate(_INSPECT)
        except Exception:  # the iframe is being replaced by a rerun: look again
            seen = None
        if seen and wanted(seen):
            return seen
        time.sleep(0.2)
    raise AssertionError(f"the map never showed what was wanted: {seen}")


def _routes(seen: Any) -> list[Any]:
    """The flight paths (base -> target) among the map's lines."""
    return [p for p in seen["paths"] if "→" in p["title"]]


def test_the_guard_refuses_what_leaves_loopback_and_lets_loopback_through(
        dashboard_url: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    guard = Guard()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            guard.install(context)
            page = _open(context, guard, f"{dashboard_url}/_stcore/health")
            outcome = page.evaluate(
                """async () => {
                    const tile = await fetch('https://tile.openstreetmap.org/0/0/0.png')
                        .then(() => 'loaded', () => 'refused');
                    const own = await fetch('/_stcore/health').then(r => r.status);
                    return [tile, own];
                }"""
            )
        finally:
            browser.close()
    assert outcome == ["refused", 200]
    assert guard.refused == ["https://tile.openstreetmap.org/0/0/0.png"]


def test_the_timeline_draws_offline_and_its_slider_drives_the_map(
    dashboard_url: str, tmp_path: Path
) -> None:
    guard = Guard()
    with _browser(guard) as context:
        page = _open(context, guard, dashboard_url)
        page.get_by_text(SUMMARY).filter(has_text="5 of 5 articles").wait_for(timeout=60_000)
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        drawn = chart.locator("canvas, svg").first
        drawn.wait_for(timeout=30_000)
        box = drawn.bounding_box()
        assert box and box["width"] > 400 and box["height"] > 100
        page.screenshot(path=str(tmp_path / "timeline.png"))

        # Click the slider's track 60% of the way along: the end thumb moves there.
        slider = page.locator('[data-testid="stSlider"]').filter(
            has_text="Articles published between")
        thumbs = slider.get_by_role("slider")
        first, last = thumbs.nth(0).bounding_box(), thumbs.nth(1).bounding_box()
        assert first and last
        y = first["y"] + first["height"] / 2
        x = first["x"] + 0.6 * (last["x"] - first["x"]) + first["width"] / 2
        page.mouse.click(x, y)
        page.wait_for_function("() => location.search.includes('to=')", timeout=30_000)
        ends = parse_qs(urlsplit(page.url).query)["to"]
        assert len(ends) == 1 and "2016-09-01" < ends[0] < "2017-01-18"
        narrowed = page.get_by_text(SUMMARY).filter(has_not_text="5 of 5 articles")
        narrowed.wait_for(timeout=30_000)
        shown, total, _, n_paths = _summary(page)
        assert shown < total == 5
        # The BBC's report is of December: gone from the map, and the map redrawn.
        seen = _map_until(page, lambda seen: BBC not in _seen_sources(seen))
        assert len(_routes(seen)) == n_paths
        # The sidebar's date box shows the same range.
        dates = page.locator('[data-testid="stDateInput"]').filter(has_text="Dates")
        shown_days = [i.input_value() for i in dates.locator("input").all()]
        assert shown_days[-1] == ends[0]


def test_a_pasted_article_joins_the_map(dashboard_url: str, tmp_path: Path) -> None:
    guard = Guard()
    shots = Path(os.environ.get("GEO_SCREENSHOTS") or tmp_path)
    with _browser(guard) as context:
        page = _open(context, guard, dashboard_url)
        page.get_by_text(SUMMARY).filter(has_text="5 of 5 articles").wait_for(timeout=60_000)
        page.get_by_text("Paste an article").click()
        page.get_by_label("Article text").fill(PASTED)
        page.get_by_label("Source", exact=True).fill("Desk Wire")
        page.get_by_label("Title", exact=True).fill("Bombers over Palmyra")
        # A date field of year, month and day segments: typing moves from one to the next.
        page.get_by_label("Published", exact=True).get_by_role("spinbutton").first.click()
        page.keyboard.type("20161118", delay=150)
        page.keyboard.press("Escape")  # close the calendar
        page.get_by_role("button", name="Add to the map").click()
        page.get_by_text("Added 'Bombers over Palmyra'").wait_for(timeout=60_000)
        assert "Desk Wire, 2016-11-18" in page.get_by_text("Added 'Bombers over").inner_text()
        page.get_by_text(SUMMARY).filter(has_text="6 of 6 articles").wait_for(timeout=60_000)
        _, _, _, n_paths = _summary(page)
        seen = _map_until(page, lambda seen: "Desk Wire" in _seen_sources(seen))
        pasted = [p for p in _routes(seen) if "Desk Wire" in p["sources"]]
        assert len(pasted) == 1 and "Hmeimim" in pasted[0]["title"]
        assert len(_routes(seen)) == n_paths
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / "dashboard-paste.png"))
        # The pasted markup is text in the reader, never an element.
        page.get_by_role("tab", name="Article reader").click()
        assert page.locator(".geo-article img").count() == 0


def test_an_article_by_its_address_is_fetched_and_named_on_failure(
    online_dashboard: tuple[str, str], tmp_path: Path
) -> None:
    url, site = online_dashboard
    guard = Guard()
    with _browser(guard) as context:
        page = _open(context, guard, url)
        page.get_by_text("No articles").wait_for(timeout=60_000)
        page.get_by_text("Add an article by its web address").click()
        address = page.get_by_label("Web address")
        address.fill(f"{site}/missing")
        page.get_by_role("button", name="Fetch the article").click()
        failure = page.locator('[data-testid="stAlert"]').filter(has_text="HTTP 404")
        failure.wait_for(timeout=30_000)
        assert f"{site}/missing" in failure.inner_text()

        address.fill(f"{site}/article.html")
        page.get_by_role("button", name="Fetch the article").click()
        page.get_by_text(SUMMARY).filter(has_text="1 of 1 articles").wait_for(timeout=120_000)
        seen = _map_until(page, lambda seen: bool(_routes(seen)))
        assert [p["sources"] for p in _routes(seen)] == [["Test Wire"]]
        assert "Hmeimim" in _routes(seen)[0]["title"]
        page.screenshot(path=str(tmp_path / "fetched.png"))


def test_a_restarted_dashboard_draws_its_map_from_the_store(
        gazetteer: Gazetteer, tmp_path: Path) -> None:
    """The first server analyses and stores the seeds; a second one (a restart, with no
    Streamlit cache of its own) reads them back from the store and draws at once."""
    sync_api = pytest.importorskip("playwright.sync_api")
    store = {"GEO_DASHBOARD_STORE": str(tmp_path / "dashboard.duckdb")}
    (tmp_path / "first").mkdir()
    (tmp_path / "restarted").mkdir()

    def first_draw(url: str) -> float:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(viewport={"width": 1440, "height": 1000})
                guard = Guard()
                guard.install(context)
                page = context.new_page()
                started = time.monotonic()
                page.goto(url)
                page.frame_locator(MAP_FRAME).locator(
                    f'.leaflet-overlay-pane svg path[stroke="{PATH_COLOR}"]'
                ).first.wait_for(state="attached", timeout=120_000)
                drawn = time.monotonic() - started
                assert guard.refused == []
                return drawn
            finally:
                browser.close()

    with _dashboard(tmp_path / "first", store) as url:
        cold = first_draw(url)
    assert (tmp_path / "dashboard.duckdb").is_file()
    with _dashboard(tmp_path / "restarted", store) as url:
        warm = first_draw(url)
    print(f"first map: {cold:.1f} s analysing the seeds, {warm:.1f} s after a restart "
          "(read from the store)")
    assert warm < cold and warm < 15


# Zooms the map in on the struck place whose incident's popup names it first.
_ZOOM_TO_STRUCK = """
() => {
    window.map.eachLayer(layer => {
        const popup = layer.getPopup && layer.getPopup();
        if (popup && layer instanceof L.CircleMarker
                && popup.getContent().includes('<h4>Struck: %s')) {
            window.map.setView(layer.getLatLng(), 10, {animate: false});
        }
    });
}
"""


def test_the_dashboard_map_labels_the_seeds_and_draws_their_strikes(
        dashboard_url: str, tmp_path: Path) -> None:
    """Without hovering: the bases and targets are named; the strike events are drawn with
    actor, means, dates and sources, and "from Iran" as a dashed line."""
    sync_api = pytest.importorskip("playwright.sync_api")
    guard = Guard()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            guard.install(context)
            page = context.new_page()
            guard.watch(page)
            page.goto(dashboard_url)
            _, _, n_places, n_paths = _summary(page)
            _wait_for_map(page, n_places, n_paths, timeout=60)
            frame = _map_frame(page)
            frame.wait_for_selector(".geo-label", state="attached", timeout=10_000)
            page.wait_for_timeout(800)  # fitBounds, then the declutter pass
            labels = frame.evaluate(VISIBLE_LABELS_JS)
            events = frame.evaluate(f"() => ({STRUCK_EVENTS_JS})(window.map)")
            key = frame.locator(".geo-legend").inner_text()
            page.screenshot(path=str(tmp_path / "labels.png"))
            # Closer in, the struck places' actor and date have room beside their names.
            frame.evaluate(_ZOOM_TO_STRUCK % "Al Bāb")
            page.wait_for_timeout(800)
            closer = frame.evaluate(VISIBLE_LABELS_JS)
        finally:
            browser.close()
    assert guard.refused == []
    texts = set(labels["texts"])
    for name in ("Hmeimim Air Base", "Aleppo", "Idlib", "Deir ez-Zor", "Al Bāb"):
        assert name in texts, (name, sorted(texts))
    assert {"Nojeh Air Base", "Hamadān"} & texts
    assert labels["overlaps"] == 0
    assert "RU 2016-12-01" in closer["texts"], closer  # al-Bab's raid: actor and date
    assert closer["overlaps"] == 0
    assert "Struck (actor, date)" in key and "Approximate origin" in key

    struck = [e for e in events if not e["line"]]
    titles = " ".join(e["title"] for e in struck)
    assert "Aleppo" in titles and "Al Bāb" in titles
    for event in struck:
        fields = event["fields"]
        assert fields["Actor"] != "not named" and fields["Means"] != "not named"
        assert re.match(r"\d{4}-\d\d-\d\d", fields["Dates"]) and fields["Sources"]
    origins = [e for e in events if e["line"]]
    assert origins and all(e["dashed"] for e in origins)
    assert all("Iran (approximate)" in e["fields"]["From"] for e in origins)
