"""The store under faults, through the real command line: what is at store.path, and a disk
that fails under the daemon.

Each case runs `python -m followthru` as a real process and asks the same of it: exit 1,
one line on stderr naming the store and saying what to do, no traceback, and the file at
the store path left as it was. The "full disk" is SQLite's own: a small wrapper process
sets PRAGMA max_page_count on the daemon's connection to the pages the store has, so the
first pass that needs a new page meets SQLITE_FULL exactly as on a full disk.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from followthru.adapters.store import Store
from tests.e2e import watchkit as kit
from tests.rig import ImapAccount, free_port

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# The daemon, with its store "full": no page may be added to what it has when opened.
_FULL_DISK = """\
import sys
from followthru.adapters.store import db
from followthru.cli import main

real_open = db.Store.open.__func__

def open_full(cls, path, **options):
    store = real_open(cls, path, **options)
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")
    return store

db.Store.open = classmethod(open_full)
sys.exit(main(sys.argv[1:]))
"""


def offline_config(tmp_path: Path, store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config whose IMAP server is a loopback port nobody listens on: the store is all
    these commands get to."""
    (tmp_path / "credentials").mkdir()
    (tmp_path / "credentials" / "imap").write_text("unused")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path / "credentials"))
    cfg = {
        "identity": {"name": kit.USER_NAME, "email": kit.USER, "timezone": "Europe/Berlin"},
        "accounts": [{
            "name": kit.ACCOUNT,
            "imap": {"host": "127.0.0.1", "port": free_port(), "tls": "none", "username": "jane",
                     "credential": "imap"},
            "smtp": {"host": "127.0.0.1", "port": free_port(), "tls": "none"},
        }],
        "store": {"path": str(store)},
        "notify": {"digest_at": None},
    }  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(cfg))
    return path


def followthru(config: Path, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        kit.followthru_command(config, *argv),
        capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip


def assert_one_line_failure(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    [line] = [x for x in done.stderr.splitlines() if x.startswith("followthru: ")]
    for word in words:
        assert word in line, line
    return line


def test_a_zero_length_store_is_refused_not_taken_for_a_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "state.db"
    store.touch()
    config = offline_config(tmp_path, store, monkeypatch)
    for argv in (("contacts",), ("run", "--once", "--now", NOW.isoformat())):
        assert_one_line_failure(followthru(config, *argv), str(store), "empty", "backup")
    assert store.stat().st_size == 0


def test_a_foreign_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "state.db"
    store.write_text("not a database\n")
    config = offline_config(tmp_path, store, monkeypatch)
    assert_one_line_failure(followthru(config, "queue"), "not a SQLite database")
    assert store.read_text() == "not a database\n"


def test_a_store_with_damaged_pages_stops_run_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "state.db"
    config = offline_config(tmp_path, store, monkeypatch)
    kit.register(config, "bob@acme.example", interview=NOW - timedelta(days=1), now=NOW)
    with Store.open(store) as opened, opened.transaction():  # enough pages to damage some
        for n in range(3000):
            opened.events.append(None, NOW, "probe", f"event {n} " + "x" * 100)
    size = store.stat().st_size
    with store.open("r+b") as file:
        file.seek(size // 2)
        file.write(bytes(range(256)) * 64)
    done = followthru(config, "run", "--once", "--now", NOW.isoformat())
    assert_one_line_failure(done, str(store), "damaged", "restore the file from a backup")


def test_two_daemons_cannot_share_a_store_through_a_symlink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first daemon keeps retrying its (absent) IMAP server, holding the lock; a second
    one given a symlink to the same file is refused."""
    real = tmp_path / "data" / "state.db"
    real.parent.mkdir()
    first_config = offline_config(tmp_path, real, monkeypatch)
    kit.register(first_config, "bob@acme.example", interview=NOW - timedelta(days=1), now=NOW)
    link = tmp_path / "elsewhere.db"
    link.symlink_to(real)
    (tmp_path / "second").mkdir()
    second_config = offline_config(tmp_path / "second", link, monkeypatch)
    first = subprocess.Popen(
        kit.followthru_command(first_config, "run"),
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while not Path(f"{real}.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # the lock file exists once flock() is taken; give it a moment
        assert first.poll() is None, "the first daemon ended"
        done = followthru(second_config, "run", "--once", "--now", NOW.isoformat())
        assert_one_line_failure(done, "another followthru daemon is already running")
    finally:
        first.send_signal(signal.SIGTERM)  # this pid only
        try:
            first.wait(timeout=15)
        except subprocess.TimeoutExpired:
            first.kill()
            first.wait()
        assert first.stderr is not None
        first.stderr.close()


def test_a_full_disk_under_the_daemon_ends_it_with_one_line(
    pymap_imap: ImapAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`run` reads 300 new messages into a store that cannot grow: exit 1, one line (and an
    ERROR log line), the daemon's pass rolled back (no watermark moved), not an
    ExceptionGroup traceback."""
    config = kit.write_config(tmp_path, pymap_imap, timeout="10s", monkeypatch=monkeypatch)
    kit.register(config, "bob@acme.example", interview=NOW - timedelta(days=1), now=NOW)
    pymap_imap.append_many("INBOX", [
        kit.message(f"Person {n} <p{n}@mail{n % 7}.example>", kit.USER, f"Hello {n}", "Hi.\n",
                    at=NOW - timedelta(hours=n), message_id=f"<m{n}.{'x' * 60}@mail.example>")
        for n in range(300)
    ])  # fmt: skip
    command = [sys.executable, "-c", _FULL_DISK, "run", "--config", str(config)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, check=False)  # fmt: skip
    assert_one_line_failure(done, str(tmp_path / "state.db"), "disk is full", "free some space")
    assert "ERROR followthru.app: stopped: " in done.stderr  # in the journal at ERROR, too
    assert kit.Ledger(tmp_path / "state.db").watermarks() == {}
