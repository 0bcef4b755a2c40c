"""``python -m geo dashboard``: start the Streamlit dashboard with its first page prepared.

Streamlit runs the dashboard script inside its server's process, so whatever that process
has imported and cached before it starts serving is already there for the first visitor.
``streamlit run dashboard.py`` starts cold: the first session pays for pandas, folium,
DuckDB and geo's imports and for reading and labelling the country outlines (about 3 s of
CPU on the seeds). Here that work is done before the server answers, and on a restart
the bundled articles' stored analyses are read and merged for the first page too
(:mod:`geo.dashboard_data`); then Streamlit is started in the same process.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

# What the script's first run imports, bar spaCy (only new articles need the model) and
# streamlit_folium (importing it reads Streamlit's config before the command line's flags
# are known; it costs only 0.05 s).
WARM_IMPORTS = ("duckdb", "pandas", "streamlit", "geo.dashboard_state", "geo.export",
                "geo.stage", "geo.store.briefing")
DASHBOARD_SCRIPT = Path(__file__).resolve().parent.parent / "dashboard.py"


def warm_up() -> float:
    """Import what the dashboard's first run imports and fill the per-process caches its
    map reads (outlines, country and city labels, the route checks' borders); the CPU
    seconds it took. Nothing here depends on the articles or the session."""
    started = time.process_time()
    for module in WARM_IMPORTS:
        importlib.import_module(module)
    from geo.basemap import country_labels_cached, major_cities
    from geo.borders import load_borders
    from geo.render import compact_borders_cached, shared_default_borders

    borders = shared_default_borders()
    if borders:
        country_labels_cached(borders)
        compact_borders_cached(borders)
    major_cities()
    load_borders()  # strike links reach a country's outline when a base is one
    return time.process_time() - started


def serve(streamlit_args: Sequence[str] = (), script: Path = DASHBOARD_SCRIPT) -> int:
    """Warm up, then run ``streamlit run script *streamlit_args`` in this process."""
    seconds = warm_up()
    log.info("dashboard warmed up in %.1f s CPU", seconds)
    from geo.dashboard_data import prepare_bundled

    if prepare_bundled():  # a restart: the stored articles are merged for the first page
        log.info("the bundled articles' first page is prepared from the store")
    from streamlit.web import cli as streamlit_cli

    result = streamlit_cli.main(["run", str(script), *streamlit_args], prog_name="streamlit",
                                standalone_mode=False)
    return int(result or 0)
