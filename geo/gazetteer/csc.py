"""Reader of the countries-states-cities database as ``countrystatecity-countries`` ships it.

Only its JSON files are read (no pydantic models): ``countries.json`` for a country point
where Natural Earth has none, ``by-country/<ISO2>/states.json`` for first-level divisions,
which carry a point (``latitude``/``longitude``) and the ISO 3166-2 code.
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

PACKAGE = "countrystatecity_countries"


def _data() -> Traversable:
    return resources.files(PACKAGE).joinpath("data")


def read_countries() -> list[dict[str, Any]]:
    """The database's country records."""
    with _data().joinpath("countries.json").open("rb") as handle:
        countries: list[dict[str, Any]] = json.load(handle)
    return countries


def read_states() -> list[dict[str, Any]]:
    """Every country's first-level division records, in country order."""
    states: list[dict[str, Any]] = []
    by_country = _data().joinpath("by-country")
    for folder in sorted(by_country.iterdir(), key=lambda f: f.name):
        path = folder.joinpath("states.json")
        if path.is_file():
            with path.open("rb") as handle:
                states.extend(json.load(handle))
    return states


def point(record: dict[str, Any]) -> tuple[float, float] | None:
    """A record's ``(lat, lon)``, or None where the database leaves it blank."""
    try:
        return float(record["latitude"]), float(record["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
