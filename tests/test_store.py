"""The analysis store: a real DuckDB file, round trips, versioning, paths read from it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from spacy.language import Language

from geo.articles import load_articles
from geo.errors import StoreError
from geo.gazetteer import Gazetteer
from geo.models import Analysis, Article
from geo.pipeline import analyse_articles
from geo.stage import ArticleAnalysis, merge
from geo.store import AnalysisStore
from geo.store.codec import CodecError, decode, encode
from geo.store.ingest import ingest
from geo.store.version import analysis_version

SEEDS = Path(__file__).resolve().parent.parent / "data" / "articles"


@pytest.fixture(scope="module")
def seeds() -> list[Article]:
    articles, _ = load_articles([SEEDS])
    return articles


@pytest.fixture(scope="module")
def seed_analyses(seeds: list[Article], gazetteer: Gazetteer, nlp: Language
                  ) -> list[ArticleAnalysis]:
    return list(analyse_articles(seeds, gazetteer, nlp=nlp))


class CountingRunner:
    """The local per-article stage, counting what it was asked to analyse."""

    def __init__(self, gazetteer: Gazetteer, nlp: Language) -> None:
        self.gazetteer, self.nlp = gazetteer, nlp
        self.analysed: list[str] = []

    def __call__(self, batches: Iterable[list[Article]]) -> Iterator[list[ArticleAnalysis]]:
        for batch in batches:
            self.analysed.extend(a.doc_id for a in batch)
            yield list(analyse_articles(batch, self.gazetteer, nlp=self.nlp))


def test_codec_round_trips_the_pipeline_values(seed_analyses: list[ArticleAnalysis]) -> None:
    for item in seed_analyses:
        assert decode(encode(item)) == item


def test_codec_refuses_types_outside_geo() -> None:
    with pytest.raises(CodecError, match="not one of geo's"):
        decode('{"__t": "os:system"}')


def test_store_file_round_trip_gives_the_same_analysis(
        tmp_path: Path, seeds: list[Article], seed_analyses: list[ArticleAnalysis],
        gazetteer: Gazetteer, nlp: Language) -> None:
    path = tmp_path / "analysis.duckdb"
    with AnalysisStore.open(path) as store:
        stats = ingest(seeds, store, gazetteer, runner=CountingRunner(gazetteer, nlp))
        assert (stats.read, stats.analysed, stats.unchanged) == (5, 5, 0)
    with AnalysisStore.open(path, read_only=True) as store:
        assert store.count() == 5
        stored = list(store.analyses())
        assert stored == seed_analyses
        assert store.paths() == merge(seed_analyses).paths
        subset = [seeds[3].doc_id, seeds[0].doc_id]
        assert [a.article.doc_id for a in store.analyses(subset)] == subset
        frame = store.query("SELECT role, count(*) AS n FROM places GROUP BY role")
        assert set(frame["role"].dropna()) >= {"base", "target"}


def test_paths_from_the_store_equal_a_plain_run(seed_analysis: Analysis, tmp_path: Path,
                                                seeds: list[Article], gazetteer: Gazetteer,
                                                nlp: Language) -> None:
    with AnalysisStore.open(tmp_path / "s.duckdb") as store:
        ingest(seeds, store, gazetteer, runner=CountingRunner(gazetteer, nlp))
        assert store.paths() == seed_analysis.paths
        assert store.paths() == seed_analysis.paths  # the cached merge, too
        assert store.analysis().places == seed_analysis.places


def test_nothing_is_analysed_twice_and_a_change_is_reanalysed(
        tmp_path: Path, seeds: list[Article], gazetteer: Gazetteer, nlp: Language) -> None:
    with AnalysisStore.open(tmp_path / "s.duckdb") as store:
        ingest(seeds[:3], store, gazetteer, runner=CountingRunner(gazetteer, nlp))
        runner = CountingRunner(gazetteer, nlp)
        edited = dataclasses.replace(seeds[0], source="Another Outlet")
        stats = ingest([edited, *seeds[1:]], store, gazetteer, runner=runner)
        assert runner.analysed == [seeds[0].doc_id, *(a.doc_id for a in seeds[3:])]
        assert (stats.analysed, stats.unchanged) == (3, 2)
        assert store.count() == 5  # the edit replaced its old row
        [again] = store.analyses([seeds[0].doc_id])
        assert again.article.source == "Another Outlet"


def test_another_analysis_version_reanalyses(tmp_path: Path, seeds: list[Article],
                                             gazetteer: Gazetteer, nlp: Language) -> None:
    with AnalysisStore.open(tmp_path / "s.duckdb") as store:
        ingest(seeds[:2], store, gazetteer, runner=CountingRunner(gazetteer, nlp))
        assert store.stale(analysis_version(gazetteer.meta())) == 0
        runner = CountingRunner(gazetteer, nlp)
        ingest(seeds[:2], store, gazetteer, runner=runner, settings="a pin was added")
        assert runner.analysed == [a.doc_id for a in seeds[:2]]
        assert store.stale(analysis_version(gazetteer.meta())) == 2


def test_store_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    with pytest.raises(StoreError, match=f"{missing}: no analysis store here"):
        AnalysisStore.open(missing, read_only=True)
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match=f"{junk}: cannot open the analysis store"):
        AnalysisStore.open(junk)


def test_a_store_being_written_refuses_a_second_writer(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "s.duckdb"
    with AnalysisStore.open(path):
        done = subprocess.run(
            [sys.executable, "-c", "import sys; from geo.store import AnalysisStore\n"
             "try:\n    AnalysisStore.open(sys.argv[1])\nexcept Exception as e:\n"
             "    print(type(e).__name__, e)", str(path)],
            capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent)
    assert done.stdout.startswith(f"StoreError {path}: cannot open the analysis store")


def test_the_dashboard_analyses_only_new_articles_and_reads_the_rest_back(
        tmp_path: Path, seeds: list[Article], gazetteer: Gazetteer) -> None:
    from geo.store.briefing import stored_analyses

    path = tmp_path / "dashboard.duckdb"
    seen: list[tuple[int, int]] = []
    first, warning = stored_analyses(seeds[:4], path, gazetteer,
                                     progress=lambda done, total: seen.append((done, total)))
    assert warning is None and seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    seen.clear()
    again, _ = stored_analyses(seeds, path, gazetteer,
                               progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 1)]  # the fifth article alone
    assert again[:4] == first
    assert [a.article.doc_id for a in again] == [a.doc_id for a in seeds]


def test_the_dashboard_goes_on_without_a_locked_store(tmp_path: Path, seeds: list[Article],
                                                      gazetteer: Gazetteer) -> None:
    import subprocess
    import sys

    from geo.store.briefing import stored_analyses

    path = tmp_path / "dashboard.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from geo.store import AnalysisStore\n"
         "s = AnalysisStore.open(sys.argv[1]); print('open', flush=True); time.sleep(60)",
         str(path)], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        analyses, warning = stored_analyses(seeds[:1], path, gazetteer)
    finally:
        holder.kill()
    assert warning is not None and str(path) in warning and "without it" in warning
    assert analyses[0].places


def test_the_worker_pool_gives_the_analyses_of_one_process(seeds: list[Article],
                                                            gazetteer: Gazetteer) -> None:
    from geo.store.ingest import POOL_CHUNK, local_runner

    many = [dataclasses.replace(seeds[i % len(seeds)], doc_id=f"copy-{i}")
            for i in range(POOL_CHUNK * 2)]
    alone = [a for batch in local_runner(gazetteer, processes=1)([many]) for a in batch]
    pooled = [a for batch in local_runner(gazetteer, processes=2)([many]) for a in batch]
    assert pooled == alone
    assert [a.article.doc_id for a in pooled] == [a.doc_id for a in many]


def test_the_worker_pool_keeps_batches_whole_and_in_order(seeds: list[Article],
                                                          gazetteer: Gazetteer) -> None:
    # Each batch is handed to the workers before the one before it is taken back.
    from geo.store.ingest import POOL_CHUNK, local_runner

    batches = [[dataclasses.replace(seeds[i % len(seeds)], doc_id=f"b{n}-{i}")
                for i in range(size)] for n, size in enumerate((POOL_CHUNK * 2, 3, POOL_CHUNK + 1))]
    pooled = list(local_runner(gazetteer, processes=2)(iter(batches)))
    assert [[a.article.doc_id for a in batch] for batch in pooled] == [
        [a.doc_id for a in batch] for batch in batches]
    alone = list(local_runner(gazetteer, processes=1)(iter(batches)))
    assert pooled == alone


def test_pool_tasks_cover_a_batch_once_and_end_in_small_pieces() -> None:
    from geo.store.ingest import POOL_CHUNK, TAIL_CHUNK, task_bounds

    for n in (0, 1, TAIL_CHUNK, POOL_CHUNK * 2, POOL_CHUNK * 2 + 1, 100, 512):
        bounds = task_bounds(n)
        starts = [i for i, _ in bounds]
        assert starts == ([0, *(j for _, j in bounds[:-1])] if n else []), n  # contiguous
        assert (bounds[-1][1] if bounds else 0) == n
        assert all(0 < j - i <= POOL_CHUNK for i, j in bounds)
        tail = [j - i for i, j in bounds if i >= n - 2 * POOL_CHUNK]
        assert all(size <= TAIL_CHUNK for size in tail), n
    assert task_bounds(512)[0] == (0, POOL_CHUNK)


def test_the_first_batch_is_short_so_that_workers_start_while_the_rest_is_read(
        seeds: list[Article]) -> None:
    from geo.store.ingest import FIRST_BATCH, IngestStats, article_batches

    many = [dataclasses.replace(seeds[i % len(seeds)], doc_id=f"n{i}") for i in range(700)]
    sizes = [len(b) for b in article_batches(many, 512, IngestStats(), None)]
    assert sizes == [FIRST_BATCH, 512, 700 - 512 - FIRST_BATCH]
    assert [len(b) for b in article_batches(many[:5], 2, IngestStats(), None)] == [2, 2, 1]


def test_an_interrupted_ingest_keeps_its_batches_and_resumes(
        tmp_path: Path, seeds: list[Article], gazetteer: Gazetteer, nlp: Language) -> None:
    counting = CountingRunner(gazetteer, nlp)

    def interrupted(batches: Iterable[list[Article]]) -> Iterator[list[ArticleAnalysis]]:
        for number, analyses in enumerate(counting(batches)):
            if number == 2:
                raise KeyboardInterrupt
            yield analyses

    path = tmp_path / "s.duckdb"
    with AnalysisStore.open(path) as store, pytest.raises(KeyboardInterrupt):
        ingest(seeds, store, gazetteer, runner=interrupted, batch_size=2)
    with AnalysisStore.open(path) as store:
        assert store.count() == 4  # two batches of two were written
        resumed = CountingRunner(gazetteer, nlp)
        ingest(seeds, store, gazetteer, runner=resumed, batch_size=2)
        assert resumed.analysed == [seeds[4].doc_id]
