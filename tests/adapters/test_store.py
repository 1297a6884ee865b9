"""The SQLite store, on real files: creation, permissions, migrations, append-only log, lock."""

from __future__ import annotations

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
