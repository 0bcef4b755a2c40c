"""Strike events read from one article, and incidents merged across articles."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from spacy.language import Language

from geo.models import Article, Feature, GazetteerEntry, Mention, MentionKind, Place
from geo.roles import read_roles
from geo.strikes.events import (
    DatePrecision,
    ForcesFileError,
    PlacePrecision,
    StrikeEvent,
    load_forces,
    means_of,
    read_events,
)
from geo.strikes.incidents import IncidentWindows, merge_incidents
from geo.strikes.records import incidents_geojson, write_incidents

# Invented gazetteer rows (test data only): name -> (id, feature, country, lat, lon).
ENTRIES = {
    "Hmeimim": ("t:hmeimim", Feature.AIRBASE, "SY", 35.4, 35.9),
    "Aleppo": ("t:aleppo", Feature.CITY, "SY", 36.2, 37.2),
    "Idlib": ("t:idlib", Feature.CITY, "SY", 35.9, 36.6),
    "al-Bab": ("t:bab", Feature.CITY, "SY", 36.37, 37.52),
    "Tadef": ("t:tadef", Feature.CITY, "SY", 36.35, 37.53),
    "Syria": ("t:SY", Feature.COUNTRY, "SY", 35.0, 38.0),
    "Russian": ("t:RU", Feature.COUNTRY, "RU", 60.0, 90.0),
    "Russia": ("t:RU", Feature.COUNTRY, "RU", 60.0, 90.0),
    "Turkish": ("t:TR", Feature.COUNTRY, "TR", 39.0, 35.0),
}
DEMONYMS = {"Russian", "Turkish"}


def make_places(doc_id: str, text: str) -> list[Place]:
    places = []
    for name, (gid, feature, country, lat, lon) in ENTRIES.items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?!\w)", text):
            kind = MentionKind.DEMONYM if name in DEMONYMS else MentionKind.TOPONYM
            places.append(Place(Mention(doc_id, match.start(), match.end(), name, kind),
                                GazetteerEntry(gid, name, lat, lon, country, feature), 0.9))
    return sorted(places, key=lambda p: p.mention.start)


def events_of(nlp: Language, text: str, *, doc_id: str = "d1", source: str = "Outlet",
              published: dt.date | None = dt.date(2017, 1, 11)) -> tuple[StrikeEvent, ...]:
    article = Article(doc_id, text, source=source, published=published)
    return read_events(article, read_roles([article], make_places(doc_id, text), nlp))


def test_event_with_origin_actor_means_and_day(nlp: Language) -> None:
    (event,) = events_of(nlp, "Russian Su-34 bombers flying from Hmeimim struck Idlib and "
                              "Aleppo on Tuesday.")
    assert event.actor == "Russian" and event.actor_country == "RU"
    assert event.means == ("Russian Su-34 bombers",)
    assert event.origin is not None and event.origin.entry.gazetteer_id == "t:hmeimim"
    assert event.origin.precision is PlacePrecision.SITE
    assert {t.entry.gazetteer_id for t in event.targets} == {"t:idlib", "t:aleppo"}
    assert all(t.precision is PlacePrecision.TOWN for t in event.targets)
    assert event.dates == (dt.date(2017, 1, 10),)  # the Tuesday before publication
    assert event.date_precision is DatePrecision.DAY
    assert not event.approximate and event.evidence


def test_event_without_origin_is_still_an_event(nlp: Language) -> None:
    (event,) = events_of(nlp, "Turkish jets struck Islamic State positions near al-Bab.")
    assert event.origin is None and event.actor_country == "TR"
    assert [t.entry.gazetteer_id for t in event.targets] == ["t:bab"]
    # Only the publication date: reported within days.
    assert event.date_precision is DatePrecision.WEEK
    assert event.dates == (dt.date(2017, 1, 11),)


def test_actor_from_the_forces_table(nlp: Language) -> None:
    (event,) = events_of(nlp, "The Israel Defense Forces struck Aleppo on Tuesday, "
                              "the Pentagon said.")
    assert (event.actor, event.actor_country) == ("Israel Defense Forces", "IL")


def test_a_force_whose_targets_were_struck_is_not_the_actor(nlp: Language) -> None:
    (event,) = events_of(nlp, "Jets struck 36 Houthi targets in Aleppo, the IDF said.")
    assert (event.actor, event.actor_country) == ("IDF", "IL")


def test_ministry_is_the_speaker_not_the_actor_when_a_demonym_is_there(nlp: Language) -> None:
    (event,) = events_of(nlp, "Turkish jets struck al-Bab, the Pentagon said.")
    assert event.actor_country == "TR"


def test_country_target_when_nothing_finer_is_named(nlp: Language) -> None:
    (event,) = events_of(nlp, "Russian warplanes carried out strikes on Syria last month.")
    assert event.targets[0].precision is PlacePrecision.COUNTRY and event.approximate
    assert event.date_precision is DatePrecision.MONTH
    assert event.dates == (dt.date(2016, 12, 1),)


def test_no_strike_no_event(nlp: Language) -> None:
    assert events_of(nlp, "Delegations met in Aleppo to discuss a ceasefire.") == ()
    assert events_of(nlp, "The bombers could strike Idlib within hours.") == ()


def test_means_as_written() -> None:
    assert means_of(["Seven B-2 stealth bombers and 30 Tomahawk cruise missiles hit it."]) == (
        "B-2 stealth bombers", "Tomahawk cruise missiles")
    assert means_of(["On Tuesday Israeli F-15 and F-35 jets struck."]) == (
        "Israeli F-15 and F-35 jets",)


def test_forces_table_needs_a_source_and_a_country(tmp_path: Path) -> None:
    bad = tmp_path / "forces.csv"
    bad.write_text("name,country,kind,source\nSome Force,XX,air force,\n", encoding="utf-8")
    with pytest.raises(ForcesFileError, match=r"forces\.csv:2"):
        load_forces(bad)
    bad.write_text("name,country\nX,US\n", encoding="utf-8")
    with pytest.raises(ForcesFileError, match="missing columns"):
        load_forces(bad)


def test_every_force_row_has_a_source() -> None:
    forces = load_forces()
    assert len(forces) > 20 and {"US", "GB", "IL", "RU", "IR", "YE"} <= {f.country for f in forces}


def test_reports_of_one_strike_merge_into_one_incident(nlp: Language) -> None:
    first = events_of(nlp, "Turkish jets struck al-Bab on Tuesday.", doc_id="a",
                      source="Outlet A")
    second = events_of(nlp, "Turkish jets bombed Tadef on Tuesday.", doc_id="b",
                       source="Outlet B", published=dt.date(2017, 1, 12))
    other = events_of(nlp, "Turkish jets struck al-Bab on Tuesday.", doc_id="c",
                      source="Outlet C", published=dt.date(2017, 2, 20))
    incidents = merge_incidents((*first, *second, *other))
    assert len(incidents) == 2
    merged = next(i for i in incidents if len(i.events) == 2)
    assert merged.sources == ("Outlet A", "Outlet B")
    assert merged.confidence > max(e.confidence for e in merged.events)
    # Narrow windows keep them apart.
    assert len(merge_incidents((*first, *second), IncidentWindows(km=1.0, days=2))) == 2


def test_incident_windows_from_the_environment() -> None:
    assert IncidentWindows.from_env({"GEO_INCIDENT_KM": "25", "GEO_INCIDENT_DAYS": "3"}) == \
        IncidentWindows(25.0, 3)
    with pytest.raises(ValueError, match="GEO_INCIDENT_KM"):
        IncidentWindows.from_env({"GEO_INCIDENT_KM": "near"})


def test_incident_records_in_every_format(nlp: Language) -> None:
    events = events_of(nlp, "Russian jets flying from Hmeimim struck =Idlib and Aleppo.")
    incidents = merge_incidents(events)
    out = io.StringIO()
    write_incidents(incidents, "jsonl", out)
    record = json.loads(out.getvalue().splitlines()[0])
    assert record["actor_country"] == ["RU"] and record["origins"][0]["name"] == "Hmeimim"
    assert {t["name"] for t in record["targets"]} == {"Idlib", "Aleppo"}
    out = io.StringIO()
    write_incidents(incidents, "csv", out)
    assert out.getvalue().startswith("incident,actor,")
    geojson = incidents_geojson(incidents)
    kinds = [f["properties"]["kind"] for f in geojson["features"]]
    assert kinds == ["struck", "origin", "origin"]
    struck = geojson["features"][0]["geometry"]
    assert struck["type"] == "MultiPoint" and [35.9, 35.4] not in struck["coordinates"]


def test_actor_of_the_origin_sentence_and_not_the_target_owner(nlp: Language) -> None:
    (event,) = events_of(nlp, "Russian jets took off from Hmeimim.\n\nThey struck Idlib.")
    assert event.actor_country == "RU"
    (event,) = events_of(nlp, "Missiles fired from Hmeimim hit a Turkish post near al-Bab.")
    assert event.actor_country != "TR"


def test_country_speaking_of_its_aircraft_is_the_actor(nlp: Language) -> None:
    (event,) = events_of(nlp, "Syria said its jets flying from Hmeimim struck Idlib.")
    assert (event.actor, event.actor_country) == ("Syria", "SY")


def test_whose_aircraft_flew_from_the_origin_is_the_actor(nlp: Language) -> None:
    (event,) = events_of(nlp, "Russia has jets stationed at Hmeimim inside Syria.\n\n"
                              "Jets struck al-Bab on Tuesday, Turkish officials said.")
    assert event.origin is not None and event.actor_country == "RU"
