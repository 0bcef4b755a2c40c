"""The real dashboard in Debian's Chromium, with every request beyond loopback refused.

Starts ``streamlit run dashboard.py`` on a free port of 127.0.0.1, opens it, and checks
that the map inside streamlit-folium's iframe draws the seeds' places and flight paths
(on the cold first open, after analysing them, and again within 10 s on opening a shared
view), that unselecting "BBC News" removes exactly what only the BBC reported (and puts
the choice in the URL), that the shared URL restores the view, and that downloads hold
the filtered view. Set ``GEO_SCREENSHOTS=docs`` to write the README screenshot there.
"""

from __future__ import annotations

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
from chromium import CHROMIUM, CHROMIUM_ARGS, requires_chromium

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
    const places = [], paths = [];
    map.eachLayer(layer => {
        const popup = layer.getPopup && layer.getPopup();
        if (!popup) return;
        const doc = parser.parseFromString(popup.getContent(), 'text/html');
        const title = doc.querySelector('h4').textContent;
        const sources = field(doc, 'Sources:').split(', ').filter(s => s);
        if (layer instanceof L.Polyline) {
            paths.push({title, sources});
        } else {
            const role = field(doc, 'Role:').split('·')[0].trim();
            const id = (field(doc, 'Articles:').match(/id\\s+(\\S+)/) || [])[1];
            places.push({title, role, id, sources});
        }
    });
    const svg = [...document.querySelectorAll('.leaflet-overlay-pane svg path')];
    return {
        places, paths,
        routes: svg.filter(p => p.getAttribute('stroke') === '%s').length,
        outlines: svg.length,
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
    """``streamlit run dashboard.py`` on 127.0.0.1, stopped after the module's tests."""
    tmp = tmp_path_factory.mktemp("dashboard")
    log_path = tmp / "streamlit.log"
    port = _free_port()
    # A home of its own: Streamlit keeps the analysis in ~/.streamlit/cache across restarts,
    # and this test must see a cold start (and leave the user's cache alone).
    home = tmp / "home"
    home.mkdir()
    env = {**os.environ, CACHE_ENV: str(tmp / "geocode.sqlite"), "HOME": str(home)}
    command = [
        sys.executable, "-m", "streamlit", "run", "dashboard.py",
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
    """The map's contents, once it shows ``n_places`` places and ``n_paths`` paths."""
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        try:
            seen = _map_frame(page).evaluate(_INSPECT)
        except Exception:  # the iframe is being replaced by a rerun: look again
            seen = None
        if (
            seen
            and len(seen["places"]) == n_places
            and len(seen["paths"]) == n_paths
            and seen["routes"] == n_paths
            and seen["symbols"] >= n_places
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
            context.route("**/*", guard.route)
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
            assert before["legend"] and before["outlines"] > 100  # country outlines drawn
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
