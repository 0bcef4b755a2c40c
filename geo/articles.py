"""Read articles from files, folders and uploads into ``Article`` values.

Bad input never costs the other articles: every file that cannot be read becomes a
``LoadProblem`` that names it and says why in plain words, and loading goes on.

A folder's ``manifest.csv`` (columns ``file,source,title,published,url``; blank where
unknown) gives what the text cannot: outlet, headline, date, address. Where it is silent,
HTML metadata and the text itself fill in (see ``_fill``).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from charset_normalizer import from_bytes

from geo.furniture import attribution, body_ranges, is_prose
from geo.models import Article, LoadProblem

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("file", "source", "title", "published", "url")

# Bytes below 0x20 other than tab, newline, vertical tab, form feed and carriage return.
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\x0b\x0c\r") + b"\x7f"
# More control bytes than this share of a file means it is not text.
_MAX_CONTROL_SHARE = 0.10
# A headline is short; a longer first line is the lede, not a title.
_MAX_TITLE_CHARS = 200
_MAX_DOC_ID_CHARS = 100
# Leading comments are matched one at a time ("-->" ends each), so no backtracking blow-up.
_HTML_START_RE = re.compile(
    r"^\s*(?:<!--(?:(?!-->).)*-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)


@dataclass(frozen=True)
class ReadLimits:
    """How much input one load accepts; anything beyond is refused with a ``LoadProblem``.

    ``max_bytes``       a file (or upload) larger than this is refused before it is read.
    ``max_files``       a load reads at most this many article files, the first in path
                        order; one problem says so and names the first file skipped.
    ``max_line_chars``  a text with a line longer than this is refused, not processed: no
                        news article has a 200,000-character paragraph, so such a line is
                        minified data or a dump, and it would stall the per-line rules and
                        the sentence-level steps downstream. HTML is measured after text
                        extraction, since minified markup on one line is normal.
    """

    max_bytes: int = 10_000_000
    max_files: int = 5_000
    max_line_chars: int = 200_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ReadLimits:
        """The defaults, overridden by ``GEO_MAX_BYTES``, ``GEO_MAX_FILES`` and
        ``GEO_MAX_LINE_CHARS`` (positive whole numbers; ``_`` separators allowed).

        A bad value is named in a warning and the default kept: a typo in a setting should
        not stop a briefing.
        """
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for name, variable in (("max_bytes", "GEO_MAX_BYTES"), ("max_files", "GEO_MAX_FILES"),
                               ("max_line_chars", "GEO_MAX_LINE_CHARS")):
            raw = env.get(variable, "").strip()
            if not raw:
                continue
            try:
                value = int(raw)
            except ValueError:
                value = 0
            if value > 0:
                values[name] = value
            else:
                logger.warning("%s=%r is not a positive whole number; using the default %s",
                               variable, raw, getattr(cls, name))
        return cls(**values)


@dataclass(frozen=True)
class ManifestRow:
    """What a manifest says about one file; ``None`` or "" where it is blank."""

    file: str
    source: str = ""
    title: str = ""
    published: dt.date | None = None
    url: str = ""


def load_articles(
    paths: Sequence[str | Path],
    *,
    manifest: Path | None = None,
    limits: ReadLimits | None = None,
    corpora: bool = True,
) -> tuple[list[Article], list[LoadProblem]]:
    """Read the articles in ``paths`` (files or folders, searched recursively, sorted).

    Corpus files (JSONL, CSV, Parquet: one article a row, ``geo.corpus``) among them or in
    their folders are read too, unless ``corpora`` is false; ``geo.corpus.iter_inputs``
    reads them as a stream instead of a list.

    A folder's own ``manifest.csv`` (the nearest one above each file, up to the folder
    given) is used unless ``manifest`` is given, which then applies to every file; its
    ``file`` column is relative to the manifest's folder. ``limits`` defaults to
    ``ReadLimits.from_env()``.
    """
    limits = limits if limits is not None else ReadLimits.from_env()
    if isinstance(paths, (str, Path)):  # a lone path is a Sequence of characters too
        paths = [paths]
    if corpora:
        from geo.corpus import iter_inputs, split_corpus_paths

        if split_corpus_paths(paths)[0]:
            streamed = list(iter_inputs(paths, limits=limits, manifest=manifest))
            return ([a for a in streamed if isinstance(a, Article)],
                    [p for p in streamed if isinstance(p, LoadProblem)])
    problems: list[LoadProblem] = []
    found = _collect(paths, limits, problems)
    manifests = _Manifests(Path(manifest) if manifest is not None else None, limits, problems)
    articles: list[Article] = []
    owners: dict[str, Path] = {}
    for file, root in found:
        row = manifests.row_for(file, root)
        loaded = _read_file(file, row, limits)
        if isinstance(loaded, LoadProblem):
            problems.append(loaded)
        elif loaded.doc_id in owners:
            problems.append(LoadProblem(
                str(file), f"document id '{loaded.doc_id}' is already used by "
                f"{owners[loaded.doc_id]}; file skipped (rename one of them)"))
        else:
            owners[loaded.doc_id] = file
            articles.append(loaded)
    # Debug only: the caller gets the problems and shows them (the command line logs each as
    # an error); a warning here as well printed every bad file twice.
    for problem in problems:
        logger.debug("%s", problem)
    return articles, problems


def article_from_bytes(
    name: str,
    data: bytes,
    *,
    source: str | None = None,
    title: str | None = None,
    published: dt.date | None = None,
    url: str = "",
    limits: ReadLimits = ReadLimits(),
) -> Article | LoadProblem:
    """Read one uploaded file. ``name`` only gives the doc id and the type, never a path."""
    doc_id = safe_doc_id(name)
    suffix = PurePosixPath(_basename(name)).suffix.lower()
    label = doc_id + suffix
    if suffix not in ARTICLE_SUFFIXES:
        return LoadProblem(label, f"unsupported file type '{suffix or '(none)'}'; "
                                  "upload .txt, .html or .htm files")
    if not data:
        return LoadProblem(label, "the file is empty")
    if len(data) > limits.max_bytes:
        return LoadProblem(label, _too_big(len(data), limits))
    row = ManifestRow(label, source or "", title or "", published, url)
    return _article(data, doc_id=doc_id, label=label, html=suffix in HTML_SUFFIXES,
                    row=row, path="", limits=limits)


def article_from_text(
    text: str,
    *,
    doc_id: str,
    label: str = "pasted text",
    source: str | None = None,
    title: str | None = None,
    published: dt.date | None = None,
    url: str = "",
    limits: ReadLimits = ReadLimits(),
) -> Article | LoadProblem:
    """Read text pasted into the dashboard as an upload of those bytes would be read.

    ``label`` names it in problems ("pasted text"); pasted markup is extracted as a page.
    """
    if not text.strip():
        return LoadProblem(label, "no text was given")
    row = ManifestRow(label, source or "", title or "", published, url)
    return article_from_row(text, doc_id=safe_doc_id(doc_id), label=label, html=False,
                            row=row, limits=limits, path="")


def article_from_row(
    content: str,
    *,
    doc_id: str,
    label: str,
    html: bool,
    row: ManifestRow,
    limits: ReadLimits = ReadLimits(),
    path: str | None = None,
) -> Article | LoadProblem:
    """Text (or HTML) with its facts, read as a file of that content would be: a corpus
    row, or pasted text.

    ``label`` names it in problems ("corpus.jsonl: row 7") and is the path unless
    ``path`` is given.
    """
    data = content.encode("utf-8", "surrogateescape")
    if len(data) > limits.max_bytes:
        return LoadProblem(label, _too_big(len(data), limits))
    return _article(data, doc_id=doc_id[:_MAX_DOC_ID_CHARS], label=label, html=html,
                    row=row, path=label if path is None else path, limits=limits)


def safe_doc_id(name: str) -> str:
    """The stem of an uploaded file's name, with no path parts and only safe characters."""
    stem = PurePosixPath(_basename(name)).stem
    stem = unicodedata.normalize("NFC", stem)
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._-")
    return stem[:_MAX_DOC_ID_CHARS] or "upload"


def read_manifest(
    path: Path, limits: ReadLimits = ReadLimits()
) -> tuple[dict[Path, ManifestRow], list[LoadProblem]]:
    """The usable rows of a manifest, keyed by resolved file path, and its problems.

    A row with a bad date keeps its other facts; a row naming no existing file, or a file
    named twice, is dropped. Without a ``file`` column nothing can be used.
    """
    label = str(path)
    problems: list[LoadProblem] = []
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            return {}, [LoadProblem(label, f"manifest not read: {_too_big(size, limits)}")]
        data = path.read_bytes()
    except OSError as error:
        return {}, [LoadProblem(label, f"manifest not read: {error.strerror or error}")]
    decoded = _decode(data)
    if decoded is None:
        return {}, [LoadProblem(label, "manifest not read: it is not text")]
    reader = csv.DictReader(io.StringIO(decoded[0], newline=""))
    columns = {(c or "").strip().lower(): c for c in reader.fieldnames or []}
    missing = [c for c in MANIFEST_COLUMNS if c not in columns]
    if "file" in missing:
        return {}, [LoadProblem(label, f"manifest not used: no 'file' column (want columns "
                                       f"{','.join(MANIFEST_COLUMNS)})")]
    if missing:
        problems.append(LoadProblem(label, f"manifest lacks column(s) {', '.join(missing)}; "
                                           "those facts are taken from the articles"))
    rows: dict[Path, ManifestRow] = {}
    for raw in reader:
        where = f"manifest row {reader.line_num}"

        def cell(column: str, raw: dict[str | None, str | None] = raw) -> str:
            return (raw.get(columns[column]) or "").strip() if column in columns else ""

        file = cell("file")
        if not file:
            problems.append(LoadProblem(label, f"{where}: no file name; row ignored"))
            continue
        target = (path.parent / file).resolve()
        if not target.is_file():
            problems.append(LoadProblem(label, f"{where}: file '{file}' not found next to "
                                               "the manifest; row ignored"))
            continue
        if target in rows:
            problems.append(LoadProblem(label, f"{where}: '{file}' is listed twice; "
                                               "the first row is used"))
            continue
        published = None
        if date_text := cell("published"):
            try:
                published = dt.date.fromisoformat(date_text)
            except ValueError:
                problems.append(LoadProblem(label, f"{where}: published date '{date_text}' is "
                                                   "not YYYY-MM-DD; date left unknown"))
        rows[target] = ManifestRow(file, cell("source"), cell("title"), published, cell("url"))
    return rows, problems


class _Manifests:
    """The manifest row of each file: the one given, or the nearest folder manifest."""

    def __init__(self, given: Path | None, limits: ReadLimits, problems: list[LoadProblem]):
        self._given = given
        self._limits = limits
        self._problems = problems
        self._cache: dict[Path, dict[Path, ManifestRow]] = {}
        if given is not None and not given.is_file():
            problems.append(LoadProblem(str(given), "manifest not found; articles load "
                                                    "without it"))
            self._given = None

    def row_for(self, file: Path, root: Path) -> ManifestRow | None:
        manifest = self._given or self._nearest(file, root)
        if manifest is None:
            return None
        if manifest not in self._cache:
            rows, problems = read_manifest(manifest, self._limits)
            self._cache[manifest] = rows
            self._problems.extend(problems)
        return self._cache[manifest].get(file.resolve())

    @staticmethod
    def _nearest(file: Path, root: Path) -> Path | None:
        folder = file.parent
        while True:
            candidate = folder / MANIFEST_NAME
            if candidate.is_file():
                return candidate
            if folder == root or folder == folder.parent:
                return None
            folder = folder.parent


def _collect(
    paths: Sequence[str | Path], limits: ReadLimits, problems: list[LoadProblem]
) -> list[tuple[Path, Path]]:
    """The article files to read, each with the folder it was found under."""
    found: list[tuple[Path, Path]] = []
    seen: set[Path] = set()
    first_skipped: Path | None = None
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = _folder_files(path, limits.max_files + 1, problems)
            if not files:
                problems.append(LoadProblem(str(path), "no .txt, .html, .htm or corpus files "
                                                       "in this folder"))
            pairs = [(file, path) for file in files]
        elif path.is_file():
            if path.suffix.lower() not in ARTICLE_SUFFIXES:
                problems.append(LoadProblem(str(path), f"unsupported file type "
                                                       f"'{path.suffix or '(none)'}'; "
                                                       "want .txt, .html or .htm, or a corpus "
                                                       "file (.jsonl, .csv, .parquet)"))
                continue
            pairs = [(path, path.parent)]
        elif path.exists():
            problems.append(LoadProblem(str(path), "not a regular file or folder"))
            continue
        else:
            problems.append(LoadProblem(str(path), "no such file or folder"))
            continue
        for file, root in pairs:
            key = file.resolve()
            if key in seen:  # the same file named twice, e.g. alone and in its folder
                continue
            if len(found) >= limits.max_files:
                first_skipped = first_skipped or file
                break
            seen.add(key)
            found.append((file, root))
    if first_skipped is not None:
        problems.append(LoadProblem(", ".join(map(str, paths)),
                                    f"more than {limits.max_files:,} article files; only the "
                                    f"first {limits.max_files:,} were read, in path order; "
                                    f"skipped from {first_skipped} on"))
    return found


def _folder_files(folder: Path, cap: int, problems: list[LoadProblem]) -> list[Path]:
    """A folder's article files, recursively, sorted by path; at most ``cap`` of them.

    The walk sees every name (cheap) so that the cap keeps the first files in sorted order.
    """
    files: list[Path] = []

    def unreadable(error: OSError) -> None:
        problems.append(LoadProblem(str(error.filename or folder),
                                    f"folder not readable: {error.strerror or error}"))

    # Symlinked folders are not followed, so a link loop cannot trap the walk.
    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith(".") and Path(name).suffix.lower() in ARTICLE_SUFFIXES:
                files.append(Path(root) / name)
    return sorted(files)[:cap]


def _read_file(path: Path, row: ManifestRow | None, limits: ReadLimits) -> Article | LoadProblem:
    label = str(path)
    try:
        size = path.stat().st_size
        if size == 0:
            return LoadProblem(label, "the file is empty")
        if size > limits.max_bytes:
            return LoadProblem(label, _too_big(size, limits))
        with path.open("rb") as handle:
            # Read one byte past the limit: a file that grew since stat is still refused.
            data = handle.read(limits.max_bytes + 1)
    except OSError as error:
        return LoadProblem(label, f"could not be read: {error.strerror or error}")
    if len(data) > limits.max_bytes:
        return LoadProblem(label, _too_big(len(data), limits))
    return _article(data, doc_id=path.stem, label=label,
                    html=path.suffix.lower() in HTML_SUFFIXES, row=row, path=label,
                    limits=limits)


def _article(
    data: bytes,
    *,
    doc_id: str,
    label: str,
    html: bool,
    row: ManifestRow | None,
    path: str,
    limits: ReadLimits,
) -> Article | LoadProblem:
    """Decode, extract and mark the body of one file's bytes."""
    if not _has_bom(data) and _looks_binary(data):
        return LoadProblem(label, "this is a binary file, not text")
    decoded = _decode(data)
    if decoded is None:
        return LoadProblem(label, "the text encoding could not be worked out "
                                  "(save it as UTF-8)")
    text, encoding = decoded
    if encoding != "utf-8":
        logger.warning("%s is not UTF-8; read it as %s", label, encoding)
    html = html or bool(_HTML_START_RE.match(text[:1000]))
    page = ManifestRow(label)
    if html:
        extracted = _extract_html(text)
        if extracted is None:
            return LoadProblem(label, "no article text found in this HTML page")
        text, page = extracted
    # Offsets refer to this text: one newline convention, as read otherwise.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return LoadProblem(label, "the file holds only blank space")
    longest = max(text.split("\n"), key=len)
    if len(longest) > limits.max_line_chars:
        return LoadProblem(label, f"a line of {len(longest):,} characters is over the "
                                  f"{limits.max_line_chars:,} limit; not article text")
    body = body_ranges(text)
    if not body:
        return LoadProblem(label, "only page furniture (menus, forms, links), no article text")
    return _fill(Article(doc_id=doc_id, text=text, path=path, body=body), row, page)


def _fill(article: Article, row: ManifestRow | None, page: ManifestRow) -> Article:
    """Add the facts: manifest first, then page metadata, then what the text says."""
    row = row or ManifestRow("")
    text, body = article.text, article.body
    return Article(
        doc_id=article.doc_id,
        text=text,
        source=row.source or page.source or attribution(text) or "unknown",
        title=row.title or page.title or _headline(text, body),
        published=row.published or page.published,
        url=row.url or page.url,
        path=article.path,
        body=body,
    )


def _headline(text: str, body: tuple[tuple[int, int], ...]) -> str:
    """The first article line when it reads as a headline (short, not a sentence)."""
    start, end = body[0]
    first = text[start:end].split("\n", 1)[0].strip()
    if len(first) > _MAX_TITLE_CHARS or is_prose(first):
        return ""
    return first


def _extract_html(html: str) -> tuple[str, ManifestRow] | None:
    """The main text of a page and its metadata, precision first, comments left out."""
    import trafilatura  # HTML only: plain-text runs need not pay for its import

    try:
        doc = trafilatura.bare_extraction(
            html,
            include_comments=False,
            favor_precision=True,
            with_metadata=True,
            # Only the page's own date markup: a guessed date is worse than none.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception:  # a malformed page must not stop the other articles
        logger.exception("HTML extraction failed")
        return None
    if doc is None:
        return None
    meta = doc if isinstance(doc, dict) else doc.as_dict()
    text = meta.get("text") or ""
    if not text.strip():
        return None
    published = None
    with contextlib.suppress(ValueError):  # no date, or one we cannot read: unknown
        published = dt.date.fromisoformat(str(meta.get("date") or "")[:10])
    return text, ManifestRow(
        file="",
        source=meta.get("sitename") or "",
        title=meta.get("title") or "",
        published=published,
        url=meta.get("url") or "",
    )


def _decode(data: bytes) -> tuple[str, str] | None:
    """The text and the encoding used: BOM, then UTF-8, then Western, then detection."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
                       (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
                       (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec), "utf-8" if codec == "utf-8-sig" else codec
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _western(data):
        return data.decode("cp1252"), "cp1252"
    best = from_bytes(data).best()
    if best is None:
        return None
    text = str(best)
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    if controls > len(text) * _MAX_CONTROL_SHARE:
        return None
    return text, best.encoding


def _western(data: bytes) -> bool:
    """True for cp1252 text: it decodes, and its non-ASCII bytes are scattered accents.

    Detection is unreliable on short Western text (it answers cp1250 or a DOS code page),
    while Cyrillic, Greek or Arabic in a single-byte code page come as runs of high bytes.
    """
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    high = sum(1 for b in data if b >= 0x80)
    in_runs = sum(len(run) for run in re.findall(rb"[\x80-\xff]{3,}", data))
    return high > 0 and in_runs <= high * 0.2


def _has_bom(data: bytes) -> bool:
    return data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))


def _looks_binary(data: bytes) -> bool:
    """NUL bytes, or many control bytes: an image, archive or executable, not text."""
    if b"\x00" in data:
        return True
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    return controls > len(data) * _MAX_CONTROL_SHARE


def _basename(name: str) -> str:
    # Either separator: an upload's name may come from Windows or from a hostile client.
    return re.split(r"[\\/]", name.replace("\x00", ""))[-1]


def _too_big(size: int, limits: ReadLimits) -> str:
    return f"the file is {_size(size)}, over the {_size(limits.max_bytes)} limit; not read"


def _size(count: int) -> str:
    # Bytes below 0.1 MB: a small limit set by GEO_MAX_BYTES would otherwise read "0.0 MB".
    return f"{count / 1e6:,.1f} MB" if count >= 100_000 else f"{count:,} bytes"
