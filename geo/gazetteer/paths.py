"""Where the gazetteer and its curated data files live."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "data"
ENV_VAR = "GEO_GAZETTEER"


def default_gazetteer_path() -> Path:
    """``$GEO_GAZETTEER`` when set, else ``data/build/gazetteer.sqlite`` in the repository."""
    override = os.environ.get(ENV_VAR, "").strip()
    return Path(override) if override else DATA_DIR / "build" / "gazetteer.sqlite"


DEFAULT_GAZETTEER_PATH = default_gazetteer_path()
