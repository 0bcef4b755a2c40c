"""Lookup keys for place names, shared by the gazetteer builder and the extractor.

Two keys, from strict to loose:

``name_key``  case, diacritics, apostrophes, hyphens and spaces folded, and the Arabic
              article (al-, el-, ad-, ar-, as-, az-, ash- ...) dropped before a following
              word: "Deir ez-Zor" -> "deir zor", "al-Bab" -> "bab", "Ḩalab" -> "halab".
``skeleton``  transliteration variants folded on top: digraphs (kh->h, q->k, ...), doubled
              letters, then every vowel that does not start a word: "Deir el-Zour",
              "Dayr az Zawr" and "Deir ez-Zor" -> "dr zr"; "Hamedan" = "Hamadan" -> "hmdn";
              "Hmeimim" = "Khmeimim" = "Hmeimeem" -> "hmmm".

The skeleton collides more often than the name key, so lookups try the name key first and
fall back to the skeleton at a lower confidence.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from anyascii import anyascii

# Article forms of Arabic transliteration, including sun-letter assimilations, and the
# Persian/Turkish/Urdu "ul"/"ud" izafe forms the press also writes.
ARABIC_ARTICLES = frozenset(
    {"al", "el", "il", "ul", "ad", "ar", "as", "az", "ash", "at", "an", "ath", "adh",
     "ed", "er", "es", "ez", "et", "en", "ud", "ur", "us", "uz"}
)

# Latin letters of names in other scripts make no usable English lookup key.
_LATIN_RE = re.compile(r"[A-Za-z\u00C0-\u024F\u1E00-\u1EFF]")
_APOSTROPHES_RE = re.compile(r"[\'\u2018\u2019\u02BC\u02BB\u02BF\u02BE\u0060\u00B4\u2032]")
_SEPARATORS_RE = re.compile(r"[^a-z0-9]+")
_DIGRAPHS = (("kh", "h"), ("gh", "g"), ("sh", "s"), ("ch", "s"), ("th", "t"), ("dh", "d"),
             ("ph", "f"), ("zh", "j"), ("dj", "j"), ("q", "k"), ("ck", "k"), ("x", "ks"))
_DOUBLES_RE = re.compile(r"([a-z])\1+")
_INNER_VOWELS_RE = re.compile(r"(?<=[a-z])[aeiouyw]+")


def is_latin(name: str) -> bool:
    """True when a name is written in Latin letters (other scripts are not looked up)."""
    letters = [c for c in name if c.isalpha()]
    if not letters:
        return False
    latin = sum(1 for c in letters if _LATIN_RE.match(c))
    return latin == len(letters)


def fold(text: str) -> str:
    """Lower-case ASCII words: diacritics and apostrophes dropped, punctuation to spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _APOSTROPHES_RE.sub("", text)
    text = anyascii(text).lower()
    return _SEPARATORS_RE.sub(" ", text).strip()


@functools.lru_cache(maxsize=262_144)  # an archive's articles share most of their names
def name_key(name: str) -> str:
    """The strict lookup key of a name (see module docstring)."""
    words = fold(name).split()
    kept = [w for i, w in enumerate(words) if not (w in ARABIC_ARTICLES and i < len(words) - 1)]
    return " ".join(kept)


def skeleton(name: str) -> str:
    """The loose, transliteration-proof key of a name (see module docstring)."""
    words = []
    for word in name_key(name).split():
        for digraph, single in _DIGRAPHS:
            word = word.replace(digraph, single)
        word = _DOUBLES_RE.sub(r"\1", word)
        word = _INNER_VOWELS_RE.sub("", word)
        words.append(word)
    return " ".join(words)
