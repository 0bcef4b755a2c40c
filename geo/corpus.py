"""Corpus files: one article a row in JSONL, CSV or Parquet, read as a stream.

News-API dumps, GDELT-style lists and crawls come as such files rather than folders of .txt.
Each row becomes an ``Article`` exactly as a file with that text and those facts would
(``geo.articles.article_from_row``), so a corpus and the same articles as files give the same
places. Rows are read one at a time (Parquet a batch of rows at a time), so memory stays
bounded however long the file. A bad row becomes a ``LoadProblem`` naming the file and the
row, and reading goes on with the next.

Columns: ``text`` (or ``html``, extracted as a page), and ``id``, ``source``, ``title``,
``published``, ``url`` where present; ``CorpusColumns.parse("text=body,id=uuid")`` (the
``--columns`` option, ``GEO_CORPUS_COLUMNS``) maps them to other names.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from geo.articles import MANIFEST_NAME, ManifestRow, ReadLimits, article_from_row
from geo.models import Article, LoadProblem

CORPUS_SUFFIXES = frozenset({".jsonl", ".ndjson", ".csv", ".parquet"})
# Rows a Parquet batch holds: enough to read fast, few enough that memory stays small.
PARQUET_BATCH_ROWS = 256
# Bytes that were not UTF-8, which the reader keeps as lone surrogates.
_BAD_BYTE_RE = re.compile("[\udc80-\udcff]")

Row = Mapping[str, Any]


@dataclass(frozen=True)
class CorpusColumns:
    """The column that holds each fact; a fact whose column is absent is left unknown."""

    text: str = "text"
    html: str = "html"
    id: str = "id"
    source: str = "source"
    title: str = "title"
    published: str = "published"
    url: str = "url"

    @classmethod
    def parse(cls, spec: str | None) -> CorpusColumns:
        """``"text=body,id=uuid"``: each fact named on the left is read from the column on
        the right. Raises ``ValueError`` naming what is wrong."""
        if not spec or not spec.strip():
            return cls()
        known = {f.name for f in fields(cls)}
        chosen: dict[str, str] = {}
        for part in spec.split(","):
            fact, sep, column = (p.strip() for p in part.partition("="))
            if not sep or not fact or not column:
                raise ValueError(f"column mapping {part.strip()!r} is not FACT=COLUMN")
            if fact not in known:
                raise ValueError(f"unknown fact {fact!r} in column mapping (want one of "
                                 f"{', '.join(sorted(known))})")
            chosen[fact] = column
        return replace(cls(), **chosen)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CorpusColumns:
        env = os.environ if environ is None else environ
        return cls.parse(env.get("GEO_CORPUS_COLUMNS"))


def is_corpus_file(path: Path, *, in_folder: bool = False) -> bool:
    """A JSONL, CSV or Parquet file of articles. A manifest is not one: ``manifest.csv``,
    or a CSV whose header names a ``file`` column and no text column. Found in a folder
    (rather than named), a CSV counts only when its header names a text or HTML column:
    a stray spreadsheet beside the articles is not read as one."""
    suffix = path.suffix.lower()
    if suffix not in CORPUS_SUFFIXES or path.name.lower() == MANIFEST_NAME:
        return False
    if suffix != ".csv":
        return True
    names = _csv_header(path)
    try:
        columns = CorpusColumns.from_env()
    except ValueError:  # reported where the corpus is read
        columns = CorpusColumns()
    has_text = bool(names & {columns.text.lower(), columns.html.lower()})
    return has_text or (not in_folder and "file" not in names)


def _csv_header(path: Path) -> set[str]:
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            header = next(csv.reader([handle.readline()]), [])
    except (OSError, ValueError):
        return set()
    return {name.strip().lower() for name in header}


def split_corpus_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[str | Path]]:
    """The corpus files among ``paths`` (and inside its folders, sorted), and the rest.

    A folder stays among the rest when it also holds article files, or holds no corpus
    file (so that the article reader names it as empty).
    """
    from geo.articles import ARTICLE_SUFFIXES

    corpora: list[Path] = []
    rest: list[str | Path] = []
    for given in paths:
        path = Path(given)
        if path.is_file() and is_corpus_file(path):
            corpora.append(path)
        elif path.is_dir():
            found, has_articles = [], False
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in names:
                    file = Path(root) / name
                    if name.startswith("."):
                        continue
                    if is_corpus_file(file, in_folder=True):
                        found.append(file)
                    elif file.suffix.lower() in ARTICLE_SUFFIXES:
                        has_articles = True
            corpora.extend(sorted(found))
            if has_articles or not found:
                rest.append(given)
        else:
            rest.append(given)
    return corpora, rest


def iter_corpus(
    path: Path,
    columns: CorpusColumns | None = None,
    limits: ReadLimits | None = None,
) -> Iterator[Article | LoadProblem]:
    """Each row of a corpus file as an article, or a problem that names the file and row.

    A row without an id gets ``<file stem>-<row>``. A date that cannot be read is a problem
    of its own and the article loads without it, as a manifest's bad date does.
    """
    columns = columns or CorpusColumns.from_env()
    limits = limits if limits is not None else ReadLimits.from_env()
    label = str(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            rows = _parquet_rows(path, columns)
        elif suffix == ".csv":
            rows = _csv_rows(path, limits)
        else:
            rows = _jsonl_rows(path, limits)
        for number, row in rows:
            where = f"{label}: row {number}"
            if isinstance(row, str):
                yield LoadProblem(where, row)
                continue
            yield from _row_article(row, number, path, columns, limits)
    except OSError as error:
        yield LoadProblem(label, f"could not be read: {error.strerror or error}")
    except _FileProblem as error:
        yield LoadProblem(label, str(error))


class _FileProblem(Exception):
    """A corpus file that cannot be read at all (not Parquet, no header, ...)."""


def _row_article(row: Row, number: int, path: Path, columns: CorpusColumns,
                 limits: ReadLimits) -> Iterator[Article | LoadProblem]:
    where = f"{path}: row {number}"

    def cell(column: str) -> str:
        value = row.get(column)
        if value is None:
            return ""
        if isinstance(value, (dt.datetime, dt.date)):
            return value.isoformat()
        return str(value).strip() if not isinstance(value, str) else value.strip()

    text, html = row.get(columns.text), row.get(columns.html)
    content, is_html = (text, False) if isinstance(text, str) and text.strip() else (html, True)
    if not isinstance(content, str) or not content.strip():
        yield LoadProblem(where, f"no article text (want a '{columns.text}' or "
                                 f"'{columns.html}' column with text)")
        return
    if _has_bad_bytes(content):
        yield LoadProblem(where, "the text is not UTF-8; row skipped")
        return
    published: dt.date | None = None
    if date_text := cell(columns.published):
        try:
            published = dt.date.fromisoformat(date_text[:10])
        except ValueError:
            yield LoadProblem(where, f"published date '{date_text[:40]}' is not "
                                     "YYYY-MM-DD; date left unknown")
    doc_id = cell(columns.id) or f"{path.stem}-{number}"
    facts = ManifestRow(file=where, source=cell(columns.source), title=cell(columns.title),
                        published=published, url=cell(columns.url))
    yield article_from_row(content, doc_id=doc_id, label=where, html=is_html, row=facts,
                           limits=limits)


def _has_bad_bytes(text: str) -> bool:
    return _BAD_BYTE_RE.search(text) is not None


def _jsonl_rows(path: Path, limits: ReadLimits) -> Iterator[tuple[int, Row | str]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            if len(line) > limits.max_bytes:
                yield number, (f"the row is {len(line):,} bytes, over the "
                               f"{limits.max_bytes:,} limit; not read")
                continue
            try:
                value = json.loads(line.decode("utf-8", "surrogateescape"))
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                yield number, f"not a JSON object ({error})"
                continue
            yield number, value if isinstance(value, dict) else (
                f"not a JSON object but {type(value).__name__}")


def _csv_rows(path: Path, limits: ReadLimits) -> Iterator[tuple[int, Row | str]]:
    # An article is one cell: the default 128 kB field cap is too small for long ones.
    csv.field_size_limit(min(sys.maxsize, limits.max_bytes))
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames:
            raise _FileProblem("no header row: a corpus CSV names its columns on its "
                               "first line")
        number = 0
        while True:
            number += 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield number, f"not readable as CSV ({error})"
                continue
            if None in row:
                yield number, f"more cells than the {len(reader.fieldnames)} columns"
                continue
            yield number, row


def _parquet_rows(path: Path, columns: CorpusColumns) -> Iterator[tuple[int, Row | str]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise _FileProblem(f"not a readable Parquet file ({error})") from error
    present = set(parquet.schema_arrow.names)
    wanted = [c for c in _column_names(columns) if c in present]
    number = 0
    try:
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=wanted):
            for row in batch.to_pylist():
                number += 1
                yield number, row
    except pa.ArrowException as error:
        raise _FileProblem(f"Parquet data unreadable after row {number} ({error})") from error


def _column_names(columns: CorpusColumns) -> list[str]:
    return list(dict.fromkeys(getattr(columns, f.name) for f in fields(columns)))


def iter_inputs(
    paths: Sequence[str | Path],
    *,
    columns: CorpusColumns | None = None,
    limits: ReadLimits | None = None,
    manifest: Path | None = None,
) -> Iterator[Article | LoadProblem]:
    """Every article of the given files, folders and corpus files, as a stream.

    Article files come first (read as ``load_articles`` reads them, manifests and all),
    then each corpus file's rows. A document id seen before is a problem and the later
    article is skipped, as for two files of one name.
    """
    from geo.articles import load_articles

    corpora, rest = split_corpus_paths(paths)
    owners: dict[str, str] = {}
    if rest:
        articles, problems = load_articles(rest, manifest=manifest, limits=limits,
                                           corpora=False)
        yield from problems
        for article in articles:
            owners[article.doc_id] = article.path or article.doc_id
            yield article
    for corpus in corpora:
        for item in iter_corpus(corpus, columns, limits):
            if isinstance(item, Article):
                owner = owners.get(item.doc_id)
                if owner is not None:
                    yield LoadProblem(item.path or item.doc_id,
                                      f"document id '{item.doc_id}' is already used by "
                                      f"{owner}; row skipped")
                    continue
                owners[item.doc_id] = item.path or item.doc_id
            yield item
