"""The dashboard's pure logic, kept out of ``dashboard.py`` so it can be unit-tested.

* the filters and their query-parameter form, so a view can be shared by its URL;
* safe HTML for an article with its places highlighted, and Markdown escaping for labels;
* checks on uploaded files;
* the rows of the places, paths and unplaced-mention tables;
* the strike timeline: events by day, and its Vega-Lite chart (Streamlit draws Vega from
  its own bundle, so the chart needs no network);
* :func:`prepare_for_st_folium`, which makes streamlit-folium load Leaflet from inline
  ``data:`` URIs instead of CDNs.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import html
import logging
import math
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import folium
from branca.colormap import ColorMap
from branca.element import Element
from folium.elements import JSCSSMixin

from geo.articles import ARTICLE_SUFFIXES, MANIFEST_NAME
from geo.models import Analysis, GazetteerEntry, Place, Role
from geo.normalize import name_key
from geo.offline import (
    jquery_js,
    leaflet_css,
    leaflet_js,
    make_offline,
    markercluster_css,
    markercluster_default_css,
    markercluster_js,
)
from geo.render import ROLE_STYLES
from geo.view import DateRange, place_summaries

log = logging.getLogger(__name__)

# --- filters <-> query parameters -------------------------------------------------------

ALL_ROLES: tuple[Role, ...] = (Role.BASE, Role.TARGET, Role.TRANSIT, Role.MENTION)
CONFIDENCE_STEP = 0.05
# Query-parameter names; a missing parameter means "no restriction".
P_SOURCE, P_ROLE, P_FROM, P_TO, P_CONF, P_TILES = "source", "role", "from", "to", "conf", "tiles"
FILTER_PARAMS = (P_SOURCE, P_ROLE, P_FROM, P_TO, P_CONF, P_TILES)
_TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class Filters:
    """What the user chose to see. ``None`` for sources or roles means all of them."""

    sources: frozenset[str] | None = None
    roles: frozenset[Role] | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    min_confidence: float = 0.0
    tiles: bool = False

    @property
    def date_range(self) -> DateRange | None:
        if self.start is None and self.end is None:
            return None
        return (self.start, self.end)


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _clamp_date(day: dt.date | None, bounds: tuple[dt.date, dt.date] | None) -> dt.date | None:
    if day is None or bounds is None:
        return day
    return min(max(day, bounds[0]), bounds[1])


def snap_confidence(value: float) -> float:
    """A confidence in [0, 1] on the slider's 0.05 grid (0 for anything unreadable)."""
    if not math.isfinite(value):
        return 0.0
    value = min(1.0, max(0.0, value))
    return round(round(value / CONFIDENCE_STEP) * CONFIDENCE_STEP, 2)


def decode_filters(
    params: Mapping[str, Sequence[str]],
    *,
    sources: Collection[str],
    dates: tuple[dt.date, dt.date] | None = None,
) -> Filters:
    """The filters a URL's query parameters ask for, made to fit the data at hand.

    ``params`` maps a name to all its values (``?source=A&source=B``). Unknown source
    names and roles are dropped; an empty value (``?source=``) selects none. A list that
    names no known source at all falls back to every source: a link shared from another
    machine should not open on an empty map. Dates are clamped to ``dates`` (the span of
    the articles); junk values are ignored.
    """
    known = set(sources)
    chosen_sources: frozenset[str] | None = None
    if P_SOURCE in params:
        given = {v for v in params[P_SOURCE] if v}
        if not given:
            chosen_sources = frozenset()
        elif given & known and not known <= given:
            chosen_sources = frozenset(given & known)

    chosen_roles: frozenset[Role] | None = None
    if P_ROLE in params:
        wanted = {r for r in ALL_ROLES if r.value in set(params[P_ROLE])}
        if not any(params[P_ROLE]):
            chosen_roles = frozenset()
        elif wanted and len(wanted) < len(ALL_ROLES):
            chosen_roles = frozenset(wanted)

    def one(name: str) -> str:
        values = params.get(name) or [""]
        return values[-1]

    start = _clamp_date(_parse_date(one(P_FROM)), dates)
    end = _clamp_date(_parse_date(one(P_TO)), dates)
    if start is not None and end is not None and start > end:
        start, end = end, start
    if dates is not None:
        # The full span is no restriction: keep undated-looking URLs clean.
        start = None if start == dates[0] else start
        end = None if end == dates[1] else end
    try:
        confidence = snap_confidence(float(one(P_CONF) or 0.0))
    except ValueError:
        confidence = 0.0
    return Filters(
        sources=chosen_sources,
        roles=chosen_roles,
        start=start,
        end=end,
        min_confidence=confidence,
        tiles=one(P_TILES).strip().lower() in _TRUE,
    )


def encode_filters(
    filters: Filters,
    *,
    sources: Collection[str],
    dates: tuple[dt.date, dt.date] | None = None,
) -> dict[str, list[str]]:
    """The query parameters for ``filters``; what is unrestricted is left out."""
    out: dict[str, list[str]] = {}
    if filters.sources is not None and not set(sources) <= filters.sources:
        chosen = sorted(s for s in filters.sources if s in set(sources))
        out[P_SOURCE] = chosen or [""]
    if filters.roles is not None and not set(ALL_ROLES) <= filters.roles:
        out[P_ROLE] = [r.value for r in ALL_ROLES if r in filters.roles] or [""]
    start, end = filters.start, filters.end
    if start is not None and (dates is None or start > dates[0]):
        out[P_FROM] = [start.isoformat()]
    if end is not None and (dates is None or end < dates[1]):
        out[P_TO] = [end.isoformat()]
    confidence = snap_confidence(filters.min_confidence)
    if confidence > 0:
        out[P_CONF] = [f"{confidence:.2f}"]
    if filters.tiles:
        out[P_TILES] = ["1"]
    return out


def date_bounds(analysis: Analysis) -> tuple[dt.date, dt.date] | None:
    """The first and last publication dates of the articles, if any is dated."""
    days = [a.published for a in analysis.articles if a.published is not None]
    return (min(days), max(days)) if days else None


# --- safe text --------------------------------------------------------------------------

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'^@%])")
UNPLACED_COLOR = "#6b6b6b"


@dataclass(frozen=True)
class Highlight:
    """A span of an article to mark; ``color`` is ``#rrggbb``, ``label`` goes in a tooltip."""

    start: int
    end: int
    color: str
    label: str
    dashed: bool = False


def md_escape(text: str) -> str:
    """``text`` with every Markdown-active character backslash-escaped.

    Streamlit renders labels, captions and ``st.markdown`` as Markdown, in which an
    article's ``![x](http://...)`` would fetch an image and ``[x](...)`` make a link.
    """
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _non_overlapping(spans: Iterable[Highlight], length: int) -> list[Highlight]:
    """Valid spans in text order; where two overlap the earlier (then longer) one wins."""
    ordered = sorted(
        (s for s in spans if 0 <= s.start < s.end <= length),
        key=lambda s: (s.start, -(s.end - s.start)),
    )
    kept: list[Highlight] = []
    for span in ordered:
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


def highlight_html(text: str, spans: Iterable[Highlight]) -> str:
    """The article as HTML with the spans marked; all text and labels are escaped.

    Colours that are not plain ``#rrggbb`` fall back to grey, so a caller can never
    inject style either.
    """
    parts: list[str] = []
    at = 0
    for span in _non_overlapping(spans, len(text)):
        color = span.color if _COLOR.match(span.color) else UNPLACED_COLOR
        line = "dashed" if span.dashed else "solid"
        parts.append(html.escape(text[at : span.start]))
        parts.append(
            f'<span class="geo-hl" title="{html.escape(span.label, quote=True)}" '
            f'style="background:{color}2e;border-bottom:2px {line} {color};'
            f'border-radius:2px;padding:0 1px">'
            f"{html.escape(text[span.start : span.end])}</span>"
        )
        at = span.end
    parts.append(html.escape(text[at:]))
    return (
        '<div class="geo-article" style="white-space:pre-wrap;line-height:1.55;'
        'font-size:0.95rem;max-height:32rem;overflow:auto;padding:0.5rem 0.75rem;'
        'border:1px solid #ddd;border-radius:6px">' + "".join(parts) + "</div>"
    )


def article_highlights(view: Analysis, doc_id: str) -> list[Highlight]:
    """Each place of one article in its role's colour; unplaced mentions grey and dashed."""
    marks = []
    for pr in view.roles:
        if pr.place.mention.doc_id != doc_id or pr.place.entry is None:
            continue
        style = ROLE_STYLES[pr.role]
        m = pr.place.mention
        marks.append(
            Highlight(m.start, m.end, style.color, f"{pr.place.entry.name}: {style.label}")
        )
    for place in view.places:
        m = place.mention
        if m.doc_id == doc_id and not place.resolved:
            marks.append(Highlight(m.start, m.end, UNPLACED_COLOR, "not placed", dashed=True))
    return marks


def legend_html() -> str:
    """The role colours as a one-line key for the article reader (trusted markup)."""
    items = [
        f'<span style="border-bottom:2px solid {s.color};background:{s.color}2e;'
        f'padding:0 4px;margin-right:10px">{html.escape(s.label)}</span>'
        for s in ROLE_STYLES.values()
    ]
    items.append(
        f'<span style="border-bottom:2px dashed {UNPLACED_COLOR};padding:0 4px">'
        "not placed</span>"
    )
    return '<div style="font-size:0.85rem;margin:0.25rem 0 0.5rem">' + "".join(items) + "</div>"


# --- uploads ----------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_SUFFIXES = (".txt", ".html", ".htm")


def check_upload(name: str, size: int, *, limit: int = MAX_UPLOAD_BYTES) -> str | None:
    """Why an uploaded file is refused, or None when it may be read.

    The name is looked at only for its suffix; it never becomes a path.
    """
    base = re.split(r"[\\/]", name.replace("\x00", ""))[-1]
    suffix = PurePosixPath(base).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        return f"unsupported file type '{suffix or '(none)'}': upload .txt, .html or .htm"
    if size <= 0:
        return "the file is empty"
    if size > limit:
        return f"the file is {size / 1e6:.1f} MB, over the {limit / 1e6:.1f} MB limit"
    return None


def as_date(value: object) -> dt.date | None:
    """A date from a table cell (date, datetime, pandas timestamp, ISO text), else None."""
    if value is None or value != value:  # NaN and NaT are not equal to themselves
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


# --- cache keys -------------------------------------------------------------------------

FilesKey = tuple[tuple[str, int, int], ...]


def files_key(paths: Iterable[Path], root: Path) -> FilesKey:
    """Name, mtime and size of each file: any edit, addition or removal changes the key."""
    found = []
    for path in sorted(paths):
        with contextlib.suppress(OSError):  # gone since listed: simply not in the key
            stat = path.stat()
            found.append((str(path.relative_to(root)), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def folder_key(folder: Path) -> FilesKey:
    """The key of a folder's articles and manifests (what ``load_articles`` reads)."""
    if not folder.is_dir():
        return ()
    wanted = (
        p for p in folder.rglob("*")
        if (p.suffix.lower() in ARTICLE_SUFFIXES or p.name == MANIFEST_NAME) and p.is_file()
    )
    return files_key(wanted, folder)


def unique_doc_id(doc_id: str, taken: Collection[str]) -> str:
    """``doc_id``, or ``doc_id-2``, ``-3``... when an article already has it."""
    if doc_id not in taken:
        return doc_id
    n = 2
    while f"{doc_id}-{n}" in taken:
        n += 1
    return f"{doc_id}-{n}"


# --- tables -----------------------------------------------------------------------------


def place_rows(view: Analysis) -> list[dict[str, object]]:
    """One row per place and role: what the places table shows."""
    counts: dict[tuple[str, Role], int] = {}
    for pr in view.roles:
        if pr.place.entry is not None:
            key = (pr.place.entry.gazetteer_id, pr.role)
            counts[key] = counts.get(key, 0) + 1
    rows: list[dict[str, object]] = []
    for item in place_summaries(view):
        e = item.entry
        rows.append(
            {
                "Name": e.name,
                "Role": ROLE_STYLES[item.role].label,
                "Mentions": counts.get((e.gazetteer_id, item.role), 0),
                "Sources": ", ".join(item.sources),
                "Latitude": round(e.lat, 4),
                "Longitude": round(e.lon, 4),
                "Gazetteer id": e.gazetteer_id,
                "Country": e.country,
                "Confidence": round(item.confidence, 2),
                "As written": ", ".join(item.names),
            }
        )
    order = {ROLE_STYLES[r].label: i for i, r in enumerate(ALL_ROLES)}
    rows.sort(key=lambda r: (order.get(str(r["Role"]), 9), -int(str(r["Mentions"]))))
    return rows


def path_rows(view: Analysis, country_names: Mapping[str, str]) -> list[dict[str, object]]:
    """One row per flight path: what the paths table shows."""
    rows: list[dict[str, object]] = []
    for path in sorted(view.paths, key=lambda p: (-len(p.sources), -p.confidence)):
        rows.append(
            {
                "Origin": path.origin.name,
                "Target": path.target.name,
                "km": round(path.distance_km),
                "Countries crossed": ", ".join(country_names.get(c, c) for c in path.countries),
                "Sources": ", ".join(path.sources),
                "Reports": len(path.reports),
                "Confidence": round(path.confidence, 2),
                "Inferred": path.inferred,
                "Dates": ", ".join(d.isoformat() for d in path.dates),
            }
        )
    return rows


@dataclass(frozen=True)
class Unplaced:
    """The mentions of one name that could not be placed, and the entries it might be."""

    key: str
    name: str
    places: tuple[Place, ...]
    candidates: tuple[GazetteerEntry, ...]

    @property
    def docs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.mention.doc_id for p in self.places))


def unplaced_groups(view: Analysis) -> list[Unplaced]:
    """The unresolved mentions grouped by name key, most mentioned first."""
    groups: dict[str, list[Place]] = {}
    for place in view.places:
        if place.resolved:
            continue
        key = name_key(place.mention.text)
        if key:
            groups.setdefault(key, []).append(place)
    out = []
    for key, places in groups.items():
        candidates = {c.gazetteer_id: c for p in places for c in p.candidates}
        out.append(
            Unplaced(key, places[0].mention.text, tuple(places), tuple(candidates.values()))
        )
    out.sort(key=lambda u: (-len(u.places), u.key))
    return out


def context_of(text: str, start: int, end: int, width: int = 120) -> tuple[str, int, int]:
    """A window of ``text`` around a span, with the span's offsets inside the window."""
    left = max(0, start - width)
    right = min(len(text), end + width)
    prefix = "…" if left > 0 else ""
    suffix = "…" if right < len(text) else ""
    snippet = prefix + text[left:right].replace("\n", " ") + suffix
    return snippet, start - left + len(prefix), end - left + len(prefix)


def entry_label(entry: GazetteerEntry) -> str:
    """A one-line description of a gazetteer entry for a picker."""
    where = f", {entry.country}" if entry.country else ""
    return (
        f"{entry.name} ({entry.feature.value}{where}) "
        f"{entry.lat:.3f}, {entry.lon:.3f} · {entry.gazetteer_id}"
    )


# --- the strike timeline --------------------------------------------------------------

SHOWN, FILTERED_OUT = "shown", "filtered out"
TIMELINE_COLORS = {SHOWN: ROLE_STYLES[Role.TARGET].color, FILTERED_OUT: "#c8c8c8"}
_MAX_LISTED = 6


@dataclass(frozen=True)
class TimelineDay:
    """The strikes reported for one day, split by whether the filters show them."""

    day: dt.date
    status: str  # SHOWN or FILTERED_OUT
    strikes: int
    targets: tuple[str, ...]
    sources: tuple[str, ...]


def _strike_items(analysis: Analysis
                  ) -> list[tuple[str, dt.date, tuple[str, ...], str]]:
    """(doc id, day, targets, source) for each strike and day it is dated to.

    Strike events when the analysis has them; else the flight paths' dates (one item per
    path, report and date), so a hand-built or older analysis still has a timeline.
    """
    items: list[tuple[str, dt.date, tuple[str, ...], str]] = []
    for event in analysis.events:
        targets = tuple(dict.fromkeys(p.entry.name for p in event.targets))
        items.extend((event.doc_id, day, targets, event.source) for day in event.dates)
    if analysis.events:
        return items
    for path in analysis.paths:
        for report in path.reports:
            days = set(path.dates) | ({report.published} if report.published else set())
            items.extend((report.doc_id, day, (path.target.name,), report.source)
                         for day in sorted(days))
    return items


def timeline_days(analysis: Analysis, view: Analysis) -> list[TimelineDay]:
    """Strikes by day over the whole ``analysis``; those of ``view``'s articles are SHOWN.

    ``view`` is the filtered analysis the map draws, so the timeline and the map agree: a
    strike is shown exactly when its article is on the map.
    """
    shown_docs = {a.doc_id for a in view.articles}
    groups: dict[tuple[dt.date, str], list[tuple[tuple[str, ...], str]]] = {}
    for doc_id, day, targets, source in _strike_items(analysis):
        status = SHOWN if doc_id in shown_docs else FILTERED_OUT
        groups.setdefault((day, status), []).append((targets, source))
    return [
        TimelineDay(day, status, len(found),
                    tuple(dict.fromkeys(t for ts, _ in found for t in ts)),
                    tuple(dict.fromkeys(s for _, s in found)))
        for (day, status), found in sorted(groups.items())
    ]


def _listed(names: Sequence[str]) -> str:
    more = len(names) - _MAX_LISTED
    return ", ".join(names[:_MAX_LISTED]) + (f" and {more} more" if more > 0 else "")


def _vega_day(day: dt.date) -> dict[str, int | bool]:
    return {"year": day.year, "month": day.month, "date": day.day, "utc": True}


def timeline_spec(days: Sequence[TimelineDay], *, selected: DateRange | None = None,
                  span: tuple[dt.date, dt.date] | None = None,
                  height: int = 150) -> dict[str, Any]:
    """A Vega-Lite bar chart of strikes per day, the chosen date range shaded behind.

    The axis covers ``span`` (the articles' dates, as the date slider does) and every
    strike's day. Days are UTC calendar days, so no browser's time zone moves a bar to the
    next day. Names go in as data, never as markup: Vega draws text, not HTML.
    """
    values = [
        {"day": d.day.isoformat(), "status": d.status, "strikes": d.strikes,
         "targets": _listed(d.targets), "sources": _listed(d.sources)}
        for d in days
    ]
    shown_days = [d.day for d in days] + list(span or ())
    scale: dict[str, Any] = {"type": "utc"}
    if shown_days:
        scale["domain"] = [_vega_day(min(shown_days)),
                           _vega_day(max(shown_days) + dt.timedelta(days=1))]
    x = {"field": "day", "type": "temporal", "timeUnit": "utcyearmonthdate", "title": None,
         "scale": scale, "axis": {"format": "%b %d", "labelAngle": 0}}
    bars = {
        "data": {"values": values},
        # A day is a hair's width on a span of months: bars get a readable width.
        "mark": {"type": "bar", "tooltip": True, "size": 7, "cornerRadiusTopLeft": 2,
                 "cornerRadiusTopRight": 2},
        "encoding": {
            "x": x,
            "y": {"field": "strikes", "type": "quantitative", "aggregate": "sum",
                  "title": "strikes reported", "axis": {"tickMinStep": 1}},
            "color": {"field": "status", "type": "nominal", "title": None,
                      "scale": {"domain": list(TIMELINE_COLORS),
                                "range": list(TIMELINE_COLORS.values())},
                      "legend": {"orient": "top"}},
            "order": {"field": "status", "sort": "descending"},
            "tooltip": [
                {"field": "day", "type": "temporal", "timeUnit": "utcyearmonthdate",
                 "title": "Day", "format": "%Y-%m-%d"},
                {"field": "status", "title": "On the map"},
                {"field": "strikes", "title": "Strikes"},
                {"field": "targets", "title": "Targets"},
                {"field": "sources", "title": "Sources"},
            ],
        },
    }
    layers: list[dict[str, Any]] = []
    if selected is not None and values:
        first, last = min(d.day for d in days), max(d.day for d in days)
        start, end = selected[0] or first, selected[1] or last
        layers.append({
            "data": {"values": [{"start": start.isoformat(),
                                 "end": (end + dt.timedelta(days=1)).isoformat()}]},
            "mark": {"type": "rect", "color": "#4c78a8", "opacity": 0.08},
            "encoding": {"x": {"field": "start", "type": "temporal", "scale": scale},
                         "x2": {"field": "end"}},
        })
    layers.append(bars)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",  # a name, not fetched
        "height": height,
        "layer": layers,
        "config": {"view": {"stroke": None}},
    }


# --- Leaflet for streamlit-folium, with no network ------------------------------------

# The libraries a folium map may ask for that geo can ship; the rest are dropped (geo draws
# its symbols as inline SVG and needs no Bootstrap, Font-Awesome or awesome-markers).
_JS_SOURCES = {"leaflet": leaflet_js, "jquery": jquery_js, "markerclusterjs": markercluster_js}
_CSS_SOURCES = {
    "leaflet_css": leaflet_css,
    "markerclustercss": markercluster_css,
    "markerclusterdefaultcss": markercluster_default_css,
}


@functools.cache
def data_uri(kind: str) -> str:
    """The ``data:`` URI of one shipped library (``leaflet``, ``jquery``, ``leaflet_css``)."""
    if kind in _JS_SOURCES:
        mime, code = "text/javascript", _JS_SOURCES[kind]()
    else:
        mime, code = "text/css", _CSS_SOURCES[kind]()
    encoded = base64.b64encode(code.encode("utf-8")).decode("ascii")
    return f"data:{mime};charset=utf-8;base64,{encoded}"


def walk(element: Element) -> Iterator[Element]:
    """``element`` and all its descendants."""
    yield element
    for child in list(element._children.values()):
        yield from walk(child)


def prepare_for_st_folium(m: folium.Map) -> folium.Map:
    """Make ``m`` draw inside ``st_folium`` with no request leaving the machine.

    st_folium strips every ``<script src>`` and stylesheet link from the map's header and
    instead loads the ``default_js`` / ``default_css`` URLs of each element in the map, in
    the component's iframe, before running the map's script; the header's inline scripts
    are pasted in through ``innerHTML`` and never run. So :func:`geo.offline.make_offline`
    alone leaves the map blank offline. Here each element's links become ``data:`` URIs of
    the libraries installed with geo (no fetch at all), and links geo cannot ship are
    dropped. Returns ``m``.
    """
    make_offline(m)  # keeps m.get_root().render() self-contained too
    for element in walk(m):
        if isinstance(element, ColorMap):
            # st_folium adds d3 from two CDNs for any colour map; geo's maps have none.
            raise ValueError("a branca colour map needs d3 from a CDN; it cannot draw offline")
        if not isinstance(element, JSCSSMixin):
            continue
        js, css = [], []
        for name, url in element.default_js:
            if name in _JS_SOURCES:
                js.append((name, data_uri(name)))
            elif not url.startswith("data:"):
                log.debug("dropped %s (%s) for the dashboard map", name, url)
        for name, url in element.default_css:
            if name in _CSS_SOURCES:
                css.append((name, data_uri(name)))
            elif not url.startswith("data:"):
                log.debug("dropped %s (%s) for the dashboard map", name, url)
        # Instance attributes: folium's class-level lists stay as they are for other maps.
        element.default_js = js
        element.default_css = css
    return m


def component_links(m: folium.Map) -> list[str]:
    """The script and stylesheet URLs st_folium would load for ``m`` (as it collects them)."""
    links: list[str] = []
    for element in walk(m):
        links.extend(url for _, url in getattr(element, "default_js", []))
        links.extend(url for _, url in getattr(element, "default_css", []))
    return list(dict.fromkeys(links))
