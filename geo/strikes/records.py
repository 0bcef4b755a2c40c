"""Incidents as flat records: what ``python -m geo events`` prints (JSONL, CSV, GeoJSON)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from typing import Any, TextIO

from geo.spreadsheet import spreadsheet_text
from geo.strikes.events import EventPlace
from geo.strikes.incidents import Incident

CSV_FIELDS = ("incident", "actor", "actor_country", "means", "origin", "origin_lat",
              "origin_lon", "targets", "target_lat", "target_lon", "place_precision",
              "dates", "date_precision", "approximate", "sources", "docs", "confidence",
              "evidence")


def _place(place: EventPlace) -> dict[str, Any]:
    entry = place.entry
    return {"name": entry.name, "text": place.text, "lat": round(entry.lat, 5),
            "lon": round(entry.lon, 5), "gazetteer_id": entry.gazetteer_id,
            "country": entry.country, "feature": entry.feature.value,
            "precision": place.precision.value, "approximate": place.approximate}


def incident_record(number: int, incident: Incident) -> dict[str, Any]:
    """One incident as the record ``events --format jsonl`` prints."""
    return {
        "incident": number,
        "actor": list(incident.actors),
        "actor_country": list(incident.actor_countries),
        "means": list(incident.means),
        "origins": [_place(p) for p in incident.origins],
        "targets": [_place(p) for p in incident.targets],
        "dates": [d.isoformat() for d in incident.dates],
        "date_precision": incident.date_precision,
        "approximate": incident.approximate,
        "sources": list(incident.sources),
        "docs": list(incident.docs),
        "reports": len(incident.events),
        "confidence": incident.confidence,
        "evidence": list(dict.fromkeys(e.sentence for e in incident.evidence)),
    }


def _csv_row(record: dict[str, Any]) -> dict[str, str]:
    origin = record["origins"][0] if record["origins"] else None
    target = record["targets"][0] if record["targets"] else None
    row = {
        "incident": record["incident"], "actor": record["actor"],
        "actor_country": record["actor_country"], "means": record["means"],
        "origin": [o["name"] for o in record["origins"]],
        "origin_lat": origin["lat"] if origin else "", "origin_lon": origin["lon"] if origin
        else "", "targets": [t["name"] for t in record["targets"]],
        "target_lat": target["lat"] if target else "",
        "target_lon": target["lon"] if target else "",
        "place_precision": [t["precision"] for t in record["targets"]],
        "dates": record["dates"], "date_precision": record["date_precision"],
        "approximate": record["approximate"], "sources": record["sources"],
        "docs": record["docs"], "confidence": record["confidence"],
        "evidence": record["evidence"],
    }
    return {key: spreadsheet_text(value) for key, value in row.items()}


def incidents_geojson(incidents: Sequence[Incident]) -> dict[str, Any]:
    """A FeatureCollection (RFC 7946): each incident's struck places as a MultiPoint, and
    one line per origin to each target."""
    features: list[dict[str, Any]] = []
    for number, incident in enumerate(incidents, start=1):
        record = incident_record(number, incident)
        properties = {k: v for k, v in record.items() if k not in ("origins", "targets")}
        properties["targets"] = [t["name"] for t in record["targets"]]
        features.append({"type": "Feature", "properties": {**properties, "kind": "struck"},
                         "geometry": {"type": "MultiPoint", "coordinates": [
                             [t["lon"], t["lat"]] for t in record["targets"]]}})
        for origin in record["origins"]:
            for target in record["targets"]:
                features.append({"type": "Feature", "properties": {
                    **properties, "kind": "origin", "origin": origin["name"],
                    "origin_approximate": origin["approximate"], "target": target["name"]},
                    "geometry": {"type": "LineString", "coordinates": [
                        [origin["lon"], origin["lat"]], [target["lon"], target["lat"]]]}})
    return {"type": "FeatureCollection", "features": features}


def write_incidents(incidents: Sequence[Incident], fmt: str, out: TextIO) -> None:
    """Write the incidents in ``fmt``: jsonl, csv or geojson."""
    if fmt == "geojson":
        out.write(json.dumps(incidents_geojson(incidents), ensure_ascii=False, indent=1) + "\n")
        return
    records = [incident_record(n, inc) for n, inc in enumerate(incidents, start=1)]
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(CSV_FIELDS))
        writer.writeheader()
        writer.writerows(_csv_row(r) for r in records)
        return
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
