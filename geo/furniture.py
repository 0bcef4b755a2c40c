"""Page furniture in article text saved from web pages, and the body ranges around it.

Saved pages carry menus, comment forms, call-to-action widgets, image file lists and
"related headlines" next to the article. Furniture names unrelated places, so it must fall
outside ``Article.body``. The rules here are generic line patterns (no outlet or place is
named); a line that no rule matches is article text, so an unknown page loses nothing.

Rules, in the order they apply:

1. ``LINE_RULES``: one line on its own is furniture (table below, each rule commented).
2. Repeated lines: a non-sentence line seen 3+ times in one text is site boilerplate; the
   same text glued to the front of a real line is cut off that line.
3. Related-headline lists: 2+ "timestamp line, then a short non-sentence line" pairs.
4. Trailing attribution: a "Source: X" line after the article proper, followed only by
   furniture and short non-sentence lines, ends the article there.

Captions and photo credits are kept: they describe the event.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

# A line of fewer words, or without a sentence end, is not prose (headline, label, link).
PROSE_MIN_WORDS = 12
# Pattern rules look at short lines only: furniture is short, and this bounds regex work on
# pathological long lines.
RULE_MAX_CHARS = 600
# Seen this often in one text, a line is boilerplate rather than article text.
REPEATS_FOR_BOILERPLATE = 3
# A repeated line glued in front of a real line is cut only when it is this long, so a
# repeated short word ("Image") never eats the start of a sentence.
MIN_GLUED_PREFIX_CHARS = 8
# This many timestamp + headline pairs make a related-headlines list.
MIN_RELATED_PAIRS = 2

_SENTENCE_END_RE = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?:\s|$)")
# One word of a date or time: "GMT", "06:49:16", "2016", "01st", "Saturday", "Sept", "a.m".
# Timestamps are checked word by word: one pattern over a whole line backtracks
# exponentially on long runs of numbers.
_DATE_WORD_RE = re.compile(
    r"gmt|utc|[ap]\.?m|\d{1,4}(?::\d{2}){0,2}(?:st|nd|rd|th)?"
    r"|(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?"
    r"|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?",
    re.IGNORECASE,
)
_DATE_SEPARATORS_RE = re.compile(r"[\s,|/\u2013\u2014-]+")
# A timestamp line is short; anything longer is prose that mentions a date.
_MAX_TIMESTAMP_CHARS = 80
_ATTRIBUTION_RE = re.compile(
    r"^(?:sources?|via|courtesy(?: of)?)\s*:\s*(?P<name>[^.!?:]{2,80}?)\s*\.?$", re.IGNORECASE
)
_SOCIAL = (
    r"\b(?:facebook|twitter|rss|youtube|instagram|whatsapp|telegram|linkedin|pinterest|tiktok)\b"
)


def is_timestamp(line: str) -> bool:
    """True for a line of only date and time words ("GMT 13:58 2016 Friday ,30 December")."""
    stripped = line.strip()
    if len(stripped) > _MAX_TIMESTAMP_CHARS or not any(c.isdigit() for c in stripped):
        return False
    words = [w.strip(".") for w in _DATE_SEPARATORS_RE.split(stripped)]
    return all(_DATE_WORD_RE.fullmatch(w) for w in words if w)


@dataclass(frozen=True)
class LineRule:
    """A short line (stripped, any case) that ``pattern`` matches is furniture.

    With ``then``, the rest of the line after the match must pass that test too.
    """

    name: str
    pattern: re.Pattern[str]
    max_words: int = 25
    then: Callable[[str], bool] | None = None

    def matches(self, line: str) -> bool:
        match = self.pattern.search(line)
        if match is None:
            return False
        return self.then is None or self.then(line[match.end():])


def _rule(
    name: str, pattern: str, max_words: int = 25, then: Callable[[str], bool] | None = None
) -> LineRule:
    return LineRule(name, re.compile(pattern, re.IGNORECASE), max_words, then)


LINE_RULES: tuple[LineRule, ...] = (
    # Topic-follow widgets: "Interested in X?" then "Add X as an interest ...", "Add Interest".
    _rule("call to action", r"^interested in\b[^.!?]{1,80}\?$"),
    _rule("call to action", r"^add\b[^.!?]{1,80}\bas an interest\b"),
    # Lone button and link labels of share bars, newsletters and ads.
    _rule(
        "call to action",
        r"^(?:add interest|follow|subscribe(?: now)?|sign up|share(?: this(?: article| story"
        r"| page)?)?|read more|read next|see more|click here|advertisement|print(?: this page)?"
        r"|email|more on this story|related (?:articles|stories|topics|content))$",
    ),
    _rule("call to action", r"^(?:follow|like|join) us on\b"),
    _rule("call to action", r"\bsign up (?:for|to) (?:our|the) (?:\w+ )?newsletter\b"),
    # Comment-form field labels with their required-field star: "Name *", "Security Code*".
    _rule("comment form", r"^[^\W\d_][\w'-]*(?: [\w'-]+){0,3}\s*\*$"),
    _rule("comment form", r"^:?\s*\d*\s*characters? (?:left|remaining)$"),
    _rule(
        "comment form",
        r"^(?:leave a (?:comment|reply)|post a comment|\d* ?comments?(?: \(\d+\))?)$",
    ),
    # Terms and policies under comment forms and in footers; the terms text runs long.
    _rule(
        "terms and policies",
        r"^(?:terms (?:of (?:use|service)|and conditions)|privacy policy|cookie policy)$",
    ),
    _rule("terms and policies", r"^i (?:agree|accept)\b.{0,40}\bterms\b"),
    _rule("terms and policies", r"^publishing terms\b", max_words=80),
    _rule("terms and policies", r"\bcomment policy\b"),
    # Author contact footers: "- Jane Doe can be reached at jdoe@example.com."
    _rule("author contact", r"\bcan be reached at\b"),
    _rule("author contact", r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", max_words=20),
    # Image and file names left by saved galleries and ad slots: "• 1465011559.jpg".
    _rule(
        "file name",
        r"^(?:[\u2022\u00b7\u25aa\u25e6*\u2013\u2014-]\s*)?[\w\-.()%~+ ]{1,150}"
        r"\.(?:jpe?g|png|gif|webp|svg|bmp|tiff?|avif|heic|mp4|webm|mov|pdf)$",
        max_words=6,
    ),
    # Stand-alone timestamps ("Last Updated : GMT 06:49:16"); dates inside prose are kept.
    _rule("timestamp", r"^(?:last\s+)?(?:updated|published|posted|modified)\b\s*(?:on|at)?\s*:?",
          then=is_timestamp),
    _rule("timestamp", r"^", then=is_timestamp),
    # Copyright and "all rights reserved" footers.
    _rule("copyright", r"^(?:\u00a9|\(c\)|copyright\b)"),
    _rule("copyright", r"\ball rights reserved\b"),
    # Social-media link rows name three or more networks.
    _rule("social links", rf"(?:{_SOCIAL}.*){{3}}", max_words=40),
)


@dataclass(frozen=True)
class Line:
    """One line of a text: its content span (no newline) and the rule that made it furniture."""

    start: int
    end: int
    text: str
    # Name of the furniture rule that matched, "" for article text and blank lines.
    furniture: str = ""
    # Where article text starts when a boilerplate prefix was cut off the line.
    body_start: int = -1

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def is_prose(line: str) -> bool:
    """True for a line that reads as a sentence: long enough and with a sentence end."""
    return len(line.split()) >= PROSE_MIN_WORDS and bool(_SENTENCE_END_RE.search(line))


def attribution(text: str) -> str | None:
    """The outlet named by the last "Source: X" line of a text, if any."""
    found = None
    for raw in text.splitlines():
        match = _ATTRIBUTION_RE.match(raw.strip()) if len(raw) <= 120 else None
        if match:
            found = match.group("name").strip()
    return found


def _match_rule(stripped: str) -> str:
    if not stripped or len(stripped) > RULE_MAX_CHARS:
        return ""
    words = len(stripped.split())
    for rule in LINE_RULES:
        if words <= rule.max_words and rule.matches(stripped):
            return rule.name
    return ""


def _key(line: str) -> str:
    return " ".join(line.casefold().split())


def _split(text: str) -> list[Line]:
    lines = []
    start = 0
    for part in text.split("\n"):
        lines.append(Line(start, start + len(part), part))
        start += len(part) + 1
    return lines


def _mark(line: Line, rule: str) -> Line:
    return Line(line.start, line.end, line.text, rule, line.body_start)


def _repeated(lines: list[Line]) -> list[Line]:
    # Prose repeated (a pull quote, a pasted-twice article) is still article text.
    counts = Counter(
        _key(line.text) for line in lines if not line.blank and not is_prose(line.text)
    )
    boilerplate = {key for key, n in counts.items() if n >= REPEATS_FOR_BOILERPLATE}
    prefixes = sorted((k for k in boilerplate if len(k) >= MIN_GLUED_PREFIX_CHARS), key=len)
    out = []
    for line in lines:
        key = _key(line.text)
        if line.blank or line.furniture:
            out.append(line)
        elif key in boilerplate:
            out.append(_mark(line, "repeated line"))
        else:
            out.append(_cut_prefix(line, key, prefixes))
    return out


def _cut_prefix(line: Line, key: str, prefixes: list[str]) -> Line:
    """Cut the longest boilerplate line glued to the front of ``line`` (site name + title)."""
    for prefix in reversed(prefixes):
        if key.startswith(prefix + " "):
            # Walk the raw text word by word, as the key collapsed its whitespace.
            match = re.match(r"\s*" + r"\s+".join(map(re.escape, prefix.split())) + r"\s+",
                             line.text, re.IGNORECASE)
            if match:
                return Line(line.start, line.end, line.text, "", line.start + match.end())
    return line


def _related_headlines(lines: list[Line]) -> list[Line]:
    content = [i for i, line in enumerate(lines) if not line.blank]
    pairs = [
        (i, j) for i, j in pairwise(content)
        if is_timestamp(lines[i].text) and not is_timestamp(lines[j].text)
        and not is_prose(lines[j].text)
    ]
    if len(pairs) < MIN_RELATED_PAIRS:
        return lines
    out = list(lines)
    for _, j in pairs:
        out[j] = _mark(out[j], "related headline")
    return out


def _trailing_attribution(lines: list[Line]) -> list[Line]:
    seen_prose = False
    for i, line in enumerate(lines):
        stripped = line.text.strip()
        if not line.furniture and _ATTRIBUTION_RE.match(stripped) and seen_prose:
            tail = lines[i + 1:]
            if all(t.blank or t.furniture or not is_prose(t.text) for t in tail):
                return lines[:i] + [
                    t if t.blank else _mark(t, t.furniture or "after attribution")
                    for t in lines[i:]
                ]
        seen_prose = seen_prose or (not line.furniture and is_prose(line.text))
    return lines


def classify_lines(text: str) -> list[Line]:
    """Every line of ``text`` (split on "\\n") with the furniture rule that matched, if any."""
    lines = [_mark(line, _match_rule(line.text.strip())) for line in _split(text)]
    lines = _repeated(lines)
    lines = _related_headlines(lines)
    return _trailing_attribution(lines)


def body_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """The ``(start, end)`` ranges of ``text`` that are article text, in order.

    Neighbouring article lines form one range (the blank lines between them included);
    ranges start and end on non-space characters. Empty when the text is all furniture.
    """
    ranges: list[list[int]] = []
    for line in classify_lines(text):
        if line.blank or line.furniture:
            continue
        start = line.body_start if line.body_start >= 0 else line.start
        # Trim surrounding spaces so each range starts and ends on text.
        segment = text[start:line.end]
        start += len(segment) - len(segment.lstrip())
        end = line.end - (len(segment) - len(segment.rstrip()))
        if ranges and not text[ranges[-1][1]:start].strip():
            ranges[-1][1] = end
        else:
            ranges.append([start, end])
    return tuple((start, end) for start, end in ranges)
