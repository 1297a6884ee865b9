"""The configuration's values: frozen dataclasses, built once by load.py and passed down.

Invariants: every value is immutable; durations are timedeltas, zones ZoneInfos, paths absolute.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

TlsMode = Literal["implicit", "starttls", "none"]
SecretKind = Literal["password_command", "credential", "keyring", "oauth2_token_command"]
SECRET_KINDS: tuple[SecretKind, ...] = (
    "password_command",
    "credential",
    "keyring",
    "oauth2_token_command",
)
ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")


@dataclass(frozen=True, slots=True)
class Secret:
    """Where a secret comes from. `value` is a command, a credential name, or the keyring key."""

    kind: SecretKind
    value: str

    @property
    def is_oauth2(self) -> bool:
        return self.kind == "oauth2_token_command"


@dataclass(frozen=True, slots=True)
class Server:
    host: str
    port: int
    tls: TlsMode
    username: str | None
    secret: Secret | None
    cafile: Path | None
    timeout: float


@dataclass(frozen=True, slots=True)
class Folders:
    inbox: str
    drafts: str  # "auto" = SPECIAL-USE, then common names
    sent: str


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    imap: Server
    smtp: Server
    folders: Folders
    save_sent: bool | None  # None = auto (not on Gmail, which files sent mail itself)


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    email: str
    also: tuple[str, ...]
    timezone: ZoneInfo

    @property
    def addresses(self) -> frozenset[str]:
        return frozenset(a.lower() for a in (self.email, *self.also))


@dataclass(frozen=True, slots=True)
class Watch:
    idle: bool
    idle_refresh: timedelta
    poll_interval: timedelta
    backfill_days: int


@dataclass(frozen=True, slots=True)
class SendWindow:
    days: frozenset[int]  # 0 = Monday
    start: time
    end: time | None  # None = 24:00, the end of the day


@dataclass(frozen=True, slots=True)
class Cadence:
    thank_you_after: timedelta
    check_in_after: timedelta
    min_gap: timedelta
    tries: tuple[str, ...]
    give_up_after: timedelta
    nurture_every: timedelta  # zero = never
    referral_reach_out_within: timedelta
    referral_check_ins: int
    send_window: SendWindow
    draft_expires_after: timedelta


@dataclass(frozen=True, slots=True)
class Approval:
    approve_by_flag: bool
    auto_send: frozenset[str]
    max_drafts_per_pass: int = 20  # new drafts one pass writes to Drafts; the rest wait (pacing)


@dataclass(frozen=True, slots=True)
class Detection:
    interview_keywords: tuple[str, ...]
    same_company_replies: Literal["count", "flag", "ignore"]
    free_mail_domains: frozenset[str]
    max_attendees: int = 8  # an invitation to more people creates no interviews
    max_strangers: int = 5  # the user's mail to more strangers creates no referrals


@dataclass(frozen=True, slots=True)
class Notify:
    """How the user is told, in their INBOX (SPEC "Notices and the digest")."""

    digest_at: time | None = time(8, 0)  # local time of the daily digest; None: no digest
    digest_days: frozenset[int] = frozenset(range(5))
    urgent: bool = True  # uncertain sends, refused approvals, bounces: a note at once
    push: tuple[str, ...] = ()  # apprise URLs: a title and a line for each note and digest


@dataclass(frozen=True, slots=True)
class Listen:
    """A loopback address and port for the dashboard (never anything else: see parse_listen)."""

    host: str  # an IP literal, without brackets
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Dashboard:
    listen: Listen | None = None  # None: the daemon does not serve the dashboard


@dataclass(frozen=True, slots=True)
class Jobs:
    """Job-search mail: the pause before one gentle check-in, and the user's rules file
    (merged over the shipped rules by adapters/rulesfile.py; None = the shipped ones alone)."""

    paused_check_in_after: timedelta = timedelta(days=30)
    rules: Path | None = None


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    identity: Identity
    accounts: tuple[Account, ...]
    store_path: Path
    templates_dir: Path | None
    watch: Watch
    cadence: Cadence
    approval: Approval
    detection: Detection
    notify: Notify = Notify()
    dashboard: Dashboard = Dashboard()
    jobs: Jobs = Jobs()


def is_address(text: str) -> bool:
    """A plain address (`local@domain`), as the config and the commands accept it."""
    return bool(ADDRESS.match(text.strip()))


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback IP literals; names are not resolved (no I/O here)."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_listen(text: str) -> Listen:
    """`127.0.0.1:8025`, `[::1]:8025` or `localhost:8025` as a Listen; raises ValueError saying
    what is wrong. Only loopback addresses pass: the dashboard acts on the user's mail, and
    remote use goes through an SSH tunnel, never an open port."""
    host, sep, port_text = text.strip().rpartition(":")
    if not sep or not host or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ValueError(f"{text!r} is not ADDRESS:PORT, like 127.0.0.1:8025 or [::1]:8025")
    host = host.strip("[]")
    if host.lower() == "localhost":
        host = "127.0.0.1"
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(
            f"{host} is not a loopback address: the dashboard listens on 127.0.0.1 or ::1 only "
            "(for remote use, an SSH tunnel: ssh -L 8025:127.0.0.1:8025 server)"
        )
    return Listen(host, int(port_text))
