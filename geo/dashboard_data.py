"""What the dashboard analyses, the key it is cached under, and the first analysis
prepared before the server answers.

The dashboard's bundled folder goes through its analysis store, so a restarted server
reads it back rather than running the model. Reading and merging still cost a few tenths
of a second on the first page; :func:`prepare_bundled` does that in the launcher, before
Streamlit serves, and the first page takes the result (:func:`take_prepared`). Only a
folder whose every article is stored and current is prepared: anything to analyse waits
for a page, which shows the progress.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from geo.dashboard_state import FilesKey, files_key, folder_key
from geo.geocache import GeocodeCache, default_cache_path
from geo.models import Analysis, GazetteerEntry

log = logging.getLogger(__name__)

ARTICLES_ENV = "GEO_ARTICLES"
STORE_ENV = "GEO_DASHBOARD_STORE"
GEO_PACKAGE = Path(__file__).resolve().parent
ROOT = GEO_PACKAGE.parent
DEFAULT_ARTICLES = ROOT / "data" / "articles"

PinsKey = tuple[tuple[str, str, float, float, str, str, str], ...]
# folder, its files, the pins, the code: what the bundled analysis depends on
BundledKey = tuple[str, FilesKey, PinsKey, FilesKey]

# Filled by the launcher, emptied by the first page that asks (Streamlit's own cache
# keeps the analysis from then on).
_prepared: dict[tuple[BundledKey, str], Analysis] = {}  # (key, store path)


def bundled_folder() -> Path:
    """The folder of articles the dashboard shows (``$GEO_ARTICLES``, else data/articles)."""
    return Path(os.environ.get(ARTICLES_ENV) or DEFAULT_ARTICLES)


def dashboard_store_path() -> Path:
    """The dashboard's analysis store (``$GEO_DASHBOARD_STORE``), beside the geocode cache."""
    return Path(os.environ.get(STORE_ENV) or Path(default_cache_path()).parent / "dashboard.duckdb")


def code_key() -> FilesKey:
    """The key of what an analysis depends on besides the articles: geo's code and data.

    The bundled articles' analysis is kept on disk across restarts; a changed extractor,
    gazetteer or alias list must not be answered from an old run.
    """
    from geo.gazetteer import default_gazetteer_path

    used = [*GEO_PACKAGE.rglob("*.py"), *(ROOT / "data").glob("*.csv"), default_gazetteer_path()]
    return files_key((p for p in used if p.is_file()), Path("/"))


def pins_key(pins: Mapping[str, GazetteerEntry]) -> PinsKey:
    return tuple(sorted(
        (k, e.gazetteer_id, e.lat, e.lon, e.name, e.country, e.feature.value)
        for k, e in pins.items()
    ))


def bundled_key(folder: Path, pins: Mapping[str, GazetteerEntry]) -> BundledKey:
    return (str(folder), folder_key(folder), pins_key(pins), code_key())


def take_prepared(key: BundledKey) -> Analysis | None:
    """The analysis the launcher prepared under ``key``, once; None if there is none."""
    return _prepared.pop((key, str(dashboard_store_path())), None)


def prepare_bundled() -> bool:
    """Read and merge the bundled folder's stored analyses for the first page; whether it
    could (every article stored and current, the store readable)."""
    from geo.articles import load_articles
    from geo.errors import StoreError
    from geo.gazetteer import Gazetteer, GazetteerError
    from geo.online import OnlineConfigError, OnlineGeocoder, OnlineSettings
    from geo.stage import merge
    from geo.store.db import AnalysisStore
    from geo.store.ingest import analysis_settings
    from geo.store.version import analysis_version

    folder, store_path = bundled_folder(), dashboard_store_path()
    if not folder.is_dir() or not store_path.is_file():
        return False
    try:
        online_settings = OnlineSettings.from_env()
        with Gazetteer.open() as gazetteer:
            gazetteer_meta = gazetteer.meta()
    except (OnlineConfigError, GazetteerError) as err:
        log.info("first page not prepared: %s", err)  # the page reports it plainly
        return False
    cache = GeocodeCache(default_cache_path())
    pins = {p.key: p.entry for p in cache.pins()}
    articles, problems = load_articles([folder])
    if not articles:
        return False
    # The store's key as the dashboard makes it: its pins, its online geocoder (asking
    # only when switched on), every word read.
    online = OnlineGeocoder.from_settings(cache, online_settings,
                                          offline=not online_settings.enabled)
    settings = analysis_settings(pins, online, thorough=True)
    version = analysis_version(gazetteer_meta, settings)
    try:
        with AnalysisStore.open(store_path, read_only=True) as store:
            if store.changed(articles, version):
                return False
            analyses = list(store.analyses([a.doc_id for a in articles]))
    except StoreError as err:
        log.info("first page not prepared: %s", err)
        return False
    key = (bundled_key(folder, pins), str(store_path))
    _prepared[key] = merge(analyses, problems)
    return True

