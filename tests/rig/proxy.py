"""A loopback TCP proxy in front of a test server that can misbehave on command.

`FaultProxy(upstream_host, upstream_port)` listens on 127.0.0.1 and relays every accepted
connection to the upstream server. While it runs, the test can:

- `cut()`: close every relayed connection at once (the client sees EOF; `reset=True` sends
  a TCP RST instead), as a server restart or a dropped NAT entry would;
- `black_hole()`: keep every connection open, and keep accepting new ones, but forward
  nothing in either direction (bytes wait in the proxy), as a dead route does;
  `pass_through()` ends it and delivers what waited;
- `inject_bye(text)`: send `* BYE <text>` to every client and then close (`close=False`
  keeps the connection), as a server shutting down does; on a TLS connection these are
  plaintext bytes in the middle of the TLS stream;
- `corrupt_record()`: send every client a TLS application-data record whose contents are
  random bytes (it cannot be decrypted), and keep the connection, as a flipped bit would;
- `refuse_handshakes()`: from now on, close (FIN) every connection whose client starts a
  TLS handshake (its first bytes are a handshake record: at once for implicit TLS, after
  the STARTTLS reply otherwise), as a server that accepts TCP and then gives up does;
  with `answer`, those plaintext bytes are sent first (a garbled reply to the handshake);
  `refuse_handshakes(False)` ends it.

Invariants: listens on 127.0.0.1 only; one thread runs everything (select() over all
sockets), commands run on that thread and return once done; `stop()` (or leaving the `with`
block) closes every socket and joins the thread.
"""

from __future__ import annotations

import os
import queue
import select
import socket
import struct
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from tests.rig import LOOPBACK

_CHUNK = 65536
_TLS_HANDSHAKE = b"\x16\x03"  # record type 22, protocol version 3.x


@dataclass
class _Pair:
    """One relayed connection: the client's socket, the upstream's, and bytes on their way."""

    client: socket.socket
    upstream: socket.socket
    to_client: bytearray = field(default_factory=bytearray)
    to_upstream: bytearray = field(default_factory=bytearray)

    def sockets(self) -> tuple[socket.socket, socket.socket]:
        return self.client, self.upstream

    def outbox(self, sock: socket.socket) -> bytearray:
        return self.to_client if sock is self.client else self.to_upstream

    def close(self, *, reset: bool = False) -> None:
        for sock in self.sockets():
            with suppress(OSError):
                if reset:  # SO_LINGER 0: close() sends RST
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()


class FaultProxy:
    """See the module docstring. Attributes: `host`, `port` (where clients connect)."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self._listener = socket.create_server((LOOPBACK, 0))
        self._listener.setblocking(False)
        self.host, self.port = LOOPBACK, int(self._listener.getsockname()[1])
        self._wake_r, self._wake_w = socket.socketpair()
        self._commands: queue.Queue[tuple[Callable[[], None], threading.Event]] = queue.Queue()
        self._pairs: list[_Pair] = []
        self._flowing = True
        self._refusing: bytes | None = None  # refusing handshakes, answering these bytes
        self._running = True
        self._thread = threading.Thread(target=self._loop, name="fault-proxy", daemon=True)
        self._thread.start()

    @property
    def connections(self) -> int:
        """How many connections are being relayed now."""
        counted: list[int] = []
        self._run(lambda: counted.append(len(self._pairs)))
        return counted[0]

    def cut(self, *, reset: bool = False) -> None:
        def cut_all() -> None:
            for pair in self._pairs:
                pair.close(reset=reset)
            self._pairs.clear()

        self._run(cut_all)

    def black_hole(self) -> None:
        self._run(lambda: setattr(self, "_flowing", False))

    def pass_through(self) -> None:
        self._run(lambda: setattr(self, "_flowing", True))

    def inject_bye(self, text: str = "proxy: server shutting down", *, close: bool = True) -> None:
        self.inject(f"* BYE {text}\r\n".encode(), close=close)

    def corrupt_record(self) -> None:
        # TLS 1.2/1.3 application data, 64 bytes of it: its MAC (AEAD tag) cannot match.
        self.inject(b"\x17\x03\x03\x00\x40" + os.urandom(64), close=False)

    def refuse_handshakes(self, refuse: bool = True, *, answer: bytes = b"") -> None:
        self._run(lambda: setattr(self, "_refusing", answer if refuse else None))

    def inject(self, data: bytes, *, close: bool) -> None:
        """Send `data` to every client, past the upstream; then close unless `close=False`."""

        def inject_all() -> None:
            for pair in list(self._pairs):
                with suppress(OSError):  # a client that is already gone
                    pair.client.settimeout(1.0)
                    pair.client.sendall(data)
                    pair.client.setblocking(False)
                if close:
                    pair.close()
                    self._pairs.remove(pair)

        self._run(inject_all)

    def stop(self) -> None:
        if not self._running:
            return
        self._run(lambda: setattr(self, "_running", False))
        self._thread.join(timeout=5)
        for pair in self._pairs:
            pair.close()
        for sock in (self._listener, self._wake_r, self._wake_w):
            sock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- the proxy thread ---------------------------------------------------------

    def _run(self, command: Callable[[], None]) -> None:
        """Run `command` on the proxy thread, wait until it has run, re-raise what it raised."""
        done = threading.Event()
        failed: list[BaseException] = []

        def guarded() -> None:
            try:
                command()
            except Exception as exc:  # handed to the caller below; the proxy goes on
                failed.append(exc)

        self._commands.put((guarded, done))
        self._wake_w.send(b"x")
        if not done.wait(timeout=5):
            raise RuntimeError("the proxy thread did not answer within 5 s")
        if failed:
            raise failed[0]

    def _loop(self) -> None:
        while self._running:
            readable, writable = self._wait()
            for sock in readable:
                self._on_readable(sock)
            for sock in writable:
                self._on_writable(sock)

    def _wait(self) -> tuple[list[socket.socket], list[socket.socket]]:
        reads = [self._listener, self._wake_r]
        writes = []
        if self._flowing:
            for pair in self._pairs:
                reads += pair.sockets()
                writes += [s for s in pair.sockets() if pair.outbox(s)]
        readable, writable, _ = select.select(reads, writes, [], 1.0)
        return readable, writable

    def _on_readable(self, sock: socket.socket) -> None:
        if sock is self._wake_r:
            self._wake_r.recv(_CHUNK)
            while not self._commands.empty():
                command, done = self._commands.get()
                command()  # never raises: _run wraps it
                done.set()
        elif sock is self._listener:
            self._accept()
        else:
            self._relay(sock)

    def _accept(self) -> None:
        try:
            client, _ = self._listener.accept()
        except BlockingIOError:
            return
        try:
            upstream = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            client.close()
            return
        for each in (client, upstream):
            each.setblocking(False)
        self._pairs.append(_Pair(client, upstream))

    def _pair_of(self, sock: socket.socket) -> _Pair | None:
        return next((p for p in self._pairs if sock in p.sockets()), None)

    def _relay(self, sock: socket.socket) -> None:
        pair = self._pair_of(sock)
        if pair is None:  # closed by a command in this same round
            return
        try:
            data = sock.recv(_CHUNK)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        other = pair.upstream if sock is pair.client else pair.client
        if self._refusing is not None and sock is pair.client and data.startswith(_TLS_HANDSHAKE):
            self._flush(pair.client, bytearray(self._refusing))
            data = b""  # closed before the handshake: the upstream never sees it
        if not data:  # one side is done: deliver what it said last, then close both
            self._flush(other, pair.outbox(other))
            pair.close()
            self._pairs.remove(pair)
            self._forget(pair)
            return
        forward, answer = self._translate(pair, sock is pair.client, data)
        pair.outbox(other).extend(forward)
        pair.outbox(sock).extend(answer)

    def _translate(self, pair: _Pair, from_client: bool, data: bytes) -> tuple[bytes, bytes]:
        """What to forward of `data`, and what to answer its sender directly: a subclass that
        speaks the protocol (tests/rig/providers.py) rewrites here; this proxy relays as is."""
        return data, b""

    def _forget(self, pair: _Pair) -> None:
        """A relayed connection ended (a subclass drops what it kept about it)."""

    @staticmethod
    def _flush(sock: socket.socket, outbox: bytearray) -> None:
        with suppress(OSError):
            sock.settimeout(1.0)
            sock.sendall(outbox)

    def _on_writable(self, sock: socket.socket) -> None:
        pair = self._pair_of(sock)
        if pair is None:
            return
        outbox = pair.outbox(sock)
        try:
            sent = sock.send(outbox)
        except BlockingIOError:
            return
        except OSError:
            pair.close()
            self._pairs.remove(pair)
            return
        del outbox[:sent]
