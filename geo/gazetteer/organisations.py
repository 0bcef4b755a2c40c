"""Forces, ministries and commands that are never places: ``data/organisations.csv``.

"Royal Air Force" is a keyword of RAF stations in OurAirports and "MoD" an alternate name
of Maud, Oklahoma in GeoNames; in the news both name an organisation. The extractor
refuses a mention whose whole name is one of these (``name,kind,source``; ``kind`` is
``force`` or ``ministry``). The file is small and read at run time, not built in.
"""

from __future__ import annotations

import functools
from pathlib import Path

from geo.gazetteer.curated import read_rows
from geo.gazetteer.paths import DATA_DIR
from geo.gazetteer.records import CuratedDataError
from geo.normalize import name_key

ORGANISATIONS = DATA_DIR / "organisations.csv"
COLUMNS = ("name", "kind", "source")
KINDS = frozenset({"force", "ministry"})


def read_organisations(path: Path) -> frozenset[str]:
    """The ``name_key`` of every organisation of ``path``; a bad row names file and line."""
    keys: set[str] = set()
    for number, row in read_rows(path, COLUMNS):
        if row["kind"] not in KINDS:
            raise CuratedDataError(f"{path}:{number}: kind {row['kind']!r} is not one of "
                                   f"{sorted(KINDS)}")
        keys.add(name_key(row["name"]))
    return frozenset(keys)


@functools.cache
def organisation_keys() -> frozenset[str]:
    """The keys of ``data/organisations.csv`` (empty when the file is absent)."""
    if not ORGANISATIONS.is_file():
        return frozenset()
    return read_organisations(ORGANISATIONS)
