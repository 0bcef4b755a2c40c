"""Draw an :class:`Analysis` as a folium map that needs no network.

Country outlines from Natural Earth are the base layer (tiles are optional and off by
default), with country names and, closer in, major cities (:mod:`geo.basemap`); bases,
targets, transit points, other places and flight paths each get a layer of their own,
drawn with inline SVG symbols (:mod:`geo.symbols` decides which). Bases, targets, transit
points and paths carry permanent labels; mentioned places are labelled from zoom
:data:`geo.symbols.MENTION_LABEL_ZOOM` and cluster where they crowd (Leaflet.markercluster,
inlined like Leaflet). After every zoom or pan a small script hides each label that would
overlap a more important one. Every piece of text on the map comes from articles or source
names, so all of it is HTML-escaped before it reaches the page (base-map names are set as
DOM text).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import logging
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import folium
from folium.map import Layer
from folium.plugins import MarkerCluster
from folium.template import Template

from geo.basemap import BaseLabel, country_labels_cached, major_cities, outline_fingerprint
from geo.borders import DEFAULT_BORDERS_PATH, borders_geojson
from geo.geodesy import split_at_antimeridian
from geo.models import Analysis, FlightPath, Role
from geo.offline import RenderedOnce, json_for_script, make_offline
from geo.symbols import EVENT_LABEL_PRIORITY, PATH_LABEL_PRIORITY, MapSymbol, map_symbols, path_days
from geo.view import PlaceSummary, filter_analysis

log = logging.getLogger(__name__)


LatLon = tuple[float, float]


@dataclass(frozen=True)
class RoleStyle:
    """How one role looks: its layer, legend label, colour and SVG shape."""

    layer: str
    label: str
    color: str
    shape: str  # "triangle", "square", "diamond", "circle"
    size: int


ROLE_STYLES: dict[Role, RoleStyle] = {
    Role.BASE: RoleStyle("Bases", "Base (launch site)", "#1f4e9c", "triangle", 22),
    Role.TARGET: RoleStyle("Targets", "Strike target", "#c0201a", "square", 18),
    Role.TRANSIT: RoleStyle("Transit", "Transit / overflight", "#d97b00", "diamond", 18),
    Role.MENTION: RoleStyle("Mentioned places", "Mentioned place", "#5f6b73", "circle", 12),
}
PATH_COLOR = "#7a1fa2"
PATH_LAYER = "Flight paths"
BORDERS_LAYER = "Country outlines"
NAMES_LAYER = "Country and city names"
# Operational roles cluster only when this many symbols of one role crowd the map (a
# corpus, not a day's news); mentioned places always may.
CLUSTER_OPERATIONAL_OVER = 150
MAX_ZOOM = 18
SEA_COLOR = "#d4e6f1"
LAND_STYLE = {
    "color": "#8c8c8c",
    "weight": 0.7,
    "fillColor": "#f6f3ea",
    "fillOpacity": 1.0,
    "interactive": False,
}
# Layers are drawn bottom-up in this order, so targets sit on top of everything.
_ROLE_ORDER = (Role.MENTION, Role.TRANSIT, Role.BASE, Role.TARGET)
_WORLD_BOUNDS = [[-60.0, -170.0], [75.0, 170.0]]


def symbol_svg(shape: str, color: str, size: int) -> str:
    """A small SVG symbol (trusted markup: no text from articles)."""
    s = size
    stroke = 'stroke="#ffffff" stroke-width="1.5"'
    if shape == "triangle":
        points = f"{s / 2},1.5 {s - 1.5},{s - 2} 1.5,{s - 2}"
        body = f'<polygon points="{points}" fill="{color}" {stroke}/>'
    elif shape == "square":
        body = f'<rect x="2" y="2" width="{s - 4}" height="{s - 4}" fill="{color}" {stroke}/>'
    elif shape == "diamond":
        m = s / 2
        points = f"{m},1.5 {s - 1.5},{m} {m},{s - 1.5} 1.5,{m}"
        body = f'<polygon points="{points}" fill="{color}" {stroke}/>'
    else:
        body = f'<circle cx="{s / 2}" cy="{s / 2}" r="{s / 2 - 1.5}" fill="{color}" {stroke}/>'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{s}" height="{s}" '
        f'viewBox="0 0 {s} {s}" style="display:block;overflow:visible">{body}</svg>'
    )


def arrow_svg(angle_deg: float, color: str = PATH_COLOR, size: int = 16) -> str:
    """An arrowhead pointing ``angle_deg`` clockwise from screen-up."""
    s = size
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{s}" height="{s}" '
        f'viewBox="0 0 {s} {s}" style="display:block;transform:rotate({angle_deg:.1f}deg)">'
        f'<polygon points="{s / 2},1 {s - 2},{s - 2} {s / 2},{s * 0.7} 2,{s - 2}" '
        f'fill="{color}" stroke="#ffffff" stroke-width="1"/></svg>'
    )


class _BindText(RenderedOnce):
    """Bind a popup and a tooltip to the parent layer, passing the HTML as JSON.

    folium's own Popup and Tooltip paste text into a JavaScript template literal, where
    ``${...}`` in an article would run; a JSON string literal cannot.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {%- if this.popup %}
            {{ this._parent.get_name() }}.bindPopup({{ this.popup }}, {"maxWidth": 380});
            {%- endif %}
            {%- if this.tooltip %}
            {{ this._parent.get_name() }}.bindTooltip({{ this.tooltip }}, {"sticky": true});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, popup_html: str = "", tooltip_html: str = "") -> None:
        super().__init__()
        self._name = "BindText"
        self.popup = json_for_script(popup_html) if popup_html else ""
        self.tooltip = json_for_script(tooltip_html) if tooltip_html else ""


class StaticGeoJson(Layer, RenderedOnce):
    """A GeoJSON layer with one fixed style, embedded as JSON (smaller than folium.GeoJson).

    It is painted on a canvas of its own: the world's outlines are thousands of polygons,
    which as SVG elements took the browser most of a second to lay out; the symbols and
    paths above stay SVG, clickable and styled."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.geoJSON(
                {{ this.data }}, {"style": {{ this.style }}, "interactive": false,
                                  "renderer": L.canvas({"padding": 0.5})});
        {% endmacro %}
        """
    )

    def __init__(self, data_literal: str, style: dict[str, Any], name: str) -> None:
        """``data_literal``: the FeatureCollection as :func:`json_for_script` writes it."""
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "StaticGeoJson"
        self.data = data_literal
        self.style = json_for_script(style)


def label_html(text: str, priority: float, min_zoom: int = 0, symbol_px: int = 0) -> str:
    """A label's content: the escaped text in a span that tells the declutter script its
    priority (higher wins an overlap), the zoom from which it may show and, for a label
    beside a symbol, the symbol's size (so the label may move to its left, top or bottom
    when its right is taken)."""
    size = f' data-s="{symbol_px}"' if symbol_px else ""
    return (
        f'<span class="geo-label-text" data-p="{priority:.1f}" data-z="{min_zoom}"{size}>'
        f"{_e(text)}</span>"
    )


class _Label(RenderedOnce):
    """A permanent label (a Leaflet tooltip) on the parent marker or line."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindTooltip({{ this.content }}, {{ this.options }});
        {% endmacro %}
        """
    )

    def __init__(self, content_html: str, css_class: str, *, direction: str = "right",
                 offset: tuple[int, int] = (0, 0)) -> None:
        super().__init__()
        self._name = "Label"
        self.content = json_for_script(content_html)
        self.options = json_for_script(
            {
                "permanent": True,
                "direction": direction,
                "offset": list(offset),
                "opacity": 1,
                "interactive": False,
                "className": f"geo-label {css_class}",
            }
        )


class _TimeTag(RenderedOnce):
    """Registers the parent layer and the days it belongs to with the page's time control.

    The layer's own parent (its group) is where the control puts it back."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (window.geoTimeline = window.geoTimeline || []).push({
                layer: {{ this._parent.get_name() }},
                group: {{ this._parent._parent.get_name() }},
                days: {{ this.days }}});
        {% endmacro %}
        """
    )

    def __init__(self, days: Sequence[dt.date]) -> None:
        super().__init__()
        self._name = "TimeTag"
        self.days = json_for_script([d.isoformat() for d in days])


class BaseNames(Layer, RenderedOnce):
    """Country and city names of the base map, placed for the current zoom and view.

    Only the names whose zoom has come and whose point is near the view are made into
    (non-interactive) markers, in a pane under the symbols, so a world of names costs
    nothing while zoomed out. Names are set with ``textContent``: never parsed as HTML.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.layerGroup();
            (function (group, map, names) {
                if (!map.getPane('geoNames')) {
                    var pane = map.createPane('geoNames');
                    pane.style.zIndex = 450;
                    pane.style.pointerEvents = 'none';
                }
                var shown = '';
                function refresh() {
                    var zoom = map.getZoom();
                    var view = map.getBounds().pad(0.25);
                    var wanted = names.filter(function (n) {
                        return n[3] <= zoom && view.contains([n[1], n[2]]);
                    });
                    var key = zoom + ':' + wanted.map(function (n) { return n[0]; }).join('|');
                    if (key === shown) { return; }
                    shown = key;
                    group.clearLayers();
                    wanted.forEach(function (n) {
                        var span = document.createElement('span');
                        span.className = 'geo-label-text';
                        span.textContent = n[0];
                        span.dataset.p = n[5];
                        span.dataset.z = n[3];
                        group.addLayer(L.marker([n[1], n[2]], {
                            icon: L.divIcon({html: span, iconSize: null,
                                             className: 'geo-label geo-name-' + n[4]}),
                            pane: 'geoNames', interactive: false, keyboard: false}));
                    });
                }
                map.whenReady(refresh);
                map.on('zoomend moveend', refresh);
            })({{ this.get_name() }}, {{ this._parent.get_name() }}, {{ this.names }});
        {% endmacro %}
        """
    )

    def __init__(self, names: Iterable[BaseLabel], name: str = NAMES_LAYER) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "BaseNames"
        rows = [
            [n.name, n.lat, n.lon, n.min_zoom, n.kind, round(n.priority, 1)] for n in names
        ]
        self.names = json_for_script(rows)


class Declutter(RenderedOnce):
    """Hides, after every zoom and pan, each label that overlaps a more important one.

    Labels are the elements of class ``geo-label``; their ``[data-p]`` span holds the
    priority and ``data-z`` the zoom from which they may show. Greedy by priority, which
    keeps the most important label of every crowd and costs one layout read per label.
    A label right of a symbol (``data-s``, the symbol's size) whose place is taken tries
    the symbol's left, top and bottom before it is hidden; it moves by its margins, which
    Leaflet leaves alone (it positions tooltips by transform).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (map) {
                var timer = null;
                function declutter() {
                    timer = null;
                    var zoom = map.getZoom();
                    var box = map.getContainer().getBoundingClientRect();
                    var labels = map.getContainer().querySelectorAll('.geo-label');
                    var items = [];
                    var i;
                    // All writes, then all reads: one layout for the whole pass.
                    for (i = 0; i < labels.length; i++) {
                        if (labels[i].classList.contains('leaflet-tooltip-right')) {
                            labels[i].style.marginLeft = '';
                            labels[i].style.marginTop = '';
                        }
                    }
                    for (i = 0; i < labels.length; i++) {
                        var el = labels[i];
                        var text = el.querySelector('[data-p]');
                        if (!text) { continue; }
                        if (+text.dataset.z > zoom) {
                            el.classList.add('geo-label-hidden');
                            continue;
                        }
                        var r = text.getBoundingClientRect();
                        if (r.width === 0 || r.right < box.left || r.left > box.right ||
                                r.bottom < box.top || r.top > box.bottom) {
                            el.classList.add('geo-label-hidden');
                            continue;
                        }
                        var s = el.classList.contains('leaflet-tooltip-right') ?
                            +(text.dataset.s || 0) : 0;
                        items.push({el: el, p: +text.dataset.p, r: r, s: s});
                    }
                    items.sort(function (a, b) { return b.p - a.p; });
                    var kept = [];
                    function free(r) {
                        return r.left >= box.left && r.right <= box.right &&
                            r.top >= box.top && r.bottom <= box.bottom &&
                            !kept.some(function (k) {
                                return r.left < k.right + 3 && r.right + 3 > k.left &&
                                    r.top < k.bottom + 1 && r.bottom + 1 > k.top;
                            });
                    }
                    items.forEach(function (item) {
                        var r = item.r, w = r.width, h = r.height, s = item.s;
                        // Right (as drawn), then left, above and below the symbol.
                        var spots = [[0, 0]];
                        if (s) {
                            spots.push([-(w + s + 15), 0],
                                       [-(w / 2 + s / 2 + 9), -(h / 2 + s / 2 + 2)],
                                       [-(w / 2 + s / 2 + 9), h / 2 + s / 2 + 2]);
                        }
                        var spot = null;
                        for (var j = 0; j < spots.length && spot === null; j++) {
                            var dx = spots[j][0], dy = spots[j][1];
                            var moved = {left: r.left + dx, right: r.right + dx,
                                         top: r.top + dy, bottom: r.bottom + dy};
                            if (free(moved)) { spot = moved; }
                            if (spot !== null && (dx || dy)) {
                                // Leaflet's own margin for right-hand tooltips is 6px.
                                item.el.style.marginLeft = (6 + dx) + 'px';
                                item.el.style.marginTop = dy + 'px';
                            }
                        }
                        item.el.classList.toggle('geo-label-hidden', spot === null);
                        if (spot !== null) { kept.push(spot); }
                    });
                    map.getContainer().dataset.labelsShown = kept.length;
                }
                function schedule() {
                    if (timer === null) { timer = setTimeout(declutter, 30); }
                }
                map.on('zoomend moveend layeradd layerremove overlayadd overlayremove',
                       schedule);
                map.whenReady(schedule);
            })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Declutter"


# Clusters are neutral grey discs with their count: the plugin's default green, yellow and
# orange would read as roles (transit is orange).
_CLUSTER_ICON = """
function (cluster) {
    var n = cluster.getChildCount();
    var size = n < 10 ? 26 : n < 100 ? 32 : n < 1000 ? 38 : 44;
    return L.divIcon({html: '<div><span>' + n + '</span></div>',
                      className: 'marker-cluster geo-cluster', iconSize: L.point(size, size)});
}
"""


_CLUSTER_OPTIONS = {
    "showCoverageOnHover": False,
    "maxClusterRadius": 45,
    "chunkedLoading": True,  # 2,000 markers are added in slices, not in one freeze
    "disableClusteringAtZoom": 12,
    "spiderfyOnMaxZoom": True,
}


class Legend(RenderedOnce):
    """The map key, as inline HTML/CSS; also sets the sea colour under the outlines."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                .leaflet-container { background: {{ this.sea }}; }
                .geo-legend { position: absolute; left: 10px; bottom: 48px; z-index: 1000;
                    background: rgba(255,255,255,0.93); border: 1px solid #999; border-radius: 4px;
                    padding: 6px 9px; font: 12px/1.35 system-ui, sans-serif; color: #222; }
                .geo-legend b { display: block; margin-bottom: 3px; }
                .geo-legend .row { display: flex; align-items: center; gap: 7px; margin: 2px 0; }
                .geo-legend .sym { width: 24px; display: flex; justify-content: center; }
                .geo-symbol { background: none; border: none; }
                .leaflet-popup-content { font: 12px/1.4 system-ui, sans-serif; }
                .leaflet-popup-content h4 { margin: 0 0 4px; font-size: 14px; }
                .leaflet-popup-content blockquote { margin: 4px 0; padding-left: 6px;
                    border-left: 3px solid #bbb; color: #333; }
                .leaflet-tooltip.geo-label { background: rgba(255,255,255,0.82);
                    border: none; box-shadow: none; border-radius: 3px; padding: 0 3px;
                    font: 600 12px/1.3 system-ui, sans-serif; white-space: nowrap; }
                .leaflet-tooltip.geo-label::before { display: none; }
                .geo-label-hidden { visibility: hidden !important; }
                .geo-label-base { color: {{ this.colors.base }}; font-size: 13px; }
                .geo-label-target { color: {{ this.colors.target }}; font-size: 13px; }
                .geo-label-transit { color: {{ this.colors.transit }}; }
                .geo-label-mention { color: #39434a; font-weight: 500; font-size: 11px; }
                .geo-label-path { color: {{ this.colors.path }}; font-size: 11px; }
                .geo-name-country, .geo-name-city { background: none; border: none; }
                .geo-name-country .geo-label-text { position: absolute; white-space: nowrap;
                    transform: translate(-50%, -50%); color: #7d7466; letter-spacing: 0.08em;
                    font: 600 11px/1 system-ui, sans-serif; text-transform: uppercase;
                    text-shadow: 0 0 3px #f6f3ea, 0 0 3px #f6f3ea; }
                .geo-name-city .geo-label-text { position: absolute; white-space: nowrap;
                    transform: translate(-3px, -50%); color: #4a4a4a;
                    font: 11px/1 system-ui, sans-serif;
                    text-shadow: 0 0 3px #fff, 0 0 3px #fff; }
                .geo-name-city .geo-label-text::before { content: ""; display: inline-block;
                    width: 5px; height: 5px; border-radius: 50%; background: #4a4a4a;
                    margin-right: 4px; vertical-align: middle; }
                .marker-cluster.geo-cluster { background: rgba(95,107,115,0.28);
                    border-radius: 50%; }
                .marker-cluster.geo-cluster div { width: calc(100% - 6px);
                    height: calc(100% - 6px); margin: 3px; border-radius: 50%;
                    background: rgba(95,107,115,0.9); color: #fff; display: flex;
                    align-items: center; justify-content: center;
                    font: 700 12px/1 system-ui, sans-serif; }
                .marker-cluster.geo-cluster span { line-height: 1; }
            </style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
            <div class="geo-legend">{{ this.body }}</div>
        {% endmacro %}
        """
    )

    def __init__(self, events: bool = False) -> None:
        super().__init__()
        self._name = "Legend"
        self.sea = SEA_COLOR
        self.colors = {
            "base": ROLE_STYLES[Role.BASE].color,
            "target": ROLE_STYLES[Role.TARGET].color,
            "transit": ROLE_STYLES[Role.TRANSIT].color,
            "path": PATH_COLOR,
        }
        rows = ["<b>Key</b>"]
        for role in (Role.BASE, Role.TARGET, Role.TRANSIT, Role.MENTION):
            st = ROLE_STYLES[role]
            rows.append(
                f'<div class="row"><span class="sym">{symbol_svg(st.shape, st.color, 14)}</span>'
                f"{html.escape(st.label)}</div>"
            )
        line = (
            f'<svg width="24" height="10"><line x1="1" y1="5" x2="17" y2="5" stroke="{PATH_COLOR}" '
            f'stroke-width="3"/><polygon points="23,5 16,1 16,9" fill="{PATH_COLOR}"/></svg>'
        )
        rows.append(
            f'<div class="row"><span class="sym">{line}</span>'
            "Flight path (thicker = more sources)</div>"
        )
        dashed = (
            f'<svg width="24" height="10"><line x1="1" y1="5" x2="23" y2="5" stroke="{PATH_COLOR}" '
            f'stroke-width="3" stroke-dasharray="5 3"/></svg>'
        )
        rows.append(f'<div class="row"><span class="sym">{dashed}</span>Inferred path</div>')
        cluster = (
            '<svg width="20" height="20"><circle cx="10" cy="10" r="9" fill="#5f6b73" '
            'fill-opacity="0.9"/><text x="10" y="14" font-size="10" font-weight="700" '
            'fill="#fff" text-anchor="middle" font-family="sans-serif">12</text></svg>'
        )
        rows.append(
            f'<div class="row"><span class="sym">{cluster}</span>Places close together '
            "(count; zoom in)</div>"
        )
        if events:
            ring = (f'<svg width="20" height="20"><circle cx="10" cy="10" r="7" '
                    f'stroke="{EVENT_COLOR}" stroke-width="2" fill="{EVENT_COLOR}" '
                    'fill-opacity="0.35"/></svg>')
            origin = (f'<svg width="24" height="10"><line x1="1" y1="5" x2="23" y2="5" '
                      f'stroke="{EVENT_COLOR}" stroke-width="2" stroke-dasharray="6 6"/></svg>')
            rows.append(f'<div class="row"><span class="sym">{ring}</span>'
                        "Struck (actor, date)</div>")
            rows.append(f'<div class="row"><span class="sym">{origin}</span>'
                        "Approximate origin</div>")
        self.body = "".join(rows)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _quote_block(sentences: Iterable[str], limit: int = 3) -> str:
    items = list(sentences)
    out = "".join(f"<blockquote>{_e(s)}</blockquote>" for s in items[:limit])
    if len(items) > limit:
        out += f"<div>…and {len(items) - limit} more</div>"
    return out


def _place_popup(item: PlaceSummary) -> str:
    e = item.entry
    written = [n for n in item.names if n != e.name]
    rows = [
        f"<h4>{_e(e.name)}</h4>",
        f"<div><b>Role:</b> {_e(ROLE_STYLES[item.role].label)}"
        f" &middot; <b>confidence</b> {item.confidence:.2f}</div>",
    ]
    if written:
        rows.append(f"<div><b>As written:</b> {_e(', '.join(written))}</div>")
    rows.append(
        f"<div><b>Where:</b> {_e(e.feature.value)}"
        f"{', ' + _e(e.country) if e.country else ''} ({e.lat:.3f}, {e.lon:.3f})</div>"
    )
    rows.append(f"<div><b>Sources:</b> {_e(', '.join(item.sources))}</div>")
    rows.append(
        f"<div><b>Articles:</b> {len(item.docs)} &middot; <b>id</b> {_e(e.gazetteer_id)}</div>"
    )
    rows.append(_quote_block(item.evidence))
    return "".join(rows)


def _symbol_popup(symbol: MapSymbol) -> str:
    """The popup of a symbol: each place and role folded into it, the drawn one first."""
    return "<hr>".join(_place_popup(part) for part in symbol.parts)


def _path_popup(path: FlightPath, country_names: dict[str, str]) -> str:
    crossed = ", ".join(
        f"{country_names[c]} ({c})" if c in country_names else c for c in path.countries
    )
    sentences = [ev.sentence for r in path.reports for ev in r.evidence]
    rows = [
        f"<h4>{_e(path.origin.name)} &rarr; {_e(path.target.name)}</h4>",
        f"<div><b>Distance:</b> {path.distance_km:,.0f} km"
        f" &middot; <b>bearing</b> {path.bearing:.0f}&deg;</div>",
        f"<div><b>Confidence:</b> {path.confidence:.2f}"
        f"{' (inferred)' if path.inferred else ''}</div>",
        f"<div><b>Countries crossed:</b> {_e(crossed or 'none known')}</div>",
        f"<div><b>Sources:</b> {_e(', '.join(path.sources))}</div>",
    ]
    if path.actors or path.means:
        rows.insert(1, f"<div><b>Actor:</b> {_e(', '.join(path.actors) or 'not named')}"
                       f" &middot; <b>means:</b> {_e(', '.join(path.means) or 'not named')}"
                       f"{' &middot; origin approximate' if path.approximate else ''}</div>")
    if path.dates:
        rows.append(f"<div><b>Dates:</b> {_e(', '.join(d.isoformat() for d in path.dates))}</div>")
    rows.append(_quote_block(dict.fromkeys(sentences)))
    return "".join(rows)


def _mercator_y(lat: float) -> float:
    lat = max(-85.0, min(85.0, lat))
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def screen_angle(a: LatLon, b: LatLon) -> float:
    """The direction from a to b on a Web-Mercator map, degrees clockwise from up."""
    dx = b[1] - a[1]
    dy = _mercator_y(b[0]) - _mercator_y(a[0])
    return math.degrees(math.atan2(dx, dy)) % 360.0


def arrow_points(route: Sequence[LatLon], count: int) -> list[tuple[LatLon, float]]:
    """``count`` evenly spaced points inside the route, each with its screen direction.

    The route is in unwrapped longitudes, so neighbours never straddle the ±180 jump.
    """
    if len(route) < 2 or count < 1:
        return []
    out = []
    for k in range(1, count + 1):
        i = min(len(route) - 2, max(0, round(k * (len(route) - 1) / (count + 1))))
        a, b = route[i], route[i + 1]
        if a == b:
            continue
        mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        out.append((mid, screen_angle(a, b)))
    return out


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0 if not -180.0 <= lon <= 180.0 else lon


def path_weight(n_sources: int) -> float:
    """Line weight in pixels: 3 for one source, thicker with each more, at most 9."""
    return min(9.0, 3.0 + 1.5 * max(0, n_sources - 1))


def _round_coords(value: Any, digits: int) -> Any:
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, list | tuple):
        return [_round_coords(v, digits) for v in value]
    return value


def compact_borders(borders: dict[str, Any], digits: int = 2) -> dict[str, Any]:
    """Outlines with only geometry, iso2 and name kept and coordinates rounded (page size)."""
    features = []
    for f in borders.get("features", []):
        geometry = f.get("geometry")
        if not geometry:
            continue
        props = f.get("properties") or {}
        features.append(
            {
                "type": "Feature",
                "properties": {"iso2": props.get("iso2", ""), "name": props.get("name", "")},
                "geometry": {
                    "type": geometry["type"],
                    "coordinates": _round_coords(geometry["coordinates"], digits),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class CompactOutlines:
    """The outlines as a map embeds them, and their country names by ISO code."""

    literal: str
    names: dict[str, str]


_COMPACT_CACHE: dict[tuple[tuple[str, str, int], ...], CompactOutlines] = {}


def compact_borders_cached(borders: dict[str, Any]) -> CompactOutlines:
    """:func:`compact_borders` as a script literal, made once per set of outlines: rounding
    and writing the world's outlines costs about 0.5 s, on every redraw of the dashboard."""
    key = outline_fingerprint(borders)
    found = _COMPACT_CACHE.get(key)
    if found is None:
        if len(_COMPACT_CACHE) >= 8:
            _COMPACT_CACHE.clear()
        compact = compact_borders(borders)
        names = {f["properties"]["iso2"]: f["properties"]["name"]
                 for f in compact["features"] if f["properties"]["iso2"]}
        found = _COMPACT_CACHE[key] = CompactOutlines(json_for_script(compact), names)
    return found


@functools.cache
def _default_borders_cached() -> str:
    if DEFAULT_BORDERS_PATH.is_file():
        return DEFAULT_BORDERS_PATH.read_text(encoding="utf-8")
    log.info("%s is missing: building country outlines now", DEFAULT_BORDERS_PATH)
    return json.dumps(borders_geojson(), separators=(",", ":"))


def default_borders() -> dict[str, Any] | None:
    """The country outlines written at setup, built on the fly if absent; None if unavailable."""
    text = _default_borders_cached()
    if not text:
        return None
    data: dict[str, Any] = json.loads(text)
    return data


@functools.cache
def shared_default_borders() -> dict[str, Any] | None:
    """:func:`default_borders` parsed once per process (0.06 s), for readers that never
    change it: the dashboard's sessions share one copy, and the launcher parses it before
    the first of them opens."""
    return default_borders()


def _bounds(points: Iterable[LatLon]) -> list[list[float]]:
    pts = list(points)
    if not pts:
        return _WORLD_BOUNDS
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    # A single place (or a tight cluster) would zoom in to street level: keep some context.
    pad_lat = max(0.0, 1.5 - (north - south) / 2)
    pad_lon = max(0.0, 2.0 - (east - west) / 2)
    return [
        [max(-85.0, south - pad_lat), max(-180.0, west - pad_lon)],
        [min(85.0, north + pad_lat), min(180.0, east + pad_lon)],
    ]


class ClusteredPlaces(MarkerCluster, RenderedOnce):
    """The symbols of one role as a Leaflet.markercluster group, made in the browser from
    one JSON table rather than one folium element each.

    folium compiles a template for every element it renders, about 8 ms a marker with its
    popup and label: 20 s for a corpus's 2,000 places, against a fraction of a second for
    a table. The markers get the same popup (``bindPopup``), permanent label and, with
    ``time_tags``, the same registration with the time control as single markers do.
    Popups and labels are pre-escaped HTML, passed as JSON strings.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.markerClusterGroup(
                {{ this.options|tojavascript }}
            );
            {{ this.get_name() }}.options.iconCreateFunction =
                {{ this.icon_create_function.strip() }};
            (function (group, rows, look) {
                var icon = L.divIcon({html: look.svg, iconSize: [look.size, look.size],
                                      iconAnchor: [look.size / 2, look.size / 2],
                                      className: 'geo-symbol'});
                var markers = rows.map(function (row) {
                    var marker = L.marker([row[0], row[1]], {icon: icon, keyboard: false});
                    marker.bindPopup(row[2], {maxWidth: 380});
                    marker.bindTooltip(row[3], {permanent: true, direction: 'right',
                        offset: [look.size / 2, 0], opacity: 1, interactive: false,
                        className: 'geo-label ' + look.labelClass});
                    if (look.timeTags && row[4].length) {
                        (window.geoTimeline = window.geoTimeline || []).push(
                            {layer: marker, group: group, days: row[4]});
                    }
                    return marker;
                });
                group.addLayers(markers);
            })({{ this.get_name() }}, {{ this.rows }}, {{ this.look }});
        {% endmacro %}
        """
    )

    def __init__(self, name: str, role: Role, *, time_tags: bool = False) -> None:
        super().__init__(name=name, icon_create_function=_CLUSTER_ICON, options=_CLUSTER_OPTIONS)
        self._name = "ClusteredPlaces"
        st = ROLE_STYLES[role]
        self.look = json_for_script(
            {
                "svg": symbol_svg(st.shape, st.color, st.size),
                "size": st.size,
                "labelClass": f"geo-label-{role.value}",
                "timeTags": time_tags,
            }
        )
        self._rows: list[list[Any]] = []

    def add_symbol(self, symbol: MapSymbol) -> None:
        st = ROLE_STYLES[symbol.role]
        self._rows.append(
            [
                round(symbol.entry.lat, 5),
                round(symbol.entry.lon, 5),
                _symbol_popup(symbol),
                label_html(symbol.label, symbol.priority, symbol.label_zoom, st.size),
                [d.isoformat() for d in symbol.days],
            ]
        )

    @property
    def rows(self) -> str:
        return json_for_script(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def build_map(
    analysis: Analysis,
    *,
    sources: Collection[str] | None = None,
    roles: Collection[Role] | None = None,
    min_confidence: float = 0.0,
    borders: dict[str, Any] | None = None,
    online_tiles: bool = False,
    time_tags: bool = False,
    city_names: bool = True,
) -> folium.Map:
    """A self-contained folium map of what ``analysis`` shows after filtering.

    ``borders`` is a country-outline FeatureCollection (default: ``default_borders()``).
    With ``online_tiles`` an OpenStreetMap layer is offered in the layer control, off at
    first, so an offline page never asks for tiles unless the user turns them on. With
    ``time_tags`` each dated path and place registers its days in ``window.geoTimeline``
    for a time control (see :mod:`geo.export`). ``city_names`` adds major cities to the
    base map's country names.
    """
    view = filter_analysis(
        analysis, sources=sources, roles=roles, min_confidence=min_confidence
    )
    # Leaflet.markercluster needs the map's maxZoom, which folium sets only with tiles.
    m = folium.Map(tiles=None, location=None, control_scale=True, prefer_canvas=False,
                   maxZoom=MAX_ZOOM)
    make_offline(m)

    if borders is None:
        borders = default_borders()
    country_names: dict[str, str] = {}
    base_names: list[BaseLabel] = []
    if borders:
        compact = compact_borders_cached(borders)
        country_names = dict(compact.names)
        StaticGeoJson(compact.literal, LAND_STYLE, BORDERS_LAYER).add_to(m)
        base_names.extend(country_labels_cached(borders))
    if city_names:
        base_names.extend(major_cities())
    if online_tiles:
        folium.TileLayer(
            "OpenStreetMap", name="OpenStreetMap tiles (online)", overlay=True, show=False
        ).add_to(m)
    if base_names:
        BaseNames(base_names).add_to(m)

    shown: list[LatLon] = []  # the paths' points
    operational: list[LatLon] = []  # bases, targets, transit
    mentioned: list[LatLon] = []
    paths_group = folium.FeatureGroup(name=PATH_LAYER)
    for path in view.paths:
        _add_path(path, paths_group, country_names, time_tags)
        shown.extend(p for part in _path_parts(path) for p in part)

    symbols = map_symbols(view)
    counts: dict[Role, int] = {}
    for symbol in symbols:
        counts[symbol.role] = counts.get(symbol.role, 0) + 1
    groups: dict[Role, folium.FeatureGroup | ClusteredPlaces] = {}
    for symbol in symbols:
        role = symbol.role
        if role not in groups:
            layer = ROLE_STYLES[role].layer
            crowded = role is Role.MENTION or counts[role] > CLUSTER_OPERATIONAL_OVER
            groups[role] = (
                ClusteredPlaces(layer, role, time_tags=time_tags and role is not Role.MENTION)
                if crowded
                else folium.FeatureGroup(name=layer)
            )
        group = groups[role]
        if isinstance(group, ClusteredPlaces):
            group.add_symbol(symbol)
        else:
            _add_symbol(symbol, group, time_tags and role is not Role.MENTION)
        point = (symbol.entry.lat, symbol.entry.lon)
        (operational if role is not Role.MENTION else mentioned).append(point)

    if view.paths:
        paths_group.add_to(m)
    for role in _ROLE_ORDER:
        if role in groups:
            groups[role].add_to(m)

    events = add_events_layer(m, analysis.events, sources=sources,
                              min_confidence=min_confidence, time_tags=time_tags)
    Legend(events=events is not None).add_to(m)
    Declutter().add_to(m)
    # Frame the operations when there are any: a passing mention of Washington or
    # Astana would otherwise zoom the paths down to a speck.
    # Labels stand right of their symbols, and the title and time panels sit on the top
    # and bottom edges: pad those sides more, so no operational label starts off-screen.
    m.fit_bounds(_bounds(shown + operational or mentioned),
                 padding_top_left=(24, 70), padding_bottom_right=(140, 60))
    folium.LayerControl(collapsed=False).add_to(m)
    return m


EVENTS_LAYER = "Strike events"
EVENT_COLOR = "#b2182b"


def _event_popup(incident: Any) -> str:
    """Actor, means, dates, places and sources of one incident, every text escaped."""
    targets = ", ".join(f"{t.entry.name} ({t.precision.value})" for t in incident.targets)
    origins = ", ".join(f"{o.entry.name}{' (approximate)' if o.approximate else ''}"
                        for o in incident.origins)
    dates = ", ".join(d.isoformat() for d in incident.dates)
    rows = [
        f"<h4>Struck: {_e(targets)}</h4>",
        f"<div><b>Actor:</b> {_e(', '.join(incident.actors) or 'not named')}</div>",
        f"<div><b>Means:</b> {_e(', '.join(incident.means) or 'not named')}</div>",
        f"<div><b>From:</b> {_e(origins or 'not named')}</div>",
        f"<div><b>Dates:</b> {_e(dates or 'unknown')} ({_e(incident.date_precision)})</div>",
        f"<div><b>Sources:</b> {_e(', '.join(incident.sources))}"
        f" &middot; <b>confidence</b> {incident.confidence:.2f}</div>",
        _quote_block(dict.fromkeys(ev.sentence for ev in incident.evidence)),
    ]
    return "".join(rows)


def add_events_layer(
    m: folium.Map,
    events: Sequence[Any],
    *,
    sources: Collection[str] | None = None,
    min_confidence: float = 0.0,
    time_tags: bool = False,
) -> folium.FeatureGroup | None:
    """The struck places of the strike events, merged into incidents, as a layer: each
    labelled with its actor and date, an approximate origin joined to it by a dashed line.
    Nothing is added when no event passes the filters. With ``time_tags`` each dated
    incident's symbols register with the time control (see :class:`_TimeTag`)."""
    from geo.strikes.incidents import IncidentWindows, merge_incidents

    kept = [e for e in events if (sources is None or e.source in sources)
            and e.confidence >= min_confidence]
    if not kept:
        return None
    group = folium.FeatureGroup(name=EVENTS_LAYER)
    for incident in merge_incidents(kept, IncidentWindows.from_env()):
        popup = _event_popup(incident)
        when = incident.dates[-1].isoformat() if incident.dates else ""
        actor = ", ".join(incident.actor_countries or incident.actors)
        for target in incident.targets:
            marker = folium.CircleMarker(
                [target.entry.lat, target.entry.lon], radius=7, color=EVENT_COLOR,
                weight=2, fill=True, fill_opacity=0.35,
                dash_array="4 3" if target.approximate else None)
            marker.add_child(_BindText(popup))
            label = " ".join(part for part in (actor, when) if part)
            if label:
                marker.add_child(_Label(label_html(label, EVENT_LABEL_PRIORITY, symbol_px=14),
                                        "geo-label-event",
                                        offset=(8, 0)))
            marker.add_to(group)
            if time_tags and incident.dates:
                marker.add_child(_TimeTag(sorted(incident.dates)))
            for origin in incident.origins:
                if origin.approximate:
                    line = folium.PolyLine(
                        [[origin.entry.lat, origin.entry.lon],
                         [target.entry.lat, target.entry.lon]],
                        color=EVENT_COLOR, weight=2, opacity=0.7, dash_array="6 6")
                    line.add_child(_BindText(popup))
                    line.add_to(group)
                    if time_tags and incident.dates:
                        line.add_child(_TimeTag(sorted(incident.dates)))
    group.add_to(m)
    return group


def _path_parts(path: FlightPath) -> list[list[LatLon]]:
    return split_at_antimeridian(path.route) or [
        [(path.origin.lat, path.origin.lon), (path.target.lat, path.target.lon)]
    ]


def _add_path(
    path: FlightPath,
    group: folium.FeatureGroup,
    country_names: dict[str, str],
    time_tags: bool,
) -> None:
    weight = path_weight(len(path.sources))
    line = folium.PolyLine(
        [[list(p) for p in part] for part in _path_parts(path)],
        color=PATH_COLOR,
        weight=weight,
        opacity=0.85,
        dash_array="8 6" if path.inferred or path.approximate else None,
    )
    line.add_child(_BindText(_path_popup(path, country_names)))
    priority = PATH_LABEL_PRIORITY + len(path.sources)
    line.add_child(
        _Label(label_html(f"{path.distance_km:,.0f} km", priority), "geo-label-path",
               direction="center")
    )
    line.add_to(group)
    days = path_days(path)
    if time_tags and days:
        line.add_child(_TimeTag(days))
    n_arrows = 1 if path.distance_km < 600 else 3
    arrow_size = int(12 + 1.5 * weight)
    for (lat, lon), angle in arrow_points(path.route, n_arrows):
        arrow = folium.Marker(
            [lat, _wrap(lon)],
            icon=folium.DivIcon(
                html=arrow_svg(angle, size=arrow_size),
                icon_size=(arrow_size, arrow_size),
                icon_anchor=(arrow_size // 2, arrow_size // 2),
                class_name="geo-symbol",
            ),
            interactive=False,
            keyboard=False,
        )
        arrow.add_to(group)
        if time_tags and days:
            arrow.add_child(_TimeTag(days))


def _add_symbol(symbol: MapSymbol, group: folium.FeatureGroup, time_tags: bool) -> None:
    st = ROLE_STYLES[symbol.role]
    marker = folium.Marker(
        [symbol.entry.lat, symbol.entry.lon],
        icon=folium.DivIcon(
            html=symbol_svg(st.shape, st.color, st.size),
            icon_size=(st.size, st.size),
            icon_anchor=(st.size // 2, st.size // 2),
            class_name="geo-symbol",
        ),
        keyboard=False,
    )
    marker.add_child(_BindText(_symbol_popup(symbol)))
    marker.add_child(
        _Label(
            label_html(symbol.label, symbol.priority, symbol.label_zoom, st.size),
            f"geo-label-{symbol.role.value}",
            offset=(st.size // 2, 0),
        )
    )
    marker.add_to(group)
    if time_tags and symbol.days:
        marker.add_child(_TimeTag(symbol.days))
