"""Real servers for the adapter and end-to-end tests, and the account object they share.

Modules:
    dovecot  a private Dovecot on loopback (the reference IMAP server)
    pymapd   pymap's in-memory `dict` backend in a subprocess (a second, independent IMAP)
    smtpd    aiosmtpd in the test's own event loop, recording and scriptable
    tls      a throwaway CA and good / wrong-host / expired / self-signed certificates

Invariants: every server listens on 127.0.0.1 only, and every process a fixture starts is
stopped through its own Popen object (terminate, then kill that pid) - never by name.
"""

from __future__ import annotations

import ctypes
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

LOOPBACK = "127.0.0.1"

# What the rig calls the two folders the daemon needs, by SPECIAL-USE attribute.
SPECIAL_USE_NAMES: Mapping[str, str] = {"\\Drafts": "Drafts", "\\Sent": "Sent"}

_APPENDUID = re.compile(rb"APPENDUID \d+ (\d+)")


@dataclass(kw_only=True)
class ImapAccount:
    """One IMAP login on a running test server; the common face of Dovecot and pymap.

    Attributes:
        kind: "dovecot" or "pymap".
        host, port: the plain (cleartext, STARTTLS-capable on Dovecot) listener.
        tls_port: the implicit-TLS listener, or None when the server has none (pymap).
        cafile: the CA that signed the TLS certificate, or None without TLS.
        username, password: a login that works with LOGIN and AUTHENTICATE PLAIN.
        special_use: SPECIAL-USE attribute -> folder name, e.g. {"\\Sent": "Sent"}.
            The folders exist on both servers; only Dovecot advertises the attributes.
        advertises_special_use: True when LIST returns \\Drafts / \\Sent attributes.
        idle_delay: the longest the server holds back an IDLE notification, in seconds
            (Dovecot waits a fixed 0.5 s after a change; pymap answers within ~0.1 s).
    """

    kind: str
    host: str
    port: int
    username: str
    password: str
    tls_port: int | None
    cafile: Path | None
    special_use: Mapping[str, str]
    advertises_special_use: bool
    idle_delay: float

    def connect(self, *, tls: bool = False, timeout: float = 10.0) -> IMAPClient:
        """A logged-in IMAPClient (implicit TLS on `tls_port` when `tls`)."""
        client = self.connect_unauthenticated(tls=tls, timeout=timeout)
        client.login(self.username, self.password)
        return client

    def connect_unauthenticated(self, *, tls: bool = False, timeout: float = 10.0) -> IMAPClient:
        """An IMAPClient before LOGIN, verifying the certificate against `cafile`."""
        if not tls:
            return IMAPClient(self.host, self.port, ssl=False, timeout=timeout)
        if self.tls_port is None or self.cafile is None:
            raise ValueError(f"{self.kind} has no implicit-TLS listener")
        context = ssl.create_default_context(cafile=str(self.cafile))
        return IMAPClient(self.host, self.tls_port, ssl=True, ssl_context=context, timeout=timeout)

    @contextmanager
    def session(self, *, tls: bool = False) -> Iterator[IMAPClient]:
        """A logged-in client that logs out when the block ends."""
        client = self.connect(tls=tls)
        try:
            yield client
        finally:
            _logout_quietly(client)

    def append(
        self,
        folder: str,
        raw: bytes,
        flags: Sequence[str | bytes] = (),
        msg_time: datetime | None = None,
    ) -> int | None:
        """APPEND one message on a fresh connection; returns its UID (from APPENDUID)."""
        return self.append_many(folder, [raw], flags, msg_time)[0]

    def append_many(
        self,
        folder: str,
        messages: Iterable[bytes],
        flags: Sequence[str | bytes] = (),
        msg_time: datetime | None = None,
    ) -> list[int | None]:
        """APPEND several messages over one connection; returns their UIDs."""
        with self.session() as client:
            return [
                _appended_uid(client.append(folder, raw, flags=list(flags), msg_time=msg_time))
                for raw in messages
            ]

    def create_folder(self, name: str) -> None:
        with self.session() as client:
            client.create_folder(name)

    def delete_folder(self, name: str) -> None:
        with self.session() as client:
            client.delete_folder(name)

    def uidvalidity(self, folder: str) -> int:
        with self.session() as client:
            status = client.folder_status(folder, [b"UIDVALIDITY"])
            return int(status[b"UIDVALIDITY"])

    def recreate_folder(self, name: str) -> tuple[int, int]:
        """DELETE then CREATE `name`, as a user or admin might; returns (old, new) UIDVALIDITY.

        This is the portable way to make a folder's UIDVALIDITY change under the daemon.
        """
        old = self.uidvalidity(name)
        self.delete_folder(name)
        self.create_folder(name)
        return old, self.uidvalidity(name)


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago (the caller retries on a race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_for_greeting(
    port: int, process: subprocess.Popen[bytes], *, timeout: float, what: str
) -> float:
    """Poll until the server on `port` sends its first line; returns the seconds waited.

    Raises RuntimeError if the process exits first or the timeout passes.
    """
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode} before listening")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=1.0) as sock:
                if sock.recv(64):
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"{what} did not greet on port {port} within {timeout} s")


def spawn(command: Sequence[str], log: Path) -> subprocess.Popen[bytes]:
    """Start a server process with its output appended to `log`.

    On Linux the child gets SIGTERM if the test process dies without tearing down (e.g.
    killed by a CI timeout), so a server never outlives its session.
    """
    with log.open("ab") as output:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            preexec_fn=_terminate_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509 - async-signal-safe: one prctl call
        )


def stop_process(process: subprocess.Popen[bytes], *, grace: float = 5.0) -> None:
    """SIGTERM this process (by its own pid), then SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=grace)


def _appended_uid(response: bytes) -> int | None:
    match = _APPENDUID.search(response)
    return int(match.group(1)) if match else None


def _logout_quietly(client: IMAPClient) -> None:
    try:
        client.logout()
    except (OSError, IMAPClientError):
        with suppress(OSError):
            client.shutdown()


def _terminate_with_parent() -> None:
    pr_set_pdeathsig = 1
    ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)
