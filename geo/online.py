"""The opt-in online geocoder: Nominatim through geopy, behind the persistent cache.

Off by default (``GEO_ONLINE=1`` turns it on). Every answer, "not found" included, goes
into ``GeocodeCache`` so a later offline run gives the same places without a network.
Network trouble never reaches the caller: a failed lookup logs a warning and returns
``None`` so the offline answer stands, and after ``max_failures`` failures in a row the
geocoder stops asking for the rest of the run, so a dead network costs one bounded wait
rather than one per mention. Requests are spaced by geopy's ``RateLimiter`` (one a second
by default, as the OSM Nominatim usage policy asks).
"""

from __future__ import annotations

import functools
import logging
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from geopy.adapters import BaseAdapter, RequestsAdapter, URLLibAdapter
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from geo import __version__
from geo.geocache import GeocodeCache, country_hint_key
from geo.models import Feature, GazetteerEntry
from geo.normalize import name_key

log = logging.getLogger(__name__)

PROVIDER = "nominatim"
DEFAULT_DOMAIN = "nominatim.openstreetmap.org"
DEFAULT_USER_AGENT = f"geo-conflict-mapper/{__version__} (+contact in README)"
DEFAULT_TIMEOUT = 5.0
# The public server allows one request a second; local servers may be asked faster.
PUBLIC_MIN_DELAY = 1.0
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


class OnlineError(Exception):
    """Root of the online geocoder's errors."""


class OnlineConfigError(OnlineError, ValueError):
    """A setting of the online geocoder (argument or environment variable) is invalid."""


class BadReplyError(OnlineError, ValueError):
    """The provider answered something that is not a usable place."""


# -- Nominatim JSON -> GazetteerEntry -----------------------------------------------------

_CITY_TYPES = frozenset({"city", "town", "village", "hamlet", "suburb", "city_district",
                         "municipality", "borough", "quarter", "neighbourhood", "locality",
                         "isolated_dwelling"})
_ADMIN_TYPES = frozenset({"state", "province", "state_district", "county", "district",
                          "governorate"})
_REGION_TYPES = frozenset({"continent", "region", "sea", "ocean", "strait", "bay", "gulf",
                           "peninsula", "archipelago", "desert", "valley", "mountain_range"})
_AIRPORT_TYPES = frozenset({"aerodrome", "airport", "airfield", "airstrip"})
_AIRBASE_WORDS = ("air base", "airbase", "air force", "military")


def feature_of(raw: Mapping[str, Any]) -> Feature:
    """Our feature class for a Nominatim result, from its class/type/addresstype."""
    # format=json says "class", format=jsonv2 says "category".
    osm_class = str(raw.get("class") or raw.get("category") or "").lower()
    osm_type = str(raw.get("type") or "").lower()
    address_type = str(raw.get("addresstype") or "").lower()
    name = str(raw.get("name") or raw.get("display_name") or "").lower()
    if "country" in (osm_type, address_type):
        return Feature.COUNTRY
    if osm_class == "military" and osm_type in {"airfield", "base"}:
        return Feature.AIRBASE
    if osm_class == "aeroway" and osm_type in _AIRPORT_TYPES | {"military"}:
        military = osm_type == "military" or any(w in name for w in _AIRBASE_WORDS)
        return Feature.AIRBASE if military else Feature.AIRPORT
    if address_type in _CITY_TYPES or (osm_class == "place" and osm_type in _CITY_TYPES):
        return Feature.CITY
    if address_type in _ADMIN_TYPES or (osm_class == "boundary" and osm_type == "administrative"):
        return Feature.ADMIN
    if address_type in _REGION_TYPES or osm_type in _REGION_TYPES:
        return Feature.REGION
    return Feature.OTHER


def _coordinate(raw: Mapping[str, Any], field: str, limit: float) -> float:
    try:
        value = float(raw[field])
    except (KeyError, TypeError, ValueError) as err:
        raise BadReplyError(f"no usable {field!r} in the reply") from err
    if not math.isfinite(value) or abs(value) > limit:
        raise BadReplyError(f"{field!r} out of range: {value}")
    return value


def _population(raw: Mapping[str, Any]) -> int:
    tags = raw.get("extratags")
    text = str(tags.get("population") or "") if isinstance(tags, Mapping) else ""
    digits = text.replace(",", "").replace(" ", "")
    return int(digits) if digits.isdigit() else 0


def gazetteer_id_of(raw: Mapping[str, Any], provider: str = PROVIDER) -> str:
    """``online:nominatim:R184818``: the OSM object, with OSM's N/W/R type letter."""
    osm_type = str(raw.get("osm_type") or "").strip().lower()
    osm_id = str(raw.get("osm_id") or "").strip()
    if osm_type[:1] in {"n", "w", "r"} and osm_id.isdigit():
        return f"online:{provider}:{osm_type[0].upper()}{osm_id}"
    # place_id is local to one Nominatim install, but beats no id at all.
    place_id = str(raw.get("place_id") or "").strip()
    if place_id.isdigit():
        return f"online:{provider}:place{place_id}"
    raise BadReplyError("the reply names no OSM object")


def entry_from_nominatim(raw: object, query: str = "", provider: str = PROVIDER,
                         ) -> GazetteerEntry:
    """One Nominatim result (JSON object) as a gazetteer entry; ``BadReplyError`` if unusable."""
    if not isinstance(raw, Mapping):
        raise BadReplyError(f"expected a JSON object, got {type(raw).__name__}")
    lat = _coordinate(raw, "lat", 90.0)
    lon = _coordinate(raw, "lon", 180.0)
    display = str(raw.get("display_name") or "")
    name = str(raw.get("name") or "").strip() or display.split(",")[0].strip() or query
    address = raw.get("address")
    address = address if isinstance(address, Mapping) else {}
    country = str(address.get("country_code") or "").strip().upper()
    return GazetteerEntry(
        gazetteer_id=gazetteer_id_of(raw, provider),
        name=name,
        lat=lat,
        lon=lon,
        country=country if len(country) == 2 and country.isalpha() else "",
        feature=feature_of(raw),
        population=_population(raw),
        admin1=str(address.get("state") or address.get("province") or ""),
        source=provider,
    )


# -- settings ----------------------------------------------------------------------------

def _env_flag(environ: Mapping[str, str], var: str) -> bool:
    value = environ.get(var, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise OnlineConfigError(f"{var}={environ[var]!r}: expected 1/0, true/false, yes/no, on/off")


def parse_service_url(url: str) -> tuple[str, str]:
    """``(scheme, domain)`` for geopy from a Nominatim base URL such as
    ``http://127.0.0.1:8080`` or ``https://example.org/nominatim``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise OnlineConfigError(f"not an http(s) base URL of a Nominatim server: {url!r}")
    path = parts.path.rstrip("/")
    # People paste the endpoint; geopy adds /search itself.
    for endpoint in ("/search", "/search.php"):
        path = path.removesuffix(endpoint)
    return parts.scheme, parts.netloc + path


@dataclass(frozen=True)
class OnlineSettings:
    """How (and whether) to geocode online; see ``from_env`` for the variables."""

    enabled: bool = False
    scheme: str = "https"
    domain: str = DEFAULT_DOMAIN
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = DEFAULT_TIMEOUT

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.domain}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> OnlineSettings:
        """Read ``GEO_ONLINE`` (opt-in, default off), ``GEO_NOMINATIM_URL``,
        ``GEO_USER_AGENT`` and ``GEO_ONLINE_TIMEOUT`` (seconds)."""
        env = os.environ if environ is None else environ
        scheme, domain = "https", DEFAULT_DOMAIN
        if env.get("GEO_NOMINATIM_URL", "").strip():
            scheme, domain = parse_service_url(env["GEO_NOMINATIM_URL"])
        timeout = DEFAULT_TIMEOUT
        if env.get("GEO_ONLINE_TIMEOUT", "").strip():
            try:
                timeout = float(env["GEO_ONLINE_TIMEOUT"])
            except ValueError as err:
                raise OnlineConfigError(
                    f"GEO_ONLINE_TIMEOUT={env['GEO_ONLINE_TIMEOUT']!r} is not a number") from err
            if not (math.isfinite(timeout) and timeout > 0):
                raise OnlineConfigError(f"GEO_ONLINE_TIMEOUT must be > 0, got {timeout}")
        return cls(
            enabled=_env_flag(env, "GEO_ONLINE"),
            scheme=scheme,
            domain=domain,
            user_agent=env.get("GEO_USER_AGENT", "").strip() or DEFAULT_USER_AGENT,
            timeout=timeout,
        )


# -- the geocoder ------------------------------------------------------------------------

def _adapter_factory() -> Callable[..., BaseAdapter]:
    """geopy's HTTP adapter without transport retries.

    geopy's requests adapter retries twice by default, which would triple the wait on a
    dead server and hit a struggling one again; the circuit breaker decides instead.
    """
    if RequestsAdapter.is_available:
        return functools.partial(RequestsAdapter, max_retries=0)
    return URLLibAdapter  # urllib never retries


class OnlineGeocoder:
    """Nominatim lookups through the cache, with rate limiting and a circuit breaker."""

    def __init__(self, cache: GeocodeCache, *, provider: str = PROVIDER,
                 user_agent: str = DEFAULT_USER_AGENT, domain: str = DEFAULT_DOMAIN,
                 scheme: str = "https", timeout: float = DEFAULT_TIMEOUT,
                 min_delay_seconds: float = PUBLIC_MIN_DELAY, max_failures: int = 1,
                 offline: bool = False) -> None:
        if provider != PROVIDER:
            raise OnlineConfigError(f"unknown geocoding provider {provider!r}")
        if max_failures < 1:
            raise OnlineConfigError(f"max_failures must be >= 1, got {max_failures}")
        if timeout <= 0 or min_delay_seconds < 0:
            raise OnlineConfigError("timeout must be > 0 and min_delay_seconds >= 0")
        domain = domain.strip("/")
        if domain == DEFAULT_DOMAIN and min_delay_seconds < PUBLIC_MIN_DELAY:
            log.warning("the public Nominatim allows one request a second; "
                        "raising min_delay_seconds from %s to %s",
                        min_delay_seconds, PUBLIC_MIN_DELAY)
            min_delay_seconds = PUBLIC_MIN_DELAY
        self.cache = cache
        self.provider = provider
        self.url = f"{scheme}://{domain}"
        self.timeout = timeout
        self.max_failures = max_failures
        self.failures = 0  # in a row; a success resets it
        self.requests = 0
        self._forced_offline = offline
        self._tripped = False
        options: dict[str, Any] = {}
        if urlsplit(self.url).hostname in _LOOPBACK_HOSTS:
            # geopy ignores NO_PROXY, so a system proxy would swallow a local server.
            options["proxies"] = {}
        try:
            self._client = Nominatim(user_agent=user_agent, domain=domain, scheme=scheme,
                                     timeout=timeout, adapter_factory=_adapter_factory(),
                                     **options)
        except GeopyError as err:  # e.g. a sample user agent the public server rejects
            raise OnlineConfigError(str(err)) from err
        # No retries: a failure feeds the circuit breaker instead of waiting again.
        self._limited = RateLimiter(self._client.geocode, min_delay_seconds=min_delay_seconds,
                                    max_retries=0, error_wait_seconds=min_delay_seconds,
                                    swallow_exceptions=False)

    @classmethod
    def from_settings(cls, cache: GeocodeCache, settings: OnlineSettings, *,
                      offline: bool = False, **options: Any) -> OnlineGeocoder:
        """A geocoder for ``settings``' server. Whether to go online is the caller's call
        (``settings.enabled`` or a ``--online`` flag): pass ``offline=True`` for cache-only."""
        return cls(cache, user_agent=settings.user_agent, domain=settings.domain,
                   scheme=settings.scheme, timeout=settings.timeout, offline=offline,
                   **options)

    def __repr__(self) -> str:
        return f"OnlineGeocoder({self.url!r}, offline={self.offline})"

    @property
    def offline(self) -> bool:
        """True when only the cache answers: asked to, or after too many failures."""
        return self._forced_offline or self._tripped

    def geocode(self, name: str, *, country_hint: str | None = None) -> GazetteerEntry | None:
        """The place a name stands for, from the cache or else online; None when unknown,
        or when the service could not be asked (then a warning is logged)."""
        query = name.strip()
        if not name_key(query):
            return None
        hint = country_hint_key(country_hint)
        cached = self.cache.get(self.provider, query, hint)
        if cached is not None:
            return cached.entry
        if self.offline:
            return None
        return self._ask(query, hint)

    def _ask(self, query: str, hint: str) -> GazetteerEntry | None:
        self.requests += 1
        codes = [hint.lower()] if len(hint) == 2 else None
        try:
            location = self._limited(query, exactly_one=True, addressdetails=True,
                                     extratags=True, language="en", country_codes=codes)
            entry = None if location is None else entry_from_nominatim(
                location.raw, query, self.provider)
        # geopy raises GeopyError for transport and HTTP trouble; odd JSON makes its parser
        # fail with builtin errors instead, and ours raises BadReplyError.
        except (GeopyError, BadReplyError, TypeError, ValueError, AttributeError, KeyError,
                IndexError) as err:
            self._failed(query, err)
            return None
        self.failures = 0
        raw = None if location is None else location.raw
        self.cache.put(self.provider, query, hint, entry, raw)
        if entry is None:
            log.info("%s: no place named %r", self.provider, query)
        return entry

    def _failed(self, query: str, err: Exception) -> None:
        self.failures += 1
        log.warning("%s at %s: lookup of %r failed (%s: %s); keeping the offline answer",
                    self.provider, self.url, query, type(err).__name__, err)
        if self.failures >= self.max_failures and not self._tripped:
            self._tripped = True
            log.warning("%s at %s: %d failure(s) in a row, going offline for the rest of "
                        "the run (cached answers still used)", self.provider, self.url,
                        self.failures)
