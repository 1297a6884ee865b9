"""`followthru run` as systemd runs it: a real process, READY/WATCHDOG over $NOTIFY_SOCKET,
SIGHUP reloads (a broken config is refused and the old one kept), SIGTERM stops it quickly."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.rig import ImapAccount
from tests.rig.dovecot import DovecotAccount


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.settimeout(0.2)
    yield sock
    sock.close()


def messages(sock: socket.socket, until: str, timeout: float = 15.0) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not any(until in m for m in seen):
        try:
            seen.append(sock.recv(4096).decode())
        except TimeoutError:
            continue
    return seen


def test_run_is_a_well_behaved_systemd_service(
    pymap_imap: ImapAccount, tmp_path: Path, notify_socket: socket.socket
) -> None:
    (tmp_path / "creds").mkdir()
    (tmp_path / "creds" / "imap").write_text(pymap_imap.password)
    config = {
        "identity": {"name": "Jane Doe", "email": "jane@example.org", "timezone": "Europe/Berlin"},
        "accounts": [{"imap": {"host": pymap_imap.host, "port": pymap_imap.port, "tls": "none",
                               "username": pymap_imap.username, "credential": "imap"},
                      "smtp": {"host": "127.0.0.1", "port": 9, "tls": "none"}}],
        "store": {"path": str(tmp_path / "state.db")},
        "notify": {"digest_at": None},
    }  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(config))
    env = {**os.environ, "NOTIFY_SOCKET": str(tmp_path / "notify"), "WATCHDOG_USEC": "2000000",
           "CREDENTIALS_DIRECTORY": str(tmp_path / "creds")}  # fmt: skip
    daemon = subprocess.Popen(
        [sys.executable, "-m", "followthru", "run", "--config", str(path)],
        env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        started = messages(notify_socket, "READY=1")
        assert any("READY=1" in m and "watching 1 of 1 account(s)" in m for m in started), started
        assert any("WATCHDOG=1" in m for m in started + messages(notify_socket, "WATCHDOG=1", 3.0))

        path.write_text("identity: [broken\n")
        daemon.send_signal(signal.SIGHUP)
        assert any("RELOADING=1" in m for m in messages(notify_socket, "RELOADING=1"))
        assert any(
            "READY=1" in m for m in messages(notify_socket, "READY=1")
        )  # still serving, old config
        assert daemon.poll() is None

        path.write_text(json.dumps({**config, "watch": {"poll_interval": "30s"}}))
        daemon.send_signal(signal.SIGHUP)
        assert any("READY=1" in m for m in messages(notify_socket, "READY=1"))

        stopped_at = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=10) == 0
        assert time.monotonic() - stopped_at < 10
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    log = daemon.stderr.read() if daemon.stderr else ""
    assert "reload refused, still running on the previous configuration" in log
    assert f"reloaded config={path}" in log
    assert "stopped" in log


def test_run_exits_78_on_an_unusable_config(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("identity: {name: Jane}\n")
    done = subprocess.run([sys.executable, "-m", "followthru", "run", "--config", str(path)],
                          capture_output=True, text=True, timeout=30, check=False)  # fmt: skip
    assert done.returncode == 78
    assert "identity.email: is required" in done.stderr


@pytest.mark.dovecot
def test_a_long_first_pass_asks_systemd_for_more_time_until_ready(
    dovecot_imap: DovecotAccount, tmp_path: Path, notify_socket: socket.socket
) -> None:
    """A first sync longer than the unit's start timeout must not be killed and restarted
    forever: while the first pass reads mail, EXTEND_TIMEOUT_USEC comes with a STATUS of how
    far it got, and READY only after the pass. (Here 20,000 messages take a second or two; the
    daemon asks again at each tick in which it read more, so the length does not matter.)"""
    now = datetime.now(UTC)
    for n in range(20_000):
        raw = f"From: news{n}@lists.example\nTo: jane@example.org\nSubject: n{n}\nMessage-ID: <n{n}@lists.example>\n\nx\n"
        dovecot_imap.deliver("INBOX", raw.encode(), msg_time=now)
    (tmp_path / "creds").mkdir()
    (tmp_path / "creds" / "imap").write_text(dovecot_imap.password)
    config = {
        "identity": {"name": "Jane Doe", "email": "jane@example.org", "timezone": "Europe/Berlin"},
        "accounts": [{"name": "personal",
                      "imap": {"host": dovecot_imap.host, "port": dovecot_imap.port, "tls": "none",
                               "username": dovecot_imap.username, "credential": "imap"},
                      "smtp": {"host": "127.0.0.1", "port": 9, "tls": "none"}}],
        "store": {"path": str(tmp_path / "state.db")},
        "notify": {"digest_at": None},
    }  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(config))
    env = {**os.environ, "NOTIFY_SOCKET": str(tmp_path / "notify"),
           "CREDENTIALS_DIRECTORY": str(tmp_path / "creds")}  # fmt: skip
    daemon = subprocess.Popen([sys.executable, "-m", "followthru", "run", "--config", str(path)],
                              env=env, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        seen = messages(notify_socket, "READY=1", timeout=120.0)
    finally:
        daemon.terminate()
        daemon.wait(timeout=15)
    ready = next(i for i, m in enumerate(seen) if "READY=1" in m)
    before = seen[:ready]
    extended = [m for m in before if "EXTEND_TIMEOUT_USEC=30000000" in m]
    progress = [int(found.group(1).replace(",", "")) for m in before
                if (found := re.search(r"personal ([\d,]+) message", m))]  # fmt: skip
    assert len(extended) >= 2, seen
    assert progress, before
    assert max(progress) > 0 and progress == sorted(progress)
    assert "READY=1" in seen[ready] and not any("EXTEND" in m for m in seen[ready:])
