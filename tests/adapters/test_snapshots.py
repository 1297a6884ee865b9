"""Contact snapshots: the folded contact kept beside its event log, so that listing and
planning read one row per contact instead of replaying every log."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followthru.adapters.store import Store
from followthru.adapters.store.codec import (
    SNAPSHOT_FORMAT,
    decode_contact,
    encode_contact,
    encode_event,
)
from followthru.adapters.store.db import _statements
from followthru.adapters.store.migrations import MIGRATIONS, V1
from followthru.config import load_config
from followthru.core.events import ContactAdded
from followthru.core.model import ContactId, Policy
from followthru.core.schedule import next_wakeup
from followthru.resources import example_config
from followthru.service.contacts import NewInterview, Service
from tests.core.test_invariants import POLICIES, Op, ops, simulate

NOW = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(
    policy=st.sampled_from(POLICIES),
    offset=st.integers(0, 7 * 24 * 60),
    hours=st.integers(-72, 96),
    script=ops,
)
def test_contacts_round_trip_through_json(
    policy: Policy, offset: int, hours: int, script: list[Op]
) -> None:
    world = simulate(policy, offset, hours, 2, script)
    for contact in world.contacts.values():
        stored = json.loads(json.dumps(encode_contact(contact)))
        assert decode_contact(stored) == contact


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    path = tmp_path / "config.yaml"
    text = (
        example_config().read_text().replace("  path: null ", f"  path: {tmp_path / 'state.db'} ")
    )
    path.write_text(text)
    config = load_config(path)
    with Store.open(config.store_path) as store:
        yield Service(store, config)


def interview(service: Service, email: str) -> int:
    start = NOW - timedelta(hours=2)
    return service.register_interview(NewInterview(email, start, timedelta(hours=1)), NOW)


def test_listing_reads_the_snapshot_written_with_each_event(service: Service) -> None:
    bob = interview(service, "bob@acme.example")
    service.tick(NOW + timedelta(days=30))  # timers fire: the snapshot follows every change
    (listed,) = service.contacts()
    assert listed == service.replay(bob)
    assert service.store.contacts.snapshots() == [(bob, listed)]


def test_a_contact_without_a_readable_snapshot_is_replayed(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    ids = [interview(service, f"{name}@acme.example") for name in ("bob", "carol", "dan")]
    truth = [service.replay(i) for i in ids]
    older = json.dumps({"format": SNAPSHOT_FORMAT - 1, "contact": {}})
    for contact_id, snapshot in zip(ids, [None, older, "{not json"], strict=True):
        service.store.conn.execute(
            "UPDATE contacts SET snapshot = ? WHERE id = ?", (snapshot, contact_id)
        )
    with caplog.at_level(logging.WARNING):
        assert service.contacts() == truth
    assert [r.message for r in caplog.records if "snapshot_unreadable" in r.message] == [
        f"snapshot_unreadable contact={ids[2]}: Expecting property name enclosed in double"
        " quotes: line 1 column 2 (char 1); replaying its events"
    ]


def test_a_store_from_before_snapshots_is_migrated_and_replayed(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    conn = sqlite3.connect(path)
    for statement in _statements(V1):
        conn.execute(statement)
    added = ContactAdded(at=NOW, contact=ContactId("1"), email="bob@acme.example")
    tag, data = encode_event(added)
    conn.execute(
        "INSERT INTO contacts (id, email, state, created_at, updated_at)"
        " VALUES (1, 'bob@acme.example', 'new', ?, ?)",
        (NOW.isoformat(), NOW.isoformat()),
    )
    conn.execute(
        "INSERT INTO events (contact_id, at, type, reason, data, recorded_at)"
        " VALUES (1, ?, ?, 'a new contact', ?, ?)",
        (NOW.isoformat(), tag, json.dumps(data), NOW.isoformat()),
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert store.version == len(MIGRATIONS)
        assert store.contacts.snapshots() == [(ContactId("1"), None)]
        config = load_config(example_config())
        (bob,) = Service(store, config).contacts()
    assert (bob.id, bob.email) == ("1", "bob@acme.example")


def test_timers_follow_a_changed_cadence(service: Service, tmp_path: Path) -> None:
    """After the config changes, every stored timer is what the new cadence says; with the
    same cadence nothing moves."""
    bob = interview(service, "bob@acme.example")  # ended 1 h ago: a thank-you waits
    carol = interview(service, "carol@acme.example")
    assert service.retime(NOW) == 0
    before = service.store.contacts.timers()
    assert before[bob] == next_wakeup(service.replay(bob), service.policy)
    shorter = tmp_path / "shorter.yaml"
    shorter.write_text(
        service.config.path.read_text().replace(
            "draft_expires_after: 5d", "draft_expires_after: 2d"
        )
    )
    changed = Service(service.store, load_config(shorter))
    assert changed.retime(NOW) == 2
    after = service.store.contacts.timers()
    for contact_id in (bob, carol):
        assert after[contact_id] == next_wakeup(changed.replay(contact_id), changed.policy)
        was = before[contact_id]
        assert was is not None and after[contact_id] == was - timedelta(days=3)
    assert changed.retime(NOW) == 0
    assert service.retime(NOW) == 2  # and back
    assert service.store.contacts.timers() == before


def test_the_daemon_writes_missing_snapshots_when_it_starts(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    ids = [interview(service, f"{name}@acme.example") for name in ("bob", "carol", "dan", "eve")]
    truth = [service.replay(i) for i in ids]
    older = json.dumps({"format": SNAPSHOT_FORMAT + 1, "contact": {}})
    for contact_id, snapshot in zip(ids, [None, older, "{not json"], strict=False):
        service.store.conn.execute(
            "UPDATE contacts SET snapshot = ? WHERE id = ?", (snapshot, contact_id)
        )
    assert service.store.contacts.stale_snapshots() == ids[:3]
    with caplog.at_level(logging.INFO):
        service.refresh_store(NOW)
    assert "snapshots_written contacts=3" in caplog.text
    assert service.store.contacts.stale_snapshots() == []
    assert service.store.contacts.snapshots() == list(zip(ids, truth, strict=True))
