"""Core events survive the store: decode(encode(event)) == event, for every event type."""

from __future__ import annotations

import json
import typing
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followthru.adapters.store.codec import EVENT_TYPES, decode_event, encode_event
from followthru.core import events
from followthru.core.model import ContactId
from followthru.errors import StoreError

aware = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),  # noqa: DTZ001  (hypothesis wants naive bounds)
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))]),
)  # fmt: skip
st.register_type_strategy(datetime, aware)
st.register_type_strategy(ContactId, st.integers(1, 10**6).map(lambda n: ContactId(str(n))))  # type: ignore[arg-type]
any_event = st.one_of(*(st.builds(cls) for cls in typing.get_args(events.Event)))


def test_every_event_type_has_a_tag() -> None:
    assert set(EVENT_TYPES) == {cls.__name__ for cls in typing.get_args(events.Event)}


@settings(max_examples=500)
@given(any_event)
def test_events_round_trip_through_json(event: events.Event) -> None:
    tag, data = encode_event(event)
    assert decode_event(tag, json.loads(json.dumps(data))) == event


def test_unknown_and_malformed_events_are_store_errors() -> None:
    with pytest.raises(StoreError, match="unknown event type 'Gone'"):
        decode_event("Gone", {})
    with pytest.raises(StoreError, match="malformed TimerFired"):
        decode_event("TimerFired", {"at": "not a time"})
    with pytest.raises(StoreError, match="malformed TimerFired"):
        decode_event("TimerFired", {"at": "2026-03-02T14:00:00"})  # naive
