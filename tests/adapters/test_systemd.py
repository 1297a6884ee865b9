"""followthru.adapters.systemd against real AF_UNIX datagram sockets, as systemd listens on them."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import struct
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from followthru.adapters import systemd as notify


class Listener:
    """A datagram socket standing in for systemd's notification socket."""

    def __init__(self, sock: socket.socket, env_value: str) -> None:
        self.sock = sock
        self.env = {"NOTIFY_SOCKET": env_value}

    def messages(self) -> list[str]:
        """Every datagram received so far, decoded; waits briefly for the first."""
        found: list[str] = []
        self.sock.settimeout(1.0)
        while True:
            try:
                found.append(self.sock.recv(4096).decode())
            except (TimeoutError, BlockingIOError):
                return found
            self.sock.setblocking(False)

    def sender_pid(self) -> int:
        """The pid the kernel vouches for (SCM_CREDENTIALS), which systemd checks against
        NotifyAccess=main."""
        self.sock.settimeout(1.0)
        _data, ancillary, _flags, _addr = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid, _uid, _gid = struct.unpack("iII", data[:12])
                return int(pid)
        raise AssertionError("no SCM_CREDENTIALS on the datagram")


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[Listener]:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        yield Listener(sock, str(path))


@pytest.fixture
def abstract_listener() -> Iterator[Listener]:
    name = f"followthru-test-{secrets.token_hex(8)}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(b"\0" + name.encode())
        yield Listener(sock, "@" + name)


@pytest.fixture(autouse=True)
def _fresh_failure_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notify, "_reported_failure", False)


def test_each_call_sends_exactly_its_message(listener: Listener) -> None:
    env = listener.env
    assert notify.ready(env=env)
    assert notify.status("syncing INBOX", env=env)
    assert notify.watchdog(env=env)
    assert notify.stopping(env=env)
    assert notify.extend_timeout(90, env=env)
    assert listener.messages() == [
        "READY=1\n",
        "STATUS=syncing INBOX\n",
        "WATCHDOG=1\n",
        "STOPPING=1\n",
        "EXTEND_TIMEOUT_USEC=90000000\n",
    ]


def test_the_abstract_namespace_works_too(abstract_listener: Listener) -> None:
    assert notify.ready("watching 2 folders", env=abstract_listener.env)
    assert notify.watchdog(env=abstract_listener.env)
    assert abstract_listener.messages() == ["READY=1\nSTATUS=watching 2 folders\n", "WATCHDOG=1\n"]


def test_reloading_carries_the_monotonic_clock(listener: Listener) -> None:
    before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    assert notify.reloading(env=listener.env)
    after = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    [message] = listener.messages()
    first, second, end = message.split("\n")
    assert (first, end) == ("RELOADING=1", "")
    key, _, value = second.partition("=")
    assert key == "MONOTONIC_USEC" and before <= int(value) <= after


def test_a_status_text_cannot_forge_another_assignment(listener: Listener) -> None:
    assert notify.status("one\nREADY=1\r\n  two", env=listener.env)
    assert listener.messages() == ["STATUS=one READY=1 two\n"]


def test_the_kernel_vouches_for_our_pid(listener: Listener) -> None:
    listener.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    assert notify.watchdog(env=listener.env)
    assert listener.sender_pid() == os.getpid()


def test_the_process_environment_is_the_default(
    listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", listener.env["NOTIFY_SOCKET"])
    assert notify.ready()
    assert listener.messages() == ["READY=1\n"]


@pytest.mark.parametrize(
    "call",
    [
        lambda env: notify.ready(env=env),
        lambda env: notify.status("x", env=env),
        lambda env: notify.watchdog(env=env),
        lambda env: notify.stopping(env=env),
        lambda env: notify.reloading(env=env),
    ],
)
def test_without_notify_socket_nothing_happens(call: Callable[[dict[str, str]], bool]) -> None:
    assert call({}) is False
    assert call({"NOTIFY_SOCKET": ""}) is False


def test_a_send_failure_never_raises_and_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = {"NOTIFY_SOCKET": str(tmp_path / "gone.sock")}
    with caplog.at_level(logging.DEBUG, logger="followthru.adapters.systemd"):
        assert notify.ready(env=env) is False
        assert notify.watchdog(env=env) is False
        assert notify.watchdog(env={"NOTIFY_SOCKET": "vsock:2:1234"}) is False
    [record] = caplog.records
    assert record.levelno == logging.DEBUG
    assert "gone.sock" in record.getMessage()


def test_a_receiver_that_stops_reading_never_blocks_us_for_long(
    listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notify, "SEND_TIMEOUT", 0.2)
    listener.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
    started = time.monotonic()
    results: list[bool] = []
    while len(results) < 100 and (not results or results[-1]):
        results.append(notify.status("x" * 4000, env=listener.env))
    assert results[0] is True and results[-1] is False
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"WATCHDOG_USEC": "120000000"}, 120.0),
        ({"WATCHDOG_USEC": "500000", "WATCHDOG_PID": "{pid}"}, 0.5),
        ({"WATCHDOG_USEC": "120000000", "WATCHDOG_PID": "1"}, None),
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "-5"}, None),
        ({"WATCHDOG_USEC": "soon"}, None),
    ],
)
def test_watchdog_interval(env: dict[str, str], expected: float | None) -> None:
    env = {key: value.format(pid=os.getpid()) for key, value in env.items()}
    assert notify.watchdog_interval(env) == expected


def test_watchdog_interval_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "60000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert notify.watchdog_interval() == 60.0
