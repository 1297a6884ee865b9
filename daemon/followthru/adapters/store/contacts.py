"""Contacts as rows: their addresses, the user's notes, and the cache folded from their logs.

Invariants:
- A contact's event log is the truth; `state`, `roles`, `timer_at` and `snapshot` (the whole
  folded contact) are a cache written in the same transaction as the event that changed them.
- Every address of a contact (its own and its alternates) maps to exactly one contact.
- Contact ids are `ContactId`s here as everywhere: the INTEGER key is this module's business.
- Times are stored as ISO 8601 in UTC, so that text order is time order.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from followthru.adapters.store.codec import (
    SNAPSHOT_FORMAT,
    decode_contact,
    encode_contact,
    utc,
)
from followthru.core.model import Contact, ContactId, ContactState
from followthru.core.schedule import WAKING_STATES
from followthru.errors import StoreError

log = logging.getLogger(__name__)
_ROW = "SELECT id, email, name, company, state, source_id FROM contacts"


@dataclass(frozen=True, slots=True)
class ContactRow:
    id: ContactId
    email: str
    name: str
    company: str
    state: ContactState
    source_id: ContactId | None

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> ContactRow:
        source = ContactId(str(row[5])) if row[5] is not None else None
        state = ContactState(row[4])
        return cls(ContactId(str(row[0])), row[1], row[2] or "", row[3] or "", state, source)


@dataclass(frozen=True, slots=True)
class KnownRow:
    """What correlation needs of a contact: its addresses (primary first), its company's
    domain and its referral source."""

    id: ContactId
    addresses: tuple[str, ...]
    company_domain: str
    source_id: ContactId | None


class ContactTable:
    """The `contacts` and `contact_addresses` tables."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def create(self, email: str, now: datetime, *, name: str = "", company: str = "",
               company_domain: str = "") -> ContactId:  # fmt: skip
        cur = self._conn.execute(
            "INSERT INTO contacts (email, name, company, company_domain, state, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'new', ?, ?)",
            (email.lower(), name, company, company_domain, utc(now), utc(now)),
        )
        contact_id = int(cur.lastrowid or 0)
        self._conn.execute(
            "INSERT INTO contact_addresses (address, contact_id) VALUES (?, ?)",
            (email.lower(), contact_id),
        )
        return ContactId(str(contact_id))

    def find(self, key: str) -> ContactRow | None:
        """A contact by id or by any of its addresses."""
        if key.isdigit():
            row = self._conn.execute(f"{_ROW} WHERE id = ?", (int(key),)).fetchone()
        else:
            row = self._conn.execute(
                f"{_ROW} WHERE id = (SELECT contact_id FROM contact_addresses WHERE address = ?)",  # noqa: S608
                (key.strip().lower(),),
            ).fetchone()
        return ContactRow.of(row) if row else None

    def all(self) -> list[ContactRow]:
        return [ContactRow.of(row) for row in self._conn.execute(f"{_ROW} ORDER BY id")]

    def email_of(self, contact_id: ContactId) -> str:
        row = self._conn.execute(
            "SELECT email FROM contacts WHERE id = ?", (int(contact_id),)
        ).fetchone()
        if row is None:
            raise StoreError(f"no contact {contact_id} in the store")
        return str(row[0])

    def emails(self) -> dict[ContactId, str]:
        """Every contact's primary address."""
        rows = self._conn.execute("SELECT id, email FROM contacts")
        return {ContactId(str(i)): str(e) for i, e in rows}

    def known(self) -> list[KnownRow]:
        """Every contact as correlation sees it, in id order."""
        addresses: dict[int, list[str]] = {}
        for address, contact_id in self._conn.execute(
            "SELECT address, contact_id FROM contact_addresses"
        ):
            addresses.setdefault(contact_id, []).append(address)
        known = []
        for cid, email, domain, source in self._conn.execute(
            "SELECT id, email, company_domain, source_id FROM contacts ORDER BY id"
        ):
            ordered = tuple(sorted(addresses.get(cid, [email]), key=lambda a: a != email))
            source_id = ContactId(str(source)) if source else None
            known.append(KnownRow(ContactId(str(cid)), ordered, domain or "", source_id))
        return known

    def companies(self, after: int = 0) -> list[tuple[ContactId, str, str]]:
        """(id, company, company domain) of every contact whose id is above `after`, in id
        order: what job mail needs to find a company's people, read without the snapshots."""
        rows = self._conn.execute(
            "SELECT id, company, company_domain FROM contacts WHERE id > ? ORDER BY id", (after,)
        )
        return [(ContactId(str(i)), c or "", d or "") for i, c, d in rows]

    def owing(self) -> list[ContactId]:
        """The contacts whose organisation awaits the user's answer (their snapshot says so)."""
        rows = self._conn.execute(
            "SELECT id FROM contacts WHERE json_extract(snapshot, '$.contact.owes_move') = 1"
        )
        return [ContactId(str(i)) for (i,) in rows]

    def set_source(self, contact_id: ContactId, source_id: ContactId) -> None:
        self._conn.execute(
            "UPDATE contacts SET source_id = ? WHERE id = ?", (int(source_id), int(contact_id))
        )

    def add_notes(self, contact_id: ContactId, notes: list[str]) -> None:
        """Keep the user's notes about a contact (for the letters) in its `data` column."""
        data = self._data(contact_id)
        data["notes"] = [*data.get("notes", []), *notes]
        self._set_data(contact_id, data)

    def notes_of(self, contact_id: ContactId) -> list[str]:
        return list(self._data(contact_id).get("notes", []))

    def invitation_sequence(self, contact_id: ContactId, uid: str) -> int:
        """The highest SEQUENCE seen for a calendar event UID with this contact (-1: none yet)."""
        return int(self._data(contact_id).get("invitations", {}).get(uid, -1))

    def set_invitation_sequence(self, contact_id: ContactId, uid: str, sequence: int) -> None:
        data = self._data(contact_id)
        data.setdefault("invitations", {})[uid] = sequence
        self._set_data(contact_id, data)

    def invitation_organizer(self, contact_id: ContactId) -> str:
        """The ORGANIZER of the invitation that first registered the contact's interview."""
        return str(self._data(contact_id).get("organizer", ""))

    def set_invitation_organizer(self, contact_id: ContactId, organizer: str) -> None:
        data = self._data(contact_id)
        data["organizer"] = organizer
        self._set_data(contact_id, data)

    def _data(self, contact_id: ContactId) -> dict[str, Any]:
        row = self._conn.execute(
            "SELECT data FROM contacts WHERE id = ?", (int(contact_id),)
        ).fetchone()
        return dict(json.loads(row[0] or "{}")) if row else {}

    def _set_data(self, contact_id: ContactId, data: dict[str, Any]) -> None:
        self._conn.execute(
            "UPDATE contacts SET data = ? WHERE id = ?", (json.dumps(data), int(contact_id))
        )

    # --- the cache folded from the log ---------------------------------------------------

    def save(self, contact_id: ContactId, contact: Contact, timer_at: datetime | None,
             now: datetime) -> None:  # fmt: skip
        """The folded contact after an event: what `contacts`, `plan` and the timers need;
        the event log stays the truth."""
        self._conn.execute(
            "UPDATE contacts SET state = ?, roles = ?, timer_at = ?, snapshot = ?, updated_at = ?"
            " WHERE id = ?",
            (
                contact.state.value,
                ",".join(sorted(r.value for r in contact.roles)),
                utc(timer_at) if timer_at else None,
                json.dumps(encode_contact(contact)),
                utc(now),
                int(contact_id),
            ),
        )
        for address in contact.also:
            self._conn.execute(
                "INSERT OR IGNORE INTO contact_addresses (address, contact_id) VALUES (?, ?)",
                (address.lower(), int(contact_id)),
            )

    def save_snapshot(self, contact_id: ContactId, contact: Contact) -> None:
        """The folded contact after an event that changed only what it remembers (`seen`)."""
        self._conn.execute(
            "UPDATE contacts SET snapshot = ? WHERE id = ?",
            (json.dumps(encode_contact(contact)), int(contact_id)),
        )

    def snapshots(
        self, *, waking: bool = False, contact_id: ContactId | None = None
    ) -> list[tuple[ContactId, Contact | None]]:
        """Contacts' snapshots in id order, in one query (None: replay its log instead: no
        snapshot yet, one of an older format, or one that cannot be read).

        `waking`: only those that may wake on their own (`schedule.can_wake`: something
        pending, or a state with due times), and every one without a snapshot. `contact_id`:
        that one.
        """
        query = "SELECT id, snapshot FROM contacts"
        args: list[Any] = []
        if contact_id is not None:
            query, args = query + " WHERE id = ?", [int(contact_id)]
        elif waking:
            states = ", ".join(f"'{s.value}'" for s in sorted(WAKING_STATES))
            query += (
                f" WHERE snapshot IS NULL OR state IN ({states})"
                " OR json_array_length(snapshot, '$.contact.pending') > 0"
            )
        rows = self._conn.execute(f"{query} ORDER BY id", args)
        return [(ContactId(str(i)), _snapshot(int(i), raw)) for i, raw in rows]

    def stale_snapshots(self) -> list[ContactId]:
        """Contacts whose snapshot is missing (a store from before snapshots), unreadable or
        of another format: their logs must be replayed until it is written again."""
        rows = self._conn.execute(
            "SELECT id FROM contacts WHERE CASE WHEN snapshot IS NULL OR NOT json_valid(snapshot)"
            " THEN 1 ELSE json_extract(snapshot, '$.format') IS NOT ? END ORDER BY id",
            (SNAPSHOT_FORMAT,),
        )
        return [ContactId(str(contact_id)) for (contact_id,) in rows]

    # --- timers ----------------------------------------------------------------------------

    def timers(self) -> dict[ContactId, datetime | None]:
        """Every contact's stored timer."""
        rows = self._conn.execute("SELECT id, timer_at FROM contacts")
        return {ContactId(str(i)): datetime.fromisoformat(t) if t else None for i, t in rows}

    def set_timer(self, contact_id: ContactId, timer_at: datetime | None) -> None:
        self._conn.execute(
            "UPDATE contacts SET timer_at = ? WHERE id = ?",
            (utc(timer_at) if timer_at else None, int(contact_id)),
        )

    def due_timers(self, now: datetime) -> list[ContactId]:
        rows = self._conn.execute(
            "SELECT id FROM contacts WHERE timer_at <= ? ORDER BY timer_at, id", (utc(now),)
        )
        return [ContactId(str(r[0])) for r in rows]

    def timer_due(self, contact_id: ContactId, now: datetime) -> bool:
        row = self._conn.execute(
            "SELECT timer_at <= ? FROM contacts WHERE id = ?", (utc(now), int(contact_id))
        ).fetchone()
        return bool(row and row[0])

    def next_timer(self) -> datetime | None:
        """The earliest timer of any contact."""
        row = self._conn.execute("SELECT MIN(timer_at) FROM contacts").fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None


def _snapshot(contact_id: int, raw: str | None) -> Contact | None:
    if not raw:
        return None
    try:
        return decode_contact(json.loads(raw))
    except (StoreError, ValueError) as exc:  # a cache: the event log is still there
        log.warning("snapshot_unreadable contact=%d: %s; replaying its events", contact_id, exc)
        return None
