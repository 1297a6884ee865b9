"""The event log: every contact's append-only history, each event with its cause in words.

Invariants:
- Rows are only ever added (the schema's triggers refuse UPDATE and DELETE).
- An event is stored as its type tag and its fields as JSON (codec.py); reading a contact's
  log back and folding it gives the contact (`machine.replay`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from followthru.adapters.store.codec import decode_event, encode_event, utc_now
from followthru.core.events import Event, OutboundSeen
from followthru.core.model import ContactId


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    contact_id: ContactId | None
    at: datetime
    type: str
    reason: str
    message_id: str | None
    data: dict[str, Any]


class EventLog:
    """The `events` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def record(self, contact_id: ContactId, event: Event, reason: str) -> int:
        """Append a core event for the contact; returns the row id."""
        tag, data = encode_event(event)
        return self.append(contact_id, event.at, tag, reason, event.message_id, data)

    def append(self, contact_id: ContactId | None, at: datetime, type_: str, reason: str,
               message_id: str | None = None, data: dict[str, Any] | None = None) -> int:  # fmt: skip
        """Append one row as given (its type is the event's tag)."""
        if at.tzinfo is None:
            raise ValueError("naive datetime reached the store")
        cur = self._conn.execute(
            "INSERT INTO events (contact_id, at, type, reason, message_id, data, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (_int(contact_id), at.isoformat(), type_, reason, message_id, json.dumps(data or {}),
             utc_now()),
        )  # fmt: skip
        return int(cur.lastrowid or 0)

    def rows(self, contact_id: ContactId | None = None) -> list[EventRow]:
        """Every row (or the contact's), oldest first."""
        sql = "SELECT id, contact_id, at, type, reason, message_id, data FROM events"
        if contact_id is None:
            rows = self._conn.execute(sql + " ORDER BY id")
        else:
            rows = self._conn.execute(sql + " WHERE contact_id = ? ORDER BY id", (int(contact_id),))
        return [
            EventRow(r[0], _id(r[1]), datetime.fromisoformat(r[2]), r[3], r[4], r[5], json.loads(r[6]))
            for r in rows
        ]  # fmt: skip

    def of(self, contact_id: ContactId) -> list[Event]:
        """The contact's log as core events, oldest first (what `replay` folds)."""
        return [decode_event(row.type, row.data) for row in self.rows(contact_id)]

    def firsts(self, types: Collection[str]) -> dict[tuple[ContactId, str], datetime]:
        """(contact, event type) -> the earliest time of such an event (the dashboard's
        numbers: first outreach, first reply), for every contact, in one query."""
        marks = ", ".join("?" for _ in types)
        rows = self._conn.execute(
            f"SELECT contact_id, type, at FROM events WHERE type IN ({marks})"  # noqa: S608  (placeholders only)
            " AND contact_id IS NOT NULL",
            tuple(types),
        )
        found: dict[tuple[ContactId, str], datetime] = {}
        for cid, type_, at in rows:
            key, moment = (ContactId(str(cid)), str(type_)), datetime.fromisoformat(at)
            if key not in found or moment < found[key]:  # stored with their own offsets
                found[key] = moment
        return found

    def outbound_message_ids(self) -> dict[str, ContactId]:
        """Message-ID -> contact, for every message of the user's seen in Sent (or sent by us)."""
        rows = self._conn.execute(
            "SELECT message_id, contact_id FROM events WHERE type = ? AND contact_id IS NOT NULL",
            (OutboundSeen.__name__,),
        )
        return {str(mid): ContactId(str(cid)) for mid, cid in rows}


def _int(contact_id: ContactId | None) -> int | None:
    return None if contact_id is None else int(contact_id)


def _id(value: int | None) -> ContactId | None:
    return None if value is None else ContactId(str(value))
