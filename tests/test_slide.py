"""Tests for geo.slide: slide images of a map view, drawn with matplotlib."""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from matplotlib.colors import to_hex
from PIL import Image
from test_render import HOSTILE_SOURCE, SCRIPT, sample_analysis, small_borders

from geo.models import Analysis
from geo.render import EVENT_COLOR
from geo.slide import _nice_km, draw_slide, mercator_y, slide_bytes
from geo.view import filter_analysis

WHEN = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)


def _view() -> Analysis:
    return filter_analysis(sample_analysis())


def test_png_is_16_by_9_and_at_least_1600_by_900() -> None:
    png = slide_bytes(_view(), "png", title="Overnight strikes", borders=small_borders(),
                      exported=WHEN)
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
        colours = len(image.convert("RGB").resize((160, 90)).getcolors(160 * 90) or ())
    assert width >= 1600 and height >= 900
    assert width * 9 == height * 16
    assert colours > 20  # a drawn map, not a blank page


def test_slide_labels_the_operations_and_the_paths() -> None:
    fig = draw_slide(_view(), title="T", borders=small_borders(), exported=WHEN)
    labels = set(fig._geo_labels)  # type: ignore[attr-defined]
    assert {"Hmeimim Air Base", "Kyiv"} <= labels
    assert any(text.endswith(" km") for text in labels)


def test_svg_has_title_legend_scale_sources_and_credits() -> None:
    svg = slide_bytes(_view(), "svg", title="Overnight strikes", borders=small_borders(),
                      exported=WHEN).decode("utf-8")
    ET.fromstring(svg)  # well-formed XML
    # matplotlib writes text as glyph paths, keeping each string in a comment.
    for text in ("Overnight strikes", "Key", "Strike target", "Base (launch site)",
                 "Sources (articles)", "Reuters (1)", "Natural Earth", "2024-05-01 12:30 UTC"):
        assert text in svg, text
    assert re.search(r"\d+ km", svg)


def test_hostile_text_stays_text_in_svg_and_is_no_mathtext() -> None:
    title = f"Costs $x^2$ {SCRIPT}"
    svg = slide_bytes(_view(), "svg", title=title, borders=small_borders(), exported=WHEN)
    text = svg.decode("utf-8")
    assert SCRIPT not in text and "<script" not in text
    assert "$x^2$" in text  # drawn literally, not typeset as a formula
    assert "Evil Wire" in text and HOSTILE_SOURCE not in text


def test_pdf_is_written(tmp_path: Path) -> None:
    pdf = slide_bytes(_view(), "pdf", title="T", borders=small_borders(), exported=WHEN)
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_empty_view_still_draws() -> None:
    png = slide_bytes(Analysis(articles=(), places=()), "png", title="Nothing",
                      borders=small_borders(), exported=WHEN)
    assert png.startswith(b"\x89PNG")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown slide format 'gif'"):
        slide_bytes(_view(), "gif", title="T", borders=small_borders())


def test_scale_helpers() -> None:
    assert [_nice_km(x) for x in (1.2, 3.0, 7.9, 180.0, 420.0)] == [1, 2, 5, 100, 200]
    assert mercator_y(0.0) == pytest.approx(0.0)
    assert mercator_y(60.0) > 60.0


def test_seed_slide_labels_the_operations(seed_analysis: Analysis, tmp_path: Path) -> None:
    fig = draw_slide(filter_analysis(seed_analysis), title="Seeds", exported=WHEN)
    labels = set(fig._geo_labels)  # type: ignore[attr-defined]
    for name in ("Hmeimim Air Base", "Aleppo", "Idlib", "Deir ez-Zor", "Al Bāb"):
        assert name in labels, (name, sorted(labels))
    assert {"Nojeh Air Base", "Hamadān"} & labels


def test_seed_slide_draws_the_strike_events(seed_analysis: Analysis) -> None:
    """Each struck place gets a red ring and its actor and date; "from Iran" is drawn as
    a dashed line from the country, and both are in the key."""
    view = filter_analysis(seed_analysis)
    fig = draw_slide(view, title="Seeds", exported=WHEN)
    ax = fig.axes[0]
    rings = [line for line in ax.get_lines()
             if line.get_marker() == "o" and line.get_markerfacecolor() == "none"
             and to_hex(line.get_markeredgecolor()) == EVENT_COLOR]
    assert len(rings) >= 4  # Aleppo, Idlib, Deir ez-Zor, al-Bab
    dashed = [line for line in ax.get_lines() if line.get_marker() in ("None", "", None)
              and to_hex(line.get_color()) == EVENT_COLOR and line.get_linestyle() != "-"]
    assert dashed
    # The raids of 16 August are labelled once (at their first place); the crowd around
    # Aleppo may leave no room for al-Bab's, which its own slide shows.
    assert "RU 2016-08-16" in fig._geo_labels  # type: ignore[attr-defined]
    key = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Struck (actor, date)" in key and "Approximate origin" in key

    bbc = draw_slide(filter_analysis(seed_analysis, sources={"BBC News"}), title="BBC",
                     exported=WHEN)
    assert "RU 2016-12-01" in bbc._geo_labels  # type: ignore[attr-defined]
    assert "Approximate origin" not in [t.get_text() for t in bbc.legends[0].get_texts()]
