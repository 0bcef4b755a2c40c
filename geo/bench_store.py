"""``python -m geo bench-store``: ingesting a news archive, plain and on Dask, in one run.

The gold corpora's texts are repeated into one JSONL corpus of ``articles`` rows (ids made
unique), as an archive dump would come. Each run is a whole process
(``python -m geo ingest``), so the figures include start-up: a first ingest into a new
store, a second of the same file (nothing is new), and a first ingest with
``--dask local:2`` into another new store. Peak memory is the largest single process's
(a Dask worker's included).
"""

from __future__ import annotations

import itertools
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from geo.bench import _measure
from geo.evaluate import read_corpus


def write_corpus(corpora: Sequence[Path], path: Path, articles: int) -> int:
    """``articles`` rows cycling through the corpora's texts; returns the distinct texts."""
    texts = [doc.text for corpus in corpora for doc in read_corpus(corpus)]
    with path.open("w", encoding="utf-8") as handle:
        for number, text in zip(range(articles), itertools.cycle(texts)):
            handle.write(json.dumps({"id": f"bench-{number:07d}", "text": text,
                                     "source": f"outlet {number % 50}"}) + "\n")
    return len(texts)


def bench_store(corpora: Sequence[Path], articles: int = 10_000,
                dask: str | None = "local:2") -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="geo-bench-store-") as tmp:
        corpus = Path(tmp) / "archive.jsonl"
        distinct = write_corpus(corpora, corpus, articles)
        ingest = [sys.executable, "-m", "geo", "ingest", str(corpus), "--store"]
        runs = {"ingest": _measure([*ingest, str(Path(tmp) / "plain.duckdb")])}
        runs["ingest_again"] = _measure([*ingest, str(Path(tmp) / "plain.duckdb")])
        if dask:
            runs[f"ingest_dask_{dask}"] = _measure(
                [*ingest, str(Path(tmp) / "dask.duckdb"), "--dask", dask])
        store_mib = (Path(tmp) / "plain.duckdb").stat().st_size / 2**20
    report: dict[str, object] = {"corpora": [c.name for c in corpora], "articles": articles,
                                 "distinct_texts": distinct, "store_mib": round(store_mib, 1)}
    for name, run in runs.items():
        report[name] = {"seconds": round(run["seconds"], 2),
                        "articles_per_s": round(articles / run["seconds"], 1),
                        "peak_mib": round(run["peak_mib"], 1)}
    first, again = runs["ingest"]["seconds"], runs["ingest_again"]["seconds"]
    report["ingest_again_share_of_first"] = round(again / first, 3)
    return report
