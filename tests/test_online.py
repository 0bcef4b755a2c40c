"""Tests for geo.online, through geopy's real Nominatim client against a local stand-in."""

from __future__ import annotations

import itertools
import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nominatim_stub import NominatimStub

from geo.geocache import GeocodeCache
from geo.models import Feature
from geo.online import (
    DEFAULT_DOMAIN,
    DEFAULT_USER_AGENT,
    BadReplyError,
    OnlineConfigError,
    OnlineGeocoder,
    OnlineSettings,
    entry_from_nominatim,
    feature_of,
    parse_service_url,
)

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def stub() -> Iterator[NominatimStub]:
    with NominatimStub() as server:
        yield server


@pytest.fixture
def cache() -> Iterator[GeocodeCache]:
    with GeocodeCache(":memory:") as memory:
        yield memory


def geocoder_for(url: str, cache: GeocodeCache, **options: Any) -> OnlineGeocoder:
    scheme, domain = parse_service_url(url)
    options.setdefault("timeout", 2.0)
    options.setdefault("min_delay_seconds", 0.0)
    return OnlineGeocoder(cache, scheme=scheme, domain=domain, **options)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING and r.name == "geo.online"]


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- answers -----------------------------------------------------------------------------

def test_answer_is_fetched_converted_and_cached(stub: NominatimStub,
                                                cache: GeocodeCache) -> None:
    geocoder = geocoder_for(stub.url, cache)
    entry = geocoder.geocode("Damascus")
    assert entry is not None
    assert entry.gazetteer_id == "online:nominatim:R5351548"
    assert (entry.name, entry.country, entry.feature) == ("Damascus", "SY", Feature.CITY)
    assert (entry.lat, entry.lon) == pytest.approx((33.5130695, 36.3095814))
    assert entry.population == 2079000 and entry.admin1 == "Damascus Governorate"

    [request] = stub.requests
    assert request.path == "/search"
    assert request.params["q"] == "Damascus"
    assert request.params["format"] == "json"
    assert request.params["addressdetails"] == "1"
    assert request.user_agent == DEFAULT_USER_AGENT

    answer = cache.get("nominatim", "Damascus")
    assert answer is not None and answer.entry == entry
    assert answer.raw["osm_id"] == 5351548
    assert geocoder.geocode("damascus") == entry  # from the cache
    assert stub.count == 1


@pytest.mark.parametrize(("name", "feature", "gazetteer_id"), [
    ("Hmeimim Air Base", Feature.AIRBASE, "online:nominatim:W404155360"),
    ("Syria", Feature.COUNTRY, "online:nominatim:R184840"),
])
def test_features_come_from_class_type_and_addresstype(stub: NominatimStub,
                                                       cache: GeocodeCache, name: str,
                                                       feature: Feature,
                                                       gazetteer_id: str) -> None:
    entry = geocoder_for(stub.url, cache).geocode(name)
    assert entry is not None
    assert (entry.feature, entry.gazetteer_id, entry.country) == (feature, gazetteer_id, "SY")


def test_country_hint_is_sent_and_keys_the_cache(stub: NominatimStub,
                                                 cache: GeocodeCache) -> None:
    geocoder = geocoder_for(stub.url, cache)
    lebanon = geocoder.geocode("Tripoli", country_hint="LB")
    libya = geocoder.geocode("Tripoli", country_hint="ly")
    assert lebanon is not None and lebanon.country == "LB"
    assert libya is not None and libya.country == "LY"
    assert [r.params.get("countrycodes") for r in stub.requests] == ["lb", "ly"]
    assert geocoder.geocode("Tripoli", country_hint="LB") == lebanon
    assert stub.count == 2


def test_not_found_is_cached(stub: NominatimStub, cache: GeocodeCache) -> None:
    geocoder = geocoder_for(stub.url, cache)
    assert geocoder.geocode("Atlantis") is None
    assert geocoder.geocode("Atlantis") is None
    assert stub.count == 1
    miss = cache.get("nominatim", "Atlantis")
    assert miss is not None and not miss.found
    assert not geocoder.offline  # a miss is an answer, not a failure


def test_new_process_answers_from_the_cache_with_the_server_stopped(tmp_path: Path) -> None:
    path = tmp_path / "geocode.sqlite"
    with NominatimStub() as server, GeocodeCache(path) as cache:
        geocoder = geocoder_for(server.url, cache)
        entry = geocoder.geocode("Damascus")
        assert geocoder.geocode("Atlantis") is None
        url = server.url
    assert entry is not None
    code = (
        "import json\n"
        "from dataclasses import asdict\n"
        "from geo.geocache import GeocodeCache\n"
        "from geo.online import OnlineGeocoder, OnlineSettings\n"
        "settings = OnlineSettings.from_env()\n"
        "assert settings.enabled\n"
        "g = OnlineGeocoder.from_settings(GeocodeCache(), settings, min_delay_seconds=0)\n"
        "hit = g.geocode('Damascus')\n"
        "miss = g.geocode('Atlantis')\n"
        "print(json.dumps({'hit': asdict(hit), 'miss': miss, 'requests': g.requests,"
        " 'offline': g.offline}))\n"
    )
    env = {**os.environ, "GEO_CACHE": str(path), "GEO_ONLINE": "1", "GEO_NOMINATIM_URL": url,
           "GEO_ONLINE_TIMEOUT": "1",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True,
                         text=True, timeout=30, check=True)
    result = json.loads(out.stdout)
    assert result == {"hit": json.loads(json.dumps(asdict(entry))), "miss": None,
                      "requests": 0, "offline": False}


# -- failures and the circuit breaker ------------------------------------------------------

def test_hanging_server_times_out_once(stub: NominatimStub, cache: GeocodeCache,
                                       caplog: pytest.LogCaptureFixture) -> None:
    stub.mode = "hang"
    geocoder = geocoder_for(stub.url, cache, timeout=0.5)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="geo.online"):
        assert geocoder.geocode("Damascus") is None
        first = time.monotonic() - started
        assert geocoder.geocode("Syria") is None
        assert geocoder.geocode("Isfahan") is None
    total = time.monotonic() - started
    assert 0.4 < first < 3.0
    assert total - first < 0.5  # the breaker answered the rest without waiting
    assert stub.count == 1
    assert geocoder.offline
    assert any("GeocoderTimedOut" in w for w in warnings_of(caplog))
    assert any("going offline" in w for w in warnings_of(caplog))
    assert cache.get("nominatim", "Damascus") is None  # failures are not cached


@pytest.mark.parametrize("mode", ["429", "500", "garbage", "bad-json"])
def test_bad_replies_give_none_a_warning_and_trip_the_breaker(
        stub: NominatimStub, cache: GeocodeCache, caplog: pytest.LogCaptureFixture,
        mode: str) -> None:
    stub.mode = mode
    geocoder = geocoder_for(stub.url, cache)
    with caplog.at_level(logging.WARNING, logger="geo.online"):
        results = [geocoder.geocode(name) for name in ("Damascus", "Syria", "Tripoli")]
    assert results == [None, None, None]
    assert stub.count == 1
    assert geocoder.offline and geocoder.failures == 1
    assert len(warnings_of(caplog)) == 2  # the failure, then going offline
    assert "'Damascus'" in warnings_of(caplog)[0]
    assert cache.count() == 0


def test_breaker_counts_failures_in_a_row(stub: NominatimStub, cache: GeocodeCache) -> None:
    geocoder = geocoder_for(stub.url, cache, max_failures=2)
    stub.mode = "500"
    assert geocoder.geocode("Damascus") is None
    stub.mode = "ok"
    assert geocoder.geocode("Syria") is not None  # resets the count
    stub.mode = "500"
    assert geocoder.geocode("Tripoli") is None
    assert not geocoder.offline
    assert geocoder.geocode("Isfahan") is None
    assert geocoder.offline
    assert geocoder.geocode("Kabul") is None
    assert stub.count == 4


def test_connection_refused(cache: GeocodeCache, caplog: pytest.LogCaptureFixture) -> None:
    geocoder = geocoder_for(f"http://127.0.0.1:{free_port()}", cache)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="geo.online"):
        assert geocoder.geocode("Damascus") is None
        assert geocoder.geocode("Syria") is None
    assert time.monotonic() - started < 3.0
    assert geocoder.offline and geocoder.requests == 1
    assert any("GeocoderUnavailable" in w for w in warnings_of(caplog))


def test_cached_answers_still_served_after_the_breaker_trips(stub: NominatimStub,
                                                             cache: GeocodeCache) -> None:
    geocoder = geocoder_for(stub.url, cache)
    damascus = geocoder.geocode("Damascus")
    stub.mode = "500"
    assert geocoder.geocode("Syria") is None
    assert geocoder.offline
    assert geocoder.geocode("Damascus") == damascus
    assert stub.count == 2


def test_offline_mode_answers_only_from_the_cache(stub: NominatimStub,
                                                  cache: GeocodeCache) -> None:
    geocoder_for(stub.url, cache).geocode("Damascus")
    offline = geocoder_for(stub.url, cache, offline=True)
    assert offline.offline
    assert offline.geocode("Damascus") is not None
    assert offline.geocode("Syria") is None
    assert stub.count == 1 and offline.requests == 0


def test_rate_limiter_spaces_requests(stub: NominatimStub, cache: GeocodeCache) -> None:
    delay = 0.25
    geocoder = geocoder_for(stub.url, cache, min_delay_seconds=delay)
    for name in ("Damascus", "Syria", "Tripoli", "Atlantis"):
        geocoder.geocode(name)
    times = [r.at for r in stub.requests]
    assert len(times) == 4
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # A few ms of slack: the limiter spaces sends; the stub stamps arrivals.
    assert min(gaps) >= delay - 0.01, gaps


def test_public_server_is_never_asked_faster_than_once_a_second(
        cache: GeocodeCache, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="geo.online"):
        geocoder = OnlineGeocoder(cache, min_delay_seconds=0.1)
    assert geocoder.url == f"https://{DEFAULT_DOMAIN}"
    assert any("one request a second" in w for w in warnings_of(caplog))


@pytest.mark.parametrize("options", [{"provider": "google"}, {"max_failures": 0},
                                     {"timeout": 0}, {"user_agent": "geopy/2.5.0"}])
def test_bad_options_raise_config_errors(cache: GeocodeCache, options: dict[str, Any]
                                         ) -> None:
    with pytest.raises(OnlineConfigError):
        OnlineGeocoder(cache, **options)


# -- settings ----------------------------------------------------------------------------

def test_settings_default_to_off_and_the_public_server() -> None:
    settings_ = OnlineSettings.from_env({})
    assert settings_ == OnlineSettings()
    assert not settings_.enabled
    assert settings_.url == f"https://{DEFAULT_DOMAIN}"
    assert settings_.user_agent.startswith("geo-conflict-mapper/")


def test_settings_from_env() -> None:
    settings_ = OnlineSettings.from_env({
        "GEO_ONLINE": "yes", "GEO_NOMINATIM_URL": "http://127.0.0.1:8080/",
        "GEO_USER_AGENT": "geo-tests/1 (ops@example.org)", "GEO_ONLINE_TIMEOUT": "2.5"})
    assert settings_ == OnlineSettings(True, "http", "127.0.0.1:8080",
                                       "geo-tests/1 (ops@example.org)", 2.5)


@pytest.mark.parametrize(("url", "expected"), [
    ("http://127.0.0.1:8080", ("http", "127.0.0.1:8080")),
    ("https://example.org/nominatim/", ("https", "example.org/nominatim")),
    ("https://example.org/nominatim/search?q=x", ("https", "example.org/nominatim")),
])
def test_service_urls(url: str, expected: tuple[str, str]) -> None:
    assert parse_service_url(url) == expected


@pytest.mark.parametrize("env", [{"GEO_ONLINE": "maybe"}, {"GEO_NOMINATIM_URL": "127.0.0.1"},
                                 {"GEO_NOMINATIM_URL": "ftp://example.org"},
                                 {"GEO_ONLINE_TIMEOUT": "soon"}, {"GEO_ONLINE_TIMEOUT": "-1"}])
def test_bad_settings_raise_config_errors(env: dict[str, str]) -> None:
    with pytest.raises(OnlineConfigError):
        OnlineSettings.from_env(env)


def test_disabled_settings_make_a_cache_only_geocoder(stub: NominatimStub,
                                                      cache: GeocodeCache) -> None:
    settings_ = OnlineSettings.from_env({"GEO_NOMINATIM_URL": stub.url})
    geocoder = OnlineGeocoder.from_settings(cache, settings_, offline=not settings_.enabled)
    assert geocoder.geocode("Damascus") is None
    assert stub.count == 0


# -- conversion --------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "feature"), [
    ({"class": "boundary", "type": "administrative", "addresstype": "country"},
     Feature.COUNTRY),
    ({"class": "boundary", "type": "administrative", "addresstype": "state"}, Feature.ADMIN),
    ({"class": "place", "type": "town", "addresstype": "town"}, Feature.CITY),
    ({"category": "place", "type": "village"}, Feature.CITY),  # jsonv2
    ({"class": "aeroway", "type": "aerodrome", "name": "Imam Khomeini Airport"},
     Feature.AIRPORT),
    ({"class": "aeroway", "type": "aerodrome", "name": "Shayrat Air Base"}, Feature.AIRBASE),
    ({"class": "military", "type": "airfield"}, Feature.AIRBASE),
    ({"class": "place", "type": "sea"}, Feature.REGION),
    ({"class": "amenity", "type": "hospital"}, Feature.OTHER),
])
def test_feature_of(raw: dict[str, str], feature: Feature) -> None:
    assert feature_of(raw) is feature


@pytest.mark.parametrize("raw", [
    [], "Damascus", {"lat": "33.5"}, {"lat": "north", "lon": "36"},
    {"lat": "95", "lon": "36", "osm_type": "node", "osm_id": 1},
    {"lat": "nan", "lon": "36", "osm_type": "node", "osm_id": 1},
    {"lat": "33.5", "lon": "36.3"},  # no object id
])
def test_unusable_results_raise_bad_reply(raw: object) -> None:
    with pytest.raises(BadReplyError):
        entry_from_nominatim(raw)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(raw=st.fixed_dictionaries(
    {}, optional={"lat": _json | st.just("33.5"), "lon": _json | st.just("36.3"),
                  "osm_type": st.sampled_from(["node", "way", "relation", "x"]) | _json,
                  "osm_id": _json | st.just(12), "place_id": _json, "class": _json,
                  "type": _json, "address": _json, "extratags": _json, "name": _json}))
def test_conversion_accepts_or_rejects_cleanly(raw: dict[str, Any]) -> None:
    try:
        entry = entry_from_nominatim(raw, "query")
    except BadReplyError:
        return
    assert -90 <= entry.lat <= 90 and -180 <= entry.lon <= 180
    assert entry.gazetteer_id.startswith("online:nominatim:")


@pytest.mark.parametrize(("online", "found_by"), [(False, "gazetteer+context"),
                                                   (True, "ner+gazetteer")])
def test_asking_online_has_the_model_read_every_word(stub: NominatimStub, tmp_path: Path,
                                                     online: bool, found_by: str) -> None:
    # Offline, a well-known place standing alone is taken without the model; online, the
    # model reads everything, so that any name it finds can be asked about.
    article = tmp_path / "a.txt"
    article.write_text("Strikes hit Syria again, officials said on Monday.", encoding="utf-8")
    env = {**os.environ, "GEO_CACHE": str(tmp_path / "geocode.sqlite"),
           "GEO_NOMINATIM_URL": stub.url, "GEO_ONLINE_TIMEOUT": "1",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "geo", "extract", str(article), "--format", "jsonl"]
    out = subprocess.run(command + (["--online"] if online else []), env=env, cwd=REPO,
                         capture_output=True, text=True, timeout=60, check=True)
    (syria,) = [r for r in map(json.loads, out.stdout.splitlines()) if r["text"] == "Syria"]
    assert syria["found_by"] == found_by
