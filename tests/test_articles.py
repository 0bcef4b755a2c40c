"""Reading articles: seeds and manifest, fallbacks, bad input, HTML, uploads."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from pathlib import Path

import pytest

from geo.articles import ReadLimits, article_from_bytes, load_articles, safe_doc_id
from geo.models import Article, LoadProblem

SEEDS = Path(__file__).resolve().parent.parent / "data" / "articles"
ARTICLE = ("Russian bombers took off from the Hamedan air base in Iran on Tuesday and struck "
           "targets near Aleppo in Syria, the defence ministry said.\n")


def seed_path(prefix: str) -> Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def by_id(articles: list[Article]) -> dict[str, Article]:
    return {a.doc_id[:3]: a for a in articles}


def problem_for(problems: list[LoadProblem], path: Path | str) -> LoadProblem:
    matching = [p for p in problems if p.path == str(path)]
    assert len(matching) == 1, problems
    return matching[0]


def test_seeds_load_with_their_manifest_facts() -> None:
    articles, problems = load_articles([SEEDS])
    assert problems == []
    seeds = by_id(articles)
    assert sorted(seeds) == ["000", "001", "002", "003", "004"]
    assert {k: a.source for k, a in seeds.items()} == {
        "000": "CBC News", "001": "ABC News", "002": "Arab Today",
        "003": "The Washington Times", "004": "BBC News",
    }
    day = dt.date(2016, 8, 16)
    assert {k: a.published for k, a in seeds.items()} == {
        "000": day, "001": day, "002": None, "003": day, "004": dt.date(2017, 1, 18),
    }
    assert seeds["002"].title == "Russia-Iran cooperation in Syria sends message to US"
    assert seeds["000"].title.startswith("Russia stages Syria strikes from Iran")
    assert seeds["004"].title.startswith("Syria conflict: Russia and Turkey")
    assert seeds["003"].title == ""
    assert seeds["001"].doc_id == "001_30a61355f0a5d307"
    assert seeds["001"].path == str(seed_path("001"))


def test_text_is_the_file_as_read_and_body_slices_exactly() -> None:
    articles, _ = load_articles([SEEDS])
    for article in articles:
        assert article.text == Path(article.path).read_text(encoding="utf-8")
        assert article.body
        for start, end in article.body:
            assert 0 <= start < end <= len(article.text)
    a002 = by_id(articles)["002"]
    sentence = "Russia said its planes targeted Daesh militants"
    at = a002.text.index(sentence)
    assert a002.text[at:at + len(sentence)] == sentence
    assert any(s <= at < e for s, e in a002.body)


def test_a_single_file_picks_up_its_folder_manifest() -> None:
    articles, problems = load_articles([seed_path("004")])
    assert problems == []
    assert [a.source for a in articles] == ["BBC News"]


def test_no_manifest_falls_back_to_the_text(tmp_path: Path) -> None:
    for prefix in ("000", "002", "003"):
        shutil.copy(seed_path(prefix), tmp_path)
    articles, problems = load_articles([tmp_path])
    assert problems == []
    seeds = by_id(articles)
    assert seeds["002"].source == "Arab News"  # its "Source: Arab News" line
    assert seeds["002"].title == "russiairan cooperation in syria sends message to us"
    assert seeds["000"].source == "unknown"
    assert seeds["000"].title == ("Russia stages Syria strikes from Iran in rare show of "
                                  "military co-operation")
    assert seeds["003"].title == ""  # its first line is a sentence, not a headline
    assert all(a.published is None for a in articles)


def _two_articles(folder: Path) -> None:
    (folder / "a.txt").write_text("Strikes on Aleppo\n\n" + ARTICLE, encoding="utf-8")
    (folder / "b.txt").write_text("Jets over Idlib\n\n" + ARTICLE, encoding="utf-8")


def test_manifest_bad_rows_are_named_and_articles_still_load(tmp_path: Path) -> None:
    _two_articles(tmp_path)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,source,title,published,url\n"
                        "a.txt,Wire A,Title A,2016-13-45,http://a.example\n"
                        "b.txt,Wire B,,2016-08-16,\n"
                        "gone.txt,Wire C,,,\n", encoding="utf-8")
    articles, problems = load_articles([tmp_path])
    a, b = by_id(articles)["a"], by_id(articles)["b"]
    assert (a.source, a.title, a.published, a.url) == ("Wire A", "Title A", None,
                                                        "http://a.example")
    assert (b.source, b.title, b.published) == ("Wire B", "Jets over Idlib", dt.date(2016, 8, 16))
    assert all(p.path == str(manifest) for p in problems)
    messages = sorted(p.problem for p in problems)
    assert len(messages) == 2
    assert "row 2" in messages[0] and "2016-13-45" in messages[0]
    assert "row 4" in messages[1] and "gone.txt" in messages[1]


def test_manifest_without_a_file_column_is_ignored(tmp_path: Path) -> None:
    _two_articles(tmp_path)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("name,source\na.txt,Wire A\n", encoding="utf-8")
    articles, problems = load_articles([tmp_path])
    assert len(articles) == 2 and {a.source for a in articles} == {"unknown"}
    assert "'file' column" in problem_for(problems, manifest).problem


def test_manifest_missing_some_columns_still_gives_the_rest(tmp_path: Path) -> None:
    _two_articles(tmp_path)
    manifest = tmp_path / "meta.csv"
    manifest.write_text("file,source\na.txt,Wire A\n", encoding="utf-8")
    articles, problems = load_articles([tmp_path], manifest=manifest)
    assert by_id(articles)["a"].source == "Wire A"
    assert "title" in problem_for(problems, manifest).problem


def test_a_missing_explicit_manifest_is_a_problem(tmp_path: Path) -> None:
    _two_articles(tmp_path)
    articles, problems = load_articles([tmp_path], manifest=tmp_path / "nope.csv")
    assert len(articles) == 2
    assert "not found" in problem_for(problems, tmp_path / "nope.csv").problem


def test_bad_inputs_are_named_while_good_ones_load(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Strikes on Aleppo\n\n" + ARTICLE, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b"  \n\n\t\n")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    controls = tmp_path / "controls.txt"
    controls.write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 50)
    undecodable = tmp_path / "undecodable.txt"
    undecodable.write_bytes(bytes(range(0x80, 0x100)) * 4)
    western = tmp_path / "western.txt"
    western.write_bytes(("Café owners in Aleppo said the strikes’ toll was rising on "
                         "Tuesday, the Syrian Observatory reported.\n").encode("cp1252"))
    no_articles = tmp_path / "empty_folder"
    no_articles.mkdir()
    (no_articles / "notes.csv").write_text("a,b\n", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4")

    with caplog.at_level(logging.WARNING, logger="geo.articles"):
        articles, problems = load_articles([good, empty, blank, binary, controls, undecodable,
                                            western, no_articles, missing, pdf])
    assert sorted(a.doc_id for a in articles) == ["good", "western"]
    assert "empty" in problem_for(problems, empty).problem
    assert "blank" in problem_for(problems, blank).problem
    assert "binary" in problem_for(problems, binary).problem
    assert "binary" in problem_for(problems, controls).problem
    assert "encoding" in problem_for(problems, undecodable).problem
    assert "no .txt, .html, .htm or corpus files" in problem_for(problems, no_articles).problem
    assert "no such file" in problem_for(problems, missing).problem
    assert ".pdf" in problem_for(problems, pdf).problem
    assert len(problems) == 8

    text = by_id(articles)["wes"].text
    assert text.startswith("Café owners") and "strikes’ toll" in text
    warned = [r.getMessage() for r in caplog.records if "western.txt" in r.getMessage()]
    assert any("cp1252" in message for message in warned)


def test_utf8_bom_and_crlf_are_read_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfJets over Idlib\r\n\r\n" + ARTICLE.encode().replace(b"\n",
                                                                                      b"\r\n"))
    (article,), problems = load_articles([path])
    assert problems == []
    assert article.title == "Jets over Idlib"
    assert "\ufeff" not in article.text and "\r" not in article.text
    start, end = article.body[0]
    assert article.text[start:end].startswith("Jets over Idlib")
    assert article.text[start:end].endswith("the defence ministry said.")


def test_utf16_with_bom_is_text_not_binary(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes(("Jets over Idlib\n" + ARTICLE).encode("utf-16"))
    (article,), problems = load_articles([path])
    assert problems == [] and article.title == "Jets over Idlib"


def test_oversized_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:  # sparse: 11 MB on paper, nothing on disk
        handle.truncate(11_000_000)
    small = tmp_path / "small.txt"
    small.write_text(ARTICLE, encoding="utf-8")
    real_open = Path.open

    def guarded_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        assert self.name != "big.txt", "the oversized file was opened"
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", guarded_open)
    articles, problems = load_articles([big, small])
    assert [a.doc_id for a in articles] == ["small"]
    assert "11.0 MB" in problem_for(problems, big).problem


def test_custom_byte_limit(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE * 20, encoding="utf-8")
    _, problems = load_articles([path], limits=ReadLimits(max_bytes=1_000))
    assert "limit" in problem_for(problems, path).problem


def test_a_3mb_single_line_is_refused_quickly(tmp_path: Path) -> None:
    line = tmp_path / "line.txt"
    line.write_text("Aleppo " * 430_000, encoding="utf-8")  # about 3 MB, no newline
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    began = time.perf_counter()
    articles, problems = load_articles([line, good])
    assert time.perf_counter() - began < 5
    assert [a.doc_id for a in articles] == ["good"]
    assert "3,010,000 characters" in problem_for(problems, line).problem


def test_a_long_line_under_the_limit_is_processed(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text(ARTICLE.strip() * 500, encoding="utf-8")  # ~70,000 characters
    (article,), problems = load_articles([path])
    assert problems == [] and article.body == ((0, len(article.text)),)


def test_folders_are_read_recursively_and_sorted(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    for name in ("b/2.txt", "a/deep/1.htm", "a/0.TXT", "z.txt", ".hidden/x.txt", "notes.md"):
        html = f"<html><body><p>{ARTICLE}</p></body></html>"
        text = html if name.endswith(".htm") else ARTICLE
        (tmp_path / name).write_text(text, encoding="utf-8")
    articles, problems = load_articles([tmp_path, tmp_path / "z.txt"])  # z named twice
    assert problems == []
    assert [a.doc_id for a in articles] == ["0", "1", "2", "z"]


def test_file_limit_and_duplicate_ids(tmp_path: Path) -> None:
    for name in ("one/a.txt", "two/a.txt", "two/b.txt", "two/c.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(ARTICLE, encoding="utf-8")
    articles, problems = load_articles([tmp_path], limits=ReadLimits(max_files=3))
    assert [a.path for a in articles] == [str(tmp_path / "one/a.txt"), str(tmp_path / "two/b.txt")]
    assert "already used" in problem_for(problems, tmp_path / "two/a.txt").problem
    assert "more than 3" in problem_for(problems, tmp_path).problem


def test_a_lone_string_path_is_not_split_into_characters() -> None:
    articles, problems = load_articles(str(SEEDS))
    assert len(articles) == 5 and problems == []


HTML = """<!DOCTYPE html><html><head>
<title>Russian bombers fly from Iran | Example News</title>
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2016-08-16T10:00:00Z">
<script>var city = "Kabul"; document.write("<p>Lisbon</p>");</script>
<style>.lead { color: red }</style>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">Paris news</a></li></ul></nav>
<article>
<h1>Russian bombers fly from Iran</h1>
<p>Russian long-range bombers took off from the Hamedan air base in western Iran on Tuesday
and struck targets near Aleppo in northern Syria, the Russian defence ministry said.</p>
</article>
<section id="comments" class="comments"><h3>Comments</h3>
<div class="comment"><p>I live in Oslo and I think this is outrageous, wrote a reader who
posted a long comment under the article.</p></div></section>
<footer><p>Copyright 2016 Example News, 1 Main Street, Toronto. All rights reserved.</p></footer>
</body></html>"""


def test_html_yields_the_article_paragraph_only(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    (article,), problems = load_articles([path])
    assert problems == []
    assert "struck targets near Aleppo in northern Syria" in article.text
    for leaked in ("Kabul", "Lisbon", "Paris", "Oslo", "Toronto", "<", "color"):
        assert leaked not in article.text
    assert article.title == "Russian bombers fly from Iran"
    assert article.source == "Example News"
    assert article.published == dt.date(2016, 8, 16)
    at = article.text.index("Hamedan")
    assert any(s <= at < e for s, e in article.body)


def test_html_saved_as_txt_is_extracted(tmp_path: Path) -> None:
    path = tmp_path / "saved.txt"
    path.write_text(HTML, encoding="utf-8")
    (article,), _ = load_articles([path])
    assert "Kabul" not in article.text and "Hamedan" in article.text


def test_html_with_no_article_text_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><head><script>alert(1)</script></head><body></body></html>",
                    encoding="utf-8")
    _, problems = load_articles([path])
    assert "no article text" in problem_for(problems, path).problem


def test_manifest_facts_beat_html_metadata(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(HTML, encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("file,source,title,published,url\n"
                                           "page.html,The Wire,,2016-08-17,\n", encoding="utf-8")
    (article,), problems = load_articles([tmp_path])
    assert problems == []
    assert (article.source, article.title, article.published) == (
        "The Wire", "Russian bombers fly from Iran", dt.date(2016, 8, 17))


@pytest.mark.parametrize(("name", "doc_id"), [
    ("../../etc/passwd.txt", "passwd"),
    ("..\\..\\windows\\win.ini.txt", "win.ini"),
    ("/abs/path/report.html", "report"),
    ("../..", "upload"),
    ("..txt", "upload"),
    ("we ird;name$.txt", "we_ird_name"),
    ("nul\x00byte.txt", "nulbyte"),
])
def test_upload_names_are_sanitised(name: str, doc_id: str) -> None:
    assert safe_doc_id(name) == doc_id
    assert "/" not in doc_id and "\\" not in doc_id and ".." not in doc_id


def test_article_from_bytes_reads_an_upload() -> None:
    article = article_from_bytes("../../etc/passwd.txt", ("Jets over Idlib\n\n" + ARTICLE).encode(),
                                 source="Wire", published=dt.date(2016, 8, 16))
    assert isinstance(article, Article)
    assert (article.doc_id, article.path, article.source) == ("passwd", "", "Wire")
    assert (article.title, article.published) == ("Jets over Idlib", dt.date(2016, 8, 16))


def test_article_from_bytes_reads_html_uploads() -> None:
    article = article_from_bytes("page.HTM", HTML.encode())
    assert isinstance(article, Article) and "Kabul" not in article.text
    assert article.source == "Example News"


@pytest.mark.parametrize(("name", "data", "words"), [
    ("notes.pdf", b"%PDF", "unsupported"),
    ("noext", b"text", "unsupported"),
    ("empty.txt", b"", "empty"),
    ("bin.txt", b"\x00\x01\x02" * 100, "binary"),
    ("big.txt", b"a" * 2_000, "limit"),
])
def test_article_from_bytes_refuses_bad_uploads(name: str, data: bytes, words: str) -> None:
    problem = article_from_bytes(name, data, limits=ReadLimits(max_bytes=1_000))
    assert isinstance(problem, LoadProblem)
    assert words in problem.problem
    assert "/" not in problem.path
