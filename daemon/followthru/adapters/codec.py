"""Core values <-> JSON for the store: events (and the values inside them) by their type hints.

Invariants:
- decode(encode(x)) == x for every core event (a property test proves it).
- The stored form is plain JSON: datetimes as ISO 8601 with offset, dates as ISO dates,
  sets as sorted lists, enums as their values; the event's class name is its type tag.
- An unknown type tag or a malformed payload raises StoreError naming the event, never a
  half-decoded value.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any

from ..core import events
from ..errors import StoreError

EVENT_TYPES: dict[str, type[Any]] = {cls.__name__: cls for cls in typing.get_args(events.Event)}


def encode_event(event: events.Event) -> tuple[str, dict[str, Any]]:
    """The event's type tag and its fields as JSON-ready values."""
    return type(event).__name__, _encode(event)


def decode_event(tag: str, data: dict[str, Any]) -> events.Event:
    """The event stored under `tag`; raises StoreError when it cannot be read."""
    cls = EVENT_TYPES.get(tag)
    if cls is None:
        raise StoreError(f"the event log holds an unknown event type {tag!r}")
    try:
        return typing.cast(events.Event, _decode(cls, data))
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"the event log holds a malformed {tag} event: {exc}") from exc


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(_encode(v) for v in value)
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    return value


@cache
def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(events))


def _decode(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _decode_optional(hint, value)
    if value is None:
        raise ValueError(f"a value of type {hint} is missing")
    if origin is frozenset:
        return frozenset(_decode(typing.get_args(hint)[0], v) for v in value)
    if origin is tuple:
        return tuple(_decode(typing.get_args(hint)[0], v) for v in value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        return hint(**{k: _decode(hints[k], v) for k, v in value.items()})
    return _scalar(getattr(hint, "__supertype__", hint), value)


def _decode_optional(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    inner = [a for a in typing.get_args(hint) if a is not type(None)]
    return _decode(inner[0], value)


def _scalar(hint: Any, value: Any) -> Any:
    if hint is datetime:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(f"naive time {value!r}")
        return moment
    if hint is date:
        return date.fromisoformat(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if hint in (str, int, bool) and not isinstance(value, hint):
        raise TypeError(f"{value!r} is not a {hint.__name__}")
    return value
