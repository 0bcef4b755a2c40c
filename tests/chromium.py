"""Debian's Chromium for the browser tests: where it is, how to start it, and the skip mark.

Playwright cannot download a browser here; it drives /usr/bin/chromium (package
``chromium``, installed by ``make test``). Without the background-networking flags Chromium
reaches for Google's services at start, which this closed network refuses.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("GEO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
requires_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)",
)
