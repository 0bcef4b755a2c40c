"""The dashboard's analysis: its folder's articles through the store, uploads in memory.

A restarted server, or a second browser, reads the stored analyses instead of running the
model again; a new or changed article is analysed alone, with progress. Uploads are never
written to disk (they may be sensitive). When the store cannot be opened (another process
is writing it), the articles are analysed in memory and the caller is told why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from geo.errors import StoreError
from geo.gazetteer import Gazetteer
from geo.models import Article, GazetteerEntry
from geo.stage import ArticleAnalysis
from geo.store.db import AnalysisStore
from geo.store.ingest import analysis_settings, ingest, local_runner
from geo.store.version import analysis_version

if TYPE_CHECKING:
    from geo.resolve import OnlineLookup

# (articles analysed so far, articles to analyse)
Progress = Callable[[int, int], None]


def stored_analyses(
    articles: Sequence[Article],
    store_path: Path,
    gazetteer: Gazetteer,
    *,
    pins: Mapping[str, GazetteerEntry] | None = None,
    online: OnlineLookup | None = None,
    thorough: bool = True,
    progress: Progress | None = None,
) -> tuple[list[ArticleAnalysis], str | None]:
    """The analyses of ``articles`` in order, each new one analysed alone and stored; and
    a warning when the store could not be used."""
    settings = analysis_settings(pins, online, thorough)
    runner = local_runner(gazetteer, thorough=thorough, online=online, pins=pins)
    try:
        with AnalysisStore.open(store_path) as store:
            version = analysis_version(gazetteer.meta(), settings)
            new = store.changed(articles, version)
            done = 0

            def counted(batches: Iterable[list[Article]]) -> Iterator[list[ArticleAnalysis]]:
                nonlocal done
                for analyses in runner(batches):
                    done += len(analyses)
                    if progress is not None:
                        progress(done, len(new))
                    yield analyses

            if new:
                ingest(new, store, gazetteer, runner=counted, settings=settings, batch_size=1)
            return list(store.analyses([a.doc_id for a in articles])), None
    except StoreError as error:
        from geo.pipeline import analyse_articles

        analyses = list(analyse_articles(articles, gazetteer, thorough=thorough, online=online,
                                         pins=pins))
        return analyses, f"{error}; the articles were analysed without it"
