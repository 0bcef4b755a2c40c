"""One call from articles to an Analysis, shared by the command line, the dashboard and tests."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from spacy.language import Language

from geo.articles import load_articles
from geo.extract import extract
from geo.gazetteer import Gazetteer
from geo.models import Analysis, Article, GazetteerEntry, LoadProblem, Place
from geo.nlp import load_nlp, ner_only
from geo.paths import infer_paths
from geo.resolve import OnlineLookup, resolve

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
NLP_BATCH = 16
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
) -> Iterator[list[Place]]:
    """The places of each article, in order, one list per article.

    ``embedded`` also reads place names inside organisations' names (for scoring against
    corpora that count them); maps and flight paths never use them. ``processes`` > 1 runs
    the NER in forked workers for a large batch (1.7x on two cores); only a command-line
    process should ask for it, never a threaded server.
    """
    nlp = nlp or load_nlp()
    texts = (article.text for article in articles)
    workers = processes if len(articles) >= PARALLEL_FROM else 1
    with nlp.select_pipes(disable=ner_only(nlp)):
        docs = nlp.pipe(texts, batch_size=NLP_BATCH, n_process=workers)
        for done, (article, doc) in enumerate(zip(articles, docs, strict=True), start=1):
            extractions = extract(article, gazetteer, doc, embedded=embedded)
            yield resolve(article.text, extractions, gazetteer, online=online, pins=pins)
            if progress is not None:
                progress(done, len(articles))


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
