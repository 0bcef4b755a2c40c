"""The baseline geoparser our figures are set beside: spaCy NER + the most populous match.

This is the "spaCy NER + population" system of Wang & Hu's EUPEG comparison: every GPE, LOC
and FAC entity of spaCy's model, placed at the gazetteer candidate with the largest
population. It reads the same gazetteer as ours, so a gap between the two measures our
extraction and resolution, not the data.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from geo.gazetteer import Gazetteer
from geo.models import Article, GazetteerEntry, Mention, Place
from geo.nlp import load_nlp
from geo.normalize import name_key

PEER_LABELS = frozenset({"GPE", "LOC", "FAC"})


def peer_places(articles: Sequence[Article], gazetteer: Gazetteer) -> Iterator[list[Place]]:
    """Each article's places by the baseline: NER spans, most populous candidate."""
    nlp = load_nlp()
    for article, doc in zip(articles, nlp.pipe(a.text for a in articles), strict=True):
        entities = [e for e in doc.ents if e.label_ in PEER_LABELS]
        found = gazetteer.lookup({name_key(e.text) for e in entities})
        places = []
        for ent in entities:
            candidates = found.get(name_key(ent.text), [])
            entry: GazetteerEntry | None = max(
                (c.entry for c in candidates), key=lambda e: e.population, default=None
            )
            mention = Mention(article.doc_id, ent.start_char, ent.end_char, ent.text,
                              found_by="ner")
            places.append(Place(mention, entry, 1.0 if entry else 0.0, "most populous"))
        yield places
