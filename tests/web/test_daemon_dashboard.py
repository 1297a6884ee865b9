"""The daemon serves the dashboard when `dashboard.listen` is set: one more task in its own
event loop, answering while it watches the mailbox, and stopped with it by SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.rig import ImapAccount


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str, token: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"X-Followthru-Token": token})  # noqa: S310  (http on loopback)
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return response.status, response.read().decode()


def test_the_daemon_serves_the_dashboard_and_stops_it_on_sigterm(
    pymap_imap: ImapAccount, tmp_path: Path
) -> None:
    (tmp_path / "creds").mkdir()
    (tmp_path / "creds" / "imap").write_text(pymap_imap.password)
    port = free_port()
    config = {
        "identity": {"name": "Jane Doe", "email": "jane@example.org", "timezone": "Europe/Berlin"},
        "accounts": [{"imap": {"host": pymap_imap.host, "port": pymap_imap.port, "tls": "none",
                               "username": pymap_imap.username, "credential": "imap"},
                      "smtp": {"host": "127.0.0.1", "port": 9, "tls": "none"}}],
        "store": {"path": str(tmp_path / "state.db")},
        "notify": {"digest_at": None},
        "dashboard": {"listen": f"127.0.0.1:{port}"},
    }  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(config))
    env = {**os.environ, "CREDENTIALS_DIRECTORY": str(tmp_path / "creds")}
    env.pop("NOTIFY_SOCKET", None)
    daemon = subprocess.Popen(
        [sys.executable, "-m", "followthru", "run", "--config", str(path)],
        env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        token_file = tmp_path / "dashboard.token"
        deadline = time.monotonic() + 20
        status, html = 0, ""
        while time.monotonic() < deadline and daemon.poll() is None:
            try:
                status, html = get(f"http://127.0.0.1:{port}/queue", token_file.read_text().strip())
                break
            except (OSError, FileNotFoundError):
                time.sleep(0.2)
        assert status == 200 and "The queue" in html
        stopped_at = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=10) == 0
        assert time.monotonic() - stopped_at < 10
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    log = daemon.stderr.read() if daemon.stderr else ""
    assert f"dashboard listening on http://127.0.0.1:{port}/" in log and "stopped" in log
    assert token_file.read_text().strip() not in log  # the token is never logged
    with socket.socket() as again:  # nobody listens there any more (TIME_WAIT aside)
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
