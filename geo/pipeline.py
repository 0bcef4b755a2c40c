"""One call from articles to an Analysis, shared by the command line, the dashboard and tests."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from geo.articles import load_articles
from geo.extract import NameMatches, extract, match_names
from geo.gazetteer import Gazetteer
from geo.models import Analysis, Article, GazetteerEntry, LoadProblem, Place
from geo.nlp import Entity, entities_of, load_nlp
from geo.outlets import home_country
from geo.resolve import OnlineLookup, resolve
from geo.stage import ArticleAnalysis

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# Below this many articles, starting worker processes costs more than it saves.
PARALLEL_FROM = 32


def place_articles(
    articles: Sequence[Article],
    gazetteer: Gazetteer,
    *,
    nlp: Language | None = None,
    online: OnlineLookup | None = None,
    pins: Mapping[str, GazetteerEntry] | None = None,
    progress: Progress | None = None,
    embedded: bool = False,
    processes: int = 1,
    thorough: bool = False,
) -> Iterator[list[Place]]:
    """The places of each article, in order, one list per article.

    ``embedded`` also reads place names inside organisations' names (for scoring against
    corpora that count them); maps and flight paths never use them. ``processes`` > 1 runs
    the NER in forked workers for a large batch; only a command-line process should ask for
    it, never a threaded server. ``thorough`` has the model read every word rather than the
    windows the gazetteer cannot decide alone, so that names no gazetteer entry spells are
    reported too (slower; worth it when an online geocoder or a user's pins can place them).
    """
    nlp = nlp or load_nlp()
    # Lazy: with workers, the gazetteer pass over later articles overlaps the NER of earlier ones.
    matches = (match_names(article, gazetteer, thorough=thorough) for article in articles)
    workers = processes if len(articles) >= PARALLEL_FROM else 1
    for done, (found, entities) in enumerate(model_entities(nlp, matches, workers), start=1):
        extractions = extract(found.article, gazetteer, entities, embedded=embedded,
                              matches=found)
        yield resolve(found.article.text, extractions, gazetteer, online=online, pins=pins,
                      home=home_country(found.article.url))
        if progress is not None:
            progress(done, len(articles))


@dataclass
class _Reading:
    """An article whose model windows are being read."""

    found: NameMatches
    unread: int
    entities: list[Entity] = field(default_factory=list)


def model_entities(nlp: Language, matches: Iterable[NameMatches], workers: int = 1
                   ) -> Iterator[tuple[NameMatches, list[Entity]]]:
    """Each article's matches with the NER's entities in its model windows (in article
    offsets), in order, as soon as its windows are read.

    An entity cut by a window's edge is dropped: the window saw only part of its name.
    """
    queue: deque[_Reading] = deque()  # filled as the model's input is drawn, maybe by a thread

    def window_texts() -> Iterator[str]:
        for found in matches:
            queue.append(_Reading(found, len(found.model_windows)))
            for start, end in found.model_windows:
                yield found.article.text[start:end]

    for window_entities in entities_of(nlp, window_texts(), workers):
        while queue and queue[0].unread == 0:
            done = queue.popleft()
            yield done.found, done.entities
        reading = queue[0]  # the earliest article with windows left: this result is its next
        start, end = reading.found.model_windows[-reading.unread]
        reading.entities.extend(_in_article(reading.found.article, start, end, window_entities))
        reading.unread -= 1
    for done in queue:
        yield done.found, done.entities


def _in_article(article: Article, start: int, end: int, entities: Iterable[Entity]
                ) -> Iterator[Entity]:
    """A window's entities in article offsets, less those its edges cut."""
    bounds = article.body_ranges()
    inner_start = all(start != b_start for b_start, _ in bounds)
    inner_end = all(end != b_end for _, b_end in bounds)
    for e_start, e_end, label in entities:
        if (inner_start and e_start == 0) or (inner_end and e_end == end - start):
            continue
        yield start + e_start, start + e_end, label


def analyse_articles(
    articles: Sequence[Article],
    gazetteer: Gazetteer,
    *,
    nlp: Language | None = None,
    online: OnlineLookup | None = None,
    pins: Mapping[str, GazetteerEntry] | None = None,
    processes: int = 1,
    thorough: bool = False,
    with_roles: bool = True,
) -> Iterator[ArticleAnalysis]:
    """The per-article stage of each article, in order."""
    nlp = nlp or load_nlp()
    if with_roles:
        from geo.roles import read_roles  # the parser: not needed to place names
    placed = place_articles(articles, gazetteer, nlp=nlp, online=online, pins=pins,
                            processes=processes, thorough=thorough)
    if not with_roles:
        for article, places in zip(articles, placed, strict=True):
            yield ArticleAnalysis(article, tuple(places))
        return
    # The NER's generator holds the model's pipes narrowed to NER while it is suspended:
    # the batch is placed whole before the parser reads roles.
    for article, places in zip(articles, list(placed), strict=True):
        yield ArticleAnalysis(article, tuple(places), tuple(read_roles([article], places, nlp)))


def analyse(
    inputs: Iterable[str | Path] | Sequence[Article],
    *,
    gazetteer: Gazetteer,
    nlp: Language | None = None,
    online: OnlineLookup | None = None,
    pins: Mapping[str, GazetteerEntry] | None = None,
    progress: Progress | None = None,
    with_paths: bool = True,
    thorough: bool = False,
) -> Analysis:
    """Read (when given paths), extract, resolve, read roles and infer flight paths.

    ``thorough`` as for ``place_articles``: worth it when an online geocoder may place the
    names the gazetteer lacks."""
    items = list(inputs)
    problems: list[LoadProblem] = []
    if items and all(isinstance(item, Article) for item in items):
        articles = [item for item in items if isinstance(item, Article)]
    else:
        files = [item for item in items if isinstance(item, (str, Path))]
        articles, problems = load_articles(files)
    nlp = nlp or load_nlp()
    places: list[Place] = []
    for article_places in place_articles(articles, gazetteer, nlp=nlp, online=online,
                                         pins=pins, progress=progress, thorough=thorough):
        places.extend(article_places)
    from geo.paths import infer_strikes  # roles and geometry: not needed to place names

    roles, paths, events = infer_strikes(articles, places, nlp=nlp) if with_paths \
        else ((), (), ())
    return Analysis(articles=tuple(articles), places=tuple(places), roles=roles, paths=paths,
                    problems=tuple(problems), events=events)
