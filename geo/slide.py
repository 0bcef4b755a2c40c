"""Draw a map view as a 16:9 slide image (PNG, SVG or PDF) with matplotlib, no browser.

The slide shows what the interactive map shows (:func:`geo.symbols.map_symbols`, the same
flight paths and the Natural Earth outlines with country and city names) framed on the
operations, with labels decluttered by the same priorities, a legend, a scale bar, the
title, the sources and the credits. The projection is Web Mercator, as on the map.

Text from articles goes in as plain text: matplotlib's mathtext is off for every label
(``parse_math=False``), so a ``$`` in a name is a dollar sign, and the SVG writer escapes
XML itself.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from geo.basemap import BaseLabel, country_labels_cached, major_cities
from geo.geodesy import split_at_antimeridian
from geo.models import Analysis, FlightPath, Role
from geo.render import (
    EVENT_COLOR,
    LAND_STYLE,
    PATH_COLOR,
    ROLE_STYLES,
    SEA_COLOR,
    default_borders,
    path_weight,
)
from geo.strikes.events import PlacePrecision
from geo.symbols import (
    EVENT_LABEL_PRIORITY,
    MENTION_LABEL_ZOOM,
    PATH_LABEL_PRIORITY,
    MapSymbol,
    map_symbols,
)

log = logging.getLogger(__name__)

SLIDE_FORMATS = ("png", "svg", "pdf")
WIDTH_IN, HEIGHT_IN = 16.0, 9.0  # 16:9
PNG_DPI = 120  # 1920 x 1080 pixels
CREDIT = (
    "Place data: GeoNames (CC BY 4.0), OurAirports (public domain); base map: Natural Earth "
    "(public domain); drawn with matplotlib by geo"
)
_MARKERS = {Role.BASE: "^", Role.TARGET: "s", Role.TRANSIT: "D", Role.MENTION: "o"}
_EVENT_RING = 17.0
_PRECISION_ORDER = (PlacePrecision.SITE, PlacePrecision.TOWN, PlacePrecision.PROVINCE,
                    PlacePrecision.COUNTRY)
# Below the ring first (the place's own name stands to its right), then its corners.
_AROUND_RING = ((0.0, -11.0, "center", "top"), (0.0, 11.0, "center", "bottom"),
                (-9.0, -9.0, "right", "top"), (9.0, -9.0, "left", "top"),
                (-9.0, 9.0, "right", "bottom"), (9.0, 9.0, "left", "bottom"))
_MARKER_SIZE = {Role.BASE: 13.0, Role.TARGET: 10.0, Role.TRANSIT: 9.0, Role.MENTION: 6.0}
# Where the map sits on the figure (left, bottom, width, height as figure fractions).
_MAP_BOX = (0.015, 0.035, 0.735, 0.855)
_MAX_MENTION_SYMBOLS = 3000  # beyond this a slide shows only the most reported


@dataclass(frozen=True)
class _Extent:
    """The map's window in projected units: x is longitude, y Mercator "degrees"."""

    x0: float
    x1: float
    y0: float
    y1: float


def mercator_y(lat: float) -> float:
    lat = max(-85.0, min(85.0, lat))
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _lat_of(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(math.radians(y))) - math.pi / 2)


def _frame(points: Sequence[tuple[float, float]], aspect: float) -> _Extent:
    """A window around ``points`` ((lat, lon)), padded, with the axes' aspect ratio."""
    if not points:
        return _Extent(-170.0, 170.0, mercator_y(-58.0), mercator_y(75.0))
    xs = [p[1] for p in points]
    ys = [mercator_y(p[0]) for p in points]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    # At least 4 degrees across, so a single place keeps its region around it.
    w = max(x1 - x0, 4.0) * 1.25
    h = max(y1 - y0, 3.0) * 1.25
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return _Extent(cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2)


def _zoom_of(extent: _Extent, width_px: float) -> float:
    """The Leaflet zoom that shows this window across ``width_px`` pixels."""
    return math.log2(width_px * 360.0 / (256.0 * max(1e-6, extent.x1 - extent.x0)))


def _nice_km(target: float) -> float:
    exponent = 10 ** math.floor(math.log10(max(target, 1e-3)))
    for step in (5, 2, 1):
        if step * exponent <= target:
            return step * exponent
    return exponent


def _polygons(borders: dict[str, Any]) -> list[list[tuple[float, float]]]:
    rings: list[list[tuple[float, float]]] = []
    for feature in borders.get("features", []):
        geometry = feature.get("geometry") or {}
        kind = geometry.get("type")
        coords = geometry.get("coordinates") or []
        polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
        for polygon in polygons:
            if polygon and len(polygon[0]) >= 3:
                rings.append([(float(x), mercator_y(float(y))) for x, y, *_ in polygon[0]])
    return rings


def _path_parts(path: FlightPath) -> list[list[tuple[float, float]]]:
    route = list(path.route) or [(path.origin.lat, path.origin.lon),
                                 (path.target.lat, path.target.lon)]
    return [list(part) for part in split_at_antimeridian(route) or [route]]


# Where a symbol's label may go, in points from the symbol, tried in this order.
_BESIDE = ((9.0, 0.0, "left", "center"), (-9.0, 0.0, "right", "center"),
           (0.0, 9.0, "center", "bottom"), (0.0, -9.0, "center", "top"))
_CENTRED = ((0.0, 0.0, "center", "center"),)


@dataclass
class _Candidate:
    text: str
    x: float
    y: float
    priority: float
    style: dict[str, Any]
    spots: tuple[tuple[float, float, str, str], ...] = _CENTRED
    dot: bool = False  # a city: its dot is drawn only if its name fits


class _Labeller:
    """Places labels greedily by priority; one that overlaps a placed label is dropped."""

    def __init__(self, fig: Figure, ax: Any) -> None:
        self.fig = fig
        self.ax = ax
        self.renderer = FigureCanvasAgg(fig).get_renderer()
        self.taken: list[Bbox] = []
        self.placed = 0

    def block(self, artist: Any) -> None:
        """Keep labels off an artist that is already drawn (the legend, the scale bar)."""
        self.taken.append(artist.get_window_extent(self.renderer).expanded(1.02, 1.1))

    def place(self, candidates: list[_Candidate]) -> list[str]:
        frame = self.ax.get_window_extent(self.renderer)
        shown = []
        for c in sorted(candidates, key=lambda c: -c.priority):
            for dx, dy, ha, va in c.spots:
                text: Text = self.ax.annotate(
                    c.text, (c.x, c.y), xytext=(dx, dy), textcoords="offset points",
                    ha=ha, va=va, parse_math=False, annotation_clip=True, **c.style)
                box = text.get_window_extent(self.renderer).expanded(1.04, 1.15)
                inside = (box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0
                          and box.y1 <= frame.y1)
                if inside and not any(box.overlaps(t) for t in self.taken):
                    break
                text.remove()
            else:
                continue
            self.taken.append(box)
            shown.append(c.text)
            if c.dot:
                self.ax.plot([c.x], [c.y], marker="o", markersize=3, color="#4a4a4a",
                             zorder=2)
        self.placed += len(shown)
        return shown


def _symbol_label_style(role: Role) -> dict[str, Any]:
    color = "#39434a" if role is Role.MENTION else ROLE_STYLES[role].color
    size = 10.5 if role is Role.MENTION else 13.0
    return {
        "fontsize": size,
        "fontweight": "normal" if role is Role.MENTION else "bold",
        "color": color,
        "zorder": 8,
        "bbox": {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
    }


def draw_slide(
    view: Analysis,
    *,
    title: str,
    borders: dict[str, Any] | None = None,
    exported: dt.datetime | None = None,
    city_names: bool = True,
) -> Figure:
    """The slide of a filtered analysis (see :func:`geo.view.filter_analysis`) as a Figure."""
    if borders is None:
        borders = default_borders() or {"type": "FeatureCollection", "features": []}
    exported = exported or dt.datetime.now(dt.UTC)
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=PNG_DPI, facecolor="white")
    ax = fig.add_axes(_MAP_BOX)
    ax.set_facecolor(SEA_COLOR)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#777777")

    symbols = map_symbols(view)
    operational = [s for s in symbols if s.role is not Role.MENTION]
    mentions = [s for s in symbols if s.role is Role.MENTION]
    points = [pt for path in view.paths for part in _path_parts(path) for pt in part]
    points += [(s.entry.lat, s.entry.lon) for s in operational]
    if not points:
        points = [(s.entry.lat, s.entry.lon) for s in mentions]
    box_w = _MAP_BOX[2] * WIDTH_IN
    box_h = _MAP_BOX[3] * HEIGHT_IN
    extent = _frame(points, box_w / box_h)
    ax.set_xlim(extent.x0, extent.x1)
    ax.set_ylim(extent.y0, extent.y1)
    ax.set_aspect("auto")
    zoom = _zoom_of(extent, box_w * 96)  # Leaflet's pixels are CSS pixels, 96 per inch

    ax.add_collection(
        PolyCollection(
            _polygons(borders),
            facecolors=LAND_STYLE["fillColor"],
            edgecolors=LAND_STYLE["color"],
            linewidths=0.6,
            zorder=1,
        )
    )

    candidates: list[_Candidate] = []
    for path in view.paths:
        width = path_weight(len(path.sources)) * 0.75
        dashed = path.inferred or path.approximate
        for part in _path_parts(path):
            xs = [p[1] for p in part]
            ys = [mercator_y(p[0]) for p in part]
            ax.plot(xs, ys, color=PATH_COLOR, linewidth=width, alpha=0.85, zorder=3,
                    linestyle=(0, (5, 3)) if dashed else "-", solid_capstyle="round")
        route = _path_parts(path)[0]
        if len(route) >= 2:
            i = len(route) // 2
            a, b = route[max(0, i - 1)], route[i]
            if a != b:
                ax.annotate(
                    "", xy=(b[1], mercator_y(b[0])), xytext=(a[1], mercator_y(a[0])),
                    arrowprops={"arrowstyle": "-|>", "color": PATH_COLOR,
                                "mutation_scale": 14 + 2 * width, "lw": 0},
                    zorder=4,
                )
            mid = route[len(route) // 2]
            candidates.append(_Candidate(
                f"{path.distance_km:,.0f} km", mid[1], mercator_y(mid[0]),
                PATH_LABEL_PRIORITY + len(path.sources),
                {"fontsize": 10.5, "color": PATH_COLOR, "fontweight": "bold", "zorder": 8,
                 "bbox": {"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none",
                          "alpha": 0.75}},
                spots=((0.0, 5.0, "center", "bottom"), (0.0, -5.0, "center", "top")),
            ))

    candidates += _draw_events(ax, view)

    shown_mentions = sorted(mentions, key=lambda s: -s.priority)[:_MAX_MENTION_SYMBOLS]
    for group, zorder in ((shown_mentions, 5), (operational, 6)):
        for role in (Role.MENTION, Role.TRANSIT, Role.BASE, Role.TARGET):
            items = [s for s in group if s.role is role]
            if not items:
                continue
            st = ROLE_STYLES[role]
            ax.plot(
                [s.entry.lon for s in items], [mercator_y(s.entry.lat) for s in items],
                linestyle="none", marker=_MARKERS[role], markersize=_MARKER_SIZE[role],
                markerfacecolor=st.color, markeredgecolor="white", markeredgewidth=1.2,
                alpha=0.85 if role is Role.MENTION else 1.0, zorder=zorder,
            )
    for symbol in operational + (shown_mentions if zoom >= MENTION_LABEL_ZOOM else []):
        candidates.append(_symbol_candidate(symbol, extent))

    base_names: list[BaseLabel] = list(country_labels_cached(borders)) if borders else []
    if city_names:
        base_names += list(major_cities())
    for name in base_names:
        # Cities a step later than on the interactive map: a slide cannot be zoomed.
        shown_from = name.min_zoom + (1 if name.kind != "country" else 0)
        if shown_from > zoom + 0.5 or not (extent.x0 <= name.lon <= extent.x1):
            continue
        y = mercator_y(name.lat)
        if not extent.y0 <= y <= extent.y1:
            continue
        if name.kind == "country":
            style = {"fontsize": 11, "color": "#7d7466", "fontweight": "bold", "zorder": 2}
            candidates.append(_Candidate(name.name.upper(), name.lon, y, name.priority, style))
        else:
            style = {"fontsize": 9.5, "color": "#4a4a4a", "zorder": 2}
            candidates.append(_Candidate(name.name, name.lon, y, name.priority, style,
                                         spots=((4.0, 0.0, "left", "center"),), dot=True))

    labeller = _Labeller(fig, ax)
    scale = _scale_bar(ax, extent)
    labeller.block(scale)
    approximate = any(e.origin is not None and e.origin.approximate for e in view.events)
    legend = _legend(fig, symbols, view.paths, events=bool(view.events),
                     approximate_origins=approximate)
    shown = labeller.place(candidates)
    _panel(fig, view, title, exported, legend)
    fig._geo_labels = shown  # type: ignore[attr-defined]  # for tests and logging
    log.debug("slide: %d labels placed of %d", len(shown), len(candidates))
    return fig


def _draw_events(ax: Any, view: Analysis) -> list[_Candidate]:
    """The strike events as the map draws them: a red ring on each struck place, a dashed
    red line from an approximate origin, and the actor and date as a label below."""
    from geo.export import view_incidents  # geo.export imports this module lazily

    candidates: list[_Candidate] = []
    for incident in view_incidents(view):
        actor = ", ".join(incident.actor_countries or incident.actors)
        when = incident.dates[-1].isoformat() if incident.dates else ""
        label = " ".join(part for part in (actor, when) if part)
        # A town and its province of one name are one ring (the town's), as on the map
        # one symbol; the incident's actor and date label its first place only.
        finest = sorted(incident.targets, key=lambda t: _PRECISION_ORDER.index(t.precision))
        targets = list({t.entry.name: t for t in reversed(finest)}.values())[::-1]
        for n, target in enumerate(targets):
            x, y = target.entry.lon, mercator_y(target.entry.lat)
            ax.plot([x], [y], linestyle="none", marker="o", markersize=_EVENT_RING,
                    markerfacecolor="none", markeredgecolor=EVENT_COLOR, markeredgewidth=2,
                    zorder=5.5)
            for origin in incident.origins:
                if origin.approximate:
                    ax.plot([origin.entry.lon, x], [mercator_y(origin.entry.lat), y],
                            color=EVENT_COLOR, linewidth=1.6, alpha=0.7,
                            linestyle=(0, (4, 4)), zorder=3)
            if label and n == 0:
                candidates.append(_Candidate(
                    label, x, y, EVENT_LABEL_PRIORITY,
                    {"fontsize": 9, "color": EVENT_COLOR, "zorder": 7},
                    spots=_AROUND_RING,
                ))
    return candidates


def _symbol_candidate(symbol: MapSymbol, extent: _Extent) -> _Candidate:
    return _Candidate(
        symbol.label, symbol.entry.lon, mercator_y(symbol.entry.lat), symbol.priority,
        _symbol_label_style(symbol.role), spots=_BESIDE,
    )


def _scale_bar(ax: Any, extent: _Extent) -> Any:
    """A bar of a round number of km, true at the map's middle latitude."""
    lat = _lat_of((extent.y0 + extent.y1) / 2)
    km_per_deg = 111.32 * max(0.05, math.cos(math.radians(lat)))
    width_deg = extent.x1 - extent.x0
    km = _nice_km(width_deg * km_per_deg / 5)
    length = km / km_per_deg
    x0 = extent.x0 + 0.03 * width_deg
    y0 = extent.y0 + 0.045 * (extent.y1 - extent.y0)
    height = 0.008 * (extent.y1 - extent.y0)
    backing = Rectangle((x0 - 0.01 * width_deg, y0 - 2.5 * height),
                        length + 0.02 * width_deg, 7.5 * height,
                        facecolor="white", edgecolor="#999999", alpha=0.9, zorder=9)
    ax.add_patch(backing)
    ax.add_patch(Rectangle((x0, y0), length, height, facecolor="#222222", zorder=10))
    ax.text(x0 + length / 2, y0 + 1.6 * height, f"{km:,.0f} km", ha="center", va="bottom",
            fontsize=10, zorder=10)
    return backing


def _legend(fig: Figure, symbols: Sequence[MapSymbol], paths: Sequence[FlightPath], *,
            events: bool = False, approximate_origins: bool = False) -> Any:
    handles: list[Line2D] = []
    roles = {s.role for s in symbols}
    for role in (Role.BASE, Role.TARGET, Role.TRANSIT, Role.MENTION):
        if role in roles or not symbols:
            st = ROLE_STYLES[role]
            handles.append(Line2D([], [], linestyle="none", marker=_MARKERS[role],
                                  markersize=_MARKER_SIZE[role], markerfacecolor=st.color,
                                  markeredgecolor="white", label=st.label))
    handles.append(Line2D([], [], color=PATH_COLOR, linewidth=3,
                          label="Flight path (thicker = more sources)"))
    if any(p.inferred or p.approximate for p in paths):
        handles.append(Line2D([], [], color=PATH_COLOR, linewidth=3, linestyle=(0, (5, 3)),
                              label="Inferred or approximate path"))
    if events:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=_EVENT_RING,
                              markerfacecolor="none", markeredgecolor=EVENT_COLOR,
                              markeredgewidth=2, label="Struck (actor, date)"))
    if approximate_origins:
        handles.append(Line2D([], [], color=EVENT_COLOR, linewidth=1.6,
                              linestyle=(0, (4, 4)), label="Approximate origin"))
    return fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.765, 0.885),
                      frameon=True, fontsize=11.5, title="Key", title_fontsize=12.5,
                      alignment="left", borderpad=0.8)


def _panel(fig: Figure, view: Analysis, title: str, exported: dt.datetime,
           legend: Any) -> None:
    fig.text(0.015, 0.955, title, fontsize=24, fontweight="bold", va="center",
             parse_math=False)
    n_places = len({s.entry.gazetteer_id for s in map_symbols(view)})
    subtitle = (
        f"{n_places} place{'s' if n_places != 1 else ''}, {len(view.paths)} flight "
        f"path{'s' if len(view.paths) != 1 else ''} reported in {len(view.articles)} "
        f"article{'s' if len(view.articles) != 1 else ''} · "
        f"exported {exported.strftime('%Y-%m-%d %H:%M %Z').strip()}"
    )
    fig.text(0.015, 0.912, subtitle, fontsize=13, color="#444444", va="center",
             parse_math=False)
    counts: dict[str, int] = {}
    for a in view.articles:
        counts[a.source] = counts.get(a.source, 0) + 1
    lines = [f"{src} ({n})" for src, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    limit = 12
    if len(lines) > limit:
        lines = [*lines[:limit], f"…and {len(lines) - limit} more"]
    renderer = FigureCanvasAgg(fig).get_renderer()
    legend_box = legend.get_window_extent(renderer).transformed(fig.transFigure.inverted())
    top = legend_box.y0 - 0.03
    fig.text(0.765, top, "Sources (articles)", fontsize=12.5, fontweight="bold", va="top")
    body = "\n".join(_clip(line, 44) for line in lines) or "none"
    fig.text(0.765, top - 0.032, body, fontsize=11, va="top", linespacing=1.35,
             parse_math=False)
    fig.text(0.765, 0.035, _wrap(CREDIT, 52), fontsize=9, color="#555555", va="bottom",
             linespacing=1.3)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _wrap(text: str, width: int) -> str:
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return "\n".join(lines)


def slide_bytes(
    view: Analysis,
    fmt: str,
    *,
    title: str,
    borders: dict[str, Any] | None = None,
    exported: dt.datetime | None = None,
) -> bytes:
    """The slide as PNG (1920 x 1080), SVG or PDF bytes, for a file or a download button."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in SLIDE_FORMATS:
        raise ValueError(f"unknown slide format {fmt!r}: choose one of png, svg, pdf")
    buffer = io.BytesIO()
    metadata = {"png": {"Software": "geo"}, "svg": {"Creator": "geo"},
                "pdf": {"Creator": "geo", "Title": title}}[fmt]
    with warnings.catch_warnings():
        # DejaVu Sans lacks a few scripts (Arabic, CJK): such names show as boxes, not errors.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig = draw_slide(view, title=title, borders=borders, exported=exported)
        fig.savefig(buffer, format=fmt, dpi=PNG_DPI, metadata=metadata)
    return buffer.getvalue()
