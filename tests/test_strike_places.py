"""Places of strike reports as the real gazetteer resolves them, on reports written here."""

from __future__ import annotations

from geo.gazetteer import Gazetteer
from geo.models import Article, Feature
from geo.pipeline import analyse


def places_of(gazetteer: Gazetteer, text: str) -> dict[str, tuple[str, Feature, str]]:
    analysis = analyse([Article("r1", text)], gazetteer=gazetteer)
    return {p.mention.text: (p.entry.name, p.entry.feature, p.entry.country)
            for p in analysis.places if p.entry is not None}


def test_a_state_named_before_air_base_is_the_state_not_a_respelt_airport(
        gazetteer: Gazetteer) -> None:
    places = places_of(gazetteer, "Crews at this Missouri air base flew the B-2 bombers "
                                  "that struck Iran. The base lies south of Kansas City.")
    assert places["Missouri"][1] is Feature.ADMIN and places["Missouri"][2] == "US"
