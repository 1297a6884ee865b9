"""Mailbox bookkeeping: which messages were handled, each folder's watermark, the quarantine.

Invariants:
- A message is handled once per (account, folder, UIDVALIDITY, UID), and recognised again by
  its key (Message-ID or stable hash) under any folder or UID.
- A watermark moves in the same transaction as the events of the messages it passes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from followthru.adapters.store.codec import utc_now

SEEN_PER_QUERY = 500  # bound variables per query: old SQLite builds allow 999


@dataclass(frozen=True, slots=True)
class Watermark:
    account: str
    folder: str
    uidvalidity: int
    last_uid: int
    highestmodseq: int | None


@dataclass(frozen=True, slots=True)
class Quarantined:
    account: str
    folder: str
    uidvalidity: int
    uid: int
    message_key: str | None
    error: str


class MailState:
    """The `seen`, `watermarks` and `quarantine` tables."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def watermark(self, account: str, folder: str) -> Watermark | None:
        row = self._conn.execute(
            "SELECT uidvalidity, last_uid, highestmodseq FROM watermarks WHERE account = ? AND folder = ?",
            (account, folder),
        ).fetchone()
        return Watermark(account, folder, row[0], row[1], row[2]) if row else None

    def set_watermark(self, mark: Watermark) -> None:
        self._conn.execute(
            "INSERT INTO watermarks (account, folder, uidvalidity, last_uid, highestmodseq, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, folder) DO UPDATE SET"
            " uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid,"
            " highestmodseq = excluded.highestmodseq, updated_at = excluded.updated_at",
            (mark.account, mark.folder, mark.uidvalidity, mark.last_uid, mark.highestmodseq,
             utc_now()),
        )  # fmt: skip

    def mark_seen(
        self, account: str, folder: str, uidvalidity: int, uid: int, message_key: str
    ) -> bool:
        """Record a message as handled; False if this (folder, UIDVALIDITY, UID) was already seen."""
        cur = self._conn.execute(
            "INSERT OR IGNORE INTO seen (account, folder, uidvalidity, uid, message_key, seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (account, folder, uidvalidity, uid, message_key, utc_now()),
        )
        return cur.rowcount == 1

    def mark_seen_many(
        self, account: str, folder: str, uidvalidity: int, messages: Iterable[tuple[int, str]]
    ) -> int:
        """mark_seen for each (UID, message key), at one time; how many were new."""
        at = utc_now()
        cur = self._conn.executemany(
            "INSERT OR IGNORE INTO seen (account, folder, uidvalidity, uid, message_key, seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            ((account, folder, uidvalidity, uid, key, at) for uid, key in messages),
        )
        return cur.rowcount

    def seen_key(self, account: str, message_key: str) -> bool:
        """Was a message with this Message-ID (or stable hash) handled before, in any folder?"""
        row = self._conn.execute(
            "SELECT 1 FROM seen WHERE account = ? AND message_key = ? LIMIT 1",
            (account, message_key),
        ).fetchone()
        return row is not None

    def seen_keys(self, account: str, message_keys: Iterable[str]) -> set[str]:
        """Those of `message_keys` that seen_key() is true for: one query per 500 keys."""
        wanted = list(dict.fromkeys(message_keys))
        found: set[str] = set()
        for start in range(0, len(wanted), SEEN_PER_QUERY):
            chunk = wanted[start : start + SEEN_PER_QUERY]
            marks = ", ".join("?" * len(chunk))
            found.update(
                key
                for (key,) in self._conn.execute(
                    f"SELECT message_key FROM seen WHERE account = ? AND message_key IN ({marks})",  # noqa: S608 - only placeholders
                    (account, *chunk),
                )
            )
        return found

    def quarantine(self, account: str, folder: str, uidvalidity: int, uid: int,
                   message_key: str | None, error: str) -> None:  # fmt: skip
        self._conn.execute(
            "INSERT INTO quarantine (account, folder, uidvalidity, uid, message_key, error, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, folder, uidvalidity, uid)"
            " DO UPDATE SET error = excluded.error, at = excluded.at",
            (account, folder, uidvalidity, uid, message_key, error, utc_now()),
        )

    def quarantined(self) -> list[Quarantined]:
        rows = self._conn.execute(
            "SELECT account, folder, uidvalidity, uid, message_key, error FROM quarantine ORDER BY at"
        )
        return [Quarantined(*row) for row in rows]
