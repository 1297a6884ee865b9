"""Core values <-> JSON for the store: events (and the values inside them) and contact
snapshots, by their type hints.

Invariants:
- decode(encode(x)) == x for every core event and every contact (property tests prove it).
- The stored form is plain JSON: datetimes as ISO 8601 with offset, dates as ISO dates,
  sets as sorted lists, enums as their values; the event's class name is its type tag.
- An unknown type tag or a malformed payload raises StoreError naming the event, never a
  half-decoded value. A snapshot in another format than `SNAPSHOT_FORMAT` decodes to None
  (the caller replays the contact's log instead).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import Enum
from functools import cache
from typing import Any

from followthru.core import events
from followthru.core.model import Contact
from followthru.errors import StoreError

EVENT_TYPES: dict[str, type[Any]] = {cls.__name__: cls for cls in typing.get_args(events.Event)}
SNAPSHOT_FORMAT = 2
"""Bump when `Contact` changes shape: older snapshots are then ignored and logs replayed."""


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


def encode_contact(contact: Contact) -> dict[str, Any]:
    """A contact snapshot as JSON-ready values, tagged with its format."""
    fields = {  # a field at its default is left out (most are): smaller rows, faster reads
        f.name: _encode(value)
        for f in dataclasses.fields(contact)
        if (value := getattr(contact, f.name)) != f.default
    }
    return {"format": SNAPSHOT_FORMAT, "contact": fields}


def decode_contact(data: dict[str, Any]) -> Contact | None:
    """The contact of a snapshot; None for another format; StoreError when malformed."""
    if data.get("format") != SNAPSHOT_FORMAT:
        return None
    try:
        return typing.cast(Contact, _decode(Contact, data["contact"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"a malformed contact snapshot: {exc}") from exc


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
    return typing.get_type_hints(cls)  # in the module that defines the class


def _decode(hint: Any, value: Any) -> Any:
    return _decoder(hint)(value)


Decoder = Callable[[Any], Any]


@cache
def _decoder(hint: Any) -> Decoder:
    """A function that decodes JSON values of type `hint`, built once per type."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        inner = _decoder(next(a for a in typing.get_args(hint) if a is not type(None)))
        return lambda value: None if value is None else inner(value)
    plain = _plain_decoder(hint)

    def required(value: Any) -> Any:
        if value is None:
            raise ValueError(f"a value of type {hint} is missing")
        return plain(value)

    return required


def _plain_decoder(hint: Any) -> Decoder:
    origin = typing.get_origin(hint)
    if origin is frozenset:
        item = _decoder(typing.get_args(hint)[0])
        return lambda value: frozenset(item(v) for v in value)
    if origin is tuple:
        item = _decoder(typing.get_args(hint)[0])
        return lambda value: tuple(item(v) for v in value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        cls, fields = hint, {k: _decoder(h) for k, h in _hints(hint).items()}
        return lambda value: cls(**{k: fields[k](v) for k, v in value.items()})
    return _scalar_decoder(getattr(hint, "__supertype__", hint))


def _scalar_decoder(hint: Any) -> Decoder:
    if hint is datetime:
        return _moment
    if hint is date:
        return date.fromisoformat
    if isinstance(hint, type) and issubclass(hint, Enum):
        return typing.cast(Decoder, hint)
    if hint in (str, int, bool):

        def checked(value: Any) -> Any:
            if not isinstance(value, hint):
                raise TypeError(f"{value!r} is not a {hint.__name__}")
            return value

        return checked
    return lambda value: value


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"naive time {value!r}")
    return moment


def utc(moment: datetime) -> str:
    """How the store writes a time: ISO 8601 in UTC, so that text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime reached the store")
    return moment.astimezone(UTC).isoformat()


def utc_now() -> str:
    """The time a row is written (bookkeeping columns: recorded_at, seen_at, updated_at)."""
    return datetime.now(UTC).isoformat()
