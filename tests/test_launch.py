"""The dashboard launcher: what it prepares before Streamlit serves, and its command line."""

from __future__ import annotations

import sys

import pytest

from geo import cli
from geo.launch import WARM_IMPORTS, warm_up
from geo.render import compact_borders_cached, default_borders, shared_default_borders


def test_warm_up_leaves_the_first_maps_work_done_in_the_process() -> None:
    assert warm_up() > 0
    assert all(name in sys.modules for name in WARM_IMPORTS)
    # The outlines are parsed already: every session of the server reads that one copy.
    assert shared_default_borders.cache_info().currsize == 1
    borders = default_borders()
    assert borders is not None
    first = compact_borders_cached(borders)
    # A second map (a new session's) gets the same prepared outlines, not a new copy.
    assert compact_borders_cached(default_borders() or {}) is first
    assert first.names.get("SY") == "Syria"
    assert first.literal.startswith('{"type":"FeatureCollection"')


def test_options_beyond_geos_go_to_streamlit_only_for_the_dashboard(
        monkeypatch: pytest.MonkeyPatch) -> None:
    passed: list[list[str]] = []
    monkeypatch.setattr("geo.launch.serve", lambda options: passed.append(list(options)) or 0)
    assert cli.main(["dashboard", "--server.port", "8502", "--server.headless", "true"]) == 0
    assert passed == [["--server.port", "8502", "--server.headless", "true"]]
    with pytest.raises(SystemExit):
        cli.main(["extract", "data/articles", "--server.port", "8502"])
