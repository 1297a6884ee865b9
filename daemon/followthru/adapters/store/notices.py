"""Notices: what the user must be told, kept until it is read.

Invariants: a notice is only ever added, and later marked read (never deleted); it names the
contact and the queued item it is about, when there is one.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from followthru.adapters.store.codec import utc
from followthru.core.model import ContactId


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    at: datetime
    kind: str
    contact_id: ContactId | None
    item_id: int | None
    text: str
    read: bool
    delivered: bool = False  # told at once, as a note of its own (not again in the digest)


class NoticeTable:
    """The `notices` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add(self, kind: str, text: str, at: datetime, *, contact_id: ContactId | None = None,
            item_id: int | None = None) -> int:  # fmt: skip
        cur = self._conn.execute(
            "INSERT INTO notices (at, kind, contact_id, item_id, text) VALUES (?, ?, ?, ?, ?)",
            (utc(at), kind, int(contact_id) if contact_id else None, item_id, text),
        )
        return int(cur.lastrowid or 0)

    def listed(self, *, unread_only: bool = True) -> list[Notice]:
        """Newest first."""
        sql = "SELECT id, at, kind, contact_id, item_id, text, read_at, delivered_at FROM notices"
        sql += " WHERE read_at IS NULL" if unread_only else ""
        rows = self._conn.execute(sql + " ORDER BY at DESC, id DESC")
        return [_notice(r) for r in rows]

    def for_digest(self, limit: int) -> tuple[list[Notice], int, list[int]]:
        """The newest `limit` unread notices not told as a note of their own, how many such
        there are in all, and the ids of every unread notice (the digest marks them read)."""
        cols = "id, at, kind, contact_id, item_id, text, read_at, delivered_at"
        untold = "read_at IS NULL AND delivered_at IS NULL"
        rows = self._conn.execute(
            f"SELECT {cols} FROM notices WHERE {untold} ORDER BY at DESC, id DESC LIMIT ?",  # noqa: S608 - constants
            (limit,),
        )
        count = self._conn.execute(f"SELECT COUNT(*) FROM notices WHERE {untold}").fetchone()[0]  # noqa: S608
        ids = [r[0] for r in self._conn.execute("SELECT id FROM notices WHERE read_at IS NULL")]
        return [_notice(r) for r in rows], int(count), ids

    def undelivered(self, kinds: frozenset[str]) -> list[Notice]:
        """Unread notices of these kinds not yet sent to the INBOX as a note, oldest first."""
        marks = ", ".join("?" for _ in kinds)
        sql = f"SELECT id, at, kind, contact_id, item_id, text, read_at, delivered_at FROM notices WHERE delivered_at IS NULL AND read_at IS NULL AND kind IN ({marks}) ORDER BY at, id"  # noqa: S608 - placeholders
        rows = self._conn.execute(sql, sorted(kinds))
        return [_notice(r) for r in rows]

    def mark_delivered(self, ids: list[int], at: datetime) -> None:
        self._conn.executemany(
            "UPDATE notices SET delivered_at = ? WHERE id = ?", [(utc(at), i) for i in ids]
        )

    def mark_read(self, ids: list[int], at: datetime) -> None:
        self._conn.executemany(
            "UPDATE notices SET read_at = ? WHERE id = ? AND read_at IS NULL",
            [(utc(at), notice_id) for notice_id in ids],
        )


def _notice(r: tuple[Any, ...]) -> Notice:
    contact = ContactId(str(r[3])) if r[3] is not None else None
    at = datetime.fromisoformat(r[1])
    return Notice(r[0], at, r[2], contact, r[4], r[5], r[6] is not None, r[7] is not None)


class MarkTable:
    """The `marks` table: small named values kept between runs."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM marks WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set(self, key: str, value: str) -> None:
        self._conn.execute(
            "INSERT INTO marks (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
