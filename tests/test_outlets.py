"""The outlet's country, from its web address, as a weak prior of the resolver."""

from __future__ import annotations

import pytest
from spacy.language import Language

from geo.extract import extract
from geo.gazetteer import Gazetteer
from geo.models import Article
from geo.outlets import home_country
from geo.pipeline import place_articles
from geo.resolve import resolve


@pytest.mark.parametrize(("url", "country"), [
    ("https://www.abc.net.au/news/2026-01-02/story", "AU"),
    ("www.cbc.ca", "CA"),
    ("http://news.example.co.uk/local/1", "GB"),
    ("https://Example.DE./a", "DE"),
    ("https://www.example.com/world/1", None),
    ("https://example.org", None),
    ("https://news.example.tv/1", None),
    ("https://example.eu/", None),
    ("localhost", None),
    ("", None),
])
def test_the_country_code_domain_names_the_outlets_country(url: str, country: str | None
                                                           ) -> None:
    assert home_country(url) == country


def _country_of(name: str, text: str, gazetteer: Gazetteer, nlp: Language,
                home: str | None) -> str:
    extractions = extract(Article(doc_id="t", text=text), gazetteer, nlp(text))
    found = next(p for p in resolve(text, extractions, gazetteer, home=home)
                 if p.mention.text == name)
    assert found.entry is not None
    return found.entry.country


def test_a_shared_town_name_leans_to_the_outlets_country(gazetteer: Gazetteer,
                                                         nlp: Language) -> None:
    text = "Police said the fire in Newcastle was put out on Tuesday."
    assert _country_of("Newcastle", text, gazetteer, nlp, None) == "AU"
    assert _country_of("Newcastle", text, gazetteer, nlp, "GB") == "GB"


def test_the_country_the_text_names_outweighs_the_outlets(gazetteer: Gazetteer,
                                                          nlp: Language) -> None:
    text = "The fire in Halifax was put out on Tuesday, Canadian police said."
    assert _country_of("Halifax", text, gazetteer, nlp, "GB") == "CA"


def test_the_pipeline_reads_the_outlet_from_the_articles_address(gazetteer: Gazetteer,
                                                                 nlp: Language) -> None:
    text = "Police said the fire in Newcastle was put out on Tuesday."
    british = Article(doc_id="a", text=text, url="https://www.example.co.uk/news/1")
    unknown = Article(doc_id="b", text=text)
    british_places, unknown_places = place_articles([british, unknown], gazetteer, nlp=nlp)
    assert [p.entry.country for p in british_places if p.entry] == ["GB"]
    assert [p.entry.country for p in unknown_places if p.entry] == ["AU"]
