"""The per-article stage's result, in a module light enough for readers of a store.

Reading stored analyses, or a store's aggregates, should not import spaCy; this value type
is all they need (``geo.pipeline`` makes it, ``geo.pipeline.merge`` joins many).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.models import Article, Place

if TYPE_CHECKING:
    from geo.roles import RoleReading


@dataclass(frozen=True)
class ArticleAnalysis:
    """What one article yields on its own: its places and their roles.

    This is the per-article stage that the analysis store keeps and a Dask worker computes;
    what needs several articles (links, paths) is merged from these by
    ``geo.pipeline.merge``.
    """

    article: Article
    places: tuple[Place, ...]
    readings: tuple[RoleReading, ...] = ()
