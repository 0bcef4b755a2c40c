"""Make a folium map a self-contained page that draws with no network at all.

folium links Leaflet, jQuery, Bootstrap, Font-Awesome and Leaflet.awesome-markers from
CDNs; in a briefing room with no internet such a page stays blank. :func:`make_offline`
hooks the map's Figure so that, at render time, Leaflet and jQuery are inlined from the
``xstatic`` packages installed with geo, and every other CDN link is dropped (geo draws
its symbols with inline SVG, so it needs none of them).
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import folium
import xstatic.pkg.jquery as xjquery
import xstatic.pkg.leaflet as xleaflet
import xstatic.pkg.leaflet_markercluster as xmarkercluster
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.template import Template

log = logging.getLogger(__name__)

LEAFLET_VERSION: str = xleaflet.VERSION
JQUERY_VERSION: str = xjquery.VERSION
MARKERCLUSTER_VERSION: str = xmarkercluster.VERSION

# folium's names for the links it adds to the page header, and what replaces them.
_INLINE_JS = {"leaflet": "leaflet", "jquery": "jquery", "markerclusterjs": "markerclusterjs"}
_INLINE_CSS = {
    "leaflet_css": "leaflet_css",
    "markerclustercss": "markerclustercss",
    "markerclusterdefaultcss": "markerclusterdefaultcss",
}
# The rest of folium's defaults only serve awesome-markers icons, which geo never uses.
_KNOWN_DROPPED = {
    "bootstrap",
    "awesome_markers",
    "bootstrap_css",
    "glyphicons_css",
    "awesome_markers_font_css",
    "awesome_markers_css",
    "awesome_rotate_css",
}

_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[\w.-]+\.png)\1\)")
# Attributes through which a page makes the browser load (or link to) another address.
_URL_ATTRS = frozenset(
    {"src", "href", "action", "formaction", "poster", "data", "background", "cite", "xlink:href"}
)
_EXTERNAL_URL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_CSS_REF = re.compile(
    r"""url\(\s*["']?\s*([^"')\s]+)|@import\s+["']\s*([^"']+)""", re.IGNORECASE
)


def _read(base_dir: str, name: str) -> str:
    return (Path(base_dir) / name).read_text(encoding="utf-8")


@functools.cache
def leaflet_js() -> str:
    """Leaflet's minified script, without its source-map comment (nothing to fetch)."""
    return _SOURCE_MAP.sub("", _read(xleaflet.BASE_DIR, "leaflet.js")).strip()


@functools.cache
def jquery_js() -> str:
    """jQuery's minified script (folium's own Popup code calls ``$``)."""
    return _SOURCE_MAP.sub("", _read(xjquery.BASE_DIR, "jquery.min.js")).strip()


@functools.cache
def leaflet_css() -> str:
    """Leaflet's stylesheet with its images (layer-control icon, markers) as data: URIs."""
    css = _read(xleaflet.BASE_DIR, "leaflet.css")

    def data_uri(match: re.Match[str]) -> str:
        png = (Path(xleaflet.BASE_DIR) / match.group(2)).read_bytes()
        return f'url("data:image/png;base64,{base64.b64encode(png).decode("ascii")}")'

    return _CSS_URL.sub(data_uri, css)


@functools.cache
def markercluster_js() -> str:
    """Leaflet.markercluster's minified script (folium.plugins.MarkerCluster needs it)."""
    return _SOURCE_MAP.sub("", _read(xmarkercluster.BASE_DIR, "leaflet.markercluster.js")).strip()


@functools.cache
def markercluster_css() -> str:
    """Leaflet.markercluster's layout stylesheet (animations, spider legs)."""
    return _read(xmarkercluster.BASE_DIR, "MarkerCluster.css")


@functools.cache
def markercluster_default_css() -> str:
    """Leaflet.markercluster's default look of a cluster (coloured discs with counts)."""
    return _read(xmarkercluster.BASE_DIR, "MarkerCluster.Default.css")


def _inline_code(kind: str) -> str:
    if kind == "leaflet":
        return f"<script>{leaflet_js()}</script>"
    if kind == "jquery":
        return f"<script>{jquery_js()}</script>"
    if kind == "markerclusterjs":
        return f"<script>{markercluster_js()}</script>"
    if kind == "markerclustercss":
        return f"<style>{markercluster_css()}</style>"
    if kind == "markerclusterdefaultcss":
        return f"<style>{markercluster_default_css()}</style>"
    return f"<style>{leaflet_css()}</style>"


def inline_header(figure: Figure) -> None:
    """Replace the CDN links in ``figure``'s header by inline code, or drop them.

    Called after the map's elements have rendered (that is when folium adds its links)
    and before the header itself renders.
    """
    children: dict[str, Element] = figure.header._children
    for name, child in list(children.items()):
        if not isinstance(child, JavascriptLink | CssLink):
            continue
        kind = _INLINE_JS.get(name) if isinstance(child, JavascriptLink) else _INLINE_CSS.get(name)
        if kind is not None:
            children[name] = Verbatim(_inline_code(kind))
            children[name]._parent = figure.header
            continue
        del children[name]
        if name in _KNOWN_DROPPED:
            log.debug("dropped %s (%s): not needed offline", name, child.url)
        else:
            # A plugin asked for a library we cannot ship: what needs it will not work.
            log.warning("dropped %s (%s): a self-contained page cannot load it", name, child.url)


class Verbatim(Element):
    """Text that goes into the page as it is.

    branca's ``Element(text)`` compiles ``text`` as a Jinja template and renders it again
    with the page: slow for a megabyte of code or outlines, and it would evaluate any
    ``{{ }}`` or ``{% %}`` that an article's text brought into a popup.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Verbatim"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class RenderedOnce(MacroElement):
    """A MacroElement whose macros' output reaches the page verbatim.

    ``MacroElement.render`` wraps each macro's output (header, html, script) in a new
    ``Element``, which renders it a second time as a template (see :class:`Verbatim`).
    List this class last among the bases (``class X(folium.Layer, RenderedOnce)``): the
    bases' own ``render`` steps run, and this one replaces MacroElement's at the end.
    """

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("render an element inside a Figure")
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                getattr(figure, part).add_child(Verbatim(str(macro(self, kwargs))),
                                                name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
        return ""  # what it draws is in the figure's parts, as MacroElement's is


class _OfflineHook(Element):
    """A Figure child rendered after the map, which rewrites the header's links."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "GeoOfflineHook"

    def render(self, **kwargs: Any) -> str:
        figure = self._parent
        if isinstance(figure, Figure):
            inline_header(figure)
        return ""


class _PlainAttributionPrefix(RenderedOnce):
    """Leaflet's attribution prefix without its link to the Leaflet website."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.setPrefix(
                {{ this.prefix|tojavascript }});
        {% endmacro %}
        """
    )

    def __init__(self, prefix: str = "Leaflet") -> None:
        super().__init__()
        self._name = "PlainAttributionPrefix"
        self.prefix = prefix


def make_offline(m: folium.Map) -> folium.Map:
    """Make ``m`` render as a self-contained page; returns ``m``. Idempotent.

    Elements added to the map later are covered too: the rewrite happens at render time.
    Elements added to the Figure *after* this call render after the hook, so add those
    first (geo adds none).
    """
    figure = m.get_root()
    if not isinstance(figure, Figure):
        figure = Figure()
        figure.add_child(m)
    if "geo_offline_hook" not in figure._children:
        figure.add_child(_OfflineHook(), name="geo_offline_hook")
    if "geo_attribution_prefix" not in m._children:
        m.add_child(_PlainAttributionPrefix(), name="geo_attribution_prefix")
    return m


def render_offline(m: folium.Map) -> str:
    """The whole self-contained HTML page of ``m``."""
    make_offline(m)
    html: str = m.get_root().render()
    return html


def _is_external(url: str) -> bool:
    return bool(_EXTERNAL_URL.match(url)) and not url.strip().lower().startswith("file:")


def _css_references(css: str) -> list[str]:
    found = (a or b for a, b in _CSS_REF.findall(css))
    return [url for url in found if _is_external(url)]


class _ReferenceScanner(HTMLParser):
    """Collects the network addresses in a page's tags, attributes and stylesheets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in _URL_ATTRS and _is_external(value):
                self.found.append(value)
            elif name in ("srcset", "imagesrcset"):
                self.found.extend(
                    c.split()[0] for c in value.split(",") if c.split() and _is_external(c)
                )
            elif name == "style":
                self.found.extend(_css_references(value))
            elif name == "content" and tag == "meta" and "url=" in value.lower():
                url = value[value.lower().index("url=") + 4 :]
                if _is_external(url):
                    self.found.append(url)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found.extend(_css_references(data))


def external_references(html: str) -> list[str]:
    """Network addresses ``html``'s markup and stylesheets would load or link to.

    Empty for a self-contained page. Tags are parsed, so article text that merely reads
    like ``src=http://...`` (escaped, it is text) does not count; script bodies are not
    scanned, as what they fetch shows only in a browser (see the browser test).
    """
    scanner = _ReferenceScanner()
    scanner.feed(html)
    scanner.close()
    return scanner.found


# A brace that would open a Jinja tag; in JSON text only a string can hold one (a
# structural brace is followed by a quote or its closing brace).
_TEMPLATE_OPENER = re.compile(r"\{(?=[{%#])")


def json_for_script(value: object) -> str:
    """``value`` as a JSON literal safe inside an inline ``<script>``, inside HTML, and
    inside a template that folium renders again (no ``{{``, ``{%`` or ``{#``)."""
    return (
        _TEMPLATE_OPENER.sub(r"\\u007b", json.dumps(value, ensure_ascii=False,
                                                     separators=(",", ":")))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
