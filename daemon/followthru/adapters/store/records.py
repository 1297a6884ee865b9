"""Contacts, their event logs and the outbox, as rows of the store.

Invariants:
- A contact's event log is the truth; `contacts.state`, `roles`, `timer_at` and `snapshot`
  (the whole folded contact) are a cache written in the same transaction as the event that
  changed them.
- Every address of a contact (its own and its alternates) maps to exactly one contact.
- Outbox rows are never deleted: an item leaves the queue by changing status.
- Times are stored as ISO 8601 in UTC, so that text order is time order.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from followthru.adapters.store.codec import (
    SNAPSHOT_FORMAT,
    decode_contact,
    decode_event,
    encode_contact,
    encode_event,
)
from followthru.adapters.store.db import Store
from followthru.core.events import Event
from followthru.core.model import Contact
from followthru.core.schedule import WAKING_STATES
from followthru.errors import StoreError

log = logging.getLogger(__name__)

OPEN = ("pending", "approved", "uncertain")
_CONTACT_ROW = "SELECT id, email, name, company, state, source_id FROM contacts"
_OUTBOX_ROW = (
    "SELECT id, contact_id, step, kind, status, due_at, to_addrs, cc_addrs, subject, message_id, follows,"
    " draft_folder, draft_uid, last_error"
)


@dataclass(frozen=True, slots=True)
class ContactRow:
    id: int
    email: str
    name: str
    company: str
    state: str
    source_id: int | None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    contact_id: int
    step: str
    kind: str
    status: str
    due_at: datetime
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str | None
    message_id: str | None
    follows: str | None = None
    draft_folder: str | None = None
    draft_uid: int | None = None
    last_error: str | None = None


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def create_contact(store: Store, email: str, now: datetime, *, name: str = "", company: str = "",
                   company_domain: str = "") -> int:  # fmt: skip
    cur = store.conn.execute(
        "INSERT INTO contacts (email, name, company, company_domain, state, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, 'new', ?, ?)",
        (email.lower(), name, company, company_domain, utc(now), utc(now)),
    )
    contact_id = int(cur.lastrowid or 0)
    store.conn.execute(
        "INSERT INTO contact_addresses (address, contact_id) VALUES (?, ?)",
        (email.lower(), contact_id),
    )
    return contact_id


def set_source(store: Store, contact_id: int, source_id: int) -> None:
    store.conn.execute("UPDATE contacts SET source_id = ? WHERE id = ?", (source_id, contact_id))


def add_notes(store: Store, contact_id: int, notes: list[str]) -> None:
    """Keep the user's notes about a contact (for the letters) in its `data` column."""
    row = store.conn.execute("SELECT data FROM contacts WHERE id = ?", (contact_id,)).fetchone()
    data = json.loads(row[0] or "{}")
    data["notes"] = [*data.get("notes", []), *notes]
    store.conn.execute("UPDATE contacts SET data = ? WHERE id = ?", (json.dumps(data), contact_id))


def invitation_sequence(store: Store, contact_id: int, uid: str) -> int:
    """The highest SEQUENCE seen for a calendar event UID with this contact (-1: none yet)."""
    row = store.conn.execute("SELECT data FROM contacts WHERE id = ?", (contact_id,)).fetchone()
    return int(json.loads(row[0] or "{}").get("invitations", {}).get(uid, -1)) if row else -1


def set_invitation_sequence(store: Store, contact_id: int, uid: str, sequence: int) -> None:
    row = store.conn.execute("SELECT data FROM contacts WHERE id = ?", (contact_id,)).fetchone()
    data = json.loads(row[0] or "{}")
    data.setdefault("invitations", {})[uid] = sequence
    store.conn.execute("UPDATE contacts SET data = ? WHERE id = ?", (json.dumps(data), contact_id))


def notes_of(store: Store, contact_id: int) -> list[str]:
    row = store.conn.execute("SELECT data FROM contacts WHERE id = ?", (contact_id,)).fetchone()
    return list(json.loads(row[0] or "{}").get("notes", [])) if row else []


def find_contact(store: Store, key: str) -> ContactRow | None:
    """A contact by id or by any of its addresses."""
    if key.isdigit():
        row = store.conn.execute(f"{_CONTACT_ROW} WHERE id = ?", (int(key),)).fetchone()
    else:
        row = store.conn.execute(
            f"{_CONTACT_ROW} WHERE id = (SELECT contact_id FROM contact_addresses WHERE address = ?)",  # noqa: S608
            (key.strip().lower(),),
        ).fetchone()
    return ContactRow(*row) if row else None


def all_contacts(store: Store) -> list[ContactRow]:
    rows = store.conn.execute(
        "SELECT id, email, name, company, state, source_id FROM contacts ORDER BY id"
    )
    return [ContactRow(*row) for row in rows]


def email_of(store: Store, contact_id: int) -> str:
    row = store.conn.execute("SELECT email FROM contacts WHERE id = ?", (contact_id,)).fetchone()
    return str(row[0])


def record_event(store: Store, contact_id: int, event: Event, reason: str) -> None:
    tag, data = encode_event(event)
    store.append_event(contact_id, event.at, tag, reason, event.message_id, data)


def contact_events(store: Store, contact_id: int) -> list[Event]:
    return [decode_event(row.type, row.data) for row in store.events(contact_id)]


def save_contact(
    store: Store, contact_id: int, contact: Contact, timer_at: datetime | None, now: datetime
) -> None:
    """Cache what listing and planning need; the event log stays the truth."""
    store.conn.execute(
        "UPDATE contacts SET state = ?, roles = ?, timer_at = ?, snapshot = ?, updated_at = ?"
        " WHERE id = ?",
        (
            contact.state.value,
            ",".join(sorted(r.value for r in contact.roles)),
            utc(timer_at) if timer_at else None,
            json.dumps(encode_contact(contact)),
            utc(now),
            contact_id,
        ),
    )
    for address in contact.also:
        store.conn.execute(
            "INSERT OR IGNORE INTO contact_addresses (address, contact_id) VALUES (?, ?)",
            (address.lower(), contact_id),
        )


def save_snapshot(store: Store, contact_id: int, contact: Contact) -> None:
    """The folded contact after an event that changed only what it remembers (`seen`)."""
    store.conn.execute(
        "UPDATE contacts SET snapshot = ? WHERE id = ?",
        (json.dumps(encode_contact(contact)), contact_id),
    )


def snapshots(
    store: Store, *, waking: bool = False, contact_id: int | None = None
) -> list[tuple[int, Contact | None]]:
    """Contacts' snapshots in id order, in one query (None: replay its log instead: no
    snapshot yet, one of an older format, or one that cannot be read).

    `waking`: only those that may wake on their own (`schedule.can_wake`: something pending,
    or a state with due times), and every one without a snapshot. `contact_id`: that one.
    """
    query, args = "SELECT id, snapshot FROM contacts", [] if contact_id is None else [contact_id]
    if contact_id is not None:
        query += " WHERE id = ?"
    elif waking:
        states = ", ".join(f"'{s.value}'" for s in sorted(WAKING_STATES))
        query += (
            f" WHERE snapshot IS NULL OR state IN ({states})"
            " OR json_array_length(snapshot, '$.contact.pending') > 0"
        )
    rows = store.conn.execute(f"{query} ORDER BY id", args)
    return [(int(i), _snapshot(int(i), raw)) for i, raw in rows]


def stale_snapshots(store: Store) -> list[int]:
    """Contacts whose snapshot is missing (a store from before snapshots), unreadable or of
    another format: their logs must be replayed until it is written again."""
    rows = store.conn.execute(
        "SELECT id FROM contacts WHERE CASE WHEN snapshot IS NULL OR NOT json_valid(snapshot)"
        " THEN 1 ELSE json_extract(snapshot, '$.format') IS NOT ? END ORDER BY id",
        (SNAPSHOT_FORMAT,),
    )
    return [int(contact_id) for (contact_id,) in rows]


def _snapshot(contact_id: int, raw: str | None) -> Contact | None:
    if not raw:
        return None
    try:
        return decode_contact(json.loads(raw))
    except (StoreError, ValueError) as exc:  # a cache: the event log is still there
        log.warning("snapshot_unreadable contact=%d: %s; replaying its events", contact_id, exc)
        return None


def timers(store: Store) -> dict[int, datetime | None]:
    """Every contact's stored timer."""
    rows = store.conn.execute("SELECT id, timer_at FROM contacts")
    return {int(i): datetime.fromisoformat(t) if t else None for i, t in rows}


def set_timer(store: Store, contact_id: int, timer_at: datetime | None) -> None:
    store.conn.execute(
        "UPDATE contacts SET timer_at = ? WHERE id = ?",
        (utc(timer_at) if timer_at else None, contact_id),
    )


def due_timers(store: Store, now: datetime) -> list[int]:
    rows = store.conn.execute(
        "SELECT id FROM contacts WHERE timer_at <= ? ORDER BY timer_at, id", (utc(now),)
    )
    return [int(r[0]) for r in rows]


@dataclass(frozen=True, slots=True)
class NewItem:
    step: str
    kind: str
    status: str
    due_at: datetime
    to: list[str]
    cc: list[str]
    follows: str | None = None


def timer_due(store: Store, contact_id: int, now: datetime) -> bool:
    row = store.conn.execute(
        "SELECT timer_at <= ? FROM contacts WHERE id = ?", (utc(now), contact_id)
    ).fetchone()
    return bool(row and row[0])


def queue_item(store: Store, contact_id: int, item: NewItem, now: datetime) -> int:
    cur = store.conn.execute(
        "INSERT INTO outbox (contact_id, step, kind, status, due_at, to_addrs, cc_addrs, follows, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (contact_id, item.step, item.kind, item.status, utc(item.due_at), json.dumps(item.to),
         json.dumps(item.cc), item.follows, utc(now), utc(now)),
    )  # fmt: skip
    return int(cur.lastrowid or 0)


def set_status(store: Store, contact_id: int, step: str, status: str, now: datetime, *,
               only: tuple[str, ...] = OPEN) -> int:  # fmt: skip
    """Move the contact's open item(s) for `step` to `status`; returns how many moved."""
    marks = ", ".join("?" for _ in only)
    cur = store.conn.execute(
        f"UPDATE outbox SET status = ?, updated_at = ? WHERE contact_id = ? AND step = ? AND status IN ({marks})",  # noqa: S608
        (status, utc(now), contact_id, step, *only),
    )
    return cur.rowcount


def reschedule(store: Store, contact_id: int, step: str, due_at: datetime, now: datetime) -> None:
    store.conn.execute(
        "UPDATE outbox SET due_at = ?, updated_at = ? WHERE contact_id = ? AND step = ? AND status IN ('pending', 'approved')",
        (utc(due_at), utc(now), contact_id, step),
    )


def outbox(
    store: Store, *, contact_id: int | None = None, statuses: tuple[str, ...] | None = None
) -> list[OutboxRow]:
    sql = f"{_OUTBOX_ROW} FROM outbox"
    where: list[str] = []
    args: list[Any] = []
    if contact_id is not None:
        where.append("contact_id = ?")
        args.append(contact_id)
    if statuses is not None:
        where.append(f"status IN ({', '.join('?' for _ in statuses)})")
        args.extend(statuses)
    sql += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY due_at, id"
    return [_outbox_row(r) for r in store.conn.execute(sql, args)]


def item(store: Store, item_id: int) -> OutboxRow | None:
    row = store.conn.execute(f"{_OUTBOX_ROW} FROM outbox WHERE id = ?", (item_id,)).fetchone()
    return _outbox_row(row) if row else None


def rendered(store: Store, item_id: int) -> bytes | None:
    row = store.conn.execute("SELECT rendered FROM outbox WHERE id = ?", (item_id,)).fetchone()
    return bytes(row[0]) if row and row[0] is not None else None


def set_rendered(store: Store, item_id: int, subject: str, message_id: str, raw: bytes, digest: str,
                 now: datetime) -> None:  # fmt: skip
    store.conn.execute(
        "UPDATE outbox SET subject = ?, message_id = ?, rendered = ?, content_hash = ?, updated_at = ? WHERE id = ?",
        (subject, message_id, raw, digest, utc(now), item_id),
    )


def set_draft(store: Store, item_id: int, folder: str | None, uidvalidity: int | None, uid: int | None,
              now: datetime) -> None:  # fmt: skip
    store.conn.execute(
        "UPDATE outbox SET draft_folder = ?, draft_uidvalidity = ?, draft_uid = ?, updated_at = ? WHERE id = ?",
        (folder, uidvalidity, uid, utc(now), item_id),
    )


def replace_draft(store: Store, item_id: int, now: datetime) -> None:
    """The item's message changed: its draft in the mailbox is stale and gets replaced."""
    store.conn.execute(
        "UPDATE outbox SET stale_uid = draft_uid, draft_uid = NULL, updated_at = ? WHERE id = ?",
        (utc(now), item_id),
    )


def stale_drafts(store: Store) -> list[tuple[int, str, int]]:
    """(item id, folder, UID) of our drafts that an edit replaced."""
    rows = store.conn.execute(
        "SELECT id, draft_folder, stale_uid FROM outbox WHERE stale_uid IS NOT NULL AND draft_folder IS NOT NULL"
    )
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]


def clear_stale(store: Store, item_id: int) -> None:
    store.conn.execute("UPDATE outbox SET stale_uid = NULL WHERE id = ?", (item_id,))


def set_item(store: Store, item_id: int, status: str, now: datetime, *, error: str | None = None,
             sent: bool = False) -> None:  # fmt: skip
    """Move one item to `status` (counting an attempt when it becomes `sending`)."""
    store.conn.execute(
        "UPDATE outbox SET status = ?, last_error = COALESCE(?, last_error), updated_at = ?,"
        " sent_at = CASE WHEN ? THEN ? ELSE sent_at END,"
        " attempts = attempts + CASE WHEN ? = 'sending' THEN 1 ELSE 0 END WHERE id = ?",
        (status, error, utc(now), sent, utc(now), status, item_id),
    )


def mark_sent(store: Store, message_id: str, now: datetime) -> None:
    """Our item went out from the user's own client (its Message-ID was seen in Sent)."""
    if message_id:
        store.conn.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, updated_at = ? WHERE message_id = ?"
            " AND status IN ('pending', 'approved', 'sending', 'uncertain')",
            (utc(now), utc(now), message_id),
        )


def set_due(store: Store, item_id: int, due_at: datetime, now: datetime) -> None:
    store.conn.execute(
        "UPDATE outbox SET due_at = ?, updated_at = ? WHERE id = ?",
        (utc(due_at), utc(now), item_id),
    )


def to_draft(store: Store) -> list[OutboxRow]:
    """Open items that have no rendered message (and so no draft) yet."""
    sql = f"{_OUTBOX_ROW} FROM outbox WHERE status IN ('pending', 'approved') AND rendered IS NULL ORDER BY id"
    return [_outbox_row(r) for r in store.conn.execute(sql)]


def drafts_to_remove(store: Store) -> list[OutboxRow]:
    """Closed items whose draft is still in the mailbox."""
    sql = (
        f"{_OUTBOX_ROW} FROM outbox WHERE status NOT IN ('pending', 'approved', 'uncertain', 'sending')"
        " AND draft_uid IS NOT NULL ORDER BY id"
    )
    return [_outbox_row(r) for r in store.conn.execute(sql)]


def _outbox_row(r: tuple[Any, ...]) -> OutboxRow:
    due = datetime.fromisoformat(r[5])
    to, cc = tuple(json.loads(r[6])), tuple(json.loads(r[7]))
    return OutboxRow(
        r[0], r[1], r[2], r[3], r[4], due, to, cc, r[8], r[9], r[10], r[11], r[12], r[13]
    )
