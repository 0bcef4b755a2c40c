"""Tests for where the NER reads (geo.extract's model windows) and how (geo.nlp, geo.pipeline).

The model reads only windows around the names the gazetteer cannot decide alone; these
tests hold that reading to the whole-text one on the seed articles, and check which names
get a window and why.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from geo.articles import load_articles
from geo.extract import WINDOW_WORDS, match_names
from geo.gazetteer import Gazetteer
from geo.models import Article
from geo.nlp import entities_of
from geo.pipeline import model_entities, place_articles

SEEDS = Path(__file__).resolve().parent.parent / "data" / "articles"


def windowed(gazetteer: Gazetteer, text: str) -> list[str]:
    """The texts of the model windows of one article."""
    found = match_names(Article("t", text), gazetteer)
    return [text[start:end] for start, end in found.model_windows]


@pytest.mark.parametrize("text", [
    "The strikes hit Syria again, officials said.",
    "He said it was over. In Aleppo the shelling went on.",
])
def test_a_well_known_place_standing_alone_gets_no_window(gazetteer: Gazetteer,
                                                          text: str) -> None:
    assert windowed(gazetteer, text) == []


@pytest.mark.parametrize(("text", "name"), [
    # beside another capitalised word: perhaps an organisation's name
    ("A spokesman for the Ohio Department of Transportation said roads were closed.", "Ohio"),
    # a small place that is also a surname
    ("The talks went on, and Burton said little about them afterwards.", "Burton"),
    # an unknown name where a place is expected
    ("Russian jets flew from Khamandan air base in Iran.", "Khamandan"),
])
def test_a_name_the_gazetteer_cannot_decide_gets_a_window(gazetteer: Gazetteer, text: str,
                                                          name: str) -> None:
    windows = windowed(gazetteer, text)
    assert any(name in window for window in windows), windows


def test_a_window_reaches_its_words_either_side_and_no_further(gazetteer: Gazetteer) -> None:
    words = [f"word{i}" for i in range(20)]
    text = " ".join([*words[:10], "Burton", *words[10:]]) + "."
    (window,) = windowed(gazetteer, text)
    assert window.split() == [*words[10 - WINDOW_WORDS:10], "Burton", *words[10:10 + WINDOW_WORDS]]


def test_windows_keep_out_of_page_furniture(gazetteer: Gazetteer) -> None:
    text = "Menu Burton Home\n\nThe talks went on, and Burton said little."
    body_start = text.index("The talks")
    found = match_names(Article("t", text, body=((body_start, len(text)),)), gazetteer)
    assert found.model_windows and all(start >= body_start for start, _ in found.model_windows)


def test_windowed_reading_places_the_seeds_as_the_whole_text_reading_does(
        gazetteer: Gazetteer, nlp: Language) -> None:
    articles, _ = load_articles([SEEDS])

    def placed(thorough: bool) -> set[tuple[str, int, int, str]]:
        return {(p.mention.doc_id, p.mention.start, p.mention.end, p.entry.gazetteer_id)
                for places in place_articles(articles, gazetteer, nlp=nlp, thorough=thorough)
                for p in places if p.entry is not None}

    windowed_places, whole_text_places = placed(False), placed(True)
    assert len(windowed_places ^ whole_text_places) <= len(whole_text_places) // 50
    read = sum(end - start for a in articles
               for start, end in match_names(a, gazetteer).model_windows)
    assert read < 0.75 * sum(end - start for a in articles for start, end in a.body_ranges())


def test_forked_workers_find_the_same_entities_as_one_process(nlp: Language) -> None:
    texts = [article.text for article in load_articles([SEEDS])[0]] * 12
    assert list(entities_of(nlp, texts, workers=2)) == list(entities_of(nlp, texts, workers=1))


def test_an_entity_cut_by_a_window_edge_is_dropped(gazetteer: Gazetteer, nlp: Language) -> None:
    text = "Yesterday the Tehran Times reported that Kerry met officials in Geneva again."
    found = match_names(Article("t", text), gazetteer)
    # A window that starts inside "Tehran Times": the model sees only "Times ...".
    cut = text.index("Times")
    found.model_windows[:] = [(cut, len(text))]
    ((_, entities),) = model_entities(nlp, [found])
    assert all(start >= cut for start, _, _ in entities)
    assert not any(start == cut for start, _, _ in entities)


def test_an_acronym_in_a_misread_person_name_stays_a_place(gazetteer: Gazetteer,
                                                            nlp: Language) -> None:
    # The model reads "Henry Lazenby US" as one person; "US" must not become a name part
    # that vetoes the first "US", which stands alone and so gets no window of its own.
    text = ("The ministry criticised US tariffs on steel. By: Henry Lazenby US-based "
            "aluminium producer Alcoa has signed a deal.")
    (found,) = place_articles([Article("t", text)], gazetteer, nlp=nlp)
    assert text.index("US") in [p.mention.start for p in found if p.mention.text == "US"]


@pytest.mark.parametrize(("text", "name"), [
    # "Hamas" is an alternate name of Hamm (180k people): not enough to overrule the model.
    ("Israel said Hamas fired rockets from Gaza on Monday.", "Hamas"),
    # "Passover" is an alternate name of a hamlet, and the model does not call it a place.
    ("Families in Ohio gathered for Passover dinner on Friday.", "Passover"),
])
def test_an_alternate_name_alone_does_not_make_a_place(gazetteer: Gazetteer, nlp: Language,
                                                       text: str, name: str) -> None:
    (found,) = place_articles([Article("t", text)], gazetteer, nlp=nlp)
    assert name not in [p.mention.text for p in found]
    assert found  # the real places of the sentence are still there


def test_the_model_multiplies_with_numpy_on_one_thread(nlp: Language) -> None:
    # BLIS's kernels were several times slower than OpenBLAS here; the results are equal.
    from threadpoolctl import threadpool_info

    layers = [node for _, pipe in nlp.pipeline if hasattr(getattr(pipe, "model", None), "walk")
              for node in pipe.model.walk()]
    assert layers and not any(getattr(node.ops, "use_blis", False) for node in layers)
    assert all(pool["num_threads"] == 1 for pool in threadpool_info()
               if pool["user_api"] == "blas")
    entities = [(e.text, e.label_) for e in nlp("The strike on Aleppo, Syria, was reported.").ents]
    assert ("Aleppo", "GPE") in entities
