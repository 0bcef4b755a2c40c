"""Tests for geo.evaluate: corpus readers, span matching and the scoring protocol.

The synthetic corpora are invented here; the real dev corpora are read from
``../shared/gold/`` (never copied into the project) and those tests skip without it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from lxml import etree

from geo.evaluate import (
    MAX_ERROR_KM,
    GoldDoc,
    GoldToponym,
    Judged,
    Prediction,
    auc,
    evaluate_corpus,
    expected_calibration_error,
    format_errors,
    format_reliability,
    match_spans,
    read_corpus,
    reliability,
    score_documents,
)

GOLD_DIR = Path(__file__).resolve().parents[2] / "shared" / "gold"
# One degree of longitude along the WGS84 equator: 6378.137 km * pi / 180.
DEGREE_KM = 6378.137 * math.pi / 180

Parse = Callable[[Sequence[GoldDoc]], Sequence[Sequence[Prediction]]]
# An annotation to write: (phrase, occurrence of the phrase in the text, lat, lon, type).
Ann = tuple[str, int, float | None, float | None, str]


def span(text: str, phrase: str, nth: int = 0) -> tuple[int, int]:
    """The offsets of the nth occurrence of phrase in text."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(phrase, at + 1)
    return at, at + len(phrase)


def sub(parent: etree._Element, tag: str, text: object = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = str(text)
    return child


def write_gaztag(
    path: Path,
    docs: Sequence[tuple[str, str, Sequence[Ann]]],
    shifts: dict[str, tuple[int, int]] | None = None,
) -> Path:
    """LGL / TR-News layout; type "" means no <gaztag>. shifts moves a phrase's offsets."""
    root = etree.Element("articles")
    for doc_id, text, anns in docs:
        art = sub(root, "article")
        art.set("docid", doc_id)
        sub(art, "title", "t")
        sub(art, "text").text = etree.CDATA(text)
        tops = sub(art, "toponyms")
        for phrase, nth, lat, lon, kind in anns:
            start, end = span(text, phrase, nth)
            d_start, d_end = (shifts or {}).get(phrase, (0, 0))
            top = sub(tops, "toponym")
            sub(top, "start", start + d_start)
            sub(top, "end", end + d_end)
            sub(top, "phrase", phrase)
            if kind:
                gaz = sub(top, "gaztag")
                gaz.set("geonameid", "1")
                sub(gaz, "name", phrase)
                sub(gaz, "lat", lat)
                sub(gaz, "lon", lon)
    etree.ElementTree(root).write(str(path), encoding="utf-8", xml_declaration=True)
    return path


def write_geovirus(path: Path, docs: Sequence[tuple[str, str, Sequence[Ann]]]) -> Path:
    """GeoVirus layout, with its offsets one too far as in the real corpus."""
    root = etree.Element("articles")
    for _doc_id, text, anns in docs:
        art = sub(root, "article")
        sub(art, "source", "https://example.org/x")
        sub(art, "text", text)
        locs = sub(art, "locations")
        for phrase, nth, lat, lon, _kind in anns:
            start, end = span(text, phrase, nth)
            loc = sub(locs, "location")
            sub(loc, "name", phrase)
            sub(loc, "start", start + 1)
            sub(loc, "end", end + 1)
            sub(loc, "lat", lat)
            sub(loc, "lon", lon)
            sub(loc, "page", "https://example.org/wiki/x")
    etree.ElementTree(root).write(str(path), encoding="utf-8", xml_declaration=True)
    return path


def write_gwn(path: Path, docs: Sequence[tuple[str, str, Sequence[Ann]]]) -> Path:
    """GeoWebNews layout; annotations without coordinates have no latitude elements."""
    root = etree.Element("articles")
    for doc_id, text, anns in docs:
        art = sub(root, "article")
        art.set("file", doc_id)
        sub(art, "title", "t")
        sub(art, "text", text)
        tops = sub(art, "toponyms")
        for phrase, nth, lat, lon, kind in anns:
            start, end = span(text, phrase, nth)
            top = sub(tops, "toponym")
            sub(top, "extractedName", phrase)
            sub(top, "type", kind)
            sub(top, "start", start)
            sub(top, "end", end)
            if lat is not None:
                sub(top, "geonamesID")
                sub(top, "latitude", lat)
                sub(top, "longitude", lon)
    etree.ElementTree(root).write(str(path), encoding="utf-8", xml_declaration=True)
    return path


def gold_parser(docs: Sequence[GoldDoc]) -> Parse:
    """A 'perfect parser' that returns each document's gold toponyms."""
    by_text = {d.text: d for d in docs}

    def parse(batch: Sequence[GoldDoc]) -> list[list[Prediction]]:
        return [
            [Prediction(g.start, g.end, g.lat, g.lon, g.phrase) for g in by_text[d.text].gold]
            for d in batch
        ]

    return parse


def const_parser(preds: dict[str, list[Prediction]]) -> Parse:
    """A parser that returns fixed predictions per text."""

    def parse(batch: Sequence[GoldDoc]) -> list[list[Prediction]]:
        return [preds.get(d.text, []) for d in batch]

    return parse


def pred(text: str, phrase: str, lat: float | None, lon: float | None, nth: int = 0) -> Prediction:
    return Prediction(*span(text, phrase, nth), lat, lon, phrase)


# --- readers ---------------------------------------------------------------------------

TEXT = "Rain fell on Amberton and Bexley. Amberton closed its schools."
ANNS: list[Ann] = [
    ("Amberton", 0, 10.0, 20.0, "Literal"),
    ("Bexley", 0, 11.0, 21.0, "Literal"),
    ("Amberton", 1, 10.0, 20.0, "Literal"),
]


@pytest.mark.parametrize("writer", [write_gaztag, write_geovirus, write_gwn])
def test_each_format_reads_the_same_annotations(
    tmp_path: Path, writer: Callable[[Path, list[tuple[str, str, list[Ann]]]], Path]
) -> None:
    docs = read_corpus(writer(tmp_path / "c.xml", [("7", TEXT, ANNS)]))
    assert len(docs) == 1 and docs[0].text == TEXT
    got = [(t.start, t.end, t.phrase, t.lat, t.lon, t.scored) for t in docs[0].toponyms]
    assert got == [
        (13, 21, "Amberton", 10.0, 20.0, True),
        (26, 32, "Bexley", 11.0, 21.0, True),
        (34, 42, "Amberton", 10.0, 20.0, True),
    ]


def test_geovirus_offsets_are_shifted_back(tmp_path: Path) -> None:
    path = write_geovirus(tmp_path / "GeoVirus.xml", [("0", TEXT, ANNS)])
    assert b"<start>14</start>" in path.read_bytes()  # written one too far, as the corpus
    doc = read_corpus(path)[0]
    assert all(doc.text[t.start : t.end] == t.phrase for t in doc.toponyms)
    assert doc.doc_id == "0"  # GeoVirus has no ids: the ordinal stands in


def test_trnews_offsets_snap_to_nearest_occurrence(tmp_path: Path) -> None:
    text = "Kerbala. Troops left Kerbala for Dorvan, then Kerbala again."
    anns: list[Ann] = [("Kerbala", 1, 1.0, 2.0, "toponym"), ("Dorvan", 0, 3.0, 4.0, "toponym")]
    # "Kerbala" (2nd) written 3 characters late; "Dorvan" with a start right but end 2 off.
    path = write_gaztag(
        tmp_path / "TR-News.xml", [("1", text, anns)], shifts={"Kerbala": (3, 3), "Dorvan": (0, 2)}
    )
    toponyms = read_corpus(path)[0].toponyms
    assert [(t.start, t.end) for t in toponyms] == [span(text, "Kerbala", 1), span(text, "Dorvan")]


def test_gaztag_without_gazetteer_is_ignored_not_gold(tmp_path: Path) -> None:
    text = "Fog over Calder and Winsby."
    anns: list[Ann] = [("Calder", 0, 5.0, 5.0, "toponym"), ("Winsby", 0, None, None, "")]
    toponyms = read_corpus(write_gaztag(tmp_path / "lgl.xml", [("1", text, anns)]))[0].toponyms
    assert [(t.phrase, t.scored, t.ignored, t.kind) for t in toponyms] == [
        ("Calder", True, False, "toponym"),
        ("Winsby", False, True, "no_gazetteer"),
    ]


def test_unknown_xml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text("<articles><article><text>hi</text></article></articles>")
    with pytest.raises(ValueError, match="Not a known gold corpus"):
        read_corpus(path)


# --- matching and formulas ---------------------------------------------------------------


def test_matching_is_one_to_one_largest_overlap_first() -> None:
    text = "North Dale Springs Hill"
    g1 = GoldToponym(*span(text, "North Dale"), "North Dale", 0.0, 0.0, True, "toponym")
    g2 = GoldToponym(*span(text, "Springs Hill"), "Springs Hill", 0.0, 0.0, True, "toponym")
    p1 = pred(text, "Dale Springs", 0.0, 0.0)  # overlaps g1 by 4, g2 by 7
    p2 = pred(text, "Springs Hill", 0.0, 0.0)  # overlaps g2 by 12
    # Taking each prediction's best gold in turn would give p1-g2 and leave p2 unmatched.
    assert sorted(match_spans([p1, p2], [g1, g2])) == [(0, 0), (1, 1)]


def test_matching_ties_prefer_the_closest_span() -> None:
    text = "North Dale Springs Hill"
    g = GoldToponym(*span(text, "Springs"), "Springs", 0.0, 0.0, True, "toponym")
    wide = pred(text, "Dale Springs", 0.0, 0.0)  # overlaps by 7, as does the exact one
    exact = pred(text, "Springs", 0.0, 0.0)
    assert match_spans([wide, exact], [g]) == [(1, 0)]
    assert match_spans([pred(text, "North", 0, 0)], [g]) == []


def test_auc_on_known_errors() -> None:
    # ln(1+km) heights 0, 1, 2: trapezoids 0.5 + 1.5 = 2, over 2 intervals -> 1 / ln(20039).
    assert auc([math.e**2 - 1, 0.0, math.e - 1]) == pytest.approx(1 / math.log(20039))
    assert auc([0.0, 0.0]) == 0.0
    assert auc([MAX_ERROR_KM, MAX_ERROR_KM]) == pytest.approx(math.log1p(20039) / math.log(20039))
    assert auc([0.0]) == 0.0
    assert auc([]) is None


# --- scoring ---------------------------------------------------------------------------

SCORE_TEXT = (
    "Amberton, Bexley, Cordale, Dunmore and Eastwick met. Glenrock residents spoke of Fairview."
)


def test_scores_and_f1_at_161(tmp_path: Path) -> None:
    t = SCORE_TEXT
    anns: list[Ann] = [
        ("Amberton", 0, 0.0, 0.0, "toponym"),
        ("Bexley", 0, 0.0, 0.0, "toponym"),
        ("Cordale", 0, 0.0, 0.0, "toponym"),
        ("Dunmore", 0, 0.0, 0.0, "toponym"),
        ("Eastwick", 0, 0.0, 0.0, "toponym"),
        ("Glenrock", 0, None, None, ""),  # no gazetteer tag: ignored
    ]
    path = write_gaztag(tmp_path / "lgl.xml", [("d1", t, anns)])
    preds = [
        pred(t, "Amberton", 0.0, 0.0),  # 0 km
        pred(t, "Bexley", 0.0, 1.0),  # 111.3 km: within 161
        pred(t, "Cordale", 0.0, 2.0),  # 222.6 km: far
        # Dunmore missed
        Prediction(*span(t, "Eastwick"), None, None, "Eastwick"),  # unresolved: 20039 km
        pred(t, "Glenrock", 1.0, 1.0),  # only an ignored annotation: neither way
        pred(t, "Fairview", 1.0, 1.0),  # not annotated: false positive
    ]
    result = evaluate_corpus(path, const_parser({t: preds}))
    s = result.scores
    assert (s.corpus, s.documents, s.gold, s.predicted) == ("lgl", 1, 5, 6)
    assert (s.tp, s.fp, s.fn, s.ignored, s.tp_161) == (4, 1, 1, 1, 2)
    assert (s.precision, s.recall, s.f1) == pytest.approx((0.8, 0.8, 0.8))
    kms = [0.0, DEGREE_KM, 2 * DEGREE_KM, MAX_ERROR_KM]
    assert s.a161 == 0.5
    assert s.mean_km == pytest.approx(sum(kms) / 4, rel=1e-6)
    assert s.median_km == pytest.approx(1.5 * DEGREE_KM, rel=1e-6)
    assert s.auc == pytest.approx(auc(kms), rel=1e-6)
    # Two far pairs become 2 FP + 2 FN: P = 2/5, R = 2/5.
    assert s.f1_161 == pytest.approx(0.4)

    assert [(e.kind, e.text) for e in result.errors] == [
        ("far", "Cordale"),
        ("miss", "Dunmore"),
        ("far", "Eastwick"),
        ("false_positive", "Fairview"),
    ]
    assert result.errors[0].km == pytest.approx(2 * DEGREE_KM, rel=1e-6)
    assert result.errors[2].km == MAX_ERROR_KM

    d = s.as_dict()
    json.dumps(d)
    assert d["mean_km"] == round(sum(kms) / 4, 1) and d["f1_161"] == 0.4

    lines = format_errors(result.errors, limit=2).splitlines()
    assert lines[0] == "4 errors: 1 missed, 1 false positives, 2 over 161 km"
    assert lines[1].startswith("FAR") and "'Cordale'" in lines[1] and "223 km off" in lines[1]
    assert "«Cordale»" in lines[2]
    assert lines[3].startswith("MISS") and "'Dunmore'" in lines[3]
    assert lines[-1] == "... and 2 more"
    assert len(format_errors(result.errors).splitlines()) == 1 + 2 * 4


def test_gwn_types_ignore_rules(tmp_path: Path) -> None:
    t = "Halvish troops left Oster Town for Marrow. Marrow Ltd denied it. Lumen Inn opened."
    anns: list[Ann] = [
        ("Halvish", 0, None, None, "Demonym"),  # ignored
        ("Oster Town", 0, 1.0, 1.0, "Literal"),
        ("Marrow", 0, 2.0, 2.0, "Metonymic"),
        ("Marrow Ltd", 0, None, None, "Non_Toponym"),  # not gold, not ignored
        ("troops", 0, None, None, "Literal_Expression"),
        ("Lumen Inn", 0, 3.0, 3.0, "Coercion"),  # same span twice, as GWN does
        ("Lumen Inn", 0, None, None, "Non_Toponym"),
    ]
    path = write_gwn(tmp_path / "GWN.xml", [("5", t, anns)])
    doc = read_corpus(path)[0]
    assert [g.phrase for g in doc.gold] == ["Oster Town", "Marrow", "Lumen Inn"]
    assert [a.phrase for a in doc.toponyms if a.ignored] == ["Halvish"]
    preds = [
        pred(t, "Halvish", 4.0, 4.0),  # ignored
        pred(t, "Halvish troops", 4.0, 4.0),  # overlaps a Demonym and an expression: FP
        pred(t, "Oster Town", 1.0, 1.0),
        pred(t, "Oster", 1.0, 1.0),  # gold already taken by the exact span: FP
        pred(t, "Marrow Ltd", 2.0, 2.0),  # Non_Toponym: FP
        pred(t, "Lumen Inn", 3.0, 3.0),
    ]
    s = evaluate_corpus(path, const_parser({t: preds})).scores
    assert (s.gold, s.predicted, s.tp, s.fp, s.fn, s.ignored) == (3, 6, 2, 3, 1, 1)
    assert s.a161 == 1.0 and s.f1_161 == s.f1 == pytest.approx(2 * 0.4 * (2 / 3) / (0.4 + 2 / 3))


def test_prediction_overlapping_ignored_and_taken_gold_is_a_false_positive() -> None:
    text = "Welsford Harbour"
    doc = GoldDoc(
        "1",
        text,
        (
            GoldToponym(0, 8, "Welsford", None, None, False, "no_gazetteer"),
            GoldToponym(0, 16, "Welsford Harbour", 1.0, 1.0, True, "toponym"),
        ),
    )
    preds = [Prediction(0, 16, 1.0, 1.0), Prediction(0, 8, 1.0, 1.0)]
    s = score_documents("x", [doc], [preds]).scores
    assert (s.tp, s.fp, s.ignored) == (1, 1, 0)


def test_empty_run_scores_zero_without_dividing_by_zero() -> None:
    doc = GoldDoc("1", "Nowhere.", ())
    s = score_documents("x", [doc], [[]]).scores
    assert (s.precision, s.recall, s.f1, s.f1_161) == (0.0, 0.0, 0.0, 0.0)
    assert s.a161 is None and s.auc is None and s.mean_km is None
    assert json.loads(json.dumps(s.as_dict()))["a161"] is None


def test_evaluate_corpus_batches_and_limit(tmp_path: Path) -> None:
    docs = [
        (str(i), f"Town{i} is quiet.", [(f"Town{i}", 0, 1.0, 1.0, "toponym")]) for i in range(5)
    ]
    path = write_gaztag(tmp_path / "lgl.xml", docs)
    gold = read_corpus(path)
    batches: list[int] = []
    perfect = gold_parser(gold)

    def parse(batch: Sequence[GoldDoc]) -> Sequence[Sequence[Prediction]]:
        batches.append(len(batch))
        return perfect(batch)

    s = evaluate_corpus(path, parse, limit=4, batch_size=3).scores
    assert batches == [3, 1]
    assert (s.documents, s.gold, s.tp, s.f1, s.a161) == (4, 4, 4, 1.0, 1.0)
    assert s.seconds >= 0 and s.docs_per_second >= 0

    with pytest.raises(ValueError, match="2 results for 3 documents"):
        evaluate_corpus(path, lambda batch: [[], []], batch_size=3)


# --- the real development corpora --------------------------------------------------------

REAL = [
    ("lgl.xml", 588, 4462),
    ("GeoVirus.xml", 229, 2170),
    ("TR-News.xml", 59, 683),
    ("GWN.xml", 100, 1380),
]


@pytest.mark.gold
@pytest.mark.parametrize(("name", "n_docs", "n_gold"), REAL)
def test_real_corpus_counts_and_perfect_parser(name: str, n_docs: int, n_gold: int) -> None:
    path = GOLD_DIR / name
    if not path.exists():
        pytest.skip(f"gold corpus {path} absent (it lives in ../shared/gold/, outside the repo)")
    docs = read_corpus(path)
    assert len(docs) == n_docs
    assert sum(len(d.gold) for d in docs) == n_gold
    # After the GeoVirus shift and the TR-News repair every span holds its phrase.
    assert all(d.text[t.start : t.end] == t.phrase for d in docs for t in d.toponyms)
    s = evaluate_corpus(path, gold_parser(docs)).scores
    assert (s.documents, s.gold, s.tp, s.fp, s.fn) == (n_docs, n_gold, n_gold, 0, 0)
    assert s.f1 == 1.0 and s.a161 == 1.0 and s.f1_161 == 1.0 and s.mean_km == 0.0


def test_far_country_points_count_the_right_country_at_another_point() -> None:
    text = "Canada and Canada and Canada."
    # A gold point in Alberta (GeoNames' point for Canada lies there).
    gold = tuple(GoldToponym(at, at + 6, "Canada", 60.1, -113.6, True, "toponym")
                 for at in (0, 11, 22))
    doc = GoldDoc("1", text, gold)
    preds = [
        Prediction(0, 6, 60.0, -95.0, "Canada", country="CA"),   # right country, far: counted
        Prediction(11, 17, 39.8, -98.6, "Canada", country="US"),  # wrong country: not counted
        Prediction(22, 28, 60.0, -95.0, "Canada"),                # not placed as a country
    ]
    s = score_documents("x", [doc], [preds]).scores
    assert (s.tp, s.tp_161, s.far_country_points) == (3, 0, 1)
    assert s.as_dict()["far_country_points"] == 1


def test_recall_161_is_the_share_of_all_gold_placed_within_161_km() -> None:
    text = "Ashby and Brockton and Carver and Dunmore"
    gold = tuple(GoldToponym(*span(text, name), name, 0.0, 0.0, True, "toponym")
                 for name in ("Ashby", "Brockton", "Carver", "Dunmore"))
    doc = GoldDoc("d", text, gold)
    # Two of four found: one on the spot, one 5 degrees off.
    preds = [Prediction(*span(text, "Ashby"), 0.0, 0.0, confidence=0.9),
             Prediction(*span(text, "Brockton"), 0.0, 5.0, confidence=0.2)]
    result = score_documents("c", [doc], [preds])
    s = result.scores
    assert s.a161 == pytest.approx(0.5) and s.recall == pytest.approx(0.5)
    assert s.recall_161 == pytest.approx(0.25)
    assert s.as_dict()["recall_161"] == 0.25
    assert sorted(result.judged, key=lambda j: j.confidence) == [Judged(0.2, False),
                                                                  Judged(0.9, True)]


def test_pairs_without_a_stated_confidence_are_not_judged() -> None:
    text = "Ashby"
    doc = GoldDoc("d", text, (GoldToponym(0, 5, "Ashby", 0.0, 0.0, True, "toponym"),))
    assert score_documents("c", [doc], [[Prediction(0, 5, 0.0, 0.0)]]).judged == []


def test_reliability_bins_confidence_against_share_correct() -> None:
    judged = ([Judged(0.95, True)] * 9 + [Judged(0.92, False)]
              + [Judged(0.15, True)] + [Judged(0.1, False)] * 3 + [Judged(1.0, True)])
    table = reliability(judged)
    assert [(b.low, b.pairs) for b in table] == [(0.1, 4), (0.9, 11)]
    assert table[0].share_correct == pytest.approx(0.25)
    assert table[0].mean_confidence == pytest.approx(0.1125)
    assert table[1].share_correct == pytest.approx(10 / 11)
    gap = (4 * abs(0.1125 - 0.25) + 11 * abs(table[1].mean_confidence - 10 / 11)) / 15
    assert expected_calibration_error(table) == pytest.approx(gap)
    text = format_reliability(table, "test")
    assert text.splitlines()[0].startswith("reliability test: confidence vs share within 161")
    assert "0.9-1.0" in text and "expected calibration error" in text
    assert expected_calibration_error([]) == 0.0
