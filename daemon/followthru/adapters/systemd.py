"""sd_notify(3) without a dependency: tell systemd that the daemon is ready, alive, reloading
or stopping, with one datagram to $NOTIFY_SOCKET per call.

Invariants:
- Without $NOTIFY_SOCKET (not run by systemd, or by a unit that is not Type=notify) every call
  is a no-op that returns False.
- Never raises and never blocks for long: a failed send (no such socket, a receiver whose
  queue stays full for SEND_TIMEOUT, an address systemd 252 does not use) is logged once at
  debug level, and the call returns False. The daemon must not die or hang because of its
  supervisor.
- Each message is one datagram of `KEY=VALUE` lines; a value never carries a newline (it would
  start a new, forged assignment), so status texts are flattened to one line.
- The socket address is a path, or an abstract name when it starts with `@`.
- `watchdog_interval()` is None unless $WATCHDOG_USEC is a positive number and $WATCHDOG_PID,
  when set, is this process (a forked child must not ping on its parent's behalf).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)

# A datagram to a receiver whose queue is full blocks; a stuck supervisor must not stall the
# event loop for longer than this.
SEND_TIMEOUT = 1.0

_reported_failure = False


def ready(status: str | None = None, *, env: Mapping[str, str] | None = None) -> bool:
    """READY=1: start-up (or a reload) is complete. Optionally a STATUS= line with it."""
    return send("READY=1", *_status_line(status), env=env)


def status(text: str, *, env: Mapping[str, str] | None = None) -> bool:
    """STATUS=text: one line shown by `systemctl status`."""
    return send(*_status_line(text), env=env)


def watchdog(*, env: Mapping[str, str] | None = None) -> bool:
    """WATCHDOG=1: still alive. Send at least every watchdog_interval() / 2."""
    return send("WATCHDOG=1", env=env)


def stopping(status: str | None = None, *, env: Mapping[str, str] | None = None) -> bool:
    """STOPPING=1: shutdown has begun."""
    return send("STOPPING=1", *_status_line(status), env=env)


def reloading(status: str | None = None, *, env: Mapping[str, str] | None = None) -> bool:
    """RELOADING=1 with MONOTONIC_USEC (systemd 253+ wants it for Type=notify-reload; 252
    ignores it). Send ready() when the reload is done."""
    usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    return send("RELOADING=1", f"MONOTONIC_USEC={usec}", *_status_line(status), env=env)


def extend_timeout(seconds: float, *, env: Mapping[str, str] | None = None) -> bool:
    """EXTEND_TIMEOUT_USEC: ask for `seconds` more before the start (or stop) times out."""
    return send(f"EXTEND_TIMEOUT_USEC={max(0, int(seconds * 1_000_000))}", env=env)


def watchdog_interval(env: Mapping[str, str] | None = None) -> float | None:
    """WatchdogSec= in seconds when systemd expects pings from this process, else None."""
    env = os.environ if env is None else env
    pid = env.get("WATCHDOG_PID")
    if pid is not None and pid.strip() != str(os.getpid()):
        return None
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec / 1_000_000 if usec > 0 else None


def send(*lines: str, env: Mapping[str, str] | None = None) -> bool:
    """Send `lines` (KEY=VALUE each) as one notification; True when the datagram went out."""
    env = os.environ if env is None else env
    target = env.get("NOTIFY_SOCKET")
    if not target:
        return False
    address = _address(target)
    if address is None:
        _report_failure(f"NOTIFY_SOCKET={target!r} is neither a path nor an abstract name")
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.settimeout(SEND_TIMEOUT)
            sock.sendto("\n".join(lines).encode() + b"\n", address)
    except OSError as exc:
        _report_failure(f"sending to {target}: {exc.strerror or exc}")
        return False
    return True


def _address(target: str) -> str | bytes | None:
    if target.startswith("@"):
        return b"\0" + target[1:].encode()
    if target.startswith("/"):
        return target
    return None


def _status_line(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    return ("STATUS=" + " ".join(text.split()),)


def _report_failure(what: str) -> None:
    global _reported_failure  # noqa: PLW0603  (one debug line per process, not one per ping)
    if not _reported_failure:
        _reported_failure = True
        log.debug("sd_notify failed (%s); further failures are not logged", what)
