"""Write an analysis as a self-contained HTML map, GeoJSON, CSV, KML or a slide image.

The HTML map carries a time control over its dated paths and places; a slide (PNG, SVG,
PDF) is drawn by :mod:`geo.slide`.

Every format goes through :func:`geo.view.filter_analysis` first, so a file holds exactly
what the map on screen shows. Files are written atomically: a reader never sees half an
export, and a failed export leaves the old file in place.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import logging
import os
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

import simplekml
from branca.element import Figure
from folium.template import Template

from geo.geodesy import split_at_antimeridian, to_geojson_geometry
from geo.models import Analysis, FlightPath, Role
from geo.offline import RenderedOnce, external_references, render_offline
from geo.render import EVENTS_LAYER, ROLE_STYLES, build_map
from geo.spreadsheet import spreadsheet_text
from geo.strikes.incidents import Incident, IncidentWindows, merge_incidents
from geo.view import DateRange, PlaceSummary, filter_analysis, place_summaries

log = logging.getLogger(__name__)

CREDIT = (
    "Place data: GeoNames (CC BY 4.0), OurAirports (public domain), "
    "Natural Earth (public domain); map: Leaflet"
)
FORMATS = {
    ".html": "html", ".htm": "html", ".geojson": "geojson", ".csv": "csv", ".kml": "kml",
    ".png": "png", ".svg": "svg", ".pdf": "pdf",
}
# Drawn by geo.slide (matplotlib), imported only when one is asked for.
SLIDE_FORMATS = ("png", "svg", "pdf")

PLACE_COLUMNS = [
    "type", "name", "as_written", "role", "confidence", "lat", "lon", "gazetteer_id",
    "country", "feature", "doc_id", "source", "published", "evidence",
]
PATH_COLUMNS = [
    "origin", "origin_id", "origin_lat", "origin_lon", "target", "target_id", "target_lat",
    "target_lon", "distance_km", "bearing", "countries", "docs", "sources", "dates",
    "inferred",
]
EVENT_COLUMNS = ["actor", "actor_country", "means", "origin_approximate", "date_precision",
                 "precision"]
CSV_COLUMNS = PLACE_COLUMNS + [c for c in PATH_COLUMNS if c not in PLACE_COLUMNS] + EVENT_COLUMNS

# KML colours are aabbggrr.
_KML_COLORS = {
    Role.BASE: "ff9c4e1f",
    Role.TARGET: "ff1a20c0",
    Role.TRANSIT: "ff007bd9",
    Role.MENTION: "ff736b5f",
}
_KML_PATH_COLOR = "e6a21f7a"
_KML_EVENT_COLOR = "ff2b18b2"  # the map's event red, #b2182b


class _InfoPanel(RenderedOnce):
    """Title, sources, export date and credits, drawn over the map (text pre-escaped)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                .geo-info { position: absolute; top: 10px; left: 50%; transform: translateX(-50%);
                    z-index: 1000; max-width: 46%; background: rgba(255,255,255,0.95);
                    border: 1px solid #999; border-radius: 4px; padding: 6px 12px;
                    font: 12px/1.4 system-ui, sans-serif; color: #222; }
                .geo-info h1 { font-size: 16px; margin: 0 0 2px; }
                .geo-info summary { cursor: pointer; color: #444; }
                .geo-info ul { margin: 4px 0; padding-left: 18px; max-height: 30vh;
                    overflow: auto; }
            </style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
            <div class="geo-info">{{ this.body }}</div>
        {% endmacro %}
        """
    )

    def __init__(self, body: str) -> None:
        super().__init__()
        self._name = "InfoPanel"
        self.body = body


class TimeControl(RenderedOnce):
    """A day slider and a play button over the dated paths and places of the map.

    The map registers each dated layer in ``window.geoTimeline`` (``build_map(...,
    time_tags=True)``); the control shows the layers whose first day is on or before the
    chosen day, or with "that day only", those of that day. Undated layers always show.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                .geo-time { position: absolute; bottom: 26px; left: 50%; z-index: 1000;
                    transform: translateX(-50%); background: rgba(255,255,255,0.95);
                    border: 1px solid #999; border-radius: 4px; padding: 5px 10px;
                    font: 12px/1.3 system-ui, sans-serif; color: #222; display: flex;
                    align-items: center; gap: 8px; white-space: nowrap; }
                .geo-time input[type=range] { width: 260px; }
                .geo-time button { font: inherit; min-width: 30px; cursor: pointer; }
                .geo-time .geo-time-day { min-width: 215px; font-weight: 600; }
            </style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
            <div class="geo-time" id="{{ this.get_name() }}">
                <button type="button" class="geo-time-play" title="Play day by day">&#9654;</button>
                <input type="range" class="geo-time-slider" min="0" max="0" value="0"
                    aria-label="Strike day">
                <span class="geo-time-day"></span>
                <label><input type="checkbox" class="geo-time-only"> that day only</label>
            </div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function (root) {
                var items = window.geoTimeline || [];
                var days = [];
                items.forEach(function (it) {
                    it.days.forEach(function (d) { if (days.indexOf(d) < 0) { days.push(d); } });
                });
                days.sort();
                var slider = root.querySelector('.geo-time-slider');
                var label = root.querySelector('.geo-time-day');
                var only = root.querySelector('.geo-time-only');
                var play = root.querySelector('.geo-time-play');
                if (!days.length) { root.style.display = 'none'; return; }
                slider.max = days.length - 1;
                slider.value = days.length - 1;
                function show() {
                    var day = days[+slider.value];
                    items.forEach(function (it) {
                        var on = only.checked ? it.days.indexOf(day) >= 0 : it.days[0] <= day;
                        if (on && !it.group.hasLayer(it.layer)) { it.group.addLayer(it.layer); }
                        if (!on && it.group.hasLayer(it.layer)) { it.group.removeLayer(it.layer); }
                    });
                    label.textContent = (only.checked ? 'On ' : 'Through ') + day +
                        ' (day ' + (+slider.value + 1) + ' of ' + days.length + ')';
                    root.dataset.day = day;
                }
                var timer = null;
                function stop() {
                    if (timer !== null) { clearInterval(timer); timer = null; }
                    play.innerHTML = '&#9654;';
                }
                play.addEventListener('click', function () {
                    if (timer !== null) { stop(); return; }
                    if (+slider.value >= days.length - 1) { slider.value = 0; show(); }
                    play.innerHTML = '&#10074;&#10074;';
                    timer = setInterval(function () {
                        if (+slider.value >= days.length - 1) { stop(); return; }
                        slider.value = +slider.value + 1;
                        show();
                    }, {{ this.step_ms }});
                });
                slider.addEventListener('input', function () { stop(); show(); });
                only.addEventListener('change', show);
                L.DomEvent.disableClickPropagation(root);
                show();
            })(document.getElementById({{ this.get_name()|tojson }}));
        {% endmacro %}
        """
    )

    def __init__(self, step_ms: int = 900) -> None:
        super().__init__()
        self._name = "TimeControl"
        self.step_ms = int(step_ms)


def _info_html(view: Analysis, title: str, exported: dt.datetime) -> str:
    e = html.escape
    counts: dict[str, int] = {}
    for a in view.articles:
        counts[a.source] = counts.get(a.source, 0) + 1
    items = "".join(
        f"<li>{e(src)} ({n} article{'s' if n != 1 else ''})</li>"
        for src, n in sorted(counts.items())
    )
    n_places = len(place_summaries(view))
    return (
        f"<h1>{e(title)}</h1>"
        f"<div>{n_places} place{'s' if n_places != 1 else ''}, {len(view.paths)} flight "
        f"path{'s' if len(view.paths) != 1 else ''} &middot; "
        f"exported {e(exported.strftime('%Y-%m-%d %H:%M %Z').strip())}</div>"
        f"<details><summary>Sources ({len(counts)}) and credits</summary>"
        f"<ul>{items or '<li>none</li>'}</ul><div>{e(CREDIT)}</div></details>"
    )


def _html(
    view: Analysis, title: str, exported: dt.datetime, borders: dict[str, Any] | None
) -> bytes:
    m = build_map(view, borders=borders, time_tags=True)
    _InfoPanel(_info_html(view, title, exported)).add_to(m)
    TimeControl().add_to(m)
    figure = m.get_root()
    if isinstance(figure, Figure):
        figure.title = html.escape(title)  # branca pastes the title into <title> as is
    page = render_offline(m)
    leaks = external_references(page)
    if leaks:
        # The page would go blank in a room with no network: refuse rather than mislead.
        raise RuntimeError(f"the HTML export would load from the network: {leaks[:5]}")
    return page.encode("utf-8")


def _place_properties(item: PlaceSummary) -> dict[str, Any]:
    e = item.entry
    return {
        "kind": "place",
        "name": e.name,
        "role": item.role.value,
        "confidence": round(item.confidence, 4),
        "gazetteer_id": e.gazetteer_id,
        "country": e.country,
        "feature": e.feature.value,
        "as_written": list(item.names),
        "docs": list(item.docs),
        "sources": list(item.sources),
        "evidence": list(item.evidence),
    }


def _path_evidence(path: FlightPath) -> list[str]:
    return list(dict.fromkeys(ev.sentence for r in path.reports for ev in r.evidence))


def _path_properties(path: FlightPath) -> dict[str, Any]:
    return {
        "kind": "flight_path",
        "origin": path.origin.name,
        "origin_id": path.origin.gazetteer_id,
        "target": path.target.name,
        "target_id": path.target.gazetteer_id,
        "distance_km": round(path.distance_km, 1),
        "bearing": round(path.bearing, 1),
        "countries": list(path.countries),
        "docs": list(path.docs),
        "sources": list(path.sources),
        "dates": [d.isoformat() for d in path.dates],
        "confidence": round(path.confidence, 4),
        "inferred": path.inferred,
        "evidence": _path_evidence(path),
    }


def view_incidents(view: Analysis) -> tuple[Incident, ...]:
    """The view's strike events merged into incidents, as the map draws them."""
    return merge_incidents(view.events, IncidentWindows.from_env()) if view.events else ()


def _incident_properties(incident: Incident) -> dict[str, Any]:
    """What an incident's popup says: actor, means, origin, dates, sources."""
    return {
        "actor": list(incident.actors),
        "actor_country": list(incident.actor_countries),
        "means": list(incident.means),
        "origin": [o.entry.name for o in incident.origins],
        "origin_approximate": any(o.approximate for o in incident.origins),
        "dates": [d.isoformat() for d in incident.dates],
        "date_precision": incident.date_precision,
        "docs": list(incident.docs),
        "sources": list(incident.sources),
        "confidence": round(incident.confidence, 4),
        "evidence": list(dict.fromkeys(ev.sentence for ev in incident.evidence)),
    }


def _event_features(incident: Incident) -> list[dict[str, Any]]:
    """A Point per struck place, and a LineString from each approximate origin to it
    (drawn dashed on the map: where the strike came from is only roughly known)."""
    features: list[dict[str, Any]] = []
    common = _incident_properties(incident)
    for target in incident.targets:
        t = target.entry
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [t.lon, t.lat]},
            "properties": {"kind": "strike_event", "name": t.name,
                           "gazetteer_id": t.gazetteer_id, "precision": target.precision.value,
                           "approximate": target.approximate, **common},
        })
        for origin in incident.origins:
            if not origin.approximate:
                continue
            o = origin.entry
            features.append({
                "type": "Feature",
                "geometry": {"type": "LineString",
                             "coordinates": [[o.lon, o.lat], [t.lon, t.lat]]},
                "properties": {"kind": "approximate_origin", "origin": o.name,
                               "origin_id": o.gazetteer_id, "target": t.name,
                               "target_id": t.gazetteer_id, "dashed": True,
                               "sources": list(incident.sources)},
            })
    return features


def _route(path: FlightPath) -> tuple[tuple[float, float], ...]:
    if len(path.route) >= 2:
        return path.route
    return ((path.origin.lat, path.origin.lon), (path.target.lat, path.target.lon))


def geojson_dict(view: Analysis) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection: places as Points, paths as (Multi)LineStrings,
    strike events as Points with their approximate origins as LineStrings."""
    features: list[dict[str, Any]] = []
    for item in place_summaries(view):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [item.entry.lon, item.entry.lat]},
                "properties": _place_properties(item),
            }
        )
    for path in view.paths:
        features.append(
            {
                "type": "Feature",
                "geometry": to_geojson_geometry(_route(path)),
                "properties": _path_properties(path),
            }
        )
    for incident in view_incidents(view):
        features.extend(_event_features(incident))
    return {"type": "FeatureCollection", "features": features}


def _csv(view: Analysis) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    articles = {a.doc_id: a for a in view.articles}
    for pr in view.roles:  # filter_analysis already added the plain mentions
        entry = pr.place.entry
        if entry is None:
            continue
        doc = articles.get(pr.place.mention.doc_id)
        row: dict[str, Any] = {
            "type": "place",
            "name": spreadsheet_text(entry.name),
            "as_written": spreadsheet_text(pr.place.mention.text),
            "role": pr.role.value,
            "confidence": round(pr.confidence, 4),
            "lat": entry.lat,
            "lon": entry.lon,
            "gazetteer_id": spreadsheet_text(entry.gazetteer_id),
            "country": entry.country,
            "feature": entry.feature.value,
            "doc_id": spreadsheet_text(pr.place.mention.doc_id),
            "source": spreadsheet_text(doc.source if doc else ""),
            "published": doc.published.isoformat() if doc and doc.published else "",
            "evidence": spreadsheet_text(pr.evidence.sentence if pr.evidence else ""),
        }
        writer.writerow(row)
    for path in view.paths:
        writer.writerow(
            {
                "type": "flight_path",
                "name": spreadsheet_text(f"{path.origin.name} -> {path.target.name}"),
                "confidence": round(path.confidence, 4),
                "origin": spreadsheet_text(path.origin.name),
                "origin_id": spreadsheet_text(path.origin.gazetteer_id),
                "origin_lat": path.origin.lat,
                "origin_lon": path.origin.lon,
                "target": spreadsheet_text(path.target.name),
                "target_id": spreadsheet_text(path.target.gazetteer_id),
                "target_lat": path.target.lat,
                "target_lon": path.target.lon,
                "distance_km": round(path.distance_km, 1),
                "bearing": round(path.bearing, 1),
                "countries": ";".join(path.countries),
                "docs": spreadsheet_text(";".join(path.docs)),
                "sources": spreadsheet_text(";".join(path.sources)),
                "dates": ";".join(d.isoformat() for d in path.dates),
                "inferred": path.inferred,
                "evidence": spreadsheet_text(" | ".join(_path_evidence(path))),
            }
        )
    for incident in view_incidents(view):
        facts = _incident_properties(incident)
        origins = incident.origins
        for target in incident.targets:
            writer.writerow(
                {
                    "type": "strike_event",
                    "name": spreadsheet_text(target.entry.name),
                    "confidence": facts["confidence"],
                    "lat": target.entry.lat,
                    "lon": target.entry.lon,
                    "gazetteer_id": spreadsheet_text(target.entry.gazetteer_id),
                    "country": target.entry.country,
                    "feature": target.entry.feature.value,
                    "target": spreadsheet_text(target.entry.name),
                    "target_id": spreadsheet_text(target.entry.gazetteer_id),
                    "target_lat": target.entry.lat,
                    "target_lon": target.entry.lon,
                    "origin": spreadsheet_text(";".join(o.entry.name for o in origins)),
                    "origin_id": spreadsheet_text(";".join(o.entry.gazetteer_id for o in origins)),
                    "origin_lat": origins[0].entry.lat if len(origins) == 1 else "",
                    "origin_lon": origins[0].entry.lon if len(origins) == 1 else "",
                    "docs": spreadsheet_text(";".join(facts["docs"])),
                    "sources": spreadsheet_text(";".join(facts["sources"])),
                    "dates": ";".join(facts["dates"]),
                    "actor": spreadsheet_text(";".join(facts["actor"])),
                    "actor_country": ";".join(facts["actor_country"]),
                    "means": spreadsheet_text(";".join(facts["means"])),
                    "origin_approximate": facts["origin_approximate"],
                    "date_precision": facts["date_precision"],
                    "precision": target.precision.value,
                    "evidence": spreadsheet_text(" | ".join(facts["evidence"])),
                }
            )
    # A BOM lets spreadsheet programs read the UTF-8 names (Arabic, Cyrillic) correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _kml_description(rows: list[tuple[str, str]], evidence: list[str]) -> str:
    # Google Earth renders descriptions as HTML: escape once for HTML here; simplekml
    # then escapes again for XML.
    e = html.escape
    body = "".join(f"<b>{e(k)}:</b> {e(v)}<br/>" for k, v in rows)
    body += "".join(f"<blockquote>{e(s)}</blockquote>" for s in evidence[:5])
    return body


def _kml(view: Analysis, title: str) -> bytes:
    kml = simplekml.Kml(name=title)
    styles: dict[Role, simplekml.Style] = {}
    for role, color in _KML_COLORS.items():
        style = simplekml.Style()
        style.iconstyle.color = color
        style.iconstyle.scale = 1.2 if role in (Role.BASE, Role.TARGET) else 0.8
        # Names go only where Google Earth shows them as text, never into balloon HTML.
        style.balloonstyle.text = "$[description]"
        styles[role] = style
    folders = {role: kml.newfolder(name=ROLE_STYLES[role].layer) for role in _KML_COLORS}
    for item in place_summaries(view):
        e = item.entry
        point = folders[item.role].newpoint(name=e.name, coords=[(e.lon, e.lat)])
        point.style = styles[item.role]
        point.description = _kml_description(
            [
                ("Place", e.name),
                ("Role", ROLE_STYLES[item.role].label),
                ("Confidence", f"{item.confidence:.2f}"),
                ("Gazetteer id", e.gazetteer_id),
                ("Sources", ", ".join(item.sources)),
            ],
            list(item.evidence),
        )
    path_folder = kml.newfolder(name="Flight paths")
    path_styles: dict[int, simplekml.Style] = {}
    for path in view.paths:
        name = f"{path.origin.name} -> {path.target.name}"
        description = _kml_description(
            [
                ("Path", name),
                ("Distance", f"{path.distance_km:,.0f} km"),
                ("Bearing", f"{path.bearing:.0f} deg"),
                ("Countries crossed", ", ".join(path.countries)),
                ("Sources", ", ".join(path.sources)),
                ("Dates", ", ".join(d.isoformat() for d in path.dates)),
                ("Confidence", f"{path.confidence:.2f}" + (" (inferred)" if path.inferred else "")),
            ],
            _path_evidence(path),
        )
        parts = split_at_antimeridian(_route(path))
        width = min(8, 2 + len(path.sources))  # thicker with more sources, as on the map
        if width not in path_styles:
            path_styles[width] = simplekml.Style()
            path_styles[width].linestyle.color = _KML_PATH_COLOR
            path_styles[width].linestyle.width = width
            path_styles[width].balloonstyle.text = "$[description]"
        placemark: Any
        if len(parts) == 1:
            coords = [(lon, lat) for lat, lon in parts[0]]
            placemark = path_folder.newlinestring(name=name, coords=coords)
        else:
            placemark = path_folder.newmultigeometry(name=name)
            for part in parts:
                placemark.newlinestring(coords=[(lon, lat) for lat, lon in part])
        placemark.description = description
        placemark.style = path_styles[width]
    _kml_events(kml, view)
    text: str = kml.kml()
    return text.encode("utf-8")


def _kml_events(kml: simplekml.Kml, view: Analysis) -> None:
    """A "Strike events" folder: each struck place, and a line from an approximate origin
    (KML draws no dashes, so its name says so)."""
    incidents = view_incidents(view)
    if not incidents:
        return
    folder = kml.newfolder(name=EVENTS_LAYER)
    style = simplekml.Style()
    style.iconstyle.color = _KML_EVENT_COLOR
    style.linestyle.color = _KML_EVENT_COLOR
    style.linestyle.width = 2
    style.balloonstyle.text = "$[description]"
    for incident in incidents:
        facts = _incident_properties(incident)
        origins = ", ".join(o.entry.name + (" (approximate)" if o.approximate else "")
                            for o in incident.origins)
        description = _kml_description(
            [
                ("Actor", ", ".join(facts["actor"]) or "not named"),
                ("Means", ", ".join(facts["means"]) or "not named"),
                ("From", origins or "not named"),
                ("Dates", f"{', '.join(facts['dates']) or 'unknown'} "
                          f"({facts['date_precision']})"),
                ("Sources", ", ".join(facts["sources"])),
                ("Confidence", f"{incident.confidence:.2f}"),
            ],
            facts["evidence"],
        )
        for target in incident.targets:
            t = target.entry
            point = folder.newpoint(name=f"Struck: {t.name}", coords=[(t.lon, t.lat)])
            point.description = description
            point.style = style
            for origin in incident.origins:
                if origin.approximate:
                    o = origin.entry
                    line = folder.newlinestring(
                        name=f"{o.name} (approximate) -> {t.name}",
                        coords=[(o.lon, o.lat), (t.lon, t.lat)])
                    line.description = description
                    line.style = style


def export_bytes(
    analysis: Analysis,
    fmt: str,
    *,
    title: str = "geo map",
    sources: Collection[str] | None = None,
    roles: Collection[Role] | None = None,
    min_confidence: float = 0.0,
    date_range: DateRange | None = None,
    borders: dict[str, Any] | None = None,
    exported: dt.datetime | None = None,
) -> bytes:
    """The export as bytes, for ``fmt`` in html, geojson, csv, kml, png, svg, pdf (for
    download buttons)."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in set(FORMATS.values()):
        raise ValueError(
            f"unknown export format {fmt!r}: choose one of html, geojson, csv, kml, png, svg, pdf"
        )
    view = filter_analysis(
        analysis, sources=sources, roles=roles, min_confidence=min_confidence, date_range=date_range
    )
    if fmt == "html":
        when = exported or dt.datetime.now(dt.UTC)
        return _html(view, title, when, borders)
    if fmt == "geojson":
        return json.dumps(geojson_dict(view), ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "csv":
        return _csv(view)
    if fmt in SLIDE_FORMATS:
        from geo.slide import slide_bytes  # matplotlib: only for a slide

        return slide_bytes(view, fmt, title=title, borders=borders, exported=exported)
    return _kml(view, title)


def check_output_path(out: Path) -> str:
    """The format for ``out``; raises with a clear message when it cannot be written."""
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"cannot export to {out}: unknown file type {out.suffix or '(none)'!r}; "
            "use .html, .geojson, .csv, .kml, .png, .svg or .pdf"
        )
    if out.is_dir():
        raise IsADirectoryError(f"cannot export to {out}: it is a directory; give a file name")
    if not out.parent.is_dir():
        raise FileNotFoundError(f"cannot export to {out}: folder {out.parent} does not exist")
    return fmt


def write_atomic(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` through a temporary file in the same folder."""
    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); an export is an ordinary document.
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def export(
    analysis: Analysis,
    out: Path | str,
    *,
    title: str,
    sources: Collection[str] | None = None,
    roles: Collection[Role] | None = None,
    min_confidence: float = 0.0,
    date_range: DateRange | None = None,
    borders: dict[str, Any] | None = None,
    exported: dt.datetime | None = None,
) -> Path:
    """Write ``analysis`` to ``out`` in the format its suffix names; returns the path."""
    out = Path(out)
    fmt = check_output_path(out)
    data = export_bytes(
        analysis,
        fmt,
        title=title,
        sources=sources,
        roles=roles,
        min_confidence=min_confidence,
        date_range=date_range,
        borders=borders,
        exported=exported,
    )
    write_atomic(out, data)
    log.info("wrote %s (%s, %d bytes)", out, fmt, len(data))
    return out
