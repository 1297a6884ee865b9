"""The state store: one SQLite file, one connection, owned here.

Invariants:
- The path is resolved (symlinks followed) once, at `open`: the lock, the WAL and every message
  name the real file.
- A new store is created only where no file exists: built and migrated under a temporary name
  beside it (folder 0700, file 0600), then linked into place. An existing file that is empty,
  is not SQLite, or is SQLite without followthru's schema is refused, never initialised over.
- WAL, foreign keys, synchronous=FULL. `open(verify=True)` (the daemon) also reads the whole
  file (PRAGMA quick_check) and refuses a damaged one.
- sqlite3 errors of the environment (disk full, I/O error, damaged file, busy, read-only) leave
  `open` and `transaction` only as StoreError, chained, saying what to do; a failed
  transaction is rolled back whole.
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
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from followthru.adapters.store.contacts import ContactTable
from followthru.adapters.store.events import EventLog
from followthru.adapters.store.jobs import ApplicationTable, QuestionTable
from followthru.adapters.store.mail import MailState
from followthru.adapters.store.migrations import MIGRATIONS
from followthru.adapters.store.notices import MarkTable, NoticeTable
from followthru.adapters.store.outbox import OutboxTable
from followthru.errors import StoreError, StoreLocked

log = logging.getLogger(__name__)


class Store:
    """The SQLite state store. Use `Store.open(path)`; close with `close()` or as a context.

    Its one face: `transaction()`, `lock()`, and a table family each (`contacts`, `events`,
    `outbox`, `mail`, `notices`, `marks`, `jobs`, `questions`), all on the one connection this object owns.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._lock_fd: int | None = None
        self.contacts = ContactTable(conn)
        self.events = EventLog(conn)
        self.outbox = OutboxTable(conn)
        self.mail = MailState(conn)
        self.notices = NoticeTable(conn)
        self.marks = MarkTable(conn)
        self.jobs = ApplicationTable(conn)
        self.questions = QuestionTable(conn)

    @classmethod
    def open(cls, path: Path, *, verify: bool = False) -> Store:
        """Open and migrate the store at `path` (symlinks resolved), creating it only when no
        file is there; with `verify`, refuse a damaged file (a full read of it)."""
        real = _resolved(path)
        if not real.exists():
            _create(real)
        _check_header(real)
        with translated(real):
            conn = sqlite3.connect(real, isolation_level=None, timeout=10.0)
        store = cls(conn, real)
        try:
            with translated(real):
                store._check_schema()  # before any PRAGMA writes to a file that is not ours
                _configure(conn)
                if verify:
                    store._verify()
                store.migrate()
        except BaseException:
            conn.close()
            raise
        return store

    def _check_schema(self) -> None:
        """Every followthru store has run migration 1: user_version >= 1 and its tables."""
        tables = {
            r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if self.version < 1 or not _OUR_TABLES.issubset(tables):
            raise StoreError(
                f"{self.path}: a SQLite database, but not a followthru store (no followthru "
                "schema); set store.path to the right file, or move this one away"
            )

    def _verify(self) -> None:
        problems = [str(r[0]) for r in self.conn.execute("PRAGMA quick_check(1)")]
        if problems != ["ok"]:
            raise StoreError(_damaged(self.path, " ".join(" ".join(problems).split())))

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
        # self.path is the resolved one: a symlink to the store takes the same lock.
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
        with translated(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                self._rollback("ROLLBACK")
                raise

    def _savepoint(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("SAVEPOINT nested")
        try:
            yield self.conn
        except BaseException:
            self._rollback("ROLLBACK TO nested", "RELEASE nested")
            raise
        self.conn.execute("RELEASE nested")

    def _rollback(self, *statements: str) -> None:
        """Undo; after a disk or I/O error SQLite may have rolled back already, and the error
        worth reporting is the first one."""
        with suppress(sqlite3.Error):
            for statement in statements:
                self.conn.execute(statement)


_OUR_TABLES = frozenset({"contacts", "events", "outbox"})  # made by migration 1
_SQLITE_HEADER = b"SQLite format 3\x00"
# Primary result codes (extended codes carry them in the low byte): what the user can act on.
_FULL, _IOERR, _CORRUPT, _NOTADB = 13, 10, 11, 26
_BUSY, _LOCKED, _READONLY, _CANTOPEN, _PERM = 5, 6, 8, 14, 3


def _resolved(path: Path) -> Path:
    try:
        return path.expanduser().resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise StoreError(f"{path}: cannot resolve the store's path: {exc}") from exc


def _create(path: Path) -> None:
    """A new, migrated store at `path`, which must not exist: made under a temporary name in
    the same folder (0700, file 0600, so SQLite never makes them world-readable) and linked
    into place, so that an empty or half-made file at `path` is never ours."""
    temporary = path.with_name(f".{path.name}.new-{secrets.token_hex(4)}")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
        with translated(path):
            conn = sqlite3.connect(temporary, isolation_level=None)
            try:
                _configure(conn)
                Store(conn, temporary).migrate()
            finally:
                conn.close()
        with suppress(FileExistsError):  # another process made it meanwhile: theirs stands
            os.link(temporary, path)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the state store: {exc.strerror}") from exc
    finally:
        with suppress(OSError):
            temporary.unlink()


def _configure(conn: sqlite3.Connection) -> None:
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL", "busy_timeout=10000"):
        conn.execute(f"PRAGMA {pragma}")


def _check_header(path: Path) -> None:
    """Refuse, before SQLite sees it, a file SQLite would silently take for a new database."""
    try:
        with path.open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the state store: {exc.strerror}") from exc
    if not header:
        raise StoreError(
            f"{path}: the file is empty (0 bytes), not a followthru store; restore it from a "
            "backup, or move it away to start with a new, empty store"
        )
    if header != _SQLITE_HEADER:
        raise StoreError(
            f"{path}: not a SQLite database, so not a followthru store; set store.path to the "
            "right file, or move this one away"
        )


@contextmanager
def translated(path: Path) -> Iterator[None]:
    """sqlite3 errors of the environment as StoreError saying what to do; others (a
    constraint, a bug) unchanged."""
    try:
        yield
    except sqlite3.Error as exc:
        message = _environment(path, exc)
        if message is None:
            raise
        raise StoreError(message) from exc


def _environment(path: Path, exc: sqlite3.Error) -> str | None:
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code == _FULL:
        return (f"{path}: the disk is full ({exc}); nothing of the failed step was written: "
                "free some space, then start followthru again")  # fmt: skip
    if code == _IOERR:
        return (f"{path}: I/O error on the state store ({exc}); check the disk and the file "
                "system (e.g. the kernel log), then start followthru again")  # fmt: skip
    if code in (_CORRUPT, _NOTADB):
        return _damaged(path, str(exc))
    if code in (_BUSY, _LOCKED):
        return f"{path}: the state store stayed busy ({exc}); another process holds it: try again"
    if code in (_READONLY, _CANTOPEN, _PERM):
        return f"{path}: cannot write the state store ({exc}); check its permissions and mount"
    return None


def _damaged(path: Path, detail: str) -> str:
    return (f"{path}: the state store is damaged ({detail}); stop followthru, restore the file "
            "from a backup (or try `sqlite3 FILE .recover`), then start again")  # fmt: skip


def _statements(script: str) -> Iterator[str]:
    """Split a migration script on lines holding only `;;` (triggers contain plain `;`)."""
    for chunk in script.split("\n;;\n"):
        if chunk.strip():
            yield chunk
