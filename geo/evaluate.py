"""Score a geoparser against the public gold corpora (LGL, GeoVirus, TR-News, GeoWebNews).

The protocol is the one in ``../shared/gold/README.md``:

* Gold is every annotated toponym that has coordinates (``GoldToponym.scored``).
* Ignored are GWN ``Demonym`` annotations (none has coordinates) and LGL/TR-News toponyms
  without a ``<gaztag>``: an unmatched prediction whose overlapped annotations are all ignored
  ones counts neither way. Every other annotation without coordinates (GWN ``Homonym``,
  ``Language``, ``Non_Toponym``, ``*_Expression`` and the few ``Coercion`` without
  coordinates) is read, kept with ``scored=False``, and gives no protection: predicting it is
  a false positive, and so is a prediction that overlaps it as well as an ignored one.
* A prediction matches a gold toponym when their character spans overlap, one to one, the
  pairs with the largest overlap first (ties: the pair whose spans differ least, then text
  order). Unmatched predictions are false positives, unmatched gold toponyms misses.
* Resolution is measured over the matched pairs: A@161, mean and median error, and AUC as
  Gritta et al. 2018. Distances are geodesics on the WGS84 ellipsoid (geographiclib). A
  matched prediction without coordinates counts as an error of 20,039 km, the largest
  possible, so a parser cannot improve its resolution scores by declining to resolve.
* End to end F1@161: a matched pair more than 161 km off is one false positive and one miss.

Ratios with a zero denominator are 0.0 (precision with no predictions, say); resolution
figures with no matched pair are ``None``.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from geographiclib.geodesic import Geodesic
from lxml import etree

logger = logging.getLogger(__name__)

# Half the Earth's circumference: the worst error, and the AUC's normaliser (Gritta et al.).
MAX_ERROR_KM = 20039.0
# 100 miles, the customary "accurate" radius.
ACCURATE_KM = 161.0

CorpusFormat = Literal["gaztag", "geovirus", "gwn"]
ErrorKind = Literal["miss", "false_positive", "far"]

# Annotation kinds that a prediction may hit without penalty (see module docstring).
IGNORED_KINDS = frozenset({"Demonym", "no_gazetteer"})

_CONTEXT_CHARS = 40


@dataclass(frozen=True)
class GoldToponym:
    """One annotation of a gold corpus; ``text[start:end] == phrase`` after offset repair.

    ``scored`` is True for gold toponyms (those with coordinates). ``kind`` is the GWN type,
    ``"toponym"`` or ``"no_gazetteer"`` for LGL/TR-News, ``"location"`` for GeoVirus.
    """

    start: int
    end: int
    phrase: str
    lat: float | None
    lon: float | None
    scored: bool
    kind: str

    @property
    def ignored(self) -> bool:
        """Whether a prediction overlapping only this annotation counts neither way."""
        return not self.scored and self.kind in IGNORED_KINDS


@dataclass(frozen=True)
class GoldDoc:
    """One article of a gold corpus with all its annotations, sorted by position."""

    doc_id: str
    text: str
    toponyms: tuple[GoldToponym, ...]
    # The article's web address where the corpus gives one (the outlet is a prior).
    url: str = ""

    @property
    def gold(self) -> tuple[GoldToponym, ...]:
        """The annotations that are scored."""
        return tuple(t for t in self.toponyms if t.scored)


@dataclass(frozen=True)
class Prediction:
    """A place the parser found: a character span and where it put it (None: unresolved)."""

    start: int
    end: int
    lat: float | None
    lon: float | None
    name: str = ""
    # ISO alpha-2 code when the parser placed the name at a whole country (a diagnostic:
    # see ``Scores.far_country_points``).
    country: str = ""
    # How sure the parser is (0..1), for the reliability table; None where it says not.
    confidence: float | None = None


@dataclass(frozen=True)
class ErrorItem:
    """One scoring error, for an ``--errors`` listing.

    ``miss`` and ``far`` carry the gold span, ``false_positive`` the predicted one. ``name``
    is what the parser called the place (its ``Prediction.name``), if anything.
    """

    kind: ErrorKind
    doc_id: str
    start: int
    end: int
    text: str
    context: str
    pred_lat: float | None = None
    pred_lon: float | None = None
    gold_lat: float | None = None
    gold_lon: float | None = None
    km: float | None = None
    name: str = ""


@dataclass(frozen=True)
class Scores:
    """The figures of one corpus run.

    ``predicted`` is everything the parser returned: ``tp + fp + ignored``. ``seconds`` is
    the time spent inside the parser only, not reading XML or scoring.
    ``far_country_points`` is a diagnostic beside the protocol, which it does not change:
    corpora place countries at GeoNames' points (Canada at 60.1 N 113.6 W), a parser with
    other centres is "far" on the right country.
    """

    corpus: str
    documents: int
    gold: int
    predicted: int
    ignored: int
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    tp_161: int
    a161: float | None
    mean_km: float | None
    median_km: float | None
    auc: float | None
    f1_161: float
    # Share of all gold toponyms found and placed within 161 km (recall x A@161): unlike
    # A@161 alone, it does not reward finding less.
    recall_161: float
    seconds: float
    docs_per_second: float
    # Far-off pairs that name the right country at another convention's point: the parser
    # placed a whole country whose Natural Earth outline holds the gold point.
    far_country_points: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The scores for JSON: ratios to 4 decimals, kilometres to 1, timings to 2."""
        ratios = {"precision", "recall", "f1", "a161", "auc", "f1_161", "recall_161"}
        kms = {"mean_km", "median_km"}
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, float):
                digits = 4 if name in ratios else 1 if name in kms else 2
                value = round(value, digits)
            out[name] = value
        return out


@dataclass(frozen=True)
class Judged:
    """One matched pair's stated confidence and whether it lay within 161 km."""

    confidence: float
    correct: bool


@dataclass(frozen=True)
class EvaluationResult:
    """Scores of a corpus run and the errors behind them, in document order.

    ``judged`` lists the matched pairs whose prediction stated a confidence, for the
    reliability table (``reliability``).
    """

    scores: Scores
    errors: list[ErrorItem] = field(default_factory=list)
    judged: list[Judged] = field(default_factory=list)


# --- reading the corpora ---------------------------------------------------------------


def _number(value: str | None) -> float | None:
    """A coordinate from annotation text; empty or unparseable means none."""
    if value is None or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        logger.warning("unreadable coordinate %r taken as missing", value)
        return None
    return number if math.isfinite(number) else None


def detect_format(root: Any) -> CorpusFormat:
    """Tell the corpus format from the first annotation of a parsed ``<articles>`` tree."""
    if root.find("article/locations/location") is not None:
        return "geovirus"
    if root.find("article/toponyms/toponym/extractedName") is not None:
        return "gwn"
    if root.find("article/toponyms/toponym/phrase") is not None:
        return "gaztag"
    raise ValueError(
        f"Not a known gold corpus: expected <article> elements with <locations> (GeoVirus) "
        f"or <toponyms> (LGL, TR-News, GWN), root is <{root.tag}>."
    )


def _offset(element: Any, tag: str, doc_id: str) -> int:
    """A character offset of an annotation, or a ValueError that says where it is wrong."""
    value = element.findtext(tag)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"Article {doc_id}: <{tag}> of an annotation is {value!r}.") from None


def _repair(text: str, start: int, end: int, phrase: str) -> tuple[int, int]:
    """Offsets that point at ``phrase``: the given ones, else its nearest occurrence.

    TR-News has offsets a few characters off; other corpora pass through untouched, but
    the check is cheap and protects every format the same way.
    """
    if text[start:end] == phrase or not phrase:
        return start, end
    found = [m.start() for m in re.finditer(re.escape(phrase), text)]
    if not found:
        logger.warning("phrase %r not found in its text; offsets %d-%d kept", phrase, start, end)
        return start, end
    nearest = min(found, key=lambda at: (abs(at - start), at))
    return nearest, nearest + len(phrase)


def _read_article(element: Any, fmt: CorpusFormat, ordinal: int) -> tuple[GoldDoc, int]:
    """One article and how many of its offsets had to be repaired."""
    text = element.findtext("text") or ""
    doc_id = element.get("docid") or element.get("file") or str(ordinal)
    toponyms: list[GoldToponym] = []
    repaired = 0
    if fmt == "geovirus":
        # iter, not iterfind: one GeoVirus <location> wrongly holds three others inside it.
        for loc in element.iter("location"):
            phrase = loc.findtext("name") or ""
            # GeoVirus offsets are one past the name (README).
            start, end = _offset(loc, "start", doc_id) - 1, _offset(loc, "end", doc_id) - 1
            lat, lon = _number(loc.findtext("lat")), _number(loc.findtext("lon"))
            fixed = _repair(text, start, end, phrase)
            repaired += fixed != (start, end)
            located = lat is not None and lon is not None
            toponyms.append(GoldToponym(*fixed, phrase, lat, lon, located, "location"))
    else:
        name_tag = "extractedName" if fmt == "gwn" else "phrase"
        for top in element.iter("toponym"):
            phrase = top.findtext(name_tag) or ""
            start, end = _offset(top, "start", doc_id), _offset(top, "end", doc_id)
            if fmt == "gwn":
                kind = (top.findtext("type") or "").strip()
                lat, lon = _number(top.findtext("latitude")), _number(top.findtext("longitude"))
            else:
                gaztag = top.find("gaztag")
                lat = _number(gaztag.findtext("lat")) if gaztag is not None else None
                lon = _number(gaztag.findtext("lon")) if gaztag is not None else None
                # A gaztag without coordinates (none in the dev data) is as unlocated as none.
                kind = "toponym" if lat is not None and lon is not None else "no_gazetteer"
            fixed = _repair(text, start, end, phrase)
            repaired += fixed != (start, end)
            located = lat is not None and lon is not None
            toponyms.append(GoldToponym(*fixed, phrase, lat, lon, located, kind))
    toponyms.sort(key=lambda t: (t.start, t.end, not t.scored))
    url = next((u.strip() for tag in ("url", "link", "domain", "source")
                if (u := element.findtext(tag)) and u.strip()), "")
    return GoldDoc(doc_id, text, tuple(toponyms), url), repaired


def read_corpus(path: Path, *, limit: int | None = None) -> list[GoldDoc]:
    """Read a gold corpus file of any of the four formats (told apart by its XML)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as err:
        raise ValueError(f"{path}: not well-formed XML: {err}") from err
    fmt = detect_format(root)
    docs: list[GoldDoc] = []
    repaired = 0
    for ordinal, element in enumerate(root.iterfind("article")):
        if limit is not None and ordinal >= limit:
            break
        doc, fixed = _read_article(element, fmt, ordinal)
        docs.append(doc)
        repaired += fixed
    logger.info(
        "%s: %s format, %d documents, %d gold toponyms, %d offsets repaired",
        path.name,
        fmt,
        len(docs),
        sum(len(d.gold) for d in docs),
        repaired,
    )
    return docs


# --- scoring ---------------------------------------------------------------------------


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def match_spans(
    predictions: Sequence[Prediction], gold: Sequence[GoldToponym]
) -> list[tuple[int, int]]:
    """Pair predictions with gold toponyms whose spans overlap, one to one, largest first.

    Returns ``(prediction index, gold index)`` pairs. Among equal overlaps the pair whose
    spans differ least wins, so a long prediction covering a short gold toponym leaves it
    to a prediction that fits it exactly.
    """
    candidates: list[tuple[int, int, int, int, int, int]] = []
    for i, p in enumerate(predictions):
        for j, g in enumerate(gold):
            shared = _overlap(p.start, p.end, g.start, g.end)
            if shared:
                union = max(p.end, g.end) - min(p.start, g.start)
                candidates.append((-shared, union - shared, p.start, g.start, i, j))
    candidates.sort()
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for *_, i, j in candidates:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


def _valid(lat: float | None, lon: float | None) -> bool:
    return (
        lat is not None
        and lon is not None
        and math.isfinite(lat)
        and math.isfinite(lon)
        and -90.0 <= lat <= 90.0
    )


def error_km(prediction: Prediction, gold: GoldToponym) -> float:
    """WGS84 geodesic distance in km; ``MAX_ERROR_KM`` when the prediction is unresolved."""
    if not _valid(prediction.lat, prediction.lon):
        if prediction.lat is not None or prediction.lon is not None:
            logger.warning("invalid coordinates %r scored as unresolved", prediction)
        return MAX_ERROR_KM
    assert gold.lat is not None and gold.lon is not None  # only scored gold is matched
    metres = Geodesic.WGS84.Inverse(gold.lat, gold.lon, prediction.lat, prediction.lon)["s12"]
    return min(float(metres) / 1000.0, MAX_ERROR_KM)


def auc(errors_km: Sequence[float]) -> float | None:
    """Area under the sorted ln(1 + km) errors, as Gritta et al. 2018 (lower is better).

    Trapezoids of unit width, divided by ln(20039) and by the number of pairs less one. A
    single error has no width to integrate over, so its own height is returned, which is
    the limit of the formula for equal errors.
    """
    if not errors_km:
        return None
    heights = [math.log1p(km) for km in sorted(errors_km)]
    if len(heights) == 1:
        return heights[0] / math.log(MAX_ERROR_KM)
    area = sum((a + b) / 2.0 for a, b in itertools.pairwise(heights))
    return area / math.log(MAX_ERROR_KM) / (len(heights) - 1)


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _context(text: str, start: int, end: int) -> str:
    """The span in its surroundings on one line, marked with guillemets."""
    before = text[max(0, start - _CONTEXT_CHARS) : start]
    after = text[end : end + _CONTEXT_CHARS]
    snippet = f"{before}«{text[start:end]}»{after}"
    return " ".join(snippet.split())


def _error(
    kind: ErrorKind,
    doc: GoldDoc,
    start: int,
    end: int,
    p: Prediction | None,
    g: GoldToponym | None,
    km: float | None = None,
) -> ErrorItem:
    return ErrorItem(
        kind=kind,
        doc_id=doc.doc_id,
        start=start,
        end=end,
        text=doc.text[start:end],
        context=_context(doc.text, start, end),
        pred_lat=p.lat if p else None,
        pred_lon=p.lon if p else None,
        gold_lat=g.lat if g else None,
        gold_lon=g.lon if g else None,
        km=km,
        name=p.name if p else "",
    )


def score_documents(
    corpus: str,
    docs: Sequence[GoldDoc],
    predictions: Sequence[Sequence[Prediction]],
    *,
    seconds: float = 0.0,
) -> EvaluationResult:
    """Score per-document predictions against the gold documents by the protocol."""
    if len(docs) != len(predictions):
        raise ValueError(f"{len(predictions)} prediction lists for {len(docs)} documents.")
    tp = fp = fn = ignored = predicted = 0
    kms: list[float] = []
    errors: list[ErrorItem] = []
    far_country_points = 0
    judged: list[Judged] = []
    for doc, preds in zip(docs, predictions, strict=True):
        for p in preds:
            if p.end < p.start:
                raise ValueError(f"Prediction ends before it starts in {doc.doc_id}: {p!r}.")
        gold = doc.gold
        pairs = match_spans(preds, gold)
        matched_p = {i for i, _ in pairs}
        matched_g = {j for _, j in pairs}
        predicted += len(preds)
        tp += len(pairs)
        doc_errors: list[ErrorItem] = []
        for i, j in pairs:
            p, g = preds[i], gold[j]
            km = error_km(p, g)
            kms.append(km)
            if p.confidence is not None:
                judged.append(Judged(p.confidence, km <= ACCURATE_KM))
            if km > ACCURATE_KM:
                doc_errors.append(_error("far", doc, g.start, g.end, p, g, km))
                far_country_points += _holds(p.country, g)
        for j, g in enumerate(gold):
            if j not in matched_g:
                fn += 1
                doc_errors.append(_error("miss", doc, g.start, g.end, None, g))
        for i, p in enumerate(preds):
            if i in matched_p:
                continue
            hit = [t for t in doc.toponyms if _overlap(p.start, p.end, t.start, t.end)]
            # "Overlaps only ignored annotations": any gold or other annotation makes it an FP.
            if hit and all(t.ignored for t in hit):
                ignored += 1
                continue
            fp += 1
            doc_errors.append(_error("false_positive", doc, p.start, p.end, p, None))
        doc_errors.sort(key=lambda e: (e.start, e.end, e.kind))
        errors.extend(doc_errors)

    gold_total = tp + fn
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, gold_total)
    tp_161 = sum(km <= ACCURATE_KM for km in kms)
    # A far pair is one FP and one FN: the denominators stay tp + fp and the gold count.
    f1_161 = _f1(_ratio(tp_161, tp + fp), _ratio(tp_161, gold_total))
    scores = Scores(
        corpus=corpus,
        documents=len(docs),
        gold=gold_total,
        predicted=predicted,
        ignored=ignored,
        tp=tp,
        fp=fp,
        fn=fn,
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        tp_161=tp_161,
        a161=tp_161 / len(kms) if kms else None,
        mean_km=statistics.fmean(kms) if kms else None,
        median_km=statistics.median(kms) if kms else None,
        auc=auc(kms),
        f1_161=f1_161,
        recall_161=_ratio(tp_161, gold_total),
        seconds=seconds,
        docs_per_second=len(docs) / seconds if seconds > 0 else 0.0,
        far_country_points=far_country_points,
    )
    return EvaluationResult(scores, errors, judged)


@dataclass(frozen=True)
class ReliabilityBin:
    """Matched pairs whose confidence lies in ``[low, high)``: how sure, how often right."""

    low: float
    high: float
    pairs: int
    mean_confidence: float
    share_correct: float


def reliability(judged: Sequence[Judged], bins: int = 10) -> list[ReliabilityBin]:
    """Confidence against the share within 161 km, in equal-width bins (empty ones left
    out); a calibrated parser's two columns agree. Confidence 1.0 falls in the top bin."""
    grouped: dict[int, list[Judged]] = {}
    for j in judged:
        grouped.setdefault(min(bins - 1, max(0, int(j.confidence * bins))), []).append(j)
    return [
        ReliabilityBin(
            low=b / bins,
            high=(b + 1) / bins,
            pairs=len(members),
            mean_confidence=statistics.fmean(j.confidence for j in members),
            share_correct=sum(j.correct for j in members) / len(members),
        )
        for b, members in sorted(grouped.items())
    ]


def expected_calibration_error(table: Sequence[ReliabilityBin]) -> float:
    """The pair-weighted mean gap between stated confidence and share correct."""
    total = sum(b.pairs for b in table)
    if not total:
        return 0.0
    return sum(b.pairs * abs(b.mean_confidence - b.share_correct) for b in table) / total


def format_reliability(table: Sequence[ReliabilityBin], title: str = "") -> str:
    """The reliability table as aligned text, with its expected calibration error."""
    lines = [f"reliability{' ' + title if title else ''}: confidence vs share within "
             f"{ACCURATE_KM:.0f} km",
             f"{'confidence':<12}{'pairs':>7}{'mean conf':>11}{'correct':>9}"]
    for b in table:
        lines.append(f"{b.low:.1f}-{b.high:.1f}     {b.pairs:>7}{b.mean_confidence:>11.3f}"
                     f"{b.share_correct:>9.3f}")
    lines.append(f"expected calibration error {expected_calibration_error(table):.3f}")
    return "\n".join(lines)


def _holds(country: str, gold: GoldToponym) -> bool:
    """True when ``country``'s outline holds the gold point."""
    if not country or not _valid(gold.lat, gold.lon):
        return False
    from geo.borders import country_at  # the outlines load only when a country is placed

    assert gold.lat is not None and gold.lon is not None
    return country_at(gold.lat, gold.lon) == country


def evaluate_corpus(
    path: Path,
    parse: Callable[[Sequence[GoldDoc]], Sequence[Sequence[Prediction]]],
    *,
    limit: int | None = None,
    batch_size: int = 64,
) -> EvaluationResult:
    """Run ``parse`` over a gold corpus in batches of documents and score it.

    ``limit`` keeps the first documents only. ``parse`` gets a batch of documents (it reads
    their text and web address, never their annotations) and returns one prediction list
    per document, so a parser can stream them through ``nlp.pipe``.
    """
    docs = read_corpus(path, limit=limit)
    predictions: list[Sequence[Prediction]] = []
    seconds = 0.0
    for at in range(0, len(docs), max(1, batch_size)):
        batch = docs[at : at + max(1, batch_size)]
        began = time.perf_counter()
        result = parse(batch)
        seconds += time.perf_counter() - began
        if len(result) != len(batch):
            raise ValueError(f"parse returned {len(result)} results for {len(batch)} documents.")
        predictions.extend(result)
        logger.debug("%s: %d/%d documents parsed", path.name, len(predictions), len(docs))
    return score_documents(path.stem, docs, predictions, seconds=seconds)


def _where(lat: float | None, lon: float | None) -> str:
    return "unresolved" if lat is None or lon is None else f"({lat:.3f}, {lon:.3f})"


def format_errors(errors: Sequence[ErrorItem], limit: int | None = None) -> str:
    """Readable lines for errors (the first ``limit`` of them), after a count per kind.

    Each error takes two lines: what went wrong, then the span in context.
    """
    kinds = ("miss", "false_positive", "far")
    counts = {kind: sum(e.kind == kind for e in errors) for kind in kinds}
    header = (
        f"{len(errors)} errors: {counts['miss']} missed, "
        f"{counts['false_positive']} false positives, {counts['far']} over {ACCURATE_KM:.0f} km"
    )
    lines = [header]
    shown = errors if limit is None else errors[:limit]
    for e in shown:
        where = f"{e.doc_id} [{e.start}:{e.end}] {e.text!r}"
        if e.kind == "miss":
            detail = f"missed, gold {_where(e.gold_lat, e.gold_lon)}"
        elif e.kind == "false_positive":
            detail = f"not a gold toponym, predicted {_where(e.pred_lat, e.pred_lon)}"
        else:
            detail = (
                f"{e.km:,.0f} km off: predicted {_where(e.pred_lat, e.pred_lon)}, "
                f"gold {_where(e.gold_lat, e.gold_lon)}"
            )
        if e.name:
            detail += f" as {e.name!r}"
        lines.append(f"{e.kind.upper():<14} {where}: {detail}\n    {e.context}")
    if len(shown) < len(errors):
        lines.append(f"... and {len(errors) - len(shown)} more")
    return "\n".join(lines)
