"""The approval queue as rows: each queued item, its rendered message and its draft.

Invariants:
- Rows are never deleted: an item leaves the queue by changing status, and every change of
  status is a transition of core/items.py's table, applied as a compare-and-set on the status
  read (`move`): a refused or raced move changes nothing and says so.
- Recipients are written from the store's contacts when the item is queued, never from the
  headers of a message that was read. The rendered bytes and the Message-ID are stored before
  any draft exists, and are what is sent (SPEC invariant 5).
- Times are stored as ISO 8601 in UTC, so that text order is time order.
- A `sending` item is "before the data" (`before_data`) from the move into `sending` until
  `handing_over` clears it; anything else, old rows included, counts as maybe handed over.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from followthru.adapters.store.codec import utc
from followthru.core.items import CLOSED, WAITING, ItemEvent, ItemStatus, next_status
from followthru.core.model import ContactId, Step, StepKind

_ROW = (
    "SELECT id, contact_id, step, kind, status, due_at, to_addrs, cc_addrs, subject, message_id,"
    " follows, draft_folder, draft_uid, last_error, draft_ids FROM outbox"
)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    contact_id: ContactId
    step: Step
    kind: StepKind
    status: ItemStatus
    due_at: datetime
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str | None
    message_id: str | None
    follows: str | None = None
    draft_folder: str | None = None
    draft_uid: int | None = None
    last_error: str | None = None
    draft_ids: tuple[str, ...] = ()  # every Message-ID its draft has had

    @classmethod
    def of(cls, r: tuple[Any, ...]) -> OutboxRow:
        return cls(
            r[0], ContactId(str(r[1])), Step(r[2]), StepKind(r[3]), ItemStatus(r[4]),
            datetime.fromisoformat(r[5]), tuple(json.loads(r[6])), tuple(json.loads(r[7])),
            r[8], r[9], r[10], r[11], r[12], r[13], tuple(json.loads(r[14] or "[]")),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class NewItem:
    step: Step
    kind: StepKind
    status: ItemStatus
    due_at: datetime
    to: list[str]
    cc: list[str]
    follows: str | None = None


class OutboxTable:
    """The `outbox` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add(self, contact_id: ContactId, item: NewItem, now: datetime) -> int:
        cur = self._conn.execute(
            "INSERT INTO outbox (contact_id, step, kind, status, due_at, to_addrs, cc_addrs, follows,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (int(contact_id), item.step.value, item.kind.value, item.status.value, utc(item.due_at),
             json.dumps(item.to), json.dumps(item.cc), item.follows, utc(now), utc(now)),
        )  # fmt: skip
        return int(cur.lastrowid or 0)

    # --- status: only through the item machine --------------------------------------------

    def move(self, item_id: int, event: ItemEvent, now: datetime, *,
             error: str | None = None) -> ItemStatus | None:  # fmt: skip
        """Apply `event` to the item; its new status, or None when the table refuses it."""
        row = self._conn.execute("SELECT status FROM outbox WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            return None
        was = ItemStatus(row[0])
        to = next_status(was, event)
        if to is None:
            return None
        cur = self._conn.execute(
            "UPDATE outbox SET status = ?, last_error = COALESCE(?, last_error), updated_at = ?,"
            " sent_at = CASE WHEN ? THEN ? ELSE sent_at END,"
            " filed = CASE WHEN ? THEN 1 ELSE filed END, before_data = ?,"
            " attempts = attempts + ? WHERE id = ? AND status = ?",
            (to.value, error, utc(now), to is ItemStatus.SENT, utc(now),
             event is ItemEvent.SEEN_IN_SENT, int(to is ItemStatus.SENDING),
             int(to is ItemStatus.SENDING), item_id, was.value),
        )  # fmt: skip
        return to if cur.rowcount == 1 else None

    def handing_over(self, item_id: int) -> None:
        """The item's message data is about to be handed over: from now on it may have gone."""
        self._conn.execute("UPDATE outbox SET before_data = 0 WHERE id = ?", (item_id,))

    def before_data(self, item_id: int) -> bool:
        """Whether the `sending` item's data has certainly not been handed over yet."""
        row = self._conn.execute(
            "SELECT before_data FROM outbox WHERE id = ? AND status = ?",
            (item_id, ItemStatus.SENDING.value),
        ).fetchone()
        return bool(row and row[0])

    def move_step(self, contact_id: ContactId, step: Step, event: ItemEvent,
                  now: datetime) -> list[int]:  # fmt: skip
        """Apply `event` to each of the contact's items for `step` that the table lets move;
        the ids of those that moved."""
        rows = self._conn.execute(
            "SELECT id FROM outbox WHERE contact_id = ? AND step = ? ORDER BY id",
            (int(contact_id), step.value),
        ).fetchall()
        return [item_id for (item_id,) in rows if self.move(item_id, event, now) is not None]

    # --- reading ----------------------------------------------------------------------------

    def items(self, *, contact_id: ContactId | None = None,
              statuses: Collection[ItemStatus] | None = None, step: Step | None = None,
              limit: int | None = None) -> list[OutboxRow]:  # fmt: skip
        """Items in due order (the contact's, of these statuses, for `step`; the first `limit`)."""
        where: list[str] = []
        args: list[Any] = []
        if contact_id is not None:
            where.append("contact_id = ?")
            args.append(int(contact_id))
        if statuses is not None:
            where.append(f"status IN ({', '.join('?' for _ in statuses)})")
            args.extend(s.value for s in statuses)
        if step is not None:
            where.append("step = ?")
            args.append(step.value)
        sql = _ROW + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY due_at, id"
        if limit is not None:
            sql, args = sql + " LIMIT ?", [*args, limit]
        return [OutboxRow.of(r) for r in self._conn.execute(sql, args)]

    def item(self, item_id: int) -> OutboxRow | None:
        row = self._conn.execute(f"{_ROW} WHERE id = ?", (item_id,)).fetchone()
        return OutboxRow.of(row) if row else None

    def by_message_id(self, message_id: str) -> OutboxRow | None:
        """The item that was (or will be) sent with this Message-ID."""
        if not message_id:
            return None
        row = self._conn.execute(f"{_ROW} WHERE message_id = ?", (message_id,)).fetchone()
        return OutboxRow.of(row) if row else None

    def message_ids(self) -> dict[str, tuple[ContactId, int]]:
        """Message-ID -> (contact, item) for every rendered item."""
        rows = self._conn.execute(
            "SELECT message_id, contact_id, id FROM outbox WHERE message_id IS NOT NULL"
        )
        return {str(mid): (ContactId(str(cid)), int(i)) for mid, cid, i in rows}

    def subject_of(self, message_id: str) -> str | None:
        """The subject of our message with this Message-ID, if we rendered one."""
        row = self._conn.execute(
            "SELECT subject FROM outbox WHERE message_id = ? AND subject IS NOT NULL", (message_id,)
        ).fetchone()
        return str(row[0]) if row else None

    def count(self, statuses: Collection[ItemStatus]) -> int:
        marks = ", ".join("?" for _ in statuses)
        row = self._conn.execute(
            f"SELECT COUNT(*) FROM outbox WHERE status IN ({marks})",  # noqa: S608 - only placeholders
            [s.value for s in statuses],
        ).fetchone()
        return int(row[0])

    def unfiled(self) -> list[OutboxRow]:
        """Items we sent whose copy is not in Sent yet (a crash between the send and it)."""
        sql = f"{_ROW} WHERE status = ? AND filed = 0 ORDER BY id"
        return [OutboxRow.of(r) for r in self._conn.execute(sql, (ItemStatus.SENT.value,))]

    def mark_filed(self, item_id: int) -> None:
        self._conn.execute("UPDATE outbox SET filed = 1 WHERE id = ?", (item_id,))

    def last_sent_at(self) -> datetime | None:
        """When the latest of our emails went out (or was seen in Sent)."""
        row = self._conn.execute("SELECT MAX(sent_at) FROM outbox").fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def rendered(self, item_id: int) -> bytes | None:
        row = self._conn.execute("SELECT rendered FROM outbox WHERE id = ?", (item_id,)).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    def to_render(self) -> list[OutboxRow]:
        """Waiting items that have no rendered message (and so no draft) yet."""
        sql = f"{_ROW} WHERE status IN ({_listed(WAITING)}) AND rendered IS NULL ORDER BY id"
        return [OutboxRow.of(r) for r in self._conn.execute(sql)]

    def drafts_to_remove(self) -> list[OutboxRow]:
        """Closed items whose draft is still in the mailbox."""
        sql = f"{_ROW} WHERE status IN ({_listed(CLOSED)}) AND draft_uid IS NOT NULL ORDER BY id"
        return [OutboxRow.of(r) for r in self._conn.execute(sql)]

    def stale_drafts(self) -> list[tuple[int, str, int]]:
        """(item id, folder, UID) of our drafts that an edit replaced."""
        rows = self._conn.execute(
            "SELECT id, draft_folder, stale_uid FROM outbox"
            " WHERE stale_uid IS NOT NULL AND draft_folder IS NOT NULL"
        )
        return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]

    # --- the message and its draft -----------------------------------------------------------

    def set_rendered(self, item_id: int, subject: str, message_id: str, raw: bytes, digest: str,
                     now: datetime) -> None:  # fmt: skip
        """The message that will be sent (its Message-ID is remembered among the draft's)."""
        row = self._conn.execute("SELECT draft_ids FROM outbox WHERE id = ?", (item_id,)).fetchone()
        known = list(json.loads(row[0] or "[]")) if row else []
        ids = json.dumps([*known, message_id] if message_id not in known else known)
        self._conn.execute(
            "UPDATE outbox SET subject = ?, message_id = ?, rendered = ?, content_hash = ?,"
            " draft_ids = ?, updated_at = ? WHERE id = ?",
            (subject, message_id, raw, digest, ids, utc(now), item_id),
        )

    def set_recipients(self, item_id: int, to: list[str], cc: list[str], now: datetime) -> None:
        """The recipients the user left in their version of the draft."""
        self._conn.execute(
            "UPDATE outbox SET to_addrs = ?, cc_addrs = ?, updated_at = ? WHERE id = ?",
            (json.dumps(to), json.dumps(cc), utc(now), item_id),
        )

    def set_draft(self, item_id: int, folder: str | None, uidvalidity: int | None,
                  uid: int | None, now: datetime) -> None:  # fmt: skip
        self._conn.execute(
            "UPDATE outbox SET draft_folder = ?, draft_uidvalidity = ?, draft_uid = ?,"
            " updated_at = ? WHERE id = ?",
            (folder, uidvalidity, uid, utc(now), item_id),
        )

    def replace_draft(self, item_id: int, now: datetime) -> None:
        """The item's message changed: its draft in the mailbox is stale and gets replaced."""
        self._conn.execute(
            "UPDATE outbox SET stale_uid = draft_uid, draft_uid = NULL, updated_at = ? WHERE id = ?",
            (utc(now), item_id),
        )

    def clear_stale(self, item_id: int) -> None:
        self._conn.execute("UPDATE outbox SET stale_uid = NULL WHERE id = ?", (item_id,))

    # --- due times ----------------------------------------------------------------------------

    def set_due(self, item_id: int, due_at: datetime, now: datetime) -> None:
        self._conn.execute(
            "UPDATE outbox SET due_at = ?, updated_at = ? WHERE id = ?",
            (utc(due_at), utc(now), item_id),
        )

    def reschedule(self, contact_id: ContactId, step: Step, due_at: datetime,
                   now: datetime) -> None:  # fmt: skip
        """Move the due time of the contact's waiting items for `step`."""
        waiting = _listed(WAITING)  # the enum's own values, never outside input
        sql = f"UPDATE outbox SET due_at = ?, updated_at = ? WHERE contact_id = ? AND step = ? AND status IN ({waiting})"  # noqa: S608
        self._conn.execute(sql, (utc(due_at), utc(now), int(contact_id), step.value))


def _listed(statuses: Collection[ItemStatus]) -> str:
    """An SQL list of statuses (the enum's own values, never outside input)."""
    return ", ".join(f"'{s.value}'" for s in sorted(statuses))
