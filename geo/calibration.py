"""Calibrated confidence: a place at confidence c is right about c of the time.

The resolver's raw confidence (a softmax times the quality of the name match) orders
places well but overstates or understates how often they are right. An isotonic fit
(pool-adjacent-violators) of "within 161 km of the gold point" on the raw confidence over
the dev halves of the gold corpora maps one to the other; it is kept as a small table,
``data/calibration.csv`` (``raw_from,calibrated,pairs,source``), and read as a step
function: a raw value takes the row with the largest ``raw_from`` not above it.

``python -m geo evaluate CORPUS... --fit-calibration data/calibration.csv`` refits it
(scoring the raw confidences). ``GEO_CALIBRATION`` points at another table, or ``off``
for the raw values.
"""

from __future__ import annotations

import bisect
import csv
import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from geo.gazetteer.paths import DATA_DIR

DEFAULT_CALIBRATION_PATH = DATA_DIR / "calibration.csv"
FIELDS = ("raw_from", "calibrated", "pairs", "source")
# Fewer pairs than this in a step leave its share too noisy to state: it is pooled with
# its neighbour.
MIN_PAIRS = 30


class CalibrationError(ValueError):
    """A calibration table that cannot be read; the message names the file and the row."""


@dataclass(frozen=True)
class Step:
    """Raw confidences from ``raw_from`` up to the next step are right ``calibrated`` of
    the time, over ``pairs`` matched pairs."""

    raw_from: float
    calibrated: float
    pairs: int


@dataclass(frozen=True)
class Calibration:
    """A non-decreasing step function from raw to calibrated confidence."""

    steps: tuple[Step, ...]

    def __call__(self, raw: float) -> float:
        if not self.steps:
            return raw
        at = bisect.bisect_right([s.raw_from for s in self.steps], raw) - 1
        return self.steps[max(0, at)].calibrated


IDENTITY = Calibration(())


def fit(points: Iterable[tuple[float, bool]], min_pairs: int = MIN_PAIRS) -> Calibration:
    """Isotonic regression of correctness on raw confidence, in steps of ``min_pairs`` or
    more pairs (pool-adjacent-violators over the pairs sorted by confidence)."""
    # Pairs of one raw value are one block from the start: a step cannot split them.
    tied: dict[float, list[float]] = {}
    for raw, correct in points:
        block = tied.setdefault(raw, [raw, 0.0, 0.0])
        block[1] += correct
        block[2] += 1
    # Each block: [lowest raw value, number right, number of pairs].
    blocks: list[list[float]] = []
    for raw in sorted(tied):
        blocks.append(tied[raw])
        while len(blocks) > 1 and (
                blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]
                or blocks[-2][2] < min_pairs):
            right, pairs = blocks[-1][1], blocks[-1][2]
            blocks.pop()
            blocks[-1][1] += right
            blocks[-1][2] += pairs
    # A short last block joins the one before it, which keeps the steps non-decreasing.
    if len(blocks) > 1 and blocks[-1][2] < min_pairs:
        right, pairs = blocks[-1][1], blocks[-1][2]
        blocks.pop()
        blocks[-1][1] += right
        blocks[-1][2] += pairs
    return Calibration(tuple(Step(round(b[0], 3), round(b[1] / b[2], 3), int(b[2]))
                             for b in blocks))


def write(calibration: Calibration, path: Path, source: str) -> None:
    """Write the table with the corpora it was fitted on as every row's source."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for step in calibration.steps:
            writer.writerow([f"{step.raw_from:.3f}", f"{step.calibrated:.3f}", step.pairs,
                             source])


def read(path: Path) -> Calibration:
    """Read a table written by ``write``; a malformed one raises CalibrationError."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise CalibrationError(f"{path}: cannot be read: {err}") from err
    steps: list[Step] = []
    for line, row in enumerate(rows, start=2):
        try:
            step = Step(float(row["raw_from"]), float(row["calibrated"]), int(row["pairs"]))
        except (KeyError, TypeError, ValueError):
            raise CalibrationError(
                f"{path}, line {line}: expected numbers under {', '.join(FIELDS[:3])}, "
                f"got {row!r}") from None
        if not (0.0 <= step.raw_from <= 1.0 and 0.0 <= step.calibrated <= 1.0):
            raise CalibrationError(f"{path}, line {line}: confidences lie in 0..1: {row!r}")
        if steps and (step.raw_from <= steps[-1].raw_from
                      or step.calibrated < steps[-1].calibrated):
            raise CalibrationError(
                f"{path}, line {line}: rows must rise in raw_from and not fall in "
                f"calibrated: {row!r}")
        steps.append(step)
    return Calibration(tuple(steps))


@functools.cache
def _load(setting: str) -> Calibration:
    if setting == "off":
        return IDENTITY
    path = Path(setting) if setting else DEFAULT_CALIBRATION_PATH
    if not setting and not path.is_file():
        return IDENTITY
    return read(path)


def default_calibration() -> Calibration:
    """The table ``GEO_CALIBRATION`` names, else ``data/calibration.csv`` (the raw values
    where there is none)."""
    return _load(os.environ.get("GEO_CALIBRATION", ""))

