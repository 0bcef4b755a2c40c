"""Calibrated confidence: the isotonic fit, its table file, and the one shipped in data/."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.calibration import (
    DEFAULT_CALIBRATION_PATH,
    IDENTITY,
    Calibration,
    CalibrationError,
    Step,
    fit,
    read,
    write,
)


def test_the_fit_is_non_decreasing_and_matches_the_share_right() -> None:
    # Low raw values are right a quarter of the time, high ones nine times in ten; one
    # violator in the middle (right less often than below it) is pooled away.
    points = ([(0.1, i % 4 == 0) for i in range(40)] + [(0.5, i % 2 == 0) for i in range(40)]
              + [(0.6, i % 5 == 0) for i in range(40)] + [(0.9, i % 10 != 0) for i in range(40)])
    table = fit(points, min_pairs=30)
    values = [s.calibrated for s in table.steps]
    assert values == sorted(values)
    assert table(0.1) == pytest.approx(0.25)
    assert table(0.55) == pytest.approx((20 + 8) / 80)
    assert table(0.95) == pytest.approx(0.9)
    assert sum(s.pairs for s in table.steps) == 160


def test_ties_are_never_split_between_steps() -> None:
    table = fit([(0.95, True)] * 50 + [(0.95, False)] * 50, min_pairs=10)
    assert table.steps == (Step(0.95, 0.5, 100),)


def test_a_raw_value_below_the_first_step_takes_the_first() -> None:
    table = Calibration((Step(0.2, 0.3, 40), Step(0.6, 0.8, 40)))
    assert table(0.05) == 0.3 and table(0.2) == 0.3 and table(0.7) == 0.8
    assert IDENTITY(0.42) == 0.42


def test_the_table_round_trips(tmp_path: Path) -> None:
    table = Calibration((Step(0.1, 0.2, 31), Step(0.5, 0.75, 300)))
    path = tmp_path / "calibration.csv"
    write(table, path, "a test fit")
    assert read(path) == table
    assert "a test fit" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("body", "problem"), [
    ("raw_from,calibrated,pairs,source\n0.1,high,3,x\n", "line 2: expected numbers"),
    ("raw_from,calibrated,pairs,source\n0.1,1.5,3,x\n", "line 2: confidences lie in 0..1"),
    ("raw_from,calibrated,pairs,source\n0.5,0.6,3,x\n0.4,0.7,3,x\n", "line 3: rows must rise"),
    ("raw_from,calibrated,pairs,source\n0.4,0.6,3,x\n0.5,0.5,3,x\n", "line 3: rows must rise"),
])
def test_a_bad_table_names_the_file_and_the_line(tmp_path: Path, body: str,
                                                 problem: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CalibrationError, match=problem) as caught:
        read(path)
    assert str(path) in str(caught.value)


def test_the_shipped_table_reads_and_rises() -> None:
    table = read(DEFAULT_CALIBRATION_PATH)
    assert table.steps and all(0 <= s.calibrated <= 1 for s in table.steps)
    assert table(1.0) >= table(0.5) >= table(0.0)
