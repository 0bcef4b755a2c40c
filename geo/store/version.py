"""What an analysis was made with: the code, the curated data and the gazetteer.

A stored article is reused only while all three are unchanged, so a fix to the resolver or
a new row of ``data/aliases.csv`` re-analyses what it may change, and nothing else does.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import geo

_PACKAGE = Path(geo.__file__).resolve().parent
_DATA = _PACKAGE.parent / "data"


@functools.cache
def code_version() -> str:
    """A digest of geo's own source files and the curated data tables beside it."""
    digest = hashlib.sha256()
    files = sorted(_PACKAGE.rglob("*.py"))
    if _DATA.is_dir():
        files += sorted(p for p in _DATA.glob("*") if p.suffix in {".csv", ".json", ".geojson"})
    for file in files:
        digest.update(str(file.relative_to(_PACKAGE.parent)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def analysis_version(gazetteer_meta: dict[str, str], settings: str = "") -> str:
    """The code version with the gazetteer's build fingerprint (not its build time) and
    the run's settings that change answers (pins, the online geocoder)."""
    built_from = {k: v for k, v in gazetteer_meta.items() if k != "built_at"}
    digest = hashlib.sha256(code_version().encode())
    digest.update(json.dumps(built_from, sort_keys=True).encode())
    digest.update(settings.encode())
    return digest.hexdigest()[:16]
