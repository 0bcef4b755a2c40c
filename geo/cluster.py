"""Per-article analysis on a Dask distributed cluster, for when one machine is not enough.

``--dask ADDRESS`` (a scheduler, ``tcp://host:8786``) or ``--dask local:N`` (a LocalCluster
of N worker processes here). Batches of articles go to the workers as tasks; each worker
opens the gazetteer read-only and loads the spaCy model once (cached in the worker
process), runs the same per-article stage as a single-machine run
(``geo.pipeline.analyse_articles``), and sends the results back, which come out in input
order so that the records match a plain run's row for row. The store is written by the
client alone (one writer, as DuckDB wants).

Nothing here imports Dask until a runner is made: without ``--dask`` it is never loaded.
"""

from __future__ import annotations

import functools
import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from geo.errors import ClusterError
from geo.models import Article, GazetteerEntry
from geo.stage import ArticleAnalysis

log = logging.getLogger(__name__)

# Batches in flight per worker: enough to keep every worker busy while results come back.
IN_FLIGHT_PER_WORKER = 2


@functools.cache
def _worker_gazetteer(path: str) -> Any:
    from geo.gazetteer import Gazetteer

    # A worker may keep the gazetteer elsewhere (shared storage): its own setting wins.
    return Gazetteer.open(os.environ.get("GEO_GAZETTEER") or path)


def analyse_batch(articles: list[Article], gazetteer_path: str, thorough: bool = False,
                  with_roles: bool = True,
                  pins: Mapping[str, GazetteerEntry] | None = None) -> list[ArticleAnalysis]:
    """The per-article stage of a batch, on a worker (resources opened once per worker)."""
    from geo.pipeline import analyse_articles

    gazetteer = _worker_gazetteer(gazetteer_path)
    return list(analyse_articles(articles, gazetteer, thorough=thorough,
                                 with_roles=with_roles, pins=pins))


@contextmanager
def dask_client(address: str) -> Iterator[Any]:
    """A client of the cluster at ``address``, or of a new local one for ``local:N``."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:  # pragma: no cover - a dependency of requirements.txt
        raise ClusterError("Dask is not installed (pip install 'dask[distributed]')") from error
    cluster = None
    # Dask logs every worker's start and stop at INFO: noise unless asked for (-v).
    if not logging.getLogger().isEnabledFor(logging.INFO):
        logging.getLogger("distributed").setLevel(logging.WARNING)
    try:
        if address == "local" or address.startswith("local:"):
            _, _, count = address.partition(":")
            workers = int(count) if count else min(2, len(os.sched_getaffinity(0)))
            if workers < 1:
                raise ClusterError(f"--dask {address}: want local:N with N >= 1")
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            client = Client(address, timeout=10)
    except ValueError as error:
        raise ClusterError(f"--dask {address}: want a scheduler address or local:N "
                           f"({error})") from error
    except OSError as error:
        raise ClusterError(f"--dask {address}: cannot reach the scheduler ({error})") from error
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def dask_runner(client: Any, gazetteer_path: Path, *, thorough: bool = False,
                with_roles: bool = True,
                pins: Mapping[str, GazetteerEntry] | None = None) -> Any:
    """A ``geo.store.ingest.Runner`` that analyses each batch as one task on the cluster."""
    path = str(Path(gazetteer_path).resolve())

    def run(batches: Iterable[list[Article]]) -> Iterator[list[ArticleAnalysis]]:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        pending: deque[Any] = deque()
        for batch in batches:
            pending.append(client.submit(analyse_batch, batch, path, thorough, with_roles,
                                         pins, pure=False))
            while len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    return run
