"""pymap's in-memory `dict` backend as a second, independent IMAP server (one per test).

pymap 0.36 facts this module relies on (read from its sources and checked live):
- `pymap --no-tls --host H --port N dict --demo-user U --demo-password P` serves exactly
  one login, U/P (defaults demouser/demopass). Without `--demo-data` the user starts with
  an empty INBOX and no other folder; `--demo-data` would add INBOX/Sent/Trash samples.
- Capabilities after login include IDLE, UIDPLUS, MOVE, MULTIAPPEND, but not SPECIAL-USE:
  LIST shows no \\Sent or \\Drafts, and `CREATE x (USE (\\Sent))` is rejected (BAD). The
  rig creates plain "Drafts" and "Sent" folders, so the daemon's by-name fallback is the
  path exercised here.
- TLS is STARTTLS-only (no implicit-TLS listener); the rig runs it without TLS.
- The demo password is hashed with PBKDF2 at 500,000 rounds: 0.25 s of CPU per LOGIN.
  The rig runs pymap's own `main()` through a 7-line launcher that sets 1 round
  (start-up 0.45 s -> 0.2 s, LOGIN 250 ms -> 7 ms); nothing else differs from the CLI.

Invariant: the process is started and stopped by its own pid; its state dies with it,
so every test gets a mailbox nobody else touched.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.rig import (
    LOOPBACK,
    SPECIAL_USE_NAMES,
    ImapAccount,
    free_port,
    spawn,
    stop_process,
    wait_for_greeting,
)

USERNAME = "followthru"
# pymap has no fixed notification delay; it answers an IDLE within its event loop's turn.
IDLE_NOTIFY_DELAY = 0.1


# The real `pymap` entry point, with one change: pymap hashes the demo password with
# PBKDF2 at 500,000 rounds, which costs ~0.25 s of CPU at start-up and again at every
# LOGIN. No CLI flag lowers it (only --passlib-cfg, and only with passlib installed), and a
# throwaway test server needs no slow hashing.
_LAUNCHER = """\
import sys
from pysasl.hashing import BuiltinHash
from pymap.config import IMAPConfig
from pymap.main import main
IMAPConfig._get_hash_context = classmethod(lambda cls, cfg: BuiltinHash(rounds=1))
sys.argv[0] = "pymap"
sys.exit(main())
"""


@dataclass
class PymapServer:
    """One `pymap ... dict` process and the single account it serves.

    Attributes:
        log_path: pymap's stderr (its logging), kept for failed tests.
        start_seconds: wall time from Popen to the first greeting.
    """

    log_path: Path
    host: str = LOOPBACK
    port: int = 0
    password: str = field(default_factory=lambda: secrets.token_hex(12))
    start_seconds: float = 0.0
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    def start(self, *, attempts: int = 3) -> ImapAccount:
        """Start pymap, create Drafts and Sent, and return the account."""
        for attempt in range(1, attempts + 1):
            try:
                self._start_once()
                break
            except RuntimeError as error:
                self.stop()
                if attempt == attempts:
                    log = self.log_path.read_text(errors="replace")
                    raise RuntimeError(f"{error}\n--- pymap log ---\n{log}") from None
        account = self.account()
        with account.session() as client:
            for name in SPECIAL_USE_NAMES.values():
                client.create_folder(name)
        return account

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process)
            self._process = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def account(self) -> ImapAccount:
        return ImapAccount(
            kind="pymap",
            host=self.host,
            port=self.port,
            username=USERNAME,
            password=self.password,
            tls_port=None,
            cafile=None,
            special_use=SPECIAL_USE_NAMES,
            advertises_special_use=False,
            idle_delay=IDLE_NOTIFY_DELAY,
        )

    def _start_once(self) -> None:
        self.port = free_port()
        command = [
            sys.executable,
            "-c",
            _LAUNCHER,
            "--no-tls",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "dict",
            "--demo-user",
            USERNAME,
            "--demo-password",
            self.password,
        ]
        started = time.monotonic()
        self._process = spawn(command, self.log_path)
        wait_for_greeting(self.port, self._process, timeout=15.0, what="pymap")
        self.start_seconds = time.monotonic() - started
