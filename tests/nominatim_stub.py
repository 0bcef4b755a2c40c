"""A local stand-in for Nominatim's ``/search`` endpoint, for tests that must not leave
127.0.0.1.

It speaks enough of the real JSON (``format=json`` as geopy sends, ``jsonv2`` too) for a
few known names, answers ``[]`` for anything else, records every request it receives, and
can misbehave on demand: hang, answer 429 or 500, or send garbage.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

MODES = ("ok", "hang", "429", "500", "garbage", "bad-json")


def _place(place_id: int, osm_type: str, osm_id: int, lat: str, lon: str, osm_class: str,
           osm_type_tag: str, addresstype: str, name: str, display_name: str,
           address: Mapping[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "place_id": place_id,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
        "osm_type": osm_type,
        "osm_id": osm_id,
        "lat": lat,
        "lon": lon,
        "class": osm_class,
        "type": osm_type_tag,
        "place_rank": 16,
        "importance": 0.7,
        "addresstype": addresstype,
        "name": name,
        "display_name": display_name,
        "address": dict(address),
        "boundingbox": [str(float(lat) - 0.1), str(float(lat) + 0.1),
                        str(float(lon) - 0.1), str(float(lon) + 0.1)],
        **extra,
    }


# Fake ids, real-looking shapes. Keys are the lower-cased query.
PLACES: dict[str, list[dict[str, Any]]] = {
    "damascus": [_place(
        101, "relation", 5351548, "33.5130695", "36.3095814", "boundary", "administrative",
        "city", "Damascus", "Damascus, Damascus Governorate, Syria",
        {"city": "Damascus", "state": "Damascus Governorate", "country": "Syria",
         "country_code": "sy"},
        extratags={"population": "2079000", "wikidata": "Q3766"})],
    "hmeimim air base": [_place(
        102, "way", 404155360, "35.4011", "35.9486", "military", "airfield", "military",
        "Hmeimim Air Base", "Hmeimim Air Base, Jableh, Latakia Governorate, Syria",
        {"military": "Hmeimim Air Base", "state": "Latakia Governorate", "country": "Syria",
         "country_code": "sy"})],
    "syria": [_place(
        103, "relation", 184840, "34.6401861", "39.0494106", "boundary", "administrative",
        "country", "Syria", "Syria", {"country": "Syria", "country_code": "sy"})],
    "tripoli": [
        _place(104, "node", 30720311, "32.896672", "13.1777923", "place", "city", "city",
               "Tripoli", "Tripoli, Tripolitania, Libya",
               {"city": "Tripoli", "state": "Tripolitania", "country": "Libya",
                "country_code": "ly"}),
        _place(105, "node", 276383035, "34.4367", "35.8497", "place", "city", "city",
               "Tripoli", "Tripoli, North Governorate, Lebanon",
               {"city": "Tripoli", "state": "North Governorate", "country": "Lebanon",
                "country_code": "lb"}),
    ],
}


@dataclass(frozen=True)
class StubRequest:
    """One request as the stub saw it."""

    at: float  # time.monotonic() on arrival
    path: str
    params: dict[str, str]
    user_agent: str


class NominatimStub:
    """A threaded HTTP server on 127.0.0.1 (a free port) playing Nominatim."""

    def __init__(self, places: Mapping[str, list[dict[str, Any]]] | None = None) -> None:
        self.places = dict(PLACES if places is None else places)
        self.mode = "ok"
        self.hang_seconds = 10.0
        self.requests: list[StubRequest] = []
        self._lock = threading.Lock()
        self._release = threading.Event()  # ends hanging requests at stop()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the port (later connections are refused)."""
        self._release.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def answer(self, params: Mapping[str, str]) -> list[dict[str, Any]]:
        """What Nominatim would answer for these query parameters."""
        found = self.places.get(params.get("q", "").strip().lower(), [])
        codes = {c.strip().lower() for c in params.get("countrycodes", "").split(",") if c}
        if codes:
            found = [p for p in found if p["address"].get("country_code") in codes]
        if params.get("format") == "jsonv2":
            found = [{("category" if k == "class" else k): v for k, v in p.items()}
                     for p in found]
        return found[: int(params.get("limit", "10") or 10)]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                with stub._lock:
                    stub.requests.append(StubRequest(time.monotonic(), parts.path, params,
                                                     self.headers.get("User-Agent", "")))
                    mode = stub.mode
                if parts.path not in {"/search", "/search.php", "/search/"}:
                    self._send(404, b'{"error": "unknown endpoint"}')
                elif mode == "hang":
                    stub._release.wait(stub.hang_seconds)
                    self._send(200, b"[]")
                elif mode == "429":
                    self._send(429, b"<html>Too Many Requests</html>", "text/html",
                               {"Retry-After": "60"})
                elif mode == "500":
                    self._send(500, b"<html>Internal Server Error</html>", "text/html")
                elif mode == "garbage":
                    self._send(200, b"<html><body>captive portal</body></html>", "text/html")
                elif mode == "bad-json":
                    self._send(200, b'[{"lat": "north", "lon": null, "osm_id": "x"}]')
                else:
                    self._send(200, json.dumps(stub.answer(params)).encode())

            def _send(self, status: int, body: bytes, content_type: str = "application/json",
                      headers: Mapping[str, str] | None = None) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (timeout tests)

        return Handler


@contextmanager
def running_stub(**kwargs: Any) -> Iterator[NominatimStub]:
    """A started stub, stopped on exit."""
    stub = NominatimStub(**kwargs).start()
    try:
        yield stub
    finally:
        stub.stop()
