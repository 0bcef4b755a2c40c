"""The country an outlet publishes from, read off its web address's country-code domain.

"abc.net.au" is Australian, "cbc.ca" Canadian, "bbc.co.uk" British; a generic domain
(".com", ".org") says nothing. The resolver counts the outlet's country as one more mention
of it in the article's country focus: a weak prior that tips a name shared across countries
("Perth", "Victoria") toward the outlet's side and never outweighs what the text says.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Two-letter domains that say nothing of a country: ".eu", and country codes sold
# worldwide for their letters (".tv", ".io", ".fm") rather than used by their own press.
_NO_COUNTRY = frozenset({
    "ac", "ai", "cc", "co", "eu", "fm", "gg", "io", "la", "ly", "me", "nu", "sh", "so",
    "tk", "to", "tv", "vc", "ws",
})
# The few country-code domains that are not the country's ISO 3166 alpha-2 code.
_NOT_ISO = {"uk": "GB"}
_LETTERS = re.compile(r"^[a-z]{2}$")


def home_country(url: str) -> str | None:
    """The ISO alpha-2 code of the country an address's domain belongs to, or None."""
    text = url.strip()
    if not text:
        return None
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    top = host.rstrip(".").rsplit(".", 1)[-1]
    if "." not in host or not _LETTERS.match(top) or top in _NO_COUNTRY:
        return None
    return _NOT_ISO.get(top, top.upper())
