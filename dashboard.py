"""The geo dashboard: ``streamlit run dashboard.py``.

Analyses the bundled articles (``data/articles``, or the folder in ``$GEO_ARTICLES``) and
any uploads, and shows the places and flight paths on a map that needs no network, with
tables, an article reader, fixes for unplaced mentions and downloads. The filters live in
the page URL, so a view can be shared. The logic worth testing is in
``geo/dashboard_state.py``; this script lays out the page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.articles import ReadLimits, article_from_bytes, article_from_text
from geo.articles import load_articles as read_folder
from geo.dashboard_data import (
    BundledKey,
    bundled_folder,
    bundled_key,
    code_key,
    dashboard_store_path,
    pins_key,
    take_prepared,
)
from geo.dashboard_state import (
    ALL_ROLES,
    FILTER_PARAMS,
    MAX_UPLOAD_BYTES,
    UNPLACED_COLOR,
    UPLOAD_SUFFIXES,
    Filters,
    Highlight,
    Unplaced,
    article_highlights,
    as_date,
    check_upload,
    context_of,
    date_bounds,
    decode_filters,
    encode_filters,
    entry_label,
    highlight_html,
    legend_html,
    md_escape,
    path_rows,
    place_rows,
    prepare_for_st_folium,
    timeline_days,
    timeline_spec,
    unique_doc_id,
    unplaced_groups,
)
from geo.export import export_bytes
from geo.fetch import FetchError, PageCache, default_page_cache, fetch_article
from geo.gazetteer import Gazetteer, GazetteerError
from geo.geocache import GeocodeCache, default_cache_path
from geo.models import Analysis, Article, Feature, GazetteerEntry, LoadProblem, Role
from geo.normalize import name_key, skeleton
from geo.online import OnlineConfigError, OnlineGeocoder, OnlineSettings
from geo.render import ROLE_STYLES, build_map, shared_default_borders
from geo.view import filter_analysis, place_summaries

if TYPE_CHECKING:
    import folium
    from spacy.language import Language

MAP_HEIGHT = 620
MAX_FIX_GROUPS = 40
EARLIEST_DATE = dt.date(1900, 1, 1)
MIN_SKELETON = 4
DOWNLOADS = (
    ("HTML map", "html", "text/html"),
    ("GeoJSON", "geojson", "application/geo+json"),
    ("CSV", "csv", "text/csv"),
    ("KML", "kml", "application/vnd.google-earth.kml+xml"),
    ("Slide (PNG)", "png", "image/png"),  # 16:9, 1920 x 1080, drawn by geo.slide
)

UploadKey = tuple[tuple[str, str, str, str, str], ...]


# --- shared resources (one per server process) ----------------------------------------


@st.cache_resource(show_spinner="Opening the gazetteer…")
def open_gazetteer() -> Gazetteer:
    return Gazetteer.open()


@st.cache_resource(show_spinner=False)
def language_model() -> Language:
    from geo.nlp import load_nlp  # imports spaCy: only when an analysis has to run

    return load_nlp()


@st.cache_resource(show_spinner=False)
def geocode_cache(path: str) -> GeocodeCache:
    return GeocodeCache(path)


def online_geocoder() -> OnlineGeocoder:
    """Earlier online answers, from the cache; new questions only if GEO_ONLINE=1.

    A dead network costs one bounded wait (GEO_ONLINE_TIMEOUT), after which the geocoder
    stays offline for the rest of the analysis: the page never hangs on it.
    """
    settings = OnlineSettings.from_env()
    return OnlineGeocoder.from_settings(geocode_cache(default_cache_path()), settings,
                                        offline=not settings.enabled)


def country_outlines() -> dict[str, Any] | None:
    return shared_default_borders()  # parsed once per server, by the launcher


def country_names() -> dict[str, str]:
    outlines = country_outlines() or {}
    return {
        str(f["properties"].get("iso2")): str(f["properties"].get("name"))
        for f in outlines.get("features", [])
        if (f.get("properties") or {}).get("iso2")
    }


# --- analysis -------------------------------------------------------------------------


def analyse_now(
    folder: str, uploads: Sequence[Article], pins: dict[str, GazetteerEntry]
) -> Analysis:
    """Read and analyse, showing progress. Called only from the cached functions below."""
    # Made inside the cached function, so a cache hit replays it, already removed.
    bar = st.progress(0.0, text="Reading articles…")
    articles: list[Article] = []
    problems: list[LoadProblem] = []
    if folder:
        articles, problems = read_folder([folder])
    taken = {a.doc_id for a in articles}
    uploaded: set[str] = set()
    for upload in uploads:
        doc_id = unique_doc_id(upload.doc_id, taken)
        taken.add(doc_id)
        uploaded.add(doc_id)
        articles.append(dataclasses.replace(upload, doc_id=doc_id))
    if not articles:
        bar.empty()
        return Analysis(articles=(), places=(), problems=tuple(problems))

    def stored(done: int, total: int) -> None:
        bar.progress(0.1 + 0.8 * done / total,
                     text=f"Analysed {done} of {total} new or changed articles")

    from geo.stage import merge
    from geo.store.briefing import stored_analyses

    # The folder's articles through the store: a restart reads them back, only what is
    # new is analysed. The model reads every word, so that each name nothing places is
    # listed, to be pinned by hand or asked online; a briefing's few articles make it cheap.
    folder_articles = [a for a in articles if a.doc_id not in uploaded]
    analyses, warning = stored_analyses(folder_articles, dashboard_store_path(),
                                        open_gazetteer(), pins=pins, online=online_geocoder(),
                                        progress=stored)
    if warning:
        problems.append(LoadProblem(str(dashboard_store_path()), warning))
    new = [a for a in articles if a.doc_id in uploaded]
    if new:  # uploads: in memory only, never stored (they may be sensitive)
        from geo.pipeline import analyse_articles  # the model: only for new articles

        bar.progress(0.9, text=f"Finding places in {len(new)} uploaded articles…")
        analyses += analyse_articles(new, open_gazetteer(), nlp=language_model(), pins=pins,
                                     online=online_geocoder(), thorough=True)
    bar.progress(0.95, text="Linking flight paths…")
    result = merge(analyses, problems)
    bar.empty()
    return result


@st.cache_data(show_spinner=False, max_entries=4)
def analyse_folder(key: BundledKey, _pins: dict[str, GazetteerEntry]) -> Analysis:
    """The bundled articles' analysis, keyed by folder, file mtimes, pins and code.

    The analysis store keeps it across restarts (the launcher reads it back before the
    first page asks); this cache spares reruns the merge.
    """
    prepared = take_prepared(key)
    return prepared if prepared is not None else analyse_now(key[0], (), _pins)


@st.cache_data(show_spinner=False, max_entries=8)
def analyse_with_uploads(
    key: BundledKey, uploads_stamp: UploadKey, _uploads: tuple[Article, ...],
    _pins: dict[str, GazetteerEntry],
) -> Analysis:
    """The analysis with uploads, keyed by content hashes; in memory only (uploads may be
    sensitive), and all articles together so that paths link across them."""
    return analyse_now(key[0], _uploads, _pins)


@st.cache_data(show_spinner=False, max_entries=64)
def parse_upload(name: str, digest: str, _data: bytes) -> Article | LoadProblem:
    """One uploaded file read as an article; keyed by its name and content hash."""
    return article_from_bytes(name, _data, limits=ReadLimits(max_bytes=MAX_UPLOAD_BYTES))


@st.cache_data(show_spinner=False, max_entries=256)
def search_gazetteer(query: str) -> list[GazetteerEntry]:
    """Gazetteer entries whose name matches ``query`` exactly or by skeleton."""
    gazetteer = open_gazetteer()
    key, skel = name_key(query), skeleton(query)
    if not key:
        return []
    found = gazetteer.lookup([key]).get(key, [])
    # Same consonants, other vowels ("Dayr az Zawr"); a short skeleton matches anything.
    if len(skel.replace(" ", "")) >= MIN_SKELETON:
        found += gazetteer.lookup_skeleton([skel]).get(skel, [])
    entries = {c.entry.gazetteer_id: c.entry for c in found}
    return list(entries.values())[:25]


# --- uploads --------------------------------------------------------------------------


def upload_articles(files: Sequence[Any]) -> tuple[list[Article], UploadKey]:
    """The uploaded articles with their (editable) source, title and date, and their key."""
    parsed: list[tuple[str, Article]] = []
    for file in files:
        refused = check_upload(file.name, file.size)
        if refused is not None:
            st.warning(f"{md_escape(file.name)}: {md_escape(refused)}")
            continue
        data = file.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        loaded = parse_upload(file.name, digest, data)
        if isinstance(loaded, LoadProblem):
            st.warning(f"{md_escape(file.name)}: {md_escape(loaded.problem)}")
            continue
        parsed.append((digest, loaded))
    if not parsed:
        return [], ()

    table = pd.DataFrame(
        {
            "File": [a.doc_id for _, a in parsed],
            "Source": [a.source for _, a in parsed],
            "Title": [a.title for _, a in parsed],
            "Published": [a.published for _, a in parsed],
        }
    )
    # A new set of uploads gets a fresh editor: old edits must not land on other rows.
    set_id = hashlib.sha256("".join(d for d, _ in parsed).encode()).hexdigest()[:12]
    with st.expander(f"Uploaded articles ({len(parsed)}): edit their source, title and date",
                     expanded=True):
        edited = st.data_editor(
            table,
            key=f"upload_meta_{set_id}",
            hide_index=True,
            disabled=["File"],
            num_rows="fixed",
            width="stretch",
            column_config={
                "Published": st.column_config.DateColumn("Published", format="YYYY-MM-DD"),
            },
        )
    articles: list[Article] = []
    key: list[tuple[str, str, str, str, str]] = []
    for (digest, article), (_, row) in zip(parsed, edited.iterrows(), strict=True):
        published = as_date(row["Published"])
        source = str(row["Source"] or "").strip() or "unknown"
        title = str(row["Title"] or "").strip()
        articles.append(dataclasses.replace(article, source=source, title=title,
                                            published=published))
        key.append((digest, article.doc_id, source, title,
                    published.isoformat() if published else ""))
    return articles, tuple(key)


# --- pasted and fetched articles ------------------------------------------------------


def online_switch() -> bool:
    """Whether the online switch (GEO_ONLINE) is on; a bad value counts as off."""
    try:
        return OnlineSettings.from_env().enabled
    except OnlineConfigError:
        return False


def added_articles() -> tuple[list[Article], UploadKey]:
    """Articles pasted or fetched by address in this session, and their key.

    Kept in the session only, never in the store, as uploads are (they may be sensitive).
    """
    added: dict[str, Article] = st.session_state.setdefault("added", {})
    paste_box(added)
    url_box(added)
    if added:
        st.sidebar.caption(md_escape(
            f"Added by hand: {', '.join(a.title or a.doc_id for a in added.values())}"))
        if st.sidebar.button("Remove the pasted and fetched articles", key="added_clear"):
            added.clear()
    key = tuple(
        (digest, a.doc_id, a.source, a.title, a.published.isoformat() if a.published else "")
        for digest, a in added.items()
    )
    return list(added.values()), key


def paste_box(added: dict[str, Article]) -> None:
    """A form for an article's text with its source, title and date."""
    with st.sidebar.expander("Paste an article"), st.form("paste_form"):
        text = st.text_area("Article text", key="paste_text", height=180)
        source = st.text_input("Source", key="paste_source", placeholder="unknown")
        title = st.text_input("Title", key="paste_title")
        # Streamlit's default floor is ten years ago: older reports must be datable too.
        published = st.date_input("Published", value=None, key="paste_date",
                                  min_value=EARLIEST_DATE, format="YYYY-MM-DD")
        if not st.form_submit_button("Add to the map"):
            return
        # One text is one article: pasting it again with other facts replaces it.
        digest = hashlib.sha256(text.strip().encode("utf-8", "surrogateescape")).hexdigest()
        read = article_from_text(text, doc_id=f"pasted-{digest[:10]}", source=source.strip(),
                                 title=title.strip(), published=as_date(published),
                                 limits=ReadLimits(max_bytes=MAX_UPLOAD_BYTES))
        if isinstance(read, LoadProblem):
            st.warning(md_escape(f"{read.path}: {read.problem}"))
            return
        added[digest] = read
        day = read.published.isoformat() if read.published else "undated"
        st.success(md_escape(f"Added '{read.title or read.doc_id}' ({read.source}, {day})."))


def url_box(added: dict[str, Article]) -> None:
    """A form for a web address: fetched with the online switch on, else from the cache."""
    online = online_switch()
    with st.sidebar.expander("Add an article by its web address"):
        if not online:
            st.caption("The online switch is off (GEO_ONLINE=1 turns it on), so nothing is "
                       "fetched: only pages fetched before, kept in the page cache, can be "
                       "added.")
        with st.form("url_form"):
            url = st.text_input("Web address", key="url_text", placeholder="https://…")
            if not st.form_submit_button("Fetch the article"):
                return
            try:
                with st.spinner("Fetching…"):
                    article, cached = fetch_article(url, cache=PageCache(default_page_cache()),
                                                    online=online, max_bytes=MAX_UPLOAD_BYTES)
            except FetchError as err:
                st.error(md_escape(str(err)))
                return
            added[hashlib.sha256(article.url.encode("utf-8")).hexdigest()] = article
            where = "from the page cache" if cached else "fetched and kept in the page cache"
            st.success(md_escape(f"Added '{article.title or article.doc_id}' ({where})."))


# --- filters --------------------------------------------------------------------------


def url_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in FILTER_PARAMS if k in st.query_params}


def filter_widgets(analysis: Analysis) -> Filters:
    """The sidebar filters, first set from the URL, kept in the URL as they change."""
    ss = st.session_state
    sources = sorted({a.source for a in analysis.articles})
    bounds = date_bounds(analysis)
    if "f_sources" not in ss:
        start = decode_filters(url_params(), sources=sources, dates=bounds)
        ss.f_sources = sorted(start.sources) if start.sources is not None else sources
        ss.f_roles = [r.value for r in ALL_ROLES if start.roles is None or r in start.roles]
        ss.f_conf = start.min_confidence
        ss.f_tiles = start.tiles
        if bounds:
            ss.f_dates = (start.start or bounds[0], start.end or bounds[1])
    else:
        # New sources (an upload) are shown; vanished ones leave the selection.
        known = ss.get("f_known", [])
        kept = [s for s in ss.f_sources if s in sources]
        ss.f_sources = list(dict.fromkeys(kept + [s for s in sources if s not in known]))
        if bounds:
            chosen = tuple(ss.get("f_dates") or ())
            if not chosen or chosen == ss.get("f_bounds"):
                ss.f_dates = bounds  # all dates stays all dates when uploads widen them
            else:  # a range, or its first day while one is being picked
                ss.f_dates = tuple(min(max(d, bounds[0]), bounds[1]) for d in chosen)
    ss.f_known = sources
    ss.f_bounds = bounds

    st.sidebar.header("Filters")
    chosen_sources = st.sidebar.multiselect("Sources", sources, key="f_sources")
    chosen_roles = st.sidebar.multiselect(
        "Roles",
        [r.value for r in ALL_ROLES],
        key="f_roles",
        format_func=lambda v: ROLE_STYLES[Role(v)].label,
    )
    start_day: dt.date | None = None
    end_day: dt.date | None = None
    if bounds:
        picked = st.sidebar.date_input(
            "Dates", key="f_dates", min_value=bounds[0], max_value=bounds[1],
            format="YYYY-MM-DD", help="Undated articles are always shown.",
        )
        days = list(picked) if isinstance(picked, tuple | list) else [picked]
        start_day = days[0] if days else None
        end_day = days[1] if len(days) > 1 else None
        start_day = None if start_day == bounds[0] else start_day
        end_day = None if end_day == bounds[1] else end_day
    min_conf = st.sidebar.slider("Minimum confidence", 0.0, 1.0, step=0.05, key="f_conf")
    tiles = st.sidebar.checkbox(
        "Online map tiles", key="f_tiles",
        help="Adds an OpenStreetMap layer (off until chosen in the map's layer control). "
        "Needs internet; the country outlines work without it.",
    )
    filters = Filters(
        sources=None if set(sources) <= set(chosen_sources) else frozenset(chosen_sources),
        roles=None if len(chosen_roles) == len(ALL_ROLES) else frozenset(
            Role(r) for r in chosen_roles),
        start=start_day,
        end=end_day,
        min_confidence=float(min_conf),
        tiles=bool(tiles),
    )
    wanted = encode_filters(filters, sources=sources, dates=bounds)
    if wanted != url_params():
        for name in FILTER_PARAMS:
            if name in st.query_params and name not in wanted:
                del st.query_params[name]
        for name, values in wanted.items():
            st.query_params[name] = values
    return filters


# --- panels ---------------------------------------------------------------------------


def show_map(view: Analysis, filters: Filters) -> None:
    draw_map(build_map(view, borders=country_outlines(), online_tiles=filters.tiles), "map")


def draw_map(m: folium.Map, key: str) -> None:
    """``m`` in streamlit-folium's component, drawn with no network."""
    prepare_for_st_folium(m)
    # render=False: st_folium renders the map itself and reads only the map's parts;
    # rendering the whole page first (its default) doubled the template work.
    # returned_objects=[]: panning and zooming never rerun the script.
    st_folium(m, key=key, height=MAP_HEIGHT, use_container_width=True, returned_objects=[],
              render=False)


TIMELINE_HEIGHT = 140


def show_timeline(analysis: Analysis, view: Analysis, filters: Filters) -> None:
    """Strikes by day, and a range slider that sets the sidebar's dates (so the map's)."""
    days = timeline_days(analysis, view)
    if not days:
        st.caption("No strike in these articles is dated: no timeline.")
        return
    st.markdown("**Strikes by day** (the articles' dates of the strikes they report)")
    bounds = date_bounds(analysis)
    st.vega_lite_chart(timeline_spec(days, selected=filters.date_range, span=bounds,
                                     height=TIMELINE_HEIGHT),
                       width="stretch", key="timeline")
    if bounds is None or bounds[0] == bounds[1]:
        return
    # Set before the slider is drawn: it always shows the sidebar's choice.
    st.session_state.t_dates = (filters.start or bounds[0], filters.end or bounds[1])
    st.slider("Articles published between", min_value=bounds[0], max_value=bounds[1],
              key="t_dates", format="YYYY-MM-DD", on_change=timeline_moved,
              help="The same dates as the sidebar's; undated articles are always shown.")


def timeline_moved() -> None:
    st.session_state.f_dates = tuple(st.session_state.t_dates)


def show_downloads(view: Analysis) -> None:
    n_sources = len({a.source for a in view.articles})
    title = f"geo map: {len(view.articles)} articles from {n_sources} sources"
    columns = st.columns(len(DOWNLOADS) + 1)
    columns[0].markdown("**Download this view**")
    for column, (label, fmt, mime) in zip(columns[1:], DOWNLOADS, strict=True):
        column.download_button(
            label,
            # Built on click, from the filtered view: what is on screen is what is saved.
            data=functools.partial(export_bytes, view, fmt, title=title),
            file_name=f"geo-view.{fmt}",
            mime=mime,
            key=f"download_{fmt}",
            on_click="ignore",
            width="stretch",
        )


def show_places(view: Analysis) -> None:
    rows = place_rows(view)
    if not rows:
        st.info("No place matches the filters.")
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def show_paths(view: Analysis) -> None:
    rows = path_rows(view, country_names())
    if not rows:
        st.info("No flight path matches the filters.")
        return
    st.dataframe(
        pd.DataFrame(rows), hide_index=True, width="stretch",
        column_config={"km": st.column_config.NumberColumn("km", format="%d")},
    )


@st.fragment  # picking another article reruns only the reader, not the map
def show_reader(view: Analysis) -> None:
    if not view.articles:
        st.info("No article matches the filters.")
        return
    by_id = {a.doc_id: a for a in view.articles}

    def label(doc_id: str) -> str:
        a = by_id[doc_id]
        day = a.published.isoformat() if a.published else "undated"
        return f"{a.source} · {a.title or a.doc_id} ({day})"

    doc_id = st.selectbox("Article", list(by_id), format_func=label, key="reader_doc")
    article = by_id[doc_id]
    st.html(legend_html())
    st.html(highlight_html(article.text, article_highlights(view, article.doc_id)))
    if article.url:
        st.text(f"Address: {article.url}")


def show_fixes(view: Analysis, cache: GeocodeCache) -> None:
    groups = unplaced_groups(view)
    if not groups:
        st.success("Every mention shown was placed.")
        return
    st.caption(
        "Each fix is saved to the geocoding cache "
        f"({md_escape(cache.path)}) and used from the next analysis on."
    )
    if not cache.available:
        st.warning("The geocoding cache cannot be opened: fixes cannot be saved.")
    by_id = {a.doc_id: a for a in view.articles}
    for group in groups[:MAX_FIX_GROUPS]:
        fix_group(group, by_id, cache)
    if len(groups) > MAX_FIX_GROUPS:
        st.caption(f"…and {len(groups) - MAX_FIX_GROUPS} more names.")


@st.fragment  # typing a fix reruns only this panel; saving it reruns the app
def fix_group(group: Unplaced, articles: dict[str, Article], cache: GeocodeCache) -> None:
    """One unplaced name: where it occurs, and two ways to place it."""
    wid = hashlib.sha1(group.key.encode()).hexdigest()[:10]
    label = f"{md_escape(group.name)} · {len(group.places)} mention(s)"
    with st.expander(label):
        for place in group.places[:3]:
            article = articles.get(place.mention.doc_id)
            if article is None:
                continue
            snippet, start, end = context_of(article.text, place.mention.start, place.mention.end)
            mark = Highlight(start, end, UNPLACED_COLOR, "not placed", dashed=True)
            st.html(highlight_html(snippet, [mark]))
            st.caption(md_escape(f"{article.source} · {article.title or article.doc_id}"))
        query = st.text_input("Search the gazetteer", value=group.name, key=f"fix_q_{wid}")
        options = list({e.gazetteer_id: e for e in
                        (*group.candidates, *search_gazetteer(query))}.values())
        if options:
            choice = st.selectbox("Pick a candidate", options, format_func=entry_label,
                                  key=f"fix_pick_{wid}")
            if st.button("Use this place", key=f"fix_use_{wid}") and choice is not None:
                saved(cache.pin_to(group.name, choice) is not None, group.name)
        else:
            st.caption("No gazetteer entry matches; pin coordinates instead.")
        st.markdown("**Or pin coordinates**")
        c1, c2, c3, c4 = st.columns(4)
        lat = c1.number_input("Latitude", -90.0, 90.0, 0.0, format="%.4f", key=f"fix_lat_{wid}")
        lon = c2.number_input("Longitude", -180.0, 180.0, 0.0, format="%.4f",
                              key=f"fix_lon_{wid}")
        country = c3.text_input("Country (ISO 2)", max_chars=2, key=f"fix_cc_{wid}")
        feature = c4.selectbox("Kind", [f.value for f in Feature], index=len(Feature) - 1,
                               key=f"fix_kind_{wid}")
        if st.button("Pin", key=f"fix_pin_{wid}"):
            pin = cache.pin(group.name, lat=lat, lon=lon, country=country.strip().upper(),
                            feature=feature)
            saved(pin is not None, group.name)


def saved(ok: bool, name: str) -> None:
    if ok:
        st.session_state.flash = f"Saved a fix for '{name}'; the articles were analysed again."
        st.rerun()
    st.error("The fix could not be saved (see the server log).")


# --- page -----------------------------------------------------------------------------


def summary(view: Analysis, analysis: Analysis) -> str:
    n_places = len(place_summaries(view))
    return (
        f"**{len(view.articles)}** of {len(analysis.articles)} articles · "
        f"**{n_places}** places · **{len(view.paths)}** flight paths"
    )


def show(analysis: Analysis, cache: GeocodeCache) -> None:
    """Everything below the inputs: filters, map, downloads and panels."""
    if flash := st.session_state.pop("flash", None):
        st.success(md_escape(flash))
    filters = filter_widgets(analysis)
    view = filter_analysis(
        analysis,
        sources=filters.sources,
        roles=filters.roles,
        min_confidence=filters.min_confidence,
        date_range=filters.date_range,
    )
    st.markdown(summary(view, analysis))
    show_map(view, filters)
    show_timeline(analysis, view, filters)
    show_downloads(view)
    n_unplaced = len(unplaced_groups(view))
    places, paths, reader, fixes = st.tabs(
        ["Places", "Flight paths", "Article reader", f"Unplaced mentions ({n_unplaced})"]
    )
    with places:
        show_places(view)
    with paths:
        show_paths(view)
    with reader:
        show_reader(view)
    with fixes:
        show_fixes(view, cache)


# --- a large analysis store ($GEO_STORE) ------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=32)
def archive_figures(path: str, generation: int, filters: Any) -> tuple[Analysis, Any, Any, Any]:
    """The map's places and paths, the top places, the timeline and the latest articles,
    each an aggregate query over the store; cached per store generation and filters."""
    from geo.archive import daily_counts, latest_articles, map_analysis, top_places
    from geo.store import AnalysisStore

    with AnalysisStore.open(path, read_only=True) as store:
        return (map_analysis(store, filters), top_places(store, filters, 200),
                daily_counts(store, filters), latest_articles(store, filters))


def show_archive(path: Path) -> None:
    """A store of any size: aggregates only, never every mention in the browser."""
    from geo.archive import MAX_MAP_PLACES, ArchiveFilters, overview
    from geo.errors import StoreError
    from geo.store import AnalysisStore

    try:
        with AnalysisStore.open(path, read_only=True) as store:
            facts, generation = overview(store), store.generation
    except StoreError as err:
        st.error(md_escape(str(err)))
        st.stop()
    st.caption(md_escape(f"Analysis store {path}: {facts.articles:,} articles, "
                         f"{facts.mentions:,} placed mentions"))
    st.sidebar.header("Filters")
    sources = st.sidebar.multiselect("Sources", facts.sources, default=[],
                                     help="none chosen: every outlet")
    roles = st.sidebar.multiselect("Roles", [r.value for r in Role],
                                   default=[r.value for r in Role])
    start = end = None
    if facts.first and facts.last and facts.first < facts.last:
        start, end = st.sidebar.slider("Dates", min_value=facts.first, max_value=facts.last,
                                       value=(facts.first, facts.last))
    floor = st.sidebar.slider("Minimum confidence", 0.0, 1.0, 0.0, 0.05)
    filters = ArchiveFilters(sources=tuple(sources) or None,
                             roles=tuple(Role(r) for r in roles), start=start, end=end,
                             min_confidence=floor)
    view, places, timeline, articles = archive_figures(str(path), generation, filters)
    st.subheader(f"The {len(view.places):,} most mentioned places (at most "
                 f"{MAX_MAP_PLACES:,}) and {len(view.paths):,} flight paths")
    draw_map(build_map(view, borders=country_outlines()), "archive_map")
    if len(timeline):
        st.subheader("Mentions by day")
        st.bar_chart(timeline, x="day", y="mentions", color="role")
    left, right = st.columns(2)
    left.subheader("Most mentioned places")
    left.dataframe(places.drop(columns=["gazetteer_id"]), hide_index=True)
    right.subheader("Latest articles")
    right.dataframe(articles, hide_index=True)


def main() -> None:
    st.set_page_config(page_title="geo: places and flight paths", layout="wide")
    st.title("Places and flight paths in the news")
    if archive := os.environ.get("GEO_STORE"):
        show_archive(Path(archive))
        return

    folder = bundled_folder()
    st.sidebar.header("Articles")
    bundled = st.sidebar.toggle(f"Bundled articles ({folder.name})", value=True,
                                key="use_bundled")
    files = st.sidebar.file_uploader(
        "Add articles", type=[s.lstrip(".") for s in UPLOAD_SUFFIXES],
        accept_multiple_files=True, key="uploads",
        help=f"Plain text or saved web pages, up to {MAX_UPLOAD_BYTES // 2**20} MB each.",
    )
    uploads, uploads_stamp = upload_articles(files or [])
    added, added_stamp = added_articles()
    uploads, uploads_stamp = [*uploads, *added], uploads_stamp + added_stamp

    try:
        open_gazetteer()  # first, so that a missing gazetteer is reported plainly
    except GazetteerError as err:
        st.error(md_escape(str(err)))
        st.stop()
    cache = geocode_cache(default_cache_path())
    pins = {p.key: p.entry for p in cache.pins()}
    key = bundled_key(folder, pins) if bundled else ("", (), pins_key(pins), code_key())
    try:
        if uploads:
            analysis = analyse_with_uploads(key, uploads_stamp, tuple(uploads), pins)
        else:
            analysis = analyse_folder(key, pins)
    except Exception as err:
        from geo.nlp import ModelMissingError

        if not isinstance(err, ModelMissingError):
            raise
        st.error(md_escape(str(err)))
        st.stop()
    if analysis.problems:
        with st.expander(f"{len(analysis.problems)} file(s) could not be read"):
            st.text("\n".join(str(p) for p in analysis.problems))
    if not analysis.articles:
        st.info("No articles: turn on the bundled articles or upload some.")
        st.stop()
    show(analysis, cache)


if __name__ == "__main__":
    main()
