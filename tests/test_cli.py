"""The command line as a user runs it: a real process over real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo.cli import MENTION_FIELDS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "articles"


def geo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def seed_mentions() -> list[dict[str, object]]:
    done = geo("extract", str(SEEDS), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_extract_jsonl_has_every_field(seed_mentions: list[dict[str, object]]) -> None:
    assert seed_mentions
    for record in seed_mentions:
        assert set(MENTION_FIELDS) <= set(record)
        assert record["kind"] in ("toponym", "demonym")
    docs = {r["doc"] for r in seed_mentions}
    assert docs == {p.stem for p in SEEDS.glob("*.txt")}


def test_extract_offsets_slice_the_files(seed_mentions: list[dict[str, object]]) -> None:
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for record in seed_mentions:
        start, end = int(str(record["start"])), int(str(record["end"]))
        assert texts[str(record["doc"])][start:end] == record["text"]


def test_bad_files_are_named_and_the_good_ones_kept(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Russian jets struck Aleppo in Syria.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    done = geo("extract", str(tmp_path), "--format", "jsonl")
    assert done.returncode == 0
    assert "empty.txt" in done.stderr and "binary.txt" in done.stderr
    names = {json.loads(line)["text"] for line in done.stdout.splitlines()}
    assert {"Aleppo", "Syria"} <= names


def test_nothing_readable_is_a_failure(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    done = geo("extract", str(tmp_path))
    assert done.returncode == 1
    assert "empty.txt" in done.stderr
    missing = geo("extract", str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "nowhere" in missing.stderr


def test_csv_and_table_formats(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Jets struck Idlib, Syria.", encoding="utf-8")
    as_csv = geo("extract", str(tmp_path), "--format", "csv")
    assert as_csv.stdout.splitlines()[0].split(",")[:4] == ["doc", "start", "end", "text"]
    table = geo("extract", str(tmp_path), "--format", "table")
    assert "Idlib" in table.stdout


def test_paths_jsonl_and_geojson() -> None:
    done = geo("paths", str(SEEDS), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    paths = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(paths) >= 4
    first = paths[0]
    for field in ("origin", "target", "docs", "sources", "dates", "countries", "distance_km",
                  "bearing", "confidence", "inferred", "evidence"):
        assert field in first
    geojson = json.loads(geo("paths", str(SEEDS), "--format", "geojson").stdout)
    assert geojson["type"] == "FeatureCollection"
    assert all(f["geometry"]["type"] in ("LineString", "MultiLineString")
               for f in geojson["features"])


def test_export_refuses_a_bad_path_and_an_unknown_source(tmp_path: Path) -> None:
    done = geo("export", str(SEEDS), "-o", str(tmp_path / "nowhere" / "map.html"))
    assert done.returncode == 2 and "nowhere" in done.stderr
    done = geo("export", str(SEEDS), "-o", str(tmp_path / "map.txt"))
    assert done.returncode == 2 and "map.txt" in done.stderr
    done = geo("export", str(SEEDS), "-o", str(tmp_path / "m.html"), "--source", "Nobody")
    assert done.returncode == 2 and "Nobody" in done.stderr


def test_export_writes_each_format(tmp_path: Path) -> None:
    for name in ("briefing.html", "out.geojson", "out.csv", "out.kml"):
        done = geo("export", str(SEEDS), "-o", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
        assert (tmp_path / name).stat().st_size > 0
    assert (tmp_path / "briefing.html").stat().st_size <= 3_000_000
