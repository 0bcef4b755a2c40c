"""Tests for geo.geocache: answers, misses, pins, and surviving bad files and contention."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.geocache import (
    CORRUPT_SUFFIX,
    GeocodeCache,
    default_cache_path,
)
from geo.models import Feature, GazetteerEntry

REPO = Path(__file__).resolve().parent.parent

DAMASCUS = GazetteerEntry("online:nominatim:R5351548", "Damascus", 33.513, 36.3096, "SY",
                          Feature.CITY, population=2079000, admin1="Damascus Governorate",
                          source="nominatim")
DEIR = GazetteerEntry("online:nominatim:R1", "Deir ez-Zor", 35.336, 40.14, "SY",
                      Feature.CITY, source="nominatim")


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that imports this checkout's ``geo``."""
    full_env = {**os.environ, **env,
                "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", code], env=full_env, cwd=REPO,
                          capture_output=True, text=True, timeout=30, check=True)


@pytest.fixture
def memory_cache() -> Iterator[GeocodeCache]:
    with GeocodeCache(":memory:") as cache:
        yield cache


# -- answers and misses -------------------------------------------------------------------

def test_not_cached_differs_from_cached_not_found(memory_cache: GeocodeCache) -> None:
    assert memory_cache.get("nominatim", "Atlantis") is None
    assert memory_cache.put("nominatim", "Atlantis", None, None)
    miss = memory_cache.get("nominatim", "Atlantis")
    assert miss is not None
    assert not miss.found and miss.entry is None and miss.raw is None and miss.created


def test_answer_round_trips_with_raw_json(memory_cache: GeocodeCache) -> None:
    raw = {"osm_type": "relation", "osm_id": 5351548, "display_name": "Damascus, Syria"}
    assert memory_cache.put("nominatim", "Damascus", "sy", DAMASCUS, raw)
    answer = memory_cache.get("nominatim", "damascus", "SY")
    assert answer is not None and answer.found
    assert answer.entry == DAMASCUS
    assert answer.raw == raw
    assert (answer.provider, answer.query_key, answer.country_hint) == ("nominatim",
                                                                        "damascus", "SY")


def test_keys_fold_names_and_separate_hints_and_providers(memory_cache: GeocodeCache) -> None:
    memory_cache.put("nominatim", "Deir ez-Zor", None, DEIR)
    for spelling in ("Deir ez-Zor", "DEIR AL-ZOR", "Deir el Zor"):
        found = memory_cache.get("nominatim", spelling)
        assert found is not None and found.entry == DEIR
    assert memory_cache.get("nominatim", "Deir ez-Zor", "IQ") is None
    assert memory_cache.get("photon", "Deir ez-Zor") is None


def test_answer_replaces_miss_and_back(memory_cache: GeocodeCache) -> None:
    memory_cache.put("nominatim", "Damascus", None, None)
    memory_cache.put("nominatim", "Damascus", None, DAMASCUS, {})
    answer = memory_cache.get("nominatim", "Damascus")
    assert answer is not None and answer.entry == DAMASCUS
    memory_cache.put("nominatim", "Damascus", None, None)
    answer = memory_cache.get("nominatim", "Damascus")
    assert answer is not None and not answer.found
    assert memory_cache.count() == 1
    assert memory_cache.forget("nominatim", "Damascus")
    assert memory_cache.get("nominatim", "Damascus") is None


def test_names_without_a_key_are_neither_cached_nor_found(memory_cache: GeocodeCache) -> None:
    assert memory_cache.put("nominatim", "!!!", None, None) is False
    assert memory_cache.get("nominatim", "!!!") is None


def test_iter_answers_lists_the_cached_gazetteer(memory_cache: GeocodeCache) -> None:
    memory_cache.put("nominatim", "Damascus", None, DAMASCUS)
    memory_cache.put("nominatim", "Atlantis", None, None)
    assert [a.entry for a in memory_cache.iter_answers()] == [DAMASCUS]


@settings(max_examples=60, deadline=None)
@given(name=st.text(min_size=1, max_size=30),
       lat=st.floats(-90, 90), lon=st.floats(-180, 180),
       hint=st.sampled_from([None, "", "sy", "IR"]))
def test_any_answer_round_trips(name: str, lat: float, lon: float, hint: str | None) -> None:
    entry = GazetteerEntry("online:nominatim:N1", name, lat, lon, "SY", Feature.OTHER,
                           source="nominatim")
    with GeocodeCache(":memory:") as cache:
        stored = cache.put("nominatim", name, hint, entry, {"name": name})
        answer = cache.get("nominatim", name, hint)
        if stored:
            assert answer is not None and answer.entry == entry
            assert answer.raw == {"name": name}
        else:  # only names without a lookup key are refused
            assert answer is None


# -- files, corruption, locks ------------------------------------------------------------

def test_default_path_is_under_the_repo_or_geo_cache(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.delenv("GEO_CACHE", raising=False)
    assert Path(default_cache_path()) == REPO / "data" / "cache" / "geocode.sqlite"
    monkeypatch.setenv("GEO_CACHE", str(tmp_path / "c.sqlite"))
    with GeocodeCache() as cache:
        assert cache.path == str(tmp_path / "c.sqlite")
        cache.put("nominatim", "Damascus", None, DAMASCUS)
    assert (tmp_path / "c.sqlite").exists()


def test_file_cache_uses_wal_and_persists(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "geocode.sqlite"
    with GeocodeCache(path) as cache:
        assert cache.put("nominatim", "Damascus", None, DAMASCUS)
        mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
    with GeocodeCache(path) as again:
        answer = again.get("nominatim", "Damascus")
        assert answer is not None and answer.entry == DAMASCUS


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_file_is_moved_aside_and_rebuilt(tmp_path: Path, damage: str,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "geocode.sqlite"
    if damage == "garbage":
        path.write_bytes(b"this is not a database, just some text\n" * 100)
    else:
        with GeocodeCache(path) as cache:
            for i in range(400):
                cache.put("nominatim", f"place {i}", None, DAMASCUS, {"pad": "x" * 200})
        data = path.read_bytes()
        assert len(data) > 40_000
        path.write_bytes(data[: len(data) // 3])
    damaged = path.read_bytes()

    with caplog.at_level(logging.WARNING, logger="geo.geocache"), GeocodeCache(path) as cache:
        assert cache.available
        assert cache.get("nominatim", "place 1") is None
        assert cache.put("nominatim", "Damascus", None, DAMASCUS)
        answer = cache.get("nominatim", "Damascus")
        assert answer is not None and answer.entry == DAMASCUS
    assert any(str(path) in r.getMessage() and "corrupt" in r.getMessage()
               for r in caplog.records if r.levelno == logging.WARNING)
    aside = Path(str(path) + CORRUPT_SUFFIX)
    assert aside.read_bytes() == damaged
    with GeocodeCache(path) as reopened:
        assert reopened.count() == 1


def test_locked_database_skips_the_write_with_a_warning(tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture
                                                        ) -> None:
    path = tmp_path / "geocode.sqlite"
    with GeocodeCache(path, busy_timeout=0.1) as cache:
        cache.put("nominatim", "Damascus", None, DAMASCUS)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with caplog.at_level(logging.WARNING, logger="geo.geocache"):
                assert cache.put("nominatim", "Atlantis", None, None) is False
                assert cache.pin("Atlantis", lat=1.0, lon=2.0) is None
            assert any("not stored" in r.getMessage() for r in caplog.records)
            # WAL readers are not blocked by the writer.
            answer = cache.get("nominatim", "Damascus")
            assert answer is not None and answer.found
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert cache.put("nominatim", "Atlantis", None, None)


def test_unwritable_location_runs_without_a_cache(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    path = blocker / "cache" / "geocode.sqlite"
    with caplog.at_level(logging.WARNING, logger="geo.geocache"), GeocodeCache(path) as cache:
        assert not cache.available
        assert cache.get("nominatim", "Damascus") is None
        assert cache.put("nominatim", "Damascus", None, DAMASCUS) is False
        assert cache.pin("Damascus", lat=1.0, lon=2.0) is None
        assert cache.pins() == [] and cache.pin_for("Damascus") is None
    assert any(str(path) in r.getMessage() for r in caplog.records)


def test_closed_cache_misses_instead_of_crashing() -> None:
    cache = GeocodeCache(":memory:")
    cache.put("nominatim", "Damascus", None, DAMASCUS)
    cache.close()
    assert cache.get("nominatim", "Damascus") is None
    assert cache.put("nominatim", "Damascus", None, DAMASCUS) is False
    cache.close()  # twice is fine


# Each writer is its own interpreter (not multiprocessing): a spawned child re-imports the
# parent's __main__, which other tests in the session (Streamlit's AppTest) may replace.
_WRITER = """
import pathlib, sys, time
from geo.geocache import GeocodeCache
from geo.models import Feature, GazetteerEntry
path, worker, count, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), pathlib.Path(sys.argv[4])
with GeocodeCache(path, busy_timeout=10.0) as cache:
    (go.parent / f"ready{worker}").touch()
    deadline = time.monotonic() + 20
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.002)  # both processes have the cache open: now write at once
    for i in range(count):
        entry = GazetteerEntry(f"online:nominatim:N{worker}{i:04d}", f"w{worker} p{i}",
                               float(worker), float(i % 180), "SY", Feature.CITY)
        if not cache.put("nominatim", f"w{worker} p{i}", None, entry, {"i": i}):
            raise SystemExit(f"put {i} of worker {worker} was not stored")
"""


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "geocode.sqlite")
    GeocodeCache(path).close()  # the schema exists before the race on rows
    go = tmp_path / "go"
    root = Path(__file__).resolve().parent.parent
    workers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, path, str(w), "200", str(go)],
                         cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
        for w in (1, 2)
    ]
    deadline = time.monotonic() + 30
    while not all((tmp_path / f"ready{w}").exists() for w in (1, 2)):
        assert time.monotonic() < deadline, "writers did not start"
        time.sleep(0.01)
    go.touch()
    for process in workers:
        assert process.wait(60) == 0
    with GeocodeCache(path) as cache:
        assert cache.count() == 400
        for worker in (1, 2):
            for i in (0, 99, 199):
                answer = cache.get("nominatim", f"w{worker} p{i}")
                assert answer is not None and answer.entry is not None
                assert answer.entry.gazetteer_id == f"online:nominatim:N{worker}{i:04d}"


# -- pins --------------------------------------------------------------------------------

def test_pins_by_coordinates_and_by_entry(memory_cache: GeocodeCache) -> None:
    pin = memory_cache.pin("Al-Tanf", lat=33.49, lon=38.66, country="sy",
                           feature=Feature.AIRBASE, label="Al-Tanf garrison")
    assert pin is not None and pin.key == "tanf" and pin.country == "SY" and pin.created
    assert pin.entry.gazetteer_id == "pin:tanf"
    assert pin.entry.name == "Al-Tanf garrison" and pin.entry.feature is Feature.AIRBASE
    assert memory_cache.pin_for("al Tanf") == pin

    by_entry = memory_cache.pin_to("Sham", DAMASCUS)
    assert by_entry is not None and by_entry.gazetteer_id == DAMASCUS.gazetteer_id
    assert by_entry.entry.gazetteer_id == DAMASCUS.gazetteer_id
    assert (by_entry.entry.lat, by_entry.entry.lon) == (DAMASCUS.lat, DAMASCUS.lon)
    assert [p.key for p in memory_cache.pins()] == ["tanf", "sham"]


def test_repinning_replaces_and_unpin_removes(memory_cache: GeocodeCache) -> None:
    memory_cache.pin("Tanf", lat=1.0, lon=1.0)
    memory_cache.pin("Tanf", lat=33.49, lon=38.66)
    pins = memory_cache.pins()
    assert len(pins) == 1 and pins[0].lat == 33.49
    assert memory_cache.unpin("Tanf")
    assert memory_cache.pins() == [] and memory_cache.pin_for("Tanf") is None


def test_pins_reject_bad_input(memory_cache: GeocodeCache) -> None:
    with pytest.raises(ValueError):
        memory_cache.pin("Tanf", lat=91.0, lon=0.0)
    with pytest.raises(ValueError):
        memory_cache.pin("...", lat=1.0, lon=1.0)


def test_pins_persist_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "geocode.sqlite"
    run_python(
        "from geo.geocache import GeocodeCache\n"
        "from geo.models import Feature\n"
        "with GeocodeCache() as c:\n"
        "    c.pin('Al-Tanf', lat=33.49, lon=38.66, country='SY', feature=Feature.AIRBASE,"
        " label='Al-Tanf garrison')\n",
        GEO_CACHE=str(path))
    with GeocodeCache(path) as cache:
        pin = cache.pin_for("Tanf")
        assert pin is not None and (pin.lat, pin.lon) == (33.49, 38.66)
        assert pin.feature is Feature.AIRBASE and pin.label == "Al-Tanf garrison"
        cache.pin_to("Sham", DAMASCUS)
    out = run_python(
        "import json\n"
        "from geo.geocache import GeocodeCache\n"
        "with GeocodeCache() as c:\n"
        "    print(json.dumps([[p.key, p.gazetteer_id, p.lat] for p in c.pins()]))\n",
        GEO_CACHE=str(path))
    assert json.loads(out.stdout) == [["tanf", "", 33.49],
                                      ["sham", DAMASCUS.gazetteer_id, DAMASCUS.lat]]
