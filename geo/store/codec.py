"""The pipeline's frozen dataclasses to JSON and back, for the analysis store.

Only dataclasses and enums defined in ``geo`` are rebuilt, by name: a store file is data, and
reading one never runs code from it (as unpickling would). Tuples stay tuples and dates
dates, so a value read back equals the value written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import importlib
import json
from typing import Any

_TYPE, _ENUM, _DATE, _TUPLE = "__t", "__e", "__d", "__tuple"


class CodecError(ValueError):
    """A stored value names a type this version of geo does not have."""


def encode(value: Any) -> str:
    """A value of the pipeline's types as a JSON text."""
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Any:
    """The value ``encode`` wrote."""
    return _rebuild(json.loads(text))


def _qualname(kind: type) -> str:
    return f"{kind.__module__}:{kind.__qualname__}"


_SCALARS = frozenset({str, int, float, bool, type(None)})
# Per dataclass: its stored name and field names, worked out once (a store holds millions).
_LAYOUTS: dict[type, tuple[str, tuple[str, ...]]] = {}
_ENUMS: dict[type, str] = {}  # per enum: its stored name


def _layout(kind: type) -> tuple[str, tuple[str, ...]]:
    layout = _LAYOUTS.get(kind)
    if layout is None:
        layout = _LAYOUTS[kind] = (_qualname(kind),
                                   tuple(f.name for f in dataclasses.fields(kind)))
    return layout


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    layout = _LAYOUTS.get(kind)
    if layout is not None:
        name, names = layout
        data = {n: _plain(getattr(value, n)) for n in names}
        data[_TYPE] = name
        return data
    if kind is tuple:
        return {_TUPLE: [_plain(v) for v in value]}
    enum_name = _ENUMS.get(kind)
    if enum_name is not None:
        return {_ENUM: enum_name, "v": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        _layout(kind)
        return _plain(value)
    if isinstance(value, enum.Enum):
        _ENUMS[kind] = _qualname(kind)
        return _plain(value)
    if isinstance(value, dt.date):  # datetime is a date too; store the date alone
        return {_DATE: value.isoformat()[:10]}
    if isinstance(value, tuple):
        return {_TUPLE: [_plain(v) for v in value]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (frozenset, set)):
        return {_TUPLE: sorted(_plain(v) for v in value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


@functools.cache
def _type(name: str) -> type:
    module, _, qualname = name.partition(":")
    if module != "geo" and not module.startswith("geo."):
        raise CodecError(f"stored type {name!r} is not one of geo's")
    try:
        found: Any = importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as error:
        raise CodecError(f"stored type {name!r} is unknown to this version of geo") from error
    if not isinstance(found, type):
        raise CodecError(f"stored type {name!r} is not a type")
    return found


@functools.cache
def _init_names(kind: type) -> frozenset[str]:
    if not dataclasses.is_dataclass(kind):
        raise CodecError(f"stored type {_qualname(kind)!r} is not a dataclass")
    return frozenset(f.name for f in dataclasses.fields(kind) if f.init)


def _rebuild(value: Any) -> Any:
    if isinstance(value, list):
        return [_rebuild(v) for v in value]
    if not isinstance(value, dict):
        return value
    if _TYPE in value:
        kind = _type(value[_TYPE])
        names = _init_names(kind)
        return kind(**{k: _rebuild(v) for k, v in value.items() if k in names})
    if _TUPLE in value:
        return tuple(_rebuild(v) for v in value[_TUPLE])
    if _ENUM in value:
        kind = _type(value[_ENUM])
        if not issubclass(kind, enum.Enum):
            raise CodecError(f"stored type {value[_ENUM]!r} is not an enum")
        return kind(value["v"])
    if _DATE in value:
        return dt.date.fromisoformat(value[_DATE])
    return {k: _rebuild(v) for k, v in value.items()}
