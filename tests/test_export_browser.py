"""Open the exported HTML in a real browser with the network cut off, and check it draws."""

from __future__ import annotations

from pathlib import Path

import pytest
from chromium import offline_page, requires_chromium
from test_render import HOSTILE_SOURCE, IMG, SCRIPT, sample_analysis, small_borders

from geo.export import export
from geo.render import PATH_COLOR, default_borders

SCREENSHOT = Path("/tmp/export.png")

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
        svgPaths: paths.length,
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
    assert seen["svgPaths"] > 3  # the country outlines beneath them
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
