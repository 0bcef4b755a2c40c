"""Debian's Chromium for the browser tests: where it is, how to start it, and the skip mark.

Playwright cannot download a browser here; it drives /usr/bin/chromium (package
``chromium``, installed by ``make test``). Without the background-networking flags Chromium
reaches for Google's services at start, which this closed network refuses.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@dataclass
class PageLog:
    """What a page did that a test forbids: errors, console errors, dialogs, refused requests."""

    errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@contextlib.contextmanager
def offline_page(viewport: tuple[int, int] = (1280, 800)) -> Iterator[tuple[Any, PageLog]]:
    """A Chromium page that may load file:// URLs only; every other request is refused
    and recorded, and dialogs are dismissed and recorded."""
    sync_api = pytest.importorskip("playwright.sync_api")
    log = PageLog()

    def refuse_network(route: Any) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            log.refused.append(route.request.url)
            route.abort()

    def on_dialog(dialog: Any) -> None:
        log.dialogs.append(dialog.message)
        dialog.dismiss()

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            page.route("**/*", refuse_network)
            page.on("pageerror", lambda exc: log.errors.append(str(exc)))
            page.on("dialog", on_dialog)
            page.on("console", lambda msg: log.console_errors.append(msg.text)
                    if msg.type == "error" else None)
            yield page, log
        finally:
            browser.close()


# Labels a reader sees without hovering: laid out, not hidden by the declutter script,
# inside the map; and whether any two of them overlap.
VISIBLE_LABELS_JS = """
() => {
    const box = document.querySelector('.leaflet-container').getBoundingClientRect();
    const shown = [...document.querySelectorAll('.geo-label')]
        .filter(el => !el.classList.contains('geo-label-hidden'))
        .map(el => ({el, text: el.textContent.trim(),
                     r: (el.querySelector('[data-p]') || el).getBoundingClientRect()}))
        .filter(l => l.r.width > 0 && l.r.left >= box.left && l.r.right <= box.right
                && l.r.top >= box.top && l.r.bottom <= box.bottom
                && getComputedStyle(l.el).visibility !== 'hidden');
    let overlaps = 0;
    for (let i = 0; i < shown.length; i++)
        for (let j = i + 1; j < shown.length; j++) {
            const a = shown[i].r, b = shown[j].r;
            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
                overlaps++;
        }
    return {texts: shown.map(l => l.text), overlaps};
}
"""


# The strike events' layers of a Leaflet map (called with the map): each popup's title,
# the struck names, its labelled fields, and whether it is a line (an origin) and dashed
# (an approximate one) or a struck place.
STRUCK_EVENTS_JS = """
(map) => {
    const parser = new DOMParser();
    const events = [];
    map.eachLayer(layer => {
        const popup = layer.getPopup && layer.getPopup();
        if (!popup) return;
        const doc = parser.parseFromString(popup.getContent(), 'text/html');
        const title = doc.querySelector('h4').textContent;
        if (!title.startsWith('Struck:')) return;
        const fields = {};
        doc.querySelectorAll('div > b').forEach(b => {
            fields[b.textContent.replace(':', '').trim()] =
                b.parentElement.textContent.slice(b.textContent.length).trim();
        });
        const names = title.slice('Struck:'.length).split(', ')
            .map(n => n.replace(/ \\([a-z]+\\)$/, '').trim());
        events.push({title, names, fields, dashed: !!layer.options.dashArray,
                     line: layer instanceof L.Polyline && !(layer instanceof L.CircleMarker)});
    });
    return events;
}
"""
