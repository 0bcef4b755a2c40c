"""One call from articles to an Analysis, shared by the command line, the dashboard and tests."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from spacy.language import Language

from geo.articles import load_articles
from geo.extract import NameMatches, extract, match_names
from geo.gazetteer import Gazetteer
from geo.models import Analysis, Article, GazetteerEntry, LoadProblem, Place
from geo.nlp import Entity, entities_of, load_nlp
from geo.paths import infer_paths
from geo.resolve import OnlineLookup, resolve

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
    matches = [match_names(article, gazetteer, thorough=thorough) for article in articles]
    workers = processes if len(articles) >= PARALLEL_FROM else 1
    entities = model_entities(nlp, matches, workers)
    for done, (article, found, ents) in enumerate(zip(articles, matches, entities, strict=True),
                                                  start=1):
        extractions = extract(article, gazetteer, ents, embedded=embedded, matches=found)
        yield resolve(article.text, extractions, gazetteer, online=online, pins=pins)
        if progress is not None:
            progress(done, len(articles))


def model_entities(nlp: Language, matches: Sequence[NameMatches], workers: int = 1
                   ) -> Iterator[list[Entity]]:
    """The NER's entities in each article's model windows, in article offsets, in order.

    An entity cut by a window's edge is dropped: the window saw only part of its name.
    """
    windows = [(i, start, end) for i, found in enumerate(matches)
               for start, end in found.model_windows]
    texts = (matches[i].article.text[start:end] for i, start, end in windows)
    current: list[Entity] = []
    done = 0  # articles whose entities have been yielded
    for (i, start, end), entities in zip(windows, entities_of(nlp, texts, workers), strict=True):
        while done < i:  # every window of the earlier articles has been read
            yield current
            current, done = [], done + 1
        bounds = matches[i].article.body_ranges()
        inner_start = all(start != b_start for b_start, _ in bounds)
        inner_end = all(end != b_end for _, b_end in bounds)
        for e_start, e_end, label in entities:
            if (inner_start and e_start == 0) or (inner_end and e_end == end - start):
                continue
            current.append((start + e_start, start + e_end, label))
    for _ in range(done, len(matches)):
        yield current
        current = []


def analyse(
    inputs: Iterable[str | Path] | Sequence[Article],
    *,
    gazetteer: Gazetteer,
    nlp: Language | None = None,
    online: OnlineLookup | None = None,
    pins: Mapping[str, GazetteerEntry] | None = None,
    progress: Progress | None = None,
    with_paths: bool = True,
) -> Analysis:
    """Read (when given paths), extract, resolve, read roles and infer flight paths."""
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
                                         pins=pins, progress=progress):
        places.extend(article_places)
    roles, paths = infer_paths(articles, places, nlp=nlp) if with_paths else ((), ())
    return Analysis(articles=tuple(articles), places=tuple(places), roles=roles, paths=paths,
                    problems=tuple(problems))
