"""The SQLite store, on real files: creation, permissions, migrations, append-only log, lock."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from followthru.adapters.store import Store, Watermark
from followthru.adapters.store.mail import Quarantined
from followthru.adapters.store.migrations import MIGRATIONS
from followthru.errors import StoreError, StoreLocked

AT = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store.open(tmp_path / "state.db") as opened:
        yield opened


def test_created_with_its_folder_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "state.db"
    with Store.open(path) as store:
        store.events.append(None, AT, "probe", "first write makes the WAL file")
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        wal = path.with_name("state.db-wal")
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600
        assert store.version == len(MIGRATIONS)


def test_migrates_in_place_and_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    Store.open(path).close()
    with Store.open(path) as store:
        tables = {
            r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        assert {
            "contacts",
            "contact_addresses",
            "events",
            "outbox",
            "seen",
            "watermarks",
            "quarantine",
        } <= tables
        assert store.version == len(MIGRATIONS)


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this followthru knows"):
        Store.open(path)


def test_an_unwritable_location_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the state store"):
        Store.open(blocker / "state.db")


def test_the_event_log_is_append_only(store: Store) -> None:
    event_id = store.events.append(
        None, AT, "interview_held", "the interview ended", "<m1@x>", {"k": 1}
    )
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE events SET reason = 'changed' WHERE id = ?", (event_id,))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM events")
    [row] = store.events.rows()
    assert (row.type, row.reason, row.message_id, row.data, row.at) == (
        "interview_held", "the interview ended", "<m1@x>", {"k": 1}, AT,
    )  # fmt: skip


def test_naive_times_never_reach_the_store(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.events.append(None, datetime(2026, 3, 2), "x", "y")  # noqa: DTZ001


def test_a_transaction_rolls_back_everything_together(store: Store) -> None:
    mark = Watermark("personal", "INBOX", 7, 42, None)
    with pytest.raises(RuntimeError), store.transaction():
        store.events.append(None, AT, "reply", "a reply")
        store.mail.set_watermark(mark)
        raise RuntimeError("crash between the event and the commit")
    assert store.events.rows() == []
    assert store.mail.watermark("personal", "INBOX") is None
    with store.transaction():
        store.events.append(None, AT, "reply", "a reply")
        store.mail.set_watermark(mark)
    assert store.mail.watermark("personal", "INBOX") == mark
    store.mail.set_watermark(Watermark("personal", "INBOX", 8, 3, 99))
    assert store.mail.watermark("personal", "INBOX") == Watermark("personal", "INBOX", 8, 3, 99)


def test_seen_messages_are_recorded_once(store: Store) -> None:
    assert store.mail.mark_seen("personal", "INBOX", 7, 1, "<a@x>")
    assert not store.mail.mark_seen("personal", "INBOX", 7, 1, "<a@x>")
    assert store.mail.mark_seen(
        "personal", "INBOX", 8, 1, "<a@x>"
    )  # a new UIDVALIDITY is a new key
    assert store.mail.seen_key("personal", "<a@x>")
    assert not store.mail.seen_key("personal", "<b@x>")
    assert not store.mail.seen_key("work", "<a@x>")


def test_quarantine_keeps_the_latest_error_per_message(store: Store) -> None:
    store.mail.quarantine("personal", "INBOX", 7, 5, None, "cannot parse")
    store.mail.quarantine("personal", "INBOX", 7, 5, None, "still cannot parse")
    assert store.mail.quarantined() == [
        Quarantined("personal", "INBOX", 7, 5, None, "still cannot parse")
    ]


def test_outbox_status_is_checked_by_the_schema(store: Store) -> None:
    store.conn.execute(
        "INSERT INTO contacts (email, state, created_at, updated_at) VALUES ('bob@acme.example', 'scheduled', 'x', 'x')"
    )
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO outbox (contact_id, step, kind, status, due_at, created_at, updated_at)"
            " VALUES (1, 'thank_you', 'email', 'maybe', 'x', 'x', 'x')"
        )
    with pytest.raises(sqlite3.IntegrityError):  # foreign keys are on
        store.conn.execute(
            "INSERT INTO outbox (contact_id, step, kind, status, due_at, created_at, updated_at)"
            " VALUES (99, 'thank_you', 'email', 'pending', 'x', 'x', 'x')"
        )


def test_only_one_daemon_per_store(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with Store.open(path) as first:
        first.lock()
        with Store.open(path) as second, pytest.raises(StoreLocked, match="already running"):
            second.lock()
        # Another process is refused too (flock is per open file, so this is the real case).
        probe = (
            "import sys; from pathlib import Path; from followthru.adapters.store import Store\n"
            "from followthru.errors import StoreLocked\n"
            "s = Store.open(Path(sys.argv[1]))\n"
            "try:\n    s.lock()\nexcept StoreLocked:\n    sys.exit(3)\n"
        )
        done = subprocess.run([sys.executable, "-c", probe, str(path)], check=False)
        assert done.returncode == 3
    with Store.open(path) as third:
        third.lock()  # released when the first closed


def test_nested_transactions_commit_with_the_outer_one(store: Store) -> None:
    with store.transaction():
        store.events.append(None, AT, "outer", "kept")
        with pytest.raises(RuntimeError), store.transaction():
            store.events.append(None, AT, "inner", "rolled back alone")
            raise RuntimeError
        with store.transaction():
            store.events.append(None, AT, "inner", "kept with the outer")
    assert [e.type for e in store.events.rows()] == ["outer", "inner"]
    with pytest.raises(RuntimeError), store.transaction():
        with store.transaction():
            store.events.append(None, AT, "inner", "lost with the outer")
        raise RuntimeError
    assert len(store.events.rows()) == 2


def test_a_backup_is_the_whole_store_while_it_is_in_use(tmp_path: Path) -> None:
    """The backup holds what the WAL holds too (a `cp` of state.db would not), is private,
    and never overwrites a file."""
    with Store.open(tmp_path / "state.db") as store:
        store.events.append(None, AT, "kept", "only in the WAL so far")
        assert (tmp_path / "state.db-wal").stat().st_size > 0
        store.backup(tmp_path / "copy.db")
        with pytest.raises(StoreError, match="cannot write the backup"):
            store.backup(tmp_path / "copy.db")
    assert stat.S_IMODE((tmp_path / "copy.db").stat().st_mode) == 0o600
    with Store.open(tmp_path / "copy.db") as copy:
        assert [row.type for row in copy.events.rows()] == ["kept"]


# --- what is at the store's path, and faults under it ----------------------------------------


def filled_store(path: Path, events: int = 3000) -> None:
    """A real store with enough rows to span a few hundred pages, checkpointed into the file."""
    with Store.open(path) as store, store.transaction():
        for n in range(events):
            store.events.append(None, AT, "probe", f"event {n} " + "x" * 100)
    # Closing the last connection checkpoints the WAL into the file.


def test_an_empty_file_is_refused_never_initialised_over(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.touch()
    with pytest.raises(StoreError, match=r"empty \(0 bytes\).*restore it from a backup"):
        Store.open(path)
    assert path.stat().st_size == 0


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_text("identity:\n  name: Jane\n")
    with pytest.raises(StoreError, match="not a SQLite database"):
        Store.open(path)
    assert path.read_text() == "identity:\n  name: Jane\n"


@pytest.mark.parametrize(
    "tables", [(), ("CREATE TABLE notes (body TEXT)",)], ids=["empty", "other"]
)
def test_a_sqlite_database_without_our_schema_is_refused(
    tmp_path: Path, tables: tuple[str, ...]
) -> None:
    path = tmp_path / "state.db"
    conn = sqlite3.connect(path)
    for statement in (*tables, "PRAGMA user_version = 0"):
        conn.execute(statement)
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a followthru store"):
        Store.open(path)
    assert path.read_bytes() == before


def test_a_new_store_is_only_made_where_no_file_is(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with Store.open(path) as store:
        assert store.version == len(MIGRATIONS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.db"]  # no temporary left


def test_damaged_pages_are_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    filled_store(path)
    size = path.stat().st_size
    assert size > 100 * 4096
    with path.open("r+b") as file:  # a run of garbage over pages in the middle
        file.seek(size // 2)
        file.write(bytes(range(256)) * 64)
    with pytest.raises(StoreError, match=r"damaged.*restore the file from a backup"):
        Store.open(path, verify=True)


def test_a_full_disk_is_a_store_error_and_the_step_is_rolled_back(tmp_path: Path) -> None:
    """PRAGMA max_page_count makes the database "full" as a full disk would: SQLITE_FULL."""
    path = tmp_path / "state.db"
    with Store.open(path) as store:
        store.events.append(None, AT, "before", "kept")
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StoreError, match="the disk is full") as full, store.transaction():
            for n in range(500):
                store.events.append(None, AT, "filler", f"{n} " + "x" * 500)
        assert isinstance(full.value.__cause__, sqlite3.OperationalError)
        assert [e.type for e in store.events.rows()] == ["before"]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")
def test_an_io_error_is_a_store_error(tmp_path: Path) -> None:
    """The store's WAL file descriptor swapped (dup2) for a read-only one of the same file:
    SQLite's next write fails with EBADF, which it reports as SQLITE_IOERR_WRITE."""
    path = tmp_path / "state.db"
    with Store.open(path) as store:
        store.events.append(None, AT, "before", "makes the WAL")
        wal = path.with_name("state.db-wal")
        fds = [int(fd.name) for fd in Path("/proc/self/fd").iterdir()
               if _points_at(fd, wal)]  # fmt: skip
        assert fds, "the WAL is open"
        readonly = os.open(wal, os.O_RDONLY)
        try:
            for fd in fds:
                os.dup2(readonly, fd)
            with pytest.raises(StoreError, match="I/O error") as failed, store.transaction():
                store.events.append(None, AT, "after", "cannot be written")
        finally:
            os.close(readonly)
        assert isinstance(failed.value.__cause__, sqlite3.OperationalError)


def _points_at(fd: Path, target: Path) -> bool:
    try:
        return Path(os.readlink(fd)) == target
    except OSError:
        return False


def test_a_symlinked_path_takes_the_real_files_lock(tmp_path: Path) -> None:
    real = tmp_path / "data" / "state.db"
    Store.open(real).close()
    link = tmp_path / "link.db"
    link.symlink_to(real)
    with Store.open(real) as first:
        first.lock()
        with Store.open(link) as second, pytest.raises(StoreLocked, match="already running"):
            second.lock()
        assert second.path == real
