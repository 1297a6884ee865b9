"""`followthru run` as systemd runs it: a real process, READY/WATCHDOG over $NOTIFY_SOCKET,
SIGHUP reloads (a broken config is refused and the old one kept), SIGTERM stops it quickly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rig import ImapAccount


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
