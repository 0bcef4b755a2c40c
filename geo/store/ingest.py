"""Ingest: analyse what the store does not have yet, batch by batch, and keep it.

Articles arrive as a stream (``geo.corpus.iter_inputs``) and go in batches: a batch's keys
are looked up, the new or changed articles analysed (here, or on a Dask cluster through a
``Runner``), and the results written in one transaction. Memory holds one batch at a time;
an interrupted ingest keeps every batch written, so running it again resumes.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from geo.gazetteer import Gazetteer
from geo.models import Article, GazetteerEntry, LoadProblem
from geo.stage import ArticleAnalysis
from geo.store.version import analysis_version

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult, Pool

    from geo.resolve import OnlineLookup
    from geo.store.db import AnalysisStore

log = logging.getLogger(__name__)

BATCH_ARTICLES = 512

# Analyses batches of articles, yielding each batch's analyses in the order given.
Runner = Callable[[Iterable[list[Article]]], Iterator[list[ArticleAnalysis]]]


@dataclass
class IngestStats:
    """What an ingest did."""

    read: int = 0
    analysed: int = 0
    unchanged: int = 0
    problems: list[LoadProblem] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        rate = self.read / self.seconds if self.seconds else 0.0
        return (f"{self.read:,} articles read: {self.analysed:,} analysed, "
                f"{self.unchanged:,} already in the store, {len(self.problems):,} problems; "
                f"{self.seconds:.1f} s ({rate:,.0f} articles/s)")


def analysis_settings(pins: Mapping[str, GazetteerEntry] | None, online: OnlineLookup | None,
                      thorough: bool) -> str:
    """What else an analysis depends on, for the store's key: the user's pins, whether the
    online geocoder was asked, and whether the model read every word."""
    pinned = sorted((k, e.gazetteer_id, e.lat, e.lon) for k, e in (pins or {}).items())
    asked = online is not None and not getattr(online, "offline", True)
    return repr((pinned, asked, thorough))


# Articles per task of a worker pool: small enough to balance the cores, large enough that
# sending them and their results costs little beside analysing them.
POOL_CHUNK = 32
# A batch's last articles go in smaller tasks: when it is the run's last batch, both
# workers then finish within a few articles of each other instead of one idling for most
# of a task.
TAIL_CHUNK = 8
# The first batch is this small, so that the workers start while the rest is being read
# (two tasks: enough to start the pool).
FIRST_BATCH = POOL_CHUNK * 2
_worker_gazetteer: Gazetteer | None = None


def local_runner(gazetteer: Gazetteer, *, processes: int = 1, thorough: bool = False,
                 with_roles: bool = True, online: OnlineLookup | None = None,
                 pins: Mapping[str, GazetteerEntry] | None = None) -> Runner:
    """Analyse batches on this machine: with ``processes`` > 1 and no online geocoder, in a
    pool of forked workers that each run the whole per-article stage (the parser and the
    resolver, not only the NER, then use every core); else in this process."""
    asked_online = online is not None and not getattr(online, "offline", True)
    if processes > 1 and not asked_online:
        return _pool_runner(gazetteer, processes, thorough, with_roles, pins)

    def run(batches: Iterable[list[Article]]) -> Iterator[list[ArticleAnalysis]]:
        from geo.pipeline import analyse_articles  # the model: only when analysing

        for batch in batches:
            yield list(analyse_articles(batch, gazetteer, processes=processes,
                                        thorough=thorough, with_roles=with_roles,
                                        online=online, pins=pins))

    return run


def _pool_runner(gazetteer: Gazetteer, processes: int, thorough: bool, with_roles: bool,
                 pins: Mapping[str, GazetteerEntry] | None) -> Runner:
    import multiprocessing

    from geo.nlp import load_nlp
    from geo.pipeline import analyse_articles

    def run(batches: Iterable[list[Article]]) -> Iterator[list[ArticleAnalysis]]:
        load_nlp()  # loaded before forking: the workers share it
        options = (str(gazetteer.path), thorough, with_roles, dict(pins or {}))
        pool: Pool | None = None
        # The next batch is handed to the workers before this one's results are taken, so
        # that they do not wait while this process reads articles and writes results;
        # at most two batches are in memory.
        in_flight: deque[list[AsyncResult[list[ArticleAnalysis]]]] = deque()
        try:
            for batch in batches:
                if pool is None and len(batch) < POOL_CHUNK * 2:
                    # A small batch, and no workers yet: not worth starting them.
                    yield list(analyse_articles(batch, gazetteer, thorough=thorough,
                                                with_roles=with_roles, pins=pins))
                    continue
                if pool is None:
                    pool = multiprocessing.get_context("fork").Pool(processes)
                in_flight.append([pool.apply_async(_analyse_chunk, ((batch[i:j], options),))
                                  for i, j in task_bounds(len(batch))])
                if len(in_flight) > 1:
                    yield [a for part in in_flight.popleft() for a in part.get()]
            while in_flight:
                yield [a for part in in_flight.popleft() for a in part.get()]
        finally:
            if pool is not None:
                pool.terminate()

    return run


def task_bounds(n: int) -> list[tuple[int, int]]:
    """A batch of ``n`` articles cut into pool tasks: POOL_CHUNK each, and the last two
    tasks' worth in TAIL_CHUNK pieces."""
    tail = max(0, n - 2 * POOL_CHUNK)
    bounds = [(i, min(i + POOL_CHUNK, tail)) for i in range(0, tail, POOL_CHUNK)]
    return bounds + [(i, min(i + TAIL_CHUNK, n)) for i in range(tail, n, TAIL_CHUNK)]


def _analyse_chunk(task: tuple[list[Article], tuple[str, bool, bool, dict[str, GazetteerEntry]]]
                   ) -> list[ArticleAnalysis]:
    """A pool worker's share: its own gazetteer connection (SQLite must not cross a fork)."""
    from geo.pipeline import analyse_articles

    global _worker_gazetteer
    articles, (path, thorough, with_roles, pins) = task
    if _worker_gazetteer is None:
        _worker_gazetteer = Gazetteer.open(path)
    return list(analyse_articles(articles, _worker_gazetteer, thorough=thorough,
                                 with_roles=with_roles, pins=pins))


def ingest(
    items: Iterable[Article | LoadProblem],
    store: AnalysisStore,
    gazetteer: Gazetteer,
    *,
    runner: Runner | None = None,
    settings: str = "",
    batch_size: int = BATCH_ARTICLES,
    on_problem: Callable[[LoadProblem], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestStats:
    """Analyse and keep every article of ``items`` that the store lacks or that changed
    (text, facts, or the analysis version). ``settings`` names what else the analysis
    depends on (the user's pins, the online geocoder): a change re-analyses. ``progress``
    gets the count of articles read."""
    started = time.perf_counter()
    stats = IngestStats()
    version = analysis_version(gazetteer.meta(), settings)
    runner = runner or local_runner(gazetteer)

    def new_batches() -> Iterator[list[Article]]:
        for batch in article_batches(items, batch_size, stats, on_problem):
            new = store.changed(batch, version)
            stats.unchanged += len(batch) - len(new)
            if progress is not None:
                progress(stats.read)
            if new:
                yield new

    for analyses in runner(new_batches()):
        store.put(analyses, version)
        stats.analysed += len(analyses)
    if stats.analysed:
        store.paths()  # merged now, by the writer, so that readers find them ready
    stats.seconds = time.perf_counter() - started
    log.info("%s", stats.summary())
    return stats


def article_batches(items: Iterable[Article | LoadProblem], size: int, stats: IngestStats,
                    on_problem: Callable[[LoadProblem], None] | None
                    ) -> Iterator[list[Article]]:
    """The articles of ``items`` in lists of ``size`` (the first one FIRST_BATCH long, if
    that is shorter); problems counted and handed on."""
    batch: list[Article] = []
    wanted = min(size, FIRST_BATCH)
    for item in items:
        if isinstance(item, LoadProblem):
            stats.problems.append(item)
            if on_problem is not None:
                on_problem(item)
            continue
        stats.read += 1
        batch.append(item)
        if len(batch) >= wanted:
            yield batch
            batch = []
            wanted = size
    if batch:
        yield batch
