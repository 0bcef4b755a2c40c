"""A real Dask LocalCluster with two workers gives the records of a plain run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo.articles import load_articles

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "articles"


def geo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds as a JSONL corpus, each with its manifest's facts."""
    articles, _ = load_articles([SEEDS])
    path = tmp_path_factory.mktemp("corpus") / "seeds.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for a in articles:
            handle.write(json.dumps({"id": a.doc_id, "text": a.text, "source": a.source,
                                     "title": a.title, "url": a.url, "published":
                                     a.published.isoformat() if a.published else None}) + "\n")
    return path


def test_corpus_dask_and_files_give_the_same_records(corpus: Path, tmp_path: Path) -> None:
    files = geo("extract", str(SEEDS), "--format", "jsonl")
    rows = geo("extract", str(corpus), "--format", "jsonl")
    on_dask = geo("extract", str(corpus), "--format", "jsonl", "--dask", "local:2")
    assert files.returncode == rows.returncode == on_dask.returncode == 0, on_dask.stderr
    assert files.stdout.count("\n") > 100
    assert rows.stdout == files.stdout
    assert on_dask.stdout == files.stdout
    assert "Start Nanny" not in on_dask.stderr  # Dask's own chatter stays quiet


def test_ingest_on_dask_then_paths_from_the_store(corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    done = geo("ingest", str(corpus), "--store", str(store), "--dask", "local:2")
    assert done.returncode == 0, done.stderr
    assert "5 articles read (5 analysed" in done.stdout
    from_store = geo("paths", "--store", str(store), "--format", "jsonl")
    plain = geo("paths", str(SEEDS), "--format", "jsonl")
    assert from_store.returncode == 0, from_store.stderr
    assert from_store.stdout == plain.stdout and plain.stdout.count("\n") >= 7


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:9", "localhost:9"])
def test_an_unreachable_scheduler_is_named(corpus: Path, address: str) -> None:
    done = geo("extract", str(corpus), "--dask", address)
    assert done.returncode != 0
    assert f"--dask {address}: cannot reach the scheduler" in done.stderr


def test_dask_is_not_imported_without_dask() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from geo.cli import main\n"
         f"main(['extract', {str(SEEDS)!r}, '--format', 'csv'])\n"
         "print('dask' in sys.modules, 'distributed' in sys.modules, file=sys.stderr)"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.stderr.strip().splitlines()[-1] == "False False"
