"""The state store: one SQLite file, one connection, owned here.

Invariants:
- The file is created with its folder (0700) and mode 0600; WAL, foreign keys, synchronous=FULL.
- The schema is versioned with PRAGMA user_version and migrated in place, in one transaction
  per step; a store written by a newer followthru is refused, never downgraded.
- The event log is append-only (triggers refuse UPDATE and DELETE).
- Everything that belongs together (a state change, its event row, the watermark move) is
  written inside one `transaction()`.
- Only one daemon runs on a store: `lock()` takes an exclusive flock on `<db>.lock`. Other
  commands (add, approve) may write while the daemon runs; SQLite serialises them.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from followthru.adapters.store.migrations import MIGRATIONS
from followthru.errors import StoreError, StoreLocked


@dataclass(frozen=True, slots=True)
class Watermark:
    account: str
    folder: str
    uidvalidity: int
    last_uid: int
    highestmodseq: int | None


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    contact_id: int | None
    at: datetime
    type: str
    reason: str
    message_id: str | None
    data: dict[str, Any]


class Store:
    """The SQLite state store. Use `Store.open(path)`; close with `close()` or as a context."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._lock_fd: int | None = None

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating if needed) and migrate the store at `path`."""
        _create_private(path)
        try:
            conn = sqlite3.connect(path, isolation_level=None, timeout=10.0)
            for pragma in (
                "journal_mode=WAL",
                "foreign_keys=ON",
                "synchronous=FULL",
                "busy_timeout=10000",
            ):
                conn.execute(f"PRAGMA {pragma}")
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the state store: {exc}") from exc
        store = cls(conn, path)
        store.migrate()
        return store

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    @property
    def version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Apply the migrations this store has not seen, each in its own transaction."""
        current = self.version
        if current > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: the store has schema version {current}, newer than this followthru "
                f"knows ({len(MIGRATIONS)}); upgrade followthru"
            )
        for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
            with self.transaction():
                for statement in _statements(script):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number}")

    def lock(self) -> None:
        """Take the single-daemon lock, or raise StoreLocked naming the store."""
        fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreLocked(
                f"{self.path}: another followthru daemon is already running on this store"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception.

        Nested, it is a SAVEPOINT: the inner work commits with the outer transaction or not
        at all (a message's events and the watermark that passes it are one unit).
        """
        if self.conn.in_transaction:
            yield from self._savepoint()
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _savepoint(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("SAVEPOINT nested")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK TO nested")
            self.conn.execute("RELEASE nested")
            raise
        self.conn.execute("RELEASE nested")

    # --- the event log -------------------------------------------------------------------

    def append_event(self, contact_id: int | None, at: datetime, type_: str, reason: str,
                     message_id: str | None = None, data: dict[str, Any] | None = None) -> int:  # fmt: skip
        cur = self.conn.execute(
            "INSERT INTO events (contact_id, at, type, reason, message_id, data, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                contact_id,
                _iso(at),
                type_,
                reason,
                message_id,
                json.dumps(data or {}),
                _iso(_utcnow()),
            ),
        )
        return int(cur.lastrowid or 0)

    def events(self, contact_id: int | None = None) -> list[EventRow]:
        sql = "SELECT id, contact_id, at, type, reason, message_id, data FROM events"
        rows = self.conn.execute(
            sql
            + (" WHERE contact_id = ? ORDER BY id" if contact_id is not None else " ORDER BY id"),
            (contact_id,) if contact_id is not None else (),
        )
        return [
            EventRow(r[0], r[1], datetime.fromisoformat(r[2]), r[3], r[4], r[5], json.loads(r[6]))
            for r in rows
        ]

    # --- mailbox bookkeeping -------------------------------------------------------------

    def watermark(self, account: str, folder: str) -> Watermark | None:
        row = self.conn.execute(
            "SELECT uidvalidity, last_uid, highestmodseq FROM watermarks WHERE account = ? AND folder = ?",
            (account, folder),
        ).fetchone()
        return Watermark(account, folder, row[0], row[1], row[2]) if row else None

    def set_watermark(self, mark: Watermark) -> None:
        self.conn.execute(
            "INSERT INTO watermarks (account, folder, uidvalidity, last_uid, highestmodseq, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, folder) DO UPDATE SET"
            " uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid,"
            " highestmodseq = excluded.highestmodseq, updated_at = excluded.updated_at",
            (
                mark.account,
                mark.folder,
                mark.uidvalidity,
                mark.last_uid,
                mark.highestmodseq,
                _iso(_utcnow()),
            ),
        )

    def mark_seen(
        self, account: str, folder: str, uidvalidity: int, uid: int, message_key: str
    ) -> bool:
        """Record a message as handled; False if this (folder, UIDVALIDITY, UID) was already seen."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO seen (account, folder, uidvalidity, uid, message_key, seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (account, folder, uidvalidity, uid, message_key, _iso(_utcnow())),
        )
        return cur.rowcount == 1

    def mark_seen_many(
        self, account: str, folder: str, uidvalidity: int, messages: Iterable[tuple[int, str]]
    ) -> int:
        """mark_seen for each (UID, message key), at one time; how many were new."""
        at = _iso(_utcnow())
        cur = self.conn.executemany(
            "INSERT OR IGNORE INTO seen (account, folder, uidvalidity, uid, message_key, seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            ((account, folder, uidvalidity, uid, key, at) for uid, key in messages),
        )
        return cur.rowcount

    def seen_key(self, account: str, message_key: str) -> bool:
        """Was a message with this Message-ID (or stable hash) handled before, in any folder?"""
        row = self.conn.execute(
            "SELECT 1 FROM seen WHERE account = ? AND message_key = ? LIMIT 1",
            (account, message_key),
        ).fetchone()
        return row is not None

    def seen_keys(self, account: str, message_keys: Iterable[str]) -> set[str]:
        """Those of `message_keys` that seen_key() is true for: one query per 500 keys."""
        wanted = list(dict.fromkeys(message_keys))
        per_query = 500  # bound variables: old SQLite builds allow 999
        found: set[str] = set()
        for start in range(0, len(wanted), per_query):
            chunk = wanted[start : start + per_query]
            marks = ", ".join("?" * len(chunk))
            found.update(
                key
                for (key,) in self.conn.execute(
                    f"SELECT message_key FROM seen WHERE account = ? AND message_key IN ({marks})",  # noqa: S608 - only placeholders
                    (account, *chunk),
                )
            )
        return found

    def quarantine(self, account: str, folder: str, uidvalidity: int, uid: int,
                   message_key: str | None, error: str) -> None:  # fmt: skip
        self.conn.execute(
            "INSERT INTO quarantine (account, folder, uidvalidity, uid, message_key, error, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, folder, uidvalidity, uid)"
            " DO UPDATE SET error = excluded.error, at = excluded.at",
            (account, folder, uidvalidity, uid, message_key, error, _iso(_utcnow())),
        )

    def quarantined(self) -> list[tuple[str, str, int, int, str | None, str]]:
        return list(
            self.conn.execute(
                "SELECT account, folder, uidvalidity, uid, message_key, error FROM quarantine ORDER BY at"
            )
        )


def _create_private(path: Path) -> None:
    """Create the folder (0700) and an empty file (0600) so SQLite never makes them world-readable."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the state store: {exc.strerror}") from exc


def _statements(script: str) -> Iterator[str]:
    """Split a migration script on lines holding only `;;` (triggers contain plain `;`)."""
    for chunk in script.split("\n;;\n"):
        if chunk.strip():
            yield chunk


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime reached the store")
    return moment.isoformat()


def _utcnow() -> datetime:
    return datetime.now(UTC)
