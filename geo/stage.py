"""The per-article stage's result, in a module light enough for readers of a store.

Reading stored analyses, or a store's aggregates, should not import spaCy; this value type
is all they need (``geo.pipeline`` makes it, ``merge`` joins many).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.models import Analysis, Article, LoadProblem, Place

if TYPE_CHECKING:
    from geo.roles import RoleReading


@dataclass(frozen=True)
class ArticleAnalysis:
    """What one article yields on its own: its places and their roles.

    This is the per-article stage that the analysis store keeps and a Dask worker computes;
    what needs several articles (links, paths) is merged from these by
    ``geo.pipeline.merge``.
    """

    article: Article
    places: tuple[Place, ...]
    readings: tuple[RoleReading, ...] = ()


def merge(analyses: Iterable[ArticleAnalysis], problems: Sequence[LoadProblem] = ()
          ) -> Analysis:
    """One ``Analysis`` of many articles: their places and roles, the strike events each
    reports, and the flight paths that their links make together (one path per origin and
    target, every report in it)."""
    stream = iter(analyses)
    first = next(stream, None)
    # Imported once the first analyses are in, not before: a command's workers are still
    # reading the rest meanwhile (the imports take about 0.3 s), and readers of a store
    # that never merge do not pay for them.
    from geo.links import link_places
    from geo.paths import build_paths
    from geo.strikes.events import read_all_events

    items = [] if first is None else [first, *stream]
    articles = [a.article for a in items]
    readings = [r for a in items for r in a.readings]
    events = read_all_events(articles, readings)
    paths = build_paths(articles, link_places(articles, readings), readings, events=events)
    return Analysis(articles=tuple(articles), places=tuple(p for a in items for p in a.places),
                    roles=tuple(r.role for r in readings), paths=paths,
                    problems=tuple(problems), events=events)
