"""The state store: one SQLite file, one connection, owned here.

Invariants:
- The file is created with its folder (0700) and mode 0600; WAL, foreign keys, synchronous=FULL.
- The schema is versioned with PRAGMA user_version and migrated in place, in one transaction
  per step; a store written by a newer followthru is refused, never downgraded.
- The event log is append-only (triggers refuse UPDATE and DELETE).
- Everything that belongs together (a state change, its event row, the watermark move) is
  written inside one `transaction()`.
- A send's `sending` and `sent` are checkpointed into the main file (`checkpoint`): they must
  survive a lost -wal file.
- Only one daemon runs on a store: `lock()` takes an exclusive flock on `<db>.lock`. Other
  commands (add, approve) may write while the daemon runs; SQLite serialises them.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from followthru.adapters.store.contacts import ContactTable
from followthru.adapters.store.events import EventLog
from followthru.adapters.store.mail import MailState
from followthru.adapters.store.migrations import MIGRATIONS
from followthru.adapters.store.outbox import OutboxTable
from followthru.errors import StoreError, StoreLocked

log = logging.getLogger(__name__)


class Store:
    """The SQLite state store. Use `Store.open(path)`; close with `close()` or as a context.

    Its one face: `transaction()`, `lock()`, and a table family each (`contacts`, `events`,
    `outbox`, `mail`), all on the one connection this object owns.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._lock_fd: int | None = None
        self.contacts = ContactTable(conn)
        self.events = EventLog(conn)
        self.outbox = OutboxTable(conn)
        self.mail = MailState(conn)

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

    def backup(self, target: Path) -> None:
        """A consistent copy of the whole store at `target` (a new file, mode 0600), taken with
        SQLite's backup API while the daemon may be writing: what `cp state.db` is not (it
        misses what the -wal file holds)."""
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise StoreError(f"{target}: cannot write the backup: {exc.strerror}") from exc
        os.close(fd)
        try:
            with contextlib.closing(sqlite3.connect(target)) as copy:
                self.conn.backup(copy)
        except sqlite3.Error as exc:
            target.unlink(missing_ok=True)
            raise StoreError(f"{target}: the backup failed: {exc}") from exc

    def change_mark(self) -> tuple[int, int]:
        """A value that changes whenever the store does: a commit by another connection (the
        daemon, a command) moves `data_version`, one of ours moves `total_changes`. Readers
        that cache what they decoded (the dashboard) compare it before reusing."""
        (version,) = self.conn.execute("PRAGMA data_version").fetchone()
        return int(version), self.conn.total_changes

    def checkpoint(self) -> None:
        """Copy what the WAL holds into the main file now. After a send's `sending` and `sent`
        commits (sends are rare): the record that a message went out must survive the loss of
        the -wal file (a copy of state.db alone, a restore), or it would be sent again."""
        busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(FULL)").fetchone()
        if busy:  # a reader held it up for busy_timeout: the next checkpoint tries again
            log.warning("checkpoint of %s was held up by a reader; it is retried", self.path)

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
