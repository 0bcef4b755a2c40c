"""How a command gets its articles' analyses: inputs, an optional store, a runner.

Every command that analyses (``extract``, ``paths``, ``events``, ``export``, ``ingest``)
goes through :func:`analyses`: the inputs stream in (files, folders, corpus files); with a
store, only what it lacks is analysed and the rest is read back; with ``--dask`` the
analysing is done on a cluster. The same records come out whichever way they were made.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.errors import RunError
from geo.gazetteer import Gazetteer
from geo.models import Article, GazetteerEntry, LoadProblem
from geo.stage import ArticleAnalysis

if TYPE_CHECKING:
    from geo.resolve import OnlineLookup

log = logging.getLogger(__name__)

BATCH_ARTICLES = 512


@dataclass(frozen=True)
class RunOptions:
    """Where articles come from and where their analysis is made and kept."""

    paths: Sequence[str | Path] = ()
    store: Path | None = None
    dask: str | None = None
    columns: str | None = None
    thorough: bool = False
    processes: int = 1
    batch_size: int = BATCH_ARTICLES
    online: OnlineLookup | None = None
    pins: Mapping[str, GazetteerEntry] | None = None

    def settings(self) -> str:
        from geo.store.ingest import analysis_settings

        return analysis_settings(self.pins, self.online, self.thorough)


@dataclass
class RunReport:
    """What a run read, for the command's summary and exit status."""

    read: int = 0
    analysed: int = 0
    problems: int = 0


def _progress_bar(enabled: bool) -> Any:
    if not enabled or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit=" articles", file=sys.stderr, dynamic_ncols=True)


def analyses(
    options: RunOptions,
    gazetteer: Gazetteer,
    *,
    stack: ExitStack,
    report: RunReport,
    on_problem: Callable[[LoadProblem], None],
    with_roles: bool = True,
    progress: bool = True,
    read_back: bool = True,
) -> Iterator[ArticleAnalysis]:
    """The analyses of ``options.paths``' articles in input order (of the whole store when
    a store is given and no path is). ``stack`` closes the store and the cluster. With a
    store and not ``read_back`` (an ingest), nothing is yielded: the work is the storing."""
    from geo.corpus import CorpusColumns, iter_inputs

    try:
        columns = CorpusColumns.parse(options.columns) if options.columns else None
        if columns is None:
            CorpusColumns.from_env()  # a bad GEO_CORPUS_COLUMNS is named before any work
    except ValueError as error:
        raise RunError(f"--columns / GEO_CORPUS_COLUMNS: {error}") from error
    runner = _runner(options, gazetteer, stack, with_roles=with_roles or bool(options.store))
    bar = _progress_bar(progress)
    if bar is not None:
        stack.callback(bar.close)

    def counted(problem: LoadProblem) -> None:
        report.problems += 1
        on_problem(problem)

    items = iter_inputs(options.paths, columns=columns) if options.paths else iter(())
    if options.store is not None:
        from geo.store import AnalysisStore
        from geo.store.ingest import ingest

        store = stack.enter_context(AnalysisStore.open(options.store))
        doc_ids: list[str] = []

        def noted() -> Iterator[Article | LoadProblem]:
            for item in items:
                if isinstance(item, Article):
                    doc_ids.append(item.doc_id)
                yield item

        stats = ingest(noted(), store, gazetteer, runner=runner, settings=options.settings(),
                       batch_size=options.batch_size, on_problem=counted,
                       progress=(lambda n: bar.update(n - bar.n)) if bar is not None else None)
        report.read += stats.read
        report.analysed += stats.analysed
        log.info("%s", stats.summary())
        if read_back:
            yield from store.analyses(doc_ids if options.paths else None)
        return
    from geo.store.ingest import IngestStats, article_batches

    stats = IngestStats()
    for batch_analyses in runner(article_batches(items, options.batch_size, stats, counted)):
        report.read += len(batch_analyses)
        if bar is not None:
            bar.update(len(batch_analyses))
        yield from batch_analyses


def _runner(options: RunOptions, gazetteer: Gazetteer, stack: ExitStack, *,
            with_roles: bool) -> Any:
    if options.dask:
        from geo.cluster import dask_client, dask_runner

        if options.online is not None and not getattr(options.online, "offline", True):
            log.warning("--dask: the online geocoder is not asked from cluster workers")
        client = stack.enter_context(dask_client(options.dask))
        return dask_runner(client, gazetteer.path, thorough=options.thorough,
                           with_roles=with_roles, pins=options.pins)
    from geo.store.ingest import local_runner

    return local_runner(gazetteer, processes=options.processes, thorough=options.thorough,
                        with_roles=with_roles, online=options.online, pins=options.pins)
