"""Shared fixtures: the real gazetteer, built once if missing or stale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from spacy.language import Language

from geo.gazetteer import Gazetteer, build_gazetteer, default_gazetteer_path, needs_build
from geo.models import Analysis
from geo.nlp import load_nlp
from geo.pipeline import analyse

SEEDS = Path(__file__).resolve().parent.parent / "data" / "articles"


@pytest.fixture(scope="session")
def gazetteer() -> Iterator[Gazetteer]:
    """The gazetteer at the default path (building it first takes well under a minute)."""
    path = default_gazetteer_path()
    if needs_build(path):
        build_gazetteer(path)
    with Gazetteer.open(path) as opened:
        yield opened


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The spaCy English model, loaded once for the whole session."""
    return load_nlp()


@pytest.fixture(scope="session")
def seed_analysis(gazetteer: Gazetteer, nlp: Language) -> Analysis:
    """The whole pipeline over the five bundled seed articles."""
    return analyse([SEEDS], gazetteer=gazetteer, nlp=nlp)
