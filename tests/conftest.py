"""Shared fixtures: the real gazetteer, built once if missing or stale."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from geo.gazetteer import Gazetteer, build_gazetteer, default_gazetteer_path, needs_build


@pytest.fixture(scope="session")
def gazetteer() -> Iterator[Gazetteer]:
    """The gazetteer at the default path (building it first takes well under a minute)."""
    path = default_gazetteer_path()
    if needs_build(path):
        build_gazetteer(path)
    with Gazetteer.open(path) as opened:
        yield opened
