"""Tests for geo.offline: folium pages that load nothing from the network."""

from __future__ import annotations

import logging
import re

import folium
import pytest
from folium.elements import JSCSSMixin

from geo.offline import (
    LEAFLET_VERSION,
    external_references,
    jquery_js,
    json_for_script,
    leaflet_css,
    leaflet_js,
    make_offline,
    render_offline,
)

# What the brief's check looks for: src=/href= pointing at http(s) or protocol-relative.
RAW_EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)""", re.I)


def _plain_map() -> folium.Map:
    m = folium.Map(tiles=None)
    folium.CircleMarker([10.0, 20.0], radius=5).add_to(m)
    folium.Marker([11.0, 21.0], icon=folium.DivIcon(html="<b>x</b>")).add_to(m)
    folium.LayerControl().add_to(m)
    return m


def test_folium_links_cdns_by_default() -> None:
    # The reason geo.offline exists: a plain folium page needs the network.
    html = folium.Map(tiles=None).get_root().render()
    assert "cdn.jsdelivr.net" in html
    assert external_references(html)


def test_render_offline_has_no_external_references() -> None:
    html = render_offline(_plain_map())
    assert external_references(html) == []
    # The only raw hit is the link inside Leaflet's own code, which make_offline replaces.
    assert RAW_EXTERNAL.findall(html) == ["https://leafletjs.com"]
    assert RAW_EXTERNAL.findall(html.replace(leaflet_js(), "")) == []
    for cdn in ("jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "fontawesome"):
        assert cdn not in html.lower()


def test_leaflet_and_jquery_are_inlined() -> None:
    html = render_offline(_plain_map())
    assert LEAFLET_VERSION == "1.9.3"
    assert f"Leaflet {LEAFLET_VERSION}" in html
    assert leaflet_js() in html and jquery_js() in html and leaflet_css() in html
    assert "jQuery v3.7.1" in html
    assert "L.map(" in html
    assert ".setPrefix(" in html  # the attribution prefix loses its web link
    assert "sourceMappingURL" not in html


def test_leaflet_css_images_are_data_uris() -> None:
    css = leaflet_css()
    assert "url(images/" not in css
    assert css.count("data:image/png;base64,") >= 3
    assert external_references(f"<style>{css}</style>") == []


def test_make_offline_is_idempotent_and_covers_later_elements() -> None:
    m = folium.Map(tiles=None)
    make_offline(m)
    make_offline(m)
    folium.CircleMarker([0.0, 0.0]).add_to(m)  # added after the hook
    first = m.get_root().render()
    second = m.get_root().render()
    assert external_references(first) == [] and external_references(second) == []
    assert first.count(leaflet_js()) == 1
    assert second.count(leaflet_js()) == 1


class _NeedsCdnPlugin(JSCSSMixin):
    """A plugin that wants a library from a CDN, as many folium plugins do."""

    def __init__(self) -> None:
        super().__init__()
        self.default_js = [("some_plugin", "https://cdn.example.org/plugin.js")]
        self.default_css = [("some_plugin_css", "https://cdn.example.org/plugin.css")]


def test_unknown_cdn_links_are_dropped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    m = folium.Map(tiles=None)
    m.add_child(_NeedsCdnPlugin())
    with caplog.at_level(logging.WARNING, logger="geo.offline"):
        html = render_offline(m)
    assert "cdn.example.org" not in html
    assert external_references(html) == []
    assert any("some_plugin" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "snippet",
    [
        '<img src="https://evil.example/x.png">',
        "<script src=//cdn.example/x.js></script>",
        "<link rel=stylesheet href='http://x.example/a.css'>",
        "<style>body{background:url(https://x.example/b.png)}</style>",
        '<style>@import "//x.example/c.css";</style>',
    ],
)
def test_external_references_finds_network_loads(snippet: str) -> None:
    assert external_references(f"<html>{snippet}</html>")


def test_external_references_ignores_local_and_data_urls() -> None:
    html = '<a href="#top">x</a><img src="data:image/png;base64,AAAA"><a href="file.html">'
    assert external_references(html) == []


def test_external_references_ignores_text_and_scripts() -> None:
    # An article quoting markup is text once escaped; it must not block an export.
    html = (
        "<p>the page had src=https://x.example/a.png and href=//y.example</p>"
        '<script>var a = \'<a href="https://leafletjs.com">\';</script>'
    )
    assert external_references(html) == []


@pytest.mark.parametrize(
    "snippet",
    [
        '<div style="background:url(//x.example/b.png)"></div>',
        '<img srcset="a.png 1x, https://x.example/b.png 2x">',
        '<meta http-equiv="refresh" content="0; url=https://x.example/">',
        '<form action="https://x.example/post"></form>',
    ],
)
def test_external_references_finds_other_loads(snippet: str) -> None:
    assert external_references(snippet)


def test_json_for_script_cannot_close_the_script() -> None:
    text = json_for_script({"a": "</script><b>&\u2028"})
    assert "</script" not in text and "<" not in text and "&" not in text
    assert "\u2028" not in text
