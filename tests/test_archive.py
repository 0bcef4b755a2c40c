"""A large store in the dashboard: aggregate queries, the filters, the archive page."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from spacy.language import Language
from streamlit.testing.v1 import AppTest

from geo.archive import ArchiveFilters, daily_counts, map_analysis, overview, top_places
from geo.articles import load_articles
from geo.gazetteer import Gazetteer
from geo.models import Role
from geo.pipeline import analyse_articles
from geo.store import AnalysisStore
from geo.store.ingest import ingest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "articles"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory, gazetteer: Gazetteer,
               nlp: Language) -> Path:
    path = tmp_path_factory.mktemp("archive") / "seeds.duckdb"
    articles, _ = load_articles([SEEDS])

    def runner(batches):  # type: ignore[no-untyped-def]
        for batch in batches:
            yield list(analyse_articles(batch, gazetteer, nlp=nlp))

    with AnalysisStore.open(path) as store:
        ingest(articles, store, gazetteer, runner=runner)
    return path


@pytest.fixture
def store(store_path: Path) -> Iterator[AnalysisStore]:
    with AnalysisStore.open(store_path, read_only=True) as opened:
        yield opened


def test_overview_and_top_places(store: AnalysisStore) -> None:
    facts = overview(store)
    assert facts.articles == 5 and "BBC News" in facts.sources
    assert facts.first == dt.date(2016, 8, 16)
    top = top_places(store, ArchiveFilters())
    assert list(top["mentions"]) == sorted(top["mentions"], reverse=True)
    targets = top[top["role"] == "target"]
    assert "Aleppo" in set(targets["name"])


def test_filters_narrow_every_query(store: AnalysisStore) -> None:
    everything = top_places(store, ArchiveFilters())
    bbc = top_places(store, ArchiveFilters(sources=("BBC News",)))
    assert 0 < bbc["mentions"].sum() < everything["mentions"].sum()
    bases = top_places(store, ArchiveFilters(roles=(Role.BASE,)))
    assert set(bases["role"]) == {"base"}
    sure = top_places(store, ArchiveFilters(min_confidence=0.9))
    assert (sure["confidence"] >= 0.9).all()
    late = daily_counts(store, ArchiveFilters(start=dt.date(2017, 1, 1)))
    assert all(day >= dt.date(2017, 1, 1) for day in late["day"].dt.date)


def test_the_map_gets_aggregates_and_the_merged_paths(store: AnalysisStore) -> None:
    view = map_analysis(store, ArchiveFilters(), limit=10)
    assert len(view.places) == 10
    assert {p.origin.name for p in view.paths} >= {"Hmeimim Air Base"}
    bbc = map_analysis(store, ArchiveFilters(sources=("BBC News",)))
    assert bbc.paths and all(p.sources == ("BBC News",) for p in bbc.paths)


def test_the_dashboard_opens_a_store(store_path: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    main = sys.modules.get("__main__")
    monkeypatch.setenv("GEO_STORE", str(store_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    try:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    finally:
        if main is not None:
            sys.modules["__main__"] = main
    assert not at.exception, at.exception
    assert any("5 articles" in c.value for c in at.caption)
    assert any("flight paths" in h.value for h in at.subheader)
    assert len(at.dataframe) == 2
