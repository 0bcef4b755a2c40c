"""Path precision and recall against a gold file, and the strike development set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.language import Language

from geo.gazetteer import Gazetteer
from geo.models import Feature, GazetteerEntry
from geo.pipeline import analyse
from geo.strikes.evaluate import (
    GoldFileError,
    PredictedPath,
    predicted_paths,
    read_gold,
    score_paths,
)

DEV_SET = Path(__file__).resolve().parent / "data" / "strikes"


def entry(name: str, lat: float, lon: float) -> GazetteerEntry:
    return GazetteerEntry(f"t:{name}", name, lat, lon, "XX", Feature.CITY)


def gold_file(tmp_path: Path, articles: object) -> Path:
    path = tmp_path / "gold.json"
    path.write_text(json.dumps({"articles": articles}), encoding="utf-8")
    return path


def point(name: str, lat: float, lon: float, km: float = 20) -> dict[str, object]:
    return {"name": name, "lat": lat, "lon": lon, "km": km}


def test_precision_recall_wrong_and_missed(tmp_path: Path) -> None:
    gold = read_gold(gold_file(tmp_path, {
        "a.txt": {"paths": [{"origin": point("A", 10, 10), "target": point("B", 20, 20)},
                            {"origin": point("A", 10, 10), "target": point("C", 30, 30)}],
                  "not_paths": [{"origin": point("B", 20, 20), "target": point("A", 10, 10)}]},
        "b.txt": {"paths": [], "not_paths": []},
    }))
    predicted = [
        PredictedPath("a.txt", entry("A", 10.05, 10.0), entry("B", 20.0, 20.05)),  # right
        PredictedPath("a.txt", entry("B", 20.0, 20.0), entry("A", 10.0, 10.0)),  # banned
        PredictedPath("b.txt", entry("X", 0.0, 0.0), entry("Y", 1.0, 1.0)),  # wrong
        PredictedPath("unscored.txt", entry("X", 0.0, 0.0), entry("Y", 1.0, 1.0)),
    ]
    scores = score_paths(predicted, gold)
    assert (scores.predicted, scores.gold, scores.correct) == (3, 2, 1)
    assert scores.precision == pytest.approx(1 / 3) and scores.recall == 0.5
    assert scores.missed == [("a.txt", "A -> C")]
    assert ("a.txt", "B -> A", "must not appear: B -> A") in scores.wrong
    assert "MISSED a.txt: A -> C" in scores.report()


def test_a_gold_path_matches_one_prediction_only(tmp_path: Path) -> None:
    gold = read_gold(gold_file(tmp_path, {
        "a.txt": {"paths": [{"origin": point("A", 10, 10, 500), "target": point("B", 20, 20)}]}}))
    twice = [PredictedPath("a.txt", entry("A", 10, 10), entry("B", 20, 20)),
             PredictedPath("a.txt", entry("A2", 11, 10), entry("B", 20, 20))]
    scores = score_paths(twice, gold)
    assert scores.correct == 1 and len(scores.wrong) == 1


@pytest.mark.parametrize(("content", "problem"), [
    ("not json", "cannot read"),
    ('{"articles": []}', "'articles' object"),
    ('{"articles": {"a.txt": {"paths": [{"origin": {"lat": 1}}]}}}', "a.txt.paths"),
    ('{"articles": {"a.txt": {"paths": {}}}}', "expected a list"),
])
def test_bad_gold_file_names_file_and_problem(tmp_path: Path, content: str,
                                             problem: str) -> None:
    path = tmp_path / "gold.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GoldFileError, match=r"gold\.json") as caught:
        read_gold(path)
    assert problem in str(caught.value)


def test_dev_set_gold_names_every_article() -> None:
    gold = read_gold(DEV_SET / "gold.json")
    texts = {p.name for p in DEV_SET.glob("*.txt")}
    assert set(gold) == texts and len(texts) >= 20
    assert sum(len(a.paths) for a in gold.values()) >= 15


def test_dev_set_scores(gazetteer: Gazetteer, nlp: Language) -> None:
    """The figures the README quotes; a fall below them is a regression."""
    analysis = analyse([DEV_SET], gazetteer=gazetteer, nlp=nlp)
    scores = score_paths(predicted_paths(analysis), read_gold(DEV_SET / "gold.json"))
    assert scores.precision >= 0.9, scores.report()
    assert scores.recall >= 0.6, scores.report()
    # What is not a strike gives no path at all.
    quiet = {"06_bombers_deployed.txt", "12_drones_hit_base.txt", "13_bombers_relocated.txt",
             "14_interception_hypothetical.txt", "16_airspace_request.txt",
             "17_photo_caption.txt", "20_flyover.txt", "21_no_operation.txt"}
    assert not [w for w in scores.wrong if w[0] in quiet], scores.report()


def test_cli_names_a_bad_gold_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from geo.cli import EXIT_USAGE, main

    bad = tmp_path / "gold.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    assert main(["evaluate-paths", str(DEV_SET), str(bad)]) == EXIT_USAGE
    assert "gold.json" in caplog.text and "'articles'" in caplog.text


def test_cli_events_refuses_a_bad_window(monkeypatch: pytest.MonkeyPatch,
                                         caplog: pytest.LogCaptureFixture) -> None:
    from geo.cli import EXIT_USAGE, main

    monkeypatch.setenv("GEO_INCIDENT_DAYS", "soon")
    assert main(["events", str(DEV_SET)]) == EXIT_USAGE
    assert "GEO_INCIDENT_DAYS" in caplog.text
