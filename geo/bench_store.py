"""``python -m geo bench-store``: ingesting a news archive, plain and on Dask, in one run.

The gold corpora's texts are repeated into one JSONL corpus of ``articles`` rows (ids made
unique), as an archive dump would come. Each run is a whole process
(``python -m geo ingest``), so the figures include start-up: a first ingest into a new
store, a second of the same file (nothing is new), and a first ingest with
``--dask local:2`` into another new store. Peak memory is the largest single process's
(a Dask worker's included). Then the store is grown ten times by renamed copies of its rows
and the dashboard's queries and map over it are timed in a fresh process.
"""

from __future__ import annotations

import itertools
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from geo.bench import measure
from geo.evaluate import read_corpus

# The dashboard is timed on the ingested store grown ten times: 100,000 articles from 10,000.
ARCHIVE_COPIES = 10


def write_corpus(corpora: Sequence[Path], path: Path, articles: int) -> int:
    """``articles`` rows cycling through the corpora's texts; returns the distinct texts."""
    texts = [doc.text for corpus in corpora for doc in read_corpus(corpus)]
    with path.open("w", encoding="utf-8") as handle:
        for number, text in zip(range(articles), itertools.cycle(texts)):
            handle.write(json.dumps({"id": f"bench-{number:07d}", "text": text,
                                     "source": f"outlet {number % 50}"}) + "\n")
    return len(texts)


ARCHIVE_OPEN = """
import sys, time
started = time.perf_counter()
from geo.archive import ArchiveFilters, daily_counts, latest_articles, map_analysis, overview
from geo.archive import top_places
from geo.render import build_map
from geo.store import AnalysisStore
with AnalysisStore.open(sys.argv[1], read_only=True) as store:
    facts = overview(store)
    filters = ArchiveFilters()
    view = map_analysis(store, filters)
    top_places(store, filters, 200), daily_counts(store, filters), latest_articles(store, filters)
    html = build_map(view).get_root().render()
print(facts.articles, facts.mentions, len(view.places), len(html), time.perf_counter() - started)
"""


def replicate(store_path: Path, copies: int) -> None:
    """Grow a store ``copies`` times by renamed copies of its rows (a synthetic archive:
    the places table a dashboard queries; the merged paths stay those of the original)."""
    import duckdb

    with duckdb.connect(str(store_path)) as conn:
        top = conn.execute("SELECT max(seq) FROM articles").fetchone()[0]  # type: ignore[index]
        for copy in range(1, copies):
            # Copies carry no text or stage: the dashboard's queries read neither.
            conn.execute("INSERT INTO articles SELECT * REPLACE (doc_id || ? AS doc_id, "
                         "seq + ? AS seq, '' AS text, '' AS state, 0 AS n_strike_roles) "
                         "FROM articles WHERE seq <= ?",
                         [f"~{copy}", copy * top, top])
            conn.execute("INSERT INTO places SELECT * REPLACE (doc_id || ? AS doc_id, "
                         "seq + ? AS seq) FROM places WHERE seq <= ?",
                         [f"~{copy}", copy * top, top])


def archive_open(store_path: Path) -> dict[str, float]:
    """The dashboard's queries and map over a store, in a fresh process, timed."""
    import subprocess

    out = subprocess.run([sys.executable, "-c", ARCHIVE_OPEN, str(store_path)], check=True,
                         capture_output=True, text=True).stdout.split()
    articles, mentions, shown, html, seconds = out[-5:]
    return {"articles": int(articles), "placed_mentions": int(mentions),
            "places_on_map": int(shown), "map_html_mib": round(int(html) / 2**20, 1),
            "seconds": round(float(seconds), 2)}


def bench_store(corpora: Sequence[Path], articles: int = 10_000,
                dask: str | None = "local:2") -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="geo-bench-store-") as tmp:
        corpus = Path(tmp) / "archive.jsonl"
        distinct = write_corpus(corpora, corpus, articles)
        ingest = [sys.executable, "-m", "geo", "ingest", str(corpus), "--store"]
        runs = {"ingest": measure([*ingest, str(Path(tmp) / "plain.duckdb")])}
        runs["ingest_again"] = measure([*ingest, str(Path(tmp) / "plain.duckdb")])
        if dask:
            runs[f"ingest_dask_{dask}"] = measure(
                [*ingest, str(Path(tmp) / "dask.duckdb"), "--dask", dask])
        store_mib = (Path(tmp) / "plain.duckdb").stat().st_size / 2**20
        replicate(Path(tmp) / "plain.duckdb", ARCHIVE_COPIES)
        opened = archive_open(Path(tmp) / "plain.duckdb")
    report: dict[str, object] = {"corpora": [c.name for c in corpora], "articles": articles,
                                 "distinct_texts": distinct, "store_mib": round(store_mib, 1)}
    for name, run in runs.items():
        report[name] = {"seconds": round(run["seconds"], 2),
                        "articles_per_s": round(articles / run["seconds"], 1),
                        "peak_mib": round(run["peak_mib"], 1)}
    first, again = runs["ingest"]["seconds"], runs["ingest_again"]["seconds"]
    report["ingest_again_share_of_first"] = round(again / first, 3)
    report[f"dashboard_open_store_x{ARCHIVE_COPIES}"] = opened
    return report
