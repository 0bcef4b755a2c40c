"""Score flight paths against a gold file: path precision and recall, wrong and missed paths.

The gold file (JSON) lists, per article file name, the paths its text states and the paths
that must not appear::

    {"articles": {"03_libya.txt": {
        "paths": [{"origin": {"name": "RAF Lakenheath", "lat": 52.41, "lon": 0.56, "km": 20},
                   "target": {"name": "Tripoli", "lat": 32.89, "lon": 13.19, "km": 30}}],
        "not_paths": [...]}}}

A predicted path of an article (one per origin and target that the article reports)
matches a gold path of the same article when its origin lies within the gold origin's
radius and its target within the gold target's, one to one in text order. Unmatched
predictions are wrong paths (those that hit a ``not_paths`` entry say so), unmatched gold
paths are missed. Articles the gold file does not list are not scored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geographiclib.geodesic import Geodesic

from geo.models import Analysis, GazetteerEntry

_GEOD = Geodesic.WGS84


class GoldFileError(ValueError):
    """The gold file cannot be read or is not in the expected shape."""


@dataclass(frozen=True)
class GoldPoint:
    name: str
    lat: float
    lon: float
    km: float

    def holds(self, lat: float, lon: float) -> bool:
        return float(_GEOD.Inverse(self.lat, self.lon, lat, lon)["s12"]) / 1000 <= self.km


@dataclass(frozen=True)
class GoldPath:
    origin: GoldPoint
    target: GoldPoint

    def holds(self, path: PredictedPath) -> bool:
        return (self.origin.holds(path.origin.lat, path.origin.lon)
                and self.target.holds(path.target.lat, path.target.lon))

    def __str__(self) -> str:
        return f"{self.origin.name} -> {self.target.name}"


@dataclass(frozen=True)
class GoldArticle:
    paths: tuple[GoldPath, ...] = ()
    not_paths: tuple[GoldPath, ...] = ()


@dataclass(frozen=True)
class PredictedPath:
    """One article's report of a path."""

    article: str  # file name
    origin: GazetteerEntry
    target: GazetteerEntry

    def __str__(self) -> str:
        return f"{self.origin.name} -> {self.target.name}"


@dataclass
class PathScores:
    predicted: int = 0
    gold: int = 0
    correct: int = 0
    wrong: list[tuple[str, str, str]] = field(default_factory=list)  # article, path, why
    missed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"articles_paths_predicted": self.predicted, "gold_paths": self.gold,
                "correct": self.correct, "precision": round(self.precision, 3),
                "recall": round(self.recall, 3)}

    def report(self) -> str:
        lines = [json.dumps(self.as_dict())]
        lines += [f"WRONG  {article}: {path}{f' ({why})' if why else ''}"
                  for article, path, why in self.wrong]
        lines += [f"MISSED {article}: {path}" for article, path in self.missed]
        return "\n".join(lines)


def _point(raw: Any, where: str) -> GoldPoint:
    try:
        return GoldPoint(str(raw.get("name", "")), float(raw["lat"]), float(raw["lon"]),
                         float(raw["km"]))
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise GoldFileError(f"{where}: a point needs lat, lon and km, got {raw!r}") from err


def _paths(raw: Any, where: str) -> tuple[GoldPath, ...]:
    if not isinstance(raw, list):
        raise GoldFileError(f"{where}: expected a list of paths, got {raw!r}")
    found = []
    for n, item in enumerate(raw):
        if not isinstance(item, dict):
            raise GoldFileError(f"{where}[{n}]: expected an origin and a target, got {item!r}")
        found.append(GoldPath(_point(item.get("origin"), f"{where}[{n}].origin"),
                              _point(item.get("target"), f"{where}[{n}].target")))
    return tuple(found)


def read_gold(path: Path) -> dict[str, GoldArticle]:
    """The gold file's articles by file name; a bad file raises ``GoldFileError``."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise GoldFileError(f"{path}: cannot read the gold file: {err}") from err
    articles = raw.get("articles") if isinstance(raw, dict) else None
    if not isinstance(articles, dict):
        raise GoldFileError(f"{path}: expected an object with an 'articles' object")
    gold = {}
    for name, item in articles.items():
        if not isinstance(item, dict):
            raise GoldFileError(f"{path}: articles[{name!r}] is not an object")
        gold[name] = GoldArticle(_paths(item.get("paths", []), f"{path}: {name}.paths"),
                                 _paths(item.get("not_paths", []), f"{path}: {name}.not_paths"))
    return gold


def predicted_paths(analysis: Analysis) -> list[PredictedPath]:
    """Each article's reports of the analysis's paths, by the article's file name."""
    names = {a.doc_id: Path(a.path).name if a.path else a.doc_id for a in analysis.articles}
    return [PredictedPath(names.get(report.doc_id, report.doc_id), path.origin, path.target)
            for path in analysis.paths for report in path.reports]


def score_paths(predicted: Iterable[PredictedPath], gold: Mapping[str, GoldArticle]
                ) -> PathScores:
    """Precision and recall of the predicted paths (see the module docstring)."""
    by_article: dict[str, list[PredictedPath]] = {}
    for item in predicted:
        by_article.setdefault(item.article, []).append(item)
    scores = PathScores()
    for name, expected in sorted(gold.items()):
        found = by_article.get(name, [])
        scores.predicted += len(found)
        scores.gold += len(expected.paths)
        open_gold: list[GoldPath] = list(expected.paths)
        for item in found:
            match = next((g for g in open_gold if g.holds(item)), None)
            if match is not None:
                open_gold.remove(match)
                scores.correct += 1
                continue
            banned = next((g for g in expected.not_paths if g.holds(item)), None)
            why = f"must not appear: {banned}" if banned else ""
            scores.wrong.append((name, str(item), why))
        scores.missed += [(name, str(g)) for g in open_gold]
    return scores


def evaluate_folder(folder: Path, gold_path: Path, analyse: Any) -> PathScores:
    """Analyse the folder's articles with ``analyse(paths) -> Analysis`` and score them."""
    gold = read_gold(gold_path)
    analysis: Analysis = analyse([folder])
    return score_paths(predicted_paths(analysis), gold)


def unknown_articles(gold: Mapping[str, GoldArticle], names: Sequence[str]) -> list[str]:
    """Gold entries no article of the folder answers to (a typo in the gold file)."""
    present = set(names)
    return [name for name in gold if name not in present]
