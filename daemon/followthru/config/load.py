"""YAML configuration -> one frozen Config (config/values.py), built once and passed down.

Invariants:
- Every problem in a file is reported at once, each with its key path (`accounts[0].imap.port`),
  in one ConfigError naming the file. Unknown keys are errors: a typo must not pass silently.
- Secrets never sit in the file: only where to get them (a command, a systemd credential,
  the OS keyring, an OAuth2 token command). Resolving them is adapters/secrets.py's job.
- Plain-text connections (`tls: none`) are accepted for loopback hosts only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from followthru.adapters.push import url_problem
from followthru.adapters.rulesfile import load_job_rules
from followthru.config.reader import STEP_NAMES, Reader
from followthru.config.values import (
    ADDRESS,
    SECRET_KINDS,
    Account,
    Approval,
    Cadence,
    Config,
    Dashboard,
    Detection,
    Folders,
    Identity,
    Jobs,
    Notify,
    Secret,
    SendWindow,
    Server,
    Watch,
    is_loopback,
    parse_listen,
)
from followthru.errors import ConfigError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_PORTS = {
    "imap": {"implicit": 993, "starttls": 143, "none": 143},
    "smtp": {"implicit": 465, "starttls": 587, "none": 25},
}
_HOURS = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    """$FOLLOWTHRU_CONFIG, else the XDG config dir's followthru/config.yaml."""
    env = os.environ if env is None else env
    if env.get("FOLLOWTHRU_CONFIG"):
        return Path(env["FOLLOWTHRU_CONFIG"]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "followthru" / "config.yaml"


def default_store_path(env: Mapping[str, str]) -> Path:
    """systemd's $STATE_DIRECTORY when set, else the XDG data dir."""
    if env.get("STATE_DIRECTORY"):
        return Path(env["STATE_DIRECTORY"].split(":")[0]) / "state.db"
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "followthru" / "state.db"


def load_config(path: Path, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate a config file. Raises ConfigError listing every problem found."""
    env = os.environ if env is None else env
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            str(path), ["the file does not exist (create one with `followthru init`)"]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [f"cannot be read: {exc}"]) from exc
    return parse_config(text, path, env)


def parse_config(text: str, path: Path, env: Mapping[str, str]) -> Config:
    """Validate YAML text as if read from `path` (relative paths are relative to its folder)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), [f"not valid YAML: {exc}"]) from exc
    reader = Reader(data if data is not None else {}, "", base=path.parent)
    config = _config(reader, path, env)
    if reader.errors:
        raise ConfigError(str(path), reader.errors)
    assert config is not None  # noqa: S101  (a Reader without errors built every part)
    return config


def _config(r: Reader, path: Path, env: Mapping[str, str]) -> Config | None:
    known = (
        "identity",
        "accounts",
        "store",
        "templates_dir",
        "watch",
        "cadence",
        "approval",
        "detection",
        "notify",
        "dashboard",
        "jobs",
    )
    if not r.check_mapping(known):
        return None
    identity = _identity(r.section("identity", required=True))
    accounts = _accounts(r)
    store = r.section("store")
    store.check_mapping(("path",))
    store_path = store.path("path", default=default_store_path(env))
    templates_dir = r.path("templates_dir", default=None, must_be_dir=True)
    watch = _watch(r.section("watch"))
    cadence = _cadence(r.section("cadence"))
    approval = _approval(r.section("approval"))
    detection = _detection(r.section("detection"))
    notify = _notify(r.section("notify"))
    dashboard = _dashboard(r.section("dashboard"))
    jobs = _jobs(r.section("jobs"))
    if r.errors or notify is None:
        return None
    assert identity and accounts and store_path and watch and cadence and approval and detection  # noqa: S101
    assert jobs is not None  # noqa: S101
    return Config(
        path, identity, accounts, store_path, templates_dir, watch, cadence, approval, detection,
        notify,
        dashboard or Dashboard(),
        jobs,
    )  # fmt: skip


def _identity(r: Reader) -> Identity | None:
    if not r.check_mapping(("name", "email", "also", "timezone")):
        return None
    name = r.string("name", required=True, header_safe=True)
    email = _address(r, "email", required=True)
    also = tuple(a for a in (_address_item(r, i, v) for i, v in r.items("also")) if a)
    zone = _timezone(r, "timezone")
    if name is None or email is None or zone is None:
        return None
    return Identity(name, email, also, zone)


def _accounts(r: Reader) -> tuple[Account, ...] | None:
    items = r.list("accounts", required=True)
    if items is None:
        return None
    if not items:
        r.error("accounts", "needs at least one account")
        return None
    accounts = [_account(r.child(f"accounts[{i}]", item)) for i, item in enumerate(items)]
    names = [a.name for a in accounts if a]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        r.error("accounts", f"the account name {dup!r} is used twice")
    return tuple(a for a in accounts if a) if all(accounts) else None


def _account(r: Reader) -> Account | None:
    if not r.check_mapping(("name", "imap", "smtp", "folders", "save_sent")):
        return None
    name = r.string("name", default="default")
    imap = _server(r.section("imap", required=True), "imap")
    smtp = _server(r.section("smtp", required=True), "smtp")
    folders = _folders(r.section("folders"))
    save_sent = r.choice("save_sent", ("auto", True, False), default="auto")
    if not (name and imap and smtp and folders):
        return None
    return Account(name, imap, smtp, folders, None if save_sent == "auto" else bool(save_sent))


def _server(r: Reader, protocol: Literal["imap", "smtp"]) -> Server | None:
    keys = ("host", "port", "tls", "username", *SECRET_KINDS, "cafile", "timeout")
    if not r.check_mapping(keys):
        return None
    host = r.string("host", required=True)
    tls = r.choice("tls", ("implicit", "starttls", "none"), default="implicit")
    port = r.integer("port", default=DEFAULT_PORTS[protocol].get(str(tls), 0), low=1, high=65535)
    username = r.string("username", required=protocol == "imap")
    secret = _secret(r, username, required=protocol == "imap")
    cafile = r.path("cafile", default=None, must_be_file=True)
    timeout = r.duration("timeout", default=timedelta(seconds=30))
    if host and tls == "none" and not is_loopback(host):
        r.error(
            "tls",
            f"`none` (plain text) is refused for {host}: only loopback hosts may go unencrypted",
        )
        return None
    if host is None or port is None or tls is None or timeout is None:
        return None
    return Server(host, port, tls, username, secret, cafile, timeout.total_seconds() or 30.0)


def _secret(r: Reader, username: str | None, *, required: bool) -> Secret | None:
    given = [k for k in SECRET_KINDS if r.has(k)]
    if len(given) > 1:
        r.error(given[1], f"give only one of {', '.join(SECRET_KINDS)} (found {', '.join(given)})")
        return None
    if not given:
        if required or username:
            r.error(
                "",
                f"needs a secret: one of {', '.join(SECRET_KINDS)} (never a password in the file)",
            )
        return None
    kind = given[0]
    if kind == "keyring":
        if r.boolean("keyring") is not True:
            r.error("keyring", "must be `true` when given")
            return None
        return Secret("keyring", "")
    value = r.string(kind, required=True)
    if kind == "credential" and value and ("/" in value or value in (".", "..")):
        r.error(kind, f"{value!r} must be a credential name, not a path")
        return None
    return Secret(kind, value) if value else None


def _folders(r: Reader) -> Folders | None:
    if not r.check_mapping(("inbox", "drafts", "sent")):
        return None
    inbox = r.string("inbox", default="INBOX")
    drafts = r.string("drafts", default="auto")
    sent = r.string("sent", default="auto")
    return Folders(inbox, drafts, sent) if inbox and drafts and sent else None


def _watch(r: Reader) -> Watch | None:
    if not r.check_mapping(("idle", "idle_refresh", "poll_interval", "backfill_days")):
        return None
    idle = r.boolean("idle", default=True)
    refresh = r.duration("idle_refresh", default=timedelta(minutes=9), low=timedelta(minutes=1))
    if refresh and refresh > timedelta(minutes=29):
        r.error("idle_refresh", "must be at most 29m (RFC 2177; most servers drop IDLE sooner)")
    poll = r.duration("poll_interval", default=timedelta(minutes=2), low=timedelta(seconds=10))
    backfill = r.integer("backfill_days", default=90, low=0, high=3650)
    if idle is None or refresh is None or poll is None or backfill is None:
        return None
    return Watch(idle, refresh, poll, backfill)


def _cadence(r: Reader) -> Cadence | None:
    keys = (
        "thank_you_after", "check_in_after", "min_gap", "tries", "give_up_after", "nurture_every",
        "referral_reach_out_within", "referral_check_ins", "send_window", "draft_expires_after",
    )  # fmt: skip
    if not r.check_mapping(keys):
        return None
    d = timedelta(days=1)
    values = {
        "thank_you_after": r.duration("thank_you_after", default=timedelta(0)),
        "check_in_after": r.duration("check_in_after", default=7 * d, low=d),
        "min_gap": r.duration("min_gap", default=7 * d),
        "tries": _tries(r),
        "give_up_after": r.duration("give_up_after", default=7 * d),
        "nurture_every": r.duration("nurture_every", default=90 * d),
        "referral_reach_out_within": r.duration("referral_reach_out_within", default=3 * d),
        "referral_check_ins": r.integer("referral_check_ins", default=2, low=0, high=10),
        "send_window": _send_window(r.section("send_window")),
        "draft_expires_after": r.duration(
            "draft_expires_after", default=5 * d, low=timedelta(hours=1)
        ),
    }
    if any(v is None for v in values.values()):
        return None
    return Cadence(**values)  # type: ignore[arg-type]


def _tries(r: Reader) -> tuple[str, ...] | None:
    items = r.list("tries", default=["email", "phone", "email"])
    if items is None:
        return None
    bad = [f"{v!r}" for v in items if v not in ("email", "phone")]
    if bad:
        r.error("tries", f"each try is `email` or `phone`, not {', '.join(bad)}")
    elif not items or items[0] != "email":
        r.error("tries", "must start with `email` (the thank-you letter is the first try)")
    else:
        return tuple(items)
    return None


def _send_window(r: Reader) -> SendWindow | None:
    if not r.check_mapping(("days", "hours")):
        return None
    days = _days(r, r.raw("days", "mon-fri"))
    hours = _hours(r, r.raw("hours", "09:00-17:00"))
    if days is None or hours is None:
        return None
    return SendWindow(days, *hours)


def _days(r: Reader, value: Any, key: str = "days") -> frozenset[int] | None:
    if isinstance(value, str) and re.fullmatch(r"[a-z]{3}-[a-z]{3}", value.strip().lower()):
        first, last = (DAYS.index(p) if p in DAYS else -1 for p in value.strip().lower().split("-"))
        if first >= 0 and last >= 0:
            span = (last - first) % 7
            return frozenset((first + i) % 7 for i in range(span + 1))
    elif isinstance(value, list) and value and all(str(v).strip().lower() in DAYS for v in value):
        return frozenset(DAYS.index(str(v).strip().lower()) for v in value)
    r.error(key, f"{value!r} is not a range like `mon-fri` or a list like `[mon, wed, fri]`")
    return None


def _hours(r: Reader, value: Any) -> tuple[time, time | None] | None:
    m = _HOURS.match(value.strip()) if isinstance(value, str) else None
    if m:
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 < 24 and m1 < 60 and ((h2 < 24 and m2 < 60) or (h2, m2) == (24, 0)):
            start, end = time(h1, m1), None if h2 == 24 else time(h2, m2)
            if end is None or end > start:
                return start, end
            r.error("hours", f"{value!r}: the end must be after the start")
            return None
    r.error("hours", f"{value!r} is not a range like `09:00-17:00` (24:00 allowed as the end)")
    return None


def _notify(r: Reader) -> Notify | None:
    if not r.check_mapping(("digest_at", "digest_days", "urgent", "push")):
        return None
    # An explicit `digest_at: null` means no digest; only a missing key takes the default.
    at = r.raw("digest_at") if r.has("digest_at") else "08:00"
    digest_at: time | None = None
    if at is not None:
        m = re.fullmatch(r"(\d\d):(\d\d)", str(at).strip())
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            r.error("digest_at", f"{at!r} is not a time like `08:00` (or null: no digest)")
            return None
        digest_at = time(int(m.group(1)), int(m.group(2)))
    days = _days(r, r.raw("digest_days", "mon-fri"), "digest_days")
    urgent = r.boolean("urgent", default=True)
    push = r.list("push", default=[])
    if days is None or urgent is None or push is None:
        return None
    for key, url in r.items("push"):  # checked by apprise's own parser, never echoed
        problem = url_problem(url) if isinstance(url, str) else "must be a URL (text)"
        if problem is not None:
            r.error(key, problem)
    return Notify(digest_at, days, urgent, tuple(str(p) for p in push))


def _approval(r: Reader) -> Approval | None:
    if not r.check_mapping(("approve_by_flag", "auto_send", "max_drafts_per_pass")):
        return None
    by_flag = r.boolean("approve_by_flag", default=True)
    cap = r.integer("max_drafts_per_pass", default=20, low=1, high=1000)
    steps = r.list("auto_send", default=[])
    if steps is not None:
        bad = [str(s) for s in steps if s not in STEP_NAMES]
        if bad:
            r.error(
                "auto_send", f"unknown step(s) {', '.join(bad)}; steps are {', '.join(STEP_NAMES)}"
            )
            return None
    if by_flag is None or steps is None or cap is None:
        return None
    return Approval(by_flag, frozenset(steps), cap)


def _jobs(r: Reader) -> Jobs | None:
    """`jobs`: a rules file is read and checked now, so a bad entry stops `check` and `run`
    with its name instead of surfacing on the first message."""
    if not r.check_mapping(("paused_check_in_after", "rules")):
        return None
    pause = r.duration("paused_check_in_after", default=timedelta(days=30), low=timedelta(days=1))
    rules = r.path("rules", default=None, must_be_file=True)
    if rules is not None:
        try:
            load_job_rules(rules)
        except ConfigError as exc:
            for problem in exc.problems:
                r.error("rules", problem)
            return None
    return Jobs(pause, rules) if pause is not None else None


def _detection(r: Reader) -> Detection | None:
    known = ("interview_keywords", "same_company_replies", "free_mail_domains", "max_attendees",
             "max_strangers")  # fmt: skip
    if not r.check_mapping(known):
        return None
    attendees = r.integer("max_attendees", default=8, low=1)
    strangers = r.integer("max_strangers", default=5, low=1)
    keywords = r.list("interview_keywords", default=["interview", "phone screen", "onsite"])
    mode = r.choice("same_company_replies", ("count", "flag", "ignore"), default="count")
    domains = r.list("free_mail_domains", default=[
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
        "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "web.de",
    ])  # fmt: skip
    for name, items in (("interview_keywords", keywords), ("free_mail_domains", domains)):
        if items is not None and not all(isinstance(v, str) and v.strip() for v in items):
            r.error(name, "must be a list of non-empty strings")
            return None
    if (
        keywords is None
        or mode is None
        or domains is None
        or attendees is None
        or strangers is None
    ):
        return None
    lowered = frozenset(d.strip().lower() for d in domains)
    return Detection(
        tuple(k.strip().lower() for k in keywords), mode, lowered, attendees, strangers
    )


def _dashboard(r: Reader) -> Dashboard | None:
    if not r.check_mapping(("listen",)):
        return None
    text = r.string("listen", default=None)
    if text is None:
        return Dashboard()
    try:
        return Dashboard(parse_listen(text))
    except ValueError as exc:
        r.error("listen", str(exc))
        return None


def _address(r: Reader, key: str, *, required: bool = False) -> str | None:
    value = r.string(key, required=required)
    if value is not None and not ADDRESS.match(value):
        r.error(key, f"{value!r} is not an email address")
        return None
    return value


def _address_item(r: Reader, index: str, value: Any) -> str | None:
    if isinstance(value, str) and ADDRESS.match(value):
        return value
    r.error(index, f"{value!r} is not an email address")
    return None


def _timezone(r: Reader, key: str) -> ZoneInfo | None:
    value = r.string(key, required=True)
    if value is None:
        return None
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        r.error(key, f"{value!r} is not an IANA time zone (like Europe/Berlin or America/New_York)")
        return None
