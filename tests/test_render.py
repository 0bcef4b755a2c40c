"""Tests for geo.render and geo.view on a hand-built analysis (no extractor involved)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as html_module
import json
import re
from typing import Any

import folium
import pytest
from folium.plugins import MarkerCluster

from geo.basemap import country_labels, major_cities
from geo.geodesy import geodesic_route
from geo.models import (
    Analysis,
    Article,
    Evidence,
    Feature,
    FlightPath,
    GazetteerEntry,
    Mention,
    Place,
    PlaceRole,
    Report,
    Role,
)
from geo.offline import (
    external_references,
    jquery_js,
    leaflet_js,
    markercluster_js,
    render_offline,
)
from geo.render import (
    CLUSTER_OPERATIONAL_OVER,
    ROLE_STYLES,
    ClusteredPlaces,
    arrow_points,
    build_map,
    compact_borders,
    path_weight,
    screen_angle,
)
from geo.symbols import MENTION_LABEL_ZOOM
from geo.view import effective_roles, filter_analysis, place_summaries

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
# Breaks out of a JavaScript template literal if pasted into one (folium's Popup does).
TEMPLATE_BREAK = "${alert(3)} `x` \\`"
REUTERS = "Reuters"
HOSTILE_SOURCE = f"Evil Wire {SCRIPT}"

HMEIMIM = GazetteerEntry("icao:OSLK", "Hmeimim Air Base", 35.401, 35.949, "SY", Feature.AIRBASE)
KYIV = GazetteerEntry("geonames:703448", "Kyiv", 50.4501, 30.5234, "UA", Feature.CITY)
ODESA = GazetteerEntry("geonames:698740", f"Odesa {IMG}", 46.4775, 30.7326, "UA", Feature.CITY)
TEHRAN = GazetteerEntry("geonames:112931", "Tehran", 35.6944, 51.4215, "IR", Feature.CITY)
MOSCOW = GazetteerEntry("geonames:524901", "Moscow", 55.7522, 37.6156, "RU", Feature.CITY)
GUAM = GazetteerEntry("icao:PGUA", "Andersen AFB", 13.584, 144.93, "GU", Feature.AIRBASE)
HAWAII = GazetteerEntry("icao:PHNL", "Hickam Field", 21.3187, -157.9225, "US", Feature.AIRBASE)

DAY1 = dt.date(2024, 4, 13)
DAY2 = dt.date(2024, 4, 20)


def _place(doc: str, text: str, entry: GazetteerEntry, conf: float = 0.9) -> Place:
    return Place(Mention(doc, 0, len(text), text), entry, conf)


def _role(place: Place, role: Role, conf: float, sentence: str) -> PlaceRole:
    return PlaceRole(place, role, conf, Evidence(place.mention.doc_id, sentence, 0, len(sentence)))


def _path(
    origin: GazetteerEntry,
    target: GazetteerEntry,
    reports: tuple[Report, ...],
    conf: float = 0.8,
    **extra: Any,
) -> FlightPath:
    route = geodesic_route((origin.lat, origin.lon), (target.lat, target.lon), step_km=200)
    return FlightPath(
        origin=origin,
        target=target,
        route=route.points,
        distance_km=route.distance_km,
        bearing=route.initial_bearing,
        countries=("SY", "TR", "UA"),
        reports=reports,
        confidence=conf,
        **extra,
    )


def sample_analysis() -> Analysis:
    """Two articles from two sources; a base, targets, transit, a mention and two paths.

    Article ``a2`` (source :data:`HOSTILE_SOURCE`) alone reports the Pacific path, which
    crosses the antimeridian, and the Odesa target; both articles report Hmeimim->Kyiv.
    """
    a1 = Article("a1", "text one", source=REUTERS, title="One", published=DAY1)
    a2 = Article("a2", "text two", source=HOSTILE_SOURCE, title="Two", published=DAY2)
    s1 = "Russian jets took off from Hmeimim and struck Kyiv overnight, via Tehran."
    s2 = f"Bombers from {SCRIPT} Hmeimim hit Kyiv and {IMG} Odesa. {TEMPLATE_BREAK}"
    s3 = "B-52s flew from Andersen AFB on Guam to Hickam Field."
    p_base1 = _place("a1", "Hmeimim", HMEIMIM)
    p_kyiv1 = _place("a1", "Kyiv", KYIV)
    p_tehran = _place("a1", "Tehran", TEHRAN)
    p_moscow = _place("a1", "Moscow", MOSCOW, conf=0.4)  # no role: a plain mention
    p_base2 = _place("a2", f"Hmeimim{SCRIPT}", HMEIMIM)
    p_kyiv2 = _place("a2", "Kiev", KYIV)
    p_odesa = _place("a2", f"Odesa{IMG}", ODESA)
    p_guam = _place("a2", "Guam", GUAM)
    p_hawaii = _place("a2", "Hickam", HAWAII)
    unresolved = Place(Mention("a2", 0, 7, "Nowhere"), None, 0.0)
    roles = (
        _role(p_base1, Role.BASE, 0.9, s1),
        _role(p_kyiv1, Role.TARGET, 0.85, s1),
        _role(p_tehran, Role.TRANSIT, 0.5, s1),
        _role(p_base2, Role.BASE, 0.8, s2),
        _role(p_kyiv2, Role.TARGET, 0.8, s2),
        _role(p_odesa, Role.TARGET, 0.7, s2),
        _role(p_guam, Role.BASE, 0.75, s3),
        _role(p_hawaii, Role.TARGET, 0.6, s3),
    )
    ev1 = Evidence("a1", s1, 0, len(s1), "struck")
    ev2 = Evidence("a2", s2, 0, len(s2), "hit")
    ev3 = Evidence("a2", s3, 0, len(s3), "flew")
    both = _path(
        HMEIMIM,
        KYIV,
        (Report("a1", REUTERS, DAY1, (ev1,)), Report("a2", HOSTILE_SOURCE, DAY2, (ev2,))),
        dates=(DAY1, DAY2),
    )
    pacific = _path(
        GUAM, HAWAII, (Report("a2", HOSTILE_SOURCE, DAY2, (ev3,)),), conf=0.6, dates=(DAY2,)
    )
    odesa = _path(
        HMEIMIM, ODESA, (Report("a2", HOSTILE_SOURCE, DAY2, (ev2,)),), conf=0.5, inferred=True
    )
    places = (
        p_base1, p_kyiv1, p_tehran, p_moscow, p_base2, p_kyiv2, p_odesa, p_guam, p_hawaii,
        unresolved,
    )
    return Analysis(
        articles=(a1, a2), places=places, roles=roles, paths=(both, pacific, odesa)
    )


def small_borders() -> dict[str, Any]:
    """Two square 'countries', enough to draw an outline layer quickly."""

    def square(iso2: str, name: str, lon: float, lat: float, size: float) -> dict[str, Any]:
        ring = [
            [lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]
        ]
        return {
            "type": "Feature",
            "properties": {"iso2": iso2, "name": name, "extra": "dropped"},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }

    return {
        "type": "FeatureCollection",
        "features": [
            square("UA", "Ukraine", 22.0, 44.5, 18.0),
            square("SY", "Syria", 35.7, 32.3, 6.0),
        ],
    }


def render(m: folium.Map) -> str:
    html: str = m.get_root().render()
    return html


# --- filter_analysis -----------------------------------------------------------------


def test_filter_none_keeps_everything_and_adds_plain_mentions() -> None:
    analysis = sample_analysis()
    view = filter_analysis(analysis)
    assert view.paths == analysis.paths
    assert len(view.articles) == 2
    mentions = [r for r in view.roles if r.role is Role.MENTION]
    assert [r.place.entry for r in mentions] == [MOSCOW]
    # Unresolved places stay in places (the dashboard may list them), never in roles.
    assert any(not p.resolved for p in view.places)


def test_filter_by_source_drops_what_only_the_other_source_reported() -> None:
    view = filter_analysis(sample_analysis(), sources=[REUTERS])
    assert [a.doc_id for a in view.articles] == ["a1"]
    assert [(p.origin, p.target) for p in view.paths] == [(HMEIMIM, KYIV)]
    (path,) = view.paths
    assert path.sources == (REUTERS,)
    assert path.docs == ("a1",)
    assert path.dates == (DAY1,)  # DAY2 came only from the dropped report
    entries = {r.place.entry for r in view.roles}
    assert ODESA not in entries and GUAM not in entries and HAWAII not in entries
    assert HMEIMIM in entries and KYIV in entries
    assert all(r.place.mention.doc_id == "a1" for r in view.roles)


def test_filter_by_role_confidence_and_date() -> None:
    analysis = sample_analysis()
    targets = filter_analysis(analysis, roles=[Role.TARGET])
    assert {r.role for r in targets.roles} == {Role.TARGET}
    assert len(targets.paths) == 3  # roles do not touch paths
    confident = filter_analysis(analysis, min_confidence=0.7)
    assert all(r.confidence >= 0.7 for r in confident.roles)
    assert all(p.confidence >= 0.7 for p in confident.paths)
    assert MOSCOW not in {r.place.entry for r in confident.roles}
    early = filter_analysis(analysis, date_range=(None, dt.date(2024, 4, 15)))
    assert [a.doc_id for a in early.articles] == ["a1"]
    assert len(early.paths) == 1
    assert early.paths[0].dates == (DAY1,)


def test_filter_is_idempotent() -> None:
    analysis = sample_analysis()
    for kwargs in ({}, {"roles": [Role.BASE]}, {"sources": [REUTERS]}, {"min_confidence": 0.8}):
        once = filter_analysis(analysis, **kwargs)
        assert filter_analysis(once) == once, kwargs


def test_undated_articles_pass_date_filter() -> None:
    analysis = sample_analysis()
    undated = dataclasses.replace(analysis.articles[0], published=None)
    analysis = dataclasses.replace(analysis, articles=(undated, analysis.articles[1]))
    view = filter_analysis(analysis, date_range=(dt.date(2030, 1, 1), None))
    assert [a.doc_id for a in view.articles] == ["a1"]


def test_place_summaries_group_by_place_and_role() -> None:
    items = place_summaries(filter_analysis(sample_analysis()))
    base = [i for i in items if i.entry == HMEIMIM and i.role is Role.BASE]
    assert len(base) == 1
    assert base[0].docs == ("a1", "a2")
    assert base[0].sources == (REUTERS, HOSTILE_SOURCE)
    assert base[0].confidence == 0.9
    assert len(effective_roles(sample_analysis())) == len(sample_analysis().roles) + 1


# --- geometry helpers --------------------------------------------------------------


def test_screen_angle_and_arrows() -> None:
    assert screen_angle((0.0, 0.0), (0.0, 10.0)) == pytest.approx(90.0)
    assert screen_angle((0.0, 0.0), (10.0, 0.0)) == pytest.approx(0.0)
    assert screen_angle((10.0, 0.0), (0.0, 0.0)) == pytest.approx(180.0)
    route = [(0.0, float(lon)) for lon in range(0, 11)]
    arrows = arrow_points(route, 3)
    assert len(arrows) == 3
    assert all(angle == pytest.approx(90.0) for _, angle in arrows)
    assert [p[1] for p, _ in arrows] == sorted(p[1] for p, _ in arrows)


def test_path_weight_grows_with_sources() -> None:
    assert path_weight(1) < path_weight(2) < path_weight(3)
    assert path_weight(50) <= 9


def test_compact_borders_keeps_only_what_the_map_needs() -> None:
    compact = compact_borders(small_borders())
    props = compact["features"][0]["properties"]
    assert props == {"iso2": "UA", "name": "Ukraine"}


# --- build_map ------------------------------------------------------------------------


def test_build_map_layers_legend_and_control_last() -> None:
    m = build_map(sample_analysis(), borders=small_borders())
    children = list(m._children.values())
    assert isinstance(children[-1], folium.LayerControl)
    names = [c.layer_name for c in children if isinstance(c, folium.FeatureGroup | MarkerCluster)]
    assert names == ["Flight paths", "Mentioned places", "Transit", "Bases", "Targets"]
    # Mentioned places cluster; a handful of operational symbols never does.
    clustered = [c.layer_name for c in children if isinstance(c, MarkerCluster)]
    assert clustered == ["Mentioned places"]
    html = render(m)
    assert "Country outlines" in html
    assert "geo-legend" in html
    for style in ROLE_STYLES.values():
        assert style.label in html
    assert "fitBounds" in html


def test_build_map_is_self_contained_and_has_no_tiles_by_default() -> None:
    html = render(build_map(sample_analysis(), borders=small_borders()))
    assert external_references(html) == []
    assert "L.tileLayer" not in html
    assert "Leaflet 1.9.3" in html and "L.map(" in html
    online = render(build_map(sample_analysis(), borders=small_borders(), online_tiles=True))
    assert "L.tileLayer" in online
    assert "OpenStreetMap tiles (online)" in online


def test_build_map_escapes_hostile_text() -> None:
    html = render(build_map(sample_analysis(), borders=small_borders()))
    for bad in (SCRIPT, IMG, "<img", "onerror=alert(1)>", "<script>alert"):
        assert bad not in html, bad
    # The text is there, escaped (and then JSON-encoded inside the script).
    assert "\\u0026lt;script\\u0026gt;alert(1)" in html
    # Every <script> tag in the page is one geo or folium wrote: bare, no attributes.
    ours = html.replace(leaflet_js(), "").replace(jquery_js(), "")
    assert set(re.findall(r"<script[^>]*>", ours)) == {"<script>"}
    # The template-literal breaker stays a plain string inside JSON.
    assert "${alert(3)}" in html
    assert "`${alert(3)}" not in html


def test_template_syntax_in_article_text_is_never_evaluated() -> None:
    """folium renders what an element wrote as a Jinja template again: text from an
    article must reach the page as text, in the map and in the export."""
    from geo.export import export_bytes

    jinja = "{{ 7*7 }} {% if true %}ran{% endif %} {# gone #}"
    sentence = f"Jets from Hmeimim struck Kyiv. {jinja}"
    source = f"Wire {jinja}"
    evidence = Evidence("a1", sentence, 0, len(sentence), "struck")
    path = _path(HMEIMIM, KYIV, (Report("a1", source, DAY1, (evidence,)),), dates=(DAY1,))
    base, target = _place("a1", "Hmeimim", HMEIMIM), _place("a1", "Kyiv", KYIV)
    analysis = Analysis(
        articles=(Article("a1", sentence, source=source, title=f"Title {jinja}",
                          published=DAY1),),
        places=(base, target),
        roles=(_role(base, Role.BASE, 0.9, sentence), _role(target, Role.TARGET, 0.9, sentence)),
        paths=(path,),
    )
    pages = {
        "map": render(build_map(analysis, borders=small_borders())),
        "export": export_bytes(analysis, "html", title=f"Briefing {jinja}").decode("utf-8"),
    }
    for name, page in pages.items():
        # Each opener is a JSON escape in the page; the browser reads it back as "{".
        for kept in ("\\u007b{ 7*7 }}", "\\u007b% endif %}", "\\u007b# gone #}"):
            assert kept in page, (name, kept)
        assert "Wire 49" not in page and "Wire  ran" not in page, name


def test_build_map_filters_and_splits_at_antimeridian() -> None:
    html = render(build_map(sample_analysis(), borders=small_borders(), sources=[REUTERS],
                            city_names=False))  # the base map names Odesa too
    assert "Hickam" not in html and "Odesa" not in html
    full = render(build_map(sample_analysis(), borders=small_borders()))
    lines = re.findall(r"L\.polyline\(\s*(\[.*?\]\]\]|\[.*?\]\])\s*,", full, re.DOTALL)
    assert len(lines) == 3
    lons = [float(x) for x in re.findall(r"\[\s*-?[\d.]+,\s*(-?[\d.]+)\s*\]", " ".join(lines))]
    assert lons and all(-180.0 <= lon <= 180.0 for lon in lons)
    assert 180.0 in lons and -180.0 in lons  # the Pacific path meets the antimeridian


def test_build_map_with_nothing_to_show() -> None:
    empty = Analysis(articles=(), places=())
    html = render(build_map(empty, borders=small_borders()))
    assert external_references(html) == []
    assert "fitBounds" in html


# --- labels, clustering, base-map names --------------------------------------------------


@dataclasses.dataclass
class _Shown:
    text: str
    priority: float
    zoom: int
    options: dict[str, Any]


def _labels(html: str) -> dict[str, _Shown]:
    """Each permanent label by its text, with its priority, zoom and options."""
    out = {}
    for content, options in re.findall(r"\.bindTooltip\((\".*?\"), (\{.*?\})\);", html):
        markup = json.loads(content)
        attrs = re.match(r'<span class="geo-label-text" data-p="([\d.]+)" data-z="(\d+)"', markup)
        assert attrs, markup
        text = html_module.unescape(re.sub(r"<[^>]+>", "", markup))
        out[text] = _Shown(text, float(attrs.group(1)), int(attrs.group(2)), json.loads(options))
    return out


def test_bases_targets_and_paths_carry_permanent_labels() -> None:
    html = render(build_map(sample_analysis(), borders=small_borders()))
    labels = _labels(html)
    for name in ("Hmeimim Air Base", "Kyiv", "Tehran", "Andersen AFB", "Hickam Field"):
        assert labels[name].options["permanent"] is True, name
        assert labels[name].zoom == 0
    assert labels["Hmeimim Air Base"].options["className"] == "geo-label geo-label-base"
    assert labels["Kyiv"].options["className"] == "geo-label geo-label-target"
    assert len([text for text in labels if text.endswith(" km")]) == 3  # one per path
    # Mentioned places are labelled only from the zoom at which they stop clustering; they
    # are made in the browser from one table (a folium element each is 8 ms a place).
    m = build_map(sample_analysis(), borders=small_borders())
    (mentions,) = [c for c in m._children.values() if isinstance(c, ClusteredPlaces)]
    (row,) = json.loads(mentions.rows)
    assert row[:2] == [MOSCOW.lat, MOSCOW.lon]
    assert f'data-z="{MENTION_LABEL_ZOOM}"' in row[3] and ">Moscow<" in row[3]
    assert "<h4>Moscow</h4>" in row[2]
    # Hostile names are labelled as text.
    assert labels[f"Odesa {IMG}"].options["permanent"] is True
    # The declutter script and the base-map names are on the page.
    assert "geo-label-hidden" in html and "labelsShown" in html
    assert "Country and city names" in html


def test_labels_rank_targets_and_bases_over_mentions_and_names() -> None:
    m = build_map(sample_analysis(), borders=small_borders())
    labels = _labels(render(m))
    p = {text: shown.priority for text, shown in labels.items()}
    (mentions,) = [c for c in m._children.values() if isinstance(c, ClusteredPlaces)]
    (row,) = json.loads(mentions.rows)
    moscow = float(re.search(r'data-p="([\d.]+)"', row[3]).group(1))  # type: ignore[union-attr]
    names = max(label.priority for label in country_labels(small_borders()))
    assert p["Kyiv"] > p["Tehran"] > names
    assert p["Hmeimim Air Base"] > p["Tehran"] > moscow
    km = [v for k, v in p.items() if k.endswith(" km")]
    assert all(p["Tehran"] > v > names for v in km)


def test_seed_map_labels_the_operations(seed_analysis: Analysis) -> None:
    html = render(build_map(seed_analysis, borders=small_borders(), city_names=False))
    labels = _labels(html)
    permanent = {text for text, shown in labels.items() if shown.options["permanent"]}
    for name in ("Hmeimim Air Base", "Aleppo", "Idlib", "Deir ez-Zor", "Al Bāb"):
        assert name in permanent, (name, sorted(permanent))
    assert {"Nojeh Air Base", "Hamadān"} & permanent
    # The city and the governorate of Aleppo (both read as targets) are one symbol,
    # whose popup names both.
    targets = re.findall(r'geo-label-text[^>]*>([^<]+)<[^"]*", \{[^}]*geo-label-target',
                         html.replace("\\u003c", "<").replace("\\u003e", ">").replace('\\"', '"'))
    assert targets.count("Aleppo") == 1 and targets.count("Idlib") == 1, targets
    assert "admin:SY.HL" in html and "geonames:170063" in html


def test_mentioned_places_cluster_with_the_plugin_inlined() -> None:
    page = render_offline(build_map(sample_analysis(), borders=small_borders()))
    assert markercluster_js()[:2000] in page
    assert "L.markerClusterGroup(" in page
    assert "geo-cluster" in page and "getChildCount" in page
    assert external_references(page) == []
    # folium's own MarkerCluster links the plugin from a CDN: none of it may remain.
    assert "cdnjs" not in page and "markercluster/1.1.0" not in page


def test_operational_symbols_cluster_only_when_they_crowd() -> None:
    base = sample_analysis()
    crowd = tuple(
        _role(
            _place(f"c{i}", f"T{i}", GazetteerEntry(f"x:{i}", f"Target {i}", 30 + i / 100,
                                                     40 + i / 100, "SY", Feature.CITY)),
            Role.TARGET, 0.8, "Strikes hit it.",
        )
        for i in range(CLUSTER_OPERATIONAL_OVER + 1)
    )
    crowded = dataclasses.replace(base, roles=base.roles + crowd)
    m = build_map(crowded, borders=small_borders())
    clustered = {c.layer_name for c in m._children.values() if isinstance(c, MarkerCluster)}
    assert clustered == {"Mentioned places", "Targets"}


def test_country_labels_sit_inside_their_country() -> None:
    labels = {label.name: label for label in country_labels(small_borders())}
    ukraine = labels["Ukraine"]
    assert 22.0 < ukraine.lon < 40.0 and 44.5 < ukraine.lat < 62.5
    # The bigger country shows from further out and weighs more in a collision.
    assert ukraine.min_zoom <= labels["Syria"].min_zoom
    assert ukraine.priority > labels["Syria"].priority


def test_major_cities_come_most_populous_first() -> None:
    cities = major_cities()
    assert len(cities) > 500
    assert cities[0].min_zoom <= cities[-1].min_zoom
    assert cities[0].priority >= cities[-1].priority
    assert {c.kind for c in cities} == {"city"}
