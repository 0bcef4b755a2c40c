"""Nothing lost, nothing injected: the command line over bad, hostile and oversized input.

Everything here runs ``python -m geo`` as a user would, in a real process, over a folder
built in ``tmp_path``: good articles (plain, cp1252, HTML with scripts, text carrying
``<script>`` and ``onerror=``) beside bad files (empty, binary, 20 MB, one 3 MB line).
Every good article must come out, every bad file must be named with its problem, and no
article text, source, title or file name may become live markup in any export. The last
tests break the gazetteer (truncated, corrupt inside, locked) and load thousands of files.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from chromium import offline_page, requires_chromium

from geo.articles import ReadLimits, load_articles
from geo.gazetteer import Gazetteer, GazetteerError
from geo.gazetteer.schema import CREATE_INDEXES, CREATE_TABLES, SCHEMA_VERSION
from geo.gazetteer.store import BUSY_TIMEOUT_S
from geo.normalize import name_key, skeleton

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
ARTICLE = ("Russian bombers took off from the Hamedan air base in Iran on Tuesday and struck "
           "targets near Aleppo in Syria, the defence ministry said.\n")
# Generous: the run is a few seconds; this only catches a hang or a pathological slowdown.
RUN_LIMIT_S = 240
# What refusing the bad files may add to the peak memory of a run over the good article
# alone. Reading the 20 MB file, or putting the 3 MB line through the model, costs more.
REFUSAL_MEMORY_MB = 64

# Good articles: (file name, doc id, bytes). Each names places the gazetteer knows.
PAGE_HTML = """<!DOCTYPE html><html><head><title>Jets over Homs | Example News</title>
<meta property="og:site_name" content="Example News">
<script>alert(1); document.write("<p>Kabul</p>")</script>
<style>p { color: red }</style></head><body onload="alert(1)">
<nav><ul><li><a href="/">Home</a></li><li><a href="javascript:alert(1)">Paris</a></li></ul></nav>
<article><h1>Jets over Homs</h1>
<p>Russian jets flying from Hmeimim air base struck Homs in western Syria on Monday, the
observatory said, and more strikes were reported near Hama.</p>
<img src=x onerror=alert(1)><script>alert(1)</script>
</article><footer>Copyright Example News, Toronto</footer></body></html>"""
HOSTILE_TEXT = (f"Strikes {SCRIPT} near Aleppo\n\nJets from Hamedan in Iran struck Aleppo "
                f"in Syria {IMG} on Tuesday, officials said. {SCRIPT}\n")
WESTERN_TEXT = ("Café owners in Idlib said the strikes’ toll was rising, after jets flew "
                "from Hmeimim air base in Syria.\n")
GOOD = {
    "good.txt": ("good", ("Strikes on Aleppo\n\n" + ARTICLE).encode()),
    "western.txt": ("western", WESTERN_TEXT.encode("cp1252")),
    "page.html": ("page", PAGE_HTML.encode()),
    "hostile.txt": ("hostile", HOSTILE_TEXT.encode()),
}
# Bad files: name -> words its message must carry.
BAD = {
    "empty.txt": ("empty",),
    "binary.txt": ("binary",),
    "huge.txt": ("20.0 MB", "limit"),
    "oneline.txt": ("3,010,000 characters", "limit"),
}
HOSTILE_NAME = f"{IMG}.txt"
HOSTILE_MANIFEST = ("file,source,title,published,url\n"
                    f'hostile.txt,"{SCRIPT}","{IMG}",2016-08-16,javascript:alert(1)\n'
                    f'"{HOSTILE_NAME}","{IMG}","{SCRIPT}",,\n')


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


def geo(*args: str, env: dict[str, str] | None = None, limit_s: float = RUN_LIMIT_S) -> Run:
    """Run ``python -m geo ARGS`` and measure its wall time and its own peak memory.

    ``os.wait4`` gives the rusage of this one child, where ``getrusage(RUSAGE_CHILDREN)``
    would report the largest of every process the test session ever waited for.
    """
    with (open(os.devnull, "rb") as stdin,
          tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err):
        began = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "geo", *args], cwd=ROOT, stdin=stdin,
                                stdout=out, stderr=err, env=env)
        killer = threading.Timer(limit_s, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    assert seconds < limit_s, f"geo {' '.join(args)} was killed after {limit_s} s"
    return Run(proc.returncode, stdout, stderr, seconds, usage.ru_maxrss / 1024)


def cli_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a run: its geocode cache in ``tmp``, never the shared one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEO_")}
    env.update(GEO_CACHE=str(tmp / "geocode.sqlite"), **extra)
    return env


def _write_huge(path: Path, size: int = 20_000_000) -> None:
    # Real article text, so only its size can be why it is refused; written in chunks to
    # keep this process small as well.
    chunk = (ARTICLE * (1_000_000 // len(ARTICLE))).encode()
    with path.open("wb") as handle:
        while handle.tell() < size:
            handle.write(chunk)
        handle.truncate(size)


@pytest.fixture(scope="module")
def done_when_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the issue's Done-when, exactly: four good articles, four bad files."""
    folder = tmp_path_factory.mktemp("done_when")
    for name, (_, data) in GOOD.items():
        (folder / name).write_bytes(data)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
                                        + bytes(range(256)) * 8)
    _write_huge(folder / "huge.txt")
    (folder / "oneline.txt").write_text("Aleppo " * 430_000, encoding="utf-8")  # 3 MB
    return folder


@pytest.fixture(scope="module")
def hostile_folder(done_when_folder: Path, tmp_path_factory: pytest.TempPathFactory
                   ) -> tuple[Path, bool]:
    """The same folder plus a hostile manifest and, where allowed, a hostile file name.

    The files are hard links where the filesystem allows, so the 20 MB file exists once.
    """
    folder = tmp_path_factory.mktemp("hostile")
    for source in done_when_folder.iterdir():
        try:
            os.link(source, folder / source.name)
        except OSError:
            shutil.copyfile(source, folder / source.name)
    manifest = HOSTILE_MANIFEST
    try:
        (folder / HOSTILE_NAME).write_text("Jets struck Idlib in Syria " + SCRIPT
                                           + ", witnesses said.\n", encoding="utf-8")
        named = True
    except OSError:  # a filesystem that refuses '<' or '>' in names
        manifest = "\n".join(manifest.splitlines()[:2]) + "\n"
        named = False
    (folder / "manifest.csv").write_text(manifest, encoding="utf-8")
    return folder, named


# --- 1. the Done-when: extract ------------------------------------------------------------


@pytest.fixture(scope="module")
def done_when_run(done_when_folder: Path, gazetteer: Gazetteer,
                  tmp_path_factory: pytest.TempPathFactory) -> Run:
    tmp = tmp_path_factory.mktemp("cache")
    run = geo("extract", str(done_when_folder), "--format", "jsonl", env=cli_env(tmp))
    print(f"\nDone-when extract: {run.seconds:.1f} s, peak RSS {run.peak_mb:.0f} MB")
    return run


def test_extract_keeps_every_good_article(done_when_run: Run, done_when_folder: Path) -> None:
    assert done_when_run.returncode == 0, done_when_run.stderr
    assert "Traceback" not in done_when_run.stderr
    records = [json.loads(line) for line in done_when_run.stdout.splitlines()]
    assert {r["doc"] for r in records} == {doc for doc, _ in GOOD.values()}
    # Offsets slice the text as read (the cp1252 file decoded, not its bytes).
    texts = {"good": (done_when_folder / "good.txt").read_text(encoding="utf-8"),
             "hostile": HOSTILE_TEXT, "western": WESTERN_TEXT}
    for record in records:
        if record["doc"] in texts:
            assert texts[record["doc"]][record["start"]:record["end"]] == record["text"]
    by_doc = {doc: {r["text"] for r in records if r["doc"] == doc} for doc in texts}
    assert {"Aleppo", "Hamedan", "Iran", "Syria"} <= by_doc["hostile"]
    assert {"Idlib", "Hmeimim", "Syria"} <= by_doc["western"]
    page = {r["text"] for r in records if r["doc"] == "page"}
    assert {"Homs", "Hmeimim"} <= page
    assert not page & {"Kabul", "Paris", "Toronto"}  # script, menu and footer are not read


def test_extract_names_every_bad_file_once_with_its_problem(done_when_run: Run) -> None:
    lines = done_when_run.stderr.splitlines()
    for name, words in BAD.items():
        named = [line for line in lines if f"/{name}:" in line]
        assert len(named) == 1, (name, done_when_run.stderr)
        assert all(word in named[0] for word in words), named[0]
    for name in GOOD:  # a good file is never reported as a problem
        assert not any(f"/{name}:" in line for line in lines), done_when_run.stderr
    # The cp1252 article is read, with a note saying how.
    assert any("western.txt" in line and "cp1252" in line for line in lines)


def test_extract_stays_bounded_while_refusing_big_files(
    done_when_run: Run, done_when_folder: Path, tmp_path: Path
) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(done_when_folder / "good.txt", alone)
    baseline = geo("extract", str(alone), "--format", "jsonl", env=cli_env(tmp_path))
    assert baseline.returncode == 0, baseline.stderr
    extra = done_when_run.peak_mb - baseline.peak_mb
    print(f"\npeak RSS: {done_when_run.peak_mb:.0f} MB with the bad files, "
          f"{baseline.peak_mb:.0f} MB over the good article alone (+{extra:.0f} MB); "
          f"{done_when_run.seconds:.1f} s vs {baseline.seconds:.1f} s")
    assert extra < REFUSAL_MEMORY_MB


def test_a_sparse_gigabyte_file_is_refused_unread(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    with (folder / "giant.txt").open("wb") as handle:  # 1 GB on paper, nothing on disk
        handle.truncate(1_000_000_000)
    articles, problems = load_articles([folder])
    assert [a.doc_id for a in articles] == ["good"]
    assert [p.path for p in problems] == [str(folder / "giant.txt")]
    assert "1,000.0 MB" in problems[0].problem


# --- 1. the Done-when: exports of the hostile folder --------------------------------------


class _Markup(HTMLParser):
    """Every element with its attributes, every script's text, and the info panel's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.info: list[str] = []
        self._in_script = False
        self._info_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")
        if self._info_depth and tag not in ("br", "img", "meta", "link"):
            self._info_depth += 1
        elif dict(attrs).get("class") == "geo-info":
            self._info_depth = 1

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False
        if self._info_depth:
            self._info_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        if self._info_depth:
            self.info.append(data)


def _js_strings_decoded(script: str) -> str:
    """A script with its JSON escapes undone: what ``innerHTML`` would receive."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)),
                  script.replace("\\/", "/"))


@pytest.fixture(scope="module")
def exports(hostile_folder: tuple[Path, bool], gazetteer: Gazetteer,
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder, _ = hostile_folder
    out = tmp_path_factory.mktemp("exports")
    written = {}
    for name in ("out.html", "out.geojson", "out.csv", "out.kml"):
        run = geo("export", str(folder), "-o", str(out / name), env=cli_env(out))
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr
        print(f"\nexport {name}: {run.seconds:.1f} s, peak RSS {run.peak_mb:.0f} MB")
        for bad in BAD:
            assert f"/{bad}:" in run.stderr
        written[name] = out / name
    return written


def test_html_export_has_no_live_markup_from_the_articles(
    exports: dict[str, Path], hostile_folder: tuple[Path, bool]
) -> None:
    markup = _Markup()
    markup.feed(exports["out.html"].read_text(encoding="utf-8"))
    markup.close()
    for tag, attrs in markup.elements:
        assert "onerror" not in attrs and "onload" not in attrs, (tag, attrs)
        assert not (tag == "img" and attrs.get("src") == "x"), attrs
        for name, value in attrs.items():
            assert "alert(" not in (value or ""), (tag, name, value)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, attrs)
    for script in markup.scripts:
        assert script.strip() != "alert(1)"
        # Popup HTML travels inside scripts as JSON strings and is set as innerHTML when
        # a popup opens, so once the JSON escapes are undone it must still be escaped.
        decoded = _js_strings_decoded(script)
        assert SCRIPT not in decoded and "<img src=x" not in decoded
        assert 'document.write("<p>Kabul' not in decoded  # the page's own script is gone
    # The hostile source names and file name are shown, as text.
    info = "".join(markup.info)
    assert SCRIPT in info and IMG in info
    _, named = hostile_folder
    page = exports["out.html"].read_text(encoding="utf-8")
    if named:
        assert "&lt;img src=x onerror=alert(1)&gt;" in _js_strings_decoded(page)


def test_geojson_csv_and_kml_carry_hostile_text_as_data(
    exports: dict[str, Path], hostile_folder: tuple[Path, bool]
) -> None:
    _, named = hostile_folder
    geojson = json.loads(exports["out.geojson"].read_text(encoding="utf-8"))
    assert geojson["type"] == "FeatureCollection" and geojson["features"]
    values = json.dumps([f["properties"] for f in geojson["features"]], ensure_ascii=False)
    assert SCRIPT in values and IMG in values  # verbatim: a JSON consumer escapes it itself
    sources = {s for f in geojson["features"] for s in f["properties"].get("sources", [])}
    assert SCRIPT in sources and (IMG in sources or not named)

    with exports["out.csv"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    assert body and all(len(row) == len(header) for row in body)
    cells = {cell for row in body for cell in row}
    assert SCRIPT in cells and any(SCRIPT in cell for cell in cells - {SCRIPT})
    if named:
        assert IMG in cells

    root = ET.parse(exports["out.kml"]).getroot()
    tags = {element.tag.rsplit("}", 1)[-1].lower() for element in root.iter()}
    assert not tags & {"script", "img"}
    descriptions = [e.text or "" for e in root.iter() if e.tag.endswith("}description")]
    assert descriptions
    for description in descriptions:
        # Google Earth renders a description as HTML: only our own tags may be live in it.
        inner = _Markup()
        inner.feed(description)
        inner.close()
        assert {tag for tag, _ in inner.elements} <= {"b", "br", "blockquote", "div", "i"}
    shown = "".join(descriptions)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown


@pytest.mark.browser
@requires_chromium
def test_html_export_runs_nothing_hostile_in_chromium(exports: dict[str, Path]) -> None:
    with offline_page((1200, 800)) as (page, log):
        page.goto(exports["out.html"].as_uri(), wait_until="load")
        page.wait_for_selector(".leaflet-marker-icon", state="attached", timeout=10_000)
        # Open every popup and tooltip, where article text becomes HTML.
        shown = page.evaluate("""() => {
            const map = window[document.querySelector('.folium-map').id];
            const texts = [];
            map.eachLayer(layer => {
                for (const [open, get, close] of [
                        ['openPopup', 'getPopup', 'closePopup'],
                        ['openTooltip', 'getTooltip', 'closeTooltip']]) {
                    if (layer[get] && layer[get]()) {
                        layer[open]();
                        const el = layer[get]().getElement();
                        if (el) texts.push(el.textContent);
                    }
                }
            });
            return texts;
        }""")
        page.wait_for_timeout(500)  # let any injected onerror handler fire
        live = page.evaluate("""() => ({
            onerror: document.querySelectorAll('[onerror], img[src="x"]').length,
            scripts: [...document.scripts].filter(s => s.text.trim() === 'alert(1)').length,
        })""")
    assert log.dialogs == []
    assert log.errors == []
    assert log.refused == []
    assert live == {"onerror": 0, "scripts": 0}
    assert any(SCRIPT in text for text in shown) and any(IMG in text for text in shown)


# --- 2. a folder with thousands of files --------------------------------------------------


@pytest.fixture(scope="module")
def crowded_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crowded")
    for i in range(3000):
        (folder / f"a{i:04d}.txt").write_text(f"Jets struck Aleppo in Syria on day {i}.\n",
                                              encoding="utf-8")
    (folder / "a0500-empty.txt").write_bytes(b"")
    (folder / "a0501-binary.txt").write_bytes(b"\x00\x01\x02" * 40)
    (folder / "notes.csv").write_text("not,an,article\n", encoding="utf-8")
    return folder


def test_thousands_of_files_load_in_bounded_time(crowded_folder: Path) -> None:
    began = time.perf_counter()
    articles, problems = load_articles([crowded_folder])
    seconds = time.perf_counter() - began
    print(f"\n3,002 files loaded in {seconds:.2f} s")
    assert seconds < 60
    assert len(articles) == 3000
    assert sorted((Path(p.path).name, p.problem) for p in problems) == [
        ("a0500-empty.txt", "the file is empty"),
        ("a0501-binary.txt", "this is a binary file, not text"),
    ]


def test_over_max_files_keeps_the_first_in_path_order(crowded_folder: Path) -> None:
    articles, problems = load_articles([crowded_folder], limits=ReadLimits(max_files=1000))
    # The first 1,000 article files in path order are read; the two bad ones among them
    # count towards the limit, so 998 articles come out, up to a0997.
    assert len(articles) == 998
    assert articles[-1].doc_id == "a0997"
    (limit,) = [p for p in problems if p.path == str(crowded_folder)]
    assert "more than 1,000 article files" in limit.problem
    assert f"skipped from {crowded_folder / 'a0998.txt'}" in limit.problem
    assert {Path(p.path).name for p in problems} == {crowded_folder.name, "a0500-empty.txt",
                                                     "a0501-binary.txt"}


def test_exactly_max_files_is_not_over_the_limit(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"{i}.txt").write_text(ARTICLE, encoding="utf-8")
    articles, problems = load_articles([tmp_path], limits=ReadLimits(max_files=5))
    assert len(articles) == 5 and problems == []
    articles, problems = load_articles([tmp_path, tmp_path / "0.txt"],
                                       limits=ReadLimits(max_files=4))
    assert [a.doc_id for a in articles] == ["0", "1", "2", "3"]
    assert len(problems) == 1 and "skipped from" in problems[0].problem


# --- 3. a broken or locked gazetteer ------------------------------------------------------

TINY_PLACES = [
    ("geonames:170063", "Aleppo", 36.20, 37.16, "SY", "city", 1602264, "09", "geonames"),
    ("country:SY", "Syria", 35.0, 38.0, "SY", "country", 0, "", "naturalearth"),
]


def tiny_gazetteer(path: Path) -> Path:
    """A gazetteer of two places with the real schema: small enough to break page by page."""
    conn = sqlite3.connect(path)
    try:
        conn.executescript(CREATE_TABLES)
        conn.executemany("INSERT INTO places VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", TINY_PLACES)
        conn.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?)",
                         [(name_key(p[1]), skeleton(p[1]), p[0], p[1], "name")
                          for p in TINY_PLACES])
        conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        conn.executescript(CREATE_INDEXES)
        conn.commit()
    finally:
        conn.close()
    return path


def _root_page_offset(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        (page,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                               (table,)).fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    finally:
        conn.close()
    return (int(page) - 1) * int(size)


@pytest.fixture
def article_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text("Strikes on Aleppo\n\n" + ARTICLE, encoding="utf-8")
    return folder


def assert_one_clear_line(run: Run, path: Path, *words: str) -> None:
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, run.stderr
    assert str(path) in errors[0] and all(word in errors[0] for word in words), errors[0]


def test_truncated_gazetteer_is_named_with_how_to_rebuild(
    gazetteer: Gazetteer, article_folder: Path, tmp_path: Path
) -> None:
    truncated = tmp_path / "truncated.sqlite"
    with gazetteer.path.open("rb") as whole:  # the first MB: no need to copy 131 MB
        truncated.write_bytes(whole.read(1_000_000))
    run = geo("extract", str(article_folder), env=cli_env(tmp_path,
                                                           GEO_GAZETTEER=str(truncated)))
    assert_one_clear_line(run, truncated, "corrupt", "build-gazetteer")
    assert run.stdout == ""


def test_corrupt_gazetteer_is_refused_at_open(article_folder: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8000)
    run = geo("extract", str(article_folder), env=cli_env(tmp_path, GEO_GAZETTEER=str(junk)))
    assert_one_clear_line(run, junk, "build-gazetteer")


def _corrupt_names(path: Path) -> Path:
    """Garbage over the names table only: the file opens, the first lookup fails."""
    offset = _root_page_offset(path, "names")
    with path.open("r+b") as handle:
        handle.seek(offset)
        handle.write(b"\xde\xad\xbe\xef" * 1024)
    return path


def test_gazetteer_corrupt_inside_fails_lookups_with_a_clear_error(tmp_path: Path) -> None:
    path = _corrupt_names(tiny_gazetteer(tmp_path / "g.sqlite"))
    with Gazetteer.open(path) as opened, pytest.raises(GazetteerError) as raised:
        opened.lookup(["aleppo"])
    assert str(path) in str(raised.value) and "build-gazetteer" in str(raised.value)


def test_gazetteer_corrupt_inside_gives_a_message_not_a_traceback(
    article_folder: Path, tmp_path: Path
) -> None:
    path = _corrupt_names(tiny_gazetteer(tmp_path / "g.sqlite"))
    run = geo("extract", str(article_folder), env=cli_env(tmp_path, GEO_GAZETTEER=str(path)))
    assert_one_clear_line(run, path, "build-gazetteer")


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another process's exclusive lock on ``path``, as a build or a copy would hold."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


def test_locked_gazetteer_waits_a_bounded_time_and_says_so(
    article_folder: Path, tmp_path: Path
) -> None:
    path = tiny_gazetteer(tmp_path / "locked.sqlite")
    env = cli_env(tmp_path, GEO_GAZETTEER=str(path))
    with locked(path):
        run = geo("extract", str(article_folder), env=env, limit_s=120)
    print(f"\nlocked gazetteer: gave up after {run.seconds:.1f} s")
    assert_one_clear_line(run, path, "locked")
    assert "build-gazetteer" not in run.stderr  # the file is fine: rebuilding is no answer
    assert run.seconds >= BUSY_TIMEOUT_S * 0.9
    # Once the lock is released, the same file serves the run.
    again = geo("extract", str(article_folder), "--format", "jsonl", env=env)
    assert again.returncode == 0, again.stderr
    assert {json.loads(line)["name"] for line in again.stdout.splitlines()} >= {"Aleppo",
                                                                              "Syria"}


# --- limits are settings ------------------------------------------------------------------


def test_read_limits_come_from_the_environment(caplog: pytest.LogCaptureFixture) -> None:
    assert ReadLimits.from_env({}) == ReadLimits()
    assert ReadLimits.from_env({"GEO_MAX_BYTES": "2_000", "GEO_MAX_FILES": " 7 ",
                                "GEO_MAX_LINE_CHARS": "300"}) == ReadLimits(2_000, 7, 300)
    with caplog.at_level(logging.WARNING, logger="geo.articles"):
        limits = ReadLimits.from_env({"GEO_MAX_BYTES": "ten MB", "GEO_MAX_FILES": "-1"})
    assert limits == ReadLimits()
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "GEO_MAX_BYTES" in warned and "GEO_MAX_FILES" in warned


def test_the_command_line_obeys_the_limit_settings(article_folder: Path, tmp_path: Path) -> None:
    (article_folder / "long.txt").write_text(("Strikes on Aleppo\n\n" + ARTICLE) * 20,
                                             encoding="utf-8")
    run = geo("extract", str(article_folder), "--format", "jsonl",
              env=cli_env(tmp_path, GEO_MAX_BYTES="1000"))
    assert run.returncode == 0, run.stderr
    assert {json.loads(line)["doc"] for line in run.stdout.splitlines()} == {"good"}
    assert "long.txt: the file is 3,140 bytes, over the 1,000 bytes limit" in run.stderr
