"""Open the exported HTML in a real browser with the network cut off, and check it draws."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from chromium import STRUCK_EVENTS_JS, VISIBLE_LABELS_JS, offline_page, requires_chromium
from test_render import HOSTILE_SOURCE, IMG, SCRIPT, sample_analysis, small_borders

from geo.export import export
from geo.models import Analysis, Article, Feature, GazetteerEntry, Mention, Place
from geo.render import PATH_COLOR, default_borders

SCREENSHOT = Path("/tmp/export.png")
LABELS_SCREENSHOT = Path("/tmp/export-labels.png")
CLUSTER_SCREENSHOT = Path("/tmp/export-clusters.png")

pytestmark = [
    pytest.mark.browser,
    requires_chromium,
]

# Every layer of the map: its popup's and tooltip's HTML once opened, and what was drawn.
_INSPECT = """
() => {
    const map = window[document.querySelector('.folium-map').id];
    const popups = [];
    const tooltips = [];
    map.eachLayer(layer => {
        if (layer.getPopup && layer.getPopup()) {
            layer.openPopup();
            const el = document.querySelector('.leaflet-popup-content');
            popups.push({html: el.innerHTML, text: el.textContent});
            layer.closePopup();
        }
        if (layer.getTooltip && layer.getTooltip()) {
            layer.openTooltip();
            const el = layer.getTooltip().getElement();
            tooltips.push({html: el.innerHTML, text: el.textContent});
            layer.closeTooltip();
        }
    });
    const paths = [...document.querySelectorAll('.leaflet-overlay-pane svg path')];
    return {
        popups, tooltips,
        outlineCanvas: !!document.querySelector('.leaflet-overlay-pane canvas'),
        routes: paths.filter(p => p.getAttribute('stroke') === '%s')
            .map(p => (p.getAttribute('d').match(/M/g) || []).length),
        markers: document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon').length,
        legend: !!document.querySelector('.geo-legend'),
        info: document.querySelector('.geo-info').textContent,
        layers: [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
            .map(l => l.textContent.trim()),
        liveScripts: document.querySelectorAll('.leaflet-pane script, .geo-info script').length,
        liveImgs: document.querySelectorAll('.leaflet-pane img, .geo-info img').length,
    };
}
""" % PATH_COLOR  # noqa: UP031  (a JS body full of braces: %-format keeps it readable)


def test_exported_html_draws_with_no_network(tmp_path: Path) -> None:
    borders = default_borders() or small_borders()
    out = export(sample_analysis(), tmp_path / "brief.html", title="Overnight strikes",
                 borders=borders)

    with offline_page() as (page, log):
        page.goto(out.as_uri(), wait_until="load")
        page.wait_for_selector(".leaflet-overlay-pane svg path", state="attached",
                               timeout=10_000)
        page.wait_for_timeout(300)  # let fitBounds settle before the screenshot
        page.screenshot(path=str(SCREENSHOT))
        seen = page.evaluate(_INSPECT)
    assert log.errors == []
    assert log.refused == []
    assert log.console_errors == []
    assert log.dialogs == []
    # Three routes, the Pacific one drawn in two parts (one SVG path, two moves).
    assert len(seen["routes"]) == 3
    assert max(seen["routes"]) >= 2
    assert seen["outlineCanvas"]  # the country outlines beneath them, painted on a canvas
    # 7 place symbols (Hmeimim, Kyiv, Odesa, Tehran, Moscow, Guam, Hickam) + arrowheads.
    assert seen["markers"] >= 7 + 3
    assert seen["legend"]
    assert "Overnight strikes" in seen["info"]
    assert "Flight paths" in seen["layers"] and "Country outlines" in seen["layers"]
    assert seen["liveScripts"] == 0 and seen["liveImgs"] == 0
    # Hostile text shows as text: present in what a reader sees, never as markup.
    popups = seen["popups"]
    assert len(popups) == 7 + 3
    texts = " ".join(p["text"] for p in popups + seen["tooltips"])
    assert SCRIPT in texts and IMG in texts and HOSTILE_SOURCE in texts
    for item in popups + seen["tooltips"]:
        assert "<script" not in item["html"] and "<img" not in item["html"]




# The strike events of the page's map, and the map key's text.
_STRUCK = f"""
() => ({{events: ({STRUCK_EVENTS_JS})(window[document.querySelector('.folium-map').id]),
        key: document.querySelector('.geo-legend').textContent}})
"""


def test_seed_export_shows_labels_without_hovering(seed_analysis: Analysis,
                                                   tmp_path: Path) -> None:
    out = export(seed_analysis, tmp_path / "seeds.html", title="Seeds")
    with offline_page((1400, 850)) as (page, log):
        page.goto(out.as_uri(), wait_until="load")
        page.wait_for_selector(".geo-label", state="attached", timeout=10_000)
        page.wait_for_timeout(600)  # fitBounds, then the declutter pass
        page.screenshot(path=str(LABELS_SCREENSHOT))
        seen = page.evaluate(VISIBLE_LABELS_JS)
        struck = page.evaluate(_STRUCK)
        # The time control: the first day shows fewer paths than all days.
        routes = ("() => document.querySelectorAll("
                  f"'.leaflet-overlay-pane path[stroke=\"{PATH_COLOR}\"]').length")
        every_day = page.evaluate(routes)
        page.evaluate("() => { const s = document.querySelector('.geo-time-slider');"
                      " s.value = 0; s.dispatchEvent(new Event('input')); }")
        page.wait_for_timeout(200)
        first_day = page.evaluate(routes)
        day_label = page.text_content(".geo-time-day")
    assert log.errors == [] and log.refused == [] and log.console_errors == []
    texts = set(seen["texts"])
    for name in ("Hmeimim Air Base", "Aleppo", "Idlib", "Deir ez-Zor", "Al Bāb"):
        assert name in texts, (name, sorted(texts))
    assert {"Nojeh Air Base", "Hamadān"} & texts
    assert any(t.endswith(" km") for t in texts)
    assert seen["overlaps"] == 0
    assert every_day == 7 and 0 < first_day < every_day
    # The strike events: struck places with actor, means, dates and sources in the popup,
    # "from Iran" a dashed line, and both in the key.
    places = [e for e in struck["events"] if not e["line"]]
    assert {"Aleppo", "Al Bāb"} <= {n for e in places for n in e["names"]}
    assert all(all(e["fields"][k] not in ("", "not named") for k in
                   ("Actor", "Means", "Dates", "Sources")) for e in places)
    lines = [e for e in struck["events"] if e["line"]]
    assert lines and all(e["dashed"] and "Iran (approximate)" in e["fields"]["From"]
                         for e in lines)
    assert "Struck (actor, date)" in struck["key"] and "Approximate origin" in struck["key"]
    assert day_label and day_label.startswith("Through 2016-08-11")


def _crowd(n: int = 2000) -> Analysis:
    """``n`` mentioned places over the Levant and Mesopotamia, one article each."""
    rng = random.Random(12)
    articles = []
    places = []
    for i in range(n):
        doc = f"d{i}"
        articles.append(Article(doc, "text", source=f"Outlet {i % 40}"))
        entry = GazetteerEntry(f"test:{i}", f"Village {i}", rng.uniform(30.0, 38.0),
                               rng.uniform(35.0, 48.0), "SY", Feature.CITY)
        places.append(Place(Mention(doc, 0, 4, "name"), entry, 0.8))
    return Analysis(articles=tuple(articles), places=tuple(places))


def test_two_thousand_places_cluster_with_counts(tmp_path: Path) -> None:
    out = export(_crowd(), tmp_path / "crowd.html", title="Crowd",
                 borders=default_borders() or small_borders())
    count = """() => ({
        clusters: [...document.querySelectorAll('.geo-cluster')]
            .map(el => +el.textContent.trim()),
        markers: document.querySelectorAll('.leaflet-marker-pane .geo-symbol').length,
    })"""
    with offline_page() as (page, log):
        started = time.perf_counter()
        page.goto(out.as_uri(), wait_until="load")
        page.wait_for_selector(".geo-cluster", timeout=15_000)
        page.wait_for_timeout(500)
        drawn_s = time.perf_counter() - started
        far = page.evaluate(count)
        page.evaluate("() => { window[document.querySelector('.folium-map').id].setZoom(9); }")
        page.wait_for_timeout(1200)
        near = page.evaluate(count)
        page.screenshot(path=str(CLUSTER_SCREENSHOT))
    print(f"2,000-place export drawn in {drawn_s:.1f} s; {len(far['clusters'])} clusters")
    assert log.errors == [] and log.refused == [] and log.console_errors == []
    # Zoomed out, a few dozen numbered discs stand for the 2,000 places...
    assert 3 <= len(far["clusters"]) <= 200
    assert sum(far["clusters"]) + far["markers"] == 2000
    assert far["markers"] < 200
    # ...and zooming in splits them.
    assert near["markers"] > far["markers"]
    assert drawn_s < 30
