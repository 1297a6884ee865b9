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


@dataclass(frozen=True, slots=True)
class Detection:
    interview_keywords: tuple[str, ...]
    same_company_replies: Literal["count", "flag", "ignore"]
    free_mail_domains: frozenset[str]


@dataclass(frozen=True, slots=True)
class Jobs:
    """Job-search mail: the pause before one gentle check-in, and the user's rules file
    (merged over the shipped rules by adapters/jobrules.py; None = the shipped ones alone)."""

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
