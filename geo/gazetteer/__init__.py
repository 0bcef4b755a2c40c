"""The offline gazetteer: built once from registry packages into SQLite, read at run time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geo.gazetteer.paths import DEFAULT_GAZETTEER_PATH, default_gazetteer_path
from geo.gazetteer.store import Candidate, Gazetteer, GazetteerError

if TYPE_CHECKING:
    from geo.gazetteer.build import BuildStats, build_gazetteer, needs_build

# The builder is imported on first use: run-time readers do not need it, and importing it
# here would trouble `python -m geo.gazetteer.build`.
_BUILD_EXPORTS = frozenset({"BuildStats", "build_gazetteer", "needs_build"})

__all__ = [
    "DEFAULT_GAZETTEER_PATH",
    "BuildStats",
    "Candidate",
    "Gazetteer",
    "GazetteerError",
    "build_gazetteer",
    "default_gazetteer_path",
    "needs_build",
]


def __getattr__(name: str) -> Any:
    if name in _BUILD_EXPORTS:
        from geo.gazetteer import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
