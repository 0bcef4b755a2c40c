"""CSV cells that a spreadsheet would run as a formula are quoted, in every CSV geo writes."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from geo.spreadsheet import spreadsheet_text

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("Aleppo", "Aleppo"),
    (-61.8, "-61.8"),  # a western longitude is a number, not a formula
    ("-3", "-3"),
    ("- 3", "'- 3"),
    (["=a", "b"], "'=a; b"),
])
def test_formula_like_text_is_quoted_and_numbers_are_not(value: object, cell: str) -> None:
    assert spreadsheet_text(value) == cell


@pytest.mark.parametrize("command", ["extract", "events"])
def test_the_command_lines_csv_quotes_a_formula_like_doc_id(tmp_path: Path,
                                                           command: str) -> None:
    report = tmp_path / "=1+2 report.txt"
    report.write_text("Shelling hit Caracas and Aleppo on Monday.\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "geo", command, "--format", "csv", str(report)],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows
    docs = {row["doc"] if command == "extract" else row["docs"] for row in rows}
    assert docs == {"'=1+2 report"}
    if command == "extract":  # Caracas's longitude stays a number
        assert any(row["lon"].startswith("-66.") for row in rows)
    else:
        assert [row["target_lon"][:4] for row in rows] == ["-66."]  # no quote
