"""Corpus files (JSONL, CSV, Parquet): one article a row, read as a stream, bad rows named."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from geo.articles import load_articles
from geo.corpus import CorpusColumns, iter_corpus, iter_inputs, split_corpus_paths
from geo.models import Article, LoadProblem

TEXT = "Jets took off from a base near Hamedan.\n\nThey struck targets in Aleppo, Syria."
ROWS = [
    {"id": "a1", "text": TEXT, "source": "Example Wire", "title": "Jets strike",
     "published": "2016-08-16", "url": "https://example.org/a1"},
    {"id": "a2", "text": "Shelling hit Donetsk on Monday.", "source": "Other Daily",
     "title": "", "published": "2016-08-17T09:30:00Z", "url": ""},
]


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def articles_and_problems(path: Path, **kwargs: object
                          ) -> tuple[list[Article], list[LoadProblem]]:
    items = list(iter_corpus(path, **kwargs))  # type: ignore[arg-type]
    return ([i for i in items if isinstance(i, Article)],
            [i for i in items if isinstance(i, LoadProblem)])


def test_jsonl_rows_become_articles_with_their_facts(tmp_path: Path) -> None:
    articles, problems = articles_and_problems(write_jsonl(tmp_path / "c.jsonl", ROWS))
    assert problems == []
    first, second = articles
    assert (first.doc_id, first.source, first.title, first.url) == (
        "a1", "Example Wire", "Jets strike", "https://example.org/a1")
    assert first.published == dt.date(2016, 8, 16)
    assert first.text == TEXT
    assert second.published == dt.date(2016, 8, 17)  # a timestamp's date


def test_a_row_reads_as_the_same_article_as_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a1.txt").write_text(TEXT, encoding="utf-8")
    (folder / "manifest.csv").write_text(
        "file,source,title,published,url\na1.txt,Example Wire,Jets strike,2016-08-16,"
        "https://example.org/a1\n", encoding="utf-8")
    [from_file], _ = load_articles([folder])
    [from_row, _], _ = articles_and_problems(write_jsonl(tmp_path / "c.jsonl", ROWS))
    assert from_row.text == from_file.text and from_row.body == from_file.body
    assert (from_row.doc_id, from_row.source, from_row.title, from_row.published) == (
        from_file.doc_id, from_file.source, from_file.title, from_file.published)


def test_bad_jsonl_rows_are_named_and_cost_nothing_else(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [
        ROWS[0], "{not json", json.dumps([1, 2]), {"id": "e", "text": "  "},
        {"id": "d", "text": "Strikes on Homs.", "published": "last week"}, ROWS[1]])
    articles, problems = articles_and_problems(path)
    assert [a.doc_id for a in articles] == ["a1", "d", "a2"]
    messages = [str(p) for p in problems]
    assert messages[0].startswith(f"{path}: row 2: not a JSON object")
    assert messages[1] == f"{path}: row 3: not a JSON object but list"
    assert messages[2].startswith(f"{path}: row 4: no article text")
    assert "row 5: published date 'last week' is not YYYY-MM-DD" in messages[3]
    assert articles[1].published is None  # the bad date alone is lost


def test_csv_with_long_cells_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    long_text = "Strikes on Idlib. " * 8_000  # 144 kB: over csv's 128 kB field limit
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "source"])
        writer.writerow(["x1", long_text, "Wire"])
        writer.writerow(["x2", "Raid on Kherson.", "Wire", "an extra cell"])
        writer.writerow(["x3", "Raid on Odesa.", "Wire"])
    articles, problems = articles_and_problems(path)
    assert [a.doc_id for a in articles] == ["x1", "x3"]
    assert articles[0].text == long_text
    assert [str(p) for p in problems] == [f"{path}: row 2: more cells than the 3 columns"]


def test_csv_not_utf8_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"id,text\nr1,Strikes on Homs.\nr2,Caf\xe9 hit in Beirut.\n")
    articles, problems = articles_and_problems(path)
    assert [a.doc_id for a in articles] == ["r1"]
    assert [str(p) for p in problems] == [f"{path}: row 2: the text is not UTF-8; row skipped"]


def test_parquet_with_other_column_names_and_html(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({
        "uuid": ["p1", "p2", "p3"],
        "body": [TEXT, None, None],
        "page": [None, "<html><body><article><p>Missiles hit a depot near Kharkiv, "
                 "officials said on Tuesday, in a long report on the raid.</p></article>"
                 "</body></html>", None],
        "outlet": ["Wire", "Paper", "Paper"],
        "date": [dt.date(2016, 8, 16), None, None],
    }), path)
    columns = CorpusColumns.parse("text=body,html=page,id=uuid,source=outlet,published=date")
    articles, problems = articles_and_problems(path, columns=columns)
    assert [(a.doc_id, a.source) for a in articles] == [("p1", "Wire"), ("p2", "Paper")]
    assert articles[0].published == dt.date(2016, 8, 16)
    assert "Kharkiv" in articles[1].text
    assert [str(p).split(":")[1] for p in problems] == [" row 3"]


def test_a_broken_parquet_file_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    articles, problems = articles_and_problems(path)
    assert articles == []
    assert len(problems) == 1 and "not a readable Parquet file" in problems[0].problem


@pytest.mark.parametrize("spec, message", [
    ("text", "is not FACT=COLUMN"), ("body=text", "unknown fact 'body'"),
])
def test_column_mapping_errors_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CorpusColumns.parse(spec)


def test_rows_without_id_get_file_and_row(tmp_path: Path) -> None:
    articles, _ = articles_and_problems(write_jsonl(tmp_path / "feed.jsonl", [
        {"text": "Strikes on Homs."}, {"text": "Strikes on Hama."}]))
    assert [a.doc_id for a in articles] == ["feed-1", "feed-2"]


def test_folders_of_corpora_and_articles_with_duplicate_ids(tmp_path: Path) -> None:
    (tmp_path / "a1.txt").write_text("Strikes on Homs.", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("file,source,title,published,url\n",
                                           encoding="utf-8")
    write_jsonl(tmp_path / "feed.jsonl", ROWS)
    corpora, rest = split_corpus_paths([tmp_path])
    assert corpora == [tmp_path / "feed.jsonl"]  # the manifest is no corpus
    assert rest == [tmp_path]
    items = list(iter_inputs([tmp_path]))
    assert [i.doc_id for i in items if isinstance(i, Article)] == ["a1", "a2"]
    [duplicate] = [i for i in items if isinstance(i, LoadProblem)]
    assert "document id 'a1' is already used by" in duplicate.problem
    articles, problems = load_articles([tmp_path])  # the list reader reads corpora too
    assert [a.doc_id for a in articles] == ["a1", "a2"] and len(problems) == 1


def test_the_stream_holds_one_row_at_a_time(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [{"id": f"r{i}", "text": "Raid on Homs."}
                                              for i in range(3)])
    stream = iter_corpus(path)
    first = next(stream)
    assert isinstance(first, Article) and first.doc_id == "r0"
    with path.open("a", encoding="utf-8") as handle:  # read lazily: later rows still come
        handle.write(json.dumps({"id": "late", "text": "Raid on Hama."}) + "\n")
    assert [a.doc_id for a in stream if isinstance(a, Article)] == ["r1", "r2", "late"]


def test_in_a_folder_only_csvs_with_text_are_corpora(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "meta.csv").write_text("file,source\na.txt,Wire\n", encoding="utf-8")
    (tmp_path / "feed.csv").write_text("id,text\nf1,Strikes on Homs.\n", encoding="utf-8")
    corpora, _ = split_corpus_paths([tmp_path])
    assert corpora == [tmp_path / "feed.csv"]
    named, _ = split_corpus_paths([tmp_path / "notes.csv", tmp_path / "meta.csv"])
    assert named == [tmp_path / "notes.csv"]  # named, it is read (and its rows named)


def test_a_bad_column_mapping_stops_the_command_with_its_name(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = write_jsonl(tmp_path / "c.jsonl", ROWS)
    done = subprocess.run([sys.executable, "-m", "geo", "extract", str(path), "--columns",
                           "body"], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "--columns / GEO_CORPUS_COLUMNS: column mapping 'body' is not FACT=COLUMN" in (
        done.stderr)
