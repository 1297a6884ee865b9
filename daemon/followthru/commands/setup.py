"""`followthru init` and `followthru check`: write a config, then prove it works."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followthru.adapters.imap import ImapSession
from followthru.adapters.secrets import resolve_secret
from followthru.adapters.smtp import smtp_session
from followthru.adapters.store import Store
from followthru.config import Account, Config, Server
from followthru.errors import FollowthruError, UserError
from followthru.resources import example_config

TLS_WORDS = {"implicit": "implicit TLS", "starttls": "STARTTLS", "none": "plain text, loopback"}


def init(path: Path) -> int:
    """Write the commented example config to `path`; never overwrite."""
    if path.exists():
        raise UserError(
            f"{path}: already exists; not overwriting it (edit it, or pass --config NEW_PATH)"
        )
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(example_config().read_text(encoding="utf-8"))
    print(f"wrote {path}\nnext: edit it (identity, accounts), then run `followthru check`")
    return 0


@dataclass
class AccountReport:
    name: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def backup(config: Config, target: Path) -> int:
    """Copy the store, consistently, while the daemon may run (never `cp` the db alone)."""
    with Store.open(config.store_path) as store:
        store.backup(target)
    print(f"backed up {config.store_path} to {target}")
    return 0


def check(config: Config, *, as_json: bool) -> int:
    """Log in to every account's IMAP and SMTP server and show the folders that will be used."""
    reports = [_check_account(account) for account in config.accounts]
    store_problem = _check_store(config.store_path)
    if as_json:
        out = {
            "config": str(config.path),
            "store": str(config.store_path),
            "store_problem": store_problem,
            "ok": not any(r.problems for r in reports) and store_problem is None,
            "accounts": [{"name": r.name, **r.data, "problems": r.problems} for r in reports],
        }
        print(json.dumps(out, indent=2))
    else:
        _print_reports(config, reports, store_problem)
    return 1 if any(r.problems for r in reports) or store_problem else 0


def _check_store(path: Path) -> str | None:
    """Can the daemon keep its state at `path`? An existing store is opened (and checked),
    never created here; for a new one, the nearest existing folder must be writable."""
    if path.exists():
        try:
            with Store.open(path):
                return None
        except FollowthruError as exc:
            return str(exc)
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if os.access(folder, os.W_OK | os.X_OK):
        return None
    return f"{path}: the state store cannot be created: {folder} is not writable"


def _print_reports(config: Config, reports: list[AccountReport], store_problem: str | None) -> None:
    print(f"config  {config.path}: valid")
    print(f"store   {config.store_path}" + (f"  FAILED: {store_problem}" if store_problem else ""))
    if store_problem:
        print(f"followthru: {store_problem}", file=sys.stderr)
    for report in reports:
        print(f"account {report.name}")
        for label, text in report.lines:
            print(f"  {label:<7} {text}")
    for report in reports:
        for problem in report.problems:
            print(f"followthru: {problem}", file=sys.stderr)


def _check_account(account: Account) -> AccountReport:
    report = AccountReport(account.name)
    try:
        _check_imap(account, report)
    except FollowthruError as exc:
        report.problems.append(str(exc))
        report.lines.append(("IMAP", f"FAILED: {exc}"))
    try:
        asyncio.run(_check_smtp(account, report))
    except FollowthruError as exc:
        report.problems.append(str(exc))
        report.lines.append(("SMTP", f"FAILED: {exc}"))
    return report


def _secret(account: Account, protocol: str, server: Server) -> str | None:
    if server.secret is None:
        return None
    return resolve_secret(
        server.secret, where=f"{account.name}/{protocol}", username=server.username
    )


def _check_imap(account: Account, report: AccountReport) -> None:
    server = account.imap
    secret = _secret(account, "imap", server) or ""
    session = ImapSession.connect(
        server, secret, oauth2=bool(server.secret and server.secret.is_oauth2)
    )
    try:
        report.lines.append(("IMAP", f"{_endpoint(server)}: logged in as {server.username}"))
        wanted = sorted(
            c
            for c in session.capabilities
            if c in {"IDLE", "SPECIAL-USE", "CONDSTORE", "UIDPLUS", "MOVE", "X-GM-EXT-1"}
        )
        report.lines.append(
            ("", f"capabilities: {', '.join(wanted) or 'none of IDLE, SPECIAL-USE, CONDSTORE'}")
        )
        folders = session.find_folders(account.folders)
    finally:
        session.logout()
    report.data["imap"] = {
        "host": server.host,
        "port": server.port,
        "tls": server.tls,
        "capabilities": wanted,
    }
    report.data["folders"] = {}
    for role, choice in (
        ("inbox", folders.inbox),
        ("drafts", folders.drafts),
        ("sent", folders.sent),
    ):
        report.lines.append((role.capitalize(), f"{choice.name}  ({choice.how})"))
        report.data["folders"][role] = {"name": choice.name, "found_by": choice.how}


async def _check_smtp(account: Account, report: AccountReport) -> None:
    server = account.smtp
    secret = _secret(account, "smtp", server)
    async with smtp_session(server, secret, oauth2=bool(server.secret and server.secret.is_oauth2)):
        who = f"logged in as {server.username}" if server.username else "no login configured"
        report.lines.append(("SMTP", f"{_endpoint(server)}: {who}"))
    report.data["smtp"] = {"host": server.host, "port": server.port, "tls": server.tls}


def _endpoint(server: Server) -> str:
    return f"{server.host}:{server.port} ({TLS_WORDS[server.tls]})"
