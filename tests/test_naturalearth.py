"""Natural Earth's countries: the WKB cache gives what the shapefile gives, and only then."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo import naturalearth


def test_the_cache_gives_the_shapefile_s_countries(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(naturalearth, "CACHE_PATH", tmp_path / "admin0.json")
    parsed = naturalearth._read_shapefile()
    stamp = naturalearth._source_stamp()
    assert naturalearth._read_cache(stamp) is None  # nothing written yet
    naturalearth._write_cache(parsed, stamp)
    cached = naturalearth._read_cache(stamp)
    assert cached is not None and len(cached) == len(parsed) > 200
    for a, b in zip(cached, parsed, strict=True):
        assert (a.iso2, a.name, a.names, a.label_point) == (b.iso2, b.name, b.names,
                                                            b.label_point)
        assert a.geometry.equals_exact(b.geometry, 0)
    assert naturalearth._read_cache("another shapefile") is None
    data = json.loads((tmp_path / "admin0.json").read_text(encoding="utf-8"))
    data["countries"][0]["wkb"] = "not base64 WKB"
    (tmp_path / "admin0.json").write_text(json.dumps(data), encoding="utf-8")
    assert naturalearth._read_cache(stamp) is None  # a damaged cache is read around
