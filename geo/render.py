"""Draw an :class:`Analysis` as a folium map that needs no network.

Country outlines from Natural Earth are the base layer (tiles are optional and off by
default); bases, targets, transit points, other places and flight paths each get a layer
of their own, drawn with inline SVG symbols. Every piece of text on the map comes from
articles or source names, so all of it is HTML-escaped before it reaches the page.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import folium
from branca.element import MacroElement
from folium.map import Layer
from folium.template import Template

from geo.borders import DEFAULT_BORDERS_PATH, borders_geojson
from geo.geodesy import split_at_antimeridian
from geo.models import Analysis, FlightPath, Role
from geo.offline import json_for_script, make_offline
from geo.view import PlaceSummary, filter_analysis, place_summaries

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


class _BindText(MacroElement):
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


class StaticGeoJson(Layer):
    """A GeoJSON layer with one fixed style, embedded as JSON (smaller than folium.GeoJson)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.geoJSON(
                {{ this.data }}, {"style": {{ this.style }}, "interactive": false});
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any], style: dict[str, Any], name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "StaticGeoJson"
        self.data = json_for_script(data)
        self.style = json_for_script(style)


class Legend(MacroElement):
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
            </style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
            <div class="geo-legend">{{ this.body }}</div>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Legend"
        self.sea = SEA_COLOR
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


def build_map(
    analysis: Analysis,
    *,
    sources: Collection[str] | None = None,
    roles: Collection[Role] | None = None,
    min_confidence: float = 0.0,
    borders: dict[str, Any] | None = None,
    online_tiles: bool = False,
) -> folium.Map:
    """A self-contained folium map of what ``analysis`` shows after filtering.

    ``borders`` is a country-outline FeatureCollection (default: ``default_borders()``).
    With ``online_tiles`` an OpenStreetMap layer is offered in the layer control, off at
    first, so an offline page never asks for tiles unless the user turns them on.
    """
    view = filter_analysis(
        analysis, sources=sources, roles=roles, min_confidence=min_confidence
    )
    m = folium.Map(tiles=None, location=None, control_scale=True, prefer_canvas=False)
    make_offline(m)

    if borders is None:
        borders = default_borders()
    country_names: dict[str, str] = {}
    if borders:
        compact = compact_borders(borders)
        country_names = {
            f["properties"]["iso2"]: f["properties"]["name"]
            for f in compact["features"]
            if f["properties"]["iso2"]
        }
        StaticGeoJson(compact, LAND_STYLE, BORDERS_LAYER).add_to(m)
    if online_tiles:
        folium.TileLayer(
            "OpenStreetMap", name="OpenStreetMap tiles (online)", overlay=True, show=False
        ).add_to(m)

    shown: list[LatLon] = []  # the paths' points
    operational: list[LatLon] = []  # bases, targets, transit
    mentioned: list[LatLon] = []
    paths_group = folium.FeatureGroup(name=PATH_LAYER)
    for path in view.paths:
        parts = split_at_antimeridian(path.route) or [
            [(path.origin.lat, path.origin.lon), (path.target.lat, path.target.lon)]
        ]
        weight = path_weight(len(path.sources))
        line = folium.PolyLine(
            [[list(p) for p in part] for part in parts],
            color=PATH_COLOR,
            weight=weight,
            opacity=0.85,
            dash_array="8 6" if path.inferred else None,
        )
        line.add_child(
            _BindText(
                _path_popup(path, country_names),
                f"{_e(path.origin.name)} &rarr; {_e(path.target.name)}"
                f" ({path.distance_km:,.0f} km)",
            )
        )
        line.add_to(paths_group)
        n_arrows = 1 if path.distance_km < 600 else 3
        arrow_size = int(12 + 1.5 * weight)
        for (lat, lon), angle in arrow_points(path.route, n_arrows):
            folium.Marker(
                [lat, _wrap(lon)],
                icon=folium.DivIcon(
                    html=arrow_svg(angle, size=arrow_size),
                    icon_size=(arrow_size, arrow_size),
                    icon_anchor=(arrow_size // 2, arrow_size // 2),
                    class_name="geo-symbol",
                ),
                interactive=False,
                keyboard=False,
            ).add_to(paths_group)
        shown.extend(p for part in parts for p in part)

    groups: dict[Role, folium.FeatureGroup] = {}
    for item in place_summaries(view):
        st = ROLE_STYLES[item.role]
        group = groups.setdefault(item.role, folium.FeatureGroup(name=st.layer))
        marker = folium.Marker(
            [item.entry.lat, item.entry.lon],
            icon=folium.DivIcon(
                html=symbol_svg(st.shape, st.color, st.size),
                icon_size=(st.size, st.size),
                icon_anchor=(st.size // 2, st.size // 2),
                class_name="geo-symbol",
            ),
            keyboard=False,
        )
        marker.add_child(
            _BindText(_place_popup(item), f"{_e(item.entry.name)} &middot; {_e(st.label)}")
        )
        marker.add_to(group)
        if item.role in (Role.BASE, Role.TARGET, Role.TRANSIT):
            operational.append((item.entry.lat, item.entry.lon))
        else:
            mentioned.append((item.entry.lat, item.entry.lon))

    if view.paths:
        paths_group.add_to(m)
    for role in _ROLE_ORDER:
        if role in groups:
            groups[role].add_to(m)

    Legend().add_to(m)
    # Frame the operations when there are any: a passing mention of Washington or
    # Astana would otherwise zoom the paths down to a speck.
    m.fit_bounds(_bounds(shown + operational or mentioned), padding=(24, 24))
    folium.LayerControl(collapsed=False).add_to(m)
    return m
