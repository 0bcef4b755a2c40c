"""The analysis store: analyse each article once, keep it, merge across articles from it.

DuckDB (and pyarrow with it) is imported when the store is first used, not when the package
is: a run without ``--store`` asks only whether ``GEO_STORE`` names one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geo.store.db import DEFAULT_STORE_PATH, AnalysisStore, StoreError

__all__ = ["DEFAULT_STORE_PATH", "AnalysisStore", "StoreError", "store_path_from_env"]


def store_path_from_env() -> Path | None:
    value = os.environ.get("GEO_STORE", "").strip()
    return Path(value) if value else None


def __getattr__(name: str) -> Any:
    if name in ("DEFAULT_STORE_PATH", "AnalysisStore", "StoreError"):
        from geo.store import db

        return getattr(db, name)
    raise AttributeError(f"module 'geo.store' has no attribute {name!r}")
