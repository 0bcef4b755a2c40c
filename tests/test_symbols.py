"""Tests for geo.symbols: which symbols a map draws, their label priorities and days."""

from __future__ import annotations

import datetime as dt

from test_render import (
    HMEIMIM,
    KYIV,
    MOSCOW,
    _place,
    _role,
    sample_analysis,
)

from geo.models import Analysis, Article, Feature, GazetteerEntry, Role
from geo.symbols import MENTION_LABEL_ZOOM, map_symbols
from geo.view import filter_analysis

IDLIB_CITY = GazetteerEntry("geonames:169389", "Idlib", 35.93, 36.63, "SY", Feature.CITY)
IDLIB_GOV = GazetteerEntry("admin:SY.ID", "Idlib", 35.8, 36.6, "SY", Feature.ADMIN)
# Same name, another country: never folded into the Syrian one.
IDLIB_ELSEWHERE = GazetteerEntry("x:1", "Idlib", 10.0, 10.0, "NG", Feature.CITY)
DAY = dt.date(2024, 3, 1)


def _analysis(*roles: tuple[GazetteerEntry, Role]) -> Analysis:
    articles = tuple(
        Article(f"d{i}", "t", source=f"S{i}", published=DAY + dt.timedelta(days=i))
        for i in range(len(roles))
    )
    placed = tuple(
        _role(_place(f"d{i}", e.name, e), role, 0.8, f"Sentence {i}.")
        for i, (e, role) in enumerate(roles)
    )
    return Analysis(articles=articles, places=tuple(r.place for r in placed), roles=placed)


def test_a_place_and_its_same_named_province_are_one_symbol() -> None:
    view = filter_analysis(_analysis((IDLIB_GOV, Role.TARGET), (IDLIB_CITY, Role.TARGET)))
    (symbol,) = map_symbols(view)
    assert symbol.entry == IDLIB_CITY  # the place's own point, not the province's centre
    assert [p.entry for p in symbol.parts] == [IDLIB_CITY, IDLIB_GOV]
    assert symbol.docs == ("d1", "d0")
    assert symbol.days == (DAY, DAY + dt.timedelta(days=1))


def test_different_roles_or_countries_stay_apart() -> None:
    view = filter_analysis(
        _analysis((IDLIB_GOV, Role.BASE), (IDLIB_CITY, Role.TARGET),
                  (IDLIB_ELSEWHERE, Role.TARGET))
    )
    symbols = map_symbols(view)
    assert sorted((s.entry.gazetteer_id, s.role.value) for s in symbols) == [
        ("admin:SY.ID", "base"), ("geonames:169389", "target"), ("x:1", "target"),
    ]


def test_a_mention_of_an_operational_place_joins_its_symbol() -> None:
    view = filter_analysis(_analysis((KYIV, Role.TARGET), (KYIV, Role.MENTION),
                                     (MOSCOW, Role.MENTION)))
    symbols = {(s.entry.name, s.role): s for s in map_symbols(view)}
    assert set(symbols) == {("Kyiv", Role.TARGET), ("Moscow", Role.MENTION)}
    assert [p.role for p in symbols["Kyiv", Role.TARGET].parts] == [Role.TARGET, Role.MENTION]


def test_priorities_and_label_zoom_follow_the_role() -> None:
    symbols = {(s.entry.name, s.role): s for s in map_symbols(filter_analysis(sample_analysis()))}
    base = symbols["Hmeimim Air Base", Role.BASE]
    target = symbols["Kyiv", Role.TARGET]
    transit = symbols["Tehran", Role.TRANSIT]
    mention = symbols["Moscow", Role.MENTION]
    assert target.priority > transit.priority > mention.priority
    assert base.priority > transit.priority
    assert mention.label_zoom == MENTION_LABEL_ZOOM and target.label_zoom == 0
    # Two reports outrank one within a role.
    assert base.priority > symbols["Andersen AFB", Role.BASE].priority
    # Days of a path's ends are the path's dates.
    assert base.entry == HMEIMIM
    assert base.days == (dt.date(2024, 4, 13), dt.date(2024, 4, 20))
